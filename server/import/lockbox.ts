import type { BankFile, BankImportEvent, BankLine, RemittanceDocument } from "../../shared/bank.js";
import { BankFileError } from "../../shared/bank.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, type IsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import type { ChunkSource, DecodeOptions, PushParser } from "./stream.js";
import { LineSplitter, parseWhole, runPushParser } from "./stream.js";

/**
 * BAI lockbox transmissions: fixed-width records, one per line, the record
 * type in column 1. Field positions follow the layout FundersClub's
 * bai-lockbox reads (type 1 header, 2 service, 5 lockbox header, 6 check
 * detail, 4 overflow, 7 batch total, 8 lockbox total, 9 trailer). Banks vary
 * the layout of the overflow data area, so that part is an option saved per
 * bank: a 30-character memo (the default), or invoice number / amount pairs.
 *
 * Checked: each batch's check count and dollar total (type 7), each lockbox's
 * (type 8), the file's record count (type 9), and that overflow records belong
 * to the check before them. Check amounts have two implied decimals (cents).
 */
export interface LockboxOptions extends DecodeOptions {
  /** Currency of the lockbox account; lockbox files are US checks, so USD by default. */
  readonly currency?: string;
  readonly overflow?: LockboxOverflowLayout;
}

/**
 * How the data area of a type 4 overflow record (from column 12) is laid out:
 * - `memo`: free text, 30 columns (FundersClub);
 * - `invoices`: repeated invoice number (left-aligned, `numberWidth` columns)
 *   and amount (`amountWidth` digits with implied cents); blank pairs end it.
 */
export type LockboxOverflowLayout =
  { readonly kind: "memo" } | { readonly kind: "invoices"; readonly numberWidth: number; readonly amountWidth: number };

const RECORD_NAME: Readonly<Record<string, string>> = {
  "1": "type 1 immediate address header",
  "2": "type 2 service record",
  "4": "type 4 overflow",
  "5": "type 5 lockbox header",
  "6": "type 6 check detail",
  "7": "type 7 batch total",
  "8": "type 8 lockbox total",
  "9": "type 9 destination trailer",
};

const MEMO_START = 11;
const MEMO_END = 41;

interface PendingCheck {
  readonly line: number;
  readonly batch: string;
  readonly item: string;
  readonly amountMinor: bigint;
  readonly checkNumber: string | undefined;
  readonly checkDate: IsoDate | undefined;
  readonly remitter: string | undefined;
  readonly payerAccount: string | undefined;
  readonly memo: string[];
  readonly documents: RemittanceDocument[];
}

interface LockboxState {
  readonly line: number;
  readonly lockboxNumber: string;
  readonly depositDate: IsoDate;
  batchChecks: number;
  batchSum: bigint;
  batchNumber: string | undefined;
  checks: number;
  sum: bigint;
}

export class LockboxParser implements PushParser {
  readonly #currency: CurrencyCode;
  readonly #overflow: LockboxOverflowLayout;
  readonly #lines: LineSplitter;
  #records = 0;
  #lastLine = 0;
  #headerSeen = false;
  #ended = false;
  #lockbox: LockboxState | undefined;
  #pending: PendingCheck | undefined;

