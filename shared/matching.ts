import { isValidCreditorReference, normalizeCreditorReference, type BankLine } from "./bank.js";
import { referenceKey, SHORT_PAY_REASON, type Allocation } from "./cash-application.js";
import { parseCurrency, type CurrencyCode } from "./currency.js";
import { parseIsoDate, type IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import type { ArDocument } from "./ledger.js";
import { Money, parseDecimal } from "./money.js";
import { assertPaymentTerms, discountLastDay, MAX_TERM_DAYS } from "./terms.js";

/**
 * The matching engine: for each imported bank line, who paid and which open
 * items the money settles, with a confidence and the reasons in words.
 *
 * How a line is read:
 * 1. Debits, reversals and zero lines are never customer payments: "debit" or
 *    "unmatched", nothing applied.
 * 2. Candidate customers come from four kinds of evidence: the payer's bank
 *    account remembered from confirmed matches; invoice numbers in the
 *    remittance (tolerant of prefixes, case, zero padding and a one-character
 *    typo in the number); the payer's name against customer names and aliases
 *    (legal suffixes and punctuation ignored, abbreviations, acronyms and
 *    truncation allowed, rare words weighing more than common ones); and an
 *    amount that only one customer has open.
 * 3. For each candidate, the best explanation of the amount: the invoices the
 *    remittance names (with their stated amounts when given, a discount taken,
 *    a short pay within tolerance written off, or — when nothing settles them
 *    exactly — a partial payment); else one open item the amount pays exactly
 *    (with or without its early-payment discount); else a run of invoices
 *    consecutive by due date (an AP payment run) or a unique combination of
 *    the customer's open items (bounded subset-sum, fewest items first); else
 *    a short pay of one item.
 * 4. Confidence = how sure we are of the customer (independent pieces of
 *    evidence combined as a noisy-OR) × how sure we are of the allocation,
 *    lowered when another customer or allocation fits nearly as well. A
 *    combination found by amount alone is discounted by the number of
 *    combinations expected to fit by coincidence (many open items, many
 *    invoices per payment), and a round amount matching one item counts only
 *    if no combination of round invoices fits it too. Other rules of weight:
 *    - a payer name as alike to several customers' names is held down only by
 *      those whose open items explain the line about as well (two "Acme
 *      Retail" customers, only one owed this amount, are told apart); another
 *      customer's name weighs little against invoice numbers the amount
 *      settles when that customer is owed nothing that fits;
 *    - a typo the exact amount confirms counts more when the amount has cents;
 *      a typo settled within tolerance is discounted by how many of the
 *      customer's other open amounts lie that near (a coincidence);
 *    - a partial payment is trusted when it pays at least half of what the
 *      remittance names (one invoice, or several applied oldest due first),
 *      and doubted when it pays less than half of the named invoice while an
 *      invoice one character from the written number would be mostly paid.
 *
 * Speed: everything that does not depend on the line is worked out once per
 * call — per item its discount and deadline; per customer and
 * currency its items sorted for the amount searches, with indexes by open
 * amount and by amount net of the discount; invoice numbers indexed by key,
 * digits and by the digits less one character at each position (typos are
 * looked up, not searched for); name blocks with a cheap upper bound on the
 * similarity before it is worked out. Candidate customers are bounded (the
 * account's, up to three by name, by invoice number, by amount).
 *
 * Safety rules that no score can override (a "gated" suggestion's confidence
 * is capped at GATED_CONFIDENCE and it is never auto-accepted):
 * - a customer known only from the payer's name is auto-accepted only when the
 *   amount is an exact match of exactly one open item or combination;
 * - a customer known only because one customer has that amount open;
 * - a disputed document, a line that is not booked or is dated after today, or
 *   a document two auto-accepted lines both claim.
 *
 * Conventions shared with cash-application.ts: the discount is the terms'
 * percent of the open amount, earned when the line's booking date is on or
 * before the discount deadline plus `graceDays`; a short pay is written off
 * when the shortfall is within the lower of the amount and percent tolerance
 * (percent of the open amount, rounded down). When one payment short-pays
 * several named invoices, the whole shortfall is written off on the largest
 * of them (oldest due first on ties), where the tolerance is measured against
 * their open total. A shortfall beyond the tolerance is not written off: the
 * cash goes to the named invoices oldest due first and the rest stays open.
 */

export type MatchKind = "invoice" | "exact" | "discount" | "combination" | "shortPay" | "unmatched" | "debit";

export interface MatchingCustomer {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  /** Other names the customer pays under (trading names, parents that always pay for it). */
  readonly aliases?: readonly string[];
}

/** The parts of an ArDocument matching needs; credit memos (`type`) are never targets. */
export type MatchingDocument = Pick<
  ArDocument,
  "id" | "customerId" | "number" | "documentDate" | "dueDate" | "currency" | "terms"
> &
  Partial<Pick<ArDocument, "type" | "disputed">>;

export interface MatchingOpenItem {
  readonly document: MatchingDocument;
  /** Open now, in the document's currency. */
  readonly open: Money;
}

export interface MatchingOptions {
  /** Lines dated after today are not auto-accepted (a mis-dated file). */
  readonly today: IsoDate;
  /** Confidence from which a suggestion is applied without a person; 0.9 by default. */
  readonly autoAcceptThreshold?: number;
  /**
   * Short pays up to the lower of `amount` and `percent` of the open amount are
   * suggested as write-offs. `amount` counts for lines in its own currency only
   * (other currencies get the percent alone). No tolerance: no write-offs.
   */
  readonly shortPayTolerance?: { readonly amount?: Money; readonly percent?: string };
  /** Most invoices one payment is matched to by amount alone; 6 by default. */
  readonly maxCombination?: number;
  /** Days after the discount deadline that still earn the discount (mail and bank float); 0 by default. */
  readonly graceDays?: number;
  /** Search steps allowed per combination search; a search that runs out cannot prove a match unique. */
  readonly searchBudget?: number;
}

export interface MatchBankLinesInput {
  readonly lines: readonly BankLine[];
  readonly customers: readonly MatchingCustomer[];
  readonly openItems: readonly MatchingOpenItem[];
  /** Payer account → customer id, remembered from confirmed matches (any spacing or case; see `normalizeAccount`). */
  readonly knownAccounts: ReadonlyMap<string, string>;
  readonly options: MatchingOptions;
}

export interface MatchSuggestion {
  /** Position of the line in the input. */
  readonly lineIndex: number;
  /** The line's `recordRef`, for people. */
  readonly lineRef: string;
  readonly customerId: string | null;
  readonly allocations: readonly Allocation[];
  /** What stays unapplied: line amount − Σ allocation amounts (the whole amount of a debit). */
  readonly unapplied: Money;
  /** 0..1, three decimals. */
  readonly confidence: number;
  readonly reasons: readonly string[];
  /** Applied without a person: confidence ≥ threshold and no safety rule against it. */
  readonly autoAccept: boolean;
  readonly kind: MatchKind;
}

export const DEFAULT_AUTO_ACCEPT_THRESHOLD = 0.9;
export const DEFAULT_MAX_COMBINATION = 6;
const MAX_COMBINATION_LIMIT = 12;
const DEFAULT_SEARCH_BUDGET = 20_000;
/** Where a suggestion a safety rule holds back is capped: clearly below any sensible threshold. */
export const GATED_CONFIDENCE = 0.6;

// ---------------------------------------------------------------------------
// Evidence strengths and allocation confidences, tuned on bench/matching.ts
// (see bench/MATCHING.md). Customer evidence combines as a noisy-OR.

const EVIDENCE = {
  account: 0.97,
  invoiceNumber: 0.95,
  /** The remittance names this customer's invoice but the amount does not settle it. */
  invoiceNumberUnfit: 0.7,
  /** A one-character typo that the exact amount confirms. */
  typoConfirmed: 0.95,
  /** … an amount that is not a whole number of currency units. */
  typoConfirmedCents: 0.98,
  typo: 0.6,
  /** Only this customer has an open item of exactly this amount. */
  uniqueAmount: 0.8,
};

/** Factors on the customer confidence when evidence points at another customer. */
const PENALTY = {
  /** The payer's name is clearly another customer's. */
  otherName: 0.8,
  /** … but the remittance names this customer's invoices (and the amount fits them, or a typo the amount confirms). */
  otherNameReferenced: 0.9,
  /** … and nothing the other customer has open fits the amount or the remittance. */
  otherNameIdle: 0.97,
};

const FIT = {
  named: 0.99,
  namedWriteOff: 0.95,
  /** Paid the gross amount less a shortfall while a discount was available: which was meant is unclear. */
  namedGrossShort: 0.85,
  /** The payer states what it pays on each invoice, less than open: apply as stated, the rest stays open. */
  namedStatedPartial: 0.93,
  /** One named invoice, mostly paid but short by more than the tolerance: apply the cash, the rest stays open. */
  namedPartialSingle: 0.93,
  /** One named invoice of which less than half is paid: an instalment, or a number misread; a person looks. */
  namedPartialLittle: 0.7,
  /**
   * Several named invoices, every number in the remittance one of them, mostly paid but short by more than
   * the tolerance (a large bank fee, a deduction): applied oldest due first as cash-application.ts does;
   * the rest stays open.
   */
  namedPartialMost: 0.92,
  namedOver: 0.7,
  namedPartial: 0.55,
  /** Each named invoice left out of the fit (paid some of what the remittance lists). */
  namedLeftOut: 0.85,
  typoPick: 0.97,
  extraTypo: 0.85,
  typoLoose: 0.9,
  /** A number that exactly names one of the customer's invoices read as a typo for another. */
  typoOverride: 0.96,
  ambiguous: 0.5,
  exact: 0.95,
  discount: 0.93,
  combination: 0.97,
  window: 0.96,
  /** How much an expected number of coincidental combinations (λ) counts against a unique one: fit / (1 + weight·λ). */
  combinationChanceWeight: 1,
  combinationNet: 0.98,
  searchIncomplete: 0.6,
  /** A round amount matching one item, where the search could not rule out a combination. */
  roundUnproven: 0.9,
  shortPay: 0.8,
  /** Named invoices exist but the amount fits other items. */
  namedContradicted: 0.8,
  customerOnly: 0.3,
};

// ---------------------------------------------------------------------------
// Text helpers (exported for tests and for the reconcile sheet's explanations)

/** Bank account text reduced to letters and digits, upper case: "de89 3704-0044" → "DE8937040044". */
export function normalizeAccount(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

const LEGAL_WORDS = new Set([
  "INC",
  "INCORPORATED",
  "LLC",
  "LLP",
  "LP",
  "LTD",
  "LIMITED",
  "GMBH",
  "AG",
  "KG",
  "SA",
  "SAS",
  "SARL",
  "SRL",
  "SPA",
  "BV",
  "NV",
  "PLC",
  "CO",
  "CORP",
  "CORPORATION",
  "COMPANY",
  "PTY",
  "PTE",
  "OY",
  "AB",
  "KK",
]);
const STOP_WORDS = new Set(["THE", "AND", "OF"]);
const LONG_LEGAL_WORDS = ["INCORPORATED", "CORPORATION", "COMPANY", "LIMITED"];

/**
 * A company name as comparable words: upper case, accents and punctuation
 * removed ("S.A." is "SA", "O'Brien" is "OBRIEN", "&" is "AND"), legal forms
 * (Inc, LLC, Ltd, GmbH, S.A., Co, Corp, …) and "the/and/of" dropped — unless
 * nothing else is left.
 */
export function normalizeName(name: string): string[] {
  const text = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/&/g, " AND ")
    .replace(/['’.]/g, "")
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
  // Initials spelled out with spaces ("S A", "L L C", as banks print "S.A.") are one word.
  const words: string[] = [];
  let afterLetter = false;
  for (const word of text === "" ? [] : text.split(" ")) {
    const letter = /^[A-Z]$/.test(word);
    const previous = words.at(-1);
    if (letter && afterLetter && previous !== undefined) words[words.length - 1] = previous + word;
    else words.push(word);
    afterLetter = letter;
  }
  // Banks cut names short: a last word that begins a legal form ("INCO", "CORPORA") is that legal form.
  const last = words.at(-1);
  if (words.length >= 3 && last !== undefined && last.length >= 3 && LONG_LEGAL_WORDS.some((w) => w.startsWith(last))) {
    words.pop();
  }
  const kept = words.filter((w) => !LEGAL_WORDS.has(w) && !STOP_WORDS.has(w));
  return kept.length > 0 ? kept : words.filter((w) => !STOP_WORDS.has(w));
}

/** Jaro–Winkler similarity (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (bMatched[j] === true || a[i] !== b[j]) continue;
      aMatched[i] = true;
      bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (aMatched[i] !== true) continue;
    while (bMatched[k] !== true) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Damerau–Levenshtein distance in its optimal-string-alignment form:
 * insertions, deletions, substitutions and swaps of two neighbours each cost 1.
 */
export function damerauLevenshtein(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * Whether two different strings are exactly one edit apart in the sense of
 * `damerauLevenshtein` (one insertion, deletion, substitution or swap of two
 * neighbours), without building its table.
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const sameFrom = (x: string, y: string, i: number, j: number): boolean => {
    while (i < x.length) if (x.charCodeAt(i++) !== y.charCodeAt(j++)) return false;
    return true;
  };
  if (a.length === b.length) {
    let i = 0;
    while (a.charCodeAt(i) === b.charCodeAt(i)) i++;
    // One substitution, or two neighbours swapped; the rest must be equal.
    if (sameFrom(a, b, i + 1, i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && sameFrom(a, b, i + 2, i + 2);
  }
  const short = a.length < b.length ? a : b;
  const long = a.length < b.length ? b : a;
  if (long.length - short.length !== 1) return false;
  let i = 0;
  while (i < short.length && short.charCodeAt(i) === long.charCodeAt(i)) i++;
  return sameFrom(short, long, i, i + 1);
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (i < short.length && short[i] === ch) i++;
  return i === short.length;
}

function stem(word: string): string {
  return word.length > 3 && word.endsWith("S") ? word.slice(0, -1) : word;
}

/** How alike two name words are: 1 equal, then plural, truncation, abbreviation ("MFG"), typo. */
function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (stem(a) === stem(b)) return 0.97;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.startsWith(short)) return short.length >= 4 ? 0.9 : 0.85;
  if (short.length >= 3 && short[0] === long[0] && short.length <= long.length * 0.75 && isSubsequence(short, long)) {
    return 0.85;
  }
  if (short.length >= 4) {
    const jw = jaroWinkler(a, b);
    if (jw >= 0.9) return Math.min(0.95, jw * 0.95);
  }
  return 0;
}

interface NameForm {
  readonly words: readonly string[];
  /** Runs of 2..5 words as one word ("NORTH WIND" → "NORTHWIND") or as initials ("BLUE RIDGE LOGISTICS" → "BRL"), worked out when first needed. */
  runs?: ReadonlyMap<string, readonly { from: number; to: number; score: number }[]>;
}

function runsOf(form: NameForm): ReadonlyMap<string, readonly { from: number; to: number; score: number }[]> {
  if (form.runs !== undefined) return form.runs;
  const runs = new Map<string, { from: number; to: number; score: number }[]>();
  const add = (key: string, run: { from: number; to: number; score: number }) => {
    const list = runs.get(key);
    if (list === undefined) runs.set(key, [run]);
    else list.push(run);
  };
  const many = form.words;
  for (let from = 0; from < many.length; from++) {
    let joined = "";
    let initials = "";
    for (let to = from; to < Math.min(many.length, from + 5); to++) {
      joined += many[to] ?? "";
      initials += (many[to] ?? "").charAt(0);
      if (to === from) continue;
      add(joined, { from, to, score: 0.95 });
      if (initials !== joined && initials.length >= 2) add(initials, { from, to, score: 0.85 });
    }
  }
  form.runs = runs;
  return runs;
}

/** Pairs one word of one side with a run of words of the other: "NORTHWIND" ~ "NORTH WIND", "BRL" ~ "BLUE RIDGE LOGISTICS". */
function runPairs(single: NameForm, many: NameForm): { one: number; from: number; to: number; score: number }[] {
  const pairs: { one: number; from: number; to: number; score: number }[] = [];
  const runs = runsOf(many);
  single.words.forEach((word, one) => {
    const found = runs.get(word);
    if (found !== undefined) for (const run of found) pairs.push({ one, from: run.from, to: run.to, score: run.score });
  });
  return pairs;
}

/**
 * Similarity of two company names, 0..1: a weighted Dice coefficient over
 * words, where each word weighs its rarity among customer names (`weight`),
 * words pair up one-to-one (best pairs first), and a pair counts by
 * `wordSimilarity`. "ACME CORP" and "Acme Corporation Inc." are 1.
 */
export function nameSimilarity(a: string, b: string, weight: (word: string) => number = () => 1): number {
  return formSimilarity({ words: normalizeName(a) }, { words: normalizeName(b) }, weight);
}

function formSimilarity(
  payer: NameForm,
  customer: NameForm,
  weight: (word: string) => number,
  similar: (a: string, b: string) => number = wordSimilarity,
): number {
  const p = payer.words;
  const c = customer.words;
  if (p.length === 0 || c.length === 0) return 0;
  if (p.join(" ") === c.join(" ")) return 1;
  if (p.join("") === c.join("")) return 0.97;
  // The payer's name cut short by the bank: its words begin the customer's name, the last one perhaps cut too.
  const cutShort =
    p.length >= 2 &&
    p.length <= c.length &&
    p.every((word, i) => (i < p.length - 1 ? word === c[i] : word.length >= 2 && (c[i] ?? "").startsWith(word)));
  type Pair = { ps: number[]; cs: number[]; score: number };
  const pairs: Pair[] = [];
  p.forEach((pw, i) => {
    c.forEach((cw, j) => {
      const score = similar(pw, cw);
      if (score > 0) pairs.push({ ps: [i], cs: [j], score });
    });
  });
  for (const r of runPairs(payer, customer)) pairs.push({ ps: [r.one], cs: range(r.from, r.to), score: r.score });
  for (const r of runPairs(customer, payer)) pairs.push({ ps: range(r.from, r.to), cs: [r.one], score: r.score });
  pairs.sort((x, y) => y.score - x.score || y.cs.length - x.cs.length);
  const pUsed = new Set<number>();
  const cUsed = new Set<number>();
  let matched = 0;
  for (const pair of pairs) {
    if (pair.ps.some((i) => pUsed.has(i)) || pair.cs.some((j) => cUsed.has(j))) continue;
    pair.ps.forEach((i) => pUsed.add(i));
    pair.cs.forEach((j) => cUsed.add(j));
    // A pair weighs what its customer words weigh: payer abbreviations are not in the customer vocabulary.
    const w = pair.cs.reduce((sum, j) => sum + weight(c[j] ?? ""), 0);
    matched += pair.score * w * 2;
  }
  // Both sides' total weight; matched payer words weigh what the customer words they stand for weigh.
  let total = 0;
  c.forEach((word) => (total += weight(word)));
  p.forEach((word, i) => {
    if (!pUsed.has(i)) total += weight(word);
  });
  for (const j of cUsed) total += weight(c[j] ?? "");
  const dice = total === 0 ? 0 : Math.min(1, matched / total);
  return cutShort ? Math.max(dice, 0.92) : dice;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------
// Reading the input: wrong shapes are bugs in the caller, so they throw.

interface Item {
  readonly document: MatchingDocument;
  /** The document's id, customer, currency and number, copied out of the caller's objects for fast access. */
  readonly id: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly number: string;
  readonly open: Money;
  readonly openMinor: bigint;
  readonly key: string;
  readonly digits: string;
  readonly disputed: boolean;
  /**
   * The early-payment discount on the open amount, when earned: the terms'
   * percent rounded half-up; zero without discount terms or when it would
   * leave nothing to pay (the same rule as cash-application).
   */
  readonly discount: Money;
  /** The last booking date that earns `discount` (the deadline plus grace days); null: never. */
  readonly discountUntil: IsoDate | null;
}

interface Settings {
  readonly today: IsoDate;
  readonly threshold: number;
  readonly toleranceAmount: Money | null;
  readonly tolerancePercent: string | null;
  readonly maxCombination: number;
  readonly graceDays: number;
  readonly searchBudget: number;
}

function fail(field: string, message: string, code: "invalid_argument" | "invalid_amount" = "invalid_argument"): never {
  throw new DomainError(code, `${field} ${message}`, { field });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(field, "must be non-empty text");
  return value;
}

function readSettings(options: unknown): Settings {
  if (!isRecord(options)) fail("options", "must be an object with today");
  const today = parseIsoDate(options.today, "options.today");
  const threshold = options.autoAcceptThreshold ?? DEFAULT_AUTO_ACCEPT_THRESHOLD;
  if (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)) {
    fail("options.autoAcceptThreshold", "must be a number from 0 to 1");
  }
  const maxCombination = options.maxCombination ?? DEFAULT_MAX_COMBINATION;
  if (
    !Number.isInteger(maxCombination) ||
    (maxCombination as number) < 1 ||
    (maxCombination as number) > MAX_COMBINATION_LIMIT
  ) {
    fail("options.maxCombination", `must be a whole number from 1 to ${MAX_COMBINATION_LIMIT}`);
  }
  const graceDays = options.graceDays ?? 0;
  if (!Number.isInteger(graceDays) || (graceDays as number) < 0 || (graceDays as number) > MAX_TERM_DAYS)
    fail("options.graceDays", `must be a whole number from 0 to ${MAX_TERM_DAYS}`);
  const searchBudget = options.searchBudget ?? DEFAULT_SEARCH_BUDGET;
  if (!Number.isInteger(searchBudget) || (searchBudget as number) < 1)
    fail("options.searchBudget", "must be a whole number, 1 or more");
  let toleranceAmount: Money | null = null;
  let tolerancePercent: string | null = null;
  const tolerance = options.shortPayTolerance;
  if (tolerance !== undefined) {
    if (!isRecord(tolerance)) fail("options.shortPayTolerance", "must be { amount?, percent? }");
    if (tolerance.amount !== undefined) {
      if (!(tolerance.amount instanceof Money))
        fail("options.shortPayTolerance.amount", "must be a Money", "invalid_amount");
      if (tolerance.amount.isNegative())
        fail("options.shortPayTolerance.amount", "must not be negative", "invalid_amount");
      toleranceAmount = tolerance.amount;
    }
    if (tolerance.percent !== undefined) {
      const percent = parseDecimal(tolerance.percent, "options.shortPayTolerance.percent");
      if (percent.isNegative() || percent.gt(100)) fail("options.shortPayTolerance.percent", "must be from 0 to 100");
      tolerancePercent = percent.toString();
    }
  }
  return {
    today,
    threshold,
    toleranceAmount,
    tolerancePercent,
    maxCombination: maxCombination as number,
    graceDays: graceDays as number,
    searchBudget: searchBudget as number,
  };
}

function readCustomers(customers: unknown): Map<string, MatchingCustomer> {
  if (!Array.isArray(customers)) fail("customers", "must be a list of { id, number, name, aliases? }");
  const byId = new Map<string, MatchingCustomer>();
  (customers as unknown[]).forEach((raw, i) => {
    const at = `customers[${i}]`;
    if (!isRecord(raw)) fail(at, "must be { id, number, name, aliases? }");
    const id = text(raw.id, `${at}.id`);
    text(raw.number, `${at}.number`);
    text(raw.name, `${at}.name`);
    if (raw.aliases !== undefined) {
      if (!Array.isArray(raw.aliases)) fail(`${at}.aliases`, "must be a list of names");
      (raw.aliases as unknown[]).forEach((alias, j) => text(alias, `${at}.aliases[${j}]`));
    }
    if (byId.has(id)) fail(`${at}.id`, `"${id}" is listed twice`);
    byId.set(id, raw as unknown as MatchingCustomer);
  });
  return byId;
}

function readItems(openItems: unknown, customers: ReadonlyMap<string, MatchingCustomer>, settings: Settings): Item[] {
  if (!Array.isArray(openItems)) fail("openItems", "must be a list of { document, open }");
  const seen = new Set<string>();
  return (openItems as unknown[]).map((raw, i) => {
    const at = `openItems[${i}]`;
    if (!isRecord(raw) || !isRecord(raw.document)) fail(at, "must be { document, open }");
    const doc = raw.document;
    const id = text(doc.id, `${at}.document.id`);
    const customerId = text(doc.customerId, `${at}.document.customerId`);
    const number = text(doc.number, `${at}.document.number`);
    if (!customers.has(customerId)) fail(`${at}.document.customerId`, `"${customerId}" is not among the customers`);
    if (seen.has(id)) fail(`${at}.document.id`, `"${id}" is listed twice`);
    seen.add(id);
    const currency = parseCurrency(doc.currency, `${at}.document.currency`);
    parseIsoDate(doc.documentDate, `${at}.document.documentDate`);
    parseIsoDate(doc.dueDate, `${at}.document.dueDate`);
    if (doc.terms !== null) assertPaymentTerms(doc.terms, `${at}.document.terms`);
    const open = raw.open;
    if (!(open instanceof Money)) fail(`${at}.open`, "must be a Money", "invalid_amount");
    if (open.currency !== currency) {
      throw new DomainError("currency_mismatch", `${at}.open is in ${open.currency}, its document in ${currency}`, {
        field: `${at}.open`,
      });
    }
    if (open.isNegative()) fail(`${at}.open`, `${open.toString()} must not be negative`, "invalid_amount");
    const key = referenceKey(number);
    const document = doc as unknown as MatchingDocument;
    // Whether a payment earns the discount depends only on its booking date: worked out once here.
    let discount = Money.zero(currency);
    let discountUntil: IsoDate | null = null;
    const terms = document.terms;
    if (terms !== null && terms.discount !== null) {
      const full = open.percentage(terms.discount.percent, "halfUp");
      const lastDay = discountLastDay(terms, document.documentDate, settings.graceDays);
      if (full.isPositive() && full.lt(open) && lastDay !== null) {
        discount = full;
        discountUntil = lastDay;
      }
    }
    return {
      document,
      id,
      customerId,
      currency,
      number,
      open,
      openMinor: open.toMinor(),
      key,
      digits: digitsOf(key),
      disputed: doc.disputed === true,
      discount,
      discountUntil,
    };
  });
}

function readLine(raw: unknown, i: number): BankLine {
  const at = `lines[${i}]`;
  if (!isRecord(raw)) fail(at, "must be a bank line");
  if (!(raw.amount instanceof Money)) fail(`${at}.amount`, "must be a Money", "invalid_amount");
  parseIsoDate(raw.bookingDate, `${at}.bookingDate`);
  if (
    !isRecord(raw.remittance) ||
    !Array.isArray(raw.remittance.unstructured) ||
    !Array.isArray(raw.remittance.documents)
  ) {
    fail(`${at}.remittance`, "must be { unstructured: [], documents: [] }");
  }
  if (typeof raw.recordRef !== "string") fail(`${at}.recordRef`, "must be text");
  return raw as unknown as BankLine;
}

function digitsOf(key: string): string {
  return key.replace(/\D/g, "").replace(/^0+/, "");
}

// ---------------------------------------------------------------------------
// Indexes built once per call

interface NameVariant {
  readonly customerId: string;
  readonly written: string;
  readonly form: NameForm;
}

class NameIndex {
  readonly #variants: NameVariant[] = [];
  readonly #blocks = new Map<string, number[]>();
  readonly #df = new Map<string, number>();
  readonly #customerCount: number;
  readonly #cache = new Map<string, { customerId: string; similarity: number; written: string }[]>();
  /** Word pairs and word weights already worked out: the same few hundred words recur in every name. */
  readonly #pairs = new Map<string, Map<string, number>>();
  readonly #weights = new Map<string, number>();

  constructor(customers: Iterable<MatchingCustomer>) {
    let count = 0;
    for (const customer of customers) {
      count++;
      const names = [customer.name, ...(customer.aliases ?? [])];
      const words = new Set<string>();
      for (const written of names) {
        const form = { words: normalizeName(written) };
        if (form.words.length === 0) continue;
        const index = this.#variants.push({ customerId: customer.id, written, form }) - 1;
        for (const word of form.words) {
          words.add(word);
          this.#block(`w:${stem(word)}`, index);
          if (word.length >= 3) this.#block(`p:${word.slice(0, 3)}`, index);
        }
        this.#block(`j:${form.words.join("")}`, index);
        if (form.words.length >= 2) this.#block(`i:${form.words.map((w) => w.charAt(0)).join("")}`, index);
      }
      for (const word of words) this.#df.set(word, (this.#df.get(word) ?? 0) + 1);
    }
    this.#customerCount = Math.max(1, count);
  }

  #block(key: string, index: number): void {
    const list = this.#blocks.get(key);
    if (list === undefined) this.#blocks.set(key, [index]);
    else if (list.at(-1) !== index) list.push(index);
  }

  /** Rare words weigh more: "SUMMIT" shared by many customers says less than "VANDELAY". */
  readonly weight = (word: string): number => {
    let w = this.#weights.get(word);
    if (w === undefined) {
      w = Math.log(1 + this.#customerCount / (this.#df.get(word) ?? 1));
      this.#weights.set(word, w);
    }
    return w;
  };

  readonly #similar = (a: string, b: string): number => {
    let row = this.#pairs.get(a);
    if (row === undefined) {
      row = new Map<string, number>();
      this.#pairs.set(a, row);
    }
    let score = row.get(b);
    if (score === undefined) {
      score = wordSimilarity(a, b);
      row.set(b, score);
    }
    return score;
  };

  /**
   * Whether `customer` can be at least `floor` alike to `payer`, cheaply: at best every customer word
   * that pairs with some payer word pairs perfectly, which bounds formSimilarity's weighted Dice by
   * 2X / (C + X + U) (C: all customer words' weight, X: the pairable ones', U: payer words that pair
   * with none).
   */
  #mayReach(payer: NameForm, customer: NameForm, floor: number): boolean {
    const p = payer.words;
    const c = customer.words;
    if (p.length === 0 || c.length === 0) return false;
    // Names cut short by the bank score high whatever the weights: formSimilarity decides those.
    if (p.length >= 2 && p.length <= c.length && p.slice(0, -1).every((word, i) => word === c[i])) return true;
    const pairable = c.map(() => false);
    const payerPairs = p.map(() => false);
    p.forEach((pw, i) => {
      c.forEach((cw, j) => {
        if (this.#similar(pw, cw) > 0) {
          pairable[j] = true;
          payerPairs[i] = true;
        }
      });
    });
    const customerRuns = runsOf(customer);
    const payerRuns = runsOf(payer);
    p.forEach((word, i) => {
      for (const r of customerRuns.get(word) ?? []) {
        payerPairs[i] = true;
        for (let j = r.from; j <= r.to; j++) pairable[j] = true;
      }
    });
    c.forEach((word, j) => {
      for (const r of payerRuns.get(word) ?? []) {
        pairable[j] = true;
        for (let i = r.from; i <= r.to; i++) payerPairs[i] = true;
      }
    });
    let all = 0;
    let paired = 0;
    let alone = 0;
    c.forEach((word, j) => {
      all += this.weight(word);
      if (pairable[j] === true) paired += this.weight(word);
    });
    p.forEach((word, i) => {
      if (payerPairs[i] !== true) alone += this.weight(word);
    });
    return (2 * paired) / (all + paired + alone) >= floor;
  }

  /**
   * The customers whose names resemble `payer` at least SIMILARITY_FLOOR, best first, one entry per
   * customer (its best name). Less alike names never count for or against anyone (see nameStrength).
   */
  match(payer: string): readonly { customerId: string; similarity: number; written: string }[] {
    const words = normalizeName(payer);
    const cacheKey = words.join(" ");
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const candidates = new Set<number>();
    const take = (key: string) => this.#blocks.get(key)?.forEach((i) => candidates.add(i));
    for (const word of words) {
      take(`w:${stem(word)}`);
      if (word.length >= 3) take(`p:${word.slice(0, 3)}`);
      take(`j:${word}`);
      take(`i:${word}`);
    }
    take(`j:${words.join("")}`);
    const form = { words };
    const best = new Map<string, { customerId: string; similarity: number; written: string }>();
    for (const index of candidates) {
      const variant = this.#variants[index];
      if (variant === undefined) continue;
      if (!this.#mayReach(form, variant.form, SIMILARITY_FLOOR)) continue;
      const similarity = formSimilarity(form, variant.form, this.weight, this.#similar);
      const previous = best.get(variant.customerId);
      if (similarity >= SIMILARITY_FLOOR && (previous === undefined || similarity > previous.similarity)) {
        best.set(variant.customerId, { customerId: variant.customerId, similarity, written: variant.written });
      }
    }
    const result = [...best.values()].sort(
      (a, b) => b.similarity - a.similarity || a.customerId.localeCompare(b.customerId),
    );
    this.#cache.set(cacheKey, result);
    return result;
  }
}

interface Indexes {
  readonly customers: ReadonlyMap<string, MatchingCustomer>;
  readonly names: NameIndex;
  readonly accounts: ReadonlyMap<string, string>;
  readonly byKey: ReadonlyMap<string, readonly Item[]>;
  readonly byDigits: ReadonlyMap<string, readonly Item[]>;
  /**
   * byDeletionAt[i]: item digits with the character at position i deleted → items, for one-edit lookups
   * (two numbers of one length that agree once each loses its i-th character differ in that one place).
   */
  readonly byDeletionAt: readonly ReadonlyMap<string, readonly Item[]>[];
  /** "USD:125000" → customers with an item that exactly this amount settles (gross, or net of its discount). */
  readonly byAmount: ReadonlyMap<string, ReadonlySet<string>>;
  /** A customer's items in a currency, prepared for amount searches (built when first needed, then kept). */
  readonly book: (customerId: string, currency: CurrencyCode) => Book;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value); // every caller adds a value to a key once
}

function byDueDate(a: Item, b: Item): number {
  const x = a.document;
  const y = b.document;
  return (
    x.dueDate.localeCompare(y.dueDate) ||
    x.documentDate.localeCompare(y.documentDate) ||
    x.number.localeCompare(y.number) ||
    x.id.localeCompare(y.id)
  );
}

function buildIndexes(input: {
  customers: ReadonlyMap<string, MatchingCustomer>;
  items: readonly Item[];
  knownAccounts: ReadonlyMap<string, string>;
  settings: Settings;
}): Indexes {
  const byCustomer = new Map<string, Item[]>();
  const byKey = new Map<string, Item[]>();
  const byDigits = new Map<string, Item[]>();
  const byDeletionAt: Map<string, Item[]>[] = [];
  const byAmount = new Map<string, Set<string>>();
  for (const item of input.items) {
    if (item.document.type === "creditMemo" || !item.open.isPositive()) continue;
    pushTo(byCustomer, item.document.customerId, item);
    if (item.key !== "") pushTo(byKey, item.key, item);
    if (item.digits.length >= 3) pushTo(byDigits, item.digits, item);
    if (item.digits.length >= 4) {
      for (let i = 0; i < item.digits.length; i++) {
        const at = (byDeletionAt[i] ??= new Map<string, Item[]>());
        pushTo(at, item.digits.slice(0, i) + item.digits.slice(i + 1), item);
      }
    }
    const own = (minor: bigint) => {
      const amountKey = `${item.open.currency}:${minor}`;
      const owners = byAmount.get(amountKey) ?? new Set<string>();
      owners.add(item.document.customerId);
      byAmount.set(amountKey, owners);
    };
    own(item.openMinor);
    // The amount after the discount too, whether or not a given payment date still earns it.
    if (item.discount.isPositive()) own(item.openMinor - item.discount.toMinor());
  }
  for (const list of byCustomer.values()) list.sort(byDueDate);
  const accounts = new Map<string, string>();
  // The map may remember customers outside this batch; those accounts simply identify nobody here.
  for (const [account, customerId] of input.knownAccounts) {
    if (input.customers.has(customerId)) accounts.set(normalizeAccount(account), customerId);
  }
  const books = new Map<string, Book>();
  const book = (customerId: string, currency: CurrencyCode): Book => {
    const key = `${currency}:${customerId}`;
    let found = books.get(key);
    if (found === undefined) {
      found = makeBook(
        (byCustomer.get(customerId) ?? []).filter((item) => item.currency === currency),
        input.settings,
      );
      books.set(key, found);
    }
    return found;
  };
  return {
    customers: input.customers,
    names: new NameIndex(input.customers.values()),
    accounts,
    book,
    byKey,
    byDigits,
    byDeletionAt,
    byAmount,
  };
}

// ---------------------------------------------------------------------------
// Invoice numbers in the remittance

interface RefToken {
  /** As written, for reasons. */
  readonly written: string;
  readonly key: string;
  readonly digits: string;
  /** What the payer says it pays on this document (structured remittance), in the line's currency. */
  readonly stated: Money | null;
}

/** Amounts ("1,250.00", "980.50") and dates ("2026-01-15", "01/15/2026") are not document numbers. */
const NOT_REFERENCES = [
  /\b\d{1,3}(?:,\d{3})+\.\d{2}\b/g,
  /\b\d+\.\d{2}\b/g,
  /\b\d{4}-\d{2}-\d{2}\b/g,
  /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g,
];

function referenceTokens(line: BankLine, currency: CurrencyCode): RefToken[] {
  const tokens = new Map<string, RefToken>();
  const add = (written: string, stated: Money | null) => {
    const key = referenceKey(written);
    const digits = digitsOf(key);
    if (key === "" || digits.length < 3) return;
    const previous = tokens.get(key);
    if (previous === undefined || (previous.stated === null && stated !== null)) {
      tokens.set(key, { written: previous?.written ?? written, key, digits, stated });
    }
  };
  const scan = (raw: string) => {
    let cleaned = raw;
    for (const pattern of NOT_REFERENCES) cleaned = cleaned.replace(pattern, " ");
    // Commas and slashes separate listed numbers ("1042,1043", "1042/1043"); hyphens stay inside one.
    for (const word of cleaned.split(/[\s,;/&+()[\]:]+/)) if (word !== "") add(word, null);
  };
  for (const document of line.remittance.documents) {
    const stated = document.amount !== undefined && document.amount.currency === currency ? document.amount : null;
    add(document.number.trim(), stated);
  }
  const creditor = line.remittance.creditorReference;
  if (creditor !== undefined) {
    // An ISO 11649 reference wraps the creditor's own reference after "RF" and two check digits.
    scan(isValidCreditorReference(creditor) ? normalizeCreditorReference(creditor).slice(4) : creditor);
  }
  for (const t of line.remittance.unstructured) scan(t);
  if (line.customerReference !== undefined) scan(line.customerReference);
  return [...tokens.values()];
}

interface TokenMatch {
  readonly token: RefToken;
  readonly exact: readonly Item[];
  /** One edit away in the numeric part, not exact. */
  readonly typo: readonly Item[];
}

function matchToken(token: RefToken, ix: Indexes, currency: CurrencyCode): TokenMatch {
  const usable = (item: Item) => item.currency === currency;
  const byKey = (ix.byKey.get(token.key) ?? []).filter(usable);
  const exact = byKey.length > 0 ? byKey : (ix.byDigits.get(token.digits) ?? []).filter(usable);
  const typo: Item[] = [];
  const q = token.digits;
  if (q.length >= 4) {
    const take = (items: readonly Item[] | undefined, check: boolean) => {
      if (items === undefined) return;
      for (const item of items) {
        if (item.currency !== currency || item.digits === q || exact.includes(item) || typo.includes(item)) continue;
        if (!check || oneEditApart(q, item.digits)) typo.push(item);
      }
    };
    for (let i = 0; i < q.length; i++) {
      const d = q.slice(0, i) + q.slice(i + 1);
      take(ix.byDigits.get(d), false); // the payer typed one character too many
      take(ix.byDeletionAt[i]?.get(d), false); // one character replaced
      if (i + 1 < q.length) take(ix.byDeletionAt[i + 1]?.get(d), true); // two neighbours swapped (or two replaced)
    }
    for (let i = 0; i <= q.length; i++) take(ix.byDeletionAt[i]?.get(q), false); // the payer left one character out
  }
  // In document-number order, whatever the order of the open items.
  typo.sort((a, b) => compareText(a.number, b.number) || compareText(a.id, b.id));
  return { token, exact, typo };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Explaining the amount

interface Piece {
  readonly item: Item;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
}

interface Proposal {
  readonly kind: MatchKind;
  readonly pieces: readonly Piece[];
  readonly fit: number;
  readonly reasons: readonly string[];
  /** Customer evidence the proposal itself gives (invoice numbers, a typo the amount confirms, a unique amount). */
  readonly evidence: readonly { strength: number; reason: string; kind: "reference" | "amount" }[];
  /** An exact match of exactly one open item or combination: what lets a name-only customer be auto-accepted. */
  readonly uniqueExactAmount: boolean;
}

interface LineContext {
  readonly line: BankLine;
  readonly amount: Money;
  readonly currency: CurrencyCode;
  readonly date: IsoDate;
  readonly settings: Settings;
  readonly zero: Money;
}

/** The discount a payment booked on the line's date earns on the item (terms.ts discountAmount, worked out ahead). */
function discountOf(ctx: LineContext, item: Item): Money {
  return item.discountUntil !== null && ctx.date <= item.discountUntil ? item.discount : ctx.zero;
}

function toleranceOf(ctx: LineContext, open: Money): Money | null {
  return toleranceFor(ctx.settings, open);
}

function toleranceFor(settings: Settings, open: Money): Money | null {
  const limits: Money[] = [];
  const { toleranceAmount, tolerancePercent } = settings;
  if (toleranceAmount !== null && toleranceAmount.currency === open.currency) limits.push(toleranceAmount);
  if (tolerancePercent !== null) limits.push(open.percentage(tolerancePercent, "down"));
  if (limits.length === 0) return null;
  return limits.reduce((a, b) => a.min(b));
}

function lessDiscountText(item: Item, discount: Money): string {
  return discount.isZero()
    ? ""
    : ` less ${item.document.terms?.discount?.percent ?? ""}% discount ${discount.format()}`;
}

function full(item: Item, zero: Money): Piece {
  return { item, amount: item.open, discount: zero, writeOff: zero };
}

function net(ctx: LineContext, item: Item): Piece {
  const discount = discountOf(ctx, item);
  return { item, amount: item.open.subtract(discount), discount, writeOff: Money.zero(ctx.currency) };
}

type FitType = "stated" | "statedPartial" | "gross" | "net" | "writeOff" | "grossShort";

interface SetFit {
  readonly type: FitType;
  readonly pieces: readonly Piece[];
  /** What the amount does to the set, after "INV-1 in remittance; ". */
  readonly description: string;
}

/** The largest open item, oldest due first on ties: where a shared shortfall is written off. */
function largest(items: readonly Item[]): Item | undefined {
  return [...items].sort((a, b) => b.open.compare(a.open) || byDueDate(a, b))[0];
}

/** Whether the line's amount settles exactly these items, and how. */
function fitSet(ctx: LineContext, items: readonly Item[], stated: ReadonlyMap<string, Money>): SetFit | null {
  const zero = Money.zero(ctx.currency);
  const T = ctx.amount;
  if (items.length === 0) return null;

  if (items.every((item) => stated.has(item.document.id))) {
    const total = Money.sum(
      items.map((item) => stated.get(item.document.id) ?? zero),
      ctx.currency,
    );
    if (total.equals(T)) {
      const pieces: Piece[] = [];
      const parts: string[] = [];
      let partial = false;
      let writtenOff = false;
      for (const item of items) {
        const s = stated.get(item.document.id) ?? zero;
        const discount = discountOf(ctx, item);
        const expected = item.open.subtract(discount);
        const tolerance = toleranceOf(ctx, item.open);
        if (s.equals(item.open)) {
          pieces.push(full(item, zero));
          parts.push(`${item.document.number} ${s.format()} equals open ${item.open.format()}`);
        } else if (discount.isPositive() && s.equals(expected)) {
          pieces.push(net(ctx, item));
          parts.push(
            `${item.document.number} ${s.format()} equals open ${item.open.format()}${lessDiscountText(item, discount)}`,
          );
        } else if (s.lt(expected) && s.isPositive() && tolerance !== null && expected.subtract(s).lte(tolerance)) {
          const short = expected.subtract(s);
          writtenOff = true;
          pieces.push({ item, amount: s, discount, writeOff: short });
          parts.push(
            `${item.document.number} ${s.format()} paid of open ${item.open.format()}${lessDiscountText(item, discount)}: short ${short.format()} written off (within tolerance ${tolerance.format()})`,
          );
        } else if (s.lt(item.open) && s.isPositive()) {
          partial = true;
          pieces.push({ item, amount: s, discount: zero, writeOff: zero });
          parts.push(
            `${item.document.number} ${s.format()} paid of open ${item.open.format()}; ${item.open.subtract(s).format()} stays open`,
          );
        } else {
          return null; // more than open, or nothing: the stated amounts do not describe these items
        }
      }
      return {
        // A stated amount short within tolerance is written off: no more exact than any other write-off.
        type: partial ? "statedPartial" : writtenOff ? "writeOff" : "stated",
        pieces,
        description: `amounts stated in remittance: ${parts.join("; ")}`,
      };
    }
  }

  const gross = Money.sum(
    items.map((item) => item.open),
    ctx.currency,
  );
  const discounts = Money.sum(
    items.map((item) => discountOf(ctx, item)),
    ctx.currency,
  );
  const netTotal = gross.subtract(discounts);
  const one = items.length === 1 ? items[0] : undefined;
  const openText = one === undefined ? `their open total ${gross.format()}` : `open ${gross.format()}`;
  const lessText =
    one === undefined
      ? discounts.isZero()
        ? ""
        : ` less discounts ${discounts.format()}`
      : lessDiscountText(one, discounts);

  if (T.equals(gross)) {
    const without = discounts.isPositive() ? " (paid in full without the discount)" : "";
    return {
      type: "gross",
      pieces: items.map((item) => full(item, zero)),
      description: `amount equals ${openText}${without}`,
    };
  }
  if (discounts.isPositive() && T.equals(netTotal)) {
    return {
      type: "net",
      pieces: items.map((item) => net(ctx, item)),
      description: `amount equals ${openText}${lessText}`,
    };
  }
  const tolerance = toleranceOf(ctx, gross);
  if (tolerance === null) return null;
  const target = largest(items);
  if (target === undefined) return null;
  const on = one === undefined ? ` on ${target.document.number}` : "";
  if (T.lt(netTotal)) {
    const short = netTotal.subtract(T);
    const targetPiece = net(ctx, target);
    if (short.lte(tolerance) && targetPiece.amount.gt(short)) {
      return {
        type: "writeOff",
        pieces: items.map((item) =>
          item === target
            ? { ...targetPiece, amount: targetPiece.amount.subtract(short), writeOff: short }
            : net(ctx, item),
        ),
        description: `${T.format()} paid of ${openText}${lessText}: short ${short.format()} written off${on} (within tolerance ${tolerance.format()})`,
      };
    }
    return null;
  }
  if (discounts.isPositive() && T.lt(gross)) {
    // Between the net and the gross amount: the gross paid less a fee, or a discount miscalculated.
    const short = gross.subtract(T);
    if (short.lte(tolerance) && target.open.gt(short)) {
      return {
        type: "grossShort",
        pieces: items.map((item) =>
          item === target
            ? { item, amount: item.open.subtract(short), discount: zero, writeOff: short }
            : full(item, zero),
        ),
        description: `${T.format()} paid of ${openText} (no discount taken): short ${short.format()} written off${on} (within tolerance ${tolerance.format()})`,
      };
    }
  }
  return null;
}

const FIT_RANK: Record<FitType, number> = { stated: 0, gross: 0, net: 0, statedPartial: 1, writeOff: 1, grossShort: 2 };
const FIT_CONFIDENCE: Record<FitType, number> = {
  stated: FIT.named,
  gross: FIT.named,
  net: FIT.named,
  statedPartial: FIT.namedStatedPartial,
  writeOff: FIT.namedWriteOff,
  grossShort: FIT.namedGrossShort,
};

function kindOf(pieces: readonly Piece[], fallback: MatchKind): MatchKind {
  if (pieces.some((p) => p.writeOff.isPositive())) return "shortPay";
  return fallback;
}

/** How a named item reads in reasons: `INV-1042`, or `INV-1042 (written "INV-1024", one-character typo)`. */
function namedLabel(item: Item, token: RefToken, typo: boolean): string {
  return typo ? `${item.document.number} (written "${token.written}", one-character typo)` : item.document.number;
}

/** Customer evidence from k distinct invoice numbers of one customer: each more makes a coincidence less likely. */
function invoiceNumberStrength(k: number): number {
  return k >= 3 ? 0.99 : k === 2 ? 0.975 : EVIDENCE.invoiceNumber;
}

/** Explains the amount with the invoices the remittance names; null when none of them belongs to the customer. */
/** What the remittance names of a customer's items when the amount settles none of the readings. */
interface NamedOnly {
  /** Invoices the remittance names exactly, oldest due first. */
  readonly named: readonly Item[];
  /** Written numbers that name one or more of the customer's invoices (exactly or one character off). */
  readonly slots: number;
  /** The customer's invoices one character away from a number that names another of them exactly. */
  readonly neighbours: readonly { readonly item: Item; readonly written: string }[];
}

/** A whole number of currency units (and of hundreds of minor units): the kind of amount many invoices share. */
function isRound(amount: Money): boolean {
  return amount.toMinor() % 10n ** BigInt(Math.max(2, amount.minorUnits)) === 0n;
}

/** The first position from `from` on whose value is at most `bound`, in values sorted largest first. */
function firstAtMost(sorted: readonly bigint[], from: number, bound: bigint): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0n) > bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The share of the customer's other open items whose amounts lie within `tolerance` of `item`'s. */
function nearShare(book: Book, item: Item, tolerance: bigint): number {
  const sorted = book.gross.sorted; // largest first
  const near = firstAtMost(sorted, 0, item.openMinor - tolerance - 1n) - firstAtMost(sorted, 0, item.openMinor + tolerance);
  const others = book.undisputed.length - 1;
  return others <= 0 ? 0 : Math.max(0, near - 1) / others;
}

/** Whether `paid` is at least half of `open`. */
function mostlyPaid(paid: Money, open: Money): boolean {
  return paid.add(paid).gte(open);
}

/**
 * A payment of less than half a named invoice is doubtful when an invoice of the same customer one
 * character from the written number would be mostly paid by it: the payer may have mistyped.
 */
function closerNeighbour(
  paid: Money,
  named: Item,
  neighbours: readonly { readonly item: Item; readonly written: string }[],
): string | null {
  if (mostlyPaid(paid, named.open)) return null;
  const closer = neighbours.find((n) => n.item !== named && n.item.open.gte(paid) && mostlyPaid(paid, n.item.open));
  return closer === undefined
    ? null
    : `but ${closer.item.document.number}, one character from "${closer.written}", is closer to the amount (open ${closer.item.open.format()})`;
}

function proposeFromNames(
  ctx: LineContext,
  customerId: string,
  book: Book,
  matches: readonly TokenMatch[],
): Proposal | NamedOnly | null {
  // Token matches are in the line's currency already.
  const mine = { has: (item: Item) => item.customerId === customerId };
  type Option = { item: Item; typo: boolean };
  const slots: { token: RefToken; options: Option[]; exact: boolean }[] = [];
  for (const m of matches) {
    const exact = m.exact.filter((item) => mine.has(item));
    const typo = m.typo.filter((item) => mine.has(item));
    if (exact.length + typo.length === 0) continue;
    slots.push({
      token: m.token,
      exact: exact.length > 0,
      options: [...exact.map((item) => ({ item, typo: false })), ...typo.map((item) => ({ item, typo: true }))],
    });
  }
  if (slots.length === 0) return null;

  /** `alone`: the written number is one character from this invoice and from no other of the customer's. */
  type Pick = { item: Item; token: RefToken; typo: boolean; overrides: boolean; alone: boolean };
  interface Candidate {
    fit: SetFit;
    picks: Pick[];
    exactLeftOut: number;
    typos: number;
    overrides: number;
  }
  const target = ctx.amount.toMinor();
  // At least the tolerance on an open total (minor units): the amount limit, or — with a percent alone — the total itself.
  const { toleranceAmount, tolerancePercent } = ctx.settings;
  const toleranceBound = (gross: bigint): bigint =>
    toleranceAmount !== null && toleranceAmount.currency === ctx.currency
      ? toleranceAmount.toMinor()
      : tolerancePercent !== null
        ? gross
        : 0n;
  const candidates: Candidate[] = [];
  let explored = 0;
  const picks: Pick[] = [];
  const walk = (at: number, exactLeftOut: number) => {
    if (explored++ > 4096) return;
    const slot = slots[at];
    if (slot === undefined) {
      if (picks.length === 0) return;
      const typos = picks.filter((p) => p.typo).length;
      const overrides = picks.filter((p) => p.overrides).length;
      // Readings that need several typos, or a typo on top of dropping a named invoice, explain too much.
      if (typos > 2 || (typos > 0 && exactLeftOut > 0) || (overrides > 0 && typos > 1)) return;
      const items: Item[] = [];
      const stated = new Map<string, Money>();
      for (const pick of picks) {
        if (!items.includes(pick.item)) items.push(pick.item);
        if (pick.token.stated !== null) stated.set(pick.item.document.id, pick.token.stated);
      }
      // Most readings are far from the amount: ruled out on minor units before fitSet works them out.
      if (!items.every((item) => stated.has(item.document.id))) {
        let gross = 0n;
        let discounts = 0n;
        for (const item of items) {
          gross += item.openMinor;
          discounts += discountOf(ctx, item).toMinor();
        }
        if (target > gross || target < gross - discounts - toleranceBound(gross)) return;
      }
      items.sort(byDueDate);
      const fit = fitSet(ctx, items, stated);
      if (fit === null) return;
      // A number that names one of this customer's invoices is read as a typo for another only when the
      // amount settles that other one (exactly, or short within tolerance).
      if (
        overrides > 0 &&
        fit.type !== "gross" &&
        fit.type !== "net" &&
        fit.type !== "stated" &&
        fit.type !== "writeOff"
      ) {
        return;
      }
      candidates.push({ fit, picks: [...picks], exactLeftOut, typos, overrides });
      return;
    }
    for (const option of slot.options) {
      picks.push({
        item: option.item,
        token: slot.token,
        typo: option.typo,
        overrides: option.typo && slot.exact,
        alone: slot.options.length === 1,
      });
      walk(at + 1, exactLeftOut);
      picks.pop();
    }
    walk(at + 1, exactLeftOut + (slot.exact ? 1 : 0));
  };
  walk(0, 0);

  const named = [
    ...new Set(slots.flatMap((o) => (o.exact ? o.options.filter((x) => !x.typo).map((x) => x.item) : []))),
  ].sort(byDueDate);
  const rank = (c: Candidate) => [c.exactLeftOut, FIT_RANK[c.fit.type], c.overrides, c.typos];
  candidates.sort((a, b) => {
    const x = rank(a);
    const y = rank(b);
    for (let i = 0; i < x.length; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  const best = candidates[0];
  const neighbours = slots
    .filter((slot) => slot.exact)
    .flatMap((slot) => slot.options.filter((o) => o.typo).map((o) => ({ item: o.item, written: slot.token.written })));
  if (best === undefined) return { named, slots: slots.length, neighbours };
  const setKey = (c: Candidate) =>
    c.fit.pieces
      .map((p) => p.item.document.id)
      .sort()
      .join(",");
  const rival = candidates.find((c) => setKey(c) !== setKey(best) && rank(c).every((v, i) => v === rank(best)[i]));

  let fit = FIT_CONFIDENCE[best.fit.type];
  // One typo in a remittance happens; a second in the same one is more likely a wrong reading. A typo
  // the amount confirms only loosely (short within tolerance) could as well be another neighbour — unless
  // the written number is one character from no other of the customer's invoices.
  for (let i = 0; i < best.typos; i++) fit *= i === 0 ? FIT.typoPick : FIT.extraTypo;
  const exactFit = best.fit.type === "gross" || best.fit.type === "net" || best.fit.type === "stated";
  if (!exactFit && best.picks.some((p) => p.typo && !p.alone)) {
    if (best.fit.type === "writeOff") {
      // How many of the other invoices one character from the written numbers would fit within the tolerance
      // by coincidence, judged by how many of the customer's open amounts lie that near: few, and the
      // amount pins the typo down nearly as well as an exact amount would.
      const total = Money.sum(
        best.fit.pieces.map((p) => p.item.open),
        ctx.currency,
      );
      const tolerance = toleranceOf(ctx, total)?.toMinor() ?? 0n;
      let chance = 0;
      for (const pick of best.picks) {
        if (!pick.typo || pick.alone) continue;
        const others = (slots.find((slot) => slot.token === pick.token)?.options.length ?? 1) - 1;
        chance += others * nearShare(book, pick.item, tolerance);
      }
      fit /= 1 + chance;
    } else fit *= FIT.typoLoose;
  }
  if (best.overrides > 0) fit *= FIT.typoOverride;
  for (let i = 0; i < best.exactLeftOut; i++) fit *= FIT.namedLeftOut;
  const labels = best.picks
    .slice()
    .sort((a, b) => byDueDate(a.item, b.item))
    .filter((p, i, all) => all.findIndex((q) => q.item === p.item) === i)
    .map((p) => namedLabel(p.item, p.token, p.typo));
  const reasons = [`${labels.join(", ")} in remittance; ${best.fit.description}`];
  if (best.exactLeftOut > 0) {
    const left = named
      .filter((item) => !best.fit.pieces.some((p) => p.item === item))
      .map((item) => item.document.number);
    if (left.length > 0) reasons.push(`${left.join(", ")} also in remittance but not paid by this amount`);
  }
  if (best.fit.type === "statedPartial") {
    for (const piece of best.fit.pieces) {
      if (!piece.amount.lt(piece.item.open)) continue;
      const doubt = closerNeighbour(piece.amount, piece.item, neighbours);
      if (doubt !== null) {
        fit = Math.min(fit, FIT.ambiguous);
        reasons.push(doubt);
        break;
      }
    }
  }
  if (rival !== undefined) {
    fit = Math.min(fit, FIT.ambiguous);
    reasons.push(
      `the amount fits ${rival.fit.pieces.map((p) => p.item.document.number).join(", ")} from the remittance equally well`,
    );
  }
  const evidence: Proposal["evidence"][number][] = [];
  const exactItems = new Set(best.picks.filter((p) => !p.typo).map((p) => p.item));
  if (exactItems.size > 0) {
    evidence.push({
      // Numbers whose amounts the payment does not settle say less about who paid.
      strength:
        best.fit.type === "statedPartial" ? EVIDENCE.invoiceNumberUnfit : invoiceNumberStrength(exactItems.size),
      reason: `${exactItems.size === 1 ? "an invoice number" : `${exactItems.size} invoice numbers`} in remittance belong${exactItems.size === 1 ? "s" : ""} to this customer`,
      kind: "reference",
    });
  } else {
    const confirmed = exactFit;
    // An amount with cents that equals the invoice a typo points at is hardly a coincidence; a round one may be.
    const cents = !isRound(ctx.amount);
    evidence.push({
      kind: "reference",
      strength: confirmed ? (cents ? EVIDENCE.typoConfirmedCents : EVIDENCE.typoConfirmed) : EVIDENCE.typo,
      reason: confirmed
        ? `an invoice number in remittance, one character off, names this customer's invoice of exactly this amount${cents ? " (to the cent)" : ""}`
        : "an invoice number in remittance, one character off, names this customer's invoice",
    });
  }
  return {
    kind: kindOf(best.fit.pieces, "invoice"),
    pieces: best.fit.pieces,
    fit,
    reasons,
    evidence,
    uniqueExactAmount: false,
  };
}

interface SearchResult {
  readonly solutions: readonly (readonly number[])[];
  readonly complete: boolean;
}

/**
 * A list of amounts (minor units) prepared once for many searches: sorted
 * largest first (ties by position) with running sums, so a search finds where
 * to start by bisection instead of scanning; and its mean and variance for
 * `expectedChanceCombinations`.
 */
interface ValueSet {
  /** Amount → its positions in `sorted`, ascending: the last member of a combination is looked up. */
  readonly positions: ReadonlyMap<bigint, readonly number[]>;
  /** The amounts in their own order (oldest due first for a customer's items). */
  readonly values: readonly bigint[];
  /** Positions in `values`, largest amount first. */
  readonly order: readonly number[];
  readonly sorted: readonly bigint[];
  /** prefix[k] = the sum of the k largest amounts. */
  readonly prefix: readonly bigint[];
  readonly mean: number;
  readonly variance: number;
  /** runSums[k][i]: the sum of the k values from position i of `sorted` on (filled when first needed). */
  readonly runSums: bigint[][];
}

function valueSet(values: readonly bigint[]): ValueSet {
  const order = values
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (a.v > b.v ? -1 : a.v < b.v ? 1 : a.i - b.i))
    .map((o) => o.i);
  const sorted = order.map((i) => values[i] ?? 0n);
  const prefix: bigint[] = [0n];
  for (const v of sorted) prefix.push((prefix.at(-1) ?? 0n) + v);
  const positions = new Map<bigint, number[]>();
  sorted.forEach((v, k) => {
    const list = positions.get(v);
    if (list === undefined) positions.set(v, [k]);
    else list.push(k);
  });
  // A statistic about amounts for estimating chances, so plain floating point; no amount is computed from it.
  const xs = values.map((v) => Number(v));
  const n = xs.length;
  const mean = n === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / n;
  const variance = n === 0 ? 0 : xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { positions, values, order, sorted, prefix, mean, variance, runSums: [] };
}

/**
 * Subsets of 2..maxSize values summing to `target`, smallest subsets first,
 * stopping at the second solution (one is a match, two are a guess) or when
 * the step budget runs out. Values are taken largest first so the running
 * bounds (the k largest and k smallest still available) prune early.
 */
function findCombinations(set: ValueSet, target: bigint, maxSize: number, budget: number): SearchResult {
  const { order, sorted, prefix, positions, runSums } = set;
  const n = sorted.length;
  const sum = (from: number, count: number) => (prefix[from + count] ?? 0n) - (prefix[from] ?? 0n);
  const sumsOf = (count: number): bigint[] => {
    let sums = runSums[count];
    if (sums === undefined) {
      sums = [];
      for (let i = 0; i + count <= n; i++) sums.push(sum(i, count));
      runSums[count] = sums;
    }
    return sums;
  };
  const smallestSums = range(0, Math.min(maxSize, n)).map((k) => sum(n - k, k));
  const solutions: number[][] = [];
  let steps = 0;
  let complete = true;
  const chosen: number[] = [];
  const walk = (start: number, left: number, remaining: bigint): boolean => {
    if (++steps > budget) {
      complete = false;
      return false;
    }
    if (left === 0) {
      if (remaining === 0n) {
        solutions.push(chosen.map((c) => order[c] ?? -1));
        return solutions.length < 2;
      }
      return true;
    }
    if (left === 1) {
      // The last member: every later position holding exactly what remains, in order.
      for (const i of positions.get(remaining) ?? []) {
        if (i < start) continue;
        chosen.push(i);
        const go = walk(n, 0, 0n);
        chosen.pop();
        if (!go) return false;
      }
      return true;
    }
    // Values so large that even the smallest companions overshoot are skipped in one step.
    const smallest = smallestSums[left - 1] ?? 0n;
    const largest = sumsOf(left);
    for (let i = firstAtMost(sorted, start, remaining - smallest); i <= n - left; i++) {
      if ((largest[i] ?? 0n) < remaining) break; // even the largest `left` values from here fall short
      chosen.push(i);
      const go = walk(i + 1, left - 1, remaining - (sorted[i] ?? 0n));
      chosen.pop();
      if (!go) return false;
    }
    return true;
  };
  for (let size = 2; size <= Math.min(maxSize, n); size++) {
    if (!walk(0, size, target)) break;
  }
  return { solutions, complete };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 0; i < k; i++) result = (result * (n - i)) / (i + 1);
  return result;
}

/**
 * How many of `count(n)` candidate sets of `size` of these values would sum
 * to `target` by coincidence, in expectation: the count × the density at
 * `target` of a sum of `size` values drawn without replacement, approximated
 * as normal. (For all subsets the count is C(n, size); for runs of
 * consecutive values it is n − size + 1.) A statistic about amounts, so
 * plain floating point is fine here; no amount is computed from it.
 */
export function expectedChanceCombinations(
  values: readonly bigint[],
  target: bigint,
  size: number,
  count: (n: number) => number = (n) => binomial(n, size),
): number {
  return chanceCombinations(valueSet(values), target, size, count);
}

function chanceCombinations(set: ValueSet, target: bigint, size: number, count: (n: number) => number): number {
  const n = set.values.length;
  if (size < 1 || n < size) return 0;
  const { mean, variance } = set;
  const correction = n > 1 ? (n - size) / (n - 1) : 0;
  // At least one minor unit of spread: equal values make every sum land on a few points, not none.
  const sd = Math.max(1, Math.sqrt(size * variance * correction));
  const z = (Number(target) - size * mean) / sd;
  return (count(n) * Math.exp(-0.5 * z * z)) / (sd * Math.sqrt(2 * Math.PI));
}

/**
 * Runs of 2..maxSize consecutive values (in the given order) that sum to
 * `target`, first position first. Amounts are positive, so a sliding window
 * finds them in one pass: from each start at most one run can fit.
 */
function findWindows(values: readonly bigint[], target: bigint, maxSize: number): number[][] {
  const windows: number[][] = [];
  let end = 0; // exclusive
  let sum = 0n;
  for (let start = 0; start < values.length; start++) {
    if (end <= start) {
      end = start;
      sum = 0n;
    }
    while (end < values.length && end - start < maxSize && sum < target) sum += values[end++] ?? 0n;
    if (sum === target && end - start >= 2) windows.push(range(start, end - 1));
    if (end > start) sum -= values[start] ?? 0n;
  }
  return windows;
}

// ---------------------------------------------------------------------------
// A customer's open items in one currency, prepared once for all lines

interface Book {
  /** What amounts alone may be matched to: not disputed, oldest due first. */
  readonly undisputed: readonly Item[];
  readonly gross: ValueSet;
  /** Open amount → positions in `undisputed`. */
  readonly byGross: ReadonlyMap<bigint, readonly number[]>;
  /** Open amount less the discount (when it has one) → positions in `undisputed`. */
  readonly byNet: ReadonlyMap<bigint, readonly number[]>;
  /** The largest tolerance of any item: no short pay of one item is further from the amount. */
  readonly maxToleranceMinor: bigint | null;
  /** Per booking date: which items earn their discount on it. */
  readonly dated: Map<IsoDate, DatedBook>;
}

interface DatedBook {
  readonly anyDiscount: boolean;
  /** Open amounts less the discount each earns on the date. */
  readonly net: ValueSet;
  /** Positions in `undisputed`, by what settles them on the date (open less the discount earned) ascending. */
  readonly byExpected: readonly number[];
}

function makeBook(items: readonly Item[], settings: Settings): Book {
  const undisputed = items.filter((item) => !item.disputed);
  const byGross = new Map<bigint, number[]>();
  const byNet = new Map<bigint, number[]>();
  let largest: Money | undefined;
  undisputed.forEach((item, i) => {
    pushTo(byGross, item.openMinor, i);
    if (item.discount.isPositive()) pushTo(byNet, item.openMinor - item.discount.toMinor(), i);
    if (largest === undefined || item.open.gt(largest)) largest = item.open;
  });
  return {
    undisputed,
    gross: valueSet(undisputed.map((item) => item.openMinor)),
    byGross,
    byNet,
    // The tolerance never shrinks as the open amount grows: the largest item's is the largest.
    maxToleranceMinor: largest === undefined ? null : (toleranceFor(settings, largest)?.toMinor() ?? null),
    dated: new Map(),
  };
}

function datedBook(ctx: LineContext, book: Book): DatedBook {
  const cached = book.dated.get(ctx.date);
  if (cached !== undefined) return cached;
  const netValues = book.undisputed.map((item) => item.openMinor - discountOf(ctx, item).toMinor());
  const anyDiscount = book.undisputed.some((item) => discountOf(ctx, item).isPositive());
  const byExpected = netValues
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.i - b.i))
    .map((o) => o.i);
  const dated = { anyDiscount, net: anyDiscount ? valueSet(netValues) : book.gross, byExpected };
  book.dated.set(ctx.date, dated);
  return dated;
}

/** Explains the amount with the customer's open items alone: one item, one combination, or a short pay. */
function proposeFromAmount(ctx: LineContext, book: Book, ix: Indexes): Proposal | null {
  const zero = ctx.zero;
  const T = ctx.amount;
  const items = book.undisputed;
  const dated = datedBook(ctx, book);

  const max = ctx.settings.maxCombination;
  const target = T.toMinor();
  const anyDiscount = dated.anyDiscount;
  const takesDiscount = (indexes: readonly number[]) =>
    indexes.some((i) => discountOf(ctx, items[i] as Item).isPositive());
  // Combinations of 2..max open items, all gross or all net of their discounts (computed once, when needed).
  let searched: { found: { indexes: readonly number[]; net: boolean }[]; complete: boolean } | undefined;
  const combinations = () => {
    if (searched !== undefined) return searched;
    if (items.length < 2 || max < 2) return (searched = { found: [], complete: true });
    const gross = findCombinations(book.gross, target, max, ctx.settings.searchBudget);
    const netSearch = anyDiscount
      ? findCombinations(dated.net, target, max, ctx.settings.searchBudget)
      : { solutions: [], complete: true };
    searched = {
      found: [
        ...gross.solutions.map((indexes) => ({ indexes, net: false })),
        ...netSearch.solutions.filter(takesDiscount).map((indexes) => ({ indexes, net: true })),
      ],
      complete: gross.complete && netSearch.complete,
    };
    return searched;
  };
  // How often a combination (or run) of this size would fit by coincidence, had the line been
  // something else (a short pay, a payment on account): many open items make that likelier.
  const chanceOf = (size: number, count: (n: number) => number) =>
    chanceCombinations(book.gross, target, size, count) +
    (anyDiscount ? chanceCombinations(dated.net, target, size, count) : 0);
  const oneIn = (chance: number) =>
    chance >= 0.005 ? ` (by coincidence about 1 time in ${Math.max(2, Math.round(1 / chance))})` : "";
  const describe = (choice: { indexes: readonly number[]; net: boolean }) => {
    const chosen = choice.indexes.map((i) => items[i] as Item).sort(byDueDate);
    const pieces = chosen.map((item) => (choice.net ? net(ctx, item) : full(item, zero)));
    const total = Money.sum(
      chosen.map((item) => item.open),
      ctx.currency,
    );
    const discounts = Money.sum(
      pieces.map((p) => p.discount),
      ctx.currency,
    );
    const less = choice.net ? ` less discounts ${discounts.format()}` : "";
    const text = `the open total ${total.format()}${less} of ${chosen.map((item) => item.document.number).join(", ")}`;
    return { chosen, pieces, text };
  };

  // One item, gross or net of its discount.
  const singles = [
    ...(book.byGross.get(target) ?? []).map((i) => ({ i, net: false })),
    ...(book.byNet.get(target) ?? [])
      .filter((i) => items[i]?.openMinor !== target && discountOf(ctx, items[i] as Item).isPositive())
      .map((i) => ({ i, net: true })),
  ]
    .sort((a, b) => a.i - b.i)
    .map(({ i, net }) => ({ item: items[i] as Item, net }));
  const first = singles[0];
  if (first !== undefined) {
    const { item } = first;
    const discount = discountOf(ctx, item);
    const pieces = [first.net ? net(ctx, item) : full(item, zero)];
    if (singles.length > 1) {
      return {
        kind: first.net ? "discount" : "exact",
        pieces,
        fit: FIT.ambiguous,
        reasons: [
          `amount fits ${singles.length} open items of this customer (${singles.map((s) => s.item.document.number).join(", ")}); the oldest due, ${item.document.number}, is suggested`,
        ],
        evidence: [],
        uniqueExactAmount: false,
      };
    }
    const without = !first.net && discount.isPositive() ? " (paid in full without the discount)" : "";
    const text = first.net
      ? `amount equals open ${item.open.format()} of ${item.document.number}${lessDiscountText(item, discount)}, the only open item of this customer that fits`
      : `amount equals open ${item.open.format()} of ${item.document.number}${without}, the only open item of this customer with that amount`;
    // A round amount (whole units) may just as well be several round invoices paid together; an
    // amount with cents that equals one item exactly almost never is a coincidence.
    const round = isRound(T);
    const { found, complete } = round ? combinations() : { found: [], complete: true };
    const also = found[0];
    if (also !== undefined) {
      return {
        kind: first.net ? "discount" : "exact",
        pieces,
        fit: FIT.ambiguous,
        reasons: [`${text}; but it also equals ${describe(also).text}`],
        evidence: [],
        uniqueExactAmount: false,
      };
    }
    const fit = (first.net ? FIT.discount : FIT.exact) * (complete ? 1 : FIT.roundUnproven);
    const owners = ix.byAmount.get(`${ctx.currency}:${target}`);
    return {
      kind: first.net ? "discount" : "exact",
      pieces,
      fit,
      reasons: [text],
      evidence:
        owners?.size === 1
          ? [
              {
                strength: EVIDENCE.uniqueAmount,
                reason: "no other customer has an item open for this amount",
                kind: "amount",
              },
            ]
          : [],
      uniqueExactAmount: complete,
    };
  }

  if (items.length >= 2 && max >= 2) {
    // AP payment runs pay the invoices falling due in one window: consecutive in due-date order.
    const windows = [
      ...findWindows(book.gross.values, target, max).map((indexes) => ({ indexes, net: false })),
      ...(anyDiscount ? findWindows(dated.net.values, target, max).filter(takesDiscount) : []).map((indexes) => ({
        indexes,
        net: true,
      })),
    ];
    const { found, complete } = combinations();
    const onlyOne = found.length === 1 && complete;

    // A run is special only if no invoice in it could be swapped for another of the same amount.
    const window = windows[0];
    const swappable = (w: { indexes: readonly number[]; net: boolean }) => {
      const values = w.net ? dated.net.values : book.gross.values;
      return w.indexes.some((i) => values.some((v, j) => j !== i && !w.indexes.includes(j) && v === values[i]));
    };
    if (window !== undefined && windows.length === 1 && !swappable(window)) {
      const { pieces, text } = describe(window);
      const size = window.indexes.length;
      const chance = chanceOf(size, (n) => n - size + 1);
      let fit = FIT.window / (1 + FIT.combinationChanceWeight * (size - 1) * chance);
      if (window.net) fit *= FIT.combinationNet;
      const sameAsSearch = onlyOne && found[0]?.indexes.slice().sort().join() === window.indexes.slice().sort().join();
      return {
        kind: "combination",
        pieces,
        fit,
        reasons: [
          `amount equals ${text}, consecutive by due date (a payment run)${sameAsSearch ? `, and the only combination of at most ${max} open items of this customer that fits` : ""}${oneIn(chance)}`,
        ],
        evidence: [],
        uniqueExactAmount: sameAsSearch,
      };
    }

    const best = found[0];
    if (best !== undefined) {
      const { pieces, text } = describe(best);
      if (onlyOne) {
        const size = best.indexes.length;
        const chance = chanceOf(size, (n) => binomial(n, size));
        // Larger payments are rarer too, so a coincidence weighs more against them.
        let fit = FIT.combination / (1 + FIT.combinationChanceWeight * (size - 1) * chance);
        if (best.net) fit *= FIT.combinationNet;
        return {
          kind: "combination",
          pieces,
          fit,
          reasons: [
            `amount equals ${text}, the only combination of at most ${max} open items of this customer that does${oneIn(chance)}`,
          ],
          evidence: [],
          uniqueExactAmount: true,
        };
      }
      return {
        kind: "combination",
        pieces,
        fit: found.length > 1 ? FIT.ambiguous : FIT.searchIncomplete,
        reasons: [
          found.length > 1
            ? `amount equals ${text}, but other combinations of open items fit too`
            : `amount equals ${text}; the search was cut short, so other combinations may fit too`,
        ],
        evidence: [],
        uniqueExactAmount: false,
      };
    }
  }

  // A short pay of one item.
  // Only items that need a little more than the amount: from the first above it, up to the largest tolerance.
  const shorts: { i: number; item: Item; short: Money; tolerance: Money }[] = [];
  const expectedOf = (i: number) => (items[i]?.openMinor ?? 0n) - discountOf(ctx, items[i] as Item).toMinor();
  const { byExpected } = dated;
  let lo = 0;
  let hi = byExpected.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (expectedOf(byExpected[mid] ?? 0) <= target) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < byExpected.length && book.maxToleranceMinor !== null; k++) {
    const i = byExpected[k] ?? 0;
    if (expectedOf(i) - target > book.maxToleranceMinor) break;
    const item = items[i] as Item;
    const tolerance = toleranceOf(ctx, item.open);
    if (tolerance === null) continue;
    const short = item.open.subtract(discountOf(ctx, item)).subtract(T);
    if (short.lte(tolerance)) shorts.push({ i, item, short, tolerance });
  }
  shorts.sort((a, b) => a.i - b.i);
  const short = shorts[0];
  if (short !== undefined) {
    const { item } = short;
    const discount = discountOf(ctx, item);
    return {
      kind: "shortPay",
      pieces: [{ item, amount: T, discount, writeOff: short.short }],
      fit: shorts.length === 1 ? FIT.shortPay : FIT.ambiguous,
      reasons: [
        `amount is ${short.short.format()} short of open ${item.open.format()}${lessDiscountText(item, discount)} of ${item.document.number}; short ${short.short.format()} written off (within tolerance ${short.tolerance.format()})${shorts.length > 1 ? `; ${shorts.length} open items are within tolerance of the amount` : ""}`,
      ],
      evidence: [],
      uniqueExactAmount: false,
    };
  }
  return null;
}

