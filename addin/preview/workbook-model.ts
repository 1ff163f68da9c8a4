/**
 * The in-page workbook: sheets holding tables, styles, value rules and charts,
 * in plain TypeScript so it runs (and is tested) in node as well as in the
 * /preview page. `browser-gateway.ts` drives it as the add-in would drive
 * Excel; `workbook-view.tsx` draws it and feeds the user's edits back.
 *
 * It imitates what Excel does with values, because the end-to-end tests are
 * only worth something if the preview behaves like the real thing:
 * - a leading apostrophe marks text: the cell shows and reads back the text
 *   without it ("'=X" is "=X"); nothing is ever evaluated;
 * - empty cells read back as "" (Excel's `range.values`), not null;
 * - what a user types is parsed by the column's kind (a number in an amount
 *   column, a date serial in a date column), as Excel parses typed input;
 * - locked columns refuse typing, as on a protected sheet.
 */
import { fromDayNumber, parseIsoDate } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import { Decimal } from "../../shared/money.js";
import { columnLetter, dateToCell, DATE_FORMAT, EDITABLE_FILL, EDITABLE_FONT_COLOR, INTEGER_FORMAT, moneyFormat, numberText, TEXT_FORMAT } from "../excel/cells.js";
import type {
  CellChange,
  CellStyle,
  CellValue,
  ChartSpec,
  ColumnKind,
  ColumnSpec,
  RangeStyle,
  TableSpec,
  ValueRule,
} from "../excel/gateway.js";

export interface CellAddress {
  readonly table: string;
  readonly row: number;
  readonly column: string;
}

export type EditRefusal = "locked" | "no_such_cell";
export type EditResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: EditRefusal; readonly message: string };

/** The style a cell is drawn with: table banding, then range styles, then value rules. */
export interface ResolvedStyle {
  readonly fill: string | null;
  readonly fontColor: string | null;
  readonly bold: boolean;
  readonly italic: boolean;
  readonly numberFormat: string;
  readonly note: string | null;
}

export interface DisplayedValue {
  readonly text: string;
  /** Colour from the number format ([Red] negatives), which wins over the font colour as in Excel. */
  readonly color: string | null;
  readonly align: "left" | "right" | "center";
}

export interface VisibleColumn {
  readonly spec: ColumnSpec;
  /** Position in the table (hidden columns included), which gives the column letter. */
  readonly index: number;
  readonly letter: string;
}

export interface TableTheme {
  readonly headerFill: string;
  readonly headerFont: string;
  readonly bandFill: string | null;
}

export interface ChartData {
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly values: readonly number[] }[];
}

export interface PlacedChart extends ChartSpec {
  readonly table: string;
}

/** A table's place on its sheet: tables on one sheet are stacked with a blank row between them. */
export interface TableBlock {
  readonly table: string;
  /** 0-based sheet row of the header row. */
  readonly headerRow: number;
  readonly rowCount: number;
}

/** Default formats by column kind, as the Office gateway sets them in ensureTable. */
export const DEFAULT_FORMATS: Readonly<Record<ColumnKind, string>> = {
  text: TEXT_FORMAT,
  date: DATE_FORMAT,
  money: moneyFormat(2),
  integer: INTEGER_FORMAT,
  boolean: "General",
};

/** Fill of editable cells before any style: the "you may type here" yellow. */


/** Text of a cell as value rules and the clipboard see it. */
export function cellText(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return numberText(value);
  return value;
}

