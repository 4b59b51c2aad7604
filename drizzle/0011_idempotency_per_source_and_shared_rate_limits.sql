ALTER TABLE "skill_runs" ADD COLUMN "idempotency_request_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "skill_runs_source_idempotency_key" ON "skill_runs" USING btree ("tenant_id","source","idempotency_key") WHERE "skill_runs"."idempotency_key" is not null;--> statement-breakpoint
DROP INDEX "skill_runs_idempotency_key";
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp with time zone
);
