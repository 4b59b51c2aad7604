"use client";

import { X } from "lucide-react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { MAX_TAGS_PER_RUN, parseTagList, tagProblem } from "@/lib/run-tags";
import { TagInput } from "./tag-input";

/** A run's tags as small chips; `onPick` makes each a button (the history filters by it). */
export function TagBadges({
  tags,
  onPick,
  className,
}: {
  tags: readonly string[];
  onPick?: (tag: string) => void;
  className?: string;
}) {
  if (tags.length === 0) return null;
  return (
    <ul aria-label="Tags" className={cn("flex min-w-0 flex-wrap gap-1", className)}>
      {tags.map((tag) => (
        <li key={tag} className="min-w-0">
          {onPick ? (
            <button
              type="button"
              onClick={(event) => {
                event.stopPropagation();
                onPick(tag);
              }}
              title={`Show runs tagged ${tag}`}
              className="border-border text-muted-foreground hover:bg-muted focus-visible:ring-ring block max-w-48 truncate rounded-full border px-2 py-0.5 text-xs outline-none focus-visible:ring-2"
            >
              {tag}
            </button>
          ) : (
            <span className="border-border text-muted-foreground block max-w-64 truncate rounded-full border px-2 py-0.5 text-xs">
              {tag}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Where a search found its words in a run, the words marked. */
export type SearchHit = {
  field: "deliverable" | "inputs";
  parts: { text: string; match: boolean }[];
};

export function SearchHitLine({ hit }: { hit: SearchHit }) {
  return (
    <span className="text-muted-foreground line-clamp-2 text-xs" data-testid="search-hit">
      <span className="text-foreground font-medium">
        {hit.field === "deliverable" ? "Deliverable: " : "Inputs: "}
      </span>
      {hit.parts.map((part, index) =>
        part.match ? (
          <mark key={index} className="bg-warning-muted text-foreground rounded-sm px-0.5">
            {part.text}
          </mark>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </span>
  );
}

/** The first problem of a comma-separated tag list as typed, or null. */
export function tagListProblem(text: string): string | null {
  const tags = parseTagList(text);
  if (tags.length > MAX_TAGS_PER_RUN) return `At most ${MAX_TAGS_PER_RUN} tags`;
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem) return problem;
  }
  return null;
}

/** A run's tags on its page; operators add and remove them (each change is audit-logged). */
export function RunTagsEditor({ runId, tags }: { runId: string; tags: string[] }) {
  const trpc = useTRPC();
  const canEdit = useTenantRole().can("operator");
  const save = useToastMutation(trpc.runs.setTags.mutationOptions(), {
    success: "Tags saved",
    invalidate: [trpc.runs.get.queryKey({ runId }), trpc.runs.list.pathKey()],
  });
  const replace = (next: string[]) => save.mutate({ runId, tags: next });
  const add = (draft: string) => {
    const added = parseTagList(draft);
    const found = tagListProblem(draft) ?? (added.length ? null : "Type a tag as key:value");
    if (found) return found;
    const next = [...new Set([...tags, ...added])];
    if (next.length > MAX_TAGS_PER_RUN) return `A run carries at most ${MAX_TAGS_PER_RUN} tags`;
    replace(next);
    return null;
  };
  return (
    <div className="flex flex-col gap-2" data-testid="run-tags">
      {tags.length === 0 && <span className="text-muted-foreground">No tags</span>}
      {tags.length > 0 && (
        <ul aria-label="Tags" className="flex flex-wrap gap-1">
          {tags.map((tag) => (
            <li
              key={tag}
              className="border-border inline-flex max-w-full items-center gap-1 rounded-full border py-0.5 pr-1 pl-2 text-xs"
            >
              <span className="truncate">{tag}</span>
              {canEdit && (
                <button
                  type="button"
                  aria-label={`Remove tag ${tag}`}
                  disabled={save.isPending}
                  onClick={() => replace(tags.filter((other) => other !== tag))}
                  className="hover:bg-muted focus-visible:ring-ring rounded-full p-0.5 outline-none focus-visible:ring-2"
                >
                  <X aria-hidden className="size-3" />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <TagInput
          label="Add tags"
          placeholder="key:value, key:value"
          onAdd={add}
          pending={save.isPending}
          className="max-w-64"
        />
      )}
    </div>
  );
}

/** A form's tags as one line, `key:value, key:value`, its first problem beneath it. */
export function TagsField({
  id,
  value,
  onChange,
  hint = "Optional. Comma-separated key:value, e.g. customer:acme, env:prod",
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
}) {
  const problem = tagListProblem(value);
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        Tags
      </label>
      <Input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder="customer:acme, env:prod"
        aria-invalid={problem !== null}
        aria-describedby={`${id}-hint`}
      />
      <p
        id={`${id}-hint`}
        className={cn("text-xs", problem ? "text-destructive" : "text-muted-foreground")}
      >
        {problem ?? hint}
      </p>
    </div>
  );
}
