/**
 * Change sets for integration tests, built the way a client sends them:
 * `changeSet([aCustomerOp({ id: "c-1" }), anInvoiceOp({ id: "i-1", customerId: "c-1" })])`.
 * Every change set goes through `parseChangeSet`, as the route does, so a
 * typo in a test fails loudly instead of testing something else.
 * Defaults are plain and visible; a test states only what matters to it.
 */
import { randomUUID } from "node:crypto";
import { parseIsoDate } from "../../shared/dates.js";
import {
  parseChangeSet,
  type AllocationInput,
  type ChangeSet,
  type Operation,
  type OperationOf,
} from "../../shared/changeset.js";

/** A client-generated change-set id: `cs-<label>-<uuid>` (label at most 20 characters). */
export function newChangeSetId(label = "t"): string {
  return `cs-${label.slice(0, 20)}-${randomUUID()}`;
}

export function changeSet(operations: readonly Operation[], id: string = newChangeSetId()): ChangeSet {
  const parsed = parseChangeSet({ id, operations });
  if (!parsed.ok) throw new Error(`test change set is malformed: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  return parsed.changeSet;
}

export function aCustomerOp(spec: {
  id: string;
  number?: string;
  name?: string;
  currency?: string;
  terms?: string;
  ref?: string;
}): OperationOf<"customer.upsert"> {
  return {
    op: "customer.upsert",
    id: spec.id,
    number: spec.number ?? `N-${spec.id}`,
    name: spec.name ?? `Customer ${spec.id}`,
    currency: spec.currency ?? "USD",
    terms: spec.terms ?? "NET 30",
    ...(spec.ref === undefined ? {} : { ref: spec.ref }),
  };
}

export function anInvoiceOp(spec: {
  id: string;
  customerId: string;
  amount?: string;
  documentDate?: string;
  number?: string;
  ref?: string;
}): OperationOf<"invoice.create"> {
  return {
    op: "invoice.create",
    id: spec.id,
    customerId: spec.customerId,
    number: spec.number ?? `INV-${spec.id}`,
    documentDate: parseIsoDate(spec.documentDate ?? "2026-10-01"),
    amount: spec.amount ?? "100.00",
    ...(spec.ref === undefined ? {} : { ref: spec.ref }),
  };
}

export function anApplication(spec: {
  documentId: string;
  amount: string;
  documentVersion?: number;
  id?: string;
}): AllocationInput {
  return {
    documentId: spec.documentId,
    amount: spec.amount,
    ...(spec.documentVersion === undefined ? {} : { documentVersion: spec.documentVersion }),
    ...(spec.id === undefined ? {} : { id: spec.id }),
  };
}

export function aReceiptOp(spec: {
  id: string;
  customerId: string;
  amount: string;
  date?: string;
  currency?: string;
  reference?: string;
  applications?: readonly AllocationInput[];
  ref?: string;
}): OperationOf<"receipt.create"> {
  return {
    op: "receipt.create",
    id: spec.id,
    customerId: spec.customerId,
    date: parseIsoDate(spec.date ?? "2026-10-15"),
    amount: spec.amount,
    currency: spec.currency ?? "USD",
    method: "check",
    reference: spec.reference ?? `CHK-${spec.id}`,
    ...(spec.applications === undefined ? {} : { applications: [...spec.applications] }),
    ...(spec.ref === undefined ? {} : { ref: spec.ref }),
  };
}
