/**
 * The Reconcile tab's work on the workbook: import a bank file and write its
 * lines with their suggestions into the Reconcile sheet (keeping what the
 * clerk already decided on lines imported before), accept the auto-matches,
 * and write the AR Recon sheet. Accepted lines are pushed by Review/push.ts
 * like every other pending change.
 */
import { cellToText, textToCell } from "../excel/cells.js";
import type { CellValue, WorkbookGateway } from "../excel/gateway.js";
import { AR_RECON_RULES, arReconRows, RECONCILE_RULES, RECONCILE_STATUS, reconcileRow, suggestionOf } from "../sheets/reconcile.js";
import { AR_RECON, RECONCILE, RECONCILE_EDITABLE, columnIndex } from "../sheets/specs.js";
import type { ApiClient, BankUploadFormat } from "./api-client.js";
import type { ArGlReconciliationWire, BankStatementWire } from "./wire.js";

export interface ImportedStatements {
  readonly created: boolean;
  readonly statements: readonly BankStatementWire[];
  readonly lines: number;
  readonly suggested: number;
  readonly autoAccept: number;
}

const KEPT = [...RECONCILE_EDITABLE, "status", "message", "receiptId"] as const;

/** Uploads the file, then writes every line of its statements into Reconcile. */
export async function importStatement(options: {
  gateway: WorkbookGateway;
  client: ApiClient;
  content: string | ArrayBuffer;
  format: BankUploadFormat;
  fileName?: string;
  /** The bank whose saved CSV mapping reads the file (CSV only). */
  mapping?: string;
  signal?: AbortSignal;
}): Promise<ImportedStatements> {
  const { gateway, client } = options;
  const upload = await client.uploadBankStatement(
    {
      content: options.content,
      format: options.format,
      ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
      ...(options.mapping === undefined || options.mapping.trim() === "" ? {} : { mapping: options.mapping.trim() }),
    },
    options.signal,
  );
  const fresh: CellValue[][] = [];
  let suggested = 0;
  let autoAccept = 0;
  for (const statement of upload.statements) {
    const { lines } = await client.bankLines(statement.id, options.signal);
    for (const line of lines) {
      fresh.push(reconcileRow(line));
      if (line.suggestion !== null && line.suggestion.customerId !== null) suggested += 1;
      if (line.suggestion?.autoAccept === true) autoAccept += 1;
    }
  }
  await gateway.ensureTable(RECONCILE);
  const existing = await gateway.readRows(RECONCILE.table);
  const id = columnIndex(RECONCILE, "id");
  const byId = new Map(existing.map((row) => [cellToText(row[id] ?? null), row]));
  // A line imported again keeps the clerk's decision, overrides and push state; the server's view of it is refreshed.
  const merged = fresh.map((row) => {
    const before = byId.get(cellToText(row[id] ?? null));
    if (before === undefined) return row;
    const next = [...row];
    for (const key of KEPT) {
      const i = columnIndex(RECONCILE, key);
      const value = before[i] ?? "";
      if (key === "status" && value === "") continue;
      if (key === "status" && row[i] === RECONCILE_STATUS.matched) continue;
      next[i] = typeof value === "string" ? textToCell(value) : value;
    }
    return next;
  });
  const freshIds = new Set(fresh.map((row) => cellToText(row[id] ?? null)));
  const others = existing.filter((row) => !freshIds.has(cellToText(row[id] ?? null))).map((row) => row.map((v) => (typeof v === "string" ? textToCell(v) : v)));
  await gateway.replaceRows(RECONCILE.table, [...others, ...merged], [], { valueRules: RECONCILE_RULES });
  return { created: upload.created, statements: upload.statements, lines: fresh.length, suggested, autoAccept };
}

/** Sets Decision to accept on undecided, open lines whose suggestion is auto-accepted. Returns how many. */
export async function acceptAutoMatches(gateway: WorkbookGateway): Promise<number> {
  await gateway.ensureTable(RECONCILE);
  const rows = await gateway.readRows(RECONCILE.table);
  const at = (key: string) => columnIndex(RECONCILE, key);
  let count = 0;
  const next = rows.map((row) => {
    const copy = row.map((v) => (typeof v === "string" ? textToCell(v) : v));
    const status = cellToText(row[at("status")] ?? null);
    const decided = cellToText(row[at("decision")] ?? null).trim() !== "";
    const suggestion = suggestionOf(cellToText(row[at("suggestion")] ?? null));
    if (decided || status === RECONCILE_STATUS.posted || status === RECONCILE_STATUS.matched || suggestion?.autoAccept !== true) return copy;
    copy[at("decision")] = "accept";
    count += 1;
    return copy;
  });
  if (count > 0) await gateway.writeRows(RECONCILE.table, 0, next, []);
  return count;
}

/** Fetches the AR-to-GL reconciliation and writes it as the AR Recon sheet. */
export async function writeArRecon(options: { gateway: WorkbookGateway; client: ApiClient; asOf: string; signal?: AbortSignal }): Promise<ArGlReconciliationWire> {
  const report = await options.client.arGlReconciliation(options.asOf, options.signal);
  const { rows, styles } = arReconRows(report);
  await options.gateway.ensureTable(AR_RECON);
  await options.gateway.replaceRows(AR_RECON.table, rows, styles, { valueRules: AR_RECON_RULES });
  return report;
}
