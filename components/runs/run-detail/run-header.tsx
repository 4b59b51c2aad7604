"use client";

import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { QueueReason } from "../queue-reason";
import { RunStatusBadge } from "../run-status";
import { RunActions } from "./run-actions";
import type { RunData } from "./run-data";

/** Breadcrumb, skill, live status and, for operators, what can be done with the run. */
export function RunHeader({ data }: { data: RunData }) {
  const { can } = useTenantRole();
  return (
    <header className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0">
        <p className="text-muted-foreground text-sm break-all">
          <Link href="/runs" className="hover:underline">
            Runs
          </Link>{" "}
          / <code className="font-mono text-xs">{data.id}</code>
        </p>
        <h1 className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-2xl font-semibold tracking-tight break-words">
          <Link href={`/skills/${data.skill.slug}`} className="hover:underline">
            {data.skill.name}
          </Link>
          <span role="status" aria-live="polite" data-testid="run-status">
            <RunStatusBadge status={data.status} describe={false} />
          </span>
        </h1>
        {data.queue && <QueueReason queue={data.queue} className="mt-1 block" />}
      </div>
      {can("operator") && <RunActions data={data} />}
    </header>
  );
}
