/**
 * Production refuses to run without BETTER_AUTH_SECRET when BETTER_AUTH_URL is not localhost:
 * the rule itself, the app's environment check (an app started without the launcher), and the
 * launcher, which would otherwise generate one into the data directory.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  isLocalAppUrl,
  missingAuthSecretProblem,
  missingEncryptionKeyProblem,
} from "./secret-rule";

const PUBLIC_URL = "https://skillrun.example.com";
const SECRET = "an-operator-chosen-secret-of-32-characters+";

describe("the auth secret rule", () => {
  it("counts only this machine's names as local", () => {
    for (const url of [
      "http://localhost:3000",
      "http://LOCALHOST",
      "http://app.localhost:3000",
      "http://127.0.0.1:3000",
      "http://127.1.2.3",
      "http://[::1]:3000",
    ]) {
      expect(isLocalAppUrl(url), url).toBe(true);
    }
    for (const url of [
      PUBLIC_URL,
      "http://10.0.0.5:3000",
      "http://0.0.0.0:3000",
      "http://localhost.example.com",
      "http://127.0.0.1.nip.io",
      "not a url",
    ]) {
      expect(isLocalAppUrl(url), url).toBe(false);
    }
  });

  it("refuses a missing secret only in production on a non-local URL", () => {
    expect(
      missingAuthSecretProblem({ production: true, appUrl: PUBLIC_URL, secret: undefined }),
    ).toMatch(/BETTER_AUTH_SECRET is not set/);
    expect(
      missingAuthSecretProblem({ production: true, appUrl: PUBLIC_URL, secret: SECRET }),
    ).toBeNull();
    expect(
      missingAuthSecretProblem({
        production: true,
        appUrl: "http://localhost:3000",
        secret: undefined,
      }),
    ).toBeNull();
    // Unset means the launcher's default, http://localhost:$PORT.
    expect(
      missingAuthSecretProblem({ production: true, appUrl: undefined, secret: undefined }),
    ).toBeNull();
    expect(
      missingAuthSecretProblem({ production: false, appUrl: PUBLIC_URL, secret: undefined }),
    ).toBeNull();
  });
});

describe("the encryption key rule", () => {
  it("refuses a missing key only in production on a non-local URL", () => {
    const key = "7e57".repeat(16);
    expect(
      missingEncryptionKeyProblem({ production: true, appUrl: PUBLIC_URL, key: undefined }),
    ).toMatch(/SKILLRUN_ENCRYPTION_KEY is not set/);
    expect(missingEncryptionKeyProblem({ production: true, appUrl: PUBLIC_URL, key })).toBeNull();
    expect(
      missingEncryptionKeyProblem({
        production: true,
        appUrl: "http://localhost:3000",
        key: undefined,
      }),
    ).toBeNull();
    expect(
      missingEncryptionKeyProblem({ production: false, appUrl: PUBLIC_URL, key: undefined }),
    ).toBeNull();
  });
});

describe("the app's environment check", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function loadEnv(values: Record<string, string | undefined>) {
    for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
    vi.resetModules();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      return await import("@/server/env");
    } finally {
      errors.mockRestore();
    }
  }

  it("refuses to load in production on a public URL without an encryption key, or with a malformed one", async () => {
    for (const key of [undefined, "too-short"])
      await expect(
        loadEnv({
          NODE_ENV: "production",
          BETTER_AUTH_URL: PUBLIC_URL,
          BETTER_AUTH_SECRET: SECRET,
          SKILLRUN_ENCRYPTION_KEY: key,
        }),
      ).rejects.toThrow(/Invalid environment variables/);
  });

  it("refuses to load in production on a public URL without a secret", async () => {
    await expect(
      loadEnv({
        NODE_ENV: "production",
        BETTER_AUTH_URL: PUBLIC_URL,
        BETTER_AUTH_SECRET: undefined,
      }),
    ).rejects.toThrow(/Invalid environment variables/);
  });

  it("loads with the secret set, on localhost, and during `next build`", async () => {
    expect(
      (
        await loadEnv({
          NODE_ENV: "production",
          BETTER_AUTH_URL: PUBLIC_URL,
          BETTER_AUTH_SECRET: SECRET,
        })
      ).env.BETTER_AUTH_SECRET,
    ).toBe(SECRET);
    expect(
      (
        await loadEnv({
          NODE_ENV: "production",
          BETTER_AUTH_URL: "http://localhost:3000",
          BETTER_AUTH_SECRET: undefined,
        })
      ).env.BETTER_AUTH_SECRET,
    ).toBeUndefined();
    expect(
      (
        await loadEnv({
          NODE_ENV: "production",
          NEXT_PHASE: "phase-production-build",
          BETTER_AUTH_URL: PUBLIC_URL,
          BETTER_AUTH_SECRET: undefined,
        })
      ).env.NODE_ENV,
    ).toBe("production");
  });
});

describe("the launcher", () => {
  it("`npm start` on a public URL without a secret exits before starting anything, and says why", async () => {
    // Should the check ever go, the launcher stops at the busy port instead of starting a PostgreSQL here.
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "skillrun-secret-rule-"));
    try {
      const launched = spawnSync(
        process.execPath,
        ["--import", "tsx", "--conditions=react-server", "scripts/launch.ts", "start"],
        {
          encoding: "utf8",
          timeout: 60_000,
          env: {
            ...process.env,
            NODE_ENV: "development",
            BETTER_AUTH_URL: PUBLIC_URL,
            BETTER_AUTH_SECRET: "",
            DATABASE_URL: "",
            PORT: String((busy.address() as net.AddressInfo).port),
            SKILLRUN_DATA_DIR: dataDir,
          },
        },
      );
      expect(launched.stderr).toContain(
        `BETTER_AUTH_SECRET is not set, and BETTER_AUTH_URL (${PUBLIC_URL}) is not localhost`,
      );
      expect(launched.status).toBe(1);
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      busy.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
