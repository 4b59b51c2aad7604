"use client";

import { useQuery } from "@tanstack/react-query";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useTRPC } from "@/components/providers/trpc";
import { runsHref, type RunFilters } from "@/components/runs/run-filters";
import { PickOne } from "@/components/runs/runs-filter-bar";
import { FilterChips } from "@/components/shell/filter-chips";
import { Button } from "@/components/ui/button";
import { DASHBOARD_WINDOWS, type DashboardWindow } from "@/lib/dashboard";

/** The dashboard's window and filters, in the URL like the history's, so a view can be shared. */
const dashboardParsers = {
  window: parseAsStringLiteral(DASHBOARD_WINDOWS).withDefault("24h"),
  skill: parseAsString,
  agent: parseAsString,
};
export const useDashboardFilters = () => useQueryStates(dashboardParsers, { history: "replace" });
export type DashboardFilters = ReturnType<typeof useDashboardFilters>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The URL's filters as the procedure's input; a malformed id is dropped, as the history does. */
export const overviewInputOf = (filters: DashboardFilters) => ({
  window: filters.window,
  skillId: filters.skill && UUID.test(filters.skill) ? filters.skill : undefined,
  agentId: filters.agent && UUID.test(filters.agent) ? filters.agent : undefined,
});

/** The run history narrowed to what a dashboard figure counts: same window, skill and agent. */
export const historyHref = (filters: DashboardFilters, more: Partial<RunFilters> = {}) =>
  runsHref({ created: filters.window, skill: filters.skill, agent: filters.agent, ...more });

export const WINDOW_LABELS: Record<DashboardWindow, string> = {
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
};

export function DashboardFilterBar() {
  const trpc = useTRPC();
  const [filters, setFilters] = useDashboardFilters();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <div className="flex" role="group" aria-label="Window">
        {DASHBOARD_WINDOWS.map((window, index) => (
          <Button
            key={window}
            size="sm"
            variant={filters.window === window ? "default" : "outline"}
            className={
              index === 0
                ? "rounded-r-none"
                : index === DASHBOARD_WINDOWS.length - 1
                  ? "rounded-l-none"
                  : "rounded-none"
            }
            aria-pressed={filters.window === window}
            onClick={() => void setFilters({ window })}
          >
            Last {WINDOW_LABELS[window]}
          </Button>
        ))}
      </div>
      <FilterChips
        label="Filter the dashboard"
        active={Boolean(filters.skill || filters.agent)}
        onClear={() => void setFilters({ skill: null, agent: null })}
      >
        <PickOne
          label="Skill"
          value={filters.skill}
          options={(skills.data ?? []).map((skill) => ({ value: skill.id, label: skill.name }))}
          onChange={(skill) => void setFilters({ skill })}
        />
        <PickOne
          label="Agent"
          value={filters.agent}
          options={(agents.data ?? []).map((agent) => ({ value: agent.id, label: agent.name }))}
          onChange={(agent) => void setFilters({ agent })}
        />
      </FilterChips>
    </div>
  );
}
