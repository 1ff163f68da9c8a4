/**
 * Review and push: pending changes found in the sheets are checked with the
 * shared planner (the same rules the server applies), dry-run on the server,
 * then pushed as one change set.
 *
 * Nothing lost, nothing doubled: before the first send, new rows get their
 * ids written into the sheet and the exact change set (id and payload) is
 * kept in the workbook's settings. If the network drops — even after the
 * server committed — the pane retries that same change set, which the
 * server answers with the stored result instead of a second receipt. Only a
 * definitive answer (committed, refused with errors or conflicts) clears it.
 */
import type { ChangeSet, Operation, OperationError } from "../../shared/changeset.js";
import { RECEIPT_METHODS, parseChangeSet } from "../../shared/changeset.js";
import { planChangeSet, type World, type WorldCustomer, type WorldDocument, type WorldReceipt } from "../../shared/changeset-validation.js";
import { isCurrencyCode, parseCurrency } from "../../shared/currency.js";
import type { IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { parseTerms } from "../../shared/terms.js";
import { cellToDate, cellToMoney, cellToText, textToCell } from "../excel/cells.js";
import type { CellValue, RangeStyle, WorkbookGateway } from "../excel/gateway.js";
import { OPEN_ITEMS_EDITABLE, NOTES, OPEN_ITEMS, PAYMENTS, RECONCILE } from "../sheets/specs.js";
import { ApiError, type ApiClient } from "./api-client.js";
import { buildChanges, parseRef, type BuiltChanges, type CellRef, type CustomerRef, type PendingRow } from "./changes.js";
import type { ConflictWire, CustomerWire, PushAnswer } from "./wire.js";

export const PENDING_PUSH_KEY = "openar.pendingPush";
export const CONFLICTS_KEY = "openar.conflicts";

/** A change set on its way: kept until the server's answer is known. */
export interface FrozenPush {
  readonly changeSet: ChangeSet;
  readonly rows: readonly PendingRow[];
  /** "index:fieldPath" → cell, for mapping the server's errors back. */
  readonly fields: readonly (readonly [string, CellRef])[];
  readonly frozenAt: string;
}

export interface CellProblem {
  readonly cell: CellRef;
  readonly message: string;
}

export interface Review {
  readonly built: BuiltChanges;
  readonly problems: readonly CellProblem[];
  readonly customers: ReadonlyMap<string, CustomerWire>;
}

export interface PushOutcome {
  readonly kind: "committed" | "refused" | "conflict" | "mismatch";
  readonly message: string;
  readonly posted: number;
  readonly problems: readonly CellProblem[];
  readonly conflicts: readonly StoredConflict[];
}

/** A conflict as the Review pane shows it: the clerk's row beside the server's current values. */
export interface StoredConflict {
  readonly cell: CellRef;
  readonly entity: string;
  readonly id: string;
  readonly expectedVersion: number;
  readonly currentVersion: number;
  readonly current: Readonly<Record<string, unknown>>;
}

const TABLES = [OPEN_ITEMS, PAYMENTS, NOTES, RECONCILE];

function columnIndex(table: string, key: string): number {
  const spec = TABLES.find((t) => t.table === table);
  const index = spec?.columns.findIndex((c) => c.key === key) ?? -1;
  if (index < 0) throw new Error(`${table} has no column ${key}`);
  return index;
}

async function readSheets(gateway: WorkbookGateway) {
  for (const spec of TABLES) await gateway.ensureTable(spec);
  return {
    openItems: await gateway.readRows(OPEN_ITEMS.table),
    payments: await gateway.readRows(PAYMENTS.table),
    notes: await gateway.readRows(NOTES.table),
    reconcile: await gateway.readRows(RECONCILE.table),
  };
}

/** Customer numbers that Payments and Notes rows name. */
function customerNumbers(sheets: Awaited<ReturnType<typeof readSheets>>): string[] {
  const at = (table: string) => columnIndex(table, "customer");
  return [
    ...sheets.payments.map((row) => cellToText(row[at(PAYMENTS.table)] ?? null).trim()),
    ...sheets.notes.map((row) => cellToText(row[at(NOTES.table)] ?? null).trim()),
    // Reconcile: a typed customer, and the suggested one (so the local check knows the customer a suggestion names).
    ...sheets.reconcile.flatMap((row) => [cellToText(row[at(RECONCILE.table)] ?? null).trim(), cellToText(row[columnIndex(RECONCILE.table, "suggestedCustomer")] ?? null).trim()]),
  ].filter((n) => n !== "");
}

/**
 * Finds what is pending and checks it without sending anything: local
 * problems (text in an amount, an unknown customer) and the shared planner's
 * verdict over the pulled rows.
 */
export async function review(options: { gateway: WorkbookGateway; client: ApiClient; today: IsoDate; newId: () => string; signal?: AbortSignal }): Promise<Review> {
  const sheets = await readSheets(options.gateway);
  const customers = await options.client.customersByNumber(customerNumbers(sheets), options.signal);
  const refs = new Map<string, CustomerRef>([...customers].map(([number, c]) => [number, { id: c.id, number: c.number, currency: c.currency }]));
  const built = buildChanges(sheets, { today: options.today, newId: options.newId, customers: refs });
  const problems: CellProblem[] = [...built.problems];
  if (built.operations.length > 0) {
    const parsed = parseChangeSet({ id: "local-review-0000", operations: built.operations });
    if (!parsed.ok) {
      problems.push(...toCellProblems(parsed.errors, built.cellOf));
    } else {
      const world = worldFromSheets(sheets, customers);
      const planned = planChangeSet(parsed.changeSet, world, {
        changeSetId: parsed.changeSet.id,
        // The server decides who may do what; locally every rule but roles is checked.
        role: "admin",
        today: options.today,
        writeOffLimit: (currency) => Money.parse("999999999", currency),
        discountGraceDays: 0,
      });
      if (!planned.ok) problems.push(...toCellProblems(planned.errors, built.cellOf));
    }
  }
  return { built, problems: dedupe(problems), customers };
}

function dedupe(problems: readonly CellProblem[]): CellProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.cell.table}:${p.cell.row}:${p.cell.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toCellProblems(errors: readonly OperationError[], cellOf: (index: number, field: string) => CellRef | null): CellProblem[] {
  return errors.flatMap((e) => {
    const cell = cellOf(e.index, e.field) ?? cellOf(e.index, "");
    return cell === null ? [] : [{ cell, message: e.message }];
  });
}

/** What the pulled sheets know of the ledger, as the planner's World. */
export function worldFromSheets(
  sheets: { openItems: readonly (readonly CellValue[])[]; payments?: readonly (readonly CellValue[])[] },
  customers: ReadonlyMap<string, CustomerWire>,
): World {
  const at = (key: string) => columnIndex(OPEN_ITEMS.table, key);
  const text = (row: readonly CellValue[], key: string) => cellToText(row[at(key)] ?? null).trim();
  const documents = new Map<string, WorldDocument>();
  const receipts = new Map<string, WorldReceipt>();
  const worldCustomers = new Map<string, WorldCustomer>();
  for (const c of customers.values()) {
    if (!isCurrencyCode(c.currency)) continue;
    worldCustomers.set(c.id, { id: c.id, number: c.number, name: c.name, currency: c.currency, terms: parseTerms(c.terms), creditLimit: null, collector: c.collector, onHold: false, version: c.version });
  }
  for (const row of sheets.openItems) {
    const currencyText = text(row, "currency");
    if (!isCurrencyCode(currencyText)) continue;
    const currency = parseCurrency(currencyText);
    const kind = text(row, "kind");
    const id = text(row, "id");
    const customerId = text(row, "customerId");
    const version = Number(row[at("version")] ?? 0);
    const documentDate = cellToDate(row[at("documentDate")] ?? null, "documentDate");
    const dueDate = cellToDate(row[at("dueDate")] ?? null, "dueDate");
    const amount = cellToMoney(row[at("amount")] ?? null, currency, "amount");
    const open = cellToMoney(row[at("open")] ?? null, currency, "open");
    if (documentDate === null || dueDate === null || amount === null || open === null) continue;
    if (!worldCustomers.has(customerId)) {
      worldCustomers.set(customerId, { id: customerId, number: text(row, "customerNumber"), name: text(row, "customerName"), currency, terms: parseTerms("NET 30"), creditLimit: null, collector: null, onHold: false, version: 1 });
    }
    if (kind === "unappliedCash") {
      receipts.set(id, { id, customerId, date: documentDate, currency, amount: amount.abs(), unapplied: open.abs(), method: "other", reference: text(row, "number"), reversed: false, version, activityDate: documentDate });
      continue;
    }
    const termsText = text(row, "terms");
    documents.set(id, {
      id,
      customerId,
      type: kind === "creditMemo" ? "creditMemo" : kind === "debitMemo" ? "debitMemo" : "invoice",
      number: text(row, "number"),
      documentDate,
      dueDate,
      currency,
      amount: amount.abs(),
      open: open.abs(),
      terms: termsText === "" ? null : parseTerms(termsText),
      disputed: text(row, "disputed") !== "",
      version,
      activityDate: documentDate,
    });
  }
  // Posted receipts on Payments, so reversing or applying one from there is checked too. How much of one is left
  // unapplied is known only when Open Items shows its unapplied cash (kept above); otherwise the server judges it.
  const pay = (key: string) => columnIndex(PAYMENTS.table, key);
  for (const row of sheets.payments ?? []) {
    const cell = (key: string) => row[pay(key)] ?? null;
    const id = cellToText(cell("id")).trim();
    const version = Number(cellToText(cell("version")).trim());
    if (id === "" || !Number.isInteger(version) || version < 1) continue;
    const known = receipts.get(id);
    if (known !== undefined) {
      if (version > known.version) receipts.set(id, { ...known, version });
      continue;
    }
    const customer = customers.get(cellToText(cell("customer")).trim());
    const currencyText = cellToText(cell("currency")).trim().toUpperCase() || (customer?.currency ?? "");
    if (customer === undefined || !isCurrencyCode(currencyText)) continue;
    try {
      const date = cellToDate(cell("date"), "date");
      const amount = cellToMoney(cell("amount"), currencyText, "amount");
      if (date === null || amount === null) continue;
      const methodText = cellToText(cell("method")).trim().toLowerCase();
      const method = RECEIPT_METHODS.find((m) => m === methodText) ?? "other";
      const reversed = cellToText(cell("status")).trim().toLowerCase() === "reversed";
      receipts.set(id, { id, customerId: customer.id, date, currency: currencyText, amount, unapplied: amount, method, reference: cellToText(cell("reference")).trim(), reversed, version, activityDate: date });
    } catch (error) {
      // A posted row the clerk has since typed over: leave it to the server.
      if (!isDomainError(error)) throw error;
    }
  }
  return {
    customers: worldCustomers,
    documents,
    receipts,
    applications: new Map(),
    activeApplicationsBySource: new Map(),
    disputes: new Map(),
    takenIds: new Set(),
    takenNumbers: new Set(),
    closedPeriods: new Set(),
  };
}

// ---- marking rows --------------------------------------------------------------------------------

const ERROR_STYLE = { fill: "#FDE7E9", fontColor: "#A4262C", bold: true } as const;

/** Writes each row's status (and message) and highlights the cells with problems, one write per row. */
export async function markRows(
  gateway: WorkbookGateway,
  marks: readonly { table: string; row: number; status: string; message?: string; cells?: readonly CellProblem[]; update?: (row: CellValue[]) => void }[],
): Promise<void> {
  const byTable = new Map<string, typeof marks[number][]>();
  for (const mark of marks) byTable.set(mark.table, [...(byTable.get(mark.table) ?? []), mark]);
  for (const [table, list] of byTable) {
    const rows = await gateway.readRows(table);
    for (const mark of list) {
      const current = rows[mark.row];
      if (current === undefined) continue;
      const next = current.map((v) => (typeof v === "string" ? textToCell(v) : v));
      next[columnIndex(table, "status")] = mark.status;
      if (table !== OPEN_ITEMS.table) next[columnIndex(table, "message")] = textToCell(mark.message ?? "");
      mark.update?.(next);
      const styles: RangeStyle[] = (mark.cells ?? []).map((p) => ({ fromRow: mark.row, toRow: mark.row, columns: [p.cell.column], style: { ...ERROR_STYLE, note: p.message } }));
      await gateway.writeRows(table, mark.row, [next], styles);
    }
  }
}

/** Shows the review's problems on their rows and cells. Returns how many rows have problems. */
export async function showProblems(gateway: WorkbookGateway, problems: readonly CellProblem[]): Promise<number> {
  const byRow = new Map<string, CellProblem[]>();
  for (const p of problems) byRow.set(`${p.cell.table}:${p.cell.row}`, [...(byRow.get(`${p.cell.table}:${p.cell.row}`) ?? []), p]);
  await markRows(
    gateway,
    [...byRow.values()].map((list) => {
      const first = list[0] as CellProblem;
      const message = list.map((p) => p.message).join("; ");
      return { table: first.cell.table, row: first.cell.row, status: first.cell.table === OPEN_ITEMS.table ? `Error: ${message}`.slice(0, 250) : "Error", message, cells: list };
    }),
  );
  return byRow.size;
}

// ---- pushing -------------------------------------------------------------------------------------

export async function loadFrozen(gateway: WorkbookGateway): Promise<FrozenPush | null> {
  const text = await gateway.getSetting(PENDING_PUSH_KEY);
  if (text === null || text === "") return null;
  try {
    return JSON.parse(text) as FrozenPush;
  } catch {
    return null;
  }
}

/** Writes the ids new rows were given and keeps the exact change set, before anything is sent. */
export async function freeze(gateway: WorkbookGateway, built: BuiltChanges, changeSetId: string, now: string): Promise<FrozenPush> {
  const byTable = new Map<string, { row: number; column: string; id: string }[]>();
  for (const a of built.assignedIds) byTable.set(a.cell.table, [...(byTable.get(a.cell.table) ?? []), { row: a.cell.row, column: a.cell.column, id: a.id }]);
  for (const [table, list] of byTable) {
    const rows = await gateway.readRows(table);
    for (const a of list) {
      const row = rows[a.row];
      if (row === undefined) continue;
      const next = row.map((v) => (typeof v === "string" ? textToCell(v) : v));
      next[columnIndex(table, a.column)] = a.id;
      await gateway.writeRows(table, a.row, [next], []);
    }
  }
  const fields: [string, CellRef][] = [];
  built.operations.forEach((op, index) => {
    const keys = new Set(["", ...Object.keys(op), ...("applications" in op ? (op.applications ?? []).flatMap((a, i) => [`applications.${i}`, ...Object.keys(a).map((k) => `applications.${i}.${k}`)]) : [])]);
    for (const key of keys) {
      const cell = built.cellOf(index, key);
      if (cell !== null) fields.push([`${index}:${key}`, cell]);
    }
  });
  const frozen: FrozenPush = { changeSet: { id: changeSetId, operations: [...built.operations] }, rows: built.rows, fields, frozenAt: now };
  await gateway.setSetting(PENDING_PUSH_KEY, JSON.stringify(frozen));
  return frozen;
}

function fieldsOf(frozen: FrozenPush): (index: number, field: string) => CellRef | null {
  const map = new Map(frozen.fields.map(([k, v]) => [k, v]));
  return (index, field) => {
    const parts = field.split(".");
    for (let n = parts.length; n >= 0; n--) {
      const hit = map.get(`${index}:${parts.slice(0, n).join(".")}`);
      if (hit !== undefined) return hit;
    }
    return null;
  };
}

/** Sends the frozen change set (dry run or for real), retrying transport failures a few times with the same id. */
export async function send(options: { client: ApiClient; frozen: FrozenPush; dryRun: boolean; attempts?: number; signal?: AbortSignal; wait?: (ms: number) => Promise<void> }): Promise<PushAnswer> {
  const attempts = options.attempts ?? 3;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.client.pushChangeSet(options.frozen.changeSet, { dryRun: options.dryRun, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    } catch (error) {
      const transport = error instanceof ApiError && (error.kind === "unreachable" || error.kind === "server" || error.kind === "malformed");
      if (!transport || attempt >= attempts) throw error;
      await wait(500 * 2 ** (attempt - 1));
    }
  }
}

/**
 * What a definitive answer means for the sheets: posted rows get their status,
 * versions and cleared intents; refused rows their errors; conflicting rows
 * the server's values. The frozen change set is let go.
 */
export async function settle(gateway: WorkbookGateway, frozen: FrozenPush, answer: PushAnswer): Promise<PushOutcome> {
  const cellOf = fieldsOf(frozen);
  if (answer.kind === "committed") {
    const versionByIndex = new Map(answer.committed.results.map((r) => [r.index, r]));
    await markRows(
      gateway,
      frozen.rows.map((row) => ({
        table: row.table,
        row: row.row,
        status: "Posted",
        message: "",
        update: (cells: CellValue[]) => {
          if (row.table === PAYMENTS.table) {
            const result = row.operations.map((i) => versionByIndex.get(i)).find((r) => r?.op === "receipt.create" || r?.op === "receipt.apply" || r?.op === "receipt.reverse");
            // Applying from a posted receipt moves its version too; the next apply from this row must state the new one.
            if ((result?.op === "receipt.create" || result?.op === "receipt.apply") && result.version !== null) cells[columnIndex(PAYMENTS.table, "version")] = result.version;
            if (result?.op === "receipt.reverse") {
              cells[columnIndex(PAYMENTS.table, "action")] = "";
              cells[columnIndex(PAYMENTS.table, "status")] = "Reversed";
            }
          }
          if (row.table === OPEN_ITEMS.table) {
            // What the clerk asked for has happened: the intents are cleared (refresh brings the new balances).
            for (const key of OPEN_ITEMS_EDITABLE) {
              cells[columnIndex(OPEN_ITEMS.table, key)] = "";
              cells[columnIndex(OPEN_ITEMS.table, `orig:${key}`)] = "";
            }
          }
        },
      })),
    );
    await gateway.setSetting(PENDING_PUSH_KEY, "");
    await gateway.setSetting(CONFLICTS_KEY, "");
    return { kind: "committed", message: `${answer.committed.replayed === true ? "Already posted (confirmed)" : "Posted"}: ${frozen.changeSet.operations.length} change(s) on ${frozen.rows.length} row(s)`, posted: frozen.rows.length, problems: [], conflicts: [] };
  }
  if (answer.kind === "invalid") {
    const problems = toCellProblems(answer.errors, cellOf);
    await showProblems(gateway, problems);
    await gateway.setSetting(PENDING_PUSH_KEY, "");
    return { kind: "refused", message: answer.message, posted: 0, problems, conflicts: [] };
  }
  if (answer.kind === "conflict") {
    const conflicts = answer.conflicts.map((c) => conflictCell(c, cellOf, frozen.changeSet.operations[c.index])).filter((c): c is StoredConflict => c !== null);
    await markRows(
      gateway,
      conflicts.map((c) => {
        const status = `Conflict: changed on server (v${c.expectedVersion} → v${c.currentVersion})`;
        // Open Items has no Message column: the server's values go into the status, beside the clerk's intent.
        return { table: c.cell.table, row: c.cell.row, status: c.cell.table === OPEN_ITEMS.table ? `${status}. ${describeCurrent(c.current)}`.slice(0, 250) : status, message: describeCurrent(c.current) };
      }),
    );
    await gateway.setSetting(CONFLICTS_KEY, JSON.stringify(conflicts));
    await gateway.setSetting(PENDING_PUSH_KEY, "");
    return { kind: "conflict", message: answer.message, posted: 0, problems: [], conflicts };
  }
  if (answer.kind === "mismatch") {
    await gateway.setSetting(PENDING_PUSH_KEY, "");
    return { kind: "mismatch", message: `${answer.message} (${answer.differences.slice(0, 3).join("; ")})`, posted: 0, problems: [], conflicts: [] };
  }
  throw new Error("a dry-run answer cannot settle a push");
}

function conflictCell(c: ConflictWire, cellOf: (index: number, field: string) => CellRef | null, operation: Operation | undefined): StoredConflict | null {
  // Point at the row of the entity that moved: the Open Items row of a document, else the operation's own row.
  const field = fieldNaming(operation, c.id);
  const cell = (field === null ? null : cellOf(c.index, field)) ?? cellOf(c.index, "") ?? (c.ref === null ? null : (() => {
    const ref = parseRef(c.ref);
    return ref === null ? null : { table: ref.table, row: ref.row, column: "status" };
  })());
  if (cell === null) return null;
  return { cell, entity: c.entity, id: c.id, expectedVersion: c.expectedVersion, currentVersion: c.currentVersion, current: c.current };
}

/** The field of an operation that names `id` ("applications.1.documentId", "receiptId", …), or null. */
function fieldNaming(operation: Operation | undefined, id: string): string | null {
  if (operation === undefined) return null;
  if ("applications" in operation) {
    const i = (operation.applications ?? []).findIndex((a) => a.documentId === id);
    if (i >= 0) return `applications.${i}.documentId`;
  }
  const fields = operation as Readonly<Record<string, unknown>>;
  return ["documentId", "receiptId", "creditMemoId", "disputeId"].find((key) => fields[key] === id) ?? null;
}

export function describeCurrent(current: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const value = (key: string) => {
    const v = current[key];
    return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : null;
  };
  if (value("open") !== null) parts.push(`open ${value("open") ?? ""}`);
  if (value("unapplied") !== null) parts.push(`unapplied ${value("unapplied") ?? ""}`);
  if (current.disputed === true) parts.push("disputed");
  if (value("version") !== null) parts.push(`version ${value("version") ?? ""}`);
  return `Server now: ${parts.join(", ")}`;
}

/** Stored conflicts, for the Review pane. */
export async function loadConflicts(gateway: WorkbookGateway): Promise<StoredConflict[]> {
  const text = await gateway.getSetting(CONFLICTS_KEY);
  if (text === null || text === "") return [];
  try {
    return JSON.parse(text) as StoredConflict[];
  } catch {
    return [];
  }
}

/**
 * Resolves one conflict. "mine": keep the clerk's intent, re-based on the
 * server's version (the next push checks it against the new state).
 * "server": drop the clerk's intent on that row; the next refresh shows the
 * server's values.
 */
export async function resolveConflict(gateway: WorkbookGateway, conflict: StoredConflict, choice: "mine" | "server"): Promise<void> {
  const table = conflict.cell.table;
  const rows = await gateway.readRows(table);
  const index = table === OPEN_ITEMS.table ? rows.findIndex((r) => cellToText(r[columnIndex(table, "id")] ?? null) === conflict.id) : conflict.cell.row;
  const row = rows[index < 0 ? conflict.cell.row : index];
  if (row === undefined) return;
  const at = index < 0 ? conflict.cell.row : index;
  const next = row.map((v) => (typeof v === "string" ? textToCell(v) : v));
  if (choice === "mine") {
    if (table === OPEN_ITEMS.table || table === PAYMENTS.table) next[columnIndex(table, "version")] = conflict.currentVersion;
    next[columnIndex(table, "status")] = "Edited (re-based on the server's version)";
  } else {
    if (table === OPEN_ITEMS.table) for (const key of OPEN_ITEMS_EDITABLE) next[columnIndex(table, key)] = "";
    if (table === PAYMENTS.table) next[columnIndex(table, "action")] = "";
    next[columnIndex(table, "status")] = "Server's kept";
  }
  await gateway.writeRows(table, at, [next], []);
  const remaining = (await loadConflicts(gateway)).filter((c) => !(c.id === conflict.id && c.entity === conflict.entity));
  await gateway.setSetting(CONFLICTS_KEY, remaining.length === 0 ? "" : JSON.stringify(remaining));
}

/** Running totals per receipt on the Payments sheet: applied, discount, write-off, unapplied. */
export async function writePaymentTotals(gateway: WorkbookGateway, built: BuiltChanges): Promise<void> {
  const rows = await gateway.readRows(PAYMENTS.table);
  const totals = new Map<number, { applied: Money; discount: Money; writeOff: Money; amount: Money }>();
  built.operations.forEach((op, index) => {
    if (op.op !== "receipt.create") return;
    const cell = built.cellOf(index, "amount");
    if (cell === null || cell.table !== PAYMENTS.table || !isCurrencyCode(op.currency)) return;
    const zero = Money.zero(op.currency);
    const sum = (key: "amount" | "discount" | "writeOff") => (op.applications ?? []).reduce((acc, a) => acc.add(Money.parse(a[key] ?? "0", op.currency)), zero);
    totals.set(cell.row, { amount: Money.parse(op.amount, op.currency), applied: sum("amount"), discount: sum("discount"), writeOff: sum("writeOff") });
  });
  for (const [row, t] of totals) {
    const current = rows[row];
    if (current === undefined) continue;
    const next = current.map((v) => (typeof v === "string" ? textToCell(v) : v));
    next[columnIndex(PAYMENTS.table, "applied")] = Number(t.applied.toString());
    next[columnIndex(PAYMENTS.table, "discount")] = Number(t.discount.toString());
    next[columnIndex(PAYMENTS.table, "writeOff")] = Number(t.writeOff.toString());
    next[columnIndex(PAYMENTS.table, "unapplied")] = Number(t.amount.subtract(t.applied).toString());
    await gateway.writeRows(PAYMENTS.table, row, [next], []);
  }
}

