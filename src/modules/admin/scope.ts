import { forbidden } from "../../lib/errors";
import type { Role } from "./tokens";

/** The caller of an admin route, as `requireRole` resolved it. */
export interface Actor {
  userId: string;
  accountId: string;
  role: Role;
}

/** Roles that see every account: super admins, and moderators read-only. */
export function seesAllAccounts(actor: Actor): boolean {
  return actor.role === "SUPER_ADMIN" || actor.role === "MODERATOR";
}

/**
 * Whether the actor may see rows of `accountId`. An account admin sees only their own account;
 * callers answer 404 for anything else, so another account's ids do not reveal they exist.
 */
export function canSeeAccount(actor: Actor, accountId: string): boolean {
  return seesAllAccounts(actor) || actor.accountId === accountId;
}

/** Rejects moderators, who may only read (403 FORBIDDEN). */
export function assertCanWrite(actor: Actor): void {
  if (actor.role === "MODERATOR" || actor.role === "USER") {
    throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN", "ADMIN"] });
  }
}

/** Escapes `%`, `_` and `\` so a search text matches literally inside ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
