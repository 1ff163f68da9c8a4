import type {
  BankDirection,
  BankFile,
  BankImportEvent,
  BankLine,
  BankStatementHeader,
  RemittanceDocument,
} from "../../shared/bank.js";
import { BankFileError } from "../../shared/bank.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, type IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import type { ChunkSource, DecodeOptions, PushParser } from "./stream.js";
import { LineSplitter, parseWhole, runPushParser } from "./stream.js";

/**
 * BAI2 (Cash Management Balance Reporting Specifications, version 2) reader.
 *
 * Records are comma-separated fields ended by "/"; an 88 record continues the
 * record before it. Control totals at 49/98/99 are the algebraic sums of every
 * amount written in the records they close (status and summary amounts in 03
 * and its 88s, detail amounts in 16), and record counts include the 88s and the
 * trailer itself. Amounts carry no decimal point: the currency's ISO 4217
 * minor units place it.
 *
 * Tolerated, because real banks write them: several records on one line;
 * records that end at the line break without "/"; a line that does not begin
 * with a record code continuing the open record; "/" inside a 16 record's
 * references or text (text runs to the end of the record); blank trailer
 * amounts (not given, so not checked); a funds type left off at the end of a
 * record before an 88 starts the next summary item.
 */
export interface Bai2Options extends DecodeOptions {
  /** Currency when neither the 03 account nor the 02 group names one; BAI2's own default is USD. */
  readonly defaultCurrency?: string;
  /**
   * "verify" (default) refuses a file whose 49/98/99 totals or counts disagree
   * with its records. "ignore" is for a bank known to write wrong trailers;
   * the structure (every 03 closed by 49, every 02 by 98, a 99) is still required.
   */
  readonly controlTotals?: "verify" | "ignore";
  /** Directions for a bank's own type codes outside BAI's credit (100–399, 920–959) and debit (400–699, 960–999) ranges. */
  readonly typeCodeDirections?: Readonly<Record<string, BankDirection>>;
}

type RecordCode = "01" | "02" | "03" | "16" | "49" | "88" | "98" | "99";

const RECORD_NAME: Readonly<Record<RecordCode, string>> = {
  "01": "01 file header",
  "02": "02 group header",
  "03": "03 account identifier",
  "16": "16 transaction detail",
  "49": "49 account trailer",
  "88": "88 continuation",
  "98": "98 group trailer",
  "99": "99 file trailer",
};

const RECORD_START = /^(?:01|02|03|16|49|88|98|99),/;

/**
 * Inside a 16 record (and its 88s) "/" may be text. It ends the record only
 * when nothing but spaces follows, or when what follows reads as the start of
 * a real record of its kind (several records on one line).
 */
const PLAUSIBLE_NEXT_RECORD =
  /^(?:01,[^,/]*,[^,/]*,\d{6},|02,[^,/]*,[^,/]*,\d*,\d{6}(?:,|\/|$)|03,[^,/]+,|16,\d{3},|49,[+-]?\d*,\d*(?:\/|$)|88,|98,[+-]?\d*,\d*,\d*(?:\/|$)|99,[+-]?\d*,\d*,\d*(?:\/|$))/;

const SIMPLE_FUNDS_TYPES = new Set(["", "0", "1", "2", "Z"]);
const FUNDS_TYPES = new Set([...SIMPLE_FUNDS_TYPES, "S", "V", "D"]);

/** Longest physical line accepted: BAI2 records are short; a longer line means this is not a BAI2 file. */
const MAX_LINE_LENGTH = 1 << 20;

interface Segment {
  readonly line: number;
  content: string;
  terminated: boolean;
  /** A 16 record or an 88 continuing one: "/" may be text. */
  readonly textual: boolean;
}

interface LogicalRecord {
  readonly code: Exclude<RecordCode, "88">;
  readonly line: number;
  readonly segments: Segment[];
}

/** Reads comma-separated fields across a record and its 88 continuations. */
class FieldReader {
  readonly #parts: string[][];
  #segment = 0;
  #index = 0;

