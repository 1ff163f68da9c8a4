/**
 * The OpenAPI 3.1 description of API v1. Change-set schemas come from the
 * same zod schemas the server validates with, so the two cannot drift; a
 * test checks the document against the OpenAPI schema and that every route
 * the app registers is described here.
 */
import { z } from "zod";
import { changeSetSchema } from "../../shared/changeset.js";

const money = { type: "string", pattern: "^-?\\d+(\\.\\d+)?$", description: "Exact decimal amount as text, e.g. \"1234.50\"" };
const isoDate = { type: "string", format: "date", description: "Calendar date YYYY-MM-DD" };
const bucketMap = { type: "object", additionalProperties: money };

const errorBody = {
  type: "object",
  required: ["error", "message", "requestId"],
  properties: {
    error: { type: "string", description: "Machine-readable code, e.g. unauthorized, validation_failed, conflict" },
    message: { type: "string" },
    requestId: { type: "string" },
  },
  additionalProperties: true,
};

const response = (description: string, schema: object) => ({ description, content: { "application/json": { schema } } });
const errorResponse = (description: string) => response(description, { $ref: "#/components/schemas/Error" });
const stdErrors = {
  "400": errorResponse("A query parameter is malformed: `field` and `reason` say which and why"),
  "401": errorResponse("No, malformed, unknown, revoked or expired credentials"),
  "403": errorResponse("The caller's role may not do this"),
  "429": errorResponse("Too many requests for this user; see Retry-After"),
};

const q = (name: string, description: string, schema: object = { type: "string" }, required = false) => ({ name, in: "query", required, description, schema });
const agingParams = [
  q("asOf", "As-of date (default: today). Only events dated on or before it count; documents dated after it are absent.", isoDate),
  q("basis", "`due` (default): days past due; Current holds not-yet-due and due-today. `document`: days since the document date.", { type: "string", enum: ["due", "document"] }),
  q("buckets", "Bucket edges in days, comma-separated, strictly increasing (default 30,60,90,120)", { type: "string", example: "30,60,90,120" }),
  q("customerId", "Only this customer"),
  q("collector", "Only customers of this collector"),
  q("currency", "Only amounts in this ISO 4217 currency", { type: "string", pattern: "^[A-Z]{3}$" }),
];

