import type { BankFile, BankImportEvent, BankLine, CsvColumn, CsvDateColumn, CsvMapping } from "../../shared/bank.js";
import { BankFileError, parseCsvMapping } from "../../shared/bank.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, type IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import { Money, type NumberLocale } from "../../shared/money.js";
import type { ChunkSource, DecodeOptions, PushParser } from "./stream.js";
import { parseWhole, runPushParser } from "./stream.js";
import { CsvTokenizer } from "./csv-tokenizer.js";

/**
 * Bank CSV exports read through a column mapping saved per bank
 * (`CsvMapping` in shared/bank.ts). Fields follow RFC 4180: a field in double
 * quotes may hold the delimiter, doubled quotes and line breaks. Amounts are
 * read with the bank's separators; a negative may be written "-1,234.50",
 * "(1,234.50)" or "1.234,50-". One file is one statement.
 */
export interface CsvOptions extends DecodeOptions {
  readonly mapping: CsvMapping;
  /** The account the file is for, when the mapping does not name it. */
  readonly accountId?: string;
}

interface Columns {
  readonly date: number;
  readonly valueDate: number | undefined;
  readonly amount: number | { readonly debit: number; readonly credit: number };
  readonly currency: number | undefined;
  readonly description: readonly number[];
  readonly reference: number | undefined;
  readonly payerName: number | undefined;
  readonly payerAccount: number | undefined;
}

export class CsvParser implements PushParser {
  readonly #mapping: CsvMapping;
  readonly #accountId: string;
  readonly #locale: NumberLocale;
  readonly #fixedCurrency: CurrencyCode | undefined;
  readonly #tokenizer: CsvTokenizer;
  // Table state.
  #rowsSkipped = 0;
  #header: string[] | undefined;
  #columns: Columns | undefined;
  #currency: CurrencyCode | undefined;
  #out: BankImportEvent[] = [];

  constructor(options: CsvOptions) {
    this.#mapping = parseCsvMapping(options.mapping);
    const accountId = options.accountId ?? this.#mapping.accountId;
    if (accountId === undefined || accountId.trim() === "") {
      throw new BankFileError({
        format: "csv",
        problem: "no account: name accountId in the mapping or in the import options",
      });
    }
    this.#accountId = accountId.trim();
    this.#locale = { decimal: this.#mapping.decimal, group: this.#mapping.group };
    this.#fixedCurrency = this.#mapping.currency === undefined ? undefined : parseCurrency(this.#mapping.currency);
    this.#tokenizer = new CsvTokenizer(this.#mapping.delimiter, (line, problem) => this.#fail(line, problem));
  }

  push(text: string): BankImportEvent[] {
    this.#tokenizer.push(text, (cells, line) => { this.#onRow(cells, line); });
    return this.#drain();
  }

  finish(): BankImportEvent[] {
    this.#tokenizer.finish((cells, line) => { this.#onRow(cells, line); });
    return this.#drain();
  }

