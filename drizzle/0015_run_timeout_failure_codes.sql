ALTER TYPE "public"."failure_code" ADD VALUE 'start_timeout';--> statement-breakpoint
ALTER TYPE "public"."failure_code" ADD VALUE 'run_timeout';