import type { CurrencyCode } from "./currency.js";
import { parseCurrency } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import type { Money, NumberLocale } from "./money.js";

/**
 * Bank statements as plain data, whatever file they came from (BAI2, camt,
 * BAI lockbox, CSV). The importers in server/import/ produce these; matching
 * and reconciliation in shared/ consume them. Amounts are signed from the
 * account holder's side: a credit (money in) is positive, a debit negative.
 */

export type BankFormat = "bai2" | "camt.052" | "camt.053" | "camt.054" | "lockbox" | "csv";
export type BankDirection = "credit" | "debit";
/** camt's entry status (BOOK, PDNG, INFO, FUTR); BAI2, lockbox and CSV lines are booked. */
export type BankLineStatus = "booked" | "pending" | "information" | "future";

/** How each format is named in messages. */
export const BANK_FORMAT_LABEL: Readonly<Record<BankFormat, string>> = {
  bai2: "BAI2",
  "camt.052": "camt.052",
  "camt.053": "camt.053",
  "camt.054": "camt.054",
  lockbox: "BAI lockbox",
  csv: "CSV",
};

export interface RemittanceDocument {
  /** Invoice (or other referred document) number as the payer wrote it. */
  readonly number: string;
  /** What the payer says it pays on this document, when stated. */
  readonly amount?: Money;
}

export interface Remittance {
  /** Free text in the order it appeared (bank text, 88 records, Ustrd, memo lines). */
  readonly unstructured: readonly string[];
  /** Documents the payer named in structured fields (camt RfrdDocInf, EDI RMR, lockbox invoice overflow). */
  readonly documents: readonly RemittanceDocument[];
  /**
   * A structured creditor reference (camt CdtrRefInf/Ref). An ISO 11649 "RF"
   * reference is only put here when its check digits are right, with spaces
   * removed; a mistyped one goes to `unstructured` so nothing trusts it as a
   * key. Other schemes (national references) are kept as written.
   */
  readonly creditorReference?: string;
}

export interface BankLine {
  /** 1-based line of the file where the line's record (16, Ntry/TxDtls, type 6, CSV row) starts. */
  readonly lineNo: number;
  /** Where the line came from, for people: "BAI2 line 7 (16 detail)", "camt Ntry 3 TxDtls 2". */
  readonly recordRef: string;
  readonly bookingDate: IsoDate;
  readonly valueDate?: IsoDate;
  /** Positive for a credit, negative for a debit. */
  readonly amount: Money;
  readonly direction: BankDirection;
  readonly status: BankLineStatus;
  /** The bank reverses an earlier entry (camt RvslInd). The sign still follows `direction`. */
  readonly reversal: boolean;
  readonly bankReference?: string;
  readonly customerReference?: string;
  /**
   * The other party: who paid on a credit, who was paid on a debit. A
   * reversal names the original transaction's party (a returned credit names
   * its payer).
   */
  readonly payerName?: string;
  readonly payerAccount?: string;
  /** The bank's transaction code: BAI2 type code, camt domain/family/sub-family or proprietary code. */
  readonly typeCode?: string;
  readonly checkNumber?: string;
  readonly checkDate?: IsoDate;
  readonly remittance: Remittance;
}

/** A statement without its lines: what a streaming importer announces before the lines follow. */
export interface BankStatementHeader {
  readonly format: BankFormat;
  /** The bank account (or lockbox) number as the bank wrote it; the IBAN when the file gives one. */
  readonly accountId: string;
  readonly iban?: string;
  readonly currency: CurrencyCode;
  /** The bank's id for the statement (camt Stmt/Id), when it gives one. */
  readonly statementId?: string;
  readonly statementDate?: IsoDate;
  readonly openingBalance?: Money;
  readonly closingBalance?: Money;
}

export interface BankStatement extends BankStatementHeader {
  readonly lines: readonly BankLine[];
}

export interface BankFile {
  readonly format: BankFormat;
  readonly statements: readonly BankStatement[];
}

/**
 * What a streaming importer yields: a statement header, then its lines, then
 * the next header. Nothing is final until the stream ends without an error:
 * control totals are checked at trailers that come after the lines they cover.
 */
export type BankImportEvent =
  | { readonly kind: "statement"; readonly statement: BankStatementHeader }
  | { readonly kind: "line"; readonly line: BankLine };

/** Gathers streamed events into statements (for tests and small files). */
export function collectBankFile(format: BankFormat, events: Iterable<BankImportEvent>): BankFile {
  const statements: { header: BankStatementHeader; lines: BankLine[] }[] = [];
  for (const event of events) {
    if (event.kind === "statement") {
      statements.push({ header: event.statement, lines: [] });
    } else {
      const current = statements.at(-1);
      if (current === undefined) {
        throw new DomainError("invalid_argument", "a bank line arrived before any statement header");
      }
      current.lines.push(event.line);
    }
  }
  return { format, statements: statements.map(({ header, lines }) => ({ ...header, lines })) };
}

