/**
 * Canonical JSON (object keys sorted, no whitespace) so that the same change
 * set always hashes the same, and a structural diff that names what differs.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Paths where two JSON values differ: `operations[2].amount: "100.00" ≠ "150.00"`. At most `limit` entries. */
export function jsonDifferences(before: unknown, after: unknown, limit = 20): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit) return;
    if (canonicalJson(a) === canonicalJson(b)) return;
    const bothObjects = typeof a === "object" && a !== null && typeof b === "object" && b !== null;
    if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) out.push(`${path || "(root)"}: ${a.length} item(s) ≠ ${b.length} item(s)`);
        for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
        return;
      }
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      for (const key of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
        walk(ra[key], rb[key], path === "" ? key : `${path}.${key}`);
      }
      return;
    }
    out.push(`${path || "(root)"}: ${show(a)} ≠ ${show(b)}`);
  };
  walk(before, after, "");
  return out;
}
