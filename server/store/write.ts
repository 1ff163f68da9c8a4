/**
 * The write path of a change set, inside one transaction:
 *   load the world it touches (rows locked) → plan (shared, pure) → apply.
 * Functions take the transaction executor first (STYLE: pass the transaction).
 */
import type { ChangeSet } from "../../shared/changeset.js";
import {
  derivedId,
  referencesOf,
  type Plan,
  type World,
  type WorldApplication,
  type WorldBankLine,
  type WorldCustomer,
  type WorldDispute,
  type WorldDocument,
  type WorldReceipt,
} from "../../shared/changeset-validation.js";
import { parseCurrency } from "../../shared/currency.js";
import { parseIsoDate } from "../../shared/dates.js";
import type { BankDirection, BankLineStatus } from "../../shared/bank.js";
import type { DocumentType, ReceiptMethod } from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import { parseTerms, type PaymentTerms } from "../../shared/terms.js";
import type { Row, Sql, SqlExecutor } from "./sql.js";
import * as bankSt from "./statements/bank.js";
import * as st from "./statements/write.js";

/** A guarded write found the row moved on: someone else committed first. */
export class ConcurrentUpdateError extends Error {
  constructor(
    readonly entity: "customer" | "document" | "receipt" | "dispute" | "bankLine",
    readonly id: string,
  ) {
    super(`${entity} ${id} changed while this change set was being applied`);
    this.name = "ConcurrentUpdateError";
  }
}

/**
 * Ids per statement when loading the world. PostgreSQL gets them as one text[] parameter
 * (statements/write.ts), so its chunks can be large: each chunk is a scan or index probe of
 * every table asked, and a 10,000-operation change set then needs a couple of them, not twenty.
 */
const PG_ID_CHUNK = 20_000;

async function loadIn(
  tx: SqlExecutor,
  idList: Iterable<string>,
  build: (ids: string[]) => Sql,
  chunk = tx.dialect === "postgres" ? PG_ID_CHUNK : st.ID_CHUNK,
): Promise<Row[]> {
  const all = [...idList];
  const rows: Row[] = [];
  for (let i = 0; i < all.length; i += chunk) {
    for (const row of await tx.all(build(all.slice(i, i + chunk)))) rows.push(row);
  }
  return rows;
}

const str = (row: Row, key: string): string => {
  const value = row[key];
  if (typeof value !== "string") throw new Error(`column ${key} is not text`);
  return value.trimEnd();
};
const optStr = (row: Row, key: string): string | null => (row[key] === null ? null : str(row, key));
const num = (row: Row, key: string): number => {
  const value = row[key];
  if (typeof value !== "number") throw new Error(`column ${key} is not a number`);
  return value;
};
const big = (row: Row, key: string): bigint => {
  const value = row[key];
  if (typeof value !== "bigint") throw new Error(`column ${key} is not a bigint`);
  return value;
};

/** `termsOf` reads a stored terms code; loadWorld passes one that parses each distinct code once. */
export function documentFromRow(row: Row, termsOf: (code: string) => PaymentTerms = parseTerms): WorldDocument {
  const currency = parseCurrency(str(row, "currency"));
  const terms = optStr(row, "terms_code");
  return {
    id: str(row, "id"),
    customerId: str(row, "customer_id"),
    type: str(row, "doc_type") as DocumentType,
    number: str(row, "number"),
    documentDate: parseIsoDate(str(row, "document_date")),
    dueDate: parseIsoDate(str(row, "due_date")),
    activityDate: parseIsoDate(str(row, "activity_date")),
    currency,
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    open: Money.fromMinor(big(row, "open_minor"), currency),
    terms: terms === null ? null : termsOf(terms),
    disputed: num(row, "disputed") === 1,
    version: num(row, "version"),
  };
}

export function receiptFromRow(row: Row): WorldReceipt {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    customerId: str(row, "customer_id"),
    date: parseIsoDate(str(row, "receipt_date")),
    activityDate: parseIsoDate(str(row, "activity_date")),
    currency,
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    unapplied: Money.fromMinor(big(row, "unapplied_minor"), currency),
    method: str(row, "method") as ReceiptMethod,
    reference: str(row, "reference"),
    reversed: num(row, "reversed") === 1,
    version: num(row, "version"),
  };
}

