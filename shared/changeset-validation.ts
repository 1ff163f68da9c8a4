/**
 * Validates a change set against the ledger as it stands and, when it is
 * valid, plans exactly what to write. Pure: the server loads a `World` (the
 * rows the change set touches, locked), calls `planChangeSet`, and applies the
 * plan's effects in the same transaction; the add-in's Review pane runs the
 * same function over the pulled snapshot before anything is sent.
 *
 * Operations are checked in order against a working copy of the world, so a
 * later operation sees what earlier ones did (an invoice created then paid,
 * two payments on one invoice). Expected rejections are values: `errors`
 * (each with operation index, ref, field, code, message) and `conflicts`
 * (an operation based on a version the server has moved past).
 */
import type { BankDirection, BankLineStatus } from "./bank.js";
import { validateAllocations, type AllocationRequest, type OpenItemForApplication } from "./cash-application.js";
import type { ChangeSet, Operation, OperationConflict, OperationError, OperationOf } from "./changeset.js";
import { isCurrencyCode, type CurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { isDomainError } from "./errors.js";
import { balancedJournal, type AccountKey, type Journal } from "./gl.js";
import type { ArDocument, DocumentType, ReceiptMethod } from "./ledger.js";
import { Money } from "./money.js";
import { can, type Role } from "./roles.js";
import { dueDate as dueDateFor, parseTerms, type PaymentTerms } from "./terms.js";

// ---------------------------------------------------------------------------
// The world: what the change set may touch, as it stands before it.

export interface WorldCustomer {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly terms: PaymentTerms;
  readonly creditLimit: Money | null;
  readonly collector: string | null;
  readonly onHold: boolean;
  readonly version: number;
}

export interface WorldDocument extends ArDocument {
  readonly open: Money;
  readonly version: number;
  readonly activityDate: IsoDate;
}

export interface WorldReceipt {
  readonly id: string;
  readonly customerId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  readonly unapplied: Money;
  readonly method: ReceiptMethod;
  readonly reference: string;
  readonly reversed: boolean;
  readonly version: number;
  readonly activityDate: IsoDate;
}

export interface WorldApplication {
  readonly id: string;
  readonly sourceKind: "receipt" | "creditMemo";
  readonly sourceId: string;
  readonly documentId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  /** This row reverses another. */
  readonly isReversal: boolean;
  /** Another row already reverses this one. */
  readonly reversed: boolean;
}

export interface WorldDispute {
  readonly id: string;
  readonly documentId: string;
  readonly status: "open" | "resolved";
  readonly version: number;
}

/** An imported bank line a receipt may record (receipt.create with bankLineId). */
export interface WorldBankLine {
  readonly id: string;
  readonly statementId: string;
  /** Signed: a credit positive, a debit negative. */
  readonly amount: Money;
  readonly direction: BankDirection;
  /** The bank's status of the entry: only booked money becomes a receipt. */
  readonly entryStatus: BankLineStatus;
  /** Matching status: open until a receipt records it. */
  readonly status: "open" | "matched" | "ignored";
  readonly receiptId: string | null;
  readonly payerAccount: string | null;
  readonly version: number;
}

export interface World {
  readonly customers: ReadonlyMap<string, WorldCustomer>;
  readonly documents: ReadonlyMap<string, WorldDocument>;
  readonly receipts: ReadonlyMap<string, WorldReceipt>;
  readonly applications: ReadonlyMap<string, WorldApplication>;
  /** Applications sourced from each loaded receipt that are not reversal rows and not yet reversed. */
  readonly activeApplicationsBySource: ReadonlyMap<string, readonly WorldApplication[]>;
  readonly disputes: ReadonlyMap<string, WorldDispute>;
  /** Ids (of any kind) the change set wants to create that already exist. */
  readonly takenIds: ReadonlySet<string>;
  /** Customer numbers and `${type}:${number}` document numbers already used. */
  readonly takenNumbers: ReadonlySet<string>;
  readonly closedPeriods: ReadonlySet<string>;
  /**
   * Bank lines named by `bankLineId`. Absent when the caller does not know
   * bank lines (the add-in's Review over pulled sheets): then those checks
   * are left to the server, whose world always has them.
   */
  readonly bankLines?: ReadonlyMap<string, WorldBankLine>;
}

/** What the server (or the add-in) must load before planning: every id the change set names. */
export interface References {
  readonly customers: Set<string>;
  readonly documents: Set<string>;
  readonly receipts: Set<string>;
  readonly applications: Set<string>;
  readonly disputes: Set<string>;
  readonly bankLines: Set<string>;
  /** Ids the change set creates (must not exist yet). */
  readonly newIds: Set<string>;
  readonly customerNumbers: Set<string>;
  readonly documentNumbers: Set<string>;
}

export function referencesOf(changeSet: ChangeSet): References {
  const refs: References = {
    customers: new Set(),
    documents: new Set(),
    receipts: new Set(),
    applications: new Set(),
    disputes: new Set(),
    bankLines: new Set(),
    newIds: new Set(),
    customerNumbers: new Set(),
    documentNumbers: new Set(),
  };
  const addAllocations = (allocations: readonly { id?: string | undefined; documentId: string }[], index: number) => {
    allocations.forEach((a, i) => {
      refs.documents.add(a.documentId);
      refs.newIds.add(a.id ?? derivedId(changeSet.id, index, i));
    });
  };
  changeSet.operations.forEach((op, index) => {
    switch (op.op) {
      case "customer.upsert":
        refs.customers.add(op.id);
        refs.customerNumbers.add(op.number);
        break;
      case "invoice.create":
      case "debitMemo.create":
      case "creditMemo.create":
        refs.customers.add(op.customerId);
        refs.newIds.add(op.id);
        refs.documentNumbers.add(numberKey(documentTypeOf(op.op), op.number));
        break;
      case "receipt.create":
        refs.customers.add(op.customerId);
        refs.newIds.add(op.id);
        if (op.bankLineId !== undefined) refs.bankLines.add(op.bankLineId);
        addAllocations(op.applications ?? [], index);
        break;
      case "receipt.apply":
        refs.receipts.add(op.receiptId);
        addAllocations(op.applications, index);
        break;
      case "creditMemo.apply":
        refs.documents.add(op.creditMemoId);
        addAllocations(op.applications, index);
        break;
      case "application.reverse":
        refs.applications.add(op.applicationId);
        refs.newIds.add(op.id);
        break;
      case "receipt.reverse":
        refs.receipts.add(op.receiptId);
        refs.newIds.add(op.id);
        break;
      case "writeOff.create":
        refs.documents.add(op.documentId);
        refs.newIds.add(op.id);
        break;
      case "note.create":
      case "promise.create":
        refs.customers.add(op.customerId);
        if (op.documentId !== undefined) refs.documents.add(op.documentId);
        refs.newIds.add(op.id);
        break;
      case "dispute.open":
        refs.documents.add(op.documentId);
        refs.newIds.add(op.id);
        break;
      case "dispute.resolve":
        refs.disputes.add(op.disputeId);
        break;
      case "period.close":
        break;
    }
  });
  return refs;
}

// ---------------------------------------------------------------------------
// The plan: rows to write, in order.

export interface NewCustomer {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly terms: PaymentTerms;
  readonly creditLimit: Money | null;
  readonly collector: string | null;
  readonly onHold: boolean;
  readonly contacts: readonly { name: string; email?: string; phone?: string }[];
}

export interface NewApplication {
  readonly id: string;
  readonly sourceKind: "receipt" | "creditMemo";
  readonly sourceId: string;
  readonly documentId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  readonly writeOffReason: string | null;
  readonly reversesId: string | null;
}

export type Effect =
  | { readonly kind: "customer.insert"; readonly customer: NewCustomer }
  | { readonly kind: "customer.update"; readonly customer: NewCustomer; readonly baseVersion: number }
  | { readonly kind: "document.insert"; readonly document: ArDocument & { readonly memo: string | null } }
  | { readonly kind: "receipt.insert"; readonly receipt: Omit<WorldReceipt, "unapplied" | "reversed" | "version" | "activityDate"> }
  | { readonly kind: "application.insert"; readonly application: NewApplication }
  | {
      readonly kind: "writeOff.insert";
      readonly writeOff: { id: string; documentId: string; date: IsoDate; currency: CurrencyCode; amount: Money; reason: string };
    }
  | { readonly kind: "receiptReversal.insert"; readonly reversal: { id: string; receiptId: string; date: IsoDate; reason: string } }
  | {
      readonly kind: "note.insert";
      readonly note: {
        id: string;
        customerId: string;
        documentId: string | null;
        kind: "call" | "email" | "letter" | "note" | "promise";
        body: string;
        promise: { amount: Money; date: IsoDate } | null;
        followUpDate: IsoDate | null;
      };
    }
  | {
      readonly kind: "dispute.insert";
      readonly dispute: { id: string; documentId: string; reasonCode: string; amount: Money; note: string };
    }
  | { readonly kind: "dispute.resolve"; readonly disputeId: string; readonly baseVersion: number; readonly resolution: string; readonly note: string }
  | { readonly kind: "period.close"; readonly period: string }
  | {
      /** The bank line is recorded by the receipt: marked matched (guarded by its version), its payer account remembered. */
      readonly kind: "bankLine.match";
      readonly bankLineId: string;
      readonly baseVersion: number;
      readonly receiptId: string;
      readonly customerId: string;
      readonly payerAccount: string | null;
    }
  | { readonly kind: "journal"; readonly journal: Journal }
  | { readonly kind: "audit"; readonly action: string; readonly entity: string; readonly entityId: string; readonly detail: Record<string, unknown> };

/** Net change of an existing (or new) document's or receipt's balance columns. */
export interface BalanceChange {
  readonly entity: "document" | "receipt";
  readonly id: string;
  /** Version loaded from the store (null for rows this change set creates). */
  readonly baseVersion: number | null;
  /** Change of documents.open_minor or receipts.unapplied_minor. */
  readonly delta: Money;
  readonly activityDate: IsoDate;
  readonly disputed?: boolean;
  readonly reversed?: boolean;
}

export interface PlannedResult {
  readonly index: number;
  readonly ref: string | null;
  readonly op: string;
  readonly id: string;
}

export interface Plan {
  readonly effects: readonly Effect[];
  /** One per touched document/receipt: the server writes each with one guarded UPDATE. */
  readonly balances: readonly BalanceChange[];
  readonly results: readonly PlannedResult[];
  /** Every entity touched, for the change feed. */
  readonly touched: readonly { entity: "customer" | "document" | "receipt" | "note" | "dispute" | "period"; id: string }[];
}

export interface PlanContext {
  readonly changeSetId: string;
  readonly role: Role;
  readonly today: IsoDate;
  /** Largest write-off (per document, in its currency) a role without writeOffAboveLimit may post. */
  readonly writeOffLimit: (currency: CurrencyCode) => Money;
  readonly discountGraceDays: number;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly errors: readonly OperationError[]; readonly conflicts: readonly OperationConflict[] };

// ---------------------------------------------------------------------------

export function derivedId(changeSetId: string, opIndex: number, item: number): string {
  return `${changeSetId.slice(0, 40)}:${opIndex}:${item}`;
}

function numberKey(type: DocumentType, number: string): string {
  return `${type}:${number}`;
}

function documentTypeOf(op: "invoice.create" | "debitMemo.create" | "creditMemo.create"): DocumentType {
  return op === "invoice.create" ? "invoice" : op === "debitMemo.create" ? "debitMemo" : "creditMemo";
}

function periodOf(date: IsoDate): string {
  return date.slice(0, 7);
}

class Rejection extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    message: string,
    /** Further problems of the same operation, each reported as its own error. */
    readonly more: readonly { field: string; code: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function reject(field: string, code: string, message: string): never {
  throw new Rejection(field, code, message);
}

/**
 * Plans a change set. Every operation is checked even after one fails, so
 * the clerk sees all problems at once; a failed operation leaves the working
 * world as it was, so one error does not cascade into false ones.
 */
export function planChangeSet(changeSet: ChangeSet, world: World, ctx: PlanContext): PlanResult {
  const state = new WorkingWorld(world);
  const errors: OperationError[] = [];
  const conflicts: OperationConflict[] = [];
  const effects: Effect[] = [];
  const results: PlannedResult[] = [];

  changeSet.operations.forEach((op, index) => {
    const ref = op.ref ?? null;
    const checkpoint = state.checkpoint();
    const opEffects: Effect[] = [];
    const opConflicts: OperationConflict[] = [];
    const checker = new OperationChecker({ op, index, ref, ctx, state, changeSetId: changeSet.id, effects: opEffects, conflicts: opConflicts });
    try {
      const id = checker.run();
      if (opConflicts.length > 0) {
        conflicts.push(...opConflicts);
        state.restore(checkpoint);
        return;
      }
      for (const effect of opEffects) effects.push(effect);
      results.push({ index, ref, op: op.op, id });
      // Nothing rolls back past a successful operation: its undo entries can go.
      state.commit();
    } catch (error) {
      state.restore(checkpoint);
      conflicts.push(...opConflicts);
      if (error instanceof Rejection) {
        for (const e of [error, ...error.more]) errors.push({ index, ref, op: op.op, field: e.field, code: e.code, message: e.message });
      } else if (isDomainError(error)) {
        errors.push({ index, ref, op: op.op, field: error.field ?? "", code: error.code, message: error.message });
      } else {
        throw error;
      }
    }
  });

  if (errors.length > 0 || conflicts.length > 0) return { ok: false, errors, conflicts };
  return { ok: true, plan: { effects, balances: state.balanceChanges(), results, touched: state.touchedList() } };
}

// ---------------------------------------------------------------------------
// Working copy of the world

interface Tracked<T> {
  value: T;
  baseVersion: number | null;
  delta: Money;
  activityDate: IsoDate;
  disputed?: boolean;
  reversed?: boolean;
  changed: boolean;
}

/**
 * Maps and sets that log how to undo each change, so a failed operation is
 * rolled back in time proportional to what it changed (copying the whole
 * working world per operation made a 10,000-operation change set quadratic).
 */
/** Entries of four slots each — the map or set, the key, whether it held the key, the previous value — kept flat so logging allocates nothing per change. */
type UndoLog = unknown[];

interface Undoable {
  undo(key: unknown, had: boolean, previous: unknown): void;
}

class UndoMap<K, V> extends Map<K, V> implements Undoable {
  constructor(private readonly log: UndoLog | null = null) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.log !== null) {
      const previous = super.get(key);
      this.log.push(this, key, previous !== undefined || super.has(key), previous);
    }
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    if (this.log !== null && super.has(key)) this.log.push(this, key, true, super.get(key));
    return super.delete(key);
  }
  undo(key: unknown, had: boolean, previous: unknown): void {
    if (had) super.set(key as K, previous as V);
    else super.delete(key as K);
  }
}

