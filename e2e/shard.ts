/**
 * `npm run test:e2e` runs the main suite as two Playwright processes at once (E2E_SHARD=1/2 and
 * 2/2), each against an app, database, engine and model server of its own: shard N's ports are
 * the defaults plus 10·(N−1), and its results and report have folders of their own (Playwright
 * empties both when it starts). An E2E_*_PORT variable still wins, to run a suite beside others.
 */
const shardMatch = /^(\d+)\/(\d+)$/.exec(process.env.E2E_SHARD ?? "");

export const SHARD = shardMatch
  ? { current: Number(shardMatch[1]), total: Number(shardMatch[2]) }
  : null;

if (SHARD && (SHARD.total !== 2 || SHARD.current < 1 || SHARD.current > 2))
  throw new Error(
    `E2E_SHARD is 1/2 or 2/2, not ${process.env.E2E_SHARD}: the suite splits in two by measured durations (SECOND_SHARD_SPECS)`,
  );

const portOffset = SHARD ? (SHARD.current - 1) * 10 : 0;

/**
 * The main suite's specs shard 2 runs; shard 1 runs the rest (so a new spec lands there).
 * Shard 2 also runs the specs with apps of their own and, after them, the `next dev` walk
 * (≈ 100 s): this split by measured durations (`.ci/run`, 2026-12-06: shard 1 ≈ 525 s of
 * tests, shard 2 ≈ 360 s) ends both about together, which Playwright's own `shard` option,
 * splitting by test count in file order, did not (the walk then ran alone at the end).
 */
export const SECOND_SHARD_SPECS =
  /(ux-walk|schedules|skill-authoring|skill-archive|shell|templates-guardrails|webhooks|webhook-replay|secrets)\.spec\.ts$/;

/** The port `variable` names, else `defaultPort` moved by this shard's offset. */
export function e2ePort(variable: string, defaultPort: number): number {
  const explicit = process.env[variable];
  return explicit ? Number(explicit) : defaultPort + portOffset;
}

/** The port of the e2e app's engine (the MCP spec checks the app refuses it as an MCP URL). */
export const E2E_ENGINE_PORT = e2ePort("E2E_ENGINE_PORT", 8299);

const shardFolder = SHARD ? `shard-${SHARD.current}` : "main";

/** This run's Playwright output folder (traces, screenshots, the signed-in state). */
export const OUTPUT_DIR = `test-results/${shardFolder}`;
/** This run's HTML report (with the UX walk's screenshots). */
export const REPORT_DIR = `playwright-report/${shardFolder}`;
