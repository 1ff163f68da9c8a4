/**
 * The workbook gateway over Office.js (Excel). Every method is one
 * `Excel.run`; large writes go in chunks of at most MAX_ROWS_PER_CHUNK rows
 * and MAX_BYTES_PER_CHUNK bytes of payload, one `context.sync()` per chunk,
 * with calculation and screen updating suspended for each of those syncs.
 *
 * Order inside a bulk write: the column structure of the rows being written
 * (number formats, locking, the input style of editable columns) is queued
 * before the first values, because a text column must already be "@" when
 * "00123" or "1-30" arrive or Excel turns them into a number or a date; then
 * each chunk writes its values and only after them that chunk's RangeStyles.
 *
 * The sheets are protected (read-only columns locked, editable ones not), so
 * each write unprotects in its first batch and protects again in its last;
 * if a write fails halfway the sheet is protected again before the error is
 * passed on.
 *
 * Uses ExcelApi 1.13 (Table.resize); manifest.xml requires it.
 */
import { columnLetter, DATE_FORMAT, EDITABLE_FILL, EDITABLE_FONT_COLOR, INTEGER_FORMAT, TEXT_FORMAT, moneyFormat, textToCell } from "./cells.js";
import {
  rowsWithValues,
  MAX_BYTES_PER_CHUNK,
  MAX_ROWS_PER_CHUNK,
  type CellChange,
  type CellStyle,
  type CellValue,
  type ChartSpec,
  type ColumnSpec,
  type EnsuredTable,
  type IndexedRow,
  type RangeStyle,
  type TableSpec,
  type ValueRule,
  type WorkbookGateway,
  type WriteOptions,
} from "./gateway.js";

/** Input cells: a light yellow fill and a blue font, as accountants' models mark inputs. */

/** Users may sort, filter and format; they may not insert or delete rows in the add-in's tables. */
export const SHEET_PROTECTION: Excel.WorksheetProtectionOptions = {
  allowAutoFilter: true,
  allowSort: true,
  allowFormatCells: true,
  allowFormatColumns: true,
  allowFormatRows: true,
  allowEditObjects: true,
  allowInsertRows: false,
  allowDeleteRows: false,
  allowInsertColumns: false,
  allowDeleteColumns: false,
  allowInsertHyperlinks: false,
  allowPivotTables: false,
  allowEditScenarios: false,
};

/** Rows in a worksheet (Excel 2007 and later). */
const SHEET_ROWS = 1_048_576;
/** Room left in each chunk's budget for command envelopes and the structure commands of the first chunk. */
const CHUNK_OVERHEAD_BYTES = 64 * 1024;
/** Rough size of one property-set command on a range (object path, property, value). */
const STYLE_COMMAND_BYTES = 160;
/**
 * Reads are bounded by the response payload (the 5,000-row limit is for writes, whose
 * requests also carry formats); this only keeps one read from growing without end.
 */
const MAX_ROWS_PER_READ = 50_000;
/** First guess of the bytes per cell when reading, before the first chunk tells. */
const READ_BYTES_PER_CELL_GUESS = 48;
/** Excel string literals inside a formula are limited to 255 characters. */
const FORMULA_TEXT_LIMIT = 255;

export function numberFormatFor(column: ColumnSpec): string {
  switch (column.kind) {
    case "text":
      return TEXT_FORMAT;
    case "date":
      return DATE_FORMAT;
    case "money":
      // Two decimals by default; value rules switch rows in 0- and 3-decimal currencies.
      return moneyFormat(2);
    case "integer":
      return INTEGER_FORMAT;
    case "boolean":
      return "General";
  }
}

/** Column width in characters → points (Calibri 11: 7 px per character plus 5 px padding; 0.75 pt per px). */
export function widthInPoints(characters: number): number {
  return (characters * 7 + 5) * 0.75;
}


export interface CellRect {
  readonly row: number;
  readonly column: number;
  /** Infinity for whole columns ("C:D"). */
  readonly rowCount: number;
  /** Infinity for whole rows ("3:5"). */
  readonly columnCount: number;
}

/** Parses "C5", "C5:D7", "C:D", "3:5", with or without a "Sheet!" prefix, into 0-based indices. */
export function parseA1(address: string): CellRect {
  const bang = address.lastIndexOf("!");
  const bare = (bang >= 0 ? address.slice(bang + 1) : address).replaceAll("$", "").trim().toUpperCase();
  const [first = "", second = first] = bare.split(":");
  const part = (text: string): { column: number | null; row: number | null } => {
    const match = /^([A-Z]*)(\d*)$/.exec(text);
    if (match === null || (match[1] === "" && match[2] === "")) throw new Error(`not an A1 address: ${address}`);
    const letters = match[1] ?? "";
    const digits = match[2] ?? "";
    let column = 0;
    for (const ch of letters) column = column * 26 + (ch.charCodeAt(0) - 64);
    return { column: letters === "" ? null : column - 1, row: digits === "" ? null : Number(digits) - 1 };
  };
  const a = part(first);
  const b = part(second);
  const row = a.row ?? 0;
  const column = a.column ?? 0;
  return {
    row,
    column,
    rowCount: a.row === null || b.row === null ? Infinity : b.row - row + 1,
    columnCount: a.column === null || b.column === null ? Infinity : b.column - column + 1,
  };
}

/**
 * A cell as Excel must receive it: null would leave the old value in place
 * (Office.js skips null entries), so it becomes ""; every string goes
 * through textToCell so nothing from the server is evaluated as a formula.
 */
export function safeCell(value: CellValue, where: string): string | number | boolean {
  if (value === null) return "";
  // Projections escape text already (cells.ts textToCell); a string that starts with the
  // apostrophe marker is written as it is, so nothing is escaped twice. Anything else that
  // Excel would read as a formula is escaped here, as a last guard at the boundary.
  if (typeof value === "string") return value.startsWith("'") ? value : textToCell(value);
  if (typeof value === "number" && !Number.isFinite(value))
    throw new Error(`${where}: ${value} cannot be written to a cell`);
  return value;
}

export interface Chunk {
  /** Index of the first row of the chunk within the block being written. */
  readonly from: number;
  readonly count: number;
  /** Estimated payload: values JSON plus style commands. */
  readonly bytes: number;
}

export interface ChunkLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
}

/**
 * Splits a block of rows into chunks of at most `maxRows` rows whose values
 * (as JSON, the way Office.js sends them) plus style commands stay under
 * `maxBytes`, so wide rows give smaller chunks.
 */
