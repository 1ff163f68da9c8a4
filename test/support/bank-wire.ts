/**
 * Bank statements, lines, suggestions and reconciliation reports as the sync
 * service sends them (addin/sync/wire.ts), with plain visible defaults, for
 * unit tests of the add-in's Reconcile code. Defaults: Acme (C-100) pays
 * INV-1 (1,000.00 less a 2% discount of 20.00) and INV-2 (500.00) with one
 * transfer of 1,480.00 booked on 2026-11-20.
 */
import type { ArGlReconciliationWire, BankLineWire, BankReconciliationWire, BankStatementWire, SuggestionWire } from "../../addin/sync/wire.js";

export function aSuggestion(overrides: Partial<SuggestionWire> = {}): SuggestionWire {
  return {
    customerId: "cust-acme",
    customerNumber: "C-100",
    customerName: "Acme Corp",
    kind: "invoice",
    allocations: [
      { documentId: "doc-1", documentNumber: "INV-1", documentVersion: 2, amount: "980.00", discount: "20.00", writeOff: "0.00", writeOffReason: null },
      { documentId: "doc-2", documentNumber: "INV-2", documentVersion: 1, amount: "500.00", discount: "0.00", writeOff: "0.00", writeOffReason: null },
    ],
    unapplied: "0.00",
    confidence: 0.97,
    autoAccept: true,
    reasons: ['customer C-100 Acme Corp: payer name "ACME CORPORATION" matches "Acme Corp" (similarity 0.96)', "INV-1, INV-2 in remittance; amount equals their open total less 2% discount 20.00"],
    ...overrides,
  };
}

export function aBankLine(overrides: Partial<BankLineWire> & { id: string }): BankLineWire {
  return {
    statementId: "stmt-1",
    lineNo: 1,
    recordRef: "BAI2 line 4 (16 transaction detail)",
    bookingDate: "2026-11-20",
    amount: "1480.00",
    currency: "USD",
    direction: "credit",
    entryStatus: "booked",
    bankReference: "BR-778",
    customerReference: null,
    payerName: "ACME CORPORATION",
    checkNumber: null,
    remittance: { unstructured: ["ACH CREDIT", "INV-1 INV-2"], documents: [] },
    status: "open",
    receiptId: null,
    version: 1,
    suggestion: aSuggestion(),
    ...overrides,
  };
}

export function aStatement(overrides: Partial<BankStatementWire> & { id: string }): BankStatementWire {
  return {
    format: "bai2",
    account: "5550001234",
    currency: "USD",
    statementDate: "2026-11-20",
    from: "2026-11-20",
    to: "2026-11-20",
    openingBalance: "10000.00",
    closingBalance: "11480.00",
    lineCount: 1,
    ...overrides,
  };
}

/** Statement stmt-1 with one line matched to receipt rcp-1 and an unmatched fee; ties out. */
export function aBankReconciliation(overrides: Partial<BankReconciliationWire> = {}): BankReconciliationWire {
  const line = { id: "line-1", lineNo: 1, bookingDate: "2026-11-20", amount: "1480.00", payerName: "ACME CORPORATION", reference: "BR-778" };
  return {
    statementId: "stmt-1",
    currency: "USD",
    from: "2026-11-20",
    to: "2026-11-20",
    matched: [{ line, receipt: { id: "rcp-1", customerNumber: "C-100", date: "2026-11-20", amount: "1480.00", reference: "BR-778" } }],
    linesWithoutReceipt: [{ id: "line-2", lineNo: 2, bookingDate: "2026-11-20", amount: "-15.00", payerName: null, reference: "FEE" }],
    receiptsWithoutLine: [],
    notBooked: [],
    otherCurrency: [],
    // 10,000.00 + 1,480.00 − 15.00 = 11,465.00
    totals: { credits: "1480.00", debits: "15.00", net: "1465.00", matched: "1480.00", creditsWithoutReceipt: "0.00", debitsWithoutReceipt: "15.00", receiptsWithoutLine: "0.00" },
    balance: { opening: "10000.00", closing: "11465.00", expectedClosing: "11465.00", difference: "0.00", ties: true, message: "ties out" },
    ...overrides,
  };
}

/**
 * AR to GL as of 2026-11-30. USD: subledger 1,189.99; GL 1,014.99 = 1,189.99 + 25.00 (a manual journal to AR)
 * − 200.00 (an invoice never posted); difference −175.00, all explained. JPY: 1,000 short in the GL, unexplained.
 */
export function anArGlReport(): ArGlReconciliationWire {
  return {
    asOf: "2026-11-30",
    account: "1200",
    currencies: [
      {
        currency: "USD",
        subledgerOpen: "1189.99",
        subledgerDocuments: "1189.99",
        unappliedCash: "0.00",
        glBalance: "1014.99",
        difference: "-175.00",
        items: [
          { kind: "externalJournal", amount: "25.00", date: "2026-11-15", journalId: "external:GJ-1115", eventId: null, reference: "GJ-1115", description: "journal GJ-1115 posted 25.00 USD to AR control from outside the subledger" },
          { kind: "notPosted", amount: "-200.00", date: "2026-09-15", journalId: null, eventId: "inv-c", reference: "INV-C", description: "invoice INV-C has no GL posting" },
        ],
        explained: "-175.00",
        unexplained: "0.00",
        reconciled: true,
      },
      {
        currency: "JPY",
        subledgerOpen: "150000",
        subledgerDocuments: "150000",
        unappliedCash: "0",
        glBalance: "149000",
        difference: "-1000",
        items: [],
        explained: "0",
        unexplained: "-1000",
        reconciled: false,
      },
    ],
  };
}