function customerFromRow(row: Row): WorldCustomer {
  const currency = parseCurrency(str(row, "currency"));
  const limit = row.credit_limit_minor;
  return {
    id: str(row, "id"),
    number: str(row, "number"),
    name: str(row, "name"),
    currency,
    terms: parseTerms(str(row, "terms_code")),
    creditLimit: typeof limit === "bigint" ? Money.fromMinor(limit, currency) : null,
    collector: optStr(row, "collector"),
    onHold: num(row, "on_hold") === 1,
    version: num(row, "version"),
  };
}

function bankLineFromRow(row: Row): WorldBankLine {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    statementId: str(row, "statement_id"),
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    direction: str(row, "direction") as BankDirection,
    entryStatus: str(row, "entry_status") as BankLineStatus,
    status: str(row, "status") as WorldBankLine["status"],
    receiptId: optStr(row, "receipt_id"),
    payerAccount: optStr(row, "payer_account"),
    version: num(row, "version"),
  };
}

function applicationFromRow(row: Row): WorldApplication {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    sourceKind: str(row, "source_kind") as "receipt" | "creditMemo",
    sourceId: str(row, "source_id"),
    documentId: str(row, "document_id"),
    date: parseIsoDate(str(row, "application_date")),
    currency,
    amount: Money.fromMinor(big(row, "amount_minor"), currency),
    discount: Money.fromMinor(big(row, "discount_minor"), currency),
    writeOff: Money.fromMinor(big(row, "writeoff_minor"), currency),
    isReversal: row.reverses_id !== null,
    reversed: num(row, "is_reversed") === 1,
  };
}

