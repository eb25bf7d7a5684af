import { existsSync } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { configFileName } from "./config.js";
import { CodegenError } from "./errors.js";
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
}

const shippedCatalogue = path.join(packageRoot, "schemas");

export async function init(options: { cwd: string; providers?: readonly string[] }): Promise<InitReport> {
  const report: InitReport = { created: [], kept: [] };
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
    } else {
      await skeleton(target, provider);
    }
    report.created.push(displayPath(target, options.cwd));
  }
  return report;
}

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
    $schema: "../../node_modules/webhook-codegen/meta/provider.schema.json",
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
