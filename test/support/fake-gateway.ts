/**
 * An in-memory WorkbookGateway for unit tests of the sync code (pull,
 * refresh). It keeps only what those tests need, but imitates the two things
 * Excel does to values that the sync code must cope with:
 * - a leading apostrophe marks text and is not part of the value read back
 *   ("'=X" is stored and read as "=X");
 * - empty cells read back as "" (Excel's `range.values`), not null.
 * A string written WITHOUT the apostrophe that starts with =, +, - or @ is one
 * Excel would have turned into a formula (or, for "-123", a number): it is
 * recorded in `formulaLikeWrites` so tests can prove the add-in escaped it.
 *
 * Every call is logged in `calls` (in order) so tests can assert how rows were
 * written (contiguous blocks, appends, deletes).
 */
import { rowsWithValues } from "../../addin/excel/gateway.js";
import type { CellChange, CellValue, ChartSpec, EnsuredTable, IndexedRow, RangeStyle, TableSpec, ValueRule, WorkbookGateway, WriteOptions } from "../../addin/excel/gateway.js";

export type GatewayCall =
  | { readonly method: "ensureTable"; readonly table: string }
  | { readonly method: "readRows"; readonly table: string }
  | { readonly method: "replaceRows"; readonly table: string; readonly rows: number; readonly styles: readonly RangeStyle[] }
  | { readonly method: "writeRows"; readonly table: string; readonly fromRow: number; readonly rows: number; readonly styles: readonly RangeStyle[] }
  | { readonly method: "deleteRows"; readonly table: string; readonly indexes: readonly number[] }
  | { readonly method: "setValueRules"; readonly table: string; readonly rules: readonly ValueRule[] }
  | { readonly method: "ensureChart"; readonly table: string; readonly chart: ChartSpec }
  | { readonly method: "setSetting"; readonly key: string; readonly value: string };

export interface FormulaLikeWrite {
  readonly table: string;
  readonly row: number;
  readonly column: string;
  readonly text: string;
}

interface FakeTable {
  spec: TableSpec;
  rows: CellValue[][];
  rules: readonly ValueRule[];
  charts: ChartSpec[];
}

/** What Excel keeps of a value written through `range.values` (see the module comment). */
export function asExcelStores(value: CellValue): CellValue {
  if (typeof value === "string" && value.startsWith("'")) return value.slice(1);
  return value === "" ? null : value;
}

/** A row as `readRows` would give it back after being written: apostrophes gone, empty cells "". */
export function asReadBack(row: readonly CellValue[]): CellValue[] {
  return row.map((value) => asExcelStores(value) ?? "");
}

// "-123" counts too: Excel would store the number −123, not the text.
const looksLikeFormula = (text: string): boolean => /^[=+\-@]/.test(text);

export class FakeGateway implements WorkbookGateway {
  readonly calls: GatewayCall[] = [];
  readonly formulaLikeWrites: FormulaLikeWrite[] = [];
  readonly settings = new Map<string, string>();
  readonly #tables = new Map<string, FakeTable>();

  ensureTable(spec: TableSpec): Promise<EnsuredTable> {
    this.calls.push({ method: "ensureTable", table: spec.table });
    const existing = this.#tables.get(spec.table);
    if (existing === undefined) this.#tables.set(spec.table, { spec, rows: [], rules: [], charts: [] });
    else existing.spec = spec;
    return Promise.resolve({ created: existing === undefined });
  }

  async ensureTables(specs: readonly TableSpec[]): Promise<EnsuredTable[]> {
    const results: EnsuredTable[] = [];
    for (const spec of specs) results.push(await this.ensureTable(spec));
    return results;
  }

  readRowsWithValues(table: string, columns: readonly string[]): Promise<IndexedRow[]> {
    return this.readRows(table).then((rows) => {
      const spec = this.#table(table).spec;
      const at = columns.map((key) => {
        const index = spec.columns.findIndex((c) => c.key === key);
        if (index < 0) throw new Error(`${table}: no column "${key}"`);
        return index;
      });
      return rowsWithValues(rows, at);
    });
  }

