/**
 * The Reconcile tab and sheets of issue 6 in /preview, for the end-to-end
 * tests: the pane's controls by their data-testids (file input, format,
 * CSV mapping, Import, Accept all auto-matches, Re-check, AR Recon), the
 * Reconcile and AR Recon tables read through the page's own gateway, typing
 * into the grid, and a read-only look at the applications a receipt made
 * (what the HTTP API does not show line by line).
 */
import type { Locator, Page } from "playwright-core";
import { cellToDate, cellToText } from "../../../addin/excel/cells.js";
import type { CellValue } from "../../../addin/excel/gateway.js";
import { AR_RECON, RECONCILE } from "../../../addin/sheets/specs.js";
import type { SqlLedgerStore } from "../../../server/store/ledger-store.js";
import { sql, text } from "../../../server/store/sql.js";
import { Money } from "../../../shared/money.js";
import type { BankUploadFormat } from "../../../addin/sync/api-client.js";
import { readTable } from "./entry-page.js";
import { amountText, cellOf } from "./preview-page.js";

export const RECONCILE_TABLE = RECONCILE.table;
export const AR_RECON_TABLE = AR_RECON.table;

const FORMAT_LABELS: Readonly<Record<BankUploadFormat, string>> = {
  auto: "Detect",
  bai2: "BAI2",
  camt: "camt.053/054",
  lockbox: "BAI lockbox",
  csv: "CSV (saved mapping)",
};

/** A Reconcile row as the clerk reads it: amounts as decimal strings, dates as YYYY-MM-DD, confidence a whole percent. */
export interface ReconcileLine {
  readonly date: string;
  readonly amount: string;
  readonly currency: string;
  readonly payer: string;
  readonly reference: string;
  readonly remittance: string;
  readonly suggestedCustomer: string;
  readonly suggested: string;
  readonly confidence: number | null;
  readonly reasons: string;
  readonly decision: string;
  readonly status: string;
  readonly message: string;
  readonly id: string;
  readonly receiptId: string;
}

export function reconcileLine(row: readonly CellValue[]): ReconcileLine {
  const at = (key: string) => cellOf(RECONCILE, row, key);
  const txt = (key: string) => cellToText(at(key));
  const currency = txt("currency");
  const confidence = at("confidence");
  return {
    date: cellToDate(at("date"), "date") ?? "",
    amount: amountText(at("amount"), currency, "Reconcile amount"),
    currency,
    payer: txt("payer"),
    reference: txt("reference"),
    remittance: txt("remittance"),
    suggestedCustomer: txt("suggestedCustomer"),
    suggested: txt("suggested"),
    confidence: typeof confidence === "number" ? confidence : null,
    reasons: txt("reasons"),
    decision: txt("decision"),
    status: txt("status"),
    message: txt("message"),
    id: txt("id"),
    receiptId: txt("receiptId"),
  };
}

export async function reconcileLines(page: Page): Promise<ReconcileLine[]> {
  return (await readTable(page, RECONCILE_TABLE)).map(reconcileLine);
}

export interface ArReconLine {
  readonly currency: string;
  readonly line: string;
  readonly kind: string;
  readonly reference: string;
  readonly date: string;
  readonly amount: string;
  readonly description: string;
}

export async function arReconLines(page: Page): Promise<ArReconLine[]> {
  return (await readTable(page, AR_RECON_TABLE)).map((row) => {
    const txt = (key: string) => cellToText(cellOf(AR_RECON, row, key));
    return {
      currency: txt("currency"),
      line: txt("line"),
      kind: txt("kind"),
      reference: txt("reference"),
      date: cellToDate(cellOf(AR_RECON, row, "date"), "date") ?? "",
      amount: amountText(cellOf(AR_RECON, row, "amount"), txt("currency"), "AR Recon amount"),
      description: txt("description"),
    };
  });
}

/** What a cell shows in the grid (its number format applied), and in which colour. */
export function shownCell(page: Page, table: string, row: number, column: string): Promise<{ text: string; color: string | null }> {
  return page.evaluate(({ t, r, c }) => {
    const shown = window.openarPreview.model.display(t, r, c);
    return { text: shown.text, color: shown.color };
  }, { t: table, r: row, c: column });
}

export interface StoredApplication {
  readonly documentId: string;
  readonly date: string;
  readonly amount: string;
  readonly discount: string;
  readonly writeOff: string;
}

