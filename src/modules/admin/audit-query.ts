import { and, count, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { Page } from "./accounts-service";
import type { AuditRow } from "./audit";
import { canSeeAccount, seesAllAccounts, type Actor } from "./scope";

export interface AuditFilter extends Page {
  accountId?: string;
  actorUserId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Entries at or after this instant. */
  from?: Date;
  /** Entries before this instant. */
  to?: Date;
}

/**
 * Audit entries matching every given filter, newest first. An account admin sees only their
 * own account's entries; super admins and moderators see all, including entries with no account.
 */
export async function listAudit(db: Database, actor: Actor, filter: AuditFilter): Promise<{ total: number; items: AuditRow[] }> {
  if (filter.accountId && !canSeeAccount(actor, filter.accountId)) {
    throw notFound("ACCOUNT_NOT_FOUND", { account_id: filter.accountId });
  }

  const conditions: SQL[] = [];
  const accountId = seesAllAccounts(actor) ? filter.accountId : actor.accountId;
  if (accountId) conditions.push(eq(auditLog.accountId, accountId));
  if (filter.actorUserId) conditions.push(eq(auditLog.actorUserId, filter.actorUserId));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.targetType) conditions.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) conditions.push(eq(auditLog.targetId, filter.targetId));
  if (filter.from) conditions.push(gte(auditLog.createdAt, filter.from));
  if (filter.to) conditions.push(lt(auditLog.createdAt, filter.to));
  const where = conditions.length > 0 ? and(...conditions) : undefined;

  const [{ total }] = await db.select({ total: count() }).from(auditLog).where(where);
  const items = await db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(filter.limit)
    .offset(filter.offset);
  return { total, items };
}
