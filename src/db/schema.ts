import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** A seller's workspace: the tenant every account-scoped row belongs to. */
export const accounts = pgTable("accounts", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  status: text("status", { enum: ["ACTIVE", "SUSPENDED"] }).notNull().default("ACTIVE"),
  createdAt: createdAt(),
});

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    /** Stored lower-cased, so the unique index is case-insensitive. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["SUPER_ADMIN", "ADMIN", "MODERATOR", "USER"] })
      .notNull()
      .default("USER"),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: createdAt(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
  },
  (table) => [uniqueIndex("users_email_key").on(table.email), index("users_account_idx").on(table.accountId)],
);

/** A signed-in device: refresh tokens rotate inside one session. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
  },
  (table) => [index("sessions_user_idx").on(table.userId)],
);

/**
 * Every refresh token ever issued, stored as a SHA-256 hash. A token presented a second
 * time (`used_at` set) means it leaked, so its whole session is revoked.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (table) => [uniqueIndex("refresh_tokens_hash_key").on(table.tokenHash)],
);

export const shops = pgTable("shops", {
  id: bigint("id", { mode: "number" }).primaryKey(),
  title: text("title").notNull(),
  link: text("link"),
  rating: doublePrecision("rating"),
  reviewsCount: integer("reviews_count"),
  ordersQuantity: integer("orders_quantity"),
  isOfficial: boolean("is_official").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One level of a category path, root first. */
export interface CategoryLevel {
  id: number;
  title: string;
}

export const products = pgTable(
  "products",
  {
    id: bigint("id", { mode: "number" }).primaryKey(),
    title: text("title").notNull(),
    titleUz: text("title_uz"),
    titleRu: text("title_ru"),
    categoryId: bigint("category_id", { mode: "number" }),
    categoryPath: jsonb("category_path").$type<CategoryLevel[]>().notNull().default(sql`'[]'::jsonb`),
    shopId: bigint("shop_id", { mode: "number" }).references(() => shops.id),
    rating: doublePrecision("rating"),
    reviewsCount: integer("reviews_count"),
    ordersQuantity: integer("orders_quantity"),
    stockUnits: integer("stock_units"),
    photoUrl: text("photo_url"),
    photoUrls: jsonb("photo_urls").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastAnalyzedAt: timestamp("last_analyzed_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the page banner was last read, successfully or not; the scrape takes the oldest first. */
    weeklyBuyersCheckedAt: timestamp("weekly_buyers_checked_at", { withTimezone: true }),
    /** Set when an analysis could not read the banner in time, so the next scrape reads it first. */
    weeklyBuyersRequestedAt: timestamp("weekly_buyers_requested_at", { withTimezone: true }),
  },
  (table) => [index("products_shop_idx").on(table.shopId), index("products_category_idx").on(table.categoryId)],
);

export const skus = pgTable(
  "skus",
  {
    id: bigint("id", { mode: "number" }).primaryKey(),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    title: text("title"),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    fullPriceSom: bigint("full_price_som", { mode: "number" }),
    stockUnits: integer("stock_units").notNull().default(0),
    stockType: text("stock_type"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("skus_product_idx").on(table.productId)],
);

/** Source of a weekly-buyers figure; null means the figure is unknown. */
export const weeklyBuyersSources = ["graphql", "html", "browser", "orders_delta"] as const;
export type WeeklyBuyersSource = (typeof weeklyBuyersSources)[number];

/** Basis of the score's weekly input, which differs from "current" when today's figure is unknown. */
export const weeklyBasisValues = ["current", "last_known", "assumed_zero"] as const;
export type WeeklyBasis = (typeof weeklyBasisValues)[number];

/** A product's figures on one Tashkent day; a later analysis that day updates the row. */
export const productSnapshots = pgTable(
  "product_snapshots",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    capturedAt: timestamp("captured_at", { withTimezone: true }).notNull(),
    ordersQuantity: integer("orders_quantity"),
    stockUnits: integer("stock_units"),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    fullPriceSom: bigint("full_price_som", { mode: "number" }),
    discountPercent: smallint("discount_percent"),
    stockType: text("stock_type"),
    rating: doublePrecision("rating"),
    reviewsCount: integer("reviews_count"),
    weeklyBuyers: integer("weekly_buyers"),
    weeklyBuyersSource: text("weekly_buyers_source", { enum: weeklyBuyersSources }),
    weeklyBuyersText: text("weekly_buyers_text"),
    weeklyBuyersConfidence: doublePrecision("weekly_buyers_confidence"),
    weeklyBuyersReadAt: timestamp("weekly_buyers_read_at", { withTimezone: true }),
    inCarts: integer("in_carts"),
    inWishlists: integer("in_wishlists"),
    score: doublePrecision("score"),
    scoreVersion: smallint("score_version"),
    /** The weekly figure the score used, which may be carried over from an earlier day. */
    scoreWeeklyBuyers: integer("score_weekly_buyers"),
    scoreWeeklyBasis: text("score_weekly_basis", { enum: weeklyBasisValues }),
    scoreWeeklyDate: date("score_weekly_date", { mode: "string" }),
    /** Each weighted term of the score, so an explanation can show where it came from. */
    scoreComponents: jsonb("score_components").$type<Record<string, number>>(),
  },
  (table) => [uniqueIndex("product_snapshots_product_day_key").on(table.productId, table.snapshotDate)],
);

export const skuSnapshots = pgTable(
  "sku_snapshots",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    skuId: bigint("sku_id", { mode: "number" })
      .notNull()
      .references(() => skus.id),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    capturedAt: timestamp("captured_at", { withTimezone: true }).notNull(),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    fullPriceSom: bigint("full_price_som", { mode: "number" }),
    stockUnits: integer("stock_units").notNull(),
    stockType: text("stock_type"),
  },
  (table) => [
    uniqueIndex("sku_snapshots_sku_day_key").on(table.skuId, table.snapshotDate),
    index("sku_snapshots_product_day_idx").on(table.productId, table.snapshotDate),
  ],
);

