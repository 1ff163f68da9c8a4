import type { BankFormat } from "../../shared/bank.js";

export { Bai2Parser, parseBai2, streamBai2, type Bai2Options } from "./bai2.js";
export { CamtParser, parseCamt, streamCamt, type CamtOptions } from "./camt.js";
export { CsvParser, parseCsv, streamCsv, type CsvOptions } from "./csv.js";
export {
  LockboxParser,
  parseLockbox,
  streamLockbox,
  type LockboxOptions,
  type LockboxOverflowLayout,
} from "./lockbox.js";
export { collectStream, runPushParser, type ChunkSource, type DecodeOptions, type PushParser } from "./stream.js";

/**
 * Guesses a bank file's format from its first bytes (a few hundred characters
 * are plenty), for an upload that does not say. CSV is the fallback: it needs
 * a mapping anyway, and the mapping decides whether the file makes sense.
 */
export function detectBankFormat(head: string): BankFormat {
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (/^01,[^,\r\n]*,[^,\r\n]*,\d{6},/.test(text)) return "bai2";
  const camt = /urn:iso:std:iso:20022:tech:xsd:camt\.(052|053|054)\.001\.\d{2}/.exec(text);
  if (text.startsWith("<") && camt !== null) return `camt.${camt[1] as "052" | "053" | "054"}`;
  if (/^1\d{2}[ A-Z0-9]{10}\d{10}\d{6}\d{4}\s*(?:\r?\n|$)/.test(text)) return "lockbox";
  return "csv";
}
