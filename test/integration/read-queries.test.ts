/**
 * The read side of the SQL ledger store against real databases: a SQLite
 * file under the OS temp dir, and the local PostgreSQL server (skipped with a
 * message when it is not reachable). The same tests run on both.
 *
 * The ledger below is small and chosen by hand; every expected value is
 * worked out in the comments from these rows, not taken from the code.
 *
 * Customers: cus-a "A-100" Acme Corp (USD, collector kim), cus-b "B-200"
 * "Bolt & Nut_Co 100%" (EUR, collector lee), cus-c "C-300" Cobalt Ltd (USD).
 *
 *   id      cust  type        number   doc date    due date    amount
 *   inv-1   a     invoice     A-INV-1  2026-01-15  2026-02-14  1000.00 USD
 *   inv-2   a     invoice     A-INV-2  2026-03-01  2026-03-31   250.00 USD
 *   inv-3   a     invoice     A-INV-3  2026-02-01  2026-03-30   100.00 USD
 *   inv-4   a     invoice     A-INV-4  2026-01-01  2026-03-01   300.00 USD
 *   inv-5   a     invoice     A-INV-5  2026-01-01  2026-02-28    50.00 USD (disputed)
 *   dm-8    a     debitMemo   A-DM-8   2025-10-01  2025-10-31    40.00 USD
 *   cm-1    a     creditMemo  A-CM-1   2026-03-20  2026-03-20    75.00 USD
 *   inv-6   a     invoice     A-INV-6  2026-04-10  2026-05-10   200.00 USD (after the usual as-of date)
 *   inv-b1  b     invoice     B-INV-1  2026-03-10  2026-04-09   700.00 EUR
 *   inv-b2  b     invoice     B-INV-2  2026-01-20  2026-02-19    20.00 USD
 *   inv-c1  c     invoice     C-INV-1  2026-02-15  2026-03-17   500.00 USD
 *   inv-c2  c     invoice     C-INV-2  2026-01-10  2026-02-09    10.00 USD
 *   inv-c3  c     invoice     C-INV-3  2026-03-02  2026-04-01   200.00 USD
 *
 *   rcp-1   a 2026-02-10 600.00 CHK-1001 → app-1 to inv-1 on 02-10: 580.00 + discount 20.00
 *   rcp-2   a 2026-04-05 400.00 WIRE-2   → app-2 to inv-1 on 04-05: 400.00
 *   rcp-c1  c 2026-03-10 500.00 CHK-C1   → app-c1 to inv-c1 on 03-10: 500.00;
 *                                          reversed by app-c1r and returned NSF (rr-1), both 03-20
 *   rcp-c2  c 2026-03-12 100.00 CHK-C2   unapplied; returned (rr-2) 03-25
 *   rcp-c3  c 2026-03-05 190.00 ACH-C3   → app-c3 to inv-c3 on 03-05: 190.00 + write-off 10.00 "short pay";
 *                                          reversed by app-c3r on 03-28
 *   wo-1    write-off of inv-c2 on 2026-03-15: 10.00
 *   app-cm  credit memo cm-1 applied to inv-2 on 2026-04-02: 25.00
 *
 * As of 2026-03-31 (the usual D), due basis, edges 30/60/90/120:
 *   inv-1  1000 − 600 = 400.00  due 02-14: 14 + 31 = 45 days → 31-60 (rcp-2 is after D)
 *   inv-2  250.00   due 03-31: 0 days  → current (app-cm is after D)
 *   inv-3  100.00   due 03-30: 1 day   → 1-30
 *   inv-4  300.00   due 03-01: 30 days → 1-30
 *   inv-5   50.00   due 02-28: 31 days → 31-60, disputed
 *   dm-8    40.00   due 2025-10-31: 30+31+31+28+31 = 151 days → over-120
 *   cm-1   −75.00   own date 03-20: 11 days → 1-30
 *   rcp-1  −(600 − 580) = −20.00, own date 02-10: 18 + 31 = 49 days → 31-60
 *   inv-b1 700.00 EUR  due 04-09 → current;  inv-b2 20.00 USD due 02-19: 9 + 31 = 40 days → 31-60
 *   inv-c1 500.00 (payment reversed 03-20)   due 03-17: 14 days → 1-30
 *   inv-c3 200.00 (application reversed 03-28) due 04-01 → current
 *   rcp-c3 −190.00 own date 03-05: 26 days → 1-30
 *   absent: inv-6 (dated later), rcp-2 (dated later), inv-c2 (written off), rcp-c1 and rcp-c2 (returned)
 */
import { randomBytes } from "node:crypto";
import { rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import { migrate } from "../../server/store/migrate.js";
import { openPostgresDatabase } from "../../server/store/postgres-database.js";
import type { OpenItem, OpenItemsQuery } from "../../server/store/port.js";
import {
  agingReport,
  changesSince,
  customerStatement,
  listCustomers,
  openItemsPage,
  streamOpenItems,
} from "../../server/store/read.js";
import { compile, type Database, type SqlExecutor } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import { cur, d } from "../support/builders.js";
import { postgresReachable } from "../support/databases.js";
import { ledgerRows } from "../support/ledger-rows.js";

const PG_URL = process.env.OPENAR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const NOW = () => "2026-04-15T09:00:00.000Z";
const EDGES = [30, 60, 90, 120];
const D = d("2026-03-31");


interface Target {
  readonly name: string;
  readonly available: boolean;
  open(): Promise<{ db: Database; cleanup: () => Promise<void> }>;
}

const pgAvailable = await postgresReachable();
if (!pgAvailable) {
  console.warn(`\n*** read-queries: PostgreSQL at ${PG_URL} is not reachable — its tests are SKIPPED ***\n`);
}

const targets: Target[] = [
  {
    name: "sqlite",
    available: true,
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), "openar-read-"));
      const db = openSqliteDatabase(join(dir, "ledger.db"));
      return Promise.resolve({
        db,
        cleanup: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  },
  {
    name: "postgres",
    available: pgAvailable,
    open: async () => {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const db = await openPostgresDatabase({ url: PG_URL, schema });
      return {
        db,
        cleanup: async () => {
          await db.exec(`DROP SCHEMA ${schema} CASCADE`);
          await db.close();
        },
      };
    },
  },
];

