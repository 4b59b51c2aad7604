ALTER TABLE "skill_runs" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "skill_runs" ADD COLUMN "search_document" "tsvector" GENERATED ALWAYS AS (case when length(inputs::text) <= 200000 then jsonb_to_tsvector('simple'::regconfig, inputs, '["string", "numeric"]'::jsonb) else to_tsvector('simple'::regconfig, left(inputs::text, 200000)) end || to_tsvector('simple'::regconfig, left(coalesce(deliverable ->> 'payload', ''), 100000))) STORED;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "tag_mapping" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "skill_runs_search_idx" ON "skill_runs" USING gin ("search_document");--> statement-breakpoint
CREATE INDEX "skill_runs_tags_idx" ON "skill_runs" USING gin ("tags");