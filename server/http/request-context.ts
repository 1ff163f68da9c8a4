import { randomUUID } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Role } from "../../shared/roles.js";
import type { Logger } from "./logger.js";

/**
 * What the service knows about one request: its id (for logs, error bodies
 * and support) and, once `authenticate` has run, who is calling. Route
 * handlers read it through the accessors below, never by property name, so
 * where it is kept stays this module's business.
 */

/** The authenticated caller. */
export interface Principal {
  /** A person's or service's name: token user, or Entra preferred_username/upn/oid. */
  readonly user: string;
  readonly role: Role;
  readonly via: "token" | "entra";
  /** What authenticated them, for the audit log: "token:<id>" or "entra:<tenant>/<oid>". */
  readonly subject: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal | null;
}

declare module "express-serve-static-core" {
  interface Request {
    openar?: RequestContext;
  }
}

export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * A client's request id is echoed only if it is short and plain: it is
 * written into logs and headers, so anything else (newlines, quotes, long
 * text) is replaced by a fresh id rather than trusted.
 */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's context, created (with a fresh id) if no middleware made one yet. */
export function ensureRequestContext(req: Request, res: Response): RequestContext {
  if (req.openar !== undefined) return req.openar;
  const offered = req.get(REQUEST_ID_HEADER);
  const requestId = offered !== undefined && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  const context: RequestContext = { requestId, principal: null };
  req.openar = context;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, requestId);
  return context;
}

export function requestIdOf(req: Request): string {
  return req.openar?.requestId ?? "unknown";
}

export function principalOf(req: Request): Principal | null {
  return req.openar?.principal ?? null;
}

/**
 * The caller, for handlers behind `authenticate`. Reaching this without a
 * principal means the route was wired without authentication: a bug, so it
 * throws (a 500) rather than letting the request through anonymously.
 */
export function requirePrincipal(req: Request): Principal {
  const principal = principalOf(req);
  if (principal === null) {
    throw new Error(`route ${req.method} ${req.path} reached without authenticate() in front of it`);
  }
  return principal;
}

export function setPrincipal(req: Request, res: Response, principal: Principal): void {
  req.openar = { ...ensureRequestContext(req, res), principal };
}

/** Assigns the request id (echoing an acceptable `X-Request-Id`) and sets the response header. */
export function requestContext(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    ensureRequestContext(req, res);
    next();
  };
}

/**
 * One structured line per request, written when the response is finished
 * (or the client went away), so it carries the final status and the user
 * that `authenticate` found further down the chain. The query string is left
 * out: it can hold customer names and other business data.
 */
export function accessLog(options: { logger: Logger; now?: () => number }): RequestHandler {
  const now = options.now ?? (() => performance.now());
  return (req: Request, res: Response, next: NextFunction) => {
    const started = now();
    const context = ensureRequestContext(req, res);
    const method = req.method;
    const path = req.originalUrl.split("?")[0] ?? req.originalUrl;
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      const fields = {
        requestId: context.requestId,
        method,
        path,
        status: res.statusCode,
        // Tenths of a millisecond are plenty; more digits are noise.
        ms: Math.round((now() - started) * 10) / 10,
        user: principalOf(req)?.user ?? null,
      };
      options.logger.info("request", res.writableFinished ? fields : { ...fields, aborted: true });
    };
    res.on("finish", log);
    res.on("close", log);
    next();
  };
}
