/**
 * Timing helpers. Every figure is a ratio of two medians measured in the
 * same run, interleaved (subject, baseline, subject, baseline, …) after a
 * warm-up of each, so drift on a shared machine hits both sides alike.
 */

export interface Samples {
  readonly samples: readonly number[];
  readonly median: number;
}

export interface Comparison {
  readonly subject: Samples;
  readonly baseline: Samples;
  /** subject median ÷ baseline median. */
  readonly ratio: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function samples(values: readonly number[]): Samples {
  return { samples: values, median: median(values) };
}

/** Milliseconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Runs `subject` and `baseline` `warmup` times each (discarded), then
 * `repetitions` times each, alternating which goes first so neither always
 * runs on a cache the other warmed. Each function returns the milliseconds
 * of the part that counts (setup outside it is not timed).
 */
export async function compare(options: {
  subject: () => Promise<number>;
  baseline: () => Promise<number>;
  repetitions: number;
  warmup?: number;
}): Promise<Comparison> {
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) {
    await options.subject();
    await options.baseline();
  }
  const subject: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    if (i % 2 === 0) {
      subject.push(await options.subject());
      baseline.push(await options.baseline());
    } else {
      baseline.push(await options.baseline());
      subject.push(await options.subject());
    }
  }
  const s = samples(subject);
  const b = samples(baseline);
  return { subject: s, baseline: b, ratio: s.median / b.median };
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}