/**
 * Named invoices the amount does not settle exactly: pay them oldest first,
 * like a clerk would. One named invoice paid short by more than the tolerance
 * is an ordinary partial payment (the rest stays open); several, or more than
 * they owe, need a person to say which.
 */
function proposePartial(ctx: LineContext, named: readonly Item[], remittance: NamedOnly | null): Proposal | null {
  const zero = Money.zero(ctx.currency);
  if (named.length === 0) return null;
  const pieces: Piece[] = [];
  let left = ctx.amount;
  for (const item of named) {
    if (!left.isPositive()) break;
    const amount = left.min(item.open);
    pieces.push({ item, amount, discount: zero, writeOff: zero });
    left = left.subtract(amount);
  }
  const names = named.map((item) => item.document.number).join(", ");
  const over = left.isPositive();
  // Single only when nothing else in the remittance (not even a typo) names another of the customer's invoices.
  const slots = remittance?.slots ?? 0;
  const single = named.length === 1 && slots === 1;
  const total = Money.sum(
    named.map((item) => item.open),
    ctx.currency,
  );
  const mostly = mostlyPaid(ctx.amount, total);
  // Several invoices mostly paid, when the remittance lists them and nothing else of the customer's.
  const most = !over && slots === named.length && mostly;
  const only = named[0];
  const doubt =
    single && !over && only !== undefined ? closerNeighbour(ctx.amount, only, remittance?.neighbours ?? []) : null;
  const fit = over
    ? FIT.namedOver
    : single
      ? mostly
        ? FIT.namedPartialSingle
        : FIT.namedPartialLittle
      : most
        ? FIT.namedPartialMost
        : FIT.namedPartial;
  return {
    kind: "invoice",
    pieces,
    fit: doubt === null ? fit : Math.min(fit, FIT.ambiguous),
    reasons: [
      over
        ? `${names} in remittance; amount is more than ${single ? "its open" : "their open total"} ${total.format()}: ${left.format()} left unapplied`
        : single
          ? `${names} in remittance; partial payment ${ctx.amount.format()} of open ${total.format()}: ${total.subtract(ctx.amount).format()} stays open (short by more than the tolerance${mostly ? "" : "; less than half of it paid"})`
          : `${names} in remittance; amount ${ctx.amount.format()} is ${total.subtract(ctx.amount).format()} short of their open total ${total.format()}, more than the tolerance${most ? " (at least half of it is paid)" : ""}: applied oldest due first, the rest stays open`,
      ...(doubt === null ? [] : [doubt]),
    ],
    evidence: [
      {
        strength: EVIDENCE.invoiceNumberUnfit,
        reason: `${single ? "an invoice number" : "invoice numbers"} in remittance belong${single ? "s" : ""} to this customer`,
        kind: "reference",
      },
    ],
    uniqueExactAmount: false,
  };
}

