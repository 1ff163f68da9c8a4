/**
 * A tiny structured logger: one JSON object per line, so log shippers need no
 * parsing rules. Injected everywhere it is used (no global logger), which is
 * how tests stay silent and how they assert on what was logged.
 */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LogEntry {
  readonly time: string;
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface LoggerOptions {
  /** Where a finished line goes; defaults to standard output. */
  readonly write?: (line: string) => void;
  /** An ISO 8601 UTC instant; defaults to the system clock. */
  readonly now?: () => string;
}

/** Errors do not survive JSON.stringify (their fields are not enumerable); BigInt throws. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

export function formatLogLine(entry: LogEntry): string {
  return JSON.stringify(entry, jsonSafe);
}

function makeLogger(emit: (entry: LogEntry) => void, now: () => string): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      const entry: Record<string, unknown> = { time: now(), level, msg };
      // A field named "level" or "time" must not forge the entry's own.
      for (const [key, value] of Object.entries(fields)) {
        if (!(key in entry)) entry[key] = value;
      }
      emit(entry as LogEntry);
    };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

const systemNow = (): string => new Date().toISOString();

export function createJsonLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return makeLogger((entry) => {
    write(formatLogLine(entry));
  }, options.now ?? systemNow);
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Keeps entries in memory, for tests that assert on logs. */
export function createMemoryLogger(options: Pick<LoggerOptions, "now"> = {}): Logger & {
  readonly entries: LogEntry[];
} {
  const entries: LogEntry[] = [];
  const logger = makeLogger((entry) => entries.push(entry), options.now ?? systemNow);
  return { ...logger, entries };
}