const PLAIN_NUMBER = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[-+]?\.\d+$/;
const ACCOUNTING_NEGATIVE = /^\((\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\)$/;

/**
 * What a typed entry becomes, the way Excel parses keyboard input: numbers
 * (with or without thousands separators, "(12.50)" as -12.5) in number
 * columns, ISO dates as date serials in date columns, TRUE/FALSE in boolean
 * columns; a leading apostrophe forces text; anything else stays text so the
 * edit diff can report it as invalid rather than losing it.
 */
export function parseTypedInput(text: string, kind: ColumnKind): CellValue {
  if (text.startsWith("'")) return text.slice(1);
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (kind === "money" || kind === "integer" || kind === "date") {
    const numeric = typedNumber(trimmed);
    if (numeric !== null) return numeric;
  }
  if (kind === "date" && /^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    try {
      return dateToCell(parseIsoDate(trimmed, "date"));
    } catch {
      // Not a real calendar date (2024-02-30): Excel keeps it as text too.
      return text;
    }
  }
  if (kind === "boolean") {
    const upper = trimmed.toUpperCase();
    if (upper === "TRUE") return true;
    if (upper === "FALSE") return false;
  }
  return text;
}

function typedNumber(text: string): number | null {
  // Excel turns typed digits into a double; this is the cell boundary where that is allowed.
  if (PLAIN_NUMBER.test(text)) return Number(text.replaceAll(",", ""));
  const negative = ACCOUNTING_NEGATIVE.exec(text);
  if (negative !== null) return -Number(`${(negative[1] ?? "").replaceAll(",", "")}${negative[2] ?? ""}`);
  return null;
}

/** The text a cell editor (and the formula bar) starts from: raw numbers, dates as yyyy-mm-dd. */
export function editText(value: CellValue, kind: ColumnKind): string {
  if (kind === "date" && typeof value === "number" && Number.isInteger(value)) return serialToIso(value);
  return cellText(value);
}

// ---------------------------------------------------------------------------
// Number formats: enough of Excel's format language for the formats the add-in
// writes (#,##0.00;[Red]-#,##0.00, yyyy-mm-dd, 0, @, General, 0.0%) and a
// reasonable rendering of others. Amounts are rounded with decimal.js on the
// shortest decimal text of the double, which is what Excel shows (it works to
// 15 significant digits): 1.005 with two decimals is 1.01, not 1.00.
// ---------------------------------------------------------------------------

const FORMAT_COLORS: Readonly<Record<string, string>> = {
  red: "#C00000",
  blue: "#0070C0",
  green: "#00B050",
  black: "#000000",
  white: "#FFFFFF",
  magenta: "#FF00FF",
  yellow: "#FFFF00",
  cyan: "#00FFFF",
};

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WEEKDAYS = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];
/** Excel serial of 1970-01-01 in the 1900 date system. */
const SERIAL_EPOCH = 25569;

function serialToIso(serial: number): string {
  return fromDayNumber(Math.floor(serial) - SERIAL_EPOCH);
}

function splitSections(format: string): string[] {
  const sections: string[] = [];
  let current = "";
  let quoted = false;
  let bracket = false;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? "";
    if (ch === "\\" && !quoted) {
      current += ch + (format[i + 1] ?? "");
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (ch === "[" && !quoted) bracket = true;
    else if (ch === "]" && !quoted) bracket = false;
    if (ch === ";" && !quoted && !bracket) {
      sections.push(current);
      current = "";
    } else current += ch;
  }
  sections.push(current);
  return sections;
}

interface Section {
  readonly body: string;
  readonly color: string | null;
}

function parseSection(section: string): Section {
  let color: string | null = null;
  const body = section.replace(/\[([^\]]*)\]/g, (_all, inner: string) => {
    const name = inner.toLowerCase();
    const known = FORMAT_COLORS[name];
    if (known !== undefined) color = known;
    return "";
  });
  return { body, color };
}

/** Literal text of a format fragment: quotes removed, escapes resolved, padding as spaces. */
function literal(fragment: string): string {
  let out = "";
  for (let i = 0; i < fragment.length; i++) {
    const ch = fragment[i] ?? "";
    if (ch === '"') {
      const end = fragment.indexOf('"', i + 1);
      out += fragment.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? fragment.length : end;
    } else if (ch === "\\") {
      out += fragment[i + 1] ?? "";
      i++;
    } else if (ch === "_") {
      out += " ";
      i++;
    } else if (ch === "*") {
      i++;
    } else out += ch;
  }
  return out;
}

