/**
 * Seeded BAI2 files for the bank benchmark (bench/bank.ts), written to disk
 * a block at a time (never whole in memory):
 *
 * - `writeImportFile`: exactly N physical lines — one 01 and one 02, several
 *   accounts (03 … 49), each a run of 16 transaction details with one to
 *   three 88 continuations (the payer's name, the invoice numbers paid, a
 *   remittance note), 98 and 99 — with correct control totals and record
 *   counts at 49, 98 and 99, as a bank's prior-day/current-day detail file;
 * - `writeStatementFile`: one account whose details are given (the matching
 *   benchmark's statement, made from the ledger's open invoices).
 *
 * Control totals are the algebraic sums of the amounts written (03 summary
 * amounts and 16 detail amounts, unsigned as BAI2 writes them), record counts
 * include the 88s and the trailer itself — what server/import/bai2.ts checks.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { seededRandom } from "../server/demo/generator.js";
import type { IsoDate } from "../shared/dates.js";

export interface Bai2Detail {
  /** Three digits: 1xx–3xx credits, 4xx–6xx debits. */
  readonly typeCode: string;
  /** Minor units, unsigned as written; the type code gives the direction. */
  readonly amountMinor: bigint;
  readonly bankReference: string;
  readonly customerReference: string;
  /** The 16 record's own text field. */
  readonly text: string;
  /** Bodies of the 88 continuations that follow (without "88,"). */
  readonly continuations: readonly string[];
}

export interface Bai2Account {
  readonly id: string;
  readonly currency: string;
  readonly openingMinor: bigint;
  /** Called twice with the same result (once for the closing balance the 03 states, once to write). */
  readonly details: () => Iterable<Bai2Detail>;
}

export interface WrittenFile {
  readonly path: string;
  readonly physicalLines: number;
  /** 16 records. */
  readonly details: number;
  readonly bytes: number;
}

const isCredit = (typeCode: string) => Number(typeCode) < 400;

