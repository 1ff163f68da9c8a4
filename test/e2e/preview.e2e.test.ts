/**
 * The add-in end to end, as a clerk meets it: headless Chromium opens
 * /preview on a real sync service (createApp over SQLite, the add-in built
 * into its static folder, the clock fixed at 2026-11-23), connects with a
 * clerk token, pulls a small hand-made ledger, edits a note in the grid,
 * and refreshes after a second client changed the same customer through the
 * API. Then the bad days: the service down, a wrong token, a revoked token,
 * a malformed answer, a cancelled pull — each with a clear message in the
 * pane and the sheets exactly as they were.
 *
 * The tests in this file run in order and share one page: each step starts
 * from the workbook the previous one left. Screenshots go to
 * test-results/screenshots/preview-*.png.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { agingSpec } from "../../addin/sheets/specs.js";
import { STATUS } from "../../addin/sheets/open-items.js";
import { cellToText } from "../../addin/excel/cells.js";
import type { CellValue } from "../../addin/excel/gateway.js";
import { fixedClock, parseIsoDate } from "../../shared/dates.js";
import type { Operation } from "../../shared/changeset.js";
import { chromiumAvailable, launchChromium, pageErrors, screenshot, type LaunchedBrowser } from "./support/browser.js";
import {
  OPEN_ITEMS_TABLE,
  TaskPane,
  amountText,
  cellOf,
  cellSelector,
  readSetting,
  readSheets,
  type SheetSnapshot,
} from "./support/preview-page.js";
import { startPreviewService, type IssuedToken, type PreviewService } from "./support/preview-service.js";

const TODAY = parseIsoDate("2026-11-23");
const clock = fixedClock(TODAY, "2026-11-23T09:00:00.000Z");
const EDGES = [30, 60, 90, 120] as const;
const AGING = agingSpec(EDGES, "due");
const PULL_QUERY = `asOf=${TODAY}&basis=due&buckets=${EDGES.join(",")}`;

/**
 * The seed ledger, all on NET 30 (due = document date + 30 days), aged on
 * 2026-11-23 by days past due; credits and unapplied cash by their own date.
 */
