/**
 * The `openar` command as a child process: one-shot commands (`migrate`,
 * `token create`) and long-running `serve` instances, for tests that need
 * the service exactly as it is deployed — separate processes sharing one
 * database. Children are only ever stopped by their own pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const OPENAR_BIN = fileURLToPath(new URL("../../server/bin/openar.mjs", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `openar <args>` to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OPENAR_BIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`openar ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `openar <args>` and returns its standard output, failing with its output if it exits non-zero. */
export async function runCliOk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(args, env);
  if (result.code !== 0) {
    throw new Error(`openar ${args.join(" ")} exited ${String(result.code)}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export interface ServiceProcess {
  /** http://127.0.0.1:PORT/api/v1 */
  readonly api: string;
  readonly pid: number;
  /** Everything the process wrote so far (logs, for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

const LISTENING = /OpenAR sync service on (https?):\/\/localhost:(\d+)/;

/** Starts `openar serve <args>` and resolves once it prints the port it listens on. */
export function startService(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [OPENAR_BIN, "serve", ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let started = false;
    const exited = new Promise<void>((done) => {
      child.once("exit", () => {
        done();
      });
    });
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`openar serve did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: string) => {
      output += chunk;
      const match = LISTENING.exec(output);
      if (!started && match !== null) {
        started = true;
        clearTimeout(timer);
        const pid = child.pid ?? -1;
        resolve({ api: `${match[1] ?? "http"}://127.0.0.1:${match[2] ?? ""}/api/v1`, pid, output: () => output, stop });
      }
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.stderr?.setEncoding("utf8").on("data", onData);
    child.on("error", reject);
    child.once("exit", (code, signal) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`openar serve exited (${String(code ?? signal)}) before listening:\n${output}`));
      }
    });
  });
}
