/**
 * The store port: everything the HTTP API and the CLI ask of the ledger.
 * One implementation (`SqlLedgerStore`) runs over any `Database` — embedded
 * SQLite, PostgreSQL or SQL Server — and one contract suite
 * (test/integration/store-contract.test.ts) decides that each behaves the same.
 *
 * Amounts are `Money` (serialized as decimal strings by Money#toJSON), dates
 * `IsoDate`, versions plain integers, cursors opaque strings.
 */
import type { ArGlReconciliation } from "../../shared/ar-gl-reconciliation.js";
import type { BankDirection, BankFormat, BankImportEvent, BankLineStatus, CsvMapping, Remittance } from "../../shared/bank.js";
import type { BankLineMatchStatus, BankReconciliation } from "../../shared/bank-reconciliation.js";
import type { CurrencyCode } from "../../shared/currency.js";
import type { IsoDate } from "../../shared/dates.js";
import type { DocumentType, ReceiptMethod } from "../../shared/ledger.js";
import type { Money } from "../../shared/money.js";
import type { PromiseStatus } from "../../shared/promises.js";
import type { ChangeSet, OperationConflict, OperationError } from "../../shared/changeset.js";
import type { Role } from "../../shared/roles.js";
import type { Dialect } from "./sql.js";

export type AgingBasis = "due" | "document";
export type OpenItemKind = DocumentType | "unappliedCash";

export interface CustomerRow {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly terms: string;
  readonly creditLimit: Money | null;
  readonly collector: string | null;
  readonly onHold: boolean;
  readonly contacts: readonly { name: string; email?: string; phone?: string }[];
  readonly version: number;
}

export interface CustomerQuery {
  /** Matches number or name, case-insensitive, anywhere in the text. */
  readonly search?: string;
  readonly collector?: string;
  readonly limit: number;
  /** Paging: customer number to continue after. */
  readonly after?: string;
}

export interface OpenItemsQuery {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly edges: readonly number[];
  readonly customerId?: string;
  readonly collector?: string;
  readonly currency?: CurrencyCode;
  /** Paging: the `next` cursor of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

export interface OpenItem {
  readonly kind: OpenItemKind;
  readonly id: string;
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly collector: string | null;
  /** Document number, or the receipt's reference for unapplied cash. */
  readonly number: string;
  readonly documentDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly currency: CurrencyCode;
  /** Signed: credits and unapplied cash are negative. */
  readonly amount: Money;
  readonly open: Money;
  /** Days past due (basis due) or days since the document date (basis document). */
  readonly days: number;
  readonly bucket: string;
  readonly disputed: boolean;
  readonly version: number;
  readonly lastNote: { readonly kind: string; readonly body: string; readonly at: string } | null;
  /** The document's open dispute (resolving it names it). */
  readonly dispute: { readonly id: string; readonly reasonCode: string; readonly amount: Money; readonly version: number } | null;
  /** The document's payment terms code ("2/10 NET 30"); null for unapplied cash. */
  readonly terms: string | null;
  /** The document's latest promise to pay, else the customer's latest general one; null if neither exists. */
  readonly promise: OpenItemPromise | null;
}

export interface OpenItemPromise {
  readonly amount: Money;
  /** The promise's own currency (a customer's general promise may differ from the item's). */
  readonly currency: CurrencyCode;
  /** The date the customer promised to pay by. */
  readonly date: IsoDate;
  /** The (UTC) day the promise was recorded. */
  readonly madeOn: IsoDate;
  /** Judged as of the query's as-of date by shared/promises.ts. */
  readonly status: PromiseStatus;
}

export interface OpenItemsPage {
  readonly items: readonly OpenItem[];
  readonly next: string | null;
  /** Change-feed cursor taken before the read: `/changes?since=` it to catch up. */
  readonly cursor: string;
}

export interface AgingQuery {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly edges: readonly number[];
  readonly customerId?: string;
  readonly collector?: string;
  readonly currency?: CurrencyCode;
  readonly excludeDisputed?: boolean;
}

export interface AgingBucket {
  readonly key: string;
  readonly label: string;
}

export interface AgingRow {
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly currency: CurrencyCode;
  readonly buckets: Readonly<Record<string, Money>>;
  readonly total: Money;
}

