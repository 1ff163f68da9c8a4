/**
 * Builds the add-in's static site into dist/addin, which the server serves
 * from its own origin: the task pane and preview bundles (esbuild), the HTML
 * shells from addin/static, the ribbon's function file, the icons (drawn
 * here, so no binary files live in the repository), and dist/manifest.xml
 * with the production base URL from OPENAR_PUBLIC_URL.
 *
 * `npm run build` runs main(); tests call buildAddin() with a temp folder.
 */
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

/** The development origin written in manifest.xml; replaced by OPENAR_PUBLIC_URL in dist/manifest.xml. */
export const DEV_BASE_URL = "https://localhost:3000";
/** Icon sizes the manifest and the Office Store ask for: ribbon 16/32/80, IconUrl 32, HighResolutionIconUrl 64, store 128. */
export const ICON_SIZES = [16, 32, 64, 80, 128] as const;
/** Brand colour of the icon tile. */
export const ICON_COLOR = "#0F6CBD";

const ENTRIES = [
  { name: "taskpane", source: "addin/taskpane/main.tsx" },
  { name: "preview", source: "addin/preview/main.tsx" },
] as const;

/** The ribbon's only button opens the task pane; the function file just has to tell Office it is ready. */
const COMMANDS_JS = "Office.onReady(function () {});\n";

export interface BuildOptions {
  /** The add-in's Entra application id for single sign-on; default OPENAR_ENTRA_CLIENT_ID (none: no SSO). */
  readonly entraClientId?: string;
  /** Production origin for dist/manifest.xml; default: OPENAR_PUBLIC_URL, else the development origin. */
  readonly publicUrl?: string | undefined;
  /** Where the production manifest goes; default: next to outDir (dist/manifest.xml). */
  readonly manifestOut?: string;
  /** Print what was built (default true). */
  readonly log?: boolean;
}

export interface BuildResult {
  readonly outDir: string;
  /** Files written under outDir, relative to it, with "/" separators. */
  readonly files: readonly string[];
  /** Entry points that do not exist yet and were left out. */
  readonly skipped: readonly string[];
  readonly manifest: string;
  readonly baseUrl: string;
}

/** An https origin, optionally with a path, without a trailing slash. */
export function publicBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`OPENAR_PUBLIC_URL: "${value}" is not a URL`);
  }
  if (url.protocol !== "https:")
    throw new Error(`OPENAR_PUBLIC_URL: Office loads add-ins over https only, not ${url.protocol}`);
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new Error(
      `OPENAR_PUBLIC_URL: "${value}" must be a plain origin and path, without query, fragment or credentials`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export interface EntraAppRegistration {
  /** The add-in's application (client) id in Microsoft Entra ID. */
  readonly clientId: string;
  /** Its application ID URI; default api://<host of the base URL>/<client id>. */
  readonly resource?: string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The development manifest with every development URL moved to `baseUrl`,
 * and — when an Entra app registration is given — a WebApplicationInfo
 * element (the last child of VersionOverrides, as the schema demands) so the
 * task pane can sign in with Office single sign-on.
 */
export function productionManifest(devManifest: string, baseUrl: string, entra?: EntraAppRegistration): string {
  const moved = devManifest.replaceAll(`${DEV_BASE_URL}/`, `${baseUrl}/`).replaceAll(DEV_BASE_URL, baseUrl);
  if (entra === undefined) return moved;
  if (!GUID.test(entra.clientId)) throw new Error(`OPENAR_ENTRA_CLIENT_ID: "${entra.clientId}" is not an application (client) id GUID`);
  const resource = entra.resource ?? `api://${new URL(baseUrl).host}/${entra.clientId}`;
  const info = [
    "    <WebApplicationInfo>",
    `      <Id>${entra.clientId}</Id>`,
    `      <Resource>${resource.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Resource>`,
    "      <Scopes>",
    "        <Scope>openid</Scope>",
    "        <Scope>profile</Scope>",
    "      </Scopes>",
    "    </WebApplicationInfo>",
    "  </VersionOverrides>",
  ].join("\n");
  if (!moved.includes("</VersionOverrides>")) throw new Error("manifest.xml has no VersionOverrides to add WebApplicationInfo to");
  return moved.replace("  </VersionOverrides>", info);
}

export async function buildAddin(
  root: string,
  outDir = join(root, "dist", "addin"),
  options: BuildOptions = {},
): Promise<BuildResult> {
  const started = performance.now();
  const log = options.log ?? true;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });

  const present = ENTRIES.filter((e) => existsSync(join(root, e.source)));
  const skipped = ENTRIES.filter((e) => !present.includes(e)).map((e) => e.source);
  for (const source of skipped) console.log(`addin build: ${source} does not exist yet, skipped`);
  if (present.length > 0) {
    await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(present.map((e) => [e.name, join(root, e.source)])),
      outdir: outDir,
      bundle: true,
      format: "iife",
      platform: "browser",
      target: ["es2020"],
      jsx: "automatic",
      minify: true,
      sourcemap: "linked",
      legalComments: "linked",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "warning",
    });
  }

  const staticDir = join(root, "addin", "static");
  for (const file of await readdir(staticDir)) {
    if (file.endsWith(".html")) await copyFile(join(staticDir, file), join(outDir, file));
  }
  await writeFile(join(outDir, "commands.js"), COMMANDS_JS);
  for (const size of ICON_SIZES) await writeFile(join(outDir, "assets", `icon-${size}.png`), renderIcon(size));

  const baseUrl = publicBaseUrl(options.publicUrl ?? process.env.OPENAR_PUBLIC_URL ?? DEV_BASE_URL);
  if (baseUrl === DEV_BASE_URL && log)
    console.log("addin build: OPENAR_PUBLIC_URL is not set, dist/manifest.xml points at https://localhost:3000");
  const manifest = options.manifestOut ?? join(dirname(outDir), "manifest.xml");
  const clientId = options.entraClientId ?? process.env.OPENAR_ENTRA_CLIENT_ID;
  const entra = clientId === undefined || clientId === "" ? undefined : { clientId, resource: process.env.OPENAR_ENTRA_RESOURCE };
  await writeFile(manifest, productionManifest(await readFile(join(root, "manifest.xml"), "utf8"), baseUrl, entra));

  const files = await listFiles(outDir);
  if (log)
    console.log(
      `addin build: ${files.length} files in ${relative(root, outDir) || outDir}, manifest for ${baseUrl} (${Math.round(performance.now() - started)} ms)`,
    );
  return { outDir, files, skipped, manifest, baseUrl };
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), path)));
    else out.push(path);
  }
  return out.sort();
}

