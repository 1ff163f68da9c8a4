/**
 * GET /api/v1/aging answers from its cache only while the ledger is what the
 * cached answer was computed from: the real app over a SQLite ledger, the
 * store wrapped to count (and, once, to race) its aging computations.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Operation } from "../../shared/changeset.js";
import { createApp } from "../../server/app.js";
import { silentLogger } from "../../server/http/logger.js";
import { createToken } from "../../server/http/tokens.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { migrate } from "../../server/store/migrate.js";
import type { AgingQuery, LedgerStore } from "../../server/store/port.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import { sqlTokenStore } from "../../server/store/token-store.js";
import { aCustomerOp, anInvoiceOp, changeSet, newChangeSetId } from "../support/change-sets.js";
import { testClock } from "../support/databases.js";

let dir: string;
let store: SqlLedgerStore;
let server: Server;
let base: string;
let token: string;
/** store.aging calls that reached the database. */
let computed = 0;
/** When set, runs inside the next aging computation, after the report is read: a commit racing it. */
let duringNextAging: (() => Promise<void>) | null = null;

interface AgingJson {
  customers: { customerId: string; buckets: Record<string, string>; total: string }[];
  totals: { currency: string; buckets: Record<string, string>; total: string }[];
}

async function aging(query = ""): Promise<{ text: string; json: AgingJson }> {
  const response = await fetch(`${base}/aging${query}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const text = await response.text();
  return { text, json: JSON.parse(text) as AgingJson };
}

async function push(operations: readonly Operation[]): Promise<void> {
  const outcome = await store.push(changeSet(operations, newChangeSetId("cache")), { user: "t", role: "admin", dryRun: false });
  expect(outcome.status).toBe("committed");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openar-aging-cache-"));
  const db = openSqliteDatabase(join(dir, "ledger.sqlite"));
  await migrate(db, () => testClock.now());
  store = await SqlLedgerStore.open(db, testClock);
  const counting = new Proxy(store, {
    get(target, property) {
      if (property === "aging") {
        return async (query: AgingQuery) => {
          computed += 1;
          const report = await target.aging(query);
          const race = duringNextAging;
          duringNextAging = null;
          if (race !== null) await race();
          return report;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as LedgerStore;
  const tokens = sqlTokenStore(db, () => testClock.now());
  const issued = createToken({ user: "viewer.user", role: "viewer", clock: testClock });
  await tokens.insert(issued.record);
  token = issued.token;
  const app = createApp({
    store: counting,
    tokens,
    clock: testClock,
    logger: silentLogger,
    allowedOrigins: ["https://localhost:3000"],
    bodyLimit: "1mb",
    rateLimit: { windowMs: 60_000, max: 10_000 },
    http: true,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  // inv-1: 100.00 dated 2026-10-01, NET 30 → due 10-31; as of today (11-23) 23 days past due.
  await push([aCustomerOp({ id: "cus-1" }), anInvoiceOp({ id: "inv-1", customerId: "cus-1", amount: "100.00" })]);
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

describe("the aging cache behind GET /aging", () => {
  it("computes an answer once per ledger state and query, and gives the same bytes again", async () => {
    const first = await aging();
    expect(first.json.customers.map((c) => [c.customerId, c.buckets["1-30"], c.total])).toEqual([["cus-1", "100.00", "100.00"]]);
    expect(computed).toBe(1);
    const again = await aging();
    expect(again.text).toBe(first.text);
    expect(computed).toBe(1);
    // The answer is what the store computes now, as JSON.
    expect(first.json).toEqual(JSON.parse(JSON.stringify(await store.aging({ asOf: testClock.today(), basis: "due", edges: [30, 60, 90, 120] }))));

    // Another as-of date is another answer: on 10-15 inv-1 is not due yet (current).
    const earlier = await aging("?asOf=2026-10-15");
    expect(earlier.json.customers[0]?.buckets.current).toBe("100.00");
    expect(computed).toBe(2);
    // …and so is another basis: 53 days since its document date is 31-60.
    const byDocument = await aging("?basis=document");
    expect(byDocument.json.customers[0]?.buckets["31-60"]).toBe("100.00");
    expect(computed).toBe(3);
    expect((await aging()).text).toBe(first.text);
    expect(computed).toBe(3);
  });

  it("recomputes after any commit", async () => {
    // inv-2: 200.00 dated 11-20, due 12-20: current as of today.
    await push([anInvoiceOp({ id: "inv-2", customerId: "cus-1", amount: "200.00", documentDate: "2026-11-20" })]);
    const before = computed;
    const after = await aging();
    expect(computed).toBe(before + 1);
    expect(after.json.totals.map((t) => [t.currency, t.buckets.current, t.buckets["1-30"], t.total])).toEqual([
      ["USD", "200.00", "100.00", "300.00"],
    ]);
    expect((await aging()).text).toBe(after.text);
    expect(computed).toBe(before + 1);
  });

  it("files an answer under the ledger state it was computed from when a commit lands meanwhile", async () => {
    // inv-3 commits after the report was read but before the route checks the sequence again.
    duringNextAging = () => push([anInvoiceOp({ id: "inv-3", customerId: "cus-1", amount: "50.00", documentDate: "2026-11-21" })]);
    const raced = await aging("?asOf=2026-11-22");
    const before = computed;
    // As of 11-22 inv-3 (dated 11-21) counts: an answer that missed it must not be served again.
    const next = await aging("?asOf=2026-11-22");
    expect(computed).toBe(before + 1);
    expect(raced.json.totals[0]?.total).toBe("300.00");
    expect(next.json.totals[0]?.total).toBe("350.00");
    expect((await aging("?asOf=2026-11-22")).text).toBe(next.text);
    expect(computed).toBe(before + 1);
  });

  // Last: it adds invoices the tests above do not expect.
  it("computes once for many requests that arrive while it is being computed", async () => {
    await push([anInvoiceOp({ id: "inv-flight-1", customerId: "cus-1", amount: "7.00" })]);
    const before = computed;
    const answers = await Promise.all(Array.from({ length: 12 }, () => aging("?basis=document")));
    expect(computed).toBe(before + 1);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    // Nothing stays in flight: after the next commit the next request computes again.
    await push([anInvoiceOp({ id: "inv-flight-2", customerId: "cus-1", amount: "8.00" })]);
    await aging("?basis=document");
    expect(computed).toBe(before + 2);
  });
});
