/**
 * The OpenAPI 3.1 description of API v1. Change-set schemas come from the
 * same zod schemas the server validates with, so the two cannot drift; a
 * test checks the document against the OpenAPI schema and that every route
 * the app registers is described here.
 */
import { z } from "zod";
import { changeSetSchema } from "../../shared/changeset.js";
import { externalJournalBatchSchema } from "../../shared/gl-journal-import.js";

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
const journalsSchema = z.toJSONSchema(externalJournalBatchSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
delete (journalsSchema as { $schema?: unknown }).$schema;

const nullableMoney = { oneOf: [money, { type: "null" }] };
const nullableDate = { oneOf: [isoDate, { type: "null" }] };
const nullableText = { type: ["string", "null"] };
const notFound = (what: string) => errorResponse(`No such ${what}`);

const uploadOptionParams = [
  q("format", "auto (default: detected from the first bytes), bai2, camt (camt.052/053/054, versions 02–13), lockbox (BAI lockbox) or csv", { type: "string", enum: ["auto", "bai2", "camt", "lockbox", "csv"] }),
  q("mapping", "CSV: the bank whose saved column mapping reads the file (PUT /api/v1/csv-mappings/{bank})"),
  q("accountId", "CSV: the account the export is for, when the mapping names none"),
  q("encoding", "Text encoding of the file (WHATWG label, default utf-8), e.g. windows-1252"),
  q("controlTotals", "BAI2: verify (default) refuses a file whose 49/98/99 totals or counts disagree with its records; ignore for a bank known to write wrong trailers", { type: "string", enum: ["verify", "ignore"] }),
  q("currency", "Lockbox account currency (default USD); BAI2 currency when the file names none", { type: "string", pattern: "^[A-Z]{3}$" }),
  q("lockboxOverflow", "Lockbox type 4 overflow layout: memo (default) or invoices:<number width>:<amount width>, e.g. invoices:15:10"),
  q("fileName", "The file's name, kept with the statement"),
];

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
        BankStatement: {
          type: "object",
          description: "One statement of an imported bank file (a file may hold several: BAI2 accounts and groups, camt Stmt/Ntfctn/Rpt). Amounts are signed from the account holder's side.",
          properties: {
            id: { type: "string" },
            fileSha256: { type: "string", description: "SHA-256 of the file: the same file imports once" },
            fileIndex: { type: "integer", description: "Position of the statement in its file, from 0" },
            fileName: nullableText,
            format: { type: "string", enum: ["bai2", "camt.052", "camt.053", "camt.054", "lockbox", "csv"] },
            account: { type: "string", description: "The IBAN when the file gives one, else the bank's account (or lockbox) number" },
            iban: nullableText,
            currency: { type: "string" },
            bankStatementId: nullableText,
            statementDate: nullableDate,
            from: { ...nullableDate, description: "First booking date of its booked lines (the statement date when it has none)" },
            to: { ...nullableDate, description: "Last booking date of its booked lines (the statement date when it has none)" },
            openingBalance: nullableMoney,
            closingBalance: nullableMoney,
            lineCount: { type: "integer" },
            importedAt: { type: "string" },
            importedBy: { type: "string" },
          },
        },
        BankLine: {
          type: "object",
          properties: {
            id: { type: "string", description: "Send as bankLineId in receipt.create to record this line" },
            statementId: { type: "string" },
            lineNo: { type: "integer", description: "Position in the statement, from 1" },
            fileLine: { type: "integer", description: "Line of the file where the record starts" },
            recordRef: { type: "string", description: "Where in the file, for people: \"BAI2 line 7 (16 detail)\"" },
            bookingDate: isoDate,
            valueDate: nullableDate,
            amount: { ...money, description: "Signed: a credit (money in) positive, a debit negative" },
            currency: { type: "string" },
            direction: { type: "string", enum: ["credit", "debit"] },
            entryStatus: { type: "string", enum: ["booked", "pending", "information", "future"], description: "The bank's status; only booked lines become receipts and count toward the balance" },
            reversal: { type: "boolean" },
            bankReference: nullableText,
            customerReference: nullableText,
            payerName: nullableText,
            payerAccount: { ...nullableText, description: "Letters and digits only, upper case" },
            typeCode: nullableText,
            checkNumber: nullableText,
            remittance: {
              type: "object",
              properties: {
                unstructured: { type: "array", items: { type: "string" } },
                documents: { type: "array", items: { type: "object", properties: { number: { type: "string" }, amount: money } } },
                creditorReference: { type: "string" },
              },
            },
            status: { type: "string", enum: ["open", "matched", "ignored"], description: "open until a receipt records the line" },
            receiptId: nullableText,
            version: { type: "integer" },
            suggestion: { oneOf: [{ $ref: "#/components/schemas/MatchSuggestion" }, { type: "null" }] },
          },
        },
        MatchSuggestion: {
          type: "object",
          description: "The matching engine's proposal for an open credit line: who paid and what it settles, with a confidence (0–1) and the reasons in words. Nothing is applied until a change set records it (receipt.create with bankLineId and applications).",
          properties: {
            customerId: nullableText,
            customerNumber: nullableText,
            customerName: nullableText,
            kind: { type: "string", enum: ["invoice", "exact", "discount", "combination", "shortPay", "unmatched", "debit"] },
            allocations: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  documentId: { type: "string" },
                  documentNumber: { type: "string" },
                  documentVersion: { type: ["integer", "null"] },
                  amount: money,
                  discount: money,
                  writeOff: money,
                  writeOffReason: nullableText,
                },
              },
            },
            unapplied: money,
            confidence: { type: "number", minimum: 0, maximum: 1 },
            autoAccept: { type: "boolean", description: "At or above the auto-accept threshold with no safety rule against it" },
            reasons: { type: "array", items: { type: "string" } },
          },
        },
        CsvMapping: {
          type: "object",
          description: "How to read one bank's CSV export (see shared/bank.ts CsvMapping): delimiter, headerRow, skipRows, date {column, format}, valueDate, amount (a column, or {debit, credit}), decimal, group, currency or currencyColumn, description, reference, payerName, payerAccount, accountId. Columns are header names or 0-based positions.",
          required: ["delimiter", "headerRow", "date", "amount", "decimal", "group"],
          properties: {
            delimiter: { type: "string", enum: [",", ";", "\t", "|"] },
            headerRow: { type: "boolean" },
            skipRows: { type: "integer", minimum: 0 },
            date: { type: "object", properties: { column: { type: ["string", "integer"] }, format: { type: "string", enum: ["YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "DD.MM.YYYY"] } } },
            valueDate: { type: "object" },
            amount: { oneOf: [{ type: ["string", "integer"] }, { type: "object", properties: { debit: { type: ["string", "integer"] }, credit: { type: ["string", "integer"] } } }] },
            decimal: { type: "string", enum: [".", ","] },
            group: { type: "string" },
            currency: { type: "string" },
            currencyColumn: { type: ["string", "integer"] },
            description: {},
            reference: { type: ["string", "integer"] },
            payerName: { type: ["string", "integer"] },
            payerAccount: { type: ["string", "integer"] },
            accountId: { type: "string" },
          },
        },
        BankReconciliation: {
          type: "object",
          description: "A statement's lines against recorded receipts. matched: line ↔ receipt; linesWithoutReceipt: booked lines no receipt records (credits and debits); receiptsWithoutLine: receipts in the statement's currency dated in its range that no line records; notBooked: pending/information entries, listed but not counted; otherCurrency: lines in another currency than the statement's, listed but not counted. balance: opening + Σ booked credits − Σ booked debits against the closing balance, with the difference.",
          properties: {
            statementId: { type: "string" },
            currency: { type: "string" },
            from: nullableDate,
            to: nullableDate,
            matched: { type: "array", items: { type: "object", properties: { line: { type: "object" }, receipt: { type: "object" } } } },
            linesWithoutReceipt: { type: "array", items: { type: "object" } },
            receiptsWithoutLine: { type: "array", items: { type: "object" } },
            notBooked: { type: "array", items: { type: "object" } },
            otherCurrency: { type: "array", items: { type: "object" } },
            totals: {
              type: "object",
              properties: { credits: money, debits: money, net: money, matched: money, creditsWithoutReceipt: money, debitsWithoutReceipt: money, receiptsWithoutLine: money },
            },
            balance: {
              type: "object",
              properties: {
                opening: nullableMoney,
                closing: nullableMoney,
                expectedClosing: nullableMoney,
                difference: { ...nullableMoney, description: "closing − (opening + credits − debits); null when a balance is missing" },
                ties: { type: ["boolean", "null"] },
                message: { type: "string" },
              },
            },
          },
        },
        ArGlReconciliation: {
          type: "object",
          description: "Per currency: subledgerOpen (the aging total as of the date: open documents plus unapplied cash, which aging shows negative), glBalance (Σ debit − credit on the AR control account over journals dated on or before it), difference = glBalance − subledgerOpen, and the reconciling items that explain it, each with its effect on that difference: unappliedCash (held in the unapplied-cash account), externalJournal (posted to AR control from outside the subledger), postedAfterAsOf (an event dated on or before the date posted to the GL after it: a back-dated posting), postedBeforeEvent, postingWithoutEvent, notPosted. unexplained = difference − Σ items is 0 when everything is accounted for.",
          properties: {
            asOf: isoDate,
            account: { type: "string" },
            currencies: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  currency: { type: "string" },
                  subledgerOpen: money,
                  subledgerDocuments: money,
                  unappliedCash: money,
                  glBalance: money,
                  difference: money,
                  items: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        kind: { type: "string", enum: ["unappliedCash", "externalJournal", "postedAfterAsOf", "postedBeforeEvent", "postingWithoutEvent", "notPosted"] },
                        amount: money,
                        date: nullableDate,
                        journalId: nullableText,
                        eventId: nullableText,
                        reference: nullableText,
                        description: { type: "string" },
                      },
                    },
                  },
                  explained: money,
                  unexplained: money,
                  reconciled: { type: "boolean" },
                },
              },
            },
          },
        },
        ExternalJournals: journalsSchema,
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
      "/api/v1/bank-statements": {
        get: {
          summary: "Imported bank statements, latest first",
          parameters: [q("account", "Only this account (IBAN or bank account number)"), q("limit", "At most this many (1–1000, default 100)", { type: "integer" })],
          responses: { "200": response("Statements", { type: "object", properties: { statements: { type: "array", items: { $ref: "#/components/schemas/BankStatement" } } } }), ...stdErrors },
        },
        post: {
          summary: "Import a bank file (BAI2, camt.052/053/054, BAI lockbox, CSV with a saved mapping): streamed through its parser, stored whole in one transaction or refused whole; the same file imports once (clerk)",
          parameters: uploadOptionParams,
          requestBody: {
            required: true,
            description: "The file itself as the body (any Content-Type but JSON, options in the query; at most 50 MB), or JSON with the same options and the file's text as `content`.",
            content: {
              "application/octet-stream": { schema: { type: "string", format: "binary" } },
              "text/plain": { schema: { type: "string" } },
              "application/json": {
                schema: {
                  type: "object",
                  required: ["content"],
                  properties: {
                    content: { type: "string", description: "The bank file's text" },
                    format: { type: "string", enum: ["auto", "bai2", "camt", "lockbox", "csv"] },
                    mapping: { oneOf: [{ type: "string", description: "A saved mapping's bank name" }, { $ref: "#/components/schemas/CsvMapping" }] },
                    accountId: { type: "string" },
                    encoding: { type: "string" },
                    controlTotals: { type: "string", enum: ["verify", "ignore"] },
                    currency: { type: "string" },
                    lockboxOverflow: { type: "string" },
                    fileName: { type: "string" },
                  },
                },
              },
            },
          },
          responses: {
            "201": response("Imported: every statement of the file", { type: "object", properties: { created: { const: true }, statements: { type: "array", items: { $ref: "#/components/schemas/BankStatement" } } } }),
            "200": response("This file (same SHA-256) was imported before: its statements as stored then", { type: "object", properties: { created: { const: false }, statements: { type: "array", items: { $ref: "#/components/schemas/BankStatement" } } } }),
            "401": stdErrors["401"],
            "403": stdErrors["403"],
            "413": errorResponse("The file is over 50 MB"),
            "415": errorResponse("A form upload: send the file itself as the body"),
            "422": response("The file was refused and nothing stored: the message names the format, line and record and what was wrong (a wrong control total, a truncated record, a date that does not exist)", { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { format: { type: "string" }, line: { type: "integer" }, record: { type: "string" } } }] }),
            "429": stdErrors["429"],
          },
        },
      },
      "/api/v1/bank-statements/{id}": {
        get: {
          summary: "One imported bank statement",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": response("The statement", { $ref: "#/components/schemas/BankStatement" }), "404": notFound("statement"), ...stdErrors },
        },
      },
      "/api/v1/bank-statements/{id}/lines": {
        get: {
          summary: "A statement's lines in order; open credit lines carry the matching engine's suggestion (customer, allocations, confidence, reasons)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, q("status", "Only lines with this match status", { type: "string", enum: ["open", "matched", "ignored"] })],
          responses: { "200": response("The statement and its lines", { type: "object", properties: { statement: { $ref: "#/components/schemas/BankStatement" }, lines: { type: "array", items: { $ref: "#/components/schemas/BankLine" } } } }), "404": notFound("statement"), ...stdErrors },
        },
      },
      "/api/v1/csv-mappings/{bank}": {
        get: {
          summary: "The CSV column mapping saved for a bank",
          parameters: [{ name: "bank", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": response("The mapping", { type: "object", properties: { bank: { type: "string" }, mapping: { $ref: "#/components/schemas/CsvMapping" }, version: { type: "integer" }, updatedAt: { type: "string" }, updatedBy: { type: "string" } } }), "404": notFound("mapping"), ...stdErrors },
        },
        put: {
          summary: "Save (or replace) a bank's CSV column mapping (clerk)",
          parameters: [{ name: "bank", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CsvMapping" } } } },
          responses: {
            "200": response("Saved", { type: "object", properties: { bank: { type: "string" }, mapping: { $ref: "#/components/schemas/CsvMapping" }, version: { type: "integer" } } }),
            "422": errorResponse("The mapping is malformed: `field` says which part"),
            ...stdErrors,
          },
        },
      },
      "/api/v1/reconciliation/bank/{statementId}": {
        get: {
          summary: "Bank deposit reconciliation of a statement: lines against recorded receipts, and whether opening + credits − debits ties to the closing balance",
          parameters: [{ name: "statementId", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": response("The reconciliation", { $ref: "#/components/schemas/BankReconciliation" }), "404": notFound("statement"), ...stdErrors },
        },
      },
      "/api/v1/gl/journals": {
        post: {
          summary: "Import journals posted to the AR control account from outside the subledger (controller): balanced, dated, one currency each, never into a closed period; a journal id imports once",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ExternalJournals" } } } },
          responses: {
            "201": response("Imported", { type: "object", properties: { status: { const: "committed" }, journals: { type: "array", items: { type: "object", properties: { id: { type: "string" }, glId: { type: "string" }, date: isoDate, currency: { type: "string" }, arAmount: money } } } } }),
            "409": errorResponse("A journal id was imported before (ids lists them); nothing was written"),
            "422": response("Refused: each error names the journal index and the field; nothing was written", { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { errors: { type: "array", items: { $ref: "#/components/schemas/OperationError" } } } }] }),
            ...stdErrors,
          },
        },
      },
      "/api/v1/reconciliation/ar-gl": {
        get: {
          summary: "AR subledger to GL control-account reconciliation as of a date, per currency, with the reconciling items that explain the difference",
          parameters: [q("asOf", "As-of date (default: today)", isoDate)],
          responses: { "200": response("The reconciliation", { $ref: "#/components/schemas/ArGlReconciliation" }), ...stdErrors },
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
