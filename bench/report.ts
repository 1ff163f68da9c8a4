/**
 * The benchmark's output: a table on stdout and bench/RESULTS.md, with every
 * figure next to its baseline, its ratio and its budget's verdict. Peak
 * memory of the streaming pull is also kept per size in bench/tmp (so the
 * results can show it across sizes as the sizes are run one by one); peak
 * memory of the bank import is measured at two file sizes in the same run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DemoSize } from "../server/demo/generator.js";
import { ADDIN_PAYLOAD_BUDGET, type AddinPullResult } from "./addin-pull.js";
import type { AgingResult } from "./aging.js";
import {
  LEDGER_LINE_KINDS,
  type BankResult,
  type ImportResult,
  type LedgerOutcome,
  type MatchingServiceResult,
} from "./bank.js";
import type { LoadResult } from "./load.js";
import { markdownTable, matchingVerdict, mixText, type MatchingBenchmarkResult } from "./matching.js";
import { formatBytes, formatMs, type Comparison } from "./measure.js";
import type { PushResult } from "./push.js";
import type { PeakMemory, ScalingPoint, StreamResult } from "./pull-stream.js";
import { TMP_DIR, type SeedStats } from "./stores.js";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

export interface StoreResults {
  readonly kind: "sqlite" | "postgres";
  readonly version: string;
  readonly seed: SeedStats;
  readonly cached: boolean;
  readonly agingToday: AgingResult | null;
  readonly agingPast: AgingResult | null;
  readonly stream: StreamResult | null;
  readonly scaling: readonly ScalingPoint[];
  readonly load: LoadResult | null;
  readonly push: PushResult | null;
  readonly bank: BankResult | null;
}

export interface Results {
  readonly date: string;
  readonly size: DemoSize;
  readonly openTarget: number;
  readonly machine: Machine;
  readonly reps: {
    readonly aging: number;
    readonly stream: number;
    readonly push: number;
    readonly bankImport: number;
    readonly matching: number;
  };
  readonly load: { readonly seconds: number; readonly connections: number };
  readonly stores: readonly StoreResults[];
  readonly addin: readonly AddinPullResult[];
  /** bench/matching.ts on its generated ledger: how often the engine is right, per noise kind. */
  readonly matchingQuality: MatchingBenchmarkResult | null;
  readonly notes: readonly string[];
}

export const BUDGETS = { aging: 2, stream: 2, push: 5 } as const;
/**
 * "Flat": the heap the full stream holds (after a full GC, above idle) stays
 * within this much of what the shortest stream from the same ledger holds,
 * and within the cap.
 */
const FLAT_SLACK_BYTES = 16 * 1024 * 1024;
const FLAT_CAP_BYTES = 64 * 1024 * 1024;

// -- history of stream memory per size ------------------------------------------

export interface MemoryHistoryEntry {
  readonly date: string;
  readonly size: DemoSize;
  readonly store: string;
  readonly items: number;
  /** Heap the full stream held (after full GC at checkpoints, above idle). */
  readonly held: number | null;
  readonly stream: PeakMemory;
  readonly bare: PeakMemory;
}

const HISTORY_FILE = join(TMP_DIR, "stream-memory-history.json");
const SIZE_ORDER: readonly DemoSize[] = ["tiny", "small", "medium", "large"];

/** Adds this run's stream memory to the per-size history and returns the latest entry per size and store. */
export function recordHistory(results: Results): MemoryHistoryEntry[] {
  let history: MemoryHistoryEntry[] = [];
  if (existsSync(HISTORY_FILE)) {
    try {
      history = JSON.parse(readFileSync(HISTORY_FILE, "utf8")) as MemoryHistoryEntry[];
    } catch {
      history = [];
    }
  }
  for (const store of results.stores) {
    if (store.stream === null) continue;
    history = history.filter((h) => !(h.size === results.size && h.store === store.kind));
    const all = store.scaling.find((p) => p.filter === "all");
    history.push({
      date: results.date,
      size: results.size,
      store: store.kind,
      items: store.stream.items,
      held: all === undefined ? null : retained(all),
      stream: store.stream.streamMemory,
      bare: store.stream.bareMemory,
    });
  }
  mkdirSync(TMP_DIR, { recursive: true });
  writeFileSync(HISTORY_FILE, JSON.stringify(history, null, 2));
  return [...history].sort(
    (a, b) => a.store.localeCompare(b.store) || SIZE_ORDER.indexOf(a.size) - SIZE_ORDER.indexOf(b.size),
  );
}

