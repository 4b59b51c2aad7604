import { useId } from "react";
import { cn } from "@/components/ui/cn";
import { Tooltip } from "@/components/ui/tooltip";
import { SrDescription } from "./run-status";

/** Where a queued run stands (runs.list rows and runs.get carry it as `queue`). */
export type QueuePlace = {
  /** The tenant's runs executing now. */
  running: number;
  /** How many of the tenant's runs may execute at once. */
  slots: number;
  /** 1 for the next run to start. */
  position: number;
};

const ordinalRule = new Intl.PluralRules("en", { type: "ordinal" });
const ORDINAL_SUFFIX: Partial<Record<Intl.LDMLPluralRule, string>> = {
  one: "st",
  two: "nd",
  few: "rd",
};
const ordinal = (value: number) => `${value}${ORDINAL_SUFFIX[ordinalRule.select(value)] ?? "th"}`;

/** "Waiting for a slot · 5 of 5 in use · 2nd in line" */
export function queueReasonText({ running, slots, position }: QueuePlace): string {
  const waiting = running >= slots ? "Waiting for a slot" : "Waiting to start";
  return `${waiting} · ${running} of ${slots} in use · ${ordinal(position)} in line`;
}

/**
 * Why a queued run has not started, and its place in line; the rule behind it on hover and to
 * screen readers.
 */
export function QueueReason({ queue, className }: { queue: QueuePlace; className?: string }) {
  const ruleId = useId();
  const rule = `This tenant runs up to ${queue.slots} skills at once (SKILLRUN_RUN_CONCURRENCY); the rest wait in line and start in the order they were created.`;
  return (
    <>
      <Tooltip content={rule}>
        <span
          className={cn("text-muted-foreground text-xs", className)}
          data-testid="queue-reason"
          aria-describedby={ruleId}
        >
          {queueReasonText(queue)}
        </span>
      </Tooltip>
      <SrDescription id={ruleId}>{rule}</SrDescription>
    </>
  );
}
