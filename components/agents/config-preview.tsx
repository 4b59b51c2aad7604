"use client";

import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useWatch } from "react-hook-form";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { Skeleton } from "@/components/ui/skeleton";
import { agentInput, type AgentInput } from "@/lib/schemas/agents";
import type { AgentForm } from "./agent-form";
import { configDiff, type ConfigDiffRow } from "./config-diff";
import { EffectiveConfigList } from "./config-view";

/** The value once it has stopped changing for `delayMs`: a preview per pause, not per keystroke. */
function useSettled<T>(value: T, delayMs: number): T {
  const key = JSON.stringify(value);
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return settled;
}

/** The form's current values, re-read on every change. */
function useFormValues(form: AgentForm): AgentInput {
  const [
    name,
    description,
    templateId,
    modelOverride,
    skillIds,
    mcpServerIds,
    knowledgeBaseIds,
    pairedUserId,
    approvalPolicy,
  ] = useWatch({
    control: form.control,
    name: [
      "name",
      "description",
      "templateId",
      "modelOverride",
      "skillIds",
      "mcpServerIds",
      "knowledgeBaseIds",
      "pairedUserId",
      "approvalPolicy",
    ],
  });
  return {
    name,
    description,
    templateId,
    modelOverride,
    skillIds,
    mcpServerIds,
    knowledgeBaseIds,
    pairedUserId,
    approvalPolicy: approvalPolicy ?? null,
  };
}

/** The draft as the preview sends it: the name and description change nothing a run uses. */
function previewDraft(values: AgentInput) {
  const parsed = agentInput.safeParse({
    ...values,
    name: values.name.trim() || "New agent",
    description: "",
  });
  return parsed.success ? parsed.data : null;
}

/**
 * The runtime config beside the editor. Unchanged, it is the saved agent's effective config;
 * with unsaved changes, the saved config next to the one a save would give, changes marked; for
 * a new agent, the config it would get.
 */
export function ConfigPreview({
  agentId,
  form,
  dirty,
}: {
  agentId: string | null;
  form: AgentForm;
  dirty: boolean;
}) {
  const trpc = useTRPC();
  const comparing = agentId === null || dirty;
  const draft = previewDraft(useSettled(useFormValues(form), 300));
  const effective = useQuery({
    ...trpc.agents.effectiveConfig.queryOptions(agentId && !comparing ? { agentId } : skipToken),
  });
  const preview = useQuery({
    ...trpc.agents.previewConfig.queryOptions(comparing && draft ? { agentId, draft } : skipToken),
    placeholderData: keepPreviousData,
  });

  if (!comparing)
    return (
      <Card>
        <CardHeader>
          <CardTitle>Effective runtime config</CardTitle>
          <p className="text-muted-foreground text-sm">
            What a run of this agent would use now, resolved the way the run function resolves it.
            Change the form to see what saving would change.
          </p>
        </CardHeader>
        <CardContent>
          <QueryView
            query={effective}
            loading={<Skeleton className="h-48" />}
            errorTitle="The config could not be resolved"
          >
            {(config) => <EffectiveConfigList config={config} />}
          </QueryView>
        </CardContent>
      </Card>
    );

  return (
    <Card aria-busy={preview.isFetching || undefined}>
      <CardHeader>
        <CardTitle>
          {agentId ? "What saving would change" : "What this agent would run with"}
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          Resolved as a run would resolve it, acting for the paired user as a schedule or webhook
          run does. {agentId ? "Changed settings are marked." : ""}
        </p>
      </CardHeader>
      <CardContent>
        {!draft ? (
          <p className="text-muted-foreground text-sm">
            Choose a template and fix the fields marked above to see the preview.
          </p>
        ) : (
          <QueryView
            query={preview}
            loading={<Skeleton className="h-48" aria-label="Resolving the preview" />}
            errorTitle="The preview could not be resolved"
          >
            {({ saved, draft: resolved }) =>
              saved ? (
                <ChangesTable rows={configDiff(saved, resolved)} />
              ) : (
                <EffectiveConfigList config={resolved} />
              )
            }
          </QueryView>
        )}
      </CardContent>
    </Card>
  );
}

function ListChange({ row }: { row: ConfigDiffRow }) {
  if (!row.added.length && !row.removed.length) return <>{row.draft}</>;
  return (
    <ul className="flex flex-col gap-0.5">
      {row.items.map((item) =>
        row.added.includes(item) ? (
          <li key={item} className="text-success font-medium">
            <span aria-hidden>+ </span>
            <span className="sr-only">Added: </span>
            {item}
          </li>
        ) : (
          <li key={item}>{item}</li>
        ),
      )}
      {row.removed.map((item) => (
        <li key={`-${item}`} className="text-destructive line-through">
          <span aria-hidden>− </span>
          <span className="sr-only">Removed: </span>
          {item}
        </li>
      ))}
    </ul>
  );
}

function ChangesTable({ rows }: { rows: ConfigDiffRow[] }) {
  const changed = rows.filter((row) => row.changed).length;
  return (
    <div className="flex flex-col gap-3">
      <p role="status" className="text-sm font-medium">
        {changed === 0
          ? "Saving changes nothing a run uses."
          : `Saving changes ${changed} ${changed === 1 ? "setting" : "settings"} a run uses.`}
      </p>
      <ScrollRegion label="What saving would change">
        <table aria-label="What saving would change" className="w-full text-left text-sm">
          <thead className="text-muted-foreground">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Setting
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Now
              </th>
              <th scope="col" className="py-1 font-medium">
                After saving
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.label}
                data-changed={row.changed || undefined}
                className={row.changed ? "border-warning border-l-2" : undefined}
              >
                <th
                  scope="row"
                  className="py-1.5 pr-3 pl-2 align-top font-normal whitespace-nowrap"
                >
                  {row.label}
                  {row.changed && (
                    <Badge variant="warning" className="ml-2">
                      Changed
                    </Badge>
                  )}
                </th>
                <td className="max-w-xs py-1.5 pr-3 align-top break-words whitespace-pre-wrap">
                  {row.saved}
                </td>
                <td className="max-w-xs py-1.5 align-top break-words whitespace-pre-wrap">
                  {row.changed ? <ListChange row={row} /> : row.draft}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}
