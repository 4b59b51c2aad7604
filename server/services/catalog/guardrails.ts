import "server-only";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import type { AuditAction } from "@/lib/enums";
import type { GuardrailInput, GuardrailRulesInput } from "@/lib/schemas/guardrails";
import type { GuardrailRules } from "@/server/agent/config";
import { patternProblems } from "@/server/agent/guardrail-patterns";
import type { Database, Transaction } from "@/server/db/client";
import { agentTemplates, guardrails } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { copyName, nameRaceAsConflict } from "./names";

export class GuardrailNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "guardrail_not_found";
  constructor(
    guardrailId: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(`Guardrail ${guardrailId} was not found in this tenant.`);
  }
}

export class GuardrailNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "guardrail_name_taken";
  readonly fieldErrors = { name: ["is already the name of another guardrail"] };
  constructor(name: string) {
    super(`Another guardrail is already named "${name}".`);
  }
}

/** Denied patterns RE2 cannot compile, each on its line of the field's error; nothing was saved. */
export class GuardrailPatternsInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "guardrail_patterns_invalid";
  readonly fieldErrors: Record<string, string[]>;
  constructor(problems: string[]) {
    super(`The guardrail cannot be saved: ${problems.join(" ")}`);
    this.fieldErrors = { deniedPatterns: [problems.join("\n")] };
  }
}

/** The server's check of denied patterns (the browser checks only their length). */
function assertPatternsCompile(patterns: readonly string[]) {
  const problems = patternProblems(patterns);
  if (problems.length) throw new GuardrailPatternsInvalidError(problems);
}

/** A change to the tenant's guardrails, and who makes it (the entry written with the change). */
type Scope = { tenantId: string; audit: AuditContext };
type GuardrailScope = Scope & { guardrailId: string };

const LABELS = {
  name: "Name",
  description: "Description",
  deniedTerms: "Denied terms",
  deniedPatterns: "Denied patterns",
  pii: "Personal data",
  maxDeliverableChars: "Maximum deliverable size",
  isTenantDefault: "Tenant default",
} as const;

const PII_LABELS: Record<GuardrailRules["pii"], string> = {
  off: "not checked",
  mask: "masked",
  block: "blocked",
};

type Described = {
  name: string;
  description: string;
  rules: GuardrailRules;
  isTenantDefault: boolean;
};

/** A guardrail as the audit log shows it. */
const auditView = (guardrail: Described) => ({
  name: guardrail.name,
  description: guardrail.description,
  deniedTerms: guardrail.rules.deniedTerms,
  deniedPatterns: guardrail.rules.deniedPatterns,
  pii: PII_LABELS[guardrail.rules.pii],
  maxDeliverableChars:
    guardrail.rules.maxDeliverableChars === null
      ? "no limit"
      : `${guardrail.rules.maxDeliverableChars} characters`,
  isTenantDefault: guardrail.isTenantDefault,
});

export const rulesOf = (input: GuardrailRulesInput): GuardrailRules => ({
  deniedTerms: input.deniedTerms,
  deniedPatterns: input.deniedPatterns,
  pii: input.pii,
  maxDeliverableChars: input.maxDeliverableChars,
});

const describedOf = (input: GuardrailInput): Described => ({
  name: input.name,
  description: input.description,
  rules: rulesOf(input),
  isTenantDefault: input.isTenantDefault,
});

function guardrailAudit(
  scope: Scope,
  action: Extract<AuditAction, `guardrail.${string}`>,
  guardrailId: string,
  metadata: Record<string, unknown>,
) {
  return {
    tenantId: scope.tenantId,
    ...scope.audit,
    action,
    target: { type: "guardrail", id: guardrailId },
    metadata,
  };
}

/** Writes a guardrail's row; a lost race for its name is the same conflict as a name seen taken. */
// Only the name's index: the other, one default per tenant, is lost only to a concurrent save.
const writing = <T>(name: string, write: () => Promise<T>): Promise<T> =>
  write().catch(
    nameRaceAsConflict("guardrails_tenant_id_name_index", () => new GuardrailNameTakenError(name)),
  );

async function assertNameFree(tx: Transaction, tenantId: string, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: guardrails.id })
    .from(guardrails)
    .where(
      and(
        eq(guardrails.tenantId, tenantId),
        eq(guardrails.name, name),
        exceptId ? ne(guardrails.id, exceptId) : undefined,
      ),
    );
  if (taken) throw new GuardrailNameTakenError(name);
}

/**
 * Makes `guardrailId` the only tenant default: the previous one, if another, stops being it in
 * the same transaction (the partial unique index allows one), with its own audit entry.
 */
async function takeOverDefault(tx: Transaction, scope: Scope, guardrailId: string | null) {
  const previous = await tx
    .update(guardrails)
    .set({ isTenantDefault: false, updatedAt: new Date() })
    .where(
      and(
        eq(guardrails.tenantId, scope.tenantId),
        eq(guardrails.isTenantDefault, true),
        guardrailId ? ne(guardrails.id, guardrailId) : undefined,
      ),
    )
    .returning({ id: guardrails.id, name: guardrails.name });
  for (const row of previous)
    await recordAudit(
      tx,
      guardrailAudit(scope, "guardrail.update", row.id, {
        name: row.name,
        changes: auditChanges(
          { isTenantDefault: true },
          { isTenantDefault: false },
          { isTenantDefault: LABELS.isTenantDefault },
        ),
      }),
    );
}