class UndoSet<K> extends Set<K> implements Undoable {
  constructor(private readonly log: UndoLog | null = null) {
    super();
  }
  override add(key: K): this {
    if (this.log !== null && !super.has(key)) this.log.push(this, key, false, undefined);
    return super.add(key);
  }
  undo(key: unknown): void {
    super.delete(key as K);
  }
}

class UndoList<T> implements Undoable {
  readonly items: T[] = [];
  constructor(private readonly log: UndoLog) {}
  push(item: T): void {
    this.log.push(this, null, false, undefined);
    this.items.push(item);
  }
  undo(): void {
    this.items.pop();
  }
}

class WorkingWorld {
  readonly #log: UndoLog = [];
  readonly customers = new UndoMap<string, WorldCustomer>(this.#log);
  readonly documents = new UndoMap<string, Tracked<WorldDocument>>(this.#log);
  readonly receipts = new UndoMap<string, Tracked<WorldReceipt>>(this.#log);
  readonly applications = new UndoMap<string, WorldApplication>(this.#log);
  readonly active = new UndoMap<string, WorldApplication[]>(this.#log);
  readonly disputes = new UndoMap<string, WorldDispute>(this.#log);
  readonly newIds = new UndoSet<string>(this.#log);
  readonly numbers = new UndoSet<string>(this.#log);
  readonly closedPeriods = new UndoSet<string>(this.#log);
  /** Touched entities in the order first touched, and per entity the ids already listed. */
  readonly #touched = new UndoList<Plan["touched"][number]>(this.#log);
  readonly #touchedIds: Record<Plan["touched"][number]["entity"], UndoSet<string>> = {
    customer: new UndoSet(this.#log),
    document: new UndoSet(this.#log),
    receipt: new UndoSet(this.#log),
    note: new UndoSet(this.#log),
    dispute: new UndoSet(this.#log),
    period: new UndoSet(this.#log),
  };
  readonly openDisputeByDocument = new UndoMap<string, string>(this.#log);
  /** Write-offs this change set posts per document: a clerk's limit is per document, not per row. */
  readonly writtenOff = new UndoMap<string, Money>(this.#log);
  /** null: the world does not know bank lines (see World.bankLines). */
  readonly bankLines: UndoMap<string, WorldBankLine> | null;

  constructor(readonly world: World) {
    for (const [id, c] of world.customers) this.customers.set(id, c);
    for (const [id, d] of world.documents) {
      this.documents.set(id, { value: d, baseVersion: d.version, delta: Money.zero(d.currency), activityDate: d.activityDate, changed: false });
    }
    for (const [id, r] of world.receipts) {
      this.receipts.set(id, { value: r, baseVersion: r.version, delta: Money.zero(r.currency), activityDate: r.activityDate, changed: false });
    }
    for (const [id, a] of world.applications) this.applications.set(id, a);
    for (const [id, list] of world.activeApplicationsBySource) this.active.set(id, [...list]);
    for (const [id, d] of world.disputes) {
      this.disputes.set(id, d);
      if (d.status === "open") this.openDisputeByDocument.set(d.documentId, id);
    }
    for (const p of world.closedPeriods) this.closedPeriods.add(p);
    if (world.bankLines === undefined) {
      this.bankLines = null;
    } else {
      this.bankLines = new UndoMap<string, WorldBankLine>(this.#log);
      for (const [id, line] of world.bankLines) this.bankLines.set(id, line);
    }
    // The store leaves loaded customers' numbers out of takenNumbers (an update keeps its own); they are still taken.
    for (const c of world.customers.values()) this.numbers.add(`customer:${c.number}`);
    this.#log.length = 0;
  }

  /** A point to roll back to. */
  checkpoint(): number {
    return this.#log.length;
  }

  restore(checkpoint: number): void {
    const log = this.#log;
    while (log.length > checkpoint) {
      const previous = log.pop();
      const had = log.pop() as boolean;
      const key = log.pop();
      (log.pop() as Undoable).undo(key, had, previous);
    }
  }

  /** Keeps everything done so far: later restores never go back past this point. */
  commit(): void {
    this.#log.length = 0;
  }

  touch(entity: Plan["touched"][number]["entity"], id: string): void {
    const ids = this.#touchedIds[entity];
    if (ids.has(id)) return;
    ids.add(id);
    this.#touched.push({ entity, id });
  }

  touchedList(): Plan["touched"] {
    return [...this.#touched.items];
  }

  claimId(id: string, field: string): void {
    if (this.world.takenIds.has(id) || this.newIds.has(id)) {
      reject(field, "duplicate_id", `id "${id}" is already used; every new row needs a new id`);
    }
    this.newIds.add(id);
  }

  // Built field by field (no conditional spreads): these run for every application of a large change set.
  adjustDocument(id: string, delta: Money, date: IsoDate, extra: { disputed?: boolean } = {}): void {
    const t = this.documents.get(id);
    if (t === undefined) throw new Error(`document ${id} not in working world`);
    const open = t.value.open.add(delta);
    const next: Tracked<WorldDocument> = {
      value: extra.disputed === undefined ? { ...t.value, open } : { ...t.value, open, disputed: extra.disputed },
      baseVersion: t.baseVersion,
      delta: t.delta.add(delta),
      activityDate: date > t.activityDate ? date : t.activityDate,
      changed: true,
    };
    const disputed = extra.disputed ?? t.disputed;
    if (disputed !== undefined) next.disputed = disputed;
    this.documents.set(id, next);
    this.touch("document", id);
  }

  adjustReceipt(id: string, delta: Money, date: IsoDate, extra: { reversed?: boolean } = {}): void {
    const t = this.receipts.get(id);
    if (t === undefined) throw new Error(`receipt ${id} not in working world`);
    const unapplied = t.value.unapplied.add(delta);
    const next: Tracked<WorldReceipt> = {
      value: extra.reversed === true ? { ...t.value, unapplied, reversed: true } : { ...t.value, unapplied },
      baseVersion: t.baseVersion,
      delta: t.delta.add(delta),
      activityDate: date > t.activityDate ? date : t.activityDate,
      changed: true,
    };
    const reversed = extra.reversed ?? t.reversed;
    if (reversed !== undefined) next.reversed = reversed;
    this.receipts.set(id, next);
    this.touch("receipt", id);
  }

  balanceChanges(): BalanceChange[] {
    const out: BalanceChange[] = [];
    for (const [id, t] of this.documents) {
      if (!t.changed) continue;
      out.push({
        entity: "document",
        id,
        baseVersion: t.baseVersion,
        delta: t.delta,
        activityDate: t.activityDate,
        ...(t.disputed === undefined ? {} : { disputed: t.disputed }),
      });
    }
    for (const [id, t] of this.receipts) {
      if (!t.changed) continue;
      out.push({
        entity: "receipt",
        id,
        baseVersion: t.baseVersion,
        delta: t.delta,
        activityDate: t.activityDate,
        ...(t.reversed === undefined ? {} : { reversed: t.reversed }),
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Per-operation checks

interface CheckerInit {
  op: Operation;
  index: number;
  ref: string | null;
  ctx: PlanContext;
  state: WorkingWorld;
  changeSetId: string;
  effects: Effect[];
  conflicts: OperationConflict[];
}

class OperationChecker {
  readonly op: Operation;
  readonly index: number;
  readonly ref: string | null;
  readonly ctx: PlanContext;
  readonly state: WorkingWorld;
  readonly changeSetId: string;
  readonly effects: Effect[];
  readonly conflicts: OperationConflict[];

  constructor(init: CheckerInit) {
    this.op = init.op;
    this.index = init.index;
    this.ref = init.ref;
    this.ctx = init.ctx;
    this.state = init.state;
    this.changeSetId = init.changeSetId;
    this.effects = init.effects;
    this.conflicts = init.conflicts;
  }

  run(): string {
    const op = this.op;
    if (op.op === "period.close") {
      this.requireRole("closePeriod");
      return this.closePeriod(op);
    }
    this.requireRole("post");
    switch (op.op) {
      case "customer.upsert":
        return this.upsertCustomer(op);
      case "invoice.create":
      case "debitMemo.create":
      case "creditMemo.create":
        return this.createDocument(op);
      case "receipt.create":
        return this.createReceipt(op);
      case "receipt.apply":
        return this.applyReceipt(op);
      case "creditMemo.apply":
        return this.applyCreditMemo(op);
      case "application.reverse":
        return this.reverseApplication(op);
      case "receipt.reverse":
        return this.reverseReceipt(op);
      case "writeOff.create":
        return this.createWriteOff(op);
      case "note.create":
        return this.createNote(op);
      case "promise.create":
        return this.createPromise(op);
      case "dispute.open":
        return this.openDispute(op);
      case "dispute.resolve":
        return this.resolveDispute(op);
    }
  }

  // -- helpers ---------------------------------------------------------------

  requireRole(action: Parameters<typeof can>[1]): void {
    if (!can(this.ctx.role, action)) {
      reject("op", "forbidden", `role ${this.ctx.role} may not ${action === "post" ? "post changes" : action}`);
    }
  }

  money(text: string, currency: CurrencyCode, field: string): Money {
    try {
      return Money.parse(text, currency, field);
    } catch (error) {
      if (isDomainError(error)) reject(field, error.code, error.message);
      throw error;
    }
  }

  currency(text: string, field: string): CurrencyCode {
    if (!isCurrencyCode(text)) reject(field, "invalid_currency", `"${text}" is not a known ISO 4217 currency`);
    return text;
  }

  openPeriod(date: IsoDate, field: string): void {
    const period = periodOf(date);
    if (this.state.closedPeriods.has(period)) {
      reject(field, "closed_period", `${date} falls in period ${period}, which is closed; nothing posts into a closed period`);
    }
  }

  notFuture(date: IsoDate, field: string, what: string): void {
    if (date > this.ctx.today) reject(field, "future_date", `${what} ${date} is after today (${this.ctx.today})`);
  }

  customer(id: string, field: string): WorldCustomer {
    const c = this.state.customers.get(id);
    if (c === undefined) reject(field, "not_found", `customer "${id}" does not exist`);
    return c;
  }

  document(id: string, field: string): Tracked<WorldDocument> {
    const d = this.state.documents.get(id);
    if (d === undefined) reject(field, "not_found", `document "${id}" does not exist`);
    return d;
  }

  receipt(id: string, field: string): Tracked<WorldReceipt> {
    const r = this.state.receipts.get(id);
    if (r === undefined) reject(field, "not_found", `receipt "${id}" does not exist`);
    return r;
  }

  /** The row as the store has it: a conflict shows the server's state, not this change set's uncommitted edits. */
  storedDocument(t: Tracked<WorldDocument>): WorldDocument {
    return this.state.world.documents.get(t.value.id) ?? t.value;
  }

  storedReceipt(t: Tracked<WorldReceipt>): WorldReceipt {
    return this.state.world.receipts.get(t.value.id) ?? t.value;
  }

  checkVersion(
    entity: OperationConflict["entity"],
    id: string,
    expected: number | undefined,
    current: number | null,
    snapshot: () => Record<string, unknown>,
  ): void {
    if (expected === undefined || current === null || expected === current) return;
    this.conflicts.push({
      index: this.index,
      ref: this.ref,
      entity,
      id,
      expectedVersion: expected,
      currentVersion: current,
      current: snapshot(),
    });
  }

  journal(spec: { eventKind: string; eventId: string; date: IsoDate; memo: string; currency: CurrencyCode; legs: { debit: AccountKey; credit: AccountKey; amount: Money }[] }): void {
    const { eventKind, eventId, date, memo, currency, legs } = spec;
    const journal = balancedJournal({ id: `${eventKind}:${eventId}`, eventKind, eventId, date, memo, currency, legs });
    if (journal !== null) this.effects.push({ kind: "journal", journal });
  }

  audit(action: string, entity: string, entityId: string, detail: Record<string, unknown> = {}): void {
    this.effects.push({ kind: "audit", action, entity, entityId, detail });
  }

  // -- operations ------------------------------------------------------------

  upsertCustomer(op: OperationOf<"customer.upsert">): string {
    const currency = this.currency(op.currency, "currency");
    let terms: PaymentTerms;
    try {
      terms = parseTerms(op.terms, "terms");
    } catch (error) {
      if (isDomainError(error)) reject("terms", error.code, error.message);
      throw error;
    }
    const customer: NewCustomer = {
      id: op.id,
      number: op.number,
      name: op.name,
      currency,
      terms,
      creditLimit: op.creditLimit === undefined || op.creditLimit === null ? null : this.money(op.creditLimit, currency, "creditLimit"),
      collector: op.collector ?? null,
      onHold: op.onHold ?? false,
      contacts: (op.contacts ?? []).map((c) => ({ name: c.name, ...(c.email === undefined ? {} : { email: c.email }), ...(c.phone === undefined ? {} : { phone: c.phone }) })),
    };
    const existing = this.state.customers.get(op.id);
    if (existing === undefined) {
      if (this.state.world.takenNumbers.has(`customer:${op.number}`) || this.state.numbers.has(`customer:${op.number}`)) {
        reject("number", "duplicate_number", `customer number "${op.number}" is already used by another customer`);
      }
      this.state.claimId(op.id, "id");
      this.state.numbers.add(`customer:${op.number}`);
      this.state.customers.set(op.id, { ...customer, version: 1 });
      this.effects.push({ kind: "customer.insert", customer });
      this.audit("customer.create", "customer", op.id, { number: op.number });
    } else {
      if (op.baseVersion === undefined) {
        reject("baseVersion", "version_required", `customer "${op.id}" exists: send the version you edited (baseVersion)`);
      }
      this.checkVersion("customer", op.id, op.baseVersion, existing.version, () => customerSnapshot(this.state.world.customers.get(op.id) ?? existing));
      if (existing.currency !== currency) {
        reject("currency", "immutable", `customer "${op.number}" is kept in ${existing.currency}; its currency cannot change`);
      }
      if (existing.number !== op.number && (this.state.world.takenNumbers.has(`customer:${op.number}`) || this.state.numbers.has(`customer:${op.number}`))) {
        reject("number", "duplicate_number", `customer number "${op.number}" is already used by another customer`);
      }
      this.state.numbers.add(`customer:${op.number}`);
      this.state.customers.set(op.id, { ...customer, version: existing.version + 1 });
      this.effects.push({ kind: "customer.update", customer, baseVersion: existing.version });
      this.audit("customer.update", "customer", op.id, { number: op.number });
    }
    this.state.touch("customer", op.id);
    return op.id;
  }

  createDocument(op: OperationOf<"invoice.create" | "debitMemo.create" | "creditMemo.create">): string {
    const type = documentTypeOf(op.op);
    const customer = this.customer(op.customerId, "customerId");
    const currency = op.currency === undefined ? customer.currency : this.currency(op.currency, "currency");
    const amount = this.money(op.amount, currency, "amount");
    let terms: PaymentTerms = customer.terms;
    if (op.terms !== undefined) {
      try {
        terms = parseTerms(op.terms, "terms");
      } catch (error) {
        if (isDomainError(error)) reject("terms", error.code, error.message);
        throw error;
      }
    }
    const due = op.dueDate ?? (type === "creditMemo" ? op.documentDate : dueDateFor(terms, op.documentDate));
    if (due < op.documentDate) reject("dueDate", "invalid_date", `due date ${due} is before the document date ${op.documentDate}`);
    const key = numberKey(type, op.number);
    if (this.state.world.takenNumbers.has(key) || this.state.numbers.has(key)) {
      reject("number", "duplicate_number", `${type} number "${op.number}" already exists`);
    }
    this.openPeriod(op.documentDate, "documentDate");
    this.state.claimId(op.id, "id");
    this.state.numbers.add(key);
    const document: ArDocument & { memo: string | null } = {
      id: op.id,
      customerId: customer.id,
      type,
      number: op.number,
      documentDate: op.documentDate,
      dueDate: due,
      currency,
      amount,
      terms: type === "creditMemo" ? null : terms,
      disputed: false,
      memo: op.memo ?? null,
    };
    this.effects.push({ kind: "document.insert", document });
    this.state.documents.set(op.id, {
      value: { ...document, open: amount, version: 1, activityDate: op.documentDate },
      baseVersion: null,
      delta: Money.zero(currency),
      activityDate: op.documentDate,
      changed: false,
    });
    this.state.touch("document", op.id);
    if (type === "creditMemo") {
      this.journal({ eventKind: "creditMemo", eventId: op.id, date: op.documentDate, memo: `credit memo ${op.number}`, currency, legs: [{ debit: "salesReturns", credit: "accountsReceivable", amount }] });
    } else {
      this.journal({ eventKind: type, eventId: op.id, date: op.documentDate, memo: `${type === "invoice" ? "invoice" : "debit memo"} ${op.number}`, currency, legs: [{ debit: "accountsReceivable", credit: "revenue", amount }] });
    }
    this.audit(`${type}.create`, "document", op.id, { number: op.number, amount: amount.toString(), currency });
    return op.id;
  }

  createReceipt(op: OperationOf<"receipt.create">): string {
    const customer = this.customer(op.customerId, "customerId");
    const currency = this.currency(op.currency, "currency");
    const amount = this.money(op.amount, currency, "amount");
    this.notFuture(op.date, "date", "receipt date");
    this.openPeriod(op.date, "date");
    this.state.claimId(op.id, "id");
    const receipt = { id: op.id, customerId: customer.id, date: op.date, currency, amount, method: op.method, reference: op.reference };
    this.effects.push({ kind: "receipt.insert", receipt });
    if (op.bankLineId !== undefined) this.matchBankLine({ bankLineId: op.bankLineId, receiptId: op.id, customerId: customer.id, amount });
    this.state.receipts.set(op.id, {
      value: { id: receipt.id, customerId: receipt.customerId, date: receipt.date, currency, amount, method: receipt.method, reference: receipt.reference, unapplied: amount, reversed: false, version: 1, activityDate: op.date },
      baseVersion: null,
      delta: Money.zero(currency),
      activityDate: op.date,
      changed: false,
    });
    this.state.touch("receipt", op.id);
    this.journal({ eventKind: "receipt", eventId: op.id, date: op.date, memo: `receipt ${op.reference}`.trim(), currency, legs: [{ debit: "cash", credit: "unappliedCash", amount }] });
    this.audit("receipt.create", "receipt", op.id, { amount: amount.toString(), currency, reference: op.reference });
    if (op.applications !== undefined && op.applications.length > 0) {
      this.allocate({ kind: "receipt", sourceId: op.id, date: op.date, allocations: op.applications, fieldPrefix: "applications" });
    }
    return op.id;
  }

  /** The receipt records this bank line: an open, booked credit of exactly the receipt's amount and currency. */
  matchBankLine(spec: { bankLineId: string; receiptId: string; customerId: string; amount: Money }): void {
    const lines = this.state.bankLines;
    if (lines === null) return;
    const line = lines.get(spec.bankLineId);
    if (line === undefined) reject("bankLineId", "not_found", `bank line "${spec.bankLineId}" does not exist`);
    if (line.status !== "open") {
      const by = line.receiptId === null ? "" : ` to receipt "${line.receiptId}"`;
      reject("bankLineId", "bank_line_not_open", `bank line "${line.id}" is already ${line.status}${by}; a bank line records one receipt`);
    }
    if (line.direction !== "credit") {
      reject("bankLineId", "bank_line_not_credit", `bank line "${line.id}" is a debit of ${line.amount.abs().format()} ${line.amount.currency}; only money received becomes a receipt`);
    }
    if (line.entryStatus !== "booked") {
      reject("bankLineId", "bank_line_not_booked", `bank line "${line.id}" is ${line.entryStatus}, not booked; record the receipt once the bank books it`);
    }
    if (line.amount.currency !== spec.amount.currency) {
      reject("currency", "bank_line_mismatch", `the receipt is in ${spec.amount.currency} but bank line "${line.id}" is in ${line.amount.currency}`);
    }
    if (!line.amount.equals(spec.amount)) {
      reject("amount", "bank_line_mismatch", `the receipt amount ${spec.amount.format()} differs from bank line "${line.id}" (${line.amount.format()} ${line.amount.currency}); record the amount the bank received`);
    }
    lines.set(line.id, { ...line, status: "matched", receiptId: spec.receiptId });
    this.effects.push({ kind: "bankLine.match", bankLineId: line.id, baseVersion: line.version, receiptId: spec.receiptId, customerId: spec.customerId, payerAccount: line.payerAccount });
    this.audit("bankLine.match", "receipt", spec.receiptId, { bankLineId: line.id, statementId: line.statementId });
  }

  applyReceipt(op: OperationOf<"receipt.apply">): string {
    const receipt = this.receipt(op.receiptId, "receiptId");
    this.checkVersion("receipt", receipt.value.id, op.receiptVersion, receipt.baseVersion, () => receiptSnapshot(this.storedReceipt(receipt)));
    if (receipt.value.reversed) reject("receiptId", "reversed", `receipt "${receipt.value.reference || receipt.value.id}" was reversed; it cannot be applied`);
    this.allocate({ kind: "receipt", sourceId: receipt.value.id, date: op.date, allocations: op.applications, fieldPrefix: "applications" });
    return receipt.value.id;
  }

  applyCreditMemo(op: OperationOf<"creditMemo.apply">): string {
    const memo = this.document(op.creditMemoId, "creditMemoId");
    if (memo.value.type !== "creditMemo") reject("creditMemoId", "not_applicable", `document "${memo.value.number}" is a ${memo.value.type}, not a credit memo`);
    this.checkVersion("document", memo.value.id, op.creditMemoVersion, memo.baseVersion, () => documentSnapshot(this.storedDocument(memo)));
    this.allocate({ kind: "creditMemo", sourceId: memo.value.id, date: op.date, allocations: op.applications, fieldPrefix: "applications" });
    return memo.value.id;
  }

  allocate(spec: {
    kind: "receipt" | "creditMemo";
    sourceId: string;
    date: IsoDate;
    allocations: readonly { id?: string | undefined; documentId: string; documentVersion?: number | undefined; amount: string; discount?: string | undefined; writeOff?: string | undefined; writeOffReason?: string | undefined }[];
    fieldPrefix: string;
  }): void {
    const { kind, sourceId, date, allocations, fieldPrefix } = spec;
    this.openPeriod(date, "date");
    this.notFuture(date, "date", "application date");
    const source = kind === "receipt" ? this.receipt(sourceId, "receiptId").value : null;
    const memo = kind === "creditMemo" ? this.document(sourceId, "creditMemoId").value : null;
    const sourceDate = source?.date ?? memo?.documentDate ?? date;
    if (date < sourceDate) reject("date", "invalid_date", `application date ${date} is before the ${kind === "receipt" ? "receipt" : "credit memo"} date ${sourceDate}`);

    // Version checks first: a stale document is a conflict, not an error.
    allocations.forEach((a, i) => {
      const doc = this.state.documents.get(a.documentId);
      if (doc === undefined) return;
      this.checkVersion("document", doc.value.id, a.documentVersion, doc.baseVersion, () => documentSnapshot(this.storedDocument(doc)));
      if (a.id !== undefined) this.state.claimId(a.id, `${fieldPrefix}.${i}.id`);
    });
    if (this.conflicts.length > 0) return;
    // Like a write-off, an application cannot predate its document: as of that date it would settle a document that does not exist yet.
    allocations.forEach((a) => {
      const doc = this.state.documents.get(a.documentId);
      if (doc !== undefined && date < doc.value.documentDate) {
        reject("date", "invalid_date", `application date ${date} is before ${doc.value.number}'s document date ${doc.value.documentDate}`);
      }
    });

    const openItems: OpenItemForApplication[] = [];
    for (const a of allocations) {
      const doc = this.state.documents.get(a.documentId);
      if (doc !== undefined && !openItems.some((o) => o.document.id === doc.value.id)) openItems.push({ document: doc.value, open: doc.value.open });
    }
    const canExceed = can(this.ctx.role, "writeOffAboveLimit");
    const currency = source?.currency ?? memo?.currency;
    if (currency === undefined) throw new Error("allocation source without currency");
    const requests: AllocationRequest[] = allocations.map((a) => ({
      documentId: a.documentId,
      amount: a.amount,
      ...(a.discount === undefined ? {} : { discount: a.discount }),
      ...(a.writeOff === undefined ? {} : { writeOff: a.writeOff }),
      ...(a.writeOffReason === undefined ? {} : { writeOffReason: a.writeOffReason }),
    }));
    const validation = validateAllocations({
      source:
        source !== null
          ? { kind: "receipt", receipt: { id: source.id, customerId: source.customerId, date: source.date, currency: source.currency, amount: source.amount, reference: source.reference } }
          : { kind: "creditMemo", document: memo as WorldDocument },
      unapplied: source?.unapplied ?? memo?.open ?? Money.zero(currency),
      openItems,
      allocations: requests,
      options: {
        // A discount is earned by when the customer paid (the receipt's date), not by when a clerk applies it.
        paymentDate: source?.date ?? date,
        graceDays: this.ctx.discountGraceDays,
        ...(canExceed ? {} : { writeOffLimit: this.ctx.writeOffLimit(currency) }),
      },
    });
    if (!validation.ok) {
      // Report every allocation problem as its own error, each naming its allocation's field.
      const [first, ...rest] = validation.errors.map((e) => ({ field: `${fieldPrefix}.${e.index}.${e.field}`, code: e.code, message: e.message }));
      if (first === undefined) throw new Error("validation failed without errors");
      throw new Rejection(first.field, first.code, first.message, rest);
    }
    validation.allocations.forEach((allocation, i) => {
      const input = allocations[i];
      const id = input?.id ?? derivedId(this.changeSetId, this.index, i);
      if (input?.id === undefined) this.state.claimId(id, `${fieldPrefix}.${i}.id`);
      const doc = this.document(allocation.documentId, `${fieldPrefix}.${i}.documentId`);
      this.chargeWriteOff(doc.value, allocation.writeOff, `${fieldPrefix}.${i}.writeOff`);
      const application: NewApplication = {
        id,
        sourceKind: kind,
        sourceId,
        documentId: doc.value.id,
        date,
        currency,
        amount: allocation.amount,
        discount: allocation.discount,
        writeOff: allocation.writeOff,
        writeOffReason: allocation.writeOffReason,
        reversesId: null,
      };
      this.effects.push({ kind: "application.insert", application });
      const settled = allocation.amount.add(allocation.discount).add(allocation.writeOff);
      this.state.adjustDocument(doc.value.id, settled.negate(), date);
      if (kind === "receipt") this.state.adjustReceipt(sourceId, allocation.amount.negate(), date);
      else this.state.adjustDocument(sourceId, allocation.amount.negate(), date);
      const world: WorldApplication & NewApplication = {
        id,
        sourceKind: kind,
        sourceId,
        documentId: application.documentId,
        date,
        currency,
        amount: application.amount,
        discount: application.discount,
        writeOff: application.writeOff,
        writeOffReason: application.writeOffReason,
        reversesId: null,
        isReversal: false,
        reversed: false,
      };
      this.state.applications.set(id, world);
      this.state.active.set(sourceId, [...(this.state.active.get(sourceId) ?? []), world]);
      this.postApplicationJournal(application, doc.value.number);
      this.audit("application.create", "document", doc.value.id, { applicationId: id, source: `${kind}:${sourceId}`, amount: allocation.amount.toString(), discount: allocation.discount.toString(), writeOff: allocation.writeOff.toString() });
    });
  }

  /** Counts a write-off against the clerk's per-document limit across the whole change set. */
  chargeWriteOff(doc: WorldDocument, amount: Money, field: string): void {
    if (amount.isZero()) return;
    const total = (this.state.writtenOff.get(doc.id) ?? Money.zero(doc.currency)).add(amount);
    if (!can(this.ctx.role, "writeOffAboveLimit")) {
      const limit = this.ctx.writeOffLimit(doc.currency);
      if (total.gt(limit)) {
        reject(field, "write_off_over_limit", `write-offs on ${doc.number} in this change set come to ${total.format()}, over the ${limit.format()} ${doc.currency} a ${this.ctx.role} may post per document; a controller must approve it`);
      }
    }
    this.state.writtenOff.set(doc.id, total);
  }

  postApplicationJournal(a: NewApplication, documentNumber: string): void {
    const legs: { debit: AccountKey; credit: AccountKey; amount: Money }[] = [];
    if (a.sourceKind === "receipt") legs.push({ debit: "unappliedCash", credit: "accountsReceivable", amount: a.amount });
    legs.push({ debit: "salesDiscounts", credit: "accountsReceivable", amount: a.discount });
    legs.push({ debit: "badDebt", credit: "accountsReceivable", amount: a.writeOff });
    const reversal = a.reversesId !== null;
    this.journal({
      eventKind: reversal ? "applicationReversal" : "application",
      eventId: a.id,
      date: a.date,
      memo: `${reversal ? "reversal of application to" : "application to"} ${documentNumber}`,
      currency: a.currency,
      legs,
    });
  }

  reverseApplication(op: OperationOf<"application.reverse">): string {
    const original = this.state.applications.get(op.applicationId);
    if (original === undefined) reject("applicationId", "not_found", `application "${op.applicationId}" does not exist`);
    if (original.isReversal) reject("applicationId", "not_applicable", `application "${op.applicationId}" is itself a reversal`);
    if (original.reversed) reject("applicationId", "already_reversed", `application "${op.applicationId}" was already reversed`);
    if (op.date < original.date) reject("date", "invalid_date", `reversal date ${op.date} is before the application date ${original.date}`);
    this.openPeriod(op.date, "date");
    this.notFuture(op.date, "date", "reversal date");
    this.state.claimId(op.id, "id");
    this.reverseOne(original, op.id, op.date, op.reason);
    return op.id;
  }

  reverseOne(original: WorldApplication, id: string, date: IsoDate, reason: string): void {
    const doc = this.document(original.documentId, "applicationId");
    if (original.sourceKind === "receipt") this.receipt(original.sourceId, "applicationId");
    else this.document(original.sourceId, "applicationId");
    const reversal: NewApplication = {
      id,
      sourceKind: original.sourceKind,
      sourceId: original.sourceId,
      documentId: original.documentId,
      date,
      currency: original.currency,
      amount: original.amount.negate(),
      discount: original.discount.negate(),
      writeOff: original.writeOff.negate(),
      writeOffReason: reason,
      reversesId: original.id,
    };
    this.effects.push({ kind: "application.insert", application: reversal });
    const settled = original.amount.add(original.discount).add(original.writeOff);
    this.state.adjustDocument(original.documentId, settled, date);
    if (original.sourceKind === "receipt") this.state.adjustReceipt(original.sourceId, original.amount, date);
    else this.state.adjustDocument(original.sourceId, original.amount, date);
    this.state.applications.set(original.id, { ...original, reversed: true });
    this.state.applications.set(id, { ...reversal, isReversal: true, reversed: false });
    this.state.active.set(original.sourceId, (this.state.active.get(original.sourceId) ?? []).filter((a) => a.id !== original.id));
    this.postApplicationJournal(reversal, doc.value.number);
    this.audit("application.reverse", "document", original.documentId, { applicationId: original.id, reversalId: id, reason });
  }

  reverseReceipt(op: OperationOf<"receipt.reverse">): string {
    const receipt = this.receipt(op.receiptId, "receiptId");
    this.checkVersion("receipt", receipt.value.id, op.receiptVersion, receipt.baseVersion, () => receiptSnapshot(this.storedReceipt(receipt)));
    if (this.conflicts.length > 0) return op.receiptId;
    if (receipt.value.reversed) reject("receiptId", "already_reversed", `receipt "${receipt.value.reference || receipt.value.id}" was already reversed`);
    if (op.date < receipt.value.date) reject("date", "invalid_date", `reversal date ${op.date} is before the receipt date ${receipt.value.date}`);
    this.openPeriod(op.date, "date");
    this.notFuture(op.date, "date", "reversal date");
    this.state.claimId(op.id, "id");
    const active = [...(this.state.active.get(receipt.value.id) ?? [])];
    // Each application is reversed on the return's date; a reversal row dated before its application would make as-of views wrong.
    const later = active.find((a) => op.date < a.date);
    if (later !== undefined) reject("date", "invalid_date", `reversal date ${op.date} is before application "${later.id}" of this receipt, dated ${later.date}`);
    active.forEach((application, i) => {
      const id = derivedId(op.id, 0, i);
      this.state.claimId(id, "id");
      this.reverseOne(application, id, op.date, op.reason);
    });
    const after = this.receipt(op.receiptId, "receiptId");
    this.effects.push({ kind: "receiptReversal.insert", reversal: { id: op.id, receiptId: receipt.value.id, date: op.date, reason: op.reason } });
    this.state.adjustReceipt(receipt.value.id, after.value.unapplied.negate(), op.date, { reversed: true });
    this.journal({ eventKind: "receiptReversal", eventId: op.id, date: op.date, memo: `receipt ${receipt.value.reference} returned: ${op.reason}`, currency: receipt.value.currency, legs: [{ debit: "unappliedCash", credit: "cash", amount: receipt.value.amount }] });
    this.audit("receipt.reverse", "receipt", receipt.value.id, { reversalId: op.id, reason: op.reason, applicationsReversed: active.length });
    return op.id;
  }

  createWriteOff(op: OperationOf<"writeOff.create">): string {
    const doc = this.document(op.documentId, "documentId");
    this.checkVersion("document", doc.value.id, op.documentVersion, doc.baseVersion, () => documentSnapshot(this.storedDocument(doc)));
    if (this.conflicts.length > 0) return op.id;
    if (doc.value.type === "creditMemo") reject("documentId", "not_applicable", `document "${doc.value.number}" is a credit memo; write off invoices and debit memos`);
    if (op.reason.trim() === "") reject("reason", "write_off_reason_required", `write-off of ${doc.value.number} needs a reason, not blank text`);
    const amount = this.money(op.amount, doc.value.currency, "amount");
    if (amount.gt(doc.value.open)) {
      reject("amount", "exceeds_open", `write-off ${amount.format()} is more than the ${doc.value.open.format()} open on ${doc.value.number}`);
    }
    if (!can(this.ctx.role, "writeOffAboveLimit")) {
      const limit = this.ctx.writeOffLimit(doc.value.currency);
      if (amount.gt(limit)) reject("amount", "write_off_over_limit", `write-off ${amount.format()} is over the ${limit.format()} ${doc.value.currency} a ${this.ctx.role} may post; a controller must approve it`);
    }
    this.chargeWriteOff(doc.value, amount, "amount");
    this.openPeriod(op.date, "date");
    this.notFuture(op.date, "date", "write-off date");
    if (op.date < doc.value.documentDate) reject("date", "invalid_date", `write-off date ${op.date} is before the document date ${doc.value.documentDate}`);
    this.state.claimId(op.id, "id");
    this.effects.push({ kind: "writeOff.insert", writeOff: { id: op.id, documentId: doc.value.id, date: op.date, currency: doc.value.currency, amount, reason: op.reason } });
    this.state.adjustDocument(doc.value.id, amount.negate(), op.date);
    this.journal({ eventKind: "writeOff", eventId: op.id, date: op.date, memo: `write-off of ${doc.value.number}: ${op.reason}`, currency: doc.value.currency, legs: [{ debit: "badDebt", credit: "accountsReceivable", amount }] });
    this.audit("writeOff.create", "document", doc.value.id, { writeOffId: op.id, amount: amount.toString(), reason: op.reason });
    return op.id;
  }

  noteTarget(customerId: string, documentId: string | undefined): string | null {
    this.customer(customerId, "customerId");
    if (documentId === undefined) return null;
    const doc = this.document(documentId, "documentId");
    if (doc.value.customerId !== customerId) reject("documentId", "wrong_customer", `document "${doc.value.number}" belongs to another customer`);
    return doc.value.id;
  }

  createNote(op: OperationOf<"note.create">): string {
    const documentId = this.noteTarget(op.customerId, op.documentId);
    this.state.claimId(op.id, "id");
    this.effects.push({ kind: "note.insert", note: { id: op.id, customerId: op.customerId, documentId, kind: op.kind, body: op.body, promise: null, followUpDate: op.followUpDate ?? null } });
    this.state.touch("note", op.id);
    this.audit("note.create", "customer", op.customerId, { noteId: op.id, kind: op.kind });
    return op.id;
  }

  createPromise(op: OperationOf<"promise.create">): string {
    const documentId = this.noteTarget(op.customerId, op.documentId);
    const currency = this.currency(op.currency, "currency");
    const amount = this.money(op.amount, currency, "amount");
    this.state.claimId(op.id, "id");
    const body = op.body ?? `Promised ${amount.format()} ${currency} by ${op.promisedDate}`;
    this.effects.push({ kind: "note.insert", note: { id: op.id, customerId: op.customerId, documentId, kind: "promise", body, promise: { amount, date: op.promisedDate }, followUpDate: op.followUpDate ?? op.promisedDate } });
    this.state.touch("note", op.id);
    this.audit("promise.create", "customer", op.customerId, { noteId: op.id, amount: amount.toString(), currency, date: op.promisedDate });
    return op.id;
  }

  openDispute(op: OperationOf<"dispute.open">): string {
    const doc = this.document(op.documentId, "documentId");
    this.checkVersion("document", doc.value.id, op.documentVersion, doc.baseVersion, () => documentSnapshot(this.storedDocument(doc)));
    if (this.conflicts.length > 0) return op.id;
    if (doc.value.type === "creditMemo") reject("documentId", "not_applicable", `credit memo "${doc.value.number}" cannot be disputed`);
    if (this.state.openDisputeByDocument.has(doc.value.id)) reject("documentId", "already_disputed", `${doc.value.number} already has an open dispute; resolve it first`);
    const amount = this.money(op.amount, doc.value.currency, "amount");
    if (amount.gt(doc.value.amount)) reject("amount", "exceeds_amount", `disputed ${amount.format()} is more than the document's ${doc.value.amount.format()}`);
    this.state.claimId(op.id, "id");
    this.effects.push({ kind: "dispute.insert", dispute: { id: op.id, documentId: doc.value.id, reasonCode: op.reasonCode, amount, note: op.note } });
    this.state.disputes.set(op.id, { id: op.id, documentId: doc.value.id, status: "open", version: 1 });
    this.state.openDisputeByDocument.set(doc.value.id, op.id);
    this.state.adjustDocument(doc.value.id, Money.zero(doc.value.currency), doc.value.activityDate, { disputed: true });
    this.state.touch("dispute", op.id);
    this.audit("dispute.open", "document", doc.value.id, { disputeId: op.id, reason: op.reasonCode, amount: amount.toString() });
    return op.id;
  }

  resolveDispute(op: OperationOf<"dispute.resolve">): string {
    const dispute = this.state.disputes.get(op.disputeId);
    if (dispute === undefined) reject("disputeId", "not_found", `dispute "${op.disputeId}" does not exist`);
    this.checkVersion("dispute", dispute.id, op.disputeVersion, dispute.version, () => ({ id: dispute.id, status: dispute.status, version: dispute.version }));
    if (this.conflicts.length > 0) return op.disputeId;
    if (dispute.status !== "open") reject("disputeId", "already_resolved", `dispute "${op.disputeId}" is already resolved`);
    const doc = this.document(dispute.documentId, "disputeId");
    this.effects.push({ kind: "dispute.resolve", disputeId: dispute.id, baseVersion: dispute.version, resolution: op.resolution, note: op.note });
    this.state.disputes.set(dispute.id, { ...dispute, status: "resolved", version: dispute.version + 1 });
    this.state.openDisputeByDocument.delete(dispute.documentId);
    this.state.adjustDocument(doc.value.id, Money.zero(doc.value.currency), doc.value.activityDate, { disputed: false });
    this.state.touch("dispute", dispute.id);
    this.audit("dispute.resolve", "document", doc.value.id, { disputeId: dispute.id, resolution: op.resolution });
    return dispute.id;
  }

  closePeriod(op: OperationOf<"period.close">): string {
    if (this.state.closedPeriods.has(op.period)) reject("period", "already_closed", `period ${op.period} is already closed`);
    if (op.period >= this.ctx.today.slice(0, 7)) reject("period", "period_not_ended", `period ${op.period} has not ended yet (today is ${this.ctx.today})`);
    this.state.closedPeriods.add(op.period);
    this.effects.push({ kind: "period.close", period: op.period });
    this.state.touch("period", op.period);
    this.audit("period.close", "period", op.period);
    return op.period;
  }
}

export function documentSnapshot(d: WorldDocument): Record<string, unknown> {
  return {
    id: d.id,
    type: d.type,
    number: d.number,
    customerId: d.customerId,
    currency: d.currency,
    amount: d.amount.toString(),
    open: d.open.toString(),
    dueDate: d.dueDate,
    disputed: d.disputed,
    version: d.version,
  };
}

export function receiptSnapshot(r: WorldReceipt): Record<string, unknown> {
  return {
    id: r.id,
    customerId: r.customerId,
    date: r.date,
    currency: r.currency,
    amount: r.amount.toString(),
    unapplied: r.unapplied.toString(),
    reference: r.reference,
    reversed: r.reversed,
    version: r.version,
  };
}

export function customerSnapshot(c: WorldCustomer): Record<string, unknown> {
  return { id: c.id, number: c.number, name: c.name, currency: c.currency, terms: c.terms.code, collector: c.collector, onHold: c.onHold, version: c.version };
}
