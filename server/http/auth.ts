import type { NextFunction, Request, RequestHandler, Response } from "express";
import { can, type Action } from "../../shared/roles.js";
import { EntraTokenError, type EntraVerifier } from "./entra.js";
import { HttpError } from "./errors.js";
import { principalOf, setPrincipal, type Principal } from "./request-context.js";
import { hashesEqual, hashToken, isWellFormedToken, TOKEN_PREFIX, type TokenStore } from "./tokens.js";

export type { Principal } from "./request-context.js";

/**
 * Authentication: every request behind `authenticate` carries
 * `Authorization: Bearer <credential>`, where the credential is either an
 * OpenAR token ("oar_…", looked up by hash) or, when Entra is configured, an
 * Entra ID access token. Failures go to the error middleware as HttpErrors,
 * each with its own message so a user (or the add-in) can tell a missing
 * header from a revoked token from an expired sign-in.
 */

export interface AuthenticateOptions {
  readonly tokens: TokenStore;
  /** Absent: Entra tokens are refused with a message saying so. */
  readonly entra?: EntraVerifier | undefined;
}

const REALM = 'Bearer realm="openar"';

function unauthorized(message: string, problem: "invalid_request" | "invalid_token" | null): HttpError {
  // RFC 6750 §3: the challenge, plus an error code once a credential was offered.
  const challenge = problem === null ? REALM : `${REALM}, error="${problem}"`;
  return new HttpError({ status: 401, error: "unauthorized", message, headers: { "WWW-Authenticate": challenge } });
}

// Three base64url segments; Entra access tokens are JWS compact serialisations.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

export function authenticate(options: AuthenticateOptions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization");
    if (header === undefined || header.trim() === "") {
      throw unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'", null);
    }
    const credential = BEARER.exec(header)?.[1];
    if (credential === undefined) {
      throw unauthorized("malformed Authorization header; expected 'Bearer <token>'", "invalid_request");
    }
    const principal = credential.startsWith(TOKEN_PREFIX)
      ? await principalFromToken(options.tokens, credential)
      : await principalFromJwt(options.entra, credential);
    setPrincipal(req, res, principal);
    next();
  };
}

async function principalFromToken(tokens: TokenStore, token: string): Promise<Principal> {
  if (!isWellFormedToken(token)) {
    throw unauthorized("malformed OpenAR token; expected oar_ followed by 43 base64url characters", "invalid_token");
  }
  const hash = hashToken(token);
  const record = await tokens.findByHash(hash);
  // Re-checked in constant time so a store whose lookup is looser than exact
  // (a case-insensitive collation, say) can never admit a different token.
  if (record === null || !hashesEqual(record.tokenHash, hash)) {
    throw unauthorized("unknown or revoked token; ask an administrator for a new one", "invalid_token");
  }
  return { user: record.user, role: record.role, via: "token", subject: `token:${record.id}` };
}

async function principalFromJwt(entra: EntraVerifier | undefined, credential: string): Promise<Principal> {
  if (!JWT_SHAPE.test(credential)) {
    throw unauthorized("bearer credential is neither an OpenAR token (oar_…) nor a JWT", "invalid_token");
  }
  if (entra === undefined) {
    throw unauthorized(
      "Entra ID sign-in is not configured on this server; use an OpenAR token (openar token create)",
      "invalid_token",
    );
  }
  try {
    const identity = await entra.verify(credential);
    return {
      user: identity.user,
      role: identity.role,
      via: "entra",
      subject: `entra:${identity.tenantId}/${identity.objectId ?? identity.user}`,
    };
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    switch (error.reason) {
      case "no_role":
        throw new HttpError({ status: 403, error: "forbidden", message: error.message });
      case "keys_unavailable":
        // Our problem, not the caller's: a 401 would send them to sign in again for nothing.
        throw new HttpError({
          status: 503,
          error: "service_unavailable",
          message: `${error.message}; try again shortly`,
        });
      default:
        throw unauthorized(`invalid Entra ID token: ${error.message}`, "invalid_token");
    }
  }
}

/**
 * Authorization for a route: `router.post("/periods/close", requireRole("closePeriod"), …)`.
 * Without a principal it answers 401 rather than trusting an unauthenticated
 * request that reached it through a wiring mistake.
 */
export function requireRole(action: Action): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = principalOf(req);
    if (principal === null) {
      throw unauthorized("this request needs authentication; send 'Authorization: Bearer <token>'", null);
    }
    if (!can(principal.role, action)) {
      throw new HttpError({
        status: 403,
        error: "forbidden",
        message: `role ${principal.role} may not ${action}`,
        details: { role: principal.role, action },
      });
    }
    next();
  };
}
