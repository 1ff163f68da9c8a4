/**
 * Embedded SQLite (better-sqlite3) as a `Database`.
 *
 * - WAL journal, synchronous=FULL (a commit is on disk before we answer),
 *   foreign keys on, integers read as BigInt (safeIntegers) so no amount
 *   ever becomes a float.
 * - better-sqlite3 is synchronous and one connection has one transaction, so
 *   write transactions are serialized by an async mutex on the writer
 *   connection (`BEGIN IMMEDIATE`). Reads outside a transaction use a pool of
 *   read-only connections, which in WAL mode see the last committed state
 *   and never block the writer.
 */
import BetterSqlite3 from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
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

type Connection = BetterSqlite3.Database;

function bind(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (p.value === null ? null : p.value));
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release: () => void = () => undefined;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

function executor(connection: Connection): SqlExecutor {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (query: Sql) => {
    const { text, params } = compile(query, "sqlite");
    let statement = cache.get(text);
    if (statement === undefined) {
      statement = connection.prepare(text);
      cache.set(text, statement);
    }
    return { statement, values: bind(params) };
  };
  return {
    dialect: "sqlite",
    all: (query) => {
      const { statement, values } = prepare(query);
      return Promise.resolve((statement.all(...values) as Row[]).map(normalizeRow));
    },
    run: (query) => {
      const { statement, values } = prepare(query);
      if (statement.reader) {
        statement.all(...values);
        return Promise.resolve({ rowsAffected: 0 });
      }
      return Promise.resolve({ rowsAffected: statement.run(...values).changes });
    },
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

export function openSqliteDatabase(file: string): Database {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const writer = new BetterSqlite3(file);
  writer.defaultSafeIntegers(true);
  writer.pragma("journal_mode = WAL");
  writer.pragma("synchronous = FULL");
  writer.pragma("foreign_keys = ON");
  writer.pragma("busy_timeout = 5000");
  writer.pragma("cache_size = -65536");
  const writerExec = executor(writer);
  const mutex = new Mutex();
  const readers: { connection: Connection; exec: SqlExecutor }[] = [];
  const allReaders: Connection[] = [];

  const openReader = () => {
    if (file === ":memory:") return { connection: writer, exec: writerExec };
    const connection = new BetterSqlite3(file, { readonly: true });
    connection.defaultSafeIntegers(true);
    connection.pragma("busy_timeout = 5000");
    allReaders.push(connection);
    return { connection, exec: executor(connection) };
  };
  const withReader = async <T>(work: (reader: { connection: Connection; exec: SqlExecutor }) => Promise<T>) => {
    const reader = readers.pop() ?? openReader();
    try {
      return await work(reader);
    } finally {
      if (reader.connection !== writer) readers.push(reader);
    }
  };

  return {
    kind: "sqlite",
    dialect: "sqlite",
    all: (query) => withReader((r) => r.exec.all(query)),
    // Statements outside an explicit transaction still take the writer lock.
    run: async (query) => {
      const release = await mutex.lock();
      try {
        return await writerExec.run(query);
      } finally {
        release();
      }
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      return withRetries(
        async () => {
          const release = await mutex.lock();
          try {
            writer.exec("BEGIN IMMEDIATE");
            try {
              const result = await work(writerExec);
              writer.exec("COMMIT");
              return result;
            } catch (error) {
              if (writer.inTransaction) writer.exec("ROLLBACK");
              throw error;
            }
          } finally {
            release();
          }
        },
        isBusy,
        options.retries ?? 3,
      );
    },
    readSnapshot: <T>(work: (tx: SqlExecutor) => Promise<T>) =>
      withReader(async ({ connection, exec }) => {
        if (connection === writer) return work(exec);
        connection.exec("BEGIN");
        try {
          return await work(exec);
        } finally {
          connection.exec("COMMIT");
        }
      }),
    exec: async (script) => {
      const release = await mutex.lock();
      try {
        writer.exec(script);
      } finally {
        release();
      }
    },
    close: async () => {
      const release = await mutex.lock();
      try {
        for (const r of allReaders) r.close();
        writer.close();
      } finally {
        release();
      }
    },
  };
}
