#!/usr/bin/env node
// Runs a TypeScript entry point (benchmarks, scripts) with tsx's loader.
import { register } from "tsx/esm/api";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

register();
const [entry, ...rest] = process.argv.slice(2);
if (entry === undefined) {
  console.error("usage: run-ts.mjs FILE.ts [args…]");
  process.exit(2);
}
process.argv = [process.argv[0] ?? "node", entry, ...rest];
const mod = await import(pathToFileURL(resolve(entry)).href);
if (typeof mod.main === "function") process.exitCode = await mod.main(rest);
