/**
 * The store contract: one suite, run against every database the service
 * supports (a SQLite file always; PostgreSQL when reachable; SQL Server when
 * OPENAR_TEST_MSSQL_URL is set). After every test the ledger's invariants
 * must hold: every journal balances, the AR control account equals the open
 * items, unapplied cash equals the receipts' unapplied amounts, and every
 * stored balance equals what its append-only rows add up to.
 *
 * "Today" is 2026-11-23 (fixed clock). Period 2026-06 is closed by one test,
 * so every other test dates its rows from 2026-07 on. Amounts below are
 * worked out by hand in the comments; in SQL they are integer cents.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChangeSet } from "../../shared/changeset.js";
import { parseIsoDate } from "../../shared/dates.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { loadMigrations, migrate, SchemaError } from "../../server/store/migrate.js";
import type { CommittedChangeSet, OpenItem, PushContext, PushOutcome } from "../../server/store/port.js";
import { compile, int, sql, text, type Database, type SqlExecutor } from "../../server/store/sql.js";
import { d } from "../support/builders.js";
import {
  aCustomerOp,
  anApplication,
  anInvoiceOp,
  aReceiptOp,
  changeSet,
  newChangeSetId,
} from "../support/change-sets.js";
import { databaseTargets, openTestStore, testClock, type TestStore } from "../support/databases.js";
import { ledgerFingerprint, rowsFromChangeSet } from "../support/ledger-state.js";

const targets = await databaseTargets("store-contract");

function committed(outcome: PushOutcome): CommittedChangeSet {
  if (outcome.status !== "committed")
    throw new Error(`expected a commit, got ${JSON.stringify(outcome).slice(0, 1500)}`);
  return outcome.result;
}

/** A Database whose transactions fail on the first statement matching `pattern`, as a dying disk or a killed connection would. */
function failingOn(db: Database, pattern: RegExp): Database {
  const guard = (tx: SqlExecutor): SqlExecutor => ({
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    run: (query) =>
      pattern.test(compile(query, tx.dialect).text)
        ? Promise.reject(new Error(`injected failure on ${pattern.source}`))
        : tx.run(query),
  });
  return { ...db, transaction: (work, options) => db.transaction((tx) => work(guard(tx)), options) };
}

