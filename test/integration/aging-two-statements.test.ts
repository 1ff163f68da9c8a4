/**
 * On PostgreSQL aging is read in two statements (boundary totals of the items
 * whose stored balance is their as-of balance, plus the history groups of the
 * items touched after D) and the buckets are worked out in the report; on
 * SQLite it is the one statement that buckets every item. Both ledgers here
 * are the same demo data pushed through store.push, so every report must be
 * identical, line for line and cent for cent, for every as-of date, basis,
 * set of edges and filter below. PostgreSQL skipped (visibly) when it is not
 * reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoChangeSets } from "../../server/demo/generator.js";
import type { AgingQuery } from "../../server/store/port.js";
import { openStore } from "../../server/store/open.js";
import type { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { raw } from "../../server/store/sql.js";
import * as st from "../../server/store/statements/read.js";
import { parseCurrency } from "../../shared/currency.js";
import { parseIsoDate } from "../../shared/dates.js";
import {
  postgresReachable,
  postgresTarget,
  sqliteTarget,
  testClock,
  TEST_TODAY,
  type TestDatabase,
} from "../support/databases.js";

const pgAvailable = await postgresReachable();
if (!pgAvailable) console.warn("aging-two-statements: PostgreSQL not reachable at 127.0.0.1:5432 — skipped");
const suite = pgAvailable ? describe : describe.skip;

async function seeded(database: TestDatabase): Promise<SqlLedgerStore> {
  const store = await openStore(database.db, testClock, { autoMigrate: true });
  for (const changeSet of demoChangeSets({ size: "tiny", today: TEST_TODAY })) {
    const outcome = await store.push(changeSet, { user: "seed", role: "admin", dryRun: false });
    if (outcome.status !== "committed") throw new Error(`demo change set ${changeSet.id} refused`);
  }
  return store;
}

suite("aging on PostgreSQL (two statements) equals aging on SQLite (one statement)", () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  let sqliteStore: SqlLedgerStore;
  let postgresStore: SqlLedgerStore;

  beforeAll(async () => {
    sqlite = await sqliteTarget().open();
    postgres = await postgresTarget(true).open();
    sqliteStore = await seeded(sqlite);
    postgresStore = await seeded(postgres);
  }, 120_000);

  afterAll(async () => {
    await sqlite.close();
    await postgres.close();
  });

  it("has what the comparison needs: credit memos, unapplied cash, disputes, items touched after a past date", async () => {
    const count = async (query: string) => Number((await postgres.db.all(raw(query)))[0]?.n);
    expect(await count("SELECT COUNT(*) AS n FROM documents WHERE doc_type = 'creditMemo' AND open_minor <> 0")).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM receipts WHERE unapplied_minor <> 0 AND reversed = 0")).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM documents WHERE disputed = 1 AND open_minor <> 0")).toBeGreaterThan(0);
    const asOf = parseIsoDate("2026-09-30");
    const history = await postgres.db.all(
      st.agingHistoryGroups("postgres", { asOf, basis: "due", edges: [30, 60, 90, 120] }),
    );
    expect(history.length).toBeGreaterThan(0);
    const totals = await postgres.db.all(
      st.agingBoundaryTotals("postgres", { asOf, basis: "due", edges: [30, 60, 90, 120] }),
    );
    expect(totals.length).toBeGreaterThan(0);
  });

  const asOfDates = ["2026-11-23", "2026-11-20", "2026-10-31", "2026-09-30", "2026-08-15", "2026-07-31"];
  const usual = { basis: "due", edges: [30, 60, 90, 120] } as const;
  const variants: readonly Omit<AgingQuery, "asOf">[] = [
    usual,
    { ...usual, basis: "document" },
    { ...usual, edges: [15, 45] },
    { basis: "document", edges: [7, 14, 21, 28, 60, 365] },
    { ...usual, excludeDisputed: true },
    { ...usual, currency: parseCurrency("EUR") },
    { ...usual, collector: "ana.lopez" },
    { ...usual, customerId: "demo-cust-000003" },
  ];
  for (const asOf of asOfDates) {
    it(`gives the same report as of ${asOf} for every basis, edges and filter`, async () => {
      let nonEmpty = 0;
      for (const variant of variants) {
        const query: AgingQuery = { asOf: parseIsoDate(asOf), ...variant };
        const expected = JSON.parse(JSON.stringify(await sqliteStore.aging(query))) as { customers: unknown[] };
        const actual = JSON.parse(JSON.stringify(await postgresStore.aging(query))) as { customers: unknown[] };
        expect(actual, JSON.stringify(query)).toEqual(expected);
        if (expected.customers.length > 0) nonEmpty += 1;
      }
      // Not a comparison of empty reports: the usual query finds customers on every date above.
      expect(nonEmpty).toBeGreaterThan(0);
    });
  }
});
