/**
 * Issue 5 end to end, as a clerk meets it: headless Chromium opens /preview
 * on a real sync service (createApp over SQLite, the clock fixed at
 * 2026-11-23), pulls a small hand-made ledger, types receipts on Payments and
 * allocations on Open Items, reviews and pushes them — and then the bad days:
 * a colleague who got there first, a connection that drops after the server
 * committed, and input that must never leave the workbook.
 *
 * The tests run in order on one page: each starts from the workbook and the
 * ledger the previous one left. Every expected amount below was worked out by
 * hand from SEED (the arithmetic is in the comments), never read back from
 * the code. Screenshots go to test-results/screenshots/issue5-e2e-*.png.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cellToText } from "../../addin/excel/cells.js";
import type { CellValue } from "../../addin/excel/gateway.js";
import { OPEN_ITEMS, PAYMENTS } from "../../addin/sheets/specs.js";
import type { Operation } from "../../shared/changeset.js";
import { fixedClock, parseIsoDate } from "../../shared/dates.js";
import { chromiumAvailable, launchChromium, pageErrors, screenshot, type LaunchedBrowser } from "./support/browser.js";
import {
  EntryPane,
  cellText,
  clearCell,
  countChangeSetPosts,
  readTable,
  rowWhere,
  showSheet,
  typeInGrid,
  typeIntoCell,
  typeRow,
} from "./support/entry-page.js";
import { applicationCount, committedChangeSetCount, glLinesOfChangeSet, receiptsWithReference } from "./support/ledger-probe.js";
import { TaskPane, amountText, cellOf } from "./support/preview-page.js";
import { startPreviewService, type IssuedToken, type PreviewService } from "./support/preview-service.js";

const TODAY = parseIsoDate("2026-11-23");
const clock = fixedClock(TODAY, "2026-11-23T09:00:00.000Z");
const QUERY = `asOf=${TODAY}&basis=due&buckets=30,60,90,120`;
const OI = OPEN_ITEMS.table;
const PAY = PAYMENTS.table;

/**
 * Cascade Outfitters buys on 2/10 NET 30: 2% off if paid within 10 days of
 * the invoice date, else due in 30. Evergreen and Fjord are on NET 30.
 */
const SEED: readonly Operation[] = [
  { op: "customer.upsert", id: "cus-cascade", number: "C-500", name: "Cascade Outfitters", currency: "USD", terms: "2/10 NET 30", collector: "Rosa" },
  { op: "customer.upsert", id: "cus-evergreen", number: "C-700", name: "Evergreen Foods", currency: "USD", terms: "NET 30", collector: "Rosa" },
  { op: "customer.upsert", id: "cus-fjord", number: "C-800", name: "Fjord Freight", currency: "USD", terms: "NET 30", collector: "Ken" },
  // 11-15: discount deadline 11-25 (the 11-23 receipt earns 2%), due 12-15 → Current.
  { op: "invoice.create", id: "inv-c1", customerId: "cus-cascade", number: "INV-C1", documentDate: parseIsoDate("2026-11-15"), currency: "USD", amount: "1000.00" },
  // 10-20: discount deadline 10-30 (gone), due 11-19 → 4 days, 1–30.
  { op: "invoice.create", id: "inv-c2", customerId: "cus-cascade", number: "INV-C2", documentDate: parseIsoDate("2026-10-20"), currency: "USD", amount: "600.00" },
  // 10-01: due 10-31 → 23 days, 1–30.
  { op: "invoice.create", id: "inv-c3", customerId: "cus-cascade", number: "INV-C3", documentDate: parseIsoDate("2026-10-01"), currency: "USD", amount: "450.00" },
  // Unapplied cash of 11-20: 3 days by its own date → 1–30, negative.
  { op: "receipt.create", id: "rcp-c900", customerId: "cus-cascade", date: parseIsoDate("2026-11-20"), amount: "150.00", currency: "USD", method: "ach", reference: "ACH-C900" },
  { op: "invoice.create", id: "inv-e1", customerId: "cus-evergreen", number: "INV-E1", documentDate: parseIsoDate("2026-10-25"), currency: "USD", amount: "812.40" },
  { op: "invoice.create", id: "inv-f1", customerId: "cus-fjord", number: "INV-F1", documentDate: parseIsoDate("2026-09-30"), currency: "USD", amount: "400.00" },
  { op: "receipt.create", id: "rcp-f1", customerId: "cus-fjord", date: parseIsoDate("2026-11-18"), amount: "150.00", currency: "USD", method: "ach", reference: "ACH-F1" },
];

