/**
 * A recording fake of the part of the Excel object model the Office.js
 * gateway uses, plus an `Office` global built with office-addin-mock.
 *
 * Why hand-rolled: office-addin-mock models property bags and load/sync of
 * plain properties, but not methods with meaning (ranges by index, tables
 * that resize, protection, conditional formats, charts) or the size of
 * what a sync carries. This fake records every queued command per
 * `context.sync()` with its payload size (JSON of the command, as Office.js
 * sends it), and behaves like Excel where the gateway's correctness depends
 * on it:
 *  - properties are readable only after load() and a sync; isNullObject only after a sync;
 *  - a string starting with "=" becomes a formula, and a numeric-looking one a
 *    number, unless the cell is formatted "@" or the string starts with an apostrophe;
 *  - null in a values array leaves the cell as it was;
 *  - values written to locked cells of a protected sheet, and resizing or
 *    deleting rows there, fail;
 *  - a sync over 5 MB fails (Office's request limit);
 *  - a table always keeps at least one data row;
 *  - queued commands left unsynced at the end of Excel.run are an error.
 * Commands take effect when queued (in order), loads snapshot when queued
 * and are readable after the sync: the same order Excel executes a batch in.
 */
import { createRequire } from "node:module";
import type * as OfficeAddinMockModule from "office-addin-mock";
import type { CellValue } from "../../addin/excel/gateway.js";

type OfficeAddinMock = typeof OfficeAddinMockModule;

// fs-extra is a devDependency so office-addin-mock's dependency chain loads even where npm
// skipped the optional office-addin-debugging tree (which otherwise brings it).
const { OfficeMockObject } = createRequire(import.meta.url)("office-addin-mock") as OfficeAddinMock;

export const SHEET_ROWS = 1_048_576;
export const SHEET_COLUMNS = 16_384;
/** Office rejects requests larger than this (Excel on the web: 5 MB). */
export const REQUEST_LIMIT_BYTES = 5 * 1024 * 1024;

export interface Rect {
  readonly row: number;
  readonly column: number;
  readonly rowCount: number;
  readonly columnCount: number;
}

export interface RecordedCall {
  /** e.g. "range.values", "range.format.fill.color", "table.resize", "application.suspendApiCalculationUntilNextSync". */
  readonly op: string;
  readonly sheet?: string;
  readonly rect?: Rect;
  readonly value?: unknown;
  /** JSON length of the command. */
  readonly bytes: number;
}

export interface SyncRecord {
  readonly calls: readonly RecordedCall[];
  /** Request payload: the sum of the commands' JSON. */
  readonly bytes: number;
  /** Response payload: JSON of the values loaded by this sync. */
  readonly responseBytes: number;
  readonly calculationSuspended: boolean;
  readonly screenUpdatingSuspended: boolean;
}

export interface CellView {
  readonly value: CellValue;
  readonly formula: boolean;
  readonly numberFormat: string;
  readonly locked: boolean;
  readonly fill: string | null;
  readonly fontColor: string | null;
  readonly bold: boolean;
  readonly italic: boolean;
}

export interface ConditionalFormatView {
  readonly rect: Rect;
  readonly type: string;
  formula: string;
  fill: string | null;
  fontColor: string | null;
  bold: boolean | null;
  italic: boolean | null;
  numberFormat: string | null;
}

export interface ChartSeriesView {
  name: string;
  values: Rect;
  xValues: Rect | null;
}

export interface ChartView {
  name: string;
  readonly type: string;
  title: string;
  readonly series: ChartSeriesView[];
  position: Rect | null;
  width: number;
  height: number;
  reversePlotOrder: boolean;
  legendPosition: string;
}

interface RectOp<T> {
  readonly rect: Rect;
  readonly value: T;
}

type StyleProp = "fill" | "fontColor" | "bold" | "italic";

type ChangedHandler = (event: {
  address: string;
  changeType: string;
  source: string;
  triggerSource: string;
  worksheetId: string;
  type: "WorksheetChanged";
}) => Promise<unknown>;

class SheetState {
  protected = false;
  protectionOptions: unknown = null;
  frozenRows = 0;
  readonly grid: (CellValue | undefined)[][] = [];
  readonly formulas = new Set<string>();
  numberFormats: RectOp<string>[] = [];
  locks: RectOp<boolean>[] = [];
  styles: RectOp<{ prop: StyleProp; value: string | boolean | null }>[] = [];
  readonly columnWidths = new Map<number, number>();
  readonly hiddenColumns = new Set<number>();
  readonly conditionalFormats: ConditionalFormatView[] = [];
  readonly charts: ChartView[] = [];
  readonly changeHandlers = new Set<ChangedHandler>();
  constructor(
    public name: string,
    readonly id: string,
  ) {}
}

class TableState {
  filtered = false;
  style = "TableStyleMedium2";
  constructor(
    public name: string,
    readonly sheet: SheetState,
    readonly headerRow: number,
    readonly firstColumn: number,
    readonly columnCount: number,
    public dataRows: number,
  ) {}
  get headerRect(): Rect {
    return { row: this.headerRow, column: this.firstColumn, rowCount: 1, columnCount: this.columnCount };
  }
  get bodyRect(): Rect {
    return {
      row: this.headerRow + 1,
      column: this.firstColumn,
      rowCount: this.dataRows,
      columnCount: this.columnCount,
    };
  }
}

interface WorkbookState {
  readonly sheets: SheetState[];
  readonly tables: TableState[];
  activeSheet: string | null;
  selection: { sheet: string; rect: Rect } | null;
  nextSheetId: number;
  nextTableId: number;
}

const covers = (rect: Rect, row: number, column: number): boolean =>
  row >= rect.row && row < rect.row + rect.rowCount && column >= rect.column && column < rect.column + rect.columnCount;

const intersects = (a: Rect, b: Rect): boolean =>
  a.row < b.row + b.rowCount &&
  b.row < a.row + a.rowCount &&
  a.column < b.column + b.columnCount &&
  b.column < a.column + a.columnCount;

function lastCovering<T>(
  ops: readonly RectOp<T>[],
  row: number,
  column: number,
  accept: (value: T) => boolean = () => true,
): T | undefined {
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op !== undefined && covers(op.rect, row, column) && accept(op.value)) return op.value;
  }
  return undefined;
}

