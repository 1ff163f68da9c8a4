/**
 * The bank-file import service without a database: the body limit is
 * enforced while the bytes arrive, the format is detected from the first
 * bytes, the SHA-256 is of the exact bytes, and the store gets a parse it
 * can run twice.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BankFileError, collectBankFile, type BankImportEvent } from "../../shared/bank.js";
import { BankFileTooLargeError, importBankFile, parseLockboxOverflow } from "../../server/bank-import.js";
import type { BankImportInput, BankReconciliationStore } from "../../server/store/port.js";
import { readOwn } from "../fixtures/bank/fixture-paths.js";

/** A store that only records what it was asked to import, reading the parse twice as the real one does. */
function recordingStore() {
  const seen: { input: BankImportInput; passes: BankImportEvent[][] }[] = [];
  const store = {
    importBankStatements: async (input: BankImportInput) => {
      const passes: BankImportEvent[][] = [];
      for (let pass = 0; pass < 2; pass++) {
        const events: BankImportEvent[] = [];
        for await (const event of input.events()) events.push(event);
        passes.push(events);
      }
      seen.push({ input, passes });
      return { created: true, statements: [] };
    },
  } as unknown as BankReconciliationStore;
  return { store, seen };
}

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  await Promise.resolve();
}

describe("importing a bank file", () => {
  it("detects BAI2, hashes the exact bytes and hands the store a parse it can read twice", async () => {
    const text = readOwn("bai2-remittance.bai2");
    const { store, seen } = recordingStore();
    await importBankFile({ store, source: chunks(text, 37), options: { format: "auto" }, user: "clerk.kim", fileName: "f.bai2" });
    const [call] = seen;
    expect(call?.input).toMatchObject({ format: "bai2", fileName: "f.bai2", user: "clerk.kim" });
    expect(call?.input.sha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    expect(call?.passes[0]).toEqual(call?.passes[1]);
    // README: two accounts, four detail lines in the first.
    const file = collectBankFile("bai2", call?.passes[0] ?? []);
    expect(file.statements.map((s) => s.lines.length)).toEqual([4, 0]);
  });

  it("refuses a file over the limit as it arrives, before the store sees anything", async () => {
    const { store, seen } = recordingStore();
    await expect(
      importBankFile({ store, source: chunks("x".repeat(1000), 100), options: { format: "auto" }, user: "u", fileName: null, limitBytes: 999 }),
    ).rejects.toThrow(new BankFileTooLargeError(999));
    expect(seen).toEqual([]);
  });

  it("refuses an empty file and a CSV without a mapping, naming what is missing", async () => {
    const { store } = recordingStore();
    await expect(importBankFile({ store, source: [], options: { format: "auto" }, user: "u", fileName: null })).rejects.toThrow("the bank file is empty");
    await expect(
      importBankFile({ store, source: [readOwn("csv-us-signed.csv")], options: { format: "auto" }, user: "u", fileName: null }),
    ).rejects.toThrow(BankFileError);
  });

  it("reads lockbox overflow layouts as the query names them", () => {
    expect(parseLockboxOverflow("memo")).toEqual({ kind: "memo" });
    expect(parseLockboxOverflow("invoices:15:10")).toEqual({ kind: "invoices", numberWidth: 15, amountWidth: 10 });
    expect(() => parseLockboxOverflow("invoices:15")).toThrow('lockboxOverflow must be "memo" or "invoices:<number width>:<amount width>"');
  });
});
