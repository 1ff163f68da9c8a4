/**
 * Service configuration from command-line flags and the environment. Secrets
 * (database URLs with passwords) come from the environment, never the repo.
 */
import { join, resolve } from "node:path";
import { DomainError } from "../shared/errors.js";
import { parseDecimal } from "../shared/money.js";
import type { LedgerPolicy } from "./store/ledger-store.js";

export type StoreConfig =
  | { readonly kind: "sqlite"; readonly file: string }
  | { readonly kind: "postgres"; readonly url: string; readonly schema?: string }
  | { readonly kind: "mssql"; readonly url: string };

export interface ServiceConfig {
  readonly dataDir: string;
  readonly store: StoreConfig;
  readonly host: string;
  readonly port: number;
  readonly http: boolean;
  readonly allowedOrigins: readonly string[];
  readonly bodyLimit: string;
  readonly rateLimit: { readonly windowMs: number; readonly max: number };
  readonly entra: { readonly tenantId: string; readonly audience: string[] } | null;
  readonly policy: LedgerPolicy;
}

export interface Flags {
  readonly "data-dir"?: string | undefined;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
  readonly http?: boolean | undefined;
  readonly store?: string | undefined;
  readonly url?: string | undefined;
}

function bad(field: string, message: string): never {
  throw new DomainError("invalid_argument", `${field}: ${message}`, { field });
}

function wholeNumber(text: string, field: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) bad(field, `"${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) bad(field, `${n} is outside ${min}–${max}`);
  return n;
}

export function loadConfig(flags: Flags, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const dataDir = resolve(flags["data-dir"] ?? env.OPENAR_DATA_DIR ?? ".openar");
  const kind = flags.store ?? env.OPENAR_STORE ?? "sqlite";
  const url = flags.url ?? env.OPENAR_DATABASE_URL;
  let store: StoreConfig;
  if (kind === "sqlite") {
    store = { kind, file: url ?? join(dataDir, "openar.sqlite") };
  } else if (kind === "postgres" || kind === "mssql") {
    if (url === undefined || url === "") bad("--url", `the ${kind} store needs a connection string (--url or OPENAR_DATABASE_URL)`);
    store = kind === "postgres" && env.OPENAR_PG_SCHEMA !== undefined ? { kind, url, schema: env.OPENAR_PG_SCHEMA } : { kind, url };
  } else {
    bad("--store", `"${kind}" is not one of sqlite, postgres, mssql`);
  }
  const port = wholeNumber(flags.port ?? env.OPENAR_PORT ?? "3000", "--port", 0, 65535);
  const http = flags.http ?? env.OPENAR_HTTP === "1";
  const origin = `${http ? "http" : "https"}://localhost:${port}`;
  const origins = (env.OPENAR_ALLOWED_ORIGINS ?? origin).split(",").map((o) => o.trim()).filter((o) => o !== "");
  const tenantId = env.OPENAR_ENTRA_TENANT_ID;
  const audience = env.OPENAR_ENTRA_AUDIENCE;
  const writeOffLimit = env.OPENAR_WRITEOFF_LIMIT ?? "50";
  parseDecimal(writeOffLimit, "OPENAR_WRITEOFF_LIMIT");
  return {
    dataDir,
    store,
    host: flags.host ?? env.OPENAR_HOST ?? "127.0.0.1",
    port,
    http,
    allowedOrigins: origins,
    bodyLimit: env.OPENAR_BODY_LIMIT ?? "20mb",
    rateLimit: { windowMs: 60_000, max: wholeNumber(env.OPENAR_RATE_LIMIT ?? "1200", "OPENAR_RATE_LIMIT", 1, 10_000_000) },
    entra:
      tenantId !== undefined && audience !== undefined
        ? { tenantId, audience: audience.split(",").map((a) => a.trim()) }
        : null,
    policy: {
      writeOffLimit,
      discountGraceDays: wholeNumber(env.OPENAR_DISCOUNT_GRACE_DAYS ?? "0", "OPENAR_DISCOUNT_GRACE_DAYS", 0, 60),
    },
  };
}