// -- verdicts --------------------------------------------------------------------

const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
const ratio = (r: number) => `${r.toFixed(2)}×`;

const retained = (p: ScalingPoint) => Math.max(0, p.retainedHeap - p.idleHeap);

/** Flat: what the full stream holds (heap after GC, above idle) is within a small slack of what the shortest holds, and under a cap. */
export function flatVerdict(points: readonly ScalingPoint[]): { ok: boolean; why: string } {
  const smallest = [...points].sort((a, b) => a.items - b.items)[0];
  const all = points.find((p) => p.filter === "all");
  if (smallest === undefined || all === undefined) return { ok: false, why: "not measured" };
  const ok = retained(all) <= retained(smallest) + FLAT_SLACK_BYTES && retained(all) <= FLAT_CAP_BYTES;
  return {
    ok,
    why: `heap held during the stream (after full GC, above idle) ${formatBytes(retained(smallest))} for ${smallest.items.toLocaleString("en-US")} items vs ${formatBytes(retained(all))} for ${all.items.toLocaleString("en-US")}`,
  };
}

/**
 * Import memory is bounded: what the largest file's import holds (heap after
 * full GCs, above idle) is within the same slack of what the smallest one's
 * holds, and under the same cap as the streaming pull.
 */
export function importFlatVerdict(imports: readonly ImportResult[]): { ok: boolean; why: string } {
  const sorted = [...imports].sort((a, b) => a.physicalLines - b.physicalLines);
  const smallest = sorted[0];
  const largest = sorted.at(-1);
  if (smallest === undefined || largest === undefined || smallest === largest)
    return { ok: false, why: "not measured at two sizes" };
  const ok = largest.held <= smallest.held + FLAT_SLACK_BYTES && largest.held <= FLAT_CAP_BYTES;
  return {
    ok,
    why: `heap held during the import (after full GCs every 50 ms, above idle) ${formatBytes(smallest.held)} for ${smallest.physicalLines.toLocaleString("en-US")} lines vs ${formatBytes(largest.held)} for ${largest.physicalLines.toLocaleString("en-US")}`,
  };
}

const perSecond = (count: number, ms: number, what: string) =>
  `${Math.round((count * 1000) / ms).toLocaleString("en-US")} ${what}/s`;
