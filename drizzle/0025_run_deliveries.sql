CREATE TABLE "run_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"run_id" uuid NOT NULL,
	"target_kind" text NOT NULL,
	"channel_id" uuid,
	"target" text NOT NULL,
	"secret" text,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"queued_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	CONSTRAINT "run_deliveries_status" CHECK (status in ('waiting', 'pending', 'sent', 'failed')),
	CONSTRAINT "run_deliveries_target_kind" CHECK (target_kind in ('callback', 'email', 'slack', 'webhook'))
);
--> statement-breakpoint
ALTER TABLE "run_deliveries" ADD CONSTRAINT "run_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_deliveries" ADD CONSTRAINT "run_deliveries_run_id_skill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."skill_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_deliveries" ADD CONSTRAINT "run_deliveries_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_deliveries_tenant_id_run_id_index" ON "run_deliveries" USING btree ("tenant_id","run_id");--> statement-breakpoint
CREATE INDEX "run_deliveries_open_index" ON "run_deliveries" USING btree ("run_id") WHERE "run_deliveries"."status" in ('waiting', 'pending');