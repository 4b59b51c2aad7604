/**
 * Conformance: cron triggers with a timezone (spec §7, §11.17).
 *
 * SLOW BY DESIGN: this file waits for a real minute boundary (up to ~60 s). Fake timers are no
 * option: the engine's scheduler, PostgreSQL client and the SDK all run on real timers and real
 * sockets in this process, and faking time under them breaks the HTTP/database traffic.
 */
import { expect, it } from "vitest";
import { delay, setupEngine, waitFor } from "./harness";

const t = setupEngine();

function berlinHour(at: Date): number {
  return Number(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      hourCycle: "h23",
    }).format(at),
  );
}

it(
  "a TZ=Europe/Berlin cron runs once at the next minute tick with an inngest/scheduled.timer event",
  { timeout: 80_000 },
  async () => {
    // Every minute, but only in the current (and, near the hour's end, the next) Berlin hour. An
    // engine reading the hours in UTC would wait 1–2 hours (Berlin is UTC+1/+2), so this
    // also checks the timezone is honoured.
    const now = new Date();
    const hours = [...new Set([berlinHour(now), berlinHour(new Date(now.getTime() + 120_000))])];
    const expression = `TZ=Europe/Berlin * ${hours.join(",")} * * *`;

    const client = t.client("cron");
    const ticks: { name: string; id: string | undefined; cron: unknown; at: number }[] = [];
    const fn = client.createFunction(
      { id: "every-minute", triggers: [{ cron: expression }] },
      async ({ event }) => {
        ticks.push({
          name: event.name,
          id: event.id,
          cron: (event.data as { cron?: unknown }).cron,
          at: Date.now(),
        });
        return "tick";
      },
    );
    await t.serve(client, [fn]);

    // Up to 60 s to the next minute boundary, plus slack.
    await waitFor(() => ticks.length > 0, {
      timeoutMs: 70_000,
      intervalMs: 200,
      message: `the cron "${expression}" fires`,
    });
    const [tick] = ticks;
    expect(tick!.name).toBe("inngest/scheduled.timer");
    const scheduledAt = Date.parse(tick!.id ?? "");
    expect(Number.isNaN(scheduledAt), `event.id should be the RFC3339 tick, got ${tick!.id}`).toBe(
      false,
    );
    expect(scheduledAt % 60_000).toBe(0);
    expect(tick!.at).toBeGreaterThanOrEqual(scheduledAt);
    expect(tick!.at - scheduledAt).toBeLessThan(10_000);
    expect(hours).toContain(berlinHour(new Date(scheduledAt)));
    expect(tick!.cron).toBe(expression);

    // Proving a negative: a duplicate run for the same tick would follow within milliseconds.
    await delay(1_000);
    expect(ticks).toHaveLength(1);
  },
);