  constructor(segments: readonly Segment[]) {
    this.#parts = segments.map((s) => s.content.split(","));
  }

  #settle(): void {
    while (this.#segment < this.#parts.length && this.#index >= (this.#parts[this.#segment]?.length ?? 0)) {
      this.#segment += 1;
      this.#index = 0;
    }
  }

  /** The next field is the first of an 88 continuation (the record before it ended there). */
  atContinuationStart(): boolean {
    this.#settle();
    return this.#segment > 0 && this.#segment < this.#parts.length && this.#index === 0;
  }

  exhausted(): boolean {
    this.#settle();
    return this.#segment >= this.#parts.length;
  }

  peek(): string | undefined {
    this.#settle();
    return this.#parts[this.#segment]?.[this.#index];
  }

  next(): string | undefined {
    const value = this.peek();
    if (value !== undefined) this.#index += 1;
    return value;
  }

  /** Free text to the end: the rest of the current record (commas kept), then each 88 whole. */
  rest(): string[] {
    const out: string[] = [];
    this.#settle();
    const current = this.#parts[this.#segment];
    if (current !== undefined) {
      out.push(current.slice(this.#index).join(","));
      for (const part of this.#parts.slice(this.#segment + 1)) out.push(part.join(","));
    }
    this.#segment = this.#parts.length;
    return out;
  }
}

interface FileState {
  readonly line: number;
  records: number;
  groups: number;
  sum: bigint;
}
interface GroupState {
  readonly line: number;
  readonly asOfDate: IsoDate;
  readonly currency: CurrencyCode | undefined;
  records: number;
  accounts: number;
  sum: bigint;
}
interface AccountState {
  readonly line: number;
  readonly accountId: string;
  readonly currency: CurrencyCode;
  records: number;
  sum: bigint;
}

function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The BAI2 direction of a detail type code; "none" for 890 (non-monetary information). */
function directionOfTypeCode(code: number): BankDirection | "none" | undefined {
  if ((code >= 100 && code <= 399) || (code >= 920 && code <= 959)) return "credit";
  if ((code >= 400 && code <= 699) || (code >= 960 && code <= 999)) return "debit";
  if (code === 890) return "none";
  return undefined;
}

export class Bai2Parser implements PushParser {
  readonly #options: Bai2Options;
  readonly #defaultCurrency: CurrencyCode;
  readonly #lines: LineSplitter;
  #open: LogicalRecord | undefined;
  #file: FileState | undefined;
  #group: GroupState | undefined;
  #account: AccountState | undefined;
  #ended = false;
  #lastLine = 0;

  constructor(options: Bai2Options = {}) {
    this.#options = options;
    this.#defaultCurrency = parseCurrency(options.defaultCurrency ?? "USD", "defaultCurrency");
    this.#lines = new LineSplitter({
      maxLineLength: MAX_LINE_LENGTH,
      onTooLong: (lineNo) => this.#fail(lineNo, undefined, "line is longer than 1 MiB: this is not a BAI2 file"),
    });
  }

  push(text: string): BankImportEvent[] {
    const out: BankImportEvent[] = [];
    for (const line of this.#lines.push(text)) this.#scanLine(line.lineNo, line.text, out);
    return out;
  }

  finish(): BankImportEvent[] {
    const out: BankImportEvent[] = [];
    for (const line of this.#lines.finish()) this.#scanLine(line.lineNo, line.text, out);
    this.#flush(out);
    const at = this.#lastLine;
    if (this.#file === undefined) this.#fail(at, undefined, "the file is empty: no 01 file header");
    if (this.#account !== undefined) {
      this.#fail(
        at,
        undefined,
        `the file ends inside account ${this.#account.accountId} (03 at line ${this.#account.line}) without its 49 account trailer: the file is truncated`,
      );
    }
    if (this.#group !== undefined) {
      this.#fail(
        at,
        undefined,
        `the file ends inside the group opened at line ${this.#group.line} without its 98 group trailer: the file is truncated`,
      );
    }
    if (!this.#ended) this.#fail(at, undefined, "the file ends without a 99 file trailer: the file is truncated");
    return out;
  }

  #fail(line: number, code: RecordCode | undefined, problem: string): never {
    throw new BankFileError({
      format: "bai2",
      line,
      ...(code === undefined ? {} : { record: RECORD_NAME[code] }),
      problem,
    });
  }

  // -- physical lines → records ---------------------------------------------

  #scanLine(lineNo: number, raw: string, out: BankImportEvent[]): void {
    // Trailing spaces are padding (fixed-length records) or noise after a text field.
    const text = raw.trimEnd();
    if (text.trim() === "") return;
    this.#lastLine = lineNo;
    const lead = text.trimStart();
    let rest: string | undefined;
    if (RECORD_START.test(lead)) {
      rest = lead;
    } else {
      // Some banks wrap a long record onto the next line without an 88 (moov-io sample3).
      const segment = this.#open?.segments.at(-1);
      if (segment === undefined || segment.terminated) {
        this.#fail(
          lineNo,
          undefined,
          `line does not start with a BAI2 record code (01, 02, 03, 16, 88, 49, 98, 99): "${excerpt(text)}"`,
        );
      }
      const piece = splitAtTerminator(text, segment.textual);
      segment.content += (segment.textual ? " " : "") + piece.content;
      segment.terminated = piece.terminated;
      rest = this.#afterTerminator(lineNo, this.#open?.code ?? "88", piece.after);
    }
    while (rest !== undefined) rest = this.#startSegment(lineNo, rest, out);
  }

  /** `text` starts with a record code; returns what follows the record on the same line, if another record does. */
  #startSegment(lineNo: number, text: string, out: BankImportEvent[]): string | undefined {
    const code = text.slice(0, 2) as RecordCode;
    const body = text.slice(3);
    if (code === "88") {
      if (this.#open === undefined) this.#fail(lineNo, code, "88 continuation has no record before it to continue");
    } else {
      this.#flush(out);
      if (this.#ended) this.#fail(lineNo, code, "record after the 99 file trailer");
      this.#open = { code, line: lineNo, segments: [] };
    }
    const open = this.#open;
    const textual = open.code === "16";
    const piece = splitAtTerminator(body, textual);
    open.segments.push({ line: lineNo, content: piece.content, terminated: piece.terminated, textual });
    return this.#afterTerminator(lineNo, code, piece.after);
  }

  #afterTerminator(lineNo: number, code: RecordCode, after: string | undefined): string | undefined {
    if (after === undefined) return undefined;
    const next = after.trimStart();
    if (next === "") return undefined;
    if (!RECORD_START.test(next)) {
      this.#fail(lineNo, code, `unexpected text after the record's closing "/": "${excerpt(next)}"`);
    }
    return next;
  }

  #flush(out: BankImportEvent[]): void {
    const record = this.#open;
    if (record === undefined) return;
    this.#open = undefined;
    try {
      this.#handle(record, out);
    } catch (error) {
      // Money and dates throw plain DomainErrors; say which record they came from.
      if (isDomainError(error) && !(error instanceof BankFileError))
        this.#fail(record.line, record.code, error.message);
      throw error;
    }
  }

  // -- records ---------------------------------------------------------------

  #handle(record: LogicalRecord, out: BankImportEvent[]): void {
    const { code, line } = record;
    const count = record.segments.length;
    const fields = new FieldReader(record.segments);
    if (code !== "01" && this.#file === undefined) {
      this.#fail(line, code, "the file must begin with an 01 file header");
    }
    switch (code) {
      case "01":
        this.#fileHeader(record, fields);
        return;
      case "02":
        this.#groupHeader(record, fields);
        return;
      case "03":
        out.push({ kind: "statement", statement: this.#accountHeader(record, fields) });
        return;
      case "16": {
        const account = this.#requireAccount(record);
        account.records += count;
        const bankLine = this.#detail(record, fields, account);
        if (bankLine !== undefined) out.push({ kind: "line", line: bankLine });
        return;
      }
      case "49":
        this.#accountTrailer(record, fields);
        return;
      case "98":
        this.#groupTrailer(record, fields);
        return;
      case "99":
        this.#fileTrailer(record, fields);
        return;
    }
  }

  #fileHeader(record: LogicalRecord, fields: FieldReader): void {
    if (this.#file !== undefined)
      this.#fail(record.line, "01", `a second 01 file header (the first is at line ${this.#file.line})`);
    for (let i = 0; i < 2; i += 1) fields.next(); // sender, receiver
    this.#date(fields.next(), record, "creation date");
    for (let i = 0; i < 4; i += 1) fields.next(); // time, file id, physical record length, block size
    const version = (fields.next() ?? "").trim();
    if (version !== "" && version !== "2") {
      this.#fail(record.line, "01", `version number "${version}" is not 2: this reader reads BAI version 2 only`);
    }
    this.#file = { line: record.line, records: record.segments.length, groups: 0, sum: 0n };
  }

  #groupHeader(record: LogicalRecord, fields: FieldReader): void {
    if (this.#account !== undefined) {
      this.#fail(
        record.line,
        "02",
        `account ${this.#account.accountId} (03 at line ${this.#account.line}) has no 49 account trailer before this group header`,
      );
    }
    if (this.#group !== undefined) {
      this.#fail(
        record.line,
        "02",
        `the group opened at line ${this.#group.line} has no 98 group trailer before this group header`,
      );
    }
    for (let i = 0; i < 3; i += 1) fields.next(); // ultimate receiver, originator, group status
    const asOfDate = this.#date(fields.next(), record, "as-of date");
    fields.next(); // as-of time
    const currency = this.#currency(fields.next(), record);
    this.#group = { line: record.line, asOfDate, currency, records: record.segments.length, accounts: 0, sum: 0n };
  }

  #accountHeader(record: LogicalRecord, fields: FieldReader): BankStatementHeader {
    const group = this.#group;
    if (group === undefined)
      this.#fail(record.line, "03", "account identifier outside a group (no 02 group header before it)");
    if (this.#account !== undefined) {
      this.#fail(
        record.line,
        "03",
        `account ${this.#account.accountId} (03 at line ${this.#account.line}) has no 49 account trailer before the next account`,
      );
    }
    const accountId = (fields.next() ?? "").trim();
    if (accountId === "") this.#fail(record.line, "03", "the account number is empty");
    const currency = this.#currency(fields.next(), record) ?? group.currency ?? this.#defaultCurrency;
    let sum = 0n;
    let opening: bigint | undefined;
    let closing: bigint | undefined;
    while (!fields.exhausted()) {
      const typeCode = (fields.next() ?? "").trim();
      // A trailing comma before "/" (svb_us writes "…,015,35217175,,,/") leaves an empty field, not an item.
      if (typeCode === "" && (fields.exhausted() || fields.atContinuationStart())) continue;
      const amount = this.#amount(fields.next(), record, `amount of summary type ${typeCode}`, { signed: true });
      fields.next(); // item count
      if (typeCode === "") {
        // An empty summary item (",,,," before the first real one, or a trailing comma) carries nothing.
        if (amount !== undefined) this.#fail(record.line, "03", `summary amount ${amount} has no type code`);
        this.#funds(fields, record);
        continue;
      }
      if (!/^\d{3}$/.test(typeCode)) {
        this.#fail(record.line, "03", `summary type code "${typeCode}" is not three digits`);
      }
      this.#funds(fields, record);
      if (amount === undefined) continue;
      sum += amount;
      if (typeCode === "010") opening = amount;
      if (typeCode === "015") closing = amount;
    }
    this.#account = { line: record.line, accountId, currency, records: record.segments.length, sum };
    return {
      format: "bai2",
      accountId,
      currency,
      statementDate: group.asOfDate,
      ...(opening === undefined ? {} : { openingBalance: Money.fromMinor(opening, currency, "opening ledger (010)") }),
      ...(closing === undefined ? {} : { closingBalance: Money.fromMinor(closing, currency, "closing ledger (015)") }),
    };
  }

  #requireAccount(record: LogicalRecord): AccountState {
    if (this.#account === undefined) {
      this.#fail(
        record.line,
        record.code,
        "transaction detail outside an account (no 03 account identifier before it)",
      );
    }
    return this.#account;
  }

  #detail(record: LogicalRecord, fields: FieldReader, account: AccountState): BankLine | undefined {
    const typeCode = (fields.next() ?? "").trim();
    if (!/^\d{3}$/.test(typeCode)) this.#fail(record.line, "16", `type code "${typeCode}" is not three digits`);
    const minor = this.#amount(fields.next(), record, "amount", { signed: false });
    if (minor === undefined) this.#fail(record.line, "16", "the amount is missing");
    account.sum += minor;
    const funds = this.#funds(fields, record);
    let bankReference: string | undefined;
    let customerReference: string | undefined;
    if (!funds.omittedAtContinuation) {
      bankReference = nonEmpty(fields.next());
      customerReference = nonEmpty(fields.next());
    }
    const text = fields.rest();

    const direction = this.#options.typeCodeDirections?.[typeCode] ?? directionOfTypeCode(Number(typeCode));
    if (direction === "none") return undefined; // 890: information only, no money moved
    if (direction === undefined) {
      this.#fail(
        record.line,
        "16",
        `type code ${typeCode} is neither a BAI credit (100–399, 920–959) nor a debit (400–699, 960–999); map it with typeCodeDirections`,
      );
    }
    const magnitude = Money.fromMinor(minor, account.currency);
    const tagged = readTaggedText(text, direction, account.currency);
    const group = this.#group;
    if (group === undefined) this.#fail(record.line, "16", "transaction detail outside a group");
    const reference = customerReference ?? tagged.endToEndReference;
    return {
      lineNo: record.line,
      recordRef: `BAI2 line ${record.line} (16 transaction detail)`,
      bookingDate: group.asOfDate,
      ...(funds.valueDate === undefined ? {} : { valueDate: funds.valueDate }),
      amount: direction === "credit" ? magnitude : magnitude.negate(),
      direction,
      status: "booked",
      reversal: false,
      ...(bankReference === undefined ? {} : { bankReference }),
      ...(reference === undefined ? {} : { customerReference: reference }),
      ...(tagged.payerName === undefined ? {} : { payerName: tagged.payerName }),
      ...(tagged.payerAccount === undefined ? {} : { payerAccount: tagged.payerAccount }),
      typeCode,
      remittance: { unstructured: tagged.unstructured, documents: tagged.documents },
    };
  }

  #accountTrailer(record: LogicalRecord, fields: FieldReader): void {
    const account = this.#account;
    if (account === undefined)
      this.#fail(record.line, "49", "account trailer without an open account (no 03 before it)");
    const records = account.records + record.segments.length;
    this.#checkTotal(record, fields.next(), account.sum, "the sum of the account's records");
    this.#checkCount(record, fields.next(), records, `records from the 03 at line ${account.line} to this trailer`);
    const group = this.#group;
    if (group !== undefined) {
      group.records += records;
      group.sum += account.sum;
      group.accounts += 1;
    }
    this.#account = undefined;
  }

  #groupTrailer(record: LogicalRecord, fields: FieldReader): void {
    if (this.#account !== undefined) {
      this.#fail(
        record.line,
        "98",
        `account ${this.#account.accountId} (03 at line ${this.#account.line}) has no 49 account trailer: the account is truncated`,
      );
    }
    const group = this.#group;
    if (group === undefined) this.#fail(record.line, "98", "group trailer without an open group (no 02 before it)");
    const records = group.records + record.segments.length;
    this.#checkTotal(record, fields.next(), group.sum, "the sum of the group's accounts");
    this.#checkCount(record, fields.next(), group.accounts, "accounts in the group", "number of accounts");
    this.#checkCount(record, fields.next(), records, `records from the 02 at line ${group.line} to this trailer`);
    const file = this.#file;
    if (file !== undefined) {
      file.records += records;
      file.sum += group.sum;
      file.groups += 1;
    }
    this.#group = undefined;
  }

  #fileTrailer(record: LogicalRecord, fields: FieldReader): void {
    if (this.#account !== undefined) {
      this.#fail(
        record.line,
        "99",
        `account ${this.#account.accountId} (03 at line ${this.#account.line}) has no 49 account trailer: the file is truncated`,
      );
    }
    if (this.#group !== undefined) {
      this.#fail(
        record.line,
        "99",
        `the group opened at line ${this.#group.line} has no 98 group trailer: the file is truncated`,
      );
    }
    const file = this.#file;
    if (file === undefined) this.#fail(record.line, "99", "file trailer without a file header");
    this.#checkTotal(record, fields.next(), file.sum, "the sum of the file's groups");
    this.#checkCount(record, fields.next(), file.groups, "groups in the file", "number of groups");
    this.#checkCount(record, fields.next(), file.records + record.segments.length, "records in the file");
    this.#ended = true;
  }

  #checkTotal(record: LogicalRecord, text: string | undefined, actual: bigint, what: string): void {
    const declared = this.#amount(text, record, "control total", { signed: true });
    if (declared === undefined || this.#options.controlTotals === "ignore") return;
    if (declared !== actual) {
      this.#fail(record.line, record.code, `control total ${declared} does not match ${what} ${actual}`);
    }
  }

  #checkCount(
    record: LogicalRecord,
    text: string | undefined,
    actual: number,
    what: string,
    label = "record count",
  ): void {
    const trimmed = (text ?? "").trim();
    if (trimmed === "") return;
    if (!/^\d+$/.test(trimmed)) this.#fail(record.line, record.code, `${label} "${trimmed}" is not a whole number`);
    if (this.#options.controlTotals === "ignore") return;
    if (Number(trimmed) !== actual) {
      this.#fail(record.line, record.code, `${label} ${Number(trimmed)} does not match the ${actual} ${what}`);
    }
  }

  // -- fields ------------------------------------------------------------------

  #amount(
    text: string | undefined,
    record: LogicalRecord,
    field: string,
    { signed }: { signed: boolean },
  ): bigint | undefined {
    const trimmed = (text ?? "").trim();
    if (trimmed === "") return undefined;
    if (!(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(trimmed)) {
      this.#fail(
        record.line,
        record.code,
        `${field} "${trimmed}" is not ${signed ? "a whole number with an optional sign" : "an unsigned whole number"} (BAI2 amounts carry no decimal point)`,
      );
    }
    return BigInt(trimmed);
  }

  #date(text: string | undefined, record: LogicalRecord, field: string): IsoDate {
    const trimmed = (text ?? "").trim();
    if (!/^\d{6}$/.test(trimmed))
      this.#fail(record.line, record.code, `${field} "${trimmed}" is not a date written YYMMDD`);
    // Two-digit years: BAI2 files are from this century; 70–99 are read as 19xx for old archives.
    const yy = Number(trimmed.slice(0, 2));
    const century = yy >= 70 ? "19" : "20";
    const iso = `${century}${trimmed.slice(0, 2)}-${trimmed.slice(2, 4)}-${trimmed.slice(4, 6)}`;
    try {
      return parseIsoDate(iso, field);
    } catch {
      return this.#fail(record.line, record.code, `${field} "${trimmed}" is not a real date (YYMMDD)`);
    }
  }

  #currency(text: string | undefined, record: LogicalRecord): CurrencyCode | undefined {
    const trimmed = (text ?? "").trim();
    if (trimmed === "") return undefined;
    try {
      return parseCurrency(trimmed, "currency code");
    } catch {
      return this.#fail(record.line, record.code, `currency code "${trimmed}" is not an ISO 4217 currency`);
    }
  }

  /**
   * Reads a funds type and the fields it brings (S: three availability
   * amounts; V: value date and time; D: a count and that many day/amount
   * pairs), so the fields after it are read from the right place.
   */
  #funds(fields: FieldReader, record: LogicalRecord): { valueDate?: IsoDate; omittedAtContinuation: boolean } {
    // A record that ended before its funds type, followed by an 88 starting something else: the type was left off.
    if (fields.atContinuationStart() && !FUNDS_TYPES.has((fields.peek() ?? "").trim().toUpperCase())) {
      return { omittedAtContinuation: true };
    }
    const type = (fields.next() ?? "").trim().toUpperCase();
    if (SIMPLE_FUNDS_TYPES.has(type)) return { omittedAtContinuation: false };
    switch (type) {
      case "S":
        for (const label of ["immediate", "one-day", "two-or-more-day"]) {
          this.#amount(fields.next(), record, `${label} availability amount`, { signed: true });
        }
        return { omittedAtContinuation: false };
      case "V": {
        const dateText = (fields.next() ?? "").trim();
        fields.next(); // value time
        if (dateText === "") return { omittedAtContinuation: false };
        return { valueDate: this.#date(dateText, record, "value date"), omittedAtContinuation: false };
      }
      case "D": {
        const countText = (fields.next() ?? "").trim();
        if (!/^\d+$/.test(countText)) {
          this.#fail(record.line, record.code, `distributed availability count "${countText}" is not a whole number`);
        }
        for (let i = 0; i < Number(countText); i += 1) {
          const days = (fields.next() ?? "").trim();
          if (!/^\d+$/.test(days)) {
            this.#fail(
              record.line,
              record.code,
              `availability distribution ${i + 1} has days "${days}", not a whole number`,
            );
          }
          if (
            this.#amount(fields.next(), record, `availability distribution ${i + 1} amount`, { signed: true }) ===
            undefined
          ) {
            this.#fail(record.line, record.code, `availability distribution ${i + 1} has no amount`);
          }
        }
        return { omittedAtContinuation: false };
      }
      default:
        return this.#fail(record.line, record.code, `funds type "${type}" is not one of 0, 1, 2, Z, S, V, D`);
    }
  }
}

