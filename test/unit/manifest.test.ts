/**
 * Offline validation of manifest.xml (the online validator is unreachable
 * here): well-formed XML, elements in the order and with the counts the
 * Office schemas demand, resource references that resolve, and every URL on
 * the development origin served by a file the build produces, icons at their
 * declared sizes.
 *
 * The sequences below are transcribed from the schemas published in
 * OfficeDev/office-js-docs-pr, docs/overview/schemas/taskpane/:
 * OfficeAppManifestV1_1.xsd (OfficeApp, TaskPaneApp extension),
 * TaskPaneAppVersionOverridesV1_0.xsd (VersionOverridesV1_0, FormFactor,
 * GetStarted, Group, Button, Supertip, ShowTaskpane) and
 * OfficeAppBasicTypesV1_0.xsd (Resources, IconList, string limits).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_BASE_URL, buildAddin, productionManifest, publicBaseUrl, type BuildResult } from "../../addin/build.js";

const ROOT = join(import.meta.dirname, "..", "..");
const NS = {
  app: "http://schemas.microsoft.com/office/appforoffice/1.1",
  overrides: "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
  basic: "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
};

interface XmlElement {
  readonly local: string;
  readonly uri: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly line: number;
}

/** A strict parse (saxes: well-formedness and namespaces) into a small tree. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.on("opentag", (tag) => {
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.uri === "http://www.w3.org/2000/xmlns/") continue; // namespace declarations are not content
      attributes.set(attribute.uri === "" ? attribute.local : `{${attribute.uri}}${attribute.local}`, attribute.value);
    }
    const element: XmlElement = {
      local: tag.local,
      uri: tag.uri,
      attributes,
      children: [],
      text: "",
      line: parser.line,
    };
    stack[stack.length - 1]?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on("text", (text) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += text;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (failure !== undefined) throw failure;
  if (root === undefined) throw new Error("no root element");
  return root;
}

const xsiType = (e: XmlElement) => e.attributes.get(`{${NS.xsi}}type`);

interface Particle {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}
const one = (name: string): Particle => ({ name, min: 1, max: 1 });
const optional = (name: string): Particle => ({ name, min: 0, max: 1 });
const many = (name: string, min = 1): Particle => ({ name, min, max: Infinity });

/** xs:sequence: children in this order, each within its occurrence bounds, nothing else. */
function checkSequence(parent: XmlElement, sequence: readonly Particle[], path: string): string[] {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  let at = 0;
  for (const child of parent.children) {
    let index = at;
    while (
      index < sequence.length &&
      (sequence[index]?.name !== child.local || (counts.get(child.local) ?? 0) >= (sequence[index]?.max ?? 0))
    )
      index++;
    if (index === sequence.length) {
      const known = sequence.some((p) => p.name === child.local);
      problems.push(
        `${path}: <${child.local}> (line ${child.line}) ${known ? "is out of order or repeated" : "is not allowed here"}`,
      );
      continue;
    }
    at = index;
    counts.set(child.local, (counts.get(child.local) ?? 0) + 1);
  }
  for (const particle of sequence) {
    if ((counts.get(particle.name) ?? 0) < particle.min) problems.push(`${path}: <${particle.name}> is required`);
  }
  return problems;
}

const child = (parent: XmlElement, local: string): XmlElement => {
  const found = parent.children.find((c) => c.local === local);
  if (found === undefined) throw new Error(`<${parent.local}> has no <${local}>`);
  return found;
};
const all = (parent: XmlElement, local: string): XmlElement[] => parent.children.filter((c) => c.local === local);
function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((c) => [c, ...descendants(c)]);
}

