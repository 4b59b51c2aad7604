ALTER TABLE "alert_rules" DROP CONSTRAINT "alert_rules_trigger";--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "approval_policy" jsonb;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_trigger" CHECK (trigger in ('run_failed', 'failure_rate', 'schedule_problem', 'budget_threshold', 'approval_waiting'));