import { and, count, desc, eq, ilike, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { accounts, trackedProducts, users } from "../../db/schema";
import { badRequest, conflict, forbidden, notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import { writeAudit } from "./audit";
import { normalizeEmail } from "./auth-service";
import { assertStrongPassword, hashPassword } from "./passwords";
import { assertCanWrite, canSeeAccount, likePattern, seesAllAccounts, type Actor } from "./scope";

export type AccountStatus = "ACTIVE" | "SUSPENDED";

export interface AccountSummary {
  id: string;
  name: string;
  status: AccountStatus;
  createdAt: Date;
  userCount: number;
  trackedProductCount: number;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface AccountsServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
}

/** Accounts as operators see them: listing, creation with a first user, and suspension. */
export class AccountsService {
  constructor(private readonly deps: AccountsServiceDeps) {}

  /** Accounts matching `q` (part of the name) and `status`, newest first; super admins and moderators only. */
  async list(actor: Actor, filter: { q?: string; status?: AccountStatus } & Page): Promise<{ total: number; items: AccountSummary[] }> {
    if (!seesAllAccounts(actor)) throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN", "MODERATOR"] });

    const conditions: SQL[] = [];
    if (filter.q) conditions.push(ilike(accounts.name, likePattern(filter.q)));
    if (filter.status) conditions.push(eq(accounts.status, filter.status));
    const where = conditions.length > 0 ? and(...conditions) : undefined;

    const [{ total }] = await this.deps.db.select({ total: count() }).from(accounts).where(where);
    const rows = await this.summaries()
      .where(where)
      .orderBy(desc(accounts.createdAt), accounts.id)
      .limit(filter.limit)
      .offset(filter.offset);
    return { total, items: rows };
  }

  /** One account; 404 ACCOUNT_NOT_FOUND when it does not exist or the actor may not see it. */
  async get(actor: Actor, accountId: string): Promise<AccountSummary> {
    if (!canSeeAccount(actor, accountId)) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });
    const [row] = await this.summaries().where(eq(accounts.id, accountId));
    if (!row) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });
    return row;
  }

  /** Creates an account with its first user, an ADMIN of it; super admins only. */
  async create(actor: Actor, input: { name: string; email: string; password: string }): Promise<{ account: AccountSummary; userId: string }> {
    if (actor.role !== "SUPER_ADMIN") throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN"] });
    const email = normalizeEmail(input.email);
    assertStrongPassword(input.password, email);
    const passwordHash = await hashPassword(input.password);
    const now = this.deps.clock.now();

    let created: { accountId: string; userId: string };
    try {
      created = await this.deps.db.transaction(async (tx) => {
        const [account] = await tx.insert(accounts).values({ name: input.name.trim(), createdAt: now }).returning();
        const [user] = await tx
          .insert(users)
          .values({ accountId: account.id, email, passwordHash, role: "ADMIN", createdAt: now })
          .returning();
        await writeAudit(tx, {
          accountId: account.id,
          actorUserId: actor.userId,
          action: "account.create",
          targetType: "account",
          targetId: account.id,
          after: { name: account.name, status: account.status, first_user: { id: user.id, email, role: "ADMIN" } },
          createdAt: now,
        });
        return { accountId: account.id, userId: user.id };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("EMAIL_TAKEN", { email });
      throw error;
    }

    this.deps.logger.info({ actorUserId: actor.userId, ...created }, "admin.account_created");
    return { account: await this.get(actor, created.accountId), userId: created.userId };
  }

  /**
   * Sets ACTIVE or SUSPENDED; super admins only. A suspended account's users get 403
   * ACCOUNT_SUSPENDED on their next request. An actor may not suspend their own account.
   */
  async setStatus(actor: Actor, accountId: string, status: AccountStatus): Promise<AccountSummary> {
    assertCanWrite(actor);
    if (actor.role !== "SUPER_ADMIN") {
      // An account admin may not suspend any account; their own is the only one they can see.
      if (!canSeeAccount(actor, accountId)) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });
      throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN"] });
    }
    if (accountId === actor.accountId && status === "SUSPENDED") throw badRequest("CANNOT_MODIFY_SELF", { account_id: accountId });
    const now = this.deps.clock.now();

    await this.deps.db.transaction(async (tx) => {
      const [before] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for("update");
      if (!before) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });
      if (before.status === status) return;

      await tx.update(accounts).set({ status }).where(eq(accounts.id, accountId));
      await writeAudit(tx, {
        accountId,
        actorUserId: actor.userId,
        action: "account.status",
        targetType: "account",
        targetId: accountId,
        before: { status: before.status },
        after: { status },
        createdAt: now,
      });
    });

    this.deps.logger.info({ actorUserId: actor.userId, accountId, status }, "admin.account_status_set");
    return this.get(actor, accountId);
  }

  private summaries() {
    return this.deps.db
      .select({
        id: accounts.id,
        name: accounts.name,
        status: accounts.status,
        createdAt: accounts.createdAt,
        userCount: sql<number>`(SELECT count(*)::int FROM ${users} WHERE ${users.accountId} = ${accounts.id})`,
        trackedProductCount: sql<number>`(SELECT count(*)::int FROM ${trackedProducts}
          WHERE ${trackedProducts.accountId} = ${accounts.id} AND ${isNull(trackedProducts.untrackedAt)})`,
      })
      .from(accounts)
      .$dynamic();
  }
}