  constructor(options: LockboxOptions = {}) {
    this.#currency = parseCurrency(options.currency ?? "USD", "currency");
    this.#overflow = options.overflow ?? { kind: "memo" };
    if (this.#overflow.kind === "invoices") {
      const { numberWidth, amountWidth } = this.#overflow;
      if (
        !Number.isInteger(numberWidth) ||
        numberWidth < 1 ||
        !Number.isInteger(amountWidth) ||
        amountWidth < 1 ||
        amountWidth > 15
      ) {
        throw new BankFileError({
          format: "lockbox",
          problem: "overflow layout widths must be whole numbers (amounts at most 15 digits)",
        });
      }
    }
    this.#lines = new LineSplitter({
      maxLineLength: 4096,
      onTooLong: (lineNo) =>
        this.#fail(lineNo, undefined, "line is longer than 4096 characters: this is not a lockbox file"),
    });
  }

  push(text: string): BankImportEvent[] {
    const out: BankImportEvent[] = [];
    for (const line of this.#lines.push(text)) this.#record(line.lineNo, line.text, out);
    return out;
  }

  finish(): BankImportEvent[] {
    const out: BankImportEvent[] = [];
    for (const line of this.#lines.finish()) this.#record(line.lineNo, line.text, out);
    if (!this.#headerSeen) this.#fail(this.#lastLine, undefined, "the file is empty: no type 1 header");
    if (this.#lockbox !== undefined) {
      this.#fail(
        this.#lastLine,
        undefined,
        `the file ends inside lockbox ${this.#lockbox.lockboxNumber} (type 5 at line ${this.#lockbox.line}) without its type 8 lockbox total: the file is truncated`,
      );
    }
    if (!this.#ended)
      this.#fail(this.#lastLine, undefined, "the file ends without a type 9 trailer: the file is truncated");
    return out;
  }

  #fail(line: number, type: string | undefined, problem: string): never {
    const record = type === undefined ? undefined : RECORD_NAME[type];
    throw new BankFileError({ format: "lockbox", line, ...(record === undefined ? {} : { record }), problem });
  }

  #record(lineNo: number, raw: string, out: BankImportEvent[]): void {
    const record = raw.trimEnd();
    if (record === "") return;
    this.#lastLine = lineNo;
    const type = record.charAt(0);
    if (this.#ended) this.#fail(lineNo, type, "record after the type 9 trailer");
    if (RECORD_NAME[type] === undefined)
      this.#fail(lineNo, undefined, `record type "${type}" is not one of 1, 2, 4, 5, 6, 7, 8, 9`);
    if (!this.#headerSeen && type !== "1") this.#fail(lineNo, type, "the file must begin with a type 1 header");
    this.#records += 1;
    if (type !== "4") this.#emitPending(out);
    const field = new Fields(record, lineNo, (line, problem) => this.#fail(line, type, problem));
    switch (type) {
      case "1":
        if (this.#headerSeen) this.#fail(lineNo, type, "a second type 1 header");
        field.date(23, 29, "processing date");
        this.#headerSeen = true;
        return;
      case "2":
        return;
      case "5":
        this.#lockboxHeader(lineNo, field, out);
        return;
      case "6":
        this.#check(lineNo, field);
        return;
      case "4":
        this.#overflowRecord(lineNo, field);
        return;
      case "7":
        this.#batchTotal(lineNo, field);
        return;
      case "8":
        this.#lockboxTotal(lineNo, field);
        return;
      case "9": {
        if (this.#lockbox !== undefined) {
          this.#fail(
            lineNo,
            type,
            `lockbox ${this.#lockbox.lockboxNumber} (type 5 at line ${this.#lockbox.line}) has no type 8 lockbox total`,
          );
        }
        const declared = field.count(1, 7, "total number of records");
        if (declared !== this.#records) {
          this.#fail(
            lineNo,
            type,
            `total number of records ${declared} does not match the ${this.#records} records in the file`,
          );
        }
        this.#ended = true;
        return;
      }
    }
  }

  #lockboxHeader(lineNo: number, field: Fields, out: BankImportEvent[]): void {
    if (this.#lockbox !== undefined) {
      this.#fail(
        lineNo,
        "5",
        `lockbox ${this.#lockbox.lockboxNumber} (type 5 at line ${this.#lockbox.line}) has no type 8 lockbox total`,
      );
    }
    const lockboxNumber = field.digits(7, 14, "lockbox number");
    const depositDate = field.date(14, 20, "deposit date");
    this.#lockbox = {
      line: lineNo,
      lockboxNumber,
      depositDate,
      batchChecks: 0,
      batchSum: 0n,
      batchNumber: undefined,
      checks: 0,
      sum: 0n,
    };
    out.push({
      kind: "statement",
      statement: { format: "lockbox", accountId: lockboxNumber, currency: this.#currency, statementDate: depositDate },
    });
  }

  #requireLockbox(lineNo: number, type: string): LockboxState {
    if (this.#lockbox === undefined) this.#fail(lineNo, type, "outside a lockbox (no type 5 lockbox header before it)");
    return this.#lockbox;
  }

  #check(lineNo: number, field: Fields): void {
    const lockbox = this.#requireLockbox(lineNo, "6");
    const batch = field.digits(1, 4, "batch number");
    const item = field.digits(4, 7, "item number");
    const amountMinor = BigInt(field.digits(7, 17, "check amount"));
    if (lockbox.batchNumber !== undefined && lockbox.batchNumber !== batch) {
      this.#fail(
        lineNo,
        "6",
        `check of batch ${batch} inside batch ${lockbox.batchNumber}, which has no type 7 batch total yet`,
      );
    }
    lockbox.batchNumber = batch;
    lockbox.batchChecks += 1;
    lockbox.batchSum += amountMinor;
    const routing = field.optionalDigits(17, 26, "transit routing number");
    const account = field.optionalDigits(26, 36, "account number");
    const checkNumber = field.optionalDigits(36, 46, "check number");
    const checkDate = field.optionalDate(46, 52, "check date", "MMDDYY");
    const remitter = field.text(52, 82);
    const accountKnown = routing !== undefined && account !== undefined && /[1-9]/.test(routing + account);
    this.#pending = {
      line: lineNo,
      batch,
      item,
      amountMinor,
      // Check numbers are written zero-filled; people write them without the zeros.
      checkNumber: checkNumber === undefined ? undefined : checkNumber.replace(/^0+(?=\d)/, ""),
      checkDate,
      remitter,
      payerAccount: accountKnown ? `${routing}/${account}` : undefined,
      memo: [],
      documents: [],
    };
  }

  #overflowRecord(lineNo: number, field: Fields): void {
    const check = this.#pending;
    if (check === undefined) this.#fail(lineNo, "4", "overflow record without a type 6 check detail before it");
    const batch = field.digits(1, 4, "batch number");
    const item = field.digits(4, 7, "item number");
    if (batch !== check.batch || item !== check.item) {
      this.#fail(
        lineNo,
        "4",
        `overflow for batch ${batch} item ${item} follows the check of batch ${check.batch} item ${check.item} (line ${check.line})`,
      );
    }
    const layout = this.#overflow;
    if (layout.kind === "memo") {
      const memo = field.text(MEMO_START, MEMO_END);
      if (memo !== undefined) check.memo.push(memo);
      return;
    }
    const width = layout.numberWidth + layout.amountWidth;
    for (let start = MEMO_START; start < field.length; start += width) {
      const number = field.text(start, start + layout.numberWidth);
      const amountText = field.text(start + layout.numberWidth, start + width);
      if (number === undefined && amountText === undefined) break;
      if (number === undefined)
        this.#fail(lineNo, "4", `an invoice amount at column ${start + layout.numberWidth + 1} has no invoice number`);
      if (amountText === undefined) {
        check.documents.push({ number });
        continue;
      }
      const minor = field.digits(start + layout.numberWidth, start + width, `amount of invoice ${number}`);
      check.documents.push({ number, amount: Money.fromMinor(minor, this.#currency) });
    }
  }

  #batchTotal(lineNo: number, field: Fields): void {
    const lockbox = this.#requireLockbox(lineNo, "7");
    const batch = field.digits(1, 4, "batch number");
    const count = field.count(20, 23, "number of remittances");
    const total = BigInt(field.digits(23, 33, "check dollar total"));
    if (lockbox.batchNumber !== undefined && lockbox.batchNumber !== batch) {
      this.#fail(lineNo, "7", `batch total for batch ${batch} closes checks of batch ${lockbox.batchNumber}`);
    }
    if (count !== lockbox.batchChecks) {
      this.#fail(
        lineNo,
        "7",
        `number of remittances ${count} does not match the ${lockbox.batchChecks} checks in batch ${batch}`,
      );
    }
    if (total !== lockbox.batchSum) {
      this.#fail(
        lineNo,
        "7",
        `check dollar total ${formatCents(total)} does not match the sum of batch ${batch}'s checks ${formatCents(lockbox.batchSum)}`,
      );
    }
    lockbox.checks += lockbox.batchChecks;
    lockbox.sum += lockbox.batchSum;
    lockbox.batchChecks = 0;
    lockbox.batchSum = 0n;
    lockbox.batchNumber = undefined;
  }

  #lockboxTotal(lineNo: number, field: Fields): void {
    const lockbox = this.#requireLockbox(lineNo, "8");
    if (lockbox.batchChecks > 0) {
      this.#fail(lineNo, "8", `${lockbox.batchChecks} check(s) after the last type 7 batch total have no batch total`);
    }
    const lockboxNumber = field.digits(7, 14, "lockbox number");
    if (lockboxNumber !== lockbox.lockboxNumber) {
      this.#fail(
        lineNo,
        "8",
        `lockbox number ${lockboxNumber} does not match lockbox ${lockbox.lockboxNumber} opened at line ${lockbox.line}`,
      );
    }
    const count = field.count(20, 24, "total number of checks");
    const total = BigInt(field.digits(24, 34, "check dollar total"));
    if (count !== lockbox.checks) {
      this.#fail(
        lineNo,
        "8",
        `total number of checks ${count} does not match the ${lockbox.checks} checks in lockbox ${lockboxNumber}`,
      );
    }
    if (total !== lockbox.sum) {
      this.#fail(
        lineNo,
        "8",
        `check dollar total ${formatCents(total)} does not match the sum of the lockbox's batches ${formatCents(lockbox.sum)}`,
      );
    }
    this.#lockbox = undefined;
  }

  #emitPending(out: BankImportEvent[]): void {
    const check = this.#pending;
    const lockbox = this.#lockbox;
    if (check === undefined || lockbox === undefined) return;
    this.#pending = undefined;
    const line: BankLine = {
      lineNo: check.line,
      recordRef: `BAI lockbox line ${check.line} (check, batch ${check.batch} item ${check.item})`,
      bookingDate: lockbox.depositDate,
      amount: Money.fromMinor(check.amountMinor, this.#currency),
      direction: "credit",
      status: "booked",
      reversal: false,
      bankReference: `${lockbox.lockboxNumber}-${check.batch}-${check.item}`,
      ...(check.remitter === undefined ? {} : { payerName: check.remitter }),
      ...(check.payerAccount === undefined ? {} : { payerAccount: check.payerAccount }),
      ...(check.checkNumber === undefined ? {} : { checkNumber: check.checkNumber }),
      ...(check.checkDate === undefined ? {} : { checkDate: check.checkDate }),
      remittance: {
        // FundersClub joins memo lines without a separator: a memo runs on across overflow records.
        unstructured: check.memo.length === 0 ? [] : [check.memo.join("")],
        documents: check.documents,
      },
    };
    out.push({ kind: "line", line });
  }
}

