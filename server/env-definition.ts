import { isIP } from "node:net";
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import { missingAuthSecretProblem, missingEncryptionKeyProblem } from "./auth/secret-rule";
import { readPriceFile } from "./agent/price-file";
import { decodeEncryptionKey, ENCRYPTION_KEY_FORMAT } from "./crypto/encryption-key";

const port = z.coerce.number().int().min(1).max(65535);

/** `10.0.0.5` or `10.0.0.0/16` (IPv6 alike): a prefix within the address family. */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return (
    prefix === undefined ||
    (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
  );
}

const encryptionKey = z
  .string()
  .refine((value) => decodeEncryptionKey(value) !== null, ENCRYPTION_KEY_FORMAT);
const previousEncryptionKeys = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine(
    (keys) => keys.every((key) => decodeEncryptionKey(key) !== null),
    `each key ${ENCRYPTION_KEY_FORMAT}`,
  );

const executionPlaneSettings = {
  // The embedded engine's keys (else generated into SKILLRUN_DATA_DIR). INNGEST_SIGNING_KEY and
  // INNGEST_EVENT_KEY name an external server's keys: alone, they mean Inngest Cloud.
  SKILLRUN_ENGINE_SIGNING_KEY: z.string().optional(),
  SKILLRUN_ENGINE_EVENT_KEY: z.string().optional(),
  // /api/health turns red when the oldest queued run waited longer than this while no run started.
  SKILLRUN_HEALTH_MAX_QUEUED_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(5 * 60),
};

/**
 * How many runs of a tenant go at once, and how long a run may wait or take before it fails
 * (docs/RELIABILITY.md: which failure fires first).
 */
const runTimingSettings = {
  SKILLRUN_RUN_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  // Must stay longer than any template's turn timeout.
  RUN_STALE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(15 * 60),
  RUN_DISPATCH_RETRY_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(2 * 60),
  RUN_DISPATCH_LOST_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .default(10 * 60),
  // `timeouts.start`: the longest a run may wait (for a concurrency slot) to start.
  RUN_START_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(60 * 60),
  // `timeouts.finish`: the longest a run may take once started. Keep it above every template's
  // turn timeout, as RUN_STALE_AFTER_SECONDS.
  RUN_FINISH_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(15 * 60),
};

/** What a production app that others reach must be given rather than generate (see auth/secret-rule.ts). */
function productionSecretIssues(values: {
  production: boolean;
  appUrl: string | undefined;
  secret: string | undefined;
  key: string | undefined;
}) {
  const issues: { path: string; message: string }[] = [];
  const secretProblem = missingAuthSecretProblem(values);
  if (secretProblem) issues.push({ path: "BETTER_AUTH_SECRET", message: secretProblem });
  const keyProblem = missingEncryptionKeyProblem(values);
  if (keyProblem) issues.push({ path: "SKILLRUN_ENCRYPTION_KEY", message: keyProblem });
  return issues;
}

/**
 * A price file that cannot be read or is no price table, found at startup rather than by the
 * first run's turn after the model answered. Not during `next build`: the file is a runtime
 * setting.
 */
function priceFileIssues(building: boolean, path: string | undefined) {
  if (building || path === undefined) return [];
  try {
    readPriceFile(path);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{ path: "SKILLRUN_MODEL_PRICES_FILE", message }];
  }
}

/**
 * Every environment variable Skillrun reads, validated once. `.env.example` documents each.
 * The launcher (`scripts/launch.ts`) fills in DATABASE_URL, BETTER_AUTH_SECRET,
 * SKILLRUN_ENCRYPTION_KEY and BETTER_AUTH_URL for the app when they are not set, except the
 * secret and the key of a production app on a non-local URL (see auth/secret-rule.ts), which this check refuses too for an app started
 * without the launcher; and with the embedded engine the INNGEST_BASE_URL, keys and
 * INNGEST_SERVE_ORIGIN the app runs the Inngest SDK with.
 *
 * The app imports the result from `server/env.ts`; `next.config.ts` calls this itself, so a bad
 * environment fails `next build`, `next dev` and `next start` before anything else runs.
 */
/**
 * The startup line a shortened alert clock gets (SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS, the e2e
 * app's setting): left set in production, it would judge every rule every few seconds unnoticed.
 */
export function alertClockWarning(everySeconds: number | undefined): string | null {
  return everySeconds === undefined
    ? null
    : `alert rules judged every ${everySeconds} s (SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS) — a test setting`;
}

