/**
 * Aging over every open item through store.aging (SQL as-of sums and
 * buckets, then the report built in JS), against the bare GROUP BY on the
 * same store through the same Database: today (the stored balances answer)
 * and a month end in the past (documents paid since then need the history
 * subqueries).
 *
 * Always cold: it calls store.aging, which computes the report from the
 * database every time. The answer cache of GET /api/v1/aging
 * (server/http/aging-cache.ts, keyed by the change-feed sequence) sits in the
 * route, not the store, so it never serves this figure; the load test (load.ts)
 * goes through the route and does use it.
 */
import { raw } from "../server/store/sql.js";
import { addDays, endOfMonth, type IsoDate } from "../shared/dates.js";
import { BARE_AGING_SQL } from "./baselines.js";
import { compare, timed, type Comparison } from "./measure.js";
import { BENCH_TODAY, type BenchStore } from "./stores.js";

export interface AgingResult extends Comparison {
  readonly asOf: IsoDate;
  readonly customerRows: number;
}

/** The month end of the month 60 days before today (2026-11-23 → 2026-09-30). */
export const PAST_AS_OF: IsoDate = endOfMonth(addDays(BENCH_TODAY, -60));

export async function measureAging(bench: BenchStore, asOf: IsoDate, repetitions: number): Promise<AgingResult> {
  let customerRows = 0;
  const result = await compare({
    repetitions,
    warmup: 2,
    subject: () =>
      timed(async () => {
        const report = await bench.store.aging({ asOf, basis: "due", edges: [30, 60, 90, 120] });
        customerRows = report.customers.length;
      }),
    baseline: () => timed(() => bench.db.all(raw(BARE_AGING_SQL))),
  });
  return { ...result, asOf, customerRows };
}