/**
 * One tracking period of a product by an account. Untracking closes the period;
 * tracking again opens a new one, so `tracked_since` restarts.
 */
export const trackedProducts = pgTable(
  "tracked_products",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    trackedSince: timestamp("tracked_since", { withTimezone: true }).notNull(),
    untrackedAt: timestamp("untracked_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id),
  },
  (table) => [
    uniqueIndex("tracked_products_active_key")
      .on(table.accountId, table.productId)
      .where(sql`untracked_at IS NULL`),
    index("tracked_products_product_idx").on(table.productId),
  ],
);

/**
 * Record of who did what to which record, for any admin or maintenance action. `before` and `after`
 * hold what a reader needs to see the change; a bulk action stores its counts in `after`.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** The account the target belongs to; null for actions across accounts. */
    accountId: uuid("account_id").references(() => accounts.id),
    /** Null when the service acted on its own, such as a scheduled job. */
    actorUserId: uuid("actor_user_id").references(() => users.id),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    createdAt: createdAt(),
  },
  (table) => [
    index("audit_log_account_created_idx").on(table.accountId, table.createdAt),
    index("audit_log_target_idx").on(table.targetType, table.targetId),
  ],
);

export const jobRunOutcomes = ["running", "succeeded", "failed", "interrupted"] as const;
export type JobRunOutcome = (typeof jobRunOutcomes)[number];

/** One run of a scheduled job on one instance, from start to end. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    job: text("job").notNull(),
    instanceId: text("instance_id").notNull(),
    trigger: text("trigger", { enum: ["schedule", "manual"] }).notNull(),
    triggeredBy: uuid("triggered_by").references(() => users.id),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    outcome: text("outcome", { enum: jobRunOutcomes }).notNull().default("running"),
    counts: jsonb("counts").$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
    /** State a later run needs to resume this one, such as the refresh cut-off. */
    resumeState: jsonb("resume_state").$type<Record<string, unknown>>(),
    error: text("error"),
  },
  (table) => [index("job_runs_job_started_idx").on(table.job, table.startedAt)],
);

/**
 * The instance allowed to run a job now. A holder renews `expires_at` while it works, so a
 * crashed holder's lease runs out and another instance takes the next tick.
 */
