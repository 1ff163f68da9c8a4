/**
 * The workbook gateway over the in-page workbook (addin/preview/workbook-model.ts):
 * what the /preview page and the end-to-end tests run instead of Office.js.
 * It keeps the gateway's promises the way Excel does: writes go in chunks of
 * MAX_ROWS_PER_CHUNK with progress and cancel (yielding to the page between
 * chunks so progress bars move), change events come only from the user's
 * edits, and settings live per workbook.
 *
 * Unlike Excel, a write that is cancelled or fails leaves the table as it
 * was: rows are checked chunk by chunk and committed at the end.
 */
import { DomainError } from "../../shared/errors.js";
import { WorkbookModel } from "../preview/workbook-model.js";
import type {
  CellChange,
  CellValue,
  ChartSpec,
  RangeStyle,
  TableSpec,
  ValueRule,
  EnsuredTable,
  IndexedRow,
  WorkbookGateway,
  WriteOptions,
} from "./gateway.js";
import { MAX_ROWS_PER_CHUNK, rowsWithValues } from "./gateway.js";

/** The part of the Web Storage API settings need; localStorage satisfies it. */
export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface BrowserWorkbookOptions {
  /** Names the workbook: settings of different workbook ids never mix. Default "preview". */
  readonly workbookId?: string;
  /** Where settings live. Default: localStorage when the page has a usable one, else memory; null forces memory. */
  readonly storage?: SettingsStorage | null;
  /** An existing model to drive (a page that rebuilds its gateway keeps its sheets). */
  readonly model?: WorkbookModel;
}

export interface BrowserWorkbook {
  readonly gateway: BrowserWorkbookGateway;
  readonly model: WorkbookModel;
}

export function createBrowserWorkbook(options: BrowserWorkbookOptions = {}): BrowserWorkbook {
  const model = options.model ?? new WorkbookModel();
  const storage = options.storage === undefined ? pageStorage() : (options.storage ?? memoryStorage());
  const gateway = new BrowserWorkbookGateway({ model, storage, workbookId: options.workbookId ?? "preview" });
  return { gateway, model };
}

export function memoryStorage(): SettingsStorage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => {
      values.set(key, value);
    },
  };
}

/**
 * The page's localStorage if it works. Reading `localStorage` throws in
 * sandboxed frames and with storage disabled, and node has none; then
 * settings last as long as the page.
 */
function pageStorage(): SettingsStorage {
  try {
    const candidate = (globalThis as { localStorage?: SettingsStorage & { removeItem(key: string): void } })
      .localStorage;
    if (candidate === undefined) return memoryStorage();
    const probe = "openar:probe";
    candidate.setItem(probe, "1");
    candidate.removeItem(probe);
    return candidate;
  } catch {
    // Unusable storage is an expected condition of the page, not an error: memory is the documented fallback.
    return memoryStorage();
  }
}

