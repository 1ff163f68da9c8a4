/**
 * Golden tests for every statement the SQL Server adapter sends.
 *
 * Each exported builder of server/store/statements/ is called with the
 * sample arguments below and compiled for "mssql". The text must equal the
 * hand-written T-SQL in test/unit/golden/mssql/<name>.sql (whitespace between
 * tokens is not significant; `--` lines in a golden file are notes), and the
 * parameter types must equal the list written next to each case. On top of
 * that every statement passes a small T-SQL lint (no LIMIT, RETURNING,
 * ON CONFLICT, booleans, `||`; OFFSET/FETCH after ORDER BY; table hints
 * after a table name; columns that exist in the migrations/mssql/ scripts)
 * and an amount check: every `*_minor` / `*_seq` column read is BIGINT
 * arithmetic, so tedious hands it over as text and no amount ever becomes a
 * JS float; every amount parameter is VarChar(20) text cast to BIGINT.
 *
 * A new export without a case here fails the first test, naming it.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mssqlInputs, type MssqlInput } from "../../server/store/mssql-database.js";
import { loadMigrations, migrate, SchemaError, splitBatches } from "../../server/store/migrate.js";
import * as bankStatements from "../../server/store/statements/bank.js";
import * as readStatements from "../../server/store/statements/read.js";
import * as writeStatements from "../../server/store/statements/write.js";
import {
  compile,
  date,
  int,
  minor,
  normalizeRow,
  seq,
  text,
  type Database,
  type Sql,
  type SqlExecutor,
  type SqlParam,
} from "../../server/store/sql.js";
import { parseIsoDate } from "../../shared/dates.js";

const GOLDEN_DIR = fileURLToPath(new URL("./golden/mssql/", import.meta.url));
const MIGRATION = fileURLToPath(new URL("../../server/store/migrations/mssql/001_initial.sql", import.meta.url));
const BANK_MIGRATION = fileURLToPath(
  new URL("../../server/store/migrations/mssql/002_bank_reconciliation.sql", import.meta.url),
);

// -- the cases -------------------------------------------------------------------

/** N NVarChar(4000), M NVarChar(MAX), D VarChar(10) (dates), B VarChar(20) (BIGINT as text), I Int. */
const TYPE_CODES: Record<string, MssqlInput["type"]> = {
  N: "NVarChar(4000)",
  M: "NVarChar(MAX)",
  D: "VarChar(10)",
  B: "VarChar(20)",
  I: "Int",
};
const ALLOWED_TYPES = new Set(Object.values(TYPE_CODES));

interface GoldenCase {
  /** Golden file `<name>.<variant>.sql`; without one, `<name>.sql`. */
  readonly variant?: string;
  readonly build: () => Sql;
  /** Space-separated type codes, one per placeholder, in @p order. */
  readonly types: string;
  /** Bound values worth pinning (amount text, bucket dates, LIKE escaping). */
  readonly values?: readonly (string | number | null)[];
}

const m = "mssql" as const;
const asOf = parseIsoDate("2026-11-23");
const DUE_EDGES = [30, 60, 90, 120];
/** Due-basis bucket CASE for edges 30,60,90,120 as of 2026-11-23: (boundary date, key) pairs, then the ELSE key. */
const DUE_BUCKET_TYPES = "D N D N D N D N D N N";
// Boundaries are D − maxDays, counted by hand on the calendar:
// 2026-11-23 − 30 = 2026-10-24 (23 days back to Oct 31, 7 more);
// − 60 = 2026-09-24 (Oct 24 → Sep 30 is 24, 6 more); − 90 = 2026-08-25 (Sep 24 → Aug 31 is 24, 6 more);
// − 120 = 2026-07-26 (Aug 25 → Jul 31 is 25, 5 more).
// prettier-ignore
/** The same boundaries alone, for agingBoundaryTotals. */
const DUE_BOUNDARIES = ["2026-11-23", "2026-10-24", "2026-09-24", "2026-08-25", "2026-07-26"];
const DUE_BUCKET_VALUES = [
  "2026-11-23", "current",
  "2026-10-24", "1-30",
  "2026-09-24", "31-60",
  "2026-08-25", "61-90",
  "2026-07-26", "91-120",
  "over-120",
];
/** 5,000-character payload: past NVarChar(4000), it must go as NVarChar(MAX). */
const LONG_PAYLOAD = `{"operations":[${'"x",'.repeat(1_000).slice(0, -1)}]}`.padEnd(5_000, " ");

const SHA = "9f".repeat(32);

const BANK_LINE = {
  id: "bl-1",
  statementId: "bs-1",
  lineNo: 1,
  fileLine: 7,
  recordRef: "BAI2 line 7 (16 detail)",
  bookingDate: "2026-03-02",
  valueDate: null,
  amountMinor: 250_000n,
  currency: "USD",
  direction: "credit",
  entryStatus: "booked",
  reversal: false,
  bankReference: "BR0001",
  customerReference: "CR0001",
  payerName: "ACME CORP",
  payerAccount: "DE89370400440532013000",
  typeCode: "165",
  checkNumber: null,
  remittance: '{"unstructured":["INV-1042"],"documents":[]}',
};

const customer = {
  id: "C-1",
  number: "C-0100",
  name: "Acme GmbH",
  currency: "EUR",
  termsCode: "net30",
  creditLimitMinor: 5_000_000n,
  collector: "ana",
  onHold: false,
  contacts: "[]",
};

