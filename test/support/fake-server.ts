/**
 * A stand-in for the sync service at the add-in's HTTP boundary: a `fetch`
 * stub that routes requests to a test's handler, NDJSON bodies that can be
 * cut, broken or cancelled mid-stream, and builders for the wire shapes
 * (open items, change-feed entries) with plain visible defaults.
 */
import { ApiError } from "../../addin/sync/api-client.js";
import type { ChangesWire, OpenItemWire } from "../../addin/sync/wire.js";

export interface StubRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
}

export type Route = (request: StubRequest) => Response | Promise<Response>;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** A fetch that hands every request to `route`, and rejects like fetch does when the signal is aborted. */
export function stubFetch(route: Route): { fetch: typeof fetch; requests: StubRequest[] } {
  const requests: StubRequest[] = [];
  const stub = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? undefined;
    if (signal?.aborted === true) throw abortError(signal);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: StubRequest = {
      url: new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url),
      method: init?.method ?? "GET",
      headers,
      body: typeof init?.body === "string" ? init.body : undefined,
      signal,
    };
    requests.push(request);
    return await route(request);
  };
  return { fetch: stub, requests };
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function textResponse(status: number, text: string, type = "text/html"): Response {
  return new Response(text, { status, headers: { "Content-Type": type } });
}

export interface NdjsonOptions {
  /** Called before line `index` (0-based) is sent: a test can abort its controller here. */
  readonly beforeLine?: (index: number) => void;
  /** The connection breaks before line `index` is sent. */
  readonly breakBeforeLine?: number;
  /** Aborting it errors the body, as fetch does to a response being read. */
  readonly signal?: AbortSignal | undefined;
  /** Sends the text in pieces of this many characters (lines split across chunks). */
  readonly pieceSize?: number;
}

/** An NDJSON response sending `lines` one chunk at a time (each line followed by "\n"). */
export function ndjsonResponse(lines: readonly string[], options: NdjsonOptions = {}): Response {
  const encoder = new TextEncoder();
  const pieces: { line: number; text: string }[] = [];
  lines.forEach((line, index) => {
    const text = `${line}\n`;
    const size = options.pieceSize ?? text.length;
    for (let at = 0; at < text.length; at += size) pieces.push({ line: index, text: text.slice(at, at + size) });
  });
  let next = 0;
  let lastLine = -1;
  // A function, not a property read: TypeScript would keep an earlier check's narrowing across beforeLine().
  const aborted = (): boolean => options.signal?.aborted === true;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      options.signal?.addEventListener("abort", () => {
        try {
          controller.error(abortError(options.signal as AbortSignal));
        } catch {
          // The stream already ended: nothing left to break.
        }
      });
    },
    async pull(controller) {
      // A turn of the event loop now and then, as a network would take (every chunk would make 4,500 lines take seconds).
      await (next % 64 === 0 ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve());
      if (aborted()) return;
      const piece = pieces[next];
      if (piece === undefined) {
        controller.close();
        return;
      }
      if (piece.line !== lastLine) {
        lastLine = piece.line;
        if (options.breakBeforeLine === piece.line) {
          controller.error(new TypeError("terminated: other side closed"));
          return;
        }
        options.beforeLine?.(piece.line);
        if (aborted()) return;
      }
      next += 1;
      controller.enqueue(encoder.encode(piece.text));
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/x-ndjson" } });
}

/** The NDJSON lines of a complete open-items stream: one per item, then the end marker. */
export function openItemLines(items: readonly OpenItemWire[], end: { cursor: string; asOf: string; basis?: string }): string[] {
  return [...items.map((item) => JSON.stringify({ item })), JSON.stringify({ end: { count: items.length, cursor: end.cursor, asOf: end.asOf, basis: end.basis ?? "due" } })];
}

/** An open item as the service sends it. Defaults: a USD invoice of Acme, due 2026-10-01, 53 days past due as of 2026-11-23. */
export function anOpenItem(overrides: Partial<OpenItemWire> & { id: string }): OpenItemWire {
  return {
    kind: "invoice",
    customerId: "cust-acme",
    customerNumber: "C-100",
    customerName: "Acme Corp",
    collector: "jo",
    number: overrides.id.toUpperCase(),
    documentDate: "2026-09-01",
    dueDate: "2026-10-01",
    currency: "USD",
    amount: "1250.00",
    open: "750.50",
    days: 53,
    bucket: "31-60",
    disputed: false,
    version: 2,
    lastNote: null,
    terms: "NET 30",
    promise: null,
    ...overrides,
  };
}

export type Change = ChangesWire["changes"][number];

/** A document's current state as the change feed carries it (open amounts positive, also for credit memos). */
export function documentChange(
  seq: number,
  data: {
    id: string;
    customerId?: string;
    type?: "invoice" | "debitMemo" | "creditMemo";
    number?: string;
    documentDate?: string;
    dueDate?: string;
    currency?: string;
    amount?: string;
    open?: string;
    disputed?: boolean;
    version?: number;
  },
): Change {
  return {
    seq: String(seq),
    entity: "document",
    id: data.id,
    changeSetId: "cs-1",
    data: {
      customerId: "cust-acme",
      type: "invoice",
      number: data.id.toUpperCase(),
      documentDate: "2026-09-01",
      dueDate: "2026-10-01",
      currency: "USD",
      amount: "1250.00",
      open: "750.50",
      disputed: false,
      version: 3,
      // Fields the add-in does not use ride along, as the server sends them.
      terms: "NET 30",
      memo: null,
      ...data,
    },
  };
}

export function receiptChange(
  seq: number,
  data: { id: string; customerId?: string; date?: string; currency?: string; amount?: string; unapplied?: string; reference?: string; reversed?: boolean; version?: number },
): Change {
  return {
    seq: String(seq),
    entity: "receipt",
    id: data.id,
    changeSetId: "cs-1",
    data: {
      customerId: "cust-acme",
      date: "2026-11-02",
      currency: "USD",
      amount: "300.00",
      unapplied: "300.00",
      method: "check",
      reference: "CHK 5521",
      reversed: false,
      version: 2,
      ...data,
    },
  };
}

export function customerChange(seq: number, data: { id: string; number: string; name: string; collector?: string | null }): Change {
  return {
    seq: String(seq),
    entity: "customer",
    id: data.id,
    changeSetId: "cs-1",
    data: { currency: "USD", terms: "NET 30", creditLimit: null, onHold: false, contacts: [], version: 2, collector: null, ...data },
  };
}

export function noteChange(seq: number, data: { id: string; customerId?: string; documentId: string | null; kind?: string; body: string; createdAt?: string }): Change {
  return {
    seq: String(seq),
    entity: "note",
    id: data.id,
    changeSetId: "cs-1",
    data: { customerId: "cust-acme", kind: "call", createdAt: "2026-11-22T09:15:00.000Z", author: "jo", promise: null, followUpDate: null, ...data },
  };
}

/** A change-feed entry whose entity no longer exists (data null). */
export function goneChange(seq: number, entity: Change["entity"], id: string): Change {
  return { seq: String(seq), entity, id, changeSetId: null, data: null };
}

/** The ApiError `promise` rejects with; anything else (or no rejection) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}