export interface AgingReport {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly buckets: readonly AgingBucket[];
  readonly customers: readonly AgingRow[];
  readonly totals: readonly { currency: CurrencyCode; buckets: Readonly<Record<string, Money>>; total: Money }[];
  readonly disputed: readonly { currency: CurrencyCode; total: Money }[];
}

export interface StatementLine {
  readonly date: IsoDate;
  readonly kind: DocumentType | "receipt" | "receiptReversal" | "discount" | "writeOff" | "applicationReversal";
  readonly reference: string;
  readonly description: string;
  /** Positive increases what the customer owes; negative decreases it. */
  readonly amount: Money;
  readonly balance: Money;
}

export interface CustomerStatement {
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly openingBalance: Money;
  readonly lines: readonly StatementLine[];
  readonly closingBalance: Money;
}

export type ChangeEntity = "customer" | "document" | "receipt" | "note" | "dispute" | "period";

export interface ChangeEntry {
  readonly seq: string;
  readonly entity: ChangeEntity;
  readonly id: string;
  readonly changeSetId: string | null;
  /** The entity's current state (documents and receipts with their current open amounts). */
  readonly data: Readonly<Record<string, unknown>> | null;
}

export interface ChangesPage {
  readonly changes: readonly ChangeEntry[];
  /** Pass as `since` next time. */
  readonly cursor: string;
  readonly hasMore: boolean;
}

export interface PushContext {
  readonly user: string;
  readonly role: Role;
  readonly dryRun: boolean;
}

export interface OperationResult {
  readonly index: number;
  readonly ref: string | null;
  readonly op: string;
  readonly id: string;
  readonly version: number | null;
}

export type PushOutcome =
  | { readonly status: "committed"; readonly replayed: boolean; readonly result: CommittedChangeSet }
  | { readonly status: "validated"; readonly operations: number }
  | { readonly status: "invalid"; readonly errors: readonly OperationError[] }
  | { readonly status: "conflict"; readonly conflicts: readonly OperationConflict[] }
  | { readonly status: "idempotencyMismatch"; readonly differences: readonly string[] };