const CASES: Record<string, readonly GoldenCase[]> = {
  // ---- statements/write.ts
  selectChangeSet: [{ build: () => writeStatements.selectChangeSet(m, "cs-1"), types: "N" }],
  insertChangeSet: [
    {
      build: () =>
        writeStatements.insertChangeSet(m, {
          id: "cs-1",
          payloadHash: "ab".repeat(32),
          payload: LONG_PAYLOAD,
          result: "{}",
          user: "ana",
          createdAt: "2026-11-23T09:00:00.000Z",
        }),
      types: "N N M N N N",
    },
  ],
  selectCustomersById: [{ build: () => writeStatements.selectCustomersById(m, ["C-1", "C-2"]), types: "N N" }],
  selectDocumentsById: [{ build: () => writeStatements.selectDocumentsById(m, ["D-1"]), types: "N" }],
  selectReceiptsById: [{ build: () => writeStatements.selectReceiptsById(m, ["R-1"]), types: "N" }],
  selectApplicationsById: [{ build: () => writeStatements.selectApplicationsById(m, ["A-1"]), types: "N" }],
  selectActiveApplicationsBySource: [
    { build: () => writeStatements.selectActiveApplicationsBySource(m, ["R-1", "CM-1"]), types: "N N" },
  ],
  selectDisputesById: [{ build: () => writeStatements.selectDisputesById(m, ["P-1"]), types: "N" }],
  selectOpenDisputesByDocument: [
    {
      build: () => writeStatements.selectOpenDisputesByDocument(m, ["D-1", "D-2"]),
      types: "N N N",
      values: ["open", "D-1", "D-2"],
    },
  ],
  selectTakenIds: [{ build: () => writeStatements.selectTakenIds(m, ["X-1", "X-2"]), types: "N N" }],
  selectTakenCustomerNumbers: [{ build: () => writeStatements.selectTakenCustomerNumbers(m, ["C-0100"]), types: "N" }],
  selectTakenDocumentNumbers: [
    { build: () => writeStatements.selectTakenDocumentNumbers(m, ["INV-1", "CM-1"]), types: "N N" },
  ],
  selectClosedPeriods: [{ build: () => writeStatements.selectClosedPeriods(m), types: "N", values: ["closed"] }],
  insertCustomers: [
    {
      build: () =>
        writeStatements.insertCustomers(m, [
          { ...customer, changeSeq: 41n },
          { ...customer, id: "C-2", number: "C-0200", creditLimitMinor: null, onHold: true, changeSeq: 42n },
        ]),
      types: "N N N N N B N I N I B  N N N N N B N I N I B",
      // prettier-ignore
      values: [
        "C-1", "C-0100", "Acme GmbH", "EUR", "net30", "5000000", "ana", 0, "[]", 1, "41",
        "C-2", "C-0200", "Acme GmbH", "EUR", "net30", null, "ana", 1, "[]", 1, "42",
      ],
    },
  ],
  updateCustomer: [
    {
      build: () => writeStatements.updateCustomer(m, { ...customer, baseVersion: 3, changeSeq: 43n }),
      types: "N N N B N I N B N I",
    },
  ],
  insertDocuments: [
    {
      build: () =>
        writeStatements.insertDocuments(m, [
          {
            id: "D-1",
            customerId: "C-1",
            type: "invoice",
            number: "INV-1",
            documentDate: "2026-10-01",
            dueDate: "2026-10-31",
            currency: "EUR",
            termsCode: "net30",
            amountMinor: 123_456_789n,
            memo: null,
            changeSeq: 44n,
            changeSetId: "cs-1",
          },
        ]),
      types: "N N N N D D D N N B B I N I B N",
      values: [
        "D-1",
        "C-1",
        "invoice",
        "INV-1",
        "2026-10-01",
        "2026-10-31",
        "2026-10-01",
        "EUR",
        "net30",
        "123456789",
        "123456789",
        0,
        null,
        1,
        "44",
        "cs-1",
      ],
    },
  ],
  insertReceipts: [
    {
      build: () =>
        writeStatements.insertReceipts(m, [
          {
            id: "R-1",
            customerId: "C-1",
            date: "2026-11-02",
            currency: "EUR",
            amountMinor: 100_050n,
            method: "wire",
            reference: "BANK-77",
            changeSeq: 45n,
            changeSetId: "cs-1",
          },
        ]),
      types: "N N D D N B B N N I I B N",
    },
  ],
  insertApplications: [
    {
      build: () =>
        writeStatements.insertApplications(m, [
          {
            id: "A-1",
            sourceKind: "receipt",
            sourceId: "R-1",
            documentId: "D-1",
            date: "2026-11-02",
            currency: "EUR",
            amountMinor: 98_000n,
            discountMinor: 2_000n,
            writeOffMinor: 50n,
            writeOffReason: "bank fee",
            reversesId: null,
            changeSetId: "cs-1",
            createdAt: "2026-11-23T09:00:00.000Z",
          },
        ]),
      types: "N N N N D N B B B N N N N",
      values: [
        "A-1",
        "receipt",
        "R-1",
        "D-1",
        "2026-11-02",
        "EUR",
        "98000",
        "2000",
        "50",
        "bank fee",
        null,
        "cs-1",
        "2026-11-23T09:00:00.000Z",
      ],
    },
  ],
  insertWriteOffs: [
    {
      build: () =>
        writeStatements.insertWriteOffs(m, [
          {
            id: "W-1",
            documentId: "D-1",
            date: "2026-11-03",
            currency: "EUR",
            amountMinor: 1_999n,
            reason: "small balance",
            changeSetId: "cs-1",
            createdAt: "2026-11-23T09:00:00.000Z",
          },
        ]),
      types: "N N D N B N N N N",
    },
  ],
  insertReceiptReversal: [
    {
      build: () =>
        writeStatements.insertReceiptReversal(m, {
          id: "RR-1",
          receiptId: "R-1",
          date: "2026-11-04",
          reason: "NSF",
          changeSetId: "cs-1",
          createdAt: "2026-11-23T09:00:00.000Z",
        }),
      types: "N N D N N N",
    },
  ],
  insertNotes: [
    {
      build: () =>
        writeStatements.insertNotes(m, [
          {
            id: "N-1",
            customerId: "C-1",
            documentId: "D-1",
            kind: "promise",
            body: "Will pay Friday",
            promiseCurrency: "EUR",
            promiseAmountMinor: 50_000n,
            promiseDate: "2026-11-27",
            followUpDate: null,
            author: "ana",
            createdAt: "2026-11-23T09:00:00.000Z",
            changeSeq: 46n,
            changeSetId: "cs-1",
          },
        ]),
      types: "N N N N N N B D D N N B N",
    },
  ],
  insertDispute: [
    {
      build: () =>
        writeStatements.insertDispute(m, {
          id: "P-1",
          documentId: "D-1",
          reasonCode: "pricing",
          currency: "EUR",
          amountMinor: 12_345n,
          note: "wrong unit price",
          openedAt: "2026-11-23T09:00:00.000Z",
          openedBy: "ana",
          changeSeq: 47n,
          changeSetId: "cs-1",
        }),
      types: "N N N N B N N N N N N N N I B N",
    },
  ],
  resolveDispute: [
    {
      build: () =>
        writeStatements.resolveDispute(m, {
          id: "P-1",
          baseVersion: 1,
          resolution: "credited",
          note: "credit memo CM-9",
          resolvedAt: "2026-11-23T09:00:00.000Z",
          resolvedBy: "ana",
          changeSeq: 48n,
        }),
      types: "N N N N N B N I N",
      values: ["resolved", "credited", "credit memo CM-9", "2026-11-23T09:00:00.000Z", "ana", "48", "P-1", 1, "open"],
    },
  ],
  closePeriod: [
    {
      build: () =>
        writeStatements.closePeriod(m, {
          period: "2026-10",
          closedAt: "2026-11-23T09:00:00.000Z",
          closedBy: "controller",
        }),
      types: "N N N N N N N",
    },
  ],
  updateDocumentBalances: [
    {
      build: () =>
        writeStatements.updateDocumentBalances(m, [
          { id: "D-1", baseVersion: 2, deltaMinor: -2_500n, activityDate: "2026-11-05", flag: null, changeSeq: 49n },
          { id: "D-2", baseVersion: 7, deltaMinor: 0n, activityDate: "2026-11-06", flag: true, changeSeq: 50n },
        ]),
      types: "N I B D I B  N I B D I B",
      // A negative delta travels as signed text; CAST('-2500' AS BIGINT) is exact. A kept flag is a NULL Int.
      // prettier-ignore
      values: [
        "D-1", 2, "-2500", "2026-11-05", null, "49",
        "D-2", 7, "0", "2026-11-06", 1, "50",
      ],
    },
  ],
  updateReceiptBalances: [
    {
      build: () =>
        writeStatements.updateReceiptBalances(m, [
          { id: "R-1", baseVersion: 4, deltaMinor: 98_000n, activityDate: "2026-11-06", flag: false, changeSeq: 51n },
        ]),
      types: "N I B D I B",
      values: ["R-1", 4, "98000", "2026-11-06", 0, "51"],
    },
  ],
  insertJournals: [
    {
      build: () =>
        writeStatements.insertJournals(m, [
          {
            id: "J-1",
            date: "2026-11-02",
            source: "subledger",
            eventKind: "receipt",
            eventId: "R-1",
            changeSetId: "cs-1",
            memo: "receipt R-1",
            createdAt: "2026-11-23T09:00:00.000Z",
          },
        ]),
      types: "N D N N N N N N",
    },
  ],
  insertJournalLines: [
    {
      build: () =>
        writeStatements.insertJournalLines(m, [
          { journalId: "J-1", lineNo: 1, account: "1000", currency: "EUR", debitMinor: 100_050n, creditMinor: 0n },
          { journalId: "J-1", lineNo: 2, account: "2050", currency: "EUR", debitMinor: 0n, creditMinor: 100_050n },
        ]),
      types: "N I N N B B  N I N N B B",
      values: ["J-1", 1, "1000", "EUR", "100050", "0", "J-1", 2, "2050", "EUR", "0", "100050"],
    },
  ],
  insertAudit: [
    {
      build: () =>
        writeStatements.insertAudit(m, [
          {
            at: "2026-11-23T09:00:00.000Z",
            user: "ana",
            action: "receipt.create",
            entity: "receipt",
            entityId: "R-1",
            changeSetId: "cs-1",
            detail: "{}",
          },
        ]),
      types: "N N N N N N N",
    },
  ],
  reserveChangeSeq: [
    { build: () => writeStatements.reserveChangeSeq(m, 3), types: "B N", values: ["3", "change_seq"] },
  ],
  selectChangeCursor: [{ build: () => writeStatements.selectChangeCursor(m), types: "N", values: ["change_seq"] }],
  insertChanges: [
    {
      build: () =>
        writeStatements.insertChanges(m, [
          {
            seq: 9_007_199_254_740_993n,
            entity: "receipt",
            entityId: "R-1",
            changeSetId: "cs-1",
            at: "2026-11-23T09:00:00.000Z",
          },
        ]),
      types: "B N N N N",
      // 2^53 + 1: a JS number would have rounded it to 2^53; as text it arrives whole.
      values: ["9007199254740993", "receipt", "R-1", "cs-1", "2026-11-23T09:00:00.000Z"],
    },
  ],
  insertToken: [
    {
      build: () =>
        writeStatements.insertToken(m, {
          id: "T-1",
          hash: "cd".repeat(32),
          user: "ana",
          role: "clerk",
          createdAt: "2026-11-23T09:00:00.000Z",
        }),
      types: "N N N N N N",
    },
  ],
  selectTokenByHash: [{ build: () => writeStatements.selectTokenByHash(m, "cd".repeat(32)), types: "N" }],
  revokeToken: [
    { build: () => writeStatements.revokeToken(m, { id: "T-1", revokedAt: "2026-11-23T09:00:00.000Z" }), types: "N N" },
  ],
  selectGlImbalance: [{ build: () => writeStatements.selectGlImbalance(m), types: "" }],
  selectAccountBalances: [
    { build: () => writeStatements.selectAccountBalances(m, "1200"), types: "N N", values: ["1200", "subledger"] },
  ],
  selectOpenDocumentTotals: [
    { build: () => writeStatements.selectOpenDocumentTotals(m), types: "N", values: ["creditMemo"] },
  ],
  selectUnappliedTotals: [{ build: () => writeStatements.selectUnappliedTotals(m), types: "" }],
  selectDocumentBalanceDrift: [
    { build: () => writeStatements.selectDocumentBalanceDrift(m), types: "N", values: ["creditMemo"] },
  ],
  selectReceiptBalanceDrift: [
    { build: () => writeStatements.selectReceiptBalanceDrift(m), types: "N", values: ["receipt"] },
  ],

  // ---- statements/read.ts
  changeFeedPosition: [{ build: () => readStatements.changeFeedPosition(m), types: "N", values: ["change_seq"] }],
  customersPage: [
    {
      build: () =>
        readStatements.customersPage(m, { search: "50%_off[x]\\", collector: "ana", after: "C-0100", limit: 500 }),
      types: "N N N N I",
      // 50%_off[x]\ with %, _, [ and \ each escaped by a backslash, wrapped in %…%.
      values: ["%50\\%\\_off\\[x]\\\\%", "%50\\%\\_off\\[x]\\\\%", "ana", "C-0100", 500],
    },
    { variant: "first", build: () => readStatements.customersPage(m, { limit: 500 }), types: "I", values: [500] },
  ],
  customersByIds: [
    { build: () => readStatements.customersByIds(m, { ids: ["C-1", "C-2"] }), types: "N N" },
    { variant: "empty", build: () => readStatements.customersByIds(m, { ids: [] }), types: "" },
  ],
  openDocumentsPage: [
    {
      build: () =>
        readStatements.openDocumentsPage(m, {
          asOf,
          basis: "due",
          edges: DUE_EDGES,
          customerId: "C-1",
          collector: "ana",
          currency: "EUR",
          afterId: "D-0100",
          limit: 1000,
        }),
      types: `${DUE_BUCKET_TYPES} D D D D D D D N N N N I`,
      values: [...DUE_BUCKET_VALUES, ...Array<string>(7).fill("2026-11-23"), "C-1", "EUR", "ana", "D-0100", 1000],
    },
  ],
  openReceiptsPage: [
    {
      build: () =>
        readStatements.openReceiptsPage(m, { asOf, basis: "document", edges: [30, 60], afterId: null, limit: 200 }),
      types: "D N D N N D D D D D I",
      // Document basis: 0-30 if dated on or after 2026-10-24, 31-60 if on or after 2026-09-24, else over-60.
      values: ["2026-10-24", "0-30", "2026-09-24", "31-60", "over-60", ...Array<string>(5).fill("2026-11-23"), 200],
    },
  ],
  openDisputesInRange: [
    {
      build: () => readStatements.openDisputesInRange(m, { after: "D-1", through: "D-9" }),
      types: "N N N",
      values: ["open", "D-1", "D-9"],
    },
    {
      variant: "filtered",
      build: () =>
        readStatements.openDisputesInRange(m, { after: null, through: "D-9", customerId: "C-1", currency: "EUR" }),
      types: "N N N N",
      values: ["open", "D-9", "C-1", "EUR"],
    },
  ],
  latestDocumentNotes: [
    {
      build: () => readStatements.latestDocumentNotes(m, { after: "D-1", through: "D-9" }),
      types: "N N",
      values: ["D-1", "D-9"],
    },
    {
      variant: "firstPage",
      build: () => readStatements.latestDocumentNotes(m, { after: null, through: "D-9", collector: "lee" }),
      types: "N N",
      values: ["D-9", "lee"],
    },
  ],
  latestCustomerNotes: [
    {
      build: () => readStatements.latestCustomerNotes(m, { customerIds: ["C-1", "C-2"] }),
      types: "N N",
      values: ["C-1", "C-2"],
    },
  ],
  latestDocumentPromises: [
    {
      build: () => readStatements.latestDocumentPromises(m, { asOf, after: "D-1", through: "D-9" }),
      types: "D N N",
      // The as-of date caps the payments counted, ahead of the range.
      values: ["2026-11-23", "D-1", "D-9"],
    },
  ],
  latestCustomerPromises: [
    {
      build: () => readStatements.latestCustomerPromises(m, { asOf, customerIds: ["C-1"] }),
      types: "D N",
      values: ["2026-11-23", "C-1"],
    },
  ],
  agingGroups: [
    {
      build: () => readStatements.agingGroups(m, { asOf, basis: "due", edges: DUE_EDGES, currency: "EUR" }),
      // Bucket CASE; then the branches' parameters in text order: documents and receipts last
      // touched by D (date, activity date, currency), documents and receipts touched after D
      // (history sums' dates, date, activity date, currency).
      types: `${DUE_BUCKET_TYPES} D D N D D N D D D D D D N D D D D N`,
      values: [
        ...DUE_BUCKET_VALUES,
        "2026-11-23", "2026-11-23", "EUR",
        "2026-11-23", "2026-11-23", "EUR",
        ...Array<string>(6).fill("2026-11-23"),
        "EUR",
        ...Array<string>(4).fill("2026-11-23"),
        "EUR",
      ],
    },
  ],
  agingBoundaryTotals: [
    {
      build: () => readStatements.agingBoundaryTotals(m, { asOf, basis: "due", edges: DUE_EDGES, currency: "EUR" }),
      // The five boundaries for the documents, their date, activity date and currency; the same for receipts.
      types: "D D D D D D D N D D D D D D D N",
      values: [
        ...DUE_BOUNDARIES,
        "2026-11-23", "2026-11-23", "EUR",
        ...DUE_BOUNDARIES,
        "2026-11-23", "2026-11-23", "EUR",
      ],
    },
  ],
  agingHistoryGroups: [
    {
      build: () => readStatements.agingHistoryGroups(m, { asOf, basis: "due", edges: DUE_EDGES, currency: "EUR" }),
      // Bucket CASE; then the history branches as in agingGroups.
      types: `${DUE_BUCKET_TYPES} D D D D D D N D D D D N`,
      values: [
        ...DUE_BUCKET_VALUES,
        ...Array<string>(6).fill("2026-11-23"),
        "EUR",
        ...Array<string>(4).fill("2026-11-23"),
        "EUR",
      ],
    },
  ],
  statementOpeningBalance: [
    {
      build: () =>
        readStatements.statementOpeningBalance(m, {
          customerId: "C-1",
          currency: "USD",
          before: parseIsoDate("2026-11-01"),
        }),
      types: "N N N N N N N N N N N N N N D",
    },
  ],
  statementLines: [
    {
      build: () =>
        readStatements.statementLines(m, {
          customerId: "C-1",
          currency: "USD",
          from: parseIsoDate("2026-11-01"),
          to: parseIsoDate("2026-11-30"),
        }),
      types: "N N N N N N N N N N N N N N D D",
      values: [..."C-1 USD ".repeat(7).trim().split(" "), "2026-11-01", "2026-11-30"],
    },
  ],
  changeLogAfter: [
    { build: () => readStatements.changeLogAfter(m, { since: 41n, limit: 1001 }), types: "B I", values: ["41", 1001] },
  ],
  documentsByIds: [{ build: () => readStatements.documentsByIds(m, { ids: ["D-1"] }), types: "N" }],
  receiptsByIds: [{ build: () => readStatements.receiptsByIds(m, { ids: ["R-1", "R-2"] }), types: "N N" }],
  notesByIds: [{ build: () => readStatements.notesByIds(m, { ids: ["N-1"] }), types: "N" }],
  disputesByIds: [{ build: () => readStatements.disputesByIds(m, { ids: ["P-1"] }), types: "N" }],
  periodsByIds: [{ build: () => readStatements.periodsByIds(m, { ids: ["2026-10", "2026-11"] }), types: "N N" }],
  openTotalsAsOf: [
    {
      build: () => readStatements.openTotalsAsOf(m, { asOf: parseIsoDate("2026-10-31") }),
      types: "D D D D D D D D D D D D",
      values: Array.from({ length: 12 }, () => "2026-10-31"),
    },
  ],

  // ---- statements/bank.ts
  selectStatementsByFile: [{ build: () => bankStatements.selectStatementsByFile(m, SHA), types: "N", values: [SHA] }],
  selectStatementById: [{ build: () => bankStatements.selectStatementById(m, "bs-1"), types: "N" }],
  selectStatements: [
    {
      build: () => bankStatements.selectStatements(m, { account: "DE89370400440532013000", limit: 100 }),
      types: "N I",
      values: ["DE89370400440532013000", 100],
    },
    { variant: "all", build: () => bankStatements.selectStatements(m, { limit: 100 }), types: "I", values: [100] },
  ],
  insertStatement: [
    {
      build: () =>
        bankStatements.insertStatement(m, {
          id: "bs-1",
          fileSha256: SHA,
          fileIndex: 0,
          fileName: "statement.bai2",
          format: "bai2",
          account: "1234500001",
          iban: null,
          currency: "USD",
          bankStatementId: null,
          statementDate: "2026-03-02",
          fromDate: "2026-03-02",
          toDate: "2026-03-02",
          openingMinor: 1_500_000n,
          closingMinor: -2_225_000n,
          lineCount: 4,
          importedAt: "2026-11-23T09:00:00.000Z",
          importedBy: "clerk.kim",
        }),
      types: "N N I N N N N N N D D D B B I N N",
      // prettier-ignore
      values: [
        "bs-1", SHA, 0, "statement.bai2", "bai2", "1234500001", null, "USD", null,
        "2026-03-02", "2026-03-02", "2026-03-02", "1500000", "-2225000", 4, "2026-11-23T09:00:00.000Z", "clerk.kim",
      ],
    },
  ],
  insertBankLines: [
    {
      build: () => bankStatements.insertBankLines(m, [BANK_LINE, { ...BANK_LINE, id: "bl-2", lineNo: 2, amountMinor: -50_000n, direction: "debit", reversal: true, payerAccount: null }]),
      types: "N N I I N D D B N N N I N N N N N N N N N I  N N I I N D D B N N N I N N N N N N N N N I",
      // prettier-ignore
      values: [
        "bl-1", "bs-1", 1, 7, "BAI2 line 7 (16 detail)", "2026-03-02", null, "250000", "USD", "credit", "booked", 0,
        "BR0001", "CR0001", "ACME CORP", "DE89370400440532013000", "165", null, '{"unstructured":["INV-1042"],"documents":[]}', "open", null, 1,
        "bl-2", "bs-1", 2, 7, "BAI2 line 7 (16 detail)", "2026-03-02", null, "-50000", "USD", "debit", "booked", 1,
        "BR0001", "CR0001", "ACME CORP", null, "165", null, '{"unstructured":["INV-1042"],"documents":[]}', "open", null, 1,
      ],
    },
  ],
  selectLinesOfStatement: [
    { build: () => bankStatements.selectLinesOfStatement(m, { statementId: "bs-1", status: "open" }), types: "N N" },
    { variant: "all", build: () => bankStatements.selectLinesOfStatement(m, { statementId: "bs-1" }), types: "N" },
  ],
  selectBankLinesById: [{ build: () => bankStatements.selectBankLinesById(m, ["bl-1", "bl-2"]), types: "N N" }],
  matchBankLine: [
    {
      build: () => bankStatements.matchBankLine(m, { id: "bl-1", baseVersion: 1, receiptId: "R-1" }),
      types: "N N N I N",
      values: ["matched", "R-1", "bl-1", 1, "open"],
    },
  ],
  rememberPayerAccount: [
    {
      build: () =>
        bankStatements.rememberPayerAccount(m, {
          payerAccount: "DE89370400440532013000",
          customerId: "C-1",
          at: "2026-11-23T09:00:00.000Z",
          by: "clerk.kim",
          changeSetId: "cs-1",
        }),
      types: "N N N N N N N N N",
    },
  ],
  selectRememberedAccounts: [
    { build: () => bankStatements.selectRememberedAccounts(m, ["DE89370400440532013000", "GB29NWBK60161331926819"]), types: "N N" },
    { variant: "empty", build: () => bankStatements.selectRememberedAccounts(m, []), types: "" },
  ],
  selectCsvMapping: [{ build: () => bankStatements.selectCsvMapping(m, "First Bank"), types: "N" }],
  upsertCsvMapping: [
    {
      build: () =>
        bankStatements.upsertCsvMapping(m, { bank: "First Bank", mapping: '{"delimiter":","}', at: "2026-11-23T09:00:00.000Z", by: "clerk.kim" }),
      types: "N N N N N N N",
    },
  ],
  selectReceiptsOfStatement: [{ build: () => bankStatements.selectReceiptsOfStatement(m, "bs-1"), types: "N" }],
  selectReceiptsWithoutLine: [
    {
      build: () => bankStatements.selectReceiptsWithoutLine(m, { currency: "USD", from: "2026-03-02", to: "2026-03-03" }),
      types: "N D D",
      values: ["USD", "2026-03-02", "2026-03-03"],
    },
  ],
  selectJournalsById: [{ build: () => bankStatements.selectJournalsById(m, ["external:GJ-1", "external:GJ-2"]), types: "N N" }],
  accountBalanceAsOf: [
    { build: () => bankStatements.accountBalanceAsOf(m, { account: "1200", asOf: "2026-10-31" }), types: "N D", values: ["1200", "2026-10-31"] },
  ],
  externalJournalsAsOf: [
    {
      build: () => bankStatements.externalJournalsAsOf(m, { account: "1200", asOf: "2026-10-31" }),
      types: "N N D",
      values: ["1200", "external", "2026-10-31"],
    },
  ],
  subledgerPostingsAcross: [
    {
      build: () => bankStatements.subledgerPostingsAcross(m, { account: "1200", asOf: "2026-10-31" }),
      types: "N N D D D D",
      values: ["1200", "subledger", "2026-10-31", "2026-10-31", "2026-10-31", "2026-10-31"],
    },
  ],
  unpostedEventsAsOf: [
    { build: () => bankStatements.unpostedEventsAsOf(m, { asOf: "2026-10-31" }), types: "D D D", values: ["2026-10-31", "2026-10-31", "2026-10-31"] },
  ],
};

