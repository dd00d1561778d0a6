ALTER TABLE "discovery_runs" ADD COLUMN "error_code" text;--> statement-breakpoint
UPDATE "discovery_runs" SET "error_code" = 'CANCELLED' WHERE "status" = 'CANCELLED';--> statement-breakpoint
UPDATE "discovery_runs" SET "error_code" = 'WORKER_LOST' WHERE "status" = 'FAILED' AND "error" LIKE 'The worker stopped sending heartbeats%';--> statement-breakpoint
UPDATE "discovery_runs" SET "error_code" = 'NO_PRODUCT_FETCHED' WHERE "status" = 'FAILED' AND "error" LIKE 'None of the % listed products could be fetched%';--> statement-breakpoint
UPDATE "discovery_runs" SET "error_code" = 'LISTING_FAILED' WHERE "status" = 'FAILED' AND "error" LIKE 'GraphQL:%';