async function seedLedger(db: Database): Promise<void> {
  const rows = ledgerRows(db);
  // Change-feed sequence numbers are given at the end of each line.
  await rows.customer({ id: "cus-a", number: "A-100", name: "Acme Corp", currency: "USD", collector: "kim" }); // 1
  await rows.customer({ id: "cus-b", number: "B-200", name: "Bolt & Nut_Co 100%", currency: "EUR", collector: "lee" }); // 2
  await rows.customer({ id: "cus-c", number: "C-300", name: "Cobalt Ltd", currency: "USD" }); // 3

  const doc = (
    id: string,
    customerId: string,
    type: "invoice" | "debitMemo" | "creditMemo",
    number: string,
    documentDate: string,
    dueDate: string,
    amount: string,
    currency = "USD",
    disputed = false,
  ) => rows.document({ id, customerId, type, number, documentDate, dueDate, amount, currency, disputed });
  await doc("inv-1", "cus-a", "invoice", "A-INV-1", "2026-01-15", "2026-02-14", "1000.00"); // 4
  await doc("inv-2", "cus-a", "invoice", "A-INV-2", "2026-03-01", "2026-03-31", "250.00"); // 5
  await doc("inv-3", "cus-a", "invoice", "A-INV-3", "2026-02-01", "2026-03-30", "100.00"); // 6
  await doc("inv-4", "cus-a", "invoice", "A-INV-4", "2026-01-01", "2026-03-01", "300.00"); // 7
  await doc("inv-5", "cus-a", "invoice", "A-INV-5", "2026-01-01", "2026-02-28", "50.00", "USD", true); // 8
  await doc("dm-8", "cus-a", "debitMemo", "A-DM-8", "2025-10-01", "2025-10-31", "40.00"); // 9
  await doc("cm-1", "cus-a", "creditMemo", "A-CM-1", "2026-03-20", "2026-03-20", "75.00"); // 10
  await doc("inv-6", "cus-a", "invoice", "A-INV-6", "2026-04-10", "2026-05-10", "200.00"); // 11
  await doc("inv-b1", "cus-b", "invoice", "B-INV-1", "2026-03-10", "2026-04-09", "700.00", "EUR"); // 12
  await doc("inv-b2", "cus-b", "invoice", "B-INV-2", "2026-01-20", "2026-02-19", "20.00"); // 13
  await doc("inv-c1", "cus-c", "invoice", "C-INV-1", "2026-02-15", "2026-03-17", "500.00"); // 14
  await doc("inv-c2", "cus-c", "invoice", "C-INV-2", "2026-01-10", "2026-02-09", "10.00"); // 15
  await doc("inv-c3", "cus-c", "invoice", "C-INV-3", "2026-03-02", "2026-04-01", "200.00"); // 16

  const usd = "USD";
  await rows.receipt({ id: "rcp-1", customerId: "cus-a", date: "2026-02-10", currency: usd, amount: "600.00", reference: "CHK-1001" }); // 17
  await rows.application({ id: "app-1", source: { kind: "receipt", id: "rcp-1" }, documentId: "inv-1", date: "2026-02-10", currency: usd, amount: "580.00", discount: "20.00" }); // 18 inv-1, 19 rcp-1
  await rows.receipt({ id: "rcp-2", customerId: "cus-a", date: "2026-04-05", currency: usd, amount: "400.00", method: "wire", reference: "WIRE-2" }); // 20
  await rows.application({ id: "app-2", source: { kind: "receipt", id: "rcp-2" }, documentId: "inv-1", date: "2026-04-05", currency: usd, amount: "400.00" }); // 21 inv-1, 22 rcp-2
  await rows.receipt({ id: "rcp-c1", customerId: "cus-c", date: "2026-03-10", currency: usd, amount: "500.00", reference: "CHK-C1" }); // 23
  await rows.application({ id: "app-c1", source: { kind: "receipt", id: "rcp-c1" }, documentId: "inv-c1", date: "2026-03-10", currency: usd, amount: "500.00" }); // 24 inv-c1, 25 rcp-c1
  await rows.receipt({ id: "rcp-c2", customerId: "cus-c", date: "2026-03-12", currency: usd, amount: "100.00", reference: "CHK-C2" }); // 26
  await rows.receipt({ id: "rcp-c3", customerId: "cus-c", date: "2026-03-05", currency: usd, amount: "190.00", method: "ach", reference: "ACH-C3" }); // 27
  await rows.application({ id: "app-c3", source: { kind: "receipt", id: "rcp-c3" }, documentId: "inv-c3", date: "2026-03-05", currency: usd, amount: "190.00", writeOff: "10.00", writeOffReason: "short pay" }); // 28 inv-c3, 29 rcp-c3
  await rows.writeOff({ id: "wo-1", documentId: "inv-c2", date: "2026-03-15", currency: usd, amount: "10.00", reason: "small balance" }); // 30 inv-c2
  await rows.application({ id: "app-c1r", source: { kind: "receipt", id: "rcp-c1" }, documentId: "inv-c1", date: "2026-03-20", currency: usd, amount: "-500.00", reversesId: "app-c1" }); // 31 inv-c1, 32 rcp-c1
  await rows.receiptReversal({ id: "rr-1", receiptId: "rcp-c1", date: "2026-03-20", reason: "NSF" }); // 33 rcp-c1
  await rows.receiptReversal({ id: "rr-2", receiptId: "rcp-c2", date: "2026-03-25", reason: "returned" }); // 34 rcp-c2
  await rows.application({ id: "app-c3r", source: { kind: "receipt", id: "rcp-c3" }, documentId: "inv-c3", date: "2026-03-28", currency: usd, amount: "-190.00", writeOff: "-10.00", reversesId: "app-c3" }); // 35 inv-c3, 36 rcp-c3
  await rows.application({ id: "app-cm", source: { kind: "creditMemo", id: "cm-1" }, documentId: "inv-2", date: "2026-04-02", currency: usd, amount: "25.00" }); // 37 inv-2, 38 cm-1

  await rows.note({ id: "note-1", customerId: "cus-a", documentId: "inv-1", kind: "letter", body: "reminder sent", createdAt: "2026-03-01T10:00:00.000Z" }); // 39
  await rows.note({ id: "note-2", customerId: "cus-a", documentId: "inv-1", kind: "call", body: "promised to pay Friday", createdAt: "2026-03-20T10:00:00.000Z" }); // 40
  await rows.note({ id: "note-3", customerId: "cus-a", kind: "call", body: "called AP, statement sent", createdAt: "2026-03-25T08:00:00.000Z" }); // 41
}

const TOTAL_CHANGES = 41;

