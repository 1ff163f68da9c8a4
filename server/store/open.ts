/** Opens the configured database and the ledger store over it. */
import type { Clock } from "../../shared/dates.js";
import type { StoreConfig } from "../config.js";
import { DEFAULT_POLICY, SqlLedgerStore, type LedgerPolicy } from "./ledger-store.js";
import { migrate } from "./migrate.js";
import { openMssqlDatabase } from "./mssql-database.js";
import { openPostgresDatabase } from "./postgres-database.js";
import type { Database } from "./sql.js";
import { openSqliteDatabase } from "./sqlite-database.js";

export async function openDatabase(config: StoreConfig): Promise<Database> {
  switch (config.kind) {
    case "sqlite":
      return openSqliteDatabase(config.file);
    case "postgres":
      return openPostgresDatabase(config.schema === undefined ? { url: config.url } : { url: config.url, schema: config.schema });
    case "mssql":
      return openMssqlDatabase(config.url);
  }
}

/** Opens the store; with `autoMigrate` a new or older database is migrated first (the embedded default does this). */
export async function openStore(
  db: Database,
  clock: Clock,
  options: { autoMigrate: boolean; policy?: LedgerPolicy },
): Promise<SqlLedgerStore> {
  if (options.autoMigrate) await migrate(db, () => clock.now());
  return SqlLedgerStore.open(db, clock, options.policy ?? DEFAULT_POLICY);
}
