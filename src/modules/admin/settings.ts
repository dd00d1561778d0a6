import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { systemSettings } from "../../db/schema";
import { AppError, badRequest, notFound } from "../../lib/errors";
import type { Clock } from "../../lib/time";
import { writeAudit } from "./audit";

type SettingDefinition =
  | { kind: "number"; min: number; max: number; default: number; description: string }
  | { kind: "boolean"; default: boolean; description: string };

/** Every setting the service reads; the admin API accepts no other key. */
export const settingDefinitions = {
  "ai.enabled": {
    kind: "boolean",
    default: true,
    description: "Call the AI provider for explanations; when false, every explanation is built from the score's components",
  },
  "ai.monthly_budget_usd": {
    kind: "number",
    min: 0,
    max: 10_000,
    default: 5,
    description: "Provider spending allowed per account per Tashkent calendar month, in USD",
  },
  "registration.open": {
    kind: "boolean",
    default: true,
    description: "Accept new accounts at POST /api/v1/auth/register",
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof settingDefinitions;
export type SettingValue<K extends SettingKey> = (typeof settingDefinitions)[K]["default"] extends boolean ? boolean : number;

export const settingKeys = Object.keys(settingDefinitions) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingDefinitions, key);
}

/** Throws 400 INVALID_SETTING_VALUE naming the expected type or range when `value` does not fit `key`. */
export function assertSettingValue(key: SettingKey, value: unknown): void {
  const definition: SettingDefinition = settingDefinitions[key];
  if (definition.kind === "boolean") {
    if (typeof value !== "boolean") throw badRequest("INVALID_SETTING_VALUE", { key, expected: "true or false" });
    return;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < definition.min || value > definition.max) {
    throw badRequest("INVALID_SETTING_VALUE", { key, expected: `a number from ${definition.min} to ${definition.max}` });
  }
}

export interface SettingView {
  key: SettingKey;
  value: unknown;
  default: unknown;
  description: string;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** Reads and changes system settings; a value missing from the table reads as its default. */
export class SettingsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const [row] = await this.deps.db.select({ value: systemSettings.value }).from(systemSettings).where(eq(systemSettings.key, key));
    return (row?.value ?? settingDefinitions[key].default) as SettingValue<K>;
  }

  async list(): Promise<SettingView[]> {
    const rows = await this.deps.db.select().from(systemSettings);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return settingKeys.map((key) => {
      const row = byKey.get(key);
      return {
        key,
        value: row?.value ?? settingDefinitions[key].default,
        default: settingDefinitions[key].default,
        description: settingDefinitions[key].description,
        updatedAt: row?.updatedAt ?? null,
        updatedBy: row?.updatedBy ?? null,
      };
    });
  }

  /** Validates and stores a value, auditing the old and new value in the same transaction. */
  async set(key: string, value: unknown, actorUserId: string): Promise<SettingView> {
    if (!isSettingKey(key)) throw notFound("SETTING_NOT_FOUND", { key, known_keys: settingKeys });
    assertSettingValue(key, value);

    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const [before] = await tx.select().from(systemSettings).where(eq(systemSettings.key, key)).for("update");
      await tx
        .insert(systemSettings)
        .values({ key, value, updatedAt: now, updatedBy: actorUserId })
        .onConflictDoUpdate({ target: systemSettings.key, set: { value, updatedAt: now, updatedBy: actorUserId } });
      await writeAudit(tx, {
        actorUserId,
        action: "setting.update",
        targetType: "setting",
        targetId: key,
        before: { value: before?.value ?? settingDefinitions[key].default },
        after: { value },
        createdAt: now,
      });
    });

    const view = (await this.list()).find((setting) => setting.key === key);
    if (!view) throw new AppError(500, "INTERNAL_ERROR", undefined, `setting ${key} vanished after update`);
    return view;
  }
}
