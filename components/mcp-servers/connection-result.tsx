import { CircleAlert, CircleCheck } from "lucide-react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { plural } from "@/components/plural";

export type ConnectionTest = inferRouterOutputs<AppRouter>["mcpServers"]["testConnection"];

/** What "Test connection" found: the server's tools, or why it could not be used. */
export function ConnectionResult({ result }: { result: ConnectionTest }) {
  if (!result.ok)
    return (
      <div role="status" className="border-destructive/40 rounded-md border p-3 text-sm">
        <p className="text-destructive flex items-center gap-2 font-medium">
          <CircleAlert aria-hidden className="size-4" />
          Connection failed
        </p>
        <p className="mt-1">{result.reason}</p>
      </div>
    );
  return (
    <div role="status" className="border-border rounded-md border p-3 text-sm">
      <p className="text-success flex items-center gap-2 font-medium">
        <CircleCheck aria-hidden className="size-4" />
        Connected · {plural(result.tools.length, "tool")}
      </p>
      {result.tools.length > 0 && (
        <ul aria-label="Tools the server offers" className="mt-2 flex flex-col gap-1.5">
          {result.tools.map((tool) => (
            <li key={tool.name}>
              <code className="font-mono text-xs font-medium">{tool.name}</code>
              {tool.description && (
                <span className="text-muted-foreground"> — {tool.description}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
