/**
 * The ledgers the benchmark runs on: demo data (server/demo/generator.ts)
 * pushed through `store.push` as real change sets, so the rows — GL journals,
 * audit and change feed included — are exactly what production writes.
 *
 * - SQLite: seeded once per size into bench/tmp/seed-<size>-<fingerprint>.sqlite
 *   (gitignored) and reused; every run works on a copy, so the push
 *   measurement never changes the cached ledger. The fingerprint covers the
 *   generator's source, so changing the generator reseeds.
 * - PostgreSQL: a fresh schema per run, seeded the same way, dropped afterwards.
 */
import BetterSqlite3 from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { DEMO_SIZES, demoChangeSets, type DemoSize } from "../server/demo/generator.js";
import type { SqlLedgerStore } from "../server/store/ledger-store.js";
import { openStore } from "../server/store/open.js";
import { openPostgresDatabase } from "../server/store/postgres-database.js";
import type { Database } from "../server/store/sql.js";
import { openSqliteDatabase } from "../server/store/sqlite-database.js";
import { fixedClock, parseIsoDate, type Clock, type IsoDate } from "../shared/dates.js";

/** The ledger's "today": fixed, so a cached seed means the same thing on any day. */
export const BENCH_TODAY: IsoDate = parseIsoDate("2026-11-23");
export const benchClock: Clock = fixedClock(BENCH_TODAY, "2026-11-23T09:00:00.000Z");

export const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));
export const TMP_DIR = join(BENCH_DIR, "tmp");

export const PG_URL = process.env.OPENAR_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface SeedStats {
  readonly size: DemoSize;
  readonly openTarget: number;
  readonly changeSets: number;
  readonly operations: number;
  /** Wall time of seeding through store.push. */
  readonly seconds: number;
}

export interface BenchStore {
  readonly kind: "sqlite" | "postgres";
  readonly store: SqlLedgerStore;
  readonly db: Database;
  /** How the child server opens the same ledger. */
  readonly location: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string };
  readonly seed: SeedStats;
  /** Whether the seed came from the cache (its `seconds` are from the run that made it). */
  readonly cached: boolean;
  close(): Promise<void>;
}

function fingerprint(): string {
  const generator = readFileSync(fileURLToPath(new URL("../server/demo/generator.ts", import.meta.url)));
  return createHash("sha256").update(generator).digest("hex").slice(0, 10);
}

async function seed(store: SqlLedgerStore, size: DemoSize, log: (line: string) => void): Promise<SeedStats> {
  const started = performance.now();
  let changeSets = 0;
  let operations = 0;
  let lastReport = started;
  for (const changeSet of demoChangeSets({ size, today: BENCH_TODAY })) {
    const outcome = await store.push(changeSet, { user: "bench-seed", role: "admin", dryRun: false });
    if (outcome.status !== "committed") {
      throw new Error(`demo change set ${changeSet.id} was refused: ${JSON.stringify(outcome).slice(0, 1000)}`);
    }
    changeSets += 1;
    operations += changeSet.operations.length;
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      log(`    … ${operations.toLocaleString("en-US")} operations (${((lastReport - started) / 1000).toFixed(0)} s)`);
    }
  }
  return { size, openTarget: DEMO_SIZES[size], changeSets, operations, seconds: (performance.now() - started) / 1000 };
}

function removeSqlite(file: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
}

/** The cached seeded SQLite file for `size`, made (through store.push) if missing. */
async function cachedSqliteSeed(
  size: DemoSize,
  reseed: boolean,
  log: (line: string) => void,
): Promise<{ file: string; stats: SeedStats; cached: boolean }> {
  mkdirSync(TMP_DIR, { recursive: true });
  const file = join(TMP_DIR, `seed-${size}-${fingerprint()}.sqlite`);
  const statsFile = `${file}.json`;
  if (!reseed && existsSync(file) && existsSync(statsFile)) {
    return { file, stats: JSON.parse(readFileSync(statsFile, "utf8")) as SeedStats, cached: true };
  }
  const partial = `${file}.partial`;
  removeSqlite(partial);
  removeSqlite(file);
  log(`  seeding SQLite (${size}, ${DEMO_SIZES[size].toLocaleString("en-US")} open items) through store.push …`);
  const db = openSqliteDatabase(partial);
  const store = await openStore(db, benchClock, { autoMigrate: true });
  let stats: SeedStats;
  try {
    stats = await seed(store, size, log);
  } finally {
    await store.close();
  }
  // One self-contained file (the working copies copy only it): checkpoint whatever the WAL
  // still holds and leave WAL mode for the cache, which is only ever copied.
  const settle = new BetterSqlite3(partial);
  settle.pragma("wal_checkpoint(TRUNCATE)");
  settle.pragma("journal_mode = DELETE");
  settle.close();
  renameSync(partial, file);
  writeFileSync(statsFile, JSON.stringify(stats, null, 2));
  return { file, stats, cached: false };
}

/** A working copy of the cached SQLite seed (migrated to the current schema), removed on close. */
export async function openSqliteBench(
  size: DemoSize,
  options: { reseed: boolean; log: (line: string) => void },
): Promise<BenchStore> {
  const { file: seedFile, stats, cached } = await cachedSqliteSeed(size, options.reseed, options.log);
  const file = join(TMP_DIR, `work-${size}-${process.pid}.sqlite`);
  removeSqlite(file);
  copyFileSync(seedFile, file);
  const db = openSqliteDatabase(file);
  // Migrates the copy if the code has a newer schema than the seed (new indexes).
  const store = await openStore(db, benchClock, { autoMigrate: true });
  return {
    kind: "sqlite",
    store,
    db,
    location: { kind: "sqlite", file },
    seed: stats,
    cached,
    close: async () => {
      await store.close();
      removeSqlite(file);
    },
  };
}

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

/** A fresh schema, migrated and seeded through store.push; dropped on close. */
export async function openPostgresBench(size: DemoSize, options: { log: (line: string) => void }): Promise<BenchStore> {
  const schema = `openar_bench_${randomBytes(5).toString("hex")}`;
  const db = await openPostgresDatabase({ url: PG_URL, schema });
  const drop = async () => {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  };
  try {
    const store = await openStore(db, benchClock, { autoMigrate: true });
    options.log(`  seeding PostgreSQL schema ${schema} (${size}) through store.push …`);
    const stats = await seed(store, size, options.log);
    // Fresh statistics, as autovacuum would gather them on a live system before anyone ran a report.
    await db.exec("ANALYZE");
    return {
      kind: "postgres",
      store,
      db,
      location: { kind: "postgres", url: PG_URL, schema },
      seed: stats,
      cached: false,
      close: async () => {
        try {
          await drop();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await drop().catch(() => undefined);
    await db.close();
    throw error;
  }
}
