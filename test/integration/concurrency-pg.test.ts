/**
 * Concurrency for real: two `openar serve` processes on one PostgreSQL
 * database, and 50 clients at once each paying 30.00 on one of five 100.00
 * invoices, stating the version they pulled. Whatever the interleaving:
 *
 * - every client gets 201 (won), 409 with the server's current state (its
 *   version was stale) or 422 exceeds_open (its version was current but the
 *   money ran out: three payments of 30.00 leave 10.00 open);
 * - no invoice is over-applied, each invoice's applied total is exactly
 *   30.00 × its winners, and a loser's receipt does not exist;
 * - the ledger's invariants hold.
 *
 * Skipped, with a notice, when PostgreSQL is not reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Operation } from "../../shared/changeset.js";
import { openStore } from "../../server/store/open.js";
import { openPostgresDatabase } from "../../server/store/postgres-database.js";
import { sql, text } from "../../server/store/sql.js";
import { aCustomerOp, anApplication, anInvoiceOp, aReceiptOp, newChangeSetId } from "../support/change-sets.js";
import { freshName, PG_URL, postgresReachable, TEST_TODAY, testClock } from "../support/databases.js";
import { runCliOk, startService, type ServiceProcess } from "../support/service.js";

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    `\n*** concurrency-pg: PostgreSQL at ${PG_URL} is not reachable — the two-instance concurrency test is SKIPPED (set OPENAR_TEST_PG_URL) ***\n`,
  );

const INVOICES = 5;
const CLIENTS = 50;
const INVOICE_AMOUNT_CENTS = 10_000n; // 100.00
const PAYMENT = "30.00";
const PAYMENT_CENTS = 3_000n;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function request(api: string, token: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${api}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.runIf(pgUp)("two service instances on one PostgreSQL database", () => {
  const schema = freshName("openar_cc");
  const env = { ...process.env, OPENAR_PG_SCHEMA: schema, OPENAR_RATE_LIMIT: "1000000", OPENAR_TODAY: TEST_TODAY };
  const storeFlags = ["--store", "postgres", "--url", PG_URL];
  const instances: ServiceProcess[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    await runCliOk(["migrate", ...storeFlags], env);
    for (const user of ["clerk-a", "clerk-b"]) {
      tokens.push((await runCliOk(["token", "create", "--user", user, "--role", "clerk", ...storeFlags], env)).trim());
    }
    instances.push(
      ...(await Promise.all([0, 1].map(() => startService([...storeFlags, "--http", "--port", "0"], env)))),
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    const db = await openPostgresDatabase({ url: PG_URL, schema });
    try {
      await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    } finally {
      await db.close();
    }
  });

  it("never over-applies an invoice: every loser gets 409 with the current state (or 422 when the money ran out), and totals reconcile", async () => {
    const [a, b] = instances;
    const [tokenA, tokenB] = tokens;
    if (a === undefined || b === undefined || tokenA === undefined || tokenB === undefined)
      throw new Error("setup failed");
    expect(a.api).not.toBe(b.api);

    // Five customers, each with one 100.00 invoice.
    const seed: Operation[] = [];
    for (let k = 0; k < INVOICES; k++) {
      seed.push(
        aCustomerOp({ id: `cc-cus-${k}` }),
        anInvoiceOp({ id: `cc-inv-${k}`, customerId: `cc-cus-${k}`, amount: "100.00", documentDate: "2026-10-01" }),
      );
    }
    const seeded = await request(a.api, tokenA, "/changesets", { id: newChangeSetId("cc-seed"), operations: seed });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);

    // Each client pulls its invoice from one instance and pays 30.00 against the version it saw, through the same instance.
    const clients = Array.from({ length: CLIENTS }, (_, i) => {
      const invoice = i % INVOICES;
      const [api, token] = i % 2 === 0 ? [a.api, tokenA] : [b.api, tokenB];
      return { i, invoice, api, token, receiptId: `cc-rcp-${i}` };
    });
    const outcomes = await Promise.all(
      clients.map(async (client) => {
        // Later clients pull a little later, so some see a newer version (and some find the money gone).
        await new Promise((resolve) => setTimeout(resolve, Math.floor(client.i / INVOICES) * 60));
        const pulled = await request(
          client.api,
          client.token,
          `/open-items?customerId=cc-cus-${client.invoice}&asOf=${TEST_TODAY}`,
        );
        expect(pulled.status, JSON.stringify(pulled.body)).toBe(200);
        const item = (pulled.body.items as { id: string; version: number; open: string }[]).find(
          (it) => it.id === `cc-inv-${client.invoice}`,
        );
        if (item === undefined)
          throw new Error(`client ${client.i}: invoice cc-inv-${client.invoice} not among the open items`);
        const pushed = await request(client.api, client.token, "/changesets", {
          id: newChangeSetId(`cc-${client.i}`),
          operations: [
            aReceiptOp({
              id: client.receiptId,
              customerId: `cc-cus-${client.invoice}`,
              amount: PAYMENT,
              date: "2026-11-20",
              ref: `client-${client.i}`,
              applications: [anApplication({ documentId: item.id, amount: PAYMENT, documentVersion: item.version })],
            }),
          ],
        });
        return { ...client, seenVersion: item.version, reply: pushed };
      }),
    );

    const winners = outcomes.filter((o) => o.reply.status === 201);
    const conflicts = outcomes.filter((o) => o.reply.status === 409);
    const exhausted = outcomes.filter((o) => o.reply.status === 422);
    const unexpected = outcomes.filter((o) => ![201, 409, 422].includes(o.reply.status));
    expect(
      unexpected.map((o) => [o.i, o.reply.status, o.reply.body]),
      "only 201, 409 or 422",
    ).toEqual([]);
    expect(winners.length + conflicts.length + exhausted.length).toBe(CLIENTS);
    console.log(
      `concurrency-pg: ${winners.length} won, ${conflicts.length} stale (409), ${exhausted.length} out of money (422)`,
    );
    // Ten clients raced for each invoice, so some must have lost on a stale version.
    expect(conflicts.length).toBeGreaterThan(0);

    for (const loser of conflicts) {
      expect(loser.reply.body.error).toBe("conflict");
      const listed = loser.reply.body.conflicts as {
        index: number;
        ref: string | null;
        entity: string;
        id: string;
        expectedVersion: number;
        currentVersion: number;
        current: Record<string, unknown>;
      }[];
      expect(listed).toHaveLength(1);
      const [conflict] = listed;
      expect(conflict).toMatchObject({
        index: 0,
        ref: `client-${loser.i}`,
        entity: "document",
        id: `cc-inv-${loser.invoice}`,
        expectedVersion: loser.seenVersion,
      });
      expect(conflict?.currentVersion).toBeGreaterThan(loser.seenVersion);
      // The current state the add-in shows beside the row: the newer version and what is open now.
      expect(conflict?.current).toMatchObject({
        id: `cc-inv-${loser.invoice}`,
        amount: "100.00",
        version: conflict?.currentVersion,
      });
      expect(conflict?.current.open).toMatch(/^\d+\.\d{2}$/);
    }
    for (const loser of exhausted) {
      const errors = loser.reply.body.errors as { index: number; field: string; code: string }[];
      expect(errors).toEqual([
        expect.objectContaining({ index: 0, field: "applications.0.amount", code: "exceeds_open" }),
      ]);
    }

    // Check the database itself, from this process.
    const db = await openPostgresDatabase({ url: PG_URL, schema });
    try {
      const store = await openStore(db, testClock, { autoMigrate: false });
      const report = await store.checkInvariants();
      expect(report.problems).toEqual([]);

      let appliedTotal = 0n;
      let settledTotal = 0n;
      for (let k = 0; k < INVOICES; k++) {
        const [doc] = await db.all(
          sql`SELECT amount_minor, open_minor FROM documents WHERE id = ${text(`cc-inv-${k}`)}`,
        );
        const open = doc?.open_minor as bigint;
        const amount = doc?.amount_minor as bigint;
        expect(amount).toBe(INVOICE_AMOUNT_CENTS);
        expect(open >= 0n, `cc-inv-${k} open ${open}`).toBe(true);
        const won = BigInt(winners.filter((w) => w.invoice === k).length);
        // At least the first to commit wins; at most three 30.00 payments fit in 100.00.
        expect(won >= 1n && won <= 3n, `cc-inv-${k} winners ${won}`).toBe(true);
        expect(amount - open).toBe(won * PAYMENT_CENTS);
        // Optimistic concurrency: no two winners based their payment on the same version of the invoice.
        const versions = winners.filter((w) => w.invoice === k).map((w) => w.seenVersion);
        expect(new Set(versions).size, `cc-inv-${k} winners saw versions ${versions.join(", ")}`).toBe(versions.length);
        const [applied] = await db.all(
          sql`SELECT SUM(amount_minor) AS total_minor FROM applications WHERE document_id = ${text(`cc-inv-${k}`)}`,
        );
        appliedTotal += (applied?.total_minor as bigint | null) ?? 0n;
        settledTotal += amount - open;
      }
      // Σ applied = Σ (amount − open) = 30.00 × winners.
      expect(appliedTotal).toBe(settledTotal);
      expect(appliedTotal).toBe(BigInt(winners.length) * PAYMENT_CENTS);

      const receipts = await db.all(sql`SELECT id FROM receipts WHERE id LIKE ${text("cc-rcp-%")} ORDER BY id`);
      expect(receipts.map((r) => r.id).sort()).toEqual(winners.map((w) => w.receiptId).sort());
    } finally {
      await db.close();
    }
  }, 60_000);
});
