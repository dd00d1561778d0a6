import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";

export type AuditEntry = Omit<typeof auditLog.$inferInsert, "id">;
export type AuditRow = typeof auditLog.$inferSelect;

/** Records an action in `audit_log`; pass the transaction when the action runs in one, so both commit together. */
export async function writeAudit(db: Database, entry: AuditEntry): Promise<AuditRow> {
  const [row] = await db.insert(auditLog).values(entry).returning();
  return row;
}