/** Rows [from, from+n) are removed: rectangles below move up, overlapping ones shrink. */
function shiftUp<T>(ops: readonly RectOp<T>[], from: number, n: number): RectOp<T>[] {
  const to = from + n;
  const out: RectOp<T>[] = [];
  for (const op of ops) {
    const start = op.rect.row;
    const end = op.rect.row + op.rect.rowCount;
    const newStart = start < from ? start : Math.max(from, start - n);
    const newEnd = end <= from ? end : end >= to ? end - n : from;
    if (newEnd > newStart)
      out.push({ rect: { ...op.rect, row: newStart, rowCount: newEnd - newStart }, value: op.value });
  }
  return out;
}

function a1(rect: Rect): string {
  const letter = (index: number) => {
    let n = index + 1;
    let s = "";
    while (n > 0) {
      s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
      n = Math.floor((n - 1) / 26);
    }
    return s;
  };
  const tl = `${letter(rect.column)}${rect.row + 1}`;
  if (rect.rowCount === 1 && rect.columnCount === 1) return tl;
  return `${tl}:${letter(rect.column + rect.columnCount - 1)}${rect.row + rect.rowCount}`;
}

export interface RecordingOptions {
  /** Keep cell values (default true). Off for million-row benchmarks: only commands and sizes are recorded. */
  readonly storeValues?: boolean;
  /** Keep the values arrays of recorded calls (default true). */
  readonly keepPayloads?: boolean;
}

class Recorder {
  readonly syncs: SyncRecord[] = [];
  readonly workbook: WorkbookState = {
    sheets: [],
    tables: [],
    activeSheet: null,
    selection: null,
    nextSheetId: 1,
    nextTableId: 1,
  };
  readonly failures = new Map<number, Error>();
  totalSyncs = 0;
  constructor(readonly options: Required<RecordingOptions>) {}

  sheetByName(name: string): SheetState | undefined {
    return this.workbook.sheets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }
  tableByName(name: string): TableState | undefined {
    return this.workbook.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  }
  tablesOn(sheet: SheetState): TableState[] {
    return this.workbook.tables.filter((t) => t.sheet === sheet);
  }
}

abstract class FakeObject {
  private readonly bornAtSync: number;
  private readonly loaded = new Map<string, unknown>();
  constructor(readonly context: FakeContext) {
    this.bornAtSync = context.syncCount;
  }
  get isNullObject(): boolean {
    if (this.context.syncCount === this.bornAtSync) throw new Error("isNullObject was read before context.sync()");
    return false;
  }
  protected abstract readProperty(name: string): unknown;
  load(properties?: string | string[]): this {
    const names = (Array.isArray(properties) ? properties : (properties ?? "").split(","))
      .map((p) => p.trim())
      .filter((p) => p !== "");
    for (const name of names) {
      const snapshot = this.readProperty(name);
      this.context.queueLoad(() => this.loaded.set(name, snapshot), snapshot);
    }
    return this;
  }
  protected loadedValue(name: string): unknown {
    if (!this.loaded.has(name))
      throw new Error(`PropertyNotLoaded: "${name}" was read without load("${name}") and context.sync()`);
    return this.loaded.get(name);
  }
}

/** What getItemOrNullObject returns for a missing item: isNullObject after a sync, anything else throws. */
function nullObject(context: FakeContext, what: string): unknown {
  const born = context.syncCount;
  return new Proxy(
    {},
    {
      get(_target, prop, receiver: unknown) {
        if (prop === "isNullObject") {
          if (context.syncCount === born) throw new Error("isNullObject was read before context.sync()");
          return true;
        }
        if (prop === "then") return undefined;
        // Office.js lets a null object be loaded (nothing comes back); anything else throws.
        if (prop === "load") return () => receiver;
        throw new Error(`${what} does not exist: "${String(prop)}" used on a null object`);
      },
    },
  );
}

class FakeContext {
  syncCount = 0;
  /** An error Excel would report at the next sync (e.g. getItem of something missing, then used). */
  deferredError: Error | null = null;
  private calls: RecordedCall[] = [];
  private loads: { apply: () => void; bytes: number }[] = [];
  private calculationSuspended = false;
  private screenUpdatingSuspended = false;
  readonly workbook: FakeWorkbook;
  readonly application: {
    suspendApiCalculationUntilNextSync: () => void;
    suspendScreenUpdatingUntilNextSync: () => void;
  };
  constructor(readonly recorder: Recorder) {
    this.workbook = new FakeWorkbook(this);
    this.application = {
      suspendApiCalculationUntilNextSync: () => {
        this.calculationSuspended = true;
        this.record("application.suspendApiCalculationUntilNextSync");
      },
      suspendScreenUpdatingUntilNextSync: () => {
        this.screenUpdatingSuspended = true;
        this.record("application.suspendScreenUpdatingUntilNextSync");
      },
    };
  }

  record(op: string, where?: { sheet: SheetState; rect?: Rect }, value?: unknown): void {
    const target = where === undefined ? "" : `${where.sheet.name}!${where.rect === undefined ? "" : a1(where.rect)}`;
    const bytes = JSON.stringify({ op, target, value: value ?? null }).length;
    const keep = this.recorder.options.keepPayloads || !Array.isArray(value);
    this.calls.push({
      op,
      ...(where === undefined ? {} : { sheet: where.sheet.name }),
      ...(where?.rect === undefined ? {} : { rect: where.rect }),
      ...(keep && value !== undefined ? { value } : {}),
      bytes,
    });
  }

  queueLoad(apply: () => void, snapshot: unknown): void {
    this.loads.push({ apply, bytes: JSON.stringify(snapshot ?? null).length });
  }

  get pendingCalls(): number {
    return this.calls.length;
  }

  async sync(): Promise<void> {
    await Promise.resolve();
    const index = this.recorder.totalSyncs++;
    const failure = this.recorder.failures.get(index);
    const calls = this.calls;
    const loads = this.loads;
    this.calls = [];
    this.loads = [];
    const record: SyncRecord = {
      calls,
      bytes: calls.reduce((sum, c) => sum + c.bytes, 0) + loads.length * 40,
      responseBytes: loads.reduce((sum, l) => sum + l.bytes, 0),
      calculationSuspended: this.calculationSuspended,
      screenUpdatingSuspended: this.screenUpdatingSuspended,
    };
    this.calculationSuspended = false;
    this.screenUpdatingSuspended = false;
    this.recorder.syncs.push(record);
    if (failure !== undefined) throw failure;
    const deferred = this.deferredError;
    this.deferredError = null;
    if (deferred !== null) throw deferred;
    if (record.bytes > REQUEST_LIMIT_BYTES)
      throw new Error(`RequestPayloadSizeLimitExceeded: ${record.bytes} bytes in one sync`);
    if (record.responseBytes > REQUEST_LIMIT_BYTES)
      throw new Error(`ResponsePayloadSizeLimitExceeded: ${record.responseBytes} bytes in one sync`);
    for (const load of loads) load.apply();
    this.syncCount++;
  }
}

