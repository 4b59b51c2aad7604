import type { InvocationSource } from "@/lib/enums";

type Invoker = {
  userName: string | null;
  scheduleName: string | null;
  webhookName: string | null;
  apiKeyName: string | null;
};

const SOURCE_LABELS: Record<InvocationSource, string> = {
  manual: "Manual",
  schedule: "Schedule",
  webhook: "Webhook",
  api: "API",
  rerun: "Re-run",
};

/** Where a run came from, and who or what started it. */
export function RunSource({ source, invoker }: { source: InvocationSource; invoker: Invoker }) {
  const who =
    source === "schedule"
      ? invoker.scheduleName
      : source === "webhook"
        ? invoker.webhookName
        : source === "api"
          ? invoker.apiKeyName
          : invoker.userName;
  return (
    <span className="flex flex-col leading-tight">
      <span>{SOURCE_LABELS[source]}</span>
      {who && <span className="text-muted-foreground max-w-40 truncate text-xs">{who}</span>}
    </span>
  );
}

export { SOURCE_LABELS };