/** Loads (and on PostgreSQL/SQL Server locks) every row the change set names. */
export async function loadWorld(tx: SqlExecutor, changeSet: ChangeSet): Promise<World> {
  const d = tx.dialect;
  const refs = referencesOf(changeSet);

  const applications = new Map<string, WorldApplication>();
  for (const row of await loadIn(tx, refs.applications, (ids) => st.selectApplicationsById(d, ids))) {
    const a = applicationFromRow(row);
    applications.set(a.id, a);
    refs.documents.add(a.documentId);
    if (a.sourceKind === "receipt") refs.receipts.add(a.sourceId);
    else refs.documents.add(a.sourceId);
  }
  const disputes = new Map<string, WorldDispute>();
  for (const row of await loadIn(tx, refs.disputes, (ids) => st.selectDisputesById(d, ids))) {
    disputes.set(str(row, "id"), { id: str(row, "id"), documentId: str(row, "document_id"), status: str(row, "status") as "open" | "resolved", version: num(row, "version") });
    refs.documents.add(str(row, "document_id"));
  }
  const receiptRows = await loadIn(tx, refs.receipts, (ids) => st.selectReceiptsById(d, ids));
  const documents = new Map<string, WorldDocument>();
  // PaymentTerms are plain read-only data: documents on the same terms share one parse.
  const termsByCode = new Map<string, PaymentTerms>();
  const termsOf = (code: string): PaymentTerms => {
    let terms = termsByCode.get(code);
    if (terms === undefined) termsByCode.set(code, (terms = parseTerms(code)));
    return terms;
  };
  const loadDocuments = async (ids: Iterable<string>) => {
    for (const row of await loadIn(tx, ids, (chunk) => st.selectDocumentsById(d, chunk))) {
      const doc = documentFromRow(row, termsOf);
      documents.set(doc.id, doc);
      refs.customers.add(doc.customerId);
    }
  };
  const asked = new Set(refs.documents);
  await loadDocuments(asked);
  // Receipts and credit memos bring their active applications (a reversal reverses them) and those
  // applications' documents. Only they can be an application's source, so other documents are not asked.
  const activeApplicationsBySource = new Map<string, WorldApplication[]>();
  const sources = [...refs.receipts, ...[...documents.values()].filter((doc) => doc.type === "creditMemo").map((doc) => doc.id)];
  for (const row of await loadIn(tx, sources, (ids) => st.selectActiveApplicationsBySource(d, ids))) {
    const a = applicationFromRow(row);
    applications.set(a.id, a);
    refs.documents.add(a.documentId);
    const list = activeApplicationsBySource.get(a.sourceId);
    if (list === undefined) activeApplicationsBySource.set(a.sourceId, [a]);
    else list.push(a);
  }
  await loadDocuments([...refs.documents].filter((id) => !asked.has(id)));
  for (const open of await loadIn(tx, documents.keys(), (ids) => st.selectOpenDisputesByDocument(d, ids))) {
    const id = str(open, "id");
    if (!disputes.has(id)) disputes.set(id, { id, documentId: str(open, "document_id"), status: "open", version: num(open, "version") });
  }
  const receipts = new Map<string, WorldReceipt>();
  for (const row of receiptRows) {
    const r = receiptFromRow(row);
    receipts.set(r.id, r);
    refs.customers.add(r.customerId);
  }
  const customers = new Map<string, WorldCustomer>();
  for (const row of await loadIn(tx, refs.customers, (ids) => st.selectCustomersById(d, ids))) {
    const c = customerFromRow(row);
    customers.set(c.id, c);
  }
  // receipt.reverse creates one reversal row per active application, with ids derived from the operation's id.
  changeSet.operations.forEach((op) => {
    if (op.op !== "receipt.reverse") return;
    (activeApplicationsBySource.get(op.receiptId) ?? []).forEach((_a, i) => refs.newIds.add(derivedId(op.id, 0, i)));
  });
  const takenIds = new Set((await loadIn(tx, refs.newIds, (ids) => st.selectTakenIds(d, ids))).map((r) => str(r, "id")));
  const takenNumbers = new Set<string>();
  for (const row of await loadIn(tx, refs.customerNumbers, (ids) => st.selectTakenCustomerNumbers(d, ids))) {
    takenNumbers.add(`customer:${str(row, "number")}`);
  }
  const docNumbers = [...refs.documentNumbers].map((key) => key.slice(key.indexOf(":") + 1));
  for (const row of await loadIn(tx, new Set(docNumbers), (ids) => st.selectTakenDocumentNumbers(d, ids))) {
    takenNumbers.add(`${str(row, "doc_type")}:${str(row, "number")}`);
  }
  // A customer being upserted keeps its own number.
  for (const c of customers.values()) takenNumbers.delete(`customer:${c.number}`);
  const closedPeriods = new Set((await tx.all(st.selectClosedPeriods(d))).map((r) => str(r, "period")));
  const bankLines = new Map<string, WorldBankLine>();
  for (const row of await loadIn(tx, refs.bankLines, (ids) => bankSt.selectBankLinesById(d, ids), st.ID_CHUNK)) {
    const line = bankLineFromRow(row);
    bankLines.set(line.id, line);
  }

  return { customers, documents, receipts, applications, activeApplicationsBySource, disputes, takenIds, takenNumbers, closedPeriods, bankLines };
}

export interface ApplyContext {
  readonly changeSetId: string;
  readonly user: string;
  readonly now: string;
}

