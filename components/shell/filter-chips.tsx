"use client";

import { ChevronDown, FilterX, X } from "lucide-react";
import { useId, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import { dayOf, parseDay } from "@/components/date-input";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";

/**
 * A list's filters as a row of compact chips: each names a filter and what it is set to, opens
 * a popover to change it and has × to clear it. The values live in the URL; these only draw.
 */
export function FilterChips({
  label,
  active,
  onClear,
  children,
  className,
}: {
  /** The search landmark's name, e.g. "Filter runs". */
  label: string;
  /** Whether any filter is set: shows "Clear filters". */
  active: boolean;
  onClear: () => void;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={cn("flex min-w-0 flex-wrap items-center gap-2", className)}
      role="search"
      aria-label={label}
    >
      {children}
      {active && (
        <Button variant="ghost" size="sm" onClick={onClear}>
          <FilterX aria-hidden />
          Clear filters
        </Button>
      )}
    </div>
  );
}

const chipShell = (set: boolean) =>
  cn(
    "inline-flex h-8 max-w-full min-w-0 items-center rounded-full border text-sm",
    set ? "border-primary/40 bg-primary/5" : "border-border border-dashed",
  );
const chipButton =
  "focus-visible:ring-ring inline-flex h-full min-w-0 items-center gap-1 rounded-full px-3 outline-none focus-visible:ring-2";

/** "Status: Running, Queued": `summary` is what the filter is set to, null when unset. */
function ChipText({ label, summary }: { label: string; summary: string | null }) {
  // One inline run of text, so the accessible name reads "Status: Running, Queued".
  return summary ? (
    <span className="min-w-0 truncate">
      <span className="text-muted-foreground">{label}:</span>{" "}
      <span className="font-medium">{summary}</span>
    </span>
  ) : (
    <span className="shrink-0">{label}</span>
  );
}

function ClearChip({ label, onClear }: { label: string; onClear: () => void }) {
  return (
    <button
      type="button"
      aria-label={`Clear the ${label} filter`}
      onClick={onClear}
      className="text-muted-foreground hover:text-foreground focus-visible:ring-ring mr-1 -ml-1 inline-flex size-6 shrink-0 items-center justify-center rounded-full outline-none focus-visible:ring-2"
    >
      <X aria-hidden className="size-3.5" />
    </button>
  );
}

/**
 * One filter: the chip opens `children` in a popover. A function child gets `close`, for choices
 * that settle the filter (a single choice closes once confirmed; a multiple one stays open).
 */
export function FilterChip({
  label,
  summary,
  onClear,
  children,
}: {
  label: string;
  summary: string | null;
  onClear: () => void;
  children: ReactNode | ((close: () => void) => ReactNode);
}) {
  const [open, setOpen] = useState(false);
  return (
    <div className={chipShell(summary !== null)}>
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverTrigger className={chipButton}>
          <ChipText label={label} summary={summary} />
          <ChevronDown aria-hidden className="text-muted-foreground size-3.5 shrink-0" />
        </PopoverTrigger>
        <PopoverContent aria-label={`${label} filter`}>
          {typeof children === "function" ? children(() => setOpen(false)) : children}
        </PopoverContent>
      </Popover>
      {summary !== null && <ClearChip label={label} onClear={onClear} />}
    </div>
  );
}

/** A filter set from elsewhere (a link from a row, a toast), shown with its name and × to drop it. */
export function RemovableChip({
  label,
  summary,
  onClear,
}: {
  label: string;
  summary: string;
  onClear: () => void;
}) {
  return (
    <div className={chipShell(true)}>
      <span className="inline-flex min-w-0 items-center gap-1 px-3">
        <ChipText label={label} summary={summary} />
      </span>
      <ClearChip label={label} onClear={onClear} />
    </div>
  );
}

export type ChipOption<Value extends string> = {
  value: Value;
  label: string;
  description?: string;
};

function OptionRow({
  type,
  name,
  checked,
  onChange,
  onSettle,
  label,
  description,
}: {
  type: "checkbox" | "radio";
  name: string;
  checked: boolean;
  onChange: () => void;
  /** The user confirmed this option: a pointer click, Enter or Space (not an arrow key). */
  onSettle?: () => void;
  label: string;
  description?: string;
}) {
  const id = useId();
  // Arrow keys also fire change and click (with no click count) on radios; only these settle.
  const settleOnPointer = (event: MouseEvent<HTMLInputElement>) => {
    if (event.detail > 0) onSettle?.();
  };
  const settleOnKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    if (!checked) onChange();
    onSettle?.();
  };
  return (
    <label className="hover:bg-muted flex cursor-pointer items-start gap-2 rounded-sm px-2 py-1.5">
      <input
        type={type}
        name={name}
        checked={checked}
        onChange={onChange}
        onClick={onSettle && settleOnPointer}
        onKeyDown={onSettle && settleOnKey}
        aria-describedby={description ? id : undefined}
        className="accent-primary mt-0.5 size-4 shrink-0"
      />
      <span className="flex min-w-0 flex-col leading-tight">
        <span>{label}</span>
        {description && (
          <span id={id} className="text-muted-foreground mt-0.5 text-xs">
            {description}
          </span>
        )}
      </span>
    </label>
  );
}

