/**
 * The add-in's HTTP client (addin/sync/api-client.ts): every failure is an
 * ApiError of a kind the task pane can act on, with a message a clerk can read.
 */
import { describe, expect, it } from "vitest";
import { ApiClient, type ApiErrorKind } from "../../addin/sync/api-client.js";
import { failure, jsonResponse, stubFetch, textResponse, type Route } from "../support/fake-server.js";

const BASE = "http://localhost:3999";
const PARAMS = { asOf: "2026-11-23", basis: "due", buckets: [30, 60, 90, 120] } as const;

function client(route: Route, baseUrl = BASE) {
  const server = stubFetch(route);
  return { api: new ApiClient({ baseUrl, token: "oar_secret" }, server.fetch), requests: server.requests };
}

describe("a server that cannot be reached", () => {
  it("is 'unreachable', and the message names the address", async () => {
    const { api } = client(() => Promise.reject(new TypeError("fetch failed")), `${BASE}/`);
    const error = await failure(api.health());
    expect(error.kind).toBe("unreachable");
    expect(error.status).toBeNull();
    expect(error.message).toBe(`cannot reach the OpenAR service at ${BASE}: is it running, and is the address right? (fetch failed)`);
    expect(error.name).toBe("ApiError");
  });

  it("strips trailing slashes from the address", () => {
    expect(client(() => jsonResponse(200, {}), `${BASE}///`).api.baseUrl).toBe(BASE);
  });

  it("a request cancelled by the clerk is 'cancelled', not 'unreachable'", async () => {
    const controller = new AbortController();
    controller.abort();
    const { api, requests } = client(() => jsonResponse(200, {}));
    const error = await failure(api.changes("0", controller.signal));
    expect(error.kind).toBe("cancelled");
    expect(requests).toEqual([]);
  });
});

describe("HTTP errors", () => {
  it.each<[number, unknown, ApiErrorKind, string]>([
    [401, { error: "unauthorized", message: "unknown token" }, "unauthorized", "the server refused the token: unknown token"],
    [401, { error: "unauthorized", message: "the token has expired" }, "unauthorized", "your session has expired: sign in again (the token has expired)"],
    [401, { error: "unauthorized", message: "Token EXPIRED at 2026-11-23T08:00:00Z" }, "unauthorized", "your session has expired: sign in again (Token EXPIRED at 2026-11-23T08:00:00Z)"],
    [403, { error: "forbidden", message: "role viewer may not post" }, "forbidden", "not allowed: role viewer may not post"],
    [400, { error: "bad_request", message: "asOf: not a date" }, "invalid", "asOf: not a date"],
    [422, { error: "validation_failed", message: "the change set was refused: 2 problems" }, "invalid", "the change set was refused: 2 problems"],
    [409, { error: "conflict", message: "1 row(s) changed on the server" }, "conflict", "1 row(s) changed on the server"],
    [500, { error: "internal", message: "database is locked" }, "server", "the server failed (500): database is locked"],
    [503, { error: "unavailable", message: "migrating" }, "server", "the server failed (503): migrating"],
  ])("%d %j is %s", async (status, body, kind, message) => {
    const { api } = client(() => jsonResponse(status, body));
    const error = await failure(api.changes("0"));
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
    expect(error.status).toBe(status);
    expect(error.body).toEqual(body);
  });

  it("an error page that is not JSON still gives the status", async () => {
    const { api } = client(() => textResponse(502, "<html><body>Bad Gateway</body></html>"));
    const error = await failure(api.changes("0"));
    expect(error.kind).toBe("server");
    expect(error.message).toBe("the server failed (502): HTTP 502");
    expect(error.body).toBeNull();
  });

  it("a 401 without a JSON body is still 'unauthorized'", async () => {
    const { api } = client(() => textResponse(401, "Unauthorized", "text/plain"));
    const error = await failure(api.verifyToken());
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toBe("the server refused the token: HTTP 401");
  });
});

