import "server-only";
import { and, eq } from "drizzle-orm";
import type { GuardrailRules } from "@/server/agent/config";
import { liveOutputOf, type LiveOutput } from "@/server/agent/live-output";
import type { Database } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";
import type { RunRef } from "@/inngest/events";

/** The shortest time between two writes of a run's live output. */
export const LIVE_OUTPUT_INTERVAL_MS = 250;

/** One statement: the run's live output, only while it is running (never over a terminal state). */
async function writeLiveOutput(db: Database, ref: RunRef, output: LiveOutput): Promise<void> {
  await db
    .update(skillRuns)
    .set({ liveOutput: output })
    .where(
      and(
        eq(skillRuns.id, ref.runId),
        eq(skillRuns.tenantId, ref.tenantId),
        eq(skillRuns.status, "running"),
      ),
    );
}

/**
 * The run's deliverable as the model writes it, stored for the run page (which any app process
 * may serve) at most every `intervalMs`, after the agent's guardrail (`liveOutputOf`). The
 * callback `follow` returns only notes the text; writes happen one at a time, the latest text
 * when each is due, and a text that shows nothing new is not written again. `finish` writes the
 * deliverable exactly as it will be stored, so the last live text is the deliverable. Like the
 * in-progress marks, the live output is a view, not worth a run: a write that fails is skipped.
 */
export function liveOutputWriter(db: Database, ref: RunRef, intervalMs = LIVE_OUTPUT_INTERVAL_MS) {
  let rules: GuardrailRules | null = null;
  let latest: string | null = null;
  let shown: LiveOutput = { text: "", withheld: false };
  // The first write is due an interval after the first text, as every later one: a turn that
  // answers faster than that writes nothing live at all.
  let lastWriteAt: number | null = null;
  let written = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const write = (output: LiveOutput) => {
    shown = output;
    written = true;
    lastWriteAt = Date.now();
    writing = writing.then(() => writeLiveOutput(db, ref, output)).catch(() => {});
    return writing;
  };

  const flush = async () => {
    timer = null;
    if (closed || latest === null) return;
    const output = liveOutputOf(rules, latest);
    latest = null;
    if (output.text === shown.text && output.withheld === shown.withheld) return;
    await write(output);
    if (latest !== null) schedule();
  };

  function schedule() {
    if (timer || closed) return;
    lastWriteAt ??= Date.now();
    timer = setTimeout(() => void flush(), Math.max(0, lastWriteAt + intervalMs - Date.now()));
  }

  /** Stops writing partial text; waits for a write under way. */
  const close = async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = null;
    await writing;
  };

  return {
    /** The turn's `onText`: the answer so far, shown as the guardrail `guard` lets it. */
    follow(guard: GuardrailRules | null) {
      rules = guard;
      return (textSoFar: string) => {
        latest = textSoFar;
        schedule();
      };
    },
    close,
    /**
     * The finished deliverable, after every check it passed, as the last live text (unless
     * nothing was shown live: then the page goes straight to the deliverable).
     */
    async finish(markdown: string) {
      await close();
      if (written && (shown.text !== markdown || shown.withheld))
        await write({ text: markdown, withheld: false });
    },
  };
}

export type LiveOutputWriter = ReturnType<typeof liveOutputWriter>;
