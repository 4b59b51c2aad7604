"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { GitCompare, History, RotateCcw } from "lucide-react";
import dynamic from "next/dynamic";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { formatAbsolute, formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Skeleton } from "@/components/ui/skeleton";

// The diff library and the SKILL.md renderer load only when two versions are compared.
const SkillDiff = dynamic(() => import("./skill-diff"), {
  ssr: false,
  loading: () => <Skeleton className="h-40" aria-label="Loading the diff" />,
});

type Version = {
  id: string;
  versionHash: string;
  createdAt: Date;
  author: string | null;
  current: boolean;
};

/** Every saved version, who saved it and when; pick two to compare, or roll back to one. */
export function SkillVersions({
  skill,
}: {
  skill: { id: string; slug: string; origin: "builtin" | "tenant" };
}) {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const versions = useQuery(trpc.skills.versions.queryOptions({ skillId: skill.id }));
  const [picked, setPicked] = useState<string[]>([]);
  const [rollBackTo, setRollBackTo] = useState<Version | null>(null);
  const { rollBack, pending } = useRollBack(skill);
  const canRollBack = skill.origin === "tenant" && can("admin");
  const toggle = (id: string, on: boolean) =>
    setPicked((previous) =>
      on
        ? [...previous.filter((other) => other !== id), id].slice(-2)
        : previous.filter((other) => other !== id),
    );

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <History className="size-4" aria-hidden /> Versions
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <QueryView
          query={versions}
          loading={<Skeleton className="h-24" />}
          errorTitle="Versions could not be loaded"
          isEmpty={(list) => list.length === 0}
          empty={<p className="text-muted-foreground text-sm">No saved versions.</p>}
        >
          {(list) => (
            <>
              <p className="text-muted-foreground text-xs">Tick two versions to compare them.</p>
              <ul className="divide-border flex flex-col divide-y text-sm" aria-label="Versions">
                {list.map((version) => (
                  <VersionRow
                    key={version.id}
                    version={version}
                    picked={picked.includes(version.id)}
                    onPick={(on) => toggle(version.id, on)}
                    onRollBack={
                      canRollBack && !version.current && !pending
                        ? () => setRollBackTo(version)
                        : null
                    }
                  />
                ))}
              </ul>
              {picked.length === 2 ? (
                <ComparedVersions skillId={skill.id} list={list} picked={picked} />
              ) : (
                <p className="text-muted-foreground flex items-center gap-2 text-xs">
                  <GitCompare className="size-3.5" aria-hidden />
                  {picked.length === 1 ? "Tick one more version." : "No versions picked."}
                </p>
              )}
            </>
          )}
        </QueryView>
        <ConfirmDialog
          open={rollBackTo !== null}
          onOpenChange={(open) => !open && setRollBackTo(null)}
          title="Roll back to this version?"
          description={`Version ${rollBackTo?.versionHash.slice(0, 12) ?? ""} is saved again as the newest version. Runs already made keep the version they ran.`}
          cancelLabel="Cancel"
          confirmLabel="Roll back"
          destructive={false}
          pending={pending}
          onConfirm={() => {
            if (rollBackTo) void rollBack(rollBackTo);
            setRollBackTo(null);
          }}
        />
      </CardContent>
    </Card>
  );
}

/** The older of the two picked versions against the newer. */
function ComparedVersions({
  skillId,
  list,
  picked,
}: {
  skillId: string;
  list: Version[];
  picked: string[];
}) {
  const [newer, older] = list.filter((version) => picked.includes(version.id));
  if (!newer || !older) return null;
  return <SkillDiff skillId={skillId} from={older.versionHash} to={newer.versionHash} />;
}

function VersionRow({
  version,
  picked,
  onPick,
  onRollBack,
}: {
  version: Version;
  picked: boolean;
  onPick: (on: boolean) => void;
  onRollBack: (() => void) | null;
}) {
  return (
    <li className="flex flex-wrap items-center gap-2 py-2">
      <Checkbox
        id={`compare-${version.id}`}
        checked={picked}
        onChange={(event) => onPick(event.target.checked)}
        aria-label={`Compare version ${version.versionHash.slice(0, 12)} saved ${formatRelative(version.createdAt)}`}
      />
      <code className="font-mono">{version.versionHash.slice(0, 12)}</code>
      {version.current && <Badge variant="success">Current</Badge>}
      <span className="text-muted-foreground text-xs">
        {version.author ?? "Skillrun"} ·{" "}
        <time dateTime={version.createdAt.toISOString()} title={formatAbsolute(version.createdAt)}>
          {formatRelative(version.createdAt)}
        </time>
      </span>
      {onRollBack && (
        <Button size="sm" variant="ghost" className="ml-auto" onClick={onRollBack}>
          <RotateCcw aria-hidden />
          Roll back
          <span className="sr-only"> to version {version.versionHash.slice(0, 12)}</span>
        </Button>
      )}
    </li>
  );
}

/** Saves an old version's content again as the newest version. */
function useRollBack(skill: { id: string; slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useToastMutation(trpc.skills.update.mutationOptions(), {
    success: ({ versionHash }) => `Rolled back: version ${versionHash.slice(0, 12)} is current`,
    invalidate: [trpc.skills.pathKey()],
  });

  async function rollBack(version: Version) {
    const content = await queryClient.fetchQuery(
      trpc.skills.version.queryOptions({ skillId: skill.id, versionHash: version.versionHash }),
    );
    update.mutate({
      skillId: skill.id,
      skill: {
        slug: skill.slug,
        name: content.name,
        description: content.description,
        inputsSchema: content.inputsSchema,
        instructions: content.instructions,
        referenceFiles: content.referenceFiles,
      },
    });
  }
  return { rollBack, pending: update.isPending };
}
