import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import {
  ACTIONS,
  can,
  highestRole,
  parseRole,
  PERMISSIONS,
  ROLES,
  writeOffActionFor,
  type Action,
  type Role,
} from "../../shared/roles.js";
import { authenticate, requireRole } from "../../server/http/auth.js";
import { errorMiddleware } from "../../server/http/errors.js";
import { silentLogger } from "../../server/http/logger.js";
import { requestContext, requirePrincipal } from "../../server/http/request-context.js";
import {
  createMemoryTokenStore,
  createToken,
  hashesEqual,
  hashToken,
  isWellFormedToken,
  type TokenRecord,
  type TokenStore,
} from "../../server/http/tokens.js";
import { usd, money } from "../support/builders.js";

async function serve(app: Express): Promise<{ url: string; server: Server }> {
  const server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
  [key: string]: unknown;
}

describe("roles and the permission table", () => {
  // The words, cell by cell: viewer reads; clerk posts and writes off
  // up to the limit; controller also closes periods, writes off above the
  // limit and imports GL journals to AR control (issue 6); admin (also)
  // manages tokens.
  const allowed: Record<Role, readonly Action[]> = {
    viewer: ["read"],
    clerk: ["read", "post", "writeOffUpToLimit"],
    controller: ["read", "post", "writeOffUpToLimit", "writeOffAboveLimit", "closePeriod", "postGlJournals"],
    admin: ["read", "post", "writeOffUpToLimit", "writeOffAboveLimit", "closePeriod", "postGlJournals", "manageTokens"],
  };

  for (const role of ROLES) {
    for (const action of ACTIONS) {
      const expected = allowed[role].includes(action);
      it(`${role} ${expected ? "may" : "may not"} ${action}`, () => {
        expect(can(role, action)).toBe(expected);
        expect(PERMISSIONS[role][action]).toBe(expected);
      });
    }
  }

  it("parses role names and refuses others with the field and the choices", () => {
    expect(parseRole("controller")).toBe("controller");
    for (const bad of ["Clerk", "superuser", "", 3, null]) {
      expect(() => parseRole(bad)).toThrow(DomainError);
    }
    expect(() => parseRole("root", "--role")).toThrow(
      '--role must be one of viewer, clerk, controller, admin; got "root"',
    );
  });

  it("picks the role with the most authority", () => {
    expect(highestRole(["clerk", "viewer"])).toBe("clerk");
    expect(highestRole(["viewer", "admin", "controller"])).toBe("admin");
    expect(highestRole([])).toBeNull();
  });

  describe("write-off limits", () => {
    const limits = [usd("500.00"), money("400.00", "EUR")];

    it("is within the limit up to and including it", () => {
      expect(writeOffActionFor(usd("499.99"), limits)).toBe("writeOffUpToLimit");
      expect(writeOffActionFor(usd("500.00"), limits)).toBe("writeOffUpToLimit");
      expect(writeOffActionFor(money("400.00", "EUR"), limits)).toBe("writeOffUpToLimit");
    });

    it("is above the limit one cent over it", () => {
      expect(writeOffActionFor(usd("500.01"), limits)).toBe("writeOffAboveLimit");
      expect(writeOffActionFor(money("400.01", "EUR"), limits)).toBe("writeOffAboveLimit");
    });

    it("compares the size of a negative amount", () => {
      expect(writeOffActionFor(usd("-500.01"), limits)).toBe("writeOffAboveLimit");
    });

    it("gives clerks no authority in a currency without a limit", () => {
      expect(writeOffActionFor(money("0.01", "GBP"), limits)).toBe("writeOffAboveLimit");
    });

    it("refuses two limits in one currency", () => {
      expect(() => writeOffActionFor(usd("1.00"), [usd("5.00"), usd("10.00")])).toThrow("more than once");
    });
  });
});

