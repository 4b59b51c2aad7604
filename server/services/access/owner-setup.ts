import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Transaction } from "@/server/db/client";
import {
  accounts,
  memberships,
  tenants,
  tenantSettings,
  users,
  verifications,
} from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { recordAudit } from "./audit";
import type { PasswordPolicy } from "./members";

/**
 * The first account of an installation that has none (a production start without the demo).
 * Public sign-up is off and tenants are created nowhere else, so the owner of the first tenant
 * is made here: on the setup page with the setup token the launcher prints, or from the
 * command line (`npm run admin:create`), which needs a shell on the host and no token.
 *
 * Both stop working for good once any user exists: the check and the creation run under one
 * advisory lock, so two attempts at once make one owner.
 *
 * The token's SHA-256 is a row of the auth library's `verifications` table (its one-time
 * token store; nothing of the library reads this identifier). It lives in the database, not in
 * the data directory or a process's memory, because the launcher that issues it and the app
 * that checks it are different processes — with DATABASE_URL possibly on different machines,
 * several app processes behind one load balancer — and the database is the one thing they all
 * share; it is also where "no user exists" is decided, so the two cannot disagree. Each launcher
 * start replaces it (only the newest log line works) and it expires after a day; creating the
 * owner deletes it in the same transaction.
 */

export const OWNER_SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const OWNER_SETUP_IDENTIFIER = "skillrun:owner-setup";
/** One at a time: issuing a token and creating the owner (`hashtext` of this key). */
const OWNER_SETUP_LOCK = "skillrun:owner-setup";
/** 32 random bytes, base64url without padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** Users exist: the one-time setup is over (or was never needed). The page and endpoint answer 404. */
export class OwnerAlreadyExistsError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "owner_exists";
  constructor() {
    super(
      "An account already exists: the first-run setup is closed. Sign in, or ask an admin for an invitation.",
    );
  }
}

/** Wrong, expired, replaced or used: the holder learns no more than that. */
export class OwnerSetupTokenInvalidError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "setup_token_invalid";
  constructor() {
    super(
      "The setup token is not valid. Use the newest one the launcher printed (each start prints a new one; it works for 24 hours).",
    );
  }
}

/** Name, email, password or tenant name break the rules; the messages sit under their fields. */
export class OwnerSetupInputError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "owner_setup_input";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super("Some fields need a change.");
  }
}

export type OwnerSetupInput = { name: string; email: string; password: string; tenantName: string };

/** How the caller proved they may create the owner: the printed token, or a shell on the host. */
export type OwnerSetupProof = { kind: "setup_token"; token: string } | { kind: "command_line" };

/** The rules for the owner's fields; the password's length comes from the auth library's config. */
export function ownerSetupInputSchema(passwords: Pick<PasswordPolicy, "minLength" | "maxLength">) {
  const text = (what: string) =>
    z.string().trim().min(1, `Enter ${what}.`).max(100, `Keep ${what} to 100 characters.`);
  return z.object({
    name: text("your name"),
    email: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.email("Enter an email address.").max(254, "Keep the email to 254 characters.")),
    password: z
      .string()
      .min(passwords.minLength, `The password needs at least ${passwords.minLength} characters.`)
      .max(passwords.maxLength, `The password can have at most ${passwords.maxLength} characters.`),
    tenantName: text("the tenant's name"),
  });
}

export async function anyUserExists(db: Database | Transaction): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return Boolean(row);
}

