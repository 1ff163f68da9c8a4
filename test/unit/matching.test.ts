import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeCreditorReference, type BankLine, type RemittanceDocument } from "../../shared/bank.js";
import { SHORT_PAY_REASON } from "../../shared/cash-application.js";
import { DomainError } from "../../shared/errors.js";
import {
  damerauLevenshtein,
  expectedChanceCombinations,
  GATED_CONFIDENCE,
  jaroWinkler,
  matchBankLines,
  nameSimilarity,
  normalizeAccount,
  normalizeName,
  oneEditApart,
  type MatchBankLinesInput,
  type MatchingCustomer,
  type MatchingOpenItem,
  type MatchingOptions,
  type MatchSuggestion,
} from "../../shared/matching.js";
import { Money } from "../../shared/money.js";
import { parseTerms, type PaymentTerms } from "../../shared/terms.js";
import { anInvoice, d, NET_30, TWO_10_NET_30, usd } from "../support/builders.js";

// ---------------------------------------------------------------------------
// A small ledger. Lines are booked 2026-03-20; today is 2026-03-31.
// INV-001042 is 2/10 NET 30 dated 2026-03-12: the discount runs to 2026-03-22, so a
// payment booked 2026-03-20 earns 2% of 1,250.00 = 25.00 and pays 1,225.00.

const CUSTOMERS: MatchingCustomer[] = [
  { id: "C-ACME", number: "10001", name: "Acme Corporation Inc.", aliases: ["Roadrunner Supplies"] },
  { id: "C-GLOBEX", number: "10002", name: "Globex Logistics LLC" },
  { id: "C-INITECH", number: "10003", name: "Initech Software GmbH" },
  { id: "C-SUMMITF", number: "10004", name: "Summit Foods Ltd." },
  { id: "C-SUMMITL", number: "10005", name: "Summit Logistics Ltd." },
];

const item = (spec: {
  id: string;
  customerId: string;
  amount: string;
  documentDate: string;
  dueDate: string;
  terms?: PaymentTerms;
  disputed?: boolean;
}): MatchingOpenItem => {
  const document = anInvoice({
    id: spec.id,
    customerId: spec.customerId,
    number: `INV-${spec.id}`,
    amount: spec.amount,
    documentDate: spec.documentDate,
    dueDate: spec.dueDate,
    terms: spec.terms ?? NET_30,
    disputed: spec.disputed ?? false,
  });
  return { document, open: document.amount };
};

// Due dates order ACME's items 001050, 001043, 001044, 001042.
const OPEN_ITEMS: MatchingOpenItem[] = [
  item({
    id: "001042",
    customerId: "C-ACME",
    amount: "1250.00",
    documentDate: "2026-03-12",
    dueDate: "2026-04-11",
    terms: TWO_10_NET_30,
  }),
  item({ id: "001043", customerId: "C-ACME", amount: "780.40", documentDate: "2026-02-01", dueDate: "2026-03-03" }),
  item({ id: "001044", customerId: "C-ACME", amount: "2219.60", documentDate: "2026-02-05", dueDate: "2026-03-07" }),
  item({ id: "001050", customerId: "C-ACME", amount: "333.33", documentDate: "2026-01-10", dueDate: "2026-02-09" }),
  item({ id: "002001", customerId: "C-GLOBEX", amount: "5000.00", documentDate: "2026-02-10", dueDate: "2026-03-12" }),
  item({ id: "002002", customerId: "C-GLOBEX", amount: "1234.56", documentDate: "2026-02-20", dueDate: "2026-03-22" }),
  item({
    id: "003001",
    customerId: "C-INITECH",
    amount: "640.00",
    documentDate: "2026-02-15",
    dueDate: "2026-03-17",
    disputed: true,
  }),
  item({ id: "003002", customerId: "C-INITECH", amount: "999.99", documentDate: "2026-02-16", dueDate: "2026-03-18" }),
  item({ id: "004001", customerId: "C-SUMMITF", amount: "450.25", documentDate: "2026-02-01", dueDate: "2026-03-03" }),
  item({ id: "005001", customerId: "C-SUMMITL", amount: "450.25", documentDate: "2026-02-02", dueDate: "2026-03-04" }),
];

const ACME_ACCOUNT = "DE89 3704 0044 0532 0130 00";
const KNOWN = new Map([[ACME_ACCOUNT, "C-ACME"]]);
const OPTIONS: MatchingOptions = {
  today: d("2026-03-31"),
  shortPayTolerance: { amount: usd("25.00"), percent: "5" },
};

let lineNo = 0;
function aLine(spec: {
  amount: string;
  payerName?: string;
  payerAccount?: string;
  text?: string[];
  documents?: RemittanceDocument[];
  creditorReference?: string;
  reversal?: boolean;
  status?: BankLine["status"];
  bookingDate?: string;
  currency?: string;
}): BankLine {
  lineNo++;
  const amount = Money.parse(spec.amount, spec.currency ?? "USD");
  return {
    lineNo,
    recordRef: `test line ${lineNo}`,
    bookingDate: d(spec.bookingDate ?? "2026-03-20"),
    amount,
    direction: amount.isNegative() ? "debit" : "credit",
    status: spec.status ?? "booked",
    reversal: spec.reversal ?? false,
    ...(spec.payerName === undefined ? {} : { payerName: spec.payerName }),
    ...(spec.payerAccount === undefined ? {} : { payerAccount: spec.payerAccount }),
    remittance: {
      unstructured: spec.text ?? [],
      documents: spec.documents ?? [],
      ...(spec.creditorReference === undefined ? {} : { creditorReference: spec.creditorReference }),
    },
  };
}

