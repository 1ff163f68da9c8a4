/**
 * The sync service as the /preview page meets it: the real Express app
 * (createApp) over a SQLite ledger in a temporary folder, serving the add-in
 * built into that folder, on 127.0.0.1 and a port the OS picks. It can be
 * taken down and brought back on the same port, so a test can show what the
 * task pane says when the service is not there.
 *
 *   const service = await startPreviewService({ clock });
 *   await service.push([aCustomerOp({ id: "c-1" })]);            // straight into the store
 *   const { token } = await service.issueToken("clerk.one", "clerk");
 *   await page.goto(`${service.origin}/preview`);
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAddin, DEV_BASE_URL } from "../../../addin/build.js";
import { createApp } from "../../../server/app.js";
import { silentLogger } from "../../../server/http/logger.js";
import { createToken, type TokenStore } from "../../../server/http/tokens.js";
import { SqlLedgerStore } from "../../../server/store/ledger-store.js";
import { migrate } from "../../../server/store/migrate.js";
import type { CommittedChangeSet } from "../../../server/store/port.js";
import { openSqliteDatabase } from "../../../server/store/sqlite-database.js";
import { sqlTokenStore } from "../../../server/store/token-store.js";
import type { Operation } from "../../../shared/changeset.js";
import type { Clock } from "../../../shared/dates.js";
import type { Role } from "../../../shared/roles.js";
import { changeSet } from "../../support/change-sets.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface IssuedToken {
  readonly token: string;
  /** The token's record id: what revoking it takes. */
  readonly id: string;
}

export interface ApiReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface PreviewService {
  /** http://127.0.0.1:PORT — the page, and the API under /api/v1. */
  readonly origin: string;
  readonly store: SqlLedgerStore;
  readonly tokens: TokenStore;
  issueToken(user: string, role: Role): Promise<IssuedToken>;
  /** Commits operations as one change set straight through the store (the seed ledger); throws unless committed. */
  push(operations: readonly Operation[], user?: string): Promise<CommittedChangeSet>;
  /** A call to the HTTP API as a second client would make it (JSON in, JSON out). */
  api(path: string, token: string, body?: unknown): Promise<ApiReply>;
  /** Stops listening and drops every open connection: the service is down. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  /** Stops the server, closes the store, deletes the temporary folder. */
  close(): Promise<void>;
}

function listen(handler: RequestListener, port: number): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function shutDown(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error === undefined) resolve();
      else reject(error);
    });
    // Browsers keep connections alive; without this, close() waits for them.
    server.closeAllConnections();
  });
}

/** Builds the add-in once into a temporary folder and starts the service over a fresh SQLite ledger. */
export async function startPreviewService(options: { clock: Clock }): Promise<PreviewService> {
  const { clock } = options;
  const dir = mkdtempSync(join(tmpdir(), "openar-preview-e2e-"));
  try {
    const staticDir = join(dir, "addin");
    // An explicit public URL and manifest path: the build must not depend on OPENAR_PUBLIC_URL or touch dist/.
    await buildAddin(REPO_ROOT, staticDir, { log: false, publicUrl: DEV_BASE_URL, manifestOut: join(dir, "manifest.xml") });

    const db = openSqliteDatabase(join(dir, "ledger.sqlite"));
    await migrate(db, () => clock.now());
    const store = await SqlLedgerStore.open(db, clock);
    const tokens = sqlTokenStore(db, () => clock.now());

    // The app needs its own origin in the CORS allowlist, which needs the port: listen first, then attach the app.
    let handler: RequestListener = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    let server = await listen((req, res) => {
      handler(req, res);
    }, 0);
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    const app = createApp({
      store,
      tokens,
      clock,
      logger: silentLogger,
      allowedOrigins: [origin],
      bodyLimit: "1mb",
      rateLimit: { windowMs: 60_000, max: 100_000 },
      http: true,
      staticDir,
    });
    handler = app;

    return {
      origin,
      store,
      tokens,
      issueToken: async (user, role) => {
        const { token, record } = createToken({ user, role, clock });
        await tokens.insert(record);
        return { token, id: record.id };
      },
      push: async (operations, user = "seed.clerk") => {
        const outcome = await store.push(changeSet(operations, `cs-e2e-${randomUUID()}`), { user, role: "clerk", dryRun: false });
        if (outcome.status !== "committed") throw new Error(`seed change set was not committed: ${JSON.stringify(outcome)}`);
        return outcome.result;
      },
      api: async (path, token, body) => {
        const response = await fetch(`${origin}/api/v1${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`${path}: HTTP ${response.status} is not JSON: ${text.slice(0, 300)}`);
        }
        return { status: response.status, body: parsed as Record<string, unknown> };
      },
      goDown: () => shutDown(server),
      comeBack: async () => {
        if (server.listening) return;
        server = await listen(app, port);
      },
      close: async () => {
        await shutDown(server);
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
