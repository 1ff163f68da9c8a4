/**
 * Review and push (addin/sync/push.ts) over the in-memory workbook and a
 * stubbed service: the shared planner's verdict lands on the right cell
 * before anything is sent; the frozen change set is retried byte for byte;
 * each definitive answer (committed, refused, conflict) is written back onto
 * the rows; conflicts resolve both ways; running totals per receipt.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { NOTES, OPEN_ITEMS, PAYMENTS } from "../../addin/sheets/specs.js";
import { ApiClient, ApiError } from "../../addin/sync/api-client.js";
import {
  CONFLICTS_KEY,
  PENDING_PUSH_KEY,
  freeze,
  loadConflicts,
  loadFrozen,
  resolveConflict,
  review,
  send,
  settle,
  showProblems,
  writePaymentTotals,
  type FrozenPush,
  type StoredConflict,
} from "../../addin/sync/push.js";
import type { CommittedWire, CustomerWire, PushAnswer } from "../../addin/sync/wire.js";
import type { Operation } from "../../shared/changeset.js";
import { d } from "../support/builders.js";
import { FakeGateway } from "../support/fake-gateway.js";
import { anOpenItem, jsonResponse, stubFetch, type Route, type StubRequest } from "../support/fake-server.js";
import { openItemsCell, openItemsRow, paymentsCell, paymentsRow, sequentialIds, typedDate, valueOf } from "../support/sheet-rows.js";

const TODAY = d("2026-11-23");
const BASE = "http://openar.test:3000";
const CHANGE_SET_ID = "cs-00000001";
const NOW = "2026-11-23T10:00:00.000Z";

// Acme's open items as pulled. INV-1002 is on 2/10 net 30 from 2026-11-16: paid by 2026-11-26 it earns 2% of 1,000.00 = 20.00.
const INV_1001 = anOpenItem({ id: "inv-1001", number: "INV-1001", amount: "1250.00", open: "750.50", version: 3 });
const INV_1002 = anOpenItem({ id: "inv-1002", number: "INV-1002", documentDate: "2026-11-16", dueDate: "2026-12-16", amount: "1000.00", open: "1000.00", days: -23, bucket: "current", terms: "2/10 NET 30", version: 1 });
const INV_1003 = anOpenItem({ id: "inv-1003", number: "INV-1003", amount: "300.00", open: "300.00", version: 2 });
const CM_7 = anOpenItem({ id: "cm-7", kind: "creditMemo", number: "CM-7", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "-200.00", open: "-200.00", terms: null, version: 4 });

const ACME: CustomerWire = { id: "cust-acme", number: "C-100", name: "Acme Corp", currency: "USD", terms: "NET 30", collector: "jo", version: 1 };

const CHK_5521 = { date: typedDate("2026-11-20"), customer: "C-100", amount: 2100, method: "check", reference: "CHK 5521" };

/** The clerk's day: a 2,100.00 check paying INV-1001 in full, INV-1002 less its 2% discount, INV-1003 short by 5.00 written off. */
const APPLY_CHK_5521: Record<string, Record<string, CellValue>> = {
  "INV-1001": { apply: 750.5, from: "CHK 5521" },
  "INV-1002": { apply: 980, discount: 20, from: "CHK 5521" },
  "INV-1003": { apply: 295, writeOff: 5, writeOffReason: "short pay", from: "CHK 5521" },
};

const RECEIPT_CREATE: Operation = {
  op: "receipt.create",
  ref: "OpenAR_Payments:0",
  id: "id-1",
  customerId: "cust-acme",
  date: d("2026-11-20"),
  amount: "2100.00",
  currency: "USD",
  method: "check",
  reference: "CHK 5521",
  applications: [
    { documentId: "inv-1001", documentVersion: 3, amount: "750.50" },
    { documentId: "inv-1002", documentVersion: 1, amount: "980.00", discount: "20.00" },
    { documentId: "inv-1003", documentVersion: 2, amount: "295.00", writeOff: "5.00", writeOffReason: "short pay" },
  ],
};

