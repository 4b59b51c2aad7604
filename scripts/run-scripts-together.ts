/**
 * `npm test`'s first stage: runs the named npm scripts at once (lint and typecheck: ESLint,
 * Prettier and tsc each use one core, and they read the same files without writing any) and
 * fails if any of them fails. Each script's output is printed whole when it ends, so the log
 * reads as if they had run one after the other.
 */
import { spawn } from "node:child_process";

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: run-scripts-together.ts <npm script> [<npm script> …]");
  process.exit(2);
}

function run(script: string): Promise<{ script: string; ok: boolean }> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const child = spawn("npm", ["run", script], { stdio: ["ignore", "pipe", "pipe"] });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
      const ok = code === 0;
      process.stdout.write(Buffer.concat(output));
      process.stdout.write(
        `${ok ? "✓" : "✗"} ${script} ${ok ? "passed" : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s\n`,
      );
      resolve({ script, ok });
    });
  });
}

const results = await Promise.all(scripts.map(run));
const failed = results.filter((result) => !result.ok).map((result) => result.script);
if (failed.length > 0) {
  console.error(`\n${failed.join(", ")} failed`);
  process.exit(1);
}
