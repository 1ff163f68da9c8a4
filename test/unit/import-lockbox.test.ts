import { describe, expect, it } from "vitest";
import type { BankFile, BankLine } from "../../shared/bank.js";
import { parseLockbox } from "../../server/import/lockbox.js";
import { readOwn, readShared, sharedFixturesPresent } from "../fixtures/bank/fixture-paths.js";

const linesOf = (file: BankFile): BankLine[] => file.statements.flatMap((s) => s.lines);
const documents = (line: BankLine | undefined) =>
  line?.remittance.documents.map((d) => [d.number, d.amount?.toString()]);
const INVOICES = { kind: "invoices", numberWidth: 15, amountWidth: 10 } as const;

describe.skipIf(!sharedFixturesPresent)(
  "BAI lockbox: FundersClub's test files (../shared/fixtures/bank/lockbox)",
  () => {
    const lockbox = () => readShared("lockbox/FundersClub_bai-lockbox_test_lockbox.bai");

    it("reads BOB E SMITH's check 180 for 7000.00, dated 05/16/16, memo CE554", () => {
      const file = parseLockbox(lockbox());
      expect(file.statements.map((s) => [s.format, s.accountId, s.currency, s.statementDate])).toEqual([
        ["lockbox", "0022222", "USD", "2016-05-23"],
      ]);
      const [check] = linesOf(file);
      expect({ ...check, amount: check?.amount.toString() }).toEqual({
        lineNo: 4,
        recordRef: "BAI lockbox line 4 (check, batch 001 item 001)",
        bookingDate: "2016-05-23",
        amount: "7000.00",
        direction: "credit",
        status: "booked",
        reversal: false,
        bankReference: "0022222-001-001",
        payerName: "BOB E SMITH",
        payerAccount: "055002707/0012345555",
        checkNumber: "180",
        checkDate: "2016-05-16",
        remittance: { unstructured: ["CE554"], documents: [] },
      });
    });

    it("checks the batch total (7000.00), the lockbox total and the record count (8)", () => {
      const text = lockbox();
      expect(() =>
        parseLockbox(text.replace("700100000222221605230010000700000", "700100000222221605230010000700001")),
      ).toThrow(
        "BAI lockbox line 6 (type 7 batch total): check dollar total 7,000.01 does not match the sum of batch 001's checks 7,000.00",
      );
      expect(() =>
        parseLockbox(text.replace("700100000222221605230010000700000", "700100000222221605230020000700000")),
      ).toThrow("number of remittances 2 does not match the 1 checks in batch 001");
      expect(() => parseLockbox(text.replace("9000008", "9000009"))).toThrow(
        "BAI lockbox line 8 (type 9 destination trailer): total number of records 9 does not match the 8 records in the file",
      );
    });

    it("reads the empty lockbox as a statement without lines", () => {
      const file = parseLockbox(readShared("lockbox/FundersClub_bai-lockbox_test_empty_lockbox.bai"));
      expect(file.statements.map((s) => [s.accountId, s.statementDate, s.lines.length])).toEqual([
        ["0022222", "2016-05-27", 0],
      ]);
    });
  },
);

describe("BAI lockbox: the project's own files", () => {
  it("reads invoice numbers and amounts from overflow records laid out as number/amount pairs", () => {
    const lines = linesOf(parseLockbox(readOwn("lockbox-invoices.bai"), { overflow: INVOICES }));
    expect(
      lines.map((l) => [l.lineNo, l.payerName, l.checkNumber, l.checkDate, l.amount.toString(), l.payerAccount]),
    ).toEqual([
      [4, "ACME CORP", "1042", "2026-02-26", "1250.00", "021000021/0001234567"],
      [6, "GLOBEX LTD", "5521", "2026-02-27", "980.50", "011000015/0007654321"],
    ]);
    // 1000.00 + 250.00 = 1250.00; 500.00 + 480.50 = 980.50 (the second check's invoices span two overflow records)
    expect(documents(lines[0])).toEqual([
      ["INV-1042", "1000.00"],
      ["INV-1043", "250.00"],
    ]);
    expect(documents(lines[1])).toEqual([
      ["INV-2001", "500.00"],
      ["INV-2002", "480.50"],
    ]);
  });

  it("refuses a wrong batch total, naming the record", () => {
    expect(() => parseLockbox(readOwn("lockbox-wrong-batch-total.bai"), { overflow: INVOICES })).toThrow(
      "BAI lockbox line 9 (type 7 batch total): check dollar total 2,230.05 does not match the sum of batch 001's checks 2,230.50",
    );
  });

  it("refuses truncated files and misplaced records", () => {
    const lines = readOwn("lockbox-invoices.bai").split("\r\n");
    const without = (...numbers: number[]) => lines.filter((_, i) => !numbers.includes(i + 1)).join("\n");
    expect(() => parseLockbox(without(11), { overflow: INVOICES })).toThrow(
      "BAI lockbox line 10: the file ends without a type 9 trailer: the file is truncated",
    );
    expect(() => parseLockbox(without(10, 11), { overflow: INVOICES })).toThrow(
      "BAI lockbox line 9: the file ends inside lockbox 0004455 (type 5 at line 3) without its type 8 lockbox total: the file is truncated",
    );
    // Without line 6 (GLOBEX's check), its overflow records follow ACME's check.
    expect(() => parseLockbox(without(6), { overflow: INVOICES })).toThrow(
      "BAI lockbox line 6 (type 4 overflow): overflow for batch 001 item 002 follows the check of batch 001 item 001 (line 4)",
    );
    expect(() => parseLockbox(lines.join("\n").replace("022626", "023026"), { overflow: INVOICES })).toThrow(
      'BAI lockbox line 4 (type 6 check detail): check date (columns 47–52) "023026" is not a real date written MMDDYY',
    );
  });
});
