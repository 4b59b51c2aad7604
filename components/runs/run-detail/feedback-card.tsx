"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { FeedbackCounts, RatingMark } from "@/components/feedback/rating";
import { formatAbsolute, formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { FEEDBACK_RATINGS, type FeedbackRating } from "@/lib/enums";
import { MAX_FEEDBACK_COMMENT_CHARS } from "@/lib/feedback";

type Mine = { rating: FeedbackRating; comment: string | null } | null;

/** The caller's own rating and comment: pick 👍 or 👎, say why if you like, save; change it later. */
function FeedbackForm({ runId, mine }: { runId: string; mine: Mine }) {
  const trpc = useTRPC();
  const [rating, setRating] = useState<FeedbackRating | null>(mine?.rating ?? null);
  const [comment, setComment] = useState(mine?.comment ?? "");
  const save = useToastMutation(trpc.runFeedback.set.mutationOptions(), {
    success: (result) => (result.changed ? "Feedback saved" : "Nothing changed"),
    invalidate: [trpc.runFeedback.get.queryKey({ runId }), trpc.runs.list.pathKey()],
  });
  const tooLong = comment.length > MAX_FEEDBACK_COMMENT_CHARS;
  return (
    <form
      className="flex flex-col gap-3"
      aria-label="Your feedback"
      onSubmit={(event) => {
        event.preventDefault();
        if (rating && !tooLong) save.mutate({ runId, rating, comment });
      }}
    >
      <div role="group" aria-label="Was the deliverable good?" className="flex gap-2">
        {FEEDBACK_RATINGS.map((option) => (
          <Button
            key={option}
            type="button"
            size="sm"
            variant={rating === option ? "default" : "outline"}
            aria-pressed={rating === option}
            onClick={() => setRating(option)}
          >
            <RatingMark rating={option} />
          </Button>
        ))}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`feedback-comment-${runId}`}>Comment (optional)</Label>
        <Textarea
          id={`feedback-comment-${runId}`}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          aria-invalid={tooLong || undefined}
          aria-describedby={`feedback-comment-count-${runId}`}
          className="min-h-16"
          placeholder="What made it good or bad?"
        />
        <p
          id={`feedback-comment-count-${runId}`}
          className={tooLong ? "text-destructive text-xs" : "text-muted-foreground text-xs"}
        >
          {comment.length} / {MAX_FEEDBACK_COMMENT_CHARS} characters
          {tooLong && " — too long"}
        </p>
      </div>
      <div>
        <Button type="submit" size="sm" disabled={!rating || tooLong || save.isPending}>
          {mine ? "Update feedback" : "Save feedback"}
        </Button>
      </div>
    </form>
  );
}

/** What the tenant's members thought of a complete run's deliverable; operators add their own. */
export function FeedbackCard({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const feedback = useQuery(trpc.runFeedback.get.queryOptions({ runId }));
  return (
    <Card className="min-w-0" data-testid="run-feedback">
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center justify-between gap-2">
          Feedback
          {feedback.data && <FeedbackCounts good={feedback.data.good} bad={feedback.data.bad} />}
        </CardTitle>
      </CardHeader>
      <CardContent>
        <QueryView
          query={feedback}
          loading={<Skeleton className="h-24" aria-label="Loading feedback" />}
          errorTitle="Feedback could not be loaded"
        >
          {(data) => (
            <div className="flex flex-col gap-4">
              {can("operator") && data.ratable && (
                // Keyed on the saved answer, so the form starts from it again after a save.
                <FeedbackForm
                  key={`${data.mine?.rating}:${data.mine?.comment}`}
                  runId={runId}
                  mine={data.mine}
                />
              )}
              {data.entries.length === 0 ? (
                <p className="text-muted-foreground text-sm">Nobody has rated this run yet.</p>
              ) : (
                <ul className="divide-border flex flex-col divide-y text-sm" aria-label="Ratings">
                  {data.entries.map((entry, index) => (
                    <li key={index} className="flex flex-col gap-0.5 py-2">
                      <span className="flex flex-wrap items-center gap-x-2">
                        <RatingMark rating={entry.rating} />
                        <span className="text-muted-foreground">
                          · {entry.userName || entry.userEmail} ·{" "}
                          <time
                            dateTime={entry.updatedAt.toISOString()}
                            title={formatAbsolute(entry.updatedAt)}
                          >
                            {formatRelative(entry.updatedAt)}
                          </time>
                        </span>
                      </span>
                      {entry.comment && (
                        <p className="break-words whitespace-pre-wrap">{entry.comment}</p>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}
