import { SaxesParser, type SaxesTagNS } from "saxes";
import type {
  BankDirection,
  BankFile,
  BankFormat,
  BankImportEvent,
  BankLine,
  BankLineStatus,
  BankStatementHeader,
  RemittanceDocument,
} from "../../shared/bank.js";
import {
  BankFileError,
  collectBankFile,
  isValidCreditorReference,
  normalizeCreditorReference,
} from "../../shared/bank.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, type IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import type { ChunkSource, DecodeOptions, PushParser } from "./stream.js";
import { runPushParser } from "./stream.js";

/**
 * ISO 20022 bank-to-customer cash management messages: camt.053 (statement),
 * camt.054 (debit/credit notification) and camt.052 (account report),
 * versions 02 to 13, read with a streaming XML parser.
 *
 * Each entry (Ntry) becomes one line, except a batch entry whose transaction
 * details (TxDtls) each carry their own amount: then each TxDtls is a line, so
 * cash application sees every payment in the batch. Memory is bounded by one
 * statement header, one entry without its details, and one TxDtls at a time.
 *
 * Dates are read as the bank wrote them (the date part of a DtTm), without
 * converting time zones. The parser does not fetch DTDs or expand entities
 * other than XML's five, so a hostile file cannot pull in outside content.
 */
export type CamtOptions = DecodeOptions;

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(052|053|054)\.001\.(\d{2})$/;
const MIN_VERSION = 2;
const MAX_VERSION = 13;

const MESSAGE_ROOT: Readonly<Record<"052" | "053" | "054", { message: string; statement: string }>> = {
  "052": { message: "BkToCstmrAcctRpt", statement: "Rpt" },
  "053": { message: "BkToCstmrStmt", statement: "Stmt" },
  "054": { message: "BkToCstmrDbtCdtNtfctn", statement: "Ntfctn" },
};

const STATUS: Readonly<Record<string, BankLineStatus>> = {
  BOOK: "booked",
  PDNG: "pending",
  INFO: "information",
  FUTR: "future",
};

/** A captured element: small subtrees only (a statement header, an entry without its details, one TxDtls). */
interface XNode {
  readonly name: string;
  readonly line: number;
  readonly attributes: Readonly<Record<string, string>>;
  text: string;
  readonly children: XNode[];
}

function child(node: XNode | undefined, ...path: string[]): XNode | undefined {
  let current = node;
  for (const name of path) current = current?.children.find((c) => c.name === name);
  return current;
}

function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}

function text(node: XNode | undefined, ...path: string[]): string | undefined {
  const found = child(node, ...path);
  if (found === undefined) return undefined;
  const value = clean(found.text);
  return value === "" ? undefined : value;
}

/** Trims, and folds line breaks a pretty-printing bank put inside a text element into single spaces. */
function clean(value: string): string {
  return value.trim().replace(/\s*\n\s*/g, " ");
}

/** What one TxDtls (or an entry without details) says about a payment. */
interface TxInfo {
  readonly line: number;
  amount?: Money;
  direction?: BankDirection;
  bankReference?: string;
  customerReference?: string;
  payerName?: string;
  payerAccount?: string;
  typeCode?: string;
  unstructured: string[];
  documents: RemittanceDocument[];
  creditorReference?: string;
}

interface EntryState {
  readonly node: XNode;
  readonly index: number;
  /** Set once the entry's own fields are read (at its first TxDtls or its end). */
  base?: EntryBase;
  txCount: number;
  /** "single" until a second TxDtls arrives; then "split" if they carry amounts, else "merged". */
  mode: "single" | "split" | "merged";
  held?: TxInfo;
}

interface EntryBase {
  readonly amount: Money;
  readonly direction: BankDirection;
  readonly status: BankLineStatus;
  readonly reversal: boolean;
  readonly bookingDate: IsoDate;
  readonly valueDate?: IsoDate;
  readonly bankReference?: string;
  readonly typeCode?: string;
}

interface StatementState {
  readonly node: XNode;
  readonly index: number;
  header?: BankStatementHeader;
  entries: number;
}