/** Exports of statements/ that are not statement builders, and why. */
const NOT_STATEMENTS: Record<string, string> = {
  BALANCE_COLUMNS: "parameters per balance-update row, for chunkRows; checked against the 2,100-parameter limit below",
  chunkRows: "splits multi-row inserts; its sizes are checked against the 2,100-parameter limit below",
  rowsPerStatement: "chunkRows' chunk size, for writers that chunk as they go; checked against the 2,100-parameter limit below",
  ID_CHUNK: "ids per IN list; checked against the 2,100-parameter limit below",
  BANK_LINE_COLUMNS: "columns per bank line row, for chunkRows; checked against the 2,100-parameter limit below",
};

// -- helpers ---------------------------------------------------------------------

function goldenName(name: string, c: GoldenCase): string {
  return c.variant === undefined ? `${name}.sql` : `${name}.${c.variant}.sql`;
}

/** Drops `--` note lines and makes whitespace between tokens insignificant; string literals are kept as they are. */
function normalize(sqlText: string): string {
  const code = sqlText
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
  return code
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")")))
    .join("")
    .trim();
}

function readGolden(file: string): string {
  return readFileSync(GOLDEN_DIR + file, "utf8");
}

function typeList(codes: string): MssqlInput["type"][] {
  return codes
    .split(/\s+/)
    .filter((c) => c !== "")
    .map((c) => {
      const type = TYPE_CODES[c];
      if (type === undefined) throw new Error(`unknown type code ${c}`);
      return type;
    });
}