// ---------------------------------------------------------------- icons

interface Point {
  readonly x: number;
  readonly y: number;
}

/** Distance from p to the segment a–b. */
function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Distance from p to the right half of the circle around c (the bowl of the R). */
function rightArcDistance(p: Point, c: Point, radius: number): number {
  if (p.x >= c.x) return Math.abs(Math.hypot(p.x - c.x, p.y - c.y) - radius);
  return Math.min(Math.hypot(p.x - c.x, p.y - (c.y - radius)), Math.hypot(p.x - c.x, p.y - (c.y + radius)));
}

// "AR" in a unit square: cap height 0.46 between y = 0.27 and 0.73, strokes 0.105 wide.
const TOP = 0.27;
const BASE = 0.73;
const STROKE = 0.105;
const A_LEFT = { x: 0.11, y: BASE };
const A_APEX = { x: 0.28, y: TOP };
const A_RIGHT = { x: 0.45, y: BASE };
const A_BAR_Y = 0.575;
const R_STEM = 0.585;
const R_BOWL = { x: 0.715, y: 0.385 }; // bowl centre; radius 0.115 reaches from TOP to 0.5
const R_RADIUS = 0.115;

const along = (a: Point, b: Point, y: number): Point => ({ x: a.x + ((b.x - a.x) * (y - a.y)) / (b.y - a.y), y });

const GLYPH_SEGMENTS: readonly (readonly [Point, Point])[] = [
  [A_LEFT, A_APEX],
  [A_APEX, A_RIGHT],
  [along(A_LEFT, A_APEX, A_BAR_Y), along(A_RIGHT, A_APEX, A_BAR_Y)],
  [
    { x: R_STEM, y: TOP },
    { x: R_STEM, y: BASE },
  ],
  [
    { x: R_STEM, y: TOP },
    { x: R_BOWL.x, y: TOP },
  ],
  [
    { x: R_STEM, y: R_BOWL.y + R_RADIUS },
    { x: R_BOWL.x, y: R_BOWL.y + R_RADIUS },
  ],
  [
    { x: 0.69, y: R_BOWL.y + R_RADIUS },
    { x: 0.875, y: BASE },
  ],
];

function inGlyph(p: Point): boolean {
  const half = STROKE / 2;
  if (rightArcDistance(p, R_BOWL, R_RADIUS) <= half) return true;
  return GLYPH_SEGMENTS.some(([a, b]) => segmentDistance(p, a, b) <= half);
}

/** Inside the rounded square tile (corner radius 0.2). */
function inTile(p: Point): boolean {
  const r = 0.2;
  const cx = Math.min(Math.max(p.x, r), 1 - r);
  const cy = Math.min(Math.max(p.y, r), 1 - r);
  return p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1 && Math.hypot(p.x - cx, p.y - cy) <= r;
}

/** The OpenAR icon: a white "AR" on a rounded blue tile, 4×4 supersampled, as a PNG. */
export function renderIcon(size: number): Buffer {
  const samples = 4;
  const tile = [
    Number.parseInt(ICON_COLOR.slice(1, 3), 16),
    Number.parseInt(ICON_COLOR.slice(3, 5), 16),
    Number.parseInt(ICON_COLOR.slice(5, 7), 16),
  ] as const;
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let covered = 0;
      let white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const p = { x: (x + (sx + 0.5) / samples) / size, y: (y + (sy + 0.5) / samples) / size };
          if (!inTile(p)) continue;
          covered++;
          if (inGlyph(p)) white++;
        }
      }
      const at = (y * size + x) * 4;
      if (covered === 0) continue;
      const w = white / covered;
      rgba[at] = Math.round(tile[0] + (255 - tile[0]) * w);
      rgba[at + 1] = Math.round(tile[1] + (255 - tile[1]) * w);
      rgba[at + 2] = Math.round(tile[2] + (255 - tile[2]) * w);
      rgba[at + 3] = Math.round((255 * covered) / (samples * samples));
    }
  }
  return encodePng(size, size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A truecolour-with-alpha PNG, 8 bits per channel, no filtering. */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(6, 9); // colour type: RGBA
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

export async function main(): Promise<number> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  try {
    await buildAddin(root);
    return 0;
  } catch (error) {
    console.error(`addin build failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
