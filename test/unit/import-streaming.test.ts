import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BankFile, BankFormat, BankImportEvent } from "../../shared/bank.js";
import { Money } from "../../shared/money.js";
import { parseBai2, streamBai2 } from "../../server/import/bai2.js";
import { parseCamt, streamCamt } from "../../server/import/camt.js";
import { parseCsv, streamCsv } from "../../server/import/csv.js";
import { parseLockbox, streamLockbox } from "../../server/import/lockbox.js";
import { collectStream, type ChunkSource } from "../../server/import/stream.js";
import { readOwn } from "../fixtures/bank/fixture-paths.js";

/** Cuts `bytes` at the given positions (taken modulo its length), so chunks may end inside a line, a quote or a UTF-8 sequence. */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

const CSV_MAPPING = {
  delimiter: ",",
  headerRow: true,
  date: { column: "Posting Date", format: "MM/DD/YYYY" },
  amount: "Amount",
  decimal: ".",
  group: ",",
  currency: "USD",
  description: "Description",
  reference: "Reference",
  payerName: "Payer",
  accountId: "US-OPERATING",
} as const;

interface Case {
  readonly name: string;
  readonly text: string;
  readonly whole: (text: string) => BankFile;
  readonly stream: (source: ChunkSource) => AsyncGenerator<BankImportEvent>;
  readonly format: BankFormat;
}

const CASES: readonly Case[] = [
  {
    name: "BAI2",
    text: readOwn("bai2-remittance.bai2"),
    whole: (t) => parseBai2(t),
    stream: (s) => streamBai2(s),
    format: "bai2",
  },
  {
    name: "camt",
    text: readOwn("camt053-v08-batch-reversal.xml"),
    whole: (t) => parseCamt(t),
    stream: (s) => streamCamt(s),
    format: "camt.053",
  },
  {
    name: "lockbox",
    text: readOwn("lockbox-invoices.bai"),
    whole: (t) => parseLockbox(t, { overflow: { kind: "invoices", numberWidth: 15, amountWidth: 10 } }),
    stream: (s) => streamLockbox(s, { overflow: { kind: "invoices", numberWidth: 15, amountWidth: 10 } }),
    format: "lockbox",
  },
  {
    name: "CSV",
    text: readOwn("csv-us-signed.csv"),
    whole: (t) => parseCsv(t, { mapping: CSV_MAPPING }),
    stream: (s) => streamCsv(s, { mapping: CSV_MAPPING }),
    format: "csv",
  },
];

describe("streaming: chunk boundaries do not change what is read", () => {
  it.each(CASES)("$name: any split of the bytes gives the same statements as the whole text", async (c) => {
    const expected = JSON.stringify(c.whole(c.text));
    const bytes = new TextEncoder().encode(c.text);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        const file = await collectStream(c.format, c.stream(chunked(bytes, cuts)));
        expect(JSON.stringify(file)).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe("streaming: memory stays flat", () => {
  /**
   * 100,000 physical lines: 01, 02, 03, 99,994 details of 1.00 each, 49, 98, 99.
   * Control total 99,994 × 100 = 9,999,400 cents; records 99,994 + 2 (03, 49) in
   * the account, + 2 (02, 98) in the group, + 2 (01, 99) in the file = 100,000.
   */
  const DETAILS = 99_994;
  // A sync generator: Readable.from turns it into a stream that yields chunk by chunk.
  function* generatedBai2(): Generator<string> {
    yield "01,BANK,OPENAR,260302,0800,1,,,2/\n02,OPENAR,BANK,1,260301,2400,USD,2/\n03,4711,USD,010,0,,/\n";
    let batch = "";
    for (let i = 0; i < DETAILS; i += 1) {
      batch += `16,142,100,,BR${i},CR${i},PAYMENT INV-${i}/\n`;
      if (batch.length > 65_536) {
        yield batch;
        batch = "";
      }
    }
    yield batch;
    yield "49,9999400,99996/\n98,9999400,1,99998/\n99,9999400,1,100000/\n";
  }

  it("parses a generated 100,000-line BAI2 from a Node stream without holding its lines", async () => {
    // A forced collection makes the heap comparison mean something; this flag only unlocks gc() for the test.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let count = 0;
    let total = Money.zero("USD");
    let heapAtStart = 0;
    let peakGrowth = 0;
    for await (const event of streamBai2(Readable.from(generatedBai2()))) {
      if (event.kind !== "line") continue;
      count += 1;
      total = total.add(event.line.amount);
      if (count === 10_000) {
        gc();
        heapAtStart = process.memoryUsage().heapUsed;
      } else if (count % 30_000 === 0) {
        gc();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - heapAtStart);
      }
    }
    gc();
    peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - heapAtStart);
    expect(count).toBe(DETAILS);
    expect(total.toString()).toBe("99994.00");
    // Keeping the 90,000 lines read after the first measurement costs about 70 MB; streaming keeps growth near zero.
    expect(peakGrowth).toBeLessThan(24 * 1024 * 1024);
  });
});