/**
 * A second, separate ledger for terms and promises to pay (kept apart so the
 * change-feed counts above stay as they are).
 *
 * Customers: cus-p "P-100" Pell & Co (USD), cus-q "Q-200" Quill GmbH (EUR).
 *
 *   id      cust  number    doc date    due date    terms         amount
 *   inv-k   p     P-INV-K   2026-02-01  2026-03-03  2/10 NET 30   1000.00 USD
 *   inv-x   p     P-INV-X   2026-02-01  2026-03-03  NET 30         500.00 USD
 *   inv-p   p     P-INV-P   2026-03-01  2026-04-10  NET 10 EOM     200.00 USD
 *   inv-q1  q     Q-INV-1   2026-02-15  2026-03-31  NET 45         400.00 EUR
 *   inv-q2  q     Q-INV-2   2026-03-01  2026-04-15  NET 45         600.00 EUR
 *   inv-q3  q     Q-INV-3   2026-03-02  2026-04-16  NET 45         100.00 EUR
 *   inv-qu  q     Q-INV-U   2026-03-03  2026-04-17  NET 45         250.00 USD
 *
 *   rcp-k   p 03-20 480.00 → inv-k 480.00 + write-off 10.00 (on the promised date)
 *   rcp-x0  p 03-02 100.00 → inv-x 100.00 (before the promise)
 *   rcp-x1  p 03-10 175.00 → inv-x 150.00 (25.00 stays unapplied)
 *   rcp-x2  p 03-16  50.00 → inv-x  50.00 (the day after the promised date)
 *   rcp-q0  q 03-01 100.00 EUR → inv-q1 (before the general promise)
 *   rcp-q1  q 03-12 300.00 EUR → inv-q1 (pays it off: 100 + 300 = 400)
 *   rcp-qu  q 03-15 250.00 USD → inv-qu (pays it off; another currency than the promise)
 *   rcp-q2  q 03-20 250.00 EUR → inv-q2
 *
 *   promises (amount by date, recorded at)
 *   pk    inv-k  490.00 USD by 03-20, 03-05T15:00Z
 *   px    inv-x  200.00 USD by 03-15, 03-05T09:00Z
 *   pp0   inv-p  200.00 USD by 03-20, 03-10T09:00Z (superseded by pp)
 *   pp    inv-p  200.00 USD by 04-10, 03-25T10:00Z; then a call on inv-p 03-28
 *   pq3   inv-q3 100.00 EUR by 04-30, 03-26T11:00Z
 *   gq0   cus-q (general) 999.00 EUR by 03-05, 03-01T09:00Z (superseded by gq)
 *   gq    cus-q (general) 550.00 EUR by 03-25, 03-10T08:00Z
 */
async function seedPromises(db: Database): Promise<void> {
  const rows = ledgerRows(db);
  await rows.customer({ id: "cus-p", number: "P-100", name: "Pell & Co", currency: "USD" });
  await rows.customer({ id: "cus-q", number: "Q-200", name: "Quill GmbH", currency: "EUR", terms: "NET 45" });
  const invoice = (id: string, customerId: string, number: string, documentDate: string, dueDate: string, terms: string, amount: string, currency: string) =>
    rows.document({ id, customerId, type: "invoice", number, documentDate, dueDate, terms, amount, currency });
  await invoice("inv-k", "cus-p", "P-INV-K", "2026-02-01", "2026-03-03", "2/10 NET 30", "1000.00", "USD");
  await invoice("inv-x", "cus-p", "P-INV-X", "2026-02-01", "2026-03-03", "NET 30", "500.00", "USD");
  await invoice("inv-p", "cus-p", "P-INV-P", "2026-03-01", "2026-04-10", "NET 10 EOM", "200.00", "USD");
  await invoice("inv-q1", "cus-q", "Q-INV-1", "2026-02-15", "2026-03-31", "NET 45", "400.00", "EUR");
  await invoice("inv-q2", "cus-q", "Q-INV-2", "2026-03-01", "2026-04-15", "NET 45", "600.00", "EUR");
  await invoice("inv-q3", "cus-q", "Q-INV-3", "2026-03-02", "2026-04-16", "NET 45", "100.00", "EUR");
  await invoice("inv-qu", "cus-q", "Q-INV-U", "2026-03-03", "2026-04-17", "NET 45", "250.00", "USD");

  const pay = async (id: string, customerId: string, date: string, received: string, documentId: string, applied: string, currency: string, writeOff?: string) => {
    await rows.receipt({ id, customerId, date, currency, amount: received, reference: id.toUpperCase() });
    await rows.application({ id: `app-${id}`, source: { kind: "receipt", id }, documentId, date, currency, amount: applied, ...(writeOff === undefined ? {} : { writeOff, writeOffReason: "bank fee" }) });
  };
  await pay("rcp-k", "cus-p", "2026-03-20", "480.00", "inv-k", "480.00", "USD", "10.00");
  await pay("rcp-x0", "cus-p", "2026-03-02", "100.00", "inv-x", "100.00", "USD");
  await pay("rcp-x1", "cus-p", "2026-03-10", "175.00", "inv-x", "150.00", "USD");
  await pay("rcp-x2", "cus-p", "2026-03-16", "50.00", "inv-x", "50.00", "USD");
  await pay("rcp-q0", "cus-q", "2026-03-01", "100.00", "inv-q1", "100.00", "EUR");
  await pay("rcp-q1", "cus-q", "2026-03-12", "300.00", "inv-q1", "300.00", "EUR");
  await pay("rcp-qu", "cus-q", "2026-03-15", "250.00", "inv-qu", "250.00", "USD");
  await pay("rcp-q2", "cus-q", "2026-03-20", "250.00", "inv-q2", "250.00", "EUR");

  const promise = (id: string, customerId: string, documentId: string | null, amount: string, currency: string, date: string, createdAt: string) =>
    rows.note({ id, customerId, documentId, kind: "promise", body: `will pay ${amount} by ${date}`, createdAt, promise: { amount, currency, date } });
  await promise("pk", "cus-p", "inv-k", "490.00", "USD", "2026-03-20", "2026-03-05T15:00:00.000Z");
  await promise("px", "cus-p", "inv-x", "200.00", "USD", "2026-03-15", "2026-03-05T09:00:00.000Z");
  await promise("pp0", "cus-p", "inv-p", "200.00", "USD", "2026-03-20", "2026-03-10T09:00:00.000Z");
  await promise("pp", "cus-p", "inv-p", "200.00", "USD", "2026-04-10", "2026-03-25T10:00:00.000Z");
  await rows.note({ id: "call-p", customerId: "cus-p", documentId: "inv-p", kind: "call", body: "AP confirms the date", createdAt: "2026-03-28T10:00:00.000Z" });
  await promise("pq3", "cus-q", "inv-q3", "100.00", "EUR", "2026-04-30", "2026-03-26T11:00:00.000Z");
  await promise("gq0", "cus-q", null, "999.00", "EUR", "2026-03-05", "2026-03-01T09:00:00.000Z");
  await promise("gq", "cus-q", null, "550.00", "EUR", "2026-03-25", "2026-03-10T08:00:00.000Z");
}