class FakeWorkbook {
  readonly worksheets: FakeWorksheetCollection;
  readonly tables: FakeTableCollection;
  constructor(readonly context: FakeContext) {
    this.worksheets = new FakeWorksheetCollection(context);
    this.tables = new FakeTableCollection(context);
  }
}

class FakeWorksheetCollection {
  constructor(private readonly context: FakeContext) {}
  getItem(name: string): FakeWorksheet {
    const sheet = this.context.recorder.sheetByName(name);
    if (sheet === undefined) throw new Error(`ItemNotFound: worksheet ${name}`);
    return new FakeWorksheet(this.context, sheet);
  }
  getItemOrNullObject(name: string): unknown {
    const sheet = this.context.recorder.sheetByName(name);
    return sheet === undefined ? nullObject(this.context, `worksheet ${name}`) : new FakeWorksheet(this.context, sheet);
  }
  add(name: string): FakeWorksheet {
    const recorder = this.context.recorder;
    if (recorder.sheetByName(name) !== undefined) throw new Error(`ItemAlreadyExists: worksheet ${name}`);
    const sheet = new SheetState(name, `{sheet-${recorder.workbook.nextSheetId++}}`);
    recorder.workbook.sheets.push(sheet);
    this.context.record("worksheets.add", { sheet }, name);
    return new FakeWorksheet(this.context, sheet);
  }
}

class FakeTableCollection {
  constructor(private readonly context: FakeContext) {}
  getItem(name: string): FakeTable {
    const table = this.context.recorder.tableByName(name);
    if (table === undefined) throw new Error(`ItemNotFound: table ${name}`);
    return new FakeTable(this.context, table);
  }
  getItemOrNullObject(name: string): unknown {
    const table = this.context.recorder.tableByName(name);
    return table === undefined ? nullObject(this.context, `table ${name}`) : new FakeTable(this.context, table);
  }
}

class FakeProtection extends FakeObject {
  constructor(
    context: FakeContext,
    private readonly sheet: SheetState,
  ) {
    super(context);
  }
  protected readProperty(name: string): unknown {
    if (name === "protected") return this.sheet.protected;
    throw new Error(`protection.${name} is not modelled`);
  }
  get protected(): boolean {
    return this.loadedValue("protected") as boolean;
  }
  protect(options?: unknown): void {
    if (this.sheet.protected) throw new Error(`InvalidOperation: worksheet ${this.sheet.name} is already protected`);
    this.sheet.protected = true;
    this.sheet.protectionOptions = options ?? {};
    this.context.record("worksheet.protection.protect", { sheet: this.sheet }, options);
  }
  unprotect(): void {
    this.sheet.protected = false;
    this.context.record("worksheet.protection.unprotect", { sheet: this.sheet });
  }
}

class FakeWorksheet extends FakeObject {
  readonly protection: FakeProtection;
  constructor(
    context: FakeContext,
    readonly state: SheetState,
  ) {
    super(context);
    this.protection = new FakeProtection(context, state);
  }
  protected readProperty(name: string): unknown {
    if (name === "name") return this.state.name;
    if (name === "id") return this.state.id;
    throw new Error(`worksheet.${name} is not modelled`);
  }
  get name(): string {
    return this.loadedValue("name") as string;
  }
  get id(): string {
    return this.loadedValue("id") as string;
  }
  getRangeByIndexes(row: number, column: number, rowCount: number, columnCount: number): FakeRange {
    const ints = [row, column, rowCount, columnCount].every(Number.isInteger);
    if (
      !ints ||
      row < 0 ||
      column < 0 ||
      rowCount < 1 ||
      columnCount < 1 ||
      row + rowCount > SHEET_ROWS ||
      column + columnCount > SHEET_COLUMNS
    ) {
      throw new Error(`InvalidArgument: getRangeByIndexes(${row}, ${column}, ${rowCount}, ${columnCount})`);
    }
    return new FakeRange(this.context, this.state, { row, column, rowCount, columnCount });
  }
  getRange(address?: string): FakeRange {
    if (address !== undefined) throw new Error("getRange(address) is not modelled; use getRangeByIndexes");
    return new FakeRange(this.context, this.state, {
      row: 0,
      column: 0,
      rowCount: SHEET_ROWS,
      columnCount: SHEET_COLUMNS,
    });
  }
  getUsedRangeOrNullObject(): unknown {
    let last = -1;
    let lastColumn = -1;
    this.state.grid.forEach((row, r) => {
      row.forEach((v, c) => {
        if (v !== undefined && v !== "" && v !== null) {
          last = Math.max(last, r);
          lastColumn = Math.max(lastColumn, c);
        }
      });
    });
    if (last < 0) return nullObject(this.context, "used range");
    return new FakeRange(this.context, this.state, {
      row: 0,
      column: 0,
      rowCount: last + 1,
      columnCount: lastColumn + 1,
    });
  }
  get tables(): { add: (range: FakeRange | string, hasHeaders: boolean) => FakeTable } {
    return {
      add: (range, hasHeaders) => {
        if (typeof range === "string") throw new Error("tables.add(address) is not modelled; pass a Range");
        if (!hasHeaders) throw new Error("the fake models tables with headers only");
        if (this.state.protected) throw new Error(`AccessDenied: ${this.state.name} is protected`);
        const recorder = this.context.recorder;
        const rect = range.rect;
        if (
          recorder.tablesOn(this.state).some((t) => intersects({ ...t.headerRect, rowCount: t.dataRows + 1 }, rect))
        ) {
          throw new Error("InvalidOperation: a table cannot overlap another table");
        }
        // A header-only range gets one blank data row, as in Excel.
        const table = new TableState(
          `Table${recorder.workbook.nextTableId++}`,
          this.state,
          rect.row,
          rect.column,
          rect.columnCount,
          Math.max(1, rect.rowCount - 1),
        );
        recorder.workbook.tables.push(table);
        this.context.record("worksheet.tables.add", { sheet: this.state, rect });
        return new FakeTable(this.context, table);
      },
    };
  }
  get freezePanes(): { freezeRows: (count: number) => void } {
    return {
      freezeRows: (count) => {
        this.state.frozenRows = count;
        this.context.record("worksheet.freezePanes.freezeRows", { sheet: this.state }, count);
      },
    };
  }
  get charts(): {
    add: (type: string, source: FakeRange, seriesBy?: string) => FakeChart;
    getItemOrNullObject: (name: string) => unknown;
    getItem: (name: string) => FakeChart;
    load: (properties: string) => { readonly items: readonly { readonly name: string }[] };
  } {
    const context = this.context;
    const state = this.state;
    return {
      getItem: (name) => {
        const chart = state.charts.find((c) => c.name === name);
        if (chart !== undefined) return new FakeChart(context, state, chart);
        // Excel reports a missing item when the batch runs: whatever is done to it fails the sync.
        const missing: unknown = new Proxy(
          {},
          {
            get(_target, prop) {
              if (prop === "then") return undefined;
              return () => {
                context.deferredError ??= new Error(`ItemNotFound: chart ${name} (${String(prop)})`);
              };
            },
          },
        );
        return missing as FakeChart;
      },
      load: (properties) => {
        if (properties !== "items/name") throw new Error(`charts.load("${properties}") is not modelled`);
        const names = state.charts.map((c) => ({ name: c.name }));
        let loaded: { name: string }[] | null = null;
        context.queueLoad(() => {
          loaded = names;
        }, names);
        return {
          get items() {
            if (loaded === null) throw new Error('PropertyNotLoaded: charts "items/name" read before context.sync()');
            return loaded;
          },
        };
      },
      add: (type, source, seriesBy) => {
        if (this.state.protected) throw new Error(`AccessDenied: ${this.state.name} is protected`);
        if (seriesBy !== "Columns" || source.rect.columnCount !== 1)
          throw new Error("the fake models charts made from one column, series by columns");
        const chart: ChartView = {
          name: `Chart ${this.state.charts.length + 1}`,
          type,
          title: "",
          series: [{ name: "Series1", values: source.rect, xValues: null }],
          position: null,
          width: 360,
          height: 216,
          reversePlotOrder: false,
          legendPosition: "Right",
        };
        this.state.charts.push(chart);
        this.context.record("worksheet.charts.add", { sheet: this.state, rect: source.rect }, type);
        return new FakeChart(this.context, this.state, chart);
      },
      getItemOrNullObject: (name) => {
        const chart = this.state.charts.find((c) => c.name === name);
        return chart === undefined
          ? nullObject(this.context, `chart ${name}`)
          : new FakeChart(this.context, this.state, chart);
      },
    };
  }
  get onChanged(): { add: (handler: ChangedHandler) => { context: FakeContext; remove: () => void } } {
    return {
      add: (handler) => {
        this.state.changeHandlers.add(handler);
        this.context.record("worksheet.onChanged.add", { sheet: this.state });
        return {
          context: this.context,
          remove: () => {
            this.state.changeHandlers.delete(handler);
            this.context.record("worksheet.onChanged.remove", { sheet: this.state });
          },
        };
      },
    };
  }
  activate(): void {
    this.context.recorder.workbook.activeSheet = this.state.name;
    this.context.record("worksheet.activate", { sheet: this.state });
  }
}

