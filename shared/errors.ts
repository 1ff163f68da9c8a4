/**
 * Typed domain errors. Every rejection of malformed input in shared/ is a
 * DomainError whose `code` says what kind of problem it is and whose message
 * says what exactly was wrong. The server maps codes to HTTP statuses in one
 * table (server/http/errors.ts); expected rejections of a change set are
 * returned as values, not thrown.
 */
export type DomainErrorCode =
  | "invalid_amount"
  | "invalid_currency"
  | "currency_mismatch"
  | "invalid_date"
  | "invalid_terms"
  | "invalid_argument"
  | "over_application"
  | "not_found"
  | "conflict"
  | "closed_period"
  | "forbidden"
  | "validation_failed";

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly field: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: DomainErrorCode,
    message: string,
    options: { field?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
