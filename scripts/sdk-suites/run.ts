/**
 * Dev-only: runs inngest-js's own suites — the example-function tests
 * (`packages/inngest/src/test/functions`) and the integration tests (`src/test/integration`) —
 * against the embedded engine, with `gql-standin.ts` answering their dev-server reads on :8288.
 * Not part of `npm test` (it needs an inngest-js checkout with its workspace installed); see
 * inngest/engine/README.md, "Running the SDK's own suites".
 *
 *   node --import tsx scripts/sdk-suites/run.ts --inngest-js /tmp/inngest-js [--suite examples|integration|all]
 *     [--no-checkpointing] [--database-url postgres://…] [-- <extra vitest args>]
 *
 * Without --database-url a throwaway embedded PostgreSQL is started. Each suite's vitest JSON
 * report is written next to the checkout (`<checkout>/sdk-suites-<suite>.json`) and summarized.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { startEngine, type Engine } from "@/inngest/engine";
import { firstFreePort, startEmbeddedPostgres } from "../lib/embedded-postgres";
import { startGqlStandin } from "./gql-standin";

const DEV_SERVER_PORT = 8288;
const EXAMPLE_APP_PORT = 3000;

type VitestReport = {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: {
    name: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
};

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; detached?: boolean },
): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "inherit", "inherit"] });
  const done = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  return { child, done };
}

async function waitForOk(url: string, timeoutMs: number, init?: RequestInit) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, init);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Serves the example functions as the suite expects (localhost:3000/api/inngest) with the
 * checkout's own SDK source. They import `inngest` (upstream CI installs the packed build into an
 * example app); a `node_modules/inngest` beside them points that at `src/`, so the functions and
 * the serve handler share one copy of the SDK.
 */
