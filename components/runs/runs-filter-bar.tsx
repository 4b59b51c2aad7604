"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import {
  ChipChecklist,
  ChipDayRange,
  ChipRadioList,
  dayRangeSummary,
  FilterChip,
  FilterChips,
  RemovableChip,
} from "@/components/shell/filter-chips";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";
import { CREATED_WITHIN, type CreatedWithin } from "@/lib/run-list";
import { FAILURE_LABELS, SOURCES, STATUS_LABELS } from "./labels";
import { hasActiveFilters } from "@/components/url-filters";
import { listInputOf, useRunFilters, type RunFilters } from "./run-filters";
import { RunsSearch, TagFilterChip } from "./runs-search";

type SetFilters = ReturnType<typeof useRunFilters>[1];
type ChipProps = { filters: RunFilters; setFilters: SetFilters };

const STATUS_OPTIONS = RUN_STATUSES.map((status) => ({ value: status, ...STATUS_LABELS[status] }));
const SOURCE_OPTIONS = INVOCATION_SOURCES.map((source) => ({ value: source, ...SOURCES[source] }));
const FAILURE_OPTIONS = FAILURE_CODES.map((code) => ({ value: code, ...FAILURE_LABELS[code] }));
const CREATED_LABELS: Record<CreatedWithin, string> = {
  "1h": "last hour",
  "24h": "last 24 h",
  "7d": "last 7 days",
  "30d": "last 30 days",
};
const CREATED_OPTIONS = CREATED_WITHIN.map((window) => ({
  value: window,
  label: `In the ${CREATED_LABELS[window]}`,
}));

function StatusChip({ filters, setFilters }: ChipProps) {
  const selected = filters.status ?? [];
  return (
    <FilterChip
      label="Status"
      summary={selected.length ? selected.map((s) => STATUS_LABELS[s].label).join(", ") : null}
      onClear={() => void setFilters({ status: null })}
    >
      <ChipChecklist
        legend="Status"
        options={STATUS_OPTIONS}
        selected={selected}
        onChange={(next) => void setFilters({ status: next.length ? next : null })}
      />
    </FilterChip>
  );
}

/** A filter of one value picked from a list (skill, agent, source, failure code). */
export function PickOne<Value extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: Value | null;
  options: readonly { value: Value; label: string; description?: string }[];
  onChange: (next: Value | null) => void;
}) {
  const chosen = options.find((option) => option.value === value);
  return (
    <FilterChip
      label={label}
      summary={value === null ? null : (chosen?.label ?? "…")}
      onClear={() => onChange(null)}
    >
      {(close) => (
        <ChipRadioList
          legend={label}
          options={options}
          selected={value}
          onChange={onChange}
          onSettle={close}
        />
      )}
    </FilterChip>
  );
}

function CreatedChip({ filters, setFilters }: ChipProps) {
  const summary = filters.created
    ? CREATED_LABELS[filters.created]
    : dayRangeSummary(filters.from, filters.to);
  return (
    <FilterChip
      label="Created"
      summary={summary}
      onClear={() => void setFilters({ created: null, from: null, to: null })}
    >
      <div className="flex flex-col gap-3">
        <ChipRadioList
          legend="Created"
          anyLabel="At any time"
          options={CREATED_OPTIONS}
          selected={filters.created}
          onChange={(created) => void setFilters({ created, from: null, to: null })}
        />
        <div className="border-border border-t pt-3">
          <p className="text-muted-foreground mb-2 text-xs">Or between whole days</p>
          <ChipDayRange
            from={filters.from}
            to={filters.to}
            onChange={({ from, to }) => void setFilters({ created: null, from, to })}
          />
        </div>
      </div>
    </FilterChip>
  );
}

/** The schedule, webhook, key or run ids the list was narrowed to from elsewhere, by name. */
function ProvenanceChips({ filters, setFilters }: ChipProps) {
  const trpc = useTRPC();
  const { scheduleId, webhookId, apiKeyId, runIds } = listInputOf(filters);
  const names = useQuery({
    ...trpc.runs.sourceNames.queryOptions({ scheduleId, webhookId, apiKeyId }),
    enabled: Boolean(scheduleId ?? webhookId ?? apiKeyId),
  });
  const nameOf = (name: string | null | undefined, kind: string) =>
    // A malformed id never asks (the list ignores it) and a failed ask has no name: both "unknown".
    names.isLoading ? "…" : (name ?? `unknown ${kind}`);
  return (
    <>
      {filters.schedule && (
        <RemovableChip
          label="Schedule"
          summary={nameOf(names.data?.schedule, "schedule")}
          onClear={() => void setFilters({ schedule: null })}
        />
      )}
      {filters.webhook && (
        <RemovableChip
          label="Webhook"
          summary={nameOf(names.data?.webhook, "webhook")}
          onClear={() => void setFilters({ webhook: null })}
        />
      )}
      {filters.apiKey && (
        <RemovableChip
          label="API key"
          summary={nameOf(names.data?.apiKey, "key")}
          onClear={() => void setFilters({ apiKey: null })}
        />
      )}
      {filters.ids && filters.ids.length > 0 && (
        <RemovableChip
          label="Runs"
          summary={`these ${runIds?.length ?? 0}`}
          onClear={() => void setFilters({ ids: null })}
        />
      )}
    </>
  );
}

/** The runs list's filters as chips; each change goes to the URL, which the list reads. */
export function RunsFilterBar() {
  const trpc = useTRPC();
  const [filters, setFilters] = useRunFilters();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  const props = { filters, setFilters };
  return (
    <div className="mb-4 flex flex-col gap-3">
      <RunsSearch />
      <FilterChips
        label="Filter runs"
        active={hasActiveFilters(filters)}
        onClear={() => void setFilters(null)}
      >
        <StatusChip {...props} />
        <PickOne
          label="Skill"
          value={filters.skill}
          options={(skills.data ?? []).map((skill) => ({ value: skill.id, label: skill.name }))}
          onChange={(skill) => void setFilters({ skill })}
        />
        {((agents.data?.length ?? 0) > 1 || filters.agent) && (
          <PickOne
            label="Agent"
            value={filters.agent}
            options={(agents.data ?? []).map((agent) => ({ value: agent.id, label: agent.name }))}
            onChange={(agent) => void setFilters({ agent })}
          />
        )}
        <PickOne
          label="Source"
          value={filters.source}
          options={SOURCE_OPTIONS}
          onChange={(source) => void setFilters({ source })}
        />
        <PickOne
          label="Failure"
          value={filters.failure}
          options={FAILURE_OPTIONS}
          onChange={(failure) => void setFilters({ failure })}
        />
        <CreatedChip {...props} />
        <TagFilterChip />
        <ProvenanceChips {...props} />
      </FilterChips>
    </div>
  );
}