/** A workbook after a pull (Open Items rows 0–3: INV-1001, INV-1002, INV-1003, CM-7) with the clerk's typing. */
function workbook(options: { edits?: Record<string, Record<string, CellValue>>; payments?: CellValue[][] } = {}): FakeGateway {
  const gateway = new FakeGateway();
  gateway.seed(OPEN_ITEMS, [INV_1001, INV_1002, INV_1003, CM_7].map((item) => openItemsRow(item, options.edits?.[item.number] ?? {})));
  gateway.seed(PAYMENTS, options.payments ?? [paymentsRow(CHK_5521)]);
  gateway.seed(NOTES, []);
  return gateway;
}

/** The service: customers by number, and `push` answering change sets. */
function service(push: Route = () => jsonResponse(500, { error: "internal", message: "no push expected" })) {
  const server = stubFetch((request) => {
    if (request.url.pathname === "/api/v1/customers") {
      const search = request.url.searchParams.get("search") ?? "";
      return jsonResponse(200, { customers: [ACME].filter((c) => c.number === search), next: null });
    }
    if (request.url.pathname === "/api/v1/changesets" && request.method === "POST") return push(request);
    return jsonResponse(404, { error: "not_found", message: `no route ${request.url.pathname}` });
  });
  const pushes = (): StubRequest[] => server.requests.filter((r) => r.url.pathname === "/api/v1/changesets");
  return { client: new ApiClient({ baseUrl: BASE, token: "oar_clerk" }, server.fetch), pushes };
}

function reviewOf(gateway: FakeGateway, newId = sequentialIds()) {
  return review({ gateway, client: service().client, today: TODAY, newId });
}

async function frozenPush(gateway: FakeGateway): Promise<FrozenPush> {
  const { built, problems } = await reviewOf(gateway);
  expect(problems).toEqual([]);
  return freeze(gateway, built, CHANGE_SET_ID, NOW);
}

const cellOf = (gateway: FakeGateway, spec: typeof OPEN_ITEMS, row: number, key: string): CellValue | undefined => valueOf(spec, gateway.rowsOf(spec.table)[row], key);

function committed(results: CommittedWire["results"], replayed = false): PushAnswer {
  return { kind: "committed", committed: { status: "committed", replayed, id: CHANGE_SET_ID, committedAt: "2026-11-23T10:00:01.000Z", cursor: "57", results } };
}

