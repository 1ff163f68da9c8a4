/**
 * The OpenAPI document against the OpenAPI 3.1 schema, and against the app:
 * every route the Express app registers (walked from the real createApp, over
 * an in-memory token store and a SQLite ledger in a temp dir) is described
 * under the same path and method, every described operation is registered,
 * and the docs page shows them all.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import type { Express } from "express";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.js";
import { publicApiRouter } from "../../server/http/api.js";
import { silentLogger } from "../../server/http/logger.js";
import { openApiDocument } from "../../server/http/openapi.js";
import { createMemoryTokenStore } from "../../server/http/tokens.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { migrate } from "../../server/store/migrate.js";
import type { Database } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import { fixedClock, parseIsoDate } from "../../shared/dates.js";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

interface Operation {
  readonly summary?: string;
  readonly security?: readonly unknown[];
  readonly parameters?: readonly { name: string; in: string; required?: boolean }[];
  readonly responses?: Record<string, unknown>;
}
type Paths = Record<string, Partial<Record<(typeof HTTP_METHODS)[number], Operation>>>;

/** The shape of Express 5's router internals that the walk relies on (router 2.x). */
interface RouterLayer {
  readonly rawPath?: unknown;
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean | undefined> };
  readonly handle?: { readonly stack?: readonly RouterLayer[] };
}

/** "METHOD /path" for every route under `stack`, mount paths prefixed, Express ":id" written as OpenAPI "{id}". */
function registeredRoutes(stack: readonly RouterLayer[], prefix = ""): string[] {
  return stack.flatMap((layer): string[] => {
    if (layer.route !== undefined) {
      const path = `${prefix}${String(layer.route.path)}`.replace(/:(\w+)/g, "{$1}");
      return Object.entries(layer.route.methods)
        .filter(([method, on]) => on === true && method !== "_all")
        .map(([method]) => `${method.toUpperCase()} ${path}`);
    }
    const inner = layer.handle?.stack;
    if (inner === undefined) return [];
    const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
    return registeredRoutes(inner, prefix + mount);
  });
}

function documentedOperations(paths: Paths): [string, Operation][] {
  return Object.entries(paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method];
      return op === undefined ? [] : [[`${method.toUpperCase()} ${path}`, op] as [string, Operation]];
    }),
  );
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, out));
  else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

const doc = openApiDocument();
const paths = doc.paths as Paths;

let dir: string;
let db: Database;
let app: Express;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openar-openapi-"));
  db = openSqliteDatabase(join(dir, "ledger.sqlite"));
  const clock = fixedClock(parseIsoDate("2026-11-23"), "2026-11-23T09:00:00.000Z");
  await migrate(db, () => clock.now());
  app = createApp({
    store: await SqlLedgerStore.open(db, clock),
    tokens: createMemoryTokenStore(),
    clock,
    logger: silentLogger,
    allowedOrigins: ["https://localhost:3000"],
    bodyLimit: "1mb",
    rateLimit: { windowMs: 60_000, max: 1_000 },
    http: true,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => {
    server.listen(0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is refused by the validator once broken (so the check above can fail)", async () => {
    const broken = { ...doc, paths: { "/api/v1/health": { get: { summary: "no responses", responses: "none" } } } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("has every $ref pointing at a schema it defines", () => {
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
      expect(name !== undefined && name in schemas, `unresolved $ref ${ref}`).toBe(true);
    }
  });

  it("declares each path parameter of each path, required, and no other", () => {
    for (const [key, op] of documentedOperations(paths)) {
      const inPath = [...key.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort(), key).toEqual(inPath.sort());
      expect(
        declared.every((p) => p.required === true),
        key,
      ).toBe(true);
    }
  });

  it("gives every operation a summary and at least one success response", () => {
    for (const [key, op] of documentedOperations(paths)) {
      expect(op.summary, key).toMatch(/\S/);
      expect(
        Object.keys(op.responses ?? {}).some((code) => /^2\d\d$/.test(code)),
        key,
      ).toBe(true);
    }
  });
});

describe("routes and document agree", () => {
  it("documents every registered route, and registers every documented operation, under /api/v1", () => {
    const stack = (app.router as unknown as { stack: readonly RouterLayer[] }).stack;
    const registered = [...new Set(registeredRoutes(stack))].sort();
    const documented = documentedOperations(paths)
      .map(([key]) => key)
      .sort();
    // The walk must see the API at all, or agreement would prove nothing.
    expect(registered.length).toBeGreaterThanOrEqual(10);
    expect(
      registered.every((r) => / \/api\/v1\//.test(r)),
      registered.join("\n"),
    ).toBe(true);
    expect(
      registered.filter((r) => !documented.includes(r)),
      "registered but not documented",
    ).toEqual([]);
    expect(
      documented.filter((d) => !registered.includes(d)),
      "documented but not registered",
    ).toEqual([]);
  });

  it("marks exactly the routes of the public router as needing no credentials", () => {
    const router = publicApiRouter(
      { store: {} as never },
      () => doc,
      () => "",
    );
    const open = registeredRoutes((router as unknown as { stack: readonly RouterLayer[] }).stack, "/api/v1").sort();
    const unsecured = documentedOperations(paths)
      .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
      .map(([key]) => key)
      .sort();
    expect(unsecured).toEqual(open);
    expect(open).toEqual(["GET /api/v1/docs", "GET /api/v1/health", "GET /api/v1/openapi.json"]);
  });

  it("serves the same document at /api/v1/openapi.json", async () => {
    const response = await fetch(`${base}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("shows every documented operation on the docs page", async () => {
    const response = await fetch(`${base}/api/v1/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    for (const [key, op] of documentedOperations(paths)) {
      const [method = "", path = ""] = key.split(" ");
      expect(html, key).toContain(`<span class="m">${method}</span> <code>${path}</code>`);
      if (op.summary !== undefined)
        expect(html, key).toContain(
          op.summary.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"),
        );
    }
  });
});
