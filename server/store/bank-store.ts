/**
 * Bank statements, matching suggestions, external GL journals and the two
 * reconciliations, over any `Database`. Functions take the executor first
 * (STYLE 5) and run statements from ./statements/bank.ts; the sums and the
 * judgements are shared/ functions (bank-reconciliation.ts,
 * ar-gl-reconciliation.ts, gl-journal-import.ts, matching.ts).
 */
import { reconcileArToGl, type ArGlReconciliation } from "../../shared/ar-gl-reconciliation.js";
import {
  BankFileError,
  parseCsvMapping,
  type BankDirection,
  type BankFormat,
  type BankImportEvent,
  type BankLine,
  type BankLineStatus,
  type BankStatementHeader,
  type CsvMapping,
  type Remittance,
  type RemittanceDocument,
} from "../../shared/bank.js";
import {
  reconcileBankStatement,
  type BankLineMatchStatus,
  type BankReconciliation,
  type ReconciliationReceipt,
} from "../../shared/bank-reconciliation.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import type { Clock, IsoDate } from "../../shared/dates.js";
import { ACCOUNTS } from "../../shared/gl.js";
import { planExternalJournals } from "../../shared/gl-journal-import.js";
import { matchBankLines, normalizeAccount, type MatchingCustomer, type MatchingOpenItem } from "../../shared/matching.js";
import { Money } from "../../shared/money.js";
import { parseTerms } from "../../shared/terms.js";
import type {
  BankImportInput,
  BankImportResult,
  BankLineRow,
  BankLineSuggestion,
  BankLineWithSuggestion,
  BankStatementRow,
  GlJournalImportOutcome,
  SavedCsvMapping,
} from "./port.js";
import * as read from "./read.js";
import type { Database, Row, SqlExecutor } from "./sql.js";
import * as bank from "./statements/bank.js";
import * as readSt from "./statements/read.js";
import * as st from "./statements/write.js";

// -- rows ------------------------------------------------------------------------

function value(row: Row, key: string): unknown {
  if (!(key in row)) throw new Error(`bank query returned no column ${key}`);
  return row[key];
}
function str(row: Row, key: string): string {
  const v = value(row, key);
  if (typeof v !== "string") throw new Error(`column ${key} should be text, got ${typeof v}`);
  // CHAR(n) columns come back padded on some engines.
  return v.trimEnd();
}
function optStr(row: Row, key: string): string | null {
  return value(row, key) === null ? null : str(row, key);
}
function num(row: Row, key: string): number {
  const v = value(row, key);
  if (typeof v !== "number") throw new Error(`column ${key} should be a number, got ${typeof v}`);
  return v;
}
function big(row: Row, key: string): bigint {
  const v = value(row, key);
  if (typeof v !== "bigint") throw new Error(`column ${key} should be a whole number of minor units, got ${typeof v}`);
  return v;
}
function optBig(row: Row, key: string): bigint | null {
  return value(row, key) === null ? null : big(row, key);
}
/** Dates come from columns the import filled from parsed IsoDates. */
function isoDate(row: Row, key: string): IsoDate {
  return str(row, key) as IsoDate;
}
function optDate(row: Row, key: string): IsoDate | null {
  return value(row, key) === null ? null : isoDate(row, key);
}

function inSnapshot<T>(db: SqlExecutor | Database, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return "readSnapshot" in db ? db.readSnapshot(work) : work(db);
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; number?: unknown } | null;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.number === 2627 ||
    e?.number === 2601
  );
}

export function statementFromRow(row: Row): BankStatementRow {
  const currency = parseCurrency(str(row, "currency"));
  const opening = optBig(row, "opening_minor");
  const closing = optBig(row, "closing_minor");
  return {
    id: str(row, "id"),
    fileSha256: str(row, "file_sha256"),
    fileIndex: num(row, "file_index"),
    fileName: optStr(row, "file_name"),
    format: str(row, "format") as BankFormat,
    account: str(row, "account"),
    iban: optStr(row, "iban"),
    currency,
    bankStatementId: optStr(row, "bank_statement_id"),
    statementDate: optDate(row, "statement_date"),
    from: optDate(row, "from_date"),
    to: optDate(row, "to_date"),
    openingBalance: opening === null ? null : Money.fromMinor(opening, currency),
    closingBalance: closing === null ? null : Money.fromMinor(closing, currency),
    lineCount: num(row, "line_count"),
    importedAt: str(row, "imported_at"),
    importedBy: str(row, "imported_by"),
  };
}

