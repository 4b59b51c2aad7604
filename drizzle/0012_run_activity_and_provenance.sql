ALTER TABLE "run_events" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "skill_runs" ADD COLUMN "active_calls" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "schedule_slots_run_id_index" ON "schedule_slots" USING btree ("run_id") WHERE "schedule_slots"."run_id" is not null;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_run_id_index" ON "webhook_deliveries" USING btree ("run_id") WHERE "webhook_deliveries"."run_id" is not null;