class FakeTable extends FakeObject {
  constructor(
    context: FakeContext,
    readonly state: TableState,
  ) {
    super(context);
  }
  protected readProperty(name: string): unknown {
    if (name === "name") return this.state.name;
    throw new Error(`table.${name} is not modelled`);
  }
  get name(): string {
    return this.loadedValue("name") as string;
  }
  set name(value: string) {
    const other = this.context.recorder.tableByName(value);
    if (other !== undefined && other !== this.state) throw new Error(`InvalidArgument: a table named ${value} exists`);
    this.state.name = value;
    this.context.record("table.name", { sheet: this.state.sheet }, value);
  }
  set style(value: string) {
    this.state.style = value;
    this.context.record("table.style", { sheet: this.state.sheet }, value);
  }
  get worksheet(): FakeWorksheet {
    return new FakeWorksheet(this.context, this.state.sheet);
  }
  getHeaderRowRange(): FakeRange {
    return new FakeRange(this.context, this.state.sheet, this.state.headerRect);
  }
  getDataBodyRange(): FakeRange {
    return new FakeRange(this.context, this.state.sheet, this.state.bodyRect);
  }
  get autoFilter(): FakeObject & { readonly isDataFiltered: boolean } {
    const state = this.state;
    return new (class extends FakeObject {
      protected readProperty(name: string): unknown {
        if (name === "isDataFiltered") return state.filtered;
        throw new Error(`autoFilter.${name} is not modelled`);
      }
      get isDataFiltered(): boolean {
        return this.loadedValue("isDataFiltered") as boolean;
      }
    })(this.context);
  }
  get columns(): { getItemAt: (index: number) => { getDataBodyRange: () => FakeRange } } {
    return {
      getItemAt: (index) => {
        if (index < 0 || index >= this.state.columnCount) throw new Error(`ItemNotFound: column ${index}`);
        return {
          getDataBodyRange: () =>
            new FakeRange(this.context, this.state.sheet, {
              ...this.state.bodyRect,
              column: this.state.firstColumn + index,
              columnCount: 1,
            }),
        };
      },
    };
  }
  clearFilters(): void {
    this.state.filtered = false;
    this.context.record("table.clearFilters", { sheet: this.state.sheet });
  }
  resize(range: FakeRange | string): void {
    if (typeof range === "string") throw new Error("resize(address) is not modelled; pass a Range");
    const t = this.state;
    if (t.sheet.protected) throw new Error(`AccessDenied: ${t.sheet.name} is protected`);
    const r = range.rect;
    if (r.row !== t.headerRow || r.column !== t.firstColumn || r.columnCount !== t.columnCount || r.rowCount < 2) {
      throw new Error(
        `InvalidArgument: resize to ${a1(r)} must keep the header row and columns of ${a1(t.headerRect)}`,
      );
    }
    t.dataRows = r.rowCount - 1;
    this.context.record("table.resize", { sheet: t.sheet, rect: r });
  }
  delete(): void {
    const t = this.state;
    if (t.sheet.protected) throw new Error(`AccessDenied: ${t.sheet.name} is protected`);
    const wb = this.context.recorder.workbook;
    wb.tables.splice(wb.tables.indexOf(t), 1);
    const rect = { ...t.headerRect, rowCount: t.dataRows + 1 };
    new FakeRange(this.context, t.sheet, rect).clearSilently("All");
    this.context.record("table.delete", { sheet: t.sheet, rect });
  }
}

class FakeRange extends FakeObject {
  constructor(
    context: FakeContext,
    readonly sheet: SheetState,
    readonly rect: Rect,
  ) {
    super(context);
  }