// ---------------------------------------------------------------------------
// One line

interface CustomerEvidence {
  strength: number;
  reason: string;
  kind: "account" | "name" | "reference" | "amount";
}

interface Hypothesis {
  readonly customerId: string;
  readonly proposal: Proposal | null;
  readonly evidence: readonly CustomerEvidence[];
  readonly penalties: readonly { factor: number; reason: string }[];
  readonly customerConfidence: number;
  readonly score: number;
}

function noisyOr(strengths: readonly number[]): number {
  return 1 - strengths.reduce((keep, p) => keep * (1 - p), 1);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Customer evidence from a payer name: rises with the similarity (0.65 → 0.45,
 * 0.8 → 0.7, 0.9 → 0.85, 1 → 0.95, linear in between) and is held down when
 * another customer's name is nearly as similar.
 */
/**
 * Names less alike than this say nothing: a name counts from 0.65 (nameStrength), and a rival name
 * matters only within NAME_MARGIN of it.
 */
const SIMILARITY_FLOOR = 0.5;
/** How far ahead of every other customer's name a payer name's best match must be to count in full. */
const NAME_MARGIN = 0.15;
/** A customer with a name as alike counts against a payer name only if what it has open fits at least this share as well. */
const NAME_RIVAL_FIT = 0.9;
/** Customers with names as alike examined (and passed over) at most, per payer name and customer. */
const MAX_NAME_RIVALS = 6;

function nameStrength(similarity: number, margin: number): number {
  if (similarity < 0.65) return 0;
  const points: readonly [number, number][] = [
    [0.65, 0.45],
    [0.8, 0.7],
    [0.9, 0.85],
    [1, 0.95],
  ];
  let strength = 0.45;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1] ?? [0, 0];
    const [x1, y1] = points[i] ?? [1, 1];
    if (similarity <= x1) {
      strength = y0 + ((similarity - x0) / (x1 - x0)) * (y1 - y0);
      break;
    }
  }
  if (margin < 0.1) return Math.min(strength, 0.45);
  if (margin < NAME_MARGIN) return Math.min(strength, 0.85);
  return strength;
}

