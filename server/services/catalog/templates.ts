import "server-only";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import { isForeignKeyViolation } from "@/server/db/errors";
import type { AuditAction } from "@/lib/enums";
import type { TemplateInput } from "@/lib/schemas/templates";
import { missingModelSettings, modelProviders } from "@/server/agent/models";
import type { Database, Transaction } from "@/server/db/client";
import { agents, agentTemplates, guardrails } from "@/server/db/schema";
import { env } from "@/server/env";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { TemplateNotFoundError } from "./agent-config";
import { copyName, nameRaceAsConflict } from "./names";
import { GuardrailNotFoundError } from "./guardrails";
import { maxTimeoutSeconds } from "./template-options";
import { auditView, LABELS } from "./template-audit";

export class TemplateNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "template_name_taken";
  readonly fieldErrors = { name: ["is already the name of another template"] };
  constructor(name: string) {
    super(`Another template is already named "${name}".`);
  }
}

export class TemplateInUseError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "template_in_use";
  constructor(name: string, agentNames: string[]) {
    super(
      `Template "${name}" is used by ${agentNames.length === 1 ? "agent" : "agents"} ${agentNames
        .map((agent) => `"${agent}"`)
        .join(", ")}. Move them to another template first.`,
    );
  }
}

export class TemplateInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "template_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super("The template was not saved: check the fields marked.");
  }
}

type Scope = { tenantId: string; audit: AuditContext };
type TemplateScope = Scope & { templateId: string };

function templateAudit(
  scope: Scope,
  action: Extract<AuditAction, `template.${string}`>,
  templateId: string,
  metadata: Record<string, unknown>,
) {
  return {
    tenantId: scope.tenantId,
    ...scope.audit,
    action,
    target: { type: "template", id: templateId },
    metadata,
  };
}

/** What only the server can check: the provider, the deployment's timeout bound, the guardrail. */
async function validated(tx: Transaction, tenantId: string, input: TemplateInput) {
  const errors: Record<string, string[]> = {};
  if (input.defaultModel !== null && missingModelSettings(input.defaultModel) === null)
    errors.defaultModel = [
      `names an unknown provider; use one of ${modelProviders()
        .map((provider) => provider.id)
        .join(", ")}`,
    ];
  const maxTimeout = maxTimeoutSeconds();
  if (input.timeoutSeconds > maxTimeout)
    errors.timeoutSeconds = [
      `must be at most ${maxTimeout}: runs still going after ${env.RUN_STALE_AFTER_SECONDS} s are judged stuck`,
    ];
  if (Object.keys(errors).length) throw new TemplateInvalidError(errors);
  if (input.guardrailId === null) return { guardrailName: null };
  const [guardrail] = await tx
    .select({ name: guardrails.name })
    .from(guardrails)
    .where(and(eq(guardrails.id, input.guardrailId), eq(guardrails.tenantId, tenantId)));
  if (!guardrail)
    throw new GuardrailNotFoundError(input.guardrailId, {
      guardrailId: ["was not found; choose another guardrail"],
    });
  return { guardrailName: guardrail.name };
}

async function assertNameFree(tx: Transaction, tenantId: string, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: agentTemplates.id })
    .from(agentTemplates)
    .where(
      and(
        eq(agentTemplates.tenantId, tenantId),
        eq(agentTemplates.name, name),
        exceptId ? ne(agentTemplates.id, exceptId) : undefined,
      ),
    );
  if (taken) throw new TemplateNameTakenError(name);
}

/** Writes a template's row; a lost race for its name is the same conflict as a name seen taken. */
const writing = <T>(name: string, write: () => Promise<T>): Promise<T> =>
  write().catch(
    nameRaceAsConflict(
      "agent_templates_tenant_id_name_index",
      () => new TemplateNameTakenError(name),
    ),
  );

const columnsOf = (input: TemplateInput) => ({
  name: input.name,
  description: input.description,
  systemPrompt: input.systemPrompt,
  defaultModel: input.defaultModel,
  blockedTools: [...new Set(input.blockedTools)],
  guardrailId: input.guardrailId,
  maxSteps: input.maxSteps,
  timeoutSeconds: input.timeoutSeconds,
  approvalTools: [...new Set(input.approvalTools)],
  approveDeliverable: input.approveDeliverable,
  approvalTimeoutSeconds: input.approvalTimeoutSeconds,
});

export async function createTemplate(db: Database, scope: Scope, input: TemplateInput) {
  return writing(input.name, () =>
    db.transaction(async (tx) => {
      const { guardrailName } = await validated(tx, scope.tenantId, input);
      await assertNameFree(tx, scope.tenantId, input.name);
      const columns = columnsOf(input);
      const [created] = await tx
        .insert(agentTemplates)
        .values({ tenantId: scope.tenantId, ...columns })
        .returning({ id: agentTemplates.id });
      if (!created) throw new Error("insert returned no row");
      await recordAudit(
        tx,
        templateAudit(scope, "template.create", created.id, {
          name: input.name,
          changes: auditChanges(null, auditView({ ...columns, guardrailName }), LABELS),
        }),
      );
      return created;
    }),
  );
}

/** The template's row with its guardrail's name, locked for the change. */
async function storedTemplate(tx: Transaction, scope: TemplateScope) {
  const [row] = await tx
    .select({ template: agentTemplates, guardrailName: guardrails.name })
    .from(agentTemplates)
    .leftJoin(
      guardrails,
      and(eq(guardrails.id, agentTemplates.guardrailId), eq(guardrails.tenantId, scope.tenantId)),
    )
    .where(
      and(eq(agentTemplates.id, scope.templateId), eq(agentTemplates.tenantId, scope.tenantId)),
    )
    .for("update", { of: agentTemplates });
  if (!row) throw new TemplateNotFoundError(scope.templateId);
  return { ...row.template, guardrailName: row.guardrailName };
}

