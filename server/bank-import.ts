/**
 * Wires the streaming bank-file parsers (server/import/) to the store.
 *
 * An upload is first spooled to a temporary file while its SHA-256 is taken
 * and its size counted (memory stays flat, and the body limit is enforced as
 * the bytes arrive). Then the store reads the file twice through the parser:
 * once to check it whole (control totals sit in trailers after the lines
 * they cover), once inside the transaction that stores it. A file seen before
 * (same SHA-256) is answered with what was stored then, without parsing.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { BankFileError, type BankFormat, type BankImportEvent, type CsvMapping } from "../shared/bank.js";
import { DomainError } from "../shared/errors.js";
import {
  detectBankFormat,
  streamBai2,
  streamCamt,
  streamCsv,
  streamLockbox,
  type ChunkSource,
  type LockboxOverflowLayout,
} from "./import/index.js";
import type { BankImportResult, BankReconciliationStore } from "./store/port.js";

/** Largest bank file accepted: a year of a busy account's BAI2 detail is a few MB; 50 MB leaves room. */
export const BANK_FILE_LIMIT_BYTES = 50 * 1024 * 1024;

export type RequestedBankFormat = "auto" | "bai2" | "camt" | "lockbox" | "csv";
export const REQUESTED_BANK_FORMATS: readonly RequestedBankFormat[] = ["auto", "bai2", "camt", "lockbox", "csv"];

export interface BankFileOptions {
  readonly format: RequestedBankFormat;
  /** Required for CSV: how to read the bank's columns. */
  readonly mapping?: CsvMapping;
  /** The account a CSV export is for, when its mapping does not name one. */
  readonly accountId?: string;
  /** Text encoding of the bytes (WHATWG label); UTF-8 by default. */
  readonly encoding?: string;
  /** BAI2: "ignore" for a bank known to write wrong trailers; "verify" by default. */
  readonly controlTotals?: "verify" | "ignore";
  /** Lockbox account currency, and BAI2's default when the file names none. */
  readonly currency?: string;
  readonly lockboxOverflow?: LockboxOverflowLayout;
}

/** The upload was larger than the limit; nothing was kept. */
export class BankFileTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the bank file is larger than the limit of ${limitBytes} bytes`);
    this.name = "BankFileTooLargeError";
  }
}

interface SpooledFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The first few KB, decoded leniently, for format detection. */
  readonly head: string;
}

const HEAD_BYTES = 4096;

async function spool(source: ChunkSource, dir: string, limitBytes: number): Promise<SpooledFile> {
  const path = join(dir, "upload");
  const out = createWriteStream(path);
  const hash = createHash("sha256");
  let bytes = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  try {
    for await (const chunk of source) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      bytes += buffer.byteLength;
      if (bytes > limitBytes) throw new BankFileTooLargeError(limitBytes);
      hash.update(buffer);
      if (headBytes < HEAD_BYTES) {
        head.push(buffer.subarray(0, HEAD_BYTES - headBytes));
        headBytes += Math.min(buffer.byteLength, HEAD_BYTES - headBytes);
      }
      if (!out.write(buffer)) await once(out, "drain");
    }
  } catch (error) {
    out.destroy();
    await finished(out).catch(() => undefined);
    throw error;
  }
  out.end();
  // Rejects when the disk refused the bytes: the import must not go on with half a file.
  await finished(out);
  return { path, sha256: hash.digest("hex"), bytes, head: new TextDecoder("utf-8").decode(Buffer.concat(head)) };
}

function resolveFormat(requested: RequestedBankFormat, head: string): BankFormat | "camt" {
  if (requested === "camt") return "camt";
  if (requested !== "auto") return requested;
  const detected = detectBankFormat(head);
  return detected.startsWith("camt") ? "camt" : detected;
}

/** A fresh parse of the spooled file, each time it is called. */
function eventsOf(file: SpooledFile, format: BankFormat | "camt", options: BankFileOptions): () => AsyncIterable<BankImportEvent> {
  const decode = options.encoding === undefined ? {} : { encoding: options.encoding };
  const source = () => createReadStream(file.path);
  switch (format) {
    case "bai2":
      return () =>
        streamBai2(source(), {
          ...decode,
          ...(options.controlTotals === undefined ? {} : { controlTotals: options.controlTotals }),
          ...(options.currency === undefined ? {} : { defaultCurrency: options.currency }),
        });
    case "camt":
    case "camt.052":
    case "camt.053":
    case "camt.054":
      return () => streamCamt(source(), decode);
    case "lockbox":
      return () =>
        streamLockbox(source(), {
          ...decode,
          ...(options.currency === undefined ? {} : { currency: options.currency }),
          ...(options.lockboxOverflow === undefined ? {} : { overflow: options.lockboxOverflow }),
        });
    case "csv": {
      const mapping = options.mapping;
      if (mapping === undefined) {
        throw new BankFileError({
          format: "csv",
          problem: "the file reads as CSV, which needs a column mapping: name a saved one (mapping=<bank>) or send one",
        });
      }
      return () => streamCsv(source(), { ...decode, mapping, ...(options.accountId === undefined ? {} : { accountId: options.accountId }) });
    }
  }
}

/**
 * Imports one bank file from a stream of its bytes: refused whole with a
 * BankFileError naming the line and record when any part is broken (nothing
 * stored), stored once otherwise (a repeat answers `created: false`).
 */
export async function importBankFile(params: {
  store: BankReconciliationStore;
  source: ChunkSource;
  options: BankFileOptions;
  user: string;
  fileName: string | null;
  limitBytes?: number;
}): Promise<BankImportResult> {
  const dir = await mkdtemp(join(tmpdir(), "openar-bank-"));
  try {
    const file = await spool(params.source, dir, params.limitBytes ?? BANK_FILE_LIMIT_BYTES);
    if (file.bytes === 0) throw new DomainError("validation_failed", "the bank file is empty", { field: "body" });
    const format = resolveFormat(params.options.format, file.head);
    return await params.store.importBankStatements({
      sha256: file.sha256,
      fileName: params.fileName,
      format: format === "camt" ? "camt.053" : format,
      events: eventsOf(file, format, params.options),
      user: params.user,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads "memo" or "invoices:<number width>:<amount width>" (lockbox overflow record layouts). */
export function parseLockboxOverflow(text: string, field = "lockboxOverflow"): LockboxOverflowLayout {
  if (text === "memo") return { kind: "memo" };
  const match = /^invoices:(\d{1,3}):(\d{1,2})$/.exec(text);
  if (match === null) {
    throw new DomainError("invalid_argument", `${field} must be "memo" or "invoices:<number width>:<amount width>", e.g. "invoices:15:10"`, { field });
  }
  return { kind: "invoices", numberWidth: Number(match[1]), amountWidth: Number(match[2]) };
}