export function planChunks(
  rowBytes: readonly number[],
  styleCommands: readonly number[] = [],
  limits: ChunkLimits = { maxRows: MAX_ROWS_PER_CHUNK, maxBytes: MAX_BYTES_PER_CHUNK - CHUNK_OVERHEAD_BYTES },
): Chunk[] {
  const chunks: Chunk[] = [];
  let from = 0;
  let count = 0;
  let bytes = 2;
  for (let i = 0; i < rowBytes.length; i++) {
    const cost = (rowBytes[i] ?? 0) + 1 + (styleCommands[i] ?? 0) * STYLE_COMMAND_BYTES;
    if (cost + 2 > limits.maxBytes) {
      throw new Error(`row ${i} needs about ${cost} bytes, more than one request may carry (${limits.maxBytes})`);
    }
    if (count > 0 && (count >= limits.maxRows || bytes + cost > limits.maxBytes)) {
      chunks.push({ from, count, bytes });
      from = i;
      count = 0;
      bytes = 2;
    }
    count++;
    bytes += cost;
  }
  if (count > 0) chunks.push({ from, count, bytes });
  return chunks;
}

/** Where a table sits and what state its sheet is in, read in one sync before a write. */
interface TableGeometry {
  readonly table: Excel.Table;
  readonly sheet: Excel.Worksheet;
  /** 0-based sheet row of the header. */
  readonly headerRow: number;
  readonly firstColumn: number;
  readonly columnCount: number;
  /** Data rows Excel has (at least 1: a table always keeps one row). */
  readonly physicalRows: number;
  /** Data rows that hold something: a table whose only row is blank has none. */
  readonly logicalRows: number;
  readonly protected: boolean;
  readonly filtered: boolean;
}

interface PendingGeometry {
  readonly table: Excel.Table;
  readonly sheet: Excel.Worksheet;
  readonly header: Excel.Range;
  readonly body: Excel.Range;
  readonly firstRow: Excel.Range;
  readonly protection: Excel.WorksheetProtection;
  readonly filter: Excel.AutoFilter;
}

function queueGeometry(context: Excel.RequestContext, tableName: string): PendingGeometry {
  const table = context.workbook.tables.getItem(tableName);
  const sheet = table.worksheet;
  const header = table.getHeaderRowRange().load("rowIndex,columnIndex,columnCount");
  const body = table.getDataBodyRange().load("rowCount");
  const firstRow = table.getDataBodyRange().getRow(0).load("values");
  const protection = sheet.protection.load("protected");
  const filter = table.autoFilter.load("isDataFiltered");
  return { table, sheet, header, body, firstRow, protection, filter };
}

function readGeometry(pending: PendingGeometry, spec: TableSpec): TableGeometry {
  const { header, body, firstRow } = pending;
  if (header.columnCount !== spec.columns.length) {
    throw new Error(
      `table ${spec.table} has ${header.columnCount} columns, the add-in expects ${spec.columns.length}: run ensureTable again`,
    );
  }
  const blank = body.rowCount === 1 && (firstRow.values[0] ?? []).every((v: unknown) => v === "" || v === null);
  return {
    table: pending.table,
    sheet: pending.sheet,
    headerRow: header.rowIndex,
    firstColumn: header.columnIndex,
    columnCount: header.columnCount,
    physicalRows: body.rowCount,
    logicalRows: blank ? 0 : body.rowCount,
    protected: pending.protection.protected,
    filtered: pending.filter.isDataFiltered,
  };
}

/** Both suspensions last until the next sync, so they are queued again before every sync of a bulk write. */
function suspend(context: Excel.RequestContext): void {
  context.application.suspendApiCalculationUntilNextSync();
  context.application.suspendScreenUpdatingUntilNextSync();
}

interface ColumnRun {
  readonly start: number;
  readonly length: number;
}

/** Consecutive runs of column indices, so a style on columns 3, 4, 5 and 9 is two ranges, not four. */
function columnRuns(indices: readonly number[]): ColumnRun[] {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const runs: ColumnRun[] = [];
  for (const index of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.start + last.length === index)
      runs[runs.length - 1] = { start: last.start, length: last.length + 1 };
    else runs.push({ start: index, length: 1 });
  }
  return runs;
}

function columnIndexOf(spec: TableSpec, key: string, what: string): number {
  const index = spec.columns.findIndex((c) => c.key === key);
  if (index < 0) throw new Error(`${what}: table ${spec.table} has no column "${key}"`);
  return index;
}

function applyStyle(range: Excel.Range, style: CellStyle): void {
  if (style.fill !== undefined) range.format.fill.color = style.fill;
  if (style.fontColor !== undefined) range.format.font.color = style.fontColor;
  if (style.bold !== undefined) range.format.font.bold = style.bold;
  if (style.italic !== undefined) range.format.font.italic = style.italic;
  // A 1×1 array is applied to every cell of the range.
  if (style.numberFormat !== undefined) range.numberFormat = [[style.numberFormat]];
  // `note` is a tooltip in the browser grid; Excel notes would clutter thousands of cells, so it is not written.
}

/**
 * Number formats, locking and the input style for rows [fromRow, fromRow+rowCount)
 * of every column, adjacent columns with the same treatment sharing one range.
 */
function queueColumnStructure(
  sheet: Excel.Worksheet,
  spec: TableSpec,
  at: { firstDataRow: number; firstColumn: number; fromRow: number; rowCount: number },
): void {
  if (at.rowCount <= 0) return;
  const keyOf = (c: ColumnSpec) => `${numberFormatFor(c)}|${c.editable}`;
  let start = 0;
  for (let i = 1; i <= spec.columns.length; i++) {
    const first = spec.columns[start];
    const current = spec.columns[i];
    if (first === undefined) break;
    if (current !== undefined && keyOf(current) === keyOf(first)) continue;
    const range = sheet.getRangeByIndexes(at.firstDataRow + at.fromRow, at.firstColumn + start, at.rowCount, i - start);
    range.numberFormat = [[numberFormatFor(first)]];
    range.format.protection.locked = !first.editable;
    if (first.editable) {
      range.format.fill.color = EDITABLE_FILL;
      range.format.font.color = EDITABLE_FONT_COLOR;
    }
    start = i;
  }
}

/** One style piece: rows [from, to] (table rows) of some column runs. */
interface StylePiece {
  readonly from: number;
  readonly to: number;
  readonly runs: readonly ColumnRun[];
  readonly style: CellStyle;
}

function stylePieces(spec: TableSpec, styles: readonly RangeStyle[], tableRows: number): StylePiece[] {
  return styles.map((s, i) => {
    const where = `styles[${i}]`;
    if (
      !Number.isInteger(s.fromRow) ||
      !Number.isInteger(s.toRow) ||
      s.fromRow < 0 ||
      s.toRow < s.fromRow ||
      s.toRow >= tableRows
    ) {
      throw new Error(`${where}: rows ${s.fromRow}..${s.toRow} are not within the table's ${tableRows} rows`);
    }
    const indices =
      s.columns === undefined ? spec.columns.map((_, c) => c) : s.columns.map((key) => columnIndexOf(spec, key, where));
    return { from: s.fromRow, to: s.toRow, runs: columnRuns(indices), style: s.style };
  });
}