export class CamtParser implements PushParser {
  readonly #xml = new SaxesParser({ xmlns: true, position: true });
  /** Parallel to the open elements: the node being captured, or null where nothing is kept. */
  readonly #stack: (XNode | null)[] = [];
  readonly #path: string[] = [];
  #format: BankFormat | undefined;
  #statementElement = "";
  #statement: StatementState | undefined;
  #statements = 0;
  #entry: EntryState | undefined;
  #tx: XNode | undefined;
  #out: BankImportEvent[] = [];

  constructor() {
    this.#xml.on("opentag", (tag) => {
      this.#guard(() => {
        this.#open(tag);
      });
    });
    this.#xml.on("closetag", () => {
      this.#guard(() => {
        this.#close();
      });
    });
    this.#xml.on("text", (value) => {
      this.#append(value);
    });
    this.#xml.on("cdata", (value) => {
      this.#append(value);
    });
    this.#xml.on("error", (error) => {
      throw new BankFileError({
        format: this.#format ?? "camt.053",
        line: this.#xml.line,
        problem: `not well-formed XML: ${error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, "")}`,
      });
    });
  }

  /** The message type, known once the root element has been read. */
  get format(): BankFormat {
    return this.#format ?? "camt.053";
  }

  push(chunk: string): BankImportEvent[] {
    this.#xml.write(chunk);
    return this.#drain();
  }

  finish(): BankImportEvent[] {
    this.#xml.close();
    if (this.#format === undefined) {
      this.#fail(this.#xml.line, undefined, "the file is empty or has no camt Document element");
    }
    if (this.#statements === 0) {
      this.#fail(this.#xml.line, undefined, `the message has no ${this.#statementElement} element`);
    }
    return this.#drain();
  }

  #drain(): BankImportEvent[] {
    const events = this.#out;
    this.#out = [];
    return events;
  }

  #fail(line: number | undefined, record: string | undefined, problem: string): never {
    throw new BankFileError({
      format: this.#format ?? "camt.053",
      ...(line === undefined ? {} : { line }),
      ...(record === undefined ? {} : { record }),
      problem,
    });
  }

  /** Money, currency and date helpers throw plain DomainErrors; say where they came from. */
  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (isDomainError(error) && !(error instanceof BankFileError)) {
        this.#fail(this.#xml.line, this.#where(), error.message);
      }
      throw error;
    }
  }

  #where(): string | undefined {
    const statement = this.#statement;
    if (statement === undefined) return undefined;
    const entry = this.#entry;
    return `${this.#statementElement} ${statement.index}${entry === undefined ? "" : ` Ntry ${entry.index}`}`;
  }

  #append(value: string): void {
    const top = this.#stack.at(-1);
    if (top !== undefined && top !== null) top.text += value;
  }

  #open(tag: SaxesTagNS): void {
    const name = tag.local;
    const line = this.#xml.line;
    const depth = this.#path.length;
    if (depth === 0) this.#root(tag);
    if (depth === 1 && this.#format !== undefined && name !== MESSAGE_ROOT[this.#format.slice(5) as "053"].message) {
      this.#fail(line, undefined, `<${name}> is not the ${this.#format} message element`);
    }
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) attributes[attribute.local] = attribute.value;
    const node: XNode = { name, line, attributes, text: "", children: [] };
    const parentName = this.#path.at(-1);
    let captured: XNode | null = null;
    if (depth === 2 && name === this.#statementElement) {
      this.#statements += 1;
      this.#statement = { node, index: this.#statements, entries: 0 };
      captured = node;
    } else if (name === "Ntry" && depth === 3 && this.#statement !== undefined) {
      this.#statement.entries += 1;
      this.#entry = { node, index: this.#statement.entries, txCount: 0, mode: "single" };
      captured = node;
    } else if (name === "TxDtls" && parentName === "NtryDtls" && this.#entry !== undefined) {
      this.#tx = node;
      captured = node;
    } else {
      const parent = this.#stack.at(-1) ?? null;
      if (parent !== null) {
        parent.children.push(node);
        captured = node;
      }
    }
    this.#path.push(name);
    this.#stack.push(captured);
  }

  #root(tag: SaxesTagNS): void {
    const match = NAMESPACE.exec(tag.uri);
    if (tag.local !== "Document" || match === null) {
      this.#fail(
        this.#xml.line,
        undefined,
        `not a camt.052/053/054 message: the root element is <${tag.local}> in namespace "${tag.uri}"`,
      );
    }
    const kind = match[1] as "052" | "053" | "054";
    const version = Number(match[2]);
    this.#format = `camt.${kind}`;
    if (version < MIN_VERSION || version > MAX_VERSION) {
      this.#fail(
        this.#xml.line,
        undefined,
        `version 001.${match[2]} is not supported (versions 02 to ${MAX_VERSION} are)`,
      );
    }
    this.#statementElement = MESSAGE_ROOT[kind].statement;
  }

  #close(): void {
    const node = this.#stack.pop() ?? null;
    this.#path.pop();
    if (node === null) return;
    if (node === this.#tx) {
      this.#tx = undefined;
      this.#transaction(node);
    } else if (node === this.#entry?.node) {
      this.#endEntry();
      this.#entry = undefined;
    } else if (node === this.#statement?.node) {
      this.#ensureHeader(undefined);
      this.#statement = undefined;
    }
  }

  // -- statement ---------------------------------------------------------------

  /** Announces the statement before its first line; its currency may have to come from that line. */
  #ensureHeader(entryCurrency: CurrencyCode | undefined): void {
    const statement = this.#statement;
    if (statement === undefined || statement.header !== undefined) return;
    const node = statement.node;
    const where = `${this.#statementElement} ${statement.index}`;
    const iban = text(node, "Acct", "Id", "IBAN");
    const accountId = iban ?? text(node, "Acct", "Id", "Othr", "Id");
    if (accountId === undefined) this.#fail(node.line, where, "the account has no Id (IBAN or Othr/Id)");
    const balances = new Map<string, XNode>();
    for (const balance of childrenNamed(node, "Bal")) {
      const code = text(balance, "Tp", "CdOrPrtry", "Cd") ?? text(balance, "Tp", "CdOrPrtry", "Prtry");
      if (code !== undefined && !balances.has(code)) balances.set(code, balance);
    }
    const opening = balances.get("OPBD") ?? balances.get("PRCD");
    const closing = balances.get("CLBD");
    const currencyText = text(node, "Acct", "Ccy") ?? child(opening ?? closing, "Amt")?.attributes.Ccy ?? entryCurrency;
    if (currencyText === undefined) {
      this.#fail(
        node.line,
        where,
        "no currency: the account has no Ccy, and there are no balances or entries to take one from",
      );
    }
    const currency = parseCurrency(currencyText, "account currency");
    const statementDate =
      dateOf(text(closing, "Dt", "Dt") ?? text(closing, "Dt", "DtTm")) ??
      dateOf(text(node, "FrToDt", "ToDtTm")) ??
      dateOf(text(node, "CreDtTm"));
    const statementId = text(node, "Id");
    const header: BankStatementHeader = {
      format: this.format,
      accountId,
      ...(iban === undefined ? {} : { iban }),
      currency,
      ...(statementId === undefined ? {} : { statementId }),
      ...(statementDate === undefined ? {} : { statementDate }),
      ...(opening === undefined ? {} : { openingBalance: this.#balance(opening, where) }),
      ...(closing === undefined ? {} : { closingBalance: this.#balance(closing, where) }),
    };
    statement.header = header;
    this.#out.push({ kind: "statement", statement: header });
  }

  #balance(node: XNode, where: string): Money {
    const amount = this.#money(child(node, "Amt"), where, "balance amount");
    const indicator = text(node, "CdtDbtInd");
    if (indicator !== "CRDT" && indicator !== "DBIT") {
      this.#fail(node.line, where, `balance CdtDbtInd "${indicator ?? ""}" is neither CRDT nor DBIT`);
    }
    return indicator === "DBIT" ? amount.negate() : amount;
  }

  #money(node: XNode | undefined, where: string, what: string): Money {
    if (node === undefined) this.#fail(this.#xml.line, where, `${what} is missing`);
    const currency = node.attributes.Ccy;
    if (currency === undefined) this.#fail(node.line, where, `${what} has no Ccy attribute`);
    try {
      return Money.parse(node.text.trim(), currency, what);
    } catch (error) {
      if (isDomainError(error)) this.#fail(node.line, where, error.message);
      throw error;
    }
  }

  // -- entries -----------------------------------------------------------------

  #entryBase(entry: EntryState): EntryBase {
    if (entry.base !== undefined) return entry.base;
    const node = entry.node;
    const where = this.#where() ?? "";
    const amount = this.#money(child(node, "Amt"), where, "entry Amt");
    const direction = this.#direction(text(node, "CdtDbtInd"), node.line, where, "entry");
    const statusCode = text(node, "Sts") ?? text(node, "Sts", "Cd") ?? text(node, "Sts", "Prtry");
    const status = statusCode === undefined ? undefined : STATUS[statusCode];
    if (status === undefined) {
      this.#fail(node.line, where, `entry status "${statusCode ?? ""}" is not BOOK, PDNG, INFO or FUTR`);
    }
    const reversal = text(node, "RvslInd");
    const valueDate = this.#date(child(node, "ValDt"), where, "ValDt");
    // Pending entries may have no booking date yet; the value date is the best date there is.
    const bookingDate = this.#date(child(node, "BookgDt"), where, "BookgDt") ?? valueDate;
    if (bookingDate === undefined) this.#fail(node.line, where, "the entry has neither BookgDt nor ValDt");
    const bankReference = text(node, "AcctSvcrRef") ?? text(node, "NtryRef");
    const typeCode = transactionCode(child(node, "BkTxCd"));
    this.#ensureHeader(amount.currency);
    entry.base = {
      amount,
      direction,
      status,
      reversal: reversal === "true" || reversal === "1",
      bookingDate,
      ...(valueDate === undefined ? {} : { valueDate }),
      ...(bankReference === undefined ? {} : { bankReference }),
      ...(typeCode === undefined ? {} : { typeCode }),
    };
    return entry.base;
  }

  #direction(indicator: string | undefined, line: number, where: string, what: string): BankDirection {
    if (indicator === "CRDT") return "credit";
    if (indicator === "DBIT") return "debit";
    return this.#fail(line, where, `${what} CdtDbtInd "${indicator ?? ""}" is neither CRDT nor DBIT`);
  }

  #date(node: XNode | undefined, where: string, what: string): IsoDate | undefined {
    const value = text(node, "Dt") ?? text(node, "DtTm");
    if (value === undefined) return undefined;
    const date = dateOf(value);
    if (date === undefined) this.#fail(node?.line, where, `${what} "${value}" is not a date`);
    return date;
  }

  #transaction(node: XNode): void {
    const entry = this.#entry;
    if (entry === undefined) return;
    const base = this.#entryBase(entry);
    entry.txCount += 1;
    const where = `${this.#where() ?? ""} TxDtls ${entry.txCount}`;
    const tx = this.#readTransaction(node, base, where);
    if (entry.txCount === 1) {
      entry.held = tx;
      return;
    }
    if (entry.mode === "single") {
      const first = entry.held;
      delete entry.held;
      if (first?.amount !== undefined && tx.amount !== undefined) {
        entry.mode = "split";
        this.#emit(this.#lineFrom(base, first, `${this.#where() ?? ""} TxDtls 1`, first.amount));
      } else {
        entry.mode = "merged";
        entry.held = first === undefined ? tx : mergeTx(first, tx);
        return;
      }
    } else if (entry.mode === "merged") {
      entry.held = entry.held === undefined ? tx : mergeTx(entry.held, tx);
      return;
    }
    if (tx.amount === undefined) {
      this.#fail(node.line, where, "this batch entry's other transactions each carry an amount, but this one has none");
    }
    this.#emit(this.#lineFrom(base, tx, where, tx.amount));
  }

  #endEntry(): void {
    const entry = this.#entry;
    if (entry === undefined) return;
    const base = this.#entryBase(entry);
    if (entry.mode === "split") return;
    const tx: TxInfo = entry.held ?? { line: entry.node.line, unstructured: [], documents: [] };
    const additional = text(entry.node, "AddtlNtryInf");
    if (additional !== undefined) tx.unstructured.push(additional);
    // One line for the entry: the booked amount, whatever the details say in other currencies.
    this.#emit(
      this.#lineFrom(
        base,
        { ...tx, line: entry.node.line, direction: base.direction },
        this.#where() ?? "",
        base.amount,
      ),
    );
  }

  #emit(line: BankLine): void {
    this.#out.push({ kind: "line", line });
  }

  #lineFrom(base: EntryBase, tx: TxInfo, where: string, amount: Money): BankLine {
    const direction = tx.direction ?? base.direction;
    const signed = direction === "credit" ? amount.abs() : amount.abs().negate();
    const bankReference = tx.bankReference ?? base.bankReference;
    const typeCode = tx.typeCode ?? base.typeCode;
    return {
      lineNo: tx.line,
      recordRef: `${this.format} ${where}`,
      bookingDate: base.bookingDate,
      ...(base.valueDate === undefined ? {} : { valueDate: base.valueDate }),
      amount: signed,
      direction,
      status: base.status,
      reversal: base.reversal,
      ...(bankReference === undefined ? {} : { bankReference }),
      ...(tx.customerReference === undefined ? {} : { customerReference: tx.customerReference }),
      ...(tx.payerName === undefined ? {} : { payerName: tx.payerName }),
      ...(tx.payerAccount === undefined ? {} : { payerAccount: tx.payerAccount }),
      ...(typeCode === undefined ? {} : { typeCode }),
      remittance: {
        unstructured: tx.unstructured,
        documents: tx.documents,
        ...(tx.creditorReference === undefined ? {} : { creditorReference: tx.creditorReference }),
      },
    };
  }

  #readTransaction(node: XNode, base: EntryBase, where: string): TxInfo {
    const amountNode = child(node, "Amt") ?? child(node, "AmtDtls", "TxAmt", "Amt");
    const amount = amountNode === undefined ? undefined : this.#money(amountNode, where, "transaction amount");
    const indicator = text(node, "CdtDbtInd");
    const direction =
      indicator === undefined ? base.direction : this.#direction(indicator, node.line, where, "transaction");
    const refs = child(node, "Refs");
    const endToEnd = text(refs, "EndToEndId");
    const customerReference =
      endToEnd !== undefined && endToEnd.toUpperCase() !== "NOTPROVIDED" ? endToEnd : text(refs, "InstrId");
    // The counterparty: who paid us on a credit, whom we paid on a debit. A reversal
    // keeps the original transaction's parties, so a returned credit still names its payer.
    const parties = child(node, "RltdPties");
    const originalDirection = base.reversal ? (direction === "credit" ? "debit" : "credit") : direction;
    const [party, account, ultimate] =
      originalDirection === "credit"
        ? (["Dbtr", "DbtrAcct", "UltmtDbtr"] as const)
        : (["Cdtr", "CdtrAcct", "UltmtCdtr"] as const);
    const payerName =
      text(parties, party, "Nm") ??
      text(parties, party, "Pty", "Nm") ??
      text(parties, ultimate, "Nm") ??
      text(parties, ultimate, "Pty", "Nm");
    const payerAccount = text(parties, account, "Id", "IBAN") ?? text(parties, account, "Id", "Othr", "Id");
    const bankReference = text(refs, "AcctSvcrRef");
    const typeCode = transactionCode(child(node, "BkTxCd"));
    const tx: TxInfo = {
      line: node.line,
      direction,
      unstructured: [],
      documents: [],
      ...(amount === undefined ? {} : { amount }),
      ...(bankReference === undefined ? {} : { bankReference }),
      ...(customerReference === undefined ? {} : { customerReference }),
      ...(payerName === undefined ? {} : { payerName }),
      ...(payerAccount === undefined ? {} : { payerAccount }),
      ...(typeCode === undefined ? {} : { typeCode }),
    };
    this.#readRemittance(child(node, "RmtInf"), tx, where);
    const additional = text(node, "AddtlTxInf");
    if (additional !== undefined) tx.unstructured.push(additional);
    return tx;
  }

  #readRemittance(node: XNode | undefined, tx: TxInfo, where: string): void {
    if (node === undefined) return;
    for (const ustrd of childrenNamed(node, "Ustrd")) {
      const value = clean(ustrd.text);
      if (value !== "") tx.unstructured.push(value);
    }
    for (const strd of childrenNamed(node, "Strd")) {
      const referred = childrenNamed(strd, "RfrdDocInf")
        .map((doc) => text(doc, "Nb"))
        .filter((nb): nb is string => nb !== undefined);
      const amounts = child(strd, "RfrdDocAmt");
      const amountNode = child(amounts, "RmtdAmt") ?? child(amounts, "DuePyblAmt");
      // RfrdDocAmt belongs to the whole Strd block: it can only be given to a document when the block names one.
      const amount =
        amountNode !== undefined && referred.length === 1 ? this.#money(amountNode, where, "RfrdDocAmt") : undefined;
      for (const number of referred) tx.documents.push(amount === undefined ? { number } : { number, amount });
      for (const info of childrenNamed(strd, "CdtrRefInf")) {
        const reference = text(info, "Ref");
        if (reference !== undefined) acceptCreditorReference(tx, reference);
      }
      for (const info of childrenNamed(strd, "AddtlRmtInf")) {
        const value = clean(info.text);
        if (value !== "") tx.unstructured.push(value);
      }
    }
  }
}

