import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { DomainError, type DomainErrorCode } from "../../shared/errors.js";
import { authenticate } from "../../server/http/auth.js";
import { DOMAIN_ERROR_STATUS, errorMiddleware, HttpError, notFound } from "../../server/http/errors.js";
import { createJsonLogger, createMemoryLogger, type LogEntry } from "../../server/http/logger.js";
import { OFFICE_FRAME_ANCESTORS, parseAllowedOrigins, securityMiddleware } from "../../server/http/security.js";
import { createMemoryTokenStore, createToken } from "../../server/http/tokens.js";

const ADDIN_ORIGIN = "https://localhost:3000";
const STRANGER_ORIGIN = "https://evil.example";
/** Generous for the shared app; the rate-limit test builds its own app with a small one. */
const ROOMY_RATE_LIMIT = 1000;
const TIGHT_RATE_LIMIT = 3;

async function serve(app: Express): Promise<{ url: string; server: Server }> {
  const server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

interface Harness {
  url: string;
  server: Server;
  logs: LogEntry[];
  tokens: Record<"alice" | "bob" | "carol" | "dave", string>;
}

/** The wiring the lead will use, on a real socket. */
async function anApp(options: { hsts?: boolean; rateLimitMax?: number } = {}): Promise<Harness> {
  const logger = createMemoryLogger();
  const store = createMemoryTokenStore();
  const tokens = {} as Harness["tokens"];
  for (const user of ["alice", "bob", "carol", "dave"] as const) {
    const { token, record } = createToken({ user, role: "clerk" });
    await store.insert(record);
    tokens[user] = token;
  }
  const security = securityMiddleware({
    allowedOrigins: [ADDIN_ORIGIN],
    bodyLimit: "1kb",
    rateLimit: { windowMs: 60_000, max: options.rateLimitMax ?? ROOMY_RATE_LIMIT },
    logger,
    ...(options.hsts === undefined ? {} : { hsts: options.hsts }),
  });
  const app = express();
  app.use(security.beforeAuth);
  app.get("/taskpane.html", (_req, res) => {
    res.type("html").send("<!doctype html><title>OpenAR</title>");
  });
  const api = express.Router();
  api.get("/ping", (_req, res) => {
    res.json({ ok: true });
  });
  api.post("/echo", (req, res) => {
    res.json({ received: req.body as unknown });
  });
  api.get("/domain-error/:code", (req) => {
    throw new DomainError(req.params["code"] as DomainErrorCode, `thrown with ${req.params["code"]}`, {
      field: "amount",
      details: { operationIndex: 3, error: "must not replace the code" },
    });
  });
  api.get("/bug", () => {
    throw new Error("relation ar_secret_table does not exist at /srv/openar/db.ts:42");
  });
  api.get("/async-bug", async () => {
    await Promise.resolve();
    throw new TypeError("cannot read properties of undefined (reading 'amount')");
  });
  api.get("/teapot", () => {
    throw new HttpError({ status: 409, error: "conflict", message: "stale", details: { requestId: "forged" } });
  });
  app.use("/api/v1", authenticate({ tokens: store }), security.afterAuth, api);
  app.use(notFound(), errorMiddleware({ logger }));
  const { url, server } = await serve(app);
  return { url, server, logs: logger.entries, tokens };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

// Nothing in this file may write to the console: the logger is injected.
const consoleSpies: MockInstance[] = [];
beforeEach(() => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    consoleSpies.push(vi.spyOn(console, method));
  }
});
afterEach(() => {
  for (const spy of consoleSpies.splice(0)) {
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  }
});

