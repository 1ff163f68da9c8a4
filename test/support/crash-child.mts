/**
 * The process the crash test kills: it opens a SQLite ledger and pushes the
 * 10,000-operation change set of crash-ledger.ts, exactly as the service
 * does (SqlLedgerStore over the SQLite adapter).
 *
 *   node --import tsx/esm test/support/crash-child.mts FILE MODE [N]
 *
 * MODE
 *   push                  push and exit; prints "pushing", then "committed <ms> <statements>"
 *   kill-at-statement N   SIGKILL itself just before the N-th statement inside the push transaction
 *   kill-before-commit    SIGKILL itself after every write, just before COMMIT
 *
 * Self-kills hit exact points of the transaction; the test also kills this
 * process from outside at measured moments.
 */
import { fixedClock, parseIsoDate } from "../../shared/dates.js";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import type { Database, SqlExecutor } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import { crashChangeSet } from "./crash-ledger.js";

const [file, mode = "push", limit] = process.argv.slice(2);
if (file === undefined || !["push", "kill-at-statement", "kill-before-commit"].includes(mode)) {
  process.stderr.write("usage: crash-child.mts FILE push|kill-at-statement N|kill-before-commit\n");
  process.exit(2);
}
const killAt = mode === "kill-at-statement" ? Number(limit) : null;

function die(): never {
  process.kill(process.pid, "SIGKILL");
  // SIGKILL cannot be caught; block until the kernel ends the process.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("unreachable");
}

const sqlite = openSqliteDatabase(file);
let statements = 0;
const counted = (tx: SqlExecutor): SqlExecutor => {
  const next = () => {
    statements += 1;
    if (killAt !== null && statements >= killAt) die();
  };
  return {
    dialect: tx.dialect,
    all: (query) => {
      next();
      return tx.all(query);
    },
    run: (query) => {
      next();
      return tx.run(query);
    },
  };
};
const db: Database = {
  ...sqlite,
  transaction: (work, options) =>
    sqlite.transaction(async (tx) => {
      const result = await work(counted(tx));
      if (mode === "kill-before-commit") die();
      return result;
    }, options),
};

const clock = fixedClock(parseIsoDate("2026-11-23"), "2026-11-23T09:00:00.000Z");
const store = await SqlLedgerStore.open(db, clock);
const changeSet = crashChangeSet();
process.stdout.write("pushing\n");
const started = performance.now();
const outcome = await store.push(changeSet, { user: "crash-test", role: "clerk", dryRun: false });
const elapsed = Math.round(performance.now() - started);
if (outcome.status !== "committed") {
  process.stderr.write(`push refused: ${JSON.stringify(outcome).slice(0, 2000)}\n`);
  process.exit(1);
}
process.stdout.write(`committed ${elapsed} ${statements}\n`);
await store.close();
