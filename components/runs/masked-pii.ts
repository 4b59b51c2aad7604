import { PII_KINDS, type PiiKind } from "@/lib/enums";
import type { PiiMaskCounts } from "@/server/agent/guardrail";

/** What an operator reads for each kind of personal data a guardrail masked. */
export const PII_KIND_LABELS: Record<PiiKind, string> = {
  email: "email",
  payment_card: "card number",
  phone: "phone",
};

/** The counts in stored JSON (a timeline payload): known kinds with a positive whole count, nothing else. */
export function readMaskCounts(value: unknown): PiiMaskCounts {
  if (typeof value !== "object" || value === null) return {};
  const stored = value as Record<string, unknown>;
  const counts: PiiMaskCounts = {};
  for (const kind of PII_KINDS) {
    const count = stored[kind];
    if (typeof count === "number" && Number.isInteger(count) && count > 0) counts[kind] = count;
  }
  return counts;
}

export function maskedTotal(masked: PiiMaskCounts): number {
  return PII_KINDS.reduce((sum, kind) => sum + (masked[kind] ?? 0), 0);
}

/** "2 items" */
export function maskedItems(masked: PiiMaskCounts): string {
  const total = maskedTotal(masked);
  return `${total} ${total === 1 ? "item" : "items"}`;
}

/** "phone × 2, email × 1", kinds in a fixed order. */
export function describeMasked(masked: PiiMaskCounts): string {
  return PII_KINDS.filter((kind) => masked[kind])
    .map((kind) => `${PII_KIND_LABELS[kind]} × ${masked[kind]}`)
    .join(", ");
}
