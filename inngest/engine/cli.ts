/**
 * `npm run engine -- -u <app serve url> -p <port>`: the embedded engine as its own process,
 * with the same flags as `inngest dev` so the two are interchangeable; with `--signing-key`
 * and `--event-key` it runs signed, like `inngest start`. A second engine on the same database
 * waits as a standby and takes over when the leader stops (leadership.ts).
 */
import { parseArgs } from "node:util";
import { startEngine, type EngineFaultPoint, type EngineFaults } from "./index";
import { SigningKeyError } from "./signing";

const { values } = parseArgs({
  options: {
    "sdk-url": { type: "string", short: "u", multiple: true, default: [] },
    port: { type: "string", short: "p", default: "8288" },
    host: { type: "string", default: "127.0.0.1" },
    "database-url": { type: "string", default: process.env.DATABASE_URL },
    "retry-interval": { type: "string" },
    "poll-interval": { type: "string", default: "5" },
    "no-poll": { type: "boolean", default: false },
    // Accepted for compatibility with `inngest dev`; this engine never scans ports.
    "no-discovery": { type: "boolean", default: false },
    "history-retention": { type: "string", default: "168" },
    "no-checkpointing": { type: "boolean", default: false },
    "drain-timeout": { type: "string", default: "30" },
    // From the environment too, as `inngest start` reads them: a key in argv is visible in `ps`.
    "signing-key": { type: "string", default: process.env.INNGEST_SIGNING_KEY || undefined },
    "signing-key-fallback": {
      type: "string",
      default: process.env.INNGEST_SIGNING_KEY_FALLBACK || undefined,
    },
    "event-key": { type: "string", default: process.env.INNGEST_EVENT_KEY || undefined },
    help: { type: "boolean", short: "h", default: false },
  },
});

const usage = `usage: npm run engine -- -u <app serve url> [-p 8288] [--database-url URL]
  -u, --sdk-url URL         app serve endpoint to sync (repeatable), e.g. http://127.0.0.1:3000/api/inngest
  -p, --port PORT           port to listen on (default 8288)
      --host HOST           interface to listen on (default 127.0.0.1)
      --database-url URL    PostgreSQL for the engine's state (default: DATABASE_URL)
      --retry-interval SECS fixed retry backoff instead of the 15 s … 2 h table
      --poll-interval SECS  re-sync the apps every SECS seconds (default 5); --no-poll disables
      --history-retention H keep finished runs and their events H hours (default 168)
      --no-checkpointing    one step per SDK request, instead of letting the SDK run steps back to
                            back and checkpoint each (the default, as real Inngest servers run it)
      --drain-timeout SECS  on SIGTERM, wait at most SECS (default 30) for requests in flight to be
                            recorded, then stop anyway (the next leader recovers those steps)
      --signing-key KEY     run signed, like \`inngest start\`: sign every request to the app and require
                            the key (hashed, as the SDK sends it) on /fn/register and /v1/* (or INNGEST_SIGNING_KEY)
      --signing-key-fallback KEY  also accepted from the SDK while keys rotate (or INNGEST_SIGNING_KEY_FALLBACK)
      --event-key KEY       the only key /e/:key accepts; needed with --signing-key (or INNGEST_EVENT_KEY)
Without keys the engine runs like \`inngest dev\`: nothing is signed or checked.`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`--${name} must be a non-negative number, got "${value}"\n${usage}`);
    process.exit(2);
  }
  return parsed;
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values["database-url"]) {
  console.error(`The engine needs PostgreSQL: pass --database-url or set DATABASE_URL.\n${usage}`);
  process.exit(2);
}

const FAULT_POINTS = [
  "ingest.stored",
  "finalize.stored",
  "invoke.persisted",
  "cron.advanced",
] as const satisfies readonly EngineFaultPoint[];

/**
 * `SKILLRUN_ENGINE_FAULT=<point>` (tests only: the chaos suite's crash points) makes the
 * process SIGKILL itself when it first reaches that point, right after that write commits;
 * unset, the engine has no fault hooks at all.
 */
function faultsFromEnvironment(): EngineFaults | undefined {
  const requested = process.env.SKILLRUN_ENGINE_FAULT;
  if (!requested) return undefined;
  const point = FAULT_POINTS.find((known) => known === requested);
  if (!point) {
    console.error(
      `SKILLRUN_ENGINE_FAULT must be one of ${FAULT_POINTS.join(", ")}, got "${requested}"`,
    );
    process.exit(2);
  }
  console.error(`SKILLRUN_ENGINE_FAULT: this engine SIGKILLs itself at ${point}`);
  const faults: EngineFaults = {};
  faults[point] = () => {
    process.kill(process.pid, "SIGKILL");
  };
  return faults;
}

const signed = Boolean(values["signing-key"] || values["event-key"]);
const engine = await startEngine({
  signingKey: values["signing-key"],
  signingKeyFallback: values["signing-key-fallback"],
  eventKey: values["event-key"],
  port: number("port", values.port) ?? 8288,
  host: values.host,
  databaseUrl: values["database-url"],
  appUrls: values["sdk-url"],
  retryIntervalSeconds: number("retry-interval", values["retry-interval"]),
  pollIntervalSeconds: values["no-poll"] ? 0 : number("poll-interval", values["poll-interval"]),
  historyRetentionHours: number("history-retention", values["history-retention"]),
  checkpointing: !values["no-checkpointing"],
  drainTimeoutSeconds: number("drain-timeout", values["drain-timeout"]),
  faults: faultsFromEnvironment(),
}).catch((error: unknown) => {
  if (!(error instanceof SigningKeyError)) throw error;
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void engine.close().then(() => process.exit(0));
  });
}
if (engine.role() === "standby") {
  console.error(
    `standby: another engine holds the lock on ${engine.database} — this one takes over when that one stops; until then every route on ${engine.url} answers 503 (GET /health too, so a load balancer routes to the leader)`,
  );
}
console.error(
  signed
    ? `Inngest-compatible engine listening on ${engine.url} (signed) — run apps with INNGEST_BASE_URL=${engine.url} and the same INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY`
    : `Inngest-compatible engine listening on ${engine.url} (dev, unsigned) — run apps with INNGEST_DEV=${engine.url}`,
);