/** The remittance as stored: JSON with amounts as decimal strings in the line's currency. */
function remittanceFromJson(text: string, currency: CurrencyCode): Remittance {
  const raw = JSON.parse(text) as { unstructured?: unknown; documents?: unknown; creditorReference?: unknown };
  const unstructured = Array.isArray(raw.unstructured) ? raw.unstructured.map(String) : [];
  const documents: RemittanceDocument[] = (Array.isArray(raw.documents) ? raw.documents : []).map((d: unknown) => {
    const doc = d as { number?: unknown; amount?: unknown };
    const number = typeof doc.number === "string" ? doc.number : "";
    return typeof doc.amount === "string" ? { number, amount: Money.parse(doc.amount, currency, "remittance amount") } : { number };
  });
  return typeof raw.creditorReference === "string"
    ? { unstructured, documents, creditorReference: raw.creditorReference }
    : { unstructured, documents };
}

export function lineFromRow(row: Row): BankLineRow {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    statementId: str(row, "statement_id"),
    lineNo: num(row, "line_no"),
    fileLine: num(row, "file_line"),
    recordRef: str(row, "record_ref"),
    bookingDate: isoDate(row, "booking_date"),
    valueDate: optDate(row, "value_date"),
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    currency,
    direction: str(row, "direction") as BankDirection,
    entryStatus: str(row, "entry_status") as BankLineStatus,
    reversal: num(row, "reversal") === 1,
    bankReference: optStr(row, "bank_reference"),
    customerReference: optStr(row, "customer_reference"),
    payerName: optStr(row, "payer_name"),
    payerAccount: optStr(row, "payer_account"),
    typeCode: optStr(row, "type_code"),
    checkNumber: optStr(row, "check_number"),
    remittance: remittanceFromJson(str(row, "remittance"), currency),
    status: str(row, "status") as BankLineMatchStatus,
    receiptId: optStr(row, "receipt_id"),
    version: num(row, "version"),
  };
}

/** A stored line as the matching engine reads bank lines. */
export function asBankLine(line: BankLineRow): BankLine {
  return {
    lineNo: line.fileLine,
    recordRef: line.recordRef,
    bookingDate: line.bookingDate,
    ...(line.valueDate === null ? {} : { valueDate: line.valueDate }),
    amount: line.amount,
    direction: line.direction,
    status: line.entryStatus,
    reversal: line.reversal,
    ...(line.bankReference === null ? {} : { bankReference: line.bankReference }),
    ...(line.customerReference === null ? {} : { customerReference: line.customerReference }),
    ...(line.payerName === null ? {} : { payerName: line.payerName }),
    ...(line.payerAccount === null ? {} : { payerAccount: line.payerAccount }),
    ...(line.typeCode === null ? {} : { typeCode: line.typeCode }),
    ...(line.checkNumber === null ? {} : { checkNumber: line.checkNumber }),
    remittance: line.remittance,
  };
}

// -- import ------------------------------------------------------------------------

/** Ids derived from the file's hash: the same file always gets the same ids. */
function statementId(sha256: string, fileIndex: number): string {
  return `bs-${sha256.slice(0, 24)}-${fileIndex}`;
}
function lineId(sha256: string, fileIndex: number, lineNo: number): string {
  return `bl-${sha256.slice(0, 24)}-${fileIndex}-${lineNo}`;
}

interface StatementSummary {
  readonly header: BankStatementHeader;
  lineCount: number;
  from: IsoDate | null;
  to: IsoDate | null;
}

/** First pass: reads the whole file (so a broken trailer refuses it before anything is written) and counts. */
async function summarize(events: AsyncIterable<BankImportEvent>, format: BankFormat): Promise<StatementSummary[]> {
  const statements: StatementSummary[] = [];
  for await (const event of events) {
    if (event.kind === "statement") {
      statements.push({ header: event.statement, lineCount: 0, from: null, to: null });
      continue;
    }
    const current = statements.at(-1);
    if (current === undefined) throw new BankFileError({ format, problem: "a bank line came before any statement header" });
    current.lineCount += 1;
    if (event.line.status === "booked") {
      const day = event.line.bookingDate;
      if (current.from === null || day < current.from) current.from = day;
      if (current.to === null || day > current.to) current.to = day;
    }
  }
  return statements;
}

function optional(text: string | undefined): string | null {
  return text === undefined || text.trim() === "" ? null : text;
}

