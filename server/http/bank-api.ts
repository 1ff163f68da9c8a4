/**
 * HTTP routes of issue 6: bank statement import and lines with match
 * suggestions, CSV mappings per bank, bank deposit reconciliation, external
 * GL journals to AR control, and the AR-to-GL reconciliation. Documented in
 * openapi.ts. Handlers parse and check the request, call the store (or the
 * import service), and shape the answer; the computing is in shared/.
 *
 * The upload route has its own router (`bankUploadRouter`), mounted before
 * the API's JSON body parser: a bank file is streamed as it arrives, with
 * its own, larger body limit.
 */
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { BankFileError, parseCsvMapping, type CsvMapping } from "../../shared/bank.js";
import type { BankLineMatchStatus } from "../../shared/bank-reconciliation.js";
import type { Clock } from "../../shared/dates.js";
import { isDomainError, type DomainError } from "../../shared/errors.js";
import {
  BANK_FILE_LIMIT_BYTES,
  BankFileTooLargeError,
  importBankFile,
  parseLockboxOverflow,
  REQUESTED_BANK_FORMATS,
  type BankFileOptions,
  type RequestedBankFormat,
} from "../bank-import.js";
import type { ChunkSource } from "../import/index.js";
import type { LedgerStore } from "../store/port.js";
import { requireRole } from "./auth.js";
import { HttpError } from "./errors.js";
import { badParameter, QueryReader } from "./query.js";
import { requirePrincipal } from "./request-context.js";

const JSON_TYPES = ["application/json", "application/*+json"];
const LINE_STATUSES: readonly BankLineMatchStatus[] = ["open", "matched", "ignored"];

function pathParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (typeof value !== "string" || value === "") throw badParameter(name, "is required in the path");
  return value;
}

/** A refused bank file: 422 naming the format, line and record, and what was wrong. */
function refusedFile(error: DomainError): HttpError {
  const details: Record<string, unknown> = {};
  if (error instanceof BankFileError) {
    details.format = error.format;
    if (error.line !== undefined) details.line = error.line;
    if (error.record !== undefined) details.record = error.record;
  } else if (error.field !== undefined) {
    details.field = error.field;
  }
  return new HttpError({ status: 422, error: "validation_failed", message: `the bank file was refused; nothing was stored: ${error.message}`, details });
}

interface UploadFields {
  readonly format?: unknown;
  readonly mapping?: unknown;
  readonly content?: unknown;
  readonly encoding?: unknown;
  readonly accountId?: unknown;
  readonly controlTotals?: unknown;
  readonly currency?: unknown;
  readonly lockboxOverflow?: unknown;
  readonly fileName?: unknown;
}

const UPLOAD_FIELDS = new Set(["format", "mapping", "content", "encoding", "accountId", "controlTotals", "currency", "lockboxOverflow", "fileName"]);

function optionalText(fields: UploadFields, name: keyof UploadFields, max = 200): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "" || value.length > max) {
    throw new HttpError({ status: 422, error: "validation_failed", message: `${name} must be non-empty text of at most ${max} characters`, details: { field: name } });
  }
  return value;
}

