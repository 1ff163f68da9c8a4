/**
 * Refresh that merges (addin/sync/refresh.ts): change-feed entries merged
 * into the Open Items rows without losing the clerk's unpushed edits, and
 * refresh() end to end over an in-memory gateway and a stubbed service.
 *
 * The sheet is aged as of 2026-11-23 (serial 46349) on the due basis with the
 * default edges; day counts are worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { bucketLabels, openItemRow, rowCell, rowId, STATUS, type AgingView } from "../../addin/sheets/open-items.js";
import { OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { ApiClient, ApiError } from "../../addin/sync/api-client.js";
import { mergeChanges, refresh, type MergeFilters } from "../../addin/sync/refresh.js";
import { KEYS } from "../../addin/sync/workbook-state.js";
import type { OpenItemWire } from "../../addin/sync/wire.js";
import { d } from "../support/builders.js";
import { asReadBack, FakeGateway } from "../support/fake-gateway.js";
import {
  anOpenItem,
  customerChange,
  documentChange,
  goneChange,
  jsonResponse,
  ndjsonResponse,
  openItemLines,
  noteChange,
  receiptChange,
  stubFetch,
  type Change,
} from "../support/fake-server.js";

const VIEW: AgingView = { asOf: d("2026-11-23"), basis: "due", edges: [30, 60, 90, 120] };
const NO_FILTERS: MergeFilters = {};

const ITEMS: readonly OpenItemWire[] = [
  // Row 0. Due 2026-10-01: 53 days past due.
  anOpenItem({ id: "inv-1001", number: "INV-1001", lastNote: { kind: "call", body: "Promised to pay Friday", at: "2026-11-20T14:03:00.000Z" } }),
  // Row 1. Due 2026-11-15: 8 days past due.
  anOpenItem({ id: "inv-1002", number: "INV-1002", documentDate: "2026-10-16", dueDate: "2026-11-15", amount: "400.00", open: "400.00", days: 8, bucket: "1-30", version: 1 }),
  // Row 2.
  anOpenItem({ id: "cm-7", kind: "creditMemo", number: "CM-7", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "-200.00", open: "-200.00", days: 22, bucket: "1-30", version: 1 }),
  // Row 3.
  anOpenItem({ id: "rcp-9", kind: "unappliedCash", number: "CHK 5521", documentDate: "2026-11-02", dueDate: "2026-11-02", amount: "-300.00", open: "-300.00", days: 21, bucket: "1-30", version: 2 }),
  // Row 4: another customer, with a document number Excel would read as a formula.
  anOpenItem({ id: "inv-2001", customerId: "cust-zeta", customerNumber: "C-200", customerName: "Zeta Ltd", collector: "sam", number: "-123", amount: "99.00", open: "99.00", version: 5 }),
  // Row 5: a third customer, in KWD.
  anOpenItem({ id: "inv-3001", customerId: "cust-kwt", customerNumber: "C-300", customerName: "Kuwait Trading", currency: "KWD", amount: "12.345", open: "12.345", version: 1 }),
];

const col = (key: string): number => {
  const index = OPEN_ITEMS.columns.findIndex((c) => c.key === key);
  if (index < 0) throw new Error(`no column ${key}`);
  return index;
};
const cell = (row: readonly CellValue[] | undefined, key: string): CellValue => (row === undefined ? "(no row)" : rowCell(row, key));

/** The sheet as Excel reads it back after a pull of ITEMS. */
function sheet(): CellValue[][] {
  const labels = bucketLabels(VIEW);
  return ITEMS.map((item) => asReadBack(openItemRow(item, labels)));
}

/** The clerk typed an amount to apply into a row. */
function withApply(rows: CellValue[][], index: number, amount: number): CellValue[][] {
  const row = rows[index];
  if (row === undefined) throw new Error(`no row ${index}`);
  row[col("apply")] = amount;
  return rows;
}

