CREATE TABLE "discovery_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"created_by" uuid,
	"category_id" bigint NOT NULL,
	"page_path" text NOT NULL,
	"locale" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"category_name" text,
	"category_path" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"category_total" integer,
	"source" text,
	"listed_product_ids" jsonb,
	"fetched_product_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failed_product_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"worker_id" text,
	"heartbeat_at" timestamp with time zone,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "discovery_winners" (
	"run_id" uuid NOT NULL,
	"rank" smallint NOT NULL,
	"product_id" bigint NOT NULL,
	"title" text NOT NULL,
	"photo_url" text,
	"score" double precision,
	"weekly_buyers" integer,
	"weekly_buyers_source" text,
	"orders_quantity" integer,
	"sell_price_som" bigint,
	"rating" double precision,
	"reviews_count" integer,
	"stock_units" integer,
	"shop_id" bigint,
	"shop_title" text,
	"shop_rating" double precision,
	CONSTRAINT "discovery_winners_run_id_rank_pk" PRIMARY KEY("run_id","rank")
);
--> statement-breakpoint
ALTER TABLE "discovery_runs" ADD CONSTRAINT "discovery_runs_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discovery_runs" ADD CONSTRAINT "discovery_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discovery_winners" ADD CONSTRAINT "discovery_winners_run_id_discovery_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."discovery_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discovery_winners" ADD CONSTRAINT "discovery_winners_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "discovery_runs_account_created_idx" ON "discovery_runs" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "discovery_runs_category_finished_idx" ON "discovery_runs" USING btree ("category_id","finished_at");--> statement-breakpoint
CREATE INDEX "discovery_runs_open_idx" ON "discovery_runs" USING btree ("status","created_at") WHERE status IN ('PENDING', 'RUNNING');--> statement-breakpoint
CREATE UNIQUE INDEX "discovery_runs_open_category_key" ON "discovery_runs" USING btree ("account_id","category_id") WHERE status IN ('PENDING', 'RUNNING');--> statement-breakpoint
CREATE INDEX "discovery_winners_product_idx" ON "discovery_winners" USING btree ("product_id");