/**
 * pull() (addin/sync/pull.ts) over the in-memory gateway and a stubbed
 * service streaming NDJSON: what lands in Open Items and Aging, what happens
 * to the clerk's unpushed edits, and that a pull that fails or is cancelled
 * leaves the sheets exactly as they were.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { bucketLabels, openItemRow, rowCell, rowId, STATUS } from "../../addin/sheets/open-items.js";
import { OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { ApiClient } from "../../addin/sync/api-client.js";
import { pull, type Progress } from "../../addin/sync/pull.js";
import type { AgingWire, OpenItemWire } from "../../addin/sync/wire.js";
import { KEYS, type SavedPull } from "../../addin/sync/workbook-state.js";
import { d } from "../support/builders.js";
import { asReadBack, FakeGateway } from "../support/fake-gateway.js";
import { anOpenItem, failure, jsonResponse, ndjsonResponse, openItemLines, stubFetch, type NdjsonOptions, type StubRequest } from "../support/fake-server.js";

const BASE = "http://openar.test:3000";
const PARAMS: SavedPull = { asOf: "2026-11-23", basis: "due", buckets: [30, 60, 90, 120], asOfMode: "fixed" };
const AGING_TABLE = "OpenAR_Aging";

const ITEMS: readonly OpenItemWire[] = [
  anOpenItem({ id: "inv-1001", number: "INV-1001", open: "750.50", version: 3 }),
  anOpenItem({ id: "inv-1002", number: "INV-1002", documentDate: "2026-10-16", dueDate: "2026-11-15", amount: "400.00", open: "400.00", days: 8, bucket: "1-30", version: 1 }),
  anOpenItem({ id: "inv-2001", customerId: "cust-zeta", customerNumber: "C-200", customerName: "Zeta Ltd", number: "-123", amount: "99.00", open: "99.00", version: 5 }),
];

const AGING: AgingWire = {
  asOf: "2026-11-23",
  basis: "due",
  buckets: [],
  customers: [
    { customerId: "cust-zeta", customerNumber: "C-200", customerName: "Zeta Ltd", currency: "USD", buckets: { "31-60": "99.00" }, total: "99.00" },
    // 400.00 + 750.50 = 1150.50
    { customerId: "cust-acme", customerNumber: "C-100", customerName: "Acme Corp", currency: "USD", buckets: { "1-30": "400.00", "31-60": "750.50" }, total: "1150.50" },
  ],
  // 31–60: 750.50 + 99.00 = 849.50; total 1150.50 + 99.00 = 1249.50
  totals: [{ currency: "USD", buckets: { "1-30": "400.00", "31-60": "849.50" }, total: "1249.50" }],
};

const cell = (row: readonly CellValue[] | undefined, key: string): CellValue => (row === undefined ? "(no row)" : rowCell(row, key));

interface ServerOptions {
  readonly lines?: readonly string[];
  readonly stream?: Omit<NdjsonOptions, "signal">;
  readonly openItems?: (request: StubRequest) => Response;
  readonly aging?: () => Response;
}

function service(options: ServerOptions = {}) {
  return stubFetch((request) => {
    if (request.url.pathname === "/api/v1/open-items") {
      if (options.openItems !== undefined) return options.openItems(request);
      return ndjsonResponse(options.lines ?? openItemLines(ITEMS, { cursor: "42", asOf: "2026-11-23" }), { ...options.stream, signal: request.signal });
    }
    if (request.url.pathname === "/api/v1/aging") return options.aging?.() ?? jsonResponse(200, AGING);
    return jsonResponse(404, { error: "not_found", message: `no route ${request.url.pathname}` });
  });
}

function clientFor(server: ReturnType<typeof service>): ApiClient {
  return new ApiClient({ baseUrl: BASE, token: "secret-token" }, server.fetch);
}

/** A workbook that was pulled before: the rows as Excel reads them back, plus the saved pull. */
function pulledWorkbook(items: readonly OpenItemWire[]): FakeGateway {
  const gateway = new FakeGateway();
  const labels = bucketLabels({ basis: "due", edges: [30, 60, 90, 120] });
  gateway.seed(
    OPEN_ITEMS,
    items.map((item) => asReadBack(openItemRow(item, labels))),
  );
  gateway.settings.set(KEYS.lastPull, JSON.stringify({ ...PARAMS, asOf: "2026-11-01" }));
  gateway.settings.set(KEYS.cursor, "7");
  return gateway;
}