export const jobLeases = pgTable("job_leases", {
  job: text("job").primaryKey(),
  holder: text("holder").notNull(),
  runId: bigint("run_id", { mode: "number" }),
  acquiredAt: timestamp("acquired_at", { withTimezone: true }).notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  /** The scheduled start last claimed, so an instance whose clock runs late cannot run that tick again. */
  lastTickAt: timestamp("last_tick_at", { withTimezone: true }),
});

/** Units sold per product per Tashkent day: the day's last total orders minus the previous day's. */
export const dailySales = pgTable(
  "daily_sales",
  {
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    salesDate: date("sales_date", { mode: "string" }).notNull(),
    /** Total orders of the day's last snapshot. */
    ordersQuantity: integer("orders_quantity"),
    /** Null without a snapshot the day before, or when the total dropped. */
    unitsSold: integer("units_sold"),
  },
  (table) => [primaryKey({ columns: [table.productId, table.salesDate] })],
);

/**
 * Imported snapshots waiting for dedupe, which may hold several rows per product and day.
 * Dedupe keeps each day's last row, merges it into `product_snapshots` and empties this table.
 */
export const stagedProductSnapshots = pgTable(
  "staged_product_snapshots",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** Source of the row, such as `legacy`, with its id there, so staging twice is a no-op. */
    origin: text("origin").notNull(),
    originId: text("origin_id").notNull(),
    productId: bigint("product_id", { mode: "number" }).notNull(),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    capturedAt: timestamp("captured_at", { withTimezone: true }).notNull(),
    ordersQuantity: integer("orders_quantity"),
    stockUnits: integer("stock_units"),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    fullPriceSom: bigint("full_price_som", { mode: "number" }),
    rating: doublePrecision("rating"),
    reviewsCount: integer("reviews_count"),
    weeklyBuyers: integer("weekly_buyers"),
    weeklyBuyersSource: text("weekly_buyers_source", { enum: weeklyBuyersSources }),
    weeklyBuyersText: text("weekly_buyers_text"),
    weeklyBuyersReadAt: timestamp("weekly_buyers_read_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("staged_product_snapshots_origin_key").on(table.origin, table.originId),
    index("staged_product_snapshots_product_day_idx").on(table.productId, table.snapshotDate),
  ],
);

/** Imported SKU snapshots waiting for dedupe; see `stagedProductSnapshots`. */
export const stagedSkuSnapshots = pgTable(
  "staged_sku_snapshots",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    origin: text("origin").notNull(),
    originId: text("origin_id").notNull(),
    skuId: bigint("sku_id", { mode: "number" }).notNull(),
    productId: bigint("product_id", { mode: "number" }).notNull(),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    capturedAt: timestamp("captured_at", { withTimezone: true }).notNull(),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    fullPriceSom: bigint("full_price_som", { mode: "number" }),
    stockUnits: integer("stock_units").notNull(),
    stockType: text("stock_type"),
  },
  (table) => [
    uniqueIndex("staged_sku_snapshots_origin_key").on(table.origin, table.originId),
    index("staged_sku_snapshots_sku_day_idx").on(table.skuId, table.snapshotDate),
  ],
);

/** How far an import from another database got in each source table, so a rerun resumes there. */
export const importCheckpoints = pgTable(
  "import_checkpoints",
  {
    source: text("source").notNull(),
    sourceTable: text("source_table").notNull(),
    /** The last source id written, compared as the source orders it. */
    lastId: text("last_id"),
    rowsRead: integer("rows_read").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.source, table.sourceTable] })],
);

/** Rows of the previous system that this version has no table for yet, kept whole for later features. */
export const legacyRecords = pgTable(
  "legacy_records",
  {
    sourceTable: text("source_table").notNull(),
    sourceId: text("source_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    importedAt: timestamp("imported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.sourceTable, table.sourceId] })],
);

/**
 * Operator-tunable values, validated by the admin API against the known keys. `updated_by` is
 * null while a row still holds the seeded default, so a later seed may replace only those rows.
 */
export const systemSettings = pgTable("system_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").$type<unknown>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const cargoModes = ["cargo", "rail", "air", "road", "road_via_turkey"] as const;

