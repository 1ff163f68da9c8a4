/**
 * Pull: open items and aging from the service into the Open Items and Aging
 * sheets. The download is buffered before anything is written, so a cancelled
 * or failed pull leaves the sheets as they were; edits the clerk has not
 * pushed are carried into the new rows (and flagged if the server changed the
 * row meanwhile, or kept and flagged if the item is no longer open).
 */
import { parseIsoDate } from "../../shared/dates.js";
import type { CellValue, WorkbookGateway } from "../excel/gateway.js";
import { agingChart, agingRows } from "../sheets/aging.js";
import { bucketLabels, carryEdits, currencyDecimalRules, compareOpenItemRows, editedColumns, openItemRow, openItemsValueRules, rowId, rowVersion, STATUS, withStatus } from "../sheets/open-items.js";
import { agingSpec, OPEN_ITEMS, OPEN_ITEMS_EDITABLE } from "../sheets/specs.js";
import { ApiError, type ApiClient } from "./api-client.js";
import type { AgingWire } from "./wire.js";
import { saveLastPull, type SavedPull } from "./workbook-state.js";

export interface Progress {
  readonly phase: "download" | "write" | "aging" | "done";
  readonly done: number;
  readonly total: number | null;
  readonly message: string;
}

export interface PullSummary {
  readonly items: number;
  readonly customers: number;
  readonly keptEdits: number;
  readonly clashes: number;
  readonly gone: number;
  readonly cursor: string;
}

/** The input columns and the pulled values they are compared with. */
const EDIT_COLUMNS = OPEN_ITEMS_EDITABLE.flatMap((key) => [key, `orig:${key}`]);

/** Writes the Aging sheet: its table (columns follow the bucket edges), per-currency totals and the chart. */
export async function writeAging(
  gateway: WorkbookGateway,
  aging: AgingWire,
  params: SavedPull,
  options: { ensured?: boolean } = {},
): Promise<void> {
  const spec = agingSpec(params.buckets, params.basis);
  if (options.ensured !== true) await gateway.ensureTable(spec);
  const { rows, styles, totalRows } = agingRows(aging, spec, params.buckets, params.basis);
  const moneyColumns = spec.columns.filter((c) => c.kind === "money").map((c) => c.key);
  const valueRules = currencyDecimalRules(moneyColumns);
  // The rules and the chart go with the rows: round trips fewer than setting them afterwards.
  await gateway.replaceRows(spec.table, rows, styles, {
    valueRules,
    chart: agingChart(params.buckets, params.basis, totalRows),
  });
}

export async function pull(options: {
  gateway: WorkbookGateway;
  client: ApiClient;
  params: SavedPull;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}): Promise<PullSummary> {
  const { gateway, client, params, signal } = options;
  const report = (p: Progress) => options.onProgress?.(p);
  const view = { asOf: parseIsoDate(params.asOf), basis: params.basis, edges: params.buckets };
  const labels = bucketLabels(view);

  // Both sheets at once: with Excel, the same two round trips as one.
  const [openItems] = await gateway.ensureTables([OPEN_ITEMS, agingSpec(params.buckets, params.basis)]);
  const created = openItems?.created ?? false;
  const pending = new Map<string, CellValue[]>();
  // Unpushed edits are in the input columns (a pull leaves them and their originals empty),
  // so only rows with something there are read back. A table made just now has none.
  const local = created ? [] : await gateway.readRowsWithValues(OPEN_ITEMS.table, EDIT_COLUMNS);
  for (const { values: row } of local) {
    if (editedColumns(row).length > 0) pending.set(rowId(row), row);
  }

  const rows: CellValue[][] = [];
  let keptEdits = 0;
  let clashes = 0;
  report({ phase: "download", done: 0, total: null, message: "Downloading open items…" });
  const { cursor } = await client.streamOpenItems(
    params,
    (items) => {
      for (const item of items) {
        const row = openItemRow(item, labels);
        const local = pending.get(item.id);
        if (local !== undefined) {
          pending.delete(item.id);
          const clash = rowVersion(local) !== item.version;
          carryEdits(local, row, clash ? STATUS.clash : STATUS.edited);
          if (clash) {
            // Keep the version the edit was based on: pushing it must surface the conflict, not hide it.
            row[OPEN_ITEMS.columns.findIndex((c) => c.key === "version")] = rowVersion(local);
            clashes += 1;
          }
          keptEdits += 1;
        }
        rows.push(row);
      }
      report({ phase: "download", done: rows.length, total: null, message: `Downloaded ${rows.length.toLocaleString("en-US")} open items…` });
      return Promise.resolve();
    },
    signal,
  );
  const aging = await client.aging(params, signal);
  if (signal?.aborted === true) throw new ApiError("cancelled", "the pull was cancelled; the sheets were left as they were");

  // Rows with unpushed edits whose item is no longer open: kept, flagged, never dropped.
  for (const row of pending.values()) rows.push(withStatus(row, STATUS.gone));
  // The service streams in storage order; clerks read by customer, then oldest due first.
  rows.sort(compareOpenItemRows);

  report({ phase: "write", done: 0, total: rows.length, message: "Writing Open Items…" });
  await gateway.replaceRows(OPEN_ITEMS.table, rows, [], {
    onProgress: (done, total) => report({ phase: "write", done, total, message: `Writing Open Items: ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}` }),
    valueRules: openItemsValueRules(view),
  });

  report({ phase: "aging", done: 0, total: aging.customers.length, message: "Writing Aging…" });
  await writeAging(gateway, aging, params, { ensured: true });

  await saveLastPull(gateway, params, cursor);
  report({ phase: "done", done: rows.length, total: rows.length, message: `Pulled ${rows.length.toLocaleString("en-US")} open items` });
  return { items: rows.length - pending.size, customers: aging.customers.length, keptEdits, clashes, gone: pending.size, cursor };
}
