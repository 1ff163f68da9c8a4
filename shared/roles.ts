import { DomainError } from "./errors.js";
import type { Money } from "./money.js";

/**
 * Who may do what. Pure data and functions, so the server's middleware, the
 * change-set validator and the add-in (to grey out what a user cannot do) all
 * decide from the same table.
 */

/** Ordered from least to most authority; `highestRole` relies on the order. */
export const ROLES = ["viewer", "clerk", "controller", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  "read",
  /** Receipts, applications, notes, promises, disputes, invoices, customers. */
  "post",
  "writeOffUpToLimit",
  "writeOffAboveLimit",
  "closePeriod",
  /** Import journals that reach the AR control account from outside the subledger. */
  "postGlJournals",
  "manageTokens",
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The permission table. Every role decides every action explicitly (the
 * `satisfies` makes a missing cell a compile error), so adding an action
 * forces a decision for each role instead of silently defaulting.
 */
export const PERMISSIONS = {
  viewer: {
    read: true,
    post: false,
    writeOffUpToLimit: false,
    writeOffAboveLimit: false,
    closePeriod: false,
    postGlJournals: false,
    manageTokens: false,
  },
  clerk: {
    read: true,
    post: true,
    writeOffUpToLimit: true,
    writeOffAboveLimit: false,
    closePeriod: false,
    postGlJournals: false,
    manageTokens: false,
  },
  controller: {
    read: true,
    post: true,
    writeOffUpToLimit: true,
    writeOffAboveLimit: true,
    closePeriod: true,
    postGlJournals: true,
    manageTokens: false,
  },
  admin: {
    read: true,
    post: true,
    writeOffUpToLimit: true,
    writeOffAboveLimit: true,
    closePeriod: true,
    postGlJournals: true,
    manageTokens: true,
  },
} as const satisfies Record<Role, Record<Action, boolean>>;

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role][action];
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function isAction(value: unknown): value is Action {
  return typeof value === "string" && (ACTIONS as readonly string[]).includes(value);
}

/** For CLI flags and configuration: `parseRole("clerk")`. */
export function parseRole(value: unknown, field = "role"): Role {
  if (isRole(value)) return value;
  const got = typeof value === "string" ? `"${value}"` : typeof value;
  throw new DomainError("invalid_argument", `${field} must be one of ${ROLES.join(", ")}; got ${got}`, { field });
}

/** The role with the most authority, or null for none (e.g. several Entra app roles). */
export function highestRole(roles: readonly Role[]): Role | null {
  let best: Role | null = null;
  for (const role of roles) {
    if (best === null || ROLES.indexOf(role) > ROLES.indexOf(best)) best = role;
  }
  return best;
}

/**
 * Which permission a write-off of `amount` needs, given the clerks' limits
 * (at most one per currency). "Up to" is inclusive: a write-off equal to the
 * limit is within it. A currency with no configured limit gives clerks no
 * write-off authority in it, so it needs the above-limit permission — the
 * conservative reading, since amounts in different currencies are never
 * compared without an explicit conversion.
 */
export function writeOffActionFor(amount: Money, limits: readonly Money[]): "writeOffUpToLimit" | "writeOffAboveLimit" {
  const matching = limits.filter((limit) => limit.currency === amount.currency);
  if (matching.length > 1) {
    throw new DomainError("invalid_argument", `write-off limits name ${amount.currency} more than once`, {
      field: "writeOffLimits",
    });
  }
  const limit = matching[0];
  if (limit === undefined) return "writeOffAboveLimit";
  return amount.abs().lte(limit) ? "writeOffUpToLimit" : "writeOffAboveLimit";
}
