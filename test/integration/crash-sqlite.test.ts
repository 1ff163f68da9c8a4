/**
 * Crash safety on the embedded database: a process pushing a 10,000-operation
 * change set into a SQLite file is killed with SIGKILL mid-push — at exact
 * points inside the transaction (it kills itself there) and at measured
 * moments from outside (10 %, 50 %, 90 % of an undisturbed push). After each
 * kill the file is reopened: the change set is either wholly there (its
 * changesets row and every one of its 10,000 receipts and applications) or
 * wholly absent (the ledger is exactly as seeded), the file passes SQLite's
 * integrity check, and the ledger's invariants hold.
 *
 * The ledger (crash-ledger.ts): 2,000 invoices of 100.00; the change set is
 * 10,000 receipts of 20.00, five per invoice, each applied in full.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlLedgerStore } from "../../server/store/ledger-store.js";
import { migrate } from "../../server/store/migrate.js";
import { sql, text } from "../../server/store/sql.js";
import { openSqliteDatabase } from "../../server/store/sqlite-database.js";
import {
  CRASH_CHANGE_SET_ID,
  CRASH_INVOICES,
  CRASH_RECEIPTS,
  crashChangeSet,
  crashSeedChangeSet,
} from "../support/crash-ledger.js";
import { testClock } from "../support/databases.js";
import { ledgerFingerprint, rowsFromChangeSet, type LedgerFingerprint } from "../support/ledger-state.js";
import { REPO_ROOT } from "../support/service.js";

const CHILD = fileURLToPath(new URL("../support/crash-child.mts", import.meta.url));

/**
 * What the change set leaves when it is there, per table, by hand: one
 * receipt and one application per operation; two journals per operation
 * (receipt: DR cash / CR unapplied; application: DR unapplied / CR AR) and
 * two audit rows; change-feed rows for the 10,000 receipts and the 2,000
 * invoices they touch. It creates no documents, notes or disputes.
 */
const WHOLE = {
  documents: 0,
  receipts: CRASH_RECEIPTS,
  applications: CRASH_RECEIPTS,
  write_offs: 0,
  receipt_reversals: 0,
  notes: 0,
  disputes: 0,
  gl_journals: 2 * CRASH_RECEIPTS,
  audit_log: 2 * CRASH_RECEIPTS,
  change_log: CRASH_RECEIPTS + CRASH_INVOICES,
  changesets: 1,
};
const ABSENT = Object.fromEntries(Object.keys(WHOLE).map((table) => [table, 0]));

interface ChildRun {
  /** "committed": the push finished; "killed": SIGKILL ended it first. */
  readonly ending: "committed" | "killed";
  readonly pushMs: number | null;
  readonly statements: number | null;
  readonly output: string;
}

/** Runs the child on `file`; with `killAfterMs` the test SIGKILLs it that long after it starts pushing. */
function runChild(file: string, args: readonly string[], killAfterMs: number | null = null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx/esm", CHILD, file, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timer: NodeJS.Timeout | undefined;
    const onData = (chunk: string) => {
      const before = output;
      output += chunk;
      if (killAfterMs !== null && !before.includes("pushing\n") && output.includes("pushing\n")) {
        timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const done = /committed (\d+) (\d+)/.exec(output);
      if (signal === "SIGKILL") {
        resolve({ ending: "killed", pushMs: null, statements: null, output });
      } else if (code === 0 && done !== null) {
        resolve({ ending: "committed", pushMs: Number(done[1]), statements: Number(done[2]), output });
      } else {
        reject(new Error(`crash child exited ${String(code ?? signal)}:\n${output}`));
      }
    });
  });
}

