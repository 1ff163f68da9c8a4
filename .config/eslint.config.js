// ESLint flat config. Lives in .config/ because the repository's top level is
// reserved for the product's own folders; `npm run lint` passes --config.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const noImportFrom = (targets, why) => ({
  patterns: targets.map((t) => ({ group: [`**/${t}/**`, `${t}/**`], message: why })),
});

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", ".openar/**", "coverage/**", "bench/tmp/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", ".config/*.js", "server/bin/*.mjs"] }, tsconfigRootDir: root },
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-ignore": true, "ts-nocheck": true, "ts-expect-error": "allow-with-description" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-globals": ["error", { name: "parseFloat", message: "Money is never a float: use shared/money." }],
      "no-restricted-properties": [
        "error",
        { object: "Number", property: "parseFloat", message: "Money is never a float: use shared/money." },
      ],
      "@typescript-eslint/no-extraneous-class": "off",
    },
  },
  {
    // The pure core: no I/O, no Office, no Express, nothing from the edges.
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          ...noImportFrom(["addin", "server"], "shared/ is the pure core: it imports nothing from addin/ or server/."),
          paths: [
            ...["fs", "node:fs", "http", "node:http", "express", "pg", "mssql", "better-sqlite3", "react"].map((name) => ({
              name,
              message: "shared/ does no I/O and knows no framework.",
            })),
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date']", message: "Calendar dates are IsoDate strings; today is passed in." },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: "Today is passed in (Clock)." },
      ],
    },
  },
  {
    files: ["server/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", noImportFrom(["addin"], "server/ never imports the add-in; share through shared/.")],
    },
  },
  {
    files: ["addin/**/*.ts", "addin/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "no-restricted-imports": ["error", noImportFrom(["server"], "addin/ talks to the server over HTTP only.")],
    },
  },
  {
    // Components never touch Office.js: only addin/excel/ may.
    files: ["addin/**/*.ts", "addin/**/*.tsx"],
    ignores: ["addin/excel/**"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "Excel", message: "Office.js lives behind the workbook gateway in addin/excel/." },
        { name: "parseFloat", message: "Money is never a float: use shared/money." },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "test/**/*.tsx", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
