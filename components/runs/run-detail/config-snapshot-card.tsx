import { ConfigList, listOrNone } from "@/components/agents/config-view";
import { approvalSummary } from "@/lib/approval-policy";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { RunData } from "./run-data";

/** The agent config the run resolved when it started: what it actually ran with. */
export function ConfigSnapshotCard({ data, terminal }: { data: RunData; terminal: boolean }) {
  const snapshot = data.configSnapshot;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Config snapshot</CardTitle>
      </CardHeader>
      <CardContent>
        {snapshot ? (
          <ConfigList
            items={[
              [
                "Model",
                <code key="m" className="font-mono">
                  {snapshot.model}
                </code>,
              ],
              ["Template", snapshot.template?.name ?? "—"],
              ["Tools offered", listOrNone(snapshot.tools ?? [])],
              ["Blocked tools", listOrNone(snapshot.blockedTools ?? [])],
              [
                "MCP servers",
                listOrNone(
                  (snapshot.mcpServers ?? []).map((server) => `${server.name} (${server.url})`),
                ),
              ],
              [
                "Knowledge bases",
                listOrNone((snapshot.knowledgeBases ?? []).map((base) => base.name)),
              ],
              [
                "Guardrail",
                snapshot.guardrail
                  ? `${snapshot.guardrail.name} (${snapshot.guardrail.source})`
                  : "none",
              ],
              [
                "Limits",
                snapshot.limits
                  ? `${snapshot.limits.maxSteps} steps · ${snapshot.limits.timeoutSeconds} s`
                  : "—",
              ],
              ["Needs approval", approvalSummary(snapshot.approval)],
            ]}
          />
        ) : (
          <p className="text-muted-foreground text-sm">
            {terminal
              ? "The run ended before its config was resolved."
              : "Resolved when the run starts."}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