/** Lets the page paint (progress bars) between chunks, as Excel's round trips do. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class BrowserWorkbookGateway implements WorkbookGateway {
  readonly #model: WorkbookModel;
  readonly #storage: SettingsStorage;
  readonly #prefix: string;

  constructor(options: {
    readonly model: WorkbookModel;
    readonly storage: SettingsStorage;
    readonly workbookId: string;
  }) {
    if (options.workbookId === "")
      throw new DomainError("invalid_argument", "workbookId must not be empty", { field: "workbookId" });
    this.#model = options.model;
    this.#storage = options.storage;
    this.#prefix = `openar:workbook:${options.workbookId}:setting:`;
  }

  ensureTable(spec: TableSpec): Promise<EnsuredTable> {
    return this.#run(() => ({ created: this.#model.ensureTable(spec) }));
  }

  ensureTables(specs: readonly TableSpec[]): Promise<EnsuredTable[]> {
    return this.#run(() => specs.map((spec) => ({ created: this.#model.ensureTable(spec) })));
  }

  readRows(table: string): Promise<CellValue[][]> {
    return this.#run(() => this.#model.readRows(table));
  }

  readRowsWithValues(table: string, columns: readonly string[]): Promise<IndexedRow[]> {
    return this.#run(() => {
      const spec = this.#model.tableSpec(table);
      const at = columns.map((key) => {
        const index = spec.columns.findIndex((c) => c.key === key);
        if (index < 0)
          throw new DomainError("invalid_argument", `table ${table} has no column "${key}"`, { field: "columns" });
        return index;
      });
      return rowsWithValues(this.#model.readRows(table), at);
    });
  }

  async replaceRows(
    table: string,
    rows: readonly (readonly CellValue[])[],
    styles: readonly RangeStyle[],
    options: WriteOptions = {},
  ): Promise<void> {
    const checked = await this.#normalizeInChunks(table, 0, rows, options);
    // A chart naming a missing column is refused before any row changes.
    if (options.chart !== undefined) this.#model.checkChart(table, options.chart);
    this.#model.commitReplace(table, checked, styles);
    if (options.valueRules !== undefined) this.#model.setValueRules(table, options.valueRules);
    if (options.chart !== undefined) this.#model.ensureChart(table, options.chart);
  }

  async writeRows(
    table: string,
    fromRow: number,
    rows: readonly (readonly CellValue[])[],
    styles: readonly RangeStyle[],
    options: WriteOptions = {},
  ): Promise<void> {
    const checked = await this.#normalizeInChunks(table, fromRow, rows, options);
    // A chart naming a missing column is refused before any row changes.
    if (options.chart !== undefined) this.#model.checkChart(table, options.chart);
    this.#model.commitWrite(table, fromRow, checked, styles);
    if (options.valueRules !== undefined) this.#model.setValueRules(table, options.valueRules);
    if (options.chart !== undefined) this.#model.ensureChart(table, options.chart);
  }

  deleteRows(table: string, rows: readonly number[]): Promise<void> {
    return this.#run(() => {
      this.#model.deleteRows(table, rows);
    });
  }

  setValueRules(table: string, rules: readonly ValueRule[]): Promise<void> {
    return this.#run(() => {
      this.#model.setValueRules(table, rules);
    });
  }

  ensureChart(table: string, chart: ChartSpec): Promise<void> {
    return this.#run(() => {
      this.#model.ensureChart(table, chart);
    });
  }

  onChange(table: string, handler: (changes: readonly CellChange[]) => void): Promise<() => Promise<void>> {
    return this.#run(() => {
      // Fails now for a table that does not exist, as Excel's table.onChanged would.
      this.#model.tableSpec(table);
      const unsubscribe = this.#model.onUserEdit((changes) => {
        const mine = changes.filter((c) => c.table === table);
        // Excel delivers events after the edit, not inside it; so does this.
        if (mine.length > 0) {
          queueMicrotask(() => {
            handler(mine);
          });
        }
      });
      return () => {
        unsubscribe();
        return Promise.resolve();
      };
    });
  }

  select(table: string, row: number, column: string): Promise<void> {
    return this.#run(() => {
      this.#model.select({ table, row, column }, { reveal: true });
    });
  }

  getSetting(key: string): Promise<string | null> {
    return this.#run(() => this.#storage.getItem(this.#prefix + key));
  }

  setSetting(key: string, value: string): Promise<void> {
    return this.#run(() => {
      this.#storage.setItem(this.#prefix + key, value);
    });
  }

  /** Synchronous model calls surface their errors as rejections, like every gateway call. */
  #run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #normalizeInChunks(
    table: string,
    fromRow: number,
    rows: readonly (readonly CellValue[])[],
    options: WriteOptions,
  ): Promise<CellValue[][]> {
    const { signal, onProgress } = options;
    signal?.throwIfAborted();
    this.#model.tableSpec(table);
    const checked: CellValue[][] = [];
    for (let start = 0; start < rows.length || (start === 0 && rows.length === 0); start += MAX_ROWS_PER_CHUNK) {
      const chunk = rows.slice(start, start + MAX_ROWS_PER_CHUNK);
      for (const row of this.#model.normalizeRows(table, chunk, fromRow + start)) checked.push(row);
      onProgress?.(checked.length, rows.length);
      if (rows.length === 0) break;
      await nextTurn();
      signal?.throwIfAborted();
    }
    return checked;
  }
}