async function lockOwnerSetup(tx: Transaction) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${OWNER_SETUP_LOCK}))`);
}

/**
 * A new setup token while no user exists, replacing any earlier one; null (and no token at
 * all) once a user exists. The launcher prints the answer; only its hash is stored.
 */
export async function issueOwnerSetupToken(
  db: Database,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date } | null> {
  return db.transaction(async (tx) => {
    await lockOwnerSetup(tx);
    await tx.delete(verifications).where(eq(verifications.identifier, OWNER_SETUP_IDENTIFIER));
    if (await anyUserExists(tx)) return null;
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + OWNER_SETUP_TOKEN_TTL_MS);
    await tx.insert(verifications).values({
      id: randomUUID(),
      identifier: OWNER_SETUP_IDENTIFIER,
      value: hashOf(token),
      expiresAt,
    });
    return { token, expiresAt };
  });
}

const tokenCondition = (token: string, now: Date) =>
  and(
    eq(verifications.identifier, OWNER_SETUP_IDENTIFIER),
    eq(verifications.value, hashOf(token)),
    gt(verifications.expiresAt, now),
  );

async function setupTokenWorks(db: Database, token: string, now: Date): Promise<boolean> {
  if (!TOKEN_SHAPE.test(token)) return false;
  const [row] = await db
    .select({ id: verifications.id })
    .from(verifications)
    .where(tokenCondition(token, now));
  return Boolean(row);
}

/** A URL-safe slug of the tenant's name that no tenant has yet. */
async function freeTenantSlug(tx: Transaction, tenantName: string): Promise<string> {
  const base =
    tenantName
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "") || "tenant";
  for (let suffix = 1; ; suffix++) {
    const slug = suffix === 1 ? base : `${base}-${suffix}`;
    const [taken] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
    if (!taken) return slug;
  }
}

/**
 * Creates the installation's first user as owner of a new tenant: the user, their password
 * credential (hashed by the auth library's own hasher, so it signs in like any other), the
 * tenant with its settings, the membership and the audit entry, in one transaction that also
 * spends the setup token. Refused once any user exists; a wrong token writes nothing.
 */
export async function createFirstOwner(
  db: Database,
  input: OwnerSetupInput,
  passwords: PasswordPolicy,
  proof: OwnerSetupProof,
  origin: string | null,
  now = new Date(),
): Promise<{ userId: string; email: string; tenantId: string; tenantSlug: string }> {
  if (await anyUserExists(db)) throw new OwnerAlreadyExistsError();
  const parsed = ownerSetupInputSchema(passwords).safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues)
      (fieldErrors[issue.path.join(".") || "form"] ??= []).push(issue.message);
    throw new OwnerSetupInputError(fieldErrors);
  }
  const owner = parsed.data;
  // Hashing is deliberately slow: only for a token that works, so junk posted to the public
  // endpoint costs a lookup. The transaction checks the token again and spends it.
  if (proof.kind === "setup_token" && !(await setupTokenWorks(db, proof.token, now)))
    throw new OwnerSetupTokenInvalidError();
  const passwordHash = await passwords.hash(owner.password);

  return db.transaction(async (tx) => {
    await lockOwnerSetup(tx);
    if (await anyUserExists(tx)) throw new OwnerAlreadyExistsError();
    const spent = await tx
      .delete(verifications)
      .where(
        proof.kind === "setup_token"
          ? tokenCondition(proof.token, now)
          : eq(verifications.identifier, OWNER_SETUP_IDENTIFIER),
      )
      .returning({ id: verifications.id });
    if (proof.kind === "setup_token" && spent.length === 0) throw new OwnerSetupTokenInvalidError();

    const tenantId = randomUUID();
    const tenantSlug = await freeTenantSlug(tx, owner.tenantName);
    await tx.insert(tenants).values({ id: tenantId, name: owner.tenantName, slug: tenantSlug });
    await tx.insert(tenantSettings).values({ tenantId });
    const userId = randomUUID();
    await tx.insert(users).values({ id: userId, email: owner.email, name: owner.name });
    await tx.insert(accounts).values({
      id: randomUUID(),
      userId,
      accountId: userId,
      providerId: "credential",
      password: passwordHash,
    });
    await tx
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: tenantId, userId, role: "owner" });
    await recordAudit(tx, {
      tenantId,
      actor:
        proof.kind === "setup_token" ? { type: "user", id: userId } : { type: "system", id: null },
      origin,
      action: "tenant.create",
      target: { type: "tenant", id: tenantId },
      metadata: {
        name: owner.tenantName,
        ownerEmail: owner.email,
        via: proof.kind === "setup_token" ? "setup_page" : "command_line",
      },
    });
    return { userId, email: owner.email, tenantId, tenantSlug };
  });
}