  protected readProperty(name: string): unknown {
    const r = this.rect;
    switch (name) {
      case "rowIndex":
        return r.row;
      case "columnIndex":
        return r.column;
      case "rowCount":
        return r.rowCount;
      case "columnCount":
        return r.columnCount;
      case "address":
        return `${this.sheet.name}!${a1(r)}`;
      case "values":
        return this.readValues();
      case "numberFormat":
        return Array.from({ length: r.rowCount }, (_, i) =>
          Array.from({ length: r.columnCount }, (_, j) => numberFormatAt(this.sheet, r.row + i, r.column + j)),
        );
      default:
        throw new Error(`range.${name} is not modelled`);
    }
  }

  private readValues(): CellValue[][] {
    const r = this.rect;
    if (r.rowCount * r.columnCount > 5_000_000) throw new Error("the fake does not read whole-sheet values");
    return Array.from({ length: r.rowCount }, (_, i) => {
      const row = this.sheet.grid[r.row + i];
      return Array.from({ length: r.columnCount }, (_, j) => row?.[r.column + j] ?? "");
    });
  }

  get rowIndex(): number {
    return this.loadedValue("rowIndex") as number;
  }
  get columnIndex(): number {
    return this.loadedValue("columnIndex") as number;
  }
  get rowCount(): number {
    return this.loadedValue("rowCount") as number;
  }
  get columnCount(): number {
    return this.loadedValue("columnCount") as number;
  }
  get address(): string {
    return this.loadedValue("address") as string;
  }
  get values(): CellValue[][] {
    return this.loadedValue("values") as CellValue[][];
  }
  set values(input: CellValue[][]) {
    const r = this.rect;
    if (
      !Array.isArray(input) ||
      input.length !== r.rowCount ||
      input.some((row) => !Array.isArray(row) || row.length !== r.columnCount)
    ) {
      throw new Error(`InvalidArgument: values do not match the size of ${a1(r)} (${r.rowCount}×${r.columnCount})`);
    }
    if (this.sheet.protected) {
      for (let j = 0; j < r.columnCount; j++) {
        if (lockedAt(this.sheet, r.row, r.column + j))
          throw new Error(
            `AccessDenied: cell ${a1({ ...r, column: r.column + j, columnCount: 1, rowCount: 1 })} is locked on a protected sheet`,
          );
      }
    }
    this.context.record("range.values", { sheet: this.sheet, rect: r }, input);
    if (!this.context.recorder.options.storeValues) return;
    // The number format of each column at the first row decides how strings are taken, as Excel does per cell.
    const formats = Array.from({ length: r.columnCount }, (_, j) => numberFormatAt(this.sheet, r.row, r.column + j));
    input.forEach((row, i) => {
      const sheetRow = r.row + i;
      const target = (this.sheet.grid[sheetRow] ??= []);
      row.forEach((value, j) => {
        if (value === null) return; // Office.js leaves the cell as it was
        const column = r.column + j;
        const key = `${sheetRow},${column}`;
        this.sheet.formulas.delete(key);
        if (typeof value !== "string") {
          target[column] = value;
        } else if (value.startsWith("'")) {
          // The apostrophe is a prefix that marks text; Excel does not show or return it.
          target[column] = value.slice(1);
        } else if (formats[j] === "@") {
          target[column] = value;
        } else if (value.startsWith("=")) {
          target[column] = value;
          this.sheet.formulas.add(key);
        } else if (/^[+-]?\d+(\.\d+)?$/.test(value.trim())) {
          target[column] = Number(value);
        } else {
          target[column] = value;
        }
      });
    });
  }

  get numberFormat(): string[][] {
    return this.loadedValue("numberFormat") as string[][];
  }
  set numberFormat(input: string[][]) {
    const r = this.rect;
    const single = input.length === 1 && input[0]?.length === 1;
    const exact = input.length === r.rowCount && input.every((row) => row.length === r.columnCount);
    if (!single && !exact) throw new Error(`InvalidArgument: numberFormat does not match ${a1(r)}`);
    if (!single) throw new Error("the fake models numberFormat set as a 1×1 array (applied to every cell)");
    const value = input[0]?.[0] ?? "General";
    this.sheet.numberFormats.push({ rect: r, value });
    this.context.record("range.numberFormat", { sheet: this.sheet, rect: r }, input);
  }

  set columnHidden(hidden: boolean) {
    for (let j = 0; j < this.rect.columnCount; j++) {
      if (hidden) this.sheet.hiddenColumns.add(this.rect.column + j);
      else this.sheet.hiddenColumns.delete(this.rect.column + j);
    }
    this.context.record("range.columnHidden", { sheet: this.sheet, rect: this.rect }, hidden);
  }

  get format(): {
    fill: { color: string };
    font: { color: string; bold: boolean; italic: boolean };
    protection: { locked: boolean };
    columnWidth: number;
  } {
    const style = (prop: StyleProp, op: string) => (value: string | boolean) => {
      this.sheet.styles.push({ rect: this.rect, value: { prop, value } });
      this.context.record(op, { sheet: this.sheet, rect: this.rect }, value);
    };
    const setter = <T>(set: (value: T) => void) => ({
      get(): T {
        throw new Error("reading formats is not modelled; inspect the recorder instead");
      },
      set,
      enumerable: true,
    });
    const fill = Object.defineProperties({}, { color: setter<string>(style("fill", "range.format.fill.color")) }) as {
      color: string;
    };
    const font = Object.defineProperties(
      {},
      {
        color: setter<string>(style("fontColor", "range.format.font.color")),
        bold: setter<boolean>(style("bold", "range.format.font.bold")),
        italic: setter<boolean>(style("italic", "range.format.font.italic")),
      },
    ) as { color: string; bold: boolean; italic: boolean };
    const protection = Object.defineProperties(
      {},
      {
        locked: setter<boolean>((value) => {
          this.sheet.locks.push({ rect: this.rect, value });
          this.context.record("range.format.protection.locked", { sheet: this.sheet, rect: this.rect }, value);
        }),
      },
    ) as { locked: boolean };
    return Object.defineProperties(
      { fill, font, protection },
      {
        columnWidth: setter<number>((value) => {
          for (let j = 0; j < this.rect.columnCount; j++) this.sheet.columnWidths.set(this.rect.column + j, value);
          this.context.record("range.format.columnWidth", { sheet: this.sheet, rect: this.rect }, value);
        }),
      },
    ) as {
      fill: { color: string };
      font: { color: string; bold: boolean; italic: boolean };
      protection: { locked: boolean };
      columnWidth: number;
    };
  }