const SEED: readonly Operation[] = [
  { op: "customer.upsert", id: "cus-acme", number: "C-100", name: "Acme Tools", currency: "USD", terms: "NET 30", collector: "Rosa" },
  { op: "customer.upsert", id: "cus-borealis", number: "C-200", name: "Borealis Trading", currency: "USD", terms: "NET 30", collector: "Rosa" },
  { op: "customer.upsert", id: "cus-kaiyo", number: "C-300", name: "Kaiyo Shoji K.K.", currency: "JPY", terms: "NET 30", collector: "Ken" },
  { op: "customer.upsert", id: "cus-delta", number: "C-400", name: "Delta Marine", currency: "USD", terms: "NET 30", collector: "Ken" },
  // due 12-01: -8 days → Current
  { op: "invoice.create", id: "inv-a1", customerId: "cus-acme", number: "INV-A1", documentDate: parseIsoDate("2026-11-01"), currency: "USD", amount: "1200.00" },
  // due 10-15: 16 + 23 = 39 days → 31–60
  { op: "invoice.create", id: "inv-a2", customerId: "cus-acme", number: "INV-A2", documentDate: parseIsoDate("2026-09-15"), currency: "USD", amount: "850.25" },
  // due 11-09: 14 days → 1–30 (the row the clerk edits)
  { op: "invoice.create", id: "inv-a3", customerId: "cus-acme", number: "INV-A3", documentDate: parseIsoDate("2026-10-10"), currency: "USD", amount: "430.10" },
  // credit memo of 11-10: 13 days by its own date → 1–30, negative
  { op: "creditMemo.create", id: "cm-a1", customerId: "cus-acme", number: "CM-A1", documentDate: parseIsoDate("2026-11-10"), currency: "USD", amount: "75.50" },
  // due 07-01: 30 + 31 + 30 + 31 + 23 = 145 days → Over 120; disputed below
  { op: "invoice.create", id: "inv-b1", customerId: "cus-borealis", number: "INV-B1", documentDate: parseIsoDate("2026-06-01"), currency: "USD", amount: "2000.00" },
  // due 09-19: 11 + 31 + 23 = 65 days → 61–90; a note below
  { op: "invoice.create", id: "inv-b2", customerId: "cus-borealis", number: "INV-B2", documentDate: parseIsoDate("2026-08-20"), currency: "USD", amount: "640.00" },
  // unapplied receipt of 11-20: 3 days → 1–30, negative
  { op: "receipt.create", id: "rcp-b1", customerId: "cus-borealis", date: parseIsoDate("2026-11-20"), amount: "300.00", currency: "USD", method: "ach", reference: "ACH-5531" },
  // due 10-31: 23 days → 1–30
  { op: "invoice.create", id: "inv-k1", customerId: "cus-kaiyo", number: "INV-K1", documentDate: parseIsoDate("2026-10-01"), currency: "JPY", amount: "150000" },
  // due 08-19: 12 + 30 + 31 + 23 = 96 days → 91–120
  { op: "invoice.create", id: "inv-k2", customerId: "cus-kaiyo", number: "INV-K2", documentDate: parseIsoDate("2026-07-20"), currency: "JPY", amount: "98765" },
  // due 12-20 → Current
  { op: "invoice.create", id: "inv-k3", customerId: "cus-kaiyo", number: "INV-K3", documentDate: parseIsoDate("2026-11-20"), currency: "JPY", amount: "45000" },
  // 500.00 due 10-31 (23 days → 1–30), 200.00 paid on 11-05: 300.00 open
  { op: "invoice.create", id: "inv-d1", customerId: "cus-delta", number: "INV-D1", documentDate: parseIsoDate("2026-10-01"), currency: "USD", amount: "500.00" },
  {
    op: "receipt.create",
    id: "rcp-d1",
    customerId: "cus-delta",
    date: parseIsoDate("2026-11-05"),
    amount: "200.00",
    currency: "USD",
    method: "check",
    reference: "CHK-1009",
    applications: [{ documentId: "inv-d1", amount: "200.00" }],
  },
  { op: "dispute.open", id: "dsp-b1", documentId: "inv-b1", reasonCode: "pricing", amount: "2000.00", note: "Price list of May not applied" },
  { op: "note.create", id: "note-b2", customerId: "cus-borealis", documentId: "inv-b2", kind: "call", body: "AP says check run on the 30th" },
];

/** Open items on 2026-11-23 by id, worked out by hand from SEED (rcp-d1 is fully applied, so not open). */
const EXPECTED_OPEN: Readonly<Record<string, string>> = {
  "inv-a1": "1200.00",
  "inv-a2": "850.25",
  "inv-a3": "430.10",
  "cm-a1": "-75.50",
  "inv-b1": "2000.00",
  "inv-b2": "640.00",
  "rcp-b1": "-300.00",
  "inv-k1": "150000",
  "inv-k2": "98765",
  "inv-k3": "45000",
  "inv-d1": "300.00",
};

type Totals = Record<string, Record<string, string>>;

/**
 * Per-currency totals by hand. USD 1–30: 430.10 − 75.50 − 300.00 + 300.00 = 354.60;
 * total 1200.00 + 354.60 + 850.25 + 640.00 + 2000.00 = 5044.85.
 * JPY total 45000 + 150000 + 98765 = 293765.
 */
const EXPECTED_TOTALS: Totals = {
  USD: { current: "1200.00", "1-30": "354.60", "31-60": "850.25", "61-90": "640.00", "91-120": "0.00", "over-120": "2000.00", total: "5044.85" },
  JPY: { current: "45000", "1-30": "150000", "31-60": "0", "61-90": "0", "91-120": "98765", "over-120": "0", total: "293765" },
};

const NOTE_TEXT = "Promised to pay Friday";
const NEW_NAME = "Acme Tools International";

