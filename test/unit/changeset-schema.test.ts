import { describe, expect, it } from "vitest";
import { OPERATION_NAMES, parseChangeSet, type OperationError } from "../../shared/changeset.js";

/** The smallest valid body of every operation: every key here is required. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  "customer.upsert": {
    op: "customer.upsert",
    id: "C-1",
    number: "1001",
    name: "Acme",
    currency: "USD",
    terms: "NET 30",
  },
  "invoice.create": {
    op: "invoice.create",
    id: "inv-1",
    customerId: "C-1",
    number: "INV-1",
    documentDate: "2026-03-01",
    amount: "100.00",
  },
  "debitMemo.create": {
    op: "debitMemo.create",
    id: "dm-1",
    customerId: "C-1",
    number: "DM-1",
    documentDate: "2026-03-01",
    amount: "5.00",
  },
  "creditMemo.create": {
    op: "creditMemo.create",
    id: "cm-1",
    customerId: "C-1",
    number: "CM-1",
    documentDate: "2026-03-01",
    amount: "5.00",
  },
  "receipt.create": {
    op: "receipt.create",
    id: "r-1",
    customerId: "C-1",
    date: "2026-03-01",
    amount: "100.00",
    currency: "USD",
    method: "check",
    reference: "",
  },
  "receipt.apply": {
    op: "receipt.apply",
    receiptId: "r-1",
    date: "2026-03-01",
    applications: [{ documentId: "inv-1", amount: "100.00" }],
  },
  "creditMemo.apply": {
    op: "creditMemo.apply",
    creditMemoId: "cm-1",
    date: "2026-03-01",
    applications: [{ documentId: "inv-1", amount: "5.00" }],
  },
  "application.reverse": {
    op: "application.reverse",
    id: "rev-1",
    applicationId: "a-1",
    date: "2026-03-02",
    reason: "wrong invoice",
  },
  "receipt.reverse": { op: "receipt.reverse", id: "nsf-1", receiptId: "r-1", date: "2026-03-02", reason: "NSF" },
  "writeOff.create": {
    op: "writeOff.create",
    id: "wo-1",
    documentId: "inv-1",
    date: "2026-03-02",
    amount: "1.00",
    reason: "small balance",
  },
  "note.create": { op: "note.create", id: "n-1", customerId: "C-1", kind: "call", body: "Left a voicemail" },
  "promise.create": {
    op: "promise.create",
    id: "p-1",
    customerId: "C-1",
    amount: "50.00",
    currency: "USD",
    promisedDate: "2026-03-20",
  },
  "dispute.open": {
    op: "dispute.open",
    id: "d-1",
    documentId: "inv-1",
    reasonCode: "pricing",
    amount: "10.00",
    note: "",
  },
  "dispute.resolve": { op: "dispute.resolve", disputeId: "d-1", resolution: "credited", note: "" },
  "period.close": { op: "period.close", period: "2026-02" },
};

const ID = "cs-12345678";

function errorsOf(body: unknown): OperationError[] {
  const result = parseChangeSet(body);
  if (result.ok) throw new Error(`expected the body to be refused: ${JSON.stringify(body)}`);
  return result.errors;
}

/** Errors of one operation sent alone in a change set. */
const errorsOfOperation = (operation: Record<string, unknown>): OperationError[] =>
  errorsOf({ id: ID, operations: [operation] });

const withField = (op: string, field: string, value: unknown): Record<string, unknown> => ({
  ...MINIMAL[op],
  [field]: value,
});

