import { ThumbsDown, ThumbsUp, type LucideIcon } from "lucide-react";
import type { FeedbackRating } from "@/lib/enums";

/** How a rating reads: an icon and a word, so it is never told by a picture or colour alone. */
export const RATING_LABELS: Record<FeedbackRating, { Icon: LucideIcon; word: string }> = {
  good: { Icon: ThumbsUp, word: "Good" },
  bad: { Icon: ThumbsDown, word: "Bad" },
};

/** The rating's icon with its word: shown, or only spoken (`wordHidden`) where space is short. */
export function RatingMark({
  rating,
  wordHidden = false,
}: {
  rating: FeedbackRating;
  wordHidden?: boolean;
}) {
  const { Icon, word } = RATING_LABELS[rating];
  return (
    <span className="inline-flex items-center gap-1">
      <Icon aria-hidden className="size-3.5 shrink-0" />
      {wordHidden ? <span className="sr-only">{word}: </span> : <span>{word}</span>}
    </span>
  );
}

/** "👍 2 · 👎 1" as icons, with the words spoken to screen readers ("Good: 2"). */
export function FeedbackCounts({ good, bad }: { good: number; bad: number }) {
  return (
    <span
      className="text-muted-foreground inline-flex items-center gap-2 text-xs whitespace-nowrap tabular-nums"
      data-testid="feedback-counts"
    >
      {(["good", "bad"] as const).map((rating) => {
        const { Icon, word } = RATING_LABELS[rating];
        return (
          <span key={rating} className="inline-flex items-center gap-1">
            <Icon aria-hidden className="size-3.5" />
            <span className="sr-only">{word}:</span> {rating === "good" ? good : bad}
          </span>
        );
      })}
    </span>
  );
}
