/**
 * The parent's side of bench/server-child.ts: starts the service in its own
 * process (so its memory is its own), waits for its port and token, and asks
 * it for memory figures. The child is only ever stopped by its own pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildRequest, MemoryReport } from "./server-child.js";
import type { BenchStore } from "./stores.js";

const RUN_TS = fileURLToPath(new URL("../server/bin/run-ts.mjs", import.meta.url));
const CHILD = fileURLToPath(new URL("./server-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("..", import.meta.url));

export interface BenchService {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  readonly pid: number;
  resetMemory(): Promise<MemoryReport>;
  memory(): Promise<MemoryReport>;
  /** Memory right after a full collection in the service: what it holds at this moment. */
  retainedMemory(): Promise<MemoryReport>;
  /** Runs the pull's bare baseline inside the service process. */
  bareJson(): Promise<{ ms: number; bytes: number; rows: number }>;
  /** Runs the store's stream and the route's serialization inside the service process, without HTTP. */
  streamInProcess(asOf: string): Promise<{ ms: number; bytes: number; rows: number }>;
  stop(): Promise<void>;
}

export async function startService(location: BenchStore["location"]): Promise<BenchService> {
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", RUN_TS, CHILD], {
    cwd: REPO,
    env: { ...process.env, OPENAR_BENCH_STORE: JSON.stringify(location) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the benchmark service did not start");
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      resolve();
    });
  });

  const waiting: { type: ChildMessage["type"]; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }[] = [];
  child.on("message", (message: ChildMessage) => {
    if (message.type === "error") {
      waiting.shift()?.reject(new Error(`benchmark service: ${message.message}`));
      return;
    }
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message);
  });
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`benchmark service exited (${String(code)})`));
  });
  const next = <T extends ChildMessage["type"]>(
    type: T,
    request?: ChildRequest,
  ): Promise<Extract<ChildMessage, { type: T }>> => {
    const answer = new Promise<ChildMessage>((resolve, reject) => {
      waiting.push({ type, resolve, reject });
    });
    if (request !== undefined) child.send(request);
    return answer as Promise<Extract<ChildMessage, { type: T }>>;
  };

  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    next("ready"),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error("the benchmark service did not report ready within 120 s"));
      }, 120_000);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
  return {
    origin: `http://127.0.0.1:${ready.port}`,
    token: ready.token,
    pid,
    resetMemory: () => next("mem", { type: "mem-reset" }),
    memory: () => next("mem", { type: "mem" }),
    retainedMemory: () => next("mem", { type: "mem-gc" }),
    bareJson: async () => {
      const { ms, bytes, rows } = await next("baseline-json", { type: "baseline-json" });
      return { ms, bytes, rows };
    },
    streamInProcess: async (asOf) => {
      const { ms, bytes, rows } = await next("stream-in-process", { type: "stream-in-process", asOf });
      return { ms, bytes, rows };
    },
    stop: async () => {
      if (child.exitCode === null && child.connected) child.send({ type: "stop" } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