async function uploadOptions(store: LedgerStore, fields: UploadFields): Promise<{ options: BankFileOptions; fileName: string | null }> {
  const format = optionalText(fields, "format", 10) ?? "auto";
  if (!REQUESTED_BANK_FORMATS.includes(format as RequestedBankFormat)) {
    throw new HttpError({ status: 422, error: "validation_failed", message: `format must be one of ${REQUESTED_BANK_FORMATS.join(", ")}; got "${format}"`, details: { field: "format" } });
  }
  let mapping: CsvMapping | undefined;
  if (typeof fields.mapping === "object" && fields.mapping !== null) {
    mapping = parseCsvMapping(fields.mapping);
  } else {
    const bank = optionalText(fields, "mapping");
    if (bank !== undefined) {
      const saved = await store.csvMapping(bank);
      if (saved === null) {
        throw new HttpError({
          status: 422,
          error: "validation_failed",
          message: `no CSV mapping is saved for bank "${bank}"; save one with PUT /api/v1/csv-mappings/${encodeURIComponent(bank)}`,
          details: { field: "mapping" },
        });
      }
      mapping = saved.mapping;
    }
  }
  const controlTotals = optionalText(fields, "controlTotals", 10);
  if (controlTotals !== undefined && controlTotals !== "verify" && controlTotals !== "ignore") {
    throw new HttpError({ status: 422, error: "validation_failed", message: 'controlTotals must be "verify" or "ignore"', details: { field: "controlTotals" } });
  }
  const overflow = optionalText(fields, "lockboxOverflow", 20);
  const encoding = optionalText(fields, "encoding", 40);
  const accountId = optionalText(fields, "accountId");
  const currency = optionalText(fields, "currency", 3);
  const options: BankFileOptions = {
    format: format as RequestedBankFormat,
    ...(mapping === undefined ? {} : { mapping }),
    ...(encoding === undefined ? {} : { encoding }),
    ...(accountId === undefined ? {} : { accountId }),
    ...(controlTotals === undefined ? {} : { controlTotals }),
    ...(currency === undefined ? {} : { currency }),
    ...(overflow === undefined ? {} : { lockboxOverflow: parseLockboxOverflow(overflow) }),
  };
  return { options, fileName: optionalText(fields, "fileName", 400) ?? null };
}

/**
 * POST /bank-statements: the file as the raw body (any type but JSON;
 * options in the query), or JSON { format, mapping, content, … }.
 */
export function bankUploadRouter(deps: { store: LedgerStore; before: readonly RequestHandler[]; limitBytes?: number }): Router {
  const { store } = deps;
  const limitBytes = deps.limitBytes ?? BANK_FILE_LIMIT_BYTES;
  const router = Router();
  const json: RequestHandler = express.json({ limit: limitBytes, type: JSON_TYPES, strict: true });
  router.post("/bank-statements", ...deps.before, requireRole("post"), json, async (req: Request, res: Response) => {
    const principal = requirePrincipal(req);
    // req.is: the matching type, false for another type, null without a body.
    const isJson = typeof req.is(JSON_TYPES) === "string";
    if (typeof req.is(["multipart/*", "application/x-www-form-urlencoded"]) === "string") {
      throw new HttpError({
        status: 415,
        error: "unsupported_media_type",
        message: "send the bank file itself as the body (e.g. Content-Type: application/octet-stream), or JSON { format, mapping, content }",
      });
    }
    let fields: UploadFields;
    let source: ChunkSource;
    if (isJson) {
      const body = req.body as unknown;
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new HttpError({ status: 422, error: "validation_failed", message: "the JSON body must be { format, mapping, content }", details: { field: "body" } });
      }
      const unknown = Object.keys(body).filter((k) => !UPLOAD_FIELDS.has(k));
      if (unknown.length > 0) {
        throw new HttpError({ status: 422, error: "validation_failed", message: `unknown field(s) ${unknown.join(", ")}; expected ${[...UPLOAD_FIELDS].join(", ")}`, details: { field: unknown.join(",") } });
      }
      fields = body;
      if (typeof fields.content !== "string" || fields.content === "") {
        throw new HttpError({ status: 422, error: "validation_failed", message: "content must be the bank file's text", details: { field: "content" } });
      }
      source = [fields.content];
    } else {
      const q = new QueryReader(req);
      fields = Object.fromEntries(
        [...UPLOAD_FIELDS].filter((k) => k !== "content").flatMap((k) => {
          const value = q.text(k, 400);
          return value === undefined ? [] : [[k, value]];
        }),
      );
      source = req;
    }
    try {
      const { options, fileName } = await uploadOptions(store, fields);
      const result = await importBankFile({ store, source, options, user: principal.user, fileName, limitBytes });
      res.status(result.created ? 201 : 200).json(result);
    } catch (error) {
      if (error instanceof BankFileTooLargeError) {
        // Stop reading the rest of a body we will not keep.
        res.setHeader("Connection", "close");
        req.resume();
        throw new HttpError({ status: 413, error: "payload_too_large", message: error.message, details: { limitBytes: error.limitBytes } });
      }
      if (isDomainError(error)) throw refusedFile(error);
      throw error;
    }
  });
  return router;
}

