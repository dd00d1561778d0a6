CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_id" uuid,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_sales" (
	"product_id" bigint NOT NULL,
	"sales_date" date NOT NULL,
	"orders_quantity" integer,
	"units_sold" integer,
	CONSTRAINT "daily_sales_product_id_sales_date_pk" PRIMARY KEY("product_id","sales_date")
);
--> statement-breakpoint
CREATE TABLE "import_checkpoints" (
	"source" text NOT NULL,
	"source_table" text NOT NULL,
	"last_id" text,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_checkpoints_source_source_table_pk" PRIMARY KEY("source","source_table")
);
--> statement-breakpoint
CREATE TABLE "job_leases" (
	"job" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"run_id" bigint,
	"acquired_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "job_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job" text NOT NULL,
	"instance_id" text NOT NULL,
	"trigger" text NOT NULL,
	"triggered_by" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" text DEFAULT 'running' NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resume_state" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "legacy_records" (
	"source_table" text NOT NULL,
	"source_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "legacy_records_source_table_source_id_pk" PRIMARY KEY("source_table","source_id")
);
--> statement-breakpoint
CREATE TABLE "staged_product_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "staged_product_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"origin" text NOT NULL,
	"origin_id" text NOT NULL,
	"product_id" bigint NOT NULL,
	"snapshot_date" date NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"orders_quantity" integer,
	"stock_units" integer,
	"sell_price_som" bigint,
	"full_price_som" bigint,
	"rating" double precision,
	"reviews_count" integer,
	"weekly_buyers" integer,
	"weekly_buyers_source" text,
	"weekly_buyers_text" text,
	"weekly_buyers_read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "staged_sku_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "staged_sku_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"origin" text NOT NULL,
	"origin_id" text NOT NULL,
	"sku_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"snapshot_date" date NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"sell_price_som" bigint,
	"full_price_som" bigint,
	"stock_units" integer NOT NULL,
	"stock_type" text
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_sales" ADD CONSTRAINT "daily_sales_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_triggered_by_users_id_fk" FOREIGN KEY ("triggered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_account_created_idx" ON "audit_log" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "job_runs_job_started_idx" ON "job_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "staged_product_snapshots_origin_key" ON "staged_product_snapshots" USING btree ("origin","origin_id");--> statement-breakpoint
CREATE INDEX "staged_product_snapshots_product_day_idx" ON "staged_product_snapshots" USING btree ("product_id","snapshot_date");--> statement-breakpoint
CREATE UNIQUE INDEX "staged_sku_snapshots_origin_key" ON "staged_sku_snapshots" USING btree ("origin","origin_id");--> statement-breakpoint
CREATE INDEX "staged_sku_snapshots_sku_day_idx" ON "staged_sku_snapshots" USING btree ("sku_id","snapshot_date");