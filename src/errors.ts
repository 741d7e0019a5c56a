// The error classes every module throws. The HTTP error handler maps them to
// {"error": {"code", "message", "details"}} and a status; `code` comes from ERROR_CODES, a closed list that
// docs/api.md documents (a test keeps the two in step).

export const ERROR_CODES = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  policy_violation: 422,
  upstream_failed: 502,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TarsierError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

/** Input that cannot be used as given; `field` is the JSON path of the culprit, e.g. `sans.dns[2]`. */
export class ValidationError extends TarsierError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('validation_failed', `${field}: ${message}`, { field }, options);
  }
}

export class UnauthenticatedError extends TarsierError {
  constructor(message = 'sign in first: send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends TarsierError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends TarsierError {
  constructor(kind: string, id: string | number) {
    super('not_found', `${kind} ${id} does not exist`, { kind, id });
  }
}

export class ConflictError extends TarsierError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, details);
  }
}

/** The authority or a domain rule forbids what was asked; the message says which rule. */
export class PolicyError extends TarsierError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('policy_violation', message, details);
  }
}

/** An outside system (issuer, destination, mail server) failed; its own text is kept in details. */
export class UpstreamError extends TarsierError {
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super('upstream_failed', message, details, options);
  }
}