export async function updateTemplate(db: Database, scope: TemplateScope, input: TemplateInput) {
  return writing(input.name, () =>
    db.transaction(async (tx) => {
      const current = await storedTemplate(tx, scope);
      const { guardrailName } = await validated(tx, scope.tenantId, input);
      await assertNameFree(tx, scope.tenantId, input.name, current.id);
      const columns = columnsOf(input);
      await tx
        .update(agentTemplates)
        .set({ ...columns, updatedAt: new Date() })
        .where(eq(agentTemplates.id, current.id));
      const changes = auditChanges(
        auditView(current),
        auditView({ ...columns, guardrailName }),
        LABELS,
      );
      if (changes.length)
        await recordAudit(
          tx,
          templateAudit(scope, "template.update", current.id, { name: input.name, changes }),
        );
      return { id: current.id };
    }),
  );
}

/** A copy under a free name ("… (copy)"). */
export async function duplicateTemplate(db: Database, scope: TemplateScope) {
  return db.transaction(async (tx) => {
    const source = await storedTemplate(tx, scope);
    const names = await tx
      .select({ name: agentTemplates.name })
      .from(agentTemplates)
      .where(eq(agentTemplates.tenantId, scope.tenantId));
    const name = copyName(source.name, new Set(names.map((row) => row.name)));
    const columns = { ...columnsOf(source), name };
    const [created] = await writing(name, () =>
      tx
        .insert(agentTemplates)
        .values({ tenantId: scope.tenantId, ...columns })
        .returning({ id: agentTemplates.id }),
    );
    if (!created) throw new Error("insert returned no row");
    await recordAudit(
      tx,
      templateAudit(scope, "template.create", created.id, {
        name,
        copiedFrom: source.name,
        changes: auditChanges(
          null,
          auditView({ ...columns, guardrailName: source.guardrailName }),
          LABELS,
        ),
      }),
    );
    return created;
  });
}

/** Deletes a template no agent uses; while agents use it, the refusal names them. */
export async function deleteTemplate(db: Database, scope: TemplateScope) {
  try {
    await db.transaction(async (tx) => {
      const current = await storedTemplate(tx, scope);
      const users = await agentsUsing(tx, scope);
      if (users.length) throw new TemplateInUseError(current.name, users);
      await tx.delete(agentTemplates).where(eq(agentTemplates.id, current.id));
      await recordAudit(
        tx,
        templateAudit(scope, "template.delete", current.id, {
          name: current.name,
          changes: auditChanges(auditView(current), null, LABELS),
        }),
      );
    });
  } catch (error) {
    // An agent given this template after the check: the foreign key refuses, the answer is the same.
    if (!isForeignKeyViolation(error)) throw error;
    const template = await getTemplate(db, scope.tenantId, scope.templateId);
    throw new TemplateInUseError(
      template.name,
      template.agents.map((agent) => agent.name),
    );
  }
}

async function agentsUsing(tx: Transaction, scope: TemplateScope) {
  const rows = await tx
    .select({ name: agents.name })
    .from(agents)
    .where(and(eq(agents.templateId, scope.templateId), eq(agents.tenantId, scope.tenantId)))
    .orderBy(asc(agents.name));
  return rows.map((row) => row.name);
}

/** The agents that use each template, by name. */
const agentsOfTemplate = sql<{ id: string; name: string }[]>`coalesce((
  select json_agg(json_build_object('id', ${agents.id}, 'name', ${agents.name}) order by ${agents.name})
  from ${agents}
  where ${agents.templateId} = ${agentTemplates.id} and ${agents.tenantId} = ${agentTemplates.tenantId}
), '[]')`;

function selectTemplates(db: Database, tenantId: string, templateId?: string) {
  return db
    .select({
      id: agentTemplates.id,
      name: agentTemplates.name,
      description: agentTemplates.description,
      systemPrompt: agentTemplates.systemPrompt,
      defaultModel: agentTemplates.defaultModel,
      blockedTools: agentTemplates.blockedTools,
      maxSteps: agentTemplates.maxSteps,
      timeoutSeconds: agentTemplates.timeoutSeconds,
      approvalTools: agentTemplates.approvalTools,
      approveDeliverable: agentTemplates.approveDeliverable,
      approvalTimeoutSeconds: agentTemplates.approvalTimeoutSeconds,
      updatedAt: agentTemplates.updatedAt,
      guardrail: { id: guardrails.id, name: guardrails.name },
      agents: agentsOfTemplate,
    })
    .from(agentTemplates)
    .leftJoin(
      guardrails,
      and(eq(guardrails.id, agentTemplates.guardrailId), eq(guardrails.tenantId, tenantId)),
    )
    .where(
      and(
        eq(agentTemplates.tenantId, tenantId),
        templateId ? eq(agentTemplates.id, templateId) : undefined,
      ),
    )
    .orderBy(asc(agentTemplates.name), asc(agentTemplates.id));
}

/** The tenant's templates, by name, with their guardrail and the agents that use each. */
export async function listTemplates(db: Database, tenantId: string) {
  return selectTemplates(db, tenantId);
}

export async function getTemplate(db: Database, tenantId: string, templateId: string) {
  const [template] = await selectTemplates(db, tenantId, templateId);
  if (!template) throw new TemplateNotFoundError(templateId);
  return template;
}
