/**
 * The kernel's record of this process's peak resident memory (Linux), for the
 * memory figures of the streaming pull (bench/server-child.ts) and the bank
 * import (bench/bank.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Peak resident set size in bytes since start or the last reset (VmHWM); null where /proc is not there. */
export function vmHwm(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** Starts a new peak from the current resident size (writes 5 to /proc/self/clear_refs). */
export function resetVmHwm(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not Linux, or not allowed: the sampled peak still stands.
  }
}