function match(lines: BankLine[], overrides: Partial<MatchBankLinesInput> = {}): MatchSuggestion[] {
  return matchBankLines({
    lines,
    customers: CUSTOMERS,
    openItems: OPEN_ITEMS,
    knownAccounts: KNOWN,
    options: OPTIONS,
    ...overrides,
  });
}

function matchOne(spec: Parameters<typeof aLine>[0]): MatchSuggestion {
  const [suggestion] = match([aLine(spec)]);
  if (suggestion === undefined) throw new Error("no suggestion");
  return suggestion;
}

const plain = (s: MatchSuggestion) =>
  s.allocations.map((a) => ({
    documentId: a.documentId,
    amount: a.amount.toString(),
    discount: a.discount.toString(),
    writeOff: a.writeOff.toString(),
    writeOffReason: a.writeOffReason,
  }));
const alloc = (documentId: string, amount: string, discount = "0.00", writeOff = "0.00") => ({
  documentId,
  amount,
  discount,
  writeOff,
  writeOffReason: writeOff === "0.00" ? null : SHORT_PAY_REASON,
});

// Customer evidence, combined as a noisy-OR: account 0.97, exact name 0.95, invoice number 0.95.
const ACME_BY_ACCOUNT_AND_NAME = `customer 10001 Acme Corporation Inc.: payer account ${ACME_ACCOUNT} remembered from confirmed matches; payer name "ACME CORP" matches "Acme Corporation Inc." (similarity 1.00)`;

// ---------------------------------------------------------------------------

