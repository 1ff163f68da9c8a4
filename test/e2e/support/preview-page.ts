/**
 * The /preview page as a clerk uses it, for the end-to-end tests: the task
 * pane's controls by their data-testid, the grid's cells by data-cell, and
 * the sheets as the add-in left them, read through the page's own gateway
 * (`window.openarPreview`). Sheet amounts are turned back into decimal
 * strings exactly as the add-in reads a cell (numberText, then Money.parse),
 * so they compare with the API's decimal strings to the cent.
 */
import type { Locator, Page } from "playwright-core";
import type { BrowserWorkbook } from "../../../addin/excel/browser-gateway.js";
import { numberText } from "../../../addin/excel/cells.js";
import type { CellValue, TableSpec } from "../../../addin/excel/gateway.js";
import { OPEN_ITEMS } from "../../../addin/sheets/specs.js";
import { parseCurrency } from "../../../shared/currency.js";
import { Money } from "../../../shared/money.js";

declare global {
  interface Window {
    /** Set by addin/preview/main.tsx. */
    openarPreview: BrowserWorkbook;
  }
}

export const OPEN_ITEMS_TABLE = OPEN_ITEMS.table;
export const AGING_TABLE = "OpenAR_Aging";

export interface SheetSnapshot {
  readonly openItems: CellValue[][];
  readonly aging: CellValue[][];
}

/** Both sheets' rows, through the page's gateway; a table that does not exist yet reads as null. */
export async function readSheets(page: Page): Promise<SheetSnapshot> {
  return page.evaluate(async ({ openItems, aging }) => {
    const { gateway } = window.openarPreview;
    const read = (table: string) => gateway.readRows(table).catch(() => [] as CellValue[][]);
    return { openItems: await read(openItems), aging: await read(aging) };
  }, { openItems: OPEN_ITEMS_TABLE, aging: AGING_TABLE });
}

/** A workbook setting (server URL, last pull, change-feed cursor) as the pane saved it. */
export function readSetting(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => window.openarPreview.gateway.getSetting(k), key);
}

/** Column index of `key` in a table spec; a missing column fails the test instead of reading the wrong cell. */
export function columnAt(spec: TableSpec, key: string): number {
  const index = spec.columns.findIndex((c) => c.key === key);
  if (index < 0) throw new Error(`${spec.table} has no column ${key}`);
  return index;
}

/** A row's cell by column key. */
export function cellOf(spec: TableSpec, row: readonly CellValue[], key: string): CellValue {
  return row[columnAt(spec, key)] ?? null;
}

/** An amount cell as the decimal string the add-in would read from it ("1234.50", "98765"). */
export function amountText(value: CellValue, currency: string, field: string): string {
  if (typeof value !== "number") throw new Error(`${field}: expected a number in the cell, found ${JSON.stringify(value)}`);
  return Money.parse(numberText(value), parseCurrency(currency), field).toString();
}

export function cellSelector(table: string, row: number, column: string): string {
  return `[data-cell="${table}:${row}:${column}"]`;
}

/** The task pane's controls. */
export class TaskPane {
  constructor(readonly page: Page) {}

  get notice(): Locator {
    return this.page.getByTestId("notice");
  }

  /** Title and text of the pane's message bar. */
  async noticeText(): Promise<string> {
    return (await this.notice.textContent()) ?? "";
  }

  tab(name: "Connect" | "Pull" | "Settings"): Locator {
    return this.page.getByRole("tab", { name });
  }

  /** Fills the Connect form with a token, submits it, and returns the pane's answer (connected, or why not). */
  async connect(token: string): Promise<string> {
    await this.tab("Connect").click();
    await this.page.getByTestId("token").fill(token);
    await this.page.getByTestId("connect").click();
    await this.notice.filter({ hasText: /^(Connected|Could not connect)/ }).waitFor();
    return this.noticeText();
  }

  async signOut(): Promise<void> {
    await this.tab("Connect").click();
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await this.page.getByTestId("token").waitFor();
  }

  /** Clicks Pull (or Refresh) and waits for the message that ends it. */
  async run(button: "pull" | "refresh", finished: RegExp): Promise<string> {
    await this.tab("Pull").click();
    await this.page.getByTestId(button).click();
    await this.page.getByTestId("notice").filter({ hasText: finished }).waitFor({ timeout: 20_000 });
    // The buttons come back when the run has fully ended (progress cleared).
    await this.page.getByTestId("progress").waitFor({ state: "detached" });
    return this.noticeText();
  }
}
