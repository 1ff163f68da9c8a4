/**
 * Refresh: ask the change feed what changed since the last pull and merge it
 * into Open Items, row by row. Read-only columns take the server's values;
 * cells the clerk edited and has not pushed are never overwritten. A row the
 * server changed under such an edit keeps the version the edit was based on
 * and is flagged (so pushing it shows the conflict); a row that is no longer
 * open but carries edits is kept and flagged instead of removed.
 */
import { parseCurrency } from "../../shared/currency.js";
import type { IsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import type { CellValue, WorkbookGateway } from "../excel/gateway.js";
import { cellToDate, cellToText, textToCell } from "../excel/cells.js";
import {
  ageRow,
  bucketLabels,
  editedColumns,
  openItemRow,
  rewritable,
  rowCell,
  rowId,
  rowVersion,
  STATUS,
  TYPE_LABELS,
  type AgingView,
} from "../sheets/open-items.js";
import { OPEN_ITEMS, OPEN_ITEMS_EDITABLE } from "../sheets/specs.js";
import { ApiError, type ApiClient } from "./api-client.js";
import { pull, writeAging, type Progress } from "./pull.js";
import { KEYS, loadLastPull, saveLastPull, type SavedPull } from "./workbook-state.js";
import { customerDataWire, documentDataWire, noteDataWire, receiptDataWire, type ChangesWire, type OpenItemWire } from "./wire.js";

type Change = ChangesWire["changes"][number];

export interface MergeResult {
  /** Row index → new row values. */
  readonly updates: Map<number, CellValue[]>;
  readonly appends: CellValue[][];
  /** Row indexes to remove (items no longer open, without local edits). */
  readonly deletes: number[];
  readonly summary: { updated: number; added: number; removed: number; clashes: number; keptGone: number };
}

export interface MergeFilters {
  readonly customerId?: string | undefined;
  readonly currency?: string | undefined;
  readonly collector?: string | undefined;
}

const col = (key: string) => OPEN_ITEMS.columns.findIndex((c) => c.key === key);

/** A change whose data the add-in cannot read: reported, never guessed at (taking it as a removal would drop rows). */
function malformed(change: Change, issue: { path: readonly PropertyKey[]; message: string } | undefined): ApiError {
  const where = issue === undefined ? "" : `${issue.path.map(String).join(".")}: ${issue.message}`;
  return new ApiError("malformed", `the server's change feed was not understood (${change.entity} ${change.id}, change ${change.seq}${where === "" ? "" : `, ${where}`})`);
}

/**
 * Pure merge of change-feed entries into the current Open Items rows.
 * `reageAll`: the as-of date moved (mode "today" on a later day), so every
 * row's days and bucket are recomputed, not only the rows the feed touched.
 */
export function mergeChanges(
  rows: readonly (readonly CellValue[])[],
  changes: readonly Change[],
  view: AgingView,
  filters: MergeFilters,
  options: { readonly reageAll?: boolean } = {},
): MergeResult {
  const labels = bucketLabels(view);
  const byId = new Map<string, number>();
  rows.forEach((row, i) => byId.set(rowId(row), i));
  // Row indexes per customer, so a rename or a customer note touches only that customer's rows.
  const byCustomer = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const id = cellToText(rowCell(row, "customerId"));
    const list = byCustomer.get(id);
    if (list === undefined) byCustomer.set(id, [i]);
    else list.push(i);
  });
  const customers = new Map<string, { number: string; name: string; collector: string | null }>();
  for (const row of rows) {
    const id = cellToText(rowCell(row, "customerId"));
    if (!customers.has(id)) customers.set(id, { number: cellToText(rowCell(row, "customerNumber")), name: cellToText(rowCell(row, "customerName")), collector: null });
  }
  // Latest state per entity wins; customers first so new documents find their names.
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(`${change.entity}:${change.id}`, change);
  for (const change of latest.values()) {
    if (change.entity !== "customer" || change.data === null) continue;
    const c = customerDataWire.safeParse(change.data);
    if (!c.success) throw malformed(change, c.error.issues[0]);
    customers.set(c.data.id, { number: c.data.number, name: c.data.name, collector: c.data.collector });
  }

  const updates = new Map<number, CellValue[]>();
  const appends: CellValue[][] = [];
  const deletes: number[] = [];
  const summary = { updated: 0, added: 0, removed: 0, clashes: 0, keptGone: 0 };
  // Rows as read back lost the apostrophes that keep text from being evaluated: re-escape before writing them.
  const current = (i: number): CellValue[] => updates.get(i) ?? rewritable(rows[i] ?? []);

  const matches = (customerId: string, currency: string) => {
    if (filters.customerId !== undefined && filters.customerId !== "" && filters.customerId !== customerId) return false;
    if (filters.currency !== undefined && filters.currency !== "" && filters.currency !== currency) return false;
    if (filters.collector !== undefined && filters.collector !== "") {
      const known = customers.get(customerId);
      if (known?.collector !== filters.collector && !rows.some((r) => cellToText(rowCell(r, "customerId")) === customerId)) return false;
    }
    return true;
  };

  const place = (item: OpenItemWire | null, id: string) => {
    const index = byId.get(id);
    if (item === null) {
      if (index === undefined) return;
      const row = current(index);
      if (editedColumns(row).length > 0) {
        row[col("status")] = STATUS.gone;
        updates.set(index, row);
        summary.keptGone += 1;
      } else {
        deletes.push(index);
        summary.removed += 1;
      }
      return;
    }
    const fresh = openItemRow(item, labels);
    ageRow(fresh, item, view, labels);
    if (index === undefined) {
      if (!matches(item.customerId, item.currency)) return;
      appends.push(fresh);
      summary.added += 1;
      return;
    }
    const old = current(index);
    const edited = editedColumns(old).length > 0;
    for (const key of [...OPEN_ITEMS_EDITABLE, ...OPEN_ITEMS_EDITABLE.map((k) => `orig:${k}`), "lastNote"]) fresh[col(key)] = old[col(key)] ?? null;
    if (edited) {
      const clash = rowVersion(old) !== item.version;
      fresh[col("status")] = clash ? STATUS.clash : cellToText(old[col("status")] ?? null) || STATUS.edited;
      if (clash) {
        fresh[col("version")] = rowVersion(old);
        summary.clashes += 1;
      }
    }
    updates.set(index, fresh);
    summary.updated += 1;
  };

  for (const change of latest.values()) {
    if (change.entity === "document") {
      const parsed = change.data === null ? null : documentDataWire.safeParse(change.data);
      if (parsed === null) {
        place(null, change.id);
        continue;
      }
      if (!parsed.success) throw malformed(change, parsed.error.issues[0]);
      const d = parsed.data;
      const currency = parseCurrency(d.currency);
      const open = Money.parse(d.open, currency);
      if (open.isZero() || d.documentDate > view.asOf) {
        place(null, d.id);
        continue;
      }
      const customer = customers.get(d.customerId);
      const credit = d.type === "creditMemo";
      place(
        {
          kind: d.type,
          id: d.id,
          customerId: d.customerId,
          customerNumber: customer?.number ?? d.customerId,
          customerName: customer?.name ?? "",
          collector: customer?.collector ?? null,
          number: d.number,
          documentDate: d.documentDate,
          dueDate: d.dueDate,
          currency: d.currency,
          amount: (credit ? Money.parse(d.amount, currency).negate() : Money.parse(d.amount, currency)).toString(),
          open: (credit ? open.negate() : open).toString(),
          days: 0,
          bucket: "",
          disputed: d.disputed,
          version: d.version,
          lastNote: null,
          terms: d.terms ?? null,
          promise: null,
        },
        d.id,
      );
    } else if (change.entity === "receipt") {
      const parsed = change.data === null ? null : receiptDataWire.safeParse(change.data);
      if (parsed === null) {
        place(null, change.id);
        continue;
      }
      if (!parsed.success) throw malformed(change, parsed.error.issues[0]);
      const r = parsed.data;
      const currency = parseCurrency(r.currency);
      const unapplied = Money.parse(r.unapplied, currency);
      if (unapplied.isZero() || r.reversed || r.date > view.asOf) {
        place(null, r.id);
        continue;
      }
      const customer = customers.get(r.customerId);
      place(
        {
          kind: "unappliedCash",
          id: r.id,
          customerId: r.customerId,
          customerNumber: customer?.number ?? r.customerId,
          customerName: customer?.name ?? "",
          collector: customer?.collector ?? null,
          number: r.reference,
          documentDate: r.date,
          dueDate: r.date,
          currency: r.currency,
          amount: Money.parse(r.amount, currency).negate().toString(),
          open: unapplied.negate().toString(),
          days: 0,
          bucket: "",
          disputed: false,
          version: r.version,
          lastNote: null,
          terms: null,
          promise: null,
        },
        r.id,
      );
    }
  }

  // Customers renamed: every row of theirs shows the new name.
  for (const change of latest.values()) {
    if (change.entity !== "customer") continue;
    const c = customers.get(change.id);
    if (c === undefined) continue;
    for (const i of byCustomer.get(change.id) ?? []) {
      const next = current(i);
      next[col("customerNumber")] = textToCell(c.number);
      next[col("customerName")] = textToCell(c.name);
      updates.set(i, next);
    }
  }

  // New notes become the row's last note.
  for (const change of latest.values()) {
    if (change.entity !== "note" || change.data === null) continue;
    const n = noteDataWire.safeParse(change.data);
    if (!n.success) throw malformed(change, n.error.issues[0]);
    const text = textToCell(`${n.data.createdAt.slice(0, 10)} ${n.data.kind}: ${n.data.body}`.slice(0, 250));
    const isTarget = (row: readonly CellValue[]) =>
      n.data.documentId === null ? cellToText(rowCell(row, "customerId")) === n.data.customerId : rowId(row) === n.data.documentId;
    const documentRow = n.data.documentId === null ? undefined : byId.get(n.data.documentId);
    const targets = n.data.documentId === null ? (byCustomer.get(n.data.customerId) ?? []) : documentRow === undefined ? [] : [documentRow];
    for (const i of targets) {
      const next = current(i);
      next[col("lastNote")] = text;
      updates.set(i, next);
    }
    // A document created in this same stretch of the feed is an append, not a row yet.
    for (const row of appends) if (isTarget(row)) row[col("lastNote")] = text;
  }
  if (options.reageAll === true) {
    rows.forEach((row, i) => {
      const kind = cellToText(rowCell(row, "kind"));
      const documentDate = cellToDate(rowCell(row, "documentDate"), "documentDate");
      const dueDate = cellToDate(rowCell(row, "dueDate"), "dueDate");
      if (!Object.hasOwn(TYPE_LABELS, kind) || documentDate === null || dueDate === null) return;
      const next = current(i);
      const before = [next[col("days")], next[col("bucket")]];
      ageRow(next, { kind: kind as OpenItemWire["kind"], documentDate, dueDate }, view, labels);
      if (next[col("days")] !== before[0] || next[col("bucket")] !== before[1]) updates.set(i, next);
    });
  }
  for (const index of deletes) updates.delete(index);
  return { updates, appends, deletes: [...new Set(deletes)].sort((a, b) => a - b), summary };
}

