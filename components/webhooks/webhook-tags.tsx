"use client";

import { Input } from "@/components/ui/input";
import { cn } from "@/components/ui/cn";
import { TagsField, tagListProblem } from "@/components/runs/run-tags";
import { MAX_TAGS_PER_RUN, parseTagList, tagProblem } from "@/lib/run-tags";

/** The tags part of the webhook form, as typed: static tags, and `key=/pointer` pairs. */
export type WebhookTagsDraft = { tags: string; mapping: string };

export const webhookTagsDraftOf = (initial?: {
  tags?: string[];
  tagMapping?: Record<string, string>;
}): WebhookTagsDraft => ({
  tags: (initial?.tags ?? []).join(", "),
  mapping: Object.entries(initial?.tagMapping ?? {})
    .map(([key, pointer]) => `${key}=${pointer}`)
    .join(", "),
});

function parseMapping(text: string): { mapping: Record<string, string>; problem: string | null } {
  const mapping: Record<string, string> = {};
  for (const pair of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const equals = pair.indexOf("=");
    const key = pair.slice(0, equals).trim();
    const pointer = pair.slice(equals + 1).trim();
    if (equals < 0 || !pointer.startsWith("/"))
      return { mapping, problem: `"${pair}": write key=/pointer, like customer=/customer/name` };
    const problem = tagProblem(`${key}:x`);
    if (problem) return { mapping, problem: problem.replace(`:x"`, `"`) };
    mapping[key] = pointer;
  }
  return { mapping, problem: null };
}

/** The draft as the webhook's `tags` and `tagMapping`, or the first problem in it. */
export function webhookTagsOf(
  draft: WebhookTagsDraft,
): { tags: string[]; tagMapping: Record<string, string> } | { problem: string } {
  const tagsProblem = tagListProblem(draft.tags);
  if (tagsProblem) return { problem: `Tags: ${tagsProblem}` };
  const { mapping, problem } = parseMapping(draft.mapping);
  if (problem) return { problem: `Tags from the payload: ${problem}` };
  const tags = parseTagList(draft.tags);
  if (tags.length + Object.keys(mapping).length > MAX_TAGS_PER_RUN)
    return {
      problem: `A run carries at most ${MAX_TAGS_PER_RUN} tags, static and mapped together`,
    };
  return { tags, tagMapping: mapping };
}

export function WebhookTagsFields({
  idPrefix,
  draft,
  onChange,
}: {
  idPrefix: string;
  draft: WebhookTagsDraft;
  onChange: (draft: WebhookTagsDraft) => void;
}) {
  const mappingProblem = parseMapping(draft.mapping).problem;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TagsField
        id={`${idPrefix}-tags`}
        value={draft.tags}
        onChange={(tags) => onChange({ ...draft, tags })}
        hint="Every run of the webhook carries these. Comma-separated key:value."
      />
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${idPrefix}-tag-mapping`} className="text-sm font-medium">
          Tags from the payload
        </label>
        <Input
          id={`${idPrefix}-tag-mapping`}
          value={draft.mapping}
          onChange={(event) => onChange({ ...draft, mapping: event.target.value })}
          placeholder="customer=/customer/name"
          className="font-mono"
          aria-invalid={mappingProblem !== null}
          aria-describedby={`${idPrefix}-tag-mapping-hint`}
        />
        <p
          id={`${idPrefix}-tag-mapping-hint`}
          className={cn("text-xs", mappingProblem ? "text-destructive" : "text-muted-foreground")}
        >
          {mappingProblem ??
            "Optional. key=/JSON Pointer: the run is tagged key:<value there>; a missing value adds no tag."}
        </p>
      </div>
    </div>
  );
}
