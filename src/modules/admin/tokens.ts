import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { createHash, randomBytes } from "node:crypto";
import { unauthorized } from "../../lib/errors";

export type Role = "SUPER_ADMIN" | "ADMIN" | "MODERATOR" | "USER";

/** What an access token carries about its holder. */
export interface AccessClaims {
  userId: string;
  accountId: string;
  role: Role;
  sessionId: string;
}

const issuer = "ventra";

/** Signs and checks the short-lived access tokens (HS256 JWTs). */
export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  get accessTtlSeconds(): number {
    return this.ttlSeconds;
  }

  sign(claims: AccessClaims, now: Date): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({ acc: claims.accountId, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuer(issuer)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
  }

  /**
   * Checks signature, algorithm (HS256 only, so `alg: none` fails), issuer and expiry.
   * Throws 401 TOKEN_EXPIRED or UNAUTHORIZED.
   */
  async verify(token: string, now: Date): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer,
        currentDate: now,
      });
      const { sub, acc, role, sid } = payload as Record<string, unknown>;
      if (typeof sub !== "string" || typeof acc !== "string" || typeof role !== "string" || typeof sid !== "string") {
        throw unauthorized();
      }
      return { userId: sub, accountId: acc, role: role as Role, sessionId: sid };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized("TOKEN_EXPIRED");
      throw unauthorized();
    }
  }
}

/** A new opaque refresh token: 256 random bits. */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Refresh tokens are stored only as this hash, so a database leak does not leak sessions. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
