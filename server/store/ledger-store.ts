/**
 * The one `LedgerStore` implementation, over any `Database`.
 *
 * push(): validate → apply → effects (STYLE 6). The change set's shape was
 * checked by the route; here the world it touches is loaded and locked
 * inside one transaction, planned by the shared validator, written, and the
 * change set recorded with its result under its id — all or nothing. A
 * retried id replays the stored result; the same id with another payload is
 * refused naming the differences.
 */
import { createHash } from "node:crypto";
import type { ArGlReconciliation } from "../../shared/ar-gl-reconciliation.js";
import type { CsvMapping } from "../../shared/bank.js";
import type { BankLineMatchStatus, BankReconciliation } from "../../shared/bank-reconciliation.js";
import { canonicalJson, jsonDifferences } from "../../shared/canonical-json.js";
import type { ChangeSet } from "../../shared/changeset.js";
import { planChangeSet, type PlanResult } from "../../shared/changeset-validation.js";
import type { CurrencyCode } from "../../shared/currency.js";
import type { Clock, IsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import { ACCOUNTS } from "../../shared/gl.js";
import { assertMigrated } from "./migrate.js";
import * as bankStore from "./bank-store.js";
import type {
  AgingQuery,
  AgingReport,
  BankImportInput,
  BankImportResult,
  BankLineWithSuggestion,
  BankStatementRow,
  GlJournalImportOutcome,
  SavedCsvMapping,
  ChangesPage,
  CommittedChangeSet,
  CustomerQuery,
  CustomerRow,
  CustomerStatement,
  InvariantReport,
  LedgerStore,
  OpenItem,
  OpenItemsPage,
  OpenItemsQuery,
  PushContext,
  PushOutcome,
} from "./port.js";
import * as read from "./read.js";
import type { Database, Row, SqlExecutor } from "./sql.js";
import * as st from "./statements/write.js";
import { applyPlan, ConcurrentUpdateError, loadWorld } from "./write.js";

export interface LedgerPolicy {
  /** Largest write-off a clerk may post on one document, as a decimal in the document's currency. */
  readonly writeOffLimit: string;
  /** Days after the discount deadline that still earn the early-payment discount. */
  readonly discountGraceDays: number;
}

export const DEFAULT_POLICY: LedgerPolicy = { writeOffLimit: "50", discountGraceDays: 0 };

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; number?: unknown; message?: unknown } | null;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.number === 2627 ||
    e?.number === 2601
  );
}

export class SqlLedgerStore implements LedgerStore {
  readonly kind;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #policy: LedgerPolicy;
  readonly #schemaVersion: number;

  private constructor(db: Database, clock: Clock, policy: LedgerPolicy, schemaVersion: number) {
    this.kind = db.kind;
    this.#db = db;
    this.#clock = clock;
    this.#policy = policy;
    this.#schemaVersion = schemaVersion;
  }

  /** Opens the store over a migrated database; refuses one at another schema version. */
  static async open(db: Database, clock: Clock, policy: LedgerPolicy = DEFAULT_POLICY): Promise<SqlLedgerStore> {
    const version = await assertMigrated(db);
    return new SqlLedgerStore(db, clock, policy, version);
  }

  get database(): Database {
    return this.#db;
  }

