CREATE TABLE "alert_deliveries" (
	"event_id" uuid NOT NULL,
	"chat_id" bigint NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_deliveries_event_id_chat_id_pk" PRIMARY KEY("event_id","chat_id")
);
--> statement-breakpoint
CREATE TABLE "alert_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"rule_id" uuid,
	"product_id" bigint NOT NULL,
	"type" text NOT NULL,
	"threshold" double precision,
	"snapshot_date" date NOT NULL,
	"value_before" double precision,
	"value_after" double precision,
	"fired_at" timestamp with time zone NOT NULL,
	"delivery_status" text DEFAULT 'PENDING' NOT NULL,
	"held_until" timestamp with time zone,
	"delivery_attempts" smallint DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"product_id" bigint,
	"type" text NOT NULL,
	"threshold" double precision,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_settings" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"quiet_start_minute" smallint DEFAULT 1320 NOT NULL,
	"quiet_end_minute" smallint DEFAULT 480 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_states" (
	"rule_id" uuid NOT NULL,
	"product_id" bigint NOT NULL,
	"is_firing" boolean NOT NULL,
	"reference" double precision,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_states_rule_id_product_id_pk" PRIMARY KEY("rule_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "bot_chats" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"account_id" uuid,
	"user_id" uuid,
	"locale" text DEFAULT 'uz' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"linked_at" timestamp with time zone,
	"deactivated_at" timestamp with time zone,
	"link_failures" smallint DEFAULT 0 NOT NULL,
	"link_failures_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bot_link_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_chat_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_event_id_alert_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."alert_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_rule_id_alert_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."alert_rules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_states" ADD CONSTRAINT "alert_states_rule_id_alert_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."alert_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_chats" ADD CONSTRAINT "bot_chats_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_chats" ADD CONSTRAINT "bot_chats_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_link_codes" ADD CONSTRAINT "bot_link_codes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_link_codes" ADD CONSTRAINT "bot_link_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_events_account_fired_idx" ON "alert_events" USING btree ("account_id","fired_at");--> statement-breakpoint
CREATE INDEX "alert_events_undelivered_idx" ON "alert_events" USING btree ("account_id","fired_at") WHERE delivery_status IN ('PENDING', 'SENDING');--> statement-breakpoint
CREATE INDEX "alert_rules_account_idx" ON "alert_rules" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "alert_rules_product_idx" ON "alert_rules" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "bot_chats_account_idx" ON "bot_chats" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "bot_chats_user_idx" ON "bot_chats" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "bot_link_codes_user_idx" ON "bot_link_codes" USING btree ("user_id");