export function validateEnv(phase: { building: boolean }) {
  return createEnv({
    server: {
      NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
      DATABASE_URL: z.url().optional(),
      BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
      BETTER_AUTH_URL: z.url().optional(),
      // Encrypts secrets at rest (MCP tokens, webhook signing secrets); see server/crypto/secrets.ts.
      SKILLRUN_ENCRYPTION_KEY: encryptionKey.optional(),
      // Keys of earlier rotations, comma-separated: they still decrypt, never encrypt.
      SKILLRUN_ENCRYPTION_KEY_PREVIOUS: previousEncryptionKeys,
      SKILLRUN_DEFAULT_MODEL: z
        .string()
        .regex(/^[a-z][a-z0-9-]*:.+$/, "must be provider:model, e.g. openai:gpt-4.1-mini")
        .default("openai:gpt-4.1-mini"),
      // A JSON file of model prices laid over the built-in table (server/agent/prices.ts).
      SKILLRUN_MODEL_PRICES_FILE: z.string().min(1).optional(),
      PORT: port.default(3000),
      SKILLRUN_DATA_DIR: z.string().min(1).default(".data"),
      SKILLRUN_PG_PORT: port.default(54329),
      SKILLRUN_ENGINE_PORT: port.default(8288),
      ...executionPlaneSettings,
      // Seed the demo tenants and their accounts (published passwords) on `npm start`; `npm run dev` does unless it is 0.
      SKILLRUN_DEMO: z.stringbool().optional(),
      // The reverse proxies in front of the app, whose X-Forwarded-For hops are believed (see
      // server/request-origin.ts). Unset: no client address is known.
      SKILLRUN_TRUSTED_PROXIES: z
        .string()
        .optional()
        .transform((value) =>
          (value ?? "")
            .split(",")
            .map((entry) => entry.trim())
            .filter(Boolean),
        )
        .refine(
          (entries) => entries.every(isAddressOrRange),
          "must be comma-separated IP addresses or CIDR ranges, e.g. 10.0.0.5,10.1.0.0/16",
        ),
      ...runTimingSettings,
      // `next build` without its TypeScript check, for a build after `npm run typecheck` (which
      // checks the same files and the route types): the e2e suite's.
      SKILLRUN_BUILD_SKIP_TYPECHECK: z.stringbool().default(false),
      // Tests only: judge the alert rules every N seconds instead of every minute (the e2e app),
      // so an alert spec waits seconds for a judging round. Unset: the cron minute.
      SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS: z.coerce.number().int().min(1).max(59).optional(),
      OPENAI_API_KEY: z.string().optional(),
      ANTHROPIC_API_KEY: z.string().optional(),
      AWS_REGION: z.string().optional(),
      AWS_ACCESS_KEY_ID: z.string().optional(),
      AWS_SECRET_ACCESS_KEY: z.string().optional(),
      OPENAI_COMPATIBLE_BASE_URL: z.url().optional(),
      // MCP servers on this machine (127.0.0.0/8, ::1, also over plain http): for development and tests only.
      SKILLRUN_ALLOW_LOCAL_MCP: z.stringbool().default(false),
      OPENAI_COMPATIBLE_API_KEY: z.string().optional(),
      INNGEST_DEV: z.string().optional(),
      INNGEST_BASE_URL: z.url().optional(),
      INNGEST_EVENT_KEY: z.string().optional(),
      INNGEST_SIGNING_KEY: z.string().optional(),
      INNGEST_SIGNING_KEY_FALLBACK: z.string().optional(),
      // Where the Inngest server calls the app; see inngest/serve-url.ts for the default.
      INNGEST_SERVE_ORIGIN: z.url().optional(),
    },
    client: {},
    createFinalSchema: (shape) =>
      z.object(shape).superRefine((values, context) => {
        const issues = productionSecretIssues({
          // `next build` evaluates server modules too; the secret and key are runtime settings.
          production: values.NODE_ENV === "production" && !phase.building,
          appUrl: values.BETTER_AUTH_URL,
          secret: values.BETTER_AUTH_SECRET,
          key: values.SKILLRUN_ENCRYPTION_KEY,
        }).concat(priceFileIssues(phase.building, values.SKILLRUN_MODEL_PRICES_FILE));
        for (const { path, message } of issues)
          context.addIssue({ code: "custom", path: [path], message });
      }),
    experimental__runtimeEnv: {},
    emptyStringAsUndefined: true,
  });
}
