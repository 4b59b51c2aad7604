import type { InputsSchema, PropertySchema } from "@/lib/skill-inputs";
import { sql } from "drizzle-orm";
import { boolean, index, json, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tenants } from "./auth";
import { createdAt, id, updatedAt } from "./columns";
import { skillOriginEnum } from "./enums";

export type SkillReferenceFile = { path: string; content: string };
/** A JSON Schema (draft 2020-12 subset) describing a skill's inputs; always `type: "object"`. */
export type SkillInputsSchema = InputsSchema & {
  type: "object";
  properties: Record<string, PropertySchema>;
};

/**
 * A skill is global (tenant_id null, the built-in catalog from `skills/`) or owned by one
 * tenant. The slug is unique within its scope.
 */
export const skills = pgTable(
  "skills",
  {
    id: id(),
    tenantId: text().references(() => tenants.id, { onDelete: "cascade" }),
    origin: skillOriginEnum().notNull(),
    slug: text().notNull(),
    name: text().notNull(),
    description: text().notNull(),
    versionHash: text().notNull(),
    // json, not jsonb: jsonb reorders keys, and the form shows inputs in the order SKILL.md declares them.
    inputsSchema: json().$type<SkillInputsSchema>().notNull(),
    // Derived from inputsSchema by whoever writes the skill (summaryOrderOf / titleInputOf in
    // lib/skill-inputs) so that run lists, a hot keyset-paginated query, order and title each
    // row's inputs without parsing the json schema per row. No default: a writer must set it.
    summaryOrder: text().array().notNull(),
    titleInput: text(),
    instructions: text().notNull(),
    referenceFiles: jsonb().$type<SkillReferenceFile[]>().notNull().default([]),
    enabled: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("skills_global_slug_key")
      .on(t.slug)
      .where(sql`${t.tenantId} is null`),
    uniqueIndex("skills_tenant_slug_key")
      .on(t.tenantId, t.slug)
      .where(sql`${t.tenantId} is not null`),
    index().on(t.tenantId, t.name),
  ],
);