describe("pull into an empty workbook", () => {
  it("writes Open Items and Aging, rules and chart, and saves the pull and the cursor", async () => {
    const gateway = new FakeGateway();
    const server = service();
    const progress: Progress[] = [];
    const summary = await pull({ gateway, client: clientFor(server), params: PARAMS, onProgress: (p) => progress.push(p) });

    expect(summary).toEqual({ items: 3, customers: 2, keptEdits: 0, clashes: 0, gone: 0, cursor: "42" });
    const rows = gateway.rowsOf(OPEN_ITEMS.table);
    expect(rows.map((r) => [rowId(r), cell(r, "open"), cell(r, "version"), cell(r, "status")])).toEqual([
      ["inv-1001", 750.5, 3, ""],
      ["inv-1002", 400, 1, ""],
      ["inv-2001", 99, 5, ""],
    ]);
    // Written as text, read back as the text it is.
    expect(cell(rows[2], "number")).toBe("-123");
    expect(gateway.formulaLikeWrites).toEqual([]);

    expect(gateway.rowsOf(AGING_TABLE)).toEqual([
      ["C-100", "Acme Corp", "USD", 0, 400, 750.5, 0, 0, 0, 1150.5, "cust-acme"],
      ["C-200", "Zeta Ltd", "USD", 0, 0, 99, 0, 0, 0, 99, "cust-zeta"],
      ["", "Total USD", "USD", 0, 400, 849.5, 0, 0, 0, 1249.5, ""],
    ]);
    // One bar per currency: the chart covers the total row (row 2) only.
    expect(gateway.chartsOf(AGING_TABLE).map((c) => [c.name, c.fromRow, c.toRow])).toEqual([["OpenAR_AgingChart", 2, 2]]);
    expect(gateway.rulesOf(OPEN_ITEMS.table).some((r) => r.column === "bucket")).toBe(true);
    // The Aging sheet gets the per-currency number formats, on its own money columns.
    const jpy = gateway.rulesOf(AGING_TABLE).find((r) => r.equals.includes("JPY"));
    expect(jpy?.columns).toEqual(["bucket:current", "bucket:1-30", "bucket:31-60", "bucket:61-90", "bucket:91-120", "bucket:over-120", "total"]);

    expect(JSON.parse(gateway.settings.get(KEYS.lastPull) ?? "null")).toEqual(PARAMS);
    expect(gateway.settings.get(KEYS.cursor)).toBe("42");
    expect(progress.map((p) => p.phase)).toEqual(["download", "download", "write", "write", "aging", "done"]);
    expect(progress.at(-1)?.message).toBe("Pulled 3 open items");
  });

  it("asks for the stream with the pull's parameters and the token", async () => {
    const server = service();
    await pull({ gateway: new FakeGateway(), client: clientFor(server), params: { ...PARAMS, currency: "USD", collector: "" } });
    const [openItems, aging] = server.requests;
    expect(openItems?.url.pathname).toBe("/api/v1/open-items");
    expect(Object.fromEntries(openItems?.url.searchParams ?? [])).toEqual({ stream: "true", asOf: "2026-11-23", basis: "due", buckets: "30,60,90,120", currency: "USD" });
    expect(openItems?.headers.accept).toBe("application/x-ndjson");
    expect(openItems?.headers.authorization).toBe("Bearer secret-token");
    expect(Object.fromEntries(aging?.url.searchParams ?? [])).toEqual({ asOf: "2026-11-23", basis: "due", buckets: "30,60,90,120", currency: "USD" });
  });

  it("lines split across network chunks arrive whole", async () => {
    const gateway = new FakeGateway();
    await pull({ gateway, client: clientFor(service({ stream: { pieceSize: 7 } })), params: PARAMS });
    expect(gateway.rowsOf(OPEN_ITEMS.table).map((r) => rowId(r))).toEqual(["inv-1001", "inv-1002", "inv-2001"]);
  });

  it("a large stream arrives in batches and is written in one replace", async () => {
    const many = Array.from({ length: 4500 }, (_, i) => anOpenItem({ id: `inv-${String(i).padStart(5, "0")}` }));
    const gateway = new FakeGateway();
    const progress: Progress[] = [];
    const summary = await pull({
      gateway,
      client: clientFor(service({ lines: openItemLines(many, { cursor: "99", asOf: "2026-11-23" }) })),
      params: PARAMS,
      onProgress: (p) => progress.push(p),
    });
    expect(summary.items).toBe(4500);
    expect(gateway.rowsOf(OPEN_ITEMS.table).length).toBe(4500);
    // Batches of 2,000 while downloading: 2,000, 4,000, then the last 500.
    expect(progress.filter((p) => p.phase === "download" && p.done > 0).map((p) => p.done)).toEqual([2000, 4000, 4500]);
    expect(gateway.rowWrites(OPEN_ITEMS.table).map((c) => c.method)).toEqual(["replaceRows"]);
  });
});

