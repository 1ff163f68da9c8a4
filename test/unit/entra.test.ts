import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import { authenticate, requireRole } from "../../server/http/auth.js";
import {
  createEntraVerifier,
  ENTRA_APP_ROLES,
  entraIssuers,
  entraKeysUrl,
  EntraTokenError,
  roleFromAppRoles,
  type EntraFailure,
  type EntraOptions,
} from "../../server/http/entra.js";
import { errorMiddleware } from "../../server/http/errors.js";
import { silentLogger } from "../../server/http/logger.js";
import { requirePrincipal } from "../../server/http/request-context.js";
import { createMemoryTokenStore } from "../../server/http/tokens.js";

const TENANT = "6f1b0c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f";
const OTHER_TENANT = "11111111-2222-4333-8444-555555555555";
const AUDIENCE = "api://openar";
const CLIENT_ID = "0a0b0c0d-1111-4222-8333-444455556666";
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

// A fixed "now" so expiry is decided by the test, not by when it runs.
const NOW_SECONDS = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;
const now = (): Date => new Date(NOW_SECONDS * 1000);

let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const stranger = await generateKeyPair("RS256", { extractable: true });
  signingKey = pair.privateKey;
  strangerKey = stranger.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "tenant-key-1", alg: "RS256", use: "sig" };
  keys = createLocalJWKSet({ keys: [jwk] });
});

interface TokenSpec {
  claims?: JWTPayload;
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number;
  notBefore?: number;
  key?: CryptoKey;
  kid?: string;
}

/** An access token as Entra would issue it for this API, varied by `spec`. */
async function anEntraToken(spec: TokenSpec = {}): Promise<string> {
  const claims: JWTPayload = {
    tid: TENANT,
    oid: "00000000-0000-4000-8000-00000000a11c",
    preferred_username: "alice@contoso.com",
    roles: ["OpenAR.Clerk"],
    ver: "2.0",
    ...spec.claims,
  };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: spec.kid ?? "tenant-key-1" })
    .setIssuer(spec.issuer ?? V2_ISSUER)
    .setAudience(spec.audience ?? AUDIENCE)
    .setIssuedAt(spec.issuedAt ?? NOW_SECONDS - 300)
    .setExpirationTime(spec.expiresAt ?? NOW_SECONDS + 3600);
  if (spec.notBefore !== undefined) jwt.setNotBefore(spec.notBefore);
  return jwt.sign(spec.key ?? signingKey);
}

function verifier(overrides: Partial<EntraOptions> = {}) {
  return createEntraVerifier({ tenantId: TENANT, audience: [AUDIENCE, CLIENT_ID], keys, now, ...overrides });
}

async function failureOf(token: string, overrides: Partial<EntraOptions> = {}): Promise<EntraTokenError> {
  try {
    await verifier(overrides).verify(token);
  } catch (error) {
    if (error instanceof EntraTokenError) return error;
    throw error;
  }
  throw new Error("expected the token to be refused");
}