describe("HTTP hardening", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await anApp();
  });
  afterAll(async () => {
    await close(h.server);
  });

  describe("JSON bodies", () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${h.url}/api/v1/echo`, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(h.tokens.alice), ...headers },
        body,
      });

    it("returns injection-shaped strings verbatim", async () => {
      const payload = {
        name: "Robert'); DROP TABLE customers;--",
        note: '<script>alert("x")</script>',
        formula: '=HYPERLINK("http://evil.example","click")',
        unicode: "Zoë 💶 \u202e",
        amount: "1234.50",
      };
      const response = await post(JSON.stringify(payload));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: payload });
    });

    it("answers 413 to a body over the limit", async () => {
      // 1kb = 1024 bytes; this body is {"pad":"xxx…"} with 2000 x's, 2010 bytes.
      const response = await post(JSON.stringify({ pad: "x".repeat(2000) }));
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: "payload_too_large",
        message: "request body is larger than the limit of 1024 bytes",
        requestId: expect.any(String) as string,
        limitBytes: 1024,
      });
    });

    it("accepts a body just under the limit", async () => {
      // {"pad":"…"} is 10 bytes of syntax; 1014 x's make exactly 1024.
      const response = await post(JSON.stringify({ pad: "x".repeat(1014) }));
      expect(response.status).toBe(200);
    });

    it("answers 400 with a message to malformed JSON", async () => {
      const response = await post('{"id": "cs-1", "operations": [');
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, string>;
      expect(body["error"]).toBe("malformed_json");
      expect(body["message"]).toMatch(/^request body is not valid JSON: ./);
      expect(body["requestId"]).toEqual(expect.any(String));
    });

    it("answers 400 to a bare JSON string (only objects and arrays are requests)", async () => {
      const response = await post('"just a string"');
      expect(response.status).toBe(400);
      expect(((await response.json()) as Record<string, string>)["error"]).toBe("malformed_json");
    });

    it("answers 415 to a body that is not JSON", async () => {
      const response = await post("id=cs-1", { "content-type": "application/x-www-form-urlencoded" });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        error: "unsupported_media_type",
        message: "request body must be application/json; got application/x-www-form-urlencoded",
        requestId: expect.any(String) as string,
      });
    });

    it("does not parse the body of an unauthenticated request", async () => {
      const response = await fetch(`${h.url}/api/v1/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{ not json",
      });
      expect(response.status).toBe(401);
    });
  });

  describe("CORS", () => {
    it("allows the add-in origin and exposes the request id", async () => {
      const response = await fetch(`${h.url}/api/v1/ping`, {
        headers: { origin: ADDIN_ORIGIN, ...bearer(h.tokens.alice) },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(ADDIN_ORIGIN);
      expect(response.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      expect(response.headers.get("vary")).toContain("Origin");
    });

    it("gives another origin no CORS headers at all", async () => {
      const response = await fetch(`${h.url}/api/v1/ping`, {
        headers: { origin: STRANGER_ORIGIN, ...bearer(h.tokens.alice) },
      });
      const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));
      expect(corsHeaders).toEqual([]);
      expect(response.headers.get("vary")).toContain("Origin");
    });

    it("does not treat an origin that merely starts like the add-in's as allowed", async () => {
      for (const origin of [`${ADDIN_ORIGIN}.evil.example`, "http://localhost:3000", "https://localhost:30000"]) {
        const response = await fetch(`${h.url}/api/v1/ping`, { headers: { origin, ...bearer(h.tokens.alice) } });
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
      }
    });

    it("answers the add-in's preflight without asking for a token", async () => {
      const response = await fetch(`${h.url}/api/v1/echo`, {
        method: "OPTIONS",
        headers: {
          origin: ADDIN_ORIGIN,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(ADDIN_ORIGIN);
      expect(response.headers.get("access-control-allow-methods")).toContain("POST");
      const allowedHeaders = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
      expect(allowedHeaders).toContain("authorization");
      expect(allowedHeaders).toContain("content-type");
      expect(response.headers.get("access-control-max-age")).toBe("600");
    });

    it("allows a private-network preflight from the add-in origin only", async () => {
      const preflight = (origin: string) =>
        fetch(`${h.url}/api/v1/ping`, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "GET",
            "access-control-request-private-network": "true",
          },
        });
      expect((await preflight(ADDIN_ORIGIN)).headers.get("access-control-allow-private-network")).toBe("true");
      expect((await preflight(STRANGER_ORIGIN)).headers.get("access-control-allow-private-network")).toBeNull();
    });

    it("refuses another origin's preflight, with no CORS headers", async () => {
      const response = await fetch(`${h.url}/api/v1/echo`, {
        method: "OPTIONS",
        headers: { origin: STRANGER_ORIGIN, "access-control-request-method": "POST" },
      });
      expect(response.status).toBe(403);
      const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));
      expect(corsHeaders).toEqual([]);
      expect(((await response.json()) as Record<string, string>)["message"]).toBe(
        "origin https://evil.example is not in this server's CORS allowlist",
      );
    });

    it("refuses an allowlist entry that is not an exact origin", () => {
      expect(parseAllowedOrigins(["https://localhost:3000", "https://addin.contoso.com"]).size).toBe(2);
      expect(() => parseAllowedOrigins(["https://localhost:3000/"])).toThrow(
        'allowed origin "https://localhost:3000/" is not an exact origin (scheme://host[:port], no path, no wildcard); write it as https://localhost:3000',
      );
      for (const bad of ["*", "null", "https://*.contoso.com", "https://Contoso.com", "localhost:3000", ""]) {
        expect(() => parseAllowedOrigins([bad]), bad).toThrow(DomainError);
      }
    });
  });

  describe("security headers", () => {
    const directives = (csp: string | null): Map<string, string[]> =>
      new Map(
        (csp ?? "")
          .split(";")
          .map((part) => part.trim().split(/\s+/))
          .filter((words): words is [string, ...string[]] => words[0] !== undefined && words[0] !== "")
          .map(([name, ...values]) => [name, values]),
      );

    it("lets Office hosts frame the task pane, through CSP and not X-Frame-Options", async () => {
      const response = await fetch(`${h.url}/taskpane.html`);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-frame-options")).toBeNull();
      const csp = directives(response.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors")).toEqual([
        "'self'",
        "https://*.officeapps.live.com",
        "https://*.office.com",
        "https://*.office365.com",
        "https://*.sharepoint.com",
        "https://outlook.office.com",
        "https://excel.officeapps.live.com",
        "https://*.cloud.microsoft",
      ]);
      expect(OFFICE_FRAME_ANCESTORS).toHaveLength(7);
    });

    it("lets the page load office.js from Microsoft's CDN and nothing else foreign", async () => {
      const csp = directives((await fetch(`${h.url}/taskpane.html`)).headers.get("content-security-policy"));
      expect(csp.get("script-src")).toEqual([
        "'self'",
        "https://appsforoffice.microsoft.com",
        "https://ajax.aspnetcdn.com",
      ]);
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.has("upgrade-insecure-requests")).toBe(true);
    });

    it("sends the usual hardening headers on API responses too", async () => {
      const response = await fetch(`${h.url}/api/v1/ping`, { headers: bearer(h.tokens.alice) });
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'self'");
      expect(response.headers.get("x-frame-options")).toBeNull();
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-powered-by")).toBeNull();
      // A cross-origin-opener policy would cut Office dialogs off from their opener.
      expect(response.headers.get("cross-origin-opener-policy")).toBeNull();
    });
  });

  describe("request ids", () => {
    it("echoes the client's X-Request-Id", async () => {
      const response = await fetch(`${h.url}/api/v1/ping`, {
        headers: { "x-request-id": "addin-push-42", ...bearer(h.tokens.alice) },
      });
      expect(response.headers.get("x-request-id")).toBe("addin-push-42");
    });

    it("generates one when none is sent, and puts it in error bodies", async () => {
      const response = await fetch(`${h.url}/api/v1/ping`);
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(((await response.json()) as Record<string, string>)["requestId"]).toBe(id);
    });

    it("replaces an id that is too long or not plain", async () => {
      for (const offered of ["x".repeat(129), "a b", 'id"quoted']) {
        const response = await fetch(`${h.url}/api/v1/ping`, { headers: { "x-request-id": offered } });
        const id = response.headers.get("x-request-id");
        expect(id).not.toBe(offered);
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });
  });

  describe("access log", () => {
    it("writes one structured line per request, without the query string", async () => {
      const before = h.logs.length;
      const response = await fetch(`${h.url}/api/v1/ping?customer=ACME%20Corp`, {
        headers: { "x-request-id": "log-check-1", ...bearer(h.tokens.bob) },
      });
      await response.arrayBuffer();
      await vi.waitFor(() => {
        expect(h.logs.filter((entry) => entry["requestId"] === "log-check-1")).toHaveLength(1);
      });
      const line = h.logs.slice(before).find((entry) => entry["requestId"] === "log-check-1");
      expect(line).toEqual({
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as string,
        level: "info",
        msg: "request",
        requestId: "log-check-1",
        method: "GET",
        path: "/api/v1/ping",
        status: 200,
        ms: expect.any(Number) as number,
        user: "bob",
      });
      expect(JSON.stringify(line)).not.toContain("ACME");
    });

    it("logs unauthenticated requests with user null", async () => {
      await (await fetch(`${h.url}/api/v1/ping`, { headers: { "x-request-id": "log-check-2" } })).arrayBuffer();
      await vi.waitFor(() => {
        const line = h.logs.find((entry) => entry["requestId"] === "log-check-2");
        expect(line).toMatchObject({ status: 401, user: null });
      });
    });

    it("the JSON logger writes exactly one line of JSON per entry", () => {
      const lines: string[] = [];
      const logger = createJsonLogger({ write: (line) => lines.push(line), now: () => "2026-03-01T12:00:00.000Z" });
      logger.info("request", { requestId: "r1", level: "forged", n: 10n });
      logger.error("request failed", { err: new Error("boom\nsecond line") });
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).not.toContain("\n");
      expect(JSON.parse(lines[0]!)).toEqual({
        time: "2026-03-01T12:00:00.000Z",
        level: "info",
        msg: "request",
        requestId: "r1",
        n: "10",
      });
      const second = JSON.parse(lines[1]!) as { err: { message: string; stack: string } };
      expect(second.err.message).toBe("boom\nsecond line");
      expect(second.err.stack).toContain("Error: boom");
    });
  });

  describe("errors", () => {
    // Worked out from what each code means, not read off the table under test.
    const expectedStatus: Record<DomainErrorCode, number> = {
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
    };

    it("covers every domain error code", () => {
      expect(Object.keys(DOMAIN_ERROR_STATUS).sort()).toEqual(Object.keys(expectedStatus).sort());
    });

    for (const [code, status] of Object.entries(expectedStatus)) {
      it(`maps DomainError ${code} to ${status}`, async () => {
        const response = await fetch(`${h.url}/api/v1/domain-error/${code}`, {
          headers: { "x-request-id": `domain-${code}`, ...bearer(h.tokens.carol) },
        });
        expect(response.status).toBe(status);
        expect(await response.json()).toEqual({
          error: code,
          message: `thrown with ${code}`,
          requestId: `domain-${code}`,
          operationIndex: 3,
          field: "amount",
        });
      });
    }

    it("answers a bug with 500, the request id and no internals", async () => {
      const before = h.logs.length;
      for (const path of ["/api/v1/bug", "/api/v1/async-bug"]) {
        const response = await fetch(`${h.url}${path}`, {
          headers: { "x-request-id": "bug-1", ...bearer(h.tokens.carol) },
        });
        expect(response.status).toBe(500);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({
          error: "internal_error",
          message: "internal error; quote request id bug-1 when reporting it",
          requestId: "bug-1",
        });
        expect(text).not.toMatch(/ar_secret_table|\/srv\/openar|stack|reading 'amount'|at /);
      }
      const failures = h.logs.slice(before).filter((entry) => entry.level === "error");
      expect(failures).toHaveLength(2);
      expect(failures[0]).toMatchObject({ msg: "request failed", requestId: "bug-1", path: "/api/v1/bug" });
      expect((failures[0]!["err"] as Error).message).toContain("ar_secret_table");
    });

    it("keeps details from replacing error, message or requestId", async () => {
      const response = await fetch(`${h.url}/api/v1/teapot`, {
        headers: { "x-request-id": "t-1", ...bearer(h.tokens.carol) },
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: "conflict", message: "stale", requestId: "t-1" });
    });

    it("answers an unknown route with a JSON 404", async () => {
      const response = await fetch(`${h.url}/nowhere`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as Record<string, string>)["message"]).toBe("no route for GET /nowhere");
    });
  });
});

