/**
 * Bank statements in the benchmark (issue #7, last bullet):
 *
 * 1. Import of a seeded BAI2 file (bench/bai2-files.ts, on disk under
 *    bench/tmp) through `importBankFile` — what POST /api/v1/bank-statements
 *    calls: spooled to a temporary file while hashed, parsed whole once to
 *    check it (control totals, counts), parsed again inside the transaction
 *    that stores it — streaming from the file, at two file sizes. Against a
 *    bare baseline in the same run: the same file read line by line
 *    (node:readline), each record split on commas with no validation, the
 *    same rows inserted with the same multi-row INSERT statements in one
 *    transaction. Peak heap and RSS are sampled during a separate import
 *    (after a full GC), and what the import really holds is measured in a
 *    third with a full GC every 50 ms.
 * 2. Matching: a 10,000-line statement made from the ledger's own open USD
 *    invoices (their true payer known), imported, then read back with its
 *    suggestions through `store.bankLines` — what GET
 *    /bank-statements/:id/lines does: the lines, every customer, every open
 *    invoice and debit memo in the currency, the shared matching engine —
 *    against the same rows read bare and an exact-amount hash lookup. The
 *    engine alone (matchBankLines on the same inputs, in memory) is timed
 *    against the hash lookup alone.
 *
 * Every import writes into the run's working copy (SQLite) or throwaway
 * schema (PostgreSQL); each repetition imports a file of its own (a file is
 * stored once, by SHA-256), so the tables grow a little from one to the next.
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { importBankFile } from "../server/bank-import.js";
import { allCustomers, asBankLine, linesOfStatement, openInvoices } from "../server/store/bank-store.js";
import { DEFAULT_POLICY } from "../server/store/ledger-store.js";
import { raw, type Row } from "../server/store/sql.js";
import * as bank from "../server/store/statements/bank.js";
import * as st from "../server/store/statements/write.js";
import { parseCurrency } from "../shared/currency.js";
import { matchBankLines } from "../shared/matching.js";
import { Money } from "../shared/money.js";
import { seededRandom } from "../server/demo/generator.js";
import { writeImportFile, writeStatementFile, type Bai2Detail } from "./bai2-files.js";
import { resetVmHwm, vmHwm } from "./process-memory.js";
import { compare, timed, type Comparison } from "./measure.js";
import { BENCH_TODAY, TMP_DIR, type BenchStore } from "./stores.js";

/** Physical lines of the import files: the small one shows what a bounded buffer costs, the large one that it stays bounded. */
export const IMPORT_FILE_LINES = [10_000, 100_000] as const;
export const MATCHING_LINES = 10_000;
const MATCHING_CURRENCY = "USD";
const HELD_GC_INTERVAL_MS = 50;

// -- memory ---------------------------------------------------------------------------

let exposedGc: (() => void) | undefined;
/** A full collection (the benchmark process is not started with --expose-gc: the flag is set at run time). */
export function fullGc(): void {
  if (exposedGc === undefined) {
    setFlagsFromString("--expose-gc");
    exposedGc = runInNewContext("gc") as () => void;
  }
  exposedGc();
}

export interface ImportMemory {
  /** After a full GC, before the work. */
  readonly idleRss: number;
  readonly idleHeap: number;
  /** Sampled every 5 ms during the work (garbage included). */
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  /** The kernel's peak resident set of the process over the work (VmHWM), or null without /proc. */
  readonly vmHwm: number | null;
}

/** Peak heap and RSS while `work` runs, after a full GC before it. */
async function peakMemory(work: () => Promise<unknown>): Promise<ImportMemory> {
  fullGc();
  fullGc();
  const idle = process.memoryUsage();
  resetVmHwm();
  let peakRss = idle.rss;
  let peakHeapUsed = idle.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
  };
  const sampler = setInterval(sample, 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  sample();
  const hwm = vmHwm();
  return { idleRss: idle.rss, idleHeap: idle.heapUsed, peakRss, peakHeapUsed, vmHwm: hwm };
}

/**
 * What `work` really holds: the largest heap in use right after a full GC,
 * collected every 50 ms while it runs, above the heap after a GC before it.
 */
