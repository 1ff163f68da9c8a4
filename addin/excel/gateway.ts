/**
 * The workbook gateway: everything the add-in does to a workbook, behind one
 * small typed interface. Two implementations run the same contract tests:
 * `office-gateway.ts` (Office.js, Excel) and `browser-gateway.ts` (an in-page
 * workbook for the /preview page and end-to-end tests). Components and sync
 * logic never touch Office.js; they get a gateway.
 *
 * Tables are addressed by name; rows by 0-based data-row index (the header
 * row is not counted). Cell values cross this boundary as `CellValue`;
 * amounts become numbers only here, at the cell (see cells.ts).
 */

export type CellValue = string | number | boolean | null;

export type ColumnKind = "text" | "date" | "money" | "integer" | "boolean";

export interface ColumnSpec {
  /** Stable key used in code; the header text may change. */
  readonly key: string;
  readonly header: string;
  readonly kind: ColumnKind;
  /** Users may type here (unlocked, styled as input); everything else is locked. */
  readonly editable: boolean;
  /** Hidden bookkeeping columns: ids, versions, pulled values of editable columns. */
  readonly hidden?: boolean;
  /** Column width in characters. */
  readonly width?: number;
}

export interface TableSpec {
  readonly sheet: string;
  readonly table: string;
  readonly columns: readonly ColumnSpec[];
  /** Excel table style, e.g. "TableStyleMedium2". */
  readonly style?: string;
}

/** A fill and font for a block of cells; colours are #RRGGBB. */
export interface CellStyle {
  readonly fill?: string;
  readonly fontColor?: string;
  readonly bold?: boolean;
  readonly italic?: boolean;
  /** An Excel number format, e.g. "#,##0.00;[Red]-#,##0.00", "yyyy-mm-dd", "@". */
  readonly numberFormat?: string;
  /** Hover text (Excel: a note/comment is not used; the browser grid shows a tooltip). */
  readonly note?: string;
}

/** Style for rows [fromRow, toRow] of some columns (all columns when omitted). */
export interface RangeStyle {
  readonly fromRow: number;
  readonly toRow: number;
  readonly columns?: readonly string[];
  readonly style: CellStyle;
}

/** Conditional formatting by value: applied by Excel itself, so it follows edits and refreshes. */
export interface ValueRule {
  readonly column: string;
  /** Cells whose text equals one of these get the style. */
  readonly equals: readonly string[];
  /** …or starts with one of these (e.g. "Conflict:", whatever details follow). */
  readonly startsWith?: readonly string[];
  readonly style: CellStyle;
  /** Style the whole row, not just the cell. */
  readonly wholeRow?: boolean;
  /**
   * Style these columns of the matching row instead of the cell itself, e.g.
   * a 0-decimal number format on the amount columns of rows whose currency
   * is JPY. Takes precedence over `wholeRow`.
   */
  readonly columns?: readonly string[];
}

export interface WriteOptions {
  /** Called after each chunk with rows written so far. */
  readonly onProgress?: (written: number, total: number) => void;
  readonly signal?: AbortSignal;
  /**
   * Value rules to set with the write, exactly as `setValueRules` would after it; a
   * gateway may send them with the last chunk, saving a round trip.
   */
  readonly valueRules?: readonly ValueRule[];
  /**
   * A chart to create or rebuild over the table once the rows are written, exactly as
   * `ensureChart` would after the write; a gateway may queue it with the last chunk.
   */
  readonly chart?: ChartSpec;
}

export interface EnsuredTable {
  /**
   * The table was made by this call on a new sheet: it holds no rows yet, so there are
   * no edits in it to read. False when the table was already there (or rebuilt in place).
   */
  readonly created: boolean;
}

export interface ChartSpec {
  readonly name: string;
  readonly title: string;
  /** percentStackedBar: each bar is 100% and the segments its shares, so bars of different currencies compare. */
  readonly type: "stackedBar" | "stackedColumn" | "percentStackedBar";
  /** Category column (e.g. customer name) and series columns (e.g. bucket columns). */
  readonly categoryColumn: string;
  readonly seriesColumns: readonly string[];
  /** Chart only data rows fromRow..toRow (0-based, inclusive); all rows when omitted. */
  readonly fromRow?: number;
  readonly toRow?: number;
}

/** A data row with its 0-based index in the table. */
export interface IndexedRow {
  readonly index: number;
  readonly values: CellValue[];
}

export interface CellChange {
  readonly table: string;
  readonly row: number;
  readonly column: string;
}

export interface WorkbookGateway {
  /** Creates the sheet and table if missing (headers, column kinds, widths, locking, frozen header). Idempotent. */
  ensureTable(spec: TableSpec): Promise<EnsuredTable>;
  /** ensureTable for several tables at once (Excel: in the same round trips). */
  ensureTables(specs: readonly TableSpec[]): Promise<EnsuredTable[]>;
  /** All data rows, in column order of the spec. */
  readRows(table: string): Promise<CellValue[][]>;
  /**
   * The data rows that hold something (anything but empty text) in at least one of
   * `columns`, whole and in table order. Finds the clerk's input in a large table without
   * reading all of it back.
   */
  readRowsWithValues(table: string, columns: readonly string[]): Promise<IndexedRow[]>;
  /** Replaces all data rows (values first, then `styles`), in chunks. */
  replaceRows(table: string, rows: readonly (readonly CellValue[])[], styles: readonly RangeStyle[], options?: WriteOptions): Promise<void>;
  /** Overwrites rows starting at `fromRow` (appending past the end), values then styles. */
  writeRows(table: string, fromRow: number, rows: readonly (readonly CellValue[])[], styles: readonly RangeStyle[], options?: WriteOptions): Promise<void>;
  /** Removes data rows by index (descending order is handled by the gateway). */
  deleteRows(table: string, rows: readonly number[]): Promise<void>;
  /** Value-based conditional formats for a column (replacing earlier ones on that table). */
  setValueRules(table: string, rules: readonly ValueRule[]): Promise<void>;
  /** Creates or updates a chart over the table. */
  ensureChart(table: string, chart: ChartSpec): Promise<void>;
  /** Calls `handler` when the user edits cells; returns an unsubscribe function. Events are hints only. */
  onChange(table: string, handler: (changes: readonly CellChange[]) => void): Promise<() => Promise<void>>;
  /** Selects and scrolls to a cell (errors in the Review pane link to their cell). */
  select(table: string, row: number, column: string): Promise<void>;
  /** Per-workbook settings (never tokens). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}

/** Largest number of rows per write round-trip (Excel: one context.sync per chunk). */
export const MAX_ROWS_PER_CHUNK = 5_000;
/** Payload budget per round-trip; Office rejects requests over ~5 MB. */
export const MAX_BYTES_PER_CHUNK = 4_000_000;

/** What `readRowsWithValues` counts as something in a cell: Excel's constants (empty text is nothing). */
export function hasValue(cell: CellValue | undefined): boolean {
  return cell !== null && cell !== undefined && cell !== "";
}

/** The rows with a value in any of the given column positions, with their indices: what readRowsWithValues answers. */
export function rowsWithValues(rows: readonly CellValue[][], columns: readonly number[]): IndexedRow[] {
  return rows.map((values, index) => ({ index, values })).filter(({ values }) => columns.some((c) => hasValue(values[c])));
}