describe("review: the shared planner over the pulled rows, before anything is sent", () => {
  it("clean sheets: no problems, and the operations the sheets ask for", async () => {
    const result = await reviewOf(workbook({ edits: APPLY_CHK_5521 }));
    expect(result.problems).toEqual([]);
    expect(result.built.operations).toEqual([RECEIPT_CREATE]);
    expect(result.customers.get("C-100")).toEqual(ACME);
  });

  it("applying more than is open: the planner's error lands on that invoice's Apply cell", async () => {
    // 800.00 against INV-1001's open 750.50; the check (2,100.00) covers 800.00 + 980.00 + 295.00 = 2,075.00, so only the invoice is over.
    const result = await reviewOf(workbook({ edits: { ...APPLY_CHK_5521, "INV-1001": { apply: 800, from: "CHK 5521" } } }));
    expect(result.problems).toEqual([
      { cell: openItemsCell(0, "apply"), message: "INV-1001: amount 800.00 + discount 0.00 + write-off 0.00 = 800.00, more than its open 750.50" },
    ]);
  });

  it("a discount beyond the terms: the error lands on the Discount cell", async () => {
    // 2% of 1,000.00 is 20.00; 25.00 is asked (975.00 + 25.00 = 1,000.00 settles the invoice, so only the discount is wrong).
    const result = await reviewOf(workbook({ edits: { ...APPLY_CHK_5521, "INV-1002": { apply: 975, discount: 25, from: "CHK 5521" } } }));
    expect(result.problems).toEqual([
      { cell: openItemsCell(1, "discount"), message: "discount 25.00 is not allowed: 2% of open 1,000.00 allows at most 20.00" },
    ]);
  });

  it("more applied than the check brings: the error lands on the Apply cell where the total first goes over", async () => {
    // 750.50 + 980.00 = 1,730.50 > 1,000.00 at the second invoice.
    const result = await reviewOf(workbook({ edits: APPLY_CHK_5521, payments: [paymentsRow({ ...CHK_5521, amount: 1000 })] }));
    expect(result.problems).toContainEqual({ cell: openItemsCell(1, "apply"), message: "allocations up to here total 1,730.50, more than the receipt's unapplied 1,000.00" });
    expect(result.problems.every((p) => p.cell.table === OPEN_ITEMS.table)).toBe(true);
  });

  it("a shape error (a negative Apply) is mapped to its cell too", async () => {
    const result = await reviewOf(workbook({ edits: { "INV-1003": { apply: -5, from: "CHK 5521" } } }));
    expect(result.problems).toEqual([{ cell: openItemsCell(2, "apply"), message: "must not be negative" }]);
  });

  it("a write-off without a reason: the error lands on the W/O reason cell", async () => {
    const result = await reviewOf(workbook({ edits: { "INV-1003": { writeOff: 5 } }, payments: [] }));
    expect(result.built.operations.map((op) => op.op)).toEqual(["writeOff.create"]);
    expect(result.problems).toEqual([{ cell: openItemsCell(2, "writeOffReason"), message: "must not be empty" }]);
  });

  it("a receipt dated after today", async () => {
    const result = await reviewOf(workbook({ payments: [paymentsRow({ ...CHK_5521, date: typedDate("2026-11-24") })] }));
    expect(result.problems).toEqual([{ cell: paymentsCell(0, "date"), message: "receipt date 2026-11-24 is after today (2026-11-23)" }]);
  });

  describe("posted receipts on Payments are known to the local check", () => {
    const posted = { id: "rcp-5", version: 4, date: typedDate("2026-11-02"), customer: "C-100", amount: 300, reference: "CHK 77", status: "Posted" };

    it("reversing one passes review", async () => {
      const result = await reviewOf(workbook({ payments: [paymentsRow({ ...posted, action: "Reverse (NSF)" })] }));
      expect(result.built.operations.map((op) => op.op)).toEqual(["receipt.reverse"]);
      expect(result.problems).toEqual([]);
    });

    it("reversing one already reversed is an error on its row", async () => {
      const result = await reviewOf(workbook({ payments: [paymentsRow({ ...posted, status: "Reversed", action: "Reverse (NSF)" })] }));
      expect(result.problems).toEqual([{ cell: paymentsCell(0, "reference"), message: 'receipt "CHK 77" was already reversed' }]);
    });

    it("applying from one passes review", async () => {
      const result = await reviewOf(workbook({ edits: { "INV-1003": { apply: 300, from: "CHK 77" } }, payments: [paymentsRow(posted)] }));
      expect(result.built.operations.map((op) => op.op)).toEqual(["receipt.apply"]);
      expect(result.problems).toEqual([]);
    });
  });

  it("local problems come first and nothing is sent", async () => {
    const gateway = workbook({ edits: { "INV-1001": { apply: "abc", from: "CHK 5521" } }, payments: [paymentsRow({ ...CHK_5521, customer: "C-999" })] });
    const { client, pushes } = service();
    const result = await review({ gateway, client, today: TODAY, newId: sequentialIds() });
    expect(result.problems).toEqual([
      { cell: paymentsCell(0, "customer"), message: "customer C-999 is not known to the ledger" },
      { cell: openItemsCell(0, "apply"), message: 'Apply: "abc" is not an amount' },
    ]);
    expect(result.built.operations).toEqual([]);
    expect(pushes()).toEqual([]);
  });

  it("showProblems writes each problem onto its row and styles its cell", async () => {
    const gateway = workbook({ edits: { ...APPLY_CHK_5521, "INV-1001": { apply: 800, from: "CHK 5521" } } });
    const { problems } = await reviewOf(gateway);
    expect(await showProblems(gateway, problems)).toBe(1);
    const message = "INV-1001: amount 800.00 + discount 0.00 + write-off 0.00 = 800.00, more than its open 750.50";
    expect(cellOf(gateway, OPEN_ITEMS, 0, "status")).toBe(`Error: ${message}`);
    expect(gateway.rowWrites(OPEN_ITEMS.table)).toEqual([
      { method: "writeRows", table: OPEN_ITEMS.table, fromRow: 0, rows: 1, styles: [{ fromRow: 0, toRow: 0, columns: ["apply"], style: { fill: "#FDE7E9", fontColor: "#A4262C", bold: true, note: message } }] },
    ]);
    // The clerk's typing is left for them to fix.
    expect(cellOf(gateway, OPEN_ITEMS, 0, "apply")).toBe(800);
  });
});

