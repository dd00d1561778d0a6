import { and, count, desc, eq, ilike, isNull, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { accounts, sessions, users } from "../../db/schema";
import { badRequest, conflict, forbidden, notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { Page } from "./accounts-service";
import { writeAudit } from "./audit";
import { normalizeEmail } from "./auth-service";
import { assertStrongPassword, hashPassword } from "./passwords";
import { assertCanWrite, canSeeAccount, likePattern, seesAllAccounts, type Actor } from "./scope";
import type { Role } from "./tokens";

export interface UserSummary {
  id: string;
  accountId: string;
  accountName: string;
  email: string;
  role: Role;
  isActive: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface UserFilter extends Page {
  q?: string;
  accountId?: string;
  role?: Role;
  active?: boolean;
}

/** Roles an account admin may give and take inside their own account; the others are for operators. */
const accountRoles: Role[] = ["USER", "ADMIN"];

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
type UserRow = typeof users.$inferSelect;

/**
 * Users as admins manage them. Super admins manage everyone, account admins the USER and ADMIN
 * users of their own account, and moderators only read. A user outside the actor's reach
 * gets 404 USER_NOT_FOUND, the same as one that does not exist. Nobody changes their own
 * user here, so the last active super admin cannot lock themselves out.
 */
export class UsersService {
  constructor(private readonly deps: { db: Database; clock: Clock; logger: Logger }) {}

  async list(actor: Actor, filter: UserFilter): Promise<{ total: number; items: UserSummary[] }> {
    if (filter.accountId && !canSeeAccount(actor, filter.accountId)) {
      throw notFound("ACCOUNT_NOT_FOUND", { account_id: filter.accountId });
    }
    const conditions: SQL[] = [];
    const accountId = seesAllAccounts(actor) ? filter.accountId : actor.accountId;
    if (accountId) conditions.push(eq(users.accountId, accountId));
    if (filter.q) conditions.push(ilike(users.email, likePattern(filter.q.toLowerCase())));
    if (filter.role) conditions.push(eq(users.role, filter.role));
    if (filter.active !== undefined) conditions.push(eq(users.isActive, filter.active));
    const where = conditions.length > 0 ? and(...conditions) : undefined;

    const [{ total }] = await this.deps.db.select({ total: count() }).from(users).where(where);
    const items = await this.summaries().where(where).orderBy(desc(users.createdAt), users.id).limit(filter.limit).offset(filter.offset);
    return { total, items };
  }

  async get(actor: Actor, userId: string): Promise<UserSummary> {
    const [found] = await this.summaries().where(eq(users.id, userId));
    if (!found || !canSeeAccount(actor, found.accountId)) throw notFound("USER_NOT_FOUND", { user_id: userId });
    return found;
  }

  /** Adds a user to an account: the actor's own unless a super admin names another. */
  async create(actor: Actor, input: { accountId?: string; email: string; password: string; role: Role }): Promise<UserSummary> {
    assertCanWrite(actor);
    const accountId = input.accountId ?? actor.accountId;
    if (!canSeeAccount(actor, accountId)) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });
    this.assertMayGrant(actor, input.role);

    const email = normalizeEmail(input.email);
    assertStrongPassword(input.password, email);
    const passwordHash = await hashPassword(input.password);
    const now = this.deps.clock.now();

    let userId: string;
    try {
      userId = await this.deps.db.transaction(async (tx) => {
        const [account] = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId));
        if (!account) throw notFound("ACCOUNT_NOT_FOUND", { account_id: accountId });

        const [user] = await tx.insert(users).values({ accountId, email, passwordHash, role: input.role, createdAt: now }).returning();
        await this.audit(tx, actor, "user.create", user, undefined, { email, role: input.role, account_id: accountId });
        return user.id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("EMAIL_TAKEN", { email });
      throw error;
    }

    this.deps.logger.info({ actorUserId: actor.userId, userId, accountId, role: input.role }, "admin.user_created");
    return this.get(actor, userId);
  }

  /** Changes a role; the role is read from the database on every request, so it applies at once. */
  async setRole(actor: Actor, userId: string, role: Role): Promise<UserSummary> {
    await this.change(actor, userId, "user.role", async (tx, before) => {
      this.assertMayGrant(actor, role);
      if (before.role === role) return undefined;
      await tx.update(users).set({ role }).where(eq(users.id, userId));
      return { before: { role: before.role }, after: { role } };
    });
    return this.get(actor, userId);
  }

  /** Deactivates a user and revokes every session of theirs, so their tokens stop working at once. */
  async deactivate(actor: Actor, userId: string): Promise<UserSummary> {
    await this.change(actor, userId, "user.deactivate", async (tx, before) => {
      if (!before.isActive) return undefined;
      await tx.update(users).set({ isActive: false }).where(eq(users.id, userId));
      const revoked = await this.revokeSessions(tx, userId, "user_deactivated");
      return { before: { is_active: true }, after: { is_active: false, sessions_revoked: revoked } };
    });
    return this.get(actor, userId);
  }

  async activate(actor: Actor, userId: string): Promise<UserSummary> {
    await this.change(actor, userId, "user.activate", async (tx, before) => {
      if (before.isActive) return undefined;
      await tx.update(users).set({ isActive: true }).where(eq(users.id, userId));
      return { before: { is_active: false }, after: { is_active: true } };
    });
    return this.get(actor, userId);
  }

  /** Sets a new password chosen by the admin and signs the user out everywhere. The password is never stored in the audit. */
  async resetPassword(actor: Actor, userId: string, password: string): Promise<UserSummary> {
    const target = await this.get(actor, userId);
    assertStrongPassword(password, target.email);
    const passwordHash = await hashPassword(password);

    await this.change(actor, userId, "user.password_reset", async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
      const revoked = await this.revokeSessions(tx, userId, "password_reset");
      return { before: {}, after: { sessions_revoked: revoked } };
    });
    return this.get(actor, userId);
  }

  /**
   * Runs one change to a user in a transaction with its audit entry. `apply` returns the
   * audit's before and after, or undefined when there was nothing to change.
   */
  private async change(
    actor: Actor,
    userId: string,
    action: string,
    apply: (tx: Tx, before: UserRow) => Promise<{ before: Record<string, unknown>; after: Record<string, unknown> } | undefined>,
  ): Promise<void> {
    assertCanWrite(actor);
    if (userId === actor.userId) throw badRequest("CANNOT_MODIFY_SELF", { user_id: userId });

    const changed = await this.deps.db.transaction(async (tx) => {
      const [before] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
      if (!before || !canSeeAccount(actor, before.accountId)) throw notFound("USER_NOT_FOUND", { user_id: userId });
      if (actor.role !== "SUPER_ADMIN" && !accountRoles.includes(before.role)) {
        throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN"], target_role: before.role });
      }

      const diff = await apply(tx, before);
      if (diff) await this.audit(tx, actor, action, before, diff.before, diff.after);
      return diff !== undefined;
    });
    if (changed) this.deps.logger.info({ actorUserId: actor.userId, userId, action }, "admin.user_changed");
  }

  private assertMayGrant(actor: Actor, role: Role): void {
    if (actor.role !== "SUPER_ADMIN" && !accountRoles.includes(role)) {
      throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN"], role });
    }
  }

  private async revokeSessions(tx: Tx, userId: string, reason: string): Promise<number> {
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: this.deps.clock.now(), revokedReason: reason })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return revoked.length;
  }

  private async audit(
    tx: Tx,
    actor: Actor,
    action: string,
    target: Pick<UserRow, "id" | "accountId" | "email">,
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown>,
  ): Promise<void> {
    await writeAudit(tx, {
      accountId: target.accountId,
      actorUserId: actor.userId,
      action,
      targetType: "user",
      targetId: target.id,
      before: before ? { email: target.email, ...before } : null,
      after: { email: target.email, ...after },
      createdAt: this.deps.clock.now(),
    });
  }

  private summaries() {
    return this.deps.db
      .select({
        id: users.id,
        accountId: users.accountId,
        accountName: accounts.name,
        email: users.email,
        role: users.role,
        isActive: users.isActive,
        createdAt: users.createdAt,
        lastLoginAt: users.lastLoginAt,
      })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .$dynamic();
  }
}