describe("parseChangeSet: valid minimal operations", () => {
  it("the table names every operation the protocol knows", () => {
    expect(Object.keys(MINIMAL).sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it.each(Object.entries(MINIMAL))("%s parses in its minimal form", (_name, operation) => {
    const result = parseChangeSet({ id: ID, operations: [operation] });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.changeSet.operations[0]?.op).toBe(operation.op);
  });

  it("parses a change set of all operations at once, keeping their order and refs", () => {
    const operations = Object.values(MINIMAL).map((o, i): Record<string, unknown> => ({ ...o, ref: `row-${i}` }));
    const result = parseChangeSet({ id: ID, operations });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changeSet.operations.map((o) => [o.op, o.ref])).toEqual(operations.map((o) => [o.op, o.ref]));
  });

  it("accepts every optional field of an allocation and of a document", () => {
    const receipt = {
      ...MINIMAL["receipt.create"],
      applications: [
        {
          id: "a-9",
          documentId: "inv-1",
          documentVersion: 3,
          amount: "97.50",
          discount: "2.00",
          writeOff: "0.50",
          writeOffReason: "short pay",
        },
      ],
    };
    const invoice = {
      ...MINIMAL["invoice.create"],
      dueDate: "2026-03-31",
      terms: "2/10 NET 30",
      currency: "EUR",
      memo: "March services",
    };
    expect(parseChangeSet({ id: ID, operations: [receipt, invoice] }).ok).toBe(true);
  });

  it("accepts a change-set id of exactly 8 characters and a UUID", () => {
    expect(parseChangeSet({ id: "abcd1234", operations: [MINIMAL["period.close"]] }).ok).toBe(true);
    expect(
      parseChangeSet({ id: "2f1c7a4e-9b3d-4c61-8e2a-5d7f0b9c1e34", operations: [MINIMAL["period.close"]] }).ok,
    ).toBe(true);
  });
});

describe("parseChangeSet: refusals name index, ref, field and code", () => {
  it("an unknown operation is unknown_operation, naming the operation", () => {
    const errors = errorsOf({
      id: ID,
      operations: [MINIMAL["period.close"], { op: "invoice.delete", ref: "row-2", id: "inv-1" }],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      index: 1,
      ref: "row-2",
      op: "invoice.delete",
      field: "op",
      code: "unknown_operation",
    });
    expect(errors[0]?.message).toContain('"invoice.delete"');
    // The message lists what is known, so the client can see its typo.
    expect(errors[0]?.message).toContain("invoice.create");
  });

  it("an operation without op says the name is missing instead of calling it null", () => {
    const [error] = errorsOfOperation({ ref: "row-1", id: "x" });
    expect(error).toMatchObject({ index: 0, ref: "row-1", op: null, field: "op", code: "unknown_operation" });
    expect(error?.message).toMatch(/^operation has no "op"/);
    expect(error?.message).not.toContain("null");
  });

  it("an unknown field is unknown_field with the key as the field", () => {
    const errors = errorsOfOperation({ ...MINIMAL["invoice.create"], ref: "r-5", amout: "100.00" });
    expect(errors).toEqual([
      expect.objectContaining({ index: 0, ref: "r-5", op: "invoice.create", field: "amout", code: "unknown_field" }),
    ]);
  });

  it("an unknown field inside an allocation names its path", () => {
    const op = {
      ...MINIMAL["receipt.apply"],
      applications: [{ documentId: "inv-1", amount: "1.00", discountt: "1.00" }],
    };
    expect(errorsOfOperation(op)).toEqual([
      expect.objectContaining({ index: 0, field: "applications.0.discountt", code: "unknown_field" }),
    ]);
  });

  it("an unknown top-level key is unknown_field with index -1", () => {
    expect(errorsOf({ id: ID, operations: [MINIMAL["period.close"]], dryRun: true })).toEqual([
      expect.objectContaining({ index: -1, ref: null, op: null, field: "dryRun", code: "unknown_field" }),
    ]);
  });

  // [why, operation, field, value]
  const badAmounts: [string, string, string, unknown][] = [
    ["exponent", "invoice.create", "amount", "1e3"],
    ["comma as decimal separator", "invoice.create", "amount", "12,00"],
    ["thousands separator", "receipt.create", "amount", "1,200.00"],
    ["empty text", "invoice.create", "amount", ""],
    ["a space", "invoice.create", "amount", " 12.00"],
    ["leading plus", "invoice.create", "amount", "+12.00"],
    ["negative where positive is required", "invoice.create", "amount", "-5"],
    ["zero where positive is required", "receipt.create", "amount", "0.00"],
    ["negative write-off", "writeOff.create", "amount", "-1.00"],
    ["a JSON number instead of a decimal string", "receipt.create", "amount", 100.5],
    ["more than 6 decimals", "promise.create", "amount", "1.0000001"],
    ["16 integer digits", "invoice.create", "amount", "1234567890123456"],
    ["NaN", "dispute.open", "amount", "NaN"],
    ["negative credit limit", "customer.upsert", "creditLimit", "-100.00"],
  ];
  it.each(badAmounts)("refuses an amount with %s", (_why, op, field, value) => {
    expect(errorsOfOperation(withField(op, field, value))).toEqual([
      expect.objectContaining({ index: 0, op, field, code: "invalid_field" }),
    ]);
  });

  it("refuses a negative allocation amount and discount, naming each path", () => {
    const op = {
      ...MINIMAL["receipt.apply"],
      applications: [{ documentId: "inv-1", amount: "-1.00", discount: "-0.01" }],
    };
    const errors = errorsOfOperation(op);
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ["applications.0.amount", "invalid_field"],
      ["applications.0.discount", "invalid_field"],
    ]);
    expect(errors[0]?.message).toBe("must not be negative");
  });

  const badDates: [string, string, string][] = [
    ["2026-02-30", "invoice.create", "documentDate"],
    ["2025-02-29", "receipt.create", "date"],
    ["2026-13-01", "writeOff.create", "date"],
    ["2026-3-1", "promise.create", "promisedDate"],
    ["03/01/2026", "application.reverse", "date"],
    ["", "receipt.reverse", "date"],
  ];
  it.each(badDates)("refuses the date %j in %s.%s", (value, op, field) => {
    const [error, ...rest] = errorsOfOperation(withField(op, field, value));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ index: 0, op, field, code: "invalid_field" });
    expect(error?.message).toBe("must be a real calendar date written YYYY-MM-DD");
  });

  it("accepts 2024-02-29, a leap day", () => {
    expect(parseChangeSet({ id: ID, operations: [withField("invoice.create", "documentDate", "2024-02-29")] }).ok).toBe(
      true,
    );
  });

  it.each(["usd", "US", "USDD", "U5D", ""])("refuses the currency %j", (value) => {
    expect(errorsOfOperation(withField("receipt.create", "currency", value))).toEqual([
      expect.objectContaining({ field: "currency", code: "invalid_field" }),
    ]);
  });

  it.each(["2026-13", "2026-1", "2026-02-01", "202602"])("refuses the period %j", (value) => {
    expect(errorsOfOperation(withField("period.close", "period", value))).toEqual([
      expect.objectContaining({ field: "period", code: "invalid_field" }),
    ]);
  });

  it.each(["wire transfer", "CHECK", ""])("refuses the receipt method %j", (value) => {
    expect(errorsOfOperation(withField("receipt.create", "method", value))).toEqual([
      expect.objectContaining({ field: "method", code: "invalid_field" }),
    ]);
  });

  it.each([0, -1, 1.5, "2"])("refuses the version %j", (value) => {
    expect(errorsOfOperation(withField("writeOff.create", "documentVersion", value))).toEqual([
      expect.objectContaining({ field: "documentVersion", code: "invalid_field" }),
    ]);
  });

  it.each(["", "-starts-with-dash", "has space", "x".repeat(65)])("refuses the row id %j", (value) => {
    expect(errorsOfOperation(withField("invoice.create", "id", value))).toEqual([
      expect.objectContaining({ field: "id", code: "invalid_field" }),
    ]);
  });

  // Every key of a minimal form is required: drop each in turn and the error names exactly it.
  const requiredFields = Object.entries(MINIMAL).flatMap(([name, operation]) =>
    Object.keys(operation)
      .filter((key) => key !== "op")
      .map((key): [string, string] => [name, key]),
  );
  it.each(requiredFields)("%s without %s is refused naming that field", (name, key) => {
    const operation = Object.fromEntries(Object.entries({ ...MINIMAL[name], ref: "row-1" }).filter(([k]) => k !== key));
    expect(errorsOfOperation(operation)).toEqual([
      expect.objectContaining({ index: 0, ref: "row-1", op: name, field: key, code: "invalid_field" }),
    ]);
  });

  it("refuses an empty required text field (a write-off reason of no characters)", () => {
    const [error] = errorsOfOperation(withField("writeOff.create", "reason", ""));
    expect(error).toMatchObject({ field: "reason", code: "invalid_field", message: "must not be empty" });
  });

  it("refuses receipt.apply and creditMemo.apply without any allocation", () => {
    expect(errorsOfOperation(withField("receipt.apply", "applications", []))).toEqual([
      expect.objectContaining({ field: "applications", code: "invalid_field" }),
    ]);
    expect(errorsOfOperation(withField("creditMemo.apply", "applications", []))).toEqual([
      expect.objectContaining({ field: "applications", code: "invalid_field" }),
    ]);
  });

  it("refuses an empty operations list", () => {
    expect(errorsOf({ id: ID, operations: [] })).toEqual([
      {
        index: -1,
        ref: null,
        op: null,
        field: "operations",
        code: "invalid_field",
        message: "a change set needs at least one operation",
      },
    ]);
  });

  it.each(["", "1234567", "-bad-start-uuid", "x".repeat(65)])("refuses the change-set id %j", (id) => {
    expect(errorsOf({ id, operations: [MINIMAL["period.close"]] })).toEqual([
      expect.objectContaining({ index: -1, field: "id", code: "invalid_field" }),
    ]);
  });

  it("refuses a body that is not a change set at all", () => {
    for (const body of [null, "text", 42, [], {}]) {
      const errors = errorsOf(body);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error.index).toBe(-1);
    }
  });

  it("reports every bad operation and every bad field, each with its own index and ref", () => {
    const errors = errorsOf({
      id: ID,
      operations: [
        { ...MINIMAL["invoice.create"], ref: "row-1", amount: "1e3", documentDate: "2026-02-30" },
        MINIMAL["period.close"],
        { ...MINIMAL["receipt.create"], ref: "row-3", currency: "usd" },
        { ...MINIMAL["receipt.apply"], applications: [{ documentId: "inv-1", amount: "12,00" }] },
      ],
    });
    expect(errors.map((e) => [e.index, e.ref, e.op, e.field])).toEqual([
      [0, "row-1", "invoice.create", "documentDate"],
      [0, "row-1", "invoice.create", "amount"],
      [2, "row-3", "receipt.create", "currency"],
      [3, null, "receipt.apply", "applications.0.amount"],
    ]);
  });
});
