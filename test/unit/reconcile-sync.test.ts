/**
 * The Reconcile tab's work on the workbook (addin/sync/reconcile.ts) against
 * the in-memory gateway and a stub of the service: importing a file writes
 * every line of its statements to the Reconcile sheet and keeps what the
 * clerk already decided on lines imported before; Accept all auto-matches
 * touches only undecided, open, auto-accepted lines; AR Recon is written
 * with its number formats; and a Reconcile row whose error is fixed loses its
 * mark (addin/taskpane/sheet-io.ts clearStaleErrors).
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { AR_RECON_RULES, RECONCILE_RULES, reconcileRow } from "../../addin/sheets/reconcile.js";
import { AR_RECON, NOTES, OPEN_ITEMS, PAYMENTS, RECONCILE } from "../../addin/sheets/specs.js";
import { ApiClient, ApiError } from "../../addin/sync/api-client.js";
import type { CellProblem } from "../../addin/sync/push.js";
import { acceptAutoMatches, importStatement, writeArRecon } from "../../addin/sync/reconcile.js";
import type { BankLineWire } from "../../addin/sync/wire.js";
import { clearStaleErrors } from "../../addin/taskpane/sheet-io.js";
import { aBankLine, anArGlReport, aStatement, aSuggestion } from "../support/bank-wire.js";
import { asReadBack, FakeGateway } from "../support/fake-gateway.js";
import { jsonResponse, stubFetch, type StubRequest } from "../support/fake-server.js";
import { valueOf, withCells } from "../support/sheet-rows.js";

const R = RECONCILE.table;
const cell = (row: readonly CellValue[] | undefined, key: string) => valueOf(RECONCILE, row, key);

// stmt-1 (account …1234): Acme's 1,480.00 auto-matched; Globex's 300.00 with a weak suggestion.
// stmt-2 (account …5678, the same file): a 15.00 bank fee.
const AUTO = aBankLine({ id: "line-1" });
const WEAK = aBankLine({ id: "line-2", lineNo: 2, amount: "300.00", payerName: "GLOBEX", bankReference: "BR-779", suggestion: aSuggestion({ customerId: "cust-globex", customerNumber: "C-200", customerName: "Globex", autoAccept: false, confidence: 0.55, allocations: [] }) });
const FEE = aBankLine({ id: "line-3", statementId: "stmt-2", amount: "-15.00", direction: "debit", bankReference: "FEE", payerName: null, suggestion: null });

function service(lines: Readonly<Record<string, readonly BankLineWire[]>>, created = true) {
  const statements = Object.keys(lines).map((id) => aStatement({ id, lineCount: lines[id]?.length ?? 0 }));
  const server = stubFetch((request: StubRequest) => {
    if (request.method === "POST" && request.url.pathname === "/api/v1/bank-statements") return jsonResponse(created ? 201 : 200, { created, statements });
    const match = /^\/api\/v1\/bank-statements\/([^/]+)\/lines$/.exec(request.url.pathname);
    const id = match === null ? undefined : decodeURIComponent(match[1] ?? "");
    const found = id === undefined ? undefined : lines[id];
    if (found === undefined) return jsonResponse(404, { error: "not_found", message: `no route ${request.url.pathname}` });
    return jsonResponse(200, { statement: statements.find((s) => s.id === id), lines: found });
  });
  return { client: new ApiClient({ baseUrl: "http://localhost:3999", token: "t" }, server.fetch), requests: server.requests };
}

describe("importStatement", () => {
  it("writes every line of every statement in the file, counts suggestions and auto-matches, and sets the sheet's rules", async () => {
    const gateway = new FakeGateway();
    const { client, requests } = service({ "stmt-1": [AUTO, WEAK], "stmt-2": [FEE] });
    const result = await importStatement({ gateway, client, content: "…", format: "bai2", fileName: "nov.bai" });
    expect(result).toEqual({ created: true, statements: [aStatement({ id: "stmt-1", lineCount: 2 }), aStatement({ id: "stmt-2", lineCount: 1 })], lines: 3, suggested: 2, autoAccept: 1 });
    expect(gateway.rowsOf(R)).toEqual([AUTO, WEAK, FEE].map((l) => asReadBack(reconcileRow(l))));
    expect(gateway.rulesOf(R)).toEqual(RECONCILE_RULES);
    expect(requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      "POST /api/v1/bank-statements?format=bai2&fileName=nov.bai",
      "GET /api/v1/bank-statements/stmt-1/lines",
      "GET /api/v1/bank-statements/stmt-2/lines",
    ]);
    // One write of the whole sheet, not one per row.
    expect(gateway.rowWrites(R)).toEqual([{ method: "replaceRows", table: R, rows: 3, styles: [] }]);
  });

  it("names the bank whose CSV mapping reads the file, trimmed; a blank one is not sent", async () => {
    const { client, requests } = service({ "stmt-1": [AUTO] });
    await importStatement({ gateway: new FakeGateway(), client, content: "…", format: "csv", mapping: "  First Valley " });
    await importStatement({ gateway: new FakeGateway(), client, content: "…", format: "csv", mapping: "  " });
    const posts = requests.filter((r) => r.method === "POST").map((r) => r.url.search);
    expect(posts).toEqual(["?format=csv&mapping=First+Valley", "?format=csv"]);
  });

  it("imported again, a line keeps the clerk's decision, overrides, push state and marks; the server's Matched wins; other statements' rows stay", async () => {
    const gateway = new FakeGateway();
    const older = withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "old-1", statementId: "stmt-0", payerName: "=cmd|' /C calc'!A0" }))), { decision: "reject" });
    gateway.seed(RECONCILE, [
      older,
      withCells(RECONCILE, asReadBack(reconcileRow(AUTO)), { decision: "accept", customer: "C-200", applyTo: "INV-9 1,480.00", status: "Error", message: "INV-9: not open", receiptId: "rcp-7" }),
      withCells(RECONCILE, asReadBack(reconcileRow(WEAK)), { decision: "accept", status: "Posted", receiptId: "rcp-8" }),
    ]);
    // Since then WEAK was recorded (matched on the server); AUTO is still open.
    const matched = { ...WEAK, status: "matched" as const, receiptId: "rcp-8", version: 2, suggestion: null };
    const { client } = service({ "stmt-1": [AUTO, matched] }, false);
    const result = await importStatement({ gateway, client, content: "…", format: "auto" });
    expect(result.created).toBe(false);
    const rows = gateway.rowsOf(R);
    expect(rows.map((r) => [cell(r, "id"), cell(r, "decision"), cell(r, "customer"), cell(r, "applyTo"), cell(r, "status"), cell(r, "message"), cell(r, "receiptId"), cell(r, "version")])).toEqual([
      ["old-1", "reject", "", "", "Auto-match", "", "", 1],
      ["line-1", "accept", "C-200", "INV-9 1,480.00", "Error", "INV-9: not open", "rcp-7", 1],
      ["line-2", "accept", "", "", "Matched", "", "rcp-8", 2],
    ]);
    // The older row's payer went back as text, never as a formula.
    expect(cell(rows[0], "payer")).toBe("=cmd|' /C calc'!A0");
    expect(gateway.formulaLikeWrites).toEqual([]);
  });

  it("a refused file changes nothing in the workbook", async () => {
    const gateway = new FakeGateway();
    const server = stubFetch(() => jsonResponse(422, { error: "validation_failed", message: "the bank file was refused; nothing was stored: BAI2 line 15 (49 account trailer): control total 2794569 does not match" }));
    const client = new ApiClient({ baseUrl: "http://localhost:3999", token: "t" }, server.fetch);
    const error = await importStatement({ gateway, client, content: "…", format: "bai2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toContain("BAI2 line 15 (49 account trailer)");
    expect(gateway.calls).toEqual([]);
  });
});

describe("acceptAutoMatches", () => {
  it("leaves posted, matched and typed-over lines alone, and writes nothing when nothing is to accept", async () => {
    const gateway = new FakeGateway();
    gateway.seed(RECONCILE, [
      withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "posted" }))), { status: "Posted" }),
      asReadBack(reconcileRow(aBankLine({ id: "matched", status: "matched", receiptId: "rcp-1" }))),
      withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "typed" }))), { suggestion: "see me" }),
      withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "decided" }))), { decision: "reject" }),
    ]);
    expect(await acceptAutoMatches(gateway)).toBe(0);
    expect(gateway.rowWrites(R)).toEqual([]);
  });

  it("accepts every undecided auto-match in one write, keeping the other cells as they were", async () => {
    const gateway = new FakeGateway();
    const before = [asReadBack(reconcileRow(AUTO)), asReadBack(reconcileRow(WEAK)), asReadBack(reconcileRow(aBankLine({ id: "line-4", amount: "812.40" })))];
    gateway.seed(RECONCILE, before);
    expect(await acceptAutoMatches(gateway)).toBe(2);
    expect(gateway.rowsOf(R)).toEqual([withCells(RECONCILE, before[0] ?? [], { decision: "accept" }), before[1], withCells(RECONCILE, before[2] ?? [], { decision: "accept" })]);
    expect(gateway.rowWrites(R)).toEqual([{ method: "writeRows", table: R, fromRow: 0, rows: 3, styles: [] }]);
  });
});

describe("writeArRecon", () => {
  it("asks for the report as of the date and writes it, with the currencies' decimals", async () => {
    const gateway = new FakeGateway();
    const server = stubFetch(() => jsonResponse(200, anArGlReport()));
    const client = new ApiClient({ baseUrl: "http://localhost:3999", token: "t" }, server.fetch);
    const report = await writeArRecon({ gateway, client, asOf: "2026-11-30" });
    expect(report).toEqual(anArGlReport());
    expect(server.requests[0]?.url.search).toBe("?asOf=2026-11-30");
    // 4 + 2 items for USD, 4 for JPY (no items).
    expect(gateway.rowsOf(AR_RECON.table)).toHaveLength(10);
    expect(gateway.rulesOf(AR_RECON.table)).toEqual(AR_RECON_RULES);
  });
});

describe("clearStaleErrors on the Reconcile sheet", () => {
  it("a row no longer in error goes back to its bank line's status; a row still in error keeps its mark", async () => {
    const gateway = new FakeGateway();
    for (const spec of [OPEN_ITEMS, PAYMENTS, NOTES]) await gateway.ensureTable(spec);
    const error = { status: "Error", message: 'Decision: "later" is not accept or reject' };
    gateway.seed(RECONCILE, [
      withCells(RECONCILE, asReadBack(reconcileRow(AUTO)), { ...error, decision: "accept" }),
      withCells(RECONCILE, asReadBack(reconcileRow(WEAK)), { ...error, decision: "later" }),
      withCells(RECONCILE, asReadBack(reconcileRow(FEE)), { ...error, decision: "reject" }),
      withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "line-5" }))), { status: "Posted", decision: "accept" }),
      withCells(RECONCILE, asReadBack(reconcileRow(aBankLine({ id: "line-6", suggestion: null }))), { ...error, decision: "" }),
    ]);
    const stillWrong: CellProblem[] = [{ cell: { table: R, row: 1, column: "decision" }, message: error.message }];
    expect(await clearStaleErrors(gateway, stillWrong)).toBe(3);
    expect(gateway.rowsOf(R).map((r) => [cell(r, "status"), cell(r, "message"), cell(r, "decision")])).toEqual([
      ["Auto-match", "", "accept"],
      ["Error", error.message, "later"],
      ["Debit (not a receipt)", "", "reject"],
      ["Posted", "", "accept"],
      ["To decide", "", ""],
    ]);
  });
});
