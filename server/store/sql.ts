/**
 * One way to write SQL for three dialects: a tagged template that keeps the
 * text and typed parameters apart, compiled per dialect by the adapters.
 *
 *   sql`UPDATE documents SET open_minor = open_minor - ${minor(x)} WHERE id = ${id}`
 *
 * Parameter kinds decide how a value crosses the driver boundary:
 * - text: strings (ids, names, codes);
 * - date: YYYY-MM-DD text (CHAR(10) columns; SQL Server binds VARCHAR so the
 *   column is not converted and its index still seeks);
 * - int: small whole numbers (versions, flags, counts) — JS numbers, checked safe;
 * - minor: amounts in integer minor units (bigint). SQL Server receives them as
 *   VARCHAR text with an explicit CAST(... AS BIGINT) so no amount ever passes
 *   through a float (tedious binds JS numbers as FLOAT); PostgreSQL as text
 *   with ::bigint; SQLite as a BigInt.
 * - bigint: change-feed sequence numbers, bound like `minor`.
 *
 * Reading back, `normalizeRow` gives every column whose name ends in `_minor`
 * or `_seq` as a bigint and every other integer as a number, whatever the
 * driver returned (SQLite BigInt, pg int8/numeric strings, tedious strings).
 */
import { DomainError } from "../../shared/errors.js";

export type Dialect = "sqlite" | "postgres" | "mssql";

export type SqlParam =
  | { readonly kind: "text"; readonly value: string | null }
  | { readonly kind: "date"; readonly value: string | null }
  | { readonly kind: "int"; readonly value: number | null }
  | { readonly kind: "minor"; readonly value: bigint | null }
  | { readonly kind: "bigint"; readonly value: bigint | null };

type Part = { readonly text: string } | { readonly param: SqlParam };

export class Sql {
  readonly parts: readonly Part[];
  constructor(parts: readonly Part[]) {
    this.parts = parts;
  }
}

export type SqlInput = SqlParam | Sql | string | number | bigint | null;

function isParam(value: unknown): value is SqlParam {
  return typeof value === "object" && value !== null && "kind" in value && "value" in value;
}

function toParam(value: Exclude<SqlInput, Sql>): SqlParam {
  if (value === null) return { kind: "text", value: null };
  if (isParam(value)) return value;
  if (typeof value === "string") return { kind: "text", value };
  if (typeof value === "bigint") return { kind: "bigint", value };
  return int(value);
}

export function sql(strings: TemplateStringsArray, ...values: SqlInput[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text !== "") parts.push({ text });
    if (i < values.length) {
      const value = values[i] as SqlInput;
      if (value instanceof Sql) parts.push(...value.parts);
      else parts.push({ param: toParam(value) });
    }
  });
  return new Sql(parts);
}

/** Trusted SQL text (identifiers, keywords) — never user input. */
export function raw(text: string): Sql {
  return new Sql([{ text }]);
}

export function join(fragments: readonly Sql[], separator = ", "): Sql {
  const parts: Part[] = [];
  fragments.forEach((fragment, i) => {
    if (i > 0) parts.push({ text: separator });
    parts.push(...fragment.parts);
  });
  return new Sql(parts);
}

export const empty = new Sql([]);

export function text(value: string | null): SqlParam {
  return { kind: "text", value };
}

export function date(value: string | null): SqlParam {
  return { kind: "date", value };
}

export function int(value: number | null): SqlParam {
  if (value !== null && !Number.isSafeInteger(value)) {
    throw new DomainError("invalid_argument", `SQL int parameter ${value} is not a safe integer`);
  }
  return { kind: "int", value };
}

export function minor(value: bigint | null): SqlParam {
  return { kind: "minor", value };
}

export function seq(value: bigint | null): SqlParam {
  return { kind: "bigint", value };
}

export function bool(value: boolean): SqlParam {
  return int(value ? 1 : 0);
}

export interface CompiledSql {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

/** Compiles to the dialect's placeholder syntax; the adapter binds `params` in order. */
export function compile(query: Sql, dialect: Dialect): CompiledSql {
  let out = "";
  const params: SqlParam[] = [];
  for (const part of query.parts) {
    if ("text" in part) {
      out += part.text;
      continue;
    }
    const index = params.length;
    params.push(part.param);
    const wide = part.param.kind === "minor" || part.param.kind === "bigint";
    if (dialect === "sqlite") out += "?";
    else if (dialect === "postgres") out += wide ? `$${index + 1}::bigint` : `$${index + 1}`;
    else out += wide ? `CAST(@p${index} AS BIGINT)` : `@p${index}`;
  }
  return { text: out, params };
}

export type Row = Record<string, unknown>;

/**
 * Brings a driver's row to one shape, in place: `_minor`/`_seq` columns as
 * bigint, `_count` columns and other integers as numbers, undefined as null.
 * Every row of every read goes through here (100,000 open items are 1.6
 * million columns), so it checks name suffixes with endsWith rather than a
 * regex per column and reuses the driver's fresh row object instead of
 * copying it.
 */
export function normalizeRow(row: Row): Row {
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (value === null) continue;
    if (value === undefined) {
      row[key] = null;
    } else if (key.endsWith("_minor") || key.endsWith("_seq")) {
      if (typeof value !== "bigint") row[key] = toBigInt(value, key);
    } else if (typeof value === "bigint" || key.endsWith("_count")) {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`column ${key} holds a whole number beyond the safe integer range`);
      row[key] = n;
    }
  }
  return row;
}

const WHOLE_NUMBER = /^-?\d+$/;

function toBigInt(value: unknown, key: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && WHOLE_NUMBER.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new Error(`column ${key} must hold a whole number of minor units, got ${typeof value} ${String(value)}`);
}

/** Runs statements. Repository functions take one of these as their first argument. */
export interface SqlExecutor {
  readonly dialect: Dialect;
  all(query: Sql): Promise<Row[]>;
  run(query: Sql): Promise<{ rowsAffected: number }>;
}

export interface TransactionOptions {
  /** Retries of the whole transaction after a deadlock or serialization failure. */
  readonly retries?: number;
}

/** A connection (pool) to one database. */
export interface Database extends SqlExecutor {
  readonly kind: Dialect;
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs `work` against a consistent read snapshot (a read-only transaction where the dialect has one). */
  readSnapshot<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs raw DDL script text (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** A failure the transaction runner retries whole (deadlock, serialization failure, busy). */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryableError";
  }
}

/** Shared retry loop for adapters: bounded attempts with a short jittered backoff. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  retries: number,
): Promise<T> {
  for (let tryNo = 0; ; tryNo++) {
    try {
      return await attempt();
    } catch (error) {
      if (tryNo >= retries || !isRetryable(error)) throw error;
      const wait = 5 * 2 ** tryNo + Math.floor(Math.random() * 10);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
