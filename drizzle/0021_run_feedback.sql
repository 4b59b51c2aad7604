CREATE TYPE "public"."feedback_rating" AS ENUM('good', 'bad');--> statement-breakpoint
CREATE TABLE "run_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"run_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"skill_id" uuid NOT NULL,
	"agent_id" uuid,
	"run_finished_at" timestamp with time zone NOT NULL,
	"rating" "feedback_rating" NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_feedback_comment_length" CHECK (char_length(comment) <= 1000)
);
--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_run_id_skill_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."skill_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_feedback" ADD CONSTRAINT "run_feedback_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "run_feedback_run_user_key" ON "run_feedback" USING btree ("run_id","user_id");--> statement-breakpoint
CREATE INDEX "run_feedback_skill_idx" ON "run_feedback" USING btree ("tenant_id","skill_id","run_finished_at","rating");--> statement-breakpoint
CREATE INDEX "run_feedback_agent_idx" ON "run_feedback" USING btree ("tenant_id","agent_id","run_finished_at","rating") WHERE "run_feedback"."agent_id" is not null;--> statement-breakpoint
CREATE INDEX "run_feedback_skill_comments_idx" ON "run_feedback" USING btree ("tenant_id","skill_id","updated_at") WHERE "run_feedback"."comment" is not null;--> statement-breakpoint
CREATE INDEX "run_feedback_agent_comments_idx" ON "run_feedback" USING btree ("tenant_id","agent_id","updated_at") WHERE "run_feedback"."comment" is not null and "run_feedback"."agent_id" is not null;