/** Writes a plan. Throws ConcurrentUpdateError if a guarded update finds its row moved on. */
export async function applyPlan(tx: SqlExecutor, plan: Plan, ctx: ApplyContext): Promise<{ lastSeq: bigint; versions: Map<string, number> }> {
  const d = tx.dialect;
  const feedRows = plan.touched.length;
  const reserved = await tx.all(st.reserveChangeSeq(d, Math.max(feedRows, 1)));
  const lastSeq = big(reserved[0] ?? {}, "value_seq");
  const firstSeq = lastSeq - BigInt(Math.max(feedRows, 1)) + 1n;
  // Keyed by entity, then id (no composite key strings to build and hash per row).
  const seqOf = new Map<string, Map<string, bigint>>();
  plan.touched.forEach((t, i) => {
    const seq = firstSeq + BigInt(i);
    let ofEntity = seqOf.get(t.entity);
    if (ofEntity === undefined) seqOf.set(t.entity, (ofEntity = new Map<string, bigint>()));
    ofEntity.set(t.id, seq);
  });
  const seqFor = (entity: string, id: string): bigint => seqOf.get(entity)?.get(id) ?? lastSeq;
  const versions = new Map<string, number>();

  const run = async <T>(rows: readonly T[], columns: number, build: (chunk: T[]) => Sql) => {
    for (const chunk of st.chunkRows(rows, columns)) await tx.run(build(chunk));
  };
  /**
   * One table's rows made by a pass over `items` and written a statement's worth at a time (the
   * chunks chunkRows would make), so the largest tables of a big change set — applications,
   * journals and their lines, audit, change feed — never have all their rows alive at once.
   */
  const writePass = async <T, R>(items: readonly T[], columns: number, build: (chunk: R[]) => Sql, rowsOf: (item: T, rows: R[]) => void) => {
    const size = st.rowsPerStatement(columns);
    let rows: R[] = [];
    for (const item of items) {
      rowsOf(item, rows);
      while (rows.length >= size) {
        const chunk = rows.slice(0, size);
        rows = rows.slice(size);
        await tx.run(build(chunk));
      }
    }
    if (rows.length > 0) await tx.run(build(rows));
  };

  // Gather rows by table so each table gets multi-row inserts, parents before children.
  const customers: (st.CustomerValues & { changeSeq: bigint })[] = [];
  const documents: st.DocumentValues[] = [];
  const receipts: st.ReceiptValues[] = [];
  const writeOffs: Parameters<typeof st.insertWriteOffs>[1][number][] = [];
  const notes: st.NoteValues[] = [];
  const later: Sql[] = [];
  const bankMatches: Extract<Plan["effects"][number], { kind: "bankLine.match" }>[] = [];
  // Rows this change set creates and also changes are inserted at their final balance, version
  // and flags instead of being inserted and then updated (nobody else can have touched them).
  const created = { document: new Map<string, Plan["balances"][number]>(), receipt: new Map<string, Plan["balances"][number]>() };
  for (const b of plan.balances) if (b.baseVersion === null) created[b.entity].set(b.id, b);
  const folded = { document: new Set<string>(), receipt: new Set<string>() };
  /** The created row's balance change, if any, now written by its INSERT; it ends at version 2 as before. */
  const foldInto = (entity: "document" | "receipt", id: string) => {
    const b = created[entity].get(id);
    if (b === undefined) return undefined;
    folded[entity].add(id);
    versions.set(`${entity}:${id}`, 2);
    return { deltaMinor: b.delta.toMinor(), activityDate: b.activityDate, flag: (entity === "document" ? b.disputed : b.reversed) ?? false, version: 2 };
  };

  for (const effect of plan.effects) {
    switch (effect.kind) {
      case "customer.insert":
      case "customer.update": {
        const c = effect.customer;
        const values = {
          id: c.id,
          number: c.number,
          name: c.name,
          currency: c.currency,
          termsCode: c.terms.code,
          creditLimitMinor: c.creditLimit === null ? null : c.creditLimit.toMinor(),
          collector: c.collector,
          onHold: c.onHold,
          contacts: JSON.stringify(c.contacts),
          changeSeq: seqFor("customer", c.id),
        };
        if (effect.kind === "customer.insert") {
          customers.push(values);
          versions.set(`customer:${c.id}`, 1);
        } else {
          const result = await tx.run(st.updateCustomer(d, { ...values, baseVersion: effect.baseVersion }));
          if (result.rowsAffected !== 1) throw new ConcurrentUpdateError("customer", c.id);
          versions.set(`customer:${c.id}`, effect.baseVersion + 1);
        }
        break;
      }
      case "document.insert": {
        const doc = effect.document;
        versions.set(`document:${doc.id}`, 1);
        const amountMinor = doc.amount.toMinor();
        const final = foldInto("document", doc.id);
        documents.push({
          id: doc.id,
          customerId: doc.customerId,
          type: doc.type,
          number: doc.number,
          documentDate: doc.documentDate,
          dueDate: doc.dueDate,
          currency: doc.currency,
          termsCode: doc.terms?.code ?? null,
          amountMinor,
          memo: doc.memo,
          changeSeq: seqFor("document", doc.id),
          changeSetId: ctx.changeSetId,
          ...(final === undefined
            ? {}
            : { final: { openMinor: amountMinor + final.deltaMinor, activityDate: final.activityDate, disputed: final.flag, version: final.version } }),
        });
        break;
      }
      case "receipt.insert": {
        const r = effect.receipt;
        versions.set(`receipt:${r.id}`, 1);
        const amountMinor = r.amount.toMinor();
        const final = foldInto("receipt", r.id);
        receipts.push({
          id: r.id,
          customerId: r.customerId,
          date: r.date,
          currency: r.currency,
          amountMinor,
          method: r.method,
          reference: r.reference,
          changeSeq: seqFor("receipt", r.id),
          changeSetId: ctx.changeSetId,
          ...(final === undefined
            ? {}
            : { final: { unappliedMinor: amountMinor + final.deltaMinor, activityDate: final.activityDate, reversed: final.flag, version: final.version } }),
        });
        break;
      }
      case "application.insert":
      case "journal":
      case "audit":
        // Written by their own passes below.
        break;
      case "writeOff.insert": {
        const w = effect.writeOff;
        writeOffs.push({ id: w.id, documentId: w.documentId, date: w.date, currency: w.currency, amountMinor: w.amount.toMinor(), reason: w.reason, changeSetId: ctx.changeSetId, createdAt: ctx.now });
        break;
      }
      case "receiptReversal.insert": {
        const r = effect.reversal;
        later.push(st.insertReceiptReversal(d, { ...r, changeSetId: ctx.changeSetId, createdAt: ctx.now }));
        break;
      }
      case "note.insert": {
        const n = effect.note;
        notes.push({
          id: n.id,
          customerId: n.customerId,
          documentId: n.documentId,
          kind: n.kind,
          body: n.body,
          promiseCurrency: n.promise?.amount.currency ?? null,
          promiseAmountMinor: n.promise?.amount.toMinor() ?? null,
          promiseDate: n.promise?.date ?? null,
          followUpDate: n.followUpDate,
          author: ctx.user,
          createdAt: ctx.now,
          changeSeq: seqFor("note", n.id),
          changeSetId: ctx.changeSetId,
        });
        break;
      }
      case "dispute.insert": {
        const x = effect.dispute;
        later.push(
          st.insertDispute(d, {
            id: x.id,
            documentId: x.documentId,
            reasonCode: x.reasonCode,
            currency: x.amount.currency,
            amountMinor: x.amount.toMinor(),
            note: x.note,
            openedAt: ctx.now,
            openedBy: ctx.user,
            changeSeq: seqFor("dispute", x.id),
            changeSetId: ctx.changeSetId,
          }),
        );
        versions.set(`dispute:${x.id}`, 1);
        break;
      }
      case "dispute.resolve": {
        const result = await tx.run(
          st.resolveDispute(d, { id: effect.disputeId, baseVersion: effect.baseVersion, resolution: effect.resolution, note: effect.note, resolvedAt: ctx.now, resolvedBy: ctx.user, changeSeq: seqFor("dispute", effect.disputeId) }),
        );
        if (result.rowsAffected !== 1) throw new ConcurrentUpdateError("dispute", effect.disputeId);
        versions.set(`dispute:${effect.disputeId}`, effect.baseVersion + 1);
        break;
      }
      case "period.close":
        later.push(st.closePeriod(d, { period: effect.period, closedAt: ctx.now, closedBy: ctx.user }));
        break;
      case "bankLine.match":
        // After the receipts are inserted: the line points at its receipt.
        bankMatches.push(effect);
        break;
    }
  }

  await run(customers, 11, (c) => st.insertCustomers(d, c));
  await run(documents, 16, (c) => st.insertDocuments(d, c));
  await run(receipts, 13, (c) => st.insertReceipts(d, c));
  await writePass(plan.effects, 13, (c: st.ApplicationValues[]) => st.insertApplications(d, c), (effect, rows) => {
    if (effect.kind !== "application.insert") return;
    const a = effect.application;
    rows.push({
      id: a.id,
      sourceKind: a.sourceKind,
      sourceId: a.sourceId,
      documentId: a.documentId,
      date: a.date,
      currency: a.currency,
      amountMinor: a.amount.toMinor(),
      discountMinor: a.discount.toMinor(),
      writeOffMinor: a.writeOff.toMinor(),
      writeOffReason: a.writeOffReason,
      reversesId: a.reversesId,
      changeSetId: ctx.changeSetId,
      createdAt: ctx.now,
    });
  });
  await run(writeOffs, 9, (c) => st.insertWriteOffs(d, c));
  await run(notes, 13, (c) => st.insertNotes(d, c));
  for (const statement of later) await tx.run(statement);
  for (const m of bankMatches) {
    const result = await tx.run(bankSt.matchBankLine(d, { id: m.bankLineId, baseVersion: m.baseVersion, receiptId: m.receiptId }));
    if (result.rowsAffected !== 1) throw new ConcurrentUpdateError("bankLine", m.bankLineId);
    if (m.payerAccount !== null) {
      await tx.run(bankSt.rememberPayerAccount(d, { payerAccount: m.payerAccount, customerId: m.customerId, at: ctx.now, by: ctx.user, changeSetId: ctx.changeSetId }));
    }
  }

  // Balances last, many rows per guarded UPDATE; each must come back changed.
  const documentUpdates: st.BalanceValues[] = [];
  const receiptUpdates: st.BalanceValues[] = [];
  for (const b of plan.balances) {
    if (b.baseVersion === null && folded[b.entity].has(b.id)) continue;
    const baseVersion = b.baseVersion ?? 1;
    const flag = (b.entity === "document" ? b.disputed : b.reversed) ?? null;
    (b.entity === "document" ? documentUpdates : receiptUpdates).push({
      id: b.id,
      baseVersion,
      deltaMinor: b.delta.toMinor(),
      activityDate: b.activityDate,
      flag,
      changeSeq: seqFor(b.entity, b.id),
    });
    // A row created earlier in this change set was inserted at version 1, so it too ends one higher.
    versions.set(`${b.entity}:${b.id}`, baseVersion + 1);
  }
  const updateBalances = async (entity: "document" | "receipt", rows: readonly st.BalanceValues[]) => {
    for (const chunk of st.chunkRows(rows, st.BALANCE_COLUMNS)) {
      const statement = entity === "document" ? st.updateDocumentBalances(d, chunk) : st.updateReceiptBalances(d, chunk);
      const changed = new Set((await tx.all(statement)).map((row) => str(row, "id")));
      const missed = chunk.find((r) => !changed.has(r.id));
      if (missed !== undefined) throw new ConcurrentUpdateError(entity, missed.id);
    }
  };
  await updateBalances("document", documentUpdates);
  await updateBalances("receipt", receiptUpdates);

  await writePass(plan.effects, 8, (c: Parameters<typeof st.insertJournals>[1][number][]) => st.insertJournals(d, c), (effect, rows) => {
    if (effect.kind !== "journal") return;
    const j = effect.journal;
    rows.push({ id: j.id, date: j.date, source: "subledger", eventKind: j.eventKind, eventId: j.eventId, changeSetId: ctx.changeSetId, memo: j.memo, createdAt: ctx.now });
  });
  await writePass(plan.effects, 6, (c: Parameters<typeof st.insertJournalLines>[1][number][]) => st.insertJournalLines(d, c), (effect, rows) => {
    if (effect.kind !== "journal") return;
    const j = effect.journal;
    j.lines.forEach((line, i) =>
      rows.push({ journalId: j.id, lineNo: i + 1, account: line.account, currency: j.currency, debitMinor: line.debit.toMinor(), creditMinor: line.credit.toMinor() }),
    );
  });
  await writePass(plan.effects, 7, (c: Parameters<typeof st.insertAudit>[1][number][]) => st.insertAudit(d, c), (effect, rows) => {
    if (effect.kind !== "audit") return;
    rows.push({ at: ctx.now, user: ctx.user, action: effect.action, entity: effect.entity, entityId: effect.entityId, changeSetId: ctx.changeSetId, detail: JSON.stringify(effect.detail) });
  });
  await writePass(plan.touched, 5, (c: Parameters<typeof st.insertChanges>[1][number][]) => st.insertChanges(d, c), (t, rows) => {
    rows.push({ seq: seqFor(t.entity, t.id), entity: t.entity, entityId: t.id, changeSetId: ctx.changeSetId, at: ctx.now });
  });
  return { lastSeq, versions };
}
