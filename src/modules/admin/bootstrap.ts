import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { accounts, users } from "../../db/schema";
import { conflict } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { writeAudit } from "./audit";
import { normalizeEmail } from "./auth-service";
import { assertStrongPassword, hashPassword } from "./passwords";
import type { Role } from "./tokens";

/** Name of the account that holds operators created outside the sign-up flow. */
export const operatorsAccountName = "VENTRA operators";

export interface NewAdmin {
  email: string;
  password: string;
  role: Extract<Role, "SUPER_ADMIN" | "MODERATOR">;
  accountName?: string;
}

/**
 * Creates an operator with a new account of their own. Rejects a weak password (400 WEAK_PASSWORD)
 * and an email already in use (409 EMAIL_TAKEN). The password is never logged.
 */
export async function createOperator(db: Database, input: NewAdmin, logger?: Logger): Promise<{ userId: string; accountId: string }> {
  const email = normalizeEmail(input.email);
  assertStrongPassword(input.password, email);
  const passwordHash = await hashPassword(input.password);

  try {
    const created = await db.transaction(async (tx) => {
      const [account] = await tx.insert(accounts).values({ name: input.accountName ?? operatorsAccountName }).returning();
      const [user] = await tx.insert(users).values({ accountId: account.id, email, passwordHash, role: input.role }).returning();
      await writeAudit(tx, {
        accountId: account.id,
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        after: { email, role: input.role, account_id: account.id, via: "bootstrap" },
      });
      return { userId: user.id, accountId: account.id };
    });
    logger?.info({ ...created, role: input.role }, "admin.operator_created");
    return created;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict("EMAIL_TAKEN", { email });
    throw error;
  }
}

export async function hasSuperAdmin(db: Database): Promise<boolean> {
  const [found] = await db.select({ id: users.id }).from(users).where(eq(users.role, "SUPER_ADMIN")).limit(1);
  return found !== undefined;
}

/**
 * Creates the first super admin from SUPER_ADMIN_EMAIL and SUPER_ADMIN_PASSWORD when the database
 * has none. Returns what it did; an unusable pair is logged and start-up goes on without it,
 * so `scripts/create-admin.ts` can still make one.
 */
export async function ensureFirstSuperAdmin(
  db: Database,
  superAdmin: { email: string; password: string } | undefined,
  logger: Logger,
): Promise<"created" | "exists" | "not_configured" | "failed"> {
  if (await hasSuperAdmin(db)) return "exists";
  if (!superAdmin) {
    logger.warn({ fix: "set SUPER_ADMIN_EMAIL and SUPER_ADMIN_PASSWORD, or run scripts/create-admin.ts" }, "admin.no_super_admin");
    return "not_configured";
  }

  try {
    await createOperator(db, { email: superAdmin.email, password: superAdmin.password, role: "SUPER_ADMIN" }, logger);
    return "created";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    logger.error({ email: normalizeEmail(superAdmin.email), code, details: (error as { details?: unknown }).details }, "admin.super_admin_not_created");
    return "failed";
  }
}