const pct = (part: number, whole: number) => (whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`);

interface Row {
  readonly store: string;
  readonly figure: string;
  readonly subject: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly budget: string;
  readonly verdict: string;
}

function comparisonRow(store: string, figure: string, c: Comparison, budget: number): Row {
  return {
    store,
    figure,
    subject: formatMs(c.subject.median),
    baseline: formatMs(c.baseline.median),
    ratio: ratio(c.ratio),
    budget: `≤ ${budget}×`,
    verdict: verdict(c.ratio <= budget),
  };
}

function rows(results: Results): Row[] {
  const out: Row[] = [];
  for (const s of results.stores) {
    const name = s.kind === "sqlite" ? "SQLite" : "PostgreSQL";
    if (s.agingToday !== null)
      out.push(comparisonRow(name, `aging as of ${s.agingToday.asOf} (today)`, s.agingToday, BUDGETS.aging));
    if (s.agingPast !== null)
      out.push(comparisonRow(name, `aging as of ${s.agingPast.asOf} (history)`, s.agingPast, BUDGETS.aging));
    if (s.stream !== null) {
      out.push(
        comparisonRow(
          name,
          `streaming pull, ${s.stream.items.toLocaleString("en-US")} items`,
          s.stream,
          BUDGETS.stream,
        ),
      );
      out.push({
        ...comparisonRow(name, "  of which the store + serialization (no HTTP)", s.stream.inProcess, BUDGETS.stream),
        budget: "(info)",
        verdict: "",
      });
      const flat = flatVerdict(s.scaling);
      const all = s.scaling.find((p) => p.filter === "all");
      out.push({
        store: name,
        figure: "streaming pull memory (service)",
        subject: `held ${all === undefined ? "?" : formatBytes(retained(all))}; peak RSS ${formatBytes(s.stream.streamMemory.peakRss)}, heap ${formatBytes(s.stream.streamMemory.peakHeapUsed)}`,
        baseline: `RSS ${formatBytes(s.stream.bareMemory.peakRss)}, heap ${formatBytes(s.stream.bareMemory.peakHeapUsed)}`,
        ratio: "",
        budget: "flat",
        verdict: verdict(flat.ok),
      });
    }
    if (s.push !== null)
      out.push(
        comparisonRow(name, `push of ${s.push.operations.toLocaleString("en-US")} operations`, s.push, BUDGETS.push),
      );
    if (s.bank !== null) out.push(...bankRows(name, s.bank));
    if (s.load !== null) {
      for (const r of s.load.routes) {
        out.push({
          store: name,
          figure: `load ${r.path}`,
          subject: `${r.requestsPerSecond.toFixed(0)} req/s, p50/p90/p99 ${r.p50}/${r.p90}/${r.p99} ms`,
          baseline: `${s.load.health.requestsPerSecond.toFixed(0)} req/s, ${s.load.health.p50}/${s.load.health.p90}/${s.load.health.p99} ms`,
          ratio:
            r.requestsPerSecond > 0
              ? `${(s.load.health.requestsPerSecond / r.requestsPerSecond).toFixed(1)}× fewer req/s`
              : "no answers",
          budget: "—",
          verdict: r.failures + s.load.health.failures === 0 ? "" : `${r.failures} failed`,
        });
      }
    }
  }
  for (const a of results.addin) {
    const bytesOk = a.openItemsMaxBytes <= ADDIN_PAYLOAD_BUDGET;
    out.push({
      store: "add-in",
      figure: `Open Items write, ${a.rows.toLocaleString("en-US")} rows`,
      subject: `${a.openItemsSyncs} syncs, largest ${formatBytes(a.openItemsMaxBytes)}`,
      baseline: "",
      ratio: "",
      budget: `≤ ${a.syncBudget} syncs, ≤ 4 MB`,
      verdict: verdict(a.openItemsSyncs <= a.syncBudget && bytesOk),
    });
    out.push({
      store: "add-in",
      figure: `whole pull, ${a.rows.toLocaleString("en-US")} rows`,
      subject: `${a.pullSyncs} syncs, largest ${formatBytes(a.pullMaxBytes)}`,
      baseline: "",
      ratio: "",
      budget: `≤ ${a.syncBudget} syncs, ≤ 4 MB`,
      verdict: verdict(a.pullSyncs <= a.syncBudget && a.pullMaxBytes <= ADDIN_PAYLOAD_BUDGET),
    });
    if (a.repeat !== null) {
      out.push({
        store: "add-in",
        figure: `second pull, ${a.rows.toLocaleString("en-US")} rows, ${a.repeat.edits} rows edited`,
        subject: `${a.repeat.syncs} syncs, largest ${formatBytes(a.repeat.maxBytes)}`,
        baseline: "",
        ratio: "",
        budget: `≤ ${a.syncBudget} syncs, ≤ 4 MB`,
        verdict: verdict(a.repeat.syncs <= a.syncBudget && a.repeat.maxBytes <= ADDIN_PAYLOAD_BUDGET),
      });
    }
  }
  const q = results.matchingQuality;
  if (q !== null) {
    const v = matchingVerdict(q);
    const correct = pct(q.totals.withTrueMatch.autoCorrect, q.totals.withTrueMatch.lines);
    out.push({
      store: "engine",
      figure: `matching quality, ${q.totals.lines.toLocaleString("en-US")} generated lines vs ${q.totals.openItems.toLocaleString("en-US")} open items`,
      subject: `${correct} auto-correct, ${q.totals.autoWrong} wrong, ${q.totals.leftForPerson} left for a person (bench/matching.ts target ≥ 95% / ≤ 0.5%: ${v.pass ? "met" : "missed"})`,
      baseline: "",
      ratio: "",
      budget: "—",
      verdict: "(info)",
    });
  }
  return out;
}

function bankRows(store: string, bank: BankResult): Row[] {
  const out: Row[] = [];
  for (const i of bank.imports) {
    out.push({
      ...comparisonRow(
        store,
        `BAI2 import, ${i.physicalLines.toLocaleString("en-US")} lines (${i.bankLines.toLocaleString("en-US")} bank lines)`,
        i,
        0,
      ),
      subject: `${formatMs(i.subject.median)} (${perSecond(i.physicalLines, i.subject.median, "lines")})`,
      baseline: `${formatMs(i.baseline.median)} (${perSecond(i.physicalLines, i.baseline.median, "lines")})`,
      budget: "—",
      verdict: "(info)",
    });
  }
  if (bank.imports.length > 0) {
    const flat = importFlatVerdict(bank.imports);
    out.push({
      store,
      figure: `BAI2 import memory, ${bank.imports.map((i) => i.physicalLines.toLocaleString("en-US")).join(" / ")} lines`,
      subject: `held ${bank.imports.map((i) => formatBytes(i.held)).join(" / ")}; peak heap ${bank.imports.map((i) => formatBytes(i.memory.peakHeapUsed)).join(" / ")}, RSS ${bank.imports.map((i) => formatBytes(i.memory.peakRss)).join(" / ")}`,
      baseline: `heap ${bank.imports.map((i) => formatBytes(i.bareMemory.peakHeapUsed)).join(" / ")}, RSS ${bank.imports.map((i) => formatBytes(i.bareMemory.peakRss)).join(" / ")}`,
      ratio: "",
      budget: "flat",
      verdict: flat.ok ? "PASS" : "FAIL",
    });
  }
  const m = bank.matching;
  out.push({
    ...comparisonRow(
      store,
      `matching ${m.lines.toLocaleString("en-US")} bank lines vs ${m.openItems.toLocaleString("en-US")} open ${m.currency} items (store.bankLines)`,
      m,
      0,
    ),
    subject: `${formatMs(m.subject.median)} (${perSecond(m.lines, m.subject.median, "lines")})`,
    budget: "—",
    verdict: "(info)",
  });
  out.push({
    ...comparisonRow(store, "  of which the engine alone (matchBankLines)", m.engine, 0),
    subject: `${formatMs(m.engine.subject.median)} (${perSecond(m.creditLines, m.engine.subject.median, "lines")})`,
    budget: "(info)",
    verdict: "",
  });
  return out;
}

// -- stdout ----------------------------------------------------------------------

export function printTable(results: Results, log: (line: string) => void): void {
  const table = rows(results);
  const headers: Row = {
    store: "store",
    figure: "figure",
    subject: "measured",
    baseline: "baseline",
    ratio: "ratio",
    budget: "budget",
    verdict: "verdict",
  };
  const keys = Object.keys(headers) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(headers[k].length, ...table.map((r) => r[k].length)));
  const line = (r: Row) =>
    keys
      .map((k, i) => r[k].padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  log("");
  log(`OpenAR benchmark — ${results.size} (${results.openTarget.toLocaleString("en-US")} open items), ${results.date}`);
  log(line(headers));
  log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of table) log(line(r));
  for (const note of results.notes) log(`note: ${note}`);
}

// -- RESULTS.md ------------------------------------------------------------------

const md = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;

function samplesText(c: Comparison): string {
  return `subject ${c.subject.samples.map((s) => s.toFixed(0)).join(", ")} ms; baseline ${c.baseline.samples.map((s) => s.toFixed(0)).join(", ")} ms`;
}

export function resultsMarkdown(results: Results, history: readonly MemoryHistoryEntry[]): string {
  const m = results.machine;
  const out: string[] = [];
  out.push("# OpenAR benchmark results", "");
  out.push("Written by `npm run bench` (bench/run.ts); overwritten on every run. Every timed figure is the median of");
  out.push(
    "several repetitions after a warm-up, divided by the median of a bare baseline measured in the same run, on",
  );
  out.push("the same data, interleaved with it — absolute times on this shared machine drift, ratios much less.", "");
  out.push("## Run", "");
  out.push(`- Date: ${results.date}`);
  out.push(
    `- Size: **${results.size}** (${results.openTarget.toLocaleString("en-US")} open items from the demo generator, pushed through \`store.push\`)`,
  );
  out.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}; Node ${m.node}`);
  out.push(
    `- Load average before / after: ${m.loadBefore.map((l) => l.toFixed(2)).join(" ")} / ${m.loadAfter.map((l) => l.toFixed(2)).join(" ")} (the machine is shared)`,
  );
  for (const s of results.stores) {
    out.push(
      `- ${s.version}: ledger of ${s.seed.operations.toLocaleString("en-US")} operations in ${s.seed.changeSets} change sets, seeded through push in ${s.seed.seconds.toFixed(1)} s (${(s.seed.operations / s.seed.seconds).toFixed(0)} operations/s)${s.cached ? ", from the cached seed" : ""}`,
    );
  }
  out.push(
    `- Repetitions: aging ${results.reps.aging}, streaming pull ${results.reps.stream}, push ${results.reps.push}, bank import ${results.reps.bankImport}, matching ${results.reps.matching}; load test ${results.load.seconds} s per route, ${results.load.connections} connections`,
  );
  for (const note of results.notes) out.push(`- Note: ${note}`);
  out.push("");

  out.push("## Budgets", "");
  out.push(md(["store", "figure", "measured (median)", "baseline (median)", "ratio", "budget", "verdict"]));
  out.push(md(["---", "---", "---", "---", "---", "---", "---"]));
  for (const r of rows(results)) out.push(md([r.store, r.figure, r.subject, r.baseline, r.ratio, r.budget, r.verdict]));
  out.push("");

  out.push("## Details", "");
  for (const s of results.stores) {
    const name = s.kind === "sqlite" ? "SQLite" : "PostgreSQL";
    out.push(`### ${name} (${s.version})`, "");
    for (const a of [s.agingToday, s.agingPast]) {
      if (a === null) continue;
      out.push(
        `- Aging as of ${a.asOf}: \`store.aging\` (basis due, edges 30/60/90/120; ${a.customerRows.toLocaleString("en-US")} customer rows) vs \`SELECT customer_id, currency, SUM(open_minor) FROM documents WHERE open_minor > 0 GROUP BY customer_id, currency\` through the same Database. ${samplesText(a)}.`,
      );
    }
    if (s.stream !== null) {
      const st = s.stream;
      out.push(
        `- Streaming pull: GET /api/v1/open-items?stream=true over loopback, ${st.items.toLocaleString("en-US")} items, ${formatBytes(st.bytes)} of NDJSON, read to the end by the client; vs one plain SELECT of the same ${st.bareRows.toLocaleString("en-US")} rows (with customer number and name) JSON.stringify-ed at once (${formatBytes(st.bareBytes)}), in the service process. ${samplesText(st)}.`,
      );
      out.push(
        `- Without HTTP (in the service process: store.streamOpenItems in batches of 2,000, each item serialized as the route does): ${formatMs(st.inProcess.subject.median)} vs bare ${formatMs(st.inProcess.baseline.median)} = ${ratio(st.inProcess.ratio)}; the rest of the pull's time is the HTTP response, loopback and the client reading it.`,
      );
      out.push(
        `- Service memory (after a full GC before each pull): streaming idle RSS ${formatBytes(st.streamMemory.idleRss)} → peak ${formatBytes(st.streamMemory.peakRss)}, peak heap ${formatBytes(st.streamMemory.peakHeapUsed)}; bare baseline idle ${formatBytes(st.bareMemory.idleRss)} → peak ${formatBytes(st.bareMemory.peakRss)}, peak heap ${formatBytes(st.bareMemory.peakHeapUsed)}.`,
      );
      if (s.scaling.length > 0) {
        out.push(
          `- Memory by stream length (same ledger, filtered by currency; the client pauses at checkpoints and the service reports its heap after a full GC): ${s.scaling.map((p) => `${p.filter} ${p.items.toLocaleString("en-US")} items → held +${formatBytes(retained(p))} (${p.checkpoints} checkpoints), peak heap ${formatBytes(p.memory.peakHeapUsed)}, peak RSS ${formatBytes(p.memory.peakRss)}`).join("; ")}. ${flatVerdict(s.scaling).ok ? "Flat" : "NOT flat"}: ${flatVerdict(s.scaling).why}.`,
        );
      }
    }
    if (s.push !== null) {
      const p = s.push;
      out.push(
        `- Push: ${p.operations.toLocaleString("en-US")} \`receipt.create\` operations, each applying one minor unit (0.01) to a seeded open invoice, parsed by the change-set schema and pushed through \`store.push\` (validated, GL journals, audit, change feed, committed); vs the same ${p.bareRows.toLocaleString("en-US")} receipt and application rows inserted with the same multi-row INSERT statements in one transaction. ${samplesText(p)}.`,
      );
      out.push(
        `  Where the median push's time goes (medians of the timed pushes): ${formatMs(p.pushSqlMs)} inside ${p.pushStatements.toLocaleString("en-US")} SQL statements (loading and locking the rows it touches, then every row a push writes: receipts, applications, balance updates, GL journals and lines, audit, change feed, the change-set record) = ${(p.pushSqlMs / p.baseline.median).toFixed(1)}× the whole bare insert; ${formatMs(p.pushCommitMs)} in BEGIN/COMMIT; the other ${formatMs(Math.max(0, p.subject.median - p.pushSqlMs - p.pushCommitMs))} in JavaScript: schema check, validation and planning (decimal arithmetic), building statements, garbage collection.`,
      );
    }
    if (s.bank !== null) out.push(...bankDetails(s.bank));
    if (s.load !== null) {
      out.push(
        `- Load (autocannon in the benchmark process, ${s.load.connections} connections, ${s.load.seconds} s per route, one route after another; bearer token; rate limit raised):`,
        "",
      );
      out.push(md(["route", "req/s", "p50 ms", "p90 ms", "p99 ms", "requests", "failures"]));
      out.push(md(["---", "---", "---", "---", "---", "---", "---"]));
      for (const r of [s.load.health, ...s.load.routes]) {
        out.push(
          md([
            r.path,
            r.requestsPerSecond.toFixed(0),
            String(r.p50),
            String(r.p90),
            String(r.p99),
            r.requests.toLocaleString("en-US"),
            String(r.failures),
          ]),
        );
      }
    }
    out.push("");
  }

  if (history.length > 0) {
    out.push("### Streaming pull: service memory by size", "");
    out.push(
      'The latest run of each size on this machine (kept in bench/tmp between runs). "Heap held" is what the service kept while streaming every item (heap after a full GC at checkpoints, above idle): flat means it does not grow with the size.',
      "",
    );
    out.push(
      md([
        "store",
        "size",
        "items",
        "stream: heap held",
        "stream: idle → peak RSS",
        "stream: peak heap",
        "bare SELECT + stringify: peak RSS",
        "bare: peak heap",
        "date",
      ]),
    );
    out.push(md(["---", "---", "---", "---", "---", "---", "---", "---", "---"]));
    for (const h of history) {
      out.push(
        md([
          h.store,
          h.size,
          h.items.toLocaleString("en-US"),
          h.held === null ? "—" : formatBytes(h.held),
          `${formatBytes(h.stream.idleRss)} → ${formatBytes(h.stream.peakRss)}`,
          formatBytes(h.stream.peakHeapUsed),
          `${formatBytes(h.bare.idleRss)} → ${formatBytes(h.bare.peakRss)}`,
          formatBytes(h.bare.peakHeapUsed),
          h.date.slice(0, 10),
        ]),
      );
    }
    out.push("");
  }

  if (results.addin.length > 0) {
    out.push("### Add-in pull through the recording Office.js gateway", "");
    out.push(
      'The real `pull()` (addin/sync/pull.ts) with the Office.js gateway over test/support/office-mock.ts `recordingExcel({ storeValues: false, keepPayloads: false })`, fed synthetic open items as NDJSON through the real ApiClient. "Open Items write" is the `replaceRows` of the Open Items table; "whole pull" adds creating both sheets (one batch), value rules, the Aging table and its chart, into a new workbook. "second pull" is a pull into the same workbook by a new task-pane session (nothing remembered) after the clerk typed into rows spread over the sheet (`recordingExcel({ storeValues: true })`): the tables are checked, the unpushed edits found by Excel (special cells) and read back, then everything rewritten, the edits kept.',
      "",
    );
    out.push(
      md([
        "rows",
        "Open Items write: syncs",
        "largest payload",
        "whole pull: syncs",
        "largest payload",
        "second pull: syncs",
        "largest payload",
        "budget",
        "time",
      ]),
    );
    out.push(md(["---", "---", "---", "---", "---", "---", "---", "---", "---"]));
    for (const a of results.addin) {
      out.push(
        md([
          a.rows.toLocaleString("en-US"),
          String(a.openItemsSyncs),
          formatBytes(a.openItemsMaxBytes),
          String(a.pullSyncs),
          formatBytes(a.pullMaxBytes),
          a.repeat === null ? "not measured (the fake would hold every cell)" : `${a.repeat.syncs} (${a.repeat.edits} rows edited)`,
          a.repeat === null ? "" : formatBytes(a.repeat.maxBytes),
          `⌈rows/5,000⌉ + 5 = ${a.syncBudget}, ≤ 4 MB`,
          `${a.seconds.toFixed(1)} s`,
        ]),
      );
    }
    out.push("");
  }

  if (results.matchingQuality !== null) out.push(...matchingQualityDetails(results.matchingQuality));

  out.push(readFileSync(join(TMP_DIR, "..", "TUNING.md"), "utf8").trim(), "");
  return out.join("\n");
}