describe("pull over unpushed edits", () => {
  it("keeps edits (a clash when the version moved), keeps and flags edited rows whose item is gone, drops the rest", async () => {
    const gateway = pulledWorkbook([
      // Pulled at version 2; the server is at 3 now.
      anOpenItem({ id: "inv-1001", number: "INV-1001", open: "800.00", version: 2 }),
      anOpenItem({ id: "inv-1002", number: "INV-1002", version: 1 }),
      // No longer open on the server: one edited, one not.
      anOpenItem({ id: "inv-9999", number: "-999", version: 4 }),
      anOpenItem({ id: "inv-8888", number: "INV-8888", version: 1 }),
    ]);
    gateway.userEdit(OPEN_ITEMS.table, 0, "apply", 100);
    // The clerk forced text with an apostrophe; Excel reads it back without.
    gateway.userEdit(OPEN_ITEMS.table, 1, "note", "'=call back Monday");
    gateway.userEdit(OPEN_ITEMS.table, 2, "apply", 25.5);

    const summary = await pull({ gateway, client: clientFor(service()), params: PARAMS });

    expect(summary).toEqual({ items: 3, customers: 2, keptEdits: 2, clashes: 1, gone: 1, cursor: "42" });
    const rows = gateway.rowsOf(OPEN_ITEMS.table);
    // Rows are sorted by customer, currency, due date, then document number: "-999" sorts before "INV-…".
    expect(rows.map((r) => [rowId(r), cell(r, "open"), cell(r, "version"), cell(r, "apply"), cell(r, "note"), cell(r, "status")])).toEqual([
      ["inv-9999", 750.5, 4, 25.5, "", STATUS.gone],
      // The server's new open amount, the clerk's edit, and the version the edit was based on.
      ["inv-1001", 750.5, 2, 100, "", STATUS.clash],
      ["inv-1002", 400, 1, "", "=call back Monday", STATUS.edited],
      ["inv-2001", 99, 5, "", "", ""],
    ]);
    expect(cell(rows[0], "number")).toBe("-999");
    // Nothing read back from the sheet was written again as something Excel would evaluate.
    expect(gateway.formulaLikeWrites).toEqual([]);
  });
});

