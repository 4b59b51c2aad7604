import type { Metadata } from "next";
import { AgentList, NewAgentButton } from "@/components/agents/agent-list";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return (
    <>
      <PageHeader
        title="Agents"
        description="The model, template, tools and guardrail each run uses."
        actions={<NewAgentButton />}
      />
      <AgentList />
    </>
  );
}
