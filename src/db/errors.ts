/** PostgreSQL's SQLSTATE for a unique constraint violation. */
const uniqueViolation = "23505";

/** Whether a database error (from either driver, possibly wrapped by drizzle) is a unique violation. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 4; depth++) {
    if (current.code === uniqueViolation) return true;
    current = current.cause as typeof current;
  }
  return false;
}
