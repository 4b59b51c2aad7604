/**
 * The chaos suite's harness: the real launcher (`scripts/launch.ts start`: embedded
 * PostgreSQL, the engine, `next start`) and, where a case needs it, the engine CLI, each in
 * child processes; the scripted model server (e2e/fixtures/model-server.ts) in this process;
 * and a direct PostgreSQL connection to seed API keys and read the runs' final states.
 *
 * Nothing here asserts on wall-clock time: `eventually` polls observable state up to a
 * generous deadline, only for liveness.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { startModelServer } from "@/e2e/fixtures/model-server";
import {
  modelCalls,
  scriptModel,
  scriptMarker,
  uniqueScriptKey,
  type ModelCalls,
  type ScriptStep,
} from "@/e2e/fixtures/model-script";
import { createDatabase, type Database } from "@/server/db/client";
import { DEMO_ADMIN, DEMO_TENANT_SLUG, SECOND_TENANT_SLUG } from "@/server/db/demo-accounts";
import {
  agents,
  agentSkills,
  agentTemplates,
  memberships,
  runEvents,
  skillRuns,
  skills,
  tenants,
  tenantSettings,
  users,
} from "@/server/db/schema";
import { parseSigningKey } from "@/inngest/engine/signing";
import { firstFreePort, PASSWORD_FILE } from "@/scripts/lib/embedded-postgres";
import { createApiKey } from "@/server/services/access/api-keys";

export const REPO = path.resolve(import.meta.dirname, "../..");
// The react-server condition lets server modules' `import "server-only"` load (package.json's scripts run so too).
export const TSX = ["--import", "tsx", "--conditions=react-server"];
/** Where each case's child-process logs go (outside the tree: Playwright empties test-results/). */
export const LOG_ROOT = path.join(os.tmpdir(), "skillrun-chaos-logs");
export const TERMINAL = ["complete", "failed", "cancelled"] as const;
export const SKILL = "customer-email-reply";

/**
 * Chaos ports come from 20,000–24,999, below Linux's ephemeral range (see `firstFreePort`): a
 * port from `listen(0)` was once taken by another lane's listener before the engine bound it.
 * No other lane uses the range (the e2e suite: 3100–3209, 8299–8311, 15439–15449;
 * embedded-postgres.test.ts: from 25,400). The search moves on past each port it returns, since
 * a case asks for several before its children bind any; the cases run one at a time.
 */
let nextChaosPort = 20_000 + Math.floor(Math.random() * 4_000);

export async function freePort(): Promise<number> {
  const port = await firstFreePort(nextChaosPort, 25_000 - nextChaosPort);
  nextChaosPort = port + 1;
  return port;
}

