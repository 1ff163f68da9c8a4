import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import helmet from "helmet";
import { DomainError } from "../../shared/errors.js";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import { accessLog, principalOf, REQUEST_ID_HEADER, requestContext } from "./request-context.js";

/**
 * HTTP hardening, as middleware the app mounts in two places:
 *
 *   app.use(security.beforeAuth);            // request id, access log, headers, CORS + preflight
 *   app.use("/api/v1", authenticate(...), security.afterAuth, routes);   // rate limit, no-store, JSON body
 *   app.use(notFound(), errorMiddleware({ logger }));
 *
 * CORS runs before authentication because browsers send preflights without
 * credentials. The body is parsed only after authentication, so an anonymous
 * caller cannot make the service read and parse a large body.
 */

/**
 * Pages that may frame ours: Office on the web hosts the task pane in an
 * iframe under these origins (desktop Office hosts it top-level, unframed).
 * `*.cloud.microsoft` is where Microsoft 365 is moving its apps
 * (excel.cloud.microsoft).
 */
export const OFFICE_FRAME_ANCESTORS = [
  "https://*.officeapps.live.com",
  "https://*.office.com",
  "https://*.office365.com",
  "https://*.sharepoint.com",
  "https://outlook.office.com",
  "https://excel.officeapps.live.com",
  "https://*.cloud.microsoft",
] as const;

/** office.js must be loaded from Microsoft's CDN (Office requires it); it loads more from there. */
const OFFICE_SCRIPT_SOURCES = ["https://appsforoffice.microsoft.com", "https://ajax.aspnetcdn.com"] as const;
const ENTRA_LOGIN = "https://login.microsoftonline.com";

const CORS_METHODS = "GET, POST, PUT, PATCH, DELETE";
const CORS_REQUEST_HEADERS = `Authorization, Content-Type, ${REQUEST_ID_HEADER}`;
const CORS_EXPOSED_HEADERS = `${REQUEST_ID_HEADER}, Retry-After, RateLimit, RateLimit-Policy`;
const CORS_MAX_AGE_SECONDS = "600";
const JSON_TYPES = ["application/json", "application/*+json"];

export interface SecurityOptions {
  /** Exact origins, e.g. "https://localhost:3000": scheme, host and port, nothing else. */
  readonly allowedOrigins: readonly string[];
  /** Largest accepted JSON body, as body-parser takes it: bytes, or "1mb". */
  readonly bodyLimit: string | number;
  /** At most `max` requests per `windowMs` per user (per IP before authentication). */
  readonly rateLimit: {
    readonly windowMs: number;
    readonly max: number;
    /** Shared counters for several instances; default: in-process memory. */
    readonly store?: Store;
  };
  readonly logger: Logger;
  /**
   * Strict-Transport-Security and upgrade-insecure-requests (default on).
   * Off for plain-HTTP serving (`--http`), where they would break the page.
   */
  readonly hsts?: boolean;
  /** Extra CSP connect-src entries, e.g. an API on another origin. */
  readonly connectSrc?: readonly string[];
}

export interface SecurityMiddleware {
  readonly requestContext: RequestHandler;
  readonly accessLog: RequestHandler;
  readonly headers: RequestHandler;
  readonly cors: RequestHandler;
  readonly rateLimit: RequestHandler;
  readonly noStore: RequestHandler;
  readonly jsonBody: RequestHandler;
  /** requestContext, accessLog, headers, cors — mount first, for every path. */
  readonly beforeAuth: RequestHandler[];
  /** rateLimit, noStore, jsonBody — mount right after `authenticate`. */
  readonly afterAuth: RequestHandler[];
}

export function securityMiddleware(options: SecurityOptions): SecurityMiddleware {
  const origins = parseAllowedOrigins(options.allowedOrigins);
  const handlers = {
    requestContext: requestContext(),
    accessLog: accessLog({ logger: options.logger }),
    headers: securityHeaders({ hsts: options.hsts ?? true, connectSrc: options.connectSrc ?? [] }),
    cors: cors(origins),
    rateLimit: perUserRateLimit(options.rateLimit, options.logger),
    noStore: noStore(),
    jsonBody: jsonBody(options.bodyLimit),
  };
  return {
    ...handlers,
    beforeAuth: [handlers.requestContext, handlers.accessLog, handlers.headers, handlers.cors],
    afterAuth: [handlers.rateLimit, handlers.noStore, handlers.jsonBody],
  };
}

/** Refuses anything that is not a plain origin, so a typo cannot silently allow nothing (or too much). */
export function parseAllowedOrigins(origins: readonly string[]): ReadonlySet<string> {
  const parsed = new Set<string>();
  for (const origin of origins) {
    let canonical: string | null = null;
    try {
      canonical = new URL(origin).origin;
    } catch {
      canonical = null;
    }
    // URL accepts "*" in a host name, but CORS matches origins exactly: a wildcard would never match.
    if (canonical === null || canonical === "null" || canonical !== origin || origin.includes("*")) {
      const hint =
        canonical !== null && canonical !== "null" && canonical !== origin ? `; write it as ${canonical}` : "";
      throw new DomainError(
        "invalid_argument",
        `allowed origin "${origin}" is not an exact origin (scheme://host[:port], no path, no wildcard)${hint}`,
        { field: "allowedOrigins" },
      );
    }
    parsed.add(origin);
  }
  return parsed;
}

