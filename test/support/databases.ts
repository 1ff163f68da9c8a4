/**
 * The real databases an integration suite runs against, each fresh and
 * migrated, so one contract decides that every adapter behaves the same:
 *
 * - SQLite: always, a new file under the OS temp directory;
 * - PostgreSQL: at OPENAR_TEST_PG_URL (default the local server), in a new
 *   random schema dropped afterwards; skipped with a printed notice when the
 *   server cannot be reached;
 * - SQL Server: when OPENAR_TEST_MSSQL_URL is set, in a new database dropped
 *   afterwards (not exercised on machines without SQL Server); otherwise a
 *   notice says it was skipped.
 *
 * Every store runs on a fixed clock so dates and instants are deterministic.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { fixedClock, parseIsoDate, type Clock, type IsoDate } from "../../shared/dates.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { migrate } from "../../server/store/migrate.js";
import { openMssqlDatabase } from "../../server/store/mssql-database.js";
import { openPostgresDatabase } from "../../server/store/postgres-database.js";
import type { Database, Dialect } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";

/** "Today" for every integration store: late in the year, so earlier months can be closed. */
export const TEST_TODAY: IsoDate = parseIsoDate("2026-11-23");
export const TEST_NOW = "2026-11-23T09:00:00.000Z";
export const testClock: Clock = fixedClock(TEST_TODAY, TEST_NOW);

export const PG_URL = process.env.OPENAR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const MSSQL_URL = process.env.OPENAR_TEST_MSSQL_URL;

export interface TestDatabase {
  readonly kind: Dialect;
  readonly db: Database;
  /** Closes the connection and removes the file, schema or database. */
  close(): Promise<void>;
}

export interface TestStore extends TestDatabase {
  readonly store: SqlLedgerStore;
}

export interface DatabaseTarget {
  readonly kind: Dialect;
  /** For test titles: "sqlite", "postgres", "mssql". */
  readonly label: string;
  readonly available: boolean;
  /** A fresh, empty, unmigrated database. */
  open(): Promise<TestDatabase>;
}

/** Whether a PostgreSQL server answers at `url` within a few seconds. */
export async function postgresReachable(url: string = PG_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema (PostgreSQL) or database (SQL Server) name no other run uses. */
export function freshName(prefix = "openar_t"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export function sqliteTarget(): DatabaseTarget {
  return {
    kind: "sqlite",
    label: "sqlite",
    available: true,
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), "openar-it-"));
      const db = openSqliteDatabase(join(dir, "ledger.sqlite"));
      return Promise.resolve({
        kind: "sqlite" as const,
        db,
        close: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  };
}

export function postgresTarget(available: boolean, url: string = PG_URL): DatabaseTarget {
  return {
    kind: "postgres",
    label: "postgres",
    available,
    open: async () => {
      const schema = freshName();
      const db = await openPostgresDatabase({ url, schema });
      return {
        kind: "postgres" as const,
        db,
        close: async () => {
          try {
            await db.exec(`DROP SCHEMA ${schema} CASCADE`);
          } finally {
            await db.close();
          }
        },
      };
    },
  };
}

/**
 * The connection string with another database: `mssql://…/name` URLs get a
 * new path, ADO-style strings ("Server=…;Database=…") a new Database entry.
 */
export function mssqlUrlFor(url: string, database: string): string {
  if (/^mssql:\/\//i.test(url)) {
    const parsed = new URL(url);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  }
  const kept = url
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "" && !/^(database|initial catalog)\s*=/i.test(part));
  return [...kept, `Database=${database}`].join(";");
}

export function mssqlTarget(url: string): DatabaseTarget {
  return {
    kind: "mssql",
    label: "mssql",
    available: true,
    open: async () => {
      const name = freshName();
      const admin = await openMssqlDatabase(url);
      await admin.exec(`CREATE DATABASE [${name}]`);
      const db = await openMssqlDatabase(mssqlUrlFor(url, name));
      return {
        kind: "mssql" as const,
        db,
        close: async () => {
          try {
            await db.close();
            await admin.exec(
              `ALTER DATABASE [${name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${name}]`,
            );
          } finally {
            await admin.close();
          }
        },
      };
    },
  };
}

/**
 * Every database a contract runs against here, with a visible notice for
 * each one that is skipped (`suite` names the suite in that notice).
 */
export async function databaseTargets(suite: string): Promise<DatabaseTarget[]> {
  const pgUp = await postgresReachable();
  if (!pgUp) {
    console.warn(
      `\n*** ${suite}: PostgreSQL at ${PG_URL} is not reachable — its contract tests are SKIPPED (set OPENAR_TEST_PG_URL) ***\n`,
    );
  }
  const targets = [sqliteTarget(), postgresTarget(pgUp)];
  if (MSSQL_URL === undefined || MSSQL_URL === "") {
    console.warn(`\n*** ${suite}: SQL Server contract tests skipped: set OPENAR_TEST_MSSQL_URL ***\n`);
    targets.push({
      kind: "mssql",
      label: "mssql",
      available: false,
      open: () => Promise.reject(new Error("OPENAR_TEST_MSSQL_URL is not set")),
    });
  } else {
    targets.push(mssqlTarget(MSSQL_URL));
  }
  return targets;
}

/** A fresh database of the target's kind, migrated, with a ledger store on the fixed test clock. */
export async function openTestStore(target: DatabaseTarget, clock: Clock = testClock): Promise<TestStore> {
  const opened = await target.open();
  try {
    await migrate(opened.db, () => clock.now());
    const store = await SqlLedgerStore.open(opened.db, clock);
    return { ...opened, store };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