function toAllocations(pieces: readonly Piece[]): Allocation[] {
  return pieces.map((p) => ({
    documentId: p.item.document.id,
    amount: p.amount,
    discount: p.discount,
    writeOff: p.writeOff,
    writeOffReason: p.writeOff.isPositive() ? SHORT_PAY_REASON : null,
  }));
}

interface Draft {
  suggestion: MatchSuggestion;
  /** Why a safety rule holds it back, if one does. */
  gated: string | null;
}

function unmatched(line: BankLine, index: number, kind: "unmatched" | "debit", reasons: string[]): Draft {
  return {
    suggestion: {
      lineIndex: index,
      lineRef: line.recordRef,
      customerId: null,
      allocations: [],
      unapplied: line.amount,
      confidence: 0,
      reasons,
      autoAccept: false,
      kind,
    },
    gated: null,
  };
}

/** The best explanation of the line's amount with one customer's open items (null: nothing fits). */
function proposeFor(
  ctx: LineContext,
  ix: Indexes,
  customerId: string,
  matches: readonly TokenMatch[],
): Proposal | null {
  const book = ix.book(customerId, ctx.currency);
  const fromNames = proposeFromNames(ctx, customerId, book, matches);
  if (fromNames !== null && "pieces" in fromNames) return fromNames;
  const named = fromNames === null ? [] : fromNames.named;
  const fromAmount = proposeFromAmount(ctx, book, ix);
  const partial = proposePartial(ctx, named, fromNames);
  const contradicted: Proposal | null =
    fromAmount !== null && named.length > 0
      ? {
          ...fromAmount,
          fit: fromAmount.fit * FIT.namedContradicted,
          reasons: [
            ...fromAmount.reasons,
            `${named.map((item) => item.document.number).join(", ")} in remittance but the amount does not fit ${named.length === 1 ? "it" : "them"}`,
          ],
          uniqueExactAmount: false,
          evidence: [
            ...fromAmount.evidence,
            {
              strength: EVIDENCE.invoiceNumberUnfit,
              reason: "invoice numbers in remittance belong to this customer",
              kind: "reference",
            },
          ],
        }
      : fromAmount;
  return [contradicted, partial].reduce<Proposal | null>(
    (a, b) => (b !== null && (a === null || b.fit > a.fit) ? b : a),
    null,
  );
}

