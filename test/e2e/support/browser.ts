/**
 * Headless Chromium for the end-to-end tests: Debian's /usr/bin/chromium
 * driven by playwright-core (no browser download). When Chromium is not
 * installed the tests are skipped with a visible warning, never passed.
 *
 *   const browser = await launchChromium();   // null → skip
 *   const page = await browser.newPage();
 *   await screenshot(page, "open-items");     // test-results/screenshots/open-items.png
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../../test-results/screenshots/", import.meta.url));
const SKIP_MESSAGE = `e2e: chromium not found at ${CHROMIUM_PATH} — browser tests skipped`;

/** Quiet, reproducible Chromium: no network chatter of its own, no updates, no GPU. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** True when Chromium is installed; otherwise warns (visibly) so the skip is noticed. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  console.warn(SKIP_MESSAGE);
  return false;
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  /** The first page of the fresh profile. */
  page(): Promise<Page>;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  readonly viewport?: { readonly width: number; readonly height: number };
}

/**
 * Launches Chromium with a fresh profile directory (playwright only accepts
 * a user data dir through launchPersistentContext, which is why this is not
 * `chromium.launch`). Returns null, after the skip warning, when Chromium is missing.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<LaunchedBrowser | null> {
  if (!chromiumAvailable()) return null;
  const userDataDir = mkdtempSync(join(tmpdir(), "openar-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: options.viewport ?? { width: 1440, height: 860 },
      deviceScaleFactor: 1,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    page: async () => context.pages()[0] ?? (await context.newPage()),
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a PNG of what the page (or one element of it) shows under test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await target.screenshot({ path });
  return path;
}

/** Collects uncaught page errors and console errors, so a test can insist there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}
