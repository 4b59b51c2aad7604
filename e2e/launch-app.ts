/**
 * A second app beside the suite's, for what needs a server environment of its own: the real
 * launcher (`npm start`) on the build the suite's web server made, with a throwaway database
 * and engine on free ports. Starting one takes several seconds.
 */
import { spawn } from "node:child_process";
import { EMBEDDED_ENGINE_ENV } from "./app-env";
import { existsSync } from "node:fs";
import net from "node:net";
import { expect } from "@playwright/test";

export type LaunchedApp = {
  url: string;
  /** Everything the launcher wrote so far, stdout and stderr. */
  log: () => string;
  /** Waits until the log matches `pattern`; fails if the launcher exits first. */
  waitForLog: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  stop: () => Promise<void>;
};

/** Whether the production build a second app starts from exists (the suite's web server makes it). */
export const hasProductionBuild = () => existsSync(".next/BUILD_ID");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the launcher with the suite's defaults overridden by `env`; returns at once. */
export async function launchApp(env: Record<string, string>): Promise<LaunchedApp> {
  const [port, pgPort, enginePort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://localhost:${port}`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=react-server", "scripts/launch.ts", "start", "--ephemeral"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        SKILLRUN_PG_PORT: String(pgPort),
        SKILLRUN_ENGINE_PORT: String(enginePort),
        ...EMBEDDED_ENGINE_ENV,
        BETTER_AUTH_URL: url,
        DATABASE_URL: "",
        ...env,
      },
    },
  );
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));

  const waitForLog = async (pattern: RegExp, timeoutMs = 150_000) => {
    await expect
      .poll(
        () => {
          if (child.exitCode !== null)
            throw new Error(`the launcher exited (${child.exitCode}):\n${log}`);
          return pattern.test(log);
        },
        { timeout: timeoutMs, intervals: [250] },
      )
      .toBe(true);
    return pattern.exec(log) as RegExpExecArray;
  };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };

  return { url, log: () => log, waitForLog, stop };
}
