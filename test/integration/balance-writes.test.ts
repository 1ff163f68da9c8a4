/**
 * The write path's guarded balance updates, many rows per statement
 * (statements/write.ts updateDocumentBalances / updateReceiptBalances, used by
 * write.ts applyPlan), on every database the suite reaches: a row changes
 * only at the version the plan was made from and within 0 … amount, the
 * statement names the rows it changed, and a push whose row moved on under it
 * fails as a lost race with nothing written.
 *
 * Invoices are 100.00 (10000 cents) unless said otherwise; today is 2026-11-23.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planChangeSet } from "../../shared/changeset-validation.js";
import { Money } from "../../shared/money.js";
import { sql, text } from "../../server/store/sql.js";
import * as st from "../../server/store/statements/write.js";
import { applyPlan, ConcurrentUpdateError, loadWorld } from "../../server/store/write.js";
import { aCustomerOp, anApplication, anInvoiceOp, aReceiptOp, changeSet } from "../support/change-sets.js";
import { databaseTargets, openTestStore, TEST_NOW, TEST_TODAY, type TestStore } from "../support/databases.js";

const targets = await databaseTargets("balance-writes");

describe.each(targets)("balance writes on $label", (target) => {
  describe.runIf(target.available)(`${target.label} ledger`, () => {
    let ts: TestStore;
    let serial = 0;
    const uid = (prefix: string) => `${prefix}-bw-${++serial}`;

    const documentRow = async (id: string) => {
      const [row] = await ts.db.all(
        sql`SELECT open_minor, version, disputed, activity_date FROM documents WHERE id = ${text(id)}`,
      );
      if (row === undefined) throw new Error(`document ${id} not found`);
      return {
        open: row.open_minor,
        version: row.version,
        disputed: row.disputed,
        activity: String(row.activity_date).trim(),
      };
    };

    /** A customer with `count` fresh 100.00 invoices dated 2026-10-01, committed through push. */
    const invoices = async (count: number): Promise<{ customerId: string; ids: string[] }> => {
      const customerId = uid("cus");
      const ids = Array.from({ length: count }, () => uid("inv"));
      const outcome = await ts.store.push(
        changeSet([aCustomerOp({ id: customerId }), ...ids.map((id) => anInvoiceOp({ id, customerId }))]),
        { user: "clerk.kim", role: "clerk", dryRun: false },
      );
      expect(outcome.status).toBe("committed");
      return { customerId, ids };
    };

    beforeAll(async () => {
      ts = await openTestStore(target);
    });

    afterAll(async () => {
      await ts.close();
    });

    it("changes only rows at their base version and within bounds, and names the rows it changed", async () => {
      const { ids } = await invoices(4);
      const [current, stale, overdrawn, flagged] = ids as [string, string, string, string];
      // Checked inside the transaction, then rolled back: balances changed without applications
      // would break the ledger's invariants for the other tests.
      const rolledBack = new Error("roll back");
      const seen = ts.db.transaction(async (tx) => {
        const changed = await tx.all(
          st.updateDocumentBalances(tx.dialect, [
            // 100.00 − 25.00 = 75.00, at version 1 as stored.
            { id: current, baseVersion: 1, deltaMinor: -2_500n, activityDate: "2026-11-05", flag: null, changeSeq: 900_001n },
            // Based on version 3, but the row is at 1: someone else's write would have come first.
            { id: stale, baseVersion: 3, deltaMinor: -100n, activityDate: "2026-11-05", flag: null, changeSeq: 900_002n },
            // 100.00 − 100.01 would leave −0.01 open.
            { id: overdrawn, baseVersion: 1, deltaMinor: -10_001n, activityDate: "2026-11-05", flag: null, changeSeq: 900_003n },
            // No amount change, only the dispute flag set.
            { id: flagged, baseVersion: 1, deltaMinor: 0n, activityDate: "2026-10-01", flag: true, changeSeq: 900_004n },
          ]),
        );
        expect(changed.map((row) => String(row.id).trim()).sort()).toEqual([current, flagged].sort());
        const row = async (id: string) => {
          const [r] = await tx.all(sql`SELECT open_minor, version, disputed, activity_date, change_seq FROM documents WHERE id = ${text(id)}`);
          return { open: r?.open_minor, version: r?.version, disputed: r?.disputed, activity: String(r?.activity_date).trim(), seq: r?.change_seq };
        };
        expect(await row(current)).toEqual({ open: 7_500n, version: 2, disputed: 0, activity: "2026-11-05", seq: 900_001n });
        expect(await row(stale)).toMatchObject({ open: 10_000n, version: 1, disputed: 0, activity: "2026-10-01" });
        expect(await row(overdrawn)).toMatchObject({ open: 10_000n, version: 1, disputed: 0, activity: "2026-10-01" });
        expect(await row(flagged)).toEqual({ open: 10_000n, version: 2, disputed: 1, activity: "2026-10-01", seq: 900_004n });
        throw rolledBack;
      });
      await expect(seen).rejects.toBe(rolledBack);
      expect(await documentRow(current)).toEqual({ open: 10_000n, version: 1, disputed: 0, activity: "2026-10-01" });
    });

    it("updates more rows than fit one statement, chunk by chunk, each exactly once", async () => {
      // 400 invoices: more than one chunk of BALANCE_COLUMNS parameters (333 rows on SQL Server's budget).
      const { customerId, ids } = await invoices(400);
      const receiptId = uid("rcp");
      // One 4.00 receipt paying 0.01 on each invoice.
      const outcome = await ts.store.push(
        changeSet([
          aReceiptOp({
            id: receiptId,
            customerId,
            amount: "4.00",
            date: "2026-11-02",
            applications: ids.map((documentId) => anApplication({ documentId, amount: "0.01" })),
          }),
        ]),
        { user: "clerk.kim", role: "clerk", dryRun: false },
      );
      expect(outcome.status).toBe("committed");
      const [first, last] = [ids[0] as string, ids[399] as string];
      expect(await documentRow(first)).toEqual({ open: 9_999n, version: 2, disputed: 0, activity: "2026-11-02" });
      expect(await documentRow(last)).toEqual({ open: 9_999n, version: 2, disputed: 0, activity: "2026-11-02" });
      const [totals] = await ts.db.all(
        sql`SELECT SUM(open_minor) AS open_minor, SUM(version) AS version_count FROM documents WHERE customer_id = ${text(customerId)}`,
      );
      // 400 × 99.99 = 39,996.00 open; every invoice at version 2.
      expect(totals?.open_minor).toBe(3_999_600n);
      expect(Number(totals?.version_count)).toBe(800);
      // The receipt was created and spent in the same change set: inserted at 0.00 unapplied, version 2.
      const [receipt] = await ts.db.all(sql`SELECT unapplied_minor, version FROM receipts WHERE id = ${text(receiptId)}`);
      expect(receipt).toEqual({ unapplied_minor: 0n, version: 2 });
      expect((await ts.store.checkInvariants()).problems).toEqual([]);
    });

    it("fails a plan whose document moved on under it as a lost race, naming the document, with nothing written", async () => {
      const { customerId, ids } = await invoices(2);
      const [untouched, moved] = ids as [string, string];
      const receiptId = uid("rcp");
      const cs = changeSet([
        aReceiptOp({
          id: receiptId,
          customerId,
          amount: "30.00",
          date: "2026-11-02",
          applications: [anApplication({ documentId: untouched, amount: "10.00" }), anApplication({ documentId: moved, amount: "20.00" })],
        }),
      ]);
      const attempt = ts.db.transaction(async (tx) => {
        const world = await loadWorld(tx, cs);
        const planned = planChangeSet(cs, world, {
          changeSetId: cs.id,
          role: "clerk",
          today: TEST_TODAY,
          writeOffLimit: (currency) => Money.parse("50", currency),
          discountGraceDays: 0,
        });
        if (!planned.ok) throw new Error(`plan refused: ${JSON.stringify(planned)}`);
        // What a writer without the row lock could have done between planning and writing.
        await tx.run(sql`UPDATE documents SET version = version + 1 WHERE id = ${text(moved)}`);
        await applyPlan(tx, planned.plan, { changeSetId: cs.id, user: "clerk.kim", now: TEST_NOW });
      });
      await expect(attempt).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(attempt).rejects.toMatchObject({ entity: "document", id: moved });
      // Rolled back: neither invoice paid, the version bump undone, no receipt.
      expect(await documentRow(untouched)).toMatchObject({ open: 10_000n, version: 1 });
      expect(await documentRow(moved)).toMatchObject({ open: 10_000n, version: 1 });
      expect(await ts.db.all(sql`SELECT id FROM receipts WHERE id = ${text(receiptId)}`)).toEqual([]);
    });
  });
});