function securityHeaders(options: { hsts: boolean; connectSrc: readonly string[] }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", ...OFFICE_SCRIPT_SOURCES],
        "connect-src": ["'self'", ENTRA_LOGIN, ...options.connectSrc],
        // Entra sign-in (MSAL) may use a hidden iframe for silent renewal.
        "frame-src": ["'self'", ENTRA_LOGIN],
        "frame-ancestors": ["'self'", ...OFFICE_FRAME_ANCESTORS],
        "upgrade-insecure-requests": options.hsts ? [] : null,
      },
    },
    // X-Frame-Options can only say DENY or SAMEORIGIN, either of which stops
    // Office on the web from framing the task pane; CSP frame-ancestors
    // (above) is the framing policy instead.
    xFrameOptions: false,
    strictTransportSecurity: options.hsts,
    // Office dialogs (displayDialogAsync) and Entra sign-in popups talk to
    // their opener; a cross-origin-opener policy would sever that link.
    crossOriginOpenerPolicy: false,
    // Office on the web loads the add-in's icons from this origin into its own pages.
    crossOriginResourcePolicy: { policy: "cross-origin" },
  });
}

/**
 * CORS for an allowlist of exact origins. Allowed origins get the CORS
 * headers and their preflights a 204; any other origin gets no CORS headers
 * at all (its preflight a 403 that says why, for whoever reads the network
 * tab). Requests without an Origin, or same-origin ones, pass untouched: the
 * browser does not need CORS for them. No credentials mode: bearer tokens,
 * not cookies.
 */
function cors(allowed: ReadonlySet<string>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // The response differs by Origin, so caches must key on it.
    res.vary("Origin");
    const origin = req.get("origin");
    const preflight = req.method === "OPTIONS" && req.get("access-control-request-method") !== undefined;
    if (origin === undefined || !allowed.has(origin)) {
      if (preflight) {
        throw new HttpError({
          status: 403,
          error: "forbidden",
          message: `origin ${origin ?? "(none)"} is not in this server's CORS allowlist`,
        });
      }
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    if (!preflight) {
      res.setHeader("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Methods", CORS_METHODS);
    res.setHeader("Access-Control-Allow-Headers", CORS_REQUEST_HEADERS);
    res.setHeader("Access-Control-Max-Age", CORS_MAX_AGE_SECONDS);
    // Chrome's Private Network Access: a public page (Office on the web) calling a localhost service.
    if (req.get("access-control-request-private-network") === "true") {
      res.setHeader("Access-Control-Allow-Private-Network", "true");
    }
    res.status(204).end();
  };
}

function perUserRateLimit(limits: SecurityOptions["rateLimit"], logger: Logger): RequestHandler {
  for (const [field, value] of [
    ["windowMs", limits.windowMs],
    ["max", limits.max],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new DomainError("invalid_argument", `rateLimit.${field} must be a positive whole number; got ${value}`, {
        field: `rateLimit.${field}`,
      });
    }
  }
  const windowSeconds = Math.ceil(limits.windowMs / 1000);
  return rateLimit({
    windowMs: limits.windowMs,
    limit: limits.max,
    ...(limits.store === undefined ? {} : { store: limits.store }),
    standardHeaders: "draft-7",
    legacyHeaders: false,
    // Per user once authenticated (one user's burst does not throttle a
    // whole office behind one NAT address); per client address before.
    keyGenerator: (req: Request) => {
      const principal = principalOf(req);
      return principal !== null ? `user:${principal.user}` : `ip:${ipKeyGenerator(req.ip ?? "unknown")}`;
    },
    // The library sets Retry-After before calling this; the error middleware keeps it.
    handler: (req: Request, res: Response, next: NextFunction) => {
      const retryAfter = String(res.getHeader("Retry-After") ?? windowSeconds);
      const who = principalOf(req)?.user ?? "this client";
      next(
        new HttpError({
          status: 429,
          error: "rate_limited",
          message: `too many requests from ${who}: at most ${limits.max} per ${windowSeconds} s; retry after ${retryAfter} s`,
          details: { retryAfterSeconds: Number(retryAfter) },
          headers: { "Retry-After": retryAfter },
        }),
      );
    },
    // Its configuration warnings go to our logger, not the console.
    logger: {
      error: (error: unknown, message?: string) => {
        logger.error("rate limiter", { err: error, detail: message });
      },
      warn: (error: unknown, message?: string) => {
        logger.warn("rate limiter", { err: error, detail: message });
      },
    },
  });
}

/** Ledger data behind authentication must not linger in shared or browser caches. */
function noStore(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  };
}

/**
 * JSON bodies only, up to the limit. Errors (malformed JSON → 400, too large
 * → 413) are raised by body-parser and rendered by the error middleware; a
 * body of any other type is refused here (415) rather than silently ignored.
 */
function jsonBody(limit: string | number): RequestHandler {
  // Typed as Express middleware (the body-parser types speak of plain IncomingMessage).
  const parse: RequestHandler = express.json({ limit, type: JSON_TYPES, strict: true });
  return (req: Request, res: Response, next: NextFunction) => {
    // null: no body at all; false: a body of another type.
    if (req.is(JSON_TYPES) === false) {
      throw new HttpError({
        status: 415,
        error: "unsupported_media_type",
        message: `request body must be application/json; got ${req.get("content-type") ?? "no Content-Type"}`,
      });
    }
    parse(req, res, next);
  };
}
