import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BankFile, BankLine, CsvMapping } from "../../shared/bank.js";
import { parseCsvMapping } from "../../shared/bank.js";
import { parseCsv, streamCsv } from "../../server/import/csv.js";
import { collectStream } from "../../server/import/stream.js";
import { OWN_DIR, readOwn } from "../fixtures/bank/fixture-paths.js";

const linesOf = (file: BankFile): BankLine[] => file.statements.flatMap((s) => s.lines);
const row = (l: BankLine) => ({
  lineNo: l.lineNo,
  bookingDate: l.bookingDate,
  valueDate: l.valueDate,
  amount: l.amount.toString(),
  direction: l.direction,
  customerReference: l.customerReference,
  payerName: l.payerName,
  text: l.remittance.unstructured,
});

const US: CsvMapping = {
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
};

const DE: CsvMapping = {
  delimiter: ";",
  headerRow: true,
  skipRows: 2,
  date: { column: "Buchungstag", format: "DD.MM.YYYY" },
  valueDate: { column: "Valuta", format: "DD.MM.YYYY" },
  amount: { debit: "Soll", credit: "Haben" },
  decimal: ",",
  group: ".",
  currency: "EUR",
  description: ["Verwendungszweck"],
  payerName: "Auftraggeber",
  accountId: "DE89370400440532013000",
};

describe("CSV: en-US export with a signed amount column", () => {
  it("reads quoted fields with commas, doubled quotes and a line break, and a negative in parentheses", () => {
    const file = parseCsv(readOwn("csv-us-signed.csv"), { mapping: US });
    expect(file.statements.map((s) => [s.format, s.accountId, s.currency])).toEqual([["csv", "US-OPERATING", "USD"]]);
    expect(linesOf(file).map(row)).toEqual([
      {
        lineNo: 2,
        bookingDate: "2026-03-02",
        valueDate: undefined,
        amount: "1250.00",
        direction: "credit",
        customerReference: "ACME-77",
        payerName: "ACME Corp",
        text: ["ACH CREDIT ACME CORP, INV-1042 INV-1043"],
      },
      {
        lineNo: 3,
        bookingDate: "2026-03-02",
        valueDate: undefined,
        amount: "980.50",
        direction: "credit",
        customerReference: "5521",
        payerName: "Globex Ltd",
        text: ['Check deposit "memo: INV-2001"'],
      },
      {
        lineNo: 4, // the row starts on line 4 and its quoted description runs onto line 5
        bookingDate: "2026-03-03",
        valueDate: undefined,
        amount: "12000.00",
        direction: "credit",
        customerReference: "FW123",
        payerName: "Initech, LLC",
        text: ["Wire in\nRE INV-3001 (second line)"],
      },
      {
        lineNo: 6,
        bookingDate: "2026-03-03",
        valueDate: undefined,
        amount: "-45.10",
        direction: "debit",
        customerReference: undefined,
        payerName: undefined,
        text: ["Bank fee"],
      },
    ]);
    // 1250.00 + 980.50 + 12000.00 − 45.10 = 14185.40
    expect(
      linesOf(file)
        .reduce((sum, l) => sum.add(l.amount), linesOf(file)[0]!.amount.subtract(linesOf(file)[0]!.amount))
        .toString(),
    ).toBe("14185.40");
  });

  it("names the line and what is wrong", () => {
    const text = readOwn("csv-us-signed.csv");
    expect(() => parseCsv(text.replace('"1,250.00"', '"1.250,00"'), { mapping: US })).toThrow(
      'CSV line 2: amount "1.250,00" is not an amount written like 1,234.50',
    );
    expect(() => parseCsv(text.replace('03/02/2026,"ACH', '02/30/2026,"ACH'), { mapping: US })).toThrow(
      'CSV line 2: date "02/30/2026" is not a real date (read as MM/DD/YYYY)',
    );
    expect(() => parseCsv(text.replace('03/02/2026,"ACH', '2026-03-02,"ACH'), { mapping: US })).toThrow(
      'CSV line 2: date "2026-03-02" is not written MM/DD/YYYY',
    );
    expect(() => parseCsv(text.replace('"Check deposit ""memo', '"Check deposit ""memo" x'), { mapping: US })).toThrow(
      'CSV line 3: unexpected "x" after a closing quote; a quoted field must end at a delimiter',
    );
    expect(() => parseCsv(`${text}03/04/2026,"never closed,1.00,,\r\n`, { mapping: US })).toThrow(
      "CSV line 7: a quoted field starting on this line is never closed",
    );
    expect(() => parseCsv(text, { mapping: { ...US, payerName: "Customer" } })).toThrow(
      'CSV line 1: the header has no column "Customer" for payerName (columns: "Posting Date", "Description", "Amount", "Reference", "Payer")',
    );
    expect(() => parseCsv(text, { mapping: { ...US, accountId: undefined } as unknown as CsvMapping })).toThrow(
      "CSV: no account: name accountId in the mapping or in the import options",
    );
  });
});