async function heldHeap(work: () => Promise<unknown>): Promise<{ held: number; checkpoints: number }> {
  fullGc();
  fullGc();
  const idle = process.memoryUsage().heapUsed;
  let held = 0;
  let checkpoints = 0;
  const checkpoint = setInterval(() => {
    fullGc();
    checkpoints += 1;
    held = Math.max(held, process.memoryUsage().heapUsed - idle);
  }, HELD_GC_INTERVAL_MS);
  try {
    await work();
  } finally {
    clearInterval(checkpoint);
  }
  return { held, checkpoints };
}

// -- import -----------------------------------------------------------------------------

export interface ImportResult extends Comparison {
  readonly physicalLines: number;
  /** 16 records (bank lines stored). */
  readonly bankLines: number;
  readonly accounts: number;
  readonly bytes: number;
  readonly memory: ImportMemory;
  /** Heap held (after full GCs every 50 ms, above idle) and how many GCs saw it. */
  readonly held: number;
  readonly heldCheckpoints: number;
  readonly bareMemory: ImportMemory;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The bare side: the file read line by line, each record split on its commas
 * (the trailing "/" cut off), nothing checked; a statement row per 03, a line
 * row per 16 with its 88 texts as the remittance; inserted with the import's
 * own INSERT statements, a thousand lines at a time, in one transaction.
 */
async function bareImport(bench: BenchStore, path: string, runId: string): Promise<{ lines: number }> {
  const fileSha = sha(`bare-${runId}`);
  const now = "2026-11-23T09:00:00.000Z";
  let lines = 0;
  await bench.db.transaction(async (tx) => {
    const d = tx.dialect;
    let fileIndex = -1;
    let lineNo = 0;
    let currency = "USD";
    let current: { values: bank.BankLineValues; texts: string[] } | undefined;
    let pending: bank.BankLineValues[] = [];
    const close = () => {
      if (current === undefined) return;
      pending.push({ ...current.values, remittance: JSON.stringify({ unstructured: current.texts, documents: [] }) });
      current = undefined;
    };
    const flush = async () => {
      close();
      for (const chunk of st.chunkRows(pending, bank.BANK_LINE_COLUMNS)) await tx.run(bank.insertBankLines(d, chunk));
      pending = [];
    };
    const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const text of input) {
      const fields = (text.endsWith("/") ? text.slice(0, -1) : text).split(",");
      switch (fields[0]) {
        case "88":
          current?.texts.push(fields.slice(1).join(","));
          continue;
        case "03": {
          await flush();
          fileIndex += 1;
          lineNo = 0;
          currency = fields[2] ?? "USD";
          await tx.run(
            bank.insertStatement(d, {
              id: `bs-${fileSha.slice(0, 24)}-${fileIndex}`,
              fileSha256: fileSha,
              fileIndex,
              fileName: "bare.bai",
              format: "bai2",
              account: fields[1] ?? "",
              iban: null,
              currency,
              bankStatementId: null,
              statementDate: BENCH_TODAY,
              fromDate: BENCH_TODAY,
              toDate: BENCH_TODAY,
              openingMinor: null,
              closingMinor: null,
              lineCount: 0,
              importedAt: now,
              importedBy: "bench-bare",
            }),
          );
          continue;
        }
        case "16": {
          close();
          lineNo += 1;
          lines += 1;
          const credit = Number(fields[1]) < 400;
          const amount = BigInt(fields[2] ?? "0");
          current = {
            values: {
              id: `bl-${fileSha.slice(0, 24)}-${fileIndex}-${lineNo}`,
              statementId: `bs-${fileSha.slice(0, 24)}-${fileIndex}`,
              lineNo,
              fileLine: lineNo,
              recordRef: `BAI2 line ${lineNo} (16 transaction detail)`,
              bookingDate: BENCH_TODAY,
              valueDate: null,
              amountMinor: credit ? amount : -amount,
              currency,
              direction: credit ? "credit" : "debit",
              entryStatus: "booked",
              reversal: false,
              bankReference: fields[4] || null,
              customerReference: fields[5] || null,
              payerName: null,
              payerAccount: null,
              typeCode: fields[1] ?? null,
              checkNumber: null,
              remittance: "",
            },
            texts: fields.slice(6).filter((t) => t !== ""),
          };
          if (pending.length >= 1000) await flush();
          continue;
        }
        default:
          close();
      }
    }
    await flush();
  });
  return { lines };
}