const operationsSchema = z.toJSONSchema(changeSetSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
delete (operationsSchema as { $schema?: unknown }).$schema;

export function openApiDocument(serverUrl = "/"): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "OpenAR sync service",
      version: "1.0.0",
      description: [
        "Accounts-receivable ledger API used by the OpenAR Excel add-in.",
        "",
        "**Money** is always a decimal string (\"1234.50\") with the currency's ISO 4217 minor units; never a JSON number.",
        "**Dates** are YYYY-MM-DD calendar dates. Every request except health and this description needs `Authorization: Bearer <token>`.",
        "",
        "**Aging conventions.** As-of reporting is historical: an item's open amount as of D counts only applications, credits and write-offs dated on or before D, and documents dated after D do not exist yet.",
        "Basis `due` (default): days past due = D − due date; Current holds days ≤ 0 (due today is current), then 1–30, 31–60, 61–90, 91–120, over 120.",
        "Basis `document`: age = D − document date; buckets 0–30, 31–60, … over 120. Bucket edges are configurable.",
        "Credit memos and unapplied cash are negative items aged by their own date. Totals are per currency; currencies are never summed together.",
        "",
        "**Change sets** are atomic (all operations or none), idempotent by their client-generated id (a retry returns the stored result; the same id with another payload is a 409 naming the differences), and optimistic: an operation stating an older version of a row than the server has is a 409 listing each conflict with the server's current state. `dryRun=true` runs every check and writes nothing.",
      ].join("\n"),
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An OpenAR token (oar_…) or, when configured, a Microsoft Entra ID access token" },
      },
      schemas: {
        Error: errorBody,
        Money: money,
        ChangeSet: operationsSchema,
        OperationError: {
          type: "object",
          required: ["index", "ref", "op", "field", "code", "message"],
          properties: {
            index: { type: "integer", description: "Position of the operation in the change set (-1: the body itself)" },
            ref: { type: ["string", "null"], description: "The client's row reference, e.g. Payments!A12" },
            op: { type: ["string", "null"] },
            field: { type: "string", description: "Path of the offending field within the operation" },
            code: { type: "string" },
            message: { type: "string" },
          },
        },
        Conflict: {
          type: "object",
          required: ["index", "entity", "id", "expectedVersion", "currentVersion", "current"],
          properties: {
            index: { type: "integer" },
            ref: { type: ["string", "null"] },
            entity: { type: "string", enum: ["customer", "document", "receipt", "dispute"] },
            id: { type: "string" },
            expectedVersion: { type: "integer" },
            currentVersion: { type: "integer" },
            current: { type: "object", description: "The row as the server has it now" },
          },
        },
        OpenItem: {
          type: "object",
          properties: {
            kind: { type: "string", enum: ["invoice", "debitMemo", "creditMemo", "unappliedCash"] },
            id: { type: "string" },
            customerId: { type: "string" },
            customerNumber: { type: "string" },
            customerName: { type: "string" },
            collector: { type: ["string", "null"] },
            number: { type: "string" },
            documentDate: isoDate,
            dueDate: isoDate,
            currency: { type: "string" },
            amount: money,
            open: money,
            days: { type: "integer" },
            bucket: { type: "string" },
            disputed: { type: "boolean" },
            version: { type: "integer" },
            lastNote: { type: ["object", "null"] },
            dispute: { type: ["object", "null"], description: "The open dispute (id, reasonCode, amount, version)" },
            terms: { type: ["string", "null"], description: "The document's payment terms code (\"2/10 NET 30\"); null for unapplied cash" },
            promise: {
              type: ["object", "null"],
              description:
                "The document's latest promise to pay, else the customer's latest general promise; null if neither exists. `status` is judged as of the query's as-of date: kept when what was settled on the document (or on all the customer's documents, for a general promise) in the promise's currency from `madeOn` through `date` — and not after the as-of date — covers `amount`; broken when not kept and `date` is before the as-of date; otherwise pending.",
              required: ["amount", "currency", "date", "madeOn", "status"],
              properties: {
                amount: money,
                currency: { type: "string", pattern: "^[A-Z]{3}$" },
                date: { ...isoDate, description: "The date the customer promised to pay by" },
                madeOn: { ...isoDate, description: "The UTC date the promise was recorded" },
                status: { type: "string", enum: ["kept", "broken", "pending"] },
              },
            },
          },
        },
        Customer: {
          type: "object",
          properties: {
            id: { type: "string" },
            number: { type: "string" },
            name: { type: "string" },
            currency: { type: "string" },
            terms: { type: "string" },
            creditLimit: { oneOf: [money, { type: "null" }] },
            collector: { type: ["string", "null"] },
            onHold: { type: "boolean" },
            version: { type: "integer" },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/health": {
        get: {
          summary: "Service health, store kind and schema version",
          security: [],
          responses: { "200": response("Healthy", { type: "object", properties: { status: { const: "ok" }, store: { type: "string", enum: ["sqlite", "postgres", "mssql"] }, schemaVersion: { type: "integer" } } }) },
        },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", security: [], responses: { "200": response("OpenAPI 3.1", { type: "object" }) } } },
      "/api/v1/docs": { get: { summary: "This document as a readable page", security: [], responses: { "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } } } },
      "/api/v1/customers": {
        get: {
          summary: "Customers, by number; search matches number or name",
          parameters: [q("search", "Text found in the number or name (case-insensitive)"), q("collector", "Only this collector's customers"), q("limit", "Page size (1–5000, default 500)", { type: "integer" }), q("after", "Customer number to continue after")],
          responses: { "200": response("A page of customers", { type: "object", properties: { customers: { type: "array", items: { $ref: "#/components/schemas/Customer" } }, next: { type: ["string", "null"] } } }), ...stdErrors },
        },
      },
      "/api/v1/open-items": {
        get: {
          summary: "Open items as of a date, aged; paged, or streamed as NDJSON for large pulls",
          parameters: [
            ...agingParams,
            q("limit", "Page size (1–5000, default 1000)", { type: "integer" }),
            q("after", "The `next` cursor of the previous page"),
            q("stream", "true: stream every item as NDJSON lines {\"item\":…}, ending with {\"end\":{count,cursor}} (same as Accept: application/x-ndjson)", { type: "boolean" }),
          ],
          responses: {
            "200": {
              description: "A page of open items; `cursor` is the change-feed position to catch up from with /changes",
              content: {
                "application/json": { schema: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/OpenItem" } }, next: { type: ["string", "null"] }, cursor: { type: "string" } } } },
                "application/x-ndjson": { schema: { type: "string" } },
              },
            },
            ...stdErrors,
          },
        },
      },
      "/api/v1/aging": {
        get: {
          summary: "Aging by customer and bucket with totals per currency",
          parameters: [...agingParams, q("excludeDisputed", "Leave disputed items out of the buckets (reported separately)", { type: "boolean" })],
          responses: { "200": response("Aging report", { type: "object", properties: { asOf: isoDate, basis: { type: "string" }, buckets: { type: "array" }, customers: { type: "array", items: { type: "object", properties: { customerId: { type: "string" }, currency: { type: "string" }, buckets: bucketMap, total: money } } }, totals: { type: "array" }, disputed: { type: "array" } } }), ...stdErrors },
        },
      },
      "/api/v1/customers/{id}/statement": {
        get: {
          summary: "Customer statement: opening balance, activity and closing balance for a date range",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, q("from", "First day (default: first of to's month)", isoDate), q("to", "Last day (default: today)", isoDate), q("currency", "Statement currency (default: the customer's)")],
          responses: { "200": response("Statement", { type: "object", properties: { openingBalance: money, closingBalance: money, lines: { type: "array" } } }), ...stdErrors, "404": errorResponse("No such customer") },
        },
      },
      "/api/v1/changes": {
        get: {
          summary: "What changed after a cursor (for refresh that merges)",
          parameters: [q("since", "Cursor from a pull or an earlier /changes (default 0)"), q("limit", "At most this many changes (1–5000)", { type: "integer" })],
          responses: { "200": response("Changes in order, each with the entity's current state", { type: "object", properties: { changes: { type: "array" }, cursor: { type: "string" }, hasMore: { type: "boolean" } } }), ...stdErrors },
        },
      },
      "/api/v1/changesets": {
        post: {
          summary: "Push one change set: atomic, idempotent, optimistic",
          parameters: [q("dryRun", "true: run every check and write nothing", { type: "boolean" })],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ChangeSet" } } } },
          responses: {
            "201": response("Committed", { type: "object", properties: { status: { const: "committed" }, replayed: { type: "boolean" }, id: { type: "string" }, results: { type: "array" }, cursor: { type: "string" } } }),
            "200": response("A retry of a committed change set (replayed: true), or a dry run that passed", { type: "object" }),
            "400": errorResponse("Malformed JSON"),
            "401": stdErrors["401"],
            "403": stdErrors["403"],
            "409": response("Stale versions (conflicts lists each with the server's current state), or the id was used for another payload (differences)", { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { conflicts: { type: "array", items: { $ref: "#/components/schemas/Conflict" } }, differences: { type: "array", items: { type: "string" } } } }] }),
            "413": errorResponse("Body over the size limit"),
            "422": response("Validation failed: each error names the operation index, row ref and field; nothing was written", { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { errors: { type: "array", items: { $ref: "#/components/schemas/OperationError" } } } }] }),
            "429": stdErrors["429"],
          },
        },
      },
      "/api/v1/changesets/{id}": {
        get: {
          summary: "A committed change set's stored result (404 if that id never committed): lets a client whose connection dropped learn whether its push landed",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": response("Committed, with its results", { type: "object", properties: { status: { const: "committed" }, id: { type: "string" }, results: { type: "array" }, cursor: { type: "string" } } }), "404": errorResponse("Never committed"), ...stdErrors },
        },
      },
      "/api/v1/tokens": {
        post: {
          summary: "Create a bearer token (admin). The token is shown once; only its hash is stored.",
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["user", "role"], properties: { user: { type: "string" }, role: { type: "string", enum: ["viewer", "clerk", "controller", "admin"] } } } } } },
          responses: { "201": response("Created", { type: "object", properties: { id: { type: "string" }, token: { type: "string" } } }), ...stdErrors },
        },
      },
      "/api/v1/tokens/{id}": {
        delete: {
          summary: "Revoke a token (admin)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "204": { description: "Revoked" }, "404": errorResponse("No active token with that id"), ...stdErrors },
        },
      },
    },
  };
}

