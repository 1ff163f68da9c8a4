/**
 * Rows of the add-in's own sheets (Open Items, Payments, Notes) as the sync
 * code reads them back from a workbook, for unit tests of the change-set
 * builder and the push. Open Items rows come from a pulled item (exactly as
 * pull writes them); the clerk's typing is laid over them by column key.
 * Payments and Notes rows are what a clerk types, every other cell empty ("").
 * Dates a clerk types land in Excel as serial numbers (`typedDate`).
 */
import { dateToCell } from "../../addin/excel/cells.js";
import type { CellValue, TableSpec } from "../../addin/excel/gateway.js";
import { bucketLabels, openItemRow } from "../../addin/sheets/open-items.js";
import { NOTES, OPEN_ITEMS, PAYMENTS, columnIndex } from "../../addin/sheets/specs.js";
import type { CellRef } from "../../addin/sync/changes.js";
import type { OpenItemWire } from "../../addin/sync/wire.js";
import { parseIsoDate } from "../../shared/dates.js";
import { asReadBack } from "./fake-gateway.js";

const LABELS = bucketLabels({ basis: "due", edges: [30, 60, 90, 120] });

/** A date typed into a cell: Excel keeps it as its serial day number. */
export const typedDate = (text: string): number => dateToCell(parseIsoDate(text));

/** An Open Items row as pull left it, with the clerk's edits (by column key) typed over it. */
export function openItemsRow(item: OpenItemWire, edits: Readonly<Record<string, CellValue>> = {}): CellValue[] {
  return withCells(OPEN_ITEMS, asReadBack(openItemRow(item, LABELS)), edits);
}

/** A Payments row: only the given cells are filled. */
export function paymentsRow(cells: Readonly<Record<string, CellValue>>): CellValue[] {
  return withCells(PAYMENTS, blankRow(PAYMENTS), cells);
}

/** A Notes row: only the given cells are filled. */
export function notesRow(cells: Readonly<Record<string, CellValue>>): CellValue[] {
  return withCells(NOTES, blankRow(NOTES), cells);
}

export function blankRow(spec: TableSpec): CellValue[] {
  return spec.columns.map(() => "");
}

/** A copy of `row` with `cells` (by column key) set. */
export function withCells(spec: TableSpec, row: readonly CellValue[], cells: Readonly<Record<string, CellValue>>): CellValue[] {
  const copy = [...row];
  for (const [key, value] of Object.entries(cells)) copy[columnIndex(spec, key)] = value;
  return copy;
}

/** The value of one cell of a row, by column key. */
export function valueOf(spec: TableSpec, row: readonly CellValue[] | undefined, key: string): CellValue | undefined {
  return row?.[columnIndex(spec, key)];
}

/** Cell references as changes.ts reports them. */
export const openItemsCell = (row: number, column: string): CellRef => ({ table: OPEN_ITEMS.table, row, column });
export const paymentsCell = (row: number, column: string): CellRef => ({ table: PAYMENTS.table, row, column });
export const notesCell = (row: number, column: string): CellRef => ({ table: NOTES.table, row, column });

/** Predictable ids for new rows and operations: id-1, id-2, … */
export function sequentialIds(prefix = "id"): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
