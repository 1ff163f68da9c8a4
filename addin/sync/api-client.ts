/**
 * The add-in's HTTP client for the sync service. Every failure becomes an
 * `ApiError` whose message a clerk can act on: the server is down, the token
 * was refused or has expired, the answer was malformed. The token lives only
 * in memory (and, at the user's choice, the browser session) — never in the
 * workbook.
 */
import type { z } from "zod";
import { DomainError } from "../../shared/errors.js";
import {
  agingWire,
  arGlReconciliationWire,
  bankLinesWire,
  bankReconciliationWire,
  bankUploadWire,
  changesWire,
  committedWire,
  customersWire,
  errorWire,
  healthWire,
  readPushAnswer,
  streamLineWire,
  type AgingWire,
  type ArGlReconciliationWire,
  type BankLinesWire,
  type BankReconciliationWire,
  type BankUploadWire,
  type ChangesWire,
  type CommittedWire,
  type CustomerWire,
  type OpenItemWire,
  type PushAnswer,
} from "./wire.js";

export type ApiErrorKind = "unreachable" | "unauthorized" | "forbidden" | "invalid" | "conflict" | "malformed" | "server" | "cancelled";

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly body: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface PullParams {
  readonly asOf: string;
  readonly basis: "due" | "document";
  readonly buckets: readonly number[];
  readonly customerId?: string | undefined;
  readonly collector?: string | undefined;
  readonly currency?: string | undefined;
}

export interface Connection {
  readonly baseUrl: string;
  readonly token: string;
}

type Fetch = typeof fetch;

export class ApiClient {
  readonly #connection: Connection;
  readonly #fetch: Fetch;

  constructor(connection: Connection, fetchImpl: Fetch = (input, init) => fetch(input, init)) {
    this.#connection = { baseUrl: connection.baseUrl.replace(/\/+$/, ""), token: connection.token };
    this.#fetch = fetchImpl;
  }

  get baseUrl(): string {
    return this.#connection.baseUrl;
  }

  health(signal?: AbortSignal): Promise<z.infer<typeof healthWire>> {
    return this.#json("/api/v1/health", healthWire, { signal, auth: false });
  }

  /** Checks the token by reading one customer; a refused token throws `unauthorized`. */
  async verifyToken(signal?: AbortSignal): Promise<void> {
    await this.#request("/api/v1/customers?limit=1", { signal });
  }

  /** Customers by their numbers (exact match), for rows that name a customer. */
  async customersByNumber(numbers: readonly string[], signal?: AbortSignal): Promise<Map<string, CustomerWire>> {
    const found = new Map<string, CustomerWire>();
    for (const number of new Set(numbers.map((n) => n.trim()).filter((n) => n !== ""))) {
      const page = await this.#json(`/api/v1/customers?search=${encodeURIComponent(number)}&limit=50`, customersWire, { signal });
      const exact = page.customers.find((c) => c.number.toLowerCase() === number.toLowerCase());
      if (exact !== undefined) found.set(number, exact);
    }
    return found;
  }

  /**
   * Sends a change set. Answers the server gives about the change set itself
   * (committed, validated, 422 errors, 409 conflicts) come back as values;
   * transport failures throw ApiError (the caller keeps the change set to retry).
   */
  async pushChangeSet(changeSet: unknown, options: { dryRun: boolean; signal?: AbortSignal }): Promise<PushAnswer> {
    const { body } = await this.postJson(`/api/v1/changesets${options.dryRun ? "?dryRun=true" : ""}`, changeSet, options.signal);
    const answer = readPushAnswer(body);
    if (answer === null) throw new ApiError("malformed", "the server's answer to the push was not understood");
    return answer;
  }

