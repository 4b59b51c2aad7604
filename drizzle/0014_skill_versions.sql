ALTER TYPE "public"."failure_code" ADD VALUE 'skill_not_enabled' BEFORE 'inputs_invalid';--> statement-breakpoint
CREATE TABLE "skill_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"skill_id" uuid NOT NULL,
	"version_hash" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"inputs_schema" json NOT NULL,
	"instructions" text NOT NULL,
	"reference_files" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "skills_tenant_slug_key";--> statement-breakpoint
ALTER TABLE "skills" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "skill_versions" ADD CONSTRAINT "skill_versions_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_versions" ADD CONSTRAINT "skill_versions_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "skill_versions_skill_id_version_hash_index" ON "skill_versions" USING btree ("skill_id","version_hash");--> statement-breakpoint
CREATE INDEX "skill_versions_skill_id_created_at_index" ON "skill_versions" USING btree ("skill_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "skills_tenant_slug_key" ON "skills" USING btree ("tenant_id","slug") WHERE "skills"."tenant_id" is not null and "skills"."deleted_at" is null;--> statement-breakpoint
-- Every skill's current content becomes its first recorded version, so runs pinned to it stay readable.
INSERT INTO "skill_versions" ("skill_id", "version_hash", "name", "description", "inputs_schema", "instructions", "reference_files", "created_at")
SELECT "id", "version_hash", "name", "description", "inputs_schema", "instructions", "reference_files", "updated_at" FROM "skills";