function isDateSection(body: string): boolean {
  const bare = body.replace(/"[^"]*"/g, "").replace(/\\./g, "");
  return /[yd]/i.test(bare) || (/m/i.test(bare) && !/[0#?]/.test(bare));
}

function formatDate(serial: number, body: string): string {
  const iso = serialToIso(serial);
  const year = iso.slice(0, 4);
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const weekday = WEEKDAYS[(((Math.floor(serial) - SERIAL_EPOCH) % 7) + 7) % 7] ?? "";
  const monthName = MONTHS[month - 1] ?? "";
  let out = "";
  for (let i = 0; i < body.length;) {
    const ch = body[i] ?? "";
    const lower = ch.toLowerCase();
    if (lower === "y" || lower === "m" || lower === "d") {
      let run = 1;
      while ((body[i + run] ?? "").toLowerCase() === lower) run++;
      if (lower === "y") out += run <= 2 ? year.slice(2) : year;
      else if (lower === "m")
        out +=
          run === 1
            ? String(month)
            : run === 2
              ? String(month).padStart(2, "0")
              : run === 3
                ? monthName.slice(0, 3)
                : monthName;
      else
        out +=
          run === 1
            ? String(day)
            : run === 2
              ? String(day).padStart(2, "0")
              : run === 3
                ? weekday.slice(0, 3)
                : weekday;
      i += run;
    } else if (ch === '"' || ch === "\\" || ch === "_" || ch === "*") {
      const end = ch === '"' ? body.indexOf('"', i + 1) + 1 || body.length : i + 2;
      out += literal(body.slice(i, end));
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function formatNumber(value: number, body: string): string {
  const placeholders = /[0#?]/;
  let first = -1;
  let last = -1;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? "";
    if (ch === '"') {
      const end = body.indexOf('"', i + 1);
      i = end < 0 ? body.length : end;
      continue;
    }
    if (ch === "\\" || ch === "_" || ch === "*") {
      i++;
      continue;
    }
    if (placeholders.test(ch) || ((ch === "." || ch === ",") && first >= 0)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return literal(body);
  const prefix = literal(body.slice(0, first));
  const suffix = literal(body.slice(last + 1));
  const pattern = body.slice(first, last + 1);
  const [intPattern = "", fracPattern = ""] = pattern.split(".");
  const trailingCommas = /,+$/.exec(intPattern)?.[0].length ?? 0;
  const grouping = intPattern.slice(0, intPattern.length - trailingCommas).includes(",");
  const minInt = (intPattern.match(/0/g) ?? []).length;
  const maxDecimals = (fracPattern.match(/[0#?]/g) ?? []).length;
  const minDecimals = (fracPattern.match(/0/g) ?? []).length;

  let scaled = new Decimal(numberText(Math.abs(value)));
  if (/%/.test(literal(body))) scaled = scaled.times(100);
  if (trailingCommas > 0) scaled = scaled.div(new Decimal(1000).pow(trailingCommas));
  let [whole = "0", fraction = ""] = scaled.toFixed(maxDecimals).split(".");
  while (fraction.length > minDecimals && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  if (whole === "0" && minInt === 0) whole = "";
  whole = whole.padStart(minInt, "0");
  if (grouping) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${prefix}${whole}${fraction === "" && minDecimals === 0 && maxDecimals === 0 ? "" : `.${fraction}`}${suffix}`;
}

/**
 * A cell value rendered with an Excel number format: the text Excel shows
 * and the colour the format asks for ([Red] for negatives).
 */
export function formatCellValue(value: CellValue, numberFormat: string): { text: string; color: string | null } {
  if (value === null) return { text: "", color: null };
  if (typeof value === "boolean") return { text: value ? "TRUE" : "FALSE", color: null };
  if (typeof value === "string") return { text: value, color: null };
  if (!Number.isFinite(value)) return { text: "#NUM!", color: null };
  const format = numberFormat.trim();
  if (format === "" || format.toLowerCase() === "general" || format === "@")
    return { text: numberText(value), color: null };
  const sections = splitSections(format);
  let chosen: string;
  let explicitSign = false;
  if (value < 0 && sections.length >= 2) {
    chosen = sections[1] ?? "";
    explicitSign = true;
  } else if (value === 0 && sections.length >= 3) {
    chosen = sections[2] ?? "";
  } else {
    chosen = sections[0] ?? "";
  }
  const { body, color } = parseSection(chosen);
  if (isDateSection(body)) {
    if (value < 0) return { text: "#######", color: null };
    return { text: formatDate(value, body), color };
  }
  const text = formatNumber(value, body);
  const sign = value < 0 && !explicitSign && /[1-9]/.test(text) ? "-" : "";
  return { text: sign + text, color };
}

// ---------------------------------------------------------------------------
// Table styles: the header and banding colours of the Excel table styles the
// add-in uses (Light 8–14 and Medium 1–7 follow the six theme accents).
// ---------------------------------------------------------------------------

const ACCENTS: readonly { strong: string; band: string }[] = [
  { strong: "#000000", band: "#D9D9D9" },
  { strong: "#4472C4", band: "#D9E1F2" },
  { strong: "#ED7D31", band: "#FCE4D6" },
  { strong: "#A5A5A5", band: "#EDEDED" },
  { strong: "#FFC000", band: "#FFF2CC" },
  { strong: "#5B9BD5", band: "#DDEBF7" },
  { strong: "#70AD47", band: "#E2EFDA" },
];

export function tableTheme(style: string | undefined): TableTheme {
  const match = /^TableStyle(Light|Medium|Dark)(\d+)$/.exec(style ?? "");
  if (match === null) return { headerFill: "#F3F2F1", headerFont: "#242424", bandFill: null };
  const family = match[1];
  const number = Number(match[2]);
  const accent = ACCENTS[(number - 1) % 7] ?? ACCENTS[1];
  if (accent === undefined) return { headerFill: "#F3F2F1", headerFont: "#242424", bandFill: null };
  if (family === "Light" && number <= 7) return { headerFill: "#FFFFFF", headerFont: "#242424", bandFill: accent.band };
  if (family === "Light" && number <= 14) return { headerFill: accent.strong, headerFont: "#FFFFFF", bandFill: null };
  if (family === "Light") return { headerFill: "#FFFFFF", headerFont: "#242424", bandFill: accent.band };
  return { headerFill: accent.strong, headerFont: "#FFFFFF", bandFill: accent.band };
}

// ---------------------------------------------------------------------------
// Styles are interned: each cell keeps the id of its merged style, so 100,000
// rows with a format per row cost one small integer per cell, not an object.
// ---------------------------------------------------------------------------

const STYLE_KEYS = ["fill", "fontColor", "bold", "italic", "numberFormat", "note"] as const;

function styleKey(style: CellStyle): string {
  return JSON.stringify(STYLE_KEYS.map((k) => style[k] ?? null));
}

function mergeStyles(base: CellStyle, over: CellStyle): CellStyle {
  const merged: Record<string, unknown> = { ...base };
  for (const key of STYLE_KEYS) {
    const value = over[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

class StyleTable {
  readonly #styles: CellStyle[] = [{}];
  readonly #ids = new Map<string, number>([[styleKey({}), 0]]);
  readonly #merges = new Map<string, number>();

  get(id: number): CellStyle {
    return this.#styles[id] ?? {};
  }

  /** Id of `base` with `over` applied on top; memoised because a range applies one style to many cells. */
  merge(base: number, over: CellStyle, overKey: string): number {
    const memo = `${base}|${overKey}`;
    const known = this.#merges.get(memo);
    if (known !== undefined) return known;
    const merged = mergeStyles(this.get(base), over);
    const key = styleKey(merged);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#styles.length;
      this.#styles.push(merged);
      this.#ids.set(key, id);
    }
    this.#merges.set(memo, id);
    return id;
  }
}

interface TableState {
  spec: TableSpec;
  keyIndex: Map<string, number>;
  rows: CellValue[][];
  /** Per row, the interned style id of each cell; undefined for a row without range styles. */
  styles: (number[] | undefined)[];
  rules: readonly ValueRule[];
}

interface SheetState {
  readonly name: string;
  readonly tables: string[];
  readonly charts: PlacedChart[];
}

/** A cell written by the add-in that Excel would have read as a formula (no apostrophe). */
export interface FormulaLikeWrite extends CellAddress {
  readonly text: string;
}

const MAX_FORMULA_LIKE_RECORDED = 100;

function invalid(message: string, field?: string): DomainError {
  return new DomainError("invalid_argument", message, field === undefined ? {} : { field });
}

function keyIndexOf(spec: TableSpec): Map<string, number> {
  const map = new Map<string, number>();
  spec.columns.forEach((column, index) => {
    if (map.has(column.key)) throw invalid(`table ${spec.table}: column key "${column.key}" appears twice`, "columns");
    map.set(column.key, index);
  });
  return map;
}

export class WorkbookModel {
  readonly #sheets: SheetState[] = [];
  readonly #tables = new Map<string, TableState>();
  readonly #styles = new StyleTable();
  readonly #listeners = new Set<() => void>();
  readonly #editListeners = new Set<(changes: readonly CellChange[]) => void>();
  readonly #formulaLike: FormulaLikeWrite[] = [];
  #revision = 0;
  #activeSheet: string | null = null;
  #selection: CellAddress | null = null;
  #scrollRequest = 0;

  // ---- observation (the view) -------------------------------------------

  /** For React's useSyncExternalStore: called after every change. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Increases on every change; the view re-renders when it moves. */
  readonly getRevision = (): number => this.#revision;

  /** Edits made by the user (typing in the grid), never writes by the add-in. */
  onUserEdit(listener: (changes: readonly CellChange[]) => void): () => void {
    this.#editListeners.add(listener);
    return () => this.#editListeners.delete(listener);
  }

  #changed(): void {
    this.#revision++;
    for (const listener of [...this.#listeners]) listener();
  }

  // ---- structure ---------------------------------------------------------

  sheetNames(): string[] {
    return this.#sheets.map((s) => s.name);
  }

  get activeSheet(): string | null {
    return this.#activeSheet ?? this.#sheets[0]?.name ?? null;
  }

  setActiveSheet(name: string): void {
    if (!this.#sheets.some((s) => s.name === name)) throw invalid(`there is no sheet named "${name}"`, "sheet");
    if (this.#activeSheet === name) return;
    this.#activeSheet = name;
    this.#changed();
  }

  hasTable(table: string): boolean {
    return this.#tables.has(table);
  }

  tableSpec(table: string): TableSpec {
    return this.#table(table).spec;
  }

  tablesOnSheet(sheet: string): string[] {
    return [...(this.#sheets.find((s) => s.name === sheet)?.tables ?? [])];
  }

  /** Tables of a sheet stacked from row 1 (0-based row 0), one blank row between them. */
  sheetLayout(sheet: string): TableBlock[] {
    const blocks: TableBlock[] = [];
    let next = 0;
    for (const table of this.tablesOnSheet(sheet)) {
      const rowCount = this.rowCount(table);
      blocks.push({ table, headerRow: next, rowCount });
      next += rowCount + 2;
    }
    return blocks;
  }

  chartsOnSheet(sheet: string): PlacedChart[] {
    return [...(this.#sheets.find((s) => s.name === sheet)?.charts ?? [])];
  }

  rowCount(table: string): number {
    return this.#table(table).rows.length;
  }

  visibleColumns(table: string): VisibleColumn[] {
    return this.#table(table)
      .spec.columns.map((spec, index) => ({ spec, index, letter: columnLetter(index) }))
      .filter((c) => c.spec.hidden !== true);
  }

  theme(table: string): TableTheme {
    return tableTheme(this.#table(table).spec.style);
  }

  #table(table: string): TableState {
    const state = this.#tables.get(table);
    if (state === undefined)
      throw new DomainError("not_found", `there is no table named "${table}"; ensureTable creates it`, {
        field: "table",
      });
    return state;
  }

  #column(state: TableState, column: string): number {
    const index = state.keyIndex.get(column);
    if (index === undefined)
      throw new DomainError("not_found", `table ${state.spec.table} has no column "${column}"`, { field: "column" });
    return index;
  }

  // ---- writes by the add-in (through the gateway) ------------------------

  /**
   * Creates the sheet and table, or brings an existing table to `spec`. When
   * the columns changed (new aging buckets), existing rows keep their values
   * by column key and lose their range styles.
   */
  /** True when the table was made now (empty); false when it was there already. */
  ensureTable(spec: TableSpec): boolean {
    if (spec.columns.length === 0) throw invalid(`table ${spec.table} needs at least one column`, "columns");
    const keyIndex = keyIndexOf(spec);
    const existing = this.#tables.get(spec.table);
    if (existing === undefined) {
      this.#tables.set(spec.table, { spec, keyIndex, rows: [], styles: [], rules: [] });
      this.#sheet(spec.sheet).tables.push(spec.table);
      this.#changed();
      return true;
    }
    if (existing.spec.sheet !== spec.sheet) {
      const from = this.#sheet(existing.spec.sheet);
      from.tables.splice(from.tables.indexOf(spec.table), 1);
      const charts = from.charts.filter((c) => c.table === spec.table);
      for (const chart of charts) from.charts.splice(from.charts.indexOf(chart), 1);
      const to = this.#sheet(spec.sheet);
      to.tables.push(spec.table);
      to.charts.push(...charts);
    }
    const sameColumns =
      existing.spec.columns.map((c) => c.key).join("\u0000") === spec.columns.map((c) => c.key).join("\u0000");
    if (!sameColumns) {
      const oldIndex = existing.keyIndex;
      existing.rows = existing.rows.map((row) =>
        spec.columns.map((c) => {
          const at = oldIndex.get(c.key);
          return at === undefined ? null : (row[at] ?? null);
        }),
      );
      existing.styles = existing.rows.map(() => undefined);
      existing.rules = existing.rules.filter(
        (r) => keyIndex.has(r.column) && (r.columns ?? []).every((c) => keyIndex.has(c)),
      );
    }
    existing.spec = spec;
    existing.keyIndex = keyIndex;
    this.#changed();
    return false;
  }

  #sheet(name: string): SheetState {
    let sheet = this.#sheets.find((s) => s.name === name);
    if (sheet === undefined) {
      sheet = { name, tables: [], charts: [] };
      this.#sheets.push(sheet);
    }
    return sheet;
  }

  /**
   * Checks and copies rows as Excel would store them (apostrophe prefix
   * dropped); called chunk by chunk by the gateway before it commits.
   * `firstRow` is the table row of `rows[0]`, for messages.
   */
  normalizeRows(table: string, rows: readonly (readonly CellValue[])[], firstRow: number): CellValue[][] {
    const state = this.#table(table);
    const width = state.spec.columns.length;
    return rows.map((row, offset) => {
      const at = firstRow + offset;
      if (row.length !== width) {
        throw invalid(`table ${table} row ${at} has ${row.length} values; the table has ${width} columns`, "rows");
      }
      return row.map((value, index) => {
        if (typeof value === "number" && !Number.isFinite(value)) {
          throw invalid(
            `table ${table} row ${at} column ${state.spec.columns[index]?.key ?? index}: ${value} is not a finite number`,
            "rows",
          );
        }
        if (typeof value !== "string") return value;
        if (value.startsWith("'")) return value.slice(1);
        if (/^[=+\-@]/.test(value) && !/^[-+]?\d/.test(value) && this.#formulaLike.length < MAX_FORMULA_LIKE_RECORDED) {
          // Excel would have evaluated this; remember it so tests can prove the add-in escaped its text.
          this.#formulaLike.push({
            table,
            row: at,
            column: state.spec.columns[index]?.key ?? String(index),
            text: value,
          });
        }
        return value;
      });
    });
  }

  /** Replaces all rows (already normalised) and their styles. */
  commitReplace(table: string, rows: CellValue[][], styles: readonly RangeStyle[]): void {
    const state = this.#table(table);
    const previousRows = state.rows;
    const previousStyles = state.styles;
    state.rows = rows;
    state.styles = rows.map(() => undefined);
    try {
      this.#applyStyles(state, styles);
    } catch (error) {
      state.rows = previousRows;
      state.styles = previousStyles;
      throw error;
    }
    this.#changed();
  }

  /**
   * Overwrites rows from `fromRow`, appending past the end. The written rows
   * lose their earlier range styles, so a row that is no longer flagged is no
   * longer painted as flagged; `styles` use table row indexes.
   */
  commitWrite(table: string, fromRow: number, rows: CellValue[][], styles: readonly RangeStyle[]): void {
    const state = this.#table(table);
    if (!Number.isInteger(fromRow) || fromRow < 0 || fromRow > state.rows.length) {
      throw invalid(
        `table ${table}: writeRows from row ${fromRow}, but the table has ${state.rows.length} rows (write at most at the end)`,
        "fromRow",
      );
    }
    const previousRows = state.rows.slice();
    const previousStyles = state.styles.slice();
    rows.forEach((row, offset) => {
      state.rows[fromRow + offset] = row;
      state.styles[fromRow + offset] = undefined;
    });
    try {
      this.#applyStyles(state, styles);
    } catch (error) {
      state.rows = previousRows;
      state.styles = previousStyles;
      throw error;
    }
    this.#changed();
  }

  deleteRows(table: string, rows: readonly number[]): void {
    const state = this.#table(table);
    const unique = [...new Set(rows)].sort((a, b) => b - a);
    for (const row of unique) {
      if (!Number.isInteger(row) || row < 0 || row >= state.rows.length) {
        throw invalid(`table ${table}: cannot delete row ${row}; the table has ${state.rows.length} rows`, "rows");
      }
    }
    for (const row of unique) {
      state.rows.splice(row, 1);
      state.styles.splice(row, 1);
    }
    if (this.#selection?.table === table && this.#selection.row >= state.rows.length) this.#selection = null;
    this.#changed();
  }

  #applyStyles(state: TableState, styles: readonly RangeStyle[]): void {
    const width = state.spec.columns.length;
    for (const range of styles) {
      if (
        !Number.isInteger(range.fromRow) ||
        !Number.isInteger(range.toRow) ||
        range.fromRow < 0 ||
        range.toRow < range.fromRow ||
        range.toRow >= state.rows.length
      ) {
        throw invalid(
          `table ${state.spec.table}: style rows ${range.fromRow}–${range.toRow} are outside rows 0–${state.rows.length - 1}`,
          "styles",
        );
      }
      const columns =
        range.columns === undefined ? [...Array(width).keys()] : range.columns.map((key) => this.#column(state, key));
      const key = styleKey(range.style);
      for (let row = range.fromRow; row <= range.toRow; row++) {
        const ids = state.styles[row] ?? new Array<number>(width).fill(0);
        for (const column of columns) ids[column] = this.#styles.merge(ids[column] ?? 0, range.style, key);
        state.styles[row] = ids;
      }
    }
  }

  setValueRules(table: string, rules: readonly ValueRule[]): void {
    const state = this.#table(table);
    for (const rule of rules) {
      this.#column(state, rule.column);
      for (const target of rule.columns ?? []) this.#column(state, target);
    }
    state.rules = [...rules];
    this.#changed();
  }

  /** Refuses a chart over columns the table does not have. */
  checkChart(table: string, chart: ChartSpec): void {
    const state = this.#table(table);
    this.#column(state, chart.categoryColumn);
    for (const series of chart.seriesColumns) this.#column(state, series);
  }

  ensureChart(table: string, chart: ChartSpec): void {
    this.checkChart(table, chart);
    const state = this.#table(table);
    const sheet = this.#sheet(state.spec.sheet);
    const placed: PlacedChart = { ...chart, table };
    const at = sheet.charts.findIndex((c) => c.name === chart.name);
    if (at >= 0) sheet.charts[at] = placed;
    else sheet.charts.push(placed);
    this.#changed();
  }

  /** Strings written without the apostrophe that Excel would have turned into formulas (first 100). */
  formulaLikeWrites(): readonly FormulaLikeWrite[] {
    return [...this.#formulaLike];
  }

  // ---- reads -------------------------------------------------------------

  /** Stored value; null for an empty cell. */
  value(table: string, row: number, column: string): CellValue {
    const state = this.#table(table);
    const index = this.#column(state, column);
    return state.rows[row]?.[index] ?? null;
  }

  /** Rows as Excel's `range.values` gives them: empty cells are "". */
  readRows(table: string): CellValue[][] {
    return this.#table(table).rows.map((row) => row.map((v) => v ?? ""));
  }

  cellStyle(table: string, row: number, column: string): ResolvedStyle {
    const state = this.#table(table);
    const index = this.#column(state, column);
    const spec = state.spec.columns[index];
    const theme = tableTheme(state.spec.style);
    let style: CellStyle = { numberFormat: DEFAULT_FORMATS[spec?.kind ?? "text"] };
    if (theme.bandFill !== null && row % 2 === 0) style = mergeStyles(style, { fill: theme.bandFill });
    if (spec?.editable === true) style = mergeStyles(style, { fill: EDITABLE_FILL, fontColor: EDITABLE_FONT_COLOR });
    const id = state.styles[row]?.[index] ?? 0;
    if (id !== 0) style = mergeStyles(style, this.#styles.get(id));
    for (const rule of state.rules) {
      const applies =
        rule.columns !== undefined ? rule.columns.includes(column) : rule.wholeRow === true || rule.column === column;
      if (!applies) continue;
      const text = cellText(state.rows[row]?.[this.#column(state, rule.column)] ?? null).toLowerCase();
      // Excel's "equal to" on text ignores case.
      // Excel compares text ignoring case, for whole values and (LEFT) prefixes alike.
      const hit = rule.equals.some((e) => e.toLowerCase() === text) || (rule.startsWith ?? []).some((p) => p !== "" && text.startsWith(p.toLowerCase()));
      if (hit) style = mergeStyles(style, rule.style);
    }
    return {
      fill: style.fill ?? null,
      fontColor: style.fontColor ?? null,
      bold: style.bold ?? false,
      italic: style.italic ?? false,
      numberFormat: style.numberFormat ?? "General",
      note: style.note ?? null,
    };
  }

  /** What the cell shows: formatted by its number format, aligned as Excel aligns by type. */
  display(
    table: string,
    row: number,
    column: string,
    style: ResolvedStyle = this.cellStyle(table, row, column),
  ): DisplayedValue {
    const value = this.value(table, row, column);
    const { text, color } = formatCellValue(value, style.numberFormat);
    const align = typeof value === "number" ? "right" : typeof value === "boolean" ? "center" : "left";
    return { text, color, align };
  }

  editText(table: string, row: number, column: string): string {
    const state = this.#table(table);
    const index = this.#column(state, column);
    return editText(state.rows[row]?.[index] ?? null, state.spec.columns[index]?.kind ?? "text");
  }

  isEditable(table: string, column: string): boolean {
    const state = this.#table(table);
    const spec = state.spec.columns[this.#column(state, column)];
    return spec !== undefined && spec.editable && spec.hidden !== true;
  }

  chartData(table: string, chartName: string): ChartData {
    const state = this.#table(table);
    const chart = this.#sheet(state.spec.sheet).charts.find((c) => c.name === chartName);
    if (chart === undefined)
      throw new DomainError("not_found", `there is no chart named "${chartName}" on table ${table}`, {
        field: "chart",
      });
    const categoryIndex = this.#column(state, chart.categoryColumn);
    const seriesIndexes = chart.seriesColumns.map((key) => this.#column(state, key));
    const rows = state.rows.slice(chart.fromRow ?? 0, chart.toRow === undefined ? undefined : chart.toRow + 1);
    // A 100% bar shows each segment's share of its row's total (as Excel's BarStacked100 does).
    const share = (row: readonly CellValue[], value: number): number => {
      if (chart.type !== "percentStackedBar") return value;
      const total = seriesIndexes.reduce((sum, i) => sum + Math.abs(typeof row[i] === "number" ? row[i] : 0), 0);
      return total === 0 ? 0 : (Math.abs(value) / total) * 100;
    };
    return {
      categories: rows.map((row) => cellText(row[categoryIndex] ?? null)),
      series: chart.seriesColumns.map((key, s) => ({
        name: state.spec.columns[seriesIndexes[s] ?? 0]?.header ?? key,
        // Chart geometry only: bar lengths in pixels, never an amount that is added up for the books.
        values: rows.map((row) => {
          const v = row[seriesIndexes[s] ?? 0];
          return share(row, typeof v === "number" ? v : 0);
        }),
      })),
    };
  }

  // ---- selection ---------------------------------------------------------

  get selection(): CellAddress | null {
    return this.#selection;
  }

  /** Increases when something asks the view to scroll to the selection (the add-in's select()). */
  get scrollRequest(): number {
    return this.#scrollRequest;
  }

  /** Selects a cell; `reveal` makes its sheet active and asks the view to scroll it into sight. */
  select(address: CellAddress | null, options: { readonly reveal?: boolean } = {}): void {
    if (address !== null) {
      const state = this.#table(address.table);
      this.#column(state, address.column);
      if (!Number.isInteger(address.row) || address.row < 0 || address.row >= state.rows.length) {
        throw invalid(`table ${address.table} has no row ${address.row} (it has ${state.rows.length})`, "row");
      }
      if (options.reveal === true) {
        this.#activeSheet = state.spec.sheet;
        this.#scrollRequest++;
      }
    }
    this.#selection = address === null ? null : { table: address.table, row: address.row, column: address.column };
    this.#changed();
  }

  // ---- the user's edits --------------------------------------------------

  /** The user typed `text` into a cell and pressed Enter. */
  typeIntoCell(address: CellAddress, text: string): EditResult {
    const state = this.#tables.get(address.table);
    const index = state?.keyIndex.get(address.column);
    const kind = index === undefined ? "text" : (state?.spec.columns[index]?.kind ?? "text");
    return this.setUserValue(address, parseTypedInput(text, kind));
  }

  /** The user put `value` into a cell (typing, pasting, clearing). Locked cells refuse, as on a protected sheet. */
  setUserValue(address: CellAddress, value: CellValue): EditResult {
    const state = this.#tables.get(address.table);
    const index = state?.keyIndex.get(address.column);
    const row = state?.rows[address.row];
    if (state === undefined || index === undefined || row === undefined) {
      return {
        ok: false,
        reason: "no_such_cell",
        message: `There is no cell ${address.table}[${address.row}].${address.column}.`,
      };
    }
    const spec = state.spec.columns[index];
    if (spec === undefined || !spec.editable || spec.hidden === true) {
      return {
        ok: false,
        reason: "locked",
        message: `"${spec?.header ?? address.column}" is read-only: it comes from the server. Only the yellow columns can be edited.`,
      };
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      return { ok: false, reason: "no_such_cell", message: `${value} cannot be stored in a cell.` };
    }
    row[index] = value;
    this.#changed();
    const changes: readonly CellChange[] = [{ table: address.table, row: address.row, column: address.column }];
    for (const listener of [...this.#editListeners]) listener(changes);
    return { ok: true };
  }
}