describe("mergeChanges: documents", () => {
  it("a document paid on the server, without local edits, removes its row", () => {
    const merged = mergeChanges(sheet(), [documentChange(11, { id: "inv-1001", open: "0.00", version: 3 })], VIEW, NO_FILTERS);
    expect(merged.deletes).toEqual([0]);
    expect(merged.updates.size).toBe(0);
    expect(merged.appends).toEqual([]);
    expect(merged.summary).toEqual({ updated: 0, added: 0, removed: 1, clashes: 0, keptGone: 0 });
  });

  it("a document paid on the server, with local edits, is kept and flagged", () => {
    const merged = mergeChanges(withApply(sheet(), 0, 100), [documentChange(11, { id: "inv-1001", open: "0.00", version: 3 })], VIEW, NO_FILTERS);
    expect(merged.deletes).toEqual([]);
    const row = merged.updates.get(0);
    expect(cell(row, "status")).toBe("Edited; no longer open on server");
    expect(cell(row, "apply")).toBe(100);
    // Nothing else is rewritten: the clerk still sees what they were working on.
    expect([cell(row, "open"), cell(row, "version")]).toEqual([750.5, 2]);
    expect(merged.summary).toEqual({ updated: 0, added: 0, removed: 0, clashes: 0, keptGone: 1 });
  });

  it("a document that no longer exists (data null) is treated like a paid one", () => {
    expect(mergeChanges(sheet(), [goneChange(11, "document", "inv-1002")], VIEW, NO_FILTERS).deletes).toEqual([1]);
    const kept = mergeChanges(withApply(sheet(), 1, 5), [goneChange(11, "document", "inv-1002")], VIEW, NO_FILTERS);
    expect(cell(kept.updates.get(1), "status")).toBe(STATUS.gone);
  });

  it("a document changed on the server under an edit based on version 2: read-only columns updated, edit kept, clash, version stays 2", () => {
    const merged = mergeChanges(withApply(sheet(), 0, 100), [documentChange(11, { id: "inv-1001", open: "500.00", version: 3 })], VIEW, NO_FILTERS);
    const row = merged.updates.get(0);
    expect(cell(row, "open")).toBe(500);
    expect(cell(row, "amount")).toBe(1250);
    expect(cell(row, "apply")).toBe(100);
    expect(cell(row, "orig:apply")).toBe("");
    expect(cell(row, "status")).toBe("Edited; changed on server");
    // Pushing the edit must surface the conflict, so the row keeps the version the edit was based on.
    expect(cell(row, "version")).toBe(2);
    // Re-aged as of the view's date: 2026-10-01 → 2026-11-23 is 53 days.
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([53, "31–60"]);
    // The last note is not part of the document's data: it stays.
    expect(cell(row, "lastNote")).toBe("2026-11-20 call: Promised to pay Friday");
    expect(merged.summary).toEqual({ updated: 1, added: 0, removed: 0, clashes: 1, keptGone: 0 });
  });

  it("a document changed on the server without a local edit is simply updated, to version 3", () => {
    const merged = mergeChanges(sheet(), [documentChange(11, { id: "inv-1001", open: "500.00", version: 3, disputed: true })], VIEW, NO_FILTERS);
    const row = merged.updates.get(0);
    expect([cell(row, "open"), cell(row, "version"), cell(row, "status"), cell(row, "disputed")]).toEqual([500, 3, "", "Yes"]);
    expect(merged.summary.clashes).toBe(0);
  });

  it("an edited row whose document did not change version stays 'Edited (not pushed)'", () => {
    const merged = mergeChanges(withApply(sheet(), 0, 100), [documentChange(11, { id: "inv-1001", version: 2 })], VIEW, NO_FILTERS);
    const row = merged.updates.get(0);
    expect([cell(row, "status"), cell(row, "version")]).toEqual([STATUS.edited, 2]);
  });

  it("a credit memo's change stays negative in the sheet", () => {
    const merged = mergeChanges(sheet(), [documentChange(11, { id: "cm-7", type: "creditMemo", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "200.00", open: "150.00", version: 2 })], VIEW, NO_FILTERS);
    const row = merged.updates.get(2);
    expect([cell(row, "type"), cell(row, "amount"), cell(row, "open"), cell(row, "version")]).toEqual(["Credit memo", -200, -150, 2]);
    // Aged from its own date: 2026-11-01 → 2026-11-23 is 22 days.
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([22, "1–30"]);
  });

  it("a new document for a customer in the sheet is appended, aged for the view's as-of date", () => {
    const merged = mergeChanges(
      sheet(),
      [documentChange(12, { id: "inv-1003", number: "INV-1003", documentDate: "2026-10-10", dueDate: "2026-11-09", amount: "80.00", open: "80.00", version: 1 })],
      VIEW,
      NO_FILTERS,
    );
    // Serials: 2026-10-01 is 46296, so 2026-10-10 is 46305; 2026-11-09 is 46349 − 14 = 46335.
    // Days past due: 2026-11-09 → 2026-11-23 is 14, in 1–30.
    expect(merged.appends).toEqual([
      // Read-only columns; eight empty editable columns and the status; id, kind, customer, version, the document's terms, no dispute; eight empty originals.
      ["C-100", "Acme Corp", "Invoice", "INV-1003", 46305, 46335, "USD", 80, 80, 14, "1–30", "", "", "", "", ...Array<string>(9).fill(""), "inv-1003", "invoice", "cust-acme", 1, "NET 30", "", ...Array<string>(8).fill("")],
    ]);
    expect(merged.summary).toEqual({ updated: 0, added: 1, removed: 0, clashes: 0, keptGone: 0 });
  });

  it("a new document as of a fixed past date is aged for that date; one dated after it is not there yet", () => {
    const past: AgingView = { ...VIEW, asOf: d("2026-10-31") };
    const merged = mergeChanges(
      sheet(),
      [
        documentChange(12, { id: "inv-1003", documentDate: "2026-10-10", dueDate: "2026-11-09", amount: "80.00", open: "80.00", version: 1 }),
        documentChange(13, { id: "inv-1004", documentDate: "2026-11-05", dueDate: "2026-12-05", amount: "10.00", open: "10.00", version: 1 }),
      ],
      past,
      NO_FILTERS,
    );
    expect(merged.appends.map((r) => rowId(r))).toEqual(["inv-1003"]);
    // 2026-10-31 is 9 days before 2026-11-09: −9, Current.
    expect([cell(merged.appends[0], "days"), cell(merged.appends[0], "bucket")]).toEqual([-9, "Current"]);
  });

  it("a new document outside the saved customer or currency filter is not appended", () => {
    const zeta = documentChange(12, { id: "inv-2002", customerId: "cust-zeta", open: "10.00", version: 1 });
    const kwd = documentChange(13, { id: "inv-3002", customerId: "cust-kwt", currency: "KWD", amount: "1.000", open: "1.000", version: 1 });
    const usd = documentChange(14, { id: "inv-1005", open: "10.00", version: 1 });
    expect(mergeChanges(sheet(), [zeta, usd], VIEW, { customerId: "cust-acme" }).appends.map((r) => rowId(r))).toEqual(["inv-1005"]);
    expect(mergeChanges(sheet(), [kwd, usd], VIEW, { currency: "USD" }).appends.map((r) => rowId(r))).toEqual(["inv-1005"]);
    // Empty filters are no filters.
    expect(mergeChanges(sheet(), [zeta, kwd], VIEW, { customerId: "", currency: "" }).appends.map((r) => rowId(r))).toEqual(["inv-2002", "inv-3002"]);
  });

  it("a new document of a customer outside the saved collector filter is not appended; one of a collector's customer is", () => {
    const newCustomer = customerChange(11, { id: "cust-new", number: "C-900", name: "Newco", collector: "sam" });
    const theirs = documentChange(12, { id: "inv-9001", customerId: "cust-new", open: "10.00", version: 1 });
    expect(mergeChanges(sheet(), [newCustomer, theirs], VIEW, { collector: "jo" }).appends).toEqual([]);
    const appended = mergeChanges(sheet(), [newCustomer, theirs], VIEW, { collector: "sam" }).appends;
    expect(appended.map((r) => [cell(r, "customerNumber"), cell(r, "customerName")])).toEqual([["C-900", "Newco"]]);
  });

  it("multiple changes to one document: the latest wins", () => {
    const merged = mergeChanges(
      sheet(),
      [documentChange(5, { id: "inv-1001", open: "600.00", version: 3 }), documentChange(9, { id: "inv-1001", open: "400.00", version: 4 })],
      VIEW,
      NO_FILTERS,
    );
    expect([cell(merged.updates.get(0), "open"), cell(merged.updates.get(0), "version")]).toEqual([400, 4]);
    // Paid, then reopened by a reversal: still open, so still there.
    const reopened = mergeChanges(
      sheet(),
      [documentChange(5, { id: "inv-1001", open: "0.00", version: 3 }), documentChange(9, { id: "inv-1001", open: "750.50", version: 4 })],
      VIEW,
      NO_FILTERS,
    );
    expect(reopened.deletes).toEqual([]);
    expect(cell(reopened.updates.get(0), "version")).toBe(4);
  });

  it("a change the add-in cannot read is reported as a malformed answer, not taken as a removal", () => {
    const bad: Change = { ...documentChange(11, { id: "inv-1001" }), data: { id: "inv-1001", open: 12.5 } };
    expect(() => mergeChanges(sheet(), [bad], VIEW, NO_FILTERS)).toThrow(ApiError);
    try {
      mergeChanges(sheet(), [bad], VIEW, NO_FILTERS);
    } catch (error) {
      expect(error instanceof ApiError && error.kind).toBe("malformed");
      expect((error as Error).message).toContain("inv-1001");
    }
  });
});

