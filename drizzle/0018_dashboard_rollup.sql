CREATE TABLE "run_duration_rollups" (
	"tenant_id" text NOT NULL,
	"scope_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"bucket" smallint NOT NULL,
	"runs" integer NOT NULL,
	CONSTRAINT "run_duration_rollups_tenant_id_scope_id_day_kind_bucket_pk" PRIMARY KEY("tenant_id","scope_id","day","kind","bucket")
);
--> statement-breakpoint
CREATE TABLE "run_rollups" (
	"tenant_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"skill_id" uuid NOT NULL,
	"agent_id" uuid,
	"model" text,
	"status" "run_status" NOT NULL,
	"failure_code" "failure_code",
	"runs" integer NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cost_usd" numeric(18, 6) NOT NULL,
	CONSTRAINT "run_rollups_key" UNIQUE NULLS NOT DISTINCT("tenant_id","hour","skill_id","agent_id","model","status","failure_code")
);
--> statement-breakpoint
ALTER TABLE "run_duration_rollups" ADD CONSTRAINT "run_duration_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_rollups" ADD CONSTRAINT "run_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-written below: the histograms' bucket function and the backfill (the window index of
-- run_rollups is built after it). Existing rows take
-- rolled_up = true without a table rewrite (a constant default), the unfinished ones are set back
-- to false, and every finished one is counted once by the two INSERT … SELECTs.
-- A duration's histogram bucket (server/services/dashboard/duration-buckets.ts): 0 below 10 ms,
-- then four per doubling, bucket b covering [10 ms·2^((b-1)/4), 10 ms·2^(b/4)); 96 is open (≥ 39 h).
CREATE FUNCTION "run_duration_bucket"(seconds float8) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN seconds IS NULL THEN NULL WHEN seconds < 0.01 THEN 0
                    ELSE least(96, floor(4 * ln(seconds / 0.01) / ln(2)) + 1) END::smallint $$;--> statement-breakpoint
ALTER TABLE "skill_runs" ADD COLUMN "rolled_up" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "skill_runs" ALTER COLUMN "rolled_up" SET DEFAULT false;--> statement-breakpoint
UPDATE "skill_runs" SET "rolled_up" = false WHERE "status" IN ('queued', 'running');--> statement-breakpoint
CREATE INDEX "skill_runs_unrolled_idx" ON "skill_runs" USING btree ("tenant_id","created_at") WHERE not "skill_runs"."rolled_up";--> statement-breakpoint
INSERT INTO "run_rollups" ("tenant_id", "hour", "skill_id", "agent_id", "model", "status", "failure_code", "runs", "input_tokens", "output_tokens", "cost_usd")
SELECT "tenant_id", date_bin('1 hour', "created_at", '1970-01-01T00:00:00Z'), "skill_id", "agent_id", "model", "status", "failure_code",
       count(*), coalesce(sum("input_tokens"), 0), coalesce(sum("output_tokens"), 0), coalesce(sum("cost_usd"), 0)
FROM "skill_runs" WHERE "rolled_up"
GROUP BY 1, 2, 3, 4, 5, 6, 7;--> statement-breakpoint
CREATE INDEX "run_rollups_window_idx" ON "run_rollups" USING btree ("tenant_id","hour","status","skill_id","agent_id","model","failure_code","runs","input_tokens","output_tokens","cost_usd");--> statement-breakpoint
INSERT INTO "run_duration_rollups" ("tenant_id", "scope_id", "day", "kind", "bucket", "runs")
SELECT r."tenant_id", s."scope_id", date_bin('1 day', r."created_at", '1970-01-01T00:00:00Z'), d."kind", d."bucket", count(*)
FROM "skill_runs" r
CROSS JOIN LATERAL (VALUES
  ('wait', run_duration_bucket(extract(epoch FROM r."started_at" - r."created_at")::float8)),
  ('work', CASE WHEN r."status" = 'complete' THEN run_duration_bucket(extract(epoch FROM r."finished_at" - r."started_at")::float8) END)
) AS d("kind", "bucket")
CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (r."skill_id"), (r."agent_id")) AS s("scope_id")
WHERE r."rolled_up" AND d."bucket" IS NOT NULL AND s."scope_id" IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