describe.each(targets)("store contract on $label", (target) => {
  describe.runIf(target.available)(`${target.label} ledger`, () => {
    let ts: TestStore;
    let serial = 0;
    /** Ids unique within this database. */
    const uid = (prefix: string) => `${prefix}-${++serial}`;

    const push = (cs: ChangeSet, context: Partial<PushContext> = {}) =>
      ts.store.push(cs, { user: "clerk.kim", role: "clerk", dryRun: false, ...context });

    const documentRow = async (id: string) => {
      const [row] = await ts.db.all(
        sql`SELECT open_minor, amount_minor, version, disputed FROM documents WHERE id = ${text(id)}`,
      );
      if (row === undefined) throw new Error(`document ${id} not found`);
      return { open: row.open_minor as bigint, amount: row.amount_minor as bigint, version: row.version as number };
    };
    const receiptRow = async (id: string) => {
      const [row] = await ts.db.all(
        sql`SELECT unapplied_minor, reversed, version FROM receipts WHERE id = ${text(id)}`,
      );
      if (row === undefined) throw new Error(`receipt ${id} not found`);
      return { unapplied: row.unapplied_minor as bigint, reversed: row.reversed === 1, version: row.version as number };
    };
    const count = async (query: ReturnType<typeof sql>) => {
      const [row] = await ts.db.all(query);
      return Number(row?.n_count ?? -1);
    };

    /** A customer of its own for a test, so tests never see each other's rows. */
    const newCustomer = async (label: string): Promise<string> => {
      const id = uid(`cus-${label}`);
      committed(await push(changeSet([aCustomerOp({ id })])));
      return id;
    };

    beforeAll(async () => {
      ts = await openTestStore(target);
    });

    afterAll(async () => {
      await ts.close();
    });

    afterEach(async () => {
      const report = await ts.store.checkInvariants();
      expect(report.problems, "ledger invariants after the test").toEqual([]);
      expect(report.ok).toBe(true);
    });

    it("creates customers, invoices and a receipt applied across them", async () => {
      const customerId = uid("cus-create");
      const [invA, invB, rcp] = [uid("inv"), uid("inv"), uid("rcp")];
      const cs = changeSet([
        aCustomerOp({ id: customerId, name: "Acme Corp" }),
        anInvoiceOp({ id: invA, customerId, amount: "100.00", documentDate: "2026-09-01" }),
        anInvoiceOp({ id: invB, customerId, amount: "200.00", documentDate: "2026-09-05" }),
        // 150.00 received: 100.00 settles A, 50.00 goes to B.
        aReceiptOp({
          id: rcp,
          customerId,
          amount: "150.00",
          date: "2026-10-01",
          applications: [
            anApplication({ documentId: invA, amount: "100.00" }),
            anApplication({ documentId: invB, amount: "50.00" }),
          ],
        }),
      ]);
      const result = committed(await push(cs));
      expect(result.id).toBe(cs.id);
      expect(result.committedAt).toBe(testClock.now());
      expect(result.results.map((r) => [r.index, r.op, r.id])).toEqual([
        [0, "customer.upsert", customerId],
        [1, "invoice.create", invA],
        [2, "invoice.create", invB],
        [3, "receipt.create", rcp],
      ]);
      // Invoices and the receipt are created at version 1, then the applications move their balances: version 2.
      expect(result.results.map((r) => r.version)).toEqual([1, 2, 2, 2]);

      expect(await documentRow(invA)).toEqual({ open: 0n, amount: 10000n, version: 2 });
      expect(await documentRow(invB)).toEqual({ open: 15000n, amount: 20000n, version: 2 }); // 200.00 − 50.00
      expect(await receiptRow(rcp)).toEqual({ unapplied: 0n, reversed: false, version: 2 }); // 150.00 − 100.00 − 50.00
      expect(await count(sql`SELECT COUNT(*) AS n_count FROM applications WHERE source_id = ${text(rcp)}`)).toBe(2);
      // Journals: two invoices, one receipt, two applications — each one balanced journal.
      expect(await count(sql`SELECT COUNT(*) AS n_count FROM gl_journals WHERE changeset_id = ${text(cs.id)}`)).toBe(5);
      expect(
        await count(sql`SELECT COUNT(*) AS n_count FROM audit_log WHERE changeset_id = ${text(cs.id)}`),
      ).toBeGreaterThanOrEqual(4);
    });

    it("is atomic: a change set whose last operation is refused leaves nothing behind", async () => {
      const customerId = await newCustomer("atomic");
      const existing = uid("inv");
      committed(await push(changeSet([anInvoiceOp({ id: existing, customerId, amount: "500.00" })])));
      const before = await ledgerFingerprint(ts.db);
      const outcome = await push(
        changeSet([
          aCustomerOp({ id: uid("cus-new") }),
          anInvoiceOp({ id: uid("inv"), customerId, amount: "80.00" }),
          aReceiptOp({
            id: uid("rcp"),
            customerId,
            amount: "100.00",
            applications: [anApplication({ documentId: existing, amount: "100.00" })],
          }),
          { op: "note.create", id: uid("note"), customerId, kind: "call", body: "promised Friday" },
          // Last: a document that does not exist.
          aReceiptOp({
            id: uid("rcp"),
            customerId,
            amount: "10.00",
            applications: [anApplication({ documentId: "no-such-invoice", amount: "10.00" })],
            ref: "row-5",
          }),
        ]),
      );
      expect(outcome.status).toBe("invalid");
      if (outcome.status !== "invalid") return;
      expect(outcome.errors.map((e) => [e.index, e.ref, e.code])).toEqual([[4, "row-5", "document_not_found"]]);
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("is atomic: when the database fails the last write, every earlier write of the change set is rolled back", async () => {
      const customerId = await newCustomer("atomic-db");
      const existing = uid("inv");
      committed(await push(changeSet([anInvoiceOp({ id: existing, customerId, amount: "500.00" })])));
      const before = await ledgerFingerprint(ts.db);
      // The change-set record is the push's final statement: by then every effect has been written in the transaction.
      const failing = await SqlLedgerStore.open(failingOn(ts.db, /^INSERT INTO changesets/), testClock);
      const cs = changeSet([
        aCustomerOp({ id: uid("cus-new") }),
        anInvoiceOp({ id: uid("inv"), customerId, amount: "80.00" }),
        aReceiptOp({
          id: uid("rcp"),
          customerId,
          amount: "100.00",
          applications: [anApplication({ documentId: existing, amount: "60.00" })],
        }),
        { op: "note.create", id: uid("note"), customerId, kind: "call", body: "promised Friday" },
      ]);
      await expect(failing.push(cs, { user: "clerk.kim", role: "clerk", dryRun: false })).rejects.toThrow(
        /injected failure/,
      );
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
      expect(Object.values(await rowsFromChangeSet(ts.db, cs.id)).every((n) => n === 0)).toBe(true);
      // The same change set, retried on a healthy connection, then commits whole.
      committed(await push(cs));
      expect(await documentRow(existing)).toMatchObject({ open: 44000n, version: 2 }); // 500.00 − 60.00
    });

    it("is idempotent: retrying a committed change set 100 times has exactly one effect and replays the same result", async () => {
      const customerId = await newCustomer("idem");
      const inv = uid("inv");
      committed(await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "1000.00" })])));
      const cs = changeSet([
        aReceiptOp({
          id: uid("rcp"),
          customerId,
          amount: "250.00",
          applications: [anApplication({ documentId: inv, amount: "250.00" })],
        }),
      ]);
      const first = committed(await push(cs));
      const after = await ledgerFingerprint(ts.db);

      // Ten rounds of ten concurrent retries, as a client on a flaky network might send them.
      for (let round = 0; round < 10; round++) {
        const replays = await Promise.all(Array.from({ length: 10 }, () => push(cs)));
        for (const replay of replays) {
          expect(replay).toEqual({ status: "committed", replayed: true, result: first });
        }
      }
      expect(await ledgerFingerprint(ts.db)).toEqual(after);
      expect(await documentRow(inv)).toMatchObject({ open: 75000n }); // 1000.00 − 250.00, once
      expect(await count(sql`SELECT COUNT(*) AS n_count FROM changesets WHERE id = ${text(cs.id)}`)).toBe(1);
    });

    it("is idempotent under racing first attempts: one commits, the others replay it", async () => {
      const customerId = await newCustomer("race");
      const inv = uid("inv");
      committed(await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "300.00" })])));
      const cs = changeSet([
        aReceiptOp({
          id: uid("rcp"),
          customerId,
          amount: "120.00",
          applications: [anApplication({ documentId: inv, amount: "120.00" })],
        }),
      ]);
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => push(cs)));
      const statuses = outcomes.map((o) =>
        o.status === "committed" ? (o.replayed ? "replayed" : "committed") : o.status,
      );
      expect(statuses.filter((s) => s === "committed")).toHaveLength(1);
      expect(statuses.filter((s) => s === "replayed")).toHaveLength(11);
      expect(await documentRow(inv)).toMatchObject({ open: 18000n, version: 2 }); // 300.00 − 120.00, once
    });

    it("refuses the same change-set id with a different payload, naming what differs", async () => {
      const customerId = await newCustomer("mismatch");
      const inv = uid("inv");
      const id = newChangeSetId("mismatch");
      committed(await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "100.00" })], id)));
      const before = await ledgerFingerprint(ts.db);
      const outcome = await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "150.00" })], id));
      expect(outcome).toEqual({
        status: "idempotencyMismatch",
        differences: ['operations[0].amount: "100.00" ≠ "150.00"'],
      });
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("refuses a 1,000-operation change set with one bad operation, naming only that one, and writes nothing", async () => {
      const customerId = await newCustomer("thousand");
      const tag = uid("k");
      // 500 invoices of 100.00, then 500 receipts each paying its invoice in full; receipt 373 tries 150.00 on a 100.00 invoice.
      const invoices = Array.from({ length: 500 }, (_, i) =>
        anInvoiceOp({ id: `${tag}-inv-${i}`, customerId, amount: "100.00", ref: `row-${i}` }),
      );
      const receipts = Array.from({ length: 500 }, (_, i) =>
        aReceiptOp({
          id: `${tag}-rcp-${i}`,
          customerId,
          amount: i === 373 ? "150.00" : "100.00",
          ref: `row-${500 + i}`,
          applications: [anApplication({ documentId: `${tag}-inv-${i}`, amount: i === 373 ? "150.00" : "100.00" })],
        }),
      );
      const before = await ledgerFingerprint(ts.db);
      const outcome = await push(changeSet([...invoices, ...receipts]));
      expect(outcome.status).toBe("invalid");
      if (outcome.status !== "invalid") return;
      expect(outcome.errors).toHaveLength(1);
      expect(outcome.errors[0]).toMatchObject({
        index: 873,
        ref: "row-873",
        op: "receipt.create",
        field: "applications.0.amount",
        code: "exceeds_open",
      });
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("refuses a stale document version as a conflict showing the current state, and writes nothing", async () => {
      const customerId = await newCustomer("occ");
      const inv = uid("inv");
      committed(await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "400.00" })])));
      // Two clerks pulled the invoice at version 1; the first pays 100.00.
      committed(
        await push(
          changeSet([
            aReceiptOp({
              id: uid("rcp"),
              customerId,
              amount: "100.00",
              applications: [anApplication({ documentId: inv, amount: "100.00", documentVersion: 1 })],
            }),
          ]),
        ),
      );
      const before = await ledgerFingerprint(ts.db);
      const stale = await push(
        changeSet([
          aReceiptOp({
            id: uid("rcp"),
            customerId,
            amount: "50.00",
            ref: "pay-2",
            applications: [anApplication({ documentId: inv, amount: "50.00", documentVersion: 1 })],
          }),
        ]),
      );
      expect(stale.status).toBe("conflict");
      if (stale.status !== "conflict") return;
      expect(stale.conflicts).toHaveLength(1);
      expect(stale.conflicts[0]).toMatchObject({
        index: 0,
        ref: "pay-2",
        entity: "document",
        id: inv,
        expectedVersion: 1,
        currentVersion: 2,
        current: { id: inv, amount: "400.00", open: "300.00", version: 2 }, // 400.00 − 100.00
      });
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("refuses anything dated in a closed period", async () => {
      committed(
        await push(changeSet([{ op: "period.close", period: "2026-06" }]), { user: "ctl.lee", role: "controller" }),
      );
      const [row] = await ts.db.all(sql`SELECT status, closed_by FROM periods WHERE period = ${text("2026-06")}`);
      expect(row).toEqual({ status: "closed", closed_by: "ctl.lee" });
      const customerId = await newCustomer("closed");
      const before = await ledgerFingerprint(ts.db);

      const late = await push(
        changeSet([
          anInvoiceOp({ id: uid("inv"), customerId, documentDate: "2026-06-15", ref: "inv-june" }),
          aReceiptOp({ id: uid("rcp"), customerId, amount: "10.00", date: "2026-06-30", ref: "rcp-june" }),
          anInvoiceOp({ id: uid("inv"), customerId, documentDate: "2026-07-01", ref: "inv-july" }),
        ]),
      );
      expect(late.status).toBe("invalid");
      if (late.status !== "invalid") return;
      expect(late.errors.map((e) => [e.index, e.ref, e.field, e.code])).toEqual([
        [0, "inv-june", "documentDate", "closed_period"],
        [1, "rcp-june", "date", "closed_period"],
      ]);
      const again = await push(changeSet([{ op: "period.close", period: "2026-06" }]), { role: "controller" });
      expect(again.status === "invalid" ? again.errors.map((e) => e.code) : again.status).toEqual(["already_closed"]);
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("reverses an application: balances are restored, and as-of views before the reversal still show the payment", async () => {
      const customerId = await newCustomer("rev-app");
      const [inv, rcp, app] = [uid("inv"), uid("rcp"), uid("app")];
      committed(
        await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "300.00", documentDate: "2026-09-01" })])),
      );
      committed(
        await push(
          changeSet([
            aReceiptOp({
              id: rcp,
              customerId,
              amount: "300.00",
              date: "2026-10-01",
              applications: [anApplication({ id: app, documentId: inv, amount: "300.00" })],
            }),
          ]),
        ),
      );
      expect(await documentRow(inv)).toMatchObject({ open: 0n });

      const reversal = uid("rev");
      const result = committed(
        await push(
          changeSet([
            {
              op: "application.reverse",
              id: reversal,
              applicationId: app,
              date: d("2026-10-20"),
              reason: "applied to the wrong invoice",
            },
          ]),
        ),
      );
      expect(result.results[0]).toMatchObject({ op: "application.reverse", id: reversal });
      expect(await documentRow(inv)).toMatchObject({ open: 30000n, version: 3 });
      expect(await receiptRow(rcp)).toMatchObject({ unapplied: 30000n, reversed: false, version: 3 });
      // The original row is untouched; the reversal is a new row pointing at it, with negated amounts.
      const rows = await ts.db.all(
        sql`SELECT id, amount_minor, reverses_id FROM applications WHERE document_id = ${text(inv)} ORDER BY application_date`,
      );
      expect(rows).toEqual([
        { id: app, amount_minor: 30000n, reverses_id: null },
        { id: reversal, amount_minor: -30000n, reverses_id: app },
      ]);
      const twice = await push(
        changeSet([
          { op: "application.reverse", id: uid("rev"), applicationId: app, date: d("2026-10-21"), reason: "again" },
        ]),
      );
      expect(twice.status === "invalid" ? twice.errors.map((e) => e.code) : twice.status).toEqual(["already_reversed"]);

      // As of 10-10 the invoice was paid and the cash applied: no open items. As of 10-25 both are open again.
      const openAsOf = async (asOf: string) => {
        const page = await ts.store.openItems({
          asOf: parseIsoDate(asOf),
          basis: "due",
          edges: [30, 60, 90, 120],
          customerId,
          limit: 100,
        });
        return page.items.map((item: OpenItem) => [item.kind, item.id, item.open.toString()]);
      };
      expect(await openAsOf("2026-10-10")).toEqual([]);
      expect(await openAsOf("2026-10-25")).toEqual([
        ["invoice", inv, "300.00"],
        ["unappliedCash", rcp, "-300.00"],
      ]);
    });

    it("reverses a receipt returned NSF: its applications are undone, and as-of views before the return still show the payment", async () => {
      const customerId = await newCustomer("nsf");
      const [inv, rcp] = [uid("inv"), uid("rcp")];
      committed(
        await push(changeSet([anInvoiceOp({ id: inv, customerId, amount: "500.00", documentDate: "2026-09-01" })])),
      );
      committed(
        await push(
          changeSet([
            aReceiptOp({
              id: rcp,
              customerId,
              amount: "200.00",
              date: "2026-10-02",
              applications: [anApplication({ documentId: inv, amount: "200.00" })],
            }),
          ]),
        ),
      );
      expect(await documentRow(inv)).toMatchObject({ open: 30000n }); // 500.00 − 200.00

      const { version } = await receiptRow(rcp);
      committed(
        await push(
          changeSet([
            {
              op: "receipt.reverse",
              id: uid("nsf"),
              receiptId: rcp,
              receiptVersion: version,
              date: d("2026-10-16"),
              reason: "NSF",
            },
          ]),
        ),
      );
      expect(await documentRow(inv)).toMatchObject({ open: 50000n });
      expect(await receiptRow(rcp)).toMatchObject({ unapplied: 0n, reversed: true });

      const openAsOf = async (asOf: string) => {
        const page = await ts.store.openItems({
          asOf: parseIsoDate(asOf),
          basis: "due",
          edges: [30, 60, 90, 120],
          customerId,
          limit: 100,
        });
        return page.items.map((item: OpenItem) => [item.kind, item.id, item.open.toString()]);
      };
      // Before the return the receipt is wholly applied (not an open item) and the invoice shows 300.00.
      expect(await openAsOf("2026-10-10")).toEqual([["invoice", inv, "300.00"]]);
      // After it, the invoice is back to 500.00 and the returned receipt is no open item at all.
      expect(await openAsOf("2026-10-20")).toEqual([["invoice", inv, "500.00"]]);
    });

    it("keeps ledger facts append-only: the database refuses UPDATE and DELETE on applications, GL lines and the audit log", async () => {
      const customerId = await newCustomer("append");
      const inv = uid("inv");
      const cs = changeSet([
        anInvoiceOp({ id: inv, customerId, amount: "90.00" }),
        aReceiptOp({
          id: uid("rcp"),
          customerId,
          amount: "90.00",
          applications: [anApplication({ documentId: inv, amount: "90.00" })],
        }),
      ]);
      committed(await push(cs));
      const before = await ledgerFingerprint(ts.db);
      const attempts = [
        sql`UPDATE applications SET amount_minor = 0 WHERE changeset_id = ${text(cs.id)}`,
        sql`DELETE FROM applications WHERE changeset_id = ${text(cs.id)}`,
        sql`UPDATE gl_lines SET debit_minor = 0 WHERE journal_id IN (SELECT id FROM gl_journals WHERE changeset_id = ${text(cs.id)})`,
        sql`DELETE FROM gl_lines WHERE journal_id IN (SELECT id FROM gl_journals WHERE changeset_id = ${text(cs.id)})`,
        sql`UPDATE audit_log SET user_name = ${text("someone-else")} WHERE changeset_id = ${text(cs.id)}`,
        sql`DELETE FROM audit_log WHERE changeset_id = ${text(cs.id)}`,
        sql`UPDATE changesets SET result = ${text("{}")} WHERE id = ${text(cs.id)}`,
        sql`DELETE FROM change_log WHERE changeset_id = ${text(cs.id)}`,
        sql`UPDATE change_log SET entity = ${text("customer")} WHERE changeset_id = ${text(cs.id)}`,
        ...(ts.db.dialect === "postgres" ? [sql`TRUNCATE applications CASCADE`, sql`TRUNCATE gl_lines`] : []),
      ];
      for (const attempt of attempts) {
        await expect(ts.db.run(attempt), compile(attempt, ts.db.dialect).text).rejects.toThrow(/append-only/);
      }
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("keeps balances in bounds in the database itself: no document or receipt can go below zero or above its amount", async () => {
      const customerId = await newCustomer("bounds");
      const [inv, rcp] = [uid("inv"), uid("rcp")];
      committed(
        await push(
          changeSet([
            anInvoiceOp({ id: inv, customerId, amount: "70.00" }),
            aReceiptOp({ id: rcp, customerId, amount: "20.00" }),
          ]),
        ),
      );
      const before = await ledgerFingerprint(ts.db);
      await expect(ts.db.run(sql`UPDATE documents SET open_minor = -1 WHERE id = ${text(inv)}`)).rejects.toThrow();
      await expect(
        ts.db.run(sql`UPDATE documents SET open_minor = amount_minor + 1 WHERE id = ${text(inv)}`),
      ).rejects.toThrow();
      await expect(ts.db.run(sql`UPDATE receipts SET unapplied_minor = -1 WHERE id = ${text(rcp)}`)).rejects.toThrow();
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
    });

    it("validates a dry run completely and writes nothing", async () => {
      const customerId = await newCustomer("dry");
      const inv = uid("inv");
      const cs = changeSet([
        anInvoiceOp({ id: inv, customerId, amount: "64.00" }),
        aReceiptOp({
          id: uid("rcp"),
          customerId,
          amount: "64.00",
          applications: [anApplication({ documentId: inv, amount: "64.00" })],
        }),
      ]);
      const before = await ledgerFingerprint(ts.db);
      expect(await push(cs, { dryRun: true })).toEqual({ status: "validated", operations: 2 });
      const bad = await push(
        changeSet([
          aReceiptOp({
            id: uid("rcp"),
            customerId,
            amount: "10.00",
            applications: [anApplication({ documentId: "missing", amount: "10.00" })],
          }),
        ]),
        { dryRun: true },
      );
      expect(bad.status === "invalid" ? bad.errors.map((e) => [e.index, e.code]) : bad.status).toEqual([
        [0, "document_not_found"],
      ]);
      expect(await ledgerFingerprint(ts.db)).toEqual(before);
      // The dry run did not use up the id: the real push commits.
      expect(committed(await push(cs)).id).toBe(cs.id);
      expect(await documentRow(inv)).toMatchObject({ open: 0n });
    });

    describe("migrations", () => {
      const withDatabase = async (work: (db: Database) => Promise<void>) => {
        const opened = await target.open();
        try {
          await work(opened.db);
        } finally {
          await opened.close();
        }
      };
      const record = (db: Database, version: number, state: string) =>
        db.run(
          sql`INSERT INTO schema_migrations (version, name, checksum, state, applied_at) VALUES (${int(version)}, ${text(`test_${version}`)}, ${text("0".repeat(64))}, ${text(state)}, ${text(testClock.now())})`,
        );

      it("refuses an unmigrated database until it is migrated", async () => {
        await withDatabase(async (db) => {
          await expect(SqlLedgerStore.open(db, testClock)).rejects.toThrow(
            /schema version 0 .*Run `openar migrate` first/,
          );
          const versions = loadMigrations(target.kind).map((m) => m.version);
          expect(versions.slice(0, 2)).toEqual([1, 2]);
          expect(await migrate(db, () => testClock.now())).toEqual(versions);
          expect(await migrate(db, () => testClock.now())).toEqual([]);
          expect(await (await SqlLedgerStore.open(db, testClock)).health()).toEqual({
            store: target.kind,
            schemaVersion: versions.length,
          });
        });
      });

      it("refuses a half-migrated database", async () => {
        await withDatabase(async (db) => {
          await migrate(db, () => testClock.now());
          const next = loadMigrations(target.kind).length + 1;
          await record(db, next, "applying");
          await expect(SqlLedgerStore.open(db, testClock)).rejects.toThrow(SchemaError);
          await expect(SqlLedgerStore.open(db, testClock)).rejects.toThrow(new RegExp(`half-migrated: migration ${next}`));
          await expect(migrate(db, () => testClock.now())).rejects.toThrow(/half-migrated/);
        });
      });

      it("refuses a database newer than this code", async () => {
        await withDatabase(async (db) => {
          await migrate(db, () => testClock.now());
          await record(db, 99, "applied");
          await expect(SqlLedgerStore.open(db, testClock)).rejects.toThrow(
            /schema version 99 .*newer than this OpenAR/,
          );
          await expect(migrate(db, () => testClock.now())).rejects.toThrow(/newer than this OpenAR/);
        });
      });
    });

    describe("the invariant check itself", () => {
      // A one-sided subledger journal is what corruption looks like; journals imported from
      // outside (source 'external') are reconciling items and do not count against the invariant.
      it("reports an unbalanced journal and an AR control account that disagrees with the open items", async () => {
        const opened = await openTestStore(target);
        try {
          const { db, store } = opened;
          expect((await store.checkInvariants()).ok).toBe(true);
          await db.run(
            sql`INSERT INTO gl_journals (id, journal_date, source, event_kind, event_id, changeset_id, memo, created_at) VALUES (${text("j-bad")}, ${text("2026-10-01")}, ${text("subledger")}, ${text("manual")}, ${text("x")}, ${text(null)}, ${text("one-sided")}, ${text(testClock.now())})`,
          );
          await db.run(
            sql`INSERT INTO gl_lines (journal_id, line_no, account, currency, debit_minor, credit_minor) VALUES (${text("j-bad")}, ${int(1)}, ${text("1200")}, ${text("USD")}, ${int(500)}, ${int(0)})`,
          );
          const report = await store.checkInvariants();
          expect(report.ok).toBe(false);
          expect(report.problems.join("\n")).toMatch(/journal j-bad does not balance/);
          expect(report.problems.join("\n")).toMatch(/USD: AR control balance 500 .* open items 0/);
        } finally {
          await opened.close();
        }
      });
    });
  });
});
