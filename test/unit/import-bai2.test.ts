import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BankFile, BankLine } from "../../shared/bank.js";
import { BankFileError } from "../../shared/bank.js";
import { parseBai2 } from "../../server/import/bai2.js";
import { readOwn, readShared, SHARED_DIR, sharedFixturesPresent } from "../fixtures/bank/fixture-paths.js";

const linesOf = (file: BankFile): BankLine[] => file.statements.flatMap((s) => s.lines);
const plain = (line: BankLine) => ({ ...line, amount: line.amount.toString(), remittance: { ...line.remittance } });

/** Replaces one physical line (1-based) of a file. */
function withLine(text: string, lineNo: number, replacement: string | null): string {
  const lines = text.split("\n");
  if (replacement === null) lines.splice(lineNo - 1, 1);
  else lines[lineNo - 1] = replacement;
  return lines.join("\n");
}

function errorOf(action: () => unknown): BankFileError {
  try {
    action();
  } catch (error) {
    if (error instanceof BankFileError) return error;
    throw error;
  }
  throw new Error("expected a BankFileError, but the file was accepted");
}

describe("BAI2: the project's own fixtures", () => {
  const rich = readOwn("bai2-remittance.bai2");

  it("reads statements, balances and every detail of bai2-remittance.bai2", () => {
    const file = parseBai2(rich);
    expect(file.format).toBe("bai2");
    expect(
      file.statements.map((s) => [
        s.accountId,
        s.currency,
        s.statementDate,
        s.openingBalance?.toString(),
        s.closingBalance?.toString(),
        s.lines.length,
      ]),
    ).toEqual([
      // 010 1500000 and 015 2225000 in USD cents
      ["1234500001", "USD", "2026-03-01", "15000.00", "22250.00", 4],
      ["1234500002", "USD", "2026-03-01", "0.00", "0.00", 0],
    ]);
    const [ach, wire, ccd, check] = linesOf(file).map(plain);
    expect(ach).toEqual({
      lineNo: 4,
      recordRef: "BAI2 line 4 (16 transaction detail)",
      bookingDate: "2026-03-01",
      amount: "2500.00",
      direction: "credit",
      status: "booked",
      reversal: false,
      bankReference: "BR0001",
      customerReference: "CR0001",
      typeCode: "165",
      // 16 text, then the OBI/ and REF/ values of its two 88 continuations
      remittance: { unstructured: ["ACH CREDIT ACME CORP", "INV-1042 INV-1043", "PO 7788"], documents: [] },
    });
    // Funds type V brings a value date and time; "/" inside the text is text; a second 16 follows on the same line.
    expect(wire).toMatchObject({
      lineNo: 7,
      amount: "5000.00",
      valueDate: "2026-03-02",
      bankReference: "FW20260301A",
      typeCode: "195",
      remittance: { unstructured: ["WIRE IN / GLOBEX LTD / RE INV-2001"], documents: [] },
    });
    expect(wire).not.toHaveProperty("customerReference");
    // Funds type S brings three availability amounts; the references after them stay in place.
    expect(ccd).toMatchObject({
      lineNo: 7,
      amount: "250.00",
      bankReference: "BR0003",
      payerName: "INITECH LLC",
      remittance: { unstructured: ["ACH/CCD INITECH"] },
    });
    expect(ccd?.remittance.documents.map((d) => [d.number, d.amount?.toString()])).toEqual([
      ["INV-3001", "150.00"],
      ["INV-3002", "100.00"],
    ]);
    // Funds type D: a count of 2, then two day/amount pairs, then the references.
    expect(check).toMatchObject({
      lineNo: 10,
      amount: "-500.00",
      direction: "debit",
      bankReference: "BR0004",
      customerReference: "000123",
      typeCode: "475",
      remittance: { unstructured: ["CHECK PAID"] },
    });
  });

  it("refuses a wrong 49 total, naming the line and the record", () => {
    expect(() => parseBai2(readOwn("bai2-wrong-49-total.bai2"))).toThrow(
      "BAI2 line 11 (49 account trailer): control total 5374000 does not match the sum of the account's records 5375000",
    );
    const error = errorOf(() => parseBai2(readOwn("bai2-wrong-49-total.bai2")));
    expect([error.code, error.format, error.line, error.record]).toEqual([
      "invalid_argument",
      "bai2",
      11,
      "49 account trailer",
    ]);
  });

  it("refuses a truncated file, naming the account left open", () => {
    expect(() => parseBai2(readOwn("bai2-truncated.bai2"))).toThrow(
      "BAI2 line 10: the file ends inside account 1234500001 (03 at line 3) without its 49 account trailer: the file is truncated",
    );
  });

  it("refuses a file without its 99 trailer, or an account without its 49", () => {
    expect(() => parseBai2(withLine(rich, 15, null))).toThrow(
      "BAI2 line 14: the file ends without a 99 file trailer: the file is truncated",
    );
    expect(() => parseBai2(withLine(rich, 13, null))).toThrow(
      "BAI2 line 13 (98 group trailer): account 1234500002 (03 at line 12) has no 49 account trailer: the account is truncated",
    );
    expect(() => parseBai2(withLine(rich, 14, null))).toThrow(
      "BAI2 line 14 (99 file trailer): the group opened at line 2 has no 98 group trailer: the file is truncated",
    );
  });

  it("checks record counts and account and group counts at 49, 98 and 99", () => {
    expect(() => parseBai2(withLine(rich, 11, "49,5375000,9/"))).toThrow(
      "BAI2 line 11 (49 account trailer): record count 9 does not match the 10 records from the 03 at line 3 to this trailer",
    );
    expect(() => parseBai2(withLine(rich, 14, "98,5375000,3,14/"))).toThrow(
      "BAI2 line 14 (98 group trailer): number of accounts 3 does not match the 2 accounts in the group",
    );
    expect(() => parseBai2(withLine(rich, 15, "99,5375001,1,16"))).toThrow(
      "BAI2 line 15 (99 file trailer): control total 5375001 does not match the sum of the file's groups 5375000",
    );
    expect(() => parseBai2(withLine(rich, 15, "99,5375000,1,17"))).toThrow(
      "BAI2 line 15 (99 file trailer): record count 17 does not match the 16 records in the file",
    );
  });

  it("accepts wrong trailers only when told the bank writes them", () => {
    const file = parseBai2(readOwn("bai2-wrong-49-total.bai2"), { controlTotals: "ignore" });
    expect(linesOf(file)).toHaveLength(4);
    // Structure is still required.
    expect(() => parseBai2(readOwn("bai2-truncated.bai2"), { controlTotals: "ignore" })).toThrow(
      /without its 49 account trailer/,
    );
  });

  it("reads the same statements from CRLF line ends and from a file with no line breaks between '/'-terminated records", () => {
    const expected = JSON.stringify(parseBai2(rich));
    expect(JSON.stringify(parseBai2(rich.replace(/\n/g, "\r\n")))).toBe(expected);
    const oneLine = [
      "01,B,C,260302,0800,1,,,2/",
      "02,C,B,1,260301,,USD,2/",
      "03,9,,010,100,,/",
      "16,142,2500,,R1,,PAYMENT FOR INV/77/",
      "88,MORE TEXT/",
      "49,2600,4/",
      "98,2600,1,6/",
      "99,2600,1,8/",
    ].join("");
    // 49: 100 + 2500 = 2600 over 03, 16, 88, 49
    const [line] = linesOf(parseBai2(oneLine));
    expect(line?.amount.toString()).toBe("25.00");
    expect(line?.remittance.unstructured).toEqual(["PAYMENT FOR INV/77", "MORE TEXT"]);
  });

  it("names what is wrong in a field", () => {
    expect(() => parseBai2(withLine(rich, 4, "16,165,250000,X,BR0001,CR0001,ACH/"))).toThrow(
      'BAI2 line 4 (16 transaction detail): funds type "X" is not one of 0, 1, 2, Z, S, V, D',
    );
    expect(() => parseBai2(withLine(rich, 4, "16,165,2500.00,0,BR0001,CR0001,ACH/"))).toThrow(
      'BAI2 line 4 (16 transaction detail): amount "2500.00" is not an unsigned whole number (BAI2 amounts carry no decimal point)',
    );
    expect(() => parseBai2(withLine(rich, 2, "02,OPENAR,OPENARBANK,1,260231,2400,USD,2/"))).toThrow(
      'BAI2 line 2 (02 group header): as-of date "260231" is not a real date (YYMMDD)',
    );
    expect(() => parseBai2(withLine(rich, 1, "XX,OPENARBANK/"))).toThrow(
      'BAI2 line 1: line does not start with a BAI2 record code (01, 02, 03, 16, 88, 49, 98, 99): "XX,OPENARBANK/"',
    );
  });

  it("puts implied decimals where the currency's minor units say", () => {
    const file = (currency: string, amount: string) =>
      [
        "01,B,C,260302,0800,1,,,2/",
        `02,C,B,1,260301,,${currency},2/`,
        "03,9,,/",
        `16,142,${amount},,,,X/`,
        `49,${amount},3/`,
        `98,${amount},1,5/`,
        `99,${amount},1,7/`,
      ].join("\n");
    expect(linesOf(parseBai2(file("JPY", "2500")))[0]?.amount.toString()).toBe("2500"); // JPY: 0 decimals
    expect(linesOf(parseBai2(file("KWD", "2500")))[0]?.amount.toString()).toBe("2.500"); // KWD: 3 decimals
    expect(linesOf(parseBai2(file("USD", "2500")))[0]?.amount.toString()).toBe("25.00");
  });

  it("skips 890 information records, and maps a bank's own codes only when told", () => {
    const file = (code: string) =>
      [
        "01,B,C,260302,0800,1,,,2/",
        "02,C,B,1,260301,,USD,2/",
        "03,9,,/",
        `16,${code},100,,,,X/`,
        "49,100,3/",
        "98,100,1,5/",
        "99,100,1,7/",
      ].join("\n");
    expect(linesOf(parseBai2(file("890")))).toEqual([]);
    expect(() => parseBai2(file("720"))).toThrow(
      "BAI2 line 4 (16 transaction detail): type code 720 is neither a BAI credit (100–399, 920–959) nor a debit (400–699, 960–999); map it with typeCodeDirections",
    );
    expect(linesOf(parseBai2(file("720"), { typeCodeDirections: { "720": "credit" } }))[0]?.amount.toString()).toBe(
      "1.00",
    );
  });
});

