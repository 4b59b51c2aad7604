"use client";

import { useQuery } from "@tanstack/react-query";
import { FilterX } from "lucide-react";
import { useQueryStates } from "nuqs";
import { useTRPC } from "@/components/providers/trpc";
import { dayOf, parseDay } from "@/components/date-input";
import { FilterField } from "@/components/shell/filter-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";
import { runFilterParsers } from "./run-filters";
import { SOURCE_LABELS } from "./run-source";

export function RunsFilterBar() {
  const trpc = useTRPC();
  const [filters, setFilters] = useQueryStates(runFilterParsers, { history: "replace" });
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  const active = Object.values(filters).some((value) => value !== null);

  return (
    <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Filter runs">
      <FilterField id="filter-status" label="Status">
        <Select
          id="filter-status"
          value={filters.status ?? ""}
          onChange={(event) =>
            void setFilters({
              status: (event.target.value || null) as (typeof RUN_STATUSES)[number] | null,
            })
          }
        >
          <option value="">Any</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="filter-skill" label="Skill">
        <Select
          id="filter-skill"
          value={filters.skill ?? ""}
          onChange={(event) => void setFilters({ skill: event.target.value || null })}
        >
          <option value="">Any</option>
          {skills.data?.map((skill) => (
            <option key={skill.id} value={skill.id}>
              {skill.name}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="filter-agent" label="Agent">
        <Select
          id="filter-agent"
          value={filters.agent ?? ""}
          onChange={(event) => void setFilters({ agent: event.target.value || null })}
        >
          <option value="">Any</option>
          {agents.data?.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="filter-source" label="Source">
        <Select
          id="filter-source"
          value={filters.source ?? ""}
          onChange={(event) =>
            void setFilters({
              source: (event.target.value || null) as (typeof INVOCATION_SOURCES)[number] | null,
            })
          }
        >
          <option value="">Any</option>
          {INVOCATION_SOURCES.map((source) => (
            <option key={source} value={source}>
              {SOURCE_LABELS[source]}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="filter-failure" label="Failure code">
        <Select
          id="filter-failure"
          value={filters.failure ?? ""}
          onChange={(event) =>
            void setFilters({
              failure: (event.target.value || null) as (typeof FAILURE_CODES)[number] | null,
            })
          }
        >
          <option value="">Any</option>
          {FAILURE_CODES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="filter-from" label="Created from (UTC)">
        <Input
          id="filter-from"
          type="date"
          value={dayOf(filters.from)}
          onChange={(event) => void setFilters({ from: parseDay(event.target.value) })}
        />
      </FilterField>
      <FilterField id="filter-to" label="Created to (UTC)">
        <Input
          id="filter-to"
          type="date"
          value={dayOf(filters.to)}
          onChange={(event) => void setFilters({ to: parseDay(event.target.value) })}
        />
      </FilterField>
      {active && (
        <Button variant="ghost" size="sm" onClick={() => void setFilters(null)}>
          <FilterX aria-hidden />
          Clear filters
        </Button>
      )}
    </div>
  );
}
