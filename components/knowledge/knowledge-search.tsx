"use client";

import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, Search } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { KNOWLEDGE_SEARCH_LIMIT } from "@/lib/knowledge-bases";

type KnowledgeBaseHit = { title: string; snippet: string; rank: number };

/**
 * A snippet as PostgreSQL's ts_headline marks it (`<b>match</b>`), shown with the matches in
 * bold: split on the markers, never parsed as HTML, so a document cannot inject markup.
 */
export function Snippet({ text }: { text: string }) {
  const parts = text.split(/<\/?b>/);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <mark key={index} className="text-foreground rounded-sm bg-transparent font-semibold">
            {part}
          </mark>
        ) : (
          <span key={index}>{part}</span>
        ),
      )}
    </>
  );
}

/** The search box: what `search_knowledge_base` would hand an agent with only this knowledge base. */
export function KnowledgeSearch({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const trpc = useTRPC();
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const search = useQuery({
    ...trpc.knowledgeBases.search.queryOptions({ knowledgeBaseId, query }),
    enabled: query.length > 0,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(typed.trim());
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Search</CardTitle>
        <CardDescription>
          Exactly what an agent&apos;s search_knowledge_base tool returns for this query: the best{" "}
          {KNOWLEDGE_SEARCH_LIMIT} matches, each with the snippet the agent reads.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form
          role="search"
          onSubmit={submit}
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
        >
          <div className="flex flex-1 flex-col gap-1.5">
            <Label htmlFor={inputId}>Search query</Label>
            <Input
              id={inputId}
              type="search"
              value={typed}
              maxLength={500}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          <Button type="submit" disabled={!typed.trim() || search.isFetching}>
            {search.isFetching ? (
              <LoaderCircle aria-hidden className="animate-spin" />
            ) : (
              <Search aria-hidden />
            )}
            Search
          </Button>
        </form>
        {query && (
          <QueryView
            query={search}
            loading={<p className="text-muted-foreground text-sm">Searching…</p>}
            errorTitle="The search failed"
            isEmpty={(result) => result.hits.length === 0}
            empty={
              <p role="status" className="text-muted-foreground text-sm">
                No document matches “{query}”: the agent would get an empty list.
              </p>
            }
          >
            {(result) => <SearchResults hits={result.hits} />}
          </QueryView>
        )}
      </CardContent>
    </Card>
  );
}

function SearchResults({ hits }: { hits: KnowledgeBaseHit[] }) {
  return (
    <div className="flex flex-col gap-3">
      <ol aria-label="Search results" className="flex flex-col gap-3">
        {hits.map((hit, index) => (
          <li key={`${hit.title}-${index}`} className="border-border rounded-md border p-3">
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <span className="font-medium">{hit.title}</span>
              <span className="text-muted-foreground text-xs">rank {hit.rank.toFixed(3)}</span>
            </div>
            <p className="text-muted-foreground mt-1 text-sm break-words">
              <Snippet text={hit.snippet} />
            </p>
          </li>
        ))}
      </ol>
      <details className="text-sm">
        <summary className="cursor-pointer">What the agent receives</summary>
        <ScrollRegion label="The tool's result as JSON" className="mt-2">
          <pre className="bg-muted rounded-md p-3 text-xs">{JSON.stringify(hits, null, 2)}</pre>
        </ScrollRegion>
      </details>
    </div>
  );
}
