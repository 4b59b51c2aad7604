import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";

/**
 * Runs before each test file: clones the migrated template into a fresh database and points
 * DATABASE_URL at it, so files are isolated from each other and can run in parallel.
 */
const serverUrl = inject("databaseServerUrl");
const template = inject("templateDatabase");
const database = `test_${randomBytes(6).toString("hex")}`;

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
for (let attempt = 1; ; attempt++) {
  try {
    await admin.unsafe(`create database "${database}" template "${template}"`);
    break;
  } catch (error) {
    // Two files cloning the template at the same instant can collide; a retry resolves it.
    if (attempt >= 5 || !String(error).includes("being accessed by other users")) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

const url = new URL(serverUrl);
url.pathname = `/${database}`;
process.env.DATABASE_URL = url.toString();

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.end({ timeout: 5 });
});
