ALTER TABLE "schedules" ADD COLUMN "delivery_channel_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "delivery_channel_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "run_deliveries" ADD COLUMN "requeued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "run_deliveries" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "alert_deliveries_rule_id_index" ON "alert_deliveries" USING btree ("rule_id");--> statement-breakpoint
CREATE INDEX "alert_deliveries_channel_id_index" ON "alert_deliveries" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "run_deliveries_run_id_index" ON "run_deliveries" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "run_deliveries_channel_id_index" ON "run_deliveries" USING btree ("channel_id");