  get conditionalFormats(): { add: (type: string) => FakeConditionalFormat; clearAll: () => void } {
    return {
      add: (type) => {
        const view: ConditionalFormatView = {
          rect: this.rect,
          type,
          formula: "",
          fill: null,
          fontColor: null,
          bold: null,
          italic: null,
          numberFormat: null,
        };
        // Office.js puts a new conditional format at the top priority.
        this.sheet.conditionalFormats.unshift(view);
        this.context.record("range.conditionalFormats.add", { sheet: this.sheet, rect: this.rect }, type);
        return new FakeConditionalFormat(this.context, this.sheet, view);
      },
      clearAll: () => {
        const keep = this.sheet.conditionalFormats.filter((cf) => !intersects(cf.rect, this.rect));
        this.sheet.conditionalFormats.splice(0, this.sheet.conditionalFormats.length, ...keep);
        this.context.record("range.conditionalFormats.clearAll", { sheet: this.sheet, rect: this.rect });
      },
    };
  }

  /**
   * Range.getSpecialCellsOrNullObject("Constants"): the non-empty cells that are not formulas,
   * as areas (one per run of columns in a row, runs of rows with the same columns merged).
   */
  getSpecialCellsOrNullObject(cellType: string): unknown {
    if (cellType !== "Constants") throw new Error(`getSpecialCells("${cellType}") is not modelled`);
    const r = this.rect;
    const rowRuns: { row: number; runs: string }[] = [];
    for (let i = r.row; i < Math.min(r.row + r.rowCount, this.sheet.grid.length); i++) {
      const row = this.sheet.grid[i];
      if (row === undefined) continue;
      const runs: [number, number][] = [];
      for (let j = r.column; j < r.column + r.columnCount; j++) {
        const v = row[j];
        if (v === undefined || v === null || v === "" || this.sheet.formulas.has(`${i},${j}`)) continue;
        const last = runs[runs.length - 1];
        if (last !== undefined && last[1] === j - 1) last[1] = j;
        else runs.push([j, j]);
      }
      if (runs.length > 0) rowRuns.push({ row: i, runs: JSON.stringify(runs) });
    }
    if (rowRuns.length === 0) return nullObject(this.context, "special cells");
    const areas: Rect[] = [];
    let k = 0;
    while (k < rowRuns.length) {
      const start = rowRuns[k]!;
      let end = k;
      while (end + 1 < rowRuns.length && rowRuns[end + 1]!.row === rowRuns[end]!.row + 1 && rowRuns[end + 1]!.runs === start.runs) end++;
      for (const [from, to] of JSON.parse(start.runs) as [number, number][])
        areas.push({ row: start.row, column: from, rowCount: rowRuns[end]!.row - start.row + 1, columnCount: to - from + 1 });
      k = end + 1;
    }
    const sheet = this.sheet;
    const quoted = /^[A-Za-z0-9_]+$/.test(sheet.name) ? sheet.name : `'${sheet.name.replaceAll("'", "''")}'`;
    return new (class extends FakeObject {
      protected readProperty(name: string): unknown {
        if (name === "address") return areas.map((a) => `${quoted}!${a1(a)}`).join(",");
        if (name === "areaCount") return areas.length;
        throw new Error(`rangeAreas.${name} is not modelled`);
      }
      get address(): string {
        return this.loadedValue("address") as string;
      }
    })(this.context);
  }

  getRow(index: number): FakeRange {
    if (index < 0 || index >= this.rect.rowCount) throw new Error(`InvalidArgument: getRow(${index})`);
    return new FakeRange(this.context, this.sheet, { ...this.rect, row: this.rect.row + index, rowCount: 1 });
  }

  getCell(row: number, column: number): FakeRange {
    return new FakeRange(this.context, this.sheet, {
      row: this.rect.row + row,
      column: this.rect.column + column,
      rowCount: 1,
      columnCount: 1,
    });
  }

  select(): void {
    this.context.recorder.workbook.selection = { sheet: this.sheet.name, rect: this.rect };
    this.context.record("range.select", { sheet: this.sheet, rect: this.rect });
  }

  clear(applyTo: "All" | "Formats" | "Contents" = "All"): void {
    this.clearSilently(applyTo);
    this.context.record("range.clear", { sheet: this.sheet, rect: this.rect }, applyTo);
  }

  clearSilently(applyTo: "All" | "Formats" | "Contents"): void {
    const r = this.rect;
    if (applyTo !== "Formats") {
      for (let i = r.row; i < Math.min(r.row + r.rowCount, this.sheet.grid.length); i++) {
        const row = this.sheet.grid[i];
        if (row === undefined) continue;
        for (let j = r.column; j < Math.min(r.column + r.columnCount, row.length); j++) {
          row[j] = undefined;
          this.sheet.formulas.delete(`${i},${j}`);
        }
      }
    }
    if (applyTo !== "Contents") {
      this.sheet.numberFormats.push({ rect: r, value: "General" });
      this.sheet.locks.push({ rect: r, value: true });
      for (const prop of ["fill", "fontColor", "bold", "italic"] as const)
        this.sheet.styles.push({ rect: r, value: { prop, value: null } });
    }
  }

  delete(shift: "Up" | "Left"): void {
    const r = this.rect;
    if (shift !== "Up") throw new Error("the fake models delete('Up') of whole table rows only");
    if (this.sheet.protected) throw new Error(`AccessDenied: ${this.sheet.name} is protected`);
    const table = this.context.recorder.tablesOn(this.sheet).find((t) => intersects(t.bodyRect, r));
    if (
      table === undefined ||
      r.column !== table.firstColumn ||
      r.columnCount !== table.columnCount ||
      !covers(table.bodyRect, r.row + r.rowCount - 1, r.column) ||
      r.row < table.bodyRect.row
    ) {
      throw new Error(`the fake models deleting whole data rows of a table only, not ${a1(r)}`);
    }
    if (r.rowCount >= table.dataRows) throw new Error("InvalidOperation: a table must keep at least one data row");
    table.dataRows -= r.rowCount;
    this.sheet.grid.splice(r.row, r.rowCount);
    const moved = new Set<string>();
    for (const key of this.sheet.formulas) {
      const [row = 0, column = 0] = key.split(",").map(Number);
      if (row >= r.row + r.rowCount) moved.add(`${row - r.rowCount},${column}`);
      else if (row < r.row) moved.add(key);
    }
    this.sheet.formulas.clear();
    for (const key of moved) this.sheet.formulas.add(key);
    this.sheet.numberFormats = shiftUp(this.sheet.numberFormats, r.row, r.rowCount);
    this.sheet.locks = shiftUp(this.sheet.locks, r.row, r.rowCount);
    this.sheet.styles = shiftUp(this.sheet.styles, r.row, r.rowCount);
    this.context.record("range.delete", { sheet: this.sheet, rect: r }, shift);
  }
}

