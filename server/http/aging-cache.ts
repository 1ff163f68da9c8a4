/**
 * Aging answers (as JSON text) remembered for the ledger state they were
 * computed from. Every commit bumps the change-feed sequence in the same
 * transaction as its writes (server/store/write.ts applyPlan reserves one
 * even for a change set with nothing to feed), so "the sequence is still S"
 * means "the ledger is still what it was at S": an answer stored under S is
 * the exact answer for as long as the sequence reads S, and worthless once
 * it moves. The key adds everything the route's answer depends on (as-of
 * date, basis, edges, filters, excludeDisputed).
 *
 * The route stores an answer only when the sequence read before computing it
 * equals the one read after (nothing committed in between), so an entry never
 * mixes two states. Seeing a newer sequence drops every entry; the entries of
 * one sequence are bounded in number and total size, least recently used
 * first out. One cache per router (per service), none at module level.
 */

export interface AgingCacheLimits {
  /** Answers kept for the current sequence. */
  readonly maxEntries: number;
  /** Their total size in UTF-16 code units (JSON text length): a large ledger's report is megabytes. */
  readonly maxChars: number;
}

export const DEFAULT_AGING_CACHE_LIMITS: AgingCacheLimits = { maxEntries: 64, maxChars: 32 * 1024 * 1024 };

const SEQUENCE = /^\d{1,19}$/;

function sequence(value: string): bigint {
  if (!SEQUENCE.test(value)) throw new Error(`aging cache: "${value}" is not a change-feed sequence`);
  return BigInt(value);
}

export class AgingCache {
  readonly #limits: AgingCacheLimits;
  /** The sequence the entries belong to (null: none yet). */
  #sequence: bigint | null = null;
  /** key → JSON text; Map order is recency (oldest first). */
  readonly #entries = new Map<string, string>();
  #chars = 0;

  constructor(limits: AgingCacheLimits = DEFAULT_AGING_CACHE_LIMITS) {
    if (!Number.isSafeInteger(limits.maxEntries) || limits.maxEntries < 0 || !Number.isSafeInteger(limits.maxChars) || limits.maxChars < 0) {
      throw new RangeError("aging cache limits must be whole numbers ≥ 0");
    }
    this.#limits = limits;
  }

  /** The answer stored for `key` at change-feed sequence `seq`, if the ledger is still there. */
  get(seq: string, key: string): string | undefined {
    if (this.#sequence !== sequence(seq)) return undefined;
    const body = this.#entries.get(key);
    if (body !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, body);
    }
    return body;
  }

  /**
   * Stores `body` as the answer for `key` at `seq`. A newer sequence first
   * drops everything stored for older ones; an answer for an older sequence
   * than the current one is not stored (nobody will ask for it again).
   */
  set(seq: string, key: string, body: string): void {
    const at = sequence(seq);
    if (this.#sequence !== null && at < this.#sequence) return;
    if (this.#sequence !== at) {
      this.#entries.clear();
      this.#chars = 0;
      this.#sequence = at;
    }
    if (body.length > this.#limits.maxChars || this.#limits.maxEntries === 0) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#chars -= previous.length;
    }
    this.#entries.set(key, body);
    this.#chars += body.length;
    for (const [oldest, text] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#chars <= this.#limits.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= text.length;
    }
  }

  /** Entries and characters held (for tests and diagnostics). */
  get size(): { entries: number; chars: number } {
    return { entries: this.#entries.size, chars: this.#chars };
  }
}
