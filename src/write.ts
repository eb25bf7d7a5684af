import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { bannerMarker, type FileOutput } from "./output.js";

/**
 * Stage 5, write (and its dry twin, check): only here does the generator touch the output
 * folder. Files whose content is unchanged are left alone; changed ones are replaced
 * atomically (write a temporary file beside it, then rename); generated files that the
 * run no longer produces are removed. A file without our banner is never touched.
 */
export interface Comparison {
  /** On disk with other content (never a stub: a stub is the user's to change). */
  stale: string[];
  /** Not on disk yet; stubs are listed as handlers/<path>. */
  missing: string[];
  /** Ours (they carry the banner) but no longer generated. */
  extra: string[];
  unchanged: string[];
}

export interface WriteReport {
  written: string[];
  removed: string[];
  unchanged: string[];
  /** Handler stubs written because they were missing. */
  stubsCreated: string[];
  /** Handler stubs already there, left as they are. */
  stubsKept: string[];
}

/** Where stubs go, when the run has any. */
export interface Folders {
  handlers?: string;
}

export async function compareOutput(outDir: string, files: FileOutput[], folders: Folders = {}): Promise<Comparison> {
  const result: Comparison = { stale: [], missing: [], extra: [], unchanged: [] };
  for (const file of files.filter((f) => f.stub)) {
    if (!existsSync(resolveInside(stubFolder(folders), file.path))) result.missing.push(`handlers/${file.path}`);
  }
  files = files.filter((f) => !f.stub);
  for (const file of files) {
    const current = await readIfExists(resolveInside(outDir, file.path));
    if (current === undefined) result.missing.push(file.path);
    else if (current === file.content) result.unchanged.push(file.path);
    else result.stale.push(file.path);
  }
  const produced = new Set(files.map((f) => f.path));
  result.extra = (await generatedFilesIn(outDir)).filter((f) => !produced.has(f));
  return result;
}

export async function writeOutput(outDir: string, files: FileOutput[], folders: Folders = {}): Promise<WriteReport> {
  const stubs = files.filter((f) => f.stub);
  files = files.filter((f) => !f.stub);
  const comparison = await compareOutput(outDir, files);
  const changed = new Set([...comparison.stale, ...comparison.missing]);
  const stubsCreated: string[] = [];
  const stubsKept: string[] = [];
  for (const stub of stubs) {
    const target = resolveInside(stubFolder(folders), stub.path);
    await mkdir(path.dirname(target), { recursive: true });
    if (await createExclusively(target, stub.content)) stubsCreated.push(stub.path);
    else stubsKept.push(stub.path);
  }
  for (const file of files) {
    if (!changed.has(file.path)) continue;
    const target = resolveInside(outDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeAtomically(target, file.content);
  }
  for (const extra of comparison.extra) {
    const target = resolveInside(outDir, extra);
    await rm(target);
    await removeEmptyParents(path.dirname(target), outDir);
  }
  return {
    written: files.filter((f) => changed.has(f.path)).map((f) => f.path),
    removed: comparison.extra,
    unchanged: comparison.unchanged,
    stubsCreated,
    stubsKept,
  };
}

function stubFolder(folders: Folders): string {
  if (folders.handlers === undefined) throw new Error("handler stubs were generated without a handlers folder");
  return folders.handlers;
}

/** Writes a file only if nothing is there (O_EXCL: no race with an editor saving it). */
async function createExclusively(target: string, content: string): Promise<boolean> {
  try {
    const handle = await open(target, "wx");
    try {
      await handle.writeFile(content, "utf8");
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function writeAtomically(target: string, content: string): Promise<void> {
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Resolves a generated path inside the output folder, refusing anything that would leave it. */
export function resolveInside(outDir: string, relative: string): string {
  const target = path.resolve(outDir, ...relative.split("/"));
  const inside = path.relative(outDir, target);
  if (path.isAbsolute(relative) || inside === "" || inside.startsWith("..") || path.isAbsolute(inside)) {
    throw new Error(`refusing to write ${JSON.stringify(relative)} outside the output folder ${outDir}`);
  }
  return target;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Files under `dir` whose first line is our banner, relative with forward slashes.
 * node_modules and hidden folders are never searched: an output folder set to the
 * project root must not reach into installed packages or .git.
 */
async function generatedFilesIn(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  async function walk(current: string, prefix: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const rel = prefix + entry.name;
      if (entry.isDirectory()) await walk(path.join(current, entry.name), rel + "/");
      else if (entry.isFile() && (await startsWithBanner(path.join(current, entry.name)))) found.push(rel);
    }
  }
  await walk(dir, "");
  return found.sort();
}

async function startsWithBanner(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(200);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString("utf8").split("\n")[0] ?? "";
    return firstLine.includes(bannerMarker);
  } finally {
    await handle.close();
  }
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  for (let current = dir; current !== stopAt && current.startsWith(stopAt); current = path.dirname(current)) {
    if ((await readdir(current)).length > 0) return;
    await rmdir(current);
  }
}