/**
 * An "RF" reference is trusted only with correct ISO 11649 check digits; a
 * mistyped one, or a second reference, stays readable in the free text.
 */
function acceptCreditorReference(tx: TxInfo, reference: string): void {
  const normalized = normalizeCreditorReference(reference);
  const isRf = normalized.startsWith("RF") && /^RF\d{2}/.test(normalized);
  const trusted = isRf ? isValidCreditorReference(normalized) : true;
  if (trusted && tx.creditorReference === undefined) {
    tx.creditorReference = isRf ? normalized : reference.trim();
  } else {
    tx.unstructured.push(reference.trim());
  }
}

function mergeTx(a: TxInfo, b: TxInfo): TxInfo {
  const merged: TxInfo = {
    ...b,
    ...a,
    unstructured: [...a.unstructured, ...b.unstructured],
    documents: [...a.documents, ...b.documents],
  };
  if (a.creditorReference !== undefined && b.creditorReference !== undefined)
    merged.unstructured.push(b.creditorReference);
  delete merged.amount;
  return merged;
}

/** "PMNT/RCDT/ESCT" from the ISO domain, family and sub-family, else the bank's proprietary code. */
function transactionCode(node: XNode | undefined): string | undefined {
  const domain = text(node, "Domn", "Cd");
  const family = text(node, "Domn", "Fmly", "Cd");
  const subFamily = text(node, "Domn", "Fmly", "SubFmlyCd");
  if (domain !== undefined && family !== undefined && subFamily !== undefined)
    return `${domain}/${family}/${subFamily}`;
  return text(node, "Prtry", "Cd") ?? domain;
}

/** The calendar date at the start of an ISO date or date-time, as written. */
function dateOf(value: string | undefined): IsoDate | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|T|Z|[+-]\d{2}:\d{2}$)/.exec(value);
  if (match?.[1] === undefined) return undefined;
  try {
    return parseIsoDate(match[1]);
  } catch {
    return undefined;
  }
}

/** Streams a camt.052/053/054 file: one statement per Stmt/Ntfctn/Rpt, one line per entry or per batch transaction. */
export function streamCamt(source: ChunkSource, options: CamtOptions = {}): AsyncGenerator<BankImportEvent> {
  const parser = new CamtParser();
  return runPushParser({ format: "camt.053", source, parser, options });
}

/** Parses a whole camt text (tests, small files). */
export function parseCamt(text: string): BankFile {
  const parser = new CamtParser();
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const events = [...parser.push(body), ...parser.finish()];
  return collectBankFile(parser.format, events);
}
