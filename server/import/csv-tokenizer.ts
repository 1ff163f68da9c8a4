/**
 * RFC 4180 CSV tokenizing, pushed in chunks: a field in double quotes may
 * hold the delimiter, doubled quotes and line breaks. Unquoted fields are
 * trimmed; quoted ones are kept as written. Used by the bank CSV importer and
 * the ERP import.
 */
export class CsvTokenizer {
  readonly #delimiter: string;
  readonly #fail: (line: number, problem: string) => never;
  #field = "";
  #row: string[] = [];
  #inQuotes = false;
  /** A quote inside a quoted field, waiting for the next character: a second quote, or the field's end. */
  #quoteSeen = false;
  #afterClosingQuote = false;
  #previousCr = false;
  #line = 1;
  #rowLine = 1;
  #quoteLine = 1;

  constructor(delimiter: string, fail: (line: number, problem: string) => never) {
    this.#delimiter = delimiter;
    this.#fail = fail;
  }

  /** Feeds text; `onRow` gets each complete row (blank lines skipped) with the line it started on. */
  push(text: string, onRow: (cells: string[], line: number) => void): void {
    for (let i = 0; i < text.length; i += 1) {
      const ch = text.charAt(i);
      if (ch === "\n" && this.#previousCr) {
        this.#previousCr = false; // the "\n" of a "\r\n" already counted
        continue;
      }
      this.#previousCr = ch === "\r";
      const newline = ch === "\n" || ch === "\r";
      if (this.#quoteSeen) {
        this.#quoteSeen = false;
        if (ch === '"') {
          this.#field += '"';
          continue;
        }
        this.#inQuotes = false;
        this.#afterClosingQuote = true;
      }
      if (this.#inQuotes) {
        if (ch === '"') {
          this.#quoteSeen = true;
        } else {
          this.#field += newline ? "\n" : ch;
          if (newline) this.#line += 1;
        }
        continue;
      }
      if (ch === this.#delimiter) {
        this.#endField();
      } else if (newline) {
        this.#endRow(onRow);
        this.#line += 1;
        this.#rowLine = this.#line;
      } else if (this.#afterClosingQuote) {
        if (ch.trim() !== "") this.#fail(this.#line, `unexpected "${ch}" after a closing quote; a quoted field must end at a delimiter`);
      } else if (ch === '"' && this.#field.trim() === "") {
        this.#inQuotes = true;
        this.#quoteLine = this.#line;
        this.#field = "";
      } else {
        this.#field += ch;
      }
    }
  }

  /** Ends the input: the last row without a line break, or an error for an unclosed quote. */
  finish(onRow: (cells: string[], line: number) => void): void {
    if (this.#quoteSeen) {
      this.#quoteSeen = false;
      this.#inQuotes = false;
    }
    if (this.#inQuotes) this.#fail(this.#quoteLine, "a quoted field starting on this line is never closed");
    if (this.#field !== "" || this.#row.length > 0 || this.#afterClosingQuote) this.#endRow(onRow);
  }

  #endField(): void {
    this.#row.push(this.#afterClosingQuote ? this.#field : this.#field.trim());
    this.#field = "";
    this.#afterClosingQuote = false;
  }

  #endRow(onRow: (cells: string[], line: number) => void): void {
    this.#endField();
    const cells = this.#row;
    this.#row = [];
    if (cells.length === 1 && cells[0] === "") return; // blank line
    onRow(cells, this.#rowLine);
  }
}

/** Whole-text convenience: every row with its line number. */
export function csvRows(text: string, delimiter: string, fail: (line: number, problem: string) => never): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  const tokenizer = new CsvTokenizer(delimiter, fail);
  const onRow = (cells: string[], line: number) => rows.push({ cells, line });
  tokenizer.push(text, onRow);
  tokenizer.finish(onRow);
  return rows;
}