/** A freight route to Uzbekistan with its price, used to estimate the landed cost of a supplier's product. */
export const cargoProviders = pgTable("cargo_providers", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  originRegion: text("origin_region", { enum: ["china", "europe"] }).notNull(),
  mode: text("mode", { enum: cargoModes }).notNull(),
  ratePerKgUsd: numeric("rate_per_kg_usd", { precision: 10, scale: 2, mode: "number" }).notNull(),
  deliveryDaysMin: integer("delivery_days_min").notNull(),
  deliveryDaysMax: integer("delivery_days_max").notNull(),
  minWeightKg: numeric("min_weight_kg", { precision: 10, scale: 2, mode: "number" }).notNull(),
  isActive: boolean("is_active").notNull().default(true),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  /** Null while the row holds the seeded values; see `systemSettings`. */
  updatedBy: uuid("updated_by").references(() => users.id),
});

/** A marketplace sellers buy stock from abroad, and how to search it for a product. */
export const supplierPlatforms = pgTable("supplier_platforms", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  /** ISO 3166-1 alpha-2. */
  country: text("country").notNull(),
  currency: text("currency").notNull(),
  baseUrl: text("base_url").notNull(),
  /** `keyword`: open `search_url_template` with `{query}` replaced; `image`: the platform searches by photo. */
  searchMethod: text("search_method", { enum: ["keyword", "image"] }).notNull(),
  searchUrlTemplate: text("search_url_template").notNull(),
  isActive: boolean("is_active").notNull().default(true),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const aiLocales = ["uz", "ru", "en"] as const;
export const aiSources = ["anthropic", "rules"] as const;

/** Explanations already written, one per product, snapshot day, language and source. */
export const aiExplanations = pgTable(
  "ai_explanations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    locale: text("locale", { enum: aiLocales }).notNull(),
    source: text("source", { enum: aiSources }).notNull(),
    model: text("model"),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("ai_explanations_key").on(table.productId, table.snapshotDate, table.locale, table.source)],
);

/** Every explanation request of an account, cached or not, with its tokens and cost; the monthly budget sums `cost_usd`. */
export const aiUsage = pgTable(
  "ai_usage",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    userId: uuid("user_id").references(() => users.id),
    productId: bigint("product_id", { mode: "number" }).notNull(),
    snapshotDate: date("snapshot_date", { mode: "string" }),
    source: text("source", { enum: [...aiSources, "cache"] }).notNull(),
    model: text("model"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: numeric("cost_usd", { precision: 12, scale: 6, mode: "number" }).notNull().default(0),
    durationMs: integer("duration_ms").notNull().default(0),
    /** `pending` while a provider call is under way, with its worst-case cost reserved. */
    outcome: text("outcome", { enum: ["ok", "error", "pending"] }).notNull(),
    error: text("error"),
    createdAt: createdAt(),
  },
  (table) => [index("ai_usage_account_created_idx").on(table.accountId, table.createdAt)],
);

/**
 * Fixed-window request counters shared by every instance on the database: login attempts and the
 * per-user limits of expensive routes. One row per bucket and key, restarted when its window ends.
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.bucket, table.key] }), index("rate_limit_windows_started_idx").on(table.windowStartedAt)],
);

export const discoveryRunStatuses = ["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"] as const;
export type DiscoveryRunStatus = (typeof discoveryRunStatuses)[number];

/** Stable codes for the reason a run ended without winners, stored beside its free-text `error`. */
export const discoveryErrorCodes = ["LISTING_FAILED", "CATEGORY_EMPTY", "NO_PRODUCT_FETCHED", "WORKER_LOST", "CANCELLED"] as const;
export type DiscoveryErrorCode = (typeof discoveryErrorCodes)[number];

/** The source a scan listed the category's products from. */
export const discoveryListingSources = ["graphql", "browser"] as const;
export type DiscoveryListingSource = (typeof discoveryListingSources)[number];

/**
 * One scan of an Uzum category for an account. A worker claims a PENDING row, or a RUNNING row
 * whose `heartbeat_at` went stale, and owns it while `worker_id` names it.
 */
