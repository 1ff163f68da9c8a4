/**
 * The matching benchmark: a seeded, noisy bank file against a generated
 * ledger (bench/matching-generator.ts), matched by shared/matching.ts at its
 * default auto-accept threshold, and scored line by line against the truth
 * the generator knows.
 *
 * - auto-correct: auto-accepted, and the customer and every allocation
 *   (document, amount, discount, write-off) are exactly right;
 * - auto-wrong: auto-accepted but anything differs (for an unrelated credit
 *   or a debit: auto-accepted at all);
 * - left for a person: not auto-accepted (the right outcome for unrelated
 *   credits and debits).
 *
 * Standalone: `node server/bin/run-ts.mjs bench/matching.ts [--seed N] [--lines N] [--open-items N] [--no-write]`
 * prints the table and overwrites bench/MATCHING.md. bench/run.ts may call
 * `runMatchingBenchmark` and `matchingMarkdown` instead.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_AUTO_ACCEPT_THRESHOLD, matchBankLines, type MatchSuggestion } from "../shared/matching.js";
import {
  generateMatchingWorld,
  HARSH_MIX,
  NOISE_KINDS,
  TYPICAL_MIX,
  type GeneratedLine,
  type NoiseKind,
  type NoiseMix,
} from "./matching-generator.js";

export interface MatchingRow {
  readonly lines: number;
  readonly autoCorrect: number;
  readonly autoWrong: number;
  readonly leftForPerson: number;
}

export interface MatchingBenchmarkResult {
  readonly perNoise: Record<NoiseKind, MatchingRow>;
  readonly totals: MatchingRow & {
    /** Lines whose truth is a customer payment (not unrelated credits or debits). */
    readonly withTrueMatch: MatchingRow;
    /** Unrelated credits and debits that were (correctly) not applied. */
    readonly unmatchedLeftAlone: number;
    readonly seed: number;
    readonly openItems: number;
    readonly customers: number;
    readonly threshold: number;
    readonly seconds: number;
    readonly mix: NoiseMix;
  };
}

const TARGET_CORRECT = 0.95;
const TARGET_WRONG = 0.005;

function isCorrect(generated: GeneratedLine, suggestion: MatchSuggestion): boolean {
  const { truth } = generated;
  if (truth.customerId === null || suggestion.customerId !== truth.customerId) return false;
  const key = (a: { documentId: string; amount: string; discount: string; writeOff: string }) =>
    `${a.documentId}|${a.amount}|${a.discount}|${a.writeOff}`;
  const got = suggestion.allocations
    .map((a) =>
      key({
        documentId: a.documentId,
        amount: a.amount.toString(),
        discount: a.discount.toString(),
        writeOff: a.writeOff.toString(),
      }),
    )
    .sort();
  const want = truth.allocations.map(key).sort();
  return got.length === want.length && got.every((k, i) => k === want[i]);
}

const emptyRow = (): { lines: number; autoCorrect: number; autoWrong: number; leftForPerson: number } => ({
  lines: 0,
  autoCorrect: 0,
  autoWrong: 0,
  leftForPerson: 0,
});

/** Runs the benchmark on TYPICAL_MIX unless another mix is given. */
export async function runMatchingBenchmark({
  seed,
  lines,
  openItems,
  mix = TYPICAL_MIX,
}: {
  seed: number;
  lines: number;
  openItems: number;
  mix?: NoiseMix;
}): Promise<MatchingBenchmarkResult> {
  const world = generateMatchingWorld({ seed, lines, openItems, mix });
  const started = performance.now();
  const suggestions = matchBankLines({
    lines: world.lines.map((g) => g.line),
    customers: world.customers,
    openItems: world.openItems,
    knownAccounts: world.knownAccounts,
    options: { today: world.today, shortPayTolerance: world.tolerance },
  });
  const seconds = (performance.now() - started) / 1000;

  const perNoise = Object.fromEntries(NOISE_KINDS.map((k) => [k, emptyRow()])) as Record<
    NoiseKind,
    ReturnType<typeof emptyRow>
  >;
  const totals = emptyRow();
  const withTrueMatch = emptyRow();
  let unmatchedLeftAlone = 0;
  world.lines.forEach((generated, i) => {
    const suggestion = suggestions[i];
    if (suggestion === undefined) throw new Error(`no suggestion for line ${i}`);
    const outcome: keyof MatchingRow = !suggestion.autoAccept
      ? "leftForPerson"
      : isCorrect(generated, suggestion)
        ? "autoCorrect"
        : "autoWrong";
    const rows = [totals, ...generated.noise.map((k) => perNoise[k])];
    if (generated.truth.customerId !== null) rows.push(withTrueMatch);
    else if (!suggestion.autoAccept) unmatchedLeftAlone++;
    for (const row of rows) {
      row.lines++;
      row[outcome]++;
    }
  });
  await Promise.resolve();
  return {
    perNoise,
    totals: {
      ...totals,
      withTrueMatch,
      unmatchedLeftAlone,
      seed,
      openItems: world.openItems.length,
      customers: world.customers.length,
      threshold: DEFAULT_AUTO_ACCEPT_THRESHOLD,
      seconds,
      mix,
    },
  };
}