// -- a small T-SQL lint ------------------------------------------------------------

type Schema = Map<string, Map<string, string>>;

function stripComments(script: string): string {
  return script.replace(/--.*$/gm, "");
}

/** Tables and column base types from CREATE TABLE statements. */
function parseSchema(script: string, into: Schema = new Map()): Schema {
  const code = stripComments(script);
  const create = /CREATE TABLE (\w+) \(/g;
  for (let match = create.exec(code); match !== null; match = create.exec(code)) {
    const tableName = match[1] ?? "";
    let depth = 0;
    let body = "";
    for (let i = match.index + match[0].length - 1; i < code.length; i++) {
      const ch = code.charAt(i);
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      body += ch;
      if (depth === 0) break;
    }
    const columns = new Map<string, string>();
    for (const def of splitTopLevel(body.slice(1, -1), ",")) {
      const col = /^\s*([a-z_][a-z0-9_]*)\s+([A-Z]+)/.exec(def);
      if (col?.[1] !== undefined && col[2] !== undefined) columns.set(col[1], col[2]);
    }
    into.set(tableName, columns);
  }
  return into;
}

function splitTopLevel(textIn: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of textIn) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Column name → every type it has in any table. */
function columnTypes(schema: Schema): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const columns of schema.values()) {
    for (const [col, type] of columns) {
      const set = out.get(col) ?? new Set<string>();
      set.add(type);
      out.set(col, set);
    }
  }
  return out;
}

