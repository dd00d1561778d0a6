/**
 * The one error family of the service. `code` is stable and documented for API
 * consumers; the message shown to a user comes from the catalogue in `messages.ts`,
 * chosen by the request's Accept-Language.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details?: Record<string, unknown>,
    /** Message for logs; users see the localised text for `code`. */
    message?: string,
  ) {
    super(message ?? code);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, details?: Record<string, unknown>) =>
  new AppError(400, code, details);

export const unauthorized = (code = "UNAUTHORIZED", details?: Record<string, unknown>) =>
  new AppError(401, code, details);

export const forbidden = (code = "FORBIDDEN", details?: Record<string, unknown>) =>
  new AppError(403, code, details);

export const notFound = (code: string, details?: Record<string, unknown>) =>
  new AppError(404, code, details);

export const conflict = (code: string, details?: Record<string, unknown>) =>
  new AppError(409, code, details);

/** An outside service failed; `status` is 502 for a bad answer and 503 when it was unreachable. */
export class UpstreamError extends AppError {
  constructor(
    status: 502 | 503,
    code: string,
    readonly upstream: string,
    details?: Record<string, unknown>,
    message?: string,
  ) {
    super(status, code, details, message);
    this.name = "UpstreamError";
  }
}
