/**
 * `openar`: serve, start (the `npm start` experience), migrate, seed, import,
 * token create, build.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer, type Server } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isDomainError } from "../shared/errors.js";
import { parseRole } from "../shared/roles.js";
import { createApp } from "./app.js";
import { systemClock } from "./clock.js";
import { loadConfig, type Flags, type ServiceConfig } from "./config.js";
import { DEMO_SIZES, demoChangeSets, type DemoSize } from "./demo/generator.js";
import { importRows, readImportFile } from "./erp-import.js";
import { createEntraVerifier } from "./http/entra.js";
import { createJsonLogger } from "./http/logger.js";
import { createToken } from "./http/tokens.js";
import { migrate, migrationStatus, SchemaError } from "./store/migrate.js";
import { openDatabase, openStore } from "./store/open.js";
import type { SqlLedgerStore } from "./store/ledger-store.js";
import { sqlTokenStore } from "./store/token-store.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const USAGE = `usage: openar <command> [options]

commands:
  start                      run on the embedded database with demo data (what \`npm start\` does)
  serve                      run the sync service
  migrate                    bring the database to the latest schema
  seed --size SIZE           load demo data: tiny, small (10k open items), medium (100k), large (1M)
  import FILE [--skip-bad-rows]   customers, invoices, credit memos, receipts (CSV or JSON);
                             every row is validated first, nothing is imported if any fails
  token create --user NAME --role viewer|clerk|controller|admin

options (serve, start, migrate, seed, token):
  --data-dir DIR             data directory (default .openar; env OPENAR_DATA_DIR)
  --store sqlite|postgres|mssql   (default sqlite; env OPENAR_STORE)
  --url URL                  connection string for postgres/mssql (env OPENAR_DATABASE_URL)
  --port N                   (default 3000)   --http   serve plain HTTP instead of HTTPS
`;

const log = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => process.stderr.write(`openar: ${line}\n`);

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "start":
        return await start(rest);
      case "serve":
        return await serve(rest);
      case "migrate":
        return await migrateCommand(rest);
      case "seed":
        return await seedCommand(rest);
      case "token":
        return await tokenCommand(rest);
      case "import":
        return await importCommand(rest);
      case undefined:
      case "help":
      case "--help":
        log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        fail(`unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (isDomainError(error) || error instanceof SchemaError) {
      fail(error.message);
      return 1;
    }
    throw error;
  }
}

const STORE_OPTIONS = {
  "data-dir": { type: "string" },
  store: { type: "string" },
  url: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  http: { type: "boolean" },
} as const;

function flagsOf(values: Record<string, unknown>): Flags {
  const pick = (k: string) => (typeof values[k] === "string" ? (values[k]) : undefined);
  return {
    "data-dir": pick("data-dir"),
    store: pick("store"),
    url: pick("url"),
    port: pick("port"),
    host: pick("host"),
    http: values.http === true ? true : undefined,
  };
}

async function openConfigured(config: ServiceConfig, autoMigrate: boolean): Promise<SqlLedgerStore> {
  const clock = systemClock(process.env.OPENAR_TODAY);
  const db = await openDatabase(config.store);
  try {
    return await openStore(db, clock, { autoMigrate, policy: config.policy });
  } catch (error) {
    await db.close();
    throw error;
  }
}

async function migrateCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: STORE_OPTIONS, strict: true });
  const config = loadConfig(flagsOf(values));
  const db = await openDatabase(config.store);
  try {
    const before = await migrationStatus(db);
    const applied = await migrate(db, () => new Date().toISOString());
    log(applied.length === 0 ? `schema is current (version ${before.current})` : `migrated ${config.store.kind} from version ${before.current} to ${before.current + applied.length}`);
    return 0;
  } finally {
    await db.close();
  }
}

async function seed(store: SqlLedgerStore, size: DemoSize, today: string): Promise<{ sets: number; operations: number }> {
  let sets = 0;
  let operations = 0;
  for (const changeSet of demoChangeSets({ size, today: today as never })) {
    const outcome = await store.push(changeSet, { user: "demo-seed", role: "admin", dryRun: false });
    if (outcome.status !== "committed") {
      throw new Error(`demo change set ${changeSet.id} was refused: ${JSON.stringify(outcome).slice(0, 2000)}`);
    }
    sets += 1;
    operations += changeSet.operations.length;
    if (sets % 20 === 0) log(`  … ${operations.toLocaleString("en-US")} operations`);
  }
  return { sets, operations };
}

async function seedCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { ...STORE_OPTIONS, size: { type: "string" } }, strict: true });
  const size = values.size ?? "small";
  if (!(size in DEMO_SIZES)) {
    fail(`--size must be one of ${Object.keys(DEMO_SIZES).join(", ")}`);
    return 2;
  }
  const config = loadConfig(flagsOf(values));
  const store = await openConfigured(config, config.store.kind === "sqlite");
  try {
    const started = Date.now();
    const { sets, operations } = await seed(store, size as DemoSize, systemClock(process.env.OPENAR_TODAY).today());
    log(`seeded ${size}: ${operations.toLocaleString("en-US")} operations in ${sets} change sets (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return 0;
  } finally {
    await store.close();
  }
}

async function importCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...STORE_OPTIONS, "skip-bad-rows": { type: "boolean" } }, strict: true, allowPositionals: true });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    fail("usage: openar import FILE [--skip-bad-rows]");
    return 2;
  }
  const text = readFileSync(file, "utf8");
  const rows = readImportFile(file, text);
  const config = loadConfig(flagsOf(values));
  const store = await openConfigured(config, config.store.kind === "sqlite");
  try {
    const report = await importRows({ rows, store, user: "import", skipBadRows: values["skip-bad-rows"] === true, fileText: text });
    for (const e of report.errors) fail(`${e.where}: ${e.field === "" || e.message.startsWith(`${e.field}:`) ? "" : `${e.field}: `}${e.message}`);
    for (const s of report.skipped) log(`skipped ${s.where}: ${s.message}`);
    if (report.errors.length > 0) {
      fail(`${report.errors.length} row(s) failed validation; nothing was imported (use --skip-bad-rows to import the rest)`);
      return 1;
    }
    log(report.replayed ? `already imported (change set ${report.changeSetId ?? ""}); nothing changed` : `imported ${report.imported} row(s)${report.skipped.length > 0 ? `, skipped ${report.skipped.length}` : ""}`);
    return 0;
  } finally {
    await store.close();
  }
}

async function tokenCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "create") {
    fail("usage: openar token create --user NAME --role viewer|clerk|controller|admin");
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { ...STORE_OPTIONS, user: { type: "string" }, role: { type: "string" } }, strict: true });
  const role = parseRole(values.role ?? "", "--role");
  const config = loadConfig(flagsOf(values));
  const store = await openConfigured(config, config.store.kind === "sqlite");
  try {
    const { token, record } = createToken({ user: values.user, role });
    await sqlTokenStore(store.database, () => new Date().toISOString()).insert(record);
    log(token);
    return 0;
  } finally {
    await store.close();
  }
}

async function listen(config: ServiceConfig, store: SqlLedgerStore): Promise<Server> {
  const clock = systemClock(process.env.OPENAR_TODAY);
  const logger = createJsonLogger();
  const app = createApp({
    store,
    tokens: sqlTokenStore(store.database, () => clock.now()),
    clock,
    logger,
    allowedOrigins: config.allowedOrigins,
    bodyLimit: config.bodyLimit,
    rateLimit: config.rateLimit,
    entra: config.entra === null ? undefined : createEntraVerifier(config.entra),
    http: config.http,
    staticDir: join(ROOT, "dist", "addin"),
  });
  const server = config.http ? createHttpServer(app) : createHttpsServer(await certificates(config.dataDir), app);
  await new Promise<void>((done, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, done);
  });
  const stop = () => {
    server.close();
    void store.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return server;
}

/**
 * Development certificates. If `npx office-addin-dev-certs install` has made
 * (and trusted) certificates in ~/.office-addin-dev-certs, those are used, so
 * Excel accepts the task pane; otherwise a set is generated with
 * office-addin-dev-certs under the data directory on first start (nothing
 * depends on its authority being trusted; browsers will warn until it is).
 */
