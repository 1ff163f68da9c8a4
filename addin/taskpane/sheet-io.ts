/**
 * The few workbook writes the Payments and Review panes make themselves,
 * through the gateway: making sure the Payments and Notes sheets exist with
 * blank rows to type into, and writing changed rows in contiguous blocks
 * (one round trip per block, never one per row).
 */
import { cellToText } from "../excel/cells.js";
import type { CellValue, TableSpec, WorkbookGateway } from "../excel/gateway.js";
import { editedColumns, STATUS } from "../sheets/open-items.js";
import { openStatusOfRow } from "../sheets/reconcile.js";
import { NOTES, OPEN_ITEMS, PAYMENTS, RECONCILE } from "../sheets/specs.js";
import { markRows, type CellProblem } from "../sync/push.js";
import { blankRowsNeeded, isBlankRow } from "./payments.js";

/** Blank rows kept at the bottom of Payments and Notes, so there is always somewhere to type. */
export const BLANK_ROWS = 3;

export async function ensureEntrySheets(gateway: WorkbookGateway): Promise<void> {
  for (const spec of [PAYMENTS, NOTES]) {
    await gateway.ensureTable(spec);
    await padWithBlankRows(gateway, spec, BLANK_ROWS);
  }
}

export async function padWithBlankRows(gateway: WorkbookGateway, spec: TableSpec, count: number): Promise<void> {
  const rows = await gateway.readRows(spec.table);
  const missing = blankRowsNeeded(rows, isBlankRow(spec), count);
  if (missing === 0) return;
  const blank = (): CellValue[] => spec.columns.map(() => "");
  await gateway.writeRows(spec.table, rows.length, Array.from({ length: missing }, blank), []);
}

export interface SheetsNow {
  readonly openItems: CellValue[][];
  readonly payments: CellValue[][];
}

/** Open Items (empty before the first pull) and Payments as they are now. */
export async function readPaymentSheets(gateway: WorkbookGateway): Promise<SheetsNow> {
  await gateway.ensureTable(OPEN_ITEMS);
  await gateway.ensureTable(PAYMENTS);
  return { openItems: await gateway.readRows(OPEN_ITEMS.table), payments: await gateway.readRows(PAYMENTS.table) };
}

/** Writes changed rows, grouping neighbours into one write each. */
export async function writeRowBlocks(gateway: WorkbookGateway, table: string, updates: ReadonlyMap<number, CellValue[]>): Promise<void> {
  const blocks: { from: number; rows: CellValue[][] }[] = [];
  for (const index of [...updates.keys()].sort((a, b) => a - b)) {
    const row = updates.get(index);
    if (row === undefined) continue;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.from + last.rows.length === index) last.rows.push(row);
    else blocks.push({ from: index, rows: [row] });
  }
  for (const block of blocks) await gateway.writeRows(table, block.from, block.rows, []);
}

/**
 * Rows still marked "Error" from an earlier check that no longer have a
 * problem: their mark (status, message, red cells) goes, so what is red is
 * what is wrong now. Only the marks change; the clerk's cells stay. A
 * Reconcile row goes back to the status its bank line has (Auto-match, To
 * decide, Debit).
 */
export async function clearStaleErrors(gateway: WorkbookGateway, problems: readonly CellProblem[]): Promise<number> {
  const flagged = new Set(problems.map((p) => `${p.cell.table}:${p.cell.row}`));
  const marks: Parameters<typeof markRows>[1][number][] = [];
  for (const spec of [OPEN_ITEMS, PAYMENTS, NOTES, RECONCILE]) {
    const status = spec.columns.findIndex((c) => c.key === "status");
    // Only rows with a status can be marked; Excel finds them without reading the whole table.
    for (const { index: r, values: row } of await gateway.readRowsWithValues(spec.table, ["status"])) {
      if (flagged.has(`${spec.table}:${r}`) || !cellToText(row[status] ?? null).startsWith("Error")) continue;
      if (spec.table === RECONCILE.table) {
        marks.push({ table: spec.table, row: r, status: openStatusOfRow(row), message: "" });
        continue;
      }
      const pending = spec.table === OPEN_ITEMS.table && editedColumns(row).length > 0;
      marks.push({ table: spec.table, row: r, status: pending ? STATUS.edited : "", message: "" });
    }
  }
  await markRows(gateway, marks);
  return marks.length;
}
