import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // CI asks for a JSON report too (OPENAR_TEST_REPORT), to print a one-line summary.
    reporters: process.env.OPENAR_TEST_REPORT === undefined ? ["default"] : ["default", "json"],
    ...(process.env.OPENAR_TEST_REPORT === undefined ? {} : { outputFile: { json: process.env.OPENAR_TEST_REPORT } }),
  },
});