function yymmdd(date: IsoDate): string {
  return `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
}

/** Writes lines to a file in blocks of about 64 KB. */
class BlockWriter {
  readonly #fd: number;
  #block: string[] = [];
  #size = 0;
  lines = 0;
  bytes = 0;

  constructor(path: string) {
    this.#fd = openSync(path, "w");
  }

  line(text: string): void {
    this.#block.push(text, "\n");
    this.#size += text.length + 1;
    this.lines += 1;
    if (this.#size >= 65_536) this.flush();
  }

  flush(): void {
    if (this.#block.length === 0) return;
    const buffer = Buffer.from(this.#block.join(""), "latin1");
    writeSync(this.#fd, buffer);
    this.bytes += buffer.byteLength;
    this.#block = [];
    this.#size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

/** Writes a BAI2 file: one 01, one 02 group, the accounts, 98, 99. */
export function writeBai2(
  path: string,
  file: { fileId: string; asOf: IsoDate; currency: string; accounts: readonly Bai2Account[] },
): WrittenFile {
  const out = new BlockWriter(path);
  const date = yymmdd(file.asOf);
  let details = 0;
  try {
    out.line(`01,OPENARBANK,OPENARCO,${date},0600,${file.fileId},,,2/`);
    out.line(`02,OPENARCO,OPENARBANK,1,${date},0600,${file.currency},2/`);
    let groupSum = 0n;
    let groupRecords = 1; // the 02
    for (const account of file.accounts) {
      let net = 0n;
      for (const d of account.details()) net += isCredit(d.typeCode) ? d.amountMinor : -d.amountMinor;
      const closing = account.openingMinor + net;
      // 010 opening ledger, 015 closing ledger (signed), 100 total credits / 400 total debits left off.
      out.line(`03,${account.id},${account.currency},010,${account.openingMinor},,,015,${closing},,/`);
      let sum = account.openingMinor + closing;
      let records = 1;
      for (const d of account.details()) {
        out.line(`16,${d.typeCode},${d.amountMinor},Z,${d.bankReference},${d.customerReference},${d.text}/`);
        for (const body of d.continuations) out.line(`88,${body}/`);
        sum += d.amountMinor;
        records += 1 + d.continuations.length;
        details += 1;
      }
      records += 1; // the 49 itself
      out.line(`49,${sum},${records}/`);
      groupSum += sum;
      groupRecords += records;
    }
    groupRecords += 1; // the 98
    out.line(`98,${groupSum},${file.accounts.length},${groupRecords}/`);
    out.line(`99,${groupSum},1,${groupRecords + 2}/`); // + the 01 and the 99
  } finally {
    out.close();
  }
  return { path, physicalLines: out.lines, details, bytes: out.bytes };
}

const PAYERS = [
  "NORTHWIND TEXTILES LLC",
  "CONTOSO FOODS LTD",
  "FABRIKAM LOGISTICS CO",
  "GLOBEX SUPPLY SA",
  "INITECH MEDICAL",
  "UMBRELLA TRADING LLC",
  "STARK HARDWARE GROUP",
  "WAYNE MARINE SA",
  "TYRELL ENERGY GMBH",
  "HOOLI SYSTEMS INC",
];
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * A statement's details in exactly `lines` physical lines: mostly customer
 * payments (ACH 165, wire 195, lockbox 115) with their payer and invoice
 * numbers in 88s, some debits (ACH debit 451, wire out 495, fees 698).
 */
function* fillerDetails(seed: number, lines: number, prefix: string): Generator<Bai2Detail> {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  let left = lines;
  let n = 0;
  while (left > 0) {
    n += 1;
    const credit = random() < 0.9;
    const continuations = Math.min(left - 1, 1 + int(3));
    const invoices = Array.from(
      { length: 1 + (random() < 0.2 ? 1 + int(3) : 0) },
      () => `INV-${pad(1 + int(9_999_999), 7)}`,
    );
    const party = PAYERS[int(PAYERS.length)] ?? "ACME CORP";
    const bodies = (
      credit
        ? [`INV: ${invoices.join(" ")}`, `DBNM: ${party}`, `REMI: REMITTANCE ADVICE ${prefix}${pad(n, 7)}`]
        : [`CRNM: ${party}`, `REMI: PAYMENT ${prefix}${pad(n, 7)}`, `CACT: 9${pad(int(100_000_000), 9)}`]
    ).slice(0, continuations);
    yield {
      typeCode: credit ? (["165", "195", "115"][int(3)] ?? "165") : (["451", "495", "698"][int(3)] ?? "451"),
      amountMinor: BigInt(100 + int(5_000_000)),
      bankReference: `${prefix}${pad(n, 8)}`,
      customerReference: credit && random() < 0.5 ? `PO${pad(int(1_000_000), 6)}` : "",
      text: credit ? "ACH CREDIT" : "",
      continuations: bodies,
    };
    left -= 1 + continuations;
  }
}

/** Accounts in an import file. */
const IMPORT_ACCOUNTS = 4;

/**
 * A realistic detail file of exactly `lines` physical lines (at least 16),
 * spread over four accounts. `fileId` goes into the 01 header, so files that
 * differ only in it have different SHA-256s (the import stores a file once).
 */
export function writeImportFile(
  path: string,
  params: { lines: number; seed: number; fileId: string; asOf: IsoDate },
): WrittenFile {
  if (params.lines < 16) throw new Error("an import file needs at least 16 lines");
  // 01, 02, 98, 99, and a 03 and a 49 per account.
  const body = params.lines - 4 - 2 * IMPORT_ACCOUNTS;
  const accounts = Array.from({ length: IMPORT_ACCOUNTS }, (_, i): Bai2Account => {
    const lines = Math.floor(body / IMPORT_ACCOUNTS) + (i < body % IMPORT_ACCOUNTS ? 1 : 0);
    const prefix = `F${params.fileId}A${i}R`;
    return {
      id: `12345678${i}`,
      currency: "USD",
      openingMinor: 250_000_000n + BigInt(i) * 1_000_000n,
      details: () => fillerDetails(params.seed + i, lines, prefix),
    };
  });
  return writeBai2(path, { fileId: params.fileId, asOf: params.asOf, currency: "USD", accounts });
}

/** A one-account statement of the given details. */
export function writeStatementFile(
  path: string,
  params: { fileId: string; asOf: IsoDate; account: string; currency: string; details: readonly Bai2Detail[] },
): WrittenFile {
  return writeBai2(path, {
    fileId: params.fileId,
    asOf: params.asOf,
    currency: params.currency,
    accounts: [
      { id: params.account, currency: params.currency, openingMinor: 100_000_000n, details: () => params.details },
    ],
  });
}