/** The applications a receipt made, by document number order of their ids. */
export async function applicationsOfReceipt(store: SqlLedgerStore, receiptId: string): Promise<StoredApplication[]> {
  const rows = await store.database.all(
    sql`SELECT document_id, application_date, currency, amount_minor, discount_minor, writeoff_minor FROM applications WHERE source_kind = 'receipt' AND source_id = ${text(receiptId)} ORDER BY document_id`,
  );
  return rows.map((row) => {
    const currency = String(row.currency);
    const money = (key: string) => {
      const value = row[key];
      if (typeof value !== "bigint") throw new Error(`applications.${key}: expected minor units as bigint, found ${typeof value}`);
      return Money.fromMinor(value, currency).toString();
    };
    return { documentId: String(row.document_id), date: String(row.application_date), amount: money("amount_minor"), discount: money("discount_minor"), writeOff: money("writeoff_minor") };
  });
}

/** One statement's summary in the pane, as shown. */
export interface BankReconShown {
  readonly title: string;
  /** "<count> · <amount>" */
  readonly matched: string;
  /** "<count> · <in> in, <out> out" */
  readonly linesWithout: string;
  readonly receiptsWithout: string;
  /** The lines without a receipt, one text each. */
  readonly unmatched: readonly string[];
  readonly balance: string;
}

/** The Reconcile tab. */
export class ReconcilePane {
  constructor(readonly page: Page) {}

  get notice(): Locator {
    return this.page.getByTestId("notice");
  }

  async open(): Promise<void> {
    await this.page.getByTestId("reconcile-tab").click();
    await this.page.getByTestId("reconcile-pane").waitFor();
  }

  /** Waits until no progress bar is left in the pane. */
  async idle(): Promise<void> {
    await this.page.getByTestId("reconcile-pane").getByTestId("progress").waitFor({ state: "detached", timeout: 20_000 });
  }

  async chooseFormat(format: BankUploadFormat): Promise<void> {
    await this.page.getByTestId("bank-format").click();
    await this.page.getByRole("option", { name: FORMAT_LABELS[format], exact: true }).click();
  }

  /**
   * Picks a file in the pane's file input (as the clerk would from disk), sets the format (and the
   * bank whose CSV mapping to use), clicks Import and waits for the notice that ends it.
   */
  async importFile(file: { name: string; content: string; format?: BankUploadFormat; mapping?: string }, finished: RegExp): Promise<string> {
    await this.open();
    await this.page.getByTestId("bank-file").setInputFiles({ name: file.name, mimeType: "application/octet-stream", buffer: Buffer.from(file.content, "latin1") });
    await this.chooseFormat(file.format ?? "auto");
    if (file.mapping !== undefined) await this.page.getByTestId("csv-mapping").fill(file.mapping);
    await this.page.getByTestId("import-statement").click();
    await this.notice.filter({ hasText: finished }).waitFor({ timeout: 20_000 });
    await this.idle();
    return (await this.notice.textContent()) ?? "";
  }

  async acceptAutoMatches(): Promise<string> {
    await this.open();
    await this.page.getByTestId("accept-auto").click();
    await this.notice.filter({ hasText: /Auto-matches accepted|Accept failed/ }).waitFor();
    await this.idle();
    return (await this.notice.textContent()) ?? "";
  }

  async recheck(): Promise<void> {
    await this.open();
    await this.page.getByTestId("refresh-bank-recon").click();
    await this.idle();
  }

  /** The bank reconciliation summaries the pane shows, one per statement. */
  async bankRecon(): Promise<BankReconShown[]> {
    return this.page.getByTestId("bank-recon").evaluateAll((nodes) =>
      nodes.map((n) => {
        const text = (id: string) => (n.querySelector(`[data-testid="${id}"]`)?.textContent ?? "").replace(/\s+/g, " ").trim();
        return {
          title: text("bank-recon-title"),
          matched: text("bank-recon-matched"),
          linesWithout: text("bank-recon-lines-without"),
          receiptsWithout: text("bank-recon-receipts-without"),
          unmatched: [...n.querySelectorAll('[data-testid="bank-recon-unmatched"] li')].map((li) => li.textContent.replace(/\s+/g, " ").trim()),
          balance: text("bank-recon-balance"),
        };
      }),
    );
  }

  async writeArRecon(asOf: string): Promise<string> {
    await this.open();
    await this.page.getByTestId("ar-recon-as-of").fill(asOf);
    await this.page.getByTestId("ar-recon").click();
    await this.notice.filter({ hasText: /AR Recon written|AR Recon failed/ }).waitFor();
    await this.idle();
    return (await this.notice.textContent()) ?? "";
  }
}