describe("CSV: de-DE export in windows-1252 with debit and credit columns", () => {
  const bytes = readFileSync(`${OWN_DIR}csv-de-debit-credit.csv`);

  it("reads 1.250,00 and 980,5 with a preamble, short dates and umlauts", async () => {
    const file = await collectStream("csv", streamCsv([bytes], { mapping: DE, encoding: "windows-1252" }));
    expect(linesOf(file).map(row)).toEqual([
      {
        lineNo: 4,
        bookingDate: "2026-03-02",
        valueDate: "2026-03-02",
        amount: "1250.00",
        direction: "credit",
        customerReference: undefined,
        payerName: "Müller GmbH",
        text: ["RE 1042 und 1043"],
      },
      {
        lineNo: 5,
        bookingDate: "2026-03-02",
        valueDate: "2026-03-03",
        amount: "-12.50", // Soll 12,50 with Haben 0,00: a debit
        direction: "debit",
        customerReference: undefined,
        payerName: undefined,
        text: ["Kontoführung; März"],
      },
      {
        lineNo: 6,
        bookingDate: "2026-03-03", // written 3.3.2026
        valueDate: "2026-03-03",
        amount: "980.50",
        direction: "credit",
        customerReference: undefined,
        payerName: "Bäckerei Schäfer",
        text: ["Zahlung RE-2001"],
      },
    ]);
  });

  it("says so when the bytes are not the expected encoding", async () => {
    await expect(collectStream("csv", streamCsv([bytes], { mapping: DE }))).rejects.toThrow(
      /CSV: the file is not valid utf-8 text \(in the bytes after offset 0\); name the file's encoding, for example "windows-1252"/,
    );
  });

  it("refuses a row with both a debit and a credit", () => {
    const text = "Buchungstag;Valuta;Verwendungszweck;Soll;Haben;Auftraggeber\n01.03.2026;01.03.2026;X;1,00;2,00;Y\n";
    expect(() => parseCsv(text, { mapping: { ...DE, skipRows: 0 } })).toThrow(
      "CSV line 2: both debit (1.00) and credit (2.00) have an amount",
    );
  });
});

describe("CSV mapping saved per bank", () => {
  it("round-trips through JSON", () => {
    expect(parseCsvMapping(JSON.parse(JSON.stringify(DE)))).toEqual(DE);
    expect(parseCsvMapping(JSON.parse(JSON.stringify(US)))).toEqual(US);
  });

  it("names the field that is wrong", () => {
    expect(() => parseCsvMapping({ ...US, delimiter: "::" })).toThrow(
      'CSV mapping: delimiter must be ",", ";", "\\t" or "|"',
    );
    expect(() => parseCsvMapping({ ...US, group: "." })).toThrow(
      'CSV mapping: group must differ from the decimal separator "."',
    );
    expect(() => parseCsvMapping({ ...US, headerRow: false })).toThrow(
      'CSV mapping: date.column names column "Posting Date" but headerRow is false: use a position (0, 1, 2, …)',
    );
    expect(() => parseCsvMapping({ ...US, currencyColumn: 5 })).toThrow(
      "CSV mapping: currency or currencyColumn must be given, and not both",
    );
    expect(() => parseCsvMapping({ ...US, date: { column: 0, format: "YY-MM-DD" } })).toThrow(
      "CSV mapping: date.format must be one of YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY",
    );
    expect(() => parseCsvMapping({ ...US, dateColumn: 1 })).toThrow("CSV mapping: dateColumn is not a mapping field");
  });

  it("reads positions when there is no header, and a currency per row", () => {
    const mapping: CsvMapping = {
      delimiter: "\t",
      headerRow: false,
      date: { column: 0, format: "DD/MM/YYYY" },
      amount: 1,
      decimal: ".",
      group: "'",
      currencyColumn: 2,
      accountId: "CH-1",
    };
    const lines = linesOf(parseCsv("31/01/2026\t1'234.50\tCHF\n01/02/2026\t-0.05\tCHF\n", { mapping }));
    expect(lines.map((l) => [l.bookingDate, l.amount.toString(), l.amount.currency])).toEqual([
      ["2026-01-31", "1234.50", "CHF"],
      ["2026-02-01", "-0.05", "CHF"],
    ]);
    expect(() => parseCsv("31/01/2026\t1.00\tCHF\n01/02/2026\t1.00\tEUR\n", { mapping })).toThrow(
      "CSV line 2: currency EUR differs from the file's CHF: import one currency per file",
    );
  });
});