class FakeConditionalFormat {
  readonly custom: {
    rule: { formula: string };
    format: { fill: { color: string }; font: { color: string; bold: boolean; italic: boolean }; numberFormat: string };
  };
  constructor(context: FakeContext, sheet: SheetState, view: ConditionalFormatView) {
    const set = (op: string, apply: (value: never) => void) => ({
      set(value: never) {
        apply(value);
        context.record(op, { sheet, rect: view.rect }, value);
      },
      enumerable: true,
    });
    this.custom = {
      rule: Object.defineProperties(
        {},
        { formula: set("conditionalFormat.custom.rule.formula", (v: string) => (view.formula = v)) },
      ) as { formula: string },
      format: Object.defineProperties(
        {
          fill: Object.defineProperties(
            {},
            { color: set("conditionalFormat.custom.format.fill.color", (v: string) => (view.fill = v)) },
          ) as { color: string },
          font: Object.defineProperties(
            {},
            {
              color: set("conditionalFormat.custom.format.font.color", (v: string) => (view.fontColor = v)),
              bold: set("conditionalFormat.custom.format.font.bold", (v: boolean) => (view.bold = v)),
              italic: set("conditionalFormat.custom.format.font.italic", (v: boolean) => (view.italic = v)),
            },
          ) as { color: string; bold: boolean; italic: boolean },
        },
        { numberFormat: set("conditionalFormat.custom.format.numberFormat", (v: string) => (view.numberFormat = v)) },
      ) as { fill: { color: string }; font: { color: string; bold: boolean; italic: boolean }; numberFormat: string },
    };
  }
}

class FakeChart {
  readonly title: { text: string };
  readonly axes: { categoryAxis: { reversePlotOrder: boolean } };
  readonly legend: { position: string };
  constructor(
    private readonly context: FakeContext,
    private readonly sheet: SheetState,
    readonly view: ChartView,
  ) {
    const set = (op: string, apply: (value: never) => void) => ({
      set(value: never) {
        apply(value);
        context.record(op, { sheet }, value);
      },
      enumerable: true,
    });
    this.title = Object.defineProperties({}, { text: set("chart.title.text", (v: string) => (view.title = v)) }) as {
      text: string;
    };
    this.axes = {
      categoryAxis: Object.defineProperties(
        {},
        {
          reversePlotOrder: set(
            "chart.axes.categoryAxis.reversePlotOrder",
            (v: boolean) => (view.reversePlotOrder = v),
          ),
        },
      ) as {
        reversePlotOrder: boolean;
      },
    };
    this.legend = Object.defineProperties(
      {},
      { position: set("chart.legend.position", (v: string) => (view.legendPosition = v)) },
    ) as { position: string };
  }
  set name(value: string) {
    this.view.name = value;
    this.context.record("chart.name", { sheet: this.sheet }, value);
  }
  set width(value: number) {
    this.view.width = value;
    this.context.record("chart.width", { sheet: this.sheet }, value);
  }
  set height(value: number) {
    this.view.height = value;
    this.context.record("chart.height", { sheet: this.sheet }, value);
  }
  get series(): { getItemAt: (i: number) => FakeSeries; add: (name?: string) => FakeSeries } {
    return {
      getItemAt: (i) => {
        const s = this.view.series[i];
        if (s === undefined) throw new Error(`ItemNotFound: series ${i}`);
        return new FakeSeries(this.context, this.sheet, s);
      },
      add: (name) => {
        const s: ChartSeriesView = {
          name: name ?? `Series${this.view.series.length + 1}`,
          values: { row: 0, column: 0, rowCount: 0, columnCount: 0 },
          xValues: null,
        };
        this.view.series.push(s);
        this.context.record("chart.series.add", { sheet: this.sheet }, name);
        return new FakeSeries(this.context, this.sheet, s);
      },
    };
  }
  setPosition(start: FakeRange): void {
    this.view.position = start.rect;
    this.context.record("chart.setPosition", { sheet: this.sheet, rect: start.rect });
  }
  delete(): void {
    const index = this.sheet.charts.indexOf(this.view);
    if (index >= 0) this.sheet.charts.splice(index, 1);
    this.context.record("chart.delete", { sheet: this.sheet }, this.view.name);
  }
}

class FakeSeries {
  constructor(
    private readonly context: FakeContext,
    private readonly sheet: SheetState,
    private readonly view: ChartSeriesView,
  ) {}
  set name(value: string) {
    this.view.name = value;
    this.context.record("chart.series.name", { sheet: this.sheet }, value);
  }
  setValues(range: FakeRange): void {
    this.view.values = range.rect;
    this.context.record("chart.series.setValues", { sheet: this.sheet, rect: range.rect });
  }
  setXAxisValues(range: FakeRange): void {
    this.view.xValues = range.rect;
    this.context.record("chart.series.setXAxisValues", { sheet: this.sheet, rect: range.rect });
  }
}

function numberFormatAt(sheet: SheetState, row: number, column: number): string {
  return lastCovering(sheet.numberFormats, row, column) ?? "General";
}

function lockedAt(sheet: SheetState, row: number, column: number): boolean {
  return lastCovering(sheet.locks, row, column) ?? true;
}

function styleAt(sheet: SheetState, row: number, column: number, prop: StyleProp): string | boolean | null {
  return lastCovering(sheet.styles, row, column, (v) => v.prop === prop)?.value ?? null;
}

export interface SheetView {
  readonly name: string;
  readonly protected: boolean;
  readonly protectionOptions: unknown;
  readonly frozenRows: number;
  readonly hiddenColumns: ReadonlySet<number>;
  readonly columnWidths: ReadonlyMap<number, number>;
  readonly conditionalFormats: readonly ConditionalFormatView[];
  readonly charts: readonly ChartView[];
}

export interface TableView {
  readonly name: string;
  readonly sheet: string;
  readonly headerRow: number;
  readonly firstColumn: number;
  readonly columnCount: number;
  readonly dataRows: number;
  readonly style: string;
  readonly headers: readonly CellValue[];
}

export interface SettingsStore {
  readonly values: Map<string, unknown>;
  saves: number;
  /** The next saveAsync reports this failure. */
  failNextSave: string | null;
}

