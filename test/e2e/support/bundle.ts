/**
 * Bundles a test page (a .tsx entry) with esbuild into a temporary folder with
 * an index.html, for Chromium to open from file://. React runs its production
 * build, as the preview does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

export interface BundledPage {
  /** file:// URL of index.html. */
  readonly url: string;
  readonly dir: string;
  dispose(): void;
}

export async function bundlePage(entry: string, title: string): Promise<BundledPage> {
  const dir = mkdtempSync(join(tmpdir(), "openar-page-"));
  await build({
    entryPoints: [entry],
    outfile: join(dir, "page.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    jsx: "automatic",
    minify: true,
    sourcemap: "inline",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title>
<style>html,body{margin:0;height:100%;overflow:hidden}</style></head>
<body><div id="root"></div><script src="page.js"></script></body>
</html>
`,
  );
  return {
    url: pathToFileURL(join(dir, "index.html")).href,
    dir,
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
