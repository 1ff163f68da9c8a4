/**
 * A seeded generator of a realistic AR ledger and noisy bank lines against
 * it, for the matching benchmark (bench/matching.ts). Every line knows its
 * true answer: the customer who paid (or none) and the allocations a careful
 * clerk would record.
 *
 * Noise kinds, each a thing real bank files do (a line can carry several):
 * - typo:             one character wrong in an invoice number (swapped, doubled, dropped, replaced)
 * - missingReference: no invoice number at all ("ACH CREDIT", a PO number)
 * - combination:      one payment for 2–6 invoices
 * - shortPay:         paid less than open (within tolerance → write-off; beyond → partial payment)
 * - bankFee:          a wire fee (10.00–40.00) deducted by a bank on the way
 * - payerName:        the payer's name differs from the customer's (abbreviated, acronym, cut short,
 *                     trading name, a parent or payment processor, the owner's own name)
 * - discount:         early-payment discount taken inside the 2/10 window
 * - unrelated:        credits that are no customer's payment (vendor refunds, interest, tax refunds)
 * - debit:            money out, including returned customer payments
 * - clean:            none of the above: one invoice, named, paid in full, under the customer's name
 *
 * Conventions the truth follows (the same ones cash-application.ts and
 * matching.ts document): discounts are the terms' percent of the open amount
 * rounded half-up; a shortfall within tolerance (the lower of 25.00 and 5% of
 * the open total, rounded down) is written off on the largest invoice paid;
 * a payment short by more than that pays the invoices oldest due first and
 * leaves the rest open.
 */
import type { BankLine, Remittance, RemittanceDocument } from "../shared/bank.js";
import { makeCreditorReference } from "../shared/bank.js";
import { parseCurrency } from "../shared/currency.js";
import { addDays, parseIsoDate, type IsoDate } from "../shared/dates.js";
import type { MatchingCustomer, MatchingOpenItem } from "../shared/matching.js";
import { Money } from "../shared/money.js";
import { discountAmount, dueDate, parseTerms, type PaymentTerms } from "../shared/terms.js";
import { seededRandom } from "../server/demo/generator.js";

export type NoiseKind =
  | "clean"
  | "typo"
  | "missingReference"
  | "combination"
  | "shortPay"
  | "bankFee"
  | "payerName"
  | "discount"
  | "unrelated"
  | "debit";

export const NOISE_KINDS: readonly NoiseKind[] = [
  "clean",
  "typo",
  "missingReference",
  "combination",
  "shortPay",
  "bankFee",
  "payerName",
  "discount",
  "unrelated",
  "debit",
];

/**
 * How often each kind of noise occurs. Shares of customer payments unless
 * said otherwise. These are judgements, not measurements: TYPICAL_MIX is a
 * mid-size B2B receivables operation paid mostly by lockbox checks with
 * stubs and by CTX/wire payments carrying remittance, with some CCD
 * payments without any; HARSH_MIX is a ledger where remittance mostly
 * arrives separately (by e-mail) and bank data is poor.
 */
export interface NoiseMix {
  /** Share of all lines that are credits from no customer. */
  readonly unrelated: number;
  /** Share of all lines that are debits (a third of them returned customer payments). */
  readonly debit: number;
  /** Payments of one invoice less its early-payment discount. */
  readonly discount: number;
  /** Payments of 2–6 invoices. */
  readonly combination: number;
  readonly shortPay: number;
  readonly bankFee: number;
  /** Of short pays: the share short by more than the tolerance (a deduction, not a small difference). */
  readonly shortBeyondTolerance: number;
  readonly missingReference: number;
  /** Of payments that carry invoice numbers: the share with one of them mistyped. */
  readonly typo: number;
  readonly payerName: number;
}

export const TYPICAL_MIX: NoiseMix = {
  unrelated: 0.05,
  debit: 0.03,
  discount: 0.12,
  combination: 0.2,
  shortPay: 0.08,
  bankFee: 0.06,
  shortBeyondTolerance: 0.2,
  missingReference: 0.08,
  typo: 0.08,
  payerName: 0.25,
};

export const HARSH_MIX: NoiseMix = {
  unrelated: 0.08,
  debit: 0.04,
  discount: 0.12,
  combination: 0.25,
  shortPay: 0.12,
  bankFee: 0.1,
  shortBeyondTolerance: 0.3,
  missingReference: 0.2,
  typo: 0.15,
  payerName: 0.35,
};

