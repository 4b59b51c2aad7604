import { vi } from "vitest";
import type { Database } from "@/server/db";

/**
 * Runs first before each file of the "shared" project (vitest.config.ts), whose files share
 * their worker process instead of each starting a new one. What a file could leave to the next
 * is put back: the environment as the worker started, app modules evaluated anew (so a module's
 * state and `server/env`'s parse start fresh; node_modules stay loaded, which is the saving), and
 * the app's database and auth handles, which a module keeps on `globalThis` across reloads.
 */
const worker = globalThis as unknown as {
  skillrunTestWorkerEnv?: NodeJS.ProcessEnv;
  skillrunDb?: Database;
  skillrunAuth?: unknown;
};

worker.skillrunTestWorkerEnv ??= { ...process.env };
const startingEnv = worker.skillrunTestWorkerEnv;
for (const name of Object.keys(process.env)) if (!(name in startingEnv)) delete process.env[name];
Object.assign(process.env, startingEnv);

// The last file dropped the database this handle points at.
await worker.skillrunDb?.$client.end({ timeout: 1 }).catch(() => {});
delete worker.skillrunDb;
delete worker.skillrunAuth;

vi.resetModules();