  readRows(table: string): Promise<CellValue[][]> {
    return this.#run(() => {
      this.calls.push({ method: "readRows", table });
      return this.rowsOf(table);
    });
  }

  replaceRows(table: string, rows: readonly (readonly CellValue[])[], styles: readonly RangeStyle[], options: WriteOptions = {}): Promise<void> {
    return this.#run(() => {
      const state = this.#table(table);
      if (options.signal?.aborted === true) throw new Error("write cancelled");
      this.calls.push({ method: "replaceRows", table, rows: rows.length, styles });
      state.rows = this.#store(state, 0, rows);
      options.onProgress?.(rows.length, rows.length);
      if (options.valueRules !== undefined) state.rules = options.valueRules;
      const chart = options.chart;
      if (chart !== undefined) state.charts = [...state.charts.filter((c) => c.name !== chart.name), chart];
    });
  }

  writeRows(table: string, fromRow: number, rows: readonly (readonly CellValue[])[], styles: readonly RangeStyle[], options: WriteOptions = {}): Promise<void> {
    return this.#run(() => {
      const state = this.#table(table);
      if (!Number.isInteger(fromRow) || fromRow < 0 || fromRow > state.rows.length) {
        throw new Error(`${table}: writeRows from row ${fromRow}, but the table has ${state.rows.length} rows`);
      }
      this.calls.push({ method: "writeRows", table, fromRow, rows: rows.length, styles });
      this.#store(state, fromRow, rows).forEach((row, offset) => {
        state.rows[fromRow + offset] = row;
      });
      options.onProgress?.(rows.length, rows.length);
      if (options.valueRules !== undefined) state.rules = options.valueRules;
      const chart = options.chart;
      if (chart !== undefined) state.charts = [...state.charts.filter((c) => c.name !== chart.name), chart];
    });
  }

  deleteRows(table: string, indexes: readonly number[]): Promise<void> {
    return this.#run(() => {
      const state = this.#table(table);
      for (const index of indexes) {
        if (!Number.isInteger(index) || index < 0 || index >= state.rows.length) {
          throw new Error(`${table}: cannot delete row ${index}; the table has ${state.rows.length} rows`);
        }
      }
      this.calls.push({ method: "deleteRows", table, indexes: [...indexes] });
      for (const index of [...new Set(indexes)].sort((a, b) => b - a)) state.rows.splice(index, 1);
    });
  }

  setValueRules(table: string, rules: readonly ValueRule[]): Promise<void> {
    return this.#run(() => {
      this.#table(table).rules = rules;
      this.calls.push({ method: "setValueRules", table, rules });
    });
  }

  ensureChart(table: string, chart: ChartSpec): Promise<void> {
    return this.#run(() => {
      const state = this.#table(table);
      state.charts = [...state.charts.filter((c) => c.name !== chart.name), chart];
      this.calls.push({ method: "ensureChart", table, chart });
    });
  }

  onChange(table: string, _handler: (changes: readonly CellChange[]) => void): Promise<() => Promise<void>> {
    return this.#run(() => {
      this.#table(table);
      return () => Promise.resolve();
    });
  }

  select(table: string, _row: number, _column: string): Promise<void> {
    return this.#run(() => {
      this.#table(table);
    });
  }

  getSetting(key: string): Promise<string | null> {
    return Promise.resolve(this.settings.get(key) ?? null);
  }

  setSetting(key: string, value: string): Promise<void> {
    this.calls.push({ method: "setSetting", key, value });
    this.settings.set(key, value);
    return Promise.resolve();
  }

  // ---- test helpers (not part of the gateway) ------------------------------

  /** The rows as `readRows` returns them, without logging a call. */
  rowsOf(table: string): CellValue[][] {
    return this.#table(table).rows.map((row) => row.map((value) => value ?? ""));
  }

  rulesOf(table: string): readonly ValueRule[] {
    return this.#table(table).rules;
  }

  chartsOf(table: string): readonly ChartSpec[] {
    return this.#table(table).charts;
  }

  /**
   * Puts rows in place as an earlier pull left them: `rows` are values as
   * Excel holds them (as `readRows` returns them, e.g. from `asReadBack`), so
   * a leading apostrophe here is part of the text. Not logged.
   */
  seed(spec: TableSpec, rows: readonly (readonly CellValue[])[]): void {
    this.#tables.set(spec.table, { spec, rows: rows.map((row) => row.map((value) => (value === "" ? null : value))), rules: [], charts: [] });
  }

  /** The clerk types into a cell: the value lands as typed (an apostrophe prefix forces text, as in Excel). */
  userEdit(table: string, row: number, column: string, value: CellValue): void {
    const state = this.#table(table);
    const index = state.spec.columns.findIndex((c) => c.key === column);
    const target = state.rows[row];
    if (index < 0 || target === undefined) throw new Error(`${table} has no cell (${row}, ${column})`);
    target[index] = asExcelStores(value);
  }

  /** Calls that changed a table's rows (replace, write, delete), in order. */
  rowWrites(table: string): GatewayCall[] {
    return this.calls.filter((c) => "table" in c && c.table === table && (c.method === "replaceRows" || c.method === "writeRows" || c.method === "deleteRows"));
  }

  /** Errors become rejections, as every gateway call reports them. */
  #run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #table(table: string): FakeTable {
    const state = this.#tables.get(table);
    if (state === undefined) throw new Error(`no table ${table}: ensureTable first`);
    return state;
  }

  #store(state: FakeTable, fromRow: number, rows: readonly (readonly CellValue[])[]): CellValue[][] {
    const width = state.spec.columns.length;
    return rows.map((row, offset) => {
      if (row.length !== width) throw new Error(`${state.spec.table} row ${fromRow + offset}: ${row.length} values for ${width} columns`);
      return row.map((value, index) => {
        if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`${state.spec.table}: ${value} is not a cell value`);
        if (typeof value === "string" && !value.startsWith("'") && looksLikeFormula(value)) {
          this.formulaLikeWrites.push({ table: state.spec.table, row: fromRow + offset, column: state.spec.columns[index]?.key ?? String(index), text: value });
        }
        return asExcelStores(value);
      });
    });
  }
}
