import type { Metadata } from "next";
import { AgentEditor } from "@/components/agents/agent-editor";
import { RequiresRole } from "@/components/auth/requires-role";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "New agent" };

export default function NewAgentPage() {
  return (
    <>
      <PageHeader
        title="New agent"
        description="A template, a model, the skills it may run and what else it may use."
      />
      <RequiresRole role="admin" what="Creating an agent">
        <AgentEditor />
      </RequiresRole>
    </>
  );
}