interface AgingApi {
  totals: { currency: string; buckets: Record<string, string>; total: string }[];
}
interface OpenItemApi {
  id: string;
  open: string;
  version: number;
}
interface StatementApi {
  openingBalance: string;
  closingBalance: string;
  lines: { date: string; kind: string; reference: string; amount: string; balance: string }[];
}

/** Entry columns of a Payments row: blank ones are where the next receipt goes. */
const PAYMENT_ENTRY = ["date", "customer", "amount", "currency", "method", "reference"] as const;

function isBlankPayment(row: readonly CellValue[]): boolean {
  return PAYMENT_ENTRY.every((key) => cellToText(cellOf(PAYMENTS, row, key)).trim() === "");
}

/** Browser noise that is the point of a test (a dropped connection, a 409 or 422), not a page error. */
const EXPECTED_CONSOLE = /Failed to load resource/;

describe.skipIf(!chromiumAvailable())("payments, review and push in /preview against a running service", () => {
  let service: PreviewService;
  const cleanups: (() => Promise<void>)[] = [];
  let page: Page;
  let pull: TaskPane;
  let pane: EntryPane;
  let errors: string[];
  let clerk: IssuedToken;
  let colleague: IssuedToken;
  let controller: IssuedToken;

  const get = async <T,>(path: string): Promise<T> => {
    const reply = await service.api(path, colleague.token);
    expect(reply.status, `GET ${path}: ${JSON.stringify(reply.body)}`).toBe(200);
    return reply.body as T;
  };
  const agingOf = async (customerId?: string): Promise<AgingApi["totals"]> =>
    (await get<AgingApi>(`/aging?${QUERY}${customerId === undefined ? "" : `&customerId=${customerId}`}`)).totals;
  const openOf = async (customerId: string): Promise<Record<string, string>> =>
    Object.fromEntries((await get<{ items: OpenItemApi[] }>(`/open-items?${QUERY}&customerId=${customerId}`)).items.map((i) => [i.id, i.open]));
  const versionOf = async (customerId: string, id: string): Promise<number> => {
    const item = (await get<{ items: OpenItemApi[] }>(`/open-items?${QUERY}&customerId=${customerId}`)).items.find((i) => i.id === id);
    if (item === undefined) throw new Error(`${id} is not open on the server`);
    return item.version;
  };
  /** The colleague, through the API: a receipt of `amount` applied in full to one invoice at its current version. */
  const colleaguePays = async (spec: { id: string; reference: string; documentId: string; customerId: string; amount: string }) => {
    const documentVersion = await versionOf(spec.customerId, spec.documentId);
    const reply = await service.api("/changesets", colleague.token, {
      id: `cs-colleague-${spec.id}`,
      operations: [
        {
          op: "receipt.create",
          id: spec.id,
          customerId: spec.customerId,
          date: TODAY,
          amount: spec.amount,
          currency: "USD",
          method: "wire",
          reference: spec.reference,
          applications: [{ documentId: spec.documentId, documentVersion, amount: spec.amount }],
        },
      ],
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  };

  /** Open Items row of a document, as the sheet is now (rows move when a refresh removes settled items). */
  const openItemsRow = async (id: string): Promise<number> => rowWhere(OPEN_ITEMS, await readTable(page, OI), "id", id);
  const openItemsCell = async (id: string, column: string): Promise<string> => cellText(page, { table: OI, row: await openItemsRow(id), column });
  const openItemsAmount = async (id: string, column: string): Promise<string> => {
    const rows = await readTable(page, OI);
    return amountText(cellOf(OPEN_ITEMS, rows[rowWhere(OPEN_ITEMS, rows, "id", id)] ?? [], column), "USD", `${id} ${column}`);
  };
  /** The first blank Payments row, once the pane has padded the sheet with at least `blank` of them. */
  const blankPaymentsRow = async (blank = 2): Promise<number> => {
    let first = -1;
    await expect
      .poll(async () => {
        const rows = await readTable(page, PAY);
        first = rows.findIndex((r) => isBlankPayment(r));
        return rows.filter((r) => isBlankPayment(r)).length;
      }, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(blank);
    return first;
  };
  const paymentsAmount = async (row: number, column: string): Promise<string> => {
    const cells = (await readTable(page, PAY))[row] ?? [];
    return amountText(cellOf(PAYMENTS, cells, column), "USD", `Payments ${row} ${column}`);
  };

  beforeAll(async () => {
    service = await startPreviewService({ clock });
    cleanups.push(() => service.close());
    await service.push(SEED);
    clerk = await service.issueToken("clerk.one", "clerk");
    colleague = await service.issueToken("clerk.two", "clerk");
    controller = await service.issueToken("controller.one", "controller");
    // Wide enough that the Payments sheet shows Date through Status beside the 360-pixel pane.
    const launched = await launchChromium({ viewport: { width: 1680, height: 900 } });
    if (launched === null) throw new Error("chromium vanished between the check and the launch");
    const browser: LaunchedBrowser = launched;
    cleanups.push(() => browser.close());
    page = await browser.page();
    errors = pageErrors(page);
    // A step that hangs fails with its own locator in the message, well inside the test's 30 s.
    page.setDefaultTimeout(10_000);
    // The pane's "today" is the browser's calendar day: pin it to the service's.
    await page.clock.setFixedTime(new Date(`${TODAY}T12:00:00Z`));
    await page.goto(`${service.origin}/preview`);
    await page.getByTestId("token").waitFor();
    pull = new TaskPane(page);
    pane = new EntryPane(page);
    expect(await pull.connect(clerk.token)).toContain("Signed in");
    expect(await pull.run("pull", /Pulled/)).toContain("7 open items");
    await pane.openPayments();
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("a receipt applied to three invoices — a discount, a small write-off, a partial — posts; aging, statement and GL match to the cent", async () => {
    // Before: Current 1,000.00 (INV-C1); 1–30: 600.00 + 450.00 − 150.00 unapplied = 900.00; total 1,900.00.
    expect(await agingOf("cus-cascade")).toEqual([
      { currency: "USD", buckets: { current: "1000.00", "1-30": "900.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" }, total: "1900.00" },
    ]);

    // The check: INV-C1 1,000.00 less 2% (20.00) = 980.00; INV-C2 600.00 short by 4.75 (595.25, the 4.75 written off);
    // INV-C3 200.00 of 450.00. 980.00 + 595.25 + 200.00 = 1,775.25.
    const row = await blankPaymentsRow();
    expect(row).toBe(0);
    await typeRow(page, PAY, row, { date: "2026-11-23", customer: "C-500", amount: "1775.25", currency: "USD", method: "check", reference: "CHK-5001" });
    await typeRow(page, OI, await openItemsRow("inv-c1"), { apply: "980.00", discount: "20.00", from: "CHK-5001" });
    await typeRow(page, OI, await openItemsRow("inv-c2"), { apply: "595.25", writeOff: "4.75", writeOffReason: "short pay", from: "CHK-5001" });
    // The third through the model, as a paste would land.
    const c3 = await openItemsRow("inv-c3");
    await typeIntoCell(page, { table: OI, row: c3, column: "apply" }, "200");
    await typeIntoCell(page, { table: OI, row: c3, column: "from" }, "CHK-5001");

    // Running totals in the pane: applied 1,775.25, discount 20.00, write-off 4.75, unapplied 1,775.25 − 1,775.25 = 0.00.
    await expect.poll(() => pane.totalsOf("CHK-5001"), { timeout: 5_000 }).toEqual({ amount: "1,775.25", applied: "1,775.25", discount: "20.00", writeOff: "4.75", unapplied: "0.00 USD" });

    expect(await pane.review("check", /Ready to push/)).toContain("1 change(s) on 4 row(s)");
    expect(await page.getByTestId("pending-row").count()).toBe(4);
    expect(await pane.review("dry-run", /The server would accept it/)).toContain("Nothing was saved");
    expect(await receiptsWithReference(service.store, "CHK-5001")).toEqual([]);
    const said = await pane.review("push", /^Posted/);
    expect(said).toContain("Posted: 1 change(s) on 4 row(s)");
    expect(said).toContain("Open Items shows the new balances");
    const results = await pane.rowResults();
    expect(results.map((r) => r.status)).toEqual(["Posted", "Posted", "Posted", "Posted"]);

    // The Payments row: Posted, with its running totals.
    expect(await cellText(page, { table: PAY, row, column: "status" })).toBe("Posted");
    expect(await paymentsAmount(row, "applied")).toBe("1775.25");
    expect(await paymentsAmount(row, "discount")).toBe("20.00");
    expect(await paymentsAmount(row, "writeOff")).toBe("4.75");
    expect(await paymentsAmount(row, "unapplied")).toBe("0.00");
    const [receipt, ...more] = await receiptsWithReference(service.store, "CHK-5001");
    expect(more).toEqual([]);
    if (receipt === undefined) throw new Error("CHK-5001 was not stored");
    expect(receipt).toMatchObject({ amount: "1775.25", unapplied: "0.00" });
    expect(await cellText(page, { table: PAY, row, column: "id" })).toBe(receipt.id);

    // Open Items refreshed: INV-C1 (980.00 + 20.00) and INV-C2 (595.25 + 4.75) are settled and gone; INV-C3 450.00 − 200.00 = 250.00.
    const sheetIds = (await readTable(page, OI)).map((r) => cellToText(cellOf(OPEN_ITEMS, r, "id")));
    expect(sheetIds).not.toContain("inv-c1");
    expect(sheetIds).not.toContain("inv-c2");
    expect(await openItemsAmount("inv-c3", "open")).toBe("250.00");
    expect(await openItemsCell("inv-c3", "apply")).toBe("");
    expect(await openOf("cus-cascade")).toEqual({ "inv-c3": "250.00", "rcp-c900": "-150.00" });

    // Aging after: Current 0.00; 1–30: 250.00 − 150.00 = 100.00; total 100.00.
    expect(await agingOf("cus-cascade")).toEqual([
      { currency: "USD", buckets: { current: "0.00", "1-30": "100.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" }, total: "100.00" },
    ]);

    // Statement 10-01..11-23, opening 0.00: +450.00 = 450.00; +600.00 = 1,050.00; +1,000.00 = 2,050.00;
    // ACH-C900 −150.00 = 1,900.00; CHK-5001 −1,775.25 = 124.75; discount −20.00 = 104.75; write-off −4.75 = 100.00 (= aging total).
    const statement = await get<StatementApi>("/customers/cus-cascade/statement?from=2026-10-01&to=2026-11-23");
    expect(statement.openingBalance).toBe("0.00");
    expect(statement.lines.map(({ date, kind, reference, amount, balance }) => ({ date, kind, reference, amount, balance }))).toEqual([
      { date: "2026-10-01", kind: "invoice", reference: "INV-C3", amount: "450.00", balance: "450.00" },
      { date: "2026-10-20", kind: "invoice", reference: "INV-C2", amount: "600.00", balance: "1050.00" },
      { date: "2026-11-15", kind: "invoice", reference: "INV-C1", amount: "1000.00", balance: "2050.00" },
      { date: "2026-11-20", kind: "receipt", reference: "ACH-C900", amount: "-150.00", balance: "1900.00" },
      { date: "2026-11-23", kind: "receipt", reference: "CHK-5001", amount: "-1775.25", balance: "124.75" },
      { date: "2026-11-23", kind: "discount", reference: "INV-C1", amount: "-20.00", balance: "104.75" },
      { date: "2026-11-23", kind: "writeOff", reference: "INV-C2", amount: "-4.75", balance: "100.00" },
    ]);
    expect(statement.closingBalance).toBe("100.00");

    // GL of that change set (1000 cash, 1200 AR, 2050 unapplied, 4900 discounts, 6100 bad debt):
    // receipt DR cash / CR unapplied 1,775.25; each application DR unapplied / CR AR for the cash,
    // DR discounts / CR AR 20.00 (INV-C1), DR bad debt / CR AR 4.75 (INV-C2).
    // Debits = credits = 1,775.25 + 980.00 + 20.00 + 595.25 + 4.75 + 200.00 = 3,575.25.
    const line = (memo: string, account: string, debit: string, credit: string) => ({ memo, account, debit, credit });
    const gl = await glLinesOfChangeSet(service.store, receipt.changeSetId);
    expect(gl.map(({ memo, account, debit, credit }) => ({ memo, account, debit, credit }))).toEqual([
      line("application to INV-C1", "2050", "980.00", "0.00"),
      line("application to INV-C1", "1200", "0.00", "980.00"),
      line("application to INV-C1", "4900", "20.00", "0.00"),
      line("application to INV-C1", "1200", "0.00", "20.00"),
      line("application to INV-C2", "2050", "595.25", "0.00"),
      line("application to INV-C2", "1200", "0.00", "595.25"),
      line("application to INV-C2", "6100", "4.75", "0.00"),
      line("application to INV-C2", "1200", "0.00", "4.75"),
      line("application to INV-C3", "2050", "200.00", "0.00"),
      line("application to INV-C3", "1200", "0.00", "200.00"),
      line("receipt CHK-5001", "1000", "1775.25", "0.00"),
      line("receipt CHK-5001", "2050", "0.00", "1775.25"),
    ]);
    expect(new Set(gl.map((l) => `${l.journalDate} ${l.currency}`))).toEqual(new Set(["2026-11-23 USD"]));

    await showSheet(page, PAY);
    await page.locator(`[data-cell="${PAY}:${row}:date"]`).click();
    await screenshot(page, "issue5-e2e-1-payments-posted");
  });

  describe("a colleague changed an invoice first", () => {
    it("the conflict lands on the invoice's row with the server's value beside the clerk's; Keep mine re-bases it and it posts", async () => {
      const row = await blankPaymentsRow();
      await typeRow(page, PAY, row, { date: "2026-11-23", customer: "C-500", amount: "100.00", method: "check", reference: "CHK-5002" });
      const c3 = await openItemsRow("inv-c3");
      await typeIntoCell(page, { table: OI, row: c3, column: "apply" }, "100.00");
      await typeIntoCell(page, { table: OI, row: c3, column: "from" }, "CHK-5002");

      // INV-C3: 250.00 open when pulled; the colleague's 50.00 wire leaves 200.00 and bumps its version.
      await colleaguePays({ id: "rcp-wire-c50", reference: "WIRE-C50", documentId: "inv-c3", customerId: "cus-cascade", amount: "50.00" });
      const agingBefore = await agingOf();
      const committedBefore = await committedChangeSetCount(service.store);

      expect(await pane.review("push", /Nothing was posted: changed on the server/)).toContain("1 row(s) changed on the server");
      const conflict = page.getByTestId("conflict");
      expect(await conflict.count()).toBe(1);
      expect(await conflict.getAttribute("data-table")).toBe(OI);
      expect(await conflict.getAttribute("data-row")).toBe(String(c3));
      const card = ((await conflict.textContent()) ?? "").replace(/\s+/g, " ");
      expect(card).toContain("INV-C3");
      // Open: the clerk's sheet says 250.00, the server now 200.00.
      expect(card).toMatch(/Open\s?250\.00\s?200\.00/);
      expect(await page.getByTestId("conflict-yours").textContent()).toContain("Apply 100.00");
      expect(await openItemsCell("inv-c3", "status")).toMatch(/^Conflict: .*open 200\.00/);
      const results = await pane.rowResults();
      expect(results.find((r) => r.ref === `${OI}:${c3}`)?.status).toBe("Conflict");
      expect(results.find((r) => r.ref === `${PAY}:${row}`)?.status).toBe("Not posted");

      // The refused push wrote nothing.
      expect(await agingOf()).toEqual(agingBefore);
      expect(await committedChangeSetCount(service.store)).toBe(committedBefore);
      expect(await receiptsWithReference(service.store, "CHK-5002")).toEqual([]);
      // The clerk's Apply and From beside the row's status, which carries the server's values.
      await showSheet(page, OI);
      await page.locator(`[data-cell="${OI}:${c3}:status"]`).click();
      await page.locator(`[data-cell="${OI}:${c3}:apply"]`).click();
      await screenshot(page, "issue5-e2e-3-conflict");

      await page.getByTestId("keep-mine").click();
      await pane.notice.filter({ hasText: /Kept yours/ }).waitFor();
      await pane.idle();
      expect(await page.getByTestId("conflict").count()).toBe(0);
      // Re-based: the row now states the server's version, and shows the server's open amount beside the clerk's entry.
      expect(await openItemsAmount("inv-c3", "open")).toBe("200.00");
      expect(await openItemsAmount("inv-c3", "apply")).toBe("100.00");
      expect(await pane.review("check", /Ready to push/)).toContain("1 change(s) on 2 row(s)");
      expect(await pane.review("push", /^Posted/)).toContain("Posted: 1 change(s) on 2 row(s)");
      // 250.00 − 50.00 (colleague) − 100.00 (clerk) = 100.00.
      expect(await openOf("cus-cascade")).toEqual({ "inv-c3": "100.00", "rcp-c900": "-150.00" });
      expect(await openItemsAmount("inv-c3", "open")).toBe("100.00");
      expect(await receiptsWithReference(service.store, "CHK-5002")).toHaveLength(1);
      expect(await cellText(page, { table: PAY, row, column: "status" })).toBe("Posted");
    });

    it("Take the server's drops the clerk's entry on that row and shows the server's value", async () => {
      // The clerk settles INV-C3's 100.00 from the unapplied ACH-C900; the colleague's 40.00 wire gets there first: 60.00 open.
      const c3 = await openItemsRow("inv-c3");
      await typeInGrid(page, { table: OI, row: c3, column: "apply" }, "100.00");
      await typeInGrid(page, { table: OI, row: c3, column: "from" }, "ACH-C900");
      await colleaguePays({ id: "rcp-wire-c40", reference: "WIRE-C40", documentId: "inv-c3", customerId: "cus-cascade", amount: "40.00" });
      const agingBefore = await agingOf();
      const committedBefore = await committedChangeSetCount(service.store);

      await pane.review("push", /Nothing was posted: changed on the server/);
      const conflict = page.getByTestId("conflict");
      expect(await conflict.getAttribute("data-row")).toBe(String(c3));
      expect(((await conflict.textContent()) ?? "").replace(/\s+/g, " ")).toMatch(/Open\s?100\.00\s?60\.00/);
      expect(await agingOf()).toEqual(agingBefore);
      expect(await committedChangeSetCount(service.store)).toBe(committedBefore);

      await page.getByTestId("take-server").click();
      await pane.notice.filter({ hasText: /Took the server's/ }).waitFor();
      await pane.idle();
      expect(await page.getByTestId("conflict").count()).toBe(0);
      expect(await openItemsCell("inv-c3", "apply")).toBe("");
      expect(await openItemsCell("inv-c3", "from")).toBe("");
      // 100.00 − 40.00 = 60.00, on the sheet as on the server; the unapplied cash is untouched.
      expect(await openItemsAmount("inv-c3", "open")).toBe("60.00");
      expect(await openOf("cus-cascade")).toEqual({ "inv-c3": "60.00", "rcp-c900": "-150.00" });
      expect(await pane.review("check", /Nothing to push/)).toContain("No pending changes");
    });
  });

  it("the connection drops after the server committed: the same change set is sent again and lands once", async () => {
    const row = await blankPaymentsRow();
    await typeRow(page, PAY, row, { date: "2026-11-23", customer: "C-700", amount: "812.40", method: "ach", reference: "ACH INV-E1" });
    // Suggest: the reference names INV-E1 and the amount equals its open 812.40 (NET 30, no discount).
    await pane.openPayments();
    await page.locator('[data-testid="payment-source"][data-reference="ACH INV-E1"]').click();
    await page.getByTestId("suggest").click();
    await pane.notice.filter({ hasText: /Allocations suggested/ }).waitFor();
    await pane.idle();
    expect(await openItemsAmount("inv-e1", "apply")).toBe("812.40");
    expect(await openItemsCell("inv-e1", "from")).toBe("ACH INV-E1");
    const committedBefore = await committedChangeSetCount(service.store);
    const posts = countChangeSetPosts(page);

    // First send: the server commits, the answer is lost. The automatic retry: the server answers again, lost again.
    // The third: the network is down altogether. The pane keeps the push and offers Retry.
    let attempts = 0;
    await page.route("**/api/v1/changesets", async (route) => {
      attempts += 1;
      if (attempts <= 2) await route.fetch();
      await route.abort("failed");
    });
    try {
      expect(await pane.review("push", /No answer from the server/)).toContain("The push is kept");
    } finally {
      await page.unroute("**/api/v1/changesets");
    }
    expect(attempts).toBe(3);
    await page.getByTestId("frozen-push").waitFor();
    expect(await receiptsWithReference(service.store, "ACH INV-E1")).toHaveLength(1);
    await screenshot(page, "issue5-e2e-5-push-waiting");

    expect(await pane.review("retry", /Already posted \(confirmed\)/)).toContain("Open Items shows the new balances");
    expect(await page.getByTestId("frozen-push").count()).toBe(0);
    const ids = new Set(posts.bodies().map((b) => (b as { id: string }).id));
    expect(posts.real()).toBe(4);
    expect(ids.size).toBe(1);

    // One receipt, one application, one change set — not two.
    const stored = await receiptsWithReference(service.store, "ACH INV-E1");
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ amount: "812.40", unapplied: "0.00", changeSetId: [...ids][0] });
    expect(await applicationCount(service.store, "inv-e1")).toBe(1);
    expect(await committedChangeSetCount(service.store)).toBe(committedBefore + 1);
    expect(await openOf("cus-evergreen")).toEqual({});
    expect(await cellText(page, { table: PAY, row, column: "status" })).toBe("Posted");
    expect(await cellText(page, { table: PAY, row, column: "id" })).toBe(stored[0]?.id);
    expect((await readTable(page, OI)).map((r) => cellToText(cellOf(OPEN_ITEMS, r, "id")))).not.toContain("inv-e1");
  });

  describe("bad input typed into cells", () => {
    it("text in an amount, three decimals in USD, applying more than is open, an unknown customer: each a cell-level error, nothing sent", async () => {
      const posts = countChangeSetPosts(page);
      const agingBefore = await agingOf();
      const committedBefore = await committedChangeSetCount(service.store);

      const f1 = await openItemsRow("inv-f1");
      await typeRow(page, OI, f1, { apply: "abc", from: "ACH-F1" });
      // INV-C3 has 60.00 open; ACH-C900 has 150.00 unapplied, so 120.00 is too much for the invoice, not for the cash.
      const c3 = await openItemsRow("inv-c3");
      await typeIntoCell(page, { table: OI, row: c3, column: "apply" }, "120.00");
      await typeIntoCell(page, { table: OI, row: c3, column: "from" }, "ACH-C900");
      const decimals = await blankPaymentsRow(3);
      await typeRow(page, PAY, decimals, { date: "2026-11-23", customer: "C-500", amount: "12.345", method: "check", reference: "CHK-BAD1" });
      const stranger = await blankPaymentsRow();
      await typeRow(page, PAY, stranger, { date: "2026-11-23", customer: "C-999", amount: "50.00", method: "check", reference: "CHK-BAD2" });

      const expectProblems = async () => {
        const problems = await pane.problems();
        const at = (table: string, row: number, column: string) => problems.filter((p) => p.cell === `${table}:${row}:${column}`).map((p) => p.text);
        expect(problems).toHaveLength(4);
        expect(at(OI, f1, "apply").join()).toContain('Apply: "abc" is not an amount');
        expect(at(OI, c3, "apply").join()).toMatch(/INV-C3: amount 120\.00 .*more than its open 60\.00/);
        expect(at(PAY, decimals, "amount").join()).toMatch(/12\.345.*decimal|decimal.*12\.345/i);
        expect(at(PAY, stranger, "customer").join()).toContain("customer C-999 is not known to the ledger");
      };
      expect(await pane.review("check", /4 problem\(s\) to fix/)).toContain("Nothing was sent");
      await expectProblems();
      // Each cell is marked red in the sheet, with the message as its note.
      for (const cell of [{ table: OI, row: f1, column: "apply" }, { table: PAY, row: decimals, column: "amount" }, { table: PAY, row: stranger, column: "customer" }]) {
        const style = await page.evaluate((c) => window.openarPreview.model.cellStyle(c.table, c.row, c.column), cell);
        expect(style.fill, `${cell.table}:${cell.row}:${cell.column}`).toBe("#FDE7E9");
        expect(style.note).not.toBeNull();
      }
      // A problem line takes the clerk to its cell.
      await page.locator(`[data-testid="problem"][data-problem-cell="${PAY}:${decimals}:amount"]`).click();
      await expect.poll(() => page.evaluate(() => window.openarPreview.model.selection)).toEqual({ table: PAY, row: decimals, column: "amount" });
      await screenshot(page, "issue5-e2e-2-review-errors");

      // Push checks first and sends nothing either.
      expect(await pane.review("push", /4 problem\(s\) to fix/)).toContain("Nothing was sent");
      await expectProblems();
      expect(posts.real()).toBe(0);
      expect(posts.dryRuns()).toBe(0);
      expect(await agingOf()).toEqual(agingBefore);
      expect(await committedChangeSetCount(service.store)).toBe(committedBefore);
      expect(await receiptsWithReference(service.store, "CHK-BAD1")).toEqual([]);

      // The clerk deletes the bad entries: nothing is pending, and the red marks go.
      for (const column of ["apply", "from"]) {
        await clearCell(page, { table: OI, row: f1, column });
        await clearCell(page, { table: OI, row: c3, column });
      }
      for (const row of [decimals, stranger]) for (const column of PAYMENT_ENTRY) await clearCell(page, { table: PAY, row, column });
      expect(await pane.review("check", /Nothing to push/)).toContain("No pending changes");
      expect(await cellText(page, { table: PAY, row: decimals, column: "status" })).toBe("");
    });

    it("a receipt dated in a closed period: the server's dry run names the date cell, and the push writes nothing", async () => {
      const closed = await service.api("/changesets", controller.token, { id: "cs-close-2026-10", operations: [{ op: "period.close", period: "2026-10" }] });
      expect(closed.status, JSON.stringify(closed.body)).toBe(201);
      const posts = countChangeSetPosts(page);
      const agingBefore = await agingOf();
      const committedBefore = await committedChangeSetCount(service.store);

      const row = await blankPaymentsRow();
      await typeRow(page, PAY, row, { date: "2026-10-15", customer: "C-800", amount: "75.00", method: "ach", reference: "ACH-OCT15" });
      // The pane does not know which periods are closed: locally the receipt is fine.
      expect(await pane.review("check", /Ready to push/)).toContain("1 change(s) on 1 row(s)");

      expect(await pane.review("dry-run", /The server would refuse it/)).toContain("Nothing was saved");
      const dryProblems = await pane.problems();
      expect(dryProblems).toHaveLength(1);
      expect(dryProblems[0]?.cell).toBe(`${PAY}:${row}:date`);
      expect(dryProblems[0]?.text).toContain("2026-10-15 falls in period 2026-10, which is closed");
      expect(posts.dryRuns()).toBe(1);
      expect(posts.real()).toBe(0);

      expect(await pane.review("push", /Nothing was posted/)).toContain("marked red");
      const pushProblems = await pane.problems();
      expect(pushProblems.map((p) => p.cell)).toEqual([`${PAY}:${row}:date`]);
      expect(pushProblems[0]?.text).toContain("which is closed");
      expect((await pane.rowResults()).map((r) => r.status)).toEqual(["Error"]);
      expect(await cellText(page, { table: PAY, row, column: "status" })).toBe("Error");
      expect(posts.real()).toBe(1);

      expect(await agingOf()).toEqual(agingBefore);
      expect(await committedChangeSetCount(service.store)).toBe(committedBefore);
      expect(await receiptsWithReference(service.store, "ACH-OCT15")).toEqual([]);
      await showSheet(page, PAY);
      await screenshot(page, "issue5-e2e-4-closed-period");

      expect(errors.filter((e) => !EXPECTED_CONSOLE.test(e))).toEqual([]);
    });
  });
});
