import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { accounts, refreshTokens, sessions, users } from "../../db/schema";
import { conflict, forbidden, unauthorized } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import { assertStrongPassword, hashPassword, needsRehash, verifyPassword } from "./passwords";
import { hashRefreshToken, newRefreshToken, type AccessClaims, type Role, type TokenSigner } from "./tokens";

/** The signed-in caller, as every account-scoped route sees it. */
export interface AuthContext extends AccessClaims {
  email: string;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  user: { id: string; email: string; role: Role; accountId: string; accountName: string };
}

export interface AuthServiceDeps {
  db: Database;
  signer: TokenSigner;
  refreshTtlSeconds: number;
  clock: Clock;
  logger: Logger;
}

type UserRow = typeof users.$inferSelect;

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /** Creates an account with its first user (an ADMIN of that account) and signs them in. */
  async register(input: { email: string; password: string; accountName: string }): Promise<SessionTokens> {
    const email = normalizeEmail(input.email);
    assertStrongPassword(input.password, email);
    const passwordHash = await hashPassword(input.password);

    try {
      const user = await this.deps.db.transaction(async (tx) => {
        const [account] = await tx.insert(accounts).values({ name: input.accountName.trim() }).returning();
        const [created] = await tx
          .insert(users)
          .values({ accountId: account.id, email, passwordHash, role: "ADMIN" })
          .returning();
        return created;
      });
      this.deps.logger.info({ userId: user.id, accountId: user.accountId }, "auth.registered");
      return await this.startSession(user, input.accountName.trim());
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("EMAIL_TAKEN");
      throw error;
    }
  }

  /** Checks the password and opens a session; a hash from the old system is upgraded to Argon2id. */
  async login(input: { email: string; password: string }): Promise<SessionTokens> {
    const email = normalizeEmail(input.email);
    const [found] = await this.deps.db
      .select({ user: users, account: accounts })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.email, email));

    // Verify against a throwaway hash when the user is unknown, so timing does not reveal which emails exist.
    const hash = found?.user.passwordHash ?? (await unknownUserHash);
    const valid = await verifyPassword(input.password, hash);
    if (!found || !valid || !found.user.isActive) throw unauthorized("INVALID_CREDENTIALS");
    if (found.account.status === "SUSPENDED") throw forbidden("ACCOUNT_SUSPENDED");

    const updates: Partial<UserRow> = { lastLoginAt: this.deps.clock.now() };
    if (needsRehash(found.user.passwordHash)) updates.passwordHash = await hashPassword(input.password);
    await this.deps.db.update(users).set(updates).where(eq(users.id, found.user.id));

    return this.startSession(found.user, found.account.name);
  }

  /**
   * Swaps a refresh token for a new pair. A token used twice means it was copied,
   * so the whole session is revoked and both holders must sign in again.
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const now = this.deps.clock.now();
    const tokenHash = hashRefreshToken(refreshToken);

    const [claimed] = await this.deps.db
      .update(refreshTokens)
      .set({ usedAt: now })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
      .returning();

    if (!claimed) {
      const [reused] = await this.deps.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
      if (reused) {
        await this.revokeSession(reused.sessionId, "refresh_token_reuse");
        this.deps.logger.warn({ sessionId: reused.sessionId }, "auth.refresh_token_reused");
      }
      throw unauthorized("INVALID_REFRESH_TOKEN");
    }

    const [found] = await this.deps.db
      .select({ session: sessions, user: users, account: accounts })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(eq(sessions.id, claimed.sessionId));

    if (!found || found.session.revokedAt || found.session.expiresAt <= now || !found.user.isActive) {
      throw unauthorized("INVALID_REFRESH_TOKEN");
    }
    if (found.account.status === "SUSPENDED") throw forbidden("ACCOUNT_SUSPENDED");

    return this.issueTokens(found.user, found.account.name, found.session.id);
  }

  async logout(sessionId: string): Promise<void> {
    await this.revokeSession(sessionId, "logout");
  }

  /**
   * Resolves a bearer token to its caller. The session, user and account are checked on
   * every request, so revoking a session or deactivating a user takes effect at once.
   */
  async authenticate(authorization: string | null | undefined): Promise<AuthContext> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!match) throw unauthorized();

    const now = this.deps.clock.now();
    const claims = await this.deps.signer.verify(match[1], now);
    const [found] = await this.deps.db
      .select({
        revokedAt: sessions.revokedAt,
        expiresAt: sessions.expiresAt,
        isActive: users.isActive,
        role: users.role,
        email: users.email,
        accountStatus: accounts.status,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(and(eq(sessions.id, claims.sessionId), eq(sessions.userId, claims.userId)));

    if (!found || found.revokedAt || found.expiresAt <= now || !found.isActive) throw unauthorized();
    if (found.accountStatus === "SUSPENDED") throw forbidden("ACCOUNT_SUSPENDED");

    // The role is read from the database, so a role change applies without a new token.
    return { ...claims, role: found.role, email: found.email };
  }

  private async startSession(user: UserRow, accountName: string): Promise<SessionTokens> {
    const now = this.deps.clock.now();
    const [session] = await this.deps.db
      .insert(sessions)
      .values({
        userId: user.id,
        accountId: user.accountId,
        expiresAt: new Date(now.getTime() + this.deps.refreshTtlSeconds * 1000),
      })
      .returning();
    return this.issueTokens(user, accountName, session.id);
  }

  private async issueTokens(user: UserRow, accountName: string, sessionId: string): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    await this.deps.db.insert(refreshTokens).values({ sessionId, tokenHash: hashRefreshToken(refreshToken) });

    const accessToken = await this.deps.signer.sign(
      { userId: user.id, accountId: user.accountId, role: user.role, sessionId },
      this.deps.clock.now(),
    );
    return {
      accessToken,
      refreshToken,
      expiresInSeconds: this.deps.signer.accessTtlSeconds,
      user: { id: user.id, email: user.email, role: user.role, accountId: user.accountId, accountName },
    };
  }

  private async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.deps.db
      .update(sessions)
      .set({ revokedAt: sql`now()`, revokedReason: reason })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A hash nobody's password matches, computed once, for the unknown-user path of login. */
const unknownUserHash = Bun.password.hash(crypto.randomUUID(), { algorithm: "argon2id" });