  #drain(): BankImportEvent[] {
    const events = this.#out;
    this.#out = [];
    return events;
  }

  #fail(line: number, problem: string): never {
    throw new BankFileError({ format: "csv", line, problem });
  }

  #onRow(cells: string[], line: number): void {
    try {
      this.#table(cells, line);
    } catch (error) {
      if (isDomainError(error) && !(error instanceof BankFileError)) this.#fail(line, error.message);
      throw error;
    }
  }

  #table(cells: string[], line: number): void {
    if (this.#rowsSkipped < (this.#mapping.skipRows ?? 0)) {
      this.#rowsSkipped += 1;
      return;
    }
    if (this.#mapping.headerRow && this.#header === undefined) {
      this.#header = cells.map((c) => c.trim());
      this.#columns = this.#resolveColumns(line);
      return;
    }
    this.#columns ??= this.#resolveColumns(line);
    this.#out.push({ kind: "line", line: this.#bankLine(cells, line, this.#columns) });
  }

  #resolveColumns(line: number): Columns {
    const m = this.#mapping;
    const at = (column: CsvColumn, field: string): number => {
      if (typeof column === "number") return column;
      const header = this.#header ?? [];
      let index = header.indexOf(column);
      if (index < 0) index = header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
      if (index < 0) {
        this.#fail(
          line,
          `the header has no column "${column}" for ${field} (columns: ${header.map((h) => `"${h}"`).join(", ")})`,
        );
      }
      return index;
    };
    const optional = (column: CsvColumn | undefined, field: string): number | undefined =>
      column === undefined ? undefined : at(column, field);
    const descriptions =
      m.description === undefined ? [] : Array.isArray(m.description) ? m.description : [m.description];
    return {
      date: at(m.date.column, "date"),
      valueDate: m.valueDate === undefined ? undefined : at(m.valueDate.column, "valueDate"),
      amount:
        typeof m.amount === "object"
          ? { debit: at(m.amount.debit, "amount.debit"), credit: at(m.amount.credit, "amount.credit") }
          : at(m.amount, "amount"),
      currency: optional(m.currencyColumn, "currencyColumn"),
      description: descriptions.map((c: CsvColumn, i: number) => at(c, `description[${i}]`)),
      reference: optional(m.reference, "reference"),
      payerName: optional(m.payerName, "payerName"),
      payerAccount: optional(m.payerAccount, "payerAccount"),
    };
  }

  #bankLine(cells: readonly string[], line: number, columns: Columns): BankLine {
    const required = (index: number, field: string): string => {
      const value = cells[index];
      if (value === undefined) {
        this.#fail(line, `the row has ${cells.length} columns; ${field} is column ${index + 1}`);
      }
      return value;
    };
    const optional = (index: number | undefined): string | undefined => {
      const value = index === undefined ? undefined : cells[index]?.trim();
      return value === undefined || value === "" ? undefined : value;
    };

    const currency =
      this.#fixedCurrency ?? parseCurrency(required(columns.currency ?? 0, "the currency").trim(), "currency");
    if (this.#currency === undefined) {
      this.#currency = currency;
      this.#out.push({ kind: "statement", statement: { format: "csv", accountId: this.#accountId, currency } });
    } else if (this.#currency !== currency) {
      this.#fail(line, `currency ${currency} differs from the file's ${this.#currency}: import one currency per file`);
    }

    let amount: Money;
    if (typeof columns.amount === "number") {
      const parsed = this.#amount(required(columns.amount, "the amount"), currency, line, "amount");
      if (parsed === undefined) this.#fail(line, "the amount is empty");
      amount = parsed;
    } else {
      const debit = this.#amount(required(columns.amount.debit, "the debit amount"), currency, line, "debit");
      const credit = this.#amount(required(columns.amount.credit, "the credit amount"), currency, line, "credit");
      // Banks that print "0.00" in the unused column mean "nothing there".
      const debitGiven = debit !== undefined && !debit.isZero();
      const creditGiven = credit !== undefined && !credit.isZero();
      if (debitGiven && creditGiven) {
        this.#fail(line, `both debit (${debit.format()}) and credit (${credit.format()}) have an amount`);
      }
      if (debit === undefined && credit === undefined) this.#fail(line, "neither debit nor credit has an amount");
      amount = debitGiven ? debit.abs().negate() : (credit ?? Money.zero(currency)).abs();
    }

    const bookingDate = this.#date(required(columns.date, "the date"), this.#mapping.date, line, "date");
    const valueText = optional(columns.valueDate);
    const valueDate =
      valueText === undefined || this.#mapping.valueDate === undefined
        ? undefined
        : this.#date(valueText, this.#mapping.valueDate, line, "value date");
    const reference = optional(columns.reference);
    const payerName = optional(columns.payerName);
    const payerAccount = optional(columns.payerAccount);
    const unstructured = columns.description
      .map((index) => optional(index))
      .filter((t): t is string => t !== undefined);
    return {
      lineNo: line,
      recordRef: `CSV line ${line}`,
      bookingDate,
      ...(valueDate === undefined ? {} : { valueDate }),
      amount,
      direction: amount.isNegative() ? "debit" : "credit",
      status: "booked",
      reversal: false,
      ...(reference === undefined ? {} : { customerReference: reference }),
      ...(payerName === undefined ? {} : { payerName }),
      ...(payerAccount === undefined ? {} : { payerAccount }),
      remittance: { unstructured, documents: [] },
    };
  }

  #amount(raw: string, currency: CurrencyCode, line: number, field: string): Money | undefined {
    let text = raw.trim();
    if (text === "") return undefined;
    let negative = false;
    if (/^\(.*\)$/.test(text)) {
      negative = true;
      text = text.slice(1, -1).trim();
    }
    if (/^[-+]/.test(text)) {
      negative = negative !== text.startsWith("-");
      text = text.slice(1).trim();
    } else if (/[-+]$/.test(text)) {
      negative = negative !== text.endsWith("-");
      text = text.slice(0, -1).trim();
    }
    try {
      const magnitude = Money.parseLocalized(text, currency, this.#locale, field);
      return negative ? magnitude.negate() : magnitude;
    } catch {
      const example = `1${this.#locale.group}234${this.#locale.decimal}50`;
      return this.#fail(line, `${field} "${raw.trim()}" is not an amount written like ${example}`);
    }
  }

  #date(raw: string, column: CsvDateColumn, line: number, field: string): IsoDate {
    const text = raw.trim();
    const patterns: Readonly<Record<CsvDateColumn["format"], { pattern: RegExp; order: [number, number, number] }>> = {
      // order: positions of year, month, day among the captured groups
      "YYYY-MM-DD": { pattern: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: [1, 2, 3] },
      "MM/DD/YYYY": { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 1, 2] },
      "DD/MM/YYYY": { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 2, 1] },
      "DD.MM.YYYY": { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: [3, 2, 1] },
    };
    const { pattern, order } = patterns[column.format];
    const match = pattern.exec(text);
    if (match === null) this.#fail(line, `${field} "${text}" is not written ${column.format}`);
    const [y, m, d] = order.map((i) => match[i] ?? "");
    const iso = `${y ?? ""}-${(m ?? "").padStart(2, "0")}-${(d ?? "").padStart(2, "0")}`;
    try {
      return parseIsoDate(iso, field);
    } catch {
      return this.#fail(line, `${field} "${text}" is not a real date (read as ${column.format})`);
    }
  }
}

/** Streams a bank CSV export through its mapping: one statement, one line per row. */
export function streamCsv(source: ChunkSource, options: CsvOptions): AsyncGenerator<BankImportEvent> {
  return runPushParser({ format: "csv", source, parser: new CsvParser(options), options });
}

/** Parses a whole CSV text (tests, small files). */
export function parseCsv(text: string, options: CsvOptions): BankFile {
  return parseWhole("csv", new CsvParser(options), text);
}
