/**
 * `openar import FILE`: customers, invoices, credit memos and receipts from an
 * ERP export (JSON or CSV), as one change set. Every row is validated first
 * (a dry run through the same planner as any push); if any row fails nothing
 * is imported and each failure is reported with its row, unless the caller
 * asks to skip bad rows. The change-set id is derived from the file's
 * content, so importing the same file twice imports it once.
 *
 * CSV: a header row, and a `record` column saying customer, invoice,
 * creditMemo or receipt. Other columns by name: number, name, currency,
 * terms, creditLimit, collector (customers); customer (a customer number),
 * number, documentDate, dueDate, amount, currency, terms, memo (documents);
 * customer, date, amount, currency, method, reference (receipts).
 * JSON: { customers: [...], invoices: [...], creditMemos: [...], receipts: [...] }
 * with the same field names; a receipt may carry applications
 * [{ document: "<invoice number>", amount }].
 */
import { createHash } from "node:crypto";
import { parseChangeSet, type Operation, type OperationError } from "../shared/changeset.js";
import { DomainError } from "../shared/errors.js";
import { csvRows } from "./import/csv-tokenizer.js";
import type { LedgerStore } from "./store/port.js";

export const MAX_IMPORT_ROWS = 20_000;

export interface ImportRow {
  /** Where the row came from, e.g. "line 7" or "invoices[3]". */
  readonly where: string;
  readonly record: "customer" | "invoice" | "creditMemo" | "receipt";
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ImportReport {
  readonly imported: number;
  /** Rows left out (with --skip-bad-rows), each with every problem it had. */
  readonly skipped: readonly { where: string; message: string }[];
  readonly errors: readonly { where: string; field: string; message: string }[];
  readonly changeSetId: string | null;
  readonly replayed: boolean;
}

const RECORDS = new Set(["customer", "invoice", "creditMemo", "receipt"]);

function bad(where: string, message: string): never {
  throw new DomainError("invalid_argument", `${where}: ${message}`, { field: where });
}

export function readImportFile(name: string, text: string): ImportRow[] {
  const trimmed = text.trimStart();
  const rows = trimmed.startsWith("{") ? fromJson(text) : fromCsv(text);
  if (rows.length === 0) bad(name, "no rows to import");
  if (rows.length > MAX_IMPORT_ROWS) bad(name, `${rows.length} rows; at most ${MAX_IMPORT_ROWS} per import, split the file`);
  return rows;
}

function fromJson(text: string): ImportRow[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    bad("file", `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) bad("file", "expected an object with customers, invoices, creditMemos and receipts lists");
  const rows: ImportRow[] = [];
  const lists: [string, ImportRow["record"]][] = [["customers", "customer"], ["invoices", "invoice"], ["creditMemos", "creditMemo"], ["receipts", "receipt"]];
  const known = new Set(lists.map(([key]) => key));
  for (const key of Object.keys(body)) if (!known.has(key)) bad(key, `unknown list; expected ${[...known].join(", ")}`);
  for (const [key, record] of lists) {
    const list = (body as Record<string, unknown>)[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) bad(key, "must be a list");
    list.forEach((item: unknown, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) bad(`${key}[${i}]`, "must be an object");
      rows.push({ where: `${key}[${i}]`, record, fields: item as Record<string, unknown> });
    });
  }
  return rows;
}

function fromCsv(text: string): ImportRow[] {
  const delimiter = (text.split(/\r?\n/, 1)[0] ?? "").includes(";") && !(text.split(/\r?\n/, 1)[0] ?? "").includes(",") ? ";" : ",";
  const all = csvRows(text, delimiter, (line, problem) => bad(`line ${line}`, problem));
  const [header, ...body] = all;
  if (header === undefined) return [];
  const names = header.cells.map((c) => c.trim());
  if (!names.includes("record")) bad("line 1", 'the header needs a "record" column (customer, invoice, creditMemo or receipt)');
  return body.map(({ cells, line }) => {
    const fields: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = cells[i];
      if (value !== undefined && value !== "") fields[name] = value;
    });
    const record = fields.record ?? "";
    if (!RECORDS.has(record)) bad(`line ${line}`, `record "${record}" is not one of customer, invoice, creditMemo, receipt`);
    return { where: `line ${line}`, record: record as ImportRow["record"], fields };
  });
}

const text = (fields: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const value = fields[key];
  if (value === undefined || value === null || value === "") return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
};

/** Turns rows into operations; references between rows go by customer and document number. */
export async function importOperations(
  rows: readonly ImportRow[],
  store: LedgerStore,
): Promise<{ ops: Operation[]; where: string[]; problems: { where: string; field: string; message: string }[] }> {
  const problems: { where: string; field: string; message: string }[] = [];
  const customerIds = new Map<string, string>();
  const existingVersions = new Map<string, number>();
  const lookup = async (number: string) => (await store.customers({ search: number, limit: 50 })).find((c) => c.number === number);
  for (const row of rows) {
    const number = text(row.fields, "number");
    if (row.record !== "customer" || number === undefined) continue;
    // A customer already in the ledger is updated (based on its current version), not created again.
    const existing = await lookup(number);
    customerIds.set(number, existing?.id ?? text(row.fields, "id") ?? `erp-cust-${number}`);
    if (existing !== undefined) existingVersions.set(number, existing.version);
  }
  const referenced = new Set(rows.filter((r) => r.record !== "customer").map((r) => text(r.fields, "customer") ?? ""));
  for (const number of referenced) {
    if (number === "" || customerIds.has(number)) continue;
    const found = await lookup(number);
    if (found !== undefined) customerIds.set(number, found.id);
  }
  const customerId = (row: ImportRow) => {
    const number = text(row.fields, "customer");
    if (number === undefined) return "";
    const id = customerIds.get(number);
    if (id === undefined) problems.push({ where: row.where, field: "customer", message: `customer ${number} is neither in this file nor in the ledger` });
    return id ?? "unknown";
  };
  const invoiceIds = new Map<string, string>();
  for (const row of rows) {
    const number = text(row.fields, "number");
    if (row.record === "invoice" && number !== undefined) invoiceIds.set(number, text(row.fields, "id") ?? `erp-inv-${number}`);
  }

  const ops: Operation[] = [];
  const where: string[] = [];
  for (const row of rows) {
    const f = row.fields;
    const opt = (key: string) => {
      const value = text(f, key);
      return value === undefined ? {} : { [key]: value };
    };
    let op: Record<string, unknown>;
    switch (row.record) {
      case "customer": {
        const number = text(f, "number") ?? "";
        const baseVersion = existingVersions.get(number);
        op = {
          op: "customer.upsert",
          id: customerIds.get(number) ?? `erp-cust-${number}`,
          number,
          name: text(f, "name") ?? "",
          currency: text(f, "currency") ?? "",
          terms: text(f, "terms") ?? "NET 30",
          ...opt("creditLimit"),
          ...opt("collector"),
          ...(baseVersion === undefined ? {} : { baseVersion }),
        };
        break;
      }
      case "invoice":
      case "creditMemo": {
        const number = text(f, "number") ?? "";
        op = {
          op: row.record === "invoice" ? "invoice.create" : "creditMemo.create",
          id: row.record === "invoice" ? (invoiceIds.get(number) ?? `erp-inv-${number}`) : (text(f, "id") ?? `erp-cm-${number}`),
          customerId: customerId(row),
          number,
          documentDate: text(f, "documentDate") ?? "",
          amount: text(f, "amount") ?? "",
          ...opt("dueDate"),
          ...opt("currency"),
          ...opt("terms"),
          ...opt("memo"),
        };
        break;
      }
      case "receipt": {
        const reference = text(f, "reference") ?? "";
        const applications = Array.isArray(f.applications)
          ? (f.applications as Record<string, unknown>[]).map((a, i) => {
              const number = text(a, "document") ?? "";
              const documentId = invoiceIds.get(number);
              if (documentId === undefined) problems.push({ where: row.where, field: `applications[${i}].document`, message: `invoice ${number} is not in this file` });
              return { documentId: documentId ?? "unknown", amount: text(a, "amount") ?? "" };
            })
          : undefined;
        op = {
          op: "receipt.create",
          id: text(f, "id") ?? `erp-rcpt-${createHash("sha256").update(JSON.stringify(f)).digest("hex").slice(0, 20)}`,
          customerId: customerId(row),
          date: text(f, "date") ?? "",
          amount: text(f, "amount") ?? "",
          currency: text(f, "currency") ?? "",
          method: text(f, "method") ?? "check",
          reference,
          ...(applications === undefined ? {} : { applications }),
        };
        break;
      }
    }
    ops.push({ ...op, ref: row.where } as Operation);
    where.push(row.where);
  }
  return { ops, where, problems };
}

function describe(errors: readonly OperationError[], where: readonly string[]): { where: string; field: string; message: string }[] {
  return errors.map((e) => ({ where: e.index >= 0 ? (where[e.index] ?? `row ${e.index}`) : "file", field: e.field, message: e.message }));
}

/** Every problem of every row: references, shape, then the planner's checks on the rows whose shape is right. */
async function validate(
  ops: readonly Operation[],
  where: readonly string[],
  references: readonly { where: string; field: string; message: string }[],
  store: LedgerStore,
  user: string,
): Promise<{ where: string; field: string; message: string }[]> {
  const problems = [...references];
  const parsed = parseChangeSet({ id: "import-validation", operations: ops });
  const referenceRows = new Set(references.map((r) => r.where));
  const badShape = new Set<number>(where.flatMap((w, i) => (referenceRows.has(w) ? [i] : [])));
  if (!parsed.ok) {
    problems.push(...describe(parsed.errors, where));
    for (const e of parsed.errors) badShape.add(e.index);
  }
  const keep = ops.map((_op, i) => i).filter((i) => !badShape.has(i));
  if (keep.length === 0) return problems;
  const subset = parseChangeSet({ id: `import-check-${Date.now()}`, operations: keep.map((i) => ops[i]) });
  if (!subset.ok) return problems;
  const outcome = await store.push(subset.changeSet, { user, role: "admin", dryRun: true });
  if (outcome.status === "invalid") {
    problems.push(...outcome.errors.map((e) => ({ where: where[keep[e.index] ?? -1] ?? "file", field: e.field, message: e.message })));
  } else if (outcome.status === "conflict") {
    problems.push(...outcome.conflicts.map((c) => ({ where: where[keep[c.index] ?? -1] ?? "file", field: c.entity, message: `${c.entity} ${c.id} changed on the server (version ${c.currentVersion})` })));
  }
  return problems;
}

/** Validates every row, then imports all of them in one change set — or none. */
export async function importRows(options: {
  rows: readonly ImportRow[];
  store: LedgerStore;
  user: string;
  skipBadRows: boolean;
  fileText: string;
}): Promise<ImportReport> {
  const baseId = `import-${createHash("sha256").update(options.fileText).digest("hex").slice(0, 32)}`;
  const skipId = `${baseId}-skip`;
  for (const id of [baseId, skipId]) {
    const earlier = await options.store.committedChangeSet(id);
    if (earlier !== null) return { imported: 0, skipped: [], errors: [], changeSetId: id, replayed: true };
  }
  const built = await importOperations(options.rows, options.store);
  let { ops, where } = built;
  let references = built.problems;
  const skipped: { where: string; message: string }[] = [];
  for (let round = 0; round < 10; round++) {
    const problems = await validate(ops, where, references, options.store, options.user);
    if (problems.length === 0) {
      if (ops.length === 0) return { imported: 0, skipped, errors: [], changeSetId: null, replayed: false };
      const id = skipped.length === 0 ? baseId : skipId;
      const parsed = parseChangeSet({ id, operations: ops });
      if (!parsed.ok) throw new Error("rows validated one by one but not together");
      const done = await options.store.push(parsed.changeSet, { user: options.user, role: "admin", dryRun: false });
      if (done.status !== "committed") throw new Error(`import was refused after validating: ${done.status}`);
      return { imported: ops.length, skipped, errors: [], changeSetId: id, replayed: done.replayed };
    }
    if (!options.skipBadRows) return { imported: 0, skipped: [], errors: problems, changeSetId: null, replayed: false };
    const badRows = new Set(problems.map((p) => p.where));
    for (const row of badRows) {
      const messages = problems.filter((p) => p.where === row).map((p) => (p.message.startsWith(`${p.field}:`) ? p.message : `${p.field}: ${p.message}`));
      skipped.push({ where: row, message: messages.join("; ") });
    }
    const keep = where.map((w, i) => (badRows.has(w) ? -1 : i)).filter((i) => i >= 0);
    ops = keep.map((i) => ops[i] as Operation);
    where = keep.map((i) => where[i] as string);
    references = [];
  }
  throw new DomainError("validation_failed", "the import kept failing after skipping bad rows ten times; fix the file");
}