function query(asOf: string, extra: Partial<OpenItemsQuery> = {}): OpenItemsQuery {
  return { asOf: d(asOf), basis: "due", edges: EDGES, limit: 100, ...extra };
}

/** id → open amount as a decimal string. */
function openById(items: readonly OpenItem[]): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item.id, item.open.toString()]));
}

for (const target of targets) {
  const suite = target.available ? describe : describe.skip;
  suite(`read queries on ${target.name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      ({ db, cleanup } = await target.open());
      await migrate(db, NOW);
      await seedLedger(db);
    });
    afterAll(async () => {
      await cleanup();
    });

    const openAsOf = async (asOf: string, extra: Partial<OpenItemsQuery> = {}) =>
      openById((await openItemsPage(db, query(asOf, extra))).items);

    describe("open items as of a date", () => {
      it("counts a payment only from its date on", async () => {
        // Before rcp-1: inv-1 untouched; documents dated after 02-09 (inv-2, cm-1, inv-6) do not exist yet.
        expect(await openAsOf("2026-02-09", { customerId: "cus-a" })).toEqual({
          "inv-1": "1000.00",
          "inv-3": "100.00",
          "inv-4": "300.00",
          "inv-5": "50.00",
          "dm-8": "40.00",
        });
        // On 02-10: 1000 − (580 + 20 discount) = 400; rcp-1 keeps 600 − 580 = 20 unapplied, shown negative.
        const after = await openAsOf("2026-02-10", { customerId: "cus-a" });
        expect(after["inv-1"]).toBe("400.00");
        expect(after["rcp-1"]).toBe("-20.00");
      });

      it("leaves out rows dated after the as-of date and settles them on their own date", async () => {
        const atD = await openAsOf("2026-03-31", { customerId: "cus-a" });
        expect(atD).toEqual({
          "inv-1": "400.00", // rcp-2 (04-05) has not happened yet
          "inv-2": "250.00", // app-cm (04-02) neither
          "inv-3": "100.00",
          "inv-4": "300.00",
          "inv-5": "50.00",
          "dm-8": "40.00",
          "cm-1": "-75.00",
          "rcp-1": "-20.00",
        });
        // 04-02: cm-1 applied 25 → credit −50, inv-2 225.
        const apr2 = await openAsOf("2026-04-02", { customerId: "cus-a" });
        expect(apr2["cm-1"]).toBe("-50.00");
        expect(apr2["inv-2"]).toBe("225.00");
        // 04-05: rcp-2 pays inv-1's last 400; both are settled and gone; inv-6 (04-10) still absent.
        const apr5 = await openAsOf("2026-04-05", { customerId: "cus-a" });
        expect(Object.keys(apr5).sort()).toEqual(["cm-1", "dm-8", "inv-2", "inv-3", "inv-4", "inv-5", "rcp-1"]);
        expect((await openAsOf("2026-04-10", { customerId: "cus-a" }))["inv-6"]).toBe("200.00");
      });

      it("undoes an application and a returned payment from the reversal date on", async () => {
        // 03-09: app-c3 (03-05) settled inv-c3 with 190 + 10 write-off; rcp-c1 not yet received.
        expect(await openAsOf("2026-03-09", { customerId: "cus-c" })).toEqual({ "inv-c1": "500.00", "inv-c2": "10.00" });
        // 03-12: rcp-c1 paid inv-c1 in full; rcp-c2's 100 is unapplied.
        expect(await openAsOf("2026-03-12", { customerId: "cus-c" })).toEqual({ "inv-c2": "10.00", "rcp-c2": "-100.00" });
        // 03-20: the NSF reversal reopens inv-c1 and removes rcp-c1; wo-1 (03-15) cleared inv-c2.
        expect(await openAsOf("2026-03-20", { customerId: "cus-c" })).toEqual({ "inv-c1": "500.00", "rcp-c2": "-100.00" });
        // 03-25: rcp-c2 returned → its unapplied cash is 0 and it is omitted.
        expect(await openAsOf("2026-03-25", { customerId: "cus-c" })).toEqual({ "inv-c1": "500.00" });
        expect(await openAsOf("2026-03-27", { customerId: "cus-c" })).toEqual({ "inv-c1": "500.00" });
        // 03-28: app-c3r reopens inv-c3 (200) and gives rcp-c3 its 190 back.
        expect(await openAsOf("2026-03-28", { customerId: "cus-c" })).toEqual({
          "inv-c1": "500.00",
          "inv-c3": "200.00",
          "rcp-c3": "-190.00",
        });
      });

      it("shows credits and unapplied cash as negative items aged by their own date", async () => {
        const page = await openItemsPage(db, query("2026-03-31", { customerId: "cus-a" }));
        const credit = page.items.find((item) => item.id === "cm-1");
        expect(credit).toMatchObject({ kind: "creditMemo", number: "A-CM-1", dueDate: "2026-03-20", days: 11, bucket: "1-30" });
        expect(credit?.amount.toString()).toBe("-75.00");
        const cash = page.items.find((item) => item.id === "rcp-1");
        expect(cash).toMatchObject({ kind: "unappliedCash", number: "CHK-1001", documentDate: "2026-02-10", days: 49, bucket: "31-60" });
        expect(cash?.amount.toString()).toBe("-600.00");
        expect(cash?.open.toString()).toBe("-20.00");
        expect(cash?.disputed).toBe(false);
        expect(credit).toMatchObject({ customerNumber: "A-100", customerName: "Acme Corp", collector: "kim", currency: "USD" });
      });

      it("puts 0, 1, 30 and 31 days past due in the buckets DESIGN.md defines", async () => {
        const page = await openItemsPage(db, query("2026-03-31", { customerId: "cus-a" }));
        const aged = Object.fromEntries(page.items.map((item) => [item.id, [item.days, item.bucket]]));
        expect(aged["inv-2"]).toEqual([0, "current"]); // due today is current
        expect(aged["inv-3"]).toEqual([1, "1-30"]);
        expect(aged["inv-4"]).toEqual([30, "1-30"]);
        expect(aged["inv-5"]).toEqual([31, "31-60"]);
        expect(aged["inv-1"]).toEqual([45, "31-60"]);
        expect(aged["dm-8"]).toEqual([151, "over-120"]);
      });

      it("ages by document date on the document basis", async () => {
        const page = await openItemsPage(db, query("2026-03-31", { customerId: "cus-a", basis: "document" }));
        const aged = Object.fromEntries(page.items.map((item) => [item.id, [item.days, item.bucket]]));
        expect(aged["inv-2"]).toEqual([30, "0-30"]); // 03-01 → 03-31
        expect(aged["inv-3"]).toEqual([58, "31-60"]); // 02-01: 27 + 31
        expect(aged["inv-1"]).toEqual([75, "61-90"]); // 01-15: 16 + 28 + 31
        expect(aged["dm-8"]).toEqual([181, "over-120"]); // 2025-10-01: 30+30+31+31+28+31
      });

      it("gives the latest note of the document, else the customer's general note", async () => {
        const page = await openItemsPage(db, query("2026-03-31"));
        const byId = new Map(page.items.map((item) => [item.id, item]));
        // inv-1 has its own notes; the newer customer note (03-25) does not replace them.
        expect(byId.get("inv-1")?.lastNote).toEqual({ kind: "call", body: "promised to pay Friday", at: "2026-03-20T10:00:00.000Z" });
        expect(byId.get("inv-2")?.lastNote).toEqual({ kind: "call", body: "called AP, statement sent", at: "2026-03-25T08:00:00.000Z" });
        expect(byId.get("rcp-1")?.lastNote?.body).toBe("called AP, statement sent");
        expect(byId.get("inv-b1")?.lastNote).toBeNull();
      });

      it("filters by collector and currency", async () => {
        expect(await openAsOf("2026-03-31", { collector: "lee" })).toEqual({ "inv-b1": "700.00", "inv-b2": "20.00" });
        expect(await openAsOf("2026-03-31", { currency: cur("EUR") })).toEqual({ "inv-b1": "700.00" });
      });

      it("pages across 3 pages, every item exactly once, with the feed cursor read first", async () => {
        // 13 items as of D: 11 documents then 2 receipts → pages of 5, 5 and 3.
        const seen: string[] = [];
        const sizes: number[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await openItemsPage(db, query("2026-03-31", { limit: 5, ...(after === undefined ? {} : { after }) }));
          expect(page.cursor).toBe(String(TOTAL_CHANGES));
          seen.push(...page.items.map((item) => item.id));
          sizes.push(page.items.length);
          after = page.next ?? undefined;
          pages++;
        } while (after !== undefined && pages < 10);
        expect(sizes).toEqual([5, 5, 3]);
        expect(new Set(seen).size).toBe(13);
        expect([...seen].sort()).toEqual(
          ["cm-1", "dm-8", "inv-1", "inv-2", "inv-3", "inv-4", "inv-5", "inv-b1", "inv-b2", "inv-c1", "inv-c3", "rcp-1", "rcp-c3"].sort(),
        );
      });

      it("continues into unapplied cash when the documents exactly fill a page", async () => {
        const first = await openItemsPage(db, query("2026-03-31", { limit: 11 }));
        expect(first.items.every((item) => item.kind !== "unappliedCash")).toBe(true);
        expect(first.next).not.toBeNull();
        const second = await openItemsPage(db, query("2026-03-31", { limit: 11, after: first.next ?? "" }));
        expect(second.items.map((item) => item.id).sort()).toEqual(["rcp-1", "rcp-c3"]);
        expect(second.next).toBeNull();
      });

      it("refuses a cursor it did not issue", async () => {
        await expect(openItemsPage(db, query("2026-03-31", { after: "not-a-cursor" }))).rejects.toThrow(DomainError);
      });

      it("streams every item in batches from one snapshot", async () => {
        const batches: number[] = [];
        const ids: string[] = [];
        for await (const batch of streamOpenItems(db, { asOf: D, basis: "due", edges: EDGES }, 4)) {
          batches.push(batch.length);
          ids.push(...batch.map((item) => item.id));
        }
        expect(batches).toEqual([4, 4, 4, 1]);
        expect(new Set(ids).size).toBe(13);
        // Sum of everything open in USD equals the USD aging total below: 1045 + 20 + 510 = 1575.
        let usdMinor = 0n;
        // (collect again with a bigger batch so the sum is independent of batching)
        for await (const batch of streamOpenItems(db, { asOf: D, basis: "due", edges: EDGES, currency: cur("USD") }, 100)) {
          for (const item of batch) usdMinor += item.open.toMinor();
        }
        expect(usdMinor).toBe(157500n);
      });

      it("ends the snapshot when the consumer stops early", async () => {
        for await (const batch of streamOpenItems(db, { asOf: D, basis: "due", edges: EDGES }, 2)) {
          expect(batch).toHaveLength(2);
          break;
        }
        // The database is still usable (the reader was given back, the snapshot closed).
        expect(Object.keys(await openAsOf("2026-03-31", { customerId: "cus-b" }))).toHaveLength(2);
      });
    });

    describe("aging", () => {
      it("sums per customer, currency and bucket, with per-currency totals", async () => {
        const report = await agingReport(db, { asOf: D, basis: "due", edges: EDGES });
        expect(report.buckets.map((b) => b.key)).toEqual(["current", "1-30", "31-60", "61-90", "91-120", "over-120"]);
        const rows = report.customers.map((row) => [
          row.customerNumber,
          row.currency,
          Object.fromEntries(Object.entries(row.buckets).map(([k, v]) => [k, v.toString()])),
          row.total.toString(),
        ]);
        expect(rows).toEqual([
          // cus-a: current inv-2 250; 1-30: 100 + 300 − 75 = 325; 31-60: 400 + 50 − 20 = 430; over-120: 40 → 1045
          ["A-100", "USD", { current: "250.00", "1-30": "325.00", "31-60": "430.00", "61-90": "0.00", "91-120": "0.00", "over-120": "40.00" }, "1045.00"],
          ["B-200", "EUR", { current: "700.00", "1-30": "0.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" }, "700.00"],
          ["B-200", "USD", { current: "0.00", "1-30": "0.00", "31-60": "20.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" }, "20.00"],
          // cus-c: current inv-c3 200; 1-30: 500 − 190 = 310 → 510
          ["C-300", "USD", { current: "200.00", "1-30": "310.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" }, "510.00"],
        ]);
        const totals = report.totals.map((t) => [t.currency, t.buckets["current"]?.toString(), t.buckets["1-30"]?.toString(), t.buckets["31-60"]?.toString(), t.buckets["over-120"]?.toString(), t.total.toString()]);
        expect(totals).toEqual([
          ["EUR", "700.00", "0.00", "0.00", "0.00", "700.00"],
          // USD: current 250 + 200; 1-30 325 + 310; 31-60 430 + 20; over-120 40; total 1045 + 20 + 510
          ["USD", "450.00", "635.00", "450.00", "40.00", "1575.00"],
        ]);
        expect(report.disputed.map((x) => [x.currency, x.total.toString()])).toEqual([["USD", "50.00"]]);
        expect(report.customers[0]?.customerName).toBe("Acme Corp");
      });

      it("reports disputed amounts separately when asked to exclude them", async () => {
        const report = await agingReport(db, { asOf: D, basis: "due", edges: EDGES, excludeDisputed: true });
        const acme = report.customers.find((row) => row.customerId === "cus-a");
        expect(acme?.buckets["31-60"]?.toString()).toBe("380.00"); // 430 − 50
        expect(acme?.total.toString()).toBe("995.00");
        const usd = report.totals.find((t) => t.currency === "USD");
        expect(usd?.total.toString()).toBe("1525.00"); // 1575 − 50
        expect(report.disputed.map((x) => [x.currency, x.total.toString()])).toEqual([["USD", "50.00"]]);
      });

      it("uses the configured edges and basis", async () => {
        // Edges 15,45 on the due basis: inv-3 (1) and cm-1 (11) → 1-15: 100 − 75 = 25;
        // inv-4 (30), inv-5 (31), inv-1 (45) → 16-45: 750; rcp-1 (49), dm-8 (151) → over-45: −20 + 40 = 20.
        const custom = await agingReport(db, { asOf: D, basis: "due", edges: [15, 45], customerId: "cus-a" });
        expect(custom.buckets.map((b) => b.key)).toEqual(["current", "1-15", "16-45", "over-45"]);
        const row = custom.customers[0];
        expect(Object.fromEntries(Object.entries(row?.buckets ?? {}).map(([k, v]) => [k, v.toString()]))).toEqual({
          current: "250.00",
          "1-15": "25.00",
          "16-45": "750.00",
          "over-45": "20.00",
        });
        // Document basis: 0-30: inv-2 250 − cm-1 75 = 175; 31-60: inv-3 100 − rcp-1 20 = 80;
        // 61-90: inv-1 400 + inv-4 300 + inv-5 50 = 750; over-120: dm-8 40.
        const byDocument = await agingReport(db, { asOf: D, basis: "document", edges: EDGES, customerId: "cus-a" });
        const docRow = byDocument.customers[0];
        expect(Object.fromEntries(Object.entries(docRow?.buckets ?? {}).map(([k, v]) => [k, v.toString()]))).toEqual({
          "0-30": "175.00",
          "31-60": "80.00",
          "61-90": "750.00",
          "91-120": "0.00",
          "over-120": "40.00",
        });
      });

      it("filters by collector and currency", async () => {
        const lee = await agingReport(db, { asOf: D, basis: "due", edges: EDGES, collector: "lee" });
        expect(lee.customers.map((row) => [row.customerId, row.currency, row.total.toString()])).toEqual([
          ["cus-b", "EUR", "700.00"],
          ["cus-b", "USD", "20.00"],
        ]);
        const eur = await agingReport(db, { asOf: D, basis: "due", edges: EDGES, currency: cur("EUR") });
        expect(eur.totals.map((t) => [t.currency, t.total.toString()])).toEqual([["EUR", "700.00"]]);
      });

      it("ages as of an earlier date historically", async () => {
        // 03-12 for cus-c: inv-c2 10 (due 02-09: 19 + 12 = 31 days → 31-60), rcp-c2 −100 (0 days → current).
        const report = await agingReport(db, { asOf: d("2026-03-12"), basis: "due", edges: EDGES, customerId: "cus-c" });
        const row = report.customers[0];
        expect(row?.buckets["31-60"]?.toString()).toBe("10.00");
        expect(row?.buckets["current"]?.toString()).toBe("-100.00");
        expect(row?.total.toString()).toBe("-90.00");
      });
    });

    describe("customer statement", () => {
      it("runs from the opening balance through each event to the closing balance", async () => {
        const statement = await customerStatement(db, { customerId: "cus-a", from: d("2026-02-01"), to: d("2026-03-31") });
        expect(statement.currency).toBe("USD");
        // Before 02-01: dm-8 40 + inv-4 300 + inv-5 50 + inv-1 1000 = 1390.
        expect(statement.openingBalance.toString()).toBe("1390.00");
        expect(statement.lines.map((l) => [l.date, l.kind, l.reference, l.amount.toString(), l.balance.toString()])).toEqual([
          ["2026-02-01", "invoice", "A-INV-3", "100.00", "1490.00"],
          ["2026-02-10", "receipt", "CHK-1001", "-600.00", "890.00"],
          // app-1's cash part is no line (the receipt already counted); its discount is.
          ["2026-02-10", "discount", "A-INV-1", "-20.00", "870.00"],
          ["2026-03-01", "invoice", "A-INV-2", "250.00", "1120.00"],
          ["2026-03-20", "creditMemo", "A-CM-1", "-75.00", "1045.00"],
        ]);
        // Equals the aging total of cus-a as of 03-31.
        expect(statement.closingBalance.toString()).toBe("1045.00");
      });

      it("shows returned payments, write-offs and reversed write-offs", async () => {
        const statement = await customerStatement(db, { customerId: "cus-c", from: d("2026-03-01"), to: d("2026-03-31") });
        // Before 03-01: inv-c2 10 + inv-c1 500 = 510.
        expect(statement.openingBalance.toString()).toBe("510.00");
        expect(statement.lines.map((l) => [l.date, l.kind, l.reference, l.amount.toString(), l.balance.toString()])).toEqual([
          ["2026-03-02", "invoice", "C-INV-3", "200.00", "710.00"],
          ["2026-03-05", "receipt", "ACH-C3", "-190.00", "520.00"],
          ["2026-03-05", "writeOff", "C-INV-3", "-10.00", "510.00"],
          ["2026-03-10", "receipt", "CHK-C1", "-500.00", "10.00"],
          ["2026-03-12", "receipt", "CHK-C2", "-100.00", "-90.00"],
          ["2026-03-15", "writeOff", "C-INV-2", "-10.00", "-100.00"],
          ["2026-03-20", "receiptReversal", "CHK-C1", "500.00", "400.00"],
          ["2026-03-25", "receiptReversal", "CHK-C2", "100.00", "500.00"],
          ["2026-03-28", "applicationReversal", "C-INV-3", "10.00", "510.00"],
        ]);
        // = cus-c aging total as of 03-31 (500 + 200 − 190).
        expect(statement.closingBalance.toString()).toBe("510.00");
        expect(statement.lines[6]?.description).toBe("Returned payment CHK-C1: NSF");
      });

      it("keeps currencies apart: the customer's own by default, another on request", async () => {
        const eur = await customerStatement(db, { customerId: "cus-b", from: d("2026-01-01"), to: d("2026-03-31") });
        expect([eur.currency, eur.openingBalance.toString(), eur.closingBalance.toString(), eur.lines.length]).toEqual(["EUR", "0.00", "700.00", 1]);
        const usd = await customerStatement(db, { customerId: "cus-b", currency: cur("USD"), from: d("2026-02-01"), to: d("2026-03-31") });
        // inv-b2 (01-20) is before the range: opening 20, no lines.
        expect([usd.currency, usd.openingBalance.toString(), usd.closingBalance.toString(), usd.lines.length]).toEqual(["USD", "20.00", "20.00", 0]);
      });

      it("refuses an unknown customer and an inverted range", async () => {
        await expect(customerStatement(db, { customerId: "nobody", from: d("2026-01-01"), to: d("2026-01-31") })).rejects.toMatchObject({ code: "not_found" });
        await expect(customerStatement(db, { customerId: "cus-a", from: d("2026-02-01"), to: d("2026-01-31") })).rejects.toMatchObject({ code: "invalid_argument" });
      });
    });

    describe("customers", () => {
      it("searches number and name case-insensitively with literal wildcards", async () => {
        const numbers = async (search: string) => (await listCustomers(db, { search, limit: 10 })).map((c) => c.number);
        expect(await numbers("acme")).toEqual(["A-100"]);
        expect(await numbers("a-1")).toEqual(["A-100"]);
        expect(await numbers("T_C")).toEqual(["B-200"]); // "Nut_Co": "_" is a literal underscore…
        expect(await numbers("e_c")).toEqual([]); // …so it does not match "Acme Corp"'s "e C"
        expect(await numbers("%")).toEqual(["B-200"]); // only the name with a literal "%"
        expect(await numbers("lt")).toEqual(["B-200", "C-300"]); // "Bolt", "Cobalt"
      });

      it("filters by collector and pages by number", async () => {
        expect((await listCustomers(db, { collector: "lee", limit: 10 })).map((c) => c.id)).toEqual(["cus-b"]);
        expect((await listCustomers(db, { limit: 2 })).map((c) => c.number)).toEqual(["A-100", "B-200"]);
        expect((await listCustomers(db, { limit: 2, after: "B-200" })).map((c) => c.number)).toEqual(["C-300"]);
        const [acme] = await listCustomers(db, { limit: 1 });
        expect(acme).toMatchObject({ id: "cus-a", currency: "USD", terms: "NET 30", creditLimit: null, collector: "kim", onHold: false, contacts: [], version: 1 });
      });
    });

    describe("change feed", () => {
      it("returns changes in order with a cursor to continue from", async () => {
        const first = await changesSince(db, { since: "0", limit: 15 });
        expect(first.changes.map((c) => c.seq)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
        expect([first.cursor, first.hasMore]).toEqual(["15", true]);
        const second = await changesSince(db, { since: first.cursor, limit: 15 });
        expect([second.changes[0]?.seq, second.cursor, second.hasMore]).toEqual(["16", "30", true]);
        const third = await changesSince(db, { since: second.cursor, limit: 15 });
        expect([third.changes.length, third.cursor, third.hasMore]).toEqual([11, "41", false]);
        const none = await changesSince(db, { since: third.cursor, limit: 15 });
        expect([none.changes.length, none.cursor, none.hasMore]).toEqual([0, "41", false]);

        const bySeq = new Map([...first.changes, ...second.changes, ...third.changes].map((c) => [c.seq, c]));
        expect(bySeq.get("1")).toMatchObject({ entity: "customer", id: "cus-a", changeSetId: "fixture" });
        expect(bySeq.get("1")?.data).toMatchObject({ number: "A-100", name: "Acme Corp" });
        // seq 18 is app-1 touching inv-1, but the data is inv-1 as it is NOW: paid off by rcp-2, version 3.
        const inv1 = bySeq.get("18");
        expect([inv1?.entity, inv1?.id]).toEqual(["document", "inv-1"]);
        expect(JSON.parse(JSON.stringify(inv1?.data))).toMatchObject({ open: "0.00", amount: "1000.00", version: 3, type: "invoice" });
        const returned = bySeq.get("33");
        expect(JSON.parse(JSON.stringify(returned?.data))).toMatchObject({ id: "rcp-c1", reversed: true, unapplied: "0.00", version: 4 });
        expect(bySeq.get("41")).toMatchObject({ entity: "note", id: "note-3", data: { documentId: null, body: "called AP, statement sent" } });
      });

      it("refuses a cursor that is not a sequence number", async () => {
        await expect(changesSince(db, { since: "abc", limit: 10 })).rejects.toMatchObject({ code: "invalid_argument", field: "since" });
      });
    });
  });

  suite(`terms and promises to pay on ${target.name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      ({ db, cleanup } = await target.open());
      await migrate(db, NOW);
      await seedPromises(db);
    });
    afterAll(async () => {
      await cleanup();
    });

    const itemsAsOf = async (asOf: string, customerId?: string) => {
      const page = await openItemsPage(db, query(asOf, customerId === undefined ? {} : { customerId }));
      return new Map(page.items.map((item) => [item.id, item]));
    };
    /** The promise as JSON puts it on the wire: amounts as decimal strings. */
    const promiseOf = (item: OpenItem | undefined) => JSON.parse(JSON.stringify(item?.promise ?? null)) as unknown;

    it("gives each invoice its terms code and unapplied cash none", async () => {
      const items = await itemsAsOf("2026-03-31");
      // Open as of 03-31: inv-k 1000 − 490 = 510; inv-x 500 − 100 − 150 − 50 = 200; inv-p 200;
      // inv-q2 600 − 250 = 350; inv-q3 100; rcp-x1 −(175 − 150) = −25. inv-q1 (100 + 300) and inv-qu are paid off.
      expect(Object.fromEntries([...items.values()].map((item) => [item.id, [item.open.toString(), item.terms]]))).toEqual({
        "inv-k": ["510.00", "2/10 NET 30"],
        "inv-x": ["200.00", "NET 30"],
        "inv-p": ["200.00", "NET 10 EOM"],
        "inv-q2": ["350.00", "NET 45"],
        "inv-q3": ["100.00", "NET 45"],
        "rcp-x1": ["-25.00", null],
      });
    });

    it("judges a document's promise kept, broken or pending as of the query date", async () => {
      const items = await itemsAsOf("2026-03-31", "cus-p");
      // pk: 480 paid + 10 written off on 03-20, the promised date itself: 490 ≥ 490 → kept.
      expect(promiseOf(items.get("inv-k"))).toEqual({ amount: "490.00", currency: "USD", date: "2026-03-20", madeOn: "2026-03-05", status: "kept" });
      // px: only rcp-x1's 150 (03-10) falls in 03-05..03-15; rcp-x0's 100 came before the promise and
      // rcp-x2's 50 the day after its date. 150 < 200 and 03-31 is past 03-15 → broken.
      expect(promiseOf(items.get("inv-x"))).toEqual({ amount: "200.00", currency: "USD", date: "2026-03-15", madeOn: "2026-03-05", status: "broken" });
      // pp (the later of inv-p's two promises): nothing paid, 04-10 still ahead → pending. The call
      // recorded after it is the last note, but not a promise.
      expect(promiseOf(items.get("inv-p"))).toEqual({ amount: "200.00", currency: "USD", date: "2026-04-10", madeOn: "2026-03-25", status: "pending" });
      expect(items.get("inv-p")?.lastNote?.body).toBe("AP confirms the date");
      // cus-p has no general promise: its unapplied cash shows none.
      expect(items.get("rcp-x1")?.promise).toBeNull();
    });

    it("moves a partly paid promise from pending to broken the day after its date", async () => {
      // 03-15: 150 of 200 paid, the promised date is today → pending; inv-x open 500 − 100 − 150 = 250.
      const onTheDate = await itemsAsOf("2026-03-15", "cus-p");
      expect([onTheDate.get("inv-x")?.open.toString(), onTheDate.get("inv-x")?.promise?.status]).toEqual(["250.00", "pending"]);
      // 03-16: rcp-x2's 50 arrives, but after the date: still 150 toward the promise → broken.
      const dayAfter = await itemsAsOf("2026-03-16", "cus-p");
      expect([dayAfter.get("inv-x")?.open.toString(), dayAfter.get("inv-x")?.promise?.status]).toEqual(["200.00", "broken"]);
      // pk as of 03-19: rcp-k (03-20) has not happened yet → nothing paid, date ahead → pending.
      expect((await itemsAsOf("2026-03-19", "cus-p")).get("inv-k")?.promise?.status).toBe("pending");
    });

    it("judges a customer's general promise on all its documents in the promise's currency", async () => {
      const items = await itemsAsOf("2026-03-31", "cus-q");
      // gq (the later general promise): 300 to inv-q1 (03-12) + 250 to inv-q2 (03-20) = 550 ≥ 550 → kept.
      // rcp-q0's 100 (03-01) came before it; rcp-qu's 250 is USD.
      expect(promiseOf(items.get("inv-q2"))).toEqual({ amount: "550.00", currency: "EUR", date: "2026-03-25", madeOn: "2026-03-10", status: "kept" });
      // inv-q3 has a promise of its own, which wins over the general one.
      expect(promiseOf(items.get("inv-q3"))).toEqual({ amount: "100.00", currency: "EUR", date: "2026-04-30", madeOn: "2026-03-26", status: "pending" });
      // As of 03-19: only the 300 EUR of 03-12 has been paid toward gq (rcp-q2 is 03-20; counting the USD 250 would make
      // it 550) and 03-25 is ahead → pending.
      const earlier = await itemsAsOf("2026-03-19", "cus-q");
      expect([earlier.get("inv-q2")?.open.toString(), earlier.get("inv-q2")?.promise?.status]).toEqual(["600.00", "pending"]);
      // pq3 was recorded on 03-26, after that as-of date; promises, like notes, are shown whenever recorded.
      expect(earlier.get("inv-q3")?.promise?.status).toBe("pending");
      // As of 03-26, past gq's date: everything by 03-20 counted → 550 → kept.
      expect((await itemsAsOf("2026-03-26", "cus-q")).get("inv-q2")?.promise?.status).toBe("kept");
    });

    it("reads notes, promises and open disputes with one statement each per page, however many rows", async () => {
      const statements: string[] = [];
      const counting: SqlExecutor = {
        dialect: db.dialect,
        all: (q) => {
          statements.push(compile(q, db.dialect).text.slice(0, 60));
          return db.all(q);
        },
        run: (q) => db.run(q),
      };
      const page = await openItemsPage(counting, query("2026-03-31"));
      expect(page.items).toHaveLength(6);
      // Feed position, documents, receipts; the customers (number, name, collector) and their
      // general notes and promises; the documents' open disputes, latest notes and latest
      // promises (over the page's id range).
      expect(statements).toHaveLength(9);
    });

    it("looks each customer up once per stream, not once per page", async () => {
      const statements: string[] = [];
      const counting = (tx: SqlExecutor): SqlExecutor => ({
        dialect: tx.dialect,
        all: (q) => {
          statements.push(compile(q, db.dialect).text);
          return tx.all(q);
        },
        run: (q) => tx.run(q),
      });
      const countingDb: Database = { ...db, readSnapshot: (work) => db.readSnapshot((tx) => work(counting(tx))) };
      const streamed: OpenItem[] = [];
      for await (const batch of streamOpenItems(countingDb, { asOf: D, basis: "due", edges: EDGES }, 2)) streamed.push(...batch);
      // In id order: [inv-k, inv-p] (cus-p), [inv-q2, inv-q3] (cus-q), [inv-x, rcp-x1] (cus-p again).
      expect(streamed.map((item) => item.id)).toEqual(["inv-k", "inv-p", "inv-q2", "inv-q3", "inv-x", "rcp-x1"]);
      const customerNotes = statements.filter((t) => t.includes("n.document_id IS NULL") && !t.includes("promise"));
      expect(customerNotes).toHaveLength(2);
      // The stream shows what one page shows, item for item, as JSON.
      const page = await openItemsPage(db, query("2026-03-31"));
      expect(JSON.parse(JSON.stringify(streamed))).toEqual(JSON.parse(JSON.stringify(page.items)));
    });
  });
}
