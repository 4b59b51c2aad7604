"use client";

import { Search } from "lucide-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { FilterChip } from "@/components/shell/filter-chips";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { MAX_SEARCH_CHARS } from "@/lib/run-list";
import { MAX_FILTER_TAGS, tagProblem } from "@/lib/run-tags";
import { useRunFilters } from "./run-filters";
import { TagInput } from "./tag-input";

/** How long typing pauses before the list searches. */
const SEARCH_DEBOUNCE_MS = 400;

/** Why the history would refuse this search, in the server's words; null when it takes it. */
function searchProblem(text: string): string | null {
  if (text.length > MAX_SEARCH_CHARS) return `Search for at most ${MAX_SEARCH_CHARS} characters`;
  if (text && !/[\p{L}\p{N}]/u.test(text)) return "Search for at least one word or number";
  return null;
}

/**
 * The history's search box: words of the runs' inputs and deliverables, web-search style. The
 * URL (`?q=`) holds the search, set when typing pauses or on Enter.
 */
export function RunsSearch() {
  const inputId = useId();
  const [filters, setFilters] = useRunFilters();
  const [draft, setDraft] = useState(filters.q ?? "");
  const [shown, setShown] = useState(filters.q);
  // The URL changed elsewhere (Clear all, a link): the box shows it.
  if (filters.q !== shown) {
    setShown(filters.q);
    setDraft(filters.q ?? "");
  }
  const text = draft.trim();
  const problem = searchProblem(text);
  const apply = () => {
    if (!problem && text !== (filters.q ?? "")) void setFilters({ q: text || null });
  };
  useEffect(() => {
    const timer = setTimeout(apply, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply();
  };
  return (
    <form role="search" onSubmit={submit} className="flex max-w-xl flex-col gap-1">
      <label htmlFor={inputId} className="sr-only">
        Search runs
      </label>
      <div className="relative">
        <Search
          aria-hidden
          className="text-muted-foreground pointer-events-none absolute top-2.5 left-2.5 size-4"
        />
        <Input
          id={inputId}
          type="search"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder='Search inputs and deliverables — "a phrase", or, -word'
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${inputId}-problem` : undefined}
          className="pl-8"
        />
      </div>
      {problem && (
        <p id={`${inputId}-problem`} role="alert" className="text-destructive text-xs">
          {problem}
        </p>
      )}
    </form>
  );
}

/** The tag filter: runs carrying every tag listed; tags are added as `key:value`. */
export function TagFilterChip() {
  const [filters, setFilters] = useRunFilters();
  const tags = filters.tag ?? [];
  const add = (draft: string) => {
    const tag = draft.trim();
    const found =
      tagProblem(tag) ??
      (tags.length >= MAX_FILTER_TAGS ? `Filter by at most ${MAX_FILTER_TAGS} tags` : null);
    if (!found) void setFilters({ tag: [...new Set([...tags, tag])] });
    return found;
  };
  return (
    <FilterChip
      label="Tags"
      summary={tags.length ? tags.join(", ") : null}
      onClear={() => void setFilters({ tag: null })}
    >
      <div className="flex w-64 flex-col gap-2">
        {tags.length > 0 && (
          <ul aria-label="Tags filtered by" className="flex flex-col gap-1">
            {tags.map((tag) => (
              <li key={tag} className="flex items-center justify-between gap-2 text-sm">
                <span className="truncate">{tag}</span>
                <Button
                  type="button"
                  variant="ghost"
                  size="sm"
                  aria-label={`Stop filtering by ${tag}`}
                  onClick={() => {
                    const rest = tags.filter((other) => other !== tag);
                    void setFilters({ tag: rest.length ? rest : null });
                  }}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        )}
        <TagInput
          label="Runs tagged (all of them)"
          visibleLabel
          placeholder="key:value"
          onAdd={add}
        />
      </div>
    </FilterChip>
  );
}