/** A line keeps its own currency: camt entries may be in another currency than their account's. */
function lineValues(sha256: string, fileIndex: number, lineNo: number, line: BankLine): bank.BankLineValues {
  const account = optional(line.payerAccount);
  return {
    id: lineId(sha256, fileIndex, lineNo),
    statementId: statementId(sha256, fileIndex),
    lineNo,
    fileLine: line.lineNo,
    recordRef: line.recordRef,
    bookingDate: line.bookingDate,
    valueDate: line.valueDate ?? null,
    amountMinor: line.amount.toMinor(),
    currency: line.amount.currency,
    direction: line.direction,
    entryStatus: line.status,
    reversal: line.reversal,
    bankReference: optional(line.bankReference),
    customerReference: optional(line.customerReference),
    payerName: optional(line.payerName),
    payerAccount: account === null || normalizeAccount(account) === "" ? null : normalizeAccount(account),
    typeCode: optional(line.typeCode),
    checkNumber: optional(line.checkNumber),
    remittance: JSON.stringify(line.remittance),
  };
}

async function statementsOfFile(db: SqlExecutor, sha256: string): Promise<BankStatementRow[]> {
  return (await db.all(bank.selectStatementsByFile(db.dialect, sha256))).map(statementFromRow);
}

/**
 * Imports a parsed file: refuses it whole if any part is broken, stores every
 * statement and line in one transaction, and answers a file seen before (by
 * SHA-256) with what was stored then.
 */
export async function importBankStatements(db: Database, input: BankImportInput, now: string): Promise<BankImportResult> {
  const existing = await statementsOfFile(db, input.sha256);
  if (existing.length > 0) return { created: false, statements: existing };
  const summaries = await summarize(input.events(), input.format);
  if (summaries.length === 0) throw new BankFileError({ format: input.format, problem: "the file holds no statement" });

  try {
    await db.transaction(async (tx) => {
      const d = tx.dialect;
      let fileIndex = -1;
      let lineNo = 0;
      let current: BankStatementHeader | undefined;
      let pending: bank.BankLineValues[] = [];
      const flush = async () => {
        for (const chunk of st.chunkRows(pending, bank.BANK_LINE_COLUMNS)) await tx.run(bank.insertBankLines(d, chunk));
        pending = [];
      };
      for await (const event of input.events()) {
        if (event.kind === "statement") {
          await flush();
          fileIndex += 1;
          lineNo = 0;
          current = event.statement;
          const summary = summaries[fileIndex];
          if (summary === undefined) throw new Error("the file changed between the two passes of its import");
          const h = event.statement;
          await tx.run(
            bank.insertStatement(d, {
              id: statementId(input.sha256, fileIndex),
              fileSha256: input.sha256,
              fileIndex,
              fileName: input.fileName,
              format: h.format,
              account: h.iban ?? h.accountId,
              iban: h.iban ?? null,
              currency: h.currency,
              bankStatementId: h.statementId ?? null,
              statementDate: h.statementDate ?? null,
              fromDate: summary.from ?? h.statementDate ?? null,
              toDate: summary.to ?? h.statementDate ?? null,
              openingMinor: h.openingBalance?.toMinor() ?? null,
              closingMinor: h.closingBalance?.toMinor() ?? null,
              lineCount: summary.lineCount,
              importedAt: now,
              importedBy: input.user,
            }),
          );
          continue;
        }
        if (current === undefined) throw new BankFileError({ format: input.format, problem: "a bank line came before any statement header" });
        lineNo += 1;
        pending.push(lineValues(input.sha256, fileIndex, lineNo, event.line));
        if (pending.length >= 1000) await flush();
      }
      await flush();
    });
  } catch (error) {
    // The same file imported at the same moment by someone else: answer with theirs.
    if (isUniqueViolation(error)) {
      const theirs = await statementsOfFile(db, input.sha256);
      if (theirs.length > 0) return { created: false, statements: theirs };
    }
    throw error;
  }
  return { created: true, statements: await statementsOfFile(db, input.sha256) };
}

// -- reading statements and lines ---------------------------------------------------

export async function listStatements(db: SqlExecutor, query: { account?: string; limit: number }): Promise<BankStatementRow[]> {
  return (await db.all(bank.selectStatements(db.dialect, { account: query.account, limit: query.limit }))).map(statementFromRow);
}

export async function statementById(db: SqlExecutor, id: string): Promise<BankStatementRow | null> {
  const [row] = await db.all(bank.selectStatementById(db.dialect, id));
  return row === undefined ? null : statementFromRow(row);
}