const pct = (part: number, whole: number, digits = 1) =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(digits)}%`;

function rowCells(label: string, row: MatchingRow): string[] {
  return [
    label,
    String(row.lines),
    `${row.autoCorrect} (${pct(row.autoCorrect, row.lines)})`,
    `${row.autoWrong} (${pct(row.autoWrong, row.lines)})`,
    `${row.leftForPerson} (${pct(row.leftForPerson, row.lines)})`,
  ];
}

function tableRows(result: MatchingBenchmarkResult): string[][] {
  return [
    ...NOISE_KINDS.map((k) => rowCells(k, result.perNoise[k])),
    rowCells("lines with a true match", result.totals.withTrueMatch),
    rowCells("all lines", result.totals),
  ];
}

export function matchingVerdict(result: MatchingBenchmarkResult): { pass: boolean; text: string } {
  const t = result.totals;
  const correctShare = t.withTrueMatch.lines === 0 ? 0 : t.withTrueMatch.autoCorrect / t.withTrueMatch.lines;
  const wrongShare = t.lines === 0 ? 0 : t.autoWrong / t.lines;
  const pass = correctShare >= TARGET_CORRECT && wrongShare <= TARGET_WRONG;
  return {
    pass,
    text:
      `${pct(t.withTrueMatch.autoCorrect, t.withTrueMatch.lines)} of lines with a true match auto-matched correctly (target ≥ ${TARGET_CORRECT * 100}%), ` +
      `${pct(t.autoCorrect, t.lines)} of all lines; ${t.autoWrong} lines (${pct(t.autoWrong, t.lines, 2)}) of all lines auto-matched wrongly (target ≤ ${TARGET_WRONG * 100}%): ` +
      (pass ? "PASS" : "FAIL"),
  };
}

export function mixText(mix: NoiseMix): string {
  const p = (x: number) => `${Math.round(x * 100)}%`;
  return (
    `unrelated credits ${p(mix.unrelated)} and debits ${p(mix.debit)} of all lines; of customer payments: ` +
    `discount taken ${p(mix.discount)}, several invoices ${p(mix.combination)}, short pay ${p(mix.shortPay)} ` +
    `(${p(mix.shortBeyondTolerance)} of them beyond tolerance), bank fee ${p(mix.bankFee)}, no reference ${p(mix.missingReference)}, ` +
    `a typo in ${p(mix.typo)} of those with references, payer name differing ${p(mix.payerName)}`
  );
}

/** The per-noise-kind table (markdown lines), as in MATCHING.md; bench/report.ts puts it in RESULTS.md. */
export function markdownTable(result: MatchingBenchmarkResult): string[] {
  const header = ["noise kind", "lines", "auto-matched correctly", "auto-matched wrongly", "left for a person"];
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...tableRows(result).map(line)];
}

/** bench/MATCHING.md: the headline run on the typical mix, and (when given) the same engine on a harsh one. */
export function matchingMarkdown(result: MatchingBenchmarkResult, harsh?: MatchingBenchmarkResult): string {
  const t = result.totals;
  const sections = [
    "# Matching benchmark",
    "",
    "Generated by `node server/bin/run-ts.mjs bench/matching.ts` (bench/matching.ts, generator in",
    "bench/matching-generator.ts, engine in shared/matching.ts). Do not edit by hand.",
    "",
    `Seed ${t.seed}; ${t.lines} bank lines against ${t.openItems} open items of ${t.customers} customers;`,
    `auto-accept threshold ${t.threshold}; short-pay tolerance the lower of 25.00 and 5% of the open amount;`,
    `matching took ${t.seconds.toFixed(1)} s.`,
    "",
    "## Typical mix",
    "",
    `Noise: ${mixText(t.mix)}.`,
    "",
    `**${matchingVerdict(result).text}**`,
    "",
    `Unrelated credits and debits left alone (not applied): ${t.unmatchedLeftAlone} of ${t.lines - t.withTrueMatch.lines}.`,
    "",
    ...markdownTable(result),
    "",
  ];
  if (harsh !== undefined) {
    const h = harsh.totals;
    sections.push(
      "## Harsh mix (same engine, same threshold)",
      "",
      `Noise: ${mixText(h.mix)}. ${h.lines} lines, seed ${h.seed}, ${h.seconds.toFixed(1)} s.`,
      "",
      `${matchingVerdict(harsh).text.replace(/: (PASS|FAIL)$/, "")}.`,
      "",
      ...markdownTable(harsh),
      "",
    );
  }
  sections.push(
    "## How to read it",
    "",
    "A line carries every noise kind that applies to it (a combination paid under an abbreviated name",
    "counts under both), so the noise rows overlap; `clean` lines carry none. For unrelated credits and",
    'debits the right outcome is to be left for a person, so their "auto-matched correctly" is always 0.',
    "The overall rate depends on the mix, which is a judgement (see `NoiseMix` in the generator); the",
    "rows per noise kind are the measure of the engine.",
    "",
    "- auto-matched correctly: auto-accepted with the right customer and exactly the right allocations",
    "  (document, amount, discount, write-off);",
    "- auto-matched wrongly: auto-accepted with anything different, or auto-accepted at all when the line",
    "  is no customer's payment;",
    "- left for a person: below the threshold, or held back by a safety rule (name-only customer without",
    "  an exact amount match, customer known only from the amount, disputed document, two lines claiming",
    "  one document, …). Most of what is left is what a careful clerk would want to look at: short pays",
    "  without any reference, several invoices of the same amount, payments through a processor with no",
    "  invoice number, deductions spread over several invoices.",
    "",
  );
  return sections.join("\n");
}

export function printMatchingTable(result: MatchingBenchmarkResult, log: (line: string) => void): void {
  const header = ["noise kind", "lines", "auto-correct", "auto-wrong", "left for a person"];
  const rows = [header, ...tableRows(result)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const row of rows)
    log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
  log(matchingVerdict(result).text);
  log(`matching took ${result.totals.seconds.toFixed(1)} s`);
}

export async function main(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      seed: { type: "string", default: "20260331" },
      lines: { type: "string", default: "10000" },
      "open-items": { type: "string" },
      "no-write": { type: "boolean", default: false },
    },
  });
  const whole = (text: string | undefined, name: string): number => {
    if (text === undefined || !/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number`);
    return Number(text);
  };
  const lines = whole(values.lines, "lines");
  const openItems = values["open-items"] === undefined ? lines * 3 : whole(values["open-items"], "open-items");
  const seed = whole(values.seed, "seed");
  const log = (l: string) => process.stdout.write(`${l}\n`);
  log(`typical mix, seed ${seed}, ${lines} lines, ${openItems} open items`);
  const result = await runMatchingBenchmark({ seed, lines, openItems });
  printMatchingTable(result, log);
  log("");
  log("harsh mix (for comparison)");
  const harsh = await runMatchingBenchmark({ seed, lines, openItems, mix: HARSH_MIX });
  printMatchingTable(harsh, log);
  if (!values["no-write"]) {
    const target = fileURLToPath(new URL("./MATCHING.md", import.meta.url));
    writeFileSync(target, matchingMarkdown(result, harsh));
    process.stdout.write(`wrote ${target}\n`);
  }
  return matchingVerdict(result).pass ? 0 : 1;
}