export interface RefreshSummary {
  /** "merged": the change feed was merged row by row; "repulled": a historical (fixed as-of) view was pulled again, keeping edits. */
  readonly mode: "merged" | "repulled";
  readonly changes: number;
  readonly updated: number;
  readonly added: number;
  readonly removed: number;
  readonly clashes: number;
  readonly keptGone: number;
}

/** More scattered row blocks than this and one chunked rewrite is cheaper than many small writes. */
const MAX_BLOCKS = 20;

/**
 * Applies the change feed to Open Items (updates in contiguous blocks, then
 * appends, then deletes) and rewrites Aging. A view pinned to a past as-of
 * date cannot be advanced by the feed (it carries today's balances), so it is
 * pulled again instead — which also keeps unpushed edits.
 */
export async function refresh(options: { gateway: WorkbookGateway; client: ApiClient; today: IsoDate; signal?: AbortSignal; onProgress?: (p: Progress) => void }): Promise<RefreshSummary> {
  const { gateway, client, signal } = options;
  const saved: SavedPull | null = await loadLastPull(gateway);
  const since = await gateway.getSetting(KEYS.cursor);
  if (saved === null || since === null) throw new Error("nothing to refresh yet: pull first");
  if (saved.asOfMode === "fixed") {
    const summary = await pull({ gateway, client, params: saved, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }), ...(signal === undefined ? {} : { signal }) });
    return { mode: "repulled", changes: 0, updated: summary.items, added: 0, removed: 0, clashes: summary.clashes, keptGone: summary.gone };
  }
  const changes: Change[] = [];
  let cursor = since;
  for (;;) {
    const page = await client.changes(cursor, signal);
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  const asOf = options.today;
  const params: SavedPull = { ...saved, asOf };
  const view: AgingView = { asOf, basis: saved.basis, edges: saved.buckets };
  const aging = await client.aging(params, signal);
  const rows = await gateway.readRows(OPEN_ITEMS.table);
  const merged = mergeChanges(rows, changes, view, saved, { reageAll: asOf !== saved.asOf });

  const indexes = [...merged.updates.keys()].sort((a, b) => a - b);
  const blocks: { from: number; rows: CellValue[][] }[] = [];
  for (const index of indexes) {
    const row = merged.updates.get(index);
    if (row === undefined) continue;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.from + last.rows.length === index) last.rows.push(row);
    else blocks.push({ from: index, rows: [row] });
  }
  if (blocks.length > MAX_BLOCKS) {
    const deleted = new Set(merged.deletes);
    const next = rows.flatMap((row, i) => (deleted.has(i) ? [] : [merged.updates.get(i) ?? rewritable(row)]));
    await gateway.replaceRows(OPEN_ITEMS.table, [...next, ...merged.appends], []);
  } else {
    for (const block of blocks) await gateway.writeRows(OPEN_ITEMS.table, block.from, block.rows, []);
    if (merged.appends.length > 0) await gateway.writeRows(OPEN_ITEMS.table, rows.length, merged.appends, []);
    if (merged.deletes.length > 0) await gateway.deleteRows(OPEN_ITEMS.table, merged.deletes);
  }
  await writeAging(gateway, aging, params);
  await saveLastPull(gateway, params, cursor);
  return { mode: "merged", changes: changes.length, ...merged.summary };
}