export async function linesOfStatement(db: SqlExecutor, query: { statementId: string; status?: BankLineMatchStatus }): Promise<BankLineRow[]> {
  return (await db.all(bank.selectLinesOfStatement(db.dialect, query))).map(lineFromRow);
}

const ID_CHUNK = 1000;

async function rememberedAccounts(db: SqlExecutor, accounts: readonly string[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  const unique = [...new Set(accounts)];
  for (let i = 0; i < unique.length; i += ID_CHUNK) {
    for (const row of await db.all(bank.selectRememberedAccounts(db.dialect, unique.slice(i, i + ID_CHUNK)))) {
      known.set(str(row, "payer_account"), str(row, "customer_id"));
    }
  }
  return known;
}

/** Every customer, by number, as the matching engine takes them. */
export async function allCustomers(db: SqlExecutor): Promise<MatchingCustomer[]> {
  const out: MatchingCustomer[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await read.listCustomers(db, { limit: 5000, ...(after === undefined ? {} : { after }) });
    out.push(...page.map((c) => ({ id: c.id, number: c.number, name: c.name })));
    const last = page.at(-1);
    if (page.length < 5000 || last === undefined) return out;
    after = last.number;
  }
}

/** Open invoices and debit memos in one currency as of today (what a payment can settle), with their numbers and versions. */
export async function openInvoices(
  tx: SqlExecutor,
  today: IsoDate,
  currency: CurrencyCode,
): Promise<{ openItems: MatchingOpenItem[]; documents: Map<string, { number: string; version: number }> }> {
  const openItems: MatchingOpenItem[] = [];
  const documents = new Map<string, { number: string; version: number }>();
  for (let after: string | null | undefined; after !== null; ) {
    const page = await read.openItemsPage(tx, { asOf: today, basis: "due", edges: [30, 60, 90, 120], currency, limit: 5000, ...(after === undefined ? {} : { after }) });
    after = page.next;
    for (const item of page.items) {
      if (item.kind !== "invoice" && item.kind !== "debitMemo") continue;
      documents.set(item.id, { number: item.number, version: item.version });
      openItems.push({
        document: {
          id: item.id,
          customerId: item.customerId,
          number: item.number,
          documentDate: item.documentDate,
          dueDate: item.dueDate,
          currency: item.currency,
          terms: item.terms === null ? null : parseTerms(item.terms),
          type: item.kind,
          disputed: item.disputed,
        },
        open: item.open,
      });
    }
  }
  return { openItems, documents };
}

/**
 * A statement's lines; open credit lines carry the matching engine's
 * suggestion, computed over every customer and every open invoice and debit
 * memo in the statement's currency as of today, with the payer accounts
 * remembered from confirmed matches.
 */
export async function linesWithSuggestions(
  db: Database,
  query: { statementId: string; status?: BankLineMatchStatus },
  context: { clock: Clock; shortPayLimit: string; graceDays: number },
): Promise<BankLineWithSuggestion[]> {
  const today = context.clock.today();
  return inSnapshot(db, async (tx) => {
    const lines = await linesOfStatement(tx, query);
    const candidates = lines.filter((l) => l.status === "open" && l.direction === "credit" && l.amount.isPositive());
    const byLine = new Map<string, BankLineSuggestion>();
    if (candidates.length === 0) return lines.map((l) => ({ ...l, suggestion: null }));
    const customers = await allCustomers(tx);
    const byId = new Map(customers.map((c) => [c.id, c]));
    const knownAccounts = await rememberedAccounts(
      tx,
      candidates.flatMap((l) => (l.payerAccount === null ? [] : [l.payerAccount])),
    );
    // Money is matched to open items of its own currency only.
    for (const currency of new Set(candidates.map((l) => l.currency))) {
      const inCurrency = candidates.filter((l) => l.currency === currency);
      const { openItems, documents } = await openInvoices(tx, today, currency);
      const suggestions = matchBankLines({
        lines: inCurrency.map(asBankLine),
        customers,
        openItems,
        knownAccounts,
        options: {
          today,
          shortPayTolerance: { amount: Money.parse(context.shortPayLimit, currency, "shortPayLimit") },
          graceDays: context.graceDays,
        },
      });
      for (const s of suggestions) {
        const line = inCurrency[s.lineIndex];
        if (line === undefined) continue;
        const customer = s.customerId === null ? undefined : byId.get(s.customerId);
        byLine.set(line.id, {
          customerId: s.customerId,
          customerNumber: customer?.number ?? null,
          customerName: customer?.name ?? null,
          kind: s.kind,
          allocations: s.allocations.map((a) => ({
            documentId: a.documentId,
            documentNumber: documents.get(a.documentId)?.number ?? a.documentId,
            documentVersion: documents.get(a.documentId)?.version ?? null,
            amount: a.amount,
            discount: a.discount,
            writeOff: a.writeOff,
            writeOffReason: a.writeOffReason,
          })),
          unapplied: s.unapplied,
          confidence: s.confidence,
          autoAccept: s.autoAccept,
          reasons: s.reasons,
        });
      }
    }
    return lines.map((l) => ({ ...l, suggestion: byLine.get(l.id) ?? null }));
  });
}

// -- CSV mappings -----------------------------------------------------------------------

function mappingFromRow(row: Row): SavedCsvMapping {
  return {
    bank: str(row, "bank"),
    mapping: parseCsvMapping(JSON.parse(str(row, "mapping"))),
    version: num(row, "version"),
    updatedAt: str(row, "updated_at"),
    updatedBy: str(row, "updated_by"),
  };
}

export async function csvMapping(db: SqlExecutor, bankName: string): Promise<SavedCsvMapping | null> {
  const [row] = await db.all(bank.selectCsvMapping(db.dialect, bankName));
  return row === undefined ? null : mappingFromRow(row);
}

export async function saveCsvMapping(db: Database, bankName: string, mapping: CsvMapping, ctx: { user: string; now: string }): Promise<SavedCsvMapping> {
  const checked = parseCsvMapping(mapping);
  return db.transaction(async (tx) => {
    await tx.run(bank.upsertCsvMapping(tx.dialect, { bank: bankName, mapping: JSON.stringify(checked), at: ctx.now, by: ctx.user }));
    const saved = await csvMapping(tx, bankName);
    if (saved === null) throw new Error(`CSV mapping ${bankName} was not saved`);
    return saved;
  });
}

// -- bank reconciliation ------------------------------------------------------------------

function receiptFromRow(row: Row): ReconciliationReceipt {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    customerId: str(row, "customer_id"),
    customerNumber: str(row, "customer_number"),
    customerName: str(row, "customer_name"),
    date: isoDate(row, "receipt_date"),
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    method: str(row, "method"),
    reference: str(row, "reference"),
    reversed: num(row, "reversed") === 1,
  };
}