function outcomeCells(label: string, o: LedgerOutcome): string[] {
  return [
    label,
    o.lines.toLocaleString("en-US"),
    `${o.autoCorrect.toLocaleString("en-US")} (${pct(o.autoCorrect, o.lines)})`,
    `${o.autoWrong.toLocaleString("en-US")} (${pct(o.autoWrong, o.lines)})`,
    `${o.leftForPerson.toLocaleString("en-US")} (${pct(o.leftForPerson, o.lines)})`,
  ];
}

function bankDetails(bank: BankResult): string[] {
  const out: string[] = [];
  const first = bank.imports[0];
  if (first !== undefined) {
    out.push(
      `- BAI2 import: seeded files written to bench/tmp (one 01 and 02, ${first.accounts} accounts each 03 … 49, 16 details with one to three 88 continuations carrying the payer, the invoice numbers and a remittance note, 98, 99, with correct control totals and record counts), imported through \`importBankFile\` (server/bank-import.ts, what POST /api/v1/bank-statements calls) streaming from the file: spooled to a temporary file while hashed, parsed whole once to check it, parsed again inside the one transaction that stores it. Each repetition imports a file of its own (a file is stored once, by SHA-256). Bare baseline: the same file read line by line (node:readline), each record split on its commas with no validation, a statement row per 03 and a line row per 16 (its 88 texts as the remittance) inserted with the import's own multi-row INSERT statements, 1,000 lines at a time, in one transaction.`,
    );
    for (const i of bank.imports) {
      out.push(
        `  - ${i.physicalLines.toLocaleString("en-US")} lines (${formatBytes(i.bytes)}, ${i.bankLines.toLocaleString("en-US")} bank lines): ${formatMs(i.subject.median)} = ${perSecond(i.physicalLines, i.subject.median, "file lines")}, ${perSecond(i.bankLines, i.subject.median, "bank lines")}; bare ${formatMs(i.baseline.median)}; ${ratio(i.ratio)}. ${samplesText(i)}.`,
      );
    }
    out.push(
      "",
      '  Memory of the benchmark process during one import (after a full GC before it; heap and RSS sampled every 5 ms, VmHWM from the kernel; "held" from a separate import with a full GC every 50 ms):',
      "",
    );
    out.push(
      md([
        "file lines",
        "bank lines",
        "held (after GC)",
        "idle → peak heap",
        "idle → peak RSS",
        "VmHWM",
        "bare: peak heap",
        "bare: peak RSS",
      ]),
    );
    out.push(md(["---", "---", "---", "---", "---", "---", "---", "---"]));
    for (const i of bank.imports) {
      out.push(
        md([
          i.physicalLines.toLocaleString("en-US"),
          i.bankLines.toLocaleString("en-US"),
          `${formatBytes(i.held)} (${i.heldCheckpoints} GCs)`,
          `${formatBytes(i.memory.idleHeap)} → ${formatBytes(i.memory.peakHeapUsed)}`,
          `${formatBytes(i.memory.idleRss)} → ${formatBytes(i.memory.peakRss)}`,
          i.memory.vmHwm === null ? "—" : formatBytes(i.memory.vmHwm),
          `${formatBytes(i.bareMemory.idleHeap)} → ${formatBytes(i.bareMemory.peakHeapUsed)}`,
          `${formatBytes(i.bareMemory.idleRss)} → ${formatBytes(i.bareMemory.peakRss)}`,
        ]),
      );
    }
    const flat = importFlatVerdict(bank.imports);
    out.push("", `  ${flat.ok ? "Bounded" : "NOT bounded"}: ${flat.why}.`, "");
  }
  const m: MatchingServiceResult = bank.matching;
  out.push(
    `- Matching: a ${m.lines.toLocaleString("en-US")}-line ${m.currency} statement made from the ledger's own open invoices (each paid at most once; one invoice named in an 88, two to four of one customer's, one without any reference, one with a digit of its number mistyped; credits from nobody and debits), imported once (${m.importSeconds.toFixed(1)} s), then read with its suggestions through \`store.bankLines\` (what GET /api/v1/bank-statements/:id/lines does: the lines, ${m.customers.toLocaleString("en-US")} customers, the ${m.openItems.toLocaleString("en-US")} open invoices and debit memos in ${m.currency} as of today — of ${m.ledgerOpenItems.toLocaleString("en-US")} open items in the ledger, all currencies — and matchBankLines over the ${m.creditLines.toLocaleString("en-US")} credit lines). ${formatMs(m.subject.median)} = ${perSecond(m.lines, m.subject.median, "lines")}. Bare baseline: the statement's lines and the open ${m.currency} amounts read with one plain SELECT each, and each credit's amount looked up in a hash map of open amounts (${m.bareHits.toLocaleString("en-US")} lines hit an amount): ${formatMs(m.baseline.median)}; ${ratio(m.ratio)}. ${samplesText(m)}.`,
  );
  if (m.openItems < 100_000) {
    out.push(
      `  This ledger has fewer than 100,000 open items in ${m.currency} (the issue's figure; medium and large have more in all currencies, a ${m.currency} statement is matched against the ${m.currency} ones only)${m.outcomes.unrelated.lines > m.lines / 10 ? `, and too few open invoices for every line: ${m.outcomes.unrelated.lines.toLocaleString("en-US")} lines are credits from nobody` : ""}.`,
    );
  }
  out.push(
    `  The engine alone (matchBankLines on the same inputs, loaded as the store loads them): ${formatMs(m.engine.subject.median)} = ${perSecond(m.creditLines, m.engine.subject.median, "lines")}, vs the hash lookup alone ${formatMs(m.engine.baseline.median)} (engine ${m.engine.subject.samples.map((x) => x.toFixed(0)).join(", ")} ms); the rest of the service's time is reading the lines, customers and open items.`,
    "",
  );
  out.push(`  Outcomes against the invoices each line was made from (auto-accepted at the default threshold):`, "");
  out.push(md(["line kind", "lines", "auto-matched correctly", "auto-matched wrongly", "left for a person"]));
  out.push(md(["---", "---", "---", "---", "---"]));
  for (const kind of LEDGER_LINE_KINDS)
    if (m.outcomes[kind].lines > 0) out.push(md(outcomeCells(kind, m.outcomes[kind])));
  out.push(md(outcomeCells("all lines", m.total)));
  out.push("");
  return out;
}

function matchingQualityDetails(q: MatchingBenchmarkResult): string[] {
  const t = q.totals;
  return [
    "### Matching quality on a generated ledger (bench/matching.ts)",
    "",
    `The shared engine on bench/matching-generator.ts's world (seed ${t.seed}): ${t.lines.toLocaleString("en-US")} noisy bank lines against ${t.openItems.toLocaleString("en-US")} open items of ${t.customers.toLocaleString("en-US")} customers, auto-accept threshold ${t.threshold}, matched in ${t.seconds.toFixed(1)} s (${Math.round(t.lines / t.seconds).toLocaleString("en-US")} lines/s). Every line knows its true payer and allocations. Noise: ${mixText(t.mix)}.`,
    "",
    `**${matchingVerdict(q).text}**`,
    "",
    ...markdownTable(q),
    "",
    "Noise rows overlap (a line carries every kind that applies); for unrelated credits and debits the right outcome is to be left for a person. bench/MATCHING.md has the harsh mix and how to read it.",
    "",
  ];
}
