DROP INDEX "skill_runs_history_idx";--> statement-breakpoint
DROP INDEX "skill_runs_status_idx";--> statement-breakpoint
DROP INDEX "skill_runs_skill_idx";--> statement-breakpoint
DROP INDEX "skill_runs_agent_idx";--> statement-breakpoint
DROP INDEX "skill_runs_source_idx";--> statement-breakpoint
DROP INDEX "skill_runs_failure_idx";--> statement-breakpoint
CREATE INDEX "skill_runs_history_idx" ON "skill_runs" USING btree ("tenant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "skill_runs_status_idx" ON "skill_runs" USING btree ("tenant_id","status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "skill_runs_skill_idx" ON "skill_runs" USING btree ("tenant_id","skill_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "skill_runs_agent_idx" ON "skill_runs" USING btree ("tenant_id","agent_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "skill_runs_source_idx" ON "skill_runs" USING btree ("tenant_id","source","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "skill_runs_failure_idx" ON "skill_runs" USING btree ("tenant_id","failure_code","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "skill_runs"."failure_code" is not null;