/** The Aging sheet's per-currency total rows, as decimal strings read the way the add-in reads cells. */
function sheetTotals(aging: readonly CellValue[][]): Totals {
  const totals: Totals = {};
  for (const row of aging) {
    const name = cellToText(cellOf(AGING, row, "customerName"));
    if (!name.startsWith("Total ")) continue;
    const currency = cellToText(cellOf(AGING, row, "currency"));
    const entry: Record<string, string> = {};
    for (const column of AGING.columns) {
      if (column.kind !== "money") continue;
      const key = column.key.replace(/^bucket:/, "");
      entry[key] = amountText(cellOf(AGING, row, column.key), currency, `${name} ${column.header}`);
    }
    totals[currency] = entry;
  }
  return totals;
}

interface AgingApi {
  totals: { currency: string; buckets: Record<string, string>; total: string }[];
}
interface OpenItemApi {
  id: string;
  open: string;
  version: number;
}

function apiTotals(report: AgingApi): Totals {
  return Object.fromEntries(report.totals.map((t) => [t.currency, { ...t.buckets, total: t.total }]));
}

/** Open Items as id → open amount (decimal string in the row's currency). */
function sheetOpenAmounts(rows: readonly CellValue[][]): Record<string, string> {
  return Object.fromEntries(
    rows.map((row) => {
      const id = cellToText(cellOf(OPEN_ITEMS, row, "id"));
      return [id, amountText(cellOf(OPEN_ITEMS, row, "open"), cellToText(cellOf(OPEN_ITEMS, row, "currency")), `${id} open`)];
    }),
  );
}

function rowIndexOf(rows: readonly CellValue[][], id: string): number {
  const index = rows.findIndex((row) => cellToText(cellOf(OPEN_ITEMS, row, "id")) === id);
  if (index < 0) throw new Error(`no Open Items row for ${id}`);
  return index;
}

