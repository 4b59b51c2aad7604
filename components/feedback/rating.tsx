import type { FeedbackRating } from "@/lib/enums";

/** How a rating reads: its sign and its word, so it is never told by an emoji or colour alone. */
export const RATING_LABELS: Record<FeedbackRating, { sign: string; word: string }> = {
  good: { sign: "👍", word: "Good" },
  bad: { sign: "👎", word: "Bad" },
};

/** "👍 2 · 👎 1", with the words spoken to screen readers. */
export function FeedbackCounts({ good, bad }: { good: number; bad: number }) {
  return (
    <span
      className="text-muted-foreground inline-flex items-center gap-2 text-xs whitespace-nowrap tabular-nums"
      data-testid="feedback-counts"
    >
      <span>
        <span aria-hidden>👍</span>
        <span className="sr-only">Good:</span> {good}
      </span>
      <span>
        <span aria-hidden>👎</span>
        <span className="sr-only">Bad:</span> {bad}
      </span>
    </span>
  );
}
