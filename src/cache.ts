import { createHash, type Hash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "./config.js";
import type { Problem } from "./errors.js";
import { installedPackage, manifestCatalogues } from "./load/inputs.js";
import { compare } from "./order.js";
import type { FileOutput } from "./output.js";
import { displayPath, packageRoot } from "./paths.js";

/**
 * A run whose inputs are exactly those of an earlier run returns that run's files without
 * loading, modelling, emitting or formatting again. The key is a hash of every input the
 * output depends on: the catalogue's files, the settings that shape the output, and the
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
    .sort((a, b) => compare(a.name, b.name))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/**
 * The key: a hash of the generator, the settings that shape the output, and every input the
 * loader may read, taken from the disk as text before anything is loaded, so that a run
 * answered from the cache parses no schema and does not load the loader. It covers more than
 * the loader reads, never less: every file and folder under the catalogue but hidden ones
 * (which the loader never reads), following symbolic links, and under the providers a filtered
 * run asks for alone; the documents a manifest's `sources` names in installed packages; and,
 * with `tests`, the `testPayloads` folders.
 */
export function cacheKey(config: CodegenConfig): string {
  const cwd = config.cwd ?? process.cwd();
  const root = config.schemas;
  const hash = createHash("sha256").update(generatorIdentity());
  const settings = {
    out: path.relative(cwd, config.out),
    handlers: config.handlers ? path.relative(cwd, config.handlers) : null,
    format: config.format !== false,
    versions: config.versions ?? null,
    root: path.basename(root),
    shown: displayPath(root, cwd),
    providers: config.providers ?? null,
    fixtures: config.fixtures === true,
    tests: config.tests ?? null,
    importExtension: config.importExtension ?? ".js",
  };
  hash.update(JSON.stringify(settings));
  const inputs = new InputHash(hash);
  const rootKind = kindOf(root);
  if (rootKind === "file") {
    // one document given as the catalogue: its provider's manifest (and remotes) from whichever catalogue holds it
    inputs.file(root, "document");
    for (const catalogue of manifestCatalogues(cwd)) {
      for (const provider of config.providers ?? []) inputs.provider(path.join(catalogue, provider), path.join(catalogue, provider), cwd);
    }
  } else if (rootKind === "directory") {
    for (const entry of inputs.folder(root, "catalogue")) {
      if (entry.kind === "directory" && (config.providers === undefined || config.providers.includes(entry.name))) inputs.provider(entry.path, `catalogue/${entry.name}`, cwd);
    }
  }
  if (config.tests) {
    for (const [provider, folders] of Object.entries(config.testPayloads ?? {}).sort(([a], [b]) => compare(a, b))) {
      for (const folder of folders) {
        hash.update(`\0payloads ${provider} ${folder}`);
        if (kindOf(folder) === "directory") inputs.tree(folder, folder);
      }
    }
  }
  return hash.digest("hex");
}

type Kind = "file" | "directory" | "other" | "missing";

/** What is at a path, links followed; "other" for what cannot be looked at (no permission, a loop of links). */
function kindOf(file: string): Kind {
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    return stats === undefined ? "missing" : stats.isFile() ? "file" : stats.isDirectory() ? "directory" : "other";
  } catch {
    return "other";
  }
}

/**
 * Feeds files and folders into the key, each with its path, kind and (for a file) its length
 * and text: no two different trees hash alike. A folder reached twice (two links to it, or a
 * link to a folder above) is walked once; one that cannot be read is hashed as such, and the
 * loader says what is wrong with it.
 */
class InputHash {
  private readonly walked = new Set<string>();

  constructor(private readonly hash: Hash) {}

