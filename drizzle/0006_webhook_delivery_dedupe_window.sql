DROP INDEX "webhook_deliveries_webhook_id_received_at_index";--> statement-breakpoint
DROP INDEX "webhook_deliveries_accepted_delivery_key";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "replay_of_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "replayed_by_user_id" text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_replay_of_id_webhook_deliveries_id_fk" FOREIGN KEY ("replay_of_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_replayed_by_user_id_users_id_fk" FOREIGN KEY ("replayed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_webhook_id_received_at_id_index" ON "webhook_deliveries" USING btree ("webhook_id","received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_accepted_delivery_idx" ON "webhook_deliveries" USING btree ("webhook_id","delivery_id","received_at") WHERE "webhook_deliveries"."verdict" = 'accepted' and "webhook_deliveries"."delivery_id" is not null;--> statement-breakpoint
ALTER TABLE "webhooks" DROP COLUMN "last_delivery_at";