describe("malformed answers", () => {
  it("a 200 that is not JSON is 'malformed'", async () => {
    const { api } = client(() => textResponse(200, "<html>captive portal</html>"));
    const error = await failure(api.aging(PARAMS));
    expect(error.kind).toBe("malformed");
    expect(error.message).toBe("the server's answer was not JSON (HTTP 200: <html>captive portal</html>)");
  });

  it("a JSON array or a bare value is not an answer", async () => {
    expect((await failure(client(() => jsonResponse(200, [1, 2])).api.changes("0"))).kind).toBe("malformed");
    expect((await failure(client(() => jsonResponse(200, "ok")).api.changes("0"))).kind).toBe("malformed");
  });

  it("health: the shape is checked", async () => {
    const ok = client(() => jsonResponse(200, { status: "ok", store: "sqlite", schemaVersion: 1 }));
    expect(await ok.api.health()).toEqual({ status: "ok", store: "sqlite", schemaVersion: 1 });
    const wrong = await failure(client(() => jsonResponse(200, { status: "ok", store: "sqlite", schemaVersion: "1" })).api.health());
    expect(wrong.kind).toBe("malformed");
    expect(wrong.message).toMatch(/^the server's answer to \/api\/v1\/health was not understood \(schemaVersion: /);
    expect((await failure(client(() => jsonResponse(200, { status: "degraded", store: "sqlite", schemaVersion: 1 })).api.health())).kind).toBe("malformed");
  });

  it("changes: an amount sent as a number is not understood; the message names the path without the query", async () => {
    const body = { changes: [{ seq: 1, entity: "document", id: "d", changeSetId: null, data: null }], cursor: "1", hasMore: false };
    const error = await failure(client(() => jsonResponse(200, body)).api.changes("0"));
    expect(error.kind).toBe("malformed");
    expect(error.message).toMatch(/^the server's answer to \/api\/v1\/changes was not understood \(changes\.0\.seq: /);
  });

  it("aging: an amount sent as a number is not understood", async () => {
    const body = { asOf: "2026-11-23", basis: "due", buckets: [], customers: [], totals: [{ currency: "USD", buckets: {}, total: 12.5 }] };
    const error = await failure(client(() => jsonResponse(200, body)).api.aging(PARAMS));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("totals.0.total");
  });
});

describe("requests", () => {
  it("health goes without the token; everything else carries it", async () => {
    const { api, requests } = client((request) =>
      request.url.pathname === "/api/v1/health"
        ? jsonResponse(200, { status: "ok", store: "sqlite", schemaVersion: 1 })
        : jsonResponse(200, { customers: [], changes: [], cursor: "0", hasMore: false }),
    );
    await api.health();
    await api.verifyToken();
    await api.changes("17");
    expect(requests.map((r) => [r.url.pathname + r.url.search, r.headers.authorization ?? null])).toEqual([
      ["/api/v1/health", null],
      ["/api/v1/customers?limit=1", "Bearer oar_secret"],
      ["/api/v1/changes?since=17&limit=5000", "Bearer oar_secret"],
    ]);
  });

  it("aging sends the pull's parameters and leaves out empty filters", async () => {
    const report = { asOf: "2026-11-23", basis: "due", buckets: [], customers: [], totals: [] };
    const { api, requests } = client(() => jsonResponse(200, report));
    await api.aging({ ...PARAMS, customerId: "cust-acme", collector: "", currency: undefined });
    expect(requests[0]?.url.search).toBe("?asOf=2026-11-23&basis=due&buckets=30%2C60%2C90%2C120&customerId=cust-acme");
  });

  it("postJson returns 409 and 422 answers as values, and throws for the rest", async () => {
    const conflict = { error: "conflict", message: "stale", details: { conflicts: [] } };
    const { api, requests } = client(() => jsonResponse(409, conflict));
    expect(await api.postJson("/api/v1/changesets", { id: "x", operations: [] })).toEqual({ status: 409, body: conflict });
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.headers["content-type"]).toBe("application/json");
    expect(requests[0]?.body).toBe('{"id":"x","operations":[]}');
    const forbidden = await failure(client(() => jsonResponse(403, { error: "forbidden", message: "clerk may not close" })).api.postJson("/api/v1/changesets", {}));
    expect(forbidden.kind).toBe("forbidden");
  });
});
