/**
 * A `Database` that forwards everything to another and adds up the time
 * spent inside statements run in transactions: the push measurement opens a
 * second ledger store over it to split a push into SQL and everything else
 * (schema check, loading, validation, planning, building statements).
 */
import type { Database, SqlExecutor } from "../server/store/sql.js";

export interface TimingDatabase extends Database {
  /** Milliseconds spent awaiting statements in transactions since the last reset. */
  sqlMs(): number;
  /** Milliseconds of transactions outside their work: BEGIN, COMMIT (on SQLite with its fsync and WAL checkpoint), waiting for the lock. */
  commitMs(): number;
  statements(): number;
  reset(): void;
}

export function timingDatabase(inner: Database): TimingDatabase {
  let ms = 0;
  let count = 0;
  let commit = 0;
  const timedExecutor = (tx: SqlExecutor): SqlExecutor => ({
    dialect: tx.dialect,
    all: async (query) => {
      const started = performance.now();
      try {
        return await tx.all(query);
      } finally {
        ms += performance.now() - started;
        count += 1;
      }
    },
    run: async (query) => {
      const started = performance.now();
      try {
        return await tx.run(query);
      } finally {
        ms += performance.now() - started;
        count += 1;
      }
    },
  });
  return {
    kind: inner.kind,
    dialect: inner.dialect,
    all: (query) => inner.all(query),
    run: (query) => inner.run(query),
    transaction: async (work, options) => {
      const started = performance.now();
      let inWork = 0;
      try {
        return await inner.transaction(async (tx) => {
          const workStarted = performance.now();
          try {
            return await work(timedExecutor(tx));
          } finally {
            inWork += performance.now() - workStarted;
          }
        }, options);
      } finally {
        commit += performance.now() - started - inWork;
      }
    },
    readSnapshot: (work) => inner.readSnapshot(work),
    exec: (script) => inner.exec(script),
    close: () => inner.close(),
    sqlMs: () => ms,
    commitMs: () => commit,
    statements: () => count,
    reset: () => {
      ms = 0;
      count = 0;
      commit = 0;
    },
  };
}