  /**
   * A file's text, read as the loader reads it (UTF-8: two files it decodes alike are one input
   * to it), at once (one call, where reading bytes takes four); or its kind when it is not a
   * readable file.
   */
  file(file: string, label: string): string | undefined {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      this.hash.update(`\0${kindOf(file)} ${label}`);
      return undefined;
    }
    this.hash.update(`\0file ${label} ${text.length}\0`).update(text);
    return text;
  }

  /** A folder's entries but hidden ones, in code-unit order, links followed: names and kinds only. */
  folder(dir: string, label: string): { name: string; path: string; kind: Kind }[] {
    let listed;
    try {
      listed = readdirSync(dir, { withFileTypes: true });
    } catch {
      this.hash.update(`\0unreadable ${label}`);
      return [];
    }
    const entries = listed
      .filter((entry) => !entry.name.startsWith("."))
      .sort((a, b) => compare(a.name, b.name))
      .map((entry) => {
        const full = path.join(dir, entry.name);
        const kind: Kind = entry.isSymbolicLink() ? kindOf(full) : entry.isFile() ? "file" : entry.isDirectory() ? "directory" : "other";
        return { name: entry.name, path: full, kind };
      });
    this.hash.update(`\0folder ${label}\0${entries.map((e) => `${e.kind} ${e.name}`).join("\0")}`);
    return entries;
  }

  /** Every file under a folder, with the folders' entries; returns the text of its file named `wanted`, if any. */
  tree(dir: string, label: string, wanted?: string): string | undefined {
    let real: string;
    try {
      real = realpathSync.native(dir);
    } catch {
      this.hash.update(`\0unreadable ${label}`);
      return undefined;
    }
    if (this.walked.has(real)) {
      this.hash.update(`\0walked ${label}`);
      return undefined;
    }
    this.walked.add(real);
    let found: string | undefined;
    for (const entry of this.folder(dir, label)) {
      if (entry.kind === "file") {
        const text = this.file(entry.path, `${label}/${entry.name}`);
        if (entry.name === wanted) found = text;
      } else if (entry.kind === "directory") this.tree(entry.path, `${label}/${entry.name}`);
    }
    return found;
  }

  /** A provider folder, and the documents its manifest's `sources` reads from installed packages. */
  provider(dir: string, label: string, cwd: string): void {
    if (kindOf(dir) !== "directory") {
      this.hash.update(`\0no provider ${label}`);
      return;
    }
    const manifest = this.tree(dir, label, "provider.json");
    let sources: unknown;
    try {
      sources = (JSON.parse(manifest ?? "") as { sources?: unknown }).sources;
    } catch {
      return; // no manifest, or not JSON: the run fails and leaves no entry
    }
    if (typeof sources !== "object" || sources === null) return;
    for (const [version, source] of Object.entries(sources).sort(([a], [b]) => compare(a, b))) {
      const { npm, file } = (source ?? {}) as { npm?: unknown; file?: unknown };
      if (typeof npm !== "string" || typeof file !== "string") continue;
      const installed = installedPackage(npm, cwd);
      this.hash.update(`\0source ${version} ${npm} ${installed ?? "(not installed)"}`);
      if (installed !== undefined) this.file(path.resolve(installed, file), `${npm}/${file}`);
    }
  }
}

/**
 * An entry is a line of JSON (each file without its content, with the content's length in
 * bytes; the warnings) and then every content, as UTF-8, one after the other: read back, only
 * the short line is parsed, and each file is decoded on its own (an ASCII file as one-byte
 * text, whatever the others hold). A length that does not add up is a damaged entry: a miss.
 */
export async function readCache(dir: string | undefined, key: string): Promise<{ files: FileOutput[]; warnings: Problem[] } | undefined> {
  if (dir === undefined) return undefined;
  try {
    // at once: fs/promises reads a large file in several trips through the thread pool
    const bytes = readFileSync(path.join(dir, `${key}.entry`));
    const end = bytes.indexOf(0x0a);
    const head = JSON.parse(bytes.toString("utf8", 0, end)) as { files?: unknown; warnings?: unknown };
    if (!Array.isArray(head.files) || !Array.isArray(head.warnings)) return undefined;
    const files: FileOutput[] = [];
    let offset = end + 1;
    for (const { bytes: length, ...file } of head.files as (Omit<FileOutput, "content"> & { bytes: number })[]) {
      if (!Number.isSafeInteger(length) || length < 0 || offset + length > bytes.length) return undefined;
      files.push({ ...file, content: bytes.toString("utf8", offset, offset + length) });
      offset += length;
    }
    return offset === bytes.length ? { files, warnings: head.warnings as Problem[] } : undefined;
  } catch {
    return undefined; // missing or damaged: a miss
  }
}

/** Whether a string has no lone surrogate (ES2024's isWellFormed, in Node since 20; a regular expression took 36 ms on 6 MB). */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

export async function writeCache(dir: string | undefined, key: string, files: FileOutput[], warnings: Problem[] = []): Promise<void> {
  // UTF-8 cannot hold a lone surrogate: such output would come back changed, and is not kept
  if (dir === undefined || files.some((file) => !wellFormed(file.content))) return;
  const target = path.join(dir, `${key}.entry`);
  try {
    await mkdir(dir, { recursive: true });
    const contents = files.map((file) => Buffer.from(file.content, "utf8"));
    const head = JSON.stringify({ files: files.map(({ content, ...file }, i) => ({ ...file, bytes: contents[i]!.length })), warnings });
    await writeFile(`${target}.tmp`, Buffer.concat([Buffer.from(`${head}\n`, "utf8"), ...contents]));
    await rename(`${target}.tmp`, target);
  } catch {
    await rm(`${target}.tmp`, { force: true }).catch(() => {});
  }
}
