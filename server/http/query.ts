/**
 * Query-string parsing for the API: each parameter is checked and a bad one
 * is a 400 naming the parameter and what was wrong with it.
 */
import type { Request } from "express";
import { parseAgingBasis, parseAgingEdges, DEFAULT_AGING_EDGES } from "../../shared/aging.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, type Clock, type IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import type { AgingBasis } from "../store/port.js";
import { HttpError } from "./errors.js";

export function badParameter(field: string, reason: string): HttpError {
  return new HttpError({
    status: 400,
    error: "bad_request",
    message: `query parameter ${field}: ${reason}`,
    details: { field, reason },
  });
}

export class QueryReader {
  readonly #query: Record<string, unknown>;

  constructor(req: Request) {
    this.#query = req.query;
  }

  text(field: string, max = 200): string | undefined {
    const value = this.#query[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw badParameter(field, "must be given once, as text");
    if (value.length > max) throw badParameter(field, `must be at most ${max} characters`);
    return value;
  }

  date(field: string): IsoDate | undefined {
    const value = this.text(field, 10);
    if (value === undefined) return undefined;
    return this.#domain(field, () => parseIsoDate(value, field));
  }

  currency(field: string): CurrencyCode | undefined {
    const value = this.text(field, 3);
    if (value === undefined) return undefined;
    return this.#domain(field, () => parseCurrency(value, field));
  }

  integer(field: string, { min, max, fallback }: { min: number; max: number; fallback: number }): number {
    const value = this.text(field, 12);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw badParameter(field, "must be a whole number");
    const n = Number(value);
    if (n < min || n > max) throw badParameter(field, `must be from ${min} to ${max}`);
    return n;
  }

  boolean(field: string): boolean | undefined {
    const value = this.text(field, 5);
    if (value === undefined) return undefined;
    if (value === "true") return true;
    if (value === "false") return false;
    throw badParameter(field, 'must be "true" or "false"');
  }

  basis(field = "basis"): AgingBasis {
    const value = this.text(field, 20);
    if (value === undefined) return "due";
    return this.#domain(field, () => parseAgingBasis(value, field));
  }

  edges(field = "buckets"): readonly number[] {
    const value = this.text(field, 100);
    if (value === undefined) return DEFAULT_AGING_EDGES;
    return this.#domain(field, () => parseAgingEdges(value, field));
  }

  asOf(clock: Clock, field = "asOf"): IsoDate {
    return this.date(field) ?? clock.today();
  }

  #domain<T>(field: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (isDomainError(error)) throw badParameter(field, error.message);
      throw error;
    }
  }
}
