import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "./config.js";
import type { Problem } from "./errors.js";
import type { Catalogue } from "./load/catalogue.js";
import type { TestPayload } from "./load/payloads.js";
import type { FileOutput } from "./output.js";
import { packageRoot } from "./paths.js";

/**
 * A run whose inputs are exactly those of an earlier run returns that run's files without
 * modelling, emitting or formatting again. The key is a hash of every input the output
 * depends on: the catalogue's files, the settings that shape the output, and the
 * generator itself (its code and templates, not just its version number, so a changed
 * generator never serves stale output). Entries live in node_modules/.cache/webhook-codegen
 * of the working directory (only where node_modules exists) and are safe to delete.
 */
export function cacheDir(cwd: string): string | undefined {
  const modules = path.join(cwd, "node_modules");
  return existsSync(modules) ? path.join(modules, ".cache", "webhook-codegen") : undefined;
}

let identity: string | undefined;

/** A hash of the running generator: the code in its own module folder (not the .d.ts), templates/ and the dialect meta-schemas. */
function generatorIdentity(): string {
  if (identity === undefined) {
    const hash = createHash("sha256");
    const code = fileURLToPath(new URL(".", import.meta.url));
    for (const dir of [code, path.join(packageRoot, "templates"), path.join(packageRoot, "meta", "dialects")]) {
      for (const file of listFiles(dir).filter((f) => !f.endsWith(".d.ts"))) hash.update(`${path.relative(dir, file)}\0`).update(readFileSync(file)).update("\0");
    }
    identity = hash.digest("hex");
  }
  return identity;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

export function cacheKey(catalogue: Catalogue, config: CodegenConfig, testPayloads: Readonly<Record<string, TestPayload[]>> = {}): string {
  const cwd = config.cwd ?? process.cwd();
  const hash = createHash("sha256").update(generatorIdentity());
  const settings = {
    out: path.relative(cwd, config.out),
    handlers: config.handlers ? path.relative(cwd, config.handlers) : null,
    format: config.format !== false,
    versions: config.versions ?? null,
    root: path.basename(catalogue.root),
    fixtures: config.fixtures === true,
    tests: config.tests ?? null,
    importExtension: config.importExtension ?? ".js",
  };
  hash.update(JSON.stringify(settings));
  for (const provider of catalogue.providers) {
    hash.update(`\0provider ${provider.name}\0${provider.manifestText}`);
    for (const remote of provider.remotes ?? []) {
      hash.update(`\0remote ${remote.prefix}`);
      for (const [rel, file] of [...remote.files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`\0${rel}\0${file.text}`);
    }
    for (const version of provider.versions) {
      hash.update(`\0version ${version.name} ${version.source}`);
      for (const [rel, file] of [...version.files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`\0${rel}\0${file.text}`);
      // samples shape the fixtures and tests (and known-bad.json which of them must fail)
      for (const sample of version.samples) hash.update(`\0sample ${sample.file}\0${JSON.stringify(sample.json)}\0${JSON.stringify(sample.expect ?? null)}`);
      for (const remote of version.remotes ?? []) {
        hash.update(`\0remote ${remote.prefix}`);
        for (const [rel, file] of [...remote.files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`\0${rel}\0${file.text}`);
      }
    }
  }
  for (const [provider, payloads] of Object.entries(testPayloads).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const payload of payloads) hash.update(`\0payload ${provider} ${payload.shown}\0${payload.text}`);
  }
  return hash.digest("hex");
}

export async function readCache(dir: string | undefined, key: string): Promise<{ files: FileOutput[]; warnings: Problem[] } | undefined> {
  if (dir === undefined) return undefined;
  try {
    const entry = JSON.parse(await readFile(path.join(dir, `${key}.json`), "utf8")) as { files: FileOutput[]; warnings?: Problem[] };
    return Array.isArray(entry.files) ? { files: entry.files, warnings: Array.isArray(entry.warnings) ? entry.warnings : [] } : undefined;
  } catch {
    return undefined; // missing or damaged: a miss
  }
}

export async function writeCache(dir: string | undefined, key: string, files: FileOutput[], warnings: Problem[] = []): Promise<void> {
  if (dir === undefined) return;
  try {
    await mkdir(dir, { recursive: true });
    const target = path.join(dir, `${key}.json`);
    await writeFile(`${target}.tmp`, asciiJson({ files, warnings }));
    await rename(`${target}.tmp`, target);
  } catch {
    await rm(path.join(dir, `${key}.json.tmp`), { force: true }).catch(() => {});
  }
}

/**
 * JSON with every character past ASCII written as a \u escape: read back, the entry is then
 * one-byte text, which decodes two to three times faster than the same text with one "—" in it
 * (that made the whole entry, the output of every version, two-byte text on each run).
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
