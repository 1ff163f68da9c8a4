/**
 * The ledger of the crash test, shared by the test and the child process it
 * kills, so both agree on every id and amount:
 *
 * - seed: 20 customers and 2,000 invoices of 100.00 (100 per customer);
 * - the big change set: 10,000 receipts of 20.00, each applied in full to
 *   invoice (n mod 2,000) of its customer, so five receipts settle each
 *   invoice exactly: 5 × 20.00 = 100.00, and every invoice ends at 0.00.
 */
import type { ChangeSet, Operation } from "../../shared/changeset.js";
import { aCustomerOp, anApplication, anInvoiceOp, aReceiptOp, changeSet } from "./change-sets.js";

export const CRASH_CUSTOMERS = 20;
export const CRASH_INVOICES = 2_000;
export const CRASH_RECEIPTS = 10_000;
export const CRASH_CHANGE_SET_ID = "cs-crash-10k-receipts-0001";

const customerOf = (invoice: number) => `crash-cus-${invoice % CRASH_CUSTOMERS}`;

export function crashSeedChangeSet(): ChangeSet {
  const operations: Operation[] = [];
  for (let c = 0; c < CRASH_CUSTOMERS; c++) operations.push(aCustomerOp({ id: `crash-cus-${c}` }));
  for (let i = 0; i < CRASH_INVOICES; i++) {
    operations.push(
      anInvoiceOp({ id: `crash-inv-${i}`, customerId: customerOf(i), amount: "100.00", documentDate: "2026-10-01" }),
    );
  }
  return changeSet(operations, "cs-crash-seed-0001");
}

export function crashChangeSet(): ChangeSet {
  const operations: Operation[] = [];
  for (let n = 0; n < CRASH_RECEIPTS; n++) {
    const invoice = n % CRASH_INVOICES;
    operations.push(
      aReceiptOp({
        id: `crash-rcp-${n}`,
        customerId: customerOf(invoice),
        amount: "20.00",
        date: "2026-11-02",
        applications: [anApplication({ documentId: `crash-inv-${invoice}`, amount: "20.00" })],
      }),
    );
  }
  return changeSet(operations, CRASH_CHANGE_SET_ID);
}
