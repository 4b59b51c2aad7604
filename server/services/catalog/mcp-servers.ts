import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { auditChanges, type AuditValue } from "@/lib/audit-changes";
import type { AuditAction } from "@/lib/enums";
import type {
  CreateMcpServerInput,
  McpServerInput,
  McpTokenChange,
} from "@/lib/schemas/mcp-servers";
import { redactUrl } from "@/server/agent/redact-url";
import { secretMarker, secretMarkerAfterEdit } from "@/server/crypto/secret-summary";
import { encryptSecret } from "@/server/crypto/secrets";
import type { Database, Transaction } from "@/server/db/client";
import { agentMcpServers, agents, mcpServers } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { cannotBeSaved, ServiceError } from "@/server/services/errors";
import { checkMcpUrl, sameOrigin } from "./mcp-server-url";
import { nameRaceAsConflict } from "./names";

export class McpServerNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "mcp_server_not_found";
  constructor(mcpServerId: string) {
    super(`MCP server ${mcpServerId} was not found.`);
  }
}

export class McpServerNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "mcp_server_name_taken";
  readonly fieldErrors = { name: ["is already the name of another MCP server"] };
  constructor(name: string) {
    super(`An MCP server named "${name}" already exists.`);
  }
}

export class McpServerInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "mcp_server_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(
      cannotBeSaved("The MCP server", fieldErrors, {
        name: "Name",
        url: "URL",
        authToken: "Token",
      }),
    );
  }
}

/** What the console shows of a server: never its token, only whether it has one. */
function selectServers(db: Database, tenantId: string, mcpServerId?: string) {
  return db
    .select({
      id: mcpServers.id,
      name: mcpServers.name,
      url: mcpServers.url,
      enabled: mcpServers.enabled,
      hasToken: sql<boolean>`${mcpServers.authToken} is not null`,
      createdAt: mcpServers.createdAt,
      updatedAt: mcpServers.updatedAt,
      /** The agents that use it (deleting the server removes it from them). The outer id is
       *  spelled out: drizzle leaves a lone table's columns unqualified, and agents has an id too. */
      agents: sql<{ id: string; name: string }[]>`coalesce((
        select json_agg(json_build_object('id', ${agents.id}, 'name', ${agents.name}) order by ${agents.name})
        from ${agentMcpServers} join ${agents} on ${agents.id} = ${agentMcpServers.agentId}
        where ${agentMcpServers.mcpServerId} = ${mcpServers}.${sql.identifier("id")} and ${agents.tenantId} = ${tenantId}
      ), '[]')`,
    })
    .from(mcpServers)
    .where(
      and(
        eq(mcpServers.tenantId, tenantId),
        mcpServerId ? eq(mcpServers.id, mcpServerId) : undefined,
      ),
    )
    .orderBy(asc(mcpServers.name), asc(mcpServers.id));
}

/**
 * URLs can hold credentials (a path or query token), so only those who may edit a server see
 * its whole URL; everyone else sees scheme, host and port, as a run's snapshot shows it.
 */
const shownTo =
  (fullUrls: boolean) => (server: Awaited<ReturnType<typeof selectServers>>[number]) =>
    fullUrls ? server : { ...server, url: redactUrl(server.url) };

export async function listMcpServers(db: Database, tenantId: string, fullUrls: boolean) {
  return (await selectServers(db, tenantId)).map(shownTo(fullUrls));
}

export async function getMcpServer(
  db: Database,
  tenantId: string,
  mcpServerId: string,
  fullUrls: boolean,
) {
  const [server] = await selectServers(db, tenantId, mcpServerId);
  if (!server) throw new McpServerNotFoundError(mcpServerId);
  return shownTo(fullUrls)(server);
}

type McpServerScope = { tenantId: string; audit: AuditContext };

const AUDIT_LABELS = { name: "Name", url: "URL", token: "Auth token", enabled: "Enabled" };
type Audited = Partial<Record<keyof typeof AUDIT_LABELS, AuditValue>>;

async function recordMcpAudit(
  tx: Transaction,
  scope: McpServerScope,
  action: Extract<AuditAction, `mcp_server.${string}`>,
  server: { id: string; name: string },
  before: Audited | null,
  after: Audited | null,
) {
  await recordAudit(tx, {
    tenantId: scope.tenantId,
    ...scope.audit,
    action,
    target: { type: "mcp_server", id: server.id },
    // URLs are shown as scheme and host: the rest may hold a credential.
    metadata: { name: server.name, changes: auditChanges(before, after, AUDIT_LABELS) },
  });
}

async function refuseTakenName(
  db: Database | Transaction,
  tenantId: string,
  name: string,
  except?: string,
) {
  const [taken] = await db
    .select({ id: mcpServers.id })
    .from(mcpServers)
    .where(and(eq(mcpServers.tenantId, tenantId), eq(mcpServers.name, name)));
  if (taken && taken.id !== except) throw new McpServerNameTakenError(name);
}

/** Refuses the save, saying why, unless the URL passes the outbound check (run again at connect). */
async function refuseUnreachableUrl(url: string) {
  const refusal = await checkMcpUrl(url);
  if (refusal) throw new McpServerInvalidError({ url: [refusal] });
}

