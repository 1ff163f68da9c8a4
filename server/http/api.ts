/**
 * The HTTP API v1 (documented in openapi.ts, which a test keeps in step with
 * the routes registered here). Handlers translate between HTTP and the store:
 * parse and check the request, call the store, shape the answer. No domain
 * computation happens here (STYLE 3).
 */
import { Router, type Request, type Response } from "express";
import { parseChangeSet } from "../../shared/changeset.js";
import type { Clock } from "../../shared/dates.js";
import { can } from "../../shared/roles.js";
import type { LedgerStore, PushOutcome } from "../store/port.js";
import { AgingCache } from "./aging-cache.js";
import { requireRole } from "./auth.js";
import { registerBankRoutes } from "./bank-api.js";
import { HttpError } from "./errors.js";
import { requirePrincipal } from "./request-context.js";
import { createToken, type TokenStore } from "./tokens.js";
import { QueryReader, badParameter } from "./query.js";

export interface ApiDependencies {
  readonly store: LedgerStore;
  readonly tokens: TokenStore;
  readonly clock: Clock;
}

const MAX_PAGE = 5_000;
const STREAM_BATCH = 2_000;

/** Routes that need no credentials: health and the API description. */
export function publicApiRouter(deps: Pick<ApiDependencies, "store">, openapi: () => unknown, docsHtml: () => string): Router {
  const router = Router();
  router.get("/health", async (_req, res) => {
    const health = await deps.store.health();
    res.json({ status: "ok", store: health.store, schemaVersion: health.schemaVersion });
  });
  router.get("/openapi.json", (_req, res) => {
    res.json(openapi());
  });
  router.get("/docs", (_req, res) => {
    res.type("html").send(docsHtml());
  });
  return router;
}

export function apiRouter(deps: ApiDependencies): Router {
  const { store, clock } = deps;
  const router = Router();
  const read = requireRole("read");

  router.get("/customers", read, async (req, res) => {
    const q = new QueryReader(req);
    const search = q.text("search");
    const collector = q.text("collector");
    const after = q.text("after");
    const customers = await store.customers({
      limit: q.integer("limit", { min: 1, max: MAX_PAGE, fallback: 500 }),
      ...(search === undefined ? {} : { search }),
      ...(collector === undefined ? {} : { collector }),
      ...(after === undefined ? {} : { after }),
    });
    res.json({ customers, next: customers.length === 0 ? null : (customers[customers.length - 1]?.number ?? null) });
  });

  router.get("/open-items", read, async (req, res) => {
    const q = new QueryReader(req);
    const customerId = q.text("customerId");
    const collector = q.text("collector");
    const currency = q.currency("currency");
    const filters = {
      asOf: q.asOf(clock),
      basis: q.basis(),
      edges: q.edges(),
      ...(customerId === undefined ? {} : { customerId }),
      ...(collector === undefined ? {} : { collector }),
      ...(currency === undefined ? {} : { currency }),
    };
    const wantsStream = q.boolean("stream") === true || (req.get("accept") ?? "").includes("application/x-ndjson");
    if (wantsStream) {
      await streamOpenItems(res, store, filters);
      return;
    }
    const after = q.text("after", 2000);
    const page = await store.openItems({
      ...filters,
      limit: q.integer("limit", { min: 1, max: MAX_PAGE, fallback: 1000 }),
      ...(after === undefined ? {} : { after }),
    });
    res.json({ asOf: filters.asOf, basis: filters.basis, buckets: filters.edges, ...page });
  });

  // Aging answers per ledger state (aging-cache.ts): a report is recomputed only after a commit.
  const agingCache = new AgingCache();
  // Requests for the same report at the same ledger state while it is being computed wait for
  // that one computation (twenty clerks opening the workbook at nine must not run it twenty times).
  const agingInFlight = new Map<string, Promise<string>>();
  router.get("/aging", read, async (req, res) => {
    const q = new QueryReader(req);
    const customerId = q.text("customerId");
    const collector = q.text("collector");
    const currency = q.currency("currency");
    const excludeDisputed = q.boolean("excludeDisputed");
    const query = {
      asOf: q.asOf(clock),
      basis: q.basis(),
      edges: q.edges(),
      ...(customerId === undefined ? {} : { customerId }),
      ...(collector === undefined ? {} : { collector }),
      ...(currency === undefined ? {} : { currency }),
      ...(excludeDisputed === undefined ? {} : { excludeDisputed }),
    };
    const key = JSON.stringify([query.asOf, query.basis, query.edges, customerId, collector, currency, excludeDisputed ?? false]);
    const before = await store.currentCursor();
    let body = agingCache.get(before, key);
    if (body === undefined) {
      const flight = `${before} ${key}`;
      let computing = agingInFlight.get(flight);
      if (computing === undefined) {
        computing = (async () => {
          const text = JSON.stringify(await store.aging(query));
          // Kept only if nothing committed while it was computed: then it is exactly the ledger at `before`.
          if ((await store.currentCursor()) === before) agingCache.set(before, key, text);
          return text;
        })();
        agingInFlight.set(flight, computing);
        const done = () => agingInFlight.delete(flight);
        computing.then(done, done);
      }
      body = await computing;
    }
    res.type("json").send(body);
  });

  router.get("/customers/:id/statement", read, async (req, res) => {
    const q = new QueryReader(req);
    const to = q.date("to") ?? clock.today();
    const from = q.date("from") ?? `${to.slice(0, 7)}-01`;
    if (from > to) throw badParameter("from", `must not be after to (${to})`);
    const currency = q.currency("currency");
    const statement = await store.statement({
      customerId: pathParam(req, "id"),
      from: from as typeof to,
      to,
      ...(currency === undefined ? {} : { currency }),
    });
    res.json(statement);
  });

  router.get("/changes", read, async (req, res) => {
    const q = new QueryReader(req);
    const since = q.text("since", 20) ?? "0";
    if (!/^\d+$/.test(since)) throw badParameter("since", "must be a cursor returned by a pull or an earlier /changes");
    res.json(await store.changes({ since, limit: q.integer("limit", { min: 1, max: MAX_PAGE, fallback: 1000 }) }));
  });

  router.post("/changesets", requireRole("post"), async (req, res) => {
    const q = new QueryReader(req);
    const dryRun = q.boolean("dryRun") ?? false;
    const parsed = parseChangeSet(req.body);
    if (!parsed.ok) {
      throw new HttpError({
        status: 422,
        error: "validation_failed",
        message: describeErrors(parsed.errors.length),
        details: { errors: parsed.errors },
      });
    }
    const principal = requirePrincipal(req);
    // An operation the role may never do is a 403 for the whole change set, before any ledger work.
    const forbidden = parsed.changeSet.operations.flatMap((op, index) => {
      const action = op.op === "period.close" ? "closePeriod" : "post";
      return can(principal.role, action) ? [] : [{ index, ref: op.ref ?? null, op: op.op, action }];
    });
    if (forbidden.length > 0) {
      const first = forbidden[0];
      throw new HttpError({
        status: 403,
        error: "forbidden",
        message: `role ${principal.role} may not ${first?.action ?? "post"} (operation ${first?.index ?? 0}: ${first?.op ?? ""}); nothing was written`,
        details: { operations: forbidden },
      });
    }
    const outcome = await store.push(parsed.changeSet, { user: principal.user, role: principal.role, dryRun });
    sendOutcome(res, outcome);
  });

  // Did a push land? A pane whose connection dropped asks before it retries or gives up.
  router.get("/changesets/:id", read, async (req, res) => {
    const id = pathParam(req, "id");
    const committed = await store.committedChangeSet(id);
    if (committed === null) throw new HttpError({ status: 404, error: "not_found", message: `change set ${id} was never committed` });
    res.json({ status: "committed", ...committed });
  });

  // Bank statements, CSV mappings, GL journals and reconciliations (issue 6).
  registerBankRoutes(router, { store, clock });

  router.post("/tokens", requireRole("manageTokens"), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { user?: unknown; role?: unknown };
    const { token, record } = createToken({ user: body.user, role: body.role, clock });
    await deps.tokens.insert(record);
    res.status(201).json({ id: record.id, user: record.user, role: record.role, createdAt: record.createdAt, token });
  });

  router.delete("/tokens/:id", requireRole("manageTokens"), async (req, res) => {
    const id = pathParam(req, "id");
    const revoked = await deps.tokens.revoke(id);
    if (!revoked) throw new HttpError({ status: 404, error: "not_found", message: `no active token with id ${id}` });
    res.status(204).end();
  });

  return router;
}

function pathParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (typeof value !== "string" || value === "") throw badParameter(name, "is required in the path");
  return value;
}

function describeErrors(count: number): string {
  return `the change set was refused: ${count} problem${count === 1 ? "" : "s"}; nothing was written`;
}

function sendOutcome(res: Response, outcome: PushOutcome): void {
  switch (outcome.status) {
    case "committed":
      res.status(outcome.replayed ? 200 : 201).json({ status: "committed", replayed: outcome.replayed, ...outcome.result });
      return;
    case "validated":
      res.status(200).json({ status: "validated", dryRun: true, operations: outcome.operations, message: "every operation passed; nothing was written (dry run)" });
      return;
    case "invalid":
      throw new HttpError({ status: 422, error: "validation_failed", message: describeErrors(outcome.errors.length), details: { errors: outcome.errors } });
    case "conflict":
      throw new HttpError({
        status: 409,
        error: "conflict",
        message: `the change set was refused: ${outcome.conflicts.length} row(s) changed on the server since they were pulled; nothing was written`,
        details: { conflicts: outcome.conflicts },
      });
    case "idempotencyMismatch":
      throw new HttpError({
        status: 409,
        error: "conflict",
        message: "this change-set id was already used for a different payload; send a new id for new changes",
        details: { reason: "idempotency_key_reused", differences: outcome.differences },
      });
  }
}

async function streamOpenItems(
  res: Response,
  store: LedgerStore,
  filters: Parameters<LedgerStore["streamOpenItems"]>[0],
): Promise<void> {
  const cursor = await store.currentCursor();
  res.status(200);
  res.setHeader("Content-Type", "application/x-ndjson; charset=utf-8");
  res.setHeader("X-OpenAR-Cursor", cursor);
  let count = 0;
  const connection = { closed: false };
  res.on("close", () => {
    connection.closed = true;
  });
  for await (const batch of store.streamOpenItems(filters, STREAM_BATCH)) {
    if (connection.closed) return;
    let chunk = "";
    for (const item of batch) chunk += `${JSON.stringify({ item })}\n`;
    count += batch.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  res.end(`${JSON.stringify({ end: { count, cursor, asOf: filters.asOf, basis: filters.basis } })}\n`);
}