describe("opaque tokens", () => {
  it("hashes with SHA-256 as lowercase hex", () => {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("issues oar_ + 32 random bytes in base64url and stores only the hash", () => {
    const { token, record } = createToken({
      user: "alice",
      role: "clerk",
      clock: { now: () => "2026-03-01T09:00:00.000Z" },
    });
    // 32 bytes = 256 bits; base64url without padding needs ceil(256 / 6) = 43 characters.
    expect(token).toMatch(/^oar_[A-Za-z0-9_-]{43}$/);
    expect(isWellFormedToken(token)).toBe(true);
    expect(record).toEqual({
      id: expect.any(String) as string,
      tokenHash: hashToken(token),
      user: "alice",
      role: "clerk",
      createdAt: "2026-03-01T09:00:00.000Z",
    });
    expect(record.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(record);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(4));
  });

  it("never issues the same token or id twice", () => {
    const tokens = new Set<string>();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, record } = createToken({ user: "bob", role: "viewer" });
      tokens.add(token);
      ids.add(record.id);
    }
    expect(tokens.size).toBe(200);
    expect(ids.size).toBe(200);
  });

  it("refuses a bad user or role with the field named", () => {
    const cases: [unknown, unknown, string][] = [
      ["", "clerk", "user must be a non-empty name"],
      [" alice", "clerk", "user must not start or end with spaces"],
      ["a\nb", "clerk", "user must not contain control characters"],
      ["x".repeat(201), "clerk", "user must be at most 200 characters; got 201"],
      ["alice", "owner", 'role must be one of viewer, clerk, controller, admin; got "owner"'],
    ];
    for (const [user, role, message] of cases) {
      let caught: unknown;
      try {
        createToken({ user, role });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect((caught as DomainError).code).toBe("invalid_argument");
      expect((caught as DomainError).message).toBe(message);
    }
  });

  it("compares hashes only when both are SHA-256 hex digests", () => {
    const a = hashToken("a");
    expect(hashesEqual(a, hashToken("a"))).toBe(true);
    expect(hashesEqual(a, hashToken("b"))).toBe(false);
    expect(hashesEqual(a, a.toUpperCase())).toBe(false);
    expect(hashesEqual(a, a.slice(0, 63))).toBe(false);
    expect(hashesEqual("", "")).toBe(false);
  });

  it("the memory store finds active tokens, forgets revoked ones, refuses duplicate ids", async () => {
    const store = createMemoryTokenStore();
    const { token, record } = createToken({ user: "carol", role: "admin" });
    await store.insert(record);
    expect(await store.findByHash(hashToken(token))).toEqual(record);
    expect(await store.findByHash(hashToken(`${token}x`))).toBeNull();
    await expect(store.insert(record)).rejects.toThrow(`a token with id ${record.id} already exists`);
    expect(await store.revoke(record.id)).toBe(true);
    expect(await store.revoke(record.id)).toBe(false);
    expect(await store.findByHash(hashToken(token))).toBeNull();
  });
});

describe("authenticate and requireRole over HTTP", () => {
  const store = createMemoryTokenStore();
  const issued = {} as Record<Role | "revoked", string>;
  let url = "";
  let server: Server;

  beforeAll(async () => {
    for (const role of ROLES) {
      const { token, record } = createToken({ user: `${role}-user`, role });
      await store.insert(record);
      issued[role] = token;
    }
    const revoked = createToken({ user: "gone", role: "admin" });
    await store.insert(revoked.record);
    await store.revoke(revoked.record.id);
    issued.revoked = revoked.token;

    const app = express();
    app.use(requestContext());
    // Wired without authenticate on purpose: requireRole must fail closed.
    app.get("/unguarded", requireRole("read"), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(authenticate({ tokens: store }));
    app.get("/whoami", requireRole("read"), (req, res) => {
      res.json(requirePrincipal(req));
    });
    app.post("/receipts", requireRole("post"), (_req, res) => {
      res.status(201).json({ ok: true });
    });
    app.post("/periods/close", requireRole("closePeriod"), (_req, res) => {
      res.json({ ok: true });
    });
    app.post("/tokens", requireRole("manageTokens"), (_req, res) => {
      res.status(201).json({ ok: true });
    });
    app.use(errorMiddleware({ logger: silentLogger }));
    ({ url, server } = await serve(app));
  });

  afterAll(async () => {
    await close(server);
  });

  const call = async (
    path: string,
    options: { method?: string; authorization?: string } = {},
  ): Promise<{ status: number; body: ErrorBody; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (options.authorization !== undefined) headers["authorization"] = options.authorization;
    const response = await fetch(`${url}${path}`, { method: options.method ?? "GET", headers });
    return { status: response.status, body: (await response.json()) as ErrorBody, headers: response.headers };
  };

  it("lets a valid token through and names the caller", async () => {
    const { status, body } = await call("/whoami", { authorization: `Bearer ${issued.viewer}` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ user: "viewer-user", role: "viewer", via: "token" });
    expect(body["subject"]).toMatch(/^token:/);
  });

  it("accepts the scheme name in any case (RFC 7235)", async () => {
    const { status } = await call("/whoami", { authorization: `bearer ${issued.clerk}` });
    expect(status).toBe(200);
  });

  const unauthorizedCases: [string, string | undefined, string][] = [
    ["no Authorization header", undefined, "missing Authorization header; send 'Authorization: Bearer <token>'"],
    ["an empty Authorization header", "", "missing Authorization header; send 'Authorization: Bearer <token>'"],
    ["another scheme", "Basic YWxpY2U6c2VjcmV0", "malformed Authorization header; expected 'Bearer <token>'"],
    ["Bearer without a credential", "Bearer", "malformed Authorization header; expected 'Bearer <token>'"],
    ["two credentials", "Bearer a b", "malformed Authorization header; expected 'Bearer <token>'"],
    [
      "a truncated OpenAR token",
      "Bearer oar_abc",
      "malformed OpenAR token; expected oar_ followed by 43 base64url characters",
    ],
    [
      "an unknown OpenAR token",
      `Bearer oar_${"A".repeat(43)}`,
      "unknown or revoked token; ask an administrator for a new one",
    ],
    ["neither a token nor a JWT", "Bearer hunter2", "bearer credential is neither an OpenAR token (oar_…) nor a JWT"],
    [
      "a JWT when Entra is not configured",
      "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
      "Entra ID sign-in is not configured on this server; use an OpenAR token (openar token create)",
    ],
  ];

  for (const [what, authorization, message] of unauthorizedCases) {
    it(`answers 401 to ${what}`, async () => {
      const { status, body, headers } = await call("/whoami", authorization === undefined ? {} : { authorization });
      expect(status).toBe(401);
      expect(body).toEqual({ error: "unauthorized", message, requestId: expect.any(String) as string });
      expect(headers.get("www-authenticate")).toMatch(/^Bearer realm="openar"/);
    });
  }

  it("answers 401 to a revoked token, as to an unknown one", async () => {
    const { status, body } = await call("/whoami", { authorization: `Bearer ${issued.revoked}` });
    expect(status).toBe(401);
    expect(body.message).toBe("unknown or revoked token; ask an administrator for a new one");
  });

  it("says invalid_token in the challenge once a credential was offered", async () => {
    const { headers } = await call("/whoami", { authorization: `Bearer ${issued.revoked}` });
    expect(headers.get("www-authenticate")).toBe('Bearer realm="openar", error="invalid_token"');
  });

  it("answers 403 to a viewer posting", async () => {
    const { status, body } = await call("/receipts", { method: "POST", authorization: `Bearer ${issued.viewer}` });
    expect(status).toBe(403);
    expect(body).toEqual({
      error: "forbidden",
      message: "role viewer may not post",
      requestId: expect.any(String) as string,
      role: "viewer",
      action: "post",
    });
  });

  it("answers 403 to a clerk closing a period", async () => {
    const { status, body } = await call("/periods/close", {
      method: "POST",
      authorization: `Bearer ${issued.clerk}`,
    });
    expect(status).toBe(403);
    expect(body.message).toBe("role clerk may not closePeriod");
  });

  const allowedCalls: [Role, string, number][] = [
    ["clerk", "/receipts", 201],
    ["controller", "/periods/close", 200],
    ["admin", "/periods/close", 200],
    ["admin", "/tokens", 201],
  ];
  for (const [role, path, expected] of allowedCalls) {
    it(`lets a ${role} POST ${path}`, async () => {
      const { status } = await call(path, { method: "POST", authorization: `Bearer ${issued[role]}` });
      expect(status).toBe(expected);
    });
  }

  it("keeps token management from a controller", async () => {
    const { status, body } = await call("/tokens", { method: "POST", authorization: `Bearer ${issued.controller}` });
    expect(status).toBe(403);
    expect(body.message).toBe("role controller may not manageTokens");
  });

  it("fails closed when requireRole is reached without authentication", async () => {
    const { status, body } = await call("/unguarded");
    expect(status).toBe(401);
    expect(body.error).toBe("unauthorized");
  });
});

describe("authenticate against a store with a loose lookup", () => {
  it("re-checks the hash, so a record for another token never authenticates", async () => {
    const other = createToken({ user: "mallory-target", role: "admin" }).record;
    // A store whose lookup matches too much (say, a collation that ignores case, or a bug).
    const loose: TokenStore = {
      findByHash: () => Promise.resolve<TokenRecord | null>(other),
      insert: () => Promise.resolve(),
      revoke: () => Promise.resolve(false),
    };
    const app = express();
    app.use(authenticate({ tokens: loose }));
    app.get("/", (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorMiddleware({ logger: silentLogger }));
    const { url, server } = await serve(app);
    try {
      const { token } = createToken({ user: "mallory", role: "viewer" });
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
    } finally {
      await close(server);
    }
  });
});
