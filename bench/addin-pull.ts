/**
 * The add-in pull through the recording Office.js fake: the real `pull()`
 * (addin/sync/pull.ts) over the real Office.js gateway, fed by the real
 * ApiClient reading an NDJSON stream of synthetic open items (no server:
 * what is measured is the workbook side). Counts every context.sync() and
 * the largest request payload, for the whole pull and for the Open Items
 * write alone.
 */
import { createOfficeGateway } from "../addin/excel/office-gateway.js";
import { ApiClient } from "../addin/sync/api-client.js";
import { textToCell } from "../addin/excel/cells.js";
import { OPEN_ITEMS } from "../addin/sheets/specs.js";
import { pull } from "../addin/sync/pull.js";
import type { AgingWire, OpenItemWire } from "../addin/sync/wire.js";
import type { SavedPull } from "../addin/sync/workbook-state.js";
import { seededRandom } from "../server/demo/generator.js";
import { recordingExcel } from "../test/support/office-mock.js";

export interface AddinPullResult {
  readonly rows: number;
  readonly customers: number;
  /** ⌈rows / 5,000⌉ + 5. */
  readonly syncBudget: number;
  readonly pullSyncs: number;
  readonly pullMaxBytes: number;
  readonly openItemsSyncs: number;
  readonly openItemsMaxBytes: number;
  readonly seconds: number;
  /**
   * A second pull into the same workbook, by a new task pane session, after the clerk
   * typed into `edits` rows (the tables are there; the edits are read back and kept):
   * syncs and largest payload, request or response. Measured up to 100,000 rows
   * (the fake then holds every cell, as Excel would); null above.
   */
  readonly repeat: { readonly syncs: number; readonly maxBytes: number; readonly edits: number } | null;
}

/** Rows up to which the repeat pull is measured (the recording fake must then keep every value). */
const REPEAT_MAX_ROWS = 100_000;
/** Rows the clerk has typed into before the second pull. */
const REPEAT_EDITS = 50;

const MAX_SYNC_BYTES = 4_000_000;
export const ADDIN_PAYLOAD_BUDGET = MAX_SYNC_BYTES;

const NAMES = [
  "Acme Industrial Inc.",
  "Northwind Trading LLC",
  "Contoso Foods Ltd",
  "Fabrikam Logistics GmbH",
  "Globex Supply S.A.",
  "Initech Medical Co.",
];
const CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP", "JPY"];
const BUCKETS = ["current", "1-30", "31-60", "61-90", "91-120", "over-120"];
const pad = (n: number, width: number) => String(n).padStart(width, "0");

interface Customer {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly currency: string;
}

function customersFor(rows: number): Customer[] {
  const count = Math.max(12, Math.min(20_000, Math.round(rows / 150)));
  return Array.from({ length: count }, (_, i) => ({
    id: `demo-cust-${pad(i + 1, 6)}`,
    number: `C${pad(i + 1, 6)}`,
    name: `${NAMES[i % NAMES.length] ?? "Acme"} ${i + 1}`,
    currency: CURRENCIES[i % CURRENCIES.length] ?? "USD",
  }));
}

/** Item i, shaped like the demo ledger's (field lengths as the service sends them). */
function itemAt(i: number, customers: readonly Customer[], random: () => number): OpenItemWire {
  const customer = customers[Math.floor(random() * customers.length)] ?? customers[0];
  if (customer === undefined) throw new Error("no customers");
  const jpy = customer.currency === "JPY";
  const major = Math.floor(Math.exp(4 + random() * 6));
  const cents = jpy ? "" : `.${pad(Math.floor(random() * 100), 2)}`;
  const credit = random() < 0.03;
  const day = 1 + Math.floor(random() * 28);
  const month = 4 + Math.floor(random() * 8);
  const days = Math.floor(random() * 200) - 30;
  return {
    kind: credit ? "creditMemo" : "invoice",
    id: `demo-inv-${pad(i + 1, 7)}`,
    customerId: customer.id,
    customerNumber: customer.number,
    customerName: customer.name,
    collector: "ana.lopez",
    number: `${credit ? "CM" : "INV"}-${pad(i + 1, 7)}`,
    documentDate: `2026-${pad(month, 2)}-${pad(day, 2)}`,
    dueDate: `2026-${pad(Math.min(12, month + 1), 2)}-${pad(day, 2)}`,
    currency: customer.currency,
    amount: `${credit ? "-" : ""}${major}${cents}`,
    open: `${credit ? "-" : ""}${major}${cents}`,
    days,
    bucket: BUCKETS[Math.min(5, Math.max(0, Math.ceil(days / 30)))] ?? "current",
    disputed: random() < 0.015,
    version: 1 + Math.floor(random() * 3),
    lastNote:
      random() < 0.025
        ? { kind: "call", body: "Left voicemail for AP; will call back Thursday.", at: "2026-11-20T10:15:00.000Z" }
        : null,
    terms: "NET 30",
    promise: null,
  };
}

