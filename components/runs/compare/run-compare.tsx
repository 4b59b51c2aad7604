"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { ArrowLeftRight, SearchX } from "lucide-react";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { formatAbsolute, formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView, retryUnlessNotFound } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { inputFieldsOf } from "@/lib/skill-inputs";
import type { AppRouter } from "@/server/trpc/root";
import { RunStatusBadge } from "../run-status";
import { compareHref, compareParsers } from "./compare-href";
import { DeliverableDiff } from "./deliverable-diff";
import { deliverableGapNote } from "./deliverable-gap";
import { SideBySide, type SideBySideRow } from "./side-by-side";

type Compared = inferRouterOutputs<AppRouter>["runCompare"]["get"];
type Side = Compared["a"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Unavailable({ title, message }: { title: string; message: string }) {
  return (
    <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
      <SearchX className="text-muted-foreground mb-3 size-8" aria-hidden />
      <p className="font-medium">{title}</p>
      <p className="text-muted-foreground mt-1 text-sm" role="alert">
        {message}{" "}
        <Link href="/runs" className="text-link">
          Back to runs
        </Link>
      </p>
    </div>
  );
}

/** The URL's two runs side by side: what went in, what each ran with, how the deliverables differ. */
export function RunCompare() {
  const [{ a, b }] = useQueryStates(compareParsers);
  const valid = Boolean(a && b && UUID.test(a) && UUID.test(b) && a !== b);
  return (
    <>
      <PageHeader
        title="Compare runs"
        description="Two runs of one skill: inputs, the config each resolved, and the deliverable diff from A to B."
        actions={
          valid &&
          a &&
          b && (
            <Button asChild variant="outline" size="sm">
              <Link href={compareHref(b, a)}>
                <ArrowLeftRight aria-hidden />
                Swap A and B
              </Link>
            </Button>
          )
        }
      />
      {valid && a && b ? (
        <Comparison a={a} b={b} />
      ) : (
        <Unavailable
          title="Pick two runs"
          message="Select exactly two runs of the same skill in the history and choose Compare."
        />
      )}
    </>
  );
}

function Comparison({ a, b }: { a: string; b: string }) {
  const trpc = useTRPC();
  const compared = useQuery({
    ...trpc.runCompare.get.queryOptions({ a, b }),
    retry: retryUnlessNotFound,
  });
  return (
    <QueryView
      query={compared}
      loading={
        <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading the comparison">
          <Skeleton className="h-24" />
          <Skeleton className="h-64" />
        </div>
      }
      errorTitle="The runs could not be compared"
      notFound={
        <Unavailable
          title="These runs cannot be compared"
          message={compared.error?.message ?? ""}
        />
      }
    >
      {(data) => <ComparisonView data={data} />}
    </QueryView>
  );
}

function RunSummary({ letter, run }: { letter: "A" | "B"; run: Side }) {
  return (
    <div className="border-border flex min-w-0 flex-col gap-1 rounded-lg border p-3 text-sm">
      <span className="flex flex-wrap items-center gap-2">
        <span className="font-semibold">Run {letter}</span>
        <Link href={`/runs/${run.id}`} className="text-link font-mono text-xs">
          {run.id.slice(0, 8)}…
        </Link>
        <RunStatusBadge status={run.status} />
      </span>
      <span className="text-muted-foreground text-xs">
        Created{" "}
        <time dateTime={run.createdAt.toISOString()} title={formatAbsolute(run.createdAt)}>
          {formatRelative(run.createdAt)}
        </time>
        {run.source === "rerun" && run.parentRunId && " · a re-run"}
      </span>
    </div>
  );
}

const shown = (value: unknown) =>
  value === undefined || value === null || value === ""
    ? "—"
    : typeof value === "string"
      ? value
      : JSON.stringify(value, null, 2);

/** Both runs' inputs by the skill's field titles, declared order first, then any other key. */
function inputRows(data: Compared): SideBySideRow[] {
  const fields = inputFieldsOf(data.skill.inputsSchema);
  const declared = new Set(fields.map((field) => field.name));
  const extra = [...new Set([...Object.keys(data.a.inputs), ...Object.keys(data.b.inputs)])]
    .filter((name) => !declared.has(name))
    .sort();
  return [
    ...fields
      .filter(
        (field) =>
          Object.hasOwn(data.a.inputs, field.name) || Object.hasOwn(data.b.inputs, field.name),
      )
      .map((field) => ({ name: field.name, label: field.title })),
    ...extra.map((name) => ({ name, label: name })),
  ].map(({ name, label }) => ({
    label,
    a: shown(data.a.inputs[name]),
    b: shown(data.b.inputs[name]),
  }));
}

function configRows(data: Compared): SideBySideRow[] {
  const labels = [
    ...new Set([...data.a.configFacts, ...data.b.configFacts].map((fact) => fact.label)),
  ];
  const valueOf = (side: Side, label: string) =>
    side.configFacts.find((fact) => fact.label === label)?.value ?? "—";
  return labels.map((label) => ({ label, a: valueOf(data.a, label), b: valueOf(data.b, label) }));
}

function DeliverableSection({ data }: { data: Compared }) {
  const gap = deliverableGapNote(data.a, data.b);
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Deliverable</CardTitle>
      </CardHeader>
      <CardContent>
        {gap ? (
          <p className="text-muted-foreground text-sm">{gap}</p>
        ) : (
          <DeliverableDiff before={data.a.deliverable ?? ""} after={data.b.deliverable ?? ""} />
        )}
      </CardContent>
    </Card>
  );
}

function ComparisonView({ data }: { data: Compared }) {
  return (
    <div className="flex flex-col gap-6">
      <p className="text-sm">
        Runs of{" "}
        <Link href={`/skills/${data.skill.slug}`} className="text-link font-medium">
          {data.skill.name}
        </Link>
      </p>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <RunSummary letter="A" run={data.a} />
        <RunSummary letter="B" run={data.b} />
      </div>
      <DeliverableSection data={data} />
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Inputs</CardTitle>
        </CardHeader>
        <CardContent>
          <SideBySide label="Inputs of run A and run B" rows={inputRows(data)} />
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Config snapshot</CardTitle>
        </CardHeader>
        <CardContent>
          <SideBySide label="Config of run A and run B" rows={configRows(data)} />
        </CardContent>
      </Card>
    </div>
  );
}