/**
 * A bank file that cannot be read as it is. The message names the format,
 * the line and record, and what was wrong:
 * `BAI2 line 14 (49 account trailer): control total 834000 does not match …`.
 */
export class BankFileError extends DomainError {
  readonly format: BankFormat;
  readonly line: number | undefined;
  readonly record: string | undefined;

  constructor(params: { format: BankFormat; line?: number; record?: string; problem: string }) {
    const where = [
      BANK_FORMAT_LABEL[params.format],
      params.line === undefined ? undefined : `line ${params.line}`,
      params.record === undefined ? undefined : `(${params.record})`,
    ]
      .filter((part) => part !== undefined)
      .join(" ");
    super("invalid_argument", `${where}: ${params.problem}`, {
      details: { format: params.format, line: params.line, record: params.record },
    });
    this.name = "BankFileError";
    this.format = params.format;
    this.line = params.line;
    this.record = params.record;
  }
}

export function emptyRemittance(): Remittance {
  return { unstructured: [], documents: [] };
}

// ---------------------------------------------------------------------------
// ISO 11649 structured creditor reference ("RF18 5390 0754 7034")

const CREDITOR_REFERENCE = /^RF\d{2}[A-Z0-9]{1,21}$/;

/** Upper-cases and removes spaces, the way references are printed in groups of four. */
export function normalizeCreditorReference(text: string): string {
  return text.replace(/\s+/g, "").toUpperCase();
}

/** Remainder mod 97 of the number a text stands for when letters count A=10 … Z=35 (ISO 7064 MOD 97-10). */
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = char >= "A" && char <= "Z" ? char.charCodeAt(0) - 55 : Number(char);
    // Digits of a letter's two-digit value enter one at a time, so the remainder stays small.
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}

/** Whether `text` is an ISO 11649 creditor reference with correct check digits (spaces and case ignored). */
export function isValidCreditorReference(text: string): boolean {
  const reference = normalizeCreditorReference(text);
  if (!CREDITOR_REFERENCE.test(reference)) return false;
  return mod97(reference.slice(4) + reference.slice(0, 4)) === 1;
}

/** Builds the RF reference for a creditor's own reference: "1" becomes "RF741". */
export function makeCreditorReference(base: string): string {
  const reference = normalizeCreditorReference(base);
  if (!/^[A-Z0-9]{1,21}$/.test(reference)) {
    throw new DomainError("invalid_argument", `creditor reference "${base}" must be 1 to 21 letters or digits`, {
      field: "reference",
    });
  }
  const check = 98 - mod97(`${reference}RF00`);
  return `RF${String(check).padStart(2, "0")}${reference}`;
}

// ---------------------------------------------------------------------------
// CSV column mapping, saved per bank

