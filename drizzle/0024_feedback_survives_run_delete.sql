ALTER TABLE "run_feedback" DROP CONSTRAINT "run_feedback_run_id_skill_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "run_feedback" ALTER COLUMN "run_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_run_id_skill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."skill_runs"("id") ON DELETE set null ON UPDATE no action;