export const discoveryRuns = pgTable(
  "discovery_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    createdBy: uuid("created_by").references(() => users.id),
    categoryId: bigint("category_id", { mode: "number" }).notNull(),
    /** The category page on uzum.uz, such as `/ru/category/makiyazh--10091`, for the browser fallback. */
    pagePath: text("page_path").notNull(),
    locale: text("locale", { enum: ["uz", "ru"] }).notNull(),
    status: text("status", { enum: discoveryRunStatuses }).notNull().default("PENDING"),
    categoryName: text("category_name"),
    categoryPath: jsonb("category_path").$type<CategoryLevel[]>().notNull().default(sql`'[]'::jsonb`),
    /** Products Uzum counts in the category, which may exceed what the scan lists. */
    categoryTotal: integer("category_total"),
    source: text("source", { enum: discoveryListingSources }),
    /** Listed product ids in listing order; null until the listing is complete. */
    listedProductIds: jsonb("listed_product_ids").$type<number[]>(),
    fetchedProductIds: jsonb("fetched_product_ids").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
    failedProductIds: jsonb("failed_product_ids").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
    /** Times a worker claimed the run; a stale run past the retry limit fails instead. */
    attempts: smallint("attempts").notNull().default(0),
    workerId: text("worker_id"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    error: text("error"),
    errorCode: text("error_code", { enum: discoveryErrorCodes }),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [
    index("discovery_runs_account_created_idx").on(table.accountId, table.createdAt),
    index("discovery_runs_category_finished_idx").on(table.categoryId, table.finishedAt),
    index("discovery_runs_open_idx")
      .on(table.status, table.createdAt)
      .where(sql`status IN ('PENDING', 'RUNNING')`),
    // At most one open run per account and category, so a racing second request gets a conflict.
    uniqueIndex("discovery_runs_open_category_key")
      .on(table.accountId, table.categoryId)
      .where(sql`status IN ('PENDING', 'RUNNING')`),
  ],
);

/** The top products of a finished run, with the figures they had at scan time. */
export const discoveryWinners = pgTable(
  "discovery_winners",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => discoveryRuns.id, { onDelete: "cascade" }),
    rank: smallint("rank").notNull(),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    title: text("title").notNull(),
    photoUrl: text("photo_url"),
    score: doublePrecision("score"),
    weeklyBuyers: integer("weekly_buyers"),
    weeklyBuyersSource: text("weekly_buyers_source", { enum: weeklyBuyersSources }),
    ordersQuantity: integer("orders_quantity"),
    sellPriceSom: bigint("sell_price_som", { mode: "number" }),
    rating: doublePrecision("rating"),
    reviewsCount: integer("reviews_count"),
    stockUnits: integer("stock_units"),
    shopId: bigint("shop_id", { mode: "number" }),
    shopTitle: text("shop_title"),
    shopRating: doublePrecision("shop_rating"),
  },
  (table) => [primaryKey({ columns: [table.runId, table.rank] }), index("discovery_winners_product_idx").on(table.productId)],
);

export const botLocales = ["uz", "ru"] as const;
export type BotLocale = (typeof botLocales)[number];

/**
 * A Telegram chat that has talked to the bot. A linked chat has `account_id` and `user_id`; a chat
 * that blocked the bot is kept with `is_active` false, so alerts skip it until it writes again.
 */