describe("a pull that does not finish leaves the sheets as they were", () => {
  async function expectUntouched(gateway: FakeGateway, before: { rows: CellValue[][]; settings: Map<string, string> }): Promise<void> {
    expect(gateway.rowsOf(OPEN_ITEMS.table)).toEqual(before.rows);
    expect(gateway.rowWrites(OPEN_ITEMS.table)).toEqual([]);
    expect(gateway.calls.filter((c) => c.method === "setSetting")).toEqual([]);
    expect(gateway.settings).toEqual(before.settings);
    await Promise.resolve();
  }

  function edited(): { gateway: FakeGateway; before: { rows: CellValue[][]; settings: Map<string, string> } } {
    const gateway = pulledWorkbook([anOpenItem({ id: "inv-1001", version: 2 }), anOpenItem({ id: "inv-7777", version: 1 })]);
    gateway.userEdit(OPEN_ITEMS.table, 0, "apply", 100);
    return { gateway, before: { rows: gateway.rowsOf(OPEN_ITEMS.table), settings: new Map(gateway.settings) } };
  }

  it("cancelled in the middle of the download", async () => {
    const { gateway, before } = edited();
    const controller = new AbortController();
    const server = service({
      stream: {
        beforeLine: (i) => {
          if (i === 2) controller.abort();
        },
      },
    });
    const error = await failure(pull({ gateway, client: clientFor(server), params: PARAMS, signal: controller.signal }));
    expect(error.kind).toBe("cancelled");
    expect(error.message).toBe("the pull was cancelled; the sheets were left as they were");
    await expectUntouched(gateway, before);
  });

  it("cancelled after the download, before the aging arrived", async () => {
    const { gateway, before } = edited();
    const controller = new AbortController();
    const error = await failure(
      pull({
        gateway,
        client: clientFor(service()),
        params: PARAMS,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "download" && p.done > 0) controller.abort();
        },
      }),
    );
    expect(error.kind).toBe("cancelled");
    await expectUntouched(gateway, before);
  });

  it("the connection breaks during the stream", async () => {
    const { gateway, before } = edited();
    const error = await failure(pull({ gateway, client: clientFor(service({ stream: { breakBeforeLine: 2 } })), params: PARAMS }));
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain(`the connection to ${BASE} broke during the pull`);
    await expectUntouched(gateway, before);
  });

  it("a line that is not JSON is malformed, and the message names the line", async () => {
    const { gateway, before } = edited();
    const lines = openItemLines(ITEMS, { cursor: "42", asOf: "2026-11-23" });
    lines[1] = '{"item": {"kind": "invoice", "id": "inv-1002"';
    const error = await failure(pull({ gateway, client: clientFor(service({ lines })), params: PARAMS }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toBe("the server's open items were malformed at line 2 (not JSON)");
    await expectUntouched(gateway, before);
  });

  it("a line of the wrong shape is malformed, and the message names the line", async () => {
    const { gateway, before } = edited();
    const lines = openItemLines(ITEMS, { cursor: "42", asOf: "2026-11-23" });
    lines[2] = JSON.stringify({ item: { ...ITEMS[2], open: 99 } });
    const error = await failure(pull({ gateway, client: clientFor(service({ lines })), params: PARAMS }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toMatch(/^the server's open items were malformed at line 3: /);
    await expectUntouched(gateway, before);
  });

  it("a stream without its end marker ended early", async () => {
    const { gateway, before } = edited();
    const lines = openItemLines(ITEMS, { cursor: "42", asOf: "2026-11-23" }).slice(0, -1);
    const error = await failure(pull({ gateway, client: clientFor(service({ lines })), params: PARAMS }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("ended early");
    await expectUntouched(gateway, before);
  });

  it("an amount with more decimals than its currency has is a malformed answer", async () => {
    const { gateway, before } = edited();
    const lines = openItemLines([anOpenItem({ id: "inv-1", open: "10.005" })], { cursor: "42", asOf: "2026-11-23" });
    const error = await failure(pull({ gateway, client: clientFor(service({ lines })), params: PARAMS }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("10.005");
    await expectUntouched(gateway, before);
  });

  it("the aging request fails", async () => {
    const { gateway, before } = edited();
    const error = await failure(
      pull({ gateway, client: clientFor(service({ aging: () => jsonResponse(500, { error: "internal", message: "database is locked" }) })), params: PARAMS }),
    );
    expect(error.kind).toBe("server");
    expect(error.message).toBe("the server failed (500): database is locked");
    await expectUntouched(gateway, before);
  });

  it("the token is refused", async () => {
    const { gateway, before } = edited();
    const server = service({ openItems: () => jsonResponse(401, { error: "unauthorized", message: "the token has expired" }) });
    const error = await failure(pull({ gateway, client: clientFor(server), params: PARAMS }));
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toContain("session has expired");
    await expectUntouched(gateway, before);
  });

  it("the server is down", async () => {
    const { gateway, before } = edited();
    const down = stubFetch(() => Promise.reject(new TypeError("fetch failed")));
    const error = await failure(pull({ gateway, client: new ApiClient({ baseUrl: BASE, token: "t" }, down.fetch), params: PARAMS }));
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain(BASE);
    await expectUntouched(gateway, before);
  });
});

describe("the pulled as-of date", () => {
  it("is the one asked for, not today", async () => {
    const gateway = new FakeGateway();
    await pull({ gateway, client: clientFor(service()), params: { ...PARAMS, asOf: d("2026-10-31") } });
    expect(JSON.parse(gateway.settings.get(KEYS.lastPull) ?? "null")).toMatchObject({ asOf: "2026-10-31" });
  });
});