async function importFile(bench: BenchStore, path: string): Promise<{ lines: number; statements: number }> {
  const result = await importBankFile({
    store: bench.store,
    source: createReadStream(path),
    options: { format: "auto" },
    user: "bench",
    fileName: "bench.bai",
  });
  if (!result.created) throw new Error(`bench bank file ${path} was already imported`);
  return {
    lines: result.statements.reduce((n, s) => n + s.lineCount, 0),
    statements: result.statements.length,
  };
}

export async function measureImport(
  bench: BenchStore,
  options: { physicalLines: number; repetitions: number; seed: number },
): Promise<ImportResult> {
  const dir = join(TMP_DIR, `bank-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const run = `${bench.kind === "sqlite" ? "s" : "p"}${options.physicalLines}x${Date.now().toString(36)}`;
  let files = 0;
  /** A file of its own (its 01 header names it, so its SHA-256 differs), written outside the timing. */
  const nextFile = () => {
    files += 1;
    return writeImportFile(join(dir, `import-${options.physicalLines}-${files}.bai`), {
      lines: options.physicalLines,
      seed: options.seed,
      fileId: `${run}N${files}`,
      asOf: BENCH_TODAY,
    });
  };
  let bankLines = 0;
  let accounts = 0;
  let bytes = 0;
  let bareRuns = 0;
  try {
    // One file per repetition, used by both sides (the bare side stores under ids of its own).
    let file = nextFile();
    let subjectDone = false;
    let baselineDone = false;
    const advance = () => {
      if (subjectDone && baselineDone) {
        rmSync(file.path, { force: true });
        file = nextFile();
        subjectDone = false;
        baselineDone = false;
      }
    };
    const comparison = await compare({
      repetitions: options.repetitions,
      warmup: 1,
      subject: async () => {
        advance();
        const path = file.path;
        let result = { lines: 0, statements: 0 };
        const ms = await timed(async () => {
          result = await importFile(bench, path);
        });
        if (result.lines !== file.details) {
          throw new Error(`the import stored ${result.lines} lines of ${file.details}`);
        }
        bankLines = result.lines;
        accounts = result.statements;
        bytes = file.bytes;
        subjectDone = true;
        return ms;
      },
      baseline: async () => {
        advance();
        bareRuns += 1;
        const path = file.path;
        let result = { lines: 0 };
        const ms = await timed(async () => {
          result = await bareImport(bench, path, `${run}B${bareRuns}`);
        });
        if (result.lines !== file.details)
          throw new Error(`the bare import stored ${result.lines} lines of ${file.details}`);
        baselineDone = true;
        return ms;
      },
    });
    rmSync(file.path, { force: true });

    const peakFile = nextFile();
    const memory = await peakMemory(() => importFile(bench, peakFile.path));
    bareRuns += 1;
    const bareMemory = await peakMemory(() => bareImport(bench, peakFile.path, `${run}B${bareRuns}`));
    rmSync(peakFile.path, { force: true });
    const heldFile = nextFile();
    const held = await heldHeap(() => importFile(bench, heldFile.path));
    rmSync(heldFile.path, { force: true });
    return {
      ...comparison,
      physicalLines: options.physicalLines,
      bankLines,
      accounts,
      bytes,
      memory,
      held: held.held,
      heldCheckpoints: held.checkpoints,
      bareMemory,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// -- matching ----------------------------------------------------------------------------

export type LedgerLineKind = "invoice" | "combination" | "noReference" | "typo" | "unrelated" | "debit";
export const LEDGER_LINE_KINDS: readonly LedgerLineKind[] = [
  "invoice",
  "combination",
  "noReference",
  "typo",
  "unrelated",
  "debit",
];

interface Truth {
  readonly kind: LedgerLineKind;
  /** null: no customer's payment (the right outcome is to leave it for a person). */
  readonly customerId: string | null;
  readonly documentIds: readonly string[];
}

interface LedgerInvoice {
  readonly id: string;
  readonly number: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly openMinor: bigint;
}

export interface LedgerOutcome {
  readonly lines: number;
  readonly autoCorrect: number;
  readonly autoWrong: number;
  readonly leftForPerson: number;
}

export interface MatchingServiceResult extends Comparison {
  readonly lines: number;
  /** Credit lines the engine was asked about (the service suggests for open credits only). */
  readonly creditLines: number;
  readonly currency: string;
  /** Open invoices and debit memos in the currency as of today: what the engine matched against. */
  readonly openItems: number;
  /** All open items of the ledger (every currency and kind). */
  readonly ledgerOpenItems: number;
  readonly customers: number;
  /** The engine alone on the same inputs, against the hash lookup alone. */
  readonly engine: Comparison;
  /** Exact-amount hits of the bare lookup (lines whose amount some open item has). */
  readonly bareHits: number;
  /** Scored against the invoices each line was made from. */
  readonly outcomes: Record<LedgerLineKind, LedgerOutcome>;
  readonly total: LedgerOutcome;
  /** Seconds the 10,000-line statement took to import (once, untimed by the comparison). */
  readonly importSeconds: number;
}

/** Open USD invoices of the ledger that a payment may settle (not disputed), oldest id first. */
async function ledgerInvoices(bench: BenchStore): Promise<LedgerInvoice[]> {
  const rows = await bench.db.all(
    raw(
      `SELECT d.id, d.number, d.customer_id, d.open_minor, c.name FROM documents d JOIN customers c ON c.id = d.customer_id WHERE d.currency = '${MATCHING_CURRENCY}' AND d.doc_type = 'invoice' AND d.open_minor > 0 AND d.disputed = 0 ORDER BY d.id`,
    ),
  );
  return rows.map((r) => ({
    id: String(r.id).trim(),
    number: String(r.number).trim(),
    customerId: String(r.customer_id).trim(),
    customerName: String(r.name).trim(),
    openMinor: r.open_minor as bigint,
  }));
}

/**
 * 10,000 lines made from the ledger: each invoice paid at most once, a line
 * paying one invoice (its number and the payer in 88s), two to four of one
 * customer's, one with no reference, one with a mistyped number; some credits
 * from nobody, some debits. When the ledger runs out of invoices (small),
 * the rest are credits from nobody.
 */
function ledgerStatement(
  invoices: readonly LedgerInvoice[],
  lines: number,
  seed: number,
): { details: Bai2Detail[]; truth: Truth[] } {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const byCustomer = new Map<string, LedgerInvoice[]>();
  const order = [...invoices];
  for (let i = order.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [order[i], order[j]] = [order[j] as LedgerInvoice, order[i] as LedgerInvoice];
  }
  for (const inv of order) {
    const list = byCustomer.get(inv.customerId) ?? [];
    list.push(inv);
    byCustomer.set(inv.customerId, list);
  }
  const used = new Set<string>();
  let cursor = 0;
  const nextInvoice = (): LedgerInvoice | undefined => {
    while (cursor < order.length && used.has((order[cursor] as LedgerInvoice).id)) cursor++;
    const inv = order[cursor];
    if (inv !== undefined) used.add(inv.id);
    return inv;
  };
  const moreOf = (customerId: string, k: number): LedgerInvoice[] => {
    const out: LedgerInvoice[] = [];
    for (const inv of byCustomer.get(customerId) ?? []) {
      if (out.length >= k) break;
      if (used.has(inv.id)) continue;
      used.add(inv.id);
      out.push(inv);
    }
    return out;
  };
  const typo = (number: string): string => {
    // One digit of the number replaced by another.
    const digits: number[] = [];
    for (let i = 0; i < number.length; i++) if (/\d/.test(number.charAt(i))) digits.push(i);
    const at = digits[int(digits.length)] ?? number.length - 1;
    const old = number[at] ?? "0";
    const replacement = String((Number(old) + 1 + int(8)) % 10);
    return number.slice(0, at) + replacement + number.slice(at + 1);
  };
  const details: Bai2Detail[] = [];
  const truth: Truth[] = [];
  for (let n = 1; n <= lines; n++) {
    const roll = random();
    const ref = `MB${String(n).padStart(8, "0")}`;
    if (roll >= 0.95) {
      details.push({
        typeCode: "495",
        amountMinor: BigInt(1000 + int(2_000_000)),
        bankReference: ref,
        customerReference: "",
        text: "WIRE OUT",
        continuations: ["CRNM: ACME FREIGHT LTD"],
      });
      truth.push({ kind: "debit", customerId: null, documentIds: [] });
      continue;
    }
    const first = roll < 0.9 ? nextInvoice() : undefined;
    if (first === undefined) {
      details.push({
        typeCode: "195",
        amountMinor: BigInt(1000 + int(2_000_000)),
        bankReference: ref,
        customerReference: "",
        text: "",
        continuations: [
          ["DBNM: STATE TAX REFUND", "DBNM: INTEREST ON DEPOSITS", "DBNM: FREIGHTCO VENDOR REFUND"][int(3)] ??
            "DBNM: INTEREST",
        ],
      });
      truth.push({ kind: "unrelated", customerId: null, documentIds: [] });
      continue;
    }
    const payer = `DBNM: ${first.customerName.toUpperCase()}`;
    let kind: LedgerLineKind =
      roll < 0.62 ? "invoice" : roll < 0.77 ? "combination" : roll < 0.85 ? "noReference" : "typo";
    let paid = [first];
    if (kind === "combination") {
      paid = [first, ...moreOf(first.customerId, 1 + int(3))];
      if (paid.length === 1) kind = "invoice";
    }
    const amount = paid.reduce((sum, inv) => sum + inv.openMinor, 0n);
    const numbers = paid.map((inv) => (kind === "typo" ? typo(inv.number) : inv.number));
    details.push({
      typeCode: ["165", "195", "115"][int(3)] ?? "165",
      amountMinor: amount,
      bankReference: ref,
      customerReference: "",
      text: kind === "noReference" ? "ACH CREDIT" : "",
      continuations: kind === "noReference" ? [payer] : [`INV: ${numbers.join(" ")}`, payer],
    });
    truth.push({ kind, customerId: first.customerId, documentIds: paid.map((inv) => inv.id) });
  }
  return { details, truth };
}

/** The engine's inputs, loaded as bank-store.ts linesWithSuggestions loads them. */
async function engineInputs(bench: BenchStore, statementId: string) {
  const currency = parseCurrency(MATCHING_CURRENCY);
  const lines = (await linesOfStatement(bench.db, { statementId })).filter(
    (l) => l.status === "open" && l.direction === "credit" && l.amount.isPositive(),
  );
  const customers = await allCustomers(bench.db);
  const { openItems } = await openInvoices(bench.db, BENCH_TODAY, currency);
  return {
    lines: lines.map(asBankLine),
    customers,
    openItems,
    shortPayTolerance: { amount: Money.parse(DEFAULT_POLICY.writeOffLimit, currency, "shortPayLimit") },
  };
}

/** The bare lookup: open amounts in a hash map, each credit line's amount looked up. */
function exactAmountHits(
  lines: readonly { amount: bigint }[],
  open: readonly { amount: bigint; id: string }[],
): number {
  const byAmount = new Map<bigint, string[]>();
  for (const item of open) {
    const list = byAmount.get(item.amount);
    if (list === undefined) byAmount.set(item.amount, [item.id]);
    else list.push(item.id);
  }
  let hits = 0;
  for (const line of lines) if (byAmount.has(line.amount)) hits += 1;
  return hits;
}

const emptyOutcome = (): { lines: number; autoCorrect: number; autoWrong: number; leftForPerson: number } => ({
  lines: 0,
  autoCorrect: 0,
  autoWrong: 0,
  leftForPerson: 0,
});

export async function measureMatching(
  bench: BenchStore,
  options: { repetitions: number; seed: number },
): Promise<MatchingServiceResult> {
  const dir = join(TMP_DIR, `bank-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const invoices = await ledgerInvoices(bench);
  const { details, truth } = ledgerStatement(invoices, MATCHING_LINES, options.seed);
  const path = join(dir, "matching.bai");
  const fileId = `M${bench.kind === "sqlite" ? "s" : "p"}${Date.now().toString(36)}`;
  writeStatementFile(path, { fileId, asOf: BENCH_TODAY, account: "987654321", currency: MATCHING_CURRENCY, details });
  let statementId: string;
  const importStarted = performance.now();
  try {
    const imported = await importBankFile({
      store: bench.store,
      source: createReadStream(path),
      options: { format: "bai2" },
      user: "bench",
      fileName: "matching.bai",
    });
    const only = imported.statements[0];
    if (only === undefined || imported.statements.length !== 1)
      throw new Error("the matching statement did not import as one statement");
    statementId = only.id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const importSeconds = (performance.now() - importStarted) / 1000;

  const [ledgerCount] = await bench.db.all(raw("SELECT COUNT(*) AS n FROM documents WHERE open_minor > 0"));
  let suggested: Awaited<ReturnType<typeof bench.store.bankLines>> = [];
  let bareHits = 0;
  const bareSides = async (): Promise<number> =>
    timed(async () => {
      const lineRows: Row[] = await bench.db.all(bank.selectLinesOfStatement(bench.db.dialect, { statementId }));
      const openRows: Row[] = await bench.db.all(
        raw(
          `SELECT id, customer_id, open_minor FROM documents WHERE currency = '${MATCHING_CURRENCY}' AND open_minor > 0 AND doc_type IN ('invoice', 'debitMemo')`,
        ),
      );
      bareHits = exactAmountHits(
        lineRows.filter((r) => r.direction === "credit").map((r) => ({ amount: r.amount_minor as bigint })),
        openRows.map((r) => ({ amount: r.open_minor as bigint, id: String(r.id) })),
      );
    });
  // Seconds apiece at 100,000 open items: one warm-up each, few repetitions.
  const service = await compare({
    repetitions: options.repetitions,
    warmup: 1,
    subject: () =>
      timed(async () => {
        suggested = await bench.store.bankLines({ statementId });
      }),
    baseline: bareSides,
  });

  const inputs = await engineInputs(bench, statementId);
  const lineAmounts = inputs.lines.map((l) => ({ amount: l.amount.toMinor() }));
  const openAmounts = inputs.openItems.map((o) => ({ amount: o.open.toMinor(), id: o.document.id }));
  const engine = await compare({
    repetitions: options.repetitions,
    warmup: 1,
    subject: () =>
      timed(async () => {
        matchBankLines({
          lines: inputs.lines,
          customers: inputs.customers,
          openItems: inputs.openItems,
          knownAccounts: new Map(),
          options: {
            today: BENCH_TODAY,
            shortPayTolerance: inputs.shortPayTolerance,
            graceDays: DEFAULT_POLICY.discountGraceDays,
          },
        });
        await Promise.resolve();
      }),
    baseline: () =>
      timed(async () => {
        exactAmountHits(lineAmounts, openAmounts);
        await Promise.resolve();
      }),
  });

  const outcomes = Object.fromEntries(LEDGER_LINE_KINDS.map((k) => [k, emptyOutcome()])) as Record<
    LedgerLineKind,
    ReturnType<typeof emptyOutcome>
  >;
  const total = emptyOutcome();
  suggested.forEach((line) => {
    const t = truth[line.lineNo - 1];
    if (t === undefined) throw new Error(`statement line ${line.lineNo} has no truth`);
    const s = line.suggestion;
    let outcome: "autoCorrect" | "autoWrong" | "leftForPerson" = "leftForPerson";
    if (s?.autoAccept === true) {
      const got = s.allocations.map((a) => a.documentId).sort();
      const want = [...t.documentIds].sort();
      const right =
        t.customerId !== null &&
        s.customerId === t.customerId &&
        got.length === want.length &&
        got.every((id, i) => id === want[i]);
      outcome = right ? "autoCorrect" : "autoWrong";
    }
    for (const row of [total, outcomes[t.kind]]) {
      row.lines += 1;
      row[outcome] += 1;
    }
  });
  return {
    ...service,
    lines: suggested.length,
    creditLines: inputs.lines.length,
    currency: MATCHING_CURRENCY,
    openItems: inputs.openItems.length,
    ledgerOpenItems: Number(ledgerCount?.n ?? 0),
    customers: inputs.customers.length,
    engine,
    bareHits,
    outcomes,
    total,
    importSeconds,
  };
}

// -- both, per store -----------------------------------------------------------------------

export interface BankResult {
  readonly imports: readonly ImportResult[];
  readonly matching: MatchingServiceResult;
}

export async function measureBank(
  bench: BenchStore,
  options: { importRepetitions: number; matchingRepetitions: number; log: (line: string) => void; label: string },
): Promise<BankResult> {
  const imports: ImportResult[] = [];
  for (const physicalLines of IMPORT_FILE_LINES) {
    options.log(`  ${options.label}: BAI2 import, ${physicalLines.toLocaleString("en-US")} lines …`);
    imports.push(await measureImport(bench, { physicalLines, repetitions: options.importRepetitions, seed: 20261123 }));
  }
  options.log(`  ${options.label}: matching ${MATCHING_LINES.toLocaleString("en-US")} bank lines …`);
  const matching = await measureMatching(bench, { repetitions: options.matchingRepetitions, seed: 20261124 });
  return { imports, matching };
}
