"use client";

import { hasActiveFilters } from "@/components/url-filters";
import {
  ChipChecklist,
  ChipDayRange,
  ChipRadioList,
  dayRangeSummary,
  FilterChip,
  FilterChips,
  RemovableChip,
} from "@/components/shell/filter-chips";
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES } from "@/lib/enums";
import { ACTION_LABELS, ACTOR_LABELS, useAuditFilters } from "./audit-filters";

const ACTION_OPTIONS = AUDIT_ACTIONS.map((action) => ({
  value: action,
  label: ACTION_LABELS[action],
}));
const ACTOR_OPTIONS = AUDIT_ACTOR_TYPES.map((type) => ({ value: type, label: ACTOR_LABELS[type] }));
const shortId = (id: string) => id.slice(0, 8);

/** The audit log's filters as chips, the same ones the runs list uses; the URL holds them. */
export function AuditFilterBar() {
  const [filters, setFilters] = useAuditFilters();
  const actions = filters.action ?? [];
  return (
    <FilterChips
      label="Filter the audit log"
      active={hasActiveFilters(filters)}
      onClear={() => void setFilters(null)}
      className="mb-4"
    >
      <FilterChip
        label="Action"
        summary={actions.length ? actions.map((action) => ACTION_LABELS[action]).join(", ") : null}
        onClear={() => void setFilters({ action: null })}
      >
        <ChipChecklist
          legend="Action"
          options={ACTION_OPTIONS}
          selected={actions}
          onChange={(next) => void setFilters({ action: next.length ? next : null })}
        />
      </FilterChip>
      <FilterChip
        label="Actor"
        summary={filters.actor ? ACTOR_LABELS[filters.actor] : null}
        onClear={() => void setFilters({ actor: null })}
      >
        {(close) => (
          <ChipRadioList
            legend="Actor"
            options={ACTOR_OPTIONS}
            selected={filters.actor}
            onChange={(actor) => void setFilters({ actor })}
            onSettle={close}
          />
        )}
      </FilterChip>
      <FilterChip
        label="Time"
        summary={dayRangeSummary(filters.from, filters.to)}
        onClear={() => void setFilters({ from: null, to: null })}
      >
        <ChipDayRange
          from={filters.from}
          to={filters.to}
          onChange={(range) => void setFilters(range)}
        />
      </FilterChip>
      {filters.target && (
        <RemovableChip
          label="Target"
          summary={shortId(filters.target)}
          onClear={() => void setFilters({ target: null })}
        />
      )}
    </FilterChips>
  );
}
