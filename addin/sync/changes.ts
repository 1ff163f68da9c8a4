/**
 * Pending changes: what the clerk typed into the sheets, found by diffing
 * them against what was pulled, turned into one change set. Pure: rows in,
 * operations out, plus a map from every operation field back to the cell it
 * came from (so an error from the shared validator or the server lands on
 * the right cell) and the problems that stop a row before it becomes an
 * operation (text in an amount, an unknown customer, a "From" that names no
 * receipt).
 *
 * Sources of operations:
 * - Payments rows without an id: receipt.create, carrying the Open Items
 *   applications whose From names the row's reference.
 * - Payments rows that are posted, with Action "Reverse (NSF)": receipt.reverse.
 * - Open Items Apply / Discount / Write-off with From naming a posted
 *   receipt, unapplied cash or a credit memo: receipt.apply / creditMemo.apply;
 *   a write-off with no From: writeOff.create.
 * - Open Items Dispute: a reason code opens a dispute (amount: Dispute amt,
 *   else the open amount; note: New note); "resolve: <resolution>" resolves it.
 * - Open Items New note (when not a dispute's note): note.create on the document.
 * - Notes rows without an id: note.create, or promise.create for type promise.
 * - Reconcile rows with Decision "accept" (not yet posted): receipt.create
 *   recording the bank line (bankLineId), for the customer in Customer or
 *   else the suggested one, applied as Apply to says or else as suggested.
 *   "reject" and blank send nothing.
 */
