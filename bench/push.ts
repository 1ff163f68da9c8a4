/**
 * A 10,000-operation change set — receipts, each applied to a seeded open
 * invoice — parsed (the route's schema check), validated and committed via
 * store.push, against a bare transactional insert of the same receipt and
 * application rows (the same multi-row INSERT statements push uses, in one
 * transaction, nothing else: no reads, no GL, no audit, no change feed).
 *
 * Each repetition uses fresh ids; the bare rows get ids of the same length.
 * Both write into the run's working copy (SQLite) or throwaway schema
 * (PostgreSQL), never into the cached seed.
 */
import { randomBytes } from "node:crypto";
import { parseChangeSet, type ChangeSet } from "../shared/changeset.js";
import { Money } from "../shared/money.js";
import { derivedId } from "../shared/changeset-validation.js";
import { SqlLedgerStore } from "../server/store/ledger-store.js";
import { raw } from "../server/store/sql.js";
import * as st from "../server/store/statements/write.js";
import { compare, median, timed, type Comparison } from "./measure.js";
import { BENCH_TODAY, benchClock, type BenchStore } from "./stores.js";
import { timingDatabase } from "./timing-database.js";

export const PUSH_OPERATIONS = 10_000;

interface Target {
  readonly documentId: string;
  readonly customerId: string;
  readonly currency: string;
}

async function targets(bench: BenchStore): Promise<Target[]> {
  // Invoices with room for every repetition's one-unit payment, not disputed, of customers not on hold.
  const rows = await bench.db.all(
    raw(
      `SELECT d.id, d.customer_id, d.currency FROM documents d JOIN customers c ON c.id = d.customer_id WHERE d.doc_type = 'invoice' AND d.open_minor >= 10000 AND d.disputed = 0 AND c.on_hold = 0 ORDER BY d.id LIMIT ${PUSH_OPERATIONS}`,
    ),
  );
  if (rows.length === 0) throw new Error("no open invoices to apply receipts to: was the ledger seeded?");
  return rows.map((r) => ({
    documentId: String(r.id).trim(),
    customerId: String(r.customer_id).trim(),
    currency: String(r.currency).trim(),
  }));
}

function changeSet(id: string, receiptPrefix: string, list: readonly Target[]): ChangeSet {
  const operations = Array.from({ length: PUSH_OPERATIONS }, (_, i) => {
    // Fewer invoices than operations (the small ledger): some invoices get two payments.
    const t = list[i % list.length] as Target;
    const amount = Money.fromMinor(1n, t.currency).toString();
    return {
      op: "receipt.create" as const,
      id: `${receiptPrefix}${String(i).padStart(5, "0")}`,
      customerId: t.customerId,
      date: BENCH_TODAY,
      amount,
      currency: t.currency,
      method: "ach" as const,
      reference: `BENCH ${String(i).padStart(5, "0")}`,
      applications: [{ documentId: t.documentId, amount }],
    };
  });
  return { id, operations };
}

export interface PushResult extends Comparison {
  readonly operations: number;
  /** Rows the bare side wrote per repetition. */
  readonly bareRows: number;
  /** Median over the timed pushes of the time spent inside SQL statements (the rest is JS and commit). */
  readonly pushSqlMs: number;
  /** Median statements per push. */
  readonly pushStatements: number;
  /** Median time of BEGIN/COMMIT around the push's transaction. */
  readonly pushCommitMs: number;
}

export async function measurePush(bench: BenchStore, repetitions: number): Promise<PushResult> {
  const list = await targets(bench);
  // The same ledger through a database that times its statements (same connection, same rows).
  const timing = timingDatabase(bench.db);
  const store = await SqlLedgerStore.open(timing, benchClock);
  const sqlMs: number[] = [];
  const statements: number[] = [];
  const commitMs: number[] = [];
  const run = randomBytes(3).toString("hex");
  const now = "2026-11-23T09:00:00.000Z";
  let rep = 0;
  let bareRep = 0;

  const subject = async () => {
    rep += 1;
    const payload = changeSet(`bench-push-${run}-${rep}`, `bp${run}${String(rep).padStart(2, "0")}-`, list);
    // Through JSON, as the route receives it.
    const body: unknown = JSON.parse(JSON.stringify(payload));
    timing.reset();
    const ms = await timed(async () => {
      const parsed = parseChangeSet(body);
      if (!parsed.ok)
        throw new Error(`bench change set refused by the schema: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
      const outcome = await store.push(parsed.changeSet, { user: "bench", role: "admin", dryRun: false });
      if (outcome.status !== "committed")
        throw new Error(`bench change set not committed: ${JSON.stringify(outcome).slice(0, 1000)}`);
    });
    sqlMs.push(timing.sqlMs());
    statements.push(timing.statements());
    commitMs.push(timing.commitMs());
    return ms;
  };

  const baseline = async () => {
    bareRep += 1;
    const changeSetId = `bench-bare-${run}-${bareRep}`;
    const payload = changeSet(changeSetId, `bb${run}${String(bareRep).padStart(2, "0")}-`, list);
    const receipts: st.ReceiptValues[] = [];
    const applications: st.ApplicationValues[] = [];
    payload.operations.forEach((op, index) => {
      if (op.op !== "receipt.create") return;
      const amountMinor = Money.parse(op.amount, op.currency).toMinor();
      receipts.push({
        id: op.id,
        customerId: op.customerId,
        date: op.date,
        currency: op.currency,
        amountMinor,
        method: op.method,
        reference: op.reference,
        changeSeq: 0n,
        changeSetId,
      });
      (op.applications ?? []).forEach((a, i) =>
        applications.push({
          id: derivedId(changeSetId, index, i),
          sourceKind: "receipt",
          sourceId: op.id,
          documentId: a.documentId,
          date: op.date,
          currency: op.currency,
          amountMinor,
          discountMinor: 0n,
          writeOffMinor: 0n,
          writeOffReason: null,
          reversesId: null,
          changeSetId,
          createdAt: now,
        }),
      );
    });
    const d = bench.db.dialect;
    return timed(() =>
      bench.db.transaction(async (tx) => {
        for (const chunk of st.chunkRows(receipts, 13)) await tx.run(st.insertReceipts(d, chunk));
        for (const chunk of st.chunkRows(applications, 13)) await tx.run(st.insertApplications(d, chunk));
      }),
    );
  };

  const result = await compare({ subject, baseline, repetitions, warmup: 1 });
  // The warm-up push is not part of the figures.
  return {
    ...result,
    operations: PUSH_OPERATIONS,
    bareRows: PUSH_OPERATIONS * 2,
    pushSqlMs: median(sqlMs.slice(1)),
    pushStatements: median(statements.slice(1)),
    pushCommitMs: median(commitMs.slice(1)),
  };
}
