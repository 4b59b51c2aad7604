/**
 * `npm run dev` / `npm start`: database (embedded unless DATABASE_URL), migrations, catalog
 * and — for dev, `--demo` or SKILLRUN_DEMO=1 — the demo seed, the Inngest engine (embedded
 * unless an Inngest server is configured: see inngest/inngest-server.ts), then Next.js, and
 * with an external server it registers the app there. Without the demo and without any
 * account it prints a one-time token for creating the owner. One Ctrl-C stops everything,
 * PostgreSQL last.
 *
 * The embedded engine runs signed, like a self-hosted `inngest start`, and the app runs the
 * SDK in cloud mode against it, so /api/inngest verifies every request in dev and production
 * alike. Keys and secrets never go to stdout (the one-time owner setup token excepted).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import type { Engine } from "@/inngest/engine";
import type { Keyring } from "@/server/crypto/secrets";
import type { InngestKeys } from "./lib/inngest";

nextEnv.loadEnvConfig(process.cwd(), process.argv[2] === "dev");

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const signalListenersBefore = new Map(
  SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]),
);

const { env } = await import("@/server/env");
const { DEMO_MODE_WARNING, demoSeedRequested } = await import("./lib/demo-mode");
const { missingAuthSecretProblem, missingEncryptionKeyProblem } =
  await import("@/server/auth/secret-rule");
const { generateEncryptionKey } = await import("@/server/crypto/encryption-key");
const { keyringOf } = await import("@/server/crypto/secrets");
const { ENCRYPTION_KEY_FILE, persistentSecret: persistentSecretIn } =
  await import("./lib/persistent-secret");
const { isPortFree } = await import("./lib/embedded-postgres");
const { startEngine } = await import("@/inngest/engine");
const { SigningKeyError } = await import("@/inngest/engine/signing");
const { INNGEST_SERVE_PATH, inngestServeOrigin } = await import("@/inngest/serve-url");
const { inngestServerOf } = await import("@/inngest/inngest-server");
const { prepareDatabase, resolveDatabase } = await import("./lib/database");
const { describeUnreadableSecrets } = await import("@/server/db/secrets-at-rest");
const { embeddedInngestEnvironment, newEventKey, newSigningKey } = await import("./lib/inngest");
const { describeInngestServer, registerWithServer, unreachableServeUrlProblem } =
  await import("./lib/inngest");

const { positionals, values: flags } = parseArgs({
  allowPositionals: true,
  options: {
    // A throwaway database in a temporary directory, removed on exit (the e2e suite uses it).
    ephemeral: { type: "boolean", default: false },
    // Seed the demo tenants and their accounts, whose passwords are published (dev does by default).
    demo: { type: "boolean", default: false },
  },
});
const mode = positionals[0];
if (mode !== "dev" && mode !== "start") {
  console.error(
    "usage: node --import tsx --conditions=react-server scripts/launch.ts <dev|start> [--ephemeral] [--demo]",
  );
  process.exit(2);
}

const startedAt = Date.now();
const say = (message: string) => console.log(`\x1b[36mskillrun\x1b[0m ${message}`);
const fail = (message: string): never => {
  console.error(`\x1b[31mskillrun\x1b[0m ${message}`);
  process.exit(1);
};

const warn = (message: string) =>
  console.log(`\x1b[33mskillrun\x1b[0m \x1b[1;33m${message}\x1b[0m`);

const secretProblem = missingAuthSecretProblem({
  production: mode === "start",
  appUrl: env.BETTER_AUTH_URL,
  secret: env.BETTER_AUTH_SECRET,
});
if (secretProblem) fail(secretProblem);
const keyProblem = missingEncryptionKeyProblem({
  production: mode === "start",
  appUrl: env.BETTER_AUTH_URL,
  key: env.SKILLRUN_ENCRYPTION_KEY,
});
if (keyProblem) fail(keyProblem);
const demo = demoSeedRequested({ mode, demoFlag: flags.demo, demoSetting: env.SKILLRUN_DEMO });

const displayPath = (target: string) => {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith("..") ? relative : target;
};

const dataDir = flags.ephemeral
  ? await mkdtemp(path.join(os.tmpdir(), "skillrun-"))
  : path.resolve(env.SKILLRUN_DATA_DIR);
await mkdir(dataDir, { recursive: true });

const persistentSecret = (
  configured: string | undefined,
  fileName: string,
  generate: () => string,
) => persistentSecretIn(dataDir, configured, fileName, generate);

const authSecret = () =>
  persistentSecret(env.BETTER_AUTH_SECRET, "auth-secret", () =>
    randomBytes(32).toString("base64url"),
  );
// Read before the database is prepared: the start encrypts secrets stored before encryption existed.
const encryptionKey = await persistentSecret(
  env.SKILLRUN_ENCRYPTION_KEY,
  ENCRYPTION_KEY_FILE,
  generateEncryptionKey,
);
let keyring: Keyring;
try {
  keyring = keyringOf(encryptionKey, env.SKILLRUN_ENCRYPTION_KEY_PREVIOUS);
} catch (error) {
  fail(
    `${(error as Error).message} (SKILLRUN_ENCRYPTION_KEY, else ${displayPath(path.join(dataDir, ENCRYPTION_KEY_FILE))})`,
  );
  throw error;
}

if (!(await isPortFree(env.PORT, "0.0.0.0"))) {
  fail(`Port ${env.PORT} is in use. Stop whatever holds it, or set PORT to a free port.`);
}

// The launcher never sets INNGEST_DEV; when the user did, they get the app they asked for, and
// a warning they cannot miss.
const inngestServer = inngestServerOf(env);
if (inngestServer.kind === "dev") {
  const banner = [
    "INNGEST_DEV is set, so /api/inngest runs in Inngest dev mode: it executes any request without",
    "checking a signature, and anyone who reaches the app's port can complete, fail or start runs.",
    "Use it only with your own `inngest dev` on a machine nobody else reaches. For a real server set",
    "INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY (+ INNGEST_BASE_URL unless Inngest Cloud); unset INNGEST_DEV for the embedded engine.",
  ];
  for (const line of mode === "start"
    ? ["\x1b[1mWARNING — NOT FOR PRODUCTION\x1b[0m", ...banner]
    : banner)
    console.error(`\x1b[31mskillrun\x1b[0m ${line}`);
} else if (inngestServer.kind === "misconfigured") {
  fail(inngestServer.problem);
}

let database: Awaited<ReturnType<typeof resolveDatabase>>;
try {
  database = await resolveDatabase({ dataDir, reuseRunning: false, embeddedOnly: flags.ephemeral });
} catch (error) {
  fail((error as Error).message);
  throw error;
}
say(
  database.embedded
    ? `PostgreSQL (embedded) on 127.0.0.1:${database.embedded.port}, data in ${displayPath(dataDir)}`
    : "PostgreSQL from DATABASE_URL",
);

const children: { next?: ChildProcess; engine?: Engine } = {};
let stopping = false;
async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  const { next } = children;
  // A child killed by a signal has exitCode null and signalCode set: it is gone, and its
  // "exit" event has fired already, so waiting for it would hang the launcher forever.
  if (next && next.exitCode === null && next.signalCode === null) {
    next.kill("SIGTERM");
    await new Promise((resolve) => next.once("exit", resolve));
  }
  await children.engine?.close();
  await database.embedded?.stop();
  if (flags.ephemeral) await rm(dataDir, { recursive: true, force: true });
  say("stopped");
  process.exit(exitCode);
}
// embedded-postgres installs signal hooks that end the process as soon as PostgreSQL stops;
// the launcher orders shutdown itself (Next.js, then PostgreSQL, then the throwaway data).
for (const signal of SIGNALS) {
  for (const listener of process.listeners(signal)) {
    if (!signalListenersBefore.get(signal)?.has(listener)) process.off(signal, listener);
  }
  process.on(signal, () => void shutdown(0));
}

let ownerSetup: { token: string; expiresAt: Date } | null = null;
try {
  const { catalog, seeded, demoPasswords, unreadableSecrets, ...prepared } = await prepareDatabase(
    database.url,
    {
      seed: demo,
      ownerSetup: true,
      keyring,
    },
  );
  ownerSetup = prepared.ownerSetup;
  say(
    `migrations applied · ${catalog.loaded} built-in skills · ${demo ? (seeded.created ? "demo data seeded" : "demo data present") : "no demo data"}`,
  );
  if (unreadableSecrets.length) warn(describeUnreadableSecrets(unreadableSecrets));
  if (demoPasswords.length) {
    warn(
      `${demoPasswords.join(" and ")} still sign in with the published demo password: this database holds the demo. Give anything others can reach a fresh one (another SKILLRUN_DATA_DIR or DATABASE_URL).`,
    );
  }
} catch (error) {
  console.error(error);
  await shutdown(1);
}

// A configured Inngest server (dev, self-hosted or Cloud) wins; otherwise the embedded engine
// runs functions, in this process, on the same PostgreSQL.
const externalInngest = inngestServer.kind !== "embedded";
if (!externalInngest && !(await isPortFree(env.SKILLRUN_ENGINE_PORT))) {
  console.error(
    `Port ${env.SKILLRUN_ENGINE_PORT} (the embedded Inngest engine) is in use. Set SKILLRUN_ENGINE_PORT, or INNGEST_BASE_URL to use that server.`,
  );
  await shutdown(1);
}
// The engine calls the app on loopback; the app names exactly this URL when it syncs.
const appServeOrigin = `http://127.0.0.1:${env.PORT}`;
const appServeUrl = `${appServeOrigin}${INNGEST_SERVE_PATH}`;
const engineKeys: InngestKeys | null = externalInngest
  ? null
  : {
      signingKey: await persistentSecret(
        env.SKILLRUN_ENGINE_SIGNING_KEY,
        "inngest-signing-key",
        newSigningKey,
      ),
      signingKeyFallback: env.INNGEST_SIGNING_KEY_FALLBACK,
      eventKey: await persistentSecret(
        env.SKILLRUN_ENGINE_EVENT_KEY,
        "inngest-event-key",
        newEventKey,
      ),
    };
let engine: Engine | null = null;
if (engineKeys) {
  try {
    engine = await startEngine({
      port: env.SKILLRUN_ENGINE_PORT,
      databaseUrl: database.url,
      ...engineKeys,
      log: ({ level, msg, ...fields }) => {
        const details = Object.entries(fields).map(
          ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
        );
        (level === "info" ? console.log : console.error)(
          `\x1b[35mengine\x1b[0m ${msg} ${details.join(" ")}`,
        );
      },
    });
  } catch (error) {
    console.error(
      `\x1b[31mskillrun\x1b[0m ${error instanceof SigningKeyError ? `The Inngest signing key (SKILLRUN_ENGINE_SIGNING_KEY, else ${displayPath(path.join(dataDir, "inngest-signing-key"))}): ${error.message}` : String(error)}`,
    );
    await shutdown(1);
  }
}
children.engine = engine ?? undefined;
const externalServeUrl = `${inngestServeOrigin()}${INNGEST_SERVE_PATH}`;
say(
  engine
    ? `Inngest engine (embedded, signed) on ${engine.url}`
    : `Inngest server: ${describeInngestServer(inngestServer)}; it will call the app at ${externalServeUrl}`,
);
const unreachableServeUrl = unreachableServeUrlProblem(inngestServer, externalServeUrl);
if (unreachableServeUrl) warn(unreachableServeUrl);
if (engine?.role() === "standby")
  warn(
    `standby: another engine holds the lock on ${engine.database} — this one runs nothing until that one stops, and the app's events get 503 meanwhile: point apps at the leader (inngest/engine/README.md, "One leader, one standby")`,
  );

const appUrl = env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`;
const next = spawn(
  process.execPath,
  [path.resolve("node_modules/next/dist/bin/next"), mode, "--port", String(env.PORT)],
  {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      // A configured Inngest server's settings pass through as the user gave them.
      ...(engine && engineKeys
        ? embeddedInngestEnvironment(process.env, {
            url: engine.url,
            keys: engineKeys,
            appServeOrigin,
          })
        : process.env),
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: await authSecret(),
      SKILLRUN_ENCRYPTION_KEY: encryptionKey,
      BETTER_AUTH_URL: appUrl,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
);
children.next = next;
next.once("exit", (code) => {
  if (!stopping) {
    say(`Next.js exited (code ${code ?? "signal"})`);
    void shutdown(code ?? 1);
  }
});

// Ready means the app answers and reaches its database, not merely that the port is open.
for (;;) {
  if (stopping) break;
  // `scope=app`: the app and its database, not yet the execution plane, which it is about to join.
  const healthy = await fetch(`http://127.0.0.1:${env.PORT}/api/health?scope=app`)
    .then((response) => response.ok)
    .catch(() => false);
  if (healthy) {
    if (engine) {
      await engine
        .watchApp(appServeUrl)
        .catch((error: unknown) =>
          console.error(
            `skillrun could not sync the app with the engine: ${(error as Error).message}`,
          ),
        );
    } else {
      await registerWithServer({
        server: inngestServer,
        localServeUrl: `http://127.0.0.1:${env.PORT}${INNGEST_SERVE_PATH}`,
        publicServeUrl: externalServeUrl,
        signingKey: env.INNGEST_SIGNING_KEY,
        say,
        complain: (message) => console.error(`\x1b[31mskillrun\x1b[0m ${message}`),
      });
    }
    say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s → ${appUrl}`);
    if (demo) warn(DEMO_MODE_WARNING);
    if (ownerSetup) {
      say(`no account exists yet: create the owner at ${appUrl}/setup#token=${ownerSetup.token}`);
      say(
        `setup token ${ownerSetup.token} (one use, until ${ownerSetup.expiresAt.toISOString()}; each start prints a new one) · headless: npm run admin:create -- --email … --password … --tenant …`,
      );
    }
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