export async function bankReconciliation(db: Database, statementIdValue: string): Promise<BankReconciliation | null> {
  return inSnapshot(db, async (tx) => {
    const statement = await statementById(tx, statementIdValue);
    if (statement === null) return null;
    const lines = await linesOfStatement(tx, { statementId: statement.id });
    const receiptsByLine = new Map<string, ReconciliationReceipt>();
    for (const row of await tx.all(bank.selectReceiptsOfStatement(tx.dialect, statement.id))) {
      receiptsByLine.set(str(row, "bank_line_id"), receiptFromRow(row));
    }
    const withoutLine =
      statement.from === null || statement.to === null
        ? []
        : (await tx.all(bank.selectReceiptsWithoutLine(tx.dialect, { currency: statement.currency, from: statement.from, to: statement.to }))).map(receiptFromRow);
    return reconcileBankStatement({
      statement: {
        id: statement.id,
        currency: statement.currency,
        from: statement.from,
        to: statement.to,
        openingBalance: statement.openingBalance,
        closingBalance: statement.closingBalance,
      },
      lines: lines.map((l) => ({
        id: l.id,
        lineNo: l.lineNo,
        bookingDate: l.bookingDate,
        amount: l.amount,
        direction: l.direction,
        entryStatus: l.entryStatus,
        status: l.status,
        receiptId: l.receiptId,
        payerName: l.payerName,
        reference: l.customerReference ?? l.bankReference ?? l.checkNumber,
      })),
      receiptsByLine,
      receiptsWithoutLine: withoutLine,
    });
  });
}

// -- external GL journals -------------------------------------------------------------------

