/**
 * A page for the workbook view's end-to-end test: the in-page workbook with
 * 100,000 synthetic open items and a small Aging sheet with its chart, drawn
 * by WorkbookView. Written through the gateway exactly as a pull writes, so
 * the test sees what the preview shows. The test reads `window.openarTest`.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { createRoot } from "react-dom/client";
import { DEFAULT_AGING_EDGES } from "../../../shared/aging.js";
import { addDays, daysBetween, parseIsoDate } from "../../../shared/dates.js";
import { Money } from "../../../shared/money.js";
import { createBrowserWorkbook } from "../../../addin/excel/browser-gateway.js";
import { dateToCell, moneyToCell, textToCell } from "../../../addin/excel/cells.js";
import type { CellChange, CellValue } from "../../../addin/excel/gateway.js";
import { WorkbookView } from "../../../addin/preview/workbook-view.js";
import { agingChart } from "../../../addin/sheets/aging.js";
import { openItemsValueRules, STATUS } from "../../../addin/sheets/open-items.js";
import { agingSpec, OPEN_ITEMS } from "../../../addin/sheets/specs.js";

declare global {
  interface Window {
    openarTest: {
      ready: boolean;
      events: CellChange[];
      model: ReturnType<typeof createBrowserWorkbook>["model"];
      gateway: ReturnType<typeof createBrowserWorkbook>["gateway"];
    };
  }
}

const ROWS = Number(new URLSearchParams(window.location.search).get("rows") ?? "100000");
const AS_OF = parseIsoDate("2024-06-30");
const NAMES = [
  "Acme Industrial Supply",
  "Bolt & Nut Wholesale",
  "Cascade Foods Ltd",
  "Delta Logistics GmbH",
  "Evergreen Health Partners",
  "Fjord Marine AS",
  "Granite Construction Co",
  "Harbor Freight Forwarders",
  "Ironwood Furniture",
  "Juniper Software Inc",
  "Kestrel Aviation",
  "Lumen Lighting",
];
const CURRENCIES = ["USD", "USD", "USD", "EUR", "USD", "JPY"] as const;

/** A fixed pseudo-random sequence, so every run draws the same sheet. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const labels = ["Current", "1–30", "31–60", "61–90", "91–120", "Over 120"];
function bucketLabel(days: number): string {
  if (days <= 0) return labels[0] ?? "";
  const edge = DEFAULT_AGING_EDGES.findIndex((e) => days <= e);
  return labels[edge < 0 ? 5 : edge + 1] ?? "";
}

function openItemRows(count: number): CellValue[][] {
  const random = sequence(42);
  const keys = OPEN_ITEMS.columns.map((c) => c.key);
  const rows: CellValue[][] = [];
  for (let i = 0; i < count; i++) {
    const c = i % NAMES.length;
    const currency = CURRENCIES[c % CURRENCIES.length] ?? "USD";
    const documentDate = addDays(AS_OF, -Math.floor(random() * 200));
    const dueDate = addDays(documentDate, 30);
    const days = daysBetween(dueDate, AS_OF);
    const credit = i % 17 === 5;
    const minor = BigInt(Math.floor(random() * 5_000_000) + 1_000);
    const amount = Money.fromMinor(credit ? -minor : minor, currency);
    const open = i % 3 === 0 ? amount : Money.fromMinor(credit ? -(minor / 2n) : minor / 2n, currency);
    const status = i % 97 === 3 ? STATUS.clash : i % 41 === 7 ? STATUS.edited : STATUS.clean;
    const values: Record<string, CellValue> = {
      customerNumber: textToCell(`C-${String(1000 + c).padStart(5, "0")}`),
      // One customer's name tries formula injection: it must show as text.
      customerName: textToCell(
        c === 11 && i < NAMES.length ? '=HYPERLINK("http://evil.example","Lumen")' : (NAMES[c] ?? ""),
      ),
      type: credit ? "Credit memo" : "Invoice",
      number: textToCell(`${credit ? "CM" : "INV"}-${String(100_000 + i)}`),
      documentDate: dateToCell(documentDate),
      dueDate: dateToCell(dueDate),
      currency,
      amount: moneyToCell(amount),
      open: moneyToCell(open),
      days,
      bucket: bucketLabel(days),
      disputed: i % 53 === 0 ? "Yes" : "",
      lastNote:
        i % 7 === 0
          ? textToCell(`2024-06-${String(1 + (i % 28)).padStart(2, "0")} call: promised payment by Friday`)
          : "",
      apply: status === STATUS.clean ? null : moneyToCell(open),
      note: status === STATUS.clean ? null : "Paid by wire, ref 7781",
      status,
      id: `doc-${i}`,
      kind: credit ? "creditMemo" : "invoice",
      customerId: `cust-${c}`,
      version: 1,
      "orig:apply": null,
      "orig:note": "",
    };
    rows.push(keys.map((k) => values[k] ?? null));
  }
  return rows;
}

function agingRows(spec: ReturnType<typeof agingSpec>): CellValue[][] {
  const random = sequence(7);
  const keys = spec.columns.map((c) => c.key);
  const bucketKeys = keys.filter((k) => k.startsWith("bucket:"));
  const rows: CellValue[][] = [];
  NAMES.slice(0, 9).forEach((name, c) => {
    const values: Record<string, CellValue> = {
      customerNumber: textToCell(`C-${String(1000 + c).padStart(5, "0")}`),
      customerName: name,
      currency: "USD",
      customerId: `cust-${c}`,
    };
    let total = Money.zero("USD");
    bucketKeys.forEach((key, b) => {
      const weight = b === 0 ? 6 : Math.max(0, 5 - b);
      const amount = Money.fromMinor(BigInt(Math.floor(random() * weight * 4_000_000)), "USD");
      values[key] = moneyToCell(amount);
      total = total.add(amount);
    });
    values.total = moneyToCell(total);
    rows.push(keys.map((k) => values[k] ?? null));
  });
  return rows;
}

async function main(): Promise<void> {
  const { gateway, model } = createBrowserWorkbook({ workbookId: "e2e" });
  const events: CellChange[] = [];
  window.openarTest = { ready: false, events, model, gateway };

  const container = document.getElementById("root");
  if (container === null) throw new Error("the page has no #root");
  createRoot(container).render(
    <FluentProvider theme={webLightTheme} style={{ height: "100vh" }}>
      <WorkbookView model={model} />
    </FluentProvider>,
  );

  await gateway.ensureTable(OPEN_ITEMS);
  await gateway.replaceRows(OPEN_ITEMS.table, openItemRows(ROWS), []);
  await gateway.setValueRules(OPEN_ITEMS.table, openItemsValueRules({ basis: "due", edges: DEFAULT_AGING_EDGES }));
  await gateway.onChange(OPEN_ITEMS.table, (changes) => events.push(...changes));

  const aging = agingSpec(DEFAULT_AGING_EDGES, "due");
  await gateway.ensureTable(aging);
  await gateway.replaceRows(aging.table, agingRows(aging), []);
  await gateway.ensureChart(aging.table, agingChart(DEFAULT_AGING_EDGES, "due", null));
  model.setActiveSheet(OPEN_ITEMS.sheet);
  window.openarTest.ready = true;
}

void main();
