"use client";

import { useQuery } from "@tanstack/react-query";
import { ThumbsUp } from "lucide-react";
import Link from "next/link";
import { formatAbsolute, formatRelative } from "@/components/format";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import type { FeedbackWeek } from "@/lib/feedback";
import { FeedbackCounts, RatingMark } from "./rating";

type Scope = { skillId: string } | { agentId: string };

const weekDay = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const percent = (share: number) => `${Math.round(share * 100)} %`;

function weekSentence(week: FeedbackWeek) {
  const when = `Week of ${weekDay.format(week.weekStart)}`;
  if (week.goodShare === null) return `${when}: no ratings`;
  return `${when}: ${percent(week.goodShare)} good (${week.good} of ${week.good + week.bad})`;
}

/** One bar a week: its height the share of good ratings, each bar's figures in words beside it. */
function WeeklyBars({ weeks }: { weeks: FeedbackWeek[] }) {
  return (
    <ol className="flex h-20 items-end gap-1" aria-label="Share of good ratings, week by week">
      {weeks.map((week) => (
        <li
          key={week.weekStart.toISOString()}
          className="flex h-full min-w-0 flex-1 flex-col justify-end"
          title={weekSentence(week)}
        >
          <span className="sr-only">{weekSentence(week)}</span>
          {week.goodShare === null ? (
            <span aria-hidden className="border-border block h-1 border-t border-dashed" />
          ) : (
            <span
              aria-hidden
              className="bg-destructive-muted flex h-full flex-col justify-end overflow-hidden rounded-sm"
            >
              <span
                className="bg-success block rounded-sm"
                style={{ height: `${week.goodShare * 100}%` }}
              />
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

/**
 * The share of good deliverables among a skill's or an agent's rated runs, week by week over the
 * last 12 weeks, and the latest comments with their runs.
 */
export function FeedbackRollupCard({ scope, className }: { scope: Scope; className?: string }) {
  const trpc = useTRPC();
  const rollup = useQuery(trpc.runFeedback.rollup.queryOptions(scope));
  return (
    <Card className={cn("min-w-0", className)} data-testid="feedback-rollup">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <ThumbsUp className="size-4" aria-hidden /> Feedback
        </CardTitle>
      </CardHeader>
      <CardContent>
        <QueryView
          query={rollup}
          loading={<Skeleton className="h-32" aria-label="Loading feedback" />}
          errorTitle="Feedback could not be loaded"
          isEmpty={(data) => data.good + data.bad === 0 && data.comments.length === 0}
          empty={
            <p className="text-muted-foreground text-sm">
              No run rated in the last {rollup.data?.weeks.length ?? 12} weeks. Operators rate a
              complete run on its page.
            </p>
          }
        >
          {(data) => (
            <div className="flex flex-col gap-4">
              <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
                <span className="text-2xl font-semibold tabular-nums" data-testid="feedback-share">
                  {data.goodShare === null ? "—" : percent(data.goodShare)}
                </span>
                <span className="text-muted-foreground">
                  good, of {plural(data.good + data.bad, "rating")} over {data.weeks.length} weeks
                </span>
                <FeedbackCounts good={data.good} bad={data.bad} />
              </p>
              <WeeklyBars weeks={data.weeks} />
              {data.comments.length > 0 && (
                <section aria-label="Latest comments" className="flex flex-col gap-1">
                  <h3 className="text-sm font-medium">Latest comments</h3>
                  <ul className="divide-border flex flex-col divide-y text-sm">
                    {data.comments.map((comment) => (
                      <li key={comment.id} className="py-2">
                        <p className="flex items-start gap-2 break-words whitespace-pre-wrap">
                          <span className="mt-0.5">
                            <RatingMark rating={comment.rating} wordHidden />
                          </span>
                          <span className="min-w-0">{comment.comment}</span>
                        </p>
                        <p className="text-muted-foreground text-xs">
                          {comment.userName || comment.userEmail} ·{" "}
                          <time
                            dateTime={comment.updatedAt.toISOString()}
                            title={formatAbsolute(comment.updatedAt)}
                          >
                            {formatRelative(comment.updatedAt)}
                          </time>{" "}
                          ·{" "}
                          {comment.runId ? (
                            <Link href={`/runs/${comment.runId}`} className="text-link">
                              the run
                            </Link>
                          ) : (
                            "run deleted"
                          )}
                        </p>
                      </li>
                    ))}
                  </ul>
                </section>
              )}
            </div>
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}