/** Validates and stores a batch of external journals in one transaction; a journal id imports once. */
export async function importGlJournals(
  db: Database,
  body: unknown,
  ctx: { user: string; now: string; today: IsoDate },
): Promise<GlJournalImportOutcome> {
  try {
    return await db.transaction(async (tx): Promise<GlJournalImportOutcome> => {
      const d = tx.dialect;
      const closedPeriods = new Set((await tx.all(st.selectClosedPeriods(d))).map((r) => str(r, "period")));
      const plan = planExternalJournals(body, { closedPeriods, today: ctx.today });
      if (!plan.ok) return { status: "invalid", errors: plan.errors };
      const ids = plan.journals.map((j) => j.id);
      const taken: string[] = [];
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        for (const row of await tx.all(bank.selectJournalsById(d, ids.slice(i, i + ID_CHUNK)))) taken.push(str(row, "id"));
      }
      if (taken.length > 0) return { status: "duplicate", ids: taken };
      const journals = plan.journals.map((j) => ({ id: j.id, date: j.date, source: "external", eventKind: j.eventKind, eventId: j.eventId, changeSetId: null, memo: j.memo, createdAt: ctx.now }));
      const lines = plan.journals.flatMap((j) =>
        j.lines.map((l, i) => ({ journalId: j.id, lineNo: i + 1, account: l.account, currency: j.currency, debitMinor: l.debit.toMinor(), creditMinor: l.credit.toMinor() })),
      );
      for (const chunk of st.chunkRows(journals, 8)) await tx.run(st.insertJournals(d, chunk));
      for (const chunk of st.chunkRows(lines, 6)) await tx.run(st.insertJournalLines(d, chunk));
      const audits = plan.journals.map((j) => ({ at: ctx.now, user: ctx.user, action: "gl.journal.import", entity: "journal", entityId: j.id, changeSetId: null, detail: JSON.stringify({ date: j.date, currency: j.currency, memo: j.memo }) }));
      for (const chunk of st.chunkRows(audits, 7)) await tx.run(st.insertAudit(d, chunk));
      return {
        status: "committed",
        journals: plan.journals.map((j) => ({
          id: j.id,
          glId: j.eventId,
          date: j.date,
          currency: j.currency,
          arAmount: Money.sum(
            j.lines.filter((l) => l.account === ACCOUNTS.accountsReceivable).map((l) => l.debit.subtract(l.credit)),
            j.currency,
          ),
        })),
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      // A concurrent import of the same journal id committed first.
      const plan = planExternalJournals(body, { closedPeriods: new Set(), today: ctx.today });
      if (plan.ok) return { status: "duplicate", ids: plan.journals.map((j) => j.id) };
    }
    throw error;
  }
}

// -- AR-to-GL reconciliation --------------------------------------------------------------------

export async function arGlReconciliation(db: Database, asOf: IsoDate): Promise<ArGlReconciliation> {
  const account = ACCOUNTS.accountsReceivable;
  return inSnapshot(db, async (tx) => {
    const d = tx.dialect;
    const cur = (row: Row) => parseCurrency(str(row, "currency"));
    const subledger = (await tx.all(readSt.openTotalsAsOf(d, { asOf }))).map((row) => ({
      currency: cur(row),
      documents: Money.fromMinor(big(row, "documents_minor"), cur(row)),
      unappliedCash: Money.fromMinor(big(row, "unapplied_minor"), cur(row)),
    }));
    const gl = (await tx.all(bank.accountBalanceAsOf(d, { account, asOf }))).map((row) => ({
      currency: cur(row),
      balance: Money.fromMinor(big(row, "balance_minor"), cur(row)),
    }));
    const externalJournals = (await tx.all(bank.externalJournalsAsOf(d, { account, asOf }))).map((row) => ({
      journalId: str(row, "journal_id"),
      date: isoDate(row, "journal_date"),
      reference: str(row, "event_id"),
      memo: str(row, "memo"),
      amount: Money.fromMinor(big(row, "amount_minor"), cur(row)),
    }));
    const postingsAcross = (await tx.all(bank.subledgerPostingsAcross(d, { account, asOf }))).map((row) => ({
      journalId: str(row, "journal_id"),
      eventKind: str(row, "event_kind"),
      eventId: str(row, "event_id"),
      reference: optStr(row, "reference"),
      journalDate: isoDate(row, "journal_date"),
      eventDate: optDate(row, "event_date"),
      amount: Money.fromMinor(big(row, "amount_minor"), cur(row)),
    }));
    const unposted = (await tx.all(bank.unpostedEventsAsOf(d, { asOf }))).map((row) => ({
      eventKind: str(row, "event_kind"),
      eventId: str(row, "event_id"),
      reference: str(row, "reference"),
      eventDate: isoDate(row, "event_date"),
      amount: Money.fromMinor(big(row, "amount_minor"), cur(row)),
    }));
    return reconcileArToGl({ asOf, account, subledger, gl, externalJournals, postingsAcross, unposted });
  });
}