/** NDJSON of `rows` items, made as the reader asks for it (a million lines are never held at once). */
function ndjson(rows: number, customers: readonly Customer[]): Response {
  const random = seededRandom(7);
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= rows) {
        controller.enqueue(
          encoder.encode(
            `${JSON.stringify({ end: { count: rows, cursor: "1", asOf: "2026-11-23", basis: "due" } })}\n`,
          ),
        );
        controller.close();
        return;
      }
      let text = "";
      for (const end = Math.min(rows, next + 2_000); next < end; next++)
        text += `${JSON.stringify({ item: itemAt(next, customers, random) })}\n`;
      controller.enqueue(encoder.encode(text));
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/x-ndjson" } });
}

function aging(customers: readonly Customer[]): AgingWire {
  return {
    asOf: "2026-11-23",
    basis: "due",
    buckets: BUCKETS.map((key) => ({ key, label: key })),
    customers: customers.map((c) => ({
      customerId: c.id,
      customerNumber: c.number,
      customerName: c.name,
      currency: c.currency,
      buckets: { current: "100", "31-60": "250" },
      total: "350",
    })),
    totals: ["EUR", "GBP", "JPY", "USD"].map((currency) => ({ currency, buckets: { current: "1" }, total: "1" })),
    disputed: [],
  };
}

type FetchStub = (input: string | URL | Request) => Promise<Response>;

function fetchStubFor(rows: number, customers: readonly Customer[]): FetchStub {
  return (input) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.pathname === "/api/v1/open-items") return Promise.resolve(ndjson(rows, customers));
    if (url.pathname === "/api/v1/aging") {
      return Promise.resolve(
        new Response(JSON.stringify(aging(customers)), {
          status: 200,
          headers: { "Content-Type": "application/json" },
        }),
      );
    }
    return Promise.resolve(
      new Response(JSON.stringify({ error: "not_found", message: url.pathname }), { status: 404 }),
    );
  };
}

const PARAMS: SavedPull = { asOf: "2026-11-23", basis: "due", buckets: [30, 60, 90, 120], asOfMode: "fixed" };

/** Pulls twice into one workbook and counts the second pull's syncs. */
async function measureRepeatPull(rows: number, customers: readonly Customer[]): Promise<AddinPullResult["repeat"]> {
  if (rows > REPEAT_MAX_ROWS) return null;
  const excel = recordingExcel({ storeValues: true, keepPayloads: false });
  const restore = excel.install();
  try {
    const client = new ApiClient({ baseUrl: "http://openar.bench", token: "bench" }, fetchStubFor(rows, customers));
    await pull({ gateway: createOfficeGateway(), client, params: PARAMS });
    // The clerk types an amount to apply into rows spread over the sheet.
    const clerk = createOfficeGateway();
    await clerk.ensureTable(OPEN_ITEMS);
    const sheetRows = await clerk.readRows(OPEN_ITEMS.table);
    const apply = OPEN_ITEMS.columns.findIndex((c) => c.key === "apply");
    const edited = Array.from({ length: REPEAT_EDITS }, (_, i) => Math.floor((i * sheetRows.length) / REPEAT_EDITS));
    for (const r of edited) {
      const row = (sheetRows[r] ?? []).map((cell) => (typeof cell === "string" ? textToCell(cell) : cell));
      row[apply] = 10;
      await clerk.writeRows(OPEN_ITEMS.table, r, [row], []);
    }
    excel.reset();
    // A new gateway, as after reopening the workbook: nothing remembered about the tables.
    const summary = await pull({ gateway: createOfficeGateway(), client, params: PARAMS });
    if (summary.keptEdits !== REPEAT_EDITS)
      throw new Error(`the second pull kept ${summary.keptEdits} edits of ${REPEAT_EDITS}`);
    const maxBytes = excel.syncs.reduce((max, s) => Math.max(max, s.bytes, s.responseBytes), 0);
    return { syncs: excel.syncs.length, maxBytes, edits: REPEAT_EDITS };
  } finally {
    restore();
  }
}

export async function measureAddinPull(rows: number): Promise<AddinPullResult> {
  const customers = customersFor(rows);
  const fetchStub = fetchStubFor(rows, customers);
  const excel = recordingExcel({ storeValues: false, keepPayloads: false });
  const restore = excel.install();
  const started = performance.now();
  let writeFrom = -1;
  let writeTo = -1;
  try {
    const client = new ApiClient({ baseUrl: "http://openar.bench", token: "bench" }, fetchStub);
    await pull({
      gateway: createOfficeGateway(),
      client,
      params: PARAMS,
      onProgress: (p) => {
        // The Open Items write starts at the first "write" report and ends where "aging" begins.
        if (p.phase === "write" && writeFrom < 0) writeFrom = excel.syncs.length;
        if (p.phase === "aging" && writeTo < 0) writeTo = excel.syncs.length;
      },
    });
  } finally {
    restore();
  }
  const seconds = (performance.now() - started) / 1000;
  const write = excel.syncs.slice(writeFrom, writeTo);
  return {
    rows,
    customers: customers.length,
    syncBudget: Math.ceil(rows / 5_000) + 5,
    pullSyncs: excel.syncs.length,
    pullMaxBytes: excel.maxSyncBytes(),
    openItemsSyncs: write.length,
    openItemsMaxBytes: write.reduce((max, s) => Math.max(max, s.bytes), 0),
    seconds,
    repeat: await measureRepeatPull(rows, customers),
  };
}
