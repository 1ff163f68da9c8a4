import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import { parseRole, type Role } from "../../shared/roles.js";

/**
 * Opaque bearer tokens: "oar_" + 32 random bytes in base64url. The service
 * keeps only a SHA-256 of each token. A fast hash is right here (unlike for
 * passwords): 256 random bits cannot be guessed, so there is nothing for a
 * slow hash to protect, and hashing means a leaked token table grants nothing.
 */

export const TOKEN_PREFIX = "oar_";
const TOKEN_SHAPE = /^oar_[A-Za-z0-9_-]{43}$/;
const HASH_SHAPE = /^[0-9a-f]{64}$/;

export interface TokenRecord {
  readonly id: string;
  /** SHA-256 of the whole token text, lowercase hex. */
  readonly tokenHash: string;
  readonly user: string;
  readonly role: Role;
  /** ISO 8601 UTC instant. */
  readonly createdAt: string;
}

/**
 * Where token records live. `findByHash` returns only active tokens: a
 * revoked token is as unknown as one never issued. The SQL implementation
 * should look the hash up through a unique index; that lookup is safe even
 * though it is not constant-time, because a caller controls the token, not
 * its hash, and learning bits of a stored hash does not help forge a token.
 */
export interface TokenStore {
  findByHash(tokenHash: string): Promise<TokenRecord | null>;
  insert(record: TokenRecord): Promise<void>;
  /** True if an active token with this id was revoked by this call. */
  revoke(id: string): Promise<boolean>;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether `text` has the shape of a token this service issues (says nothing about validity). */
export function isWellFormedToken(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/** Constant-time comparison of two SHA-256 hex digests; false for anything not shaped like one. */
export function hashesEqual(a: string, b: string): boolean {
  if (!HASH_SHAPE.test(a) || !HASH_SHAPE.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

const systemClock: Pick<Clock, "now"> = { now: () => new Date().toISOString() };

/**
 * Issues a token. The token text is returned once, to be shown to whoever
 * asked for it; only `record` is stored.
 */
export function createToken(input: { user: unknown; role: unknown; clock?: Pick<Clock, "now"> }): {
  token: string;
  record: TokenRecord;
} {
  const user = parseTokenUser(input.user);
  const role = parseRole(input.role);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const record: TokenRecord = {
    id: randomUUID(),
    tokenHash: hashToken(token),
    user,
    role,
    createdAt: (input.clock ?? systemClock).now(),
  };
  return { token, record };
}

// Control characters would let a user name forge log lines or headers.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function parseTokenUser(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new DomainError("invalid_argument", "user must be a non-empty name", { field: "user" });
  }
  if (value !== value.trim()) {
    throw new DomainError("invalid_argument", "user must not start or end with spaces", { field: "user" });
  }
  if (value.length > 200) {
    throw new DomainError("invalid_argument", `user must be at most 200 characters; got ${value.length}`, {
      field: "user",
    });
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new DomainError("invalid_argument", "user must not contain control characters", { field: "user" });
  }
  return value;
}

/** A TokenStore in memory, for tests and for a throwaway dev server. */
export function createMemoryTokenStore(initial: readonly TokenRecord[] = []): TokenStore {
  const active = new Map<string, TokenRecord>();
  const insert = (record: TokenRecord): void => {
    if (active.has(record.id)) {
      throw new DomainError("conflict", `a token with id ${record.id} already exists`, { field: "id" });
    }
    active.set(record.id, record);
  };
  initial.forEach(insert);
  return {
    findByHash: (tokenHash) => {
      // A scan with constant-time comparisons: this store is small, and it
      // keeps the in-memory store from being the one place that leaks timing.
      let found: TokenRecord | null = null;
      for (const record of active.values()) {
        if (hashesEqual(record.tokenHash, tokenHash)) found = record;
      }
      return Promise.resolve(found);
    },
    // Inside the executor a duplicate becomes a rejection, as it would from a database.
    insert: (record) =>
      new Promise<void>((resolve) => {
        insert(record);
        resolve();
      }),
    revoke: (id) => Promise.resolve(active.delete(id)),
  };
}
