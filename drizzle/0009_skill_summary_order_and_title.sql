-- Edited after generation (drizzle-kit writes a bare NOT NULL, which fails on a non-empty table):
-- the column starts with a default, is filled in, and loses the default, ending as the snapshot says.
ALTER TABLE "skills" ADD COLUMN "summary_order" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "skills" ADD COLUMN "title_input" text;--> statement-breakpoint
-- Skills stored before: the rules of lib/skill-inputs/summary.ts as they were when this was written
-- (required inputs first, each group in declared order, which json keeps; the title is the first
-- required string input that is no enum, date or time, as no schema could carry x-skillrun-title yet). The catalog sync
-- recomputes both for built-in skills on every start.
UPDATE "skills" SET
  "summary_order" = ARRAY(
    SELECT "input"."name"
    FROM json_object_keys("inputs_schema" -> 'properties') WITH ORDINALITY AS "input"("name", "position")
    ORDER BY NOT EXISTS (SELECT FROM json_array_elements_text(coalesce("inputs_schema" -> 'required', '[]')) AS "required"("name") WHERE "required"."name" = "input"."name"), "input"."position"
  ),
  "title_input" = (
    SELECT "input"."name"
    FROM json_each("inputs_schema" -> 'properties') WITH ORDINALITY AS "input"("name", "property", "position")
    WHERE "input"."property" ->> 'type' = 'string' AND "input"."property" -> 'enum' IS NULL
      AND coalesce("input"."property" ->> 'format', '') NOT IN ('date', 'time', 'date-time')
      AND EXISTS (SELECT FROM json_array_elements_text(coalesce("inputs_schema" -> 'required', '[]')) AS "required"("name") WHERE "required"."name" = "input"."name")
    ORDER BY "input"."position"
    LIMIT 1
  );--> statement-breakpoint
ALTER TABLE "skills" ALTER COLUMN "summary_order" DROP DEFAULT;
