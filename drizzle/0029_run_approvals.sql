CREATE TYPE "public"."approval_kind" AS ENUM('tool', 'deliverable');--> statement-breakpoint
CREATE TYPE "public"."approval_state" AS ENUM('pending', 'approved', 'rejected', 'expired', 'cancelled');--> statement-breakpoint
ALTER TYPE "public"."failure_code" ADD VALUE 'approval_timeout';--> statement-breakpoint
ALTER TYPE "public"."failure_code" ADD VALUE 'deliverable_rejected';--> statement-breakpoint
ALTER TYPE "public"."run_status" ADD VALUE 'awaiting_approval' BEFORE 'complete';--> statement-breakpoint
CREATE TABLE "run_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"run_id" uuid NOT NULL,
	"kind" "approval_kind" NOT NULL,
	"state" "approval_state" DEFAULT 'pending' NOT NULL,
	"tool_calls" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"draft" text,
	"action_key" text NOT NULL,
	"conversation" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"usage" jsonb NOT NULL,
	"steps_used" integer DEFAULT 0 NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" text,
	"decided_by" text,
	"reason" text,
	"resumed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "agent_templates" ADD COLUMN "approval_tools" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_templates" ADD COLUMN "approve_deliverable" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_templates" ADD COLUMN "approval_timeout_seconds" integer DEFAULT 86400 NOT NULL;--> statement-breakpoint
ALTER TABLE "run_approvals" ADD CONSTRAINT "run_approvals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_approvals" ADD CONSTRAINT "run_approvals_run_id_skill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."skill_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_approvals" ADD CONSTRAINT "run_approvals_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "run_approvals_one_pending_per_run" ON "run_approvals" USING btree ("run_id") WHERE "run_approvals"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "run_approvals_tenant_id_state_requested_at_index" ON "run_approvals" USING btree ("tenant_id","state","requested_at");--> statement-breakpoint
CREATE INDEX "run_approvals_run_id_index" ON "run_approvals" USING btree ("run_id");