import Link from "next/link";
import type { InvocationSource } from "@/lib/enums";
import { SOURCES } from "./labels";
import { runsHref } from "./run-filters";

type Invoker = {
  userName: string | null;
  scheduleId?: string | null;
  scheduleName: string | null;
  webhookId?: string | null;
  webhookName: string | null;
  apiKeyId?: string | null;
  apiKeyName: string | null;
};

/** Who or what started the run, and, for a schedule, webhook or key, its runs' history. */
function starterOf(source: InvocationSource, invoker: Invoker) {
  if (source === "schedule")
    return {
      name: invoker.scheduleName,
      href: invoker.scheduleId ? runsHref({ schedule: invoker.scheduleId }) : null,
    };
  if (source === "webhook")
    return {
      name: invoker.webhookName,
      href: invoker.webhookId ? runsHref({ webhook: invoker.webhookId }) : null,
    };
  if (source === "api")
    return {
      name: invoker.apiKeyName,
      href: invoker.apiKeyId ? runsHref({ apiKey: invoker.apiKeyId }) : null,
    };
  return { name: invoker.userName, href: null };
}

/** Where a run came from, and who or what started it, linked to everything it started. */
export function RunSource({ source, invoker }: { source: InvocationSource; invoker: Invoker }) {
  const { name, href } = starterOf(source, invoker);
  return (
    <span className="flex min-w-0 flex-col leading-tight">
      <span title={SOURCES[source].description}>{SOURCES[source].label}</span>
      {name &&
        (href ? (
          <Link
            href={href}
            title={`Runs started by ${name}`}
            className="text-muted-foreground max-w-40 truncate text-xs hover:underline"
            onClick={(event) => event.stopPropagation()}
          >
            {name}
          </Link>
        ) : (
          <span className="text-muted-foreground max-w-40 truncate text-xs">{name}</span>
        ))}
    </span>
  );
}
