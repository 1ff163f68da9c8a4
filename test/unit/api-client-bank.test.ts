/**
 * The add-in's HTTP client for issue 6 (addin/sync/api-client.ts): bank file
 * upload (the file's bytes as the body, options in the query), a statement's
 * lines with their suggestions, the bank deposit reconciliation and the
 * AR-to-GL report — each against a stub of the service that checks what was
 * asked, and answers that are refused or malformed become ApiErrors a clerk
 * can read.
 */
import { describe, expect, it } from "vitest";
import { ApiClient } from "../../addin/sync/api-client.js";
import { aBankLine, aBankReconciliation, anArGlReport, aStatement } from "../support/bank-wire.js";
import { failure, jsonResponse, stubFetch, type Route } from "../support/fake-server.js";

const BASE = "http://localhost:3999";

/** A client over the stub; `bodies` keeps each request's body as sent (text or bytes). */
function client(route: Route) {
  const server = stubFetch(route);
  const bodies: (BodyInit | null | undefined)[] = [];
  const recording: typeof fetch = (input, init) => {
    bodies.push(init?.body);
    return server.fetch(input, init);
  };
  return { api: new ApiClient({ baseUrl: BASE, token: "oar_secret" }, recording), requests: server.requests, bodies };
}

describe("uploadBankStatement", () => {
  const uploaded = { created: true, statements: [aStatement({ id: "bs-1" })] };

  it("posts the text as an octet stream with the format and file name in the query, and reads the stored statements", async () => {
    const { api, requests, bodies } = client(() => jsonResponse(201, uploaded));
    const answer = await api.uploadBankStatement({ content: "01,BANK,CUST,261121,0700,1,,,2/\n", format: "bai2", fileName: "nov 20.bai" });
    expect(answer).toEqual(uploaded);
    const [request, ...more] = requests;
    expect(more).toEqual([]);
    expect(request?.method).toBe("POST");
    expect(request?.url.pathname).toBe("/api/v1/bank-statements");
    expect([...(request?.url.searchParams ?? [])]).toEqual([["format", "bai2"], ["fileName", "nov 20.bai"]]);
    expect(request?.headers).toMatchObject({ "content-type": "application/octet-stream", authorization: "Bearer oar_secret", accept: "application/json" });
    expect(bodies).toEqual(["01,BANK,CUST,261121,0700,1,,,2/\n"]);
  });

  it("sends a file's bytes untouched (a Latin-1 CSV stays Latin-1) and names the bank whose CSV mapping reads it", async () => {
    const { api, requests, bodies } = client(() => jsonResponse(200, { ...uploaded, created: false }));
    // "Müller" in Latin-1: 0xFC for ü.
    const bytes = new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]);
    const answer = await api.uploadBankStatement({ content: bytes.buffer, format: "csv", mapping: "First Valley" });
    expect(answer.created).toBe(false);
    expect([...(requests[0]?.url.searchParams ?? [])]).toEqual([["format", "csv"], ["mapping", "First Valley"]]);
    const sent = bodies[0];
    expect(sent).toBeInstanceOf(Uint8Array);
    expect([...(sent as Uint8Array)]).toEqual([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]);
  });

  it("leaves out an empty file name and mapping", async () => {
    const { api, requests } = client(() => jsonResponse(201, uploaded));
    await api.uploadBankStatement({ content: "x", format: "auto", fileName: "", mapping: "" });
    expect(requests[0]?.url.search).toBe("?format=auto");
  });

  it("a refused file is 'invalid' with the server's message naming the record; the details stay on the error", async () => {
    const refusal = {
      error: "validation_failed",
      message: "the bank file was refused; nothing was stored: BAI2 line 15 (49 account trailer): control total 2794569 does not match the sum of the account's records 2794568",
      details: { format: "bai2", line: 15, record: "49 account trailer" },
    };
    const { api } = client(() => jsonResponse(422, refusal));
    const error = await failure(api.uploadBankStatement({ content: "…", format: "bai2" }));
    expect(error.kind).toBe("invalid");
    expect(error.status).toBe(422);
    expect(error.message).toBe(refusal.message);
    expect(error.body?.details).toEqual(refusal.details);
  });

  it("a file too large is a server failure that says so", async () => {
    const { api } = client(() => jsonResponse(413, { error: "payload_too_large", message: "the bank file is larger than 50 MB" }));
    const error = await failure(api.uploadBankStatement({ content: "…", format: "auto" }));
    expect([error.kind, error.status, error.message]).toEqual(["server", 413, "the server failed (413): the bank file is larger than 50 MB"]);
  });

  it("an answer without statements is 'malformed', naming the route and the field", async () => {
    const { api } = client(() => jsonResponse(201, { created: true }));
    const error = await failure(api.uploadBankStatement({ content: "…", format: "auto" }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toBe("the server's answer to /api/v1/bank-statements was not understood (statements: Invalid input: expected array, received undefined)");
  });
});