async function startExampleApp(packageDir: string, env: NodeJS.ProcessEnv) {
  const functionsDir = path.join(packageDir, "src/test/functions");
  const alias = path.join(functionsDir, "node_modules/inngest");
  await mkdir(alias, { recursive: true });
  await writeFile(
    path.join(alias, "package.json"),
    JSON.stringify({
      name: "inngest",
      type: "module",
      exports: { ".": "./index.ts", "./node": "./node.ts" },
    }),
  );
  await writeFile(path.join(alias, "index.ts"), `export * from "../../../../index.ts";\n`);
  await writeFile(path.join(alias, "node.ts"), `export * from "../../../../node.ts";\n`);
  const entry = path.join(functionsDir, ".sdk-suites-example-app.ts");
  await writeFile(
    entry,
    [
      `import http from "node:http";`,
      `import { serve } from "inngest/node";`,
      `import { inngest } from "./client";`,
      `import { functions } from "./index";`,
      `http.createServer(serve({ client: inngest, functions })).listen(${EXAMPLE_APP_PORT});`,
      "",
    ].join("\n"),
  );
  // Its own process group, so stopping it stops npx's children too.
  const app = run("npx", ["tsx", entry], { cwd: functionsDir, env, detached: true });
  const stop = async () => {
    if (app.child.pid !== undefined) process.kill(-app.child.pid, "SIGTERM");
    await app.done;
    await rm(entry, { force: true });
    await rm(path.join(functionsDir, "node_modules"), { recursive: true, force: true });
  };
  try {
    const url = `http://localhost:${EXAMPLE_APP_PORT}/api/inngest`;
    await waitForOk(url, 60_000);
    // Sync: the SDK registers itself with the (stand-in) dev server.
    await waitForOk(url, 30_000, { method: "PUT" });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

function summarize(suite: string, report: VitestReport) {
  console.log(
    `\n[sdk-suites] ${suite}: ${report.numPassedTests} of ${report.numTotalTests} passed, ${report.numFailedTests} failed`,
  );
  for (const file of report.testResults) {
    const failed = file.assertionResults.filter((result) => result.status === "failed");
    if (failed.length === 0) continue;
    console.log(`  ${path.relative(process.cwd(), file.name)}: ${failed.length} failed`);
    for (const result of failed)
      console.log(
        `    ✗ ${result.fullName} — ${(result.failureMessages[0] ?? "").split("\n")[0]?.slice(0, 160)}`,
      );
  }
}

type Options = {
  checkout: string;
  suites: string[];
  databaseUrl?: string;
  checkpointing: boolean;
  vitestArgs: string[];
};

function options(): Options {
  const { values, positionals } = parseArgs({
    options: {
      "inngest-js": { type: "string" },
      suite: { type: "string", default: "all" },
      "database-url": { type: "string" },
      "no-checkpointing": { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const checkout = values["inngest-js"];
  if (!checkout)
    throw new Error("--inngest-js <path to an installed inngest-js checkout> is required");
  return {
    checkout: path.resolve(checkout),
    suites: values.suite === "all" ? ["examples", "integration"] : [values.suite ?? ""],
    databaseUrl: values["database-url"],
    checkpointing: !values["no-checkpointing"],
    vitestArgs: positionals,
  };
}

/** PostgreSQL (given, or a throwaway embedded one), the engine on it, the stand-in on :8288. */
async function startStack(opts: Options) {
  let stopDatabase = async () => {};
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "sdk-suites-pg-"));
    const port = await firstFreePort(55_432);
    const server = await startEmbeddedPostgres({ dataDir, port, fast: true });
    databaseUrl = server.urlFor("postgres");
    stopDatabase = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const engine: Engine = await startEngine({
    port: 0,
    databaseUrl,
    appUrls: [],
    // As the suites start `inngest dev`: --retry-interval 1, --no-poll.
    retryIntervalSeconds: 1,
    pollIntervalSeconds: 0,
    checkpointing: opts.checkpointing,
    log: (line) => {
      if (process.env.SDK_SUITES_ENGINE_LOG)
        process.stderr.write(`[engine] ${JSON.stringify(line)}\n`);
    },
  });
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const standin = await startGqlStandin({ port: DEV_SERVER_PORT, engineUrl: engine.url, sql });
  console.log(`[sdk-suites] engine ${engine.url}, dev-server stand-in on :${DEV_SERVER_PORT}`);
  return {
    stop: async () => {
      await standin.close();
      await engine.close();
      await sql.end({ timeout: 5 });
      await stopDatabase();
    },
  };
}

/** Runs one suite with vitest in the checkout; true when it passed. */
async function runSuite(suite: string, opts: Options, env: NodeJS.ProcessEnv): Promise<boolean> {
  const packageDir = path.join(opts.checkout, "packages/inngest");
  const report = path.join(opts.checkout, `sdk-suites-${suite}.json`);
  const vitest = [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ];
  let code: number;
  if (suite === "examples") {
    const app = await startExampleApp(packageDir, env);
    try {
      code = await run("npx", [...vitest, "--dir", "src/test/functions", ...opts.vitestArgs], {
        cwd: packageDir,
        env,
      }).done;
    } finally {
      await app.stop();
    }
  } else if (suite === "integration") {
    const args = [...vitest, "--config", "vitest.config.integration.ts", ...opts.vitestArgs];
    code = await run("npx", args, { cwd: packageDir, env }).done;
  } else {
    throw new Error(`unknown suite ${suite}: examples, integration or all`);
  }
  summarize(suite, JSON.parse(await readFile(report, "utf8")) as VitestReport);
  return code === 0;
}

async function main() {
  const opts = options();
  const stack = await startStack(opts);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The suites' clients find the dev server at its default, localhost:8288: the stand-in.
    DEV_SERVER_ENABLED: "0",
    NODE_ENV: "test",
  };
  let passed = true;
  try {
    for (const suite of opts.suites) passed = (await runSuite(suite, opts, env)) && passed;
  } finally {
    await stack.stop();
  }
  process.exitCode = passed ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
