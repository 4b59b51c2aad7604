ALTER TABLE "bulk_operations" ADD COLUMN "failure_counts" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bulk_operations" ADD COLUMN "first_failure" text;