/** Polls `probe` until it returns a value that is not undefined/false, or throws with `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${options.timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    await sleep(options.intervalMs ?? 250);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childrenOf(pid: number): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid ... — comm may hold spaces, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid !== pid) continue;
    const cmd = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => ""))
      .replaceAll("\0", " ")
      .trim();
    out.push({ pid: Number(entry), cmd });
  }
  return out;
}

/** A child process whose output goes to a log file, with its last lines kept for messages. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: () => void }[] = [];
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: "a" });
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.log.write(text);
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        this.tail.push(line);
        if (this.tail.length > 60) this.tail.shift();
        for (const waiter of [...this.waiters]) {
          if (waiter.pattern.test(line)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    this.exited = new Promise((resolve) =>
      proc.once("exit", (code, signal) => resolve({ code, signal })),
    );
    void this.exited.then(() => this.log.end());
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  lastLines(count = 25): string {
    return this.tail.slice(-count).join("\n");
  }

  /** Resolves when a line matching `pattern` appears; rejects if the process exits first. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    const seen = new Promise<void>((resolve) => this.waiters.push({ pattern, resolve }));
    const exited = this.exited.then(({ code, signal }) => {
      throw new Error(
        `${this.name} exited (${code ?? signal}) before printing ${pattern}:\n${this.lastLines()}`,
      );
    });
    const timeout = sleep(timeoutMs).then(() => {
      throw new Error(
        `${this.name} did not print ${pattern} within ${timeoutMs / 1000} s:\n${this.lastLines()}`,
      );
    });
    await Promise.race([seen, exited, timeout]);
  }

  /** Resolves when the process has exited on its own; throws if it is still up after `timeoutMs`. */
  async waitExit(timeoutMs: number) {
    const outcome = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    if (!outcome)
      throw new Error(
        `${this.name} (pid ${this.pid}) was still running after ${timeoutMs / 1000} s:\n${this.lastLines()}`,
      );
    return outcome;
  }

  /** SIGTERM, then SIGKILL to the whole process group if it lingers. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.running) {
      this.proc.kill("SIGTERM");
      const done = await Promise.race([
        this.exited.then(() => true),
        sleep(timeoutMs).then(() => false),
      ]);
      if (!done) this.killGroup();
      await this.exited;
    }
  }

  killGroup() {
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export type ChaosEnv = Record<string, string>;

/** `node <args>` in the repository, logging to `<logDir>/<name>.log`. */
export function spawnNode(name: string, args: string[], env: ChaosEnv, logDir: string): Child {
  const proc = spawn(process.execPath, args, {
    cwd: REPO,
    // Its own process group, so a stuck case can be cleaned up with one signal.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  return new Child(name, proc, path.join(logDir, `${name}.log`));
}

/**
 * One case's world: ports, a data directory that survives restarts within the case, the
 * model server, and (once the launcher has run) a database connection.
 */
export class ChaosWorld {
  readonly appPort: number;
  readonly pgPort: number;
  readonly enginePort: number;
  readonly dataDir: string;
  readonly logDir: string;
  private launchCount = 0;
  private engineCount = 0;
  private readonly children = new Set<Child>();
  private database: { db: Database; close: () => Promise<void> } | null = null;
  /** What a separately run engine and the app share, as with a self-hosted `inngest start`. */
  readonly inngestKeys = {
    signingKey: `signkey-chaos-${randomBytes(32).toString("hex")}`,
    eventKey: randomBytes(16).toString("hex"),
  };
  private constructor(
    readonly name: string,
    ports: [number, number, number],
    dataDir: string,
    logDir: string,
    readonly model: { url: string; close: () => Promise<void> },
  ) {
    [this.appPort, this.pgPort, this.enginePort] = ports;
    this.dataDir = dataDir;
    this.logDir = logDir;
  }

  static async create(name: string): Promise<ChaosWorld> {
    // `next start` serves the production build; the suite reuses the one `npm test` makes.
    if (!existsSync(path.join(REPO, ".next", "BUILD_ID")))
      throw new Error(
        "No production build (.next/BUILD_ID): run `npm run build` before `npm run test:chaos`.",
      );
    const ports: [number, number, number] = [await freePort(), await freePort(), await freePort()];
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `skillrun-chaos-${name}-`));
    const logDir = path.join(LOG_ROOT, name);
    await rm(logDir, { recursive: true, force: true });
    await mkdir(logDir, { recursive: true });
    const model = await startModelServer({ port: 0 });
    return new ChaosWorld(name, ports, dataDir, logDir, model);
  }

  get appUrl() {
    return `http://127.0.0.1:${this.appPort}`;
  }

  get engineUrl() {
    return `http://127.0.0.1:${this.enginePort}`;
  }

  /** Valid once the launcher has created the cluster, which generates the superuser's password. */
  get databaseUrl() {
    const password = readFileSync(path.join(this.pgDataDir, PASSWORD_FILE), "utf8").trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.pgPort}/skillrun`;
  }

  /** The embedded cluster's directory under the launcher's data directory. */
  get pgDataDir() {
    return path.join(this.dataDir, "postgres");
  }

  get db(): Database {
    if (!this.database) this.database = createDatabase(this.databaseUrl, { max: 4 });
    return this.database.db;
  }

  private spawnChild(name: string, args: string[], env: ChaosEnv): Child {
    const child = spawnNode(name, args, env, this.logDir);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /**
   * `npm start` on this case's data directory and ports, with the scripted model. With
   * `externalEngine` the launcher uses the engine at enginePort (INNGEST_BASE_URL and this
   * world's keys, as for a self-hosted `inngest start`) instead of running one in its own process.
   */
  async startLauncher(
    env: ChaosEnv = {},
    options: { externalEngine?: boolean } = {},
  ): Promise<Child> {
    this.launchCount += 1;
    const child = this.spawnChild(
      `launcher-${this.launchCount}`,
      [...TSX, "scripts/launch.ts", "start"],
      {
        NODE_ENV: "production",
        // The cases sign in as the demo admin and use the demo tenants: `npm start` seeds them only when asked.
        SKILLRUN_DEMO: "1",
        PORT: String(this.appPort),
        SKILLRUN_PG_PORT: String(this.pgPort),
        SKILLRUN_ENGINE_PORT: String(this.enginePort),
        SKILLRUN_DATA_DIR: this.dataDir,
        DATABASE_URL: "",
        INNGEST_DEV: "",
        INNGEST_BASE_URL: options.externalEngine ? this.engineUrl : "",
        // Embedded: the launcher generates its keys into the data directory.
        INNGEST_SIGNING_KEY: options.externalEngine ? this.inngestKeys.signingKey : "",
        INNGEST_EVENT_KEY: options.externalEngine ? this.inngestKeys.eventKey : "",
        INNGEST_SERVE_ORIGIN: options.externalEngine ? this.appUrl : "",
        BETTER_AUTH_URL: `http://localhost:${this.appPort}`,
        BETTER_AUTH_SECRET: "chaos-secret-chaos-secret-chaos-secret-0123",
        NEXT_TELEMETRY_DISABLED: "1",
        SKILLRUN_DEFAULT_MODEL: "openai-compatible:scripted",
        OPENAI_COMPATIBLE_BASE_URL: `${this.model.url}/v1`,
        OPENAI_COMPATIBLE_API_KEY: "chaos",
        OPENAI_API_KEY: "",
        ANTHROPIC_API_KEY: "",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        ...env,
      },
    );
    await child.waitForLine(/ready in/, 180_000);
    return child;
  }

  /** `npm run engine` against this case's app and database (on `port`, else enginePort). */
  async startEngine(options: { port?: number } = {}): Promise<Child> {
    this.engineCount += 1;
    const child = this.spawnChild(
      `engine-${this.engineCount}`,
      [
        ...TSX,
        "inngest/engine/cli.ts",
        "-u",
        `${this.appUrl}/api/inngest`,
        "-p",
        String(options.port ?? this.enginePort),
        "--database-url",
        this.databaseUrl,
        "--poll-interval",
        "5",
      ],
      // Signed, like `inngest start`; the keys go through the environment, not argv.
      {
        NODE_ENV: "production",
        INNGEST_SIGNING_KEY: this.inngestKeys.signingKey,
        INNGEST_EVENT_KEY: this.inngestKeys.eventKey,
      },
    );
    await child.waitForLine(/engine listening on/, 60_000);
    // Synced: the app's functions are registered.
    await eventually(
      "the engine to register the app's functions",
      async () => {
        const rows = await this.db.execute<{ n: number }>(
          sql`select count(*)::int as n from inngest_engine.functions where slug like '%run-skill'`,
        );
        return (rows[0]?.n ?? 0) > 0;
      },
      { timeoutMs: 60_000 },
    );
    return child;
  }

  /**
   * Which secrets the launcher generated into the data directory (and the signing key's secret
   * part and hashed form, the SDK's bearer token) appear in this case's child logs.
   */
  async secretsInLogs(): Promise<string[]> {
    const files = [
      "auth-secret",
      "encryption-key",
      "inngest-signing-key",
      "inngest-event-key",
      path.join("postgres", PASSWORD_FILE),
    ];
    const secrets: [string, string][] = [];
    for (const file of files) {
      const value = (await readFile(path.join(this.dataDir, file), "utf8").catch(() => "")).trim();
      if (!value) continue;
      secrets.push([file, value]);
      if (file === "inngest-signing-key") {
        const key = parseSigningKey(value);
        secrets.push([`${file} (secret part)`, key.hmacKey], [`${file} (hashed)`, key.hashed]);
      }
    }
    const logs = await Promise.all(
      (await readdir(this.logDir)).map((name) => readFile(path.join(this.logDir, name), "utf8")),
    );
    return secrets
      .filter(([, secret]) => logs.some((log) => log.includes(secret)))
      .map(([file]) => file);
  }

  /** The `next start` process the launcher spawned (the app). */
  async appProcess(launcher: Child): Promise<number> {
    const next = (await childrenOf(launcher.pid)).find((child) =>
      /next-server|next\/dist\/bin\/next/.test(child.cmd),
    );
    if (!next) throw new Error(`no next child under launcher ${launcher.pid}`);
    return next.pid;
  }

  /** SIGKILLs a pid and waits until it is gone. */
  async sigkill(pid: number): Promise<void> {
    process.kill(pid, "SIGKILL");
    await eventually(`pid ${pid} to die`, async () => !alive(pid), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  }

  /** The postmaster's pid from the cluster's lock file. */
  async postgresPid(): Promise<number> {
    const lock = await readFile(path.join(this.pgDataDir, "postmaster.pid"), "utf8");
    return Number(lock.split("\n")[0]);
  }

  async cleanup(): Promise<void> {
    await this.database?.close().catch(() => {});
    this.database = null;
    for (const child of [...this.children].reverse())
      await child.stop().catch(() => child.killGroup());
    // A PostgreSQL the harness restarted is the launcher's to stop; if one lingers, stop it.
    if (existsSync(path.join(this.pgDataDir, "postmaster.pid"))) {
      const pid = await this.postgresPid().catch(() => 0);
      if (pid && alive(pid)) {
        process.kill(pid, "SIGINT");
        await eventually("PostgreSQL to stop", async () => !alive(pid), {
          timeoutMs: 30_000,
        }).catch(() => process.kill(pid, "SIGKILL"));
      }
    }
    await this.model.close().catch(() => {});
    await rm(this.dataDir, { recursive: true, force: true });
  }

  // ── tenants and keys ─────────────────────────────────────────────────────────

  /** An operator API key for a demo tenant, or for a new tenant with a default agent. */
  async tenantWithKey(slug: string): Promise<{ tenantId: string; key: string; slug: string }> {
    const db = this.db;
    const [admin] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, DEMO_ADMIN.email));
    if (!admin) throw new Error("the demo admin is missing (was the demo data seeded?)");
    let [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
    if (!tenant) {
      const id = randomUUID();
      await db.insert(tenants).values({ id, name: `Chaos ${slug}`, slug });
      await db.insert(tenantSettings).values({ tenantId: id });
      const [template] = await db
        .insert(agentTemplates)
        .values({ tenantId: id, name: "Chaos", systemPrompt: "You answer briefly." })
        .returning({ id: agentTemplates.id });
      const [agent] = await db
        .insert(agents)
        .values({ tenantId: id, name: "Chaos agent", templateId: template!.id, isDefault: true })
        .returning({ id: agents.id });
      // An agent runs only its own skills: the chaos agent has the one the harness runs.
      const [skill] = await db
        .select({ id: skills.id })
        .from(skills)
        .where(and(eq(skills.slug, SKILL), isNull(skills.tenantId)));
      if (!skill) throw new Error(`the built-in skill ${SKILL} is missing`);
      await db.insert(agentSkills).values({ agentId: agent!.id, skillId: skill.id });
      tenant = { id };
    }
    // A key acts for its creator, never above their role in the tenant: the creator is an owner of it, the harness's own.
    const creatorId = randomUUID();
    await db.insert(users).values({
      id: creatorId,
      email: `chaos-keys-${creatorId.slice(0, 8)}@chaos.test`,
      name: "Chaos keys",
      emailVerified: true,
    });
    await db
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: tenant.id, userId: creatorId, role: "owner" });
    const { key } = await createApiKey(
      db,
      {
        tenantId: tenant.id,
        userId: creatorId,
        userRole: "owner",
        audit: { actor: { type: "user", id: creatorId }, origin: "chaos" },
      },
      { name: `chaos ${randomUUID().slice(0, 8)}`, role: "operator" },
    );
    return { tenantId: tenant.id, key, slug };
  }

  demoTenants() {
    return [DEMO_TENANT_SLUG, SECOND_TENANT_SLUG];
  }

  // ── the scripted model ───────────────────────────────────────────────────────

  async script(prefix: string, steps: ScriptStep[]): Promise<string> {
    const key = uniqueScriptKey(prefix);
    await scriptModel(key, steps, this.model.url);
    return key;
  }

  calls(key: string): Promise<ModelCalls> {
    return modelCalls(key, this.model.url);
  }

  // ── REST ─────────────────────────────────────────────────────────────────────

  /** POST /api/v1/runs; resolves with the HTTP answer (never throws on a refused call). */
  async startRun(
    apiKey: string,
    scriptKey: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ status: number; id?: string; body: string }> {
    try {
      const response = await fetch(`${this.appUrl}/api/v1/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          skill: SKILL,
          inputs: { customerEmail: `Where is my order? ${scriptMarker(scriptKey)}` },
        }),
        signal: options.signal,
      });
      const body = await response.text();
      const id = response.status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
      return { status: response.status, id, body };
    } catch (error) {
      return { status: 0, body: String(error) };
    }
  }

  async cancelRun(apiKey: string, runId: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.appUrl}/api/v1/runs/${runId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
    });
    return { status: response.status, body: await response.text() };
  }

  // ── reading the outcome ──────────────────────────────────────────────────────

  async runs(ids: string[]) {
    if (ids.length === 0) return [];
    return this.db
      .select({
        id: skillRuns.id,
        tenantId: skillRuns.tenantId,
        status: skillRuns.status,
        failureCode: skillRuns.failureCode,
        createdAt: skillRuns.createdAt,
        startedAt: skillRuns.startedAt,
        turnStartedAt: skillRuns.turnStartedAt,
        finishedAt: skillRuns.finishedAt,
        deliverable: skillRuns.deliverable,
        inputs: skillRuns.inputs,
      })
      .from(skillRuns)
      .where(inArray(skillRuns.id, ids));
  }

  /** Runs whose inputs carry one of the script keys (also those whose start was refused). */
  async runsByScriptKeys(keys: string[]) {
    const markers = keys.map((key) => `%${scriptMarker(key)}%`);
    return (
      this.db
        .select({
          id: skillRuns.id,
          status: skillRuns.status,
          failureCode: skillRuns.failureCode,
          inputs: skillRuns.inputs,
        })
        .from(skillRuns)
        // One jsonb parameter: drizzle would spread a JS array into a parameter list.
        .where(
          sql`${skillRuns.inputs}->>'customerEmail' like any(array(select jsonb_array_elements_text(${JSON.stringify(markers)}::jsonb)))`,
        )
    );
  }

  async timelines(ids: string[]) {
    const rows = ids.length
      ? await this.db
          .select({
            runId: runEvents.runId,
            type: runEvents.type,
            payload: runEvents.payload,
            at: runEvents.at,
            id: runEvents.id,
          })
          .from(runEvents)
          .where(and(inArray(runEvents.runId, ids)))
          .orderBy(runEvents.id)
      : [];
    const byRun = new Map<string, typeof rows>();
    for (const row of rows) byRun.set(row.runId, [...(byRun.get(row.runId) ?? []), row]);
    return byRun;
  }
}

export const scriptKeyOf = (inputs: unknown): string | null => {
  const text = (inputs as { customerEmail?: string } | null)?.customerEmail ?? "";
  return /script:([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
};

/**
 * The timeline check every case shares: exactly one terminal event per run, of the run's
 * final status, and nothing after it. Returns a list of problems (empty when all agree).
 */
export async function timelineProblems(
  world: ChaosWorld,
  runs: { id: string; status: string }[],
): Promise<string[]> {
  const timelines = await world.timelines(runs.map((run) => run.id));
  const problems: string[] = [];
  for (const run of runs) {
    const events = timelines.get(run.id) ?? [];
    const terminal = events.filter((event) => (TERMINAL as readonly string[]).includes(event.type));
    if (terminal.length !== 1) {
      problems.push(
        `${run.id}: ${terminal.length} terminal events (${events.map((event) => event.type).join(" → ")})`,
      );
      continue;
    }
    if (terminal[0]!.type !== run.status)
      problems.push(`${run.id}: status ${run.status} but terminal event ${terminal[0]!.type}`);
    const last = events.at(-1)!;
    const lifecycle = ["queued", "running", ...TERMINAL];
    const afterTerminal = events
      .slice(events.indexOf(terminal[0]!) + 1)
      .filter((event) => lifecycle.includes(event.type));
    if (afterTerminal.length)
      problems.push(
        `${run.id}: ${afterTerminal.map((event) => event.type).join(", ")} after the terminal ${terminal[0]!.type} (last ${last.type})`,
      );
  }
  return problems;
}

/** Max simultaneously open intervals per group: a sweep over (start +1, end −1) points. */
export function maxOverlap(
  intervals: { group: string; start: number; end: number }[],
): Map<string, number> {
  const byGroup = new Map<string, { at: number; delta: number }[]>();
  for (const interval of intervals) {
    const points = byGroup.get(interval.group) ?? [];
    points.push({ at: interval.start, delta: 1 }, { at: interval.end, delta: -1 });
    byGroup.set(interval.group, points);
  }
  const result = new Map<string, number>();
  for (const [group, points] of byGroup) {
    // At equal times an end comes before a start: touching intervals do not overlap.
    points.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let open = 0;
    let max = 0;
    for (const point of points) {
      open += point.delta;
      max = Math.max(max, open);
    }
    result.set(group, max);
  }
  return result;
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