describe("Entra ID access tokens", () => {
  it("accepts a valid v2.0 token and maps user and role", async () => {
    const identity = await verifier().verify(await anEntraToken());
    expect(identity).toEqual({
      user: "alice@contoso.com",
      role: "clerk",
      tenantId: TENANT,
      objectId: "00000000-0000-4000-8000-00000000a11c",
    });
  });

  it("accepts the v1 issuer (sts.windows.net) and the client id as audience", async () => {
    const identity = await verifier().verify(await anEntraToken({ issuer: V1_ISSUER, audience: CLIENT_ID }));
    expect(identity.role).toBe("clerk");
  });

  it("names the user by preferred_username, then upn, then oid", async () => {
    const upn = await anEntraToken({ claims: { preferred_username: undefined, upn: "bob@contoso.com" } });
    expect((await verifier().verify(upn)).user).toBe("bob@contoso.com");
    const oidOnly = await anEntraToken({ claims: { preferred_username: undefined } });
    expect((await verifier().verify(oidOnly)).user).toBe("00000000-0000-4000-8000-00000000a11c");
  });

  it("takes the highest OpenAR role and ignores other apps' roles", async () => {
    const token = await anEntraToken({
      claims: { roles: ["Payroll.Admin", "OpenAR.Viewer", "OpenAR.Controller", "OpenAR.Clerk"] },
    });
    expect((await verifier().verify(token)).role).toBe("controller");
  });

  it("tolerates a minute of clock skew by default", async () => {
    const token = await anEntraToken({ expiresAt: NOW_SECONDS - 30 });
    expect((await verifier().verify(token)).user).toBe("alice@contoso.com");
  });

  const refusals: [string, () => Promise<string>, EntraFailure, string][] = [
    [
      "a token for another audience",
      () => anEntraToken({ audience: "api://someone-else" }),
      "wrong_audience",
      `Entra token is not for this API; expected audience ${AUDIENCE} or ${CLIENT_ID}`,
    ],
    [
      "a token from another tenant's issuer",
      () => anEntraToken({ issuer: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }),
      "wrong_issuer",
      `Entra token issuer is not accepted; expected ${V2_ISSUER} or ${V1_ISSUER}`,
    ],
    [
      "a token from a look-alike issuer",
      () => anEntraToken({ issuer: `https://login.example.com/${TENANT}/v2.0` }),
      "wrong_issuer",
      `Entra token issuer is not accepted; expected ${V2_ISSUER} or ${V1_ISSUER}`,
    ],
    [
      "an expired token",
      () => anEntraToken({ issuedAt: NOW_SECONDS - 7200, expiresAt: NOW_SECONDS - 3600 }),
      "expired",
      "Entra token has expired; sign in again",
    ],
    [
      "a token not valid yet",
      () => anEntraToken({ notBefore: NOW_SECONDS + 600 }),
      "not_yet_valid",
      "Entra token is not valid yet (nbf is in the future)",
    ],
    [
      "a token signed by another key under the tenant key's id",
      () => anEntraToken({ key: strangerKey }),
      "bad_signature",
      "Entra token signature does not verify",
    ],
    [
      "a token signed by a key the tenant does not publish",
      () => anEntraToken({ key: strangerKey, kid: "attacker-key" }),
      "bad_signature",
      "Entra token is not signed by any of the tenant's signing keys",
    ],
    [
      "a token with no roles claim",
      () => anEntraToken({ claims: { roles: undefined } }),
      "no_role",
      "alice@contoso.com has no OpenAR app role; an administrator must assign one of OpenAR.Viewer, OpenAR.Clerk, " +
        "OpenAR.Controller, OpenAR.Admin to this user or one of their groups in Entra ID (Enterprise applications → Users and groups)",
    ],
    [
      "a token whose tid names another tenant",
      () => anEntraToken({ claims: { tid: OTHER_TENANT } }),
      "wrong_tenant",
      "Entra token was issued for another tenant",
    ],
    [
      "a token naming no user",
      () => anEntraToken({ claims: { preferred_username: undefined, oid: undefined } }),
      "no_user",
      "Entra token names no user (no preferred_username, upn or oid claim)",
    ],
  ];

  for (const [what, make, reason, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const failure = await failureOf(await make());
      expect(failure.reason).toBe(reason);
      expect(failure.message).toBe(message);
    });
  }

  it("refuses a token signed with a shared secret (HS256), whatever the secret", async () => {
    const token = await new SignJWT({ roles: ["OpenAR.Admin"], tid: TENANT, oid: "x" })
      .setProtectedHeader({ alg: "HS256", kid: "tenant-key-1" })
      .setIssuer(V2_ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(NOW_SECONDS + 3600)
      .sign(new TextEncoder().encode("a-secret-of-at-least-32-bytes-long!!"));
    expect((await failureOf(token)).reason).toBe("malformed");
  });

  it("refuses a token without an expiry", async () => {
    const token = await new SignJWT({ roles: ["OpenAR.Admin"], tid: TENANT, oid: "x" })
      .setProtectedHeader({ alg: "RS256", kid: "tenant-key-1" })
      .setIssuer(V2_ISSUER)
      .setAudience(AUDIENCE)
      .sign(signingKey);
    const failure = await failureOf(token);
    expect(failure.reason).toBe("malformed");
    expect(failure.message).toBe("Entra token claim exp is invalid (missing)");
  });

  it("reports unreachable signing keys as the service's problem, not the token's", async () => {
    const unreachable: JWTVerifyGetKey = () => Promise.reject(new TypeError("fetch failed"));
    const failure = await failureOf(await anEntraToken(), { keys: unreachable });
    expect(failure.reason).toBe("keys_unavailable");
  });

  it("refuses a tenant given by domain name or an empty audience at configuration time", () => {
    expect(() => createEntraVerifier({ tenantId: "contoso.onmicrosoft.com", audience: AUDIENCE })).toThrow(DomainError);
    expect(() => createEntraVerifier({ tenantId: TENANT, audience: [] })).toThrow(DomainError);
  });

  it("knows Microsoft's endpoints for the tenant", () => {
    expect(entraIssuers(TENANT.toUpperCase())).toEqual([V2_ISSUER, V1_ISSUER]);
    expect(entraKeysUrl(TENANT).href).toBe(`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
  });

  it("maps the four app roles and nothing else", () => {
    expect(ENTRA_APP_ROLES).toEqual({
      "OpenAR.Viewer": "viewer",
      "OpenAR.Clerk": "clerk",
      "OpenAR.Controller": "controller",
      "OpenAR.Admin": "admin",
    });
    expect(roleFromAppRoles(["openar.admin", "Admin", "toString"])).toBeNull();
    expect(roleFromAppRoles("OpenAR.Admin")).toBeNull();
  });
});

describe("Entra tokens through authenticate", () => {
  let url = "";
  let server: Server;
  let keysReachable = true;

  beforeAll(async () => {
    const flakyKeys: JWTVerifyGetKey = (header, token) =>
      keysReachable ? keys(header, token) : Promise.reject(new TypeError("fetch failed"));
    const entra = createEntraVerifier({ tenantId: TENANT, audience: AUDIENCE, keys: flakyKeys, now });
    const app = express();
    app.use(authenticate({ tokens: createMemoryTokenStore(), entra }));
    app.get("/whoami", (req, res) => {
      res.json(requirePrincipal(req));
    });
    app.post("/periods/close", requireRole("closePeriod"), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorMiddleware({ logger: silentLogger }));
    server = createServer(app).listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = async (path: string, token: string, method = "GET") => {
    const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("authenticates a valid token with its mapped role", async () => {
    const { status, body } = await get("/whoami", await anEntraToken({ claims: { roles: ["OpenAR.Admin"] } }));
    expect(status).toBe(200);
    expect(body).toEqual({
      user: "alice@contoso.com",
      role: "admin",
      via: "entra",
      subject: `entra:${TENANT}/00000000-0000-4000-8000-00000000a11c`,
    });
  });

  it("answers 401 to an expired token, saying so", async () => {
    const { status, body } = await get("/whoami", await anEntraToken({ expiresAt: NOW_SECONDS - 3600 }));
    expect(status).toBe(401);
    expect(body["message"]).toBe("invalid Entra ID token: Entra token has expired; sign in again");
  });

  it("answers 401 to a bad signature", async () => {
    const { status, body } = await get("/whoami", await anEntraToken({ key: strangerKey }));
    expect(status).toBe(401);
    expect(body["message"]).toBe("invalid Entra ID token: Entra token signature does not verify");
  });

  it("answers 403 to a signed-in user with no app role", async () => {
    const { status, body } = await get("/whoami", await anEntraToken({ claims: { roles: [] } }));
    expect(status).toBe(403);
    expect(body["error"]).toBe("forbidden");
    expect(body["message"]).toContain("alice@contoso.com has no OpenAR app role");
  });

  it("answers 403 to an Entra clerk closing a period", async () => {
    const { status, body } = await get("/periods/close", await anEntraToken(), "POST");
    expect(status).toBe(403);
    expect(body["message"]).toBe("role clerk may not closePeriod");
  });

  it("answers 503 while the signing keys cannot be fetched", async () => {
    keysReachable = false;
    try {
      const { status, body } = await get("/whoami", await anEntraToken());
      expect(status).toBe(503);
      expect(body["error"]).toBe("service_unavailable");
    } finally {
      keysReachable = true;
    }
  });
});