function matchLine(line: BankLine, index: number, ix: Indexes, settings: Settings): Draft {
  const amount = line.amount;
  if (line.reversal) {
    return unmatched(line, index, amount.isNegative() ? "debit" : "unmatched", [
      `reversal of an earlier entry (${amount.format()}): not a customer payment`,
    ]);
  }
  if (amount.isNegative() || line.direction === "debit") {
    return unmatched(line, index, "debit", [`debit of ${amount.abs().format()}: money out, not a customer payment`]);
  }
  if (amount.isZero()) return unmatched(line, index, "unmatched", ["zero amount: nothing to apply"]);

  const ctx: LineContext = {
    line,
    amount,
    currency: amount.currency,
    date: line.bookingDate,
    settings,
    zero: Money.zero(amount.currency),
  };
  const tokens = referenceTokens(line, ctx.currency);
  const matches = tokens.map((token) => matchToken(token, ix, ctx.currency));

  // Who might have paid, and what we know about each.
  const evidence = new Map<string, CustomerEvidence[]>();
  const candidate = (customerId: string) => {
    if (!evidence.has(customerId)) evidence.set(customerId, []);
    return evidence.get(customerId) ?? [];
  };
  const account = line.payerAccount === undefined ? undefined : normalizeAccount(line.payerAccount);
  const accountCustomer = account === undefined || account === "" ? undefined : ix.accounts.get(account);
  if (accountCustomer !== undefined) {
    candidate(accountCustomer).push({
      strength: EVIDENCE.account,
      reason: `payer account ${line.payerAccount ?? ""} remembered from confirmed matches`,
      kind: "account",
    });
  }
  const proposals = new Map<string, Proposal | null>();
  const proposalFor = (customerId: string): Proposal | null => {
    if (!proposals.has(customerId)) proposals.set(customerId, proposeFor(ctx, ix, customerId, matches));
    return proposals.get(customerId) ?? null;
  };
  const names = line.payerName === undefined ? [] : ix.names.match(line.payerName);
  type NameMatch = (typeof names)[number];
  /**
   * How much the payer name says about one customer: held down when another customer's name is
   * nearly as alike (nameStrength), unless what that customer has open explains the line clearly
   * worse (nothing fits, or only a much weaker fit) — two "Acme Retail" customers, only one of which
   * is owed exactly this amount, are told apart.
   */
  const nameEvidence = (n: NameMatch): { strength: number; passedOver: NameMatch[] } => {
    const passedOver: NameMatch[] = [];
    let runnerUp: NameMatch | undefined;
    const own = proposalFor(n.customerId)?.fit ?? 0;
    for (const other of names) {
      if (other.customerId === n.customerId) continue;
      if (other.similarity <= n.similarity - NAME_MARGIN) break; // far enough behind not to matter
      // Bounded work: past a few customers passed over, the next as alike counts against the name unexamined.
      const theirs = passedOver.length >= MAX_NAME_RIVALS ? 1 : proposalFor(other.customerId)?.fit;
      if (theirs === undefined || theirs < NAME_RIVAL_FIT * own) {
        passedOver.push(other);
        continue;
      }
      runnerUp = other;
      break;
    }
    const strength = nameStrength(n.similarity, n.similarity - (runnerUp?.similarity ?? 0));
    // Mention the customers passed over only when counting them would have lowered the strength.
    const first = passedOver[0];
    const mattered = first !== undefined && nameStrength(n.similarity, n.similarity - first.similarity) < strength;
    return { strength, passedOver: mattered ? passedOver : [] };
  };
  let topNameStrength = 0;
  for (const [i, n] of names.slice(0, 3).entries()) {
    const { strength, passedOver } = nameEvidence(n);
    if (i === 0) topNameStrength = strength;
    if (strength <= 0) continue;
    const verb = n.similarity >= 0.97 ? "matches" : "resembles";
    const others =
      passedOver.length === 0
        ? ""
        : `; ${passedOver.map((o) => `"${o.written}"`).join(", ")} ${passedOver.length === 1 ? "is" : "are"} as alike, but nothing open of ${passedOver.length === 1 ? "that customer" : "those customers"} fits as well`;
    candidate(n.customerId).push({
      strength,
      reason: `payer name "${line.payerName ?? ""}" ${verb} "${n.written}" (similarity ${n.similarity.toFixed(2)})${others}`,
      kind: "name",
    });
  }
  // A payer name that clearly is one customer's speaks against the others.
  const topName = names[0];
  const nameCustomer = topName !== undefined && topNameStrength >= 0.85 ? topName : undefined;
  for (const m of matches) {
    for (const item of m.exact) candidate(item.document.customerId);
    // A typo can point anywhere; only follow it when it points at few customers.
    const owners = new Set(m.typo.map((item) => item.document.customerId));
    if (owners.size <= 3) for (const owner of owners) candidate(owner);
  }
  const amountOwners = ix.byAmount.get(`${ctx.currency}:${amount.toMinor()}`);
  if (amountOwners !== undefined && amountOwners.size <= 3) for (const owner of amountOwners) candidate(owner);

  if (evidence.size === 0) {
    return unmatched(line, index, "unmatched", [
      `no customer identified: ${account === undefined ? "no payer account" : "payer account not remembered"}, no open invoice number in remittance, ${line.payerName === undefined ? "no payer name" : `payer name "${line.payerName}" resembles no customer`}, and no customer has ${amount.format()} open`,
    ]);
  }

  const namedOwners = new Set(matches.flatMap((m) => m.exact.map((item) => item.document.customerId)));
  const hypotheses: Hypothesis[] = [];
  for (const [customerId, found] of evidence) {
    const proposal = proposalFor(customerId);
    const all: CustomerEvidence[] = [...found, ...(proposal?.evidence ?? [])];
    const penalties: { factor: number; reason: string }[] = [];
    // Parents and payment services pay for other companies: another customer's account or name speaks
    // against this customer, but less when the remittance names this customer's invoices and the amount fits.
    const strongReference = all.some((e) => e.kind === "reference" && e.strength >= EVIDENCE.invoiceNumber);
    if (accountCustomer !== undefined && accountCustomer !== customerId) {
      const other = ix.customers.get(accountCustomer);
      penalties.push({
        factor: strongReference ? 0.9 : 0.85,
        reason: `payer account is remembered for customer ${other?.number ?? accountCustomer}`,
      });
    }
    if (
      nameCustomer !== undefined &&
      nameCustomer.customerId !== customerId &&
      !all.some((e) => e.kind === "name" || e.kind === "account")
    ) {
      const other = ix.customers.get(nameCustomer.customerId);
      // When nothing that customer has open fits, the name more likely is a parent's or a sister company's
      // paying this customer's invoice, which the remittance names with the amount it settles.
      const idle = strongReference && proposalFor(nameCustomer.customerId) === null;
      penalties.push({
        factor: idle ? PENALTY.otherNameIdle : strongReference ? PENALTY.otherNameReferenced : PENALTY.otherName,
        reason: `the payer's name is customer ${other?.number ?? nameCustomer.customerId}'s${idle ? ", who has nothing open that the amount fits" : ""}`,
      });
    }
    if (namedOwners.size > 0 && !namedOwners.has(customerId) && !all.some((e) => e.kind === "reference")) {
      penalties.push({ factor: 0.7, reason: "invoice numbers in remittance belong to another customer" });
    }
    let customerConfidence = noisyOr(all.map((e) => e.strength));
    for (const p of penalties) customerConfidence *= p.factor;
    const fit = proposal === null ? FIT.customerOnly : proposal.fit;
    hypotheses.push({
      customerId,
      proposal,
      evidence: all,
      penalties,
      customerConfidence,
      score: customerConfidence * fit,
    });
  }
  hypotheses.sort((a, b) => b.score - a.score || a.customerId.localeCompare(b.customerId));
  const best = hypotheses[0];
  if (best === undefined) return unmatched(line, index, "unmatched", ["no customer identified"]);
  const rival = hypotheses.find((h) => h !== best && h.proposal !== null);

  const customer = ix.customers.get(best.customerId);
  const reasons: string[] = [];
  const evidenceText = best.evidence.filter((e) => e.strength > 0).map((e) => e.reason);
  reasons.push(
    `customer ${customer?.number ?? best.customerId} ${customer?.name ?? ""}: ${evidenceText.length > 0 ? evidenceText.join("; ") : "no direct evidence"}`,
  );
  for (const p of best.penalties) reasons.push(`but ${p.reason}`);
  let confidence = best.score;
  if (rival !== undefined && rival.score > 0 && best.score > 0) {
    const ratio = rival.score / best.score;
    // A rival under 40% of the best does not matter; one as good halves the confidence.
    confidence *= 1 - 0.5 * Math.min(1, Math.max(0, (ratio - 0.4) / 0.6)) ** 2;
    if (ratio >= 0.5) {
      const other = ix.customers.get(rival.customerId);
      reasons.push(
        `customer ${other?.number ?? rival.customerId} ${other?.name ?? ""} also fits (score ${rival.score.toFixed(2)})`,
      );
    }
  }

  const proposal = best.proposal;
  if (proposal === null) {
    reasons.push(`no open item or combination of open items fits ${amount.format()}; left unapplied for a person`);
    return {
      suggestion: {
        lineIndex: index,
        lineRef: line.recordRef,
        customerId: best.customerId,
        allocations: [],
        unapplied: amount,
        confidence: round3(Math.min(confidence, GATED_CONFIDENCE)),
        reasons,
        autoAccept: false,
        kind: "unmatched",
      },
      gated: "nothing to apply",
    };
  }
  reasons.push(...proposal.reasons);

  let gated: string | null = null;
  const direct = best.evidence.some((e) => e.kind === "account" || e.kind === "reference");
  const byName = best.evidence.some((e) => e.kind === "name");
  if (!direct && !byName) gated = "the customer is known only from the amount";
  else if (!direct && !proposal.uniqueExactAmount) {
    gated =
      "the customer is known only from the payer name and the amount is not an exact match of one open item or combination";
  }
  const disputed = proposal.pieces.filter((p) => p.item.disputed).map((p) => p.item.document.number);
  if (disputed.length > 0) gated = `${disputed.join(", ")} ${disputed.length === 1 ? "is" : "are"} disputed`;
  if (line.status !== "booked") gated = `the line's status is ${line.status}, not booked`;
  if (line.bookingDate > settings.today) gated = `booked ${line.bookingDate}, after today ${settings.today}`;

  const allocations = toAllocations(proposal.pieces);
  const applied = Money.sum(
    allocations.map((a) => a.amount),
    ctx.currency,
  );
  return {
    suggestion: {
      lineIndex: index,
      lineRef: line.recordRef,
      customerId: best.customerId,
      allocations,
      unapplied: amount.subtract(applied),
      confidence: round3(confidence),
      reasons,
      autoAccept: false,
      kind: proposal.kind,
    },
    gated,
  };
}