  health(): Promise<{ store: Database["kind"]; schemaVersion: number }> {
    return Promise.resolve({ store: this.#db.kind, schemaVersion: this.#schemaVersion });
  }

  customers(query: CustomerQuery): Promise<CustomerRow[]> {
    return read.listCustomers(this.#db, query);
  }

  openItems(query: OpenItemsQuery): Promise<OpenItemsPage> {
    return read.openItemsPage(this.#db, query);
  }

  streamOpenItems(query: Omit<OpenItemsQuery, "after" | "limit">, batchSize: number): AsyncIterable<readonly OpenItem[]> {
    return read.streamOpenItems(this.#db, query, batchSize);
  }

  aging(query: AgingQuery): Promise<AgingReport> {
    return read.agingReport(this.#db, query);
  }

  statement(query: { customerId: string; currency?: CurrencyCode; from: string; to: string }): Promise<CustomerStatement> {
    return read.customerStatement(this.#db, query);
  }

  changes(query: { since: string; limit: number }): Promise<ChangesPage> {
    return read.changesSince(this.#db, query);
  }

  async currentCursor(): Promise<string> {
    const [row] = await this.#db.all(st.selectChangeCursor(this.#db.dialect));
    const value = row?.value_seq;
    return typeof value === "bigint" ? value.toString() : "0";
  }

  async committedChangeSet(id: string): Promise<CommittedChangeSet | null> {
    const [row] = await this.#db.all(st.selectChangeSet(this.#db.dialect, id));
    return row === undefined ? null : (JSON.parse(String(row.result)) as CommittedChangeSet);
  }

  async push(changeSet: ChangeSet, context: PushContext): Promise<PushOutcome> {
    const payload = canonicalJson(changeSet);
    const payloadHash = createHash("sha256").update(payload).digest("hex");

    const stored = await this.#storedOutcome(this.#db, changeSet, payloadHash);
    if (stored !== null) return stored;

    if (context.dryRun) {
      // A write transaction that writes nothing: planning loads the world with the
      // same (locking) reads as a real push, which a read-only snapshot refuses on PostgreSQL.
      return this.#db.transaction(async (tx) => {
        const planned = await this.#plan(tx, changeSet, context);
        if (!planned.ok) return this.#rejection(planned);
        return { status: "validated", operations: changeSet.operations.length };
      });
    }

    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#db.transaction(async (tx) => {
          const again = await this.#storedOutcome(tx, changeSet, payloadHash);
          if (again !== null) return again;
          const planned = await this.#plan(tx, changeSet, context);
          if (!planned.ok) {
            // A racing push of this same id may have committed while this one waited for its row
            // locks; its rows then look "already used". The retry must replay, not be refused.
            const raced = await this.#storedOutcome(tx, changeSet, payloadHash);
            return raced ?? this.#rejection(planned);
          }
          const now = this.#clock.now();
          const { lastSeq, versions } = await applyPlan(tx, planned.plan, { changeSetId: changeSet.id, user: context.user, now });
          const result: CommittedChangeSet = {
            id: changeSet.id,
            committedAt: now,
            cursor: lastSeq.toString(),
            results: planned.plan.results.map((r) => ({ index: r.index, ref: r.ref, op: r.op, id: r.id, version: versions.get(`${entityOf(r.op)}:${r.id}`) ?? null })),
          };
          await tx.run(st.insertChangeSet(tx.dialect, { id: changeSet.id, payloadHash, payload, result: JSON.stringify(result), user: context.user, createdAt: now }));
          return { status: "committed", replayed: false, result } as const;
        });
      } catch (error) {
        // Another request committed the same change-set id first: answer as a retry would be answered.
        if (isUniqueViolation(error)) {
          const replay = await this.#storedOutcome(this.#db, changeSet, payloadHash);
          if (replay !== null) return replay;
        }
        // A guarded write lost a race (no row lock on this path): plan again against the new state.
        if (error instanceof ConcurrentUpdateError && attempt < 3) continue;
        throw error;
      }
    }
  }

  async #plan(tx: SqlExecutor, changeSet: ChangeSet, context: PushContext): Promise<PlanResult> {
    const world = await loadWorld(tx, changeSet);
    const limit = this.#policy.writeOffLimit;
    return planChangeSet(changeSet, world, {
      changeSetId: changeSet.id,
      role: context.role,
      today: this.#clock.today(),
      writeOffLimit: (currency) => Money.parse(limit, currency, "writeOffLimit"),
      discountGraceDays: this.#policy.discountGraceDays,
    });
  }

  #rejection(planned: Extract<PlanResult, { ok: false }>): PushOutcome {
    if (planned.conflicts.length > 0) return { status: "conflict", conflicts: planned.conflicts };
    return { status: "invalid", errors: planned.errors };
  }