describe("matching rules, worked by hand", () => {
  it("invoice number in remittance with the early-payment discount taken", () => {
    const s = matchOne({
      amount: "1225.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      text: ["PAYMENT INV 1042"],
    });
    expect(s.customerId).toBe("C-ACME");
    expect(s.kind).toBe("invoice");
    expect(plain(s)).toEqual([alloc("001042", "1225.00", "25.00")]);
    expect(s.unapplied.toString()).toBe("0.00");
    expect(s.reasons).toEqual([
      `${ACME_BY_ACCOUNT_AND_NAME}; an invoice number in remittance belongs to this customer`,
      "INV-001042 in remittance; amount equals open 1,250.00 less 2% discount 25.00",
    ]);
    // customer 1 − 0.03 × 0.05 × 0.05 = 0.999925; named invoices settled exactly 0.99 → 0.98993
    expect(s.confidence).toBeCloseTo(0.99, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("exact amount of one open item, no reference", () => {
    const s = matchOne({ amount: "2219.60", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT, text: ["ACH CREDIT"] });
    expect(s.kind).toBe("exact");
    expect(plain(s)).toEqual([alloc("001044", "2219.60")]);
    expect(s.reasons).toEqual([
      `${ACME_BY_ACCOUNT_AND_NAME}; no other customer has an item open for this amount`,
      "amount equals open 2,219.60 of INV-001044, the only open item of this customer with that amount",
    ]);
    // customer 1 − 0.03 × 0.05 × 0.2 = 0.9997; exact 0.95 → 0.94972
    expect(s.confidence).toBeCloseTo(0.95, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("amount after an early-payment discount, no reference", () => {
    const s = matchOne({ amount: "1225.00", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT });
    expect(s.kind).toBe("discount");
    expect(plain(s)).toEqual([alloc("001042", "1225.00", "25.00")]);
    expect(s.reasons[1]).toBe(
      "amount equals open 1,250.00 of INV-001042 less 2% discount 25.00, the only open item of this customer that fits",
    );
    // 0.9997 × 0.93 = 0.92972
    expect(s.confidence).toBeCloseTo(0.93, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("after the discount window the same amount is no longer a discount match", () => {
    // Booked 2026-03-23, one day after the deadline 2026-03-22: 1,225.00 fits nothing exactly; it is 25.00 short
    // of 1,250.00, within the tolerance min(25.00, 5% of 1,250.00 = 62.50) = 25.00, but without a reference a
    // short pay is left for a person (fit 0.8).
    const s = matchOne({
      amount: "1225.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      bookingDate: "2026-03-23",
    });
    expect(s.kind).toBe("shortPay");
    expect(plain(s)).toEqual([alloc("001042", "1225.00", "0.00", "25.00")]);
    expect(s.reasons[1]).toBe(
      "amount is 25.00 short of open 1,250.00 of INV-001042; short 25.00 written off (within tolerance 25.00)",
    );
    expect(s.autoAccept).toBe(false);
  });

  it("a combination of open items that are not consecutive by due date", () => {
    // 333.33 + 2,219.60 = 2,552.93. Checked by hand: no other pair, triple or all four (gross, or with
    // INV-001042 at 1,225.00) sums to 2,552.93, and INV-001043 (due between them) breaks the run.
    const s = matchOne({ amount: "2552.93", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT });
    expect(s.kind).toBe("combination");
    expect(plain(s)).toEqual([alloc("001050", "333.33"), alloc("001044", "2219.60")]);
    expect(s.reasons).toEqual([
      ACME_BY_ACCOUNT_AND_NAME,
      "amount equals the open total 2,552.93 of INV-001050, INV-001044, the only combination of at most 6 open items of this customer that does",
    ]);
    // customer 1 − 0.03 × 0.05 = 0.9985; combination 0.97 / (1 + λ) with λ ≈ 6e-5 for four items → ≈ 0.9685
    expect(s.confidence).toBeGreaterThan(0.96);
    expect(s.confidence).toBeLessThan(0.97);
    expect(s.autoAccept).toBe(true);
  });

  it("a payment run: invoices consecutive by due date", () => {
    // 780.40 + 2,219.60 = 3,000.00, INV-001043 and INV-001044 are neighbours in due-date order.
    const s = matchOne({ amount: "3000.00", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT });
    expect(s.kind).toBe("combination");
    expect(plain(s)).toEqual([alloc("001043", "780.40"), alloc("001044", "2219.60")]);
    expect(s.reasons[1]).toBe(
      "amount equals the open total 3,000.00 of INV-001043, INV-001044, consecutive by due date (a payment run), and the only combination of at most 6 open items of this customer that fits",
    );
    expect(s.autoAccept).toBe(true);
  });

  it("a bank fee deducted from a named invoice is written off within tolerance", () => {
    // 2,219.60 − 15.00 wire fee = 2,204.60; tolerance min(25.00, 5% of 2,219.60 = 110.98) = 25.00.
    const s = matchOne({ amount: "2204.60", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT, text: ["INV-1044"] });
    expect(s.kind).toBe("shortPay");
    expect(plain(s)).toEqual([alloc("001044", "2204.60", "0.00", "15.00")]);
    expect(s.reasons[1]).toBe(
      "INV-001044 in remittance; 2,204.60 paid of open 2,219.60: short 15.00 written off (within tolerance 25.00)",
    );
    // customer 0.999925 × written off within tolerance 0.95 = 0.94993
    expect(s.confidence).toBeCloseTo(0.95, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("a short pay beyond tolerance of one named invoice is a partial payment; the rest stays open", () => {
    // 5,000.00 − 4,000.00 = 1,000.00 short, more than min(25.00, 250.00).
    const s = matchOne({ amount: "4000.00", payerName: "GLOBEX LOGISTICS LLC", text: ["INV-002001"] });
    expect(s.customerId).toBe("C-GLOBEX");
    expect(s.kind).toBe("invoice");
    expect(plain(s)).toEqual([alloc("002001", "4000.00")]);
    expect(s.reasons[1]).toBe(
      "INV-002001 in remittance; partial payment 4,000.00 of open 5,000.00: 1,000.00 stays open (short by more than the tolerance)",
    );
    // customer 1 − 0.05 × (1 − 0.7) = 0.985 (name, an invoice number the amount does not settle); partial 0.93 → 0.916
    expect(s.confidence).toBeCloseTo(0.916, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("a one-character typo in the invoice number, settled by the exact amount", () => {
    // "1045" is one edit from 1042, 1043 and 1044; only INV-001044's 2,219.60 is the amount.
    const s = matchOne({ amount: "2219.60", text: ["INV-1045"] });
    expect(s.customerId).toBe("C-ACME");
    expect(plain(s)).toEqual([alloc("001044", "2219.60")]);
    expect(s.reasons).toEqual([
      "customer 10001 Acme Corporation Inc.: an invoice number in remittance, one character off, names this customer's invoice of exactly this amount (to the cent)",
      'INV-001044 (written "INV-1045", one-character typo) in remittance; amount equals open 2,219.60',
    ]);
    // 0.98 (typo the amount confirms to the cent) × 0.99 × 0.97 (one typo) = 0.94109
    expect(s.confidence).toBeCloseTo(0.941, 3);
    expect(s.autoAccept).toBe(true);
  });

  it("a typo confirmed by a round amount counts less than one confirmed to the cent", () => {
    // "2011" is one edit from 2001 (Globex's 5,000.00): a whole amount many invoices could share.
    const s = matchOne({ amount: "5000.00", text: ["INV-2011"] });
    expect(s.customerId).toBe("C-GLOBEX");
    expect(plain(s)).toEqual([alloc("002001", "5000.00")]);
    expect(s.reasons[0]).toBe(
      "customer 10002 Globex Logistics LLC: an invoice number in remittance, one character off, names this customer's invoice of exactly this amount",
    );
    // 0.95 × 0.99 × 0.97 = 0.91229
    expect(s.confidence).toBeCloseTo(0.912, 3);
  });

  it("amounts stated per invoice in structured remittance", () => {
    const s = matchOne({
      amount: "2005.40",
      payerAccount: ACME_ACCOUNT,
      documents: [
        { number: "INV-001043", amount: usd("780.40") },
        { number: "1042", amount: usd("1225.00") },
      ],
    });
    expect(plain(s)).toEqual([alloc("001043", "780.40"), alloc("001042", "1225.00", "25.00")]);
    expect(s.reasons[1]).toBe(
      "INV-001043, INV-001042 in remittance; amounts stated in remittance: INV-001043 780.40 equals open 780.40; INV-001042 1,225.00 equals open 1,250.00 less 2% discount 25.00",
    );
    expect(s.autoAccept).toBe(true);
  });

  it("an ISO 11649 creditor reference carries the invoice number", () => {
    const s = matchOne({
      amount: "333.33",
      payerAccount: ACME_ACCOUNT,
      creditorReference: makeCreditorReference("1050"),
    });
    expect(plain(s)).toEqual([alloc("001050", "333.33")]);
    expect(s.reasons[1]).toBe("INV-001050 in remittance; amount equals open 333.33");
  });

  it("a fuzzy name alone with an exact amount of one open item may be auto-accepted", () => {
    const s = matchOne({ amount: "1234.56", payerName: "GLOBEX LOGISTICS" });
    expect(s.customerId).toBe("C-GLOBEX");
    expect(plain(s)).toEqual([alloc("002002", "1234.56")]);
    expect(s.reasons[0]).toBe(
      'customer 10002 Globex Logistics LLC: payer name "GLOBEX LOGISTICS" matches "Globex Logistics LLC" (similarity 1.00); no other customer has an item open for this amount',
    );
    // 1 − 0.05 × 0.2 = 0.99; × exact 0.95 = 0.9405
    expect(s.confidence).toBeCloseTo(0.94, 2);
    expect(s.autoAccept).toBe(true);
  });

  it("a fuzzy name alone with a short pay is never auto-accepted", () => {
    // 5,000.00 − 10.00: within tolerance, but nothing but the name says who paid.
    const s = matchOne({ amount: "4990.00", payerName: "GLOBEX LOGISTICS" });
    expect(s.kind).toBe("shortPay");
    expect(s.autoAccept).toBe(false);
    expect(s.confidence).toBeLessThanOrEqual(GATED_CONFIDENCE);
    expect(s.reasons.at(-1)).toBe(
      "not auto-accepted: the customer is known only from the payer name and the amount is not an exact match of one open item or combination",
    );
  });

  it("a weak name and an amount two customers have open: left for a person", () => {
    // Word weights ln(1 + 5 customers / customers using the word): SUMMIT 2 → 1.2528, LOGISTICS 2 → 1.2528,
    // FOODS 1 → 1.7918. "SUMMIT" vs Summit Logistics: 2 × 1.2528 / (1.2528 × 3) = 0.667; vs Summit Foods:
    // 2 × 1.2528 / (1.2528 × 2 + 1.7918) = 0.583, under 0.65, no evidence at all. The margin 0.083 < 0.1
    // caps the name's strength at 0.45; 450.25 is open at both Summits, so no unique-amount evidence:
    // 0.45 × exact 0.95 = 0.4275.
    const s = matchOne({ amount: "450.25", payerName: "SUMMIT" });
    expect(s.customerId).toBe("C-SUMMITL");
    expect(s.reasons[0]).toBe(
      'customer 10005 Summit Logistics Ltd.: payer name "SUMMIT" resembles "Summit Logistics Ltd." (similarity 0.67)',
    );
    expect(s.confidence).toBeCloseTo(0.4275, 2);
    expect(s.autoAccept).toBe(false);
  });

  it("a disputed document is never applied automatically", () => {
    const s = matchOne({ amount: "640.00", payerName: "INITECH SOFTWARE GMBH", text: ["INV-003001"] });
    expect(plain(s)).toEqual([alloc("003001", "640.00")]);
    expect(s.autoAccept).toBe(false);
    expect(s.reasons.at(-1)).toBe("not auto-accepted: INV-003001 is disputed");
  });

  it("two lines that both settle one document are both left for a person", () => {
    const [a, b] = match([
      aLine({ amount: "5000.00", payerName: "GLOBEX LOGISTICS LLC", text: ["INV-002001"] }),
      aLine({ amount: "5000.00", payerName: "GLOBEX LOGISTICS LLC", text: ["INV-002001"] }),
    ]);
    expect(a?.autoAccept).toBe(false);
    expect(b?.autoAccept).toBe(false);
    expect(a?.reasons.at(-1)).toBe(`not auto-accepted: INV-002001 is also claimed by line "${b?.lineRef ?? ""}"`);
  });

  it("debits, reversals and unrelated credits are not applied", () => {
    const [debit, reversal, interest, pending] = match([
      aLine({ amount: "-125.00", payerName: "WIRE FEE" }),
      aLine({ amount: "-780.40", payerName: "ACME CORP", reversal: true, text: ["RETURNED ITEM INV-1043"] }),
      aLine({ amount: "12.34", payerName: "FIRST NATIONAL BANK", text: ["INTEREST PAYMENT"] }),
      aLine({ amount: "2219.60", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT, status: "pending" }),
    ]);
    expect(debit).toMatchObject({ kind: "debit", customerId: null, allocations: [], autoAccept: false, confidence: 0 });
    expect(debit?.unapplied.toString()).toBe("-125.00");
    expect(debit?.reasons).toEqual(["debit of 125.00: money out, not a customer payment"]);
    expect(reversal).toMatchObject({ kind: "debit", customerId: null, allocations: [] });
    expect(reversal?.reasons).toEqual(["reversal of an earlier entry (-780.40): not a customer payment"]);
    expect(interest).toMatchObject({ kind: "unmatched", customerId: null, allocations: [], autoAccept: false });
    expect(interest?.reasons).toEqual([
      'no customer identified: no payer account, no open invoice number in remittance, payer name "FIRST NATIONAL BANK" resembles no customer, and no customer has 12.34 open',
    ]);
    expect(pending?.autoAccept).toBe(false);
    expect(pending?.reasons.at(-1)).toBe("not auto-accepted: the line's status is pending, not booked");
  });

  it("a customer identified but nothing fits: the cash stays unapplied on the suggestion", () => {
    const s = matchOne({ amount: "17.00", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT });
    expect(s).toMatchObject({ kind: "unmatched", customerId: "C-ACME", allocations: [], autoAccept: false });
    expect(s.unapplied.toString()).toBe("17.00");
    expect(s.reasons.at(-1)).toBe("no open item or combination of open items fits 17.00; left unapplied for a person");
  });

  it("a line in another currency never touches the USD items", () => {
    const s = matchOne({ amount: "2219.60", currency: "EUR", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT });
    expect(s.allocations).toEqual([]);
    expect(s.unapplied.currency).toBe("EUR");
  });

  it("nothing is auto-accepted below a stricter threshold", () => {
    const [s] = match([aLine({ amount: "2219.60", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT })], {
      options: { ...OPTIONS, autoAcceptThreshold: 0.99 },
    });
    expect(s?.confidence).toBeLessThan(0.99);
    expect(s?.autoAccept).toBe(false);
  });
});

describe("matching rules for large ledgers, worked by hand", () => {
  it("two customers of one name: the one owed the amount is told apart", () => {
    const customers: MatchingCustomer[] = [
      { id: "C-AP1", number: "20001", name: "Aperture Pharma GmbH" },
      { id: "C-AP2", number: "20002", name: "Aperture Pharma GmbH" },
    ];
    const twin = (id: string, customerId: string, amount: string) =>
      item({ id, customerId, amount, documentDate: "2026-02-01", dueDate: "2026-03-03" });
    const line = aLine({ amount: "205.02", payerName: "APERTURE PHARMA GMBH", text: ["ACH CREDIT"] });
    const [s] = match([line], {
      customers,
      openItems: [twin("900001", "C-AP1", "205.02"), twin("900002", "C-AP2", "999.00")],
      knownAccounts: new Map(),
    });
    expect(s?.customerId).toBe("C-AP1");
    expect(s?.reasons[0]).toBe(
      'customer 20001 Aperture Pharma GmbH: payer name "APERTURE PHARMA GMBH" matches "Aperture Pharma GmbH" (similarity 1.00); "Aperture Pharma GmbH" is as alike, but nothing open of that customer fits as well; no other customer has an item open for this amount',
    );
    // name 0.95 (the twin, owed nothing that fits, does not hold it down to 0.45), one owner of the amount 0.8:
    // 1 − 0.05 × 0.2 = 0.99; exact 0.95 → 0.9405. The twin: name 0.45 × nothing to apply 0.3 = 0.135, under 40%.
    expect(s?.confidence).toBeCloseTo(0.941, 3);
    expect(s?.autoAccept).toBe(true);

    // Both owed exactly the amount: the name tells nothing, and no one else does either.
    const [both] = match([line], {
      customers,
      openItems: [twin("900001", "C-AP1", "205.02"), twin("900002", "C-AP2", "205.02")],
      knownAccounts: new Map(),
    });
    expect(both?.autoAccept).toBe(false);
  });

  it("another customer's name on the payment, when that customer is owed nothing that fits, counts little", () => {
    // Globex pays Acme's INV-001043 exactly (a sister company); Globex has nothing open of 780.40.
    const s = matchOne({ amount: "780.40", payerName: "GLOBEX LOGISTICS LLC", text: ["INV-1043"] });
    expect(s.customerId).toBe("C-ACME");
    expect(plain(s)).toEqual([alloc("001043", "780.40")]);
    expect(s.reasons.slice(0, 2)).toEqual([
      "customer 10001 Acme Corporation Inc.: an invoice number in remittance belongs to this customer",
      "but the payer's name is customer 10002's, who has nothing open that the amount fits",
    ]);
    // invoice number 0.95 × 0.97 = 0.9215; settled exactly 0.99 → 0.91229
    expect(s.confidence).toBeCloseTo(0.912, 3);
    expect(s.autoAccept).toBe(true);
  });

  it("several named invoices mostly paid, short by more than the tolerance: oldest due first", () => {
    // INV-001043 780.40 (due 03-03) + INV-001044 2,219.60 (due 03-07) = 3,000.00; 2,500.00 paid is more than half.
    const s = matchOne({
      amount: "2500.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      text: ["INV-1044 INV-1043"],
    });
    expect(s.kind).toBe("invoice");
    expect(plain(s)).toEqual([alloc("001043", "780.40"), alloc("001044", "1719.60")]);
    expect(s.reasons[1]).toBe(
      "INV-001043, INV-001044 in remittance; amount 2,500.00 is 500.00 short of their open total 3,000.00, more than the tolerance (at least half of it is paid): applied oldest due first, the rest stays open",
    );
    // customer 1 − 0.03 × 0.05 × 0.3 = 0.99955; several invoices mostly paid 0.92 → 0.91959
    expect(s.confidence).toBeCloseTo(0.92, 3);
    expect(s.autoAccept).toBe(true);

    // 1,200.00 of the same 3,000.00 is less than half: which invoices were meant is a guess.
    const little = matchOne({
      amount: "1200.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      text: ["INV-1044 INV-1043"],
    });
    expect(little.autoAccept).toBe(false);
  });

  it("one named invoice of which less than half is paid is left for a person", () => {
    // 300.00 of INV-001044's 2,219.60; no invoice one character from "1044" would be mostly paid by it either
    // (INV-001042 1,250.00 and INV-001043 780.40 need 625.00 and 390.20).
    const s = matchOne({ amount: "300.00", payerName: "ACME CORP", payerAccount: ACME_ACCOUNT, text: ["INV-1044"] });
    expect(plain(s)).toEqual([alloc("001044", "300.00")]);
    expect(s.reasons.slice(1)).toEqual([
      "INV-001044 in remittance; partial payment 300.00 of open 2,219.60: 1,919.60 stays open (short by more than the tolerance; less than half of it paid)",
    ]);
    // customer 1 − 0.03 × 0.05 × 0.3 = 0.99955 × 0.7 = 0.69969
    expect(s.confidence).toBeCloseTo(0.7, 3);
    expect(s.autoAccept).toBe(false);
  });

  it("a stated payment of less than half an invoice is doubtful when a one-character neighbour would be mostly paid", () => {
    // "1044" names INV-001044 (2,219.60) exactly, but 700.00 is under half of it, while INV-001042 (1,250.00) and
    // INV-001043 (780.40), one character from "1044", would be mostly paid by it.
    const s = matchOne({
      amount: "700.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      documents: [{ number: "INV-1044", amount: usd("700.00") }],
    });
    expect(plain(s)).toEqual([alloc("001044", "700.00")]);
    expect(s.reasons.at(-1)).toBe(
      'but INV-001042, one character from "INV-1044", is closer to the amount (open 1,250.00)',
    );
    // capped at ambiguous 0.5 × customer 0.99955
    expect(s.confidence).toBeCloseTo(0.5, 3);
    expect(s.autoAccept).toBe(false);

    // 1,800.00 stated on the same invoice is most of it: no doubt (0.99955 × stated partial 0.93 = 0.92958).
    const most = matchOne({
      amount: "1800.00",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      documents: [{ number: "INV-1044", amount: usd("1800.00") }],
    });
    expect(most.confidence).toBeCloseTo(0.93, 3);
    expect(most.autoAccept).toBe(true);
  });

  it("a stated amount short within tolerance is a write-off, not an exact settlement", () => {
    // 2,209.60 stated on INV-001044 (2,219.60): 10.00 short, within 25.00.
    const s = matchOne({
      amount: "2209.60",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      documents: [{ number: "INV-1044", amount: usd("2209.60") }],
    });
    expect(s.kind).toBe("shortPay");
    expect(plain(s)).toEqual([alloc("001044", "2209.60", "0.00", "10.00")]);
    // customer 1 − 0.03 × 0.05 × 0.05 = 0.999925 × written off 0.95 (not 0.99) = 0.94993
    expect(s.confidence).toBeCloseTo(0.95, 3);
  });

  it("a typo settled within tolerance counts like one settled exactly when no other amount of the customer lies that near", () => {
    // "1045" is one edit from 1042, 1043 and 1044; 2,210.60 is 9.00 short of INV-001044's 2,219.60 (tolerance 25.00).
    // Acme's other open amounts (1,250.00, 780.40, 333.33) are none within 25.00 of 2,219.60: no coincidence to fear.
    const s = matchOne({
      amount: "2210.60",
      payerName: "ACME CORP",
      payerAccount: ACME_ACCOUNT,
      text: ["INV-1045"],
    });
    expect(plain(s)).toEqual([alloc("001044", "2210.60", "0.00", "9.00")]);
    // customer 1 − 0.03 × 0.05 × 0.4 (typo, not confirmed exactly) = 0.9994; written off 0.95 × one typo 0.97 = 0.9215
    // → 0.92095 (before: × 0.9 for "could be another neighbour" = 0.829)
    expect(s.confidence).toBeCloseTo(0.921, 3);
    expect(s.autoAccept).toBe(true);
  });

  it("gives the same suggestions whatever the order of the open items", () => {
    const lines = [
      aLine({ amount: "2219.60", text: ["INV-1045"] }),
      aLine({ amount: "2210.60", payerName: "ACME CORP", text: ["INV-1045"] }),
      aLine({ amount: "1234.56", payerName: "GLOBEX LOGISTICS" }),
      aLine({ amount: "450.25", payerName: "SUMMIT" }),
    ];
    const forward = match(lines);
    const backward = match(lines, { openItems: [...OPEN_ITEMS].reverse(), customers: [...CUSTOMERS].reverse() });
    const view = (list: MatchSuggestion[]) =>
      list.map((s) => ({
        customerId: s.customerId,
        allocations: plain(s),
        confidence: s.confidence,
        reasons: s.reasons,
      }));
    expect(view(backward)).toEqual(view(forward));
  });
});

describe("text helpers", () => {
  it("normalizes company names: case, punctuation, legal forms, spaced initials", () => {
    expect(normalizeName("Acme Corporation Inc.")).toEqual(["ACME"]);
    expect(normalizeName("ACME CORP")).toEqual(["ACME"]);
    expect(normalizeName("O'Brien Textiles S.A.")).toEqual(["OBRIEN", "TEXTILES"]);
    expect(normalizeName("SUNRISE INDS S A")).toEqual(["SUNRISE", "INDS"]);
    expect(normalizeName("Smith & Sons L L C")).toEqual(["SMITH", "SONS"]);
    expect(normalizeName("Müller GmbH")).toEqual(["MULLER"]);
    // a bank's cut-off "INCO" is the legal form it begins
    expect(normalizeName("SUNRISE ENVIRONMENTAL SERVICES INCO")).toEqual(["SUNRISE", "ENVIRONMENTAL", "SERVICES"]);
    expect(normalizeName("The Company")).toEqual(["COMPANY"]);
  });

  it("scores names by words: equal, acronym, abbreviations, cut short", () => {
    expect(nameSimilarity("ACME CORP", "Acme Corporation Inc.")).toBe(1);
    // Every word weighs 1 here. "IBM" pairs with the three initials at 0.85: 2 × 0.85 × 3 / (3 + 3) = 0.85.
    expect(nameSimilarity("IBM", "International Business Machines Corp")).toBeCloseTo(0.85, 10);
    // BLUE 1, RIDGE 1, LOGIS a prefix of LOGISTICS 0.9, GROUP unmatched: 2 × 2.9 / (4 + 3) = 0.829, but the
    // words begin the customer's name in order, so it reads as cut short by the bank: 0.92.
    expect(nameSimilarity("BLUE RIDGE LOGIS", "Blue Ridge Logistics Group")).toBeCloseTo(0.92, 10);
    expect(nameSimilarity("PAYPAL", "Acme Corporation Inc.")).toBe(0);
  });

  it("Jaro–Winkler matches the published examples", () => {
    // Winkler (1990) / Wikipedia "Jaro–Winkler distance": MARTHA–MARHTA 0.961, DIXON–DICKSONX 0.813, DWAYNE–DUANE 0.84.
    expect(jaroWinkler("MARTHA", "MARHTA")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("DIXON", "DICKSONX")).toBeCloseTo(0.813, 3);
    expect(jaroWinkler("DWAYNE", "DUANE")).toBeCloseTo(0.84, 3);
    expect(jaroWinkler("ABC", "ABC")).toBe(1);
    expect(jaroWinkler("ABC", "XYZ")).toBe(0);
  });

  it("Damerau–Levenshtein (optimal string alignment)", () => {
    expect(damerauLevenshtein("1042", "1024")).toBe(1); // neighbours swapped
    expect(damerauLevenshtein("1042", "10042")).toBe(1); // one inserted
    expect(damerauLevenshtein("1042", "142")).toBe(1); // one dropped
    expect(damerauLevenshtein("1042", "1142")).toBe(1); // one replaced
    expect(damerauLevenshtein("1042", "2041")).toBe(2);
    expect(damerauLevenshtein("", "abc")).toBe(3);
    // Wikipedia's example of the restricted form: CA → ABC is 3 (unrestricted Damerau–Levenshtein gives 2).
    expect(damerauLevenshtein("CA", "ABC")).toBe(3);
  });

  it("oneEditApart is exactly a Damerau–Levenshtein distance of 1", () => {
    expect(oneEditApart("1042", "1024")).toBe(true);
    expect(oneEditApart("1042", "10042")).toBe(true);
    expect(oneEditApart("1042", "142")).toBe(true);
    expect(oneEditApart("1042", "1142")).toBe(true);
    expect(oneEditApart("1042", "1042")).toBe(false);
    expect(oneEditApart("1042", "2041")).toBe(false);
    const digits = fc.string({ maxLength: 7 }).map((t) => t.replace(/[^0-3]/g, ""));
    fc.assert(
      fc.property(digits, digits, (a, b) => {
        expect(oneEditApart(a, b)).toBe(damerauLevenshtein(a, b) === 1);
      }),
      { numRuns: 2000 },
    );
  });

  it("normalizes account numbers for remembering them", () => {
    expect(normalizeAccount("de89 3704-0044 0532 0130 00")).toBe("DE89370400440532013000");
  });

  it("estimates coincidental combinations", () => {
    // Two values of 100: one pair, the sum's spread is 0 (floored to one minor unit), z = 0 → 1/√(2π) = 0.3989.
    expect(expectedChanceCombinations([100n, 100n], 200n, 2)).toBeCloseTo(0.3989, 4);
    expect(expectedChanceCombinations([100n], 200n, 2)).toBe(0);
  });
});

describe("input checks", () => {
  it("refuses malformed input, naming the field", () => {
    const line = aLine({ amount: "1.00" });
    const bad = (overrides: Partial<MatchBankLinesInput>) => () => match([line], overrides);
    expect(bad({ options: { ...OPTIONS, autoAcceptThreshold: 1.5 } })).toThrow(DomainError);
    expect(bad({ options: { ...OPTIONS, autoAcceptThreshold: 1.5 } })).toThrow(
      "options.autoAcceptThreshold must be a number from 0 to 1",
    );
    expect(bad({ options: { ...OPTIONS, maxCombination: 0 } })).toThrow(
      "options.maxCombination must be a whole number from 1 to 12",
    );
    expect(bad({ options: { ...OPTIONS, graceDays: 3651 } })).toThrow(
      "options.graceDays must be a whole number from 0 to 3650",
    );
    const first = OPEN_ITEMS[0] as MatchingOpenItem;
    expect(bad({ openItems: [first, first] })).toThrow('openItems[1].document.id "001042" is listed twice');
    expect(bad({ openItems: [{ document: first.document, open: Money.parse("1.00", "EUR") }] })).toThrow(
      "openItems[0].open is in EUR, its document in USD",
    );
    expect(bad({ openItems: [{ document: { ...first.document, customerId: "C-NOBODY" }, open: first.open }] })).toThrow(
      'openItems[0].document.customerId "C-NOBODY" is not among the customers',
    );
  });
});

// ---------------------------------------------------------------------------
// Invariants over random ledgers and lines

const TERMS: PaymentTerms[] = [NET_30, TWO_10_NET_30, parseTerms("1.5/15 NET 45")];

const ledgerArb = fc.record({
  items: fc.array(
    fc.record({
      customer: fc.integer({ min: 0, max: 2 }),
      minor: fc.bigInt({ min: 1n, max: 300_000n }),
      openShare: fc.integer({ min: 1, max: 100 }),
      terms: fc.integer({ min: 0, max: TERMS.length - 1 }),
      age: fc.integer({ min: 0, max: 60 }),
      euro: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      disputed: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      number: fc.integer({ min: 1000, max: 1040 }),
    }),
    { maxLength: 9 },
  ),
  lines: fc.array(
    fc.record({
      kind: fc.constantFrom("item", "sum", "short", "random", "debit"),
      pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      delta: fc.bigInt({ min: -3000n, max: 3000n }),
      random: fc.bigInt({ min: 1n, max: 900_000n }),
      payer: fc.constantFrom("ACME CORP", "GLOBEX", "INITECH", "PAYPAL", ""),
      account: fc.boolean(),
      reference: fc.constantFrom("none", "exact", "typo", "stated"),
      euro: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

describe("invariants", () => {
  it("allocations never exceed open or the line, balance exactly and never mix currencies", () => {
    const customers = CUSTOMERS.slice(0, 3);
    fc.assert(
      fc.property(ledgerArb, ({ items, lines }) => {
        const used = new Set<string>();
        const openItems: MatchingOpenItem[] = [];
        items.forEach((spec, i) => {
          const number = `INV-${spec.number}${used.has(String(spec.number)) ? `-${i}` : ""}`;
          used.add(String(spec.number));
          const currency = spec.euro ? "EUR" : "USD";
          const amount = Money.fromMinor(spec.minor, currency);
          const document = anInvoice({
            id: `D${i}`,
            customerId: customers[spec.customer]?.id ?? "C-ACME",
            number,
            amount: amount.toString(),
            currency,
            documentDate: `2026-03-${String(20 - Math.min(19, spec.age % 20)).padStart(2, "0")}`,
            dueDate: "2026-04-15",
            terms: TERMS[spec.terms] ?? NET_30,
            disputed: spec.disputed,
          });
          openItems.push({
            document,
            open: Money.fromMinor((spec.minor * BigInt(spec.openShare)) / 100n || 1n, currency),
          });
        });
        const bankLines = lines.map((spec) => {
          const chosen = spec.pick
            .map((p) => openItems[p % Math.max(1, openItems.length)])
            .filter((x) => x !== undefined);
          const currency = spec.euro ? "EUR" : "USD";
          const total = chosen.reduce((sum, x) => sum + x.open.toMinor(), 0n);
          let minor: bigint;
          if (spec.kind === "item") minor = chosen[0]?.open.toMinor() ?? spec.random;
          else if (spec.kind === "sum") minor = total > 0n ? total : spec.random;
          else if (spec.kind === "short") minor = total + spec.delta > 0n ? total + spec.delta : spec.random;
          else if (spec.kind === "debit") minor = -spec.random;
          else minor = spec.random;
          const numbers = chosen.map((x) => x.document.number);
          const text =
            spec.reference === "exact"
              ? [numbers.join(" ")]
              : spec.reference === "typo"
                ? numbers.map((n) => n.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10)))
                : [];
          const documents =
            spec.reference === "stated" ? chosen.map((x) => ({ number: x.document.number, amount: x.open })) : [];
          return aLine({
            amount: Money.fromMinor(minor, currency).toString(),
            currency,
            ...(spec.payer === "" ? {} : { payerName: spec.payer }),
            ...(spec.account ? { payerAccount: ACME_ACCOUNT } : {}),
            text,
            documents,
          });
        });
        const suggestions = matchBankLines({
          lines: bankLines,
          customers,
          openItems,
          knownAccounts: KNOWN,
          options: OPTIONS,
        });
        expect(suggestions).toHaveLength(bankLines.length);
        const byId = new Map(openItems.map((x) => [x.document.id, x]));
        suggestions.forEach((s, i) => {
          const line = bankLines[i] as BankLine;
          const currency = line.amount.currency;
          expect(s.unapplied.currency).toBe(currency);
          let applied = Money.zero(currency);
          const seen = new Set<string>();
          for (const a of s.allocations) {
            const target = byId.get(a.documentId);
            if (target === undefined) throw new Error(`unknown document ${a.documentId}`);
            expect(seen.has(a.documentId)).toBe(false);
            seen.add(a.documentId);
            expect(target.document.currency).toBe(currency);
            expect(target.document.customerId).toBe(s.customerId);
            for (const m of [a.amount, a.discount, a.writeOff]) expect(m.currency).toBe(currency);
            expect(a.amount.isPositive()).toBe(true);
            expect(a.discount.isNegative()).toBe(false);
            expect(a.writeOff.isNegative()).toBe(false);
            expect(a.amount.add(a.discount).add(a.writeOff).lte(target.open)).toBe(true);
            expect(a.writeOff.isPositive() === (a.writeOffReason !== null)).toBe(true);
            applied = applied.add(a.amount);
          }
          expect(applied.add(s.unapplied).equals(line.amount)).toBe(true);
          if (line.amount.isPositive()) expect(applied.lte(line.amount)).toBe(true);
          else expect(s.allocations).toEqual([]);
          expect(s.confidence).toBeGreaterThanOrEqual(0);
          expect(s.confidence).toBeLessThanOrEqual(1);
          if (s.autoAccept) expect(s.confidence).toBeGreaterThanOrEqual(0.9);
        });
      }),
      { numRuns: 300 },
    );
  });
});