function queueStyles(
  sheet: Excel.Worksheet,
  pieces: readonly StylePiece[],
  at: { firstDataRow: number; firstColumn: number; from: number; to: number },
): void {
  for (const piece of pieces) {
    const from = Math.max(piece.from, at.from);
    const to = Math.min(piece.to, at.to);
    if (from > to) continue;
    for (const run of piece.runs) {
      applyStyle(
        sheet.getRangeByIndexes(at.firstDataRow + from, at.firstColumn + run.start, to - from + 1, run.length),
        piece.style,
      );
    }
  }
}

function validateRows(spec: TableSpec, rows: readonly (readonly CellValue[])[]): void {
  rows.forEach((row, i) => {
    if (row.length !== spec.columns.length) {
      throw new Error(`rows[${i}] has ${row.length} cells, table ${spec.table} has ${spec.columns.length} columns`);
    }
  });
}

interface BlockWrite {
  readonly spec: TableSpec;
  /** Table row of the first row of `rows`. */
  readonly start: number;
  readonly rows: readonly (readonly CellValue[])[];
  readonly styles: readonly RangeStyle[];
  /** Replace: the table ends up with exactly these rows. Otherwise rows past the end are appended. */
  readonly replace: boolean;
  readonly options: WriteOptions;
  /**
   * Where the table was when this gateway last saw it (made it, checked its headers, wrote
   * it): a replace then skips reading its geometry, and checks it in its first round trip.
   */
  readonly known: KnownGeometry | null;
}

/** What a gateway remembers of a table between calls. */
export interface KnownGeometry {
  /** 0-based sheet row of the header and column of the first column. */
  readonly headerRow: number;
  readonly firstColumn: number;
  /** Data rows Excel has (at least 1). */
  readonly physicalRows: number;
  /** Names of the charts on the table's sheet. */
  readonly charts: readonly string[];
}

/** The geometry `ensureTable` leaves when it makes a table: header at A1, one blank data row. */
function newTable(charts: readonly string[]): KnownGeometry {
  return { headerRow: 0, firstColumn: 0, physicalRows: 1, charts };
}

/**
 * A table's geometry taken on trust. Protection and filters are not remembered: the sheet is
 * unprotected and protected again, and filters cleared, which is harmless when they are not there.
 */
function assumedGeometry(context: Excel.RequestContext, spec: TableSpec, known: KnownGeometry): TableGeometry {
  const table = context.workbook.tables.getItem(spec.table);
  return {
    table,
    sheet: table.worksheet,
    headerRow: known.headerRow,
    firstColumn: known.firstColumn,
    columnCount: spec.columns.length,
    physicalRows: known.physicalRows,
    // A replace rewrites every row; what the rows held does not matter.
    logicalRows: known.physicalRows,
    protected: true,
    filtered: true,
  };
}

/** Thrown inside a write whose assumed geometry did not hold; the write is done again the careful way. */
class GeometryChanged extends Error {
  constructor(
    message: string,
    readonly found: {
      readonly moved: boolean;
      readonly headerRow: number;
      readonly firstColumn: number;
      readonly rowsBefore: number;
      readonly targetRows: number;
    },
  ) {
    super(message);
  }
}

/**
 * After a write found the table bigger than it assumed: its resize cut the surplus rows out
 * of the table, leaving them below it as plain cells. The table is given its rows back (and
 * the sheet its protection) so that the careful write that follows deletes them as surplus
 * rows, as it would have.
 */
async function repairAssumedWrite(spec: TableSpec, found: GeometryChanged["found"]): Promise<void> {
  await Excel.run(async (context) => {
    const table = context.workbook.tables.getItem(spec.table);
    const sheet = table.worksheet;
    sheet.protection.unprotect();
    if (found.rowsBefore > found.targetRows)
      table.resize(sheet.getRangeByIndexes(found.headerRow, found.firstColumn, found.rowsBefore + 1, spec.columns.length));
    sheet.protection.protect(SHEET_PROTECTION);
    await context.sync();
  });
}

async function protectAgain(tableName: string): Promise<void> {
  await Excel.run(async (context) => {
    const sheet = context.workbook.tables.getItem(tableName).worksheet;
    const protection = sheet.protection.load("protected");
    await context.sync();
    if (!protection.protected) {
      sheet.protection.protect(SHEET_PROTECTION);
      await context.sync();
    }
  });
}

/** Writes the block; returns where the table is afterwards, for the next write to trust. */
async function writeBlock(write: BlockWrite): Promise<KnownGeometry> {
  try {
    return await writeBlockOnce(write);
  } catch (error) {
    if (error instanceof AssumedWriteFailed) {
      await protectAgain(write.spec.table);
      return writeBlockOnce({ ...write, known: null });
    }
    if (!(error instanceof GeometryChanged)) throw error;
    if (error.found.moved)
      throw new Error(`The ${write.spec.sheet} sheet was rearranged while OpenAR was filling it; pull again.`, { cause: error });
    // Someone changed the table since this gateway last saw it (another task pane filled it,
    // the user unprotected the sheet and added rows): tidy up, then write again, reading
    // where it is first. A replace rewrites every row, so nothing is left half done.
    await repairAssumedWrite(write.spec, error.found);
    return writeBlockOnce({ ...write, known: null });
  }
}

/** A write on trust whose first round trip failed (a chart the user deleted, say); it is done again the careful way. */
class AssumedWriteFailed extends Error {}

