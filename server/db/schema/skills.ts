import type { InputsSchema, PropertySchema } from "@/lib/skill-inputs";
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  json,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tenants, users } from "./auth";
import { createdAt, id, updatedAt, jsonbValue } from "./columns";
import { skillOriginEnum } from "./enums";

export type SkillReferenceFile = { path: string; content: string };
/** A JSON Schema (draft 2020-12 subset) describing a skill's inputs; always `type: "object"`. */
export type SkillInputsSchema = InputsSchema & {
  type: "object";
  properties: Record<string, PropertySchema>;
};

/**
 * A skill is global (tenant_id null, the built-in catalog from `skills/`) or owned by one
 * tenant. The slug is unique within its scope among skills not deleted. The row holds the
 * current version; every version ever saved, the current one included, is in `skill_versions`.
 * A tenant's skill is deleted softly (`deleted_at`): its runs still point at it, and its slug is
 * free for a new skill.
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
    referenceFiles: jsonbValue().$type<SkillReferenceFile[]>().notNull().default([]),
    enabled: boolean().notNull().default(true),
    deletedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("skills_global_slug_key")
      .on(t.slug)
      .where(sql`${t.tenantId} is null`),
    uniqueIndex("skills_tenant_slug_key")
      .on(t.tenantId, t.slug)
      .where(sql`${t.tenantId} is not null and ${t.deletedAt} is null`),
    index().on(t.tenantId, t.name),
  ],
);

/**
 * Every saved version of a skill, immutable: what a run pinned (`skill_runs.skill_version` is a
 * `version_hash` here) stays readable after the skill moves on. Saving an old version again (a
 * roll back) adds a row with that old hash, so the list says who rolled back and when.
 */
export const skillVersions = pgTable(
  "skill_versions",
  {
    id: id(),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "cascade" }),
    versionHash: text().notNull(),
    name: text().notNull(),
    description: text().notNull(),
    inputsSchema: json().$type<SkillInputsSchema>().notNull(),
    instructions: text().notNull(),
    referenceFiles: jsonbValue().$type<SkillReferenceFile[]>().notNull().default([]),
    /** Who saved it; null for the built-in catalog (synced from `skills/`) and deleted users. */
    createdByUserId: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.skillId, t.versionHash), index().on(t.skillId, t.createdAt)],
);
