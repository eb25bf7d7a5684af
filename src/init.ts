import { existsSync, readdirSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { configFileName } from "./config.js";
import { CodegenError } from "./errors.js";
import { installedPackage } from "./load/inputs.js";
import { displayPath, packageRoot } from "./paths.js";

/**
 * `codegen init [--provider p...]`: a starter codegen.config.json (with $schema, so editors
 * complete and check it) and, on request, provider folders: a copy of the provider from
 * the catalogue shipped in this package, or a skeleton for a provider it does not know.
 * Nothing that exists is overwritten.
 */
export interface InitReport {
  created: string[];
  kept: string[];
  /** The providers the catalogue folder holds after init (none: `codegen` has nothing to read yet). */
  providers: string[];
  /** The npm packages their manifests' `sources` read from that are not installed (GitHub's @octokit/openapi-webhooks). */
  missingPackages: string[];
}

const shippedCatalogue = path.join(packageRoot, "schemas");

export async function init(options: { cwd: string; providers?: readonly string[] }): Promise<InitReport> {
  const report: InitReport = { created: [], kept: [], providers: [], missingPackages: [] };
  const configPath = path.join(options.cwd, configFileName);
  const config = {
    $schema: "./node_modules/webhook-codegen/meta/config.schema.json",
    schemas: "schemas",
    out: "src/webhooks/generated",
    handlers: "src/webhooks/handlers",
  };
  await createIfMissing(configPath, `${JSON.stringify(config, null, 2)}\n`, report, options.cwd);

  for (const provider of options.providers ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(provider)) {
      throw new CodegenError([
        { code: "name_invalid", file: provider, message: "a provider name is lower case letters, digits and -", hint: "e.g. codegen init --provider acme" },
      ]);
    }
    const target = path.join(options.cwd, "schemas", provider);
    if (existsSync(target)) {
      report.kept.push(displayPath(target, options.cwd));
      continue;
    }
    const shipped = path.join(shippedCatalogue, provider);
    if (existsSync(path.join(shipped, "provider.json"))) {
      await cp(shipped, target, { recursive: true });
      await pointAtInstalledMetaSchema(path.join(target, "provider.json"));
    } else {
      await skeleton(target, provider);
    }
    report.created.push(displayPath(target, options.cwd));
  }
  const catalogue = path.join(options.cwd, "schemas");
  report.providers = existsSync(catalogue)
    ? (await readdir(catalogue, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && existsSync(path.join(catalogue, entry.name, "provider.json")))
        .map((entry) => entry.name)
        .sort()
    : [];
  const missing = new Set<string>();
  for (const provider of report.providers) {
    try {
      const manifest = JSON.parse(await readFile(path.join(catalogue, provider, "provider.json"), "utf8")) as { sources?: Record<string, { npm?: unknown }> };
      for (const source of Object.values(manifest.sources ?? {})) {
        if (typeof source.npm === "string" && installedPackage(source.npm, options.cwd) === undefined) missing.add(source.npm);
      }
    } catch {
      // a manifest that does not parse is reported by `codegen` itself, with its file and position
    }
  }
  report.missingPackages = [...missing].sort();
  return report;
}

/** The providers this package ships a catalogue for (what `init --provider` copies). */
export function shippedProviders(): string[] {
  return existsSync(shippedCatalogue)
    ? readdirSync(shippedCatalogue, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(path.join(shippedCatalogue, entry.name, "provider.json")))
        .map((entry) => entry.name)
        .sort()
    : [];
}

/**
 * A shipped manifest's `$schema` is relative to this package's own tree; in the user's
 * project it must point into the installed package, or editors find nothing there.
 */
async function pointAtInstalledMetaSchema(manifestPath: string): Promise<void> {
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Record<string, unknown>;
  if (manifest["$schema"] === undefined) return;
  manifest["$schema"] = installedProviderSchema;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** From schemas/<provider>/provider.json to the installed package's manifest schema. */
const installedProviderSchema = "../../node_modules/webhook-codegen/meta/provider.schema.json";

async function createIfMissing(file: string, content: string, report: InitReport, cwd: string): Promise<void> {
  try {
    await writeFile(file, content, { flag: "wx" });
    report.created.push(displayPath(file, cwd));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    report.kept.push(displayPath(file, cwd));
  }
}

/** A provider the package does not ship: a manifest to fill in and one example event. */
async function skeleton(dir: string, name: string): Promise<void> {
  const title = name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()).replace(/-/g, "");
  const version = path.join(dir, "v1");
  await mkdir(path.join(version, "examples"), { recursive: true });
  const manifest = {
    $schema: installedProviderSchema,
    name,
    title,
    description: `TODO: what ${title} is; where its webhook docs are.`,
    event: { in: "body", pointer: "/type" },
    signing: { scheme: "standard-webhooks", headerPrefixes: ["webhook"], toleranceSeconds: 300 },
  };
  const event = {
    $schema: "http://json-schema.org/draft-07/schema#",
    description: "TODO: replace with the provider's published schema of one event; the file name is the event name.",
    type: "object",
    properties: { type: { const: "example.ping" }, id: { type: "string" }, created_at: { type: "string", format: "date-time" } },
    required: ["type", "id"],
  };
  const sample = { type: "example.ping", id: "evt_1", created_at: "2026-01-01T00:00:00Z" };
  await writeFile(path.join(dir, "provider.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(path.join(version, "example.ping.schema.json"), `${JSON.stringify(event, null, 2)}\n`);
  await writeFile(path.join(version, "examples", "example.ping.json"), `${JSON.stringify(sample, null, 2)}\n`);
}
