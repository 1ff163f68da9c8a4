/**
 * Streaming pull of every open item: GET /api/v1/open-items?stream=true on
 * the service in its child process, over loopback, read to the end (lines
 * split and counted, the closing {"end":…} line parsed and its count checked),
 * against the bare baseline run inside the same service process: one plain
 * SELECT of the same rows, JSON.stringify-ed at once.
 *
 * Peak memory of the service is taken for both: the stream must stay flat as
 * the ledger grows; the bare baseline holds every row and shows what
 * "not flat" looks like.
 */
import { request } from "node:http";
import { compare, type Comparison } from "./measure.js";
import type { BenchService } from "./service.js";
import type { MemoryReport } from "./server-child.js";

export interface PeakMemory {
  /** Resident set and V8 heap in use just before (after a full GC). */
  readonly idleRss: number;
  readonly idleHeapUsed: number;
  /** Largest resident set during the pull (kernel VmHWM where available, else sampled). */
  readonly peakRss: number;
  /** Largest sampled V8 heap in use during the pull. */
  readonly peakHeapUsed: number;
}

export interface StreamResult extends Comparison {
  readonly items: number;
  readonly bytes: number;
  readonly bareRows: number;
  readonly bareBytes: number;
  readonly streamMemory: PeakMemory;
  readonly bareMemory: PeakMemory;
  /** The store's stream serialized in the service process, no HTTP, against the same bare baseline. */
  readonly inProcess: Comparison;
}

interface Pulled {
  readonly ms: number;
  readonly items: number;
  readonly bytes: number;
}

/** Reads the whole NDJSON answer; fails unless the end line's count equals the item lines received. */
export interface Checkpoints {
  /** Every this many lines the client pauses and calls `at`, then reads on. */
  readonly every: number;
  readonly at: () => Promise<void>;
}

export function pullStream(
  service: BenchService,
  asOf: string,
  filter = "",
  checkpoints?: Checkpoints,
): Promise<Pulled> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${service.origin}/api/v1/open-items?stream=true&asOf=${asOf}${filter}`,
      { headers: { Authorization: `Bearer ${service.token}`, Accept: "application/x-ndjson" } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`open-items stream answered ${String(res.statusCode)}`));
          res.resume();
          return;
        }
        res.setEncoding("utf8");
        let lines = 0;
        let bytes = 0;
        let tail = "";
        let last = "";
        let nextCheckpoint = checkpoints?.every ?? Number.POSITIVE_INFINITY;
        res.on("data", (chunk: string) => {
          bytes += Buffer.byteLength(chunk);
          const text = tail + chunk;
          let at = text.indexOf("\n");
          let from = 0;
          while (at >= 0) {
            lines += 1;
            last = text.slice(from, at);
            from = at + 1;
            at = text.indexOf("\n", from);
          }
          tail = text.slice(from);
          if (checkpoints !== undefined && lines >= nextCheckpoint) {
            while (nextCheckpoint <= lines) nextCheckpoint += checkpoints.every;
            res.pause();
            checkpoints.at().then(
              () => res.resume(),
              (error: unknown) => {
                reject(error instanceof Error ? error : new Error(String(error)));
                res.destroy();
              },
            );
          }
        });
        res.on("end", () => {
          const ms = performance.now() - started;
          try {
            const end = (JSON.parse(last) as { end?: { count?: unknown } }).end;
            const items = lines - 1;
            if (end === undefined || end.count !== items)
              throw new Error(`stream ended without a matching end line (${items} items, end ${last.slice(0, 200)})`);
            resolve({ ms, items, bytes });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function peak(before: MemoryReport, after: MemoryReport): PeakMemory {
  return {
    idleRss: before.rss,
    idleHeapUsed: before.heapUsed,
    peakRss: Math.max(after.peakRss, after.vmHwm ?? 0),
    peakHeapUsed: after.peakHeapUsed,
  };
}

/** The run with the highest resident peak, with the highest heap peak of any run. */
function maxPeak(peaks: readonly PeakMemory[]): PeakMemory {
  const first = peaks[0];
  if (first === undefined) throw new Error("no memory figures were taken");
  const top = peaks.reduce((a, b) => (b.peakRss > a.peakRss ? b : a), first);
  return { ...top, peakHeapUsed: Math.max(...peaks.map((p) => p.peakHeapUsed)) };
}

export async function measureStream(service: BenchService, asOf: string, repetitions: number): Promise<StreamResult> {
  const streamPeaks: PeakMemory[] = [];
  const barePeaks: PeakMemory[] = [];
  let items = 0;
  let bytes = 0;
  let bareRows = 0;
  let bareBytes = 0;
  const result = await compare({
    repetitions,
    warmup: 1,
    subject: async () => {
      const before = await service.resetMemory();
      const pulled = await pullStream(service, asOf);
      streamPeaks.push(peak(before, await service.memory()));
      items = pulled.items;
      bytes = pulled.bytes;
      return pulled.ms;
    },
    baseline: async () => {
      const before = await service.resetMemory();
      const bare = await service.bareJson();
      barePeaks.push(peak(before, await service.memory()));
      bareRows = bare.rows;
      bareBytes = bare.bytes;
      return bare.ms;
    },
  });
  const inProcess = await compare({
    repetitions,
    warmup: 1,
    subject: async () => (await service.streamInProcess(asOf)).ms,
    baseline: async () => (await service.bareJson()).ms,
  });
  return {
    ...result,
    items,
    bytes,
    bareRows,
    bareBytes,
    streamMemory: maxPeak(streamPeaks),
    bareMemory: maxPeak(barePeaks),
    inProcess,
  };
}

export interface ScalingPoint {
  readonly filter: string;
  readonly items: number;
  /** Heap in use after a full collection just before the stream. */
  readonly idleHeap: number;
  /** The most heap in use after a full collection at any checkpoint during the stream: what the stream holds. */
  readonly retainedHeap: number;
  readonly checkpoints: number;
  readonly memory: PeakMemory;
}

/**
 * What the service holds while streaming, for streams of different lengths
 * from the same ledger (one currency, another, all): the client pauses at
 * regular checkpoints and the service reports its heap right after a full
 * collection. A stream that keeps only a bounded buffer holds about the same
 * at every length. (Peak RSS and peak heap are reported too, but they follow
 * the collector's timing more than what is kept.) Not timed.
 */
export async function measureStreamScaling(
  service: BenchService,
  asOf: string,
  totalItems: number,
): Promise<ScalingPoint[]> {
  const every = Math.max(1_000, Math.floor(totalItems / 20));
  const points: ScalingPoint[] = [];
  for (const [filter, query] of [
    ["currency JPY", "&currency=JPY"],
    ["currency USD", "&currency=USD"],
    ["all", ""],
  ] as const) {
    const before = await service.resetMemory();
    let retainedHeap = before.heapUsed;
    let checkpoints = 0;
    const pulled = await pullStream(service, asOf, query, {
      every,
      at: async () => {
        checkpoints += 1;
        retainedHeap = Math.max(retainedHeap, (await service.retainedMemory()).heapUsed);
      },
    });
    points.push({
      filter,
      items: pulled.items,
      idleHeap: before.heapUsed,
      retainedHeap,
      checkpoints,
      memory: peak(before, await service.memory()),
    });
  }
  return points;
}
