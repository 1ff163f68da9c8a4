#!/usr/bin/env node
// The `openar` command. The service is TypeScript run through tsx's loader,
// so there is no separate compile step to forget before `npm start`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli.ts");
process.exitCode = await main(process.argv.slice(2));
