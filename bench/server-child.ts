/**
 * The sync service in a child process, for the HTTP measurements: the real
 * Express app (createApp) over the benchmark's ledger, on loopback, with a
 * bearer token of its own and the rate limit raised out of the way.
 *
 * It talks to the parent over the IPC channel:
 *   → ready { port, token }
 *   ← mem-reset        → mem { … }   resets the peak trackers first
 *   ← mem              → mem { rss, heapUsed, peakRss, peakHeapUsed, vmHwm }
 *   ← mem-gc           → mem { … }   after a full collection: what is really held now
 *   ← baseline-json    → baseline-json { ms, bytes, rows }  (the pull's bare baseline, in this process)
 *   ← stop
 * Memory is sampled every few milliseconds from a timer (process.memoryUsage),
 * and the kernel's own peak (VmHWM in /proc/self/status, reset by writing 5
 * to /proc/self/clear_refs) catches any peak between two samples.
 *
 * Run through server/bin/run-ts.mjs with the ledger in OPENAR_BENCH_STORE (JSON).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../server/app.js";
import { silentLogger } from "../server/http/logger.js";
import { createToken } from "../server/http/tokens.js";
import { openPostgresDatabase } from "../server/store/postgres-database.js";
import type { SqlLedgerStore } from "../server/store/ledger-store.js";
import { openStore } from "../server/store/open.js";
import { raw, type Database } from "../server/store/sql.js";
import { openSqliteDatabase } from "../server/store/sqlite-database.js";
import { sqlTokenStore } from "../server/store/token-store.js";
import { bareOpenItemsSelect } from "./baselines.js";
import { resetVmHwm, vmHwm } from "./process-memory.js";
import { parseIsoDate } from "../shared/dates.js";
import { benchClock } from "./stores.js";

/** The route's batch size (server/http/api.ts STREAM_BATCH). */
const STREAM_BATCH = 2_000;

type Location = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string };

export type ChildRequest =
  | { type: "mem-reset" }
  | { type: "mem" }
  | { type: "mem-gc" }
  | { type: "baseline-json" }
  | { type: "stream-in-process"; asOf: string }
  | { type: "stop" };

export interface MemoryReport {
  readonly type: "mem";
  readonly rss: number;
  readonly heapUsed: number;
  /** Largest sampled values since the last reset. */
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  /** The kernel's peak resident set since the last reset (bytes), or null where /proc is not available. */
  readonly vmHwm: number | null;
}

export type ChildMessage =
  | { type: "ready"; port: number; token: string }
  | MemoryReport
  | { type: "baseline-json"; ms: number; bytes: number; rows: number }
  | { type: "stream-in-process"; ms: number; bytes: number; rows: number }
  | { type: "error"; message: string };

async function open(location: Location): Promise<Database> {
  if (location.kind === "sqlite") return openSqliteDatabase(location.file);
  return openPostgresDatabase({ url: location.url, schema: location.schema });
}

/**
 * The pull's bare baseline: the same open items read with one plain SELECT
 * (no as-of arithmetic, no paging, no notes) and JSON.stringify-ed, rows as
 * the store's Database gives them (amounts as strings of minor units).
 */
async function bareJson(db: Database): Promise<{ ms: number; bytes: number; rows: number }> {
  const started = performance.now();
  const rows = await db.all(raw(bareOpenItemsSelect()));
  // JSON has no BigInt: amounts become decimal strings of minor units, in place (a replacer
  // function would slow JSON.stringify down several times and flatter the ratio).
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (typeof value === "bigint") row[key] = value.toString();
    }
  }
  const text = JSON.stringify(rows);
  return { ms: performance.now() - started, bytes: Buffer.byteLength(text), rows: rows.length };
}

/**
 * The streaming pull without HTTP: store.streamOpenItems in the route's batch
 * size, each item serialized as the route writes it, the text thrown away.
 * Splits the pull's time between the store and the transport.
 */
async function streamInProcess(
  store: SqlLedgerStore,
  asOf: string,
): Promise<{ ms: number; bytes: number; rows: number }> {
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  for await (const batch of store.streamOpenItems(
    { asOf: parseIsoDate(asOf), basis: "due", edges: [30, 60, 90, 120] },
    STREAM_BATCH,
  )) {
    let chunk = "";
    for (const item of batch) chunk += `${JSON.stringify({ item })}\n`;
    bytes += Buffer.byteLength(chunk);
    rows += batch.length;
  }
  return { ms: performance.now() - started, bytes, rows };
}

export async function main(): Promise<number> {
  const send = (message: ChildMessage) => process.send?.(message);
  const location = JSON.parse(process.env.OPENAR_BENCH_STORE ?? "null") as Location | null;
  if (location === null || process.send === undefined) {
    process.stderr.write("server-child: run by bench/run.ts (needs OPENAR_BENCH_STORE and an IPC channel)\n");
    return 2;
  }
  const db = await open(location);
  const store = await openStore(db, benchClock, { autoMigrate: false });
  const { token, record } = createToken({ user: "bench", role: "admin", clock: benchClock });
  const tokens = sqlTokenStore(db, () => benchClock.now());
  await tokens.insert(record);
  const app = createApp({
    store,
    tokens,
    clock: benchClock,
    logger: silentLogger,
    allowedOrigins: ["http://127.0.0.1"],
    bodyLimit: "50mb",
    // The load test sends far more than a clerk would; the limiter itself still runs.
    rateLimit: { windowMs: 60_000, max: 10_000_000 },
    http: true,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  let peakRss = 0;
  let peakHeapUsed = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    return usage;
  };
  const sampler = setInterval(sample, 5);
  const report = (): MemoryReport => {
    const usage = sample();
    return { type: "mem", rss: usage.rss, heapUsed: usage.heapUsed, peakRss, peakHeapUsed, vmHwm: vmHwm() };
  };

  const stopped = new Promise<void>((resolve) => {
    process.on("message", (message: ChildRequest) => {
      void (async () => {
        try {
          switch (message.type) {
            case "mem-reset":
              // A full collection first (when exposed), so the peak measures this request, not old garbage.
              (globalThis as { gc?: () => void }).gc?.();
              resetVmHwm();
              peakRss = 0;
              peakHeapUsed = 0;
              send(report());
              return;
            case "mem":
              send(report());
              return;
            case "mem-gc":
              (globalThis as { gc?: () => void }).gc?.();
              send(report());
              return;
            case "baseline-json":
              send({ type: "baseline-json", ...(await bareJson(db)) });
              return;
            case "stream-in-process":
              send({ type: "stream-in-process", ...(await streamInProcess(store, message.asOf)) });
              return;
            case "stop":
              resolve();
              return;
          }
        } catch (error) {
          send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        }
      })();
    });
  });
  send({ type: "ready", port: (server.address() as AddressInfo).port, token });
  await stopped;
  clearInterval(sampler);
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await store.close();
  process.disconnect();
  return 0;
}
