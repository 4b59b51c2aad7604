ALTER TYPE "public"."schedule_slot_outcome" ADD VALUE 'skipped_budget';--> statement-breakpoint
CREATE TABLE "budget_threshold_crossings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"month" text NOT NULL,
	"threshold" text NOT NULL,
	"limit_usd" numeric(14, 6) NOT NULL,
	"spend_usd" numeric(14, 6) NOT NULL,
	"crossed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_threshold_crossings_threshold" CHECK (threshold in ('soft', 'hard'))
);
--> statement-breakpoint
CREATE TABLE "tenant_budgets" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"soft_limit_usd" numeric(14, 6),
	"hard_limit_usd" numeric(14, 6),
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_budgets_limits_positive" CHECK ("tenant_budgets"."soft_limit_usd" >= 0 and "tenant_budgets"."hard_limit_usd" >= 0)
);
--> statement-breakpoint
ALTER TABLE "skill_runs" ADD COLUMN "reserved_cost_usd" numeric(14, 6);--> statement-breakpoint
ALTER TABLE "budget_threshold_crossings" ADD CONSTRAINT "budget_threshold_crossings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_budgets" ADD CONSTRAINT "tenant_budgets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "budget_threshold_crossings_tenant_id_month_threshold_index" ON "budget_threshold_crossings" USING btree ("tenant_id","month","threshold");