/** A column by its header text (needs `headerRow`) or by 0-based position. */
export type CsvColumn = string | number;
export type CsvDateFormat = "YYYY-MM-DD" | "MM/DD/YYYY" | "DD/MM/YYYY" | "DD.MM.YYYY";
export const CSV_DATE_FORMATS: readonly CsvDateFormat[] = ["YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "DD.MM.YYYY"];

export interface CsvDateColumn {
  readonly column: CsvColumn;
  readonly format: CsvDateFormat;
}

/** How to read one bank's CSV export. Stored as JSON per bank; check loaded JSON with `parseCsvMapping`. */
export interface CsvMapping {
  /** One character: ",", ";", "\t" or "|". */
  readonly delimiter: string;
  /** The first row (after `skipRows`) names the columns. */
  readonly headerRow: boolean;
  /** Lines before the header or first row that are not part of the table (bank preambles). */
  readonly skipRows?: number;
  readonly date: CsvDateColumn;
  readonly valueDate?: CsvDateColumn;
  /** One signed column, or separate debit and credit columns (either may carry a minus sign). */
  readonly amount: CsvColumn | { readonly debit: CsvColumn; readonly credit: CsvColumn };
  readonly decimal: NumberLocale["decimal"];
  /** Thousands separator the bank writes ("1,234.50" has ","); plain "1234.50" is read either way. */
  readonly group: NumberLocale["group"];
  /** A fixed currency, or `currencyColumn` when each row names its own. */
  readonly currency?: string;
  readonly currencyColumn?: CsvColumn;
  /** Text columns that go into the remittance (joined in this order). */
  readonly description?: CsvColumn | readonly CsvColumn[];
  readonly reference?: CsvColumn;
  readonly payerName?: CsvColumn;
  readonly payerAccount?: CsvColumn;
  /** The account the export is for, when the file itself does not say. */
  readonly accountId?: string;
}

const DELIMITERS = new Set([",", ";", "\t", "|"]);
const GROUPS = new Set<string>([",", ".", " ", "\u00a0", "'"]);

/** Checks a mapping read from JSON; every problem names its field. */
export function parseCsvMapping(value: unknown): CsvMapping {
  const fail = (field: string, what: string): never => {
    throw new DomainError("invalid_argument", `CSV mapping: ${field} ${what}`, { field });
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("", "must be an object");
  const m = value as Record<string, unknown>;
  const known = new Set([
    "delimiter",
    "headerRow",
    "skipRows",
    "date",
    "valueDate",
    "amount",
    "decimal",
    "group",
    "currency",
    "currencyColumn",
    "description",
    "reference",
    "payerName",
    "payerAccount",
    "accountId",
  ]);
  for (const key of Object.keys(m)) if (!known.has(key)) fail(key, "is not a mapping field");

  if (typeof m.delimiter !== "string" || !DELIMITERS.has(m.delimiter))
    fail("delimiter", 'must be ",", ";", "\\t" or "|"');
  if (typeof m.headerRow !== "boolean") fail("headerRow", "must be true or false");
  const headerRow = m.headerRow as boolean;
  const column = (field: string, raw: unknown): CsvColumn => {
    if (typeof raw === "number") {
      if (!Number.isInteger(raw) || raw < 0) fail(field, "must be a column position 0, 1, 2, … or a header name");
      return raw;
    }
    if (typeof raw === "string" && raw.trim() !== "") {
      if (!headerRow) fail(field, `names column "${raw}" but headerRow is false: use a position (0, 1, 2, …)`);
      return raw;
    }
    return fail(field, "must be a column position (0, 1, 2, …) or a header name");
  };
  const dateColumn = (field: string, raw: unknown): CsvDateColumn => {
    if (typeof raw !== "object" || raw === null) return fail(field, "must be { column, format }");
    const d = raw as Record<string, unknown>;
    if (!CSV_DATE_FORMATS.includes(d.format as CsvDateFormat))
      fail(`${field}.format`, `must be one of ${CSV_DATE_FORMATS.join(", ")}`);
    return { column: column(`${field}.column`, d.column), format: d.format as CsvDateFormat };
  };

  const date = dateColumn("date", m.date);
  let amount: CsvMapping["amount"];
  if (typeof m.amount === "object" && m.amount !== null) {
    const a = m.amount as Record<string, unknown>;
    amount = { debit: column("amount.debit", a.debit), credit: column("amount.credit", a.credit) };
  } else {
    amount = column("amount", m.amount);
  }
  if (m.decimal !== "." && m.decimal !== ",") fail("decimal", 'must be "." or ","');
  if (typeof m.group !== "string" || !GROUPS.has(m.group))
    fail("group", `must be one of ",", ".", " ", "'" or a no-break space`);
  if (m.group === m.decimal) fail("group", `must differ from the decimal separator "${String(m.decimal)}"`);
  if ((m.currency === undefined) === (m.currencyColumn === undefined)) {
    fail("currency", "or currencyColumn must be given, and not both");
  }

  const mapping: {
    -readonly [K in keyof CsvMapping]: CsvMapping[K];
  } = {
    delimiter: m.delimiter as string,
    headerRow,
    date,
    amount,
    decimal: m.decimal as NumberLocale["decimal"],
    group: m.group as NumberLocale["group"],
  };
  if (m.skipRows !== undefined) {
    if (!Number.isInteger(m.skipRows) || (m.skipRows as number) < 0)
      fail("skipRows", "must be a whole number, 0 or more");
    mapping.skipRows = m.skipRows as number;
  }
  if (m.valueDate !== undefined) mapping.valueDate = dateColumn("valueDate", m.valueDate);
  if (m.currency !== undefined) mapping.currency = parseCurrency(m.currency, "CSV mapping: currency");
  if (m.currencyColumn !== undefined) mapping.currencyColumn = column("currencyColumn", m.currencyColumn);
  if (m.description !== undefined) {
    mapping.description = Array.isArray(m.description)
      ? m.description.map((c, i) => column(`description[${i}]`, c))
      : column("description", m.description);
  }
  if (m.reference !== undefined) mapping.reference = column("reference", m.reference);
  if (m.payerName !== undefined) mapping.payerName = column("payerName", m.payerName);
  if (m.payerAccount !== undefined) mapping.payerAccount = column("payerAccount", m.payerAccount);
  if (m.accountId !== undefined) {
    if (typeof m.accountId !== "string" || m.accountId.trim() === "") fail("accountId", "must be non-empty text");
    mapping.accountId = m.accountId as string;
  }
  return mapping;
}