async function certificates(dataDir: string): Promise<{ cert: Buffer; key: Buffer }> {
  const installed = join(homedir(), ".office-addin-dev-certs");
  if (existsSync(join(installed, "localhost.crt")) && existsSync(join(installed, "localhost.key"))) {
    return { cert: readFileSync(join(installed, "localhost.crt")), key: readFileSync(join(installed, "localhost.key")) };
  }
  const dir = join(dataDir, "certs");
  const ca = join(dir, "ca.crt");
  const cert = join(dir, "localhost.crt");
  const key = join(dir, "localhost.key");
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true });
    const devCerts = (await import("office-addin-dev-certs")) as unknown as {
      generateCertificates(ca: string, cert: string, key: string, days: number): Promise<void>;
    };
    await devCerts.generateCertificates(ca, cert, key, 365);
    log(`made development certificates in ${dir}. For Excel to trust the task pane, run once: npx office-addin-dev-certs install`);
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

async function serve(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: STORE_OPTIONS, strict: true });
  const config = loadConfig(flagsOf(values));
  const store = await openConfigured(config, config.store.kind === "sqlite");
  const server = await listen(config, store);
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  log(`OpenAR sync service on ${config.http ? "http" : "https"}://localhost:${port} (${config.store.kind})`);
  await new Promise((done) => server.once("close", done));
  return 0;
}

/** `npm start`: embedded database, demo data and an admin token on first run, then serve. */
async function start(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: STORE_OPTIONS, strict: true });
  const config = loadConfig(flagsOf(values));
  const store = await openConfigured(config, true);
  const marker = join(config.dataDir, "first-run.json");
  if (!existsSync(marker)) {
    const today = systemClock(process.env.OPENAR_TODAY).today();
    log(`first start: creating the embedded ledger in ${config.dataDir} with demo data …`);
    const { operations } = await seed(store, "small", today);
    const { token, record } = createToken({ user: "demo-admin", role: "admin" });
    await sqlTokenStore(store.database, () => new Date().toISOString()).insert(record);
    writeFileSync(marker, JSON.stringify({ createdAt: new Date().toISOString(), demoOperations: operations, tokenId: record.id }, null, 2));
    writeFileSync(join(config.dataDir, "demo-token.txt"), `${token}\n`, { mode: 0o600 });
    log(`demo ledger ready (${operations.toLocaleString("en-US")} operations).`);
  }
  const server = await listen(config, store);
  const base = `${config.http ? "http" : "https"}://localhost:${config.port}`;
  const tokenFile = join(config.dataDir, "demo-token.txt");
  log("");
  log(`OpenAR is running on ${base}`);
  log(`  API docs:          ${base}/api/v1/docs`);
  log(`  browser preview:   ${base}/preview`);
  log(`  Excel task pane:   sideload manifest.xml (see README)`);
  if (existsSync(tokenFile)) log(`  sign in with the demo admin token: ${readFileSync(tokenFile, "utf8").trim()}`);
  await new Promise((done) => server.once("close", done));
  return 0;
}