async function writeBlockOnce(write: BlockWrite): Promise<KnownGeometry> {
  const { spec, start, rows, styles, replace, options } = write;
  // Only a replace may trust a remembered geometry: an append must know the rows already there.
  const known = replace ? write.known : null;
  validateRows(spec, rows);
  options.signal?.throwIfAborted();
  const safeRow = (row: readonly CellValue[], r: number) =>
    row.map((cell, c) => safeCell(cell, `rows[${r}].${spec.columns[c]?.key ?? c}`));
  // Sizes up front (this also refuses bad cells before anything is written); the safe rows
  // themselves are made again per chunk, so a million-row pull is not held twice in memory.
  const rowBytes = rows.map((row, r) => JSON.stringify(safeRow(row, r)).length);
  // Value rules and the chart ride on the last chunk's round trip instead of a geometry read and a sync of their own.
  const rules = options.valueRules === undefined ? null : prepareRules(spec, options.valueRules);
  const chart = options.chart === undefined ? null : prepareChart(spec, options.chart);
  // Set inside the batch; read by the recovery below when a sync failed after unprotecting.
  const guard = { unprotected: false };
  try {
    return await Excel.run(async (context) => {
      let g: TableGeometry;
      let oldChart: Excel.Chart | null = null;
      if (known !== null) {
        g = assumedGeometry(context, spec, known);
        // The chart is rebuilt: the one of that name, if the sheet had it, is deleted with the last chunk.
        if (chart !== null && known.charts.includes(chart.spec.name)) oldChart = g.sheet.charts.getItem(chart.spec.name);
      } else {
        const pending = queueGeometry(context, spec.table);
        const old = chart === null ? null : pending.sheet.charts.getItemOrNullObject(chart.spec.name);
        await context.sync();
        g = readGeometry(pending, spec);
        oldChart = old === null || old.isNullObject ? null : old;
      }
      // Writing no rows at `start` must not grow the table to `start` rows.
      const end = rows.length === 0 ? 0 : start + rows.length;
      const targetRows = replace ? Math.max(1, rows.length) : Math.max(1, g.logicalRows, end);
      const finalRows = replace ? rows.length : Math.max(g.logicalRows, end);
      const pieces = stylePieces(spec, styles, finalRows);
      const firstDataRow = g.headerRow + 1;
      const at = { firstDataRow, firstColumn: g.firstColumn };

      // A write on trust checks, in its first round trip and before anything else in it, that
      // the table is where and as big as it was assumed to be.
      const check =
        known !== null
        ? {
            header: g.table.getHeaderRowRange().load("rowIndex,columnIndex,columnCount"),
            body: g.table.getDataBodyRange().load("rowCount"),
          }
        : null;
      const verify = () => {
        if (check === null) return;
        const { header, body } = check;
        const moved = header.rowIndex !== g.headerRow || header.columnIndex !== g.firstColumn || header.columnCount !== g.columnCount;
        if (moved || body.rowCount !== g.physicalRows)
          throw new GeometryChanged(`table ${spec.table} is not where it was`, {
            moved,
            headerRow: g.headerRow,
            firstColumn: g.firstColumn,
            rowsBefore: body.rowCount,
            targetRows,
          });
      };

      // Structure, queued with the first chunk.
      suspend(context);
      if (g.protected) {
        g.sheet.protection.unprotect();
        guard.unprotected = true;
      }
      if (g.filtered) g.table.clearFilters();
      if (known !== null) {
        // On trust: a resize is right whatever the table's real size (a delete of rows that
        // are not there would fail the batch); surplus rows it leaves below become plain cells
        // and are cleared. Were the table bigger than assumed, the check above tells.
        g.table.resize(g.sheet.getRangeByIndexes(g.headerRow, g.firstColumn, targetRows + 1, g.columnCount));
        if (g.physicalRows > targetRows)
          g.sheet
            .getRangeByIndexes(firstDataRow + targetRows, g.firstColumn, g.physicalRows - targetRows, g.columnCount)
            .clear("All");
      } else if (g.physicalRows > targetRows) {
        // One delete for all surplus rows; the rows below the table move up with them.
        g.sheet
          .getRangeByIndexes(firstDataRow + targetRows, g.firstColumn, g.physicalRows - targetRows, g.columnCount)
          .delete("Up");
      } else if (g.physicalRows < targetRows) {
        g.table.resize(g.sheet.getRangeByIndexes(g.headerRow, g.firstColumn, targetRows + 1, g.columnCount));
      }
      // Rows whose formats are reset: all of them on replace; the written rows and any gap before them otherwise.
      const spanFrom = replace ? 0 : Math.min(start, g.logicalRows);
      const spanRows = replace ? targetRows : rows.length === 0 ? 0 : end - spanFrom;
      if (spanRows > 0) {
        // Old fills from an earlier pull must not stick to rows that now hold other items.
        g.sheet.getRangeByIndexes(firstDataRow + spanFrom, g.firstColumn, spanRows, g.columnCount).clear("Formats");
        if (replace && rows.length === 0)
          g.sheet.getRangeByIndexes(firstDataRow, g.firstColumn, 1, g.columnCount).clear("Contents");
        queueColumnStructure(g.sheet, spec, { ...at, fromRow: spanFrom, rowCount: spanRows });
      }
      // On trust, a failed first round trip means the assumptions were wrong: careful way.
      const firstSync = async (first: boolean): Promise<void> => {
        if (!first || known === null) {
          await context.sync();
          return;
        }
        try {
          await context.sync();
        } catch (error) {
          if (options.signal?.aborted === true) throw error;
          throw new AssumedWriteFailed(`table ${spec.table}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      };
      const charts = new Set(known?.charts ?? []);
      if (chart !== null) charts.add(chart.spec.name);
      const after = (): KnownGeometry => ({
        headerRow: g.headerRow,
        firstColumn: g.firstColumn,
        physicalRows: targetRows,
        charts: [...charts],
      });
      const finish = () => {
        if (rules !== null) queueRules(g, rules);
        if (chart !== null) queueChart(g, chart, oldChart, finalRows);
        if (guard.unprotected) g.sheet.protection.protect(SHEET_PROTECTION);
      };

      const chunks = planChunks(rowBytes, rowStyleCommands(pieces, start, rows.length));
      if (chunks.length === 0) {
        queueStyles(g.sheet, pieces, { ...at, from: 0, to: Number.MAX_SAFE_INTEGER });
        finish();
        await firstSync(true);
        guard.unprotected = false;
        verify();
        return after();
      }
      let written = 0;
      for (const [k, chunk] of chunks.entries()) {
        if (k > 0) {
          options.signal?.throwIfAborted();
          suspend(context);
        }
        const values = rows.slice(chunk.from, chunk.from + chunk.count).map((row, i) => safeRow(row, chunk.from + i));
        g.sheet.getRangeByIndexes(firstDataRow + start + chunk.from, g.firstColumn, chunk.count, g.columnCount).values =
          values;
        const last = k === chunks.length - 1;
        // This chunk's styles after its values; styles outside the written rows go with the last chunk.
        const from = k === 0 ? 0 : start + chunk.from;
        const to = last ? Number.MAX_SAFE_INTEGER : start + chunk.from + chunk.count - 1;
        queueStyles(g.sheet, pieces, { ...at, from, to });
        if (last) finish();
        await firstSync(k === 0);
        if (last) guard.unprotected = false;
        if (k === 0) verify();
        written += chunk.count;
        options.onProgress?.(written, rows.length);
      }
      return after();
    });
  } catch (error) {
    if (error instanceof GeometryChanged || error instanceof AssumedWriteFailed) throw error;
    if (guard.unprotected) await protectAgainAfter(error, spec.table);
    throw error;
  }
}

/** Style commands charged to the row where each style starts, so the chunk plan counts their bytes. */
function rowStyleCommands(pieces: readonly StylePiece[], start: number, count: number): number[] {
  const commands = new Array<number>(count).fill(0);
  if (count === 0) return commands;
  for (const piece of pieces) {
    const at = Math.min(Math.max(piece.from - start, 0), count - 1);
    const properties = [
      piece.style.fill,
      piece.style.fontColor,
      piece.style.bold,
      piece.style.italic,
      piece.style.numberFormat,
    ].filter((p) => p !== undefined).length;
    commands[at] = (commands[at] ?? 0) + piece.runs.length * properties;
  }
  return commands;
}

async function protectAgainAfter(error: unknown, tableName: string): Promise<void> {
  try {
    await protectAgain(tableName);
  } catch (second) {
    const first = error instanceof Error ? error.message : String(error);
    const again = second instanceof Error ? second.message : String(second);
    throw new Error(`${first}; protecting the sheet again also failed (${again}): protect it from the Review tab`, {
      cause: error,
    });
  }
}

function checkSpec(spec: TableSpec): void {
  if (spec.columns.length === 0) throw new Error(`table ${spec.table}: a table needs at least one column`);
  const keys = new Set(spec.columns.map((c) => c.key));
  if (keys.size !== spec.columns.length) throw new Error(`table ${spec.table}: column keys must be unique`);
  const headers = new Set(spec.columns.map((c) => c.header.toLowerCase()));
  if (headers.size !== spec.columns.length) throw new Error(`table ${spec.table}: Excel needs unique column headers`);
}

/** Header row, table and column structure of a new table at A1 of `sheet`, queued. */
function queueNewTable(sheet: Excel.Worksheet, spec: TableSpec): void {
  const n = spec.columns.length;
  const header = sheet.getRangeByIndexes(0, 0, 1, n);
  header.numberFormat = [[TEXT_FORMAT]];
  header.values = [spec.columns.map((c) => textToCell(c.header))];
  const table = sheet.tables.add(header, true);
  table.name = spec.table;
  if (spec.style !== undefined) table.style = spec.style;
  // Excel gives a new table one blank data row; it gets the column structure now.
  queueColumnStructure(sheet, spec, { firstDataRow: 1, firstColumn: 0, fromRow: 0, rowCount: 1 });
  spec.columns.forEach((column, c) => {
    const whole = sheet.getRangeByIndexes(0, c, 1, 1);
    if (column.width !== undefined) whole.format.columnWidth = widthInPoints(column.width);
    if (column.hidden === true) whole.columnHidden = true;
  });
  sheet.freezePanes.freezeRows(1);
  sheet.protection.protect(SHEET_PROTECTION);
}

interface Ensured {
  readonly created: boolean;
  readonly known: KnownGeometry;
}

/**
 * Makes or checks several tables in one batch: two round trips whatever their number (a
 * third only to rebuild a table whose columns changed or to use an empty sheet of that name).
 * Where each table is comes back with it, so the writes that follow need not read it again.
 */
async function ensureTables(specs: readonly TableSpec[]): Promise<Ensured[]> {
  for (const spec of specs) checkSpec(spec);
  return Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    const first = specs.map((spec) => ({
      spec,
      namedSheet: sheets.getItemOrNullObject(spec.sheet),
      existing: context.workbook.tables.getItemOrNullObject(spec.table),
    }));
    await context.sync();

    const second = first.map(({ spec, namedSheet, existing }) => {
      if (!existing.isNullObject) {
        return {
          spec,
          kind: "check" as const,
          existing,
          header: existing.getHeaderRowRange().load("values,rowIndex,columnIndex,columnCount"),
          body: existing.getDataBodyRange().load("rowCount"),
          charts: existing.worksheet.charts.load("items/name"),
        };
      }
      if (!namedSheet.isNullObject) {
        return {
          spec,
          kind: "emptySheet" as const,
          sheet: namedSheet,
          used: namedSheet.getUsedRangeOrNullObject(true),
          charts: namedSheet.charts.load("items/name"),
        };
      }
      // Made in the second round trip, with the checks of the others.
      queueNewTable(sheets.add(spec.sheet), spec);
      return { spec, kind: "new" as const };
    });
    await context.sync();

    // Rebuilding a table, or using an empty sheet of its name, takes a third round trip.
    const third = { needed: false };
    const results = second.map((step): Ensured => {
      if (step.kind === "new") return { created: true, known: newTable([]) };
      const charts = step.charts.items.map((c) => c.name);
      const { spec } = step;
      if (step.kind === "emptySheet") {
        if (!step.used.isNullObject) {
          throw new Error(
            `A sheet named "${spec.sheet}" already exists and holds other data; rename or delete it so OpenAR can create its table there.`,
          );
        }
        step.sheet.protection.unprotect();
        queueNewTable(step.sheet, spec);
        third.needed = true;
        return { created: true, known: newTable(charts) };
      }
      const found = (step.header.values[0] ?? []).map(String);
      if (found.length === spec.columns.length && found.every((h, i) => h === spec.columns[i]?.header)) {
        const known = {
          headerRow: step.header.rowIndex,
          firstColumn: step.header.columnIndex,
          physicalRows: step.body.rowCount,
          charts,
        };
        return { created: false, known };
      }
      // The add-in's own table with other columns (e.g. new bucket edges): rebuilt where it is.
      const sheet = step.existing.worksheet;
      sheet.protection.unprotect();
      step.existing.delete();
      const everything = sheet.getRange();
      everything.conditionalFormats.clearAll();
      everything.clear("All");
      queueNewTable(sheet, spec);
      third.needed = true;
      return { created: true, known: newTable(charts) };
    });
    if (third.needed) await context.sync();
    return results;
  });
}

/** Office's error when one round trip would carry more than it allows. */
function isPayloadTooLarge(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const message = error instanceof Error ? error.message : "";
  return /PayloadSizeLimitExceeded/.test(code) || /PayloadSizeLimitExceeded/.test(message);
}

/**
 * Reads runs of data rows (`start` counted from the first data row) in as few round trips as
 * the payload allows, handing each piece to `take`: pieces of several runs share a round trip
 * up to the estimate, a long run is cut into pieces. The first row (loaded with the geometry)
 * is the first estimate, with room to spare; after that, the heaviest round trip so far per
 * row, with a quarter to spare. A round trip Office refuses as too large (rows much heavier
 * than the ones before) is tried again with half as many rows.
 */
async function readRowRuns(
  context: Excel.RequestContext,
  g: TableGeometry,
  firstRow: readonly CellValue[] | undefined,
  runs: readonly ColumnRun[],
  take: (start: number, values: CellValue[][]) => void,
): Promise<void> {
  const budget = MAX_BYTES_PER_CHUNK - CHUNK_OVERHEAD_BYTES;
  const rowsFor = (bytesPerRow: number) => Math.max(1, Math.min(MAX_ROWS_PER_READ, Math.floor(budget / bytesPerRow)));
  let heaviest = Math.max(JSON.stringify(firstRow ?? []).length, (g.columnCount * READ_BYTES_PER_CELL_GUESS) / 4);
  let perTrip = rowsFor(2 * heaviest);
  // Where the next round trip starts: run k, `offset` rows into it.
  let k = 0;
  let offset = 0;
  while (k < runs.length) {
    const pieces: { start: number; range: Excel.Range }[] = [];
    let rows = 0;
    let nextK = k;
    let nextOffset = offset;
    for (let run = runs[nextK]; run !== undefined && rows < perTrip; run = runs[nextK]) {
      const count = Math.min(run.length - nextOffset, perTrip - rows);
      const start = run.start + nextOffset;
      pieces.push({ start, range: g.sheet.getRangeByIndexes(g.headerRow + 1 + start, g.firstColumn, count, g.columnCount).load("values") });
      rows += count;
      nextOffset += count;
      if (nextOffset === run.length) {
        nextK += 1;
        nextOffset = 0;
      }
    }
    try {
      await context.sync();
    } catch (error) {
      if (rows === 1 || !isPayloadTooLarge(error)) throw error;
      perTrip = Math.max(1, Math.floor(rows / 2));
      continue;
    }
    let bytes = 0;
    for (const { start, range } of pieces) {
      const values = range.values as CellValue[][];
      take(start, values);
      bytes += JSON.stringify(values).length;
    }
    heaviest = Math.max(heaviest, bytes / rows);
    perTrip = rowsFor(1.25 * heaviest);
    k = nextK;
    offset = nextOffset;
  }
}

async function readRows(spec: TableSpec): Promise<CellValue[][]> {
  return Excel.run(async (context) => {
    const pending = queueGeometry(context, spec.table);
    await context.sync();
    const g = readGeometry(pending, spec);
    const rows: CellValue[][] = [];
    await readRowRuns(context, g, pending.firstRow.values[0], g.logicalRows === 0 ? [] : [{ start: 0, length: g.logicalRows }], (_start, values) => {
      for (const row of values) rows.push(row);
    });
    return rows;
  });
}

/** "'Open Items'!P2:P3,'Open Items'!Q5" → its areas; commas inside a quoted sheet name are not separators. */
export function splitAreas(address: string): string[] {
  const areas: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < address.length; i++) {
    const ch = address[i];
    if (ch === "'") quoted = !quoted;
    else if (ch === "," && !quoted) {
      areas.push(address.slice(start, i));
      start = i + 1;
    }
  }
  if (address.trim() !== "") areas.push(address.slice(start));
  return areas.map((a) => a.trim()).filter((a) => a !== "");
}

/**
 * Excel finds the non-empty cells of the asked columns itself (special cells: constants),
 * in the same round trip as the table's geometry; only those rows are read back. A table of
 * 100,000 rows with a few dozen edited costs two round trips instead of reading it all.
 */
async function readRowsWithValues(spec: TableSpec, columns: readonly string[]): Promise<IndexedRow[]> {
  const wanted = columns.map((key) => columnIndexOf(spec, key, "readRowsWithValues"));
  const found = await Excel.run(async (context) => {
    const pending = queueGeometry(context, spec.table);
    const areas = [...new Set(wanted)].map((index) =>
      pending.table.columns
        .getItemAt(index)
        .getDataBodyRange()
        .getSpecialCellsOrNullObject("Constants")
        .load("address"),
    );
    try {
      await context.sync();
    } catch {
      // Excel refuses special cells over too many separate areas: read the whole table instead.
      return null;
    }
    const g = readGeometry(pending, spec);
    const rows = new Set<number>();
    for (const area of areas) {
      if (area.isNullObject) continue;
      for (const part of splitAreas(area.address)) {
        const rect = parseA1(part);
        const first = Math.max(0, rect.row - (g.headerRow + 1));
        const last = Math.min(g.logicalRows, rect.row + rect.rowCount - (g.headerRow + 1));
        for (let r = first; r < last; r++) rows.add(r);
      }
    }
    return { rows: [...rows].sort((a, b) => a - b), g, firstRow: pending.firstRow };
  });
  if (found === null) {
    return rowsWithValues(await readRows(spec), wanted);
  }
  if (found.rows.length === 0) return [];
  return Excel.run(async (context) => {
    const result: IndexedRow[] = [];
    // The table's geometry as read a moment ago: only its sheet is needed again.
    const g = { ...found.g, sheet: context.workbook.tables.getItem(spec.table).worksheet };
    await readRowRuns(context, g, found.firstRow.values[0], columnRuns(found.rows), (start, values) => {
      values.forEach((row, i) => result.push({ index: start + i, values: row }));
    });
    return result;
  });
}

async function deleteRows(spec: TableSpec, indices: readonly number[]): Promise<void> {
  const wanted = [...new Set(indices)].sort((a, b) => b - a);
  if (wanted.length === 0) return;
  // Set inside the batch; read by the recovery below when a sync failed after unprotecting.
  const guard = { unprotected: false };
  try {
    await Excel.run(async (context) => {
      const pending = queueGeometry(context, spec.table);
      await context.sync();
      const g = readGeometry(pending, spec);
      for (const index of wanted) {
        if (!Number.isInteger(index) || index < 0 || index >= g.logicalRows) {
          throw new Error(`deleteRows: row ${index} is not one of the ${g.logicalRows} rows of ${spec.table}`);
        }
      }
      suspend(context);
      if (g.protected) {
        g.sheet.protection.unprotect();
        guard.unprotected = true;
      }
      if (g.filtered) g.table.clearFilters();
      const firstDataRow = g.headerRow + 1;
      const all = wanted.length === g.logicalRows;
      // Runs of adjacent rows, bottom first, so earlier deletes do not shift later ones.
      let runEnd = wanted[0] ?? 0;
      let runStart = runEnd;
      const flush = () => {
        const from = all ? Math.max(runStart, 1) : runStart;
        if (runEnd >= from)
          g.sheet.getRangeByIndexes(firstDataRow + from, g.firstColumn, runEnd - from + 1, g.columnCount).delete("Up");
      };
      for (const index of wanted.slice(1)) {
        if (index === runStart - 1) runStart = index;
        else {
          flush();
          runEnd = index;
          runStart = index;
        }
      }
      flush();
      if (all) {
        // A table keeps one row: the last one is emptied instead, and given its column structure again.
        const first = g.sheet.getRangeByIndexes(firstDataRow, g.firstColumn, 1, g.columnCount);
        first.clear("All");
        queueColumnStructure(g.sheet, spec, { firstDataRow, firstColumn: g.firstColumn, fromRow: 0, rowCount: 1 });
      }
      if (guard.unprotected) g.sheet.protection.protect(SHEET_PROTECTION);
      await context.sync();
      guard.unprotected = false;
    });
  } catch (error) {
    if (guard.unprotected) await protectAgainAfter(error, spec.table);
    throw error;
  }
}

/** `=OR($K2="90+",…)`: Excel's text equality, which ignores case, as the browser grid's rules do. */
export function ruleFormula(
  rule: ValueRule,
  at: { keyColumn: string; firstColumn: string; lastColumn: string; row: number },
): string {
  const cell = `$${at.keyColumn}${at.row}`;
  const tests = rule.equals.map((value) => {
    if (value.length > FORMULA_TEXT_LIMIT)
      throw new Error(
        `value rule on ${rule.column}: "${value.slice(0, 20)}…" is longer than ${FORMULA_TEXT_LIMIT} characters`,
      );
    // The rule covers the sheet below the table too; "" matches only rows that hold something.
    if (value === "") return `AND(LEN(${cell})=0,COUNTA($${at.firstColumn}${at.row}:$${at.lastColumn}${at.row})>0)`;
    return `${cell}="${value.replaceAll('"', '""')}"`;
  });
  for (const prefix of rule.startsWith ?? []) {
    if (prefix === "" || prefix.length > FORMULA_TEXT_LIMIT) throw new Error(`value rule on ${rule.column}: a prefix must be 1–${FORMULA_TEXT_LIMIT} characters`);
    tests.push(`LEFT(${cell},${prefix.length})="${prefix.replaceAll('"', '""')}"`);
  }
  return `=${tests.length === 1 ? (tests[0] ?? "FALSE") : `OR(${tests.join(",")})`}`;
}

interface PreparedRule {
  readonly rule: ValueRule;
  readonly key: number;
  readonly runs: readonly ColumnRun[];
}

/** Checks the rules against the spec before anything is queued. */
function prepareRules(spec: TableSpec, rules: readonly ValueRule[]): PreparedRule[] {
  return rules.map((rule, i) => {
    const where = `rules[${i}]`;
    const key = columnIndexOf(spec, rule.column, where);
    const targets =
      rule.columns !== undefined
        ? rule.columns.map((c) => columnIndexOf(spec, c, where))
        : rule.wholeRow === true
          ? spec.columns.map((_, c) => c)
          : [key];
    return { rule, key, runs: columnRuns(targets) };
  });
}

/** Replaces the table's conditional formats; the sheet must be unprotected while these run. */
function queueRules(g: TableGeometry, prepared: readonly PreparedRule[]): void {
  const firstDataRow = g.headerRow + 1;
  // Down to the last sheet row, so rows a later write adds are covered without setting the rules again.
  const height = SHEET_ROWS - firstDataRow;
  g.sheet.getRangeByIndexes(firstDataRow, g.firstColumn, height, g.columnCount).conditionalFormats.clearAll();
  for (const { rule, key, runs } of prepared) {
    if (rule.equals.length === 0) continue;
    const formula = ruleFormula(rule, {
      keyColumn: columnLetter(g.firstColumn + key),
      firstColumn: columnLetter(g.firstColumn),
      lastColumn: columnLetter(g.firstColumn + g.columnCount - 1),
      row: firstDataRow + 1,
    });
    for (const run of runs) {
      // Each add goes to the top priority, so a later rule wins where two set the same property.
      const format = g.sheet
        .getRangeByIndexes(firstDataRow, g.firstColumn + run.start, height, run.length)
        .conditionalFormats.add("Custom");
      format.custom.rule.formula = formula;
      const style = rule.style;
      if (style.fill !== undefined) format.custom.format.fill.color = style.fill;
      if (style.fontColor !== undefined) format.custom.format.font.color = style.fontColor;
      if (style.bold !== undefined) format.custom.format.font.bold = style.bold;
      if (style.italic !== undefined) format.custom.format.font.italic = style.italic;
      if (style.numberFormat !== undefined) format.custom.format.numberFormat = style.numberFormat;
    }
  }
}

async function setValueRules(spec: TableSpec, rules: readonly ValueRule[]): Promise<void> {
  const prepared = prepareRules(spec, rules);
  await Excel.run(async (context) => {
    const pending = queueGeometry(context, spec.table);
    await context.sync();
    const g = readGeometry(pending, spec);
    if (g.protected) g.sheet.protection.unprotect();
    queueRules(g, prepared);
    if (g.protected) g.sheet.protection.protect(SHEET_PROTECTION);
    await context.sync();
  });
}

interface PreparedChart {
  readonly spec: ChartSpec;
  readonly category: number;
  readonly series: readonly { readonly index: number; readonly header: string }[];
}

/** Checks the chart against the table's spec before anything is queued. */
function prepareChart(spec: TableSpec, chart: ChartSpec): PreparedChart {
  if (chart.seriesColumns.length === 0) throw new Error(`chart ${chart.name}: no series columns`);
  return {
    spec: chart,
    category: columnIndexOf(spec, chart.categoryColumn, `chart ${chart.name}`),
    series: chart.seriesColumns.map((key) => ({
      index: columnIndexOf(spec, key, `chart ${chart.name}`),
      header: spec.columns.find((c) => c.key === key)?.header ?? key,
    })),
  };
}

/** Rebuilds the chart (the series follow the table's current columns); the sheet must be unprotected. */
function queueChart(g: TableGeometry, prepared: PreparedChart, old: Excel.Chart | null, dataRows: number): void {
  const { spec: chart, category, series } = prepared;
  if (old !== null) old.delete();
  const columnBody = (index: number) => g.table.columns.getItemAt(index).getDataBodyRange();
  const [first, ...rest] = series;
  if (first === undefined) return;
  const made = g.sheet.charts.add(
    chart.type === "stackedBar" ? "BarStacked" : chart.type === "percentStackedBar" ? "BarStacked100" : "ColumnStacked",
    columnBody(first.index),
    "Columns",
  );
  made.name = chart.name;
  made.title.text = chart.title;
  const categories = columnBody(category);
  const firstSeries = made.series.getItemAt(0);
  firstSeries.name = first.header;
  firstSeries.setXAxisValues(categories);
  for (const s of rest) {
    const added = made.series.add(s.header);
    added.setValues(columnBody(s.index));
    added.setXAxisValues(categories);
  }
  // Bars read top-down in table order.
  if (chart.type !== "stackedColumn") made.axes.categoryAxis.reversePlotOrder = true;
  made.legend.position = "Bottom";
  made.setPosition(g.sheet.getRangeByIndexes(g.headerRow, g.firstColumn + g.columnCount + 1, 1, 1));
  made.width = 640;
  made.height = Math.min(1600, Math.max(320, 60 + 18 * dataRows));
}

async function ensureChart(spec: TableSpec, chart: ChartSpec): Promise<void> {
  const prepared = prepareChart(spec, chart);
  await Excel.run(async (context) => {
    const pending = queueGeometry(context, spec.table);
    const old = pending.sheet.charts.getItemOrNullObject(chart.name);
    await context.sync();
    const g = readGeometry(pending, spec);
    if (g.protected) g.sheet.protection.unprotect();
    queueChart(g, prepared, old.isNullObject ? null : old, g.logicalRows);
    if (g.protected) g.sheet.protection.protect(SHEET_PROTECTION);
    await context.sync();
  });
}

/** Cells of `rect` that fall in the table's columns and data rows, as table-relative changes. */
export function changesIn(
  rect: CellRect,
  spec: TableSpec,
  at: { headerRow: number; firstColumn: number },
): CellChange[] {
  if (!Number.isFinite(rect.rowCount)) return []; // whole-column edits: too coarse to be a useful hint
  const changes: CellChange[] = [];
  const firstRow = Math.max(rect.row, at.headerRow + 1);
  const lastRow = rect.row + rect.rowCount - 1;
  const firstCol = Math.max(rect.column, at.firstColumn);
  const lastCol = Math.min(rect.column + rect.columnCount - 1, at.firstColumn + spec.columns.length - 1);
  for (let r = firstRow; r <= lastRow; r++) {
    for (let c = firstCol; c <= lastCol; c++) {
      const column = spec.columns[c - at.firstColumn];
      if (column !== undefined) changes.push({ table: spec.table, row: r - at.headerRow - 1, column: column.key });
    }
  }
  return changes;
}

async function onChange(
  spec: TableSpec,
  handler: (changes: readonly CellChange[]) => void,
): Promise<() => Promise<void>> {
  const registration = await Excel.run(async (context) => {
    const table = context.workbook.tables.getItem(spec.table);
    const header = table.getHeaderRowRange().load("rowIndex,columnIndex");
    await context.sync();
    const at = { headerRow: header.rowIndex, firstColumn: header.columnIndex };
    const result = table.worksheet.onChanged.add((event) => {
      // The add-in's own writes are not edits.
      if (event.triggerSource === "ThisLocalAddin") return Promise.resolve();
      const changes = event.address.split(",").flatMap((part) => changesIn(parseA1(part), spec, at));
      if (changes.length > 0) handler(changes);
      return Promise.resolve();
    });
    await context.sync();
    return result;
  });
  return async () => {
    await Excel.run(registration.context, async (context) => {
      registration.remove();
      await context.sync();
    });
  };
}

async function select(spec: TableSpec, row: number, column: string): Promise<void> {
  const index = columnIndexOf(spec, column, "select");
  await Excel.run(async (context) => {
    const table = context.workbook.tables.getItem(spec.table);
    table.worksheet.activate();
    table.getDataBodyRange().getCell(row, index).select();
    await context.sync();
  });
}

/** Settings live in the document; a key that looks like it holds a credential is refused. */
function settingKey(key: string): string {
  if (key.trim() === "") throw new Error("a setting needs a name");
  if (/token|secret|password/i.test(key))
    throw new Error(`setting "${key}": credentials are never stored in the workbook`);
  return key;
}

async function saveSettings(settings: Office.Settings): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    settings.saveAsync((result) => {
      if (result.status === Office.AsyncResultStatus.Failed)
        reject(new Error(`saving workbook settings failed: ${result.error.message}`));
      else resolve();
    });
  });
}

export function createOfficeGateway(): WorkbookGateway {
  // Specs of the tables this gateway has ensured: column kinds and keys are not stored in the workbook.
  const specs = new Map<string, TableSpec>();
  // Where each table was when this gateway last saw it; a replace trusts it (and checks it).
  const known = new Map<string, KnownGeometry>();
  const specOf = (table: string, keepKnown = false): TableSpec => {
    const spec = specs.get(table);
    if (spec === undefined) throw new Error(`table ${table}: call ensureTable with its spec before using it`);
    if (!keepKnown) known.delete(table);
    return spec;
  };
  const ensure = async (list: readonly TableSpec[]): Promise<EnsuredTable[]> => {
    for (const spec of list) known.delete(spec.table);
    const results = await ensureTables(list);
    return list.map((spec, i) => {
      const result = results[i];
      if (result === undefined) throw new Error(`table ${spec.table}: not ensured`);
      specs.set(spec.table, spec);
      known.set(spec.table, result.known);
      return { created: result.created };
    });
  };
  const write = async (block: Omit<BlockWrite, "known">): Promise<void> => {
    const before = known.get(block.spec.table) ?? null;
    known.delete(block.spec.table);
    known.set(block.spec.table, await writeBlock({ ...block, known: before }));
  };
  return {
    async ensureTable(spec) {
      const [result] = await ensure([spec]);
      if (result === undefined) throw new Error(`table ${spec.table}: not ensured`);
      return result;
    },
    async ensureTables(list) {
      return ensure(list);
    },
    async readRows(table) {
      // Reading changes nothing: what is known stays known.
      return readRows(specOf(table, true));
    },
    async readRowsWithValues(table, columns) {
      return readRowsWithValues(specOf(table, true), columns);
    },
    async replaceRows(table, rows, styles, options = {}) {
      await write({ spec: specOf(table, true), start: 0, rows, styles, replace: true, options });
    },
    async writeRows(table, fromRow, rows, styles, options = {}) {
      if (!Number.isInteger(fromRow) || fromRow < 0)
        throw new Error(`writeRows: fromRow ${fromRow} is not a row index`);
      await write({ spec: specOf(table, true), start: fromRow, rows, styles, replace: false, options });
    },
    async deleteRows(table, rows) {
      await deleteRows(specOf(table), rows);
    },
    async setValueRules(table, rules) {
      await setValueRules(specOf(table), rules);
    },
    async ensureChart(table, chart) {
      await ensureChart(specOf(table), chart);
    },
    async onChange(table, handler) {
      return onChange(specOf(table, true), handler);
    },
    async select(table, row, column) {
      await select(specOf(table, true), row, column);
    },
    async getSetting(key) {
      await Promise.resolve();
      const value: unknown = Office.context.document.settings.get(settingKey(key));
      if (value === null || value === undefined) return null;
      return typeof value === "string" ? value : JSON.stringify(value);
    },
    async setSetting(key, value) {
      const settings = Office.context.document.settings;
      settings.set(settingKey(key), value);
      await saveSettings(settings);
    },
  };
}