  /** Whether a change set committed: its stored result, or null when it never did. */
  async committedChangeSet(id: string, signal?: AbortSignal): Promise<CommittedWire | null> {
    try {
      return await this.#json(`/api/v1/changesets/${encodeURIComponent(id)}`, committedWire, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  aging(params: PullParams, signal?: AbortSignal): Promise<AgingWire> {
    return this.#json(`/api/v1/aging?${query(params)}`, agingWire, { signal });
  }

  changes(since: string, signal?: AbortSignal): Promise<ChangesWire> {
    return this.#json(`/api/v1/changes?since=${encodeURIComponent(since)}&limit=5000`, changesWire, { signal });
  }

  /**
   * Streams every open item (NDJSON), calling `onBatch` with parsed items as
   * they arrive, so a 1,000,000-item pull never holds the whole answer.
   */
  async streamOpenItems(
    params: PullParams,
    onBatch: (items: readonly OpenItemWire[]) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ count: number; cursor: string }> {
    const response = await this.#request(`/api/v1/open-items?stream=true&${query(params)}`, {
      signal,
      accept: "application/x-ndjson",
    });
    const body = response.body;
    if (body === null) throw new ApiError("malformed", "the server sent no open items (empty response)");
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let batch: OpenItemWire[] = [];
    let end: { count: number; cursor: string } | null = null;
    let lineNo = 0;
    const take = (line: string) => {
      lineNo += 1;
      if (line.trim() === "") return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ApiError("malformed", `the server's open items were malformed at line ${lineNo} (not JSON)`);
      }
      const checked = streamLineWire.safeParse(parsed);
      if (!checked.success) {
        throw new ApiError("malformed", `the server's open items were malformed at line ${lineNo}: ${checked.error.issues[0]?.message ?? "unexpected shape"}`);
      }
      if ("item" in checked.data) batch.push(checked.data.item);
      else end = { count: checked.data.end.count, cursor: checked.data.end.cursor };
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          take(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
        }
        if (batch.length >= 2_000) {
          const full = batch;
          batch = [];
          await onBatch(full);
        }
      }
      take(buffer);
      if (batch.length > 0) await onBatch(batch);
    } catch (error) {
      if (signal?.aborted === true) throw new ApiError("cancelled", "the pull was cancelled; the sheets were left as they were");
      if (error instanceof ApiError) throw error;
      // An item that passed the shape check but not the domain rules (an amount with more decimals than its currency has).
      if (error instanceof DomainError) throw new ApiError("malformed", `the server's open items were malformed: ${error.message}`);
      throw new ApiError("unreachable", `the connection to ${this.baseUrl} broke during the pull: ${errorText(error)}`);
    }
    const finished = end as { count: number; cursor: string } | null;
    if (finished === null) throw new ApiError("malformed", "the pull ended early: the server's stream stopped before its end marker");
    return finished;
  }

  /**
   * Imports a bank file: its bytes (or text) as the body, the format in the
   * query. The same file imported twice answers with the statements stored
   * the first time (`created: false`).
   */
  async uploadBankStatement(file: { content: string | ArrayBuffer | Uint8Array; format: BankUploadFormat; fileName?: string; mapping?: string }, signal?: AbortSignal): Promise<BankUploadWire> {
    const q = new URLSearchParams({ format: file.format });
    if (file.fileName !== undefined && file.fileName !== "") q.set("fileName", file.fileName);
    if (file.mapping !== undefined && file.mapping !== "") q.set("mapping", file.mapping);
    // A copy into a plain ArrayBuffer: fetch takes no view of a shared buffer.
    const body = typeof file.content === "string" ? file.content : new Uint8Array(file.content);
    const response = await this.#request(`/api/v1/bank-statements?${q.toString()}`, { signal, method: "POST", body, contentType: "application/octet-stream" });
    return checked(`/api/v1/bank-statements`, bankUploadWire, await jsonBody(response));
  }

  /** A statement's lines, each open credit with the matching engine's suggestion. */
  bankLines(statementId: string, signal?: AbortSignal): Promise<BankLinesWire> {
    return this.#json(`/api/v1/bank-statements/${encodeURIComponent(statementId)}/lines`, bankLinesWire, { signal });
  }

  /** Bank deposit reconciliation of a statement: lines against receipts, and whether it ties to the closing balance. */
  bankReconciliation(statementId: string, signal?: AbortSignal): Promise<BankReconciliationWire> {
    return this.#json(`/api/v1/reconciliation/bank/${encodeURIComponent(statementId)}`, bankReconciliationWire, { signal });
  }

  /** AR subledger to GL control account as of a date, per currency. */
  arGlReconciliation(asOf: string, signal?: AbortSignal): Promise<ArGlReconciliationWire> {
    return this.#json(`/api/v1/reconciliation/ar-gl?asOf=${encodeURIComponent(asOf)}`, arGlReconciliationWire, { signal });
  }

  async postJson(path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.#request(path, { signal, method: "POST", body: JSON.stringify(body), allowStatus: [409, 422] });
    return { status: response.status, body: await jsonBody(response) };
  }

  async #json<T>(path: string, schema: z.ZodType<T>, options: { signal?: AbortSignal | undefined; auth?: boolean }): Promise<T> {
    const response = await this.#request(path, options);
    return checked(path, schema, await jsonBody(response));
  }

  async #request(
    path: string,
    options: { signal?: AbortSignal | undefined; auth?: boolean; accept?: string; method?: string; body?: string | Uint8Array<ArrayBuffer>; contentType?: string; allowStatus?: readonly number[] },
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
    if (options.auth !== false) headers.Authorization = `Bearer ${this.#connection.token}`;
    if (options.body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
    let response: Response;
    try {
      response = await this.#fetch(this.baseUrl + path, {
        method: options.method ?? "GET",
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw new ApiError("cancelled", "cancelled; nothing was changed");
      throw new ApiError("unreachable", `cannot reach the OpenAR service at ${this.baseUrl}: is it running, and is the address right? (${errorText(error)})`);
    }
    if (response.ok || options.allowStatus?.includes(response.status) === true) return response;
    const body = await jsonBody(response).catch(() => null);
    const parsed = errorWire.safeParse(body);
    const message = parsed.success ? parsed.data.message : `HTTP ${response.status}`;
    if (response.status === 401) {
      const expired = /expired/i.test(message);
      throw new ApiError("unauthorized", expired ? `your session has expired: sign in again (${message})` : `the server refused the token: ${message}`, 401, body);
    }
    if (response.status === 403) throw new ApiError("forbidden", `not allowed: ${message}`, 403, body);
    if (response.status === 400 || response.status === 422) throw new ApiError("invalid", message, response.status, body);
    if (response.status === 404) throw new ApiError("invalid", message, 404, body);
    if (response.status === 409) throw new ApiError("conflict", message, 409, body);
    throw new ApiError("server", `the server failed (${response.status}): ${message}`, response.status, body);
  }
}

/** The formats the upload route accepts (server/bank-import.ts REQUESTED_BANK_FORMATS). */
export type BankUploadFormat = "auto" | "bai2" | "camt" | "lockbox" | "csv";

function checked<T>(path: string, schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError("malformed", `the server's answer to ${path.split("?")[0] ?? path} was not understood (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "unexpected shape"})`);
  }
  return result.data;
}

async function jsonBody(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch {
    throw new ApiError("malformed", `the server's answer was not JSON (HTTP ${response.status}: ${text.slice(0, 80)})`, response.status);
  }
}

function query(params: PullParams): string {
  const q = new URLSearchParams({ asOf: params.asOf, basis: params.basis, buckets: params.buckets.join(",") });
  if (params.customerId !== undefined && params.customerId !== "") q.set("customerId", params.customerId);
  if (params.collector !== undefined && params.collector !== "") q.set("collector", params.collector);
  if (params.currency !== undefined && params.currency !== "") q.set("currency", params.currency);
  return q.toString();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