const optionsClass = "-mx-1 flex max-h-80 flex-col overflow-y-auto";

/** Any number of values of one filter (an empty choice means any). */
export function ChipChecklist<Value extends string>({
  legend,
  options,
  selected,
  onChange,
}: {
  legend: string;
  options: readonly ChipOption<Value>[];
  selected: readonly Value[];
  onChange: (next: Value[]) => void;
}) {
  const name = useId();
  return (
    <fieldset className={optionsClass}>
      <legend className="sr-only">{legend}</legend>
      {options.map((option) => (
        <OptionRow
          key={option.value}
          type="checkbox"
          name={name}
          checked={selected.includes(option.value)}
          onChange={() =>
            onChange(
              selected.includes(option.value)
                ? selected.filter((value) => value !== option.value)
                : options
                    .map((o) => o.value)
                    .filter((v) => v === option.value || selected.includes(v)),
            )
          }
          label={option.label}
          description={option.description}
        />
      ))}
    </fieldset>
  );
}

/**
 * One value of a filter, or any. Arrow keys move the choice and apply it; `onSettle` (e.g. closing
 * the popover) waits for a click, Enter or Space, so the keyboard can walk the list.
 */
export function ChipRadioList<Value extends string>({
  legend,
  options,
  selected,
  onChange,
  onSettle,
  anyLabel = "Any",
}: {
  legend: string;
  options: readonly ChipOption<Value>[];
  selected: Value | null;
  onChange: (next: Value | null) => void;
  onSettle?: () => void;
  anyLabel?: string;
}) {
  const name = useId();
  return (
    <fieldset className={optionsClass}>
      <legend className="sr-only">{legend}</legend>
      <OptionRow
        type="radio"
        name={name}
        checked={selected === null}
        onChange={() => onChange(null)}
        onSettle={onSettle}
        label={anyLabel}
      />
      {options.map((option) => (
        <OptionRow
          key={option.value}
          type="radio"
          name={name}
          checked={selected === option.value}
          onChange={() => onChange(option.value)}
          onSettle={onSettle}
          label={option.label}
          description={option.description}
        />
      ))}
    </fieldset>
  );
}

const dayFormat = new Intl.DateTimeFormat("en", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "3 Jan 2027 – 9 Jan 2027", "since 3 Jan 2027", "until …", or null for no range. */
export function dayRangeSummary(from: Date | null, to: Date | null): string | null {
  if (from && to) return `${dayFormat.format(from)} – ${dayFormat.format(to)}`;
  if (from) return `since ${dayFormat.format(from)}`;
  if (to) return `until ${dayFormat.format(to)}`;
  return null;
}

/** A range of whole UTC days; either end may stay open. */
export function ChipDayRange({
  from,
  to,
  onChange,
}: {
  from: Date | null;
  to: Date | null;
  onChange: (range: { from: Date | null; to: Date | null }) => void;
}) {
  const id = useId();
  return (
    <div className="grid grid-cols-2 gap-2">
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${id}-from`} className="text-muted-foreground text-xs">
          From (UTC)
        </Label>
        <Input
          id={`${id}-from`}
          type="date"
          value={dayOf(from)}
          onChange={(event) => onChange({ from: parseDay(event.target.value), to })}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${id}-to`} className="text-muted-foreground text-xs">
          To (UTC)
        </Label>
        <Input
          id={`${id}-to`}
          type="date"
          value={dayOf(to)}
          onChange={(event) => onChange({ from, to: parseDay(event.target.value) })}
        />
      </div>
    </div>
  );
}
