import { describe, expect, it } from "vitest";
import type { BankFile, BankLine } from "../../shared/bank.js";
import { parseCamt } from "../../server/import/camt.js";
import { readOwn, readShared, sharedFixturesPresent } from "../fixtures/bank/fixture-paths.js";

const linesOf = (file: BankFile): BankLine[] => file.statements.flatMap((s) => s.lines);
const plain = (line: BankLine | undefined) =>
  line === undefined
    ? undefined
    : {
        ...line,
        amount: line.amount.toString(),
        remittance: {
          ...line.remittance,
          documents: line.remittance.documents.map((d) => ({ number: d.number, amount: d.amount?.toString() })),
        },
      };

/** A minimal camt document of a given kind and version, with one entry. */
function camt(params: {
  kind: "053" | "054";
  version: string;
  status: string;
  amount?: string;
  extra?: string;
}): string {
  const [root, statement] = params.kind === "053" ? ["BkToCstmrStmt", "Stmt"] : ["BkToCstmrDbtCdtNtfctn", "Ntfctn"];
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.${params.kind}.001.${params.version}">
  <${root}>
    <GrpHdr><MsgId>M</MsgId><CreDtTm>2026-03-02T07:00:00</CreDtTm></GrpHdr>
    <${statement}>
      <Id>S1</Id>
      <CreDtTm>2026-03-02T07:00:00</CreDtTm>
      <Acct><Id><Othr><Id>ACC-1</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">${params.amount ?? "12.34"}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${params.status}
        <BookgDt><Dt>2026-03-01</Dt></BookgDt>
        ${params.extra ?? ""}
      </Ntry>
    </${statement}>
  </${root}>
</Document>`;
}

describe("camt: the project's own fixture (camt.053.001.08, batch, reversal, pending)", () => {
  const file = parseCamt(readOwn("camt053-v08-batch-reversal.xml"));

  it("reads the statement header with signed balances", () => {
    expect(file.format).toBe("camt.053");
    expect(file.statements).toHaveLength(1);
    const { lines, ...header } = file.statements[0]!;
    expect({
      ...header,
      openingBalance: header.openingBalance?.toString(),
      closingBalance: header.closingBalance?.toString(),
    }).toEqual({
      format: "camt.053",
      accountId: "DE89370400440532013000",
      iban: "DE89370400440532013000",
      currency: "EUR",
      statementId: "STMT-2026-03-01",
      statementDate: "2026-03-01",
      openingBalance: "1000.00",
      closingBalance: "2250.00",
    });
    // OPBD 1000.00 + booked lines (1000.00 + 500.00 − 250.00) = CLBD 2250.00; the pending 75.50 is not booked.
    const booked = lines.filter((l) => l.status === "booked").map((l) => l.amount);
    expect(booked.reduce((a, b) => a.add(b), header.openingBalance!).toString()).toBe("2250.00");
  });

  it("splits a batch entry into one line per TxDtls, with structured remittance", () => {
    const [first, second] = linesOf(file).map(plain);
    expect(first).toEqual({
      lineNo: 40,
      recordRef: "camt.053 Stmt 1 Ntry 1 TxDtls 1",
      bookingDate: "2026-03-01",
      valueDate: "2026-03-01",
      amount: "1000.00",
      direction: "credit",
      status: "booked",
      reversal: false,
      bankReference: "BANKREF-E1-1",
      customerReference: "ACME-PAY-77",
      payerName: "ACME Handels GmbH",
      payerAccount: "DE02120300000000202051",
      typeCode: "PMNT/RCDT/ESCT",
      remittance: {
        unstructured: [],
        documents: [{ number: "INV-1042", amount: "1000.00" }],
        // ISO 11649's own example reference, spaces removed
        creditorReference: "RF18539007547034",
      },
    });
    expect(second).toEqual({
      lineNo: 56,
      recordRef: "camt.053 Stmt 1 Ntry 1 TxDtls 2",
      bookingDate: "2026-03-01",
      valueDate: "2026-03-01",
      amount: "500.00",
      direction: "credit",
      status: "booked",
      reversal: false,
      bankReference: "BANKREF-E1", // the entry's, as the TxDtls has none; EndToEndId NOTPROVIDED is no reference
      payerName: "Globex & Söhne KG",
      typeCode: "PMNT/RCDT/ESCT",
      // RF19… fails the mod-97 check (RF18… is right), so it is only text
      remittance: { unstructured: ["Rechnung INV-2001 und INV-2002", "RF19 5390 0754 7034"], documents: [] },
    });
  });

  it("reads a reversal with its original payer, and a pending entry dated by its value date", () => {
    const [, , reversal, pending] = linesOf(file).map(plain);
    expect(reversal).toEqual({
      lineNo: 72,
      recordRef: "camt.053 Stmt 1 Ntry 2",
      bookingDate: "2026-03-01",
      valueDate: "2026-02-27",
      amount: "-250.00",
      direction: "debit",
      status: "booked",
      reversal: true,
      bankReference: "E2",
      customerReference: "INITECH-PAY-9",
      payerName: "Initech SARL",
      typeCode: "RETURNED SEPA CREDIT",
      remittance: { unstructured: ["INV-3001", "Return of credit 2026-02-27"], documents: [] },
    });
    expect(pending).toMatchObject({
      status: "pending",
      amount: "75.50",
      bookingDate: "2026-03-02",
      valueDate: "2026-03-02",
    });
  });
});

describe("camt: versions, status forms and broken files", () => {
  it.each(["02", "03", "04", "05", "06", "07", "08"])(
    "reads camt.053 and camt.054 version %s from the namespace",
    (version) => {
      for (const kind of ["053", "054"] as const) {
        for (const status of ["<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>"]) {
          const file = parseCamt(camt({ kind, version, status }));
          expect(file.format).toBe(`camt.${kind}`);
          expect(file.statements[0]?.accountId).toBe("ACC-1");
          expect(linesOf(file).map((l) => [l.amount.toString(), l.status])).toEqual([["12.34", "booked"]]);
        }
      }
    },
  );

  it("refuses what it cannot read, saying where", () => {
    expect(() => parseCamt(camt({ kind: "053", version: "01", status: "<Sts>BOOK</Sts>" }))).toThrow(
      "camt.053 line 2: version 001.01 is not supported (versions 02 to 13 are)",
    );
    expect(() =>
      parseCamt('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'),
    ).toThrow(
      'not a camt.052/053/054 message: the root element is <Document> in namespace "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"',
    );
    expect(() => parseCamt(camt({ kind: "053", version: "02", status: "<Sts>BOOK</Sts>", amount: "12.345" }))).toThrow(
      /camt\.053 line \d+ \(Stmt 1 Ntry 1\): entry Amt: "12.345" has more than 2 decimal places/,
    );
    expect(() => parseCamt(camt({ kind: "053", version: "02", status: "<Sts>MAYBE</Sts>" }))).toThrow(
      'entry status "MAYBE" is not BOOK, PDNG, INFO or FUTR',
    );
    expect(() =>
      parseCamt(camt({ kind: "053", version: "02", status: "<Sts>BOOK</Sts>" }).replace("</Ntry>", "</Nrty>")),
    ).toThrow("camt.053 line 15: not well-formed XML: unexpected close tag.");
  });

  it("keeps a batch whose transactions carry no amounts as one line of the entry's amount", () => {
    const details = `<NtryDtls>
      <TxDtls><RmtInf><Ustrd>INV-1</Ustrd></RmtInf></TxDtls>
      <TxDtls><RmtInf><Ustrd>INV-2</Ustrd></RmtInf></TxDtls>
    </NtryDtls>`;
    const lines = linesOf(parseCamt(camt({ kind: "054", version: "04", status: "<Sts>BOOK</Sts>", extra: details })));
    expect(lines.map((l) => [l.amount.toString(), l.remittance.unstructured])).toEqual([["12.34", ["INV-1", "INV-2"]]]);
  });
});

describe.skipIf(!sharedFixturesPresent)("camt: real files from other projects (../shared/fixtures/bank/camt)", () => {
  it("Goldman Sachs camt.053 v2: entries agree with iso20022.js's expected output (amounts, directions, reversals, references)", () => {
    const expected = JSON.parse(
      readShared("camt/svapnil_iso20022.js_goldman_sachs_camt_053_us_v2_sample.expected.json"),
    ) as {
      Document: { BkToCstmrStmt: { Stmt: ExpectedStatement[] } };
    };
    const statement = expected.Document.BkToCstmrStmt.Stmt[0]!;
    const file = parseCamt(readShared("camt/svapnil_iso20022.js_goldman_sachs_camt_053_us_v2_sample.xml"));
    expect(file.statements).toHaveLength(1);
    const ours = file.statements[0]!;
    expect(ours.accountId).toBe(statement.Acct.Id.Othr.Id);
    expect(ours.currency).toBe(statement.Acct.Ccy);
    const balance = (code: string) => {
      const bal = statement.Bal.find((b) => b.Tp.CdOrPrtry.Cd === code)!;
      return `${bal.CdtDbtInd === "DBIT" ? "-" : ""}${bal.Amt["#text"]}`;
    };
    expect(ours.openingBalance?.toString()).toBe(balance("OPBD"));
    expect(ours.closingBalance?.toString()).toBe(balance("CLBD"));
    // No batch entries in this file: one line per Ntry, in order.
    expect(ours.lines).toHaveLength(statement.Ntry.length);
    statement.Ntry.forEach((entry, i) => {
      const line = ours.lines[i]!;
      const tx = [entry.NtryDtls ?? []].flat().flatMap((d) => [d.TxDtls ?? []].flat())[0];
      // iso20022.js turns numeric-looking text into numbers (losing "021…"'s zero); compare those as numbers.
      const endToEnd = tx?.Refs?.EndToEndId;
      const ourEndToEnd = typeof endToEnd === "number" ? Number(line.customerReference) : line.customerReference;
      const ustrd = [tx?.RmtInf?.Ustrd ?? []].flat();
      expect(
        {
          amount: line.amount.abs().toString(),
          currency: line.amount.currency,
          direction: line.direction,
          reversal: line.reversal,
          ustrd: line.remittance.unstructured.slice(0, ustrd.length),
          ...(endToEnd === undefined || endToEnd === "NOTPROVIDED" ? {} : { endToEnd: ourEndToEnd }),
        },
        `Ntry ${i + 1}`,
      ).toEqual({
        amount: entry.Amt["#text"],
        currency: entry.Amt["@_Ccy"],
        direction: entry.CdtDbtInd === "CRDT" ? "credit" : "debit",
        reversal: entry.RvslInd,
        ustrd: ustrd.map((u) => u.replace(/\s*\n\s*/g, " ").trim()),
        ...(endToEnd === undefined || endToEnd === "NOTPROVIDED" ? {} : { endToEnd }),
      });
    });
  });

  it("genkgo camt.053 v2 and v8, camt.054 v4 (a batch of three), camt.052 v6 (pending)", () => {
    const v2 = parseCamt(readShared("camt/genkgo_camt_camt053.v2.minimal.xml"));
    expect(v2.statements[0]).toMatchObject({ accountId: "NL26VAYB8060476890", currency: "EUR" });
    // The file's CLBD is 27.00 DBIT in SEK: kept as written, negative.
    expect([v2.statements[0]?.closingBalance?.toString(), v2.statements[0]?.closingBalance?.currency]).toEqual([
      "-27.00",
      "SEK",
    ]);
    expect(plain(linesOf(v2)[0])).toMatchObject({
      amount: "8.85",
      payerName: "NAME NAME",
      remittance: { creditorReference: "4654654654654654" },
    });

    const v8 = parseCamt(readShared("camt/genkgo_camt_camt053.v8.xml"));
    // Dbtr/Pty/Nm (v8) and <Sts><Cd>BOOK</Cd></Sts>; BookgDt is a DtTm
    expect(plain(linesOf(v8)[0])).toMatchObject({
      amount: "8.85",
      status: "booked",
      bookingDate: "2014-12-31",
      payerName: "NAME NAME",
    });

    const multi = parseCamt(readShared("camt/genkgo_camt_camt053.v2.multi.statement.xml"));
    expect(multi.statements.map((s) => s.statementId)).toEqual([
      "253EURNL26VAYB8060476890",
      "254EURNL26VAYB8060476890",
    ]);

    const notification = parseCamt(readShared("camt/genkgo_camt_camt054.v4.xml"));
    expect(notification.format).toBe("camt.054");
    expect(linesOf(notification).map((l) => [l.amount.toString(), l.amount.currency, l.customerReference])).toEqual([
      ["3.10", "CHF", "UXC06170000006PI00001EE00001"],
      ["3.20", "CHF", "UXC06170000006PI00001EE00002"],
      ["3.20", "CHF", "UXC06170000006PI00001EE00002"],
    ]);

    const report = parseCamt(readShared("camt/genkgo_camt_camt052.v6.xml"));
    expect(report.format).toBe("camt.052");
    expect(linesOf(report).map((l) => l.status)).toEqual(["pending"]);
  });

  it("Nordea camt.053: an ISO 11649 reference from a real bank passes the check", () => {
    const lines = linesOf(parseCamt(readShared("camt/svapnil_iso20022.js_nordea_example_camt.xml")));
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => l.remittance.creditorReference ?? null)).toEqual([
      "00000000000000001245", // a Finnish national reference: not RF, kept as given
      null,
      "RF332348236",
      null,
      null,
      null,
    ]);
  });
});

interface ExpectedStatement {
  Acct: { Id: { Othr: { Id: string } }; Ccy: string };
  Bal: { Amt: { "#text": string }; CdtDbtInd: string; Tp: { CdOrPrtry: { Cd: string } } }[];
  Ntry: {
    Amt: { "#text": string; "@_Ccy": string };
    CdtDbtInd: string;
    RvslInd: boolean;
    NtryDtls?: ExpectedDetails | ExpectedDetails[];
  }[];
}
interface ExpectedDetails {
  TxDtls?: ExpectedTx | ExpectedTx[];
}
interface ExpectedTx {
  Refs?: { EndToEndId?: string | number };
  RmtInf?: { Ustrd?: string | string[] };
}