describe.skipIf(!chromiumAvailable())("the add-in in /preview against a running service", () => {
  let service: PreviewService;
  /** What afterAll undoes, last first: only what beforeAll got as far as starting. */
  const cleanups: (() => Promise<void>)[] = [];
  let page: Page;
  let pane: TaskPane;
  let errors: string[];
  let clerk: IssuedToken;
  /** The second client: another clerk working through the API. */
  let colleague: IssuedToken;

  const api = async <T,>(path: string): Promise<T> => {
    const reply = await service.api(path, colleague.token);
    expect(reply.status, `GET ${path}: ${JSON.stringify(reply.body)}`).toBe(200);
    return reply.body as T;
  };

  /** Runs `step` and insists it left both sheets exactly as they were. */
  const leavesSheetsAlone = async (step: () => Promise<void>): Promise<void> => {
    const before: SheetSnapshot = await readSheets(page);
    expect(before.openItems.length).toBeGreaterThan(0);
    await step();
    expect(await readSheets(page)).toEqual(before);
  };

  beforeAll(async () => {
    service = await startPreviewService({ clock });
    cleanups.push(() => service.close());
    await service.push(SEED);
    clerk = await service.issueToken("clerk.one", "clerk");
    colleague = await service.issueToken("clerk.two", "clerk");
    const launched = await launchChromium();
    if (launched === null) throw new Error("chromium vanished between the check and the launch");
    const browser: LaunchedBrowser = launched;
    cleanups.push(() => browser.close());
    page = await browser.page();
    errors = pageErrors(page);
    // The pane's "today" is the browser's calendar day: pin it to the service's.
    await page.clock.setFixedTime(new Date(`${TODAY}T12:00:00Z`));
    await page.goto(`${service.origin}/preview`);
    await page.getByTestId("token").waitFor();
    pane = new TaskPane(page);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("connects with a clerk token", async () => {
    expect(await page.getByTestId("server-url").inputValue()).toBe(service.origin);
    const said = await pane.connect(clerk.token);
    expect(said).toContain(`Signed in to ${service.origin}`);
    await page.getByTestId("connected-badge").waitFor();
    // The token never reaches the workbook's settings.
    expect(await readSetting(page, "openar.serverUrl")).toBe(service.origin);
    const settings = await page.evaluate(() =>
      Array.from({ length: localStorage.length }, (_, i) => {
        const key = localStorage.key(i) ?? "";
        return `${key}=${localStorage.getItem(key) ?? ""}`;
      }).join("\n"),
    );
    expect(settings).toContain("openar.serverUrl");
    expect(settings).not.toContain(clerk.token);
    await screenshot(page, "preview-1-connected");
  });

  it("pulls: Open Items has exactly the API's open items, Aging's totals equal the API's to the cent", async () => {
    const said = await pane.run("pull", /Pulled/);
    expect(said).toContain("11 open items");
    const sheets = await readSheets(page);

    const items = (await api<{ items: OpenItemApi[] }>(`/open-items?${PULL_QUERY}&limit=5000`)).items;
    const apiOpen = Object.fromEntries(items.map((i) => [i.id, i.open]));
    expect(apiOpen).toEqual(EXPECTED_OPEN);
    expect(sheets.openItems).toHaveLength(items.length);
    expect(sheetOpenAmounts(sheets.openItems)).toEqual(apiOpen);

    const report = await api<AgingApi>(`/aging?${PULL_QUERY}`);
    expect(apiTotals(report)).toEqual(EXPECTED_TOTALS);
    expect(sheetTotals(sheets.aging)).toEqual(apiTotals(report));

    // What the clerk reads on the rows that carry more than an amount.
    const b1 = sheets.openItems[rowIndexOf(sheets.openItems, "inv-b1")] ?? [];
    expect(cellOf(OPEN_ITEMS, b1, "disputed")).toBe("Yes");
    expect(cellOf(OPEN_ITEMS, b1, "bucket")).toBe("Over 120");
    const b2 = sheets.openItems[rowIndexOf(sheets.openItems, "inv-b2")] ?? [];
    expect(cellToText(cellOf(OPEN_ITEMS, b2, "lastNote"))).toBe("2026-11-23 call: AP says check run on the 30th");
    const receipt = sheets.openItems[rowIndexOf(sheets.openItems, "rcp-b1")] ?? [];
    expect(cellOf(OPEN_ITEMS, receipt, "type")).toBe("Unapplied cash");

    await page.locator('[data-sheet="Open Items"]').click();
    await page.locator(cellSelector(OPEN_ITEMS_TABLE, 0, "customerName")).waitFor();
    await screenshot(page, "preview-2-open-items");
    await page.locator('[data-sheet="Aging"]').click();
    await page.locator('[data-chart="OpenAR_AgingChart"]').waitFor();
    expect(await page.locator('[data-chart="OpenAR_AgingChart"] rect').count()).toBeGreaterThan(2);
    await screenshot(page, "preview-3-aging");
  });

  it("a clerk edits a note in the grid; a colleague changes that customer through the API; Refresh keeps the edit and flags the clash", async () => {
    await page.locator('[data-sheet="Open Items"]').click();
    const before = (await readSheets(page)).openItems;
    const row = rowIndexOf(before, "inv-a3");
    const version = Number(cellOf(OPEN_ITEMS, before[row] ?? [], "version"));

    // As a user would: double-click the yellow "New note" cell, type, Enter.
    const noteCell = page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "note"));
    await noteCell.dblclick();
    await page.getByTestId("cell-editor").waitFor();
    await page.keyboard.type(NOTE_TEXT);
    await page.keyboard.press("Enter");
    await expect(noteCell.textContent()).resolves.toBe(NOTE_TEXT);

    // The colleague: a 100.00 wire applied to INV-A3, a new invoice, and a rename of Acme.
    const customers = await api<{ customers: { id: string; version: number }[] }>("/customers?search=Acme");
    const acme = customers.customers.find((c) => c.id === "cus-acme");
    if (acme === undefined) throw new Error("Acme is missing from /customers");
    const pushed = await service.api("/changesets", colleague.token, {
      id: "cs-colleague-0001",
      operations: [
        { op: "customer.upsert", id: "cus-acme", number: "C-100", name: NEW_NAME, currency: "USD", terms: "NET 30", collector: "Rosa", baseVersion: acme.version },
        {
          op: "receipt.create",
          id: "rcp-a3",
          customerId: "cus-acme",
          date: TODAY,
          amount: "100.00",
          currency: "USD",
          method: "wire",
          reference: "WIRE-7781",
          applications: [{ documentId: "inv-a3", documentVersion: version, amount: "100.00" }],
        },
        { op: "invoice.create", id: "inv-a4", customerId: "cus-acme", number: "INV-A4", documentDate: TODAY, currency: "USD", amount: "250.00" },
      ],
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);

    const cursor = await readSetting(page, "openar.cursor");
    if (cursor === null) throw new Error("the pull saved no change-feed cursor");
    const feed = await api<{ changes: unknown[]; hasMore: boolean }>(`/changes?since=${cursor}&limit=5000`);
    expect(feed.hasMore).toBe(false);

    const said = await pane.run("refresh", /Refreshed/);
    expect(said).toContain(`${feed.changes.length} change(s)`);
    expect(said).toContain("1 added");
    expect(said).toContain("1 row(s) with your unpushed edits changed on the server and are flagged");

    const after = await readSheets(page);
    const a3 = after.openItems[row] ?? [];
    expect(cellOf(OPEN_ITEMS, a3, "id")).toBe("inv-a3");
    expect(cellOf(OPEN_ITEMS, a3, "note")).toBe(NOTE_TEXT);
    expect(cellOf(OPEN_ITEMS, a3, "status")).toBe(STATUS.clash);
    expect(amountText(cellOf(OPEN_ITEMS, a3, "open"), "USD", "INV-A3 open")).toBe("330.10");
    // The edit stays based on the version the clerk saw, so pushing it will surface the conflict.
    expect(cellOf(OPEN_ITEMS, a3, "version")).toBe(version);

    const a4 = after.openItems[rowIndexOf(after.openItems, "inv-a4")] ?? [];
    expect(cellOf(OPEN_ITEMS, a4, "number")).toBe("INV-A4");
    expect(amountText(cellOf(OPEN_ITEMS, a4, "open"), "USD", "INV-A4 open")).toBe("250.00");
    const acmeRows = after.openItems.filter((r) => cellOf(OPEN_ITEMS, r, "customerId") === "cus-acme");
    expect(acmeRows).toHaveLength(5);
    for (const r of acmeRows) expect(cellOf(OPEN_ITEMS, r, "customerName")).toBe(NEW_NAME);
    expect(sheetOpenAmounts(after.openItems)).toEqual({ ...EXPECTED_OPEN, "inv-a3": "330.10", "inv-a4": "250.00" });

    // What the clerk sees in the grid: the note, the flag (whole row tinted), the server's open amount, the new name.
    await expect(page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "status")).textContent()).resolves.toBe(STATUS.clash);
    await expect(page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "open")).textContent()).resolves.toBe("330.10");
    await expect(page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "customerName")).textContent()).resolves.toBe(NEW_NAME);
    const fill = await page.evaluate(
      ({ table, r }) => window.openarPreview.model.cellStyle(table, r, "amount").fill,
      { table: OPEN_ITEMS_TABLE, r: row },
    );
    expect(fill).toBe("#FDE7E9");
    // Two views of the flagged row: its read-only side (new name, server's open amount, the new invoice below) and the clerk's note.
    await page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "customerNumber")).click();
    await screenshot(page, "preview-4a-refresh-flagged-row");
    await page.locator(cellSelector(OPEN_ITEMS_TABLE, row, "status")).click();
    await screenshot(page, "preview-4b-refresh-flagged-note");

    // Aging is the server's again, to the cent: USD Current 1200.00 + 250.00, 1–30 354.60 − 100.00.
    const report = await api<AgingApi>(`/aging?${PULL_QUERY}`);
    expect(apiTotals(report)).toEqual({
      ...EXPECTED_TOTALS,
      USD: { ...EXPECTED_TOTALS.USD, current: "1450.00", "1-30": "254.60", total: "5194.85" },
    });
    expect(sheetTotals(after.aging)).toEqual(apiTotals(report));
    const acmeAging = after.aging.find((r) => cellOf(AGING, r, "customerId") === "cus-acme") ?? [];
    expect(cellOf(AGING, acmeAging, "customerName")).toBe(NEW_NAME);
  });

  describe("bad input leaves the sheets as they were, with a clear message", () => {
    it("a malformed answer from the service", async () => {
      await page.route("**/api/v1/aging*", (route) =>
        route.fulfill({ status: 200, contentType: "application/json", body: '{"unexpected": true}' }),
      );
      try {
        await leavesSheetsAlone(async () => {
          const said = await pane.run("pull", /Pull failed/);
          expect(said).toContain("/api/v1/aging was not understood");
        });
        await screenshot(page, "preview-5-error-malformed");
      } finally {
        await page.unroute("**/api/v1/aging*");
      }
    });

    it("a pull cancelled midway", async () => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reached = (): void => undefined;
      const requested = new Promise<void>((resolve) => {
        reached = resolve;
      });
      // The service "answers slowly": the open-items request is held until the test lets it go.
      await page.route("**/api/v1/open-items*", async (route) => {
        reached();
        await held;
        await route.continue().catch(() => undefined); // the page already gave up on it
      });
      try {
        await leavesSheetsAlone(async () => {
          await pane.tab("Pull").click();
          await page.getByTestId("pull").click();
          await requested;
          await page.getByTestId("progress").waitFor();
          await screenshot(page, "preview-6a-pull-in-progress");
          // One run at a time: Pull and Refresh wait while this one works.
          expect(await page.getByTestId("pull").isDisabled()).toBe(true);
          expect(await page.getByTestId("refresh").isDisabled()).toBe(true);
          await page.getByTestId("cancel").click();
          await pane.notice.filter({ hasText: /^Pull cancelled/ }).waitFor();
          await page.getByTestId("progress").waitFor({ state: "detached" });
          expect(await pane.noticeText()).toMatch(/^Pull cancelled.*cancelled; nothing was changed/);
          expect(await page.getByTestId("pull").isEnabled()).toBe(true);
        });
        await screenshot(page, "preview-6-cancelled");
      } finally {
        release();
        await page.unroute("**/api/v1/open-items*");
      }
    });

    it("a wrong token at Connect", async () => {
      await leavesSheetsAlone(async () => {
        await pane.signOut();
        // Well-formed, but never issued.
        const said = await pane.connect(`oar_${"x".repeat(43)}`);
        expect(said).toContain("refused the token");
        expect(await page.getByTestId("connected-badge").count()).toBe(0);
        await screenshot(page, "preview-7-error-wrong-token");
      });
      clerk = await service.issueToken("clerk.one", "clerk");
      expect(await pane.connect(clerk.token)).toContain("Signed in");
    });

    it("a session whose token was revoked: the pane says so and goes back to Connect", async () => {
      expect(await service.tokens.revoke(clerk.id)).toBe(true);
      await leavesSheetsAlone(async () => {
        const said = await pane.run("pull", /Pull failed/);
        expect(said).toContain("refused the token");
        await page.getByTestId("token").waitFor();
        expect(await pane.tab("Connect").getAttribute("aria-selected")).toBe("true");
        expect(await page.getByTestId("connected-badge").count()).toBe(0);
      });
      await screenshot(page, "preview-8-error-revoked");
      clerk = await service.issueToken("clerk.one", "clerk");
      expect(await pane.connect(clerk.token)).toContain("Signed in");
    });

    it("the service is down", async () => {
      await service.goDown();
      try {
        await leavesSheetsAlone(async () => {
          const said = await pane.run("pull", /Pull failed/);
          expect(said).toContain(`cannot reach the OpenAR service at ${service.origin}`);
          // Still signed in: the next pull can work once the service is back.
          await page.getByTestId("connected-badge").waitFor();
        });
        await screenshot(page, "preview-9-error-down");
      } finally {
        await service.comeBack();
      }
      // Back up, the same pane pulls again and keeps the clerk's flagged edit.
      const said = await pane.run("pull", /Pulled/);
      expect(said).toContain("Kept 1 unpushed edit(s); 1 flagged");
      // The failed requests above are logged by Chromium itself ("Failed to load resource"); nothing else may be.
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    });
  });
});