describe("rate limit per user", () => {
  it("answers 429 with Retry-After once a user exceeds the limit, and only that user", async () => {
    const h = await anApp({ rateLimitMax: TIGHT_RATE_LIMIT });
    try {
      const ping = (token: string) => fetch(`${h.url}/api/v1/ping`, { headers: bearer(token) });
      for (let i = 0; i < TIGHT_RATE_LIMIT; i++) {
        expect((await ping(h.tokens.dave)).status).toBe(200);
      }
      const limited = await ping(h.tokens.dave);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      // The window is 60 s and began during this test, so 1..60 s remain.
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await limited.json()).toEqual({
        error: "rate_limited",
        message: `too many requests from dave: at most ${TIGHT_RATE_LIMIT} per 60 s; retry after ${retryAfter} s`,
        requestId: expect.any(String) as string,
        retryAfterSeconds: retryAfter,
      });
      // Same address, another user: not limited.
      expect((await ping(h.tokens.alice)).status).toBe(200);
      // The limiter's own configuration checks found nothing to complain about.
      expect(h.logs.filter((entry) => entry.msg === "rate limiter")).toEqual([]);
    } finally {
      await close(h.server);
    }
  });
});

describe("plain-HTTP serving", () => {
  it("drops HSTS and upgrade-insecure-requests but keeps the framing policy", async () => {
    const h = await anApp({ hsts: false });
    try {
      const response = await fetch(`${h.url}/taskpane.html`);
      expect(response.headers.get("strict-transport-security")).toBeNull();
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).not.toContain("upgrade-insecure-requests");
      expect(csp).toContain("frame-ancestors 'self' https://*.officeapps.live.com");
    } finally {
      await close(h.server);
    }
  });

  it("refuses a rate limit that is not a positive whole number", () => {
    for (const rateLimit of [
      { windowMs: 0, max: 5 },
      { windowMs: 60_000, max: 0.5 },
    ]) {
      expect(() =>
        securityMiddleware({ allowedOrigins: [], bodyLimit: "1kb", rateLimit, logger: createMemoryLogger() }),
      ).toThrow(DomainError);
    }
  });
});
