/**
 * Versioned migrations per dialect: `migrations/<dialect>/NNN_name.sql`.
 *
 * Each migration is recorded in schema_migrations. A migration is first
 * marked `applying` in its own commit, then its DDL runs and it is marked
 * `applied` in one transaction. Where DDL is transactional (all three
 * dialects for what we use) a failure rolls back and the mark is removed;
 * if the process dies in between, the `applying` mark stays, and the store
 * refuses to open the database until someone looks (`openar migrate` says
 * what happened). A database that has a migration this code does not know,
 * or whose recorded checksum differs, is refused too.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { int, raw, sql, text, type Database, type Dialect } from "./sql.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly script: string;
  readonly checksum: string;
}

export interface MigrationStatus {
  readonly current: number;
  readonly latest: number;
  readonly pending: readonly Migration[];
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaError";
  }
}

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dialect: Dialect): Migration[] {
  const dir = fileURLToPath(new URL(`./migrations/${dialect}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((file, i) => {
      const match = FILE.exec(file);
      const version = Number(match?.[1]);
      if (version !== i + 1) throw new SchemaError(`migration ${file} is out of sequence: expected version ${i + 1}`);
      const script = readFileSync(dir + file, "utf8");
      return {
        version,
        name: match?.[2] ?? file,
        script,
        checksum: createHash("sha256").update(script).digest("hex"),
      };
    });
}

const CREATE_TABLE: Record<Dialect, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, state TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, state TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  mssql: `IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (
    version INT PRIMARY KEY, name NVARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL, state VARCHAR(10) NOT NULL, applied_at VARCHAR(30) NOT NULL)`,
};

interface Recorded {
  version: number;
  name: string;
  checksum: string;
  state: string;
}

async function recorded(db: Database): Promise<Recorded[]> {
  await db.exec(CREATE_TABLE[db.dialect]);
  const rows = await db.all(sql`SELECT version, name, checksum, state FROM schema_migrations ORDER BY version`);
  return rows as unknown as Recorded[];
}

/** Where the database stands against the migrations this code ships; throws SchemaError when it must not be used. */
export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const known = loadMigrations(db.dialect);
  const rows = await recorded(db);
  for (const row of rows) {
    if (row.state !== "applied") {
      throw new SchemaError(
        `the database is half-migrated: migration ${row.version} (${row.name}) was started and never finished. ` +
          `Restore the backup taken before the upgrade, or check the schema by hand and delete that row from schema_migrations.`,
      );
    }
    const mine = known[row.version - 1];
    if (mine === undefined) {
      throw new SchemaError(
        `the database is at schema version ${row.version} (${row.name}), newer than this OpenAR knows (latest ${known.length}). Upgrade OpenAR.`,
      );
    }
    if (mine.checksum !== row.checksum.trim()) {
      throw new SchemaError(
        `migration ${row.version} (${row.name}) applied to this database differs from the one this OpenAR ships (checksum mismatch).`,
      );
    }
  }
  const current = rows.length === 0 ? 0 : Math.max(...rows.map((r) => r.version));
  return { current, latest: known.length, pending: known.filter((m) => m.version > current) };
}

/** Applies every pending migration in order. Returns the versions applied. */
export async function migrate(db: Database, now: () => string): Promise<number[]> {
  const { pending } = await migrationStatus(db);
  const applied: number[] = [];
  for (const migration of pending) {
    await db.run(
      sql`INSERT INTO schema_migrations (version, name, checksum, state, applied_at) VALUES (${int(migration.version)}, ${text(migration.name)}, ${text(migration.checksum)}, ${"applying"}, ${now()})`,
    );
    try {
      await db.transaction(async (tx) => {
        for (const batch of splitBatches(migration.script, db.dialect)) {
          await tx.run(raw(batch));
        }
        await tx.run(sql`UPDATE schema_migrations SET state = ${"applied"} WHERE version = ${int(migration.version)}`);
      });
    } catch (error) {
      await db.run(sql`DELETE FROM schema_migrations WHERE version = ${int(migration.version)} AND state = ${"applying"}`);
      throw new SchemaError(
        `migration ${migration.version} (${migration.name}) failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    applied.push(migration.version);
  }
  return applied;
}

/** Refuses a database that is not exactly at the latest version. */
export async function assertMigrated(db: Database): Promise<number> {
  const status = await migrationStatus(db);
  if (status.pending.length > 0) {
    throw new SchemaError(
      `the database is at schema version ${status.current} but this OpenAR needs ${status.latest}. Run \`openar migrate\` first.`,
    );
  }
  return status.current;
}

/**
 * Splits a script into statements the drivers run one at a time: SQL Server
 * batches on lines holding only GO; elsewhere on semicolons that end a line
 * outside a $$-quoted or BEGIN…END body.
 */
export function splitBatches(script: string, dialect: Dialect): string[] {
  if (dialect === "mssql") {
    return script
      .split(/^\s*GO\s*$/m)
      .map((b) => b.trim())
      .filter((b) => b !== "");
  }
  const statements: string[] = [];
  let current = "";
  let inDollar = false;
  let depth = 0;
  for (const line of script.split("\n")) {
    const code = line.replace(/--.*$/, "");
    if ((code.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar;
    depth += (code.match(/\bBEGIN\b/g) ?? []).length - (code.match(/\bEND\b/g) ?? []).length;
    current += line + "\n";
    if (!inDollar && depth <= 0 && /;\s*$/.test(code)) {
      if (current.replace(/--.*$/gm, "").trim() !== "") statements.push(current.trim());
      current = "";
      depth = 0;
    }
  }
  if (current.replace(/--.*$/gm, "").trim() !== "") statements.push(current.trim());
  return statements;
}
