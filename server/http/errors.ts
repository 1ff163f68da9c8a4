import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { isDomainError, type DomainErrorCode } from "../../shared/errors.js";
import type { Logger } from "./logger.js";
import { ensureRequestContext } from "./request-context.js";

/**
 * Errors become HTTP responses in exactly one place: `errorMiddleware`,
 * registered after every route. Every error body has the same shape,
 * `{ error: <code>, message, requestId, ...details }`, so clients (the
 * add-in) branch on `error` and show `message`.
 */

/**
 * DomainError code → status. `satisfies` makes this exhaustive: a new code in
 * shared/errors.ts does not compile until it is given a status here.
 * Input that is well-formed but breaks a business rule is 422 (as a change
 * set's per-operation errors are); `invalid_argument` is a malformed request
 * (a bad query parameter or flag), 400.
 */
export const DOMAIN_ERROR_STATUS = {
  invalid_amount: 422,
  invalid_currency: 422,
  currency_mismatch: 422,
  invalid_date: 422,
  invalid_terms: 422,
  invalid_argument: 400,
  over_application: 422,
  not_found: 404,
  conflict: 409,
  closed_period: 422,
  forbidden: 403,
  validation_failed: 422,
} as const satisfies Record<DomainErrorCode, number>;

/** Codes used by the HTTP layer itself (domain codes are passed through as they are). */
export type HttpErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "malformed_json"
  | "validation_failed"
  | "rate_limited"
  | "internal_error"
  | "service_unavailable";

export interface HttpErrorInit {
  readonly status: number;
  readonly error: HttpErrorCode;
  readonly message: string;
  /** Merged into the body after `error`, `message` and `requestId` (which they cannot replace). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Set on the response, e.g. WWW-Authenticate on a 401. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An error a route or middleware raises on purpose, with its status and code. */
export class HttpError extends Error {
  readonly status: number;
  readonly error: HttpErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.name = "HttpError";
    this.status = init.status;
    this.error = init.error;
    this.details = init.details ?? {};
    this.headers = init.headers ?? {};
  }
}

interface ErrorReply {
  readonly status: number;
  readonly error: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** The error shapes that body-parser and Express raise (http-errors): a 4xx with `expose`. */
interface ExposedClientError {
  readonly status: number;
  readonly type?: unknown;
  readonly message: string;
}

function isExposedClientError(value: unknown): value is ExposedClientError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { status?: unknown; expose?: unknown; message?: unknown };
  return (
    typeof candidate.status === "number" &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    candidate.expose === true &&
    typeof candidate.message === "string"
  );
}

const CODE_FOR_CLIENT_STATUS: Readonly<Record<number, HttpErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function replyFor(err: unknown): ErrorReply | null {
  if (err instanceof HttpError) {
    return { status: err.status, error: err.error, message: err.message, details: err.details, headers: err.headers };
  }
  if (isDomainError(err)) {
    const details: Record<string, unknown> = { ...err.details };
    if (err.field !== undefined) details["field"] = err.field;
    return { status: DOMAIN_ERROR_STATUS[err.code], error: err.code, message: err.message, details, headers: {} };
  }
  if (isExposedClientError(err)) {
    // body-parser's errors, told apart by `type`.
    if (err.type === "entity.parse.failed") {
      return {
        status: 400,
        error: "malformed_json",
        message: `request body is not valid JSON: ${err.message}`,
        details: {},
        headers: {},
      };
    }
    if (err.type === "entity.too.large") {
      const limit = (err as { limit?: unknown }).limit;
      return {
        status: 413,
        error: "payload_too_large",
        message:
          typeof limit === "number"
            ? `request body is larger than the limit of ${limit} bytes`
            : "request body is larger than the limit",
        details: typeof limit === "number" ? { limitBytes: limit } : {},
        headers: {},
      };
    }
    return {
      status: err.status,
      error: CODE_FOR_CLIENT_STATUS[err.status] ?? "bad_request",
      message: err.message,
      details: {},
      headers: {},
    };
  }
  return null;
}

const RESERVED_KEYS = new Set(["error", "message", "requestId"]);

/**
 * The one error middleware. Known errors get their status and code; anything
 * else is a bug: it is logged with its stack and answered with a 500 that
 * carries only the request id, never the stack or the message (which may name
 * tables, paths or data).
 */
export function errorMiddleware(options: { logger: Logger }): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const { requestId } = ensureRequestContext(req, res);
    if (res.headersSent) {
      // Too late for a clean error body (e.g. mid-stream): let Express cut the connection.
      options.logger.error("error after response started", { requestId, err });
      next(err);
      return;
    }
    const reply = replyFor(err) ?? {
      status: 500,
      error: "internal_error",
      message: `internal error; quote request id ${requestId} when reporting it`,
      details: {},
      headers: {},
    };
    if (reply.status >= 500) {
      options.logger.error("request failed", { requestId, method: req.method, path: req.path, err });
    }
    const body: Record<string, unknown> = { error: reply.error, message: reply.message, requestId };
    for (const [key, value] of Object.entries(reply.details)) {
      if (!RESERVED_KEYS.has(key)) body[key] = value;
    }
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    res.status(reply.status).json(body);
  };
}

/** Registered after the routes and before `errorMiddleware`: a JSON 404 for unknown paths. */
export function notFound(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    next(
      new HttpError({
        status: 404,
        error: "not_found",
        message: `no route for ${req.method} ${req.path}`,
      }),
    );
  };
}
