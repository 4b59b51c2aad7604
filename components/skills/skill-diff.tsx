"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/components/ui/cn";
import { lineDiff } from "@/lib/line-diff";

const MARK = { added: "+", removed: "-", same: " " } as const;

/** One file's unified diff; unchanged files say so in one line. */
function FileDiff({ path, before, after }: { path: string; before: string; after: string }) {
  const lines = lineDiff(before, after);
  const changed = lines.some((line) => line.kind !== "same");
  return (
    <section
      aria-label={`Changes to ${path}`}
      className="border-border overflow-hidden rounded-md border"
    >
      <h4 className="bg-muted flex items-center justify-between px-3 py-1.5 font-mono text-xs">
        {path}
        {!changed && <span className="text-muted-foreground font-sans">unchanged</span>}
      </h4>
      {changed && (
        <pre className="max-h-96 overflow-auto text-xs leading-5">
          {lines.map((line, index) => (
            <div
              key={index}
              className={cn(
                "px-3 whitespace-pre-wrap",
                line.kind === "added" && "bg-success-muted text-success",
                line.kind === "removed" && "bg-destructive-muted text-destructive",
              )}
            >
              <span aria-hidden className="mr-2 select-none">
                {MARK[line.kind]}
              </span>
              <span className="sr-only">{line.kind === "same" ? "" : `${line.kind}: `}</span>
              {line.text}
            </div>
          ))}
        </pre>
      )}
    </section>
  );
}

/** What changed from one version to another: SKILL.md, then each reference file of either. */
export default function SkillDiff({
  skillId,
  from,
  to,
}: {
  skillId: string;
  from: string;
  to: string;
}) {
  const trpc = useTRPC();
  const before = useQuery(trpc.skills.version.queryOptions({ skillId, versionHash: from }));
  const after = useQuery(trpc.skills.version.queryOptions({ skillId, versionHash: to }));
  if (before.isError || after.isError)
    return <p className="text-destructive text-sm">The versions could not be loaded.</p>;
  if (!before.data || !after.data)
    return <Skeleton className="h-40" aria-label="Loading the diff" />;
  const paths = [
    ...new Set(
      [...before.data.referenceFiles, ...after.data.referenceFiles].map((file) => file.path),
    ),
  ].sort();
  const contentOf = (files: { path: string; content: string }[], path: string) =>
    files.find((file) => file.path === path)?.content ?? "";
  return (
    <div
      className="flex flex-col gap-3"
      aria-label={`Changes from ${from.slice(0, 12)} to ${to.slice(0, 12)}`}
      role="region"
    >
      <p className="text-muted-foreground text-xs">
        From <code className="font-mono">{from.slice(0, 12)}</code> to{" "}
        <code className="font-mono">{to.slice(0, 12)}</code>
      </p>
      <FileDiff path="SKILL.md" before={before.data.skillMd} after={after.data.skillMd} />
      {paths.map((path) => (
        <FileDiff
          key={path}
          path={path}
          before={contentOf(before.data.referenceFiles, path)}
          after={contentOf(after.data.referenceFiles, path)}
        />
      ))}
    </div>
  );
}