const OFFICE_APP: readonly Particle[] = [
  one("Id"),
  optional("AlternateId"),
  one("Version"),
  one("ProviderName"),
  one("DefaultLocale"),
  one("DisplayName"),
  one("Description"),
  optional("IconUrl"),
  optional("HighResolutionIconUrl"),
  optional("SupportUrl"),
  optional("AppDomains"),
  optional("Hosts"),
  // TaskPaneApp extension
  optional("Requirements"),
  one("DefaultSettings"),
  one("Permissions"),
  optional("Dictionary"),
  optional("VersionOverrides"),
];
const VERSION_OVERRIDES = [
  optional("Description"),
  optional("Requirements"),
  optional("Hosts"),
  optional("Resources"),
  optional("WebApplicationInfo"),
  optional("EquivalentAddins"),
];
const FORM_FACTOR = [optional("GetStarted"), optional("FunctionFile"), many("ExtensionPoint")];
const GET_STARTED = [one("Title"), one("Description"), one("LearnMoreUrl")];
const COMMAND_SURFACE = [many("OfficeTab", 0), many("CustomTab", 0)];
const GROUP = [one("Label"), one("Icon"), many("Control")];
const BUTTON = [one("Label"), one("Supertip"), one("Icon"), one("Action")];
const SUPERTIP = [one("Title"), one("Description")];
const SHOW_TASKPANE = [optional("TaskpaneId"), one("SourceLocation"), optional("Title")];
const RESOURCES = [optional("Images"), optional("Urls"), optional("ShortStrings"), optional("LongStrings")];

/** Every schema problem of a manifest, as readable lines (empty when valid). */
function validateManifest(root: XmlElement): string[] {
  const problems: string[] = [];
  if (root.local !== "OfficeApp" || root.uri !== NS.app)
    problems.push(`root is <${root.local}> in ${root.uri}, expected OfficeApp in ${NS.app}`);
  if (xsiType(root) !== "TaskPaneApp") problems.push(`OfficeApp xsi:type is ${xsiType(root)}, expected TaskPaneApp`);
  problems.push(...checkSequence(root, OFFICE_APP, "OfficeApp"));
  for (const c of root.children)
    if (c.uri !== NS.app && c.local !== "VersionOverrides")
      problems.push(`<${c.local}> is not in the manifest namespace`);
  problems.push(...checkSequence(child(root, "Hosts"), [many("Host")], "Hosts"));
  problems.push(...checkSequence(child(root, "Requirements"), [optional("Sets"), optional("Methods")], "Requirements"));
  problems.push(...checkSequence(child(root, "DefaultSettings"), [one("SourceLocation")], "DefaultSettings"));
  problems.push(...checkSequence(child(root, "AppDomains"), [many("AppDomain")], "AppDomains"));

  const overrides = child(root, "VersionOverrides");
  if (overrides.uri !== NS.overrides) problems.push(`VersionOverrides is in ${overrides.uri}`);
  if (xsiType(overrides) !== "VersionOverridesV1_0")
    problems.push(`VersionOverrides xsi:type is ${xsiType(overrides)}`);
  problems.push(...checkSequence(overrides, VERSION_OVERRIDES, "VersionOverrides"));
  for (const host of all(child(overrides, "Hosts"), "Host")) {
    if (xsiType(host) !== "Workbook") problems.push(`VersionOverrides host is ${xsiType(host)}, expected Workbook`);
    problems.push(...checkSequence(host, [optional("DesktopFormFactor")], "Host"));
    const form = child(host, "DesktopFormFactor");
    problems.push(...checkSequence(form, FORM_FACTOR, "DesktopFormFactor"));
    problems.push(...checkSequence(child(form, "GetStarted"), GET_STARTED, "GetStarted"));
    for (const point of all(form, "ExtensionPoint")) {
      if (xsiType(point) !== "PrimaryCommandSurface") continue;
      problems.push(...checkSequence(point, COMMAND_SURFACE, "ExtensionPoint"));
      for (const tab of [...all(point, "OfficeTab"), ...all(point, "CustomTab")]) {
        for (const group of all(tab, "Group")) {
          problems.push(...checkSequence(group, GROUP, `Group ${group.attributes.get("id")}`));
          for (const control of all(group, "Control")) {
            problems.push(...checkSequence(control, BUTTON, `Control ${control.attributes.get("id")}`));
            problems.push(...checkSequence(child(control, "Supertip"), SUPERTIP, "Supertip"));
            const action = child(control, "Action");
            if (xsiType(action) === "ShowTaskpane") problems.push(...checkSequence(action, SHOW_TASKPANE, "Action"));
          }
        }
      }
    }
  }
  problems.push(...checkSequence(child(overrides, "Resources"), RESOURCES, "Resources"));
  for (const e of descendants(overrides)) {
    const basic = ["Image", "Images", "Urls", "Url", "ShortStrings", "LongStrings", "String"].includes(e.local);
    if (basic !== (e.uri === NS.basic)) problems.push(`<${e.local}> (line ${e.line}) is in ${e.uri}`);
  }

  // Resource references: each resid names a resource of the right kind.
  const resources = child(overrides, "Resources");
  const ids = (collection: string) =>
    new Map(
      all(
        child(resources, collection),
        collection === "Images" ? "Image" : collection === "Urls" ? "Url" : "String",
      ).map((r) => [r.attributes.get("id") ?? "", r.attributes.get("DefaultValue") ?? ""]),
    );
  const kinds = {
    Images: ids("Images"),
    Urls: ids("Urls"),
    ShortStrings: ids("ShortStrings"),
    LongStrings: ids("LongStrings"),
  };
  for (const [kind, map] of Object.entries(kinds)) {
    for (const [id, value] of map) {
      if (id.length === 0 || id.length > 32) problems.push(`${kind} id "${id}" must be 1–32 characters`);
      if (kind === "ShortStrings" && value.length > 125) problems.push(`short string ${id} is over 125 characters`);
      if (kind === "LongStrings" && value.length > 250) problems.push(`long string ${id} is over 250 characters`);
    }
  }
  for (const e of descendants(overrides)) {
    const resid = e.attributes.get("resid");
    if (resid === undefined) continue;
    const kind =
      e.local === "Image"
        ? "Images"
        : ["SourceLocation", "FunctionFile", "LearnMoreUrl"].includes(e.local)
          ? "Urls"
          : ["Label", "Title"].includes(e.local)
            ? "ShortStrings"
            : "LongStrings";
    if (!kinds[kind].has(resid))
      problems.push(`<${e.local} resid="${resid}"> (line ${e.line}) names no ${kind} resource`);
  }
  return problems;
}

