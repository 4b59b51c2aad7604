ALTER TABLE "tenant_settings" ADD COLUMN "run_retention_days" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "deliverable_retention_days" integer;--> statement-breakpoint
ALTER TABLE "skill_runs" ADD COLUMN "deliverable_expired_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "skill_runs_deliverable_retention_idx" ON "skill_runs" USING btree ("tenant_id","created_at") WHERE "skill_runs"."deliverable" is not null;--> statement-breakpoint
CREATE INDEX "schedules_last_run_id_index" ON "schedules" USING btree ("last_run_id") WHERE "schedules"."last_run_id" is not null;