export async function createGuardrail(db: Database, scope: Scope, input: GuardrailInput) {
  assertPatternsCompile(input.deniedPatterns);
  return writing(input.name, () =>
    db.transaction(async (tx) => {
      await assertNameFree(tx, scope.tenantId, input.name);
      if (input.isTenantDefault) await takeOverDefault(tx, scope, null);
      const [created] = await tx
        .insert(guardrails)
        .values({ tenantId: scope.tenantId, ...describedOf(input) })
        .returning({ id: guardrails.id });
      if (!created) throw new Error("insert returned no row");
      await recordAudit(
        tx,
        guardrailAudit(scope, "guardrail.create", created.id, {
          name: input.name,
          changes: auditChanges(null, auditView(describedOf(input)), LABELS),
        }),
      );
      return created;
    }),
  );
}

export async function updateGuardrail(db: Database, scope: GuardrailScope, input: GuardrailInput) {
  assertPatternsCompile(input.deniedPatterns);
  return writing(input.name, () =>
    db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(guardrails)
        .where(and(eq(guardrails.id, scope.guardrailId), eq(guardrails.tenantId, scope.tenantId)))
        .for("update");
      if (!current) throw new GuardrailNotFoundError(scope.guardrailId);
      await assertNameFree(tx, scope.tenantId, input.name, current.id);
      if (input.isTenantDefault && !current.isTenantDefault)
        await takeOverDefault(tx, scope, current.id);
      await tx
        .update(guardrails)
        .set({ ...describedOf(input), updatedAt: new Date() })
        .where(eq(guardrails.id, current.id));
      const changes = auditChanges(auditView(current), auditView(describedOf(input)), LABELS);
      if (changes.length)
        await recordAudit(
          tx,
          guardrailAudit(scope, "guardrail.update", current.id, { name: input.name, changes }),
        );
      return { id: current.id };
    }),
  );
}

/** A copy under a free name ("… (copy)"), never the tenant default. */
export async function duplicateGuardrail(db: Database, scope: GuardrailScope) {
  const [source] = await db
    .select()
    .from(guardrails)
    .where(and(eq(guardrails.id, scope.guardrailId), eq(guardrails.tenantId, scope.tenantId)));
  if (!source) throw new GuardrailNotFoundError(scope.guardrailId);
  const names = await db
    .select({ name: guardrails.name })
    .from(guardrails)
    .where(eq(guardrails.tenantId, scope.tenantId));
  const copy: Described = {
    name: copyName(source.name, new Set(names.map((row) => row.name))),
    description: source.description,
    rules: source.rules,
    isTenantDefault: false,
  };
  return writing(copy.name, () =>
    db.transaction(async (tx) => {
      const [created] = await tx
        .insert(guardrails)
        .values({ tenantId: scope.tenantId, ...copy })
        .returning({ id: guardrails.id });
      if (!created) throw new Error("insert returned no row");
      await recordAudit(
        tx,
        guardrailAudit(scope, "guardrail.create", created.id, {
          name: copy.name,
          copiedFrom: source.name,
          changes: auditChanges(null, auditView(copy), LABELS),
        }),
      );
      return created;
    }),
  );
}

/** Deletes a guardrail; the templates that named it fall back to the tenant default (set null). */
export async function deleteGuardrail(db: Database, scope: GuardrailScope) {
  return db.transaction(async (tx) => {
    const fallingBack = await tx
      .select({ name: agentTemplates.name })
      .from(agentTemplates)
      .where(
        and(
          eq(agentTemplates.guardrailId, scope.guardrailId),
          eq(agentTemplates.tenantId, scope.tenantId),
        ),
      )
      .orderBy(asc(agentTemplates.name));
    const [deleted] = await tx
      .delete(guardrails)
      .where(and(eq(guardrails.id, scope.guardrailId), eq(guardrails.tenantId, scope.tenantId)))
      .returning();
    if (!deleted) throw new GuardrailNotFoundError(scope.guardrailId);
    await recordAudit(
      tx,
      guardrailAudit(scope, "guardrail.delete", deleted.id, {
        name: deleted.name,
        templatesFallingBack: fallingBack.map((row) => row.name),
        changes: auditChanges(auditView(deleted), null, LABELS),
      }),
    );
  });
}

/**
 * The templates that name each guardrail, by name. The outer row's columns are spelled out:
 * drizzle leaves them unqualified in a one-table select, where `id` would mean the template's.
 */
const templatesUsing = sql<{ id: string; name: string }[]>`coalesce((
  select json_agg(json_build_object('id', ${agentTemplates.id}, 'name', ${agentTemplates.name}) order by ${agentTemplates.name})
  from ${agentTemplates}
  where ${agentTemplates.guardrailId} = "guardrails"."id" and ${agentTemplates.tenantId} = "guardrails"."tenant_id"
), '[]')`;

const guardrailColumns = {
  id: guardrails.id,
  name: guardrails.name,
  description: guardrails.description,
  rules: guardrails.rules,
  isTenantDefault: guardrails.isTenantDefault,
  updatedAt: guardrails.updatedAt,
  templates: templatesUsing,
};

/** The tenant's guardrails, by name, with the templates that use each. */
export async function listGuardrails(db: Database, tenantId: string) {
  return db
    .select(guardrailColumns)
    .from(guardrails)
    .where(eq(guardrails.tenantId, tenantId))
    .orderBy(asc(guardrails.name), asc(guardrails.id));
}

export async function getGuardrail(db: Database, tenantId: string, guardrailId: string) {
  const [guardrail] = await db
    .select(guardrailColumns)
    .from(guardrails)
    .where(and(eq(guardrails.id, guardrailId), eq(guardrails.tenantId, tenantId)));
  if (!guardrail) throw new GuardrailNotFoundError(guardrailId);
  return guardrail;
}