export interface TruthAllocation {
  readonly documentId: string;
  readonly amount: string;
  readonly discount: string;
  readonly writeOff: string;
}

export interface GeneratedLine {
  readonly line: BankLine;
  readonly noise: readonly NoiseKind[];
  readonly truth: { readonly customerId: string | null; readonly allocations: readonly TruthAllocation[] };
}

export interface MatchingWorld {
  readonly today: IsoDate;
  readonly customers: readonly MatchingCustomer[];
  readonly openItems: readonly MatchingOpenItem[];
  readonly knownAccounts: ReadonlyMap<string, string>;
  readonly tolerance: { readonly amount: Money; readonly percent: string };
  readonly lines: readonly GeneratedLine[];
}

export const MATCHING_TODAY = parseIsoDate("2026-03-31");
const CURRENCY = parseCurrency("USD");
const TOLERANCE_AMOUNT = Money.parse("25.00", CURRENCY);
const TOLERANCE_PERCENT = "5";

// ---------------------------------------------------------------------------
// Word pools

const FIRST = [
  "Acme",
  "Northwind",
  "Contoso",
  "Fabrikam",
  "Globex",
  "Initech",
  "Vandelay",
  "Wonka",
  "Tyrell",
  "Hooli",
  "Summit",
  "Pinnacle",
  "Apex",
  "Zenith",
  "Vertex",
  "Orion",
  "Nova",
  "Atlas",
  "Titan",
  "Phoenix",
  "Blue Ridge",
  "Great Lakes",
  "Silver Creek",
  "Red Rock",
  "Green Valley",
  "Cedar Point",
  "Eagle Rock",
  "Stone Bridge",
  "Pacific",
  "Atlantic",
  "Midwest",
  "Southern",
  "Northern",
  "Western",
  "Central",
  "Coastal",
  "Mountain",
  "Prairie",
  "Evergreen",
  "Redwood",
  "Granite",
  "Cascade",
  "Harbor",
  "Lakeside",
  "Riverside",
  "Meadow",
  "Sunrise",
  "Horizon",
  "Smith",
  "Johnson",
  "Garcia",
  "Miller",
  "Nguyen",
  "Kowalski",
  "Okafor",
  "Müller",
  "O'Brien",
  "Rossi",
  "Patel",
  "Kim",
  "Andersen",
  "Dubois",
  "Schmidt",
  "Lopez",
  "Hughes",
  "Becker",
  "Fischer",
  "Yamamoto",
  "Allied",
  "United",
  "General",
  "National",
  "American",
  "International",
  "Continental",
  "Premier",
  "Superior",
  "Precision",
  "Keystone",
  "Liberty",
  "Heritage",
  "Frontier",
  "Pioneer",
  "Patriot",
  "Sterling",
  "Crown",
  "Royal",
  "Imperial",
  "Brightway",
  "Clearwater",
  "Fairview",
  "Highland",
  "Ironwood",
  "Kingsley",
  "Maplewood",
  "Oakridge",
  "Pinecrest",
  "Westfield",
];
const INDUSTRY = [
  "Industrial Supply",
  "Logistics",
  "Foods",
  "Medical Devices",
  "Manufacturing",
  "Technologies",
  "Construction",
  "Electric",
  "Pharmaceuticals",
  "Packaging",
  "Building Materials",
  "Consulting Group",
  "Auto Parts",
  "Office Products",
  "Furniture",
  "Plastics",
  "Steel",
  "Textiles",
  "Marine Services",
  "Engineering",
  "Distribution",
  "Laboratories",
  "Communications",
  "Solutions",
  "Holdings",
  "Trading",
  "Farms",
  "Bakery",
  "Chemicals",
  "Hardware",
  "Energy",
  "Transport",
  "Printing",
  "Paper Products",
  "Home Health",
  "Dental Supply",
  "Restaurant Group",
  "Hotels",
  "Software",
  "Security Services",
  "Environmental Services",
  "Precision Machining",
  "Wholesale",
  "Beverage",
  "Industries",
];
const SUFFIX = [
  "Inc.",
  "LLC",
  "Ltd.",
  "Corp.",
  "Corporation",
  "Co.",
  "Company",
  "Incorporated",
  "GmbH",
  "S.A.",
  "PLC",
  "",
  "Inc",
  "L.L.C.",
];
const ABBREVIATIONS: Record<string, string> = {
  INTERNATIONAL: "INTL",
  MANUFACTURING: "MFG",
  CORPORATION: "CORP",
  COMPANY: "CO",
  INCORPORATED: "INC",
  SERVICES: "SVCS",
  TECHNOLOGIES: "TECH",
  LABORATORIES: "LABS",
  DISTRIBUTION: "DIST",
  ENGINEERING: "ENGRG",
  COMMUNICATIONS: "COMM",
  PHARMACEUTICALS: "PHARM",
  INDUSTRIAL: "INDL",
  MATERIALS: "MATLS",
  PRODUCTS: "PRODS",
  ENVIRONMENTAL: "ENVTL",
  CONSTRUCTION: "CONSTR",
  MEDICAL: "MED",
  NATIONAL: "NATL",
  AMERICAN: "AMER",
  HOLDINGS: "HLDGS",
  SOLUTIONS: "SOLNS",
  WHOLESALE: "WHSL",
  RESTAURANT: "REST",
  SECURITY: "SEC",
  PRECISION: "PREC",
  MACHINING: "MACH",
  PACKAGING: "PKG",
  CHEMICALS: "CHEM",
  ELECTRIC: "ELEC",
  BEVERAGE: "BEV",
  SOFTWARE: "SFTWR",
  DENTAL: "DNTL",
  SUPPLY: "SUPP",
  INDUSTRIES: "INDS",
  LOGISTICS: "LOGIST",
  TRANSPORT: "TRANSP",
  CONSULTING: "CONSLT",
  FURNITURE: "FURN",
  DEVICES: "DEV",
  PRINTING: "PRTG",
};
/** How parent companies paying for a subsidiary are named. */
const PARENT_WORDS = ["HOLDINGS", "CAPITAL PARTNERS", "GROUP PLC", "ENTERPRISES", "VENTURES LLC"];
const PROCESSORS = ["BILL.COM", "AVIDXCHANGE INC", "CORPAY SOLUTIONS", "PAYMENTUS", "TIPALTI INC", "MINERAL TREE"];
const PERSON_FIRST = ["JOHN", "MARIA", "DAVID", "LINDA", "JAMES", "SUSAN", "WEI", "FATIMA", "CARLOS", "ANNA"];
const PERSON_LAST = ["SMITH", "JOHNSON", "BROWN", "TAYLOR", "LEE", "MARTIN", "WALKER", "YOUNG", "KING", "WRIGHT"];
const TERMS: readonly PaymentTerms[] = [
  parseTerms("2/10 NET 30"),
  parseTerms("2/10 NET 30"),
  parseTerms("2/10 NET 30"),
  parseTerms("NET 30"),
  parseTerms("NET 30"),
  parseTerms("NET 30"),
  parseTerms("NET 30"),
  parseTerms("NET 45"),
  parseTerms("NET 10 EOM"),
  parseTerms("1/15 NET 45"),
];

