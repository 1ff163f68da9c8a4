/**
 * PostgreSQL (node-postgres) as a `Database`.
 *
 * int8 and numeric arrive from pg as text, which `normalizeRow` turns into
 * BigInt for amount columns; amounts are bound as text with ::bigint. Write
 * transactions run at READ COMMITTED with explicit row locks (SELECT … FOR
 * UPDATE) taken by the change-set service; deadlocks (40P01) and
 * serialization failures (40001) are retried whole.
 */
import pg from "pg";
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

function bind(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => {
    if (p.value === null) return null;
    if (p.kind === "minor" || p.kind === "bigint") return p.value.toString();
    return p.value;
  });
}

type Queryable = Pick<pg.PoolClient, "query">;

function executor(client: Queryable): SqlExecutor {
  return {
    dialect: "postgres",
    all: async (query: Sql) => {
      const { text, params } = compile(query, "postgres");
      const result = await client.query<Row>({ text, values: bind(params) });
      return result.rows.map(normalizeRow);
    },
    run: async (query: Sql) => {
      const { text, params } = compile(query, "postgres");
      const result = await client.query({ text, values: bind(params) });
      return { rowsAffected: result.rowCount ?? 0 };
    },
  };
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}

export interface PostgresOptions {
  readonly url: string;
  /** A schema to work in (created if absent); tests give each suite its own. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema name "${schema}" must be lower-case letters, digits and _`);
  }
  // JIT compilation costs more than it saves on these short OLTP and report
  // queries (measured: ~450 ms of a 600 ms as-of aging over 200k documents).
  // The schema (when given) is set per connection at startup, so no query can
  // run before it is in place. Read snapshots raise work_mem for their own
  // transaction: aging hash-aggregates one group per customer, currency and
  // disputed flag (13,000 at a million items); within the default 4 MB that
  // spilled to disk or became a sort (1.1–1.3 s instead of 0.6 s, bench/).
  const settings = ["-c jit=off", ...(schema === undefined ? [] : [`-c search_path=${schema}`])].join(" ");
  if (schema !== undefined) {
    const setup = new pg.Client({ connectionString: options.url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, options: settings });
  pool.on("error", () => undefined); // idle-client errors surface on the next query instead

  const inTransaction = async <T>(
    begin: string,
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(begin);
      try {
        const result = await work(executor(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  };

  return {
    kind: "postgres",
    ...executor(pool),
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>, opts: TransactionOptions = {}) =>
      withRetries(() => inTransaction("BEGIN ISOLATION LEVEL READ COMMITTED", work), isRetryable, opts.retries ?? 5),
    // Reports read in snapshots; their aggregates get more memory than the pool's statements.
    readSnapshot: <T>(work: (tx: SqlExecutor) => Promise<T>) =>
      inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL work_mem = '64MB'", work),
    exec: async (script) => {
      await pool.query(script);
    },
    close: () => pool.end(),
  };
}