function splitAtTerminator(body: string, textual: boolean): { content: string; terminated: boolean; after?: string } {
  let from = 0;
  for (;;) {
    const at = body.indexOf("/", from);
    if (at < 0) return { content: body, terminated: false };
    const after = body.slice(at + 1);
    if (!textual || after.trim() === "" || PLAUSIBLE_NEXT_RECORD.test(after.trimStart())) {
      return { content: body.slice(0, at), terminated: true, after };
    }
    from = at + 1;
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = (text ?? "").trim();
  return trimmed === "" ? undefined : trimmed;
}

// -- tagged text in 16/88 records ------------------------------------------------

/** "DBNM: TEST INC", "EREF: 1111" (Goldman Sachs and others), "PY:…" (Citi). */
const COLON_TAG = /^([A-Z][A-Z0-9]{1,4})\s*:\s*(.*)$/;
/** Fedwire-style "OBI/INV 1042", "/BNF/ACME CORP", "REF/PO 77". */
const SLASH_TAG = /^\/?([A-Z]{3})\/\s*(.*)$/;

const PAYER_NAME_TAGS: Readonly<Record<BankDirection, readonly string[]>> = {
  credit: ["DBNM", "ORG"],
  debit: ["CRNM", "BNF"],
};
const PAYER_ACCOUNT_TAGS: Readonly<Record<BankDirection, readonly string[]>> = {
  credit: ["DACT"],
  debit: ["CACT"],
};
/** Party and routing tags: kept as fields, not as remittance text. */
const PARTY_TAGS = new Set(["DBNM", "CRNM", "DACT", "CACT", "DABA", "CABA", "DBIC", "CBIC", "ORG", "BNF"]);
/** Tags whose value is remittance text written by the payer. */
const REMITTANCE_TAGS = new Set(["REMI", "OBI", "RMT", "URI"]);
/** Tags naming the payer's own reference. */
const REFERENCE_TAGS = new Set(["EREF", "REF"]);

interface TaggedText {
  unstructured: string[];
  documents: RemittanceDocument[];
  payerName?: string;
  payerAccount?: string;
  endToEndReference?: string;
}

/**
 * Splits a detail's text lines into remittance text, invoice references and
 * party fields. Unknown tags stay in the text whole, so nothing is lost.
 */
function readTaggedText(lines: readonly string[], direction: BankDirection, currency: CurrencyCode): TaggedText {
  const result: TaggedText = { unstructured: [], documents: [] };
  const tags = new Map<string, string>();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    if (/^RMR\*/.test(line)) {
      result.documents.push(...readRmrSegments(line, currency));
      continue;
    }
    const match = COLON_TAG.exec(line) ?? SLASH_TAG.exec(line);
    const tag = match?.[1];
    const value = (match?.[2] ?? "").trim();
    if (tag === undefined) {
      result.unstructured.push(line);
      continue;
    }
    if (!tags.has(tag) && value !== "") tags.set(tag, value);
    if (PARTY_TAGS.has(tag)) continue;
    if (tag === "INV") {
      for (const number of value.split(/[\s,;]+/)) if (number !== "") result.documents.push({ number });
      continue;
    }
    if (REMITTANCE_TAGS.has(tag) || REFERENCE_TAGS.has(tag)) {
      if (value !== "") result.unstructured.push(value);
      continue;
    }
    result.unstructured.push(line);
  }
  const first = (names: readonly string[]): string | undefined =>
    names.map((name) => tags.get(name)).find((value) => value !== undefined);
  const payerName = first(PAYER_NAME_TAGS[direction]);
  const payerAccount = first(PAYER_ACCOUNT_TAGS[direction]);
  const endToEnd = first([...REFERENCE_TAGS]);
  if (payerName !== undefined) result.payerName = payerName;
  if (payerAccount !== undefined) result.payerAccount = payerAccount;
  if (endToEnd !== undefined) result.endToEndReference = endToEnd;
  return result;
}

