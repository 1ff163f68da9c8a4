/**
 * What the add-in remembers per workbook, in the workbook's own settings:
 * the server address, the last pull's parameters and the change-feed cursor.
 * Never the token.
 */
import { z } from "zod";
import type { WorkbookGateway } from "../excel/gateway.js";

export const pullParamsWire = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  basis: z.enum(["due", "document"]),
  buckets: z.array(z.number().int().positive()).min(1),
  /** "today": refresh re-ages as of the day it runs; a fixed date stays historical. */
  asOfMode: z.enum(["today", "fixed"]),
  customerId: z.string().optional(),
  collector: z.string().optional(),
  currency: z.string().optional(),
});
export type SavedPull = z.infer<typeof pullParamsWire>;

export const KEYS = { serverUrl: "openar.serverUrl", lastPull: "openar.lastPull", cursor: "openar.cursor" } as const;

export async function loadLastPull(gateway: WorkbookGateway): Promise<SavedPull | null> {
  const text = await gateway.getSetting(KEYS.lastPull);
  if (text === null) return null;
  try {
    const parsed = pullParamsWire.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function saveLastPull(gateway: WorkbookGateway, pull: SavedPull, cursor: string): Promise<void> {
  await gateway.setSetting(KEYS.lastPull, JSON.stringify(pull));
  await gateway.setSetting(KEYS.cursor, cursor);
}