/** The JSON routes, registered on the API router (after its body parser). */
export function registerBankRoutes(router: Router, deps: { store: LedgerStore; clock: Clock }): void {
  const { store, clock } = deps;
  const read = requireRole("read");

  router.get("/bank-statements", read, async (req, res) => {
    const q = new QueryReader(req);
    const account = q.text("account");
    const statements = await store.bankStatements({ limit: q.integer("limit", { min: 1, max: 1000, fallback: 100 }), ...(account === undefined ? {} : { account }) });
    res.json({ statements });
  });

  router.get("/bank-statements/:id", read, async (req, res) => {
    const id = pathParam(req, "id");
    const statement = await store.bankStatement(id);
    if (statement === null) throw new HttpError({ status: 404, error: "not_found", message: `no bank statement ${id}` });
    res.json(statement);
  });

  router.get("/bank-statements/:id/lines", read, async (req, res) => {
    const id = pathParam(req, "id");
    const q = new QueryReader(req);
    const status = q.text("status", 10);
    if (status !== undefined && !LINE_STATUSES.includes(status as BankLineMatchStatus)) {
      throw badParameter("status", `must be one of ${LINE_STATUSES.join(", ")}`);
    }
    const statement = await store.bankStatement(id);
    if (statement === null) throw new HttpError({ status: 404, error: "not_found", message: `no bank statement ${id}` });
    const lines = await store.bankLines({ statementId: id, ...(status === undefined ? {} : { status: status as BankLineMatchStatus }) });
    res.json({ statement, lines });
  });

  router.get("/csv-mappings/:bank", read, async (req, res) => {
    const bank = pathParam(req, "bank");
    const saved = await store.csvMapping(bank);
    if (saved === null) throw new HttpError({ status: 404, error: "not_found", message: `no CSV mapping is saved for bank "${bank}"` });
    res.json(saved);
  });

  router.put("/csv-mappings/:bank", requireRole("post"), async (req, res) => {
    const bank = pathParam(req, "bank");
    if (bank.length > 200) throw badParameter("bank", "must be at most 200 characters");
    let mapping: CsvMapping;
    try {
      mapping = parseCsvMapping(req.body);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      throw new HttpError({ status: 422, error: "validation_failed", message: error.message, details: { field: error.field ?? "body" } });
    }
    res.json(await store.saveCsvMapping(bank, mapping, requirePrincipal(req).user));
  });

  router.get("/reconciliation/bank/:statementId", read, async (req, res) => {
    const id = pathParam(req, "statementId");
    const report = await store.bankReconciliation(id);
    if (report === null) throw new HttpError({ status: 404, error: "not_found", message: `no bank statement ${id}` });
    res.json(report);
  });

  router.post("/gl/journals", requireRole("postGlJournals"), async (req, res) => {
    const outcome = await store.importGlJournals(req.body, requirePrincipal(req).user);
    switch (outcome.status) {
      case "committed":
        res.status(201).json({ status: "committed", journals: outcome.journals });
        return;
      case "invalid":
        throw new HttpError({
          status: 422,
          error: "validation_failed",
          message: `the journals were refused: ${outcome.errors.length} problem${outcome.errors.length === 1 ? "" : "s"}; nothing was written`,
          details: { errors: outcome.errors },
        });
      case "duplicate":
        throw new HttpError({
          status: 409,
          error: "conflict",
          message: `journal(s) ${outcome.ids.join(", ")} were imported before; nothing was written`,
          details: { ids: outcome.ids },
        });
    }
  });

  router.get("/reconciliation/ar-gl", read, async (req, res) => {
    const q = new QueryReader(req);
    res.json(await store.arGlReconciliation(q.asOf(clock)));
  });
}
