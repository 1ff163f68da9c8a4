/**
 * AgingCache: answers live for one change-feed sequence, a newer sequence
 * drops them, and the entries of one sequence stay within their count and
 * size, least recently used out first.
 */
import { describe, expect, it } from "vitest";
import { AgingCache } from "../../server/http/aging-cache.js";

describe("AgingCache", () => {
  it("answers only for the sequence an entry was stored at", () => {
    const cache = new AgingCache({ maxEntries: 4, maxChars: 1000 });
    cache.set("7", "today", '{"a":1}');
    expect(cache.get("7", "today")).toBe('{"a":1}');
    expect(cache.get("7", "other")).toBeUndefined();
    expect(cache.get("8", "today")).toBeUndefined();
  });

  it("drops every entry once a newer sequence is stored, and ignores an older one", () => {
    const cache = new AgingCache({ maxEntries: 4, maxChars: 1000 });
    cache.set("7", "a", "A7");
    cache.set("7", "b", "B7");
    cache.set("9", "a", "A9");
    expect(cache.get("7", "b")).toBeUndefined();
    expect(cache.get("9", "a")).toBe("A9");
    expect(cache.size).toEqual({ entries: 1, chars: 2 });
    // A request that read sequence 8 before 9 was committed finishes late: nobody will ask for 8 again.
    cache.set("8", "b", "B8");
    expect(cache.get("8", "b")).toBeUndefined();
    expect(cache.get("9", "a")).toBe("A9");
    // Sequences compare as numbers, not text ("10" > "9").
    cache.set("10", "a", "A10");
    expect(cache.get("10", "a")).toBe("A10");
    expect(cache.get("9", "a")).toBeUndefined();
  });

  it("keeps at most maxEntries, evicting the least recently used", () => {
    const cache = new AgingCache({ maxEntries: 2, maxChars: 1000 });
    cache.set("1", "a", "A");
    cache.set("1", "b", "B");
    expect(cache.get("1", "a")).toBe("A"); // a is now the most recent
    cache.set("1", "c", "C");
    expect(cache.get("1", "b")).toBeUndefined();
    expect([cache.get("1", "a"), cache.get("1", "c")]).toEqual(["A", "C"]);
    expect(cache.size.entries).toBe(2);
  });

  it("keeps the total text within maxChars and never stores an answer larger than that", () => {
    const cache = new AgingCache({ maxEntries: 10, maxChars: 10 });
    cache.set("1", "a", "aaaa");
    cache.set("1", "b", "bbbb");
    cache.set("1", "c", "cccc"); // 12 > 10: a goes
    expect(cache.get("1", "a")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 2, chars: 8 });
    cache.set("1", "huge", "x".repeat(11));
    expect(cache.get("1", "huge")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 2, chars: 8 });
    // Replacing an entry counts its new size, not both.
    cache.set("1", "b", "bb");
    expect(cache.size).toEqual({ entries: 2, chars: 6 });
  });

  it("refuses a sequence that is not a change-feed cursor and limits that are not whole numbers", () => {
    const cache = new AgingCache();
    expect(() => cache.get("-1", "a")).toThrow(/not a change-feed sequence/);
    expect(() => {
      cache.set("1e3", "a", "A");
    }).toThrow(/not a change-feed sequence/);
    expect(() => new AgingCache({ maxEntries: 1.5, maxChars: 10 })).toThrow(RangeError);
  });
});