export interface RecordingExcel {
  /** Every context.sync() since creation (or the last `reset`). */
  readonly syncs: SyncRecord[];
  readonly settings: SettingsStore;
  /** Sets globalThis.Excel and globalThis.Office; returns a function that puts the previous ones back. */
  install(): () => void;
  /** Forgets the recorded syncs (the workbook stays). */
  reset(): void;
  /** The largest request payload of any recorded sync. */
  maxSyncBytes(): number;
  /** The sync `n` syncs from now (0 = the next) fails with `error`. */
  failSync(n: number, error?: Error): void;
  sheet(name: string): SheetView;
  table(name: string): TableView;
  cell(sheet: string, row: number, column: number): CellView;
  /** Runs the worksheet's onChanged handlers as Excel would after an edit of `address` (A1). */
  fireChange(sheet: string, address: string, triggerSource?: "Unknown" | "ThisLocalAddin"): Promise<void>;
  /** Puts values in cells without recording (a user's typing, or an existing workbook). */
  typeInto(sheet: string, row: number, column: number, value: CellValue): void;
  /** Marks a table as filtered by the user. */
  filter(table: string): void;
  /** Adds a worksheet without recording (one the user made before the add-in ran). */
  addSheet(name: string): void;
  readonly activeSheet: string | null;
  readonly selection: { sheet: string; rect: Rect } | null;
}

/** The Office global: document settings through office-addin-mock. */
function officeGlobal(store: SettingsStore): unknown {
  const data: Record<string, unknown> = {
    context: {
      document: {
        settings: {
          get: (key: string): unknown => store.values.get(key) ?? null,
          set: (key: string, value: unknown): void => {
            store.values.set(key, value);
          },
          remove: (key: string): void => {
            store.values.delete(key);
          },
          saveAsync: (callback: (result: { status: string; error: { message: string } | null }) => void): void => {
            store.saves++;
            const failure = store.failNextSave;
            store.failNextSave = null;
            callback(
              failure === null
                ? { status: "succeeded", error: null }
                : { status: "failed", error: { message: failure } },
            );
          },
        },
      },
    },
  };
  const mock = new OfficeMockObject(data);
  // Enum values are plain properties here: office-addin-mock would hide them behind load().
  (mock as Record<string, unknown>).AsyncResultStatus = { Succeeded: "succeeded", Failed: "failed" };
  return mock;
}

export function recordingExcel(options: RecordingOptions = {}): RecordingExcel {
  const recorder = new Recorder({
    storeValues: options.storeValues ?? true,
    keepPayloads: options.keepPayloads ?? true,
  });
  const settings: SettingsStore = { values: new Map(), saves: 0, failNextSave: null };

  async function run(...args: unknown[]): Promise<unknown> {
    const batch = args[args.length - 1];
    if (typeof batch !== "function") throw new Error("Excel.run needs a batch function");
    const context = new FakeContext(recorder);
    const result: unknown = await (batch as (context: FakeContext) => Promise<unknown>)(context);
    if (context.pendingCalls > 0)
      throw new Error(`Excel.run ended with ${context.pendingCalls} queued commands never synced`);
    return result;
  }
  const excel = { run };

  const sheetState = (name: string): SheetState => {
    const sheet = recorder.sheetByName(name);
    if (sheet === undefined) throw new Error(`no sheet ${name}`);
    return sheet;
  };

  return {
    syncs: recorder.syncs,
    settings,
    install() {
      const g = globalThis as unknown as Record<string, unknown>;
      const previous = { Excel: g.Excel, Office: g.Office };
      g.Excel = excel;
      g.Office = officeGlobal(settings);
      return () => {
        g.Excel = previous.Excel;
        g.Office = previous.Office;
      };
    },
    reset() {
      recorder.syncs.splice(0);
    },
    maxSyncBytes() {
      return recorder.syncs.reduce((max, s) => Math.max(max, s.bytes), 0);
    },
    failSync(n, error = new Error("GeneralException: the workbook went away")) {
      recorder.failures.set(recorder.totalSyncs + n, error);
    },
    sheet(name) {
      const s = sheetState(name);
      return {
        name: s.name,
        protected: s.protected,
        protectionOptions: s.protectionOptions,
        frozenRows: s.frozenRows,
        hiddenColumns: s.hiddenColumns,
        columnWidths: s.columnWidths,
        conditionalFormats: s.conditionalFormats,
        charts: s.charts,
      };
    },
    table(name) {
      const t = recorder.tableByName(name);
      if (t === undefined) throw new Error(`no table ${name}`);
      const headerRow = t.sheet.grid[t.headerRow] ?? [];
      return {
        name: t.name,
        sheet: t.sheet.name,
        headerRow: t.headerRow,
        firstColumn: t.firstColumn,
        columnCount: t.columnCount,
        dataRows: t.dataRows,
        style: t.style,
        headers: Array.from({ length: t.columnCount }, (_, j) => headerRow[t.firstColumn + j] ?? ""),
      };
    },
    cell(sheet, row, column) {
      const s = sheetState(sheet);
      return {
        value: s.grid[row]?.[column] ?? "",
        formula: s.formulas.has(`${row},${column}`),
        numberFormat: numberFormatAt(s, row, column),
        locked: lockedAt(s, row, column),
        fill: styleAt(s, row, column, "fill") as string | null,
        fontColor: styleAt(s, row, column, "fontColor") as string | null,
        bold: (styleAt(s, row, column, "bold") ?? false) as boolean,
        italic: (styleAt(s, row, column, "italic") ?? false) as boolean,
      };
    },
    async fireChange(sheet, address, triggerSource = "Unknown") {
      const s = sheetState(sheet);
      for (const handler of [...s.changeHandlers]) {
        await handler({
          address,
          changeType: "RangeEdited",
          source: "Local",
          triggerSource,
          worksheetId: s.id,
          type: "WorksheetChanged",
        });
      }
    },
    typeInto(sheet, row, column, value) {
      const s = sheetState(sheet);
      (s.grid[row] ??= [])[column] = value;
    },
    addSheet(name) {
      if (recorder.sheetByName(name) !== undefined) throw new Error(`sheet ${name} exists`);
      recorder.workbook.sheets.push(new SheetState(name, `{sheet-${recorder.workbook.nextSheetId++}}`));
    },
    filter(table) {
      const t = recorder.tableByName(table);
      if (t === undefined) throw new Error(`no table ${table}`);
      t.filtered = true;
    },
    get activeSheet() {
      return recorder.workbook.activeSheet;
    },
    get selection() {
      return recorder.workbook.selection;
    },
  };
}