function formatCents(minor: bigint): string {
  return Money.fromMinor(minor, "USD").format();
}

/** Fixed-width field access with 0-based [start, end) positions; messages give 1-based columns. */
class Fields {
  readonly #record: string;
  readonly #fail: (line: number, problem: string) => never;
  readonly #line: number;

  constructor(record: string, line: number, fail: (line: number, problem: string) => never) {
    this.#record = record;
    this.#line = line;
    this.#fail = fail;
  }

  get length(): number {
    return this.#record.length;
  }

  #raw(start: number, end: number): string {
    return this.#record.slice(start, end);
  }

  #columns(start: number, end: number): string {
    return `columns ${start + 1}–${end}`;
  }

  digits(start: number, end: number, name: string): string {
    const raw = this.#raw(start, end);
    if (raw.length !== end - start || !/^\d+$/.test(raw)) {
      this.#fail(this.#line, `${name} (${this.#columns(start, end)}) is "${raw}", not ${end - start} digits`);
    }
    return raw;
  }

  optionalDigits(start: number, end: number, name: string): string | undefined {
    const raw = this.#raw(start, end).trim();
    if (raw === "") return undefined;
    return this.digits(start, end, name);
  }

  count(start: number, end: number, name: string): number {
    return Number(this.digits(start, end, name));
  }

  text(start: number, end: number): string | undefined {
    const value = this.#raw(start, end).trim();
    return value === "" ? undefined : value;
  }

  date(start: number, end: number, name: string): IsoDate {
    const date = this.optionalDate(start, end, name, "YYMMDD");
    if (date === undefined) this.#fail(this.#line, `${name} (${this.#columns(start, end)}) is missing`);
    return date;
  }

  optionalDate(start: number, end: number, name: string, layout: "YYMMDD" | "MMDDYY"): IsoDate | undefined {
    const raw = this.#raw(start, end).trim();
    if (raw === "" || /^0+$/.test(raw)) return undefined;
    const digits = this.digits(start, end, name);
    const [yy, mm, dd] =
      layout === "YYMMDD"
        ? [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 6)]
        : [digits.slice(4, 6), digits.slice(0, 2), digits.slice(2, 4)];
    // Two-digit years: lockbox files are from this century; 70–99 are read as 19xx for old archives.
    const iso = `${Number(yy) >= 70 ? "19" : "20"}${yy}-${mm}-${dd}`;
    try {
      return parseIsoDate(iso, name);
    } catch {
      return this.#fail(
        this.#line,
        `${name} (${this.#columns(start, end)}) "${digits}" is not a real date written ${layout}`,
      );
    }
  }
}

/** Streams a BAI lockbox file: one statement per lockbox, one line per check. */
export function streamLockbox(source: ChunkSource, options: LockboxOptions = {}): AsyncGenerator<BankImportEvent> {
  return runPushParser({ format: "lockbox", source, parser: new LockboxParser(options), options });
}

/** Parses a whole lockbox text (tests, small files). */
export function parseLockbox(text: string, options: LockboxOptions = {}): BankFile {
  return parseWhole("lockbox", new LockboxParser(options), text);
}