export async function createMcpServer(
  db: Database,
  scope: McpServerScope,
  input: CreateMcpServerInput,
) {
  await refuseUnreachableUrl(input.url);
  return db
    .transaction(async (tx) => {
      await refuseTakenName(tx, scope.tenantId, input.name);
      const [created] = await tx
        .insert(mcpServers)
        .values({
          tenantId: scope.tenantId,
          name: input.name,
          url: input.url,
          authToken: input.authToken ? encryptSecret(input.authToken) : null,
        })
        .returning({ id: mcpServers.id, name: mcpServers.name });
      await recordMcpAudit(tx, scope, "mcp_server.create", created!, null, {
        name: input.name,
        url: redactUrl(input.url),
        token: secretMarker(Boolean(input.authToken)),
        enabled: true,
      });
      return { id: created!.id };
    })
    .catch(
      nameRaceAsConflict(
        "mcp_servers_tenant_id_name_index",
        () => new McpServerNameTakenError(input.name),
      ),
    );
}

/**
 * Edits a server. The token is write-only: kept, replaced or removed, never read back. Keeping
 * it while the URL moves to another origin is refused: the token was given for the old server,
 * and sending it to a new one must be a decision, not a side effect of an edit.
 */
export async function updateMcpServer(
  db: Database,
  scope: McpServerScope & { mcpServerId: string },
  input: { server: McpServerInput; token: McpTokenChange },
) {
  await refuseUnreachableUrl(input.server.url);
  await db
    .transaction(async (tx) => {
      const [current] = await tx
        .select({
          name: mcpServers.name,
          url: mcpServers.url,
          hasToken: sql<boolean>`${mcpServers.authToken} is not null`,
        })
        .from(mcpServers)
        .where(and(eq(mcpServers.id, scope.mcpServerId), eq(mcpServers.tenantId, scope.tenantId)))
        .for("update");
      if (!current) throw new McpServerNotFoundError(scope.mcpServerId);
      if (
        input.token.action === "keep" &&
        current.hasToken &&
        !sameOrigin(current.url, input.server.url)
      )
        throw new McpServerInvalidError({
          authToken: [
            "was given for the server at the old URL: enter the new server's token, or remove the token",
          ],
        });
      await refuseTakenName(tx, scope.tenantId, input.server.name, scope.mcpServerId);
      const { token } = input;
      await tx
        .update(mcpServers)
        .set({
          name: input.server.name,
          url: input.server.url,
          ...(token.action === "replace" ? { authToken: encryptSecret(token.value) } : {}),
          ...(token.action === "remove" ? { authToken: null } : {}),
          updatedAt: new Date(),
        })
        .where(eq(mcpServers.id, scope.mcpServerId));
      await recordMcpAudit(
        tx,
        scope,
        "mcp_server.update",
        { id: scope.mcpServerId, name: input.server.name },
        { name: current.name, url: redactUrl(current.url), token: secretMarker(current.hasToken) },
        {
          name: input.server.name,
          url:
            current.url !== input.server.url && sameOrigin(current.url, input.server.url)
              ? `${redactUrl(input.server.url)} (path changed)`
              : redactUrl(input.server.url),
          token: secretMarkerAfterEdit({
            kept: token.action === "keep",
            had: current.hasToken,
            has: token.action === "replace",
          }),
        },
      );
    })
    .catch(
      nameRaceAsConflict(
        "mcp_servers_tenant_id_name_index",
        () => new McpServerNameTakenError(input.server.name),
      ),
    );
}

/** Enabling an enabled server (or disabling a disabled one) changes nothing and logs nothing. */
export async function setMcpServerEnabled(
  db: Database,
  scope: McpServerScope & { mcpServerId: string },
  enabled: boolean,
) {
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ name: mcpServers.name, enabled: mcpServers.enabled })
      .from(mcpServers)
      .where(and(eq(mcpServers.id, scope.mcpServerId), eq(mcpServers.tenantId, scope.tenantId)))
      .for("update");
    if (!current) throw new McpServerNotFoundError(scope.mcpServerId);
    if (current.enabled === enabled) return;
    await tx
      .update(mcpServers)
      .set({ enabled, updatedAt: new Date() })
      .where(eq(mcpServers.id, scope.mcpServerId));
    await recordMcpAudit(
      tx,
      scope,
      enabled ? "mcp_server.enable" : "mcp_server.disable",
      { id: scope.mcpServerId, name: current.name },
      { enabled: current.enabled },
      { enabled },
    );
  });
}

/** Deletes a server; the agents that used it lose it (their links cascade). */
export async function deleteMcpServer(
  db: Database,
  scope: McpServerScope & { mcpServerId: string },
) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(mcpServers)
      .where(and(eq(mcpServers.id, scope.mcpServerId), eq(mcpServers.tenantId, scope.tenantId)))
      .returning({
        id: mcpServers.id,
        name: mcpServers.name,
        url: mcpServers.url,
        hasToken: sql<boolean>`${mcpServers.authToken} is not null`,
        enabled: mcpServers.enabled,
      });
    if (!deleted) throw new McpServerNotFoundError(scope.mcpServerId);
    await recordMcpAudit(
      tx,
      scope,
      "mcp_server.delete",
      deleted,
      {
        name: deleted.name,
        url: redactUrl(deleted.url),
        token: secretMarker(deleted.hasToken),
        enabled: deleted.enabled,
      },
      null,
    );
  });
}