import type { AllocationInput, ChangeSet, Operation } from "../../shared/changeset.js";
import { DISPUTE_REASONS, RECEIPT_METHODS } from "../../shared/changeset.js";
import { isCurrencyCode, parseCurrency } from "../../shared/currency.js";
import type { IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { cellToDate, cellToMoney, cellToText } from "../excel/cells.js";
import type { CellValue } from "../excel/gateway.js";
import { editedColumns } from "../sheets/open-items.js";
import { parseAllocations, RECONCILE_STATUS, suggestionOf } from "../sheets/reconcile.js";
import { NOTES, OPEN_ITEMS, PAYMENTS, RECONCILE } from "../sheets/specs.js";

export interface CellRef {
  readonly table: string;
  readonly row: number;
  readonly column: string;
}

export interface SheetRows {
  readonly openItems: readonly (readonly CellValue[])[];
  readonly payments: readonly (readonly CellValue[])[];
  readonly notes: readonly (readonly CellValue[])[];
  /** Bank lines with the clerk's decisions; absent when the workbook has no Reconcile sheet. */
  readonly reconcile?: readonly (readonly CellValue[])[];
}

export interface CustomerRef {
  readonly id: string;
  readonly number: string;
  readonly currency: string;
}

export interface BuildContext {
  readonly today: IsoDate;
  /** A new, unique id (a UUID in the pane; predictable in tests). */
  readonly newId: () => string;
  /** Customers by number, for Payments and Notes rows (Open Items rows carry their customer). */
  readonly customers: ReadonlyMap<string, CustomerRef>;
}

/** One row's worth of pending work, as the Review pane lists it. */
export interface PendingRow {
  readonly table: string;
  readonly row: number;
  readonly ref: string;
  readonly summary: string;
  readonly operations: readonly number[];
}

export interface Problem {
  readonly cell: CellRef;
  readonly message: string;
}

export interface BuiltChanges {
  readonly operations: readonly Operation[];
  readonly rows: readonly PendingRow[];
  readonly problems: readonly Problem[];
  /** Ids given to new rows; written into their hidden id cells before pushing, so a retry reuses them. */
  readonly assignedIds: readonly { cell: CellRef; id: string }[];
  /** The cell an operation's field came from; `fieldPath` as the validator reports it, e.g. "applications.1.amount". */
  readonly cellOf: (operationIndex: number, fieldPath: string) => CellRef | null;
}

const REVERSE_ACTIONS = new Set(["reverse", "reverse (nsf)", "nsf", "returned"]);
const RESOLUTIONS = ["credited", "rejected", "paid", "withdrawn", "other"] as const;
const REASON_BY_LABEL = new Map<string, (typeof DISPUTE_REASONS)[number]>([
  ...DISPUTE_REASONS.map((r) => [r.toLowerCase(), r] as const),
  ["damaged goods", "damagedGoods"],
  ["damaged", "damagedGoods"],
  ["not received", "notReceived"],
  ["duplicate billing", "duplicateBilling"],
  ["duplicate", "duplicateBilling"],
]);

export function refOf(table: string, row: number): string {
  return `${table}:${row}`;
}

export function parseRef(ref: string | null): { table: string; row: number } | null {
  const match = ref === null ? null : /^(.+):(\d+)$/.exec(ref);
  return match === null ? null : { table: match[1] ?? "", row: Number(match[2]) };
}

class Reader {
  readonly #index: Map<string, number>;
  constructor(
    readonly table: string,
    keys: readonly string[],
  ) {
    this.#index = new Map(keys.map((k, i) => [k, i]));
  }
  cell(row: readonly CellValue[], key: string): CellValue {
    const i = this.#index.get(key);
    if (i === undefined) throw new Error(`${this.table} has no column ${key}`);
    return row[i] ?? null;
  }
  text(row: readonly CellValue[], key: string): string {
    return cellToText(this.cell(row, key)).trim();
  }
}

const openItems = new Reader(OPEN_ITEMS.table, OPEN_ITEMS.columns.map((c) => c.key));
const payments = new Reader(PAYMENTS.table, PAYMENTS.columns.map((c) => c.key));
const notes = new Reader(NOTES.table, NOTES.columns.map((c) => c.key));
const reconcile = new Reader(RECONCILE.table, RECONCILE.columns.map((c) => c.key));
const ACCEPT = new Set(["accept", "accepted", "yes", "y"]);
const REJECT = new Set(["reject", "rejected", "no", "n"]);

const keyOf = (text: string) => text.trim().toLowerCase();

interface Source {
  readonly kind: "newReceipt" | "receipt" | "creditMemo";
  /** Row of the source (Payments or Open Items). */
  readonly cell: CellRef;
  readonly id: string;
  readonly version: number | null;
  readonly currency: string;
  readonly customerId: string;
  /** The reference or document number the clerk names it by. */
  readonly name?: string;
}

interface Draft {
  readonly op: Operation;
  /** The row the operation belongs to (its `ref`). */
  readonly row: { table: string; row: number };
  readonly summary: string;
  /** Field path → cell, e.g. "applications.0.amount" → the Apply cell of that invoice's row. */
  readonly cells: Record<string, CellRef>;
  /** Other rows this operation settles (Open Items rows paid from a receipt). */
  readonly alsoRows: readonly number[];
}

export function buildChanges(sheets: SheetRows, context: BuildContext): BuiltChanges {
  const problems: Problem[] = [];
  const assignedIds: { cell: CellRef; id: string }[] = [];
  // Operations in push order: new receipts first, then what applies, writes off, disputes and notes, then Notes rows.
  const receiptDrafts: Draft[] = [];
  const drafts: Draft[] = [];
  const noteDrafts: Draft[] = [];

  const problem = (cell: CellRef, message: string) => problems.push({ cell, message });
  const addOperation = (op: Operation, row: { table: string; row: number }, summary: string, cells: Record<string, CellRef>): void => {
    drafts.push({ op, row, summary, cells, alsoRows: [] });
  };
  const money = (value: CellValue, currency: string, cell: CellRef, label: string): Money | null => {
    try {
      return cellToMoney(value, parseCurrency(currency), label);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      problem(cell, typeof value === "string" && !/^-?[\d.,\s]+$/.test(value) ? `${label}: "${value}" is not an amount` : error.message);
      return null;
    }
  };
  const date = (value: CellValue, cell: CellRef, label: string): IsoDate | null => {
    try {
      return cellToDate(value, label);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      problem(cell, `${label}: ${typeof value === "string" ? `"${value}" is not a date (YYYY-MM-DD)` : error.message}`);
      return null;
    }
  };
  const customer = (number: string, cell: CellRef): CustomerRef | null => {
    if (number === "") {
      problem(cell, "which customer? Type the customer number");
      return null;
    }
    const found = context.customers.get(number) ?? context.customers.get(number.toUpperCase());
    if (found === undefined) problem(cell, `customer ${number} is not known to the ledger`);
    return found ?? null;
  };

  // ---- Payments: new receipts (their applications come from Open Items) and reversals ----------
  const sources = new Map<string, Source | "ambiguous">();
  const claim = (key: string, unnamed: Source) => {
    if (key === "") return;
    const source: Source = { ...unnamed, name: key };
    const earlier = sources.get(keyOf(key));
    // A posted Payments row and its unapplied cash in Open Items are one receipt, not two: keep the newer version either row knows.
    if (earlier !== undefined && earlier !== "ambiguous" && earlier.id === source.id && earlier.kind !== "newReceipt" && source.kind !== "newReceipt") {
      sources.set(keyOf(key), (source.version ?? 0) > (earlier.version ?? 0) ? source : earlier);
      return;
    }
    sources.set(keyOf(key), earlier === undefined ? source : "ambiguous");
  };
  interface NewReceipt {
    row: number;
    op: Extract<Operation, { op: "receipt.create" }>;
    applications: AllocationInput[];
    cells: Record<string, CellRef>;
    alsoRows: number[];
  }
  const newReceipts = new Map<string, NewReceipt>();
  sheets.payments.forEach((row, r) => {
    const at = (column: string): CellRef => ({ table: PAYMENTS.table, row: r, column });
    const id = payments.text(row, "id");
    const reference = payments.text(row, "reference");
    // Posted rows have the server's version; a row with an id but no version was given its id for a push not yet confirmed.
    const posted = id !== "" && numberOrNull(payments.cell(row, "version")) !== null;
    if (posted) {
      // Posted: the clerk can only reverse it (and apply what is left of it from Open Items).
      const currency = payments.text(row, "currency");
      const number = payments.text(row, "customer");
      claim(reference, { kind: "receipt", cell: at("reference"), id, version: numberOrNull(payments.cell(row, "version")), currency, customerId: context.customers.get(number)?.id ?? "" });
      const action = keyOf(payments.text(row, "action"));
      if (action === "") return;
      if (!REVERSE_ACTIONS.has(action)) {
        problem(at("action"), `"${payments.text(row, "action")}" is not an action; type "Reverse (NSF)" to reverse this receipt`);
        return;
      }
      const version = numberOrNull(payments.cell(row, "version"));
      addOperation(
        { op: "receipt.reverse", ref: refOf(PAYMENTS.table, r), id: context.newId(), receiptId: id, ...(version === null ? {} : { receiptVersion: version }), date: context.today, reason: "Returned (NSF)" },
        { table: PAYMENTS.table, row: r },
        `reverse receipt ${reference || id}`,
        { receiptId: at("reference"), date: at("action"), "": at("action") },
      );
      return;
    }
    const blank = ["date", "customer", "amount", "reference"].every((k) => payments.text(row, k) === "");
    if (blank) return;
    const cust = customer(payments.text(row, "customer"), at("customer"));
    const currencyText = payments.text(row, "currency").toUpperCase() || cust?.currency || "";
    if (currencyText !== "" && !isCurrencyCode(currencyText)) problem(at("currency"), `"${currencyText}" is not a currency code such as USD`);
    const received = date(payments.cell(row, "date"), at("date"), "date");
    if (payments.text(row, "date") === "") problem(at("date"), "date: when was it received?");
    const amount = cust === null || !isCurrencyCode(currencyText) ? null : money(payments.cell(row, "amount"), currencyText, at("amount"), "amount");
    if (payments.text(row, "amount") === "") problem(at("amount"), "amount: how much was received?");
    const methodText = keyOf(payments.text(row, "method") || "check");
    const method = RECEIPT_METHODS.find((m) => m === methodText);
    if (method === undefined) problem(at("method"), `method "${payments.text(row, "method")}" is not one of ${RECEIPT_METHODS.join(", ")}`);
    if (cust === null || received === null || amount === null || method === undefined || !isCurrencyCode(currencyText)) return;
    // A retried push reuses the id this row was given the first time, so the receipt lands once.
    const receiptId = id === "" ? context.newId() : id;
    if (id === "") assignedIds.push({ cell: at("id"), id: receiptId });
    const op: Extract<Operation, { op: "receipt.create" }> = {
      op: "receipt.create",
      ref: refOf(PAYMENTS.table, r),
      id: receiptId,
      customerId: cust.id,
      date: received,
      amount: amount.toString(),
      currency: currencyText,
      method,
      reference,
    };
    const cells = { customerId: at("customer"), date: at("date"), amount: at("amount"), currency: at("currency"), method: at("method"), reference: at("reference"), "": at("amount") };
    newReceipts.set(receiptId, { row: r, op, applications: [], cells, alsoRows: [] });
    claim(reference, { kind: "newReceipt", cell: at("reference"), id: receiptId, version: null, currency: currencyText, customerId: cust.id });
  });

  // Unapplied cash and credit memos in Open Items can be applied too.
  sheets.openItems.forEach((row, r) => {
    const kind = openItems.text(row, "kind");
    if (kind !== "unappliedCash" && kind !== "creditMemo") return;
    claim(openItems.text(row, "number"), {
      kind: kind === "unappliedCash" ? "receipt" : "creditMemo",
      cell: { table: OPEN_ITEMS.table, row: r, column: "number" },
      id: openItems.text(row, "id"),
      version: numberOrNull(openItems.cell(row, "version")),
      currency: openItems.text(row, "currency"),
      customerId: openItems.text(row, "customerId"),
    });
  });

  // ---- Open Items: applications, write-offs, disputes, notes -----------------------------------
  interface Apply {
    source: Source;
    applications: { allocation: AllocationInput; row: number }[];
  }
  const applies = new Map<string, Apply>();
  sheets.openItems.forEach((row, r) => {
    const edited = editedColumns(row);
    if (edited.length === 0) return;
    const at = (column: string): CellRef => ({ table: OPEN_ITEMS.table, row: r, column });
    const documentId = openItems.text(row, "id");
    const kind = openItems.text(row, "kind");
    const number = openItems.text(row, "number");
    const currency = openItems.text(row, "currency");
    const version = numberOrNull(openItems.cell(row, "version"));
    const customerId = openItems.text(row, "customerId");
    const isDocument = kind === "invoice" || kind === "debitMemo";
    const has = (key: string) => edited.includes(key);
    const note = openItems.text(row, "note");

    // Settlement: apply / discount / write-off.
    if (has("apply") || has("discount") || has("writeOff")) {
      const apply = has("apply") ? money(openItems.cell(row, "apply"), currency, at("apply"), "Apply") : null;
      const discount = has("discount") ? money(openItems.cell(row, "discount"), currency, at("discount"), "Discount") : null;
      const writeOff = has("writeOff") ? money(openItems.cell(row, "writeOff"), currency, at("writeOff"), "Write-off") : null;
      const reason = openItems.text(row, "writeOffReason");
      const from = openItems.text(row, "from");
      const failed = (has("apply") && apply === null) || (has("discount") && discount === null) || (has("writeOff") && writeOff === null);
      if (!isDocument) problem(at(has("apply") ? "apply" : has("discount") ? "discount" : "writeOff"), `${number} is a ${kind === "creditMemo" ? "credit memo" : "unapplied payment"}: name it in From on the invoices it pays instead`);
      else if (!failed && from === "" && apply === null && discount === null && writeOff !== null) {
        addOperation(
          { op: "writeOff.create", ref: refOf(OPEN_ITEMS.table, r), id: context.newId(), documentId, ...(version === null ? {} : { documentVersion: version }), date: context.today, amount: writeOff.toString(), reason },
          { table: OPEN_ITEMS.table, row: r },
          `write off ${writeOff.format()} ${currency} of ${number}`,
          { amount: at("writeOff"), reason: at("writeOffReason"), documentId: at("number"), date: at("writeOff"), "": at("writeOff") },
        );
      } else if (!failed && from === "") {
        problem(at("from"), "From: which payment or credit pays this? Type the receipt's reference or the credit memo's number");
      } else if (!failed) {
        const source = sources.get(keyOf(from));
        if (source === undefined) problem(at("from"), `From: no payment, unapplied cash or credit memo called "${from}"`);
        else if (source === "ambiguous") problem(at("from"), `From: more than one payment is called "${from}"; give them different references`);
        else {
          const allocation: AllocationInput = {
            documentId,
            ...(version === null ? {} : { documentVersion: version }),
            amount: apply === null ? "0" : apply.toString(),
            ...(discount === null ? {} : { discount: discount.toString() }),
            ...(writeOff === null ? {} : { writeOff: writeOff.toString(), writeOffReason: reason }),
          };
          const entry = applies.get(source.id) ?? { source, applications: [] };
          entry.applications.push({ allocation, row: r });
          applies.set(source.id, entry);
        }
      }
    }

    // Disputes.
    const dispute = openItems.text(row, "dispute");
    let noteUsed = false;
    if (has("dispute") && dispute !== "") {
      const resolve = /^resolve\s*:?\s*(.*)$/i.exec(dispute);
      if (resolve !== null) {
        const resolution = RESOLUTIONS.find((x) => x === keyOf(resolve[1] ?? ""));
        const disputeId = openItems.text(row, "disputeId");
        if (resolution === undefined) problem(at("dispute"), `"${dispute}": resolve as one of ${RESOLUTIONS.map((x) => `resolve: ${x}`).join(", ")}`);
        else if (disputeId === "") problem(at("dispute"), `${number} has no open dispute to resolve`);
        else {
          addOperation(
            { op: "dispute.resolve", ref: refOf(OPEN_ITEMS.table, r), disputeId, resolution, note },
            { table: OPEN_ITEMS.table, row: r },
            `resolve the dispute on ${number} (${resolution})`,
            { disputeId: at("dispute"), resolution: at("dispute"), note: at("note"), "": at("dispute") },
          );
          noteUsed = true;
        }
      } else {
        const reasonCode = REASON_BY_LABEL.get(keyOf(dispute));
        const amount = has("disputeAmount") ? money(openItems.cell(row, "disputeAmount"), currency, at("disputeAmount"), "Dispute amount") : null;
        const open = money(openItems.cell(row, "open"), currency, at("open"), "Open");
        if (reasonCode === undefined) problem(at("dispute"), `"${dispute}" is not a dispute reason: ${DISPUTE_REASONS.join(", ")}`);
        else if (!isDocument) problem(at("dispute"), `${number} is not an invoice or debit memo; only those can be disputed`);
        else if (!(has("disputeAmount") && amount === null) && open !== null) {
          addOperation(
            { op: "dispute.open", ref: refOf(OPEN_ITEMS.table, r), id: context.newId(), documentId, ...(version === null ? {} : { documentVersion: version }), reasonCode, amount: (amount ?? open).toString(), note },
            { table: OPEN_ITEMS.table, row: r },
            `dispute ${number} (${reasonCode})`,
            { reasonCode: at("dispute"), amount: at(amount === null ? "dispute" : "disputeAmount"), note: at("note"), documentId: at("number"), "": at("dispute") },
          );
          noteUsed = true;
        }
      }
    } else if (has("disputeAmount")) {
      problem(at("dispute"), "Dispute: choose a reason (pricing, quantity, damaged goods, not received, duplicate billing, other)");
    }

    // A note on its own.
    if (has("note") && note !== "" && !noteUsed) {
      addOperation(
        { op: "note.create", ref: refOf(OPEN_ITEMS.table, r), id: context.newId(), customerId, ...(isDocument || kind === "creditMemo" ? { documentId } : {}), kind: "note", body: note },
        { table: OPEN_ITEMS.table, row: r },
        `note on ${number}`,
        { body: at("note"), "": at("note") },
      );
    }
    if (has("writeOffReason") && !has("writeOff") && !has("apply") && !has("discount")) problem(at("writeOff"), "W/O reason given without a Write-off amount");
    if (has("from") && !has("writeOff") && !has("apply") && !has("discount")) problem(at("apply"), `From "${openItems.text(row, "from")}" given without an amount to Apply`);
  });

  // New receipts carry their applications; others become receipt.apply / creditMemo.apply.
  const allocationCells = (i: number, row: number): Record<string, CellRef> => {
    const at = (column: string): CellRef => ({ table: OPEN_ITEMS.table, row, column });
    return {
      [`applications.${i}.amount`]: at("apply"),
      [`applications.${i}.discount`]: at("discount"),
      [`applications.${i}.writeOff`]: at("writeOff"),
      [`applications.${i}.writeOffReason`]: at("writeOffReason"),
      [`applications.${i}.documentId`]: at("number"),
      [`applications.${i}`]: at("apply"),
    };
  };
  for (const [sourceId, entry] of applies) {
    const pending = newReceipts.get(sourceId);
    if (pending !== undefined) {
      entry.applications.forEach(({ allocation, row }, i) => {
        pending.applications.push(allocation);
        Object.assign(pending.cells, allocationCells(i, row));
        pending.alsoRows.push(row);
      });
      continue;
    }
    const { source } = entry;
    const allocations = entry.applications.map((a) => a.allocation);
    const op: Operation =
      source.kind === "creditMemo"
        ? { op: "creditMemo.apply", ref: refOf(source.cell.table, source.cell.row), creditMemoId: source.id, ...(source.version === null ? {} : { creditMemoVersion: source.version }), date: context.today, applications: allocations }
        : { op: "receipt.apply", ref: refOf(source.cell.table, source.cell.row), receiptId: source.id, ...(source.version === null ? {} : { receiptVersion: source.version }), date: context.today, applications: allocations };
    const cells: Record<string, CellRef> = { "": source.cell, receiptId: source.cell, creditMemoId: source.cell, date: source.cell };
    entry.applications.forEach(({ row }, i) => Object.assign(cells, allocationCells(i, row)));
    drafts.push({ op, row: source.cell, summary: `apply ${source.kind === "creditMemo" ? "credit" : "payment"} ${sourceName(source)} to ${entry.applications.length} item(s)`, cells, alsoRows: entry.applications.map((a) => a.row) });
  }
  for (const receipt of newReceipts.values()) {
    receiptDrafts.push({
      op: receipt.applications.length === 0 ? receipt.op : { ...receipt.op, applications: receipt.applications },
      row: { table: PAYMENTS.table, row: receipt.row },
      summary: `receipt ${receipt.op.reference === "" ? "" : `${receipt.op.reference}: `}${receipt.op.amount} ${receipt.op.currency}${receipt.applications.length === 0 ? "" : `, applied to ${receipt.applications.length} item(s)`}`,
      cells: receipt.cells,
      alsoRows: receipt.alsoRows,
    });
  }

  // ---- Reconcile sheet: accepted bank lines become receipts ------------------------------------
  (sheets.reconcile ?? []).forEach((row, r) => {
    const at = (column: string): CellRef => ({ table: RECONCILE.table, row: r, column });
    if (keyOf(reconcile.text(row, "status")) === keyOf(RECONCILE_STATUS.posted) || keyOf(reconcile.text(row, "status")) === keyOf(RECONCILE_STATUS.matched)) return;
    const decision = keyOf(reconcile.text(row, "decision"));
    if (decision === "" || REJECT.has(decision)) return;
    if (!ACCEPT.has(decision)) {
      problem(at("decision"), `Decision: "${reconcile.text(row, "decision")}" is not accept or reject (leave it blank to decide later)`);
      return;
    }
    const bankLineId = reconcile.text(row, "id");
    const currencyText = reconcile.text(row, "currency").toUpperCase();
    if (bankLineId === "" || !isCurrencyCode(currencyText)) {
      problem(at("decision"), "this row is not an imported bank line; import the statement again");
      return;
    }
    const amount = money(reconcile.cell(row, "amount"), currencyText, at("amount"), "amount");
    if (amount !== null && !amount.isPositive()) {
      problem(at("decision"), `a debit of ${amount.abs().format()} ${currencyText} is money paid out, not a receipt: reject it or leave it blank`);
      return;
    }
    const received = date(reconcile.cell(row, "date"), at("date"), "date");
    const suggestion = suggestionOf(reconcile.text(row, "suggestion"));
    const typedCustomer = reconcile.text(row, "customer");
    let customerId: string | null = null;
    let customerCell = at("customer");
    if (typedCustomer !== "") {
      customerId = customer(typedCustomer, at("customer"))?.id ?? null;
    } else if (suggestion?.customerId !== null && suggestion?.customerId !== undefined) {
      customerId = suggestion.customerId;
      customerCell = at("suggestedCustomer");
    } else {
      problem(at("customer"), "Customer: no customer was suggested for this line; type the customer number");
    }
    const sameCustomer = suggestion !== null && customerId !== null && customerId === suggestion.customerId;
    // Apply to wins; without it the suggestion's allocations go, but only to the customer they were suggested for.
    const typedApply = reconcile.text(row, "applyTo");
    let applications: AllocationInput[] = [];
    const applyCell = typedApply === "" ? at("suggested") : at("applyTo");
    let applyFailed = false;
    if (typedApply !== "") {
      try {
        const parsed = parseAllocations(typedApply, parseCurrency(currencyText));
        for (const part of parsed) {
          const suggested = suggestion?.allocations.find((a) => keyOf(a.documentNumber) === keyOf(part.number));
          const pulled = sheets.openItems.find((o) => keyOf(openItems.text(o, "number")) === keyOf(part.number) && (customerId === null || openItems.text(o, "customerId") === customerId));
          const documentId = suggested?.documentId ?? (pulled === undefined ? null : openItems.text(pulled, "id"));
          const version = suggested?.documentVersion ?? (pulled === undefined ? null : numberOrNull(openItems.cell(pulled, "version")));
          if (documentId === null) {
            problem(at("applyTo"), `Apply to: ${part.number} is neither in the suggestion nor among the pulled open items; pull Open Items first`);
            applyFailed = true;
            continue;
          }
          applications.push({
            documentId,
            ...(version === null ? {} : { documentVersion: version }),
            amount: part.amount.toString(),
            ...(part.discount === null ? {} : { discount: part.discount.toString() }),
            ...(part.writeOff === null ? {} : { writeOff: part.writeOff.toString(), writeOffReason: suggested?.writeOffReason ?? "short pay" }),
          });
        }
      } catch (error) {
        if (!isDomainError(error)) throw error;
        problem(at("applyTo"), error.message);
        applyFailed = true;
      }
    } else if (sameCustomer) {
      applications = suggestion.allocations.map((a) => ({
        documentId: a.documentId,
        ...(a.documentVersion === null ? {} : { documentVersion: a.documentVersion }),
        amount: a.amount,
        ...(Money.parse(a.discount, currencyText).isZero() ? {} : { discount: a.discount }),
        ...(Money.parse(a.writeOff, currencyText).isZero() ? {} : { writeOff: a.writeOff, writeOffReason: a.writeOffReason ?? "short pay" }),
      }));
    }
    if (customerId === null || amount === null || received === null || applyFailed) return;
    const methodText = keyOf(reconcile.text(row, "method"));
    const method = RECEIPT_METHODS.find((m) => m === methodText) ?? "ach";
    const givenId = reconcile.text(row, "receiptId");
    const receiptId = givenId === "" ? context.newId() : givenId;
    if (givenId === "") assignedIds.push({ cell: at("receiptId"), id: receiptId });
    const reference = reconcile.text(row, "reference");
    const op: Extract<Operation, { op: "receipt.create" }> = {
      op: "receipt.create",
      ref: refOf(RECONCILE.table, r),
      id: receiptId,
      customerId,
      date: received,
      amount: amount.toString(),
      currency: currencyText,
      method,
      reference,
      ...(applications.length === 0 ? {} : { applications }),
      bankLineId,
    };
    const cells: Record<string, CellRef> = { customerId: customerCell, date: at("date"), amount: at("amount"), currency: at("currency"), method: at("decision"), reference: at("reference"), bankLineId: at("decision"), "": at("decision") };
    applications.forEach((_a, i) => {
      for (const key of ["", ".amount", ".discount", ".writeOff", ".writeOffReason", ".documentId", ".documentVersion"]) cells[`applications.${i}${key}`] = applyCell;
    });
    receiptDrafts.push({
      op,
      row: { table: RECONCILE.table, row: r },
      summary: `bank line ${reference === "" ? `row ${r + 2}` : reference}: receipt ${amount.toString()} ${currencyText}${applications.length === 0 ? ", unapplied" : `, applied to ${applications.length} item(s)`}`,
      cells,
      alsoRows: [],
    });
  });

  // ---- Notes sheet -----------------------------------------------------------------------------
  sheets.notes.forEach((row, r) => {
    const at = (column: string): CellRef => ({ table: NOTES.table, row: r, column });
    if (keyOf(notes.text(row, "status")) === "posted") return;
    const givenId = notes.text(row, "id");
    const text = notes.text(row, "text");
    const type = keyOf(notes.text(row, "type") || "note");
    if (["customer", "document", "text", "promiseAmount", "promiseDate"].every((k) => notes.text(row, k) === "")) return;
    const cust = customer(notes.text(row, "customer"), at("customer"));
    const documentNumber = notes.text(row, "document");
    const documentRow = documentNumber === "" ? undefined : sheets.openItems.find((o) => keyOf(openItems.text(o, "number")) === keyOf(documentNumber) && (cust === null || openItems.text(o, "customerId") === cust.id));
    if (documentNumber !== "" && documentRow === undefined) problem(at("document"), `document ${documentNumber} is not among this customer's open items`);
    const documentId = documentRow === undefined ? undefined : openItems.text(documentRow, "id");
    const followUp = notes.text(row, "followUp") === "" ? null : date(notes.cell(row, "followUp"), at("followUp"), "Follow-up");
    if (type !== "promise" && !["call", "email", "letter", "note"].includes(type)) {
      problem(at("type"), `type "${notes.text(row, "type")}" is not one of call, email, letter, note, promise`);
      return;
    }
    if (cust === null) return;
    // A row with a problem sends nothing: not a note filed on the customer instead of the document, nor one without its follow-up.
    const failed = (documentNumber !== "" && documentRow === undefined) || (notes.text(row, "followUp") !== "" && followUp === null);
    const idOfRow = () => (givenId === "" ? context.newId() : givenId);
    if (type === "promise") {
      const currency = documentRow === undefined ? cust.currency : openItems.text(documentRow, "currency");
      const amount = money(notes.cell(row, "promiseAmount"), currency, at("promiseAmount"), "Promise amount");
      if (notes.text(row, "promiseAmount") === "") problem(at("promiseAmount"), "Promise amount: how much did they promise?");
      const promised = date(notes.cell(row, "promiseDate"), at("promiseDate"), "Promise date");
      if (notes.text(row, "promiseDate") === "") problem(at("promiseDate"), "Promise date: by when?");
      if (failed || amount === null || promised === null || notes.text(row, "promiseAmount") === "" || notes.text(row, "promiseDate") === "") return;
      const id = idOfRow();
      if (givenId === "") assignedIds.push({ cell: at("id"), id });
      noteDrafts.push({
        op: { op: "promise.create", ref: refOf(NOTES.table, r), id, customerId: cust.id, ...(documentId === undefined ? {} : { documentId }), amount: amount.toString(), currency, promisedDate: promised, ...(text === "" ? {} : { body: text }), ...(followUp === null ? {} : { followUpDate: followUp }) },
        row: { table: NOTES.table, row: r },
        summary: `promise ${amount.format()} ${currency} by ${promised}`,
        cells: cellsOf(at, { amount: "promiseAmount", promisedDate: "promiseDate", followUpDate: "followUp", body: "text", customerId: "customer", documentId: "document", "": "text" }),
        alsoRows: [],
      });
      return;
    }
    if (text === "") {
      problem(at("text"), "Note: what was said?");
      return;
    }
    if (failed) return;
    const id = idOfRow();
    if (givenId === "") assignedIds.push({ cell: at("id"), id });
    noteDrafts.push({
      op: { op: "note.create", ref: refOf(NOTES.table, r), id, customerId: cust.id, ...(documentId === undefined ? {} : { documentId }), kind: type as "call" | "email" | "letter" | "note", body: text, ...(followUp === null ? {} : { followUpDate: followUp }) },
      row: { table: NOTES.table, row: r },
      summary: `${type} with ${cust.number}`,
      cells: cellsOf(at, { body: "text", kind: "type", followUpDate: "followUp", customerId: "customer", documentId: "document", "": "text" }),
      alsoRows: [],
    });
  });

  // Assemble in push order, numbering operations and indexing their cells and rows.
  const operations: Operation[] = [];
  const fields = new Map<string, CellRef>();
  const byRow = new Map<string, PendingRow & { operations: number[]; summaries: string[] }>();
  const touch = (table: string, row: number, index: number, summary: string) => {
    const ref = refOf(table, row);
    const entry = byRow.get(ref) ?? { table, row, ref, summary: "", summaries: [], operations: [] };
    if (!entry.operations.includes(index)) entry.operations.push(index);
    if (!entry.summaries.includes(summary)) entry.summaries.push(summary);
    byRow.set(ref, entry);
  };
  for (const draft of [...receiptDrafts, ...drafts, ...noteDrafts]) {
    const index = operations.length;
    operations.push(draft.op);
    for (const [path, cell] of Object.entries(draft.cells)) fields.set(`${index}:${path}`, cell);
    touch(draft.row.table, draft.row.row, index, draft.summary);
    for (const row of draft.alsoRows) touch(OPEN_ITEMS.table, row, index, draft.summary);
  }

  return {
    operations,
    rows: [...byRow.values()].map(({ summaries, ...row }) => ({ ...row, summary: summaries.join("; ") })),
    problems,
    assignedIds,
    cellOf: (index, fieldPath) => {
      const parts = fieldPath.split(".");
      for (let n = parts.length; n >= 0; n--) {
        const hit = fields.get(`${index}:${parts.slice(0, n).join(".")}`);
        if (hit !== undefined) return hit;
      }
      return null;
    },
  };
}

/** The change set to push, or null when nothing is pending. */
export function toChangeSet(id: string, built: BuiltChanges): ChangeSet | null {
  return built.operations.length === 0 ? null : { id, operations: [...built.operations] };
}

function numberOrNull(value: CellValue): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

function cellsOf(at: (column: string) => CellRef, columns: Record<string, string>): Record<string, CellRef> {
  return Object.fromEntries(Object.entries(columns).map(([path, column]) => [path, at(column)]));
}

/** How the clerk knows the source: the reference or number they typed in From. */
function sourceName(source: Source): string {
  return source.name ?? (source.cell.table === PAYMENTS.table ? `on Payments row ${source.cell.row + 2}` : source.id);
}
