/**
 * SQL Server (mssql/tedious) as a `Database` — the production target.
 *
 * The float traps are avoided at the boundary: amounts are BIGINT minor
 * units, bound as VARCHAR text and CAST to BIGINT in the statement text
 * (compile() writes `CAST(@pN AS BIGINT)`), and read back as BIGINT, which
 * tedious returns as a string. No statement binds sql.Decimal, sql.Money or a
 * JS number for an amount. `mssqlInputs` is the single place parameter types
 * are chosen; the golden tests pin it.
 */
import mssql from "mssql";
import {
  compile,
  normalizeRow,
  withRetries,
  type Database,
  type Row,
  type Sql,
  type SqlExecutor,
  type SqlParam,
  type TransactionOptions,
} from "./sql.js";

export interface MssqlInput {
  readonly name: string;
  readonly type: "NVarChar(4000)" | "NVarChar(MAX)" | "VarChar(10)" | "VarChar(20)" | "Int";
  readonly value: string | number | null;
}

/** The parameter types the adapter binds, one per compiled placeholder. */
export function mssqlInputs(params: readonly SqlParam[]): MssqlInput[] {
  return params.map((p, index): MssqlInput => {
    const name = `p${index}`;
    switch (p.kind) {
      case "text":
        // Past 4,000 UTF-16 units (change-set payloads, note bodies) NVarChar(4000) would be
        // sent with a length beyond its declared type, which SQL Server rejects; MAX takes it.
        return { name, type: p.value !== null && p.value.length > 4000 ? "NVarChar(MAX)" : "NVarChar(4000)", value: p.value };
      case "date":
        return { name, type: "VarChar(10)", value: p.value };
      case "int":
        return { name, type: "Int", value: p.value };
      case "minor":
      case "bigint":
        return { name, type: "VarChar(20)", value: p.value === null ? null : p.value.toString() };
    }
  });
}

function driverType(type: MssqlInput["type"]): mssql.ISqlType | (() => mssql.ISqlType) {
  switch (type) {
    case "NVarChar(4000)":
      return mssql.NVarChar(4000);
    case "NVarChar(MAX)":
      return mssql.NVarChar(mssql.MAX);
    case "VarChar(10)":
      return mssql.VarChar(10);
    case "VarChar(20)":
      return mssql.VarChar(20);
    case "Int":
      return mssql.Int;
  }
}

function request(target: mssql.ConnectionPool | mssql.Transaction, query: Sql): { req: mssql.Request; text: string } {
  const { text, params } = compile(query, "mssql");
  const req = new mssql.Request(target as mssql.ConnectionPool);
  for (const input of mssqlInputs(params)) req.input(input.name, driverType(input.type), input.value);
  return { req, text };
}

function executor(target: mssql.ConnectionPool | mssql.Transaction): SqlExecutor {
  return {
    dialect: "mssql",
    all: async (query) => {
      const { req, text } = request(target, query);
      const result = await req.query<Row>(text);
      return result.recordset.map(normalizeRow);
    },
    run: async (query) => {
      const { req, text } = request(target, query);
      const result = await req.query(text);
      return { rowsAffected: result.rowsAffected.reduce((a, b) => a + b, 0) };
    },
  };
}

function isRetryable(error: unknown): boolean {
  const number = (error as { number?: unknown; originalError?: { info?: { number?: unknown } } } | null)?.number;
  return number === 1205 || number === 3960;
}

export async function openMssqlDatabase(url: string): Promise<Database> {
  const pool = new mssql.ConnectionPool(url);
  await pool.connect();
  const inTransaction = async <T>(
    level: mssql.IIsolationLevel,
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> => {
    const tx = new mssql.Transaction(pool);
    await tx.begin(level);
    try {
      const result = await work(executor(tx));
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  };
  return {
    kind: "mssql",
    ...executor(pool),
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>, opts: TransactionOptions = {}) =>
      withRetries(() => inTransaction(mssql.ISOLATION_LEVEL.READ_COMMITTED, work), isRetryable, opts.retries ?? 5),
    readSnapshot: <T>(work: (tx: SqlExecutor) => Promise<T>) =>
      inTransaction(mssql.ISOLATION_LEVEL.REPEATABLE_READ, work),
    exec: async (script) => {
      await pool.request().batch(script);
    },
    close: () => pool.close(),
  };
}
