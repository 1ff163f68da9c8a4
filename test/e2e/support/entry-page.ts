/**
 * The clerk's side of issue 5 in /preview, for the end-to-end tests: typing
 * into the in-page grid (double-click, type, Enter) or through the model as
 * a user edit, reading any of the add-in's tables, the Payments and Review
 * tabs by their data-testids, and a tally of the change sets the page POSTs.
 */
import type { Locator, Page } from "playwright-core";
import { cellToText } from "../../../addin/excel/cells.js";
import type { CellValue, TableSpec } from "../../../addin/excel/gateway.js";
import { AR_RECON, NOTES, OPEN_ITEMS, PAYMENTS, RECONCILE } from "../../../addin/sheets/specs.js";
import { cellOf, cellSelector } from "./preview-page.js";

export interface CellAt {
  readonly table: string;
  readonly row: number;
  readonly column: string;
}

const SPECS: readonly TableSpec[] = [OPEN_ITEMS, PAYMENTS, NOTES, RECONCILE, AR_RECON];

function specOf(table: string): TableSpec {
  const spec = SPECS.find((s) => s.table === table);
  if (spec === undefined) throw new Error(`no table spec for ${table}`);
  return spec;
}

/** A table's rows through the page's own gateway ([] before it exists). */
export function readTable(page: Page, table: string): Promise<CellValue[][]> {
  return page.evaluate((t) => window.openarPreview.gateway.readRows(t).catch(() => [] as CellValue[][]), table);
}

/** Index of the row whose `key` column reads `value`; fails the test when there is none. */
export function rowWhere(spec: TableSpec, rows: readonly (readonly CellValue[])[], key: string, value: string): number {
  const index = rows.findIndex((row) => cellToText(cellOf(spec, row, key)) === value);
  if (index < 0) throw new Error(`${spec.sheet}: no row with ${key} = ${value}`);
  return index;
}

/** One cell's text as the clerk reads it. */
export async function cellText(page: Page, cell: CellAt): Promise<string> {
  const rows = await readTable(page, cell.table);
  const row = rows[cell.row];
  if (row === undefined) throw new Error(`${cell.table} has no row ${cell.row}`);
  return cellToText(cellOf(specOf(cell.table), row, cell.column));
}

/** Shows the sheet a table lives on. */
export async function showSheet(page: Page, table: string): Promise<void> {
  await page.locator(`[data-sheet="${specOf(table).sheet}"]`).click();
}

/** As a user types: double-click the cell, replace what the editor holds, Enter. */
export async function typeInGrid(page: Page, cell: CellAt, typed: string): Promise<void> {
  await showSheet(page, cell.table);
  const target = page.locator(cellSelector(cell.table, cell.row, cell.column));
  await target.dblclick();
  const editor = page.getByTestId("cell-editor");
  await editor.waitFor();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type(typed);
  await page.keyboard.press("Enter");
  await editor.waitFor({ state: "detached" });
}

/** A user edit through the in-page model (typed text parsed as Excel would); refused edits fail the test. */
export async function typeIntoCell(page: Page, cell: CellAt, typed: string): Promise<void> {
  const result = await page.evaluate(({ address, value }) => window.openarPreview.model.typeIntoCell(address, value), { address: cell, value: typed });
  if (!result.ok) throw new Error(`typing "${typed}" into ${cell.table}:${cell.row}:${cell.column} was refused: ${result.message}`);
}

/** The user clears a cell (Delete). */
export async function clearCell(page: Page, cell: CellAt): Promise<void> {
  const result = await page.evaluate((address) => window.openarPreview.model.setUserValue(address, null), cell);
  if (!result.ok) throw new Error(`clearing ${cell.table}:${cell.row}:${cell.column} was refused: ${result.message}`);
}

/** Fills a row's cells in the order given, each through the grid. */
export async function typeRow(page: Page, table: string, row: number, values: Readonly<Record<string, string>>): Promise<void> {
  for (const [column, typed] of Object.entries(values)) await typeInGrid(page, { table, row, column }, typed);
}

/** Every POST /api/v1/changesets the page makes, dry run or not, from the moment this is called. */
export function countChangeSetPosts(page: Page): { readonly real: () => number; readonly dryRuns: () => number; readonly bodies: () => unknown[] } {
  const seen: { dryRun: boolean; body: unknown }[] = [];
  page.on("request", (request) => {
    if (request.method() !== "POST") return;
    const url = new URL(request.url());
    if (url.pathname !== "/api/v1/changesets") return;
    seen.push({ dryRun: url.searchParams.get("dryRun") === "true", body: request.postDataJSON() as unknown });
  });
  return {
    real: () => seen.filter((s) => !s.dryRun).length,
    dryRuns: () => seen.filter((s) => s.dryRun).length,
    bodies: () => seen.filter((s) => !s.dryRun).map((s) => s.body),
  };
}

export interface ProblemLine {
  /** "<table>:<row>:<column>" of the cell the problem names. */
  readonly cell: string;
  readonly text: string;
}

export interface RowResultLine {
  readonly ref: string;
  readonly status: string;
  readonly text: string;
}

type ReviewButton = "check" | "dry-run" | "push" | "retry" | "check-status" | "discard";

/** The Payments and Review tabs. */
export class EntryPane {
  constructor(readonly page: Page) {}

  get notice(): Locator {
    return this.page.getByTestId("notice");
  }

  async openPayments(): Promise<void> {
    await this.page.getByTestId("payments-tab").click();
    await this.page.getByTestId("payments-pane").waitFor();
  }

  async openReview(): Promise<void> {
    await this.page.getByTestId("review-tab").click();
    await this.page.getByTestId("review-pane").waitFor();
  }

  /** Clicks a Review button and waits for the notice that ends the run; returns the notice's text. */
  async review(button: ReviewButton, finished: RegExp): Promise<string> {
    await this.openReview();
    await this.page.getByTestId(button).click();
    await this.notice.filter({ hasText: finished }).waitFor({ timeout: 20_000 });
    await this.idle();
    return (await this.notice.textContent()) ?? "";
  }

  /** Waits until no progress bar is left in the pane (a run has fully ended). */
  async idle(): Promise<void> {
    await this.page.getByTestId("progress").first().waitFor({ state: "detached", timeout: 20_000 });
  }

  async problems(): Promise<ProblemLine[]> {
    return this.page.getByTestId("problem").evaluateAll((nodes) =>
      nodes.map((n) => ({ cell: n.getAttribute("data-problem-cell") ?? "", text: n.textContent.replace(/\s+/g, " ").trim() })),
    );
  }

  async rowResults(): Promise<RowResultLine[]> {
    return this.page.getByTestId("row-result").evaluateAll((nodes) =>
      nodes.map((n) => ({ ref: n.getAttribute("data-ref") ?? "", status: n.getAttribute("data-status") ?? "", text: n.textContent.replace(/\s+/g, " ").trim() })),
    );
  }

  /** The Payments pane's running totals for one receipt, as shown (e.g. "1,775.25"). */
  async totalsOf(reference: string): Promise<Record<"amount" | "applied" | "discount" | "writeOff" | "unapplied", string>> {
    await this.openPayments();
    await this.page.locator(`[data-testid="payment-source"][data-reference="${reference}"]`).click();
    await this.page.getByTestId("totals").waitFor();
    const read = async (id: string) => ((await this.page.getByTestId(id).textContent()) ?? "").trim();
    return {
      amount: await read("total-amount"),
      applied: await read("total-applied"),
      discount: await read("total-discount"),
      writeOff: await read("total-write-off"),
      unapplied: await read("total-unapplied"),
    };
  }
}