export interface CommittedChangeSet {
  readonly id: string;
  readonly committedAt: string;
  readonly results: readonly OperationResult[];
  readonly cursor: string;
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

// -- bank statements, matching and reconciliation (issue 6) ----------------------

export interface BankStatementRow {
  readonly id: string;
  readonly fileSha256: string;
  /** The statement's position in its file (a BAI2 file or camt message may hold several). */
  readonly fileIndex: number;
  readonly fileName: string | null;
  readonly format: BankFormat;
  readonly account: string;
  readonly iban: string | null;
  readonly currency: CurrencyCode;
  /** The bank's own id for the statement, when the file gives one. */
  readonly bankStatementId: string | null;
  readonly statementDate: IsoDate | null;
  /** First and last booking date of its booked lines (the statement date when it has none). */
  readonly from: IsoDate | null;
  readonly to: IsoDate | null;
  readonly openingBalance: Money | null;
  readonly closingBalance: Money | null;
  readonly lineCount: number;
  readonly importedAt: string;
  readonly importedBy: string;
}

export interface BankLineRow {
  readonly id: string;
  readonly statementId: string;
  /** Position within the statement, from 1. */
  readonly lineNo: number;
  /** Line of the file where the line's record starts. */
  readonly fileLine: number;
  readonly recordRef: string;
  readonly bookingDate: IsoDate;
  readonly valueDate: IsoDate | null;
  /** Signed: a credit positive, a debit negative. */
  readonly amount: Money;
  readonly currency: CurrencyCode;
  readonly direction: BankDirection;
  /** The bank's status of the entry (booked, pending, …). */
  readonly entryStatus: BankLineStatus;
  readonly reversal: boolean;
  readonly bankReference: string | null;
  readonly customerReference: string | null;
  readonly payerName: string | null;
  /** Letters and digits only, upper case (shared/matching.ts normalizeAccount). */
  readonly payerAccount: string | null;
  readonly typeCode: string | null;
  readonly checkNumber: string | null;
  readonly remittance: Remittance;
  /** Matching status: open until a receipt records it (receipt.create with bankLineId). */
  readonly status: BankLineMatchStatus;
  readonly receiptId: string | null;
  readonly version: number;
}

export interface SuggestedAllocation {
  readonly documentId: string;
  readonly documentNumber: string;
  /** The document's version when suggested: send it as documentVersion. */
  readonly documentVersion: number | null;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  readonly writeOffReason: string | null;
}

export interface BankLineSuggestion {
  readonly customerId: string | null;
  readonly customerNumber: string | null;
  readonly customerName: string | null;
  readonly kind: string;
  readonly allocations: readonly SuggestedAllocation[];
  readonly unapplied: Money;
  /** 0..1 */
  readonly confidence: number;
  readonly autoAccept: boolean;
  readonly reasons: readonly string[];
}

export interface BankLineWithSuggestion extends BankLineRow {
  /** For open credit lines: the matching engine's suggestion; null for every other line. */
  readonly suggestion: BankLineSuggestion | null;
}

export interface BankImportInput {
  readonly sha256: string;
  readonly fileName: string | null;
  /** The format to name in messages when the file turns out to hold no statement. */
  readonly format: BankFormat;
  /** The parsed file, from the start; called once per pass (the import reads it twice: check, then store). */
  readonly events: () => AsyncIterable<BankImportEvent>;
  readonly user: string;
}

export interface BankImportResult {
  /** false: this file (same SHA-256) was imported before; its statements are returned as they are. */
  readonly created: boolean;
  readonly statements: readonly BankStatementRow[];
}

export interface SavedCsvMapping {
  readonly bank: string;
  readonly mapping: CsvMapping;
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ImportedJournal {
  readonly id: string;
  readonly glId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  /** Debit − credit on the AR control account. */
  readonly arAmount: Money;
}

export type GlJournalImportOutcome =
  | { readonly status: "committed"; readonly journals: readonly ImportedJournal[] }
  | { readonly status: "invalid"; readonly errors: readonly OperationError[] }
  | { readonly status: "duplicate"; readonly ids: readonly string[] };

export interface BankReconciliationStore {
  /** Stores every statement of a parsed file and its lines in one transaction, or nothing; a file imports once. */
  importBankStatements(input: BankImportInput): Promise<BankImportResult>;
  bankStatements(query: { account?: string; limit: number }): Promise<BankStatementRow[]>;
  bankStatement(id: string): Promise<BankStatementRow | null>;
  /** A statement's lines in order, open credit lines with the matching engine's suggestion. */
  bankLines(query: { statementId: string; status?: BankLineMatchStatus }): Promise<BankLineWithSuggestion[]>;
  csvMapping(bank: string): Promise<SavedCsvMapping | null>;
  saveCsvMapping(bank: string, mapping: CsvMapping, user: string): Promise<SavedCsvMapping>;
  /** null: no such statement. */
  bankReconciliation(statementId: string): Promise<BankReconciliation | null>;
  /** Journals from outside the subledger to the AR control account (source 'external'). */
  importGlJournals(body: unknown, user: string): Promise<GlJournalImportOutcome>;
  arGlReconciliation(asOf: IsoDate): Promise<ArGlReconciliation>;
}

export interface LedgerStore extends BankReconciliationStore {
  readonly kind: Dialect;
  health(): Promise<{ store: Dialect; schemaVersion: number }>;
  customers(query: CustomerQuery): Promise<CustomerRow[]>;
  openItems(query: OpenItemsQuery): Promise<OpenItemsPage>;
  /** All open items in pages of `batchSize`, for streaming large pulls with flat memory. */
  streamOpenItems(query: Omit<OpenItemsQuery, "after" | "limit">, batchSize: number): AsyncIterable<readonly OpenItem[]>;
  aging(query: AgingQuery): Promise<AgingReport>;
  statement(query: { customerId: string; currency?: CurrencyCode; from: IsoDate; to: IsoDate }): Promise<CustomerStatement>;
  changes(query: { since: string; limit: number }): Promise<ChangesPage>;
  /** The change-feed position now: what a full pull should `/changes?since=` from next. */
  currentCursor(): Promise<string>;
  push(changeSet: ChangeSet, context: PushContext): Promise<PushOutcome>;
  /** The stored result of a committed change set, or null if that id never committed. */
  committedChangeSet(id: string): Promise<CommittedChangeSet | null>;
  checkInvariants(): Promise<InvariantReport>;
  close(): Promise<void>;
}

export type { ChangeSet, ReceiptMethod };