describe.skipIf(!sharedFixturesPresent)("BAI2: real files from other projects (../shared/fixtures/bank/bai2)", () => {
  const sample1 = () => readShared("bai2/moov-io_bai2_sample1.txt");
  const svb = () => readShared("bai2/ministryofjustice_bai2_svb_us_example.bai2");

  it("parses every file; moov-io samples 4 and 5 only with trailers ignored, because their trailers are wrong", () => {
    for (const name of readdirSync(`${SHARED_DIR}bai2`)) {
      const text = readShared(`bai2/${name}`);
      if (/sample[45]/.test(name)) {
        expect(() => parseBai2(text), name).toThrow(BankFileError);
        expect(parseBai2(text, { controlTotals: "ignore" }).statements.length, name).toBeGreaterThan(0);
      } else {
        expect(parseBai2(text).statements.length, name).toBeGreaterThan(0);
      }
    }
  });

  it("moov-io sample1: the first account's 49 is 834000 over 14 records; the 99 is 1280000, 1 group, 27 records", () => {
    const file = parseBai2(sample1());
    expect(file.statements.map((s) => [s.accountId, s.currency, s.lines.length])).toEqual([
      ["10200123456", "CAD", 11],
      ["10200123456", "CAD", 6],
    ]);
    // The trailers check (or parsing would have thrown); shifting each by one shows what the reader computed.
    expect(() => parseBai2(withLine(sample1(), 16, "49,+00000000000834001,14/"))).toThrow(
      "BAI2 line 16 (49 account trailer): control total 834001 does not match the sum of the account's records 834000",
    );
    expect(() => parseBai2(withLine(sample1(), 16, "49,+00000000000834000,15/"))).toThrow(
      "record count 15 does not match the 14 records from the 03 at line 3 to this trailer",
    );
    expect(() => parseBai2(withLine(sample1(), 27, "99,+00000000001280001,1,27/"))).toThrow(
      "BAI2 line 27 (99 file trailer): control total 1280001 does not match the sum of the file's groups 1280000",
    );
    expect(() => parseBai2(withLine(sample1(), 27, "99,+00000000001280000,1,28/"))).toThrow(
      "record count 28 does not match the 27 records in the file",
    );
    // Line 5: "16,409,000000000002500,V,060316,,,,RETURNED CHEQUE     /" — 409 is a debit, V gives the value date.
    expect(plain(file.statements[0]!.lines[0]!)).toMatchObject({
      lineNo: 5,
      bookingDate: "2006-03-17",
      valueDate: "2006-03-16",
      amount: "-25.00",
      direction: "debit",
      typeCode: "409",
      remittance: { unstructured: ["RETURNED CHEQUE"] },
    });
  });

  it("svb_us: the 99 (no trailing '/') is 282030196, 2 groups, 20 records; the 03 continues over three 88s", () => {
    expect(svb().trimEnd().endsWith("99,282030196,2,20")).toBe(true);
    const file = parseBai2(svb());
    expect(
      file.statements.map((s) => [s.statementDate, s.openingBalance?.toString(), s.closingBalance?.toString()]),
    ).toEqual([
      ["2022-02-01", "347269.79", "352171.75"],
      ["2022-02-02", "352171.75", "361229.75"],
    ]);
    expect(() => parseBai2(svb().replace("99,282030196,2,20", "99,282030197,2,20"))).toThrow(
      "BAI2 line 20 (99 file trailer): control total 282030197 does not match the sum of the file's groups 282030196",
    );
    expect(() => parseBai2(svb().replace("99,282030196,2,20", "99,282030196,3,20"))).toThrow(
      "number of groups 3 does not match the 2 groups in the file",
    );
    expect(() => parseBai2(svb().replace("99,282030196,2,20", "99,282030196,2,21"))).toThrow(
      "record count 21 does not match the 20 records in the file",
    );
  });

  it("moov-io sample2: funds types S, V and D in summaries and details keep later fields in place", () => {
    const file = parseBai2(readShared("bai2/moov-io_bai2_sample2.txt"));
    // 99,345450000,4,31 checks; four groups, five accounts
    expect(file.statements).toHaveLength(5);
    const details = linesOf(file);
    expect(
      details.map((l) => [
        l.typeCode,
        l.amount.toString(),
        l.valueDate ?? null,
        l.bankReference ?? null,
        l.customerReference ?? null,
      ]),
    ).toEqual([
      ["115", "4500.00", null, null, null],
      ["115", "5000.00", null, null, null],
      ["218", "200000.00", "2004-06-22", "SP4738", "YRC065321"],
      ["195", "100000.00", null, null, null],
    ]);
    expect(details[1]?.remittance.unstructured).toEqual(["LOCK BOX NO.68751"]);
  });

  it("moov-io sample3: several records on one line, and a record spilling onto a line of its own", () => {
    const file = parseBai2(readShared("bai2/moov-io_bai2_sample3.txt"));
    expect(file.statements).toHaveLength(15); // 98 says 15 accounts
    const first = file.statements[0]!.lines;
    // Line 3 holds two 16 records: 2500 and 500 cents.
    expect(first.slice(0, 2).map((l) => [l.lineNo, l.amount.toString()])).toEqual([
      [3, "25.00"],
      [3, "5.00"],
    ]);
    // Line 18 ends without "/" and line 19 ("111111111111111        /") continues its text.
    const spilled = linesOf(file).find((l) => l.lineNo === 18);
    expect(spilled?.remittance.unstructured).toEqual([
      "111111     ACH_SETL           1111111111 111111111111111",
      "1111111111",
    ]);
  });

  it("moov-io sample4: records end at the line break without '/', and 88s carry tagged fields", () => {
    // Its first 49 says -1260161341762; the account's records sum to 6865898 + 1912 + 0 (03) + 60000 + 143500 + 928650 (16s) = 7999960.
    expect(() => parseBai2(readShared("bai2/moov-io_bai2_sample4-continuations-newline-delimited.txt"))).toThrow(
      "BAI2 line 22 (49 account trailer): control total -1260161341762 does not match the sum of the account's records 7999960",
    );
    const file = parseBai2(readShared("bai2/moov-io_bai2_sample4-continuations-newline-delimited.txt"), {
      controlTotals: "ignore",
    });
    const [payment, reject] = linesOf(file);
    expect(payment).toMatchObject({
      bankReference: "SPB2322984714570",
      customerReference: "1111",
      payerAccount: "ACHCONTROLOUTUSD01",
    });
    expect(payment?.remittance.unstructured[0]).toBe(
      "ACH Credit Payment,Entry Description: EXP; -, SEC: CCD, Client Ref ID: 1111, GS ID: SPB2322984714570",
    );
    expect(reject).toMatchObject({ direction: "credit", payerName: "SAMPLE INC", payerAccount: "101152046" });
    expect(reject?.remittance.unstructured).toContain("ACH- Test - Addenda Record");
  });

  it("moov-io sample5: '/' inside references does not end the record", () => {
    const file = parseBai2(readShared("bai2/moov-io_bai2_sample5-issue113.txt"), { controlTotals: "ignore" });
    const line = linesOf(file).find((l) => l.lineNo === 18);
    expect(line).toMatchObject({ bankReference: "SPB2322684598521", customerReference: "AB/GS/RPFILERP0001/RPBA0001" });
  });

  it("citi and nwb: 88 text continuations, '/' inside 88 text, GBP", () => {
    const citi = linesOf(parseBai2(readShared("bai2/ministryofjustice_bai2_citi_example.bai2")));
    expect(citi).toHaveLength(1);
    expect([citi[0]?.amount.toString(), citi[0]?.amount.currency, citi[0]?.valueDate]).toEqual([
      "0.01",
      "GBP",
      "2015-07-15",
    ]);
    expect(citi[0]?.remittance.unstructured).toContain("PY:RP1231231231231200                 A1234BC 22/03/66");
    const nwb = linesOf(parseBai2(readShared("bai2/ministryofjustice_bai2_nwb_example.bai2")));
    expect(nwb.map((l) => l.amount.toString())).toEqual(["-9.71", "-1.00", "-1.23", "-15.71", "0.89"]);
    expect(nwb[4]?.remittance.unstructured).toEqual([
      "TFR XBANKGO24007680SJ CAT JPY 2 GBPXBANKGO24007680BGC INTERNATIONAL-5373 CLIE",
      "NT SECCY AC TFR",
    ]);
  });

  it("blank 49 totals are not given, so not checked", () => {
    const file = parseBai2(readShared("bai2/ministryofjustice_bai2_account_trailer_amount_blank_example.bai2"));
    expect(file.statements.map((s) => s.accountId)).toEqual(["12345", "54321"]);
  });
});