describe("bankLines", () => {
  it("asks for one statement's lines (its id escaped in the path) and reads lines with suggestions", async () => {
    const statement = aStatement({ id: "bs/1" });
    const lines = [aBankLine({ id: "line-1", statementId: "bs/1" }), aBankLine({ id: "line-2", statementId: "bs/1", amount: "-15.00", direction: "debit", suggestion: null })];
    const { api, requests } = client(() => jsonResponse(200, { statement, lines }));
    const answer = await api.bankLines("bs/1");
    expect(requests[0]?.url.pathname).toBe("/api/v1/bank-statements/bs%2F1/lines");
    expect(requests[0]?.method).toBe("GET");
    expect(answer.lines.map((l) => [l.id, l.amount, l.suggestion?.allocations.map((a) => a.amount) ?? null])).toEqual([
      ["line-1", "1480.00", ["980.00", "500.00"]],
      ["line-2", "-15.00", null],
    ]);
  });

  it("an amount sent as a number is 'malformed': amounts are decimal strings", async () => {
    const line = { ...aBankLine({ id: "line-1" }), amount: 1480 };
    const { api } = client(() => jsonResponse(200, { statement: aStatement({ id: "bs-1" }), lines: [line] }));
    const error = await failure(api.bankLines("bs-1"));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("lines.0.amount");
  });

  it("an unknown statement is 'invalid' (404) with the server's words", async () => {
    const { api } = client(() => jsonResponse(404, { error: "not_found", message: "no bank statement bs-9" }));
    const error = await failure(api.bankLines("bs-9"));
    expect([error.kind, error.status, error.message]).toEqual(["invalid", 404, "no bank statement bs-9"]);
  });
});

describe("bankReconciliation", () => {
  it("reads a statement's reconciliation", async () => {
    const report = aBankReconciliation();
    const { api, requests } = client(() => jsonResponse(200, report));
    expect(await api.bankReconciliation("stmt-1")).toEqual(report);
    expect(requests[0]?.url.pathname).toBe("/api/v1/reconciliation/bank/stmt-1");
  });

  it("a balance that is neither true, false nor null is 'malformed'", async () => {
    const report = aBankReconciliation();
    const { api } = client(() => jsonResponse(200, { ...report, balance: { ...report.balance, ties: "yes" } }));
    expect((await failure(api.bankReconciliation("stmt-1"))).kind).toBe("malformed");
  });
});

describe("arGlReconciliation", () => {
  it("asks as of a date and reads every currency with its items", async () => {
    const report = anArGlReport();
    const { api, requests } = client(() => jsonResponse(200, report));
    const answer = await api.arGlReconciliation("2026-11-30");
    expect(requests[0]?.url.pathname).toBe("/api/v1/reconciliation/ar-gl");
    expect(requests[0]?.url.searchParams.get("asOf")).toBe("2026-11-30");
    expect(answer.currencies.map((c) => [c.currency, c.difference, c.items.length, c.reconciled])).toEqual([
      ["USD", "-175.00", 2, true],
      ["JPY", "-1000", 0, false],
    ]);
  });

  it("a reconciling item of a kind the add-in does not know is 'malformed'", async () => {
    const report = anArGlReport();
    const usd = report.currencies[0];
    if (usd === undefined) throw new Error("no USD");
    const odd = { ...report, currencies: [{ ...usd, items: [{ ...usd.items[0], kind: "mystery" }] }] };
    const { api } = client(() => jsonResponse(200, odd));
    expect((await failure(api.arGlReconciliation("2026-11-30"))).kind).toBe("malformed");
  });

  it("a refused date is 'invalid' (400)", async () => {
    const { api } = client(() => jsonResponse(400, { error: "bad_request", message: "asOf: not a date" }));
    const error = await failure(api.arGlReconciliation("2026-02-30"));
    expect([error.kind, error.message]).toEqual(["invalid", "asOf: not a date"]);
  });
});
