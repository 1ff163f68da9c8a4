import { parseIsoDate, type Clock, type IsoDate } from "../shared/dates.js";

/**
 * The server's clock. "Today" is the UTC calendar date unless OPENAR_TODAY
 * pins it (demo data and end-to-end tests that must not depend on the day
 * they run).
 */
export function systemClock(pinnedToday?: string): Clock {
  const pinned: IsoDate | null = pinnedToday === undefined || pinnedToday === "" ? null : parseIsoDate(pinnedToday, "OPENAR_TODAY");
  return {
    today: () => pinned ?? parseIsoDate(new Date().toISOString().slice(0, 10)),
    now: () => new Date().toISOString(),
  };
}