/** Every URL in attributes and AppDomain texts. */
function urlsOf(root: XmlElement): string[] {
  return [root, ...descendants(root)].flatMap((e) =>
    [...e.attributes.values(), e.text.trim()].filter((v) => /^https?:\/\//.test(v)),
  );
}

/** PNG width and height from the IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let out: string;
let built: BuildResult;
let devXml: string;
let manifest: XmlElement;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "openar-addin-"));
  built = await buildAddin(ROOT, join(out, "addin"), { publicUrl: "https://ar.example.com/openar/", log: false });
  devXml = await readFile(join(ROOT, "manifest.xml"), "utf8");
  manifest = parseXml(devXml);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe("manifest.xml", () => {
  it("is well-formed XML", () => {
    expect(manifest.local).toBe("OfficeApp");
    expect(() => parseXml(devXml.replace("</ProviderName>", "</Provider>"))).toThrow(/mismatched|unexpected/i);
  });

  it("has every element the schema and the add-in need, in schema order", () => {
    expect(validateManifest(manifest)).toEqual([]);
    for (const name of [
      "IconUrl",
      "HighResolutionIconUrl",
      "SupportUrl",
      "AppDomains",
      "Hosts",
      "Requirements",
      "VersionOverrides",
    ]) {
      expect(manifest.children.map((c) => c.local)).toContain(name);
    }
  });

  it("catches elements out of order, missing, or in the wrong place", () => {
    const swapped = devXml.replace(/(<Id>.*<\/Id>)(\s*)(<Version>.*<\/Version>)/, "$3$2$1");
    expect(validateManifest(parseXml(swapped)).join("\n")).toMatch(
      /OfficeApp: <Id> \(line \d+\) is out of order or repeated/,
    );
    const noPermissions = devXml.replace(/<Permissions>.*<\/Permissions>/, "");
    expect(validateManifest(parseXml(noPermissions))).toContain("OfficeApp: <Permissions> is required");
    const labelAfterIcon = devXml.replace(/(<Label resid="Group.Label"\/>)(\s*)(<Icon>[\s\S]*?<\/Icon>)/, "$3$2$1");
    expect(validateManifest(parseXml(labelAfterIcon)).join("\n")).toMatch(
      /Group OpenAR.Group: <Label> .* is out of order/,
    );
  });

  it("is a task pane add-in for Excel that reads and writes the workbook", () => {
    expect(child(child(manifest, "Hosts"), "Host").attributes.get("Name")).toBe("Workbook");
    expect(child(manifest, "Permissions").text).toBe("ReadWriteDocument");
    expect(child(manifest, "ProviderName").text).toBe("OpenAR");
    expect(child(manifest, "DefaultLocale").text).toBe("en-US");
    const set = child(child(child(manifest, "Requirements"), "Sets"), "Set");
    expect(set.attributes.get("Name")).toBe("ExcelApi");
    expect(set.attributes.get("MinVersion")).toMatch(/^\d+\.\d+$/);
    expect(child(child(manifest, "DefaultSettings"), "SourceLocation").attributes.get("DefaultValue")).toBe(
      `${DEV_BASE_URL}/taskpane.html`,
    );
    const tab = descendants(manifest).find((e) => e.local === "OfficeTab");
    expect(tab?.attributes.get("id")).toBe("TabHome");
    const action = descendants(manifest).find((e) => e.local === "Action");
    expect(action === undefined ? undefined : xsiType(action)).toBe("ShowTaskpane");
  });

  it("has a GUID id, a dotted version and strings within their limits", () => {
    expect(child(manifest, "Id").text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    // Version: ([0-9]{1,5})(\.[0-9]{1,5}){0,3}
    expect(child(manifest, "Version").text).toMatch(/^\d{1,5}(\.\d{1,5}){0,3}$/);
    expect(child(manifest, "DisplayName").attributes.get("DefaultValue")?.length).toBeLessThanOrEqual(125);
    expect(child(manifest, "Description").attributes.get("DefaultValue")?.length).toBeLessThanOrEqual(250);
  });

  it("catches a resid that names no resource", () => {
    const dangling = devXml.replace('<bt:String id="Group.Label"', '<bt:String id="Group.Renamed"');
    expect(validateManifest(parseXml(dangling)).join("\n")).toMatch(
      /<Label resid="Group.Label"> \(line \d+\) names no ShortStrings resource/,
    );
  });

  it("uses https everywhere, and every development URL is a file the build produces", () => {
    const urls = urlsOf(manifest);
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) expect(url).toMatch(/^https:\/\//);
    const local = urls.filter((u) => u.startsWith(`${DEV_BASE_URL}/`));
    expect(local.length).toBeGreaterThanOrEqual(8);
    for (const url of local) expect(built.files).toContain(url.slice(DEV_BASE_URL.length + 1));
  });

  it("declares icons that are PNGs of the size they claim, under 100 KB", async () => {
    const resources = child(child(manifest, "VersionOverrides"), "Resources");
    const images = new Map(
      all(child(resources, "Images"), "Image").map((i) => [
        i.attributes.get("id"),
        i.attributes.get("DefaultValue") ?? "",
      ]),
    );
    const declared: [string, number][] = [
      [child(manifest, "IconUrl").attributes.get("DefaultValue") ?? "", 32],
      [child(manifest, "HighResolutionIconUrl").attributes.get("DefaultValue") ?? "", 64],
    ];
    for (const image of descendants(manifest).filter((e) => e.local === "Image" && e.attributes.has("size"))) {
      declared.push([images.get(image.attributes.get("resid")) ?? "", Number(image.attributes.get("size"))]);
    }
    expect(new Set(declared.map(([, size]) => size))).toEqual(new Set([16, 32, 64, 80]));
    for (const [url, size] of declared) {
      const bytes = await readFile(join(built.outDir, url.slice(DEV_BASE_URL.length + 1)));
      expect(pngSize(bytes), url).toEqual({ width: size, height: size });
      expect(bytes.length).toBeLessThan(100 * 1024);
    }
  });
});

describe("addin build", () => {
  it("writes the production manifest with the public base URL and nothing pointing at localhost", async () => {
    expect(built.baseUrl).toBe("https://ar.example.com/openar");
    const xml = await readFile(built.manifest, "utf8");
    expect(xml).not.toContain("localhost");
    const parsed = parseXml(xml);
    expect(validateManifest(parsed)).toEqual([]);
    expect(child(child(parsed, "DefaultSettings"), "SourceLocation").attributes.get("DefaultValue")).toBe(
      "https://ar.example.com/openar/taskpane.html",
    );
    const urls = urlsOf(parsed).filter((u) => !u.startsWith("https://login.microsoftonline.com"));
    for (const url of urls) expect(url.startsWith("https://ar.example.com/openar/")).toBe(true);
    expect(productionManifest(devXml, "https://ar.example.com")).toContain(
      'DefaultValue="https://ar.example.com/assets/icon-16.png"',
    );
  });

  it("adds WebApplicationInfo for Office single sign-on as the last child of VersionOverrides when an Entra app is given", () => {
    const clientId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    const xml = productionManifest(devXml, "https://ar.example.com", { clientId });
    const parsed = parseXml(xml);
    expect(validateManifest(parsed)).toEqual([]);
    const overrides = child(parsed, "VersionOverrides");
    const last = overrides.children[overrides.children.length - 1];
    expect(last?.local).toBe("WebApplicationInfo");
    expect(child(last!, "Id").text).toBe(clientId);
    expect(child(last!, "Resource").text).toBe(`api://ar.example.com/${clientId}`);
    expect(() => productionManifest(devXml, "https://ar.example.com", { clientId: "not-a-guid" })).toThrow(/GUID/);
    expect(productionManifest(devXml, "https://ar.example.com")).not.toContain("WebApplicationInfo");
  });

  it("accepts only an https origin for production", () => {
    expect(publicBaseUrl("https://ar.example.com/")).toBe("https://ar.example.com");
    expect(() => publicBaseUrl("http://ar.example.com")).toThrow(/https only/);
    expect(() => publicBaseUrl("https://ar.example.com/?x=1")).toThrow(/without query/);
    expect(() => publicBaseUrl("ar.example.com")).toThrow(/not a URL/);
  });

  it("loads office.js from Microsoft's CDN before the task pane, and the preview without Office", async () => {
    const taskpane = await readFile(join(built.outDir, "taskpane.html"), "utf8");
    const scripts = [...taskpane.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", "taskpane.js"]);
    const preview = await readFile(join(built.outDir, "preview.html"), "utf8");
    expect([...preview.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual(["preview.js"]);
    const commands = await readFile(join(built.outDir, "commands.html"), "utf8");
    expect(commands).toContain("https://appsforoffice.microsoft.com/lib/1/hosted/office.js");
    for (const page of ["taskpane.html", "preview.html", "commands.html", "support.html"]) {
      // No inline scripts: the server's Content-Security-Policy allows script files from 'self' and the Office CDN only.
      expect(await readFile(join(built.outDir, page), "utf8")).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it("produces every file the HTML pages refer to", async () => {
    for (const page of ["taskpane.html", "preview.html", "commands.html", "support.html"]) {
      const html = await readFile(join(built.outDir, page), "utf8");
      const local = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
        .map((m) => m[1] ?? "")
        .filter((u) => !/^https?:/.test(u));
      for (const ref of local) {
        if (ref === "preview" || ref.startsWith("api/")) continue; // served by the server: /preview → preview.html, the API docs
        const entry = ref.replace(/\.js$/, "");
        if (built.skipped.some((s) => s.includes(`/${entry}/`))) continue;
        expect(built.files, `${page} → ${ref}`).toContain(ref);
      }
    }
  });

  it("bundles the task pane and the preview when their entry points exist", () => {
    for (const name of ["taskpane", "preview"]) {
      if (built.skipped.includes(`addin/${name}/main.tsx`)) continue;
      expect(built.files).toContain(`${name}.js`);
    }
  });
});
