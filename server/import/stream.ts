import type { BankFile, BankFormat, BankImportEvent } from "../../shared/bank.js";
import { BankFileError, collectBankFile } from "../../shared/bank.js";

/**
 * Where a bank file's bytes come from: a Node Readable (it is an async
 * iterable of Buffers, or of strings after setEncoding), a generator in a
 * test, or an array of chunks.
 */
export type ChunkSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * A parser fed text in pieces of any size. Each format's parser is
 * synchronous and keeps only what it needs across pieces (a partial line, the
 * open record, running totals), so the stream wrapper below holds memory flat
 * and `parseX(text)` is just one push.
 */
export interface PushParser {
  push(text: string): BankImportEvent[];
  /** End of input: flushes what is open and checks that the file ended where it may. */
  finish(): BankImportEvent[];
}

export interface DecodeOptions {
  /** Text encoding of byte chunks (WHATWG label). Default "utf-8"; banks' CSV exports are often "windows-1252". */
  readonly encoding?: string;
}

/** Feeds decoded chunks to `parser` and yields its events as they come. */
export async function* runPushParser(params: {
  format: BankFormat;
  source: ChunkSource;
  parser: PushParser;
  options?: DecodeOptions;
}): AsyncGenerator<BankImportEvent> {
  const { format, source, parser } = params;
  const encoding = params.options?.encoding ?? "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new BankFileError({ format, problem: `"${encoding}" is not a text encoding this server knows` });
  }
  let first = true;
  let bytesSeen = 0;
  const decode = (chunk: string | Uint8Array, stream: boolean): string => {
    if (typeof chunk === "string") return chunk;
    try {
      return decoder.decode(chunk, { stream });
    } catch {
      throw new BankFileError({
        format,
        problem: `the file is not valid ${encoding} text (in the bytes after offset ${bytesSeen}); name the file's encoding, for example "windows-1252"`,
      });
    } finally {
      bytesSeen += chunk.byteLength;
    }
  };
  for await (const chunk of source) {
    let text = decode(chunk, true);
    if (first && text !== "") {
      // A byte-order mark is not content; TextDecoder drops it from bytes, string chunks may still carry it.
      if (text.startsWith("\uFEFF")) text = text.slice(1);
      first = false;
    }
    yield* parser.push(text);
  }
  yield* parser.push(decode(new Uint8Array(0), false));
  yield* parser.finish();
}

/** Runs a parser over one whole text (the convenience `parseX(text)` functions). */
export function parseWhole(format: BankFormat, parser: PushParser, text: string): BankFile {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  return collectBankFile(format, [...parser.push(body), ...parser.finish()]);
}

/**
 * Gathers a streamed import into statements; for files that fit in memory.
 * The file's format is its statements' (a camt stream says whether it is
 * camt.052, 053 or 054); `format` is used when there are none.
 */
export async function collectStream(format: BankFormat, events: AsyncIterable<BankImportEvent>): Promise<BankFile> {
  const all: BankImportEvent[] = [];
  let found: BankFormat | undefined;
  for await (const event of events) {
    if (event.kind === "statement") found ??= event.statement.format;
    all.push(event);
  }
  return collectBankFile(found ?? format, all);
}

/**
 * Splits text into physical lines across chunk boundaries ("\r\n", "\n" or
 * "\r"), numbering them from 1. Keeps only the unfinished last line.
 */
export class LineSplitter {
  #partial = "";
  #lineNo = 0;
  #pendingCr = false;
  readonly #maxLine: number;
  readonly #onTooLong: (lineNo: number) => never;

  constructor(params: { maxLineLength: number; onTooLong: (lineNo: number) => never }) {
    this.#maxLine = params.maxLineLength;
    this.#onTooLong = params.onTooLong;
  }

  /** Complete lines in `text` (after what was left over from the last call). */
  push(text: string): { lineNo: number; text: string }[] {
    let input = text;
    // A "\r\n" split across two chunks is one line break, not two.
    if (this.#pendingCr && input.startsWith("\n")) input = input.slice(1);
    if (input === "") return [];
    this.#pendingCr = input.endsWith("\r");
    const pieces = (this.#partial + input).split(/\r\n|\n|\r/);
    this.#partial = pieces.pop() ?? "";
    if (this.#partial.length > this.#maxLine) this.#onTooLong(this.#lineNo + pieces.length + 1);
    return pieces.map((piece) => ({ lineNo: ++this.#lineNo, text: piece }));
  }

  /** The last line when the file does not end with a line break. */
  finish(): { lineNo: number; text: string }[] {
    const rest = this.#partial;
    this.#partial = "";
    return rest === "" ? [] : [{ lineNo: ++this.#lineNo, text: rest }];
  }
}