describe("SIGKILL during a 10,000-operation push into SQLite", () => {
  let dir: string;
  let template: string;
  let seeded: LedgerFingerprint;
  let whole: LedgerFingerprint;
  let measured: { pushMs: number; statements: number };
  let runs = 0;
  const outcomes: string[] = [];

  /** A fresh copy of the seeded ledger. */
  const freshCopy = (): string => {
    const file = join(dir, `run-${++runs}.sqlite`);
    copyFileSync(template, file);
    return file;
  };

  /** Reopens the file as a restarted service would and says whether the change set is wholly there or wholly absent. */
  const inspect = async (file: string): Promise<"whole" | "absent"> => {
    const db = openSqliteDatabase(file);
    try {
      expect(await db.all(sql`PRAGMA integrity_check`)).toEqual([{ integrity_check: "ok" }]);
      const store = await SqlLedgerStore.open(db, testClock);
      expect((await store.checkInvariants()).problems).toEqual([]);
      const rows = await rowsFromChangeSet(db, CRASH_CHANGE_SET_ID);
      const fingerprint = await ledgerFingerprint(db);
      if (rows.changesets === 0) {
        expect(rows).toEqual(ABSENT);
        expect(fingerprint).toEqual(seeded);
        return "absent";
      }
      expect(rows).toEqual(WHOLE);
      expect(fingerprint).toEqual(whole);
      return "whole";
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "openar-crash-"));
    template = join(dir, "seeded.sqlite");
    const db = openSqliteDatabase(template);
    await migrate(db, () => testClock.now());
    const store = await SqlLedgerStore.open(db, testClock);
    const outcome = await store.push(crashSeedChangeSet(), { user: "seed", role: "clerk", dryRun: false });
    expect(outcome.status).toBe("committed");
    seeded = await ledgerFingerprint(db);
    await store.close();
    // Closing the last connection checkpoints the WAL into the main file, so one file is the whole ledger.
    expect(existsSync(`${template}-wal`)).toBe(false);

    // An undisturbed push: the reference for "wholly there" and for when to kill.
    const file = freshCopy();
    const run = await runChild(file, ["push"]);
    if (run.pushMs === null || run.statements === null)
      throw new Error(`the reference push did not finish:\n${run.output}`);
    measured = { pushMs: run.pushMs, statements: run.statements };
    const check = openSqliteDatabase(file);
    try {
      whole = await ledgerFingerprint(check);
      expect(await rowsFromChangeSet(check, CRASH_CHANGE_SET_ID)).toEqual(WHOLE);
      const [open] = await check.all(
        sql`SELECT SUM(open_minor) AS open_minor FROM documents WHERE id LIKE ${text("crash-inv-%")}`,
      );
      expect(open?.open_minor).toBe(0n); // 5 × 20.00 settles each 100.00 invoice
    } finally {
      await check.close();
    }
    expect(await inspect(file)).toBe("whole");
  }, 60_000);

  afterAll(() => {
    console.log(
      `crash-sqlite: reference push ${measured.pushMs} ms, ${measured.statements} statements; after each kill: ${outcomes.join(", ")}`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("is wholly absent when killed just before its first statement, a third and two thirds of the way through, and before its last", async () => {
    const points = [
      1,
      Math.floor(measured.statements / 3),
      Math.floor((2 * measured.statements) / 3),
      measured.statements,
    ];
    for (const point of points) {
      const file = freshCopy();
      const run = await runChild(file, ["kill-at-statement", String(point)]);
      expect(run.ending, `statement ${point}`).toBe("killed");
      // The last statement (the change-set record) never ran: nothing may be visible.
      const result = await inspect(file);
      outcomes.push(`statement ${point}/${measured.statements}: ${result}`);
      expect(result).toBe("absent");
    }
  }, 30_000);

  it("is wholly absent when killed after every write but before COMMIT, and a retry after restart commits it exactly once", async () => {
    const file = freshCopy();
    const run = await runChild(file, ["kill-before-commit"]);
    expect(run.ending).toBe("killed");
    expect(await inspect(file)).toBe("absent");
    outcomes.push("before COMMIT: absent");

    const db = openSqliteDatabase(file);
    try {
      const store = await SqlLedgerStore.open(db, testClock);
      const retry = await store.push(crashChangeSet(), { user: "crash-test", role: "clerk", dryRun: false });
      expect(retry.status === "committed" && !retry.replayed).toBe(true);
      const replay = await store.push(crashChangeSet(), { user: "crash-test", role: "clerk", dryRun: false });
      expect(replay.status === "committed" && replay.replayed).toBe(true);
    } finally {
      await db.close();
    }
    expect(await inspect(file)).toBe("whole");
  }, 30_000);

  it.each([0.1, 0.5, 0.9])(
    "is wholly there or wholly absent when killed from outside at %s of the push",
    async (fraction) => {
      const file = freshCopy();
      const run = await runChild(file, ["push"], Math.round(measured.pushMs * fraction));
      const result = await inspect(file);
      outcomes.push(`${fraction * 100}% (${run.ending}): ${result}`);
      // A killed push was never acknowledged; a finished one must be all there.
      if (run.ending === "committed") expect(result).toBe("whole");
    },
    30_000,
  );
});