/** A readable page of the OpenAPI document, self-contained (no CDN). */
export function docsPage(doc: Record<string, unknown>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
  const info = doc.info as { title: string; description: string };
  const paths = doc.paths as Record<string, Record<string, { summary?: string; parameters?: { name: string; in: string; description?: string }[]; responses?: Record<string, { description?: string }> }>>;
  const sections = Object.entries(paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const params = (op.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${p.in}) — ${esc(p.description ?? "")}</li>`).join("");
        const responses = Object.entries(op.responses ?? {}).map(([code, r]) => `<li><b>${code}</b> ${esc(r.description ?? "")}</li>`).join("");
        return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2><p>${esc(op.summary ?? "")}</p>${params === "" ? "" : `<h3>Parameters</h3><ul>${params}</ul>`}<h3>Responses</h3><ul>${responses}</ul></section>`;
      }),
    )
    .join("\n");
  const description = esc(info.description)
    .split("\n\n")
    .map((p) => `<p>${p.replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/`(.+?)`/g, "<code>$1</code>")}</p>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} — API v1</title>
<style>body{font:14px/1.5 "Segoe UI",system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#242424}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{background:#0f6cbd;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8em}code{background:#f5f5f5;padding:0 .2rem}</style></head>
<body><h1>${esc(info.title)}</h1>${description}<p>Machine-readable: <a href="openapi.json">openapi.json</a></p>${sections}</body></html>`;
}