describe("freeze: ids into the sheet and the exact change set into the workbook, before anything is sent", () => {
  it("writes the new receipt's id into its hidden id cell and keeps the change set in the settings", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    expect(cellOf(gateway, PAYMENTS, 0, "id")).toBe("id-1");
    expect(frozen.changeSet).toEqual({ id: CHANGE_SET_ID, operations: [RECEIPT_CREATE] });
    expect(frozen.frozenAt).toBe(NOW);
    expect(frozen.rows.map((r) => r.ref)).toEqual(["OpenAR_Payments:0", "OpenAR_OpenItems:0", "OpenAR_OpenItems:1", "OpenAR_OpenItems:2"]);
    expect(frozen.fields).toContainEqual(["0:applications.1.discount", openItemsCell(1, "discount")]);
    expect(frozen.fields).toContainEqual(["0:amount", paymentsCell(0, "amount")]);
    expect(JSON.parse(gateway.settings.get(PENDING_PUSH_KEY) ?? "null")).toEqual(frozen);
    expect(await loadFrozen(gateway)).toEqual(frozen);
  });

  it("a review after freezing reuses the written id: the receipt cannot be created twice", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    await frozenPush(gateway);
    const again = await reviewOf(gateway, sequentialIds("fresh"));
    expect(again.built.assignedIds).toEqual([]);
    expect(again.built.operations).toEqual([RECEIPT_CREATE]);
  });
});