// ---------------------------------------------------------------------------
// The engine

/**
 * One suggestion per bank line, in input order. Pure: the same input gives
 * the same suggestions, whatever the order of customers or open items.
 */
export function matchBankLines(input: MatchBankLinesInput): MatchSuggestion[] {
  if (!isRecord(input)) fail("input", "must be { lines, customers, openItems, knownAccounts, options }");
  const settings = readSettings(input.options);
  const customers = readCustomers(input.customers);
  const items = readItems(input.openItems, customers, settings);
  if (!(input.knownAccounts instanceof Map)) fail("knownAccounts", "must be a Map of payer account → customer id");
  if (!Array.isArray(input.lines)) fail("lines", "must be a list of bank lines");
  const lines = (input.lines as unknown[]).map(readLine);
  const ix = buildIndexes({ customers, items, knownAccounts: input.knownAccounts, settings });

  const drafts = lines.map((line, i) => matchLine(line, i, ix, settings));
  const wouldAccept = (draft: Draft) => draft.gated === null && draft.suggestion.confidence >= settings.threshold;

  // Two lines that would both settle the same document cannot both be right: a person decides.
  const claims = new Map<string, { draft: Draft; settles: Money }[]>();
  for (const draft of drafts) {
    if (!wouldAccept(draft)) continue;
    for (const a of draft.suggestion.allocations) {
      const list = claims.get(a.documentId) ?? [];
      list.push({ draft, settles: a.amount.add(a.discount).add(a.writeOff) });
      claims.set(a.documentId, list);
    }
  }
  const openOf = new Map(items.map((item) => [item.document.id, item]));
  for (const [documentId, list] of claims) {
    if (list.length < 2) continue;
    const item = openOf.get(documentId);
    const total = Money.sum(
      list.map((c) => c.settles),
      item?.open.currency ?? list[0]?.settles.currency ?? "USD",
    );
    if (item !== undefined && total.lte(item.open)) continue;
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => `"${o.draft.suggestion.lineRef}"`);
      c.draft.gated = `${item?.document.number ?? documentId} is also claimed by line ${others.join(", ")}`;
    }
  }

  return drafts.map((draft) => {
    const s = draft.suggestion;
    if (draft.gated === null) return { ...s, autoAccept: s.confidence >= settings.threshold };
    const reasons = s.allocations.length > 0 ? [...s.reasons, `not auto-accepted: ${draft.gated}`] : s.reasons;
    return { ...s, confidence: round3(Math.min(s.confidence, GATED_CONFIDENCE)), reasons, autoAccept: false };
  });
}