const TOKEN =
  /N'(?:[^']|'')*'|'(?:[^']|'')*'|@p\d+|[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\*))?|\d+(?:\.\d+)?|<>|<=|>=|\|\||::|\S/g;
const tokenize = (sqlText: string): string[] => sqlText.match(TOKEN) ?? [];
const up = (token: string | undefined): string => (token ?? "").toUpperCase();
const isIdent = (token: string | undefined): boolean => token !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(token);

/** T-SQL reserved keywords (SQL Server 2019), which would need brackets as identifiers. */
const RESERVED = new Set(
  (
    "ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK CHECKPOINT CLOSE " +
    "CLUSTERED COALESCE COLLATE COLUMN COMMIT COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE CONTINUE CONVERT CREATE CROSS CURRENT " +
    "CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DBCC DEALLOCATE DECLARE DEFAULT DELETE DENY DESC " +
    "DISK DISTINCT DISTRIBUTED DOUBLE DROP DUMP ELSE END ERRLVL ESCAPE EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL FETCH FILE " +
    "FILLFACTOR FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL FUNCTION GOTO GRANT GROUP HAVING HOLDLOCK IDENTITY IDENTITY_INSERT " +
    "IDENTITYCOL IF IN INDEX INNER INSERT INTERSECT INTO IS JOIN KEY KILL LEFT LIKE LINENO LOAD MERGE NATIONAL NOCHECK " +
    "NONCLUSTERED NOT NULL NULLIF OF OFF OFFSETS ON OPEN OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPTION OR ORDER OUTER OVER " +
    "PERCENT PIVOT PLAN PRECISION PRIMARY PRINT PROC PROCEDURE PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION " +
    "RESTORE RESTRICT RETURN REVERT REVOKE RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT " +
    "SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER SHUTDOWN SOME " +
    "STATISTICS SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER TRUNCATE TRY_CONVERT TSEQUAL UNION " +
    "UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR WHEN WHERE WHILE WITH WRITETEXT"
  ).split(" "),
);

/** Words of the statements that are not column names. */
const KEYWORDS = new Set(
  (
    "SELECT FROM WHERE AND OR NOT IN IS NULL AS WITH ORDER BY GROUP HAVING CASE WHEN THEN ELSE END UPDATE SET INSERT INTO " +
    "VALUES OUTPUT CAST BIGINT EXISTS UNION ALL JOIN LEFT INNER ON OFFSET ROWS FETCH NEXT ONLY DESC ASC LIKE ESCAPE OVER " +
    "PARTITION MERGE USING MATCHED DELETE UPDLOCK ROWLOCK HOLDLOCK"
  ).split(" "),
);
const FUNCTIONS = new Set(["SUM", "COUNT", "COALESCE", "LOWER", "ROW_NUMBER", "SUBSTRING"]);
const TABLE_HINTS = new Set([
  "UPDLOCK",
  "ROWLOCK",
  "HOLDLOCK",
  "NOLOCK",
  "READPAST",
  "SERIALIZABLE",
  "TABLOCK",
  "XLOCK",
]);

const FORBIDDEN: readonly (readonly [RegExp, string])[] = [
  [/\bLIMIT\b/i, "LIMIT (SQL Server pages with ORDER BY … OFFSET … FETCH)"],
  [/\bRETURNING\b/i, "RETURNING (SQL Server uses OUTPUT)"],
  [/\bON\s+CONFLICT\b/i, "ON CONFLICT (SQL Server uses MERGE)"],
  [/::/, "a PostgreSQL :: cast"],
  [/\$\d/, "a PostgreSQL $n placeholder"],
  [/\?/, "a ? placeholder"],
  [/\b(TRUE|FALSE)\b/i, "a boolean literal (SQL Server has none: use 0/1)"],
  [/\|\|/, "|| (SQL Server concatenates with + or CONCAT)"],
  [/\bILIKE\b/i, "ILIKE"],
  [/\bFOR\s+UPDATE\b/i, "FOR UPDATE (SQL Server locks with WITH (UPDLOCK, ROWLOCK))"],
  [/\bNULLS\s+(FIRST|LAST)\b/i, "NULLS FIRST/LAST"],
  [/\b(GREATEST|LEAST)\s*\(/i, "GREATEST/LEAST (SQL Server 2022 and later only)"],
  [/\bIS\s+(NOT\s+)?DISTINCT\s+FROM\b/i, "IS DISTINCT FROM (SQL Server 2022 and later only)"],
  [/[`"[\]]/, "a quoted or bracketed identifier"],
  [/\bEXCLUDED\./i, "EXCLUDED."],
  [/\bINSERT\s+OR\b/i, "INSERT OR …"],
  [/\bIN\s*\(\s*\)/i, "an empty IN ()"],
  [/\bIF\s+NOT\s+EXISTS\b/i, "IF NOT EXISTS in DDL"],
];

function matchingParen(tokens: readonly string[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i] === "(") depth++;
    if (tokens[i] === ")" && --depth === 0) return i;
  }
  return tokens.length;
}

/** Index of the "(" that encloses `index`, or -1 at top level. */
function enclosingParen(tokens: readonly string[], index: number): number {
  let depth = 0;
  for (let i = index - 1; i >= 0; i--) {
    if (tokens[i] === ")") depth++;
    if (tokens[i] === "(") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

interface SelectItem {
  readonly name: string;
  readonly expr: readonly string[];
}

/** The items of the SELECT (or OUTPUT) list starting at `start`, up to FROM/WHERE/INTO at its own depth. */
function listItems(tokens: readonly string[], start: number): SelectItem[] {
  const items: SelectItem[] = [];
  let current: string[] = [];
  let depth = 0;
  const flush = () => {
    if (current.length === 0) return;
    const hasAlias = current.length >= 2 && up(current[current.length - 2]) === "AS";
    const last = current[current.length - 1] ?? "";
    const name = hasAlias ? last : (last.split(".").pop() ?? last);
    items.push({ name, expr: hasAlias ? current.slice(0, -2) : current });
    current = [];
  };
  for (let i = start + 1; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (depth === 0 && (token === ")" || ["FROM", "WHERE", "INTO", "UNION"].includes(up(token)))) break;
    if (token === "(") depth++;
    if (token === ")") depth--;
    if (token === "," && depth === 0) {
      flush();
      continue;
    }
    current.push(token);
  }
  flush();
  return items;
}

/**
 * Problems with an amount expression: it must be BIGINT arithmetic — BIGINT
 * columns, sums of them, integer literals, CASE/COALESCE, + − *, and
 * parameters only as CAST(@p AS BIGINT). CASE conditions are not values and
 * are skipped.
 */
function amountProblems(
  expr: readonly string[],
  ctx: { types: Map<string, Set<string>>; minorAliases: Set<string> },
): string[] {
  const problems: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const token = expr[i] ?? "";
    const u = up(token);
    if (token === "(" && up(expr[i + 1]) === "SELECT") {
      const close = matchingParen(expr, i);
      const items = listItems(expr.slice(i + 1, close), 0);
      if (items.length !== 1 || items[0] === undefined)
        problems.push("a scalar subquery in an amount must return one column");
      else problems.push(...amountProblems(items[0].expr, ctx));
      i = close;
    } else if (u === "WHEN") {
      let depth = 0;
      let cases = 0;
      let k = i + 1;
      for (; k < expr.length; k++) {
        const t = up(expr[k]);
        if (t === "(") depth++;
        if (t === ")") depth--;
        if (t === "CASE") cases++;
        if (t === "END") cases--;
        if (t === "THEN" && depth === 0 && cases === 0) break;
      }
      i = k;
    } else if (u === "CAST") {
      const cast = expr.slice(i, i + 6).join(" ");
      if (!/^CAST \( @p\d+ AS BIGINT \)$/i.test(cast)) problems.push(`${cast} is not CAST(@p AS BIGINT)`);
      i += 5;
    } else if (/^\d+$/.test(token) || ["(", ")", ",", "+", "-", "*"].includes(token)) {
      // integer literal or BIGINT-preserving operator
    } else if (/^\d+\.\d+$/.test(token)) {
      problems.push(`decimal literal ${token} would make the expression DECIMAL`);
    } else if (["CASE", "THEN", "ELSE", "END", "SUM", "COALESCE", "NULL"].includes(u)) {
      // BIGINT in, BIGINT out
    } else if (/^[A-Za-z_]/.test(token) && !KEYWORDS.has(u) && !FUNCTIONS.has(u)) {
      const col = token.split(".").pop() ?? token;
      const types = ctx.types.get(col);
      const isBigint = types !== undefined && types.size === 1 && types.has("BIGINT");
      if (!isBigint && !ctx.minorAliases.has(col)) problems.push(`${token} is not a BIGINT column or amount alias`);
    } else {
      problems.push(
        `${token} in an amount expression (division, AVG, other functions and bare parameters are not BIGINT-exact)`,
      );
    }
  }
  return problems;
}

/** Every problem this lint finds in one compiled statement. */
function lint(statement: string, schema: Schema): string[] {
  const problems: string[] = [];
  const blanked = statement.replace(/N?'(?:[^']|'')*'/g, "''");
  for (const [pattern, what] of FORBIDDEN) if (pattern.test(blanked)) problems.push(`uses ${what}`);
  const tokens = tokenize(statement);
  const types = columnTypes(schema);

  // parentheses and CASE … END
  let depth = 0;
  for (const t of tokens) {
    if (t === "(") depth++;
    if (t === ")") depth--;
    if (depth < 0) problems.push("a ) without its (");
  }
  if (depth !== 0) problems.push("unbalanced parentheses");
  const count = (word: string) => tokens.filter((t) => up(t) === word).length;
  if (count("CASE") !== count("END")) problems.push("CASE without END");
  if (up(tokens[0]) === "MERGE" && tokens[tokens.length - 1] !== ";") problems.push("MERGE must end with ;");

  const aliases = new Map<string, string>();
  const derived = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    const u = up(token);
    const next = tokens[i + 1];

    // ORDER BY … OFFSET n ROWS FETCH NEXT n ROWS ONLY; ORDER BY in parentheses only in OVER or with OFFSET
    if (u === "OFFSET") {
      const tail = tokens.slice(i, i + 8).join(" ");
      if (!/^OFFSET (\d+|@p\d+) ROWS FETCH NEXT (\d+|@p\d+) ROWS ONLY$/i.test(tail))
        problems.push(`malformed paging: ${tail}`);
      const open = enclosingParen(tokens, i);
      const level = tokens.slice(open + 1, i);
      let d = 0;
      const orderAtLevel = level.some((t, k) => {
        if (t === "(") d++;
        if (t === ")") d--;
        return d === 0 && up(t) === "ORDER" && up(level[k + 1]) === "BY";
      });
      if (!orderAtLevel) problems.push("OFFSET/FETCH without an ORDER BY at the same level");
    }
    if (u === "ORDER" && up(next) === "BY") {
      const open = enclosingParen(tokens, i);
      if (open >= 0 && up(tokens[open - 1]) !== "OVER") {
        const close = matchingParen(tokens, open);
        if (!tokens.slice(i, close).some((t) => up(t) === "OFFSET")) {
          problems.push("ORDER BY inside a derived table or subquery without OFFSET (SQL Server refuses it)");
        }
      }
    }

    // table hints right after a table (and its alias)
    if (u === "WITH" && next === "(") {
      const before = tokens
        .slice(Math.max(0, i - 4), i)
        .map(up)
        .join(" ");
      if (!/(FROM|JOIN|UPDATE|MERGE|INTO) [A-Z_]+( (AS )?[A-Z_]+)?$/.test(before))
        problems.push(`table hint not after a table name: … ${before} WITH`);
      const close = matchingParen(tokens, i + 1);
      for (const hint of tokens.slice(i + 2, close)) {
        if (hint !== "," && !TABLE_HINTS.has(up(hint))) problems.push(`unknown table hint ${hint}`);
      }
    }

    // tables and their aliases
    if (
      ["FROM", "JOIN", "UPDATE", "MERGE", "INTO"].includes(u) &&
      next !== undefined &&
      isIdent(next) &&
      !KEYWORDS.has(up(next))
    ) {
      if (!schema.has(next)) problems.push(`unknown table ${next}`);
      aliases.set(next, next);
      let k = i + 2;
      if (up(tokens[k]) === "WITH" && tokens[k + 1] === "(") {
        k = matchingParen(tokens, k + 1) + 1;
        // FROM t [AS a] WITH (hint): in a FROM or JOIN the alias comes before the hint (MERGE is the other way round).
        if (u !== "MERGE" && isIdent(tokens[k]) && !KEYWORDS.has(up(tokens[k])))
          problems.push(`alias ${tokens[k] ?? ""} after the table hint`);
      }
      if (up(tokens[k]) === "AS") k++;
      const alias = tokens[k];
      if (isIdent(alias) && !KEYWORDS.has(up(alias))) {
        if (RESERVED.has(up(alias))) problems.push(`alias ${alias} is a reserved word`);
        aliases.set(alias ?? "", next);
      }
    }

    // derived tables need an alias
    if (token === "(" && up(next) === "SELECT" && ["FROM", "JOIN", "USING"].includes(up(tokens[i - 1]))) {
      const close = matchingParen(tokens, i);
      let k = close + 1;
      if (up(tokens[k]) === "AS") k++;
      const alias = tokens[k];
      if (!isIdent(alias) || KEYWORDS.has(up(alias))) problems.push("a derived table without an alias");
      else derived.add(alias ?? "");
    }

    // aliases are not reserved words
    if (u === "AS" && isIdent(next) && up(next) !== "BIGINT" && RESERVED.has(up(next)))
      problems.push(`alias ${next} is a reserved word`);

    // GROUP BY names columns, never parameterised expressions
    if (u === "GROUP" && up(next) === "BY") {
      let d = 0;
      for (let k = i + 2; k < tokens.length; k++) {
        const t = tokens[k] ?? "";
        if (t === "(") d++;
        if (t === ")" && --d < 0) break;
        if (d === 0 && ["HAVING", "ORDER", "UNION"].includes(up(t))) break;
        if (t.startsWith("@p")) problems.push("a parameter inside GROUP BY");
      }
    }

    // INSERT column lists: known columns, not reserved, one value per column in every row
    if (u === "INSERT") {
      const target =
        up(next) === "INTO" ? tokens[i + 2] : tokens.find((_, k) => k < i && up(tokens[k - 1]) === "MERGE");
      const open = tokens.indexOf("(", i);
      const close = matchingParen(tokens, open);
      const columns = tokens.slice(open + 1, close).filter((t) => t !== ",");
      for (const col of columns) {
        if (!schema.get(target ?? "")?.has(col)) problems.push(`INSERT into ${target ?? "?"}: no column ${col}`);
        if (RESERVED.has(up(col))) problems.push(`column ${col} is a reserved word`);
      }
      let k = close + 1;
      if (up(tokens[k]) !== "VALUES") problems.push("INSERT without VALUES");
      k++;
      while (tokens[k] === "(") {
        const end = matchingParen(tokens, k);
        const values = splitTopLevel(tokens.slice(k + 1, end).join(" "), ",").length;
        if (values !== columns.length)
          problems.push(`INSERT into ${target ?? "?"}: ${columns.length} columns but a row of ${values} values`);
        k = end + 1;
        if (tokens[k] === ",") k++;
      }
    }

    // UPDATE … SET targets exist
    if (u === "SET" && (up(tokens[0]) === "UPDATE" || up(tokens[0]) === "MERGE")) {
      const target = up(tokens[0]) === "UPDATE" ? tokens[1] : tokens[1];
      let d = 0;
      let expectColumn = true;
      for (let k = i + 1; k < tokens.length; k++) {
        const t = tokens[k] ?? "";
        if (t === "(") d++;
        if (t === ")") d--;
        if (d === 0 && ["WHERE", "OUTPUT", "WHEN", "FROM"].includes(up(t))) break;
        if (expectColumn && d === 0) {
          if (!schema.get(target ?? "")?.has(t)) problems.push(`UPDATE ${target ?? "?"}: no column ${t}`);
          expectColumn = false;
        }
        if (t === "," && d === 0) expectColumn = true;
      }
    }
  }

  // qualified column references
  const updateTarget = up(tokens[0]) === "UPDATE" ? tokens[1] : undefined;
  for (const token of tokens) {
    const dotted = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*|\*)$/.exec(token);
    if (dotted === null) continue;
    const [, alias = "", col = ""] = dotted;
    if (derived.has(alias) && !aliases.has(alias)) continue;
    const table = alias === "inserted" || alias === "deleted" ? updateTarget : aliases.get(alias);
    if (table === undefined) problems.push(`${token}: unknown alias ${alias}`);
    else if (col !== "*" && !schema.get(table)?.has(col)) problems.push(`${token}: ${table} has no column ${col}`);
  }

  // bare column names, scope by scope (a SELECT up to its closing parenthesis or UNION; the UPDATE or DELETE itself)
  const scopeStarts = tokens.flatMap((t, i) => (["SELECT", "UPDATE", "DELETE"].includes(up(t)) ? [i] : []));
  for (const start of scopeStarts) {
    const scope: string[] = [];
    let hasDerived = false;
    let d = 0;
    for (let k = start; k < tokens.length; k++) {
      const t = tokens[k] ?? "";
      if (t === "(" && up(tokens[k + 1]) === "SELECT") {
        if (["FROM", "JOIN"].includes(up(tokens[k - 1]))) hasDerived = true;
        k = matchingParen(tokens, k);
        scope.push("''");
        continue;
      }
      if (t === "(") d++;
      if (t === ")" && --d < 0) break;
      if (d === 0 && up(t) === "UNION") break;
      scope.push(t);
    }
    if (hasDerived) continue;
    const tables = scope.flatMap((t, k) =>
      ["FROM", "JOIN", "UPDATE"].includes(up(scope[k - 1])) && schema.has(t) ? [t] : [],
    );
    if (tables.length === 0) continue;
    const known = new Set(tables.flatMap((t) => [...(schema.get(t)?.keys() ?? [])]));
    scope.forEach((t, k) => {
      if (!isIdent(t) || KEYWORDS.has(up(t)) || schema.has(t) || aliases.has(t)) return;
      if (scope[k + 1] === "(" && FUNCTIONS.has(up(t))) return;
      if (up(scope[k - 1]) === "AS") return;
      if (!known.has(t)) problems.push(`${t} is not a column of ${tables.join(", ")}`);
    });
  }

  // amounts read: BIGINT exact, and BIGINT columns read only under *_minor / *_seq names
  const selects = tokens.flatMap((t, i) => (up(t) === "SELECT" || up(t) === "OUTPUT" ? [i] : []));
  const allItems = selects.flatMap((i) => listItems(tokens, i));
  const minorAliases = new Set(allItems.map((item) => item.name).filter((n) => /_(minor|seq)$/.test(n)));
  for (const item of allItems) {
    if (/_(minor|seq)$/.test(item.name)) {
      for (const p of amountProblems(item.expr, { types, minorAliases })) problems.push(`${item.name}: ${p}`);
    } else if (item.expr.length === 1 && item.name !== "*") {
      const col = (item.expr[0] ?? "").split(".").pop() ?? "";
      const colTypes = types.get(col);
      if (colTypes !== undefined && colTypes.size === 1 && colTypes.has("BIGINT")) {
        problems.push(`BIGINT column ${col} is read as ${item.name}, which normalizeRow would not turn into a bigint`);
      }
    }
  }
  return problems;
}

// -- the migration and its schema -----------------------------------------------------

const migrationScript = readFileSync(MIGRATION, "utf8");

/** What migrate() sends to SQL Server, recorded by a stand-in Database. */
interface Sent {
  readonly via: "exec" | "all" | "run";
  readonly text: string;
  readonly params: readonly SqlParam[];
}

function recordingDatabase(options: { failOnBatch?: number } = {}): { db: Database; sent: Sent[] } {
  const sent: Sent[] = [];
  let batches = 0;
  const executor: SqlExecutor = {
    dialect: "mssql",
    all: (query) => {
      const { text: t, params } = compile(query, "mssql");
      sent.push({ via: "all", text: t, params });
      return Promise.resolve([]);
    },
    run: (query) => {
      const { text: t, params } = compile(query, "mssql");
      sent.push({ via: "run", text: t, params });
      if (params.length === 0 && !t.startsWith("SELECT") && ++batches === options.failOnBatch) {
        return Promise.reject(new Error("simulated failure"));
      }
      return Promise.resolve({ rowsAffected: 1 });
    },
  };
  const db: Database = {
    kind: "mssql",
    ...executor,
    transaction: async (work) => work(executor),
    readSnapshot: async (work) => work(executor),
    exec: (script) => {
      sent.push({ via: "exec", text: script, params: [] });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { db, sent };
}

const NOW = () => "2026-11-23T09:00:00.000Z";

async function migrationStatements(): Promise<Sent[]> {
  const { db, sent } = recordingDatabase();
  await migrate(db, NOW);
  return sent;
}

async function schemaForLint(): Promise<Schema> {
  // Every migration's tables: statements may read and write any of them.
  const schema = parseSchema(migrationScript);
  for (const later of loadMigrations("mssql").slice(1)) parseSchema(later.script, schema);
  const [createBookkeeping] = await migrationStatements();
  return parseSchema(createBookkeeping?.text ?? "", schema);
}

// -- tests ---------------------------------------------------------------------------

const exported: [string, unknown][] = [
  ...Object.entries(writeStatements),
  ...Object.entries(readStatements),
  ...Object.entries(bankStatements),
];

describe("SQL Server golden statements", () => {
  it("has a golden case for every export of statements/ (and no case for a name that is gone)", () => {
    const names = exported.map(([name]) => name);
    expect(new Set(names).size, "an export name appears in two statement files").toBe(names.length);
    const missing = names.filter((name) => CASES[name] === undefined && NOT_STATEMENTS[name] === undefined);
    expect(missing, `statement builders without a golden case: ${missing.join(", ")}`).toEqual([]);
    const stale = [...Object.keys(CASES), ...Object.keys(NOT_STATEMENTS)].filter((name) => !names.includes(name));
    expect(stale, `golden cases for names that are no longer exported: ${stale.join(", ")}`).toEqual([]);
    for (const [name, value] of exported) {
      if (NOT_STATEMENTS[name] === undefined)
        expect(typeof value, `${name} should be a builder function`).toBe("function");
    }
  });

  it("has no golden file that no case uses", () => {
    const used = new Set([
      ...Object.entries(CASES).flatMap(([name, cases]) => cases.map((c) => goldenName(name, c))),
      ...Object.values(MIGRATE_GOLDENS),
    ]);
    const orphans = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".sql") && !used.has(f));
    expect(orphans).toEqual([]);
  });

  it("includes amounts among the cases, bound as BIGINT text", () => {
    const amountParams = Object.values(CASES)
      .flat()
      .flatMap((c) => compile(c.build(), "mssql").params.filter((p) => p.kind === "minor"));
    expect(amountParams.length).toBeGreaterThan(20);
  });

  const all = Object.entries(CASES).flatMap(([name, cases]) =>
    cases.map((c) => ({ name, c, file: goldenName(name, c) })),
  );
  describe.each(all)("$file", ({ c, file }) => {
    it("matches the golden T-SQL and parameter types", () => {
      const { text: statement, params } = compile(c.build(), "mssql");
      expect(normalize(statement)).toBe(normalize(readGolden(file)));
      const inputs = mssqlInputs(params);
      expect(inputs.map((input) => input.type)).toEqual(typeList(c.types));
      expect(inputs.map((input) => input.name)).toEqual(params.map((_, i) => `p${i}`));
      if (c.values !== undefined) expect(inputs.map((input) => input.value)).toEqual(c.values);
    });

    it("binds no amount as a float, and every BIGINT as CAST(@pN AS BIGINT) text", () => {
      const { text: statement, params } = compile(c.build(), "mssql");
      const inputs = mssqlInputs(params);
      inputs.forEach((input, i) => {
        const param = params[i] as SqlParam;
        expect(ALLOWED_TYPES.has(input.type), `p${i} bound as ${input.type}`).toBe(true);
        expect(input.type).not.toMatch(/float|real|decimal|numeric|money/i);
        expect(
          typeof input.value === "number" && !Number.isInteger(input.value),
          `p${i} is a fractional JS number`,
        ).toBe(false);
        const uses = statement.match(new RegExp(`@p${i}(?!\\d)`, "g")) ?? [];
        expect(uses, `@p${i} should appear exactly once`).toHaveLength(1);
        const cast = statement.includes(`CAST(@p${i} AS BIGINT)`);
        if (param.kind === "minor" || param.kind === "bigint") {
          expect(input.type, `p${i} (${param.kind})`).toBe("VarChar(20)");
          expect(cast, `p${i} (${param.kind}) must appear as CAST(@p${i} AS BIGINT)`).toBe(true);
          expect(input.value === null || (typeof input.value === "string" && /^-?\d{1,19}$/.test(input.value))).toBe(
            true,
          );
        } else {
          expect(cast, `p${i} (${param.kind}) is cast to BIGINT`).toBe(false);
        }
      });
      const highest = Math.max(-1, ...[...statement.matchAll(/@p(\d+)/g)].map((match) => Number(match[1])));
      expect(highest, "a placeholder without a parameter").toBe(params.length - 1);
    });

    it("is valid T-SQL by the lint, and reads every amount as BIGINT", async () => {
      const { text: statement } = compile(c.build(), "mssql");
      expect(lint(statement, await schemaForLint())).toEqual([]);
    });
  });
});

describe("the lint itself", () => {
  // The lint must be able to fail, or the checks above prove nothing.
  const broken: readonly (readonly [string, RegExp])[] = [
    ["SELECT id FROM customers LIMIT 5", /LIMIT/],
    ["UPDATE counters SET value = value + 1 WHERE name = @p0 RETURNING value AS value_seq", /RETURNING/],
    ["SELECT c.id FROM customers c ORDER BY c.id OFFSET 0 ROWS", /malformed paging/],
    ["SELECT c.id FROM customers c OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY", /without an ORDER BY/],
    ["SELECT x.id FROM (SELECT c.id FROM customers c ORDER BY c.id) x", /ORDER BY inside/],
    ["SELECT c.id FROM customers WITH (UPDLOCK, ROWLOCK) c WHERE c.id IN (@p0)", /alias c after the table hint/],
    ["SELECT id FROM customers WHERE id IN (@p0) WITH (UPDLOCK)", /table hint not after a table/],
    ["SELECT on_hold FROM customers WHERE on_hold = TRUE", /boolean/],
    ["SELECT number || name AS label FROM customers", /\|\|/],
    ["SELECT id FROM (SELECT id FROM customers)", /without an alias/],
    ["SELECT currency, SUM(open_minor) / 100 AS total_minor FROM documents GROUP BY currency", /total_minor/],
    ["SELECT currency, SUM(open_minor) * 1.0 AS total_minor FROM documents GROUP BY currency", /decimal literal/],
    ["SELECT CAST(open_minor AS DECIMAL(19,4)) AS open_minor FROM documents", /open_minor/],
    ["SELECT d.open_minor AS open_amount FROM documents d", /open_amount/],
    ["SELECT d.open_minr FROM documents d", /no column open_minr/],
    ["SELECT opn_minor FROM documents", /opn_minor/],
    ["INSERT INTO gl_lines (journal_id, line_no) VALUES (@p0)", /2 columns but a row of 1/],
    ["UPDATE documents SET open_minr = @p0 WHERE id = @p1", /no column open_minr/],
    ["SELECT c.id AS [key] FROM customers c", /bracketed identifier/],
    [
      "SELECT y.currency FROM (SELECT d.currency, CASE WHEN d.due_date >= @p0 THEN @p1 ELSE @p2 END AS b FROM documents d) y GROUP BY y.currency, CASE WHEN y.currency = @p3 THEN 1 ELSE 0 END",
      /GROUP BY/,
    ],
  ];
  it.each(broken)("flags %s", async (statement, expected) => {
    const problems = lint(statement, await schemaForLint());
    expect(problems.length, "no problem found").toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(expected);
  });
});

describe("parameter budget: SQL Server takes at most 2,100 parameters per statement", () => {
  const LIMIT = 2_100;
  const idList = (n: number) => Array.from({ length: n }, (_, i) => `ID-${i}`);
  // server/store/read.ts chunks its IN lists at 1,000 ids (IN_LIST_CHUNK, not exported).
  const READ_CHUNK = 1_000;

  it("keeps ID_CHUNK ids within the limit in every IN-list statement of the write path", () => {
    const ids = idList(writeStatements.ID_CHUNK);
    const builders = [
      writeStatements.selectCustomersById,
      writeStatements.selectDocumentsById,
      writeStatements.selectReceiptsById,
      writeStatements.selectApplicationsById,
      writeStatements.selectActiveApplicationsBySource,
      writeStatements.selectDisputesById,
      writeStatements.selectOpenDisputesByDocument,
      writeStatements.selectTakenIds,
      writeStatements.selectTakenCustomerNumbers,
      writeStatements.selectTakenDocumentNumbers,
      bankStatements.selectBankLinesById,
      bankStatements.selectRememberedAccounts,
      bankStatements.selectJournalsById,
    ];
    for (const build of builders) {
      expect(compile(build("mssql", ids), "mssql").params.length, build.name).toBeLessThanOrEqual(LIMIT);
    }
  });

  it("keeps the read path's chunks within the limit", () => {
    const ids = idList(READ_CHUNK);
    for (const build of [
      readStatements.customersByIds,
      readStatements.documentsByIds,
      readStatements.receiptsByIds,
      readStatements.notesByIds,
      readStatements.disputesByIds,
      readStatements.periodsByIds,
    ]) {
      expect(compile(build("mssql", { ids }), "mssql").params.length, build.name).toBeLessThanOrEqual(LIMIT);
    }
    // A page's customers are looked up a chunk of ids at a time (documents by range: two ids).
    expect(
      compile(readStatements.latestCustomerNotes("mssql", { customerIds: ids }), "mssql").params.length,
    ).toBeLessThanOrEqual(LIMIT);
    // …and their latest promises the same way, plus the as-of date.
    expect(
      compile(readStatements.latestCustomerPromises("mssql", { asOf, customerIds: ids }), "mssql").params.length,
    ).toBeLessThanOrEqual(LIMIT);
  });

  it("keeps every chunk of a multi-row insert within the limit, when chunked by its column count", () => {
    const inserts: [string, (n: number) => Sql][] = [
      [
        "insertCustomers",
        (n) =>
          writeStatements.insertCustomers(
            "mssql",
            Array.from({ length: n }, () => ({ ...customer, changeSeq: 1n })),
          ),
      ],
      [
        "insertJournalLines",
        (n) =>
          writeStatements.insertJournalLines(
            "mssql",
            Array.from({ length: n }, (_, i) => ({
              journalId: "J",
              lineNo: i,
              account: "1200",
              currency: "EUR",
              debitMinor: 1n,
              creditMinor: 0n,
            })),
          ),
      ],
      [
        "insertBankLines",
        (n) => bankStatements.insertBankLines("mssql", Array.from({ length: n }, (_, i) => ({ ...BANK_LINE, lineNo: i + 1 }))),
      ],
      [
        "insertChanges",
        (n) =>
          writeStatements.insertChanges(
            "mssql",
            Array.from({ length: n }, (_, i) => ({
              seq: BigInt(i),
              entity: "receipt",
              entityId: "R",
              changeSetId: null,
              at: "t",
            })),
          ),
      ],
    ];
    expect(compile(bankStatements.insertBankLines("mssql", [BANK_LINE]), "mssql").params.length).toBe(
      bankStatements.BANK_LINE_COLUMNS,
    );
    for (const [name, build] of inserts) {
      const perRow = compile(build(1), "mssql").params.length;
      const columns = /\(([^)]*)\) VALUES/.exec(compile(build(1), "mssql").text)?.[1]?.split(",").length;
      expect(perRow, `${name}: one parameter per column`).toBe(columns);
      const [first] = writeStatements.chunkRows(
        Array.from({ length: 10_000 }, (_, i) => i),
        perRow,
      );
      expect(compile(build(first?.length ?? 0), "mssql").params.length, name).toBeLessThanOrEqual(LIMIT);
    }
  });

  it("keeps every chunk of a balance update within the limit, when chunked by BALANCE_COLUMNS", () => {
    const row = { id: "D", baseVersion: 1, deltaMinor: -1n, activityDate: "2026-11-23", flag: null, changeSeq: 1n };
    for (const build of [writeStatements.updateDocumentBalances, writeStatements.updateReceiptBalances]) {
      expect(compile(build("mssql", [row]), "mssql").params.length, build.name).toBe(writeStatements.BALANCE_COLUMNS);
      const [first] = writeStatements.chunkRows(Array.from({ length: 10_000 }, () => row), writeStatements.BALANCE_COLUMNS);
      expect(compile(build("mssql", first ?? []), "mssql").params.length, build.name).toBeLessThanOrEqual(LIMIT);
    }
  });
});

const MIGRATE_GOLDENS = {
  createSchemaMigrations: "migrate.createSchemaMigrations.sql",
  selectRecorded: "migrate.selectRecorded.sql",
  markApplying: "migrate.markApplying.sql",
  markApplied: "migrate.markApplied.sql",
  forgetFailed: "migrate.forgetFailed.sql",
} as const;

describe("SQL Server migration", () => {
  const batches = splitBatches(migrationScript, "mssql");
  const code = stripComments(migrationScript);
  const schema = parseSchema(migrationScript);
  // The ledger facts that must never change once written (DESIGN: append-only, mistakes reversed).
  const APPEND_ONLY = [
    "applications",
    "write_offs",
    "receipt_reversals",
    "gl_journals",
    "gl_lines",
    "audit_log",
    "changesets",
    "change_log",
  ];

  it("splits into the tables batch and one batch per append-only trigger", () => {
    // 1 batch of tables, indexes and the counter row, then 8 triggers, each after its own GO line.
    expect(batches).toHaveLength(9);
    expect(batches[0]).not.toMatch(/CREATE TRIGGER/i);
    expect(batches[0]).toMatch(/^-- OpenAR ledger/);
  });

  it("puts each CREATE TRIGGER alone in its batch, first", () => {
    const triggers = batches.slice(1);
    expect(triggers.map((b) => /^CREATE TRIGGER (\w+) ON (\w+) INSTEAD OF UPDATE, DELETE AS\n/.exec(b)?.[2])).toEqual(
      APPEND_ONLY,
    );
    for (const batch of triggers) {
      expect(batch.match(/CREATE\s+TRIGGER/gi)).toHaveLength(1);
      expect(batch, "nothing may follow the trigger body in its batch").toMatch(/\nEND;$/);
      expect(batch).toMatch(/THROW 51000, '[^']+', 1;/);
    }
  });

  it("only ever inserts into the append-only tables, and uses OUTPUT only where no trigger is", () => {
    const triggered = new Set(batches.slice(1).map((b) => /^CREATE TRIGGER \w+ ON (\w+)/.exec(b)?.[1]));
    for (const [name, cases] of Object.entries(CASES)) {
      for (const c of cases) {
        const statement = compile(c.build(), "mssql").text;
        const changed = /^(?:UPDATE|DELETE FROM|MERGE)\s+(\w+)/.exec(statement)?.[1];
        expect(changed !== undefined && triggered.has(changed), `${name} changes append-only ${changed ?? ""}`).toBe(
          false,
        );
        // SQL Server refuses OUTPUT without INTO on a table with an enabled trigger.
        if (/\bOUTPUT\b/.test(statement) && !/\bOUTPUT\b[^;]*\bINTO\b/.test(statement)) {
          const target = /^(?:UPDATE|INSERT INTO|DELETE FROM)\s+(\w+)/.exec(statement)?.[1];
          expect(triggered.has(target), `${name}: OUTPUT on ${target ?? "?"}, which has a trigger`).toBe(false);
        }
      }
    }
  });

  it("stores every amount as BIGINT minor units and nothing as DECIMAL, MONEY, FLOAT or REAL", () => {
    const amountColumns = [...schema].flatMap(([table, columns]) =>
      [...columns].filter(([col]) => col.endsWith("_minor")).map(([col, type]) => `${table}.${col} ${type}`),
    );
    expect(amountColumns.sort()).toEqual(
      [
        "customers.credit_limit_minor BIGINT",
        "documents.amount_minor BIGINT",
        "documents.open_minor BIGINT",
        "receipts.amount_minor BIGINT",
        "receipts.unapplied_minor BIGINT",
        "applications.amount_minor BIGINT",
        "applications.discount_minor BIGINT",
        "applications.writeoff_minor BIGINT",
        "write_offs.amount_minor BIGINT",
        "notes.promise_amount_minor BIGINT",
        "disputes.amount_minor BIGINT",
        "gl_lines.debit_minor BIGINT",
        "gl_lines.credit_minor BIGINT",
      ].sort(),
    );
    expect(code).not.toMatch(/\b(DECIMAL|NUMERIC|MONEY|SMALLMONEY|FLOAT|REAL)\b/i);
  });

  it("uses only SQL Server DDL, with no reserved word as a name", () => {
    expect(code).not.toMatch(/\b(AUTOINCREMENT|SERIAL|STRICT|PRAGMA|BOOLEAN|RAISE|plpgsql|TEXT)\b|\$\$|IF NOT EXISTS/i);
    const names = [...schema].flatMap(([table, columns]) => [table, ...columns.keys()]);
    expect(names.filter((n) => RESERVED.has(n.toUpperCase()))).toEqual([]);
    expect(schema.size).toBe(16);
  });

  it("sends the bookkeeping statements of migrate() as in the golden files", async () => {
    const sent = await migrationStatements();
    const [create, select, markApplying, ...rest] = sent;
    // Migration 1 ends at its first "applied" mark; later migrations follow the same pattern.
    const appliedAt = rest.findIndex((s) => /^UPDATE schema_migrations SET state/.test(s.text));
    const markApplied = rest[appliedAt];
    const ddl = rest.slice(0, appliedAt);
    expect(create?.via).toBe("exec");
    expect(normalize(create?.text ?? "")).toBe(normalize(readGolden(MIGRATE_GOLDENS.createSchemaMigrations)));
    expect(normalize(select?.text ?? "")).toBe(normalize(readGolden(MIGRATE_GOLDENS.selectRecorded)));
    expect(normalize(markApplying?.text ?? "")).toBe(normalize(readGolden(MIGRATE_GOLDENS.markApplying)));
    expect(mssqlInputs(markApplying?.params ?? []).map((p) => [p.type, p.value])).toEqual([
      ["Int", 1],
      ["NVarChar(4000)", "initial"],
      ["NVarChar(4000)", loadMigrations("mssql")[0]?.checksum],
      ["NVarChar(4000)", "applying"],
      ["NVarChar(4000)", "2026-11-23T09:00:00.000Z"],
    ]);
    // Each batch goes alone and as it is, with no parameters.
    expect(ddl.map((s) => s.text)).toEqual(batches);
    expect(ddl.every((s) => s.params.length === 0)).toBe(true);
    expect(normalize(markApplied?.text ?? "")).toBe(normalize(readGolden(MIGRATE_GOLDENS.markApplied)));
    expect(mssqlInputs(markApplied?.params ?? []).map((p) => [p.type, p.value])).toEqual([
      ["NVarChar(4000)", "applied"],
      ["Int", 1],
    ]);
    const schemaWithBookkeeping = parseSchema(create?.text ?? "", parseSchema(migrationScript));
    for (const s of [select, markApplying, markApplied]) expect(lint(s?.text ?? "", schemaWithBookkeeping)).toEqual([]);
  });

  it("forgets the applying mark when a batch fails, as in the golden file", async () => {
    const { db, sent } = recordingDatabase({ failOnBatch: 3 });
    await expect(migrate(db, NOW)).rejects.toBeInstanceOf(SchemaError);
    const last = sent[sent.length - 1];
    expect(normalize(last?.text ?? "")).toBe(normalize(readGolden(MIGRATE_GOLDENS.forgetFailed)));
    expect(mssqlInputs(last?.params ?? []).map((p) => [p.type, p.value])).toEqual([
      ["Int", 1],
      ["NVarChar(4000)", "applying"],
    ]);
    expect(lint(last?.text ?? "", await schemaForLint())).toEqual([]);
  });
});

describe("SQL Server migration 002 (bank statements)", () => {
  const script = readFileSync(BANK_MIGRATION, "utf8");
  const batches = splitBatches(script, "mssql");
  const schema = parseSchema(script);

  it("creates the bank tables with every amount as BIGINT minor units", () => {
    expect([...schema.keys()].sort()).toEqual(["bank_lines", "bank_statements", "csv_mappings", "customer_bank_accounts"]);
    const amountColumns = [...schema].flatMap(([table, columns]) =>
      [...columns].filter(([col]) => col.endsWith("_minor")).map(([col, type]) => `${table}.${col} ${type}`),
    );
    expect(amountColumns.sort()).toEqual(
      ["bank_lines.amount_minor BIGINT", "bank_statements.closing_minor BIGINT", "bank_statements.opening_minor BIGINT"].sort(),
    );
    expect(stripComments(script)).not.toMatch(/\b(DECIMAL|NUMERIC|MONEY|SMALLMONEY|FLOAT|REAL|TEXT)\b/i);
    const names = [...schema].flatMap(([table, columns]) => [table, ...columns.keys()]);
    expect(names.filter((n) => RESERVED.has(n.toUpperCase()))).toEqual([]);
  });

  it("makes statements append-only and lets a line change only its status, receipt and version", () => {
    expect(batches).toHaveLength(4);
    expect(batches[0]).not.toMatch(/CREATE TRIGGER/i);
    const triggers = batches.slice(1).map((b) => /^CREATE TRIGGER \w+ ON (\w+) (INSTEAD OF|AFTER) ([A-Z, ]+) AS\n/.exec(b)?.slice(1));
    expect(triggers).toEqual([
      ["bank_statements", "INSTEAD OF", "UPDATE, DELETE"],
      ["bank_lines", "INSTEAD OF", "DELETE"],
      ["bank_lines", "AFTER", "UPDATE"],
    ]);
    // The AFTER UPDATE trigger names every column but the three a match changes.
    const guarded = [...(batches[3] ?? "").matchAll(/UPDATE\((\w+)\)/g)].map((match) => match[1]);
    const lineColumns = [...(schema.get("bank_lines")?.keys() ?? [])];
    expect(guarded.sort()).toEqual(lineColumns.filter((c) => !["status", "receipt_id", "version"].includes(c)).sort());
  });

  it("has no statement that changes a bank statement, and only matchBankLine updates a bank line", () => {
    for (const [name, cases] of Object.entries(CASES)) {
      for (const c of cases) {
        const statement = compile(c.build(), "mssql").text;
        const changed = /^(?:UPDATE|DELETE FROM|MERGE)\s+(\w+)/.exec(statement)?.[1];
        expect(changed, name).not.toBe("bank_statements");
        if (changed === "bank_lines") {
          expect(name).toBe("matchBankLine");
          const set = /SET (.*) WHERE/.exec(statement)?.[1] ?? "";
          expect(set.split(",").map((part) => part.trim().split(" ")[0])).toEqual(["status", "receipt_id", "version"]);
        }
      }
    }
  });
});

describe("mssqlInputs", () => {
  it("binds each kind with its fixed type, amounts as decimal text", () => {
    expect(
      mssqlInputs([
        text("C-1"),
        date("2026-11-23"),
        int(7),
        minor(12_345n),
        seq(9_007_199_254_740_993n),
        minor(null),
        text(null),
      ]),
    ).toEqual([
      { name: "p0", type: "NVarChar(4000)", value: "C-1" },
      { name: "p1", type: "VarChar(10)", value: "2026-11-23" },
      { name: "p2", type: "Int", value: 7 },
      { name: "p3", type: "VarChar(20)", value: "12345" },
      { name: "p4", type: "VarChar(20)", value: "9007199254740993" },
      { name: "p5", type: "VarChar(20)", value: null },
      { name: "p6", type: "NVarChar(4000)", value: null },
    ]);
  });

  it("fits the whole BIGINT range in VarChar(20)", () => {
    // -9223372036854775808 is 20 characters: the sign and 19 digits.
    const [low, high] = mssqlInputs([minor(-(2n ** 63n)), minor(2n ** 63n - 1n)]);
    expect(low?.value).toBe("-9223372036854775808");
    expect(high?.value).toBe("9223372036854775807");
    expect(String(low?.value).length).toBe(20);
  });

  it("sends text past 4,000 characters as NVarChar(MAX), not a truncated or refused NVarChar(4000)", () => {
    const [at, past] = mssqlInputs([text("x".repeat(4_000)), text("x".repeat(4_001))]);
    expect(at?.type).toBe("NVarChar(4000)");
    expect(past?.type).toBe("NVarChar(MAX)");
    expect(past?.value).toHaveLength(4_001);
  });
});

describe("normalizeRow on rows as tedious returns them", () => {
  it("turns BIGINT text into bigint, beyond 2^53 included", () => {
    expect(normalizeRow({ amount_minor: "12345", value_seq: "9007199254740993", id: "D-1" })).toEqual({
      amount_minor: 12_345n,
      value_seq: 9_007_199_254_740_993n,
      id: "D-1",
    });
  });

  it("turns a SUM over BIGINT (also text) into bigint, negative included, and keeps null", () => {
    expect(normalizeRow({ total_minor: "-9223372036854775808", balance_minor: "0", expected_minor: null })).toEqual({
      total_minor: -(2n ** 63n),
      balance_minor: 0n,
      expected_minor: null,
    });
  });

  it("keeps INT columns numbers and reads counts as numbers", () => {
    expect(normalizeRow({ version: 3, disputed: 0, item_count: 12 })).toEqual({
      version: 3,
      disputed: 0,
      item_count: 12,
    });
  });

  it("refuses a fractional or float-shaped amount instead of guessing", () => {
    expect(() => normalizeRow({ amount_minor: 12.5 })).toThrow(/amount_minor/);
    expect(() => normalizeRow({ amount_minor: "12.50" })).toThrow(/amount_minor/);
    expect(() => normalizeRow({ amount_minor: 2 ** 53 })).toThrow(/amount_minor/);
  });
});