describe("mergeChanges: receipts, customers, notes", () => {
  it("a receipt whose unapplied amount becomes 0 removes the unapplied-cash row", () => {
    const merged = mergeChanges(sheet(), [receiptChange(11, { id: "rcp-9", unapplied: "0.00", version: 3 })], VIEW, NO_FILTERS);
    expect(merged.deletes).toEqual([3]);
  });

  it("a reversed receipt removes its row too", () => {
    expect(mergeChanges(sheet(), [receiptChange(11, { id: "rcp-9", reversed: true, version: 3 })], VIEW, NO_FILTERS).deletes).toEqual([3]);
  });

  it("a receipt partly applied shows what is left, negative", () => {
    const row = mergeChanges(sheet(), [receiptChange(11, { id: "rcp-9", unapplied: "100.00", version: 3 })], VIEW, NO_FILTERS).updates.get(3);
    expect([cell(row, "type"), cell(row, "number"), cell(row, "amount"), cell(row, "open"), cell(row, "version")]).toEqual(["Unapplied cash", "CHK 5521", -300, -100, 3]);
    // Aged from the receipt date: 2026-11-02 → 2026-11-23 is 21 days.
    expect(cell(row, "days")).toBe(21);
  });

  it("a customer renamed: every row of theirs shows the new name, nobody else's", () => {
    const merged = mergeChanges(sheet(), [customerChange(11, { id: "cust-acme", number: "C-100", name: "Acme Corporation Ltd" })], VIEW, NO_FILTERS);
    expect([...merged.updates.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    for (const row of merged.updates.values()) expect([cell(row, "customerNumber"), cell(row, "customerName")]).toEqual(["C-100", "Acme Corporation Ltd"]);
  });

  it("a new name that looks like a formula is written as text", () => {
    const merged = mergeChanges(sheet(), [customerChange(11, { id: "cust-zeta", number: "C-200", name: "=Zeta" })], VIEW, NO_FILTERS);
    expect(cell(merged.updates.get(4), "customerName")).toBe("'=Zeta");
  });

  it("rows written back keep their text safe: a document number read back as -123 is written as text again", () => {
    // Excel read "'-123" back as "-123"; writing "-123" would make it the number −123.
    const merged = mergeChanges(sheet(), [customerChange(11, { id: "cust-zeta", number: "C-200", name: "Zeta Limited" })], VIEW, NO_FILTERS);
    expect(cell(merged.updates.get(4), "number")).toBe("'-123");
  });

  it("a new note on a document becomes its row's last note", () => {
    const merged = mergeChanges(
      sheet(),
      [noteChange(11, { id: "n-1", documentId: "inv-1002", kind: "email", body: "Sent copy of invoice", createdAt: "2026-11-22T09:15:00.000Z" })],
      VIEW,
      NO_FILTERS,
    );
    expect([...merged.updates.keys()]).toEqual([1]);
    expect(cell(merged.updates.get(1), "lastNote")).toBe("2026-11-22 email: Sent copy of invoice");
  });

  it("of two new notes on a document, the later one is shown", () => {
    const merged = mergeChanges(
      sheet(),
      [
        noteChange(11, { id: "n-1", documentId: "inv-1002", body: "first", createdAt: "2026-11-21T09:00:00.000Z" }),
        noteChange(12, { id: "n-2", documentId: "inv-1002", kind: "promise", body: "second", createdAt: "2026-11-22T09:00:00.000Z" }),
      ],
      VIEW,
      NO_FILTERS,
    );
    expect(cell(merged.updates.get(1), "lastNote")).toBe("2026-11-22 promise: second");
  });

  it("a note on a document that arrives in the same refresh is shown on its new row", () => {
    const merged = mergeChanges(
      sheet(),
      [
        documentChange(11, { id: "inv-1003", open: "80.00", version: 1 }),
        noteChange(12, { id: "n-1", documentId: "inv-1003", body: "sent by courier", createdAt: "2026-11-22T09:00:00.000Z" }),
      ],
      VIEW,
      NO_FILTERS,
    );
    expect(cell(merged.appends[0], "lastNote")).toBe("2026-11-22 call: sent by courier");
  });

  it("a document change keeps a note that arrived with it", () => {
    const merged = mergeChanges(
      sheet(),
      [noteChange(11, { id: "n-1", documentId: "inv-1001", body: "disputes price" }), documentChange(12, { id: "inv-1001", open: "700.00", version: 3 })],
      VIEW,
      NO_FILTERS,
    );
    expect(cell(merged.updates.get(0), "lastNote")).toBe("2026-11-22 call: disputes price");
    expect(cell(merged.updates.get(0), "open")).toBe(700);
  });
});

describe("mergeChanges: deletes", () => {
  it("deletes are sorted ascending, unique, and never also updated", () => {
    const merged = mergeChanges(
      sheet(),
      [
        goneChange(20, "document", "inv-2001"),
        documentChange(21, { id: "inv-1002", open: "0.00", version: 2 }),
        // Renaming both customers touches rows 1 and 4 too, but they are going.
        customerChange(22, { id: "cust-zeta", number: "C-200", name: "Zeta Limited" }),
        customerChange(23, { id: "cust-acme", number: "C-100", name: "Acme Corporation" }),
        documentChange(24, { id: "inv-1002", open: "0.00", version: 3 }),
      ],
      VIEW,
      NO_FILTERS,
    );
    expect(merged.deletes).toEqual([1, 4]);
    expect([...merged.updates.keys()].sort((a, b) => a - b)).toEqual([0, 2, 3]);
  });

  it("changes to documents the sheet does not show and that are not open are ignored", () => {
    const merged = mergeChanges(sheet(), [documentChange(11, { id: "inv-elsewhere", open: "0.00" }), goneChange(12, "receipt", "rcp-elsewhere")], VIEW, NO_FILTERS);
    expect(merged).toEqual({ updates: new Map(), appends: [], deletes: [], summary: { updated: 0, added: 0, removed: 0, clashes: 0, keptGone: 0 } });
  });
});

// ---------------------------------------------------------------------------
// refresh() end to end

const BASE = "http://openar.test";
const SAVED = { asOf: "2026-11-23", basis: "due", buckets: [30, 60, 90, 120], asOfMode: "today" } as const;
const EMPTY_AGING = { asOf: "2026-11-23", basis: "due", buckets: [], customers: [], totals: [], disputed: [] };

function workbook(options: { saved?: object | null; cursor?: string | null; rows?: CellValue[][] } = {}): FakeGateway {
  const gateway = new FakeGateway();
  gateway.seed(OPEN_ITEMS, options.rows ?? sheet());
  const saved = options.saved === undefined ? SAVED : options.saved;
  if (saved !== null) gateway.settings.set(KEYS.lastPull, JSON.stringify(saved));
  const cursor = options.cursor === undefined ? "10" : options.cursor;
  if (cursor !== null) gateway.settings.set(KEYS.cursor, cursor);
  return gateway;
}

function feed(pages: Record<string, { changes: Change[]; cursor: string; hasMore: boolean }>) {
  return stubFetch((request) => {
    if (request.url.pathname === "/api/v1/aging") return jsonResponse(200, { ...EMPTY_AGING, asOf: request.url.searchParams.get("asOf") });
    if (request.url.pathname !== "/api/v1/changes") return jsonResponse(404, { error: "not_found", message: "no route" });
    const page = pages[request.url.searchParams.get("since") ?? ""];
    return page === undefined ? jsonResponse(500, { error: "internal", message: "unexpected cursor" }) : jsonResponse(200, page);
  });
}

describe("refresh", () => {
  it("before any pull it says to pull first, and asks the server nothing", async () => {
    const server = feed({});
    const client = new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch);
    await expect(refresh({ gateway: workbook({ saved: null, cursor: null }), client, today: d("2026-11-23") })).rejects.toThrow(/pull first/);
    await expect(refresh({ gateway: workbook({ cursor: null }), client, today: d("2026-11-23") })).rejects.toThrow(/pull first/);
    expect(server.requests).toEqual([]);
  });

  it("pages through the feed, writes updates in contiguous blocks, appends, deletes and saves the new cursor", async () => {
    const gateway = workbook();
    const server = feed({
      "10": {
        changes: [documentChange(11, { id: "inv-1001", open: "500.00", version: 3 }), documentChange(12, { id: "inv-1002", open: "300.00", version: 2 })],
        cursor: "12",
        hasMore: true,
      },
      "12": {
        changes: [
          documentChange(13, { id: "inv-2001", customerId: "cust-zeta", number: "-123", amount: "99.00", open: "50.00", version: 6 }),
          receiptChange(14, { id: "rcp-9", unapplied: "0.00", version: 3 }),
          documentChange(15, { id: "inv-1003", number: "INV-1003", documentDate: "2026-10-10", dueDate: "2026-11-09", amount: "80.00", open: "80.00", version: 1 }),
        ],
        cursor: "15",
        hasMore: false,
      },
    });
    const client = new ApiClient({ baseUrl: BASE, token: "secret-token" }, server.fetch);

    const summary = await refresh({ gateway, client, today: d("2026-11-23") });

    expect(summary).toEqual({ mode: "merged", changes: 5, updated: 3, added: 1, removed: 1, clashes: 0, keptGone: 0 });
    expect(server.requests.filter((r) => r.url.pathname === "/api/v1/changes").map((r) => [r.url.searchParams.get("since"), r.url.searchParams.get("limit"), r.headers.authorization])).toEqual([
      ["10", "5000", "Bearer secret-token"],
      ["12", "5000", "Bearer secret-token"],
    ]);
    // Rows 0 and 1 in one block, row 4 in another; the append at the old end (6); then the delete.
    expect(gateway.rowWrites(OPEN_ITEMS.table).map((c) => (c.method === "writeRows" ? ["write", c.fromRow, c.rows] : c.method === "deleteRows" ? ["delete", c.indexes] : [c.method]))).toEqual([
      ["write", 0, 2],
      ["write", 4, 1],
      ["write", 6, 1],
      ["delete", [3]],
    ]);
    const rows = gateway.rowsOf(OPEN_ITEMS.table);
    expect(rows.map((r) => rowId(r))).toEqual(["inv-1001", "inv-1002", "cm-7", "inv-2001", "inv-3001", "inv-1003"]);
    expect(rows.map((r) => cell(r, "open"))).toEqual([500, 300, -200, 50, 12.345, 80]);
    expect(gateway.formulaLikeWrites).toEqual([]);
    expect(gateway.settings.get(KEYS.cursor)).toBe("15");
    expect(JSON.parse(gateway.settings.get(KEYS.lastPull) ?? "null")).toEqual(SAVED);
  });

  it("keeps the clerk's edit, flags the clash, brings in the rest, and writes nothing Excel would evaluate", async () => {
    const gateway = workbook();
    gateway.userEdit(OPEN_ITEMS.table, 0, "apply", 100);
    gateway.userEdit(OPEN_ITEMS.table, 0, "note", "'-5 short paid");
    const server = feed({
      "10": {
        changes: [
          documentChange(11, { id: "inv-1001", open: "500.00", version: 3 }),
          customerChange(12, { id: "cust-zeta", number: "C-200", name: "Zeta Limited" }),
          noteChange(13, { id: "n-1", documentId: "inv-1001", body: "paid part by wire" }),
        ],
        cursor: "13",
        hasMore: false,
      },
    });
    const summary = await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-23") });
    expect(summary.clashes).toBe(1);
    const rows = gateway.rowsOf(OPEN_ITEMS.table);
    expect([cell(rows[0], "apply"), cell(rows[0], "note"), cell(rows[0], "open"), cell(rows[0], "version"), cell(rows[0], "status")]).toEqual([
      100,
      "-5 short paid",
      500,
      2,
      STATUS.clash,
    ]);
    expect(cell(rows[0], "lastNote")).toBe("2026-11-22 call: paid part by wire");
    expect([cell(rows[4], "customerName"), cell(rows[4], "number")]).toEqual(["Zeta Limited", "-123"]);
    expect(gateway.formulaLikeWrites).toEqual([]);
  });

  it("a name with its own leading apostrophe ('t Hart) keeps it when refresh writes the row again", async () => {
    const rows = sheet();
    const dutch = rows[5];
    if (dutch === undefined) throw new Error("no row 5");
    // As Excel reads it back: the name's own apostrophe, the marker gone.
    dutch[col("customerName")] = "'t Hart Transport";
    const gateway = workbook({ rows });
    const server = feed({ "10": { changes: [noteChange(11, { id: "n-1", customerId: "cust-kwt", documentId: "inv-3001", body: "called" })], cursor: "11", hasMore: false } });
    await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-23") });
    const row = gateway.rowsOf(OPEN_ITEMS.table)[5];
    expect([cell(row, "customerName"), cell(row, "lastNote")]).toEqual(["'t Hart Transport", "2026-11-22 call: called"]);
  });

  it("with as-of 'today', ages the merged rows as of today and remembers that date", async () => {
    const gateway = workbook({ saved: { ...SAVED, asOf: "2026-11-20", asOfMode: "today" } });
    const server = feed({ "10": { changes: [documentChange(11, { id: "inv-1001", open: "500.00", version: 3 })], cursor: "11", hasMore: false } });
    await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-23") });
    const row = gateway.rowsOf(OPEN_ITEMS.table)[0];
    // Due 2026-10-01, as of 2026-11-23: 53 days.
    expect(cell(row, "days")).toBe(53);
    expect(JSON.parse(gateway.settings.get(KEYS.lastPull) ?? "null")).toMatchObject({ asOf: "2026-11-23", asOfMode: "today" });
  });

  it("with as-of 'today' on a later day, rows the feed did not touch are re-aged too", async () => {
    // The sheet was pulled as of 2026-11-23; refresh runs on 2026-11-30 with nothing new.
    const gateway = workbook({ saved: { ...SAVED, asOfMode: "today" } });
    const server = feed({ "10": { changes: [], cursor: "10", hasMore: false } });
    await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-30") });
    const rows = gateway.rowsOf(OPEN_ITEMS.table);
    // Seven days later: inv-1001 due 2026-10-01 is 53 + 7 = 60 days past due (still 31–60);
    // inv-1002 due 2026-11-15 is 8 + 7 = 15; the credit memo of 2026-11-01 is 29 days old;
    // the receipt of 2026-11-02 is 28; inv-2001 and inv-3001 (due 2026-10-01) are 60.
    expect(rows.map((r) => [rowId(r), cell(r, "days"), cell(r, "bucket")])).toEqual([
      ["inv-1001", 60, "31–60"],
      ["inv-1002", 15, "1–30"],
      ["cm-7", 29, "1–30"],
      ["rcp-9", 28, "1–30"],
      ["inv-2001", 60, "31–60"],
      ["inv-3001", 60, "31–60"],
    ]);
    expect(gateway.formulaLikeWrites).toEqual([]);
    expect(JSON.parse(gateway.settings.get(KEYS.lastPull) ?? "null")).toMatchObject({ asOf: "2026-11-30" });
  });

  it("a fixed (historical) as-of date is pulled again instead of merged, since the feed carries today's balances", async () => {
    const gateway = workbook({ saved: { ...SAVED, asOfMode: "fixed" } });
    const server = stubFetch((request) => {
      if (request.url.pathname === "/api/v1/open-items") return ndjsonResponse(openItemLines([anOpenItem({ id: "inv-1001", number: "INV-1001" })], { cursor: "77", asOf: "2026-11-23" }));
      if (request.url.pathname === "/api/v1/aging") return jsonResponse(200, EMPTY_AGING);
      return jsonResponse(404, { error: "not_found", message: "no route" });
    });
    const summary = await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-30") });
    expect(summary.mode).toBe("repulled");
    expect(server.requests.map((r) => [r.url.pathname, r.url.searchParams.get("asOf")])).toEqual([
      ["/api/v1/open-items", "2026-11-23"],
      ["/api/v1/aging", "2026-11-23"],
    ]);
    expect(gateway.settings.get(KEYS.cursor)).toBe("77");
  });

  it("a failure on a later page leaves the sheet and the cursor as they were", async () => {
    const gateway = workbook();
    const before = gateway.rowsOf(OPEN_ITEMS.table);
    const server = feed({ "10": { changes: [documentChange(11, { id: "inv-1001", open: "0.00", version: 3 })], cursor: "11", hasMore: true } });
    await expect(refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-23") })).rejects.toMatchObject({
      name: "ApiError",
      kind: "server",
    });
    expect(gateway.rowsOf(OPEN_ITEMS.table)).toEqual(before);
    expect(gateway.rowWrites(OPEN_ITEMS.table)).toEqual([]);
    expect(gateway.settings.get(KEYS.cursor)).toBe("10");
  });

  it("nothing new: nothing written, the cursor stays", async () => {
    const gateway = workbook();
    const server = feed({ "10": { changes: [], cursor: "10", hasMore: false } });
    const summary = await refresh({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, server.fetch), today: d("2026-11-23") });
    expect(summary).toEqual({ mode: "merged", changes: 0, updated: 0, added: 0, removed: 0, clashes: 0, keptGone: 0 });
    expect(gateway.rowWrites(OPEN_ITEMS.table)).toEqual([]);
    expect(gateway.settings.get(KEYS.cursor)).toBe("10");
  });
});