  async #storedOutcome(tx: SqlExecutor, changeSet: ChangeSet, payloadHash: string): Promise<PushOutcome | null> {
    const [row] = await tx.all(st.selectChangeSet(tx.dialect, changeSet.id));
    if (row === undefined) return null;
    if (String(row.payload_hash).trim() === payloadHash) {
      return { status: "committed", replayed: true, result: JSON.parse(String(row.result)) as CommittedChangeSet };
    }
    const before: unknown = JSON.parse(String(row.payload));
    return { status: "idempotencyMismatch", differences: jsonDifferences(before, JSON.parse(canonicalJson(changeSet))) };
  }

  /**
   * The ledger's invariants: every journal balances; the subledger's postings
   * to the AR control account equal open invoices less open credits, and to
   * unapplied cash the receipts' unapplied amounts, per currency (journals
   * imported from outside are reconciling items, not drift); stored balances equal what the
   * append-only rows add up to; no balance is out of bounds.
   */
  async checkInvariants(): Promise<InvariantReport> {
    const d = this.#db.dialect;
    const problems: string[] = [];
    for (const row of await this.#db.all(st.selectGlImbalance(d))) {
      problems.push(`journal ${String(row.journal_id)} does not balance: debits ${String(row.debit_minor)} ≠ credits ${String(row.credit_minor)}`);
    }
    const byCurrency = (rows: Row[], key: string) => new Map(rows.map((r) => [String(r.currency).trim(), r[key] as bigint]));
    const ar = byCurrency(await this.#db.all(st.selectAccountBalances(d, ACCOUNTS.accountsReceivable)), "balance_minor");
    const open = byCurrency(await this.#db.all(st.selectOpenDocumentTotals(d)), "total_minor");
    for (const currency of new Set([...ar.keys(), ...open.keys()])) {
      const gl = ar.get(currency) ?? 0n;
      const sub = open.get(currency) ?? 0n;
      if (gl !== sub) problems.push(`${currency}: AR control balance ${gl} (minor units) ≠ open items ${sub}`);
    }
    const unappliedGl = byCurrency(await this.#db.all(st.selectAccountBalances(d, ACCOUNTS.unappliedCash)), "balance_minor");
    const unapplied = byCurrency(await this.#db.all(st.selectUnappliedTotals(d)), "total_minor");
    for (const currency of new Set([...unappliedGl.keys(), ...unapplied.keys()])) {
      const gl = -(unappliedGl.get(currency) ?? 0n);
      const sub = unapplied.get(currency) ?? 0n;
      if (gl !== sub) problems.push(`${currency}: unapplied-cash account ${gl} ≠ receipts' unapplied ${sub}`);
    }
    for (const row of await this.#db.all(st.selectDocumentBalanceDrift(d))) {
      problems.push(`document ${String(row.document_id)}: stored open ${String(row.open_minor)} ≠ ${String(row.expected_minor)} from its applications and write-offs`);
    }
    for (const row of await this.#db.all(st.selectReceiptBalanceDrift(d))) {
      problems.push(`receipt ${String(row.receipt_id)}: stored unapplied ${String(row.unapplied_minor)} ≠ ${String(row.expected_minor)} from its applications`);
    }
    return { ok: problems.length === 0, problems };
  }

  // -- bank statements and reconciliation (bank-store.ts) -------------------------

  importBankStatements(input: BankImportInput): Promise<BankImportResult> {
    return bankStore.importBankStatements(this.#db, input, this.#clock.now());
  }

  bankStatements(query: { account?: string; limit: number }): Promise<BankStatementRow[]> {
    return bankStore.listStatements(this.#db, query);
  }

  bankStatement(id: string): Promise<BankStatementRow | null> {
    return bankStore.statementById(this.#db, id);
  }

  bankLines(query: { statementId: string; status?: BankLineMatchStatus }): Promise<BankLineWithSuggestion[]> {
    // Short pays up to a clerk's write-off limit are suggested; the planner still checks the limit on push.
    return bankStore.linesWithSuggestions(this.#db, query, {
      clock: this.#clock,
      shortPayLimit: this.#policy.writeOffLimit,
      graceDays: this.#policy.discountGraceDays,
    });
  }

  csvMapping(bank: string): Promise<SavedCsvMapping | null> {
    return bankStore.csvMapping(this.#db, bank);
  }

  saveCsvMapping(bank: string, mapping: CsvMapping, user: string): Promise<SavedCsvMapping> {
    return bankStore.saveCsvMapping(this.#db, bank, mapping, { user, now: this.#clock.now() });
  }

  bankReconciliation(statementId: string): Promise<BankReconciliation | null> {
    return bankStore.bankReconciliation(this.#db, statementId);
  }

  importGlJournals(body: unknown, user: string): Promise<GlJournalImportOutcome> {
    return bankStore.importGlJournals(this.#db, body, { user, now: this.#clock.now(), today: this.#clock.today() });
  }

  arGlReconciliation(asOf: IsoDate): Promise<ArGlReconciliation> {
    return bankStore.arGlReconciliation(this.#db, asOf);
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

function entityOf(op: string): string {
  if (op.startsWith("customer")) return "customer";
  if (op.startsWith("receipt.create") || op === "receipt.apply") return "receipt";
  if (op.startsWith("dispute")) return "dispute";
  if (op === "invoice.create" || op === "debitMemo.create" || op === "creditMemo.create" || op === "creditMemo.apply") return "document";
  return op;
}