/**
 * ANSI X12 820 remittance segments carried in ACH CTX addenda:
 * `RMR*IV*INV-1042*PI*1250.00` — qualifier IV is an invoice number, the
 * fourth element the amount paid on it.
 */
function readRmrSegments(line: string, currency: CurrencyCode): RemittanceDocument[] {
  const documents: RemittanceDocument[] = [];
  for (const segment of line.split(/[\\~]/)) {
    const elements = segment.trim().split("*");
    if (elements[0] !== "RMR" || elements[1] !== "IV") continue;
    const number = (elements[2] ?? "").trim();
    if (number === "") continue;
    const amountText = (elements[4] ?? "").trim();
    let amount: Money | undefined;
    try {
      amount = amountText === "" ? undefined : Money.parse(amountText, currency, "RMR amount");
    } catch {
      // The payer's figure is advice, not the bank's amount: an unreadable one leaves the invoice number alone.
      amount = undefined;
    }
    documents.push(amount === undefined ? { number } : { number, amount });
  }
  return documents;
}

// -- entry points ---------------------------------------------------------------

/** Streams a BAI2 file: one statement per 03 account, its 16 details as lines. */
export function streamBai2(source: ChunkSource, options: Bai2Options = {}): AsyncGenerator<BankImportEvent> {
  return runPushParser({ format: "bai2", source, parser: new Bai2Parser(options), options });
}

/** Parses a whole BAI2 text (tests, small files). */
export function parseBai2(text: string, options: Bai2Options = {}): BankFile {
  return parseWhole("bai2", new Bai2Parser(options), text);
}