export const botChats = pgTable(
  "bot_chats",
  {
    chatId: bigint("chat_id", { mode: "number" }).primaryKey(),
    accountId: uuid("account_id").references(() => accounts.id),
    userId: uuid("user_id").references(() => users.id),
    locale: text("locale", { enum: botLocales }).notNull().default("uz"),
    isActive: boolean("is_active").notNull().default(true),
    linkedAt: timestamp("linked_at", { withTimezone: true }),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    /** Wrong link codes sent since `link_failures_since`; the chat may not try again while the window is full. */
    linkFailures: smallint("link_failures").notNull().default(0),
    linkFailuresSince: timestamp("link_failures_since", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [index("bot_chats_account_idx").on(table.accountId), index("bot_chats_user_idx").on(table.userId)],
);

/** One-time codes that link a chat to a user, stored as SHA-256 hashes and looked up by exact hash only. */
export const botLinkCodes = pgTable(
  "bot_link_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    usedByChatId: bigint("used_by_chat_id", { mode: "number" }),
    createdAt: createdAt(),
  },
  (table) => [index("bot_link_codes_user_idx").on(table.userId)],
);

export const alertTypes = [
  "PRICE_DROP",
  "PRICE_RISE",
  "STOCK_LOW",
  "OUT_OF_STOCK",
  "BACK_IN_STOCK",
  "WEEKLY_BUYERS_SPIKE",
  "SCORE_SPIKE",
] as const;
export type AlertType = (typeof alertTypes)[number];

/** What an account wants to hear about: one tracked product, or all of them when `product_id` is null. */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    productId: bigint("product_id", { mode: "number" }).references(() => products.id),
    type: text("type", { enum: alertTypes }).notNull(),
    /** Percent for price and spike rules, units for STOCK_LOW, null for the stock transitions. */
    threshold: doublePrecision("threshold"),
    isEnabled: boolean("is_enabled").notNull().default(true),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("alert_rules_account_idx").on(table.accountId), index("alert_rules_product_idx").on(table.productId)],
);

/**
 * Whether a rule's condition currently holds for a product, so it fires once and again only after
 * it cleared. `reference` is the figure the firing compared with, such as the price before a drop.
 */
export const alertStates = pgTable(
  "alert_states",
  {
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    productId: bigint("product_id", { mode: "number" }).notNull(),
    isFiring: boolean("is_firing").notNull(),
    reference: doublePrecision("reference"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.ruleId, table.productId] })],
);

export const alertDeliveryStatuses = ["PENDING", "SENDING", "DELIVERED", "FAILED", "NO_CHAT"] as const;
export type AlertDeliveryStatus = (typeof alertDeliveryStatuses)[number];

/** One firing of a rule on a product, with the figures before and after, and how far its delivery got. */
export const alertEvents = pgTable(
  "alert_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    /** Null once the rule is deleted; the event keeps its type and threshold. */
    ruleId: uuid("rule_id").references(() => alertRules.id, { onDelete: "set null" }),
    productId: bigint("product_id", { mode: "number" })
      .notNull()
      .references(() => products.id),
    type: text("type", { enum: alertTypes }).notNull(),
    threshold: doublePrecision("threshold"),
    snapshotDate: date("snapshot_date", { mode: "string" }).notNull(),
    valueBefore: doublePrecision("value_before"),
    valueAfter: doublePrecision("value_after"),
    firedAt: timestamp("fired_at", { withTimezone: true }).notNull(),
    deliveryStatus: text("delivery_status", { enum: alertDeliveryStatuses }).notNull().default("PENDING"),
    /** Set when the event fired in quiet hours: it waits until then and goes out in the digest. */
    heldUntil: timestamp("held_until", { withTimezone: true }),
    deliveryAttempts: smallint("delivery_attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    /** When a sender claimed the event (status SENDING); a claim older than a few minutes is taken as abandoned. */
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    lastError: text("last_error"),
  },
  (table) => [
    index("alert_events_account_fired_idx").on(table.accountId, table.firedAt),
    index("alert_events_undelivered_idx")
      .on(table.accountId, table.firedAt)
      .where(sql`delivery_status IN ('PENDING', 'SENDING')`),
  ],
);

/** Chats that accepted an event, so a retry goes only to the chats that have not. */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    eventId: uuid("event_id")
      .notNull()
      .references(() => alertEvents.id, { onDelete: "cascade" }),
    chatId: bigint("chat_id", { mode: "number" }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.eventId, table.chatId] })],
);

/** An account's alert delivery settings; an account without a row has the defaults. */
export const alertSettings = pgTable("alert_settings", {
  accountId: uuid("account_id")
    .primaryKey()
    .references(() => accounts.id),
  /** Minutes after Tashkent midnight; start equal to end switches quiet hours off. */
  quietStartMinute: smallint("quiet_start_minute").notNull().default(22 * 60),
  quietEndMinute: smallint("quiet_end_minute").notNull().default(8 * 60),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