// ---------------------------------------------------------------------------

interface Random {
  (): number;
}

interface GenCustomer {
  readonly customer: MatchingCustomer;
  readonly accounts: readonly string[];
  readonly terms: PaymentTerms;
  readonly weight: number;
  readonly fixedAmount: bigint | null;
  readonly items: GenItem[];
}

interface GenItem {
  readonly item: MatchingOpenItem;
  readonly customer: GenCustomer;
  used: boolean;
}

const usd = (minor: bigint): Money => Money.fromMinor(minor, CURRENCY);

function words(name: string): string[] {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9&' ]/g, " ")
    .split(/\s+/)
    .filter((w) => w !== "");
}

/** Keys that make two customer names the same for people (and for the engine). */
function plainName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .replace(/\b(INC|LLC|L L C|LTD|CORP|CORPORATION|CO|COMPANY|INCORPORATED|GMBH|S A|SA|PLC|AND|THE)\b/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function bankText(name: string): string {
  // Banks print names upper case, without accents, often without punctuation.
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toUpperCase();
}

export function generateMatchingWorld(params: {
  seed: number;
  lines: number;
  openItems: number;
  mix?: NoiseMix;
}): MatchingWorld {
  const { seed, lines: lineCount, openItems: itemCount } = params;
  const mix = params.mix ?? TYPICAL_MIX;
  if (!Number.isInteger(lineCount) || lineCount < 1)
    throw new Error(`lines must be a whole number ≥ 1, got ${lineCount}`);
  if (!Number.isInteger(itemCount) || itemCount < lineCount * 2) {
    throw new Error(`openItems must be at least twice the number of lines (${lineCount * 2}); got ${itemCount}`);
  }
  const random: Random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const today = MATCHING_TODAY;

  // Customers -------------------------------------------------------------
  const customerCount = Math.max(20, Math.round(itemCount / 25));
  const taken = new Set<string>();
  const makeName = (): string => {
    for (;;) {
      const style = random();
      const first = pick(FIRST);
      const name =
        style < 0.1
          ? `${first} & Sons ${pick(SUFFIX)}`
          : style < 0.2
            ? `${first} ${pick(FIRST)} ${pick(INDUSTRY)} ${pick(SUFFIX)}`
            : `${first} ${pick(INDUSTRY)} ${pick(SUFFIX)}`;
      const key = plainName(name);
      if (!taken.has(key)) {
        taken.add(key);
        return name.trim();
      }
    }
  };
  let accountSeq = 0;
  const newAccount = () => `${between(100, 999)}${String(++accountSeq).padStart(7, "0")}${between(10, 99)}`;
  const customers: GenCustomer[] = [];
  // Zipf-like sizes (a few customers hold many open items), in random order over the name pool.
  const ranks = Array.from({ length: customerCount }, (_, i) => i + 1);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j] ?? 1, ranks[i] ?? 1];
  }
  const knownAccounts = new Map<string, string>();
  for (let i = 0; i < customerCount; i++) {
    const id = `C${String(i + 1).padStart(5, "0")}`;
    const name = makeName();
    const aliases: string[] = [];
    if (chance(0.08)) {
      // A trading name, never another customer's name.
      const initials = plainName(name)
        .split(" ")
        .map((w) => w.charAt(0))
        .join("");
      const alias = chance(0.5) ? `${initials} ${pick(INDUSTRY)}` : `${pick(FIRST)} ${pick(INDUSTRY)}`;
      if (!taken.has(plainName(alias))) {
        taken.add(plainName(alias));
        aliases.push(alias);
      }
    }
    const accounts = chance(0.25) ? [newAccount(), newAccount()] : [newAccount()];
    // In steady use most regular payers' accounts have been confirmed once already.
    if (chance(0.85)) knownAccounts.set(accounts[0] ?? "", id);
    if (accounts[1] !== undefined && chance(0.3)) knownAccounts.set(accounts[1], id);
    const customer: MatchingCustomer =
      aliases.length > 0 ? { id, number: String(10000 + i), name, aliases } : { id, number: String(10000 + i), name };
    const fixedAmount = chance(0.12) ? BigInt(between(5, 300)) * 5000n : null;
    customers.push({
      customer,
      accounts,
      terms: pick(TERMS),
      weight: 1 / Math.pow(ranks[i] ?? 1, 0.7),
      fixedAmount,
      items: [],
    });
  }
  const totalWeight = customers.reduce((s, c) => s + c.weight, 0);
  const weighted = (list: readonly GenCustomer[]): GenCustomer => {
    const sum = list.reduce((s, c) => s + c.weight, 0);
    let r = random() * sum;
    for (const c of list) {
      r -= c.weight;
      if (r <= 0) return c;
    }
    return list[list.length - 1] as GenCustomer;
  };

  // Open items ------------------------------------------------------------
  let invoiceSeq = 100_000;
  const allItems: GenItem[] = [];
  for (const c of customers) {
    const count = Math.max(1, Math.floor((c.weight / totalWeight) * itemCount));
    for (let k = 0; k < count; k++) allItems.push(makeItem(c));
  }
  while (allItems.length < itemCount) allItems.push(makeItem(weighted(customers)));
  function makeItem(c: GenCustomer): GenItem {
    invoiceSeq += between(1, 3); // numbers in between are paid or belong to other ledgers
    const number = `INV-${String(invoiceSeq).padStart(6, "0")}`;
    const age = chance(0.25) ? between(0, 13) : between(14, 150);
    const documentDate = addDays(today, -age);
    let minor: bigint;
    if (c.fixedAmount !== null && chance(0.6)) minor = c.fixedAmount;
    else if (chance(0.1)) minor = BigInt(between(1, 200)) * 5000n;
    else minor = BigInt(Math.round(Math.exp(Math.log(8000) + random() * (Math.log(4_000_000) - Math.log(8000)))));
    const amount = usd(minor);
    const open = chance(0.1) ? usd((minor * BigInt(between(20, 90))) / 100n) : amount;
    const item: MatchingOpenItem = {
      document: {
        id: `D${String(invoiceSeq)}`,
        customerId: c.customer.id,
        number,
        documentDate,
        dueDate: dueDate(c.terms, documentDate),
        currency: CURRENCY,
        terms: c.terms,
        type: "invoice",
        disputed: chance(0.02),
      },
      open,
    };
    const gen: GenItem = { item, customer: c, used: false };
    c.items.push(gen);
    return gen;
  }

  // Lines -----------------------------------------------------------------
  const discountOn = (g: GenItem, date: IsoDate): Money => {
    const { document, open } = g.item;
    if (document.terms === null) return Money.zero(CURRENCY);
    const d = discountAmount({
      terms: document.terms,
      amount: open,
      documentDate: document.documentDate,
      paymentDate: date,
    });
    return d.gte(open) ? Money.zero(CURRENCY) : d;
  };
  const tolerance = (open: Money) => TOLERANCE_AMOUNT.min(open.percentage(TOLERANCE_PERCENT, "down"));
  const oldestFirst = (a: GenItem, b: GenItem) =>
    a.item.document.dueDate.localeCompare(b.item.document.dueDate) ||
    a.item.document.documentDate.localeCompare(b.item.document.documentDate) ||
    a.item.document.number.localeCompare(b.item.document.number);

  const generated: GeneratedLine[] = [];
  const active = () => customers.filter((c) => c.items.some((g) => !g.used && !g.item.document.disputed));

  for (let n = 0; n < lineCount; n++) {
    const recordRef = `GEN line ${n + 1}`;
    const bookingDate = addDays(today, -between(0, 4));
    const roll = random();
    if (roll < mix.unrelated) {
      generated.push(unrelatedLine(n, recordRef, bookingDate));
      continue;
    }
    if (roll < mix.unrelated + mix.debit) {
      generated.push(debitLine(n, recordRef, bookingDate));
      continue;
    }
    const candidates = active();
    if (candidates.length === 0) throw new Error("ran out of open items: raise openItems");
    const c = weighted(candidates);
    const free = c.items.filter((g) => !g.used && !g.item.document.disputed);
    const noise = new Set<NoiseKind>();
    const scenario = random();
    let chosen: GenItem[];
    let truth: TruthAllocation[];
    let amount: Money;
    const eligible = free.filter((g) => discountOn(g, bookingDate).isPositive());
    const notEligible = free.filter((g) => discountOn(g, bookingDate).isZero());

    const fullPay = (items: GenItem[], takeDiscount: boolean) => {
      const allocations = items.map((g) => {
        const discount = takeDiscount ? discountOn(g, bookingDate) : Money.zero(CURRENCY);
        return {
          documentId: g.item.document.id,
          amount: g.item.open.subtract(discount),
          discount,
          writeOff: Money.zero(CURRENCY),
        };
      });
      return allocations;
    };
    const shortOf = (items: GenItem[], short: Money) => {
      const open = Money.sum(
        items.map((g) => g.item.open),
        CURRENCY,
      );
      const paid = open.subtract(short);
      if (short.lte(tolerance(open))) {
        const target = [...items].sort((a, b) => b.item.open.compare(a.item.open) || oldestFirst(a, b))[0] as GenItem;
        return {
          paid,
          allocations: items.map((g) => ({
            documentId: g.item.document.id,
            amount: g === target ? g.item.open.subtract(short) : g.item.open,
            discount: Money.zero(CURRENCY),
            writeOff: g === target ? short : Money.zero(CURRENCY),
          })),
        };
      }
      let left = paid;
      const allocations = [];
      for (const g of [...items].sort(oldestFirst)) {
        if (!left.isPositive()) break;
        const take = left.min(g.item.open);
        allocations.push({
          documentId: g.item.document.id,
          amount: take,
          discount: Money.zero(CURRENCY),
          writeOff: Money.zero(CURRENCY),
        });
        left = left.subtract(take);
      }
      return { paid, allocations };
    };

    const big = (min: bigint) => notEligible.filter((g) => g.item.open.toMinor() >= min);
    type Scenario = "discount" | "combination" | "shortPay" | "bankFee" | "single";
    const edges = [mix.discount, mix.combination, mix.shortPay, mix.bankFee].map((_, i, all) =>
      all.slice(0, i + 1).reduce((a, b) => a + b, 0),
    );
    let planned: Scenario =
      scenario < (edges[0] ?? 0)
        ? "discount"
        : scenario < (edges[1] ?? 0)
          ? "combination"
          : scenario < (edges[2] ?? 0)
            ? "shortPay"
            : scenario < (edges[3] ?? 0)
              ? "bankFee"
              : "single";
    if (planned === "discount" && eligible.length === 0) planned = "single";
    if (planned === "combination" && free.length < 2) planned = "single";
    if (planned === "shortPay" && big(2000n).length === 0) planned = "single";
    if (planned === "bankFee" && big(30000n).length === 0) planned = "single";
    if (planned === "discount") {
      noise.add("discount");
      chosen = [pick(eligible)];
      const allocations = fullPay(chosen, true);
      truth = allocations.map(plainAllocation);
      amount = Money.sum(
        allocations.map((a) => a.amount),
        CURRENCY,
      );
    } else if (planned === "combination") {
      noise.add("combination");
      const k = Math.min(free.length, pick([2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6]));
      // Most multi-invoice payments come from an AP payment run: the invoices falling due in one window,
      // i.e. consecutive in due-date order (disputed ones held back). The rest pick invoices freely.
      const runs = c.items
        .filter((g) => !g.item.document.disputed)
        .sort(oldestFirst)
        .map((g, i, all) => all.slice(i, i + k))
        .filter((run) => run.length === k && run.every((g) => !g.used));
      chosen = runs.length > 0 && chance(0.6) ? pick(runs) : sample(free, k);
      const takeDiscount = chosen.some((g) => discountOn(g, bookingDate).isPositive()) && chance(0.8);
      if (takeDiscount) noise.add("discount");
      const allocations = fullPay(chosen, takeDiscount);
      truth = allocations.map(plainAllocation);
      amount = Money.sum(
        allocations.map((a) => a.amount),
        CURRENCY,
      );
    } else if (planned === "shortPay") {
      noise.add("shortPay");
      const options = big(2000n);
      chosen = chance(0.75) || options.length < 2 ? [pick(options)] : sample(options, 2);
      const open = Money.sum(
        chosen.map((g) => g.item.open),
        CURRENCY,
      );
      const tol = tolerance(open).toMinor();
      const shortMinor = !chance(mix.shortBeyondTolerance)
        ? BigInt(between(1, Number(tol)))
        : tol + BigInt(between(100, Math.max(101, Number(open.toMinor() / 5n))));
      const result = shortOf(chosen, usd(shortMinor));
      truth = result.allocations.map(plainAllocation);
      amount = result.paid;
    } else if (planned === "bankFee") {
      noise.add("bankFee");
      const options = big(30000n);
      chosen = sample(options, Math.min(options.length, pick([1, 1, 1, 2, 3])));
      const fee = usd(BigInt(pick([1000, 1200, 1500, 1500, 1500, 2000, 2000, 2500, 3000, 3500, 4000])));
      const result = shortOf(chosen, fee);
      truth = result.allocations.map(plainAllocation);
      amount = result.paid;
    } else {
      // One invoice, paid in full (a 2/10 customer inside the window often pays the gross anyway).
      chosen = [pick(free)];
      const takeDiscount = discountOn(chosen[0] as GenItem, bookingDate).isPositive() && chance(0.5);
      if (takeDiscount) noise.add("discount");
      const allocations = fullPay(chosen, takeDiscount);
      truth = allocations.map(plainAllocation);
      amount = Money.sum(
        allocations.map((a) => a.amount),
        CURRENCY,
      );
    }
    for (const g of chosen) g.used = true;

    // References
    const missing = chance(mix.missingReference);
    let remittance: Remittance;
    if (missing) {
      noise.add("missingReference");
      remittance = {
        unstructured: [
          pick(["ACH CREDIT", "PAYMENT", "CCD PMT", "VENDOR PAYMENT", `PO ${between(4500000000, 4509999999)}`, ""]),
        ].filter((t) => t !== ""),
        documents: [],
      };
    } else {
      const numbers = chosen.map((g) => g.item.document.number);
      const typoAt = chance(mix.typo) ? between(0, numbers.length - 1) : -1;
      if (typoAt >= 0) noise.add("typo");
      const written = numbers.map((number, i) => writeNumber(i === typoAt ? typo(number) : number));
      const structured = chance(0.25);
      if (structured) {
        const documents: RemittanceDocument[] = written.map((number, i) => {
          const t = truth.find((a) => a.documentId === chosen[i]?.item.document.id);
          // Stated amounts are what the payer meant to pay; a bank fee is taken after the payer wrote them.
          const meant = noise.has("bankFee")
            ? chosen[i]?.item.open
            : t === undefined
              ? undefined
              : Money.parse(t.amount, CURRENCY);
          return chance(0.7) && meant !== undefined ? { number, amount: meant } : { number };
        });
        remittance = { unstructured: [], documents };
      } else if (chosen.length === 1 && chance(0.05)) {
        remittance = {
          unstructured: [],
          documents: [],
          creditorReference: makeCreditorReference(String(chosen[0]?.item.document.number.replace(/\D/g, ""))),
        };
        if (typoAt >= 0) remittance = { unstructured: written, documents: [] };
      } else {
        const lead = pick(["", "", "PAYMENT ", "INV ", "RE: ", "PMT FOR INVOICES ", "REMIT "]);
        const sep = pick([" ", ", ", "/", " "]);
        const tail = chance(0.15) ? ` PO ${between(4500000000, 4509999999)}` : "";
        remittance = { unstructured: [`${lead}${written.join(sep)}${tail}`], documents: [] };
      }
    }

    // Payer
    let payerName = bankText(c.customer.name);
    let payerAccount: string | undefined = chance(0.88)
      ? chance(0.85)
        ? c.accounts[0]
        : c.accounts[c.accounts.length - 1]
      : undefined;
    if (chance(mix.payerName)) {
      noise.add("payerName");
      const style = random();
      if (style < 0.3) payerName = abbreviate(c.customer.name);
      else if (style < 0.45) payerName = acronym(c.customer.name);
      else if (style < 0.65)
        payerName = bankText(c.customer.name)
          .replace(/[^A-Z0-9 ]/g, "")
          .slice(0, between(10, 16))
          .trim();
      else if (style < 0.78 && c.customer.aliases !== undefined)
        payerName = bankText(c.customer.aliases[0] ?? c.customer.name);
      else if (style < 0.92) {
        payerName = chance(0.5) ? pick(PROCESSORS) : `${bankText(pick(FIRST))} ${pick(PARENT_WORDS)}`;
        payerAccount = chance(0.5) ? `PROC${between(1000, 9999)}` : undefined;
      } else payerName = `${pick(PERSON_FIRST)} ${pick(PERSON_LAST)}`;
    } else if (payerName.length > 35) {
      payerName = payerName.slice(0, 35).trim();
    }
    if (noise.size === 0) noise.add("clean");

    const line: BankLine = {
      lineNo: n + 1,
      recordRef,
      bookingDate,
      amount,
      direction: "credit",
      status: "booked",
      reversal: false,
      bankReference: `BR${String(between(10000000, 99999999))}`,
      payerName,
      ...(payerAccount === undefined ? {} : { payerAccount }),
      remittance,
    };
    generated.push({ line, noise: [...noise], truth: { customerId: c.customer.id, allocations: truth } });
  }

  function sample<T>(list: readonly T[], k: number): T[] {
    const copy = [...list];
    const out: T[] = [];
    while (out.length < k && copy.length > 0) out.push(copy.splice(Math.floor(random() * copy.length), 1)[0] as T);
    return out;
  }

  function writeNumber(number: string): string {
    const digits = number.replace(/\D/g, "");
    const style = random();
    if (style < 0.4) return number;
    if (style < 0.55) return digits;
    if (style < 0.65) return `#${digits}`;
    if (style < 0.75) return `INV${digits}`;
    if (style < 0.85) return `0${digits}`;
    if (style < 0.93) return number.toLowerCase();
    return `INVOICE ${digits}`;
  }

  function typo(number: string): string {
    const digits = number.replace(/\D/g, "");
    const i = between(0, digits.length - 1);
    const kind = random();
    let out: string;
    if (kind < 0.35) {
      const j = Math.min(i, digits.length - 2);
      out = digits.slice(0, j) + (digits[j + 1] ?? "") + (digits[j] ?? "") + digits.slice(j + 2);
      if (out === digits) out = digits.slice(0, i) + String((Number(digits[i]) + 1) % 10) + digits.slice(i + 1);
    } else if (kind < 0.7) {
      out = digits.slice(0, i) + String((Number(digits[i]) + between(1, 9)) % 10) + digits.slice(i + 1);
    } else if (kind < 0.85) {
      out = digits.slice(0, i) + digits.slice(i + 1);
    } else {
      out = digits.slice(0, i) + String(between(0, 9)) + digits.slice(i);
    }
    return `INV-${out}`;
  }

  function abbreviate(name: string): string {
    return words(bankText(name))
      .map((w) => ABBREVIATIONS[w.replace(/[.']/g, "")] ?? w)
      .join(" ")
      .replace(/ AND /g, " & ");
  }

  function acronym(name: string): string {
    const initials = plainName(name)
      .split(" ")
      .map((w) => w.charAt(0))
      .join("");
    return chance(0.5) ? initials : `${initials} ${pick(["INC", "LLC", "CORP", "CO"])}`;
  }

  function unrelatedLine(n: number, recordRef: string, bookingDate: IsoDate): GeneratedLine {
    const style = random();
    let payerName: string;
    let remittance: Remittance;
    let minor: bigint;
    if (style < 0.45) {
      let vendor = makeName(); // a vendor: a company name from the same world, never a customer's
      if (chance(0.3)) vendor = `${pick(FIRST)} ${pick(INDUSTRY)} ${pick(SUFFIX)}`.trim();
      payerName = bankText(vendor).slice(0, 35);
      remittance = {
        unstructured: [
          pick(["REFUND", "CREDIT MEMO", "OVERPAYMENT REFUND", "REBATE Q1"]) +
            (chance(0.5) ? ` ${between(10000, 999999)}` : ""),
        ],
        documents: [],
      };
      minor = BigInt(between(1000, 900000));
    } else if (style < 0.75) {
      payerName = pick(["FIRST NATIONAL BANK", "CITIZENS BANK", "INTEREST", ""]);
      remittance = { unstructured: [pick(["INTEREST PAYMENT", "MONTHLY INTEREST", "INT CREDIT MAR"])], documents: [] };
      minor = BigInt(between(5, 40000));
    } else {
      payerName = pick(["IRS TREAS 310", "STATE OF CA FTB", "DEPT OF REVENUE", "HARTFORD INS CLAIM", "CHUBB CLAIMS"]);
      remittance = {
        unstructured: [pick(["TAX REFUND", "CLAIM PAYMENT", `CLAIM ${between(100000, 999999)}`])],
        documents: [],
      };
      minor = BigInt(between(5000, 2_500_000));
    }
    const line: BankLine = {
      lineNo: n + 1,
      recordRef,
      bookingDate,
      amount: usd(minor),
      direction: "credit",
      status: "booked",
      reversal: false,
      ...(payerName === "" ? {} : { payerName }),
      remittance,
    };
    return { line, noise: ["unrelated"], truth: { customerId: null, allocations: [] } };
  }

  function debitLine(n: number, recordRef: string, bookingDate: IsoDate): GeneratedLine {
    const returned = chance(0.3);
    const c = weighted(customers);
    const g = c.items[0];
    const minor = returned && g !== undefined ? g.item.open.toMinor() : BigInt(between(500, 2_000_000));
    const line: BankLine = {
      lineNo: n + 1,
      recordRef,
      bookingDate,
      amount: usd(-minor),
      direction: "debit",
      status: "booked",
      reversal: returned,
      payerName: returned
        ? bankText(c.customer.name).slice(0, 35)
        : pick(["PAYROLL", "WIRE FEE", "ADP", "UTILITY CO", bankText(makeName())]),
      remittance: {
        unstructured:
          returned && g !== undefined
            ? [`RETURNED ITEM NSF ${g.item.document.number}`]
            : [pick(["ACH DEBIT", "WIRE OUT", "FEE"])],
        documents: [],
      },
    };
    return { line, noise: ["debit"], truth: { customerId: null, allocations: [] } };
  }

  return {
    today,
    customers: customers.map((c) => c.customer),
    openItems: allItems.map((g) => g.item),
    knownAccounts,
    tolerance: { amount: TOLERANCE_AMOUNT, percent: TOLERANCE_PERCENT },
    lines: generated,
  };
}

function plainAllocation(a: { documentId: string; amount: Money; discount: Money; writeOff: Money }): TruthAllocation {
  return {
    documentId: a.documentId,
    amount: a.amount.toString(),
    discount: a.discount.toString(),
    writeOff: a.writeOff.toString(),
  };
}