describe("send: transport failures are retried with the same change set", () => {
  const COMMITTED_BODY = { status: "committed", id: CHANGE_SET_ID, committedAt: "2026-11-23T10:00:01.000Z", cursor: "57", results: [{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", id: "id-1", version: 1 }] };

  it("fetch rejects twice, then the server answers: one answer, three identical bodies", async () => {
    const frozen = await frozenPush(workbook({ edits: APPLY_CHK_5521 }));
    let calls = 0;
    const { client, pushes } = service(() => {
      calls += 1;
      return calls <= 2 ? Promise.reject(new TypeError("fetch failed")) : jsonResponse(200, COMMITTED_BODY);
    });
    const waits: number[] = [];
    const answer = await send({ client, frozen, dryRun: false, wait: (ms) => Promise.resolve(void waits.push(ms)) });
    expect(answer).toEqual({ kind: "committed", committed: COMMITTED_BODY });
    const bodies = pushes().map((r) => r.body);
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
    expect(JSON.parse(bodies[0] ?? "null")).toEqual({ id: CHANGE_SET_ID, operations: [RECEIPT_CREATE] });
    // Backing off: 500 ms, then 1,000 ms.
    expect(waits).toEqual([500, 1000]);
  });

  it("a 503 counts as a transport failure too", async () => {
    const frozen = await frozenPush(workbook({ edits: APPLY_CHK_5521 }));
    let calls = 0;
    const { client, pushes } = service(() => (++calls === 1 ? jsonResponse(503, { error: "unavailable", message: "migrating" }) : jsonResponse(200, COMMITTED_BODY)));
    const answer = await send({ client, frozen, dryRun: false, wait: () => Promise.resolve() });
    expect(answer.kind).toBe("committed");
    expect(pushes()).toHaveLength(2);
  });

  it("gives up after N attempts, keeping the frozen push for a later retry", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const { client, pushes } = service(() => Promise.reject(new TypeError("fetch failed")));
    const waits: number[] = [];
    const error = await send({ client, frozen, dryRun: false, attempts: 4, wait: (ms) => Promise.resolve(void waits.push(ms)) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe("unreachable");
    expect(pushes()).toHaveLength(4);
    expect(new Set(pushes().map((r) => r.body)).size).toBe(1);
    expect(waits).toEqual([500, 1000, 2000]);
    expect(await loadFrozen(gateway)).toEqual(frozen);
  });

  it("a refused token is not retried", async () => {
    const frozen = await frozenPush(workbook({ edits: APPLY_CHK_5521 }));
    const { client, pushes } = service(() => jsonResponse(401, { error: "unauthorized", message: "unknown token" }));
    await expect(send({ client, frozen, dryRun: false, wait: () => Promise.resolve() })).rejects.toMatchObject({ kind: "unauthorized" });
    expect(pushes()).toHaveLength(1);
  });

  it("a 422 is an answer, not a failure: returned at once", async () => {
    const frozen = await frozenPush(workbook({ edits: APPLY_CHK_5521 }));
    const errors = [{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", field: "date", code: "closed_period", message: "2026-11-20 falls in period 2026-11, which is closed; nothing posts into a closed period" }];
    const { client, pushes } = service(() => jsonResponse(422, { error: "validation_failed", message: "the change set was refused: 1 problem", errors }));
    expect(await send({ client, frozen, dryRun: false, wait: () => Promise.resolve() })).toEqual({ kind: "invalid", message: "the change set was refused: 1 problem", errors });
    expect(pushes()).toHaveLength(1);
  });

  it("a dry run asks with ?dryRun=true", async () => {
    const frozen = await frozenPush(workbook({ edits: APPLY_CHK_5521 }));
    const { client, pushes } = service(() => jsonResponse(200, { status: "validated", dryRun: true, operations: 1 }));
    expect(await send({ client, frozen, dryRun: true })).toEqual({ kind: "validated", operations: 1 });
    expect(pushes()[0]?.url.searchParams.get("dryRun")).toBe("true");
  });
});

describe("settle: a definitive answer written back onto the rows", () => {
  it("committed: rows Posted, Open Items intents cleared, the Payments version set, the frozen push let go", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const outcome = await settle(gateway, frozen, committed([{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", id: "id-1", version: 1 }]));
    expect(outcome).toEqual({ kind: "committed", message: "Posted: 1 change(s) on 4 row(s)", posted: 4, problems: [], conflicts: [] });
    expect(cellOf(gateway, PAYMENTS, 0, "status")).toBe("Posted");
    expect(cellOf(gateway, PAYMENTS, 0, "id")).toBe("id-1");
    expect(cellOf(gateway, PAYMENTS, 0, "version")).toBe(1);
    for (const row of [0, 1, 2]) {
      expect(cellOf(gateway, OPEN_ITEMS, row, "status")).toBe("Posted");
      for (const key of ["apply", "discount", "writeOff", "writeOffReason", "from", "dispute", "disputeAmount", "note", "orig:apply", "orig:from"]) {
        expect(cellOf(gateway, OPEN_ITEMS, row, key), `row ${row} ${key}`).toBe("");
      }
    }
    expect(cellOf(gateway, OPEN_ITEMS, 3, "status")).toBe("");
    expect(await loadFrozen(gateway)).toBeNull();
    // Nothing is pending any more: a review finds nothing to send.
    expect((await reviewOf(gateway)).built.operations).toEqual([]);
  });

  it("a replayed answer (the first one was lost) is confirmed the same way", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const outcome = await settle(gateway, frozen, committed([{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", id: "id-1", version: 1 }], true));
    expect(outcome.message).toBe("Already posted (confirmed): 1 change(s) on 4 row(s)");
    expect(cellOf(gateway, PAYMENTS, 0, "version")).toBe(1);
  });

  it("committed apply from a posted payment: the Payments row takes the receipt's new version", async () => {
    // Without it, the next apply from WIRE 41 would claim version 2 of a receipt now at 3: a false conflict.
    const posted = paymentsRow({ id: "rcp-41", version: 2, date: typedDate("2026-11-12"), customer: "C-100", amount: 400, reference: "WIRE 41", status: "Posted" });
    const gateway = workbook({ edits: { "INV-1003": { apply: 300, from: "WIRE 41" } }, payments: [posted] });
    const frozen = await frozenPush(gateway);
    expect(frozen.changeSet.operations.map((op) => op.op)).toEqual(["receipt.apply"]);
    await settle(gateway, frozen, committed([{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.apply", id: "rcp-41", version: 3 }]));
    expect(cellOf(gateway, PAYMENTS, 0, "version")).toBe(3);
    expect(cellOf(gateway, PAYMENTS, 0, "status")).toBe("Posted");
  });

  it("committed reversal: the Payments row says Reversed and its Action is cleared", async () => {
    const posted = paymentsRow({ id: "rcp-5", version: 4, date: typedDate("2026-11-02"), customer: "C-100", amount: 300, reference: "CHK 77", action: "Reverse (NSF)", status: "Posted" });
    const gateway = workbook({ payments: [posted] });
    const frozen = await frozenPush(gateway);
    await settle(gateway, frozen, committed([{ index: 0, ref: "OpenAR_Payments:0", op: "receipt.reverse", id: "id-1", version: null }]));
    expect(cellOf(gateway, PAYMENTS, 0, "status")).toBe("Reversed");
    expect(cellOf(gateway, PAYMENTS, 0, "action")).toBe("");
  });

  it("invalid: each error on its cell (status Error…, the cell styled), intents kept, the frozen push let go", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const overLimit = "write-off 5.00 on INV-1003 is more than the limit 1.00";
    const closed = "2026-11-20 falls in period 2026-11, which is closed; nothing posts into a closed period";
    const before = gateway.calls.length;
    const outcome = await settle(gateway, frozen, {
      kind: "invalid",
      message: "the change set was refused: 2 problems",
      errors: [
        { index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", field: "applications.2.writeOff", code: "write_off_over_limit", message: overLimit },
        { index: 0, ref: "OpenAR_Payments:0", op: "receipt.create", field: "date", code: "closed_period", message: closed },
      ],
    });
    expect(outcome).toEqual({
      kind: "refused",
      message: "the change set was refused: 2 problems",
      posted: 0,
      problems: [
        { cell: openItemsCell(2, "writeOff"), message: overLimit },
        { cell: paymentsCell(0, "date"), message: closed },
      ],
      conflicts: [],
    });
    expect(cellOf(gateway, OPEN_ITEMS, 2, "status")).toBe(`Error: ${overLimit}`);
    expect(cellOf(gateway, OPEN_ITEMS, 2, "writeOff")).toBe(5);
    expect(cellOf(gateway, PAYMENTS, 0, "status")).toBe("Error");
    expect(cellOf(gateway, PAYMENTS, 0, "message")).toBe(closed);
    const style = { fill: "#FDE7E9", fontColor: "#A4262C", bold: true };
    expect(gateway.calls.slice(before).filter((c) => c.method === "writeRows")).toEqual([
      { method: "writeRows", table: OPEN_ITEMS.table, fromRow: 2, rows: 1, styles: [{ fromRow: 2, toRow: 2, columns: ["writeOff"], style: { ...style, note: overLimit } }] },
      { method: "writeRows", table: PAYMENTS.table, fromRow: 0, rows: 1, styles: [{ fromRow: 0, toRow: 0, columns: ["date"], style: { ...style, note: closed } }] },
    ]);
    expect(await loadFrozen(gateway)).toBeNull();
  });

  it("mismatch (same id, different payload): the frozen push is let go and the message names the difference", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const outcome = await settle(gateway, frozen, { kind: "mismatch", message: "change set cs-00000001 was already used", differences: ["operations.0.amount"] });
    expect(outcome.message).toBe("change set cs-00000001 was already used (operations.0.amount)");
    expect(await loadFrozen(gateway)).toBeNull();
  });

  it("a dry-run answer cannot settle a push", async () => {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    await expect(settle(gateway, frozen, { kind: "validated", operations: 1 })).rejects.toThrow("a dry-run answer cannot settle a push");
    expect(await loadFrozen(gateway)).toEqual(frozen);
  });
});

describe("conflicts: the server's values beside the clerk's, and both resolutions", () => {
  // Another client applied 400.00 to INV-1002 first: open 1,000.00 → 600.00, version 1 → 2.
  const SERVER_INV_1002 = { id: "inv-1002", type: "invoice", number: "INV-1002", customerId: "cust-acme", currency: "USD", amount: "1000.00", open: "600.00", dueDate: "2026-12-16", disputed: false, version: 2 };
  const CONFLICT: PushAnswer = {
    kind: "conflict",
    message: "1 row(s) changed on the server",
    conflicts: [{ index: 0, ref: "OpenAR_Payments:0", entity: "document", id: "inv-1002", expectedVersion: 1, currentVersion: 2, current: SERVER_INV_1002 }],
  };
  const STORED: StoredConflict = { cell: openItemsCell(1, "number"), entity: "document", id: "inv-1002", expectedVersion: 1, currentVersion: 2, current: SERVER_INV_1002 };

  async function conflicted(): Promise<FakeGateway> {
    const gateway = workbook({ edits: APPLY_CHK_5521 });
    const frozen = await frozenPush(gateway);
    const outcome = await settle(gateway, frozen, CONFLICT);
    expect(outcome).toEqual({ kind: "conflict", message: "1 row(s) changed on the server", posted: 0, problems: [], conflicts: [STORED] });
    return gateway;
  }

  it("the conflict is stored against the invoice that moved, and that row shows the server's values", async () => {
    const gateway = await conflicted();
    expect(await loadConflicts(gateway)).toEqual([STORED]);
    expect(cellOf(gateway, OPEN_ITEMS, 1, "status")).toBe("Conflict: changed on server (v1 → v2). Server now: open 600.00, version 2");
    // The clerk's intent stays beside it.
    expect(cellOf(gateway, OPEN_ITEMS, 1, "apply")).toBe(980);
    expect(cellOf(gateway, OPEN_ITEMS, 0, "status")).toBe("");
    expect(await loadFrozen(gateway)).toBeNull();
  });

  it('"keep mine": re-based on the server\'s version, the intent kept; the next change set states version 2', async () => {
    const gateway = await conflicted();
    await resolveConflict(gateway, STORED, "mine");
    expect(cellOf(gateway, OPEN_ITEMS, 1, "version")).toBe(2);
    expect(cellOf(gateway, OPEN_ITEMS, 1, "apply")).toBe(980);
    expect(cellOf(gateway, OPEN_ITEMS, 1, "discount")).toBe(20);
    expect(cellOf(gateway, OPEN_ITEMS, 1, "status")).toBe("Edited (re-based on the server's version)");
    expect(await loadConflicts(gateway)).toEqual([]);
    expect(gateway.settings.get(CONFLICTS_KEY)).toBe("");
    const again = await reviewOf(gateway, sequentialIds("again"));
    const op = again.built.operations[0];
    expect(op?.op === "receipt.create" ? op.applications?.[1] : op).toEqual({ documentId: "inv-1002", documentVersion: 2, amount: "980.00", discount: "20.00" });
  });

  it('"take the server\'s": the intent on that row is cleared; the next change set leaves the invoice out', async () => {
    const gateway = await conflicted();
    await resolveConflict(gateway, STORED, "server");
    for (const key of ["apply", "discount", "from"]) expect(cellOf(gateway, OPEN_ITEMS, 1, key)).toBe("");
    expect(cellOf(gateway, OPEN_ITEMS, 1, "version")).toBe(1);
    expect(cellOf(gateway, OPEN_ITEMS, 1, "status")).toBe("Server's kept");
    expect(await loadConflicts(gateway)).toEqual([]);
    const again = await reviewOf(gateway, sequentialIds("again"));
    const op = again.built.operations[0];
    expect(op?.op === "receipt.create" ? op.applications?.map((a) => a.documentId) : op).toEqual(["inv-1001", "inv-1003"]);
  });

  it("a conflict on a posted receipt lands on its Payments row, and keep mine re-bases its version", async () => {
    const posted = paymentsRow({ id: "rcp-5", version: 4, date: typedDate("2026-11-02"), customer: "C-100", amount: 300, reference: "CHK 77", action: "Reverse (NSF)", status: "Posted" });
    const gateway = workbook({ payments: [posted] });
    const frozen = await frozenPush(gateway);
    const current = { id: "rcp-5", customerId: "cust-acme", date: "2026-11-02", currency: "USD", amount: "300.00", unapplied: "0.00", reference: "CHK 77", reversed: false, version: 5 };
    const outcome = await settle(gateway, frozen, { kind: "conflict", message: "1 row(s) changed on the server", conflicts: [{ index: 0, ref: "OpenAR_Payments:0", entity: "receipt", id: "rcp-5", expectedVersion: 4, currentVersion: 5, current }] });
    const stored = outcome.conflicts[0];
    expect(stored?.cell).toEqual(paymentsCell(0, "reference"));
    expect(cellOf(gateway, PAYMENTS, 0, "status")).toBe("Conflict: changed on server (v4 → v5)");
    expect(cellOf(gateway, PAYMENTS, 0, "message")).toBe("Server now: unapplied 0.00, version 5");
    if (stored === undefined) throw new Error("no conflict stored");
    await resolveConflict(gateway, stored, "mine");
    expect(cellOf(gateway, PAYMENTS, 0, "version")).toBe(5);
    expect(cellOf(gateway, PAYMENTS, 0, "action")).toBe("Reverse (NSF)");
  });
});

describe("writePaymentTotals: running totals per receipt", () => {
  it("applied, discount, write-off and unapplied of each new receipt", async () => {
    const gateway = workbook({
      edits: APPLY_CHK_5521,
      payments: [paymentsRow(CHK_5521), paymentsRow({ date: typedDate("2026-11-21"), customer: "C-100", amount: 99.99, reference: "ACH 7" })],
    });
    const { built, problems } = await reviewOf(gateway);
    expect(problems).toEqual([]);
    await writePaymentTotals(gateway, built);
    // CHK 5521: applied 750.50 + 980.00 + 295.00 = 2,025.50; discount 20.00; write-off 5.00; unapplied 2,100.00 − 2,025.50 = 74.50.
    expect(["applied", "discount", "writeOff", "unapplied"].map((k) => cellOf(gateway, PAYMENTS, 0, k))).toEqual([2025.5, 20, 5, 74.5]);
    // ACH 7 pays nothing yet: all 99.99 unapplied.
    expect(["applied", "discount", "writeOff", "unapplied"].map((k) => cellOf(gateway, PAYMENTS, 1, k))).toEqual([0, 0, 0, 99.99]);
  });
});
