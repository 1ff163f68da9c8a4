import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { DomainError } from "../../shared/errors.js";
import { highestRole, type Role } from "../../shared/roles.js";

/**
 * Microsoft Entra ID (Azure AD) access tokens for this API, verified locally
 * with the tenant's published signing keys: signature (RS256 only), issuer
 * (v2.0 or v1 endpoint of the one configured tenant), audience, expiry and
 * not-before. Authorization comes only from the `roles` claim (app roles
 * assigned to users or groups in Entra); names such as preferred_username
 * identify the caller in logs and audit records but grant nothing.
 */

/** App roles as defined in the app registration's manifest, mapped to OpenAR roles. */
export const ENTRA_APP_ROLES = {
  "OpenAR.Viewer": "viewer",
  "OpenAR.Clerk": "clerk",
  "OpenAR.Controller": "controller",
  "OpenAR.Admin": "admin",
} as const satisfies Record<string, Role>;

export interface EntraOptions {
  /** The directory (tenant) id, a GUID: Entra's issuer names the tenant by GUID, never by domain. */
  readonly tenantId: string;
  /** The API's application id URI and/or client id: v1 tokens carry the former, v2 tokens the latter. */
  readonly audience: string | readonly string[];
  /** Signing keys; defaults to the tenant's published JWKS (fetched and cached by jose). */
  readonly keys?: JWTVerifyGetKey;
  /** Allowed clock skew between Entra and this server, in seconds. */
  readonly clockToleranceSeconds?: number;
  /** The current instant for expiry checks; defaults to the system clock. */
  readonly now?: () => Date;
}

export interface EntraIdentity {
  readonly user: string;
  readonly role: Role;
  readonly tenantId: string;
  /** The object id of the user or service principal: stable, unlike names. */
  readonly objectId: string | null;
}

export interface EntraVerifier {
  verify(token: string): Promise<EntraIdentity>;
}

export type EntraFailure =
  | "malformed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "wrong_tenant"
  | "no_user"
  | "no_role"
  | "keys_unavailable";

/** Why an Entra token was refused; `authenticate` turns the reason into 401, 403 or 503. */
export class EntraTokenError extends Error {
  readonly reason: EntraFailure;

  constructor(reason: EntraFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "EntraTokenError";
    this.reason = reason;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The two issuers Entra uses for one tenant: the v2.0 endpoint's and the v1 (sts.windows.net) one. */
export function entraIssuers(tenantId: string): [string, string] {
  const tenant = tenantId.toLowerCase();
  return [`https://login.microsoftonline.com/${tenant}/v2.0`, `https://sts.windows.net/${tenant}/`];
}

export function entraKeysUrl(tenantId: string): URL {
  return new URL(`https://login.microsoftonline.com/${tenantId.toLowerCase()}/discovery/v2.0/keys`);
}

/** The highest OpenAR role among a token's `roles`, ignoring roles of other applications. */
export function roleFromAppRoles(roles: unknown): Role | null {
  if (!Array.isArray(roles)) return null;
  const mapped: Role[] = [];
  for (const name of roles) {
    if (typeof name === "string" && Object.hasOwn(ENTRA_APP_ROLES, name)) {
      mapped.push(ENTRA_APP_ROLES[name as keyof typeof ENTRA_APP_ROLES]);
    }
  }
  return highestRole(mapped);
}

function userFrom(payload: JWTPayload): string | null {
  for (const claim of ["preferred_username", "upn", "oid"] as const) {
    const value = payload[claim];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  return null;
}

export function createEntraVerifier(options: EntraOptions): EntraVerifier {
  if (!GUID.test(options.tenantId)) {
    throw new DomainError(
      "invalid_argument",
      `Entra tenant id must be the directory's GUID (Entra tokens name the tenant by GUID); got "${options.tenantId}"`,
      { field: "tenantId" },
    );
  }
  const audiences = typeof options.audience === "string" ? [options.audience] : [...options.audience];
  if (audiences.length === 0 || audiences.some((aud) => aud.trim() === "")) {
    throw new DomainError("invalid_argument", "Entra audience must name this API (application id URI or client id)", {
      field: "audience",
    });
  }
  const tenantId = options.tenantId.toLowerCase();
  const issuers = entraIssuers(tenantId);
  const keys = options.keys ?? createRemoteJWKSet(entraKeysUrl(tenantId));
  const clockTolerance = options.clockToleranceSeconds ?? 60;

  return {
    async verify(token: string): Promise<EntraIdentity> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ["RS256"],
          issuer: [...issuers],
          audience: audiences,
          clockTolerance,
          requiredClaims: ["exp"],
          ...(options.now === undefined ? {} : { currentDate: options.now() }),
        }));
      } catch (error) {
        throw explain(error, { issuers, audiences });
      }
      // The issuer already names the tenant; `tid` is checked too so a
      // mismatch between the two can never be read as this tenant's token.
      const tid = payload["tid"];
      if (tid !== undefined && (typeof tid !== "string" || tid.toLowerCase() !== tenantId)) {
        throw new EntraTokenError("wrong_tenant", `Entra token was issued for another tenant`);
      }
      const user = userFrom(payload);
      if (user === null) {
        throw new EntraTokenError("no_user", "Entra token names no user (no preferred_username, upn or oid claim)");
      }
      const role = roleFromAppRoles(payload["roles"]);
      if (role === null) {
        throw new EntraTokenError(
          "no_role",
          `${user} has no OpenAR app role; an administrator must assign one of ${Object.keys(ENTRA_APP_ROLES).join(", ")} ` +
            "to this user or one of their groups in Entra ID (Enterprise applications → Users and groups)",
        );
      }
      const oid = payload["oid"];
      return { user, role, tenantId, objectId: typeof oid === "string" ? oid : null };
    },
  };
}

function explain(
  error: unknown,
  expected: { issuers: readonly string[]; audiences: readonly string[] },
): EntraTokenError {
  if (error instanceof errors.JWTExpired) {
    return new EntraTokenError("expired", "Entra token has expired; sign in again", { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return new EntraTokenError(
          "wrong_issuer",
          `Entra token issuer is not accepted; expected ${expected.issuers.join(" or ")}`,
          { cause: error },
        );
      case "aud":
        return new EntraTokenError(
          "wrong_audience",
          `Entra token is not for this API; expected audience ${expected.audiences.join(" or ")}`,
          { cause: error },
        );
      case "nbf":
        return new EntraTokenError("not_yet_valid", "Entra token is not valid yet (nbf is in the future)", {
          cause: error,
        });
      default:
        return new EntraTokenError("malformed", `Entra token claim ${error.claim} is invalid (${error.reason})`, {
          cause: error,
        });
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new EntraTokenError("bad_signature", "Entra token signature does not verify", { cause: error });
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new EntraTokenError("bad_signature", "Entra token is not signed by any of the tenant's signing keys", {
      cause: error,
    });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new EntraTokenError("keys_unavailable", "Entra ID signing keys could not be fetched", { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    // Not a JWS, an unsupported or disallowed algorithm, a bad payload.
    return new EntraTokenError("malformed", `Entra token is malformed: ${error.message}`, { cause: error });
  }
  // Key retrieval is the only I/O in jwtVerify: anything else is the network.
  return new EntraTokenError("keys_unavailable", "Entra ID signing keys could not be fetched", { cause: error });
}
