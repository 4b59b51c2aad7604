import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { ApprovalPolicy, GuardrailRules } from "@/server/agent/config";
import { users } from "./auth";
import { createdAt, id, tenantId, tsvector, updatedAt, jsonbValue } from "./columns";
import { skills } from "./skills";

export const guardrails = pgTable(
  "guardrails",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    rules: jsonbValue().$type<GuardrailRules>().notNull(),
    isTenantDefault: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.name),
    uniqueIndex("guardrails_one_default_per_tenant")
      .on(t.tenantId)
      .where(sql`${t.isTenantDefault}`),
  ],
);

export const agentTemplates = pgTable(
  "agent_templates",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    systemPrompt: text().notNull(),
    /** Null: the deployment default, SKILLRUN_DEFAULT_MODEL, resolved at run time. */
    defaultModel: text(),
    blockedTools: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    guardrailId: uuid().references(() => guardrails.id, { onDelete: "set null" }),
    maxSteps: integer().notNull().default(8),
    timeoutSeconds: integer().notNull().default(300),
    /** Tools a person approves before each call: built-in names or MCP `server:tool` patterns. */
    approvalTools: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The final deliverable waits for a person's approval before the run completes. */
    approveDeliverable: boolean().notNull().default(false),
    /** How long a run waits for a decision before it fails with `approval_timeout`. */
    approvalTimeoutSeconds: integer().notNull().default(86_400),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex().on(t.tenantId, t.name)],
);

export const agents = pgTable(
  "agents",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    templateId: uuid()
      .notNull()
      .references(() => agentTemplates.id, { onDelete: "restrict" }),
    modelOverride: text(),
    pairedUserId: text().references(() => users.id, { onDelete: "set null" }),
    /** The agent's own approval policy; null: its template's (the default). */
    approvalPolicy: jsonbValue().$type<ApprovalPolicy>(),
    isDefault: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.name),
    uniqueIndex("agents_one_default_per_tenant")
      .on(t.tenantId)
      .where(sql`${t.isDefault}`),
  ],
);

export const agentSkills = pgTable(
  "agent_skills",
  {
    agentId: uuid()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.skillId] }), index().on(t.skillId)],
);

export const mcpServers = pgTable(
  "mcp_servers",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    url: text().notNull(),
    /** Secret: sent as the Authorization header; never leaves the server or enters a run snapshot. */
    authToken: text(),
    enabled: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex().on(t.tenantId, t.name)],
);

export const agentMcpServers = pgTable(
  "agent_mcp_servers",
  {
    agentId: uuid()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    mcpServerId: uuid()
      .notNull()
      .references(() => mcpServers.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.mcpServerId] }), index().on(t.mcpServerId)],
);

export const knowledgeBases = pgTable(
  "knowledge_bases",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex().on(t.tenantId, t.name)],
);

export const kbDocuments = pgTable(
  "kb_documents",
  {
    id: id(),
    tenantId: tenantId(),
    knowledgeBaseId: uuid()
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    title: text().notNull(),
    content: text().notNull(),
    searchVector: tsvector()
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')`,
      ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index().on(t.knowledgeBaseId),
    index("kb_documents_search_idx").using("gin", t.searchVector),
  ],
);

export const agentKnowledgeBases = pgTable(
  "agent_knowledge_bases",
  {
    agentId: uuid()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    knowledgeBaseId: uuid()
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.knowledgeBaseId] }), index().on(t.knowledgeBaseId)],
);
