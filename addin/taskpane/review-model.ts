/**
 * What the Review pane says, pure: where a cell is in words a clerk reads
 * ("Open Items P14 · Apply"), each pushed row's result (Posted, Error,
 * Conflict, or held back because a change set posts all or nothing), and a
 * conflict's two sides — the clerk's row beside the server's current values.
 */
import { isCurrencyCode } from "../../shared/currency.js";
import { isDomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { cellToMoney, cellToText, columnLetter } from "../excel/cells.js";
import type { CellValue, TableSpec } from "../excel/gateway.js";
import { NOTES, OPEN_ITEMS, PAYMENTS } from "../sheets/specs.js";
import type { CellRef, PendingRow } from "../sync/changes.js";
import type { CellProblem, FrozenPush, PushOutcome, StoredConflict } from "../sync/push.js";

const SPECS: readonly TableSpec[] = [OPEN_ITEMS, PAYMENTS, NOTES];

export function specOf(table: string): TableSpec | undefined {
  return SPECS.find((s) => s.table === table);
}

/** The sheet row of a table's data row: the header is row 1. */
export function sheetRow(row: number): number {
  return row + 2;
}

export interface Place {
  readonly sheet: string;
  /** Excel-style address, e.g. "P14". */
  readonly address: string;
  readonly header: string;
}

export function placeOf(cell: CellRef): Place {
  const spec = specOf(cell.table);
  const index = spec?.columns.findIndex((c) => c.key === cell.column) ?? -1;
  const column = index < 0 ? undefined : spec?.columns[index];
  return {
    sheet: spec?.sheet ?? cell.table,
    address: index < 0 ? `row ${sheetRow(cell.row)}` : `${columnLetter(index)}${sheetRow(cell.row)}`,
    header: column?.hidden === true ? "" : (column?.header ?? cell.column),
  };
}

/** The cell a pending row's link jumps to: the column that names the row. */
export function anchorOf(row: { table: string; row: number }): CellRef {
  const column = row.table === PAYMENTS.table ? "reference" : row.table === NOTES.table ? "text" : "number";
  return { table: row.table, row: row.row, column };
}

export interface RowLine {
  readonly table: string;
  readonly row: number;
  readonly ref: string;
  /** What names the row: the document number on Open Items, else "Payments 3". */
  readonly label: string;
  /** What is pending on it, in words. */
  readonly text: string;
  /** Open Items rows move after a refresh: their link finds the row by document id. */
  readonly documentId: string | null;
}

/** An amount cell as the clerk reads it, formatted in the row's currency; text that is not an amount as typed. */
function amountCell(value: CellValue, currency: string): string {
  if (!isCurrencyCode(currency)) return cellToText(value).trim();
  try {
    return cellToMoney(value, currency, "amount")?.format() ?? "";
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return cellToText(value).trim();
  }
}

/**
 * One line per pending row. An Open Items row says what is typed on it (the
 * change set's summary there would be its receipt's, repeated on every row
 * the receipt pays); other rows keep the change set's summary.
 */
export function describeRows(rows: readonly PendingRow[], openItems: readonly (readonly CellValue[])[]): RowLine[] {
  const at = (key: string) => OPEN_ITEMS.columns.findIndex((c) => c.key === key);
  return rows.map((r) => {
    const base = { table: r.table, row: r.row, ref: r.ref };
    const spec = specOf(r.table);
    if (r.table !== OPEN_ITEMS.table) return { ...base, label: `${spec?.sheet ?? r.table} ${sheetRow(r.row)}`, text: r.summary, documentId: null };
    const cells = openItems[r.row] ?? [];
    const get = (key: string) => cells[at(key)] ?? null;
    const text = (key: string) => cellToText(get(key)).trim();
    const currency = text("currency");
    const parts: string[] = [];
    if (text("apply") !== "") parts.push(`apply ${amountCell(get("apply"), currency)}`);
    if (text("discount") !== "") parts.push(`discount ${amountCell(get("discount"), currency)}`);
    if (text("writeOff") !== "") parts.push(`write off ${amountCell(get("writeOff"), currency)}${text("writeOffReason") === "" ? "" : ` (${text("writeOffReason")})`}`);
    const settled = parts.length > 0 && text("from") !== "" ? [`${parts.join(", ")} from ${text("from")}`] : parts;
    if (text("dispute") !== "") settled.push(`dispute: ${text("dispute")}${text("disputeAmount") === "" ? "" : ` ${amountCell(get("disputeAmount"), currency)}`}`);
    if (text("note") !== "") settled.push(`note "${text("note")}"`);
    const number = text("number");
    return { ...base, label: number === "" ? `${OPEN_ITEMS.sheet} ${sheetRow(r.row)}` : number, text: settled.length === 0 ? r.summary : settled.join("; "), documentId: text("id") || null };
  });
}

export type RowStatus = "Posted" | "Error" | "Conflict" | "Not posted";

export interface RowResult extends RowLine {
  readonly status: RowStatus;
  readonly message: string;
}

const rowKey = (table: string, row: number) => `${table}:${row}`;

/** Problems in sheet order: Open Items, Payments, Notes; top to bottom; left to right. */
export function sortProblems(problems: readonly CellProblem[]): CellProblem[] {
  const tableOrder = (t: string) => SPECS.findIndex((s) => s.table === t);
  const columnOrder = (p: CellProblem) => specOf(p.cell.table)?.columns.findIndex((c) => c.key === p.cell.column) ?? 0;
  return [...problems].sort((a, b) => tableOrder(a.cell.table) - tableOrder(b.cell.table) || a.cell.row - b.cell.row || columnOrder(a) - columnOrder(b));
}

/** Each pushed row's fate: posted with the rest, or why not. */
export function rowResults(rows: readonly RowLine[], outcome: PushOutcome): RowResult[] {
  const problems = new Map<string, CellProblem[]>();
  for (const p of outcome.problems) problems.set(rowKey(p.cell.table, p.cell.row), [...(problems.get(rowKey(p.cell.table, p.cell.row)) ?? []), p]);
  const conflicts = new Map<string, StoredConflict>(outcome.conflicts.map((c) => [rowKey(c.cell.table, c.cell.row), c]));
  // Held back rows: the change set is one transaction, so one bad row keeps the others from posting.
  const heldBack = outcome.kind === "mismatch" ? outcome.message : "not sent on its own: a push posts all its rows or none; fix the rows marked above and push again";
  return rows.map((line) => {
    if (outcome.kind === "committed") return { ...line, status: "Posted", message: "" };
    const mine = problems.get(rowKey(line.table, line.row));
    if (mine !== undefined) return { ...line, status: "Error", message: mine.map((p) => p.message).join("; ") };
    const conflict = conflicts.get(rowKey(line.table, line.row));
    if (conflict !== undefined) return { ...line, status: "Conflict", message: `changed on the server (version ${conflict.expectedVersion} → ${conflict.currentVersion})` };
    return { ...line, status: "Not posted", message: heldBack };
  });
}

/** The rows a frozen push would post, for the banner that offers to retry it. */
export function frozenSummary(frozen: FrozenPush): string {
  const receipts = frozen.changeSet.operations.filter((op) => op.op === "receipt.create").length;
  const parts = [`${frozen.changeSet.operations.length} change(s) on ${frozen.rows.length} row(s)`];
  if (receipts > 0) parts.push(`${receipts} new receipt(s)`);
  return parts.join(", ");
}

export interface ConflictView {
  readonly title: string;
  readonly where: CellRef;
  /** The clerk's pending entries on the row (header → value). */
  readonly yours: readonly { readonly label: string; readonly value: string }[];
  /** The facts that moved: the value the clerk's edit was based on beside the server's now. */
  readonly compare: readonly { readonly label: string; readonly yours: string; readonly server: string }[];
}

function primitive(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : null;
}

function amountText(text: string | null, currency: string): string {
  if (text === null) return "—";
  if (!isCurrencyCode(currency)) return text;
  try {
    return Money.parse(text, currency).format();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return text;
  }
}

/** Reads a conflict next to the row it landed on (`row` is that row's cells, when it still exists). */
export function conflictView(conflict: StoredConflict, row: readonly CellValue[] | undefined): ConflictView {
  const spec = specOf(conflict.cell.table);
  const cell = (key: string): string => {
    const index = spec?.columns.findIndex((c) => c.key === key) ?? -1;
    return index < 0 || row === undefined ? "" : cellToText(row[index] ?? null).trim();
  };
  const current = conflict.current;
  const currency = primitive(current.currency) ?? cell("currency");
  const yours = (spec?.columns ?? [])
    .filter((c) => c.editable && c.hidden !== true && cell(c.key) !== "")
    .map((c) => {
      const index = spec?.columns.indexOf(c) ?? -1;
      return { label: c.header, value: c.kind === "money" && row !== undefined ? amountCell(row[index] ?? null, currency) : cell(c.key) };
    });
  const compare: { label: string; yours: string; server: string }[] = [];
  const isOpenItems = conflict.cell.table === OPEN_ITEMS.table;
  if (conflict.entity === "document") {
    compare.push({ label: "Open", yours: isOpenItems ? amountText(cell("open").replace(/,/g, "") || null, currency) : "—", server: amountText(primitive(current.open), currency) });
    compare.push({ label: "Disputed", yours: isOpenItems ? (cell("disputed") === "" ? "No" : "Yes") : "—", server: current.disputed === true ? "Yes" : "No" });
  } else if (conflict.entity === "receipt") {
    const open = isOpenItems ? cell("open").replace(/^-/, "") : "";
    compare.push({ label: "Unapplied", yours: open === "" ? "—" : amountText(open, currency), server: amountText(primitive(current.unapplied), currency) });
    compare.push({ label: "Reversed", yours: "No", server: current.reversed === true ? "Yes" : "No" });
  } else {
    for (const key of ["name", "status", "terms"]) {
      const value = primitive(current[key]);
      if (value !== null) compare.push({ label: `${key.slice(0, 1).toUpperCase()}${key.slice(1)}`, yours: "—", server: value });
    }
  }
  compare.push({ label: "Version", yours: String(conflict.expectedVersion), server: String(conflict.currentVersion) });
  const name = isOpenItems ? cell("number") : conflict.cell.table === PAYMENTS.table ? cell("reference") : "";
  const place = placeOf(conflict.cell);
  return {
    title: `${name === "" ? `${conflict.entity} ${conflict.id}` : name} · ${place.sheet} row ${sheetRow(conflict.cell.row)}`,
    where: isOpenItems ? { ...conflict.cell, column: "number" } : conflict.cell,
    yours,
    compare,
  };
}
