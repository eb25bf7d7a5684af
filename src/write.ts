import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { CodegenError } from "./errors.js";
import { bannerMarker, type FileOutput } from "./output.js";

/**
 * Stage 5, write (and its dry twin, check): only here does the generator touch the output
 * folder. Unchanged files are left alone; generated files the run no longer produces are
 * removed; a file without our banner is never touched.
 *
 * A run replaces many files, and must not leave a mix of old and new ones when it fails
 * or is killed. So it writes in three steps:
 *   1. every new content goes to a temporary file beside its target (a full disk or a
 *      read-only folder fails here, the temporary files are removed, the tree is as it was);
 *   2. the journal, listing the renames and removals still to do, is written atomically:
 *      from this moment the run counts as done;
 *   3. the renames and removals are carried out, and the journal removed.
 * A run killed in step 3 is finished by the next one (`recoverOutput`, which every run
 * calls first); one killed in step 1 leaves only temporary files, which the next run removes.
 */
export const journalName = ".webhook-codegen-journal.json";
const temporarySuffix = ".codegen-tmp";

interface Journal {
  renames: [from: string, to: string][];
  removals: string[];
}

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
  /** What was on disk before the write, as compareOutput saw it. */
  before: Comparison;
}

/** Where stubs go, when the run has any. */
export interface Folders {
  handlers?: string;
}

/** How bytes reach the disk; tests replace it to simulate a full disk or a crash. */
export interface WriteHooks {
  writeFile?: (file: string, content: string) => Promise<void>;
  rename?: (from: string, to: string) => Promise<void>;
}

export async function compareOutput(outDir: string, files: FileOutput[], folders: Folders = {}): Promise<Comparison> {
  const result: Comparison = { stale: [], missing: [], extra: [], unchanged: [] };
  if (existsSync(path.join(outDir, journalName))) {
    // an interrupted run: what is on disk is not what it meant to leave
    result.stale.push(journalName);
  }
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

export async function writeOutput(
  outDir: string,
  files: FileOutput[],
  folders: Folders = {},
  hooks: WriteHooks = {},
): Promise<WriteReport> {
  const write = hooks.writeFile ?? writeDurably;
  await recoverOutput(outDir);
  const stubs = files.filter((f) => f.stub);
  files = files.filter((f) => !f.stub);
  const comparison = await compareOutput(outDir, files);
  const changed = files.filter((f) => comparison.stale.includes(f.path) || comparison.missing.includes(f.path));

  // 1. stage
  const journal: Journal = { renames: [], removals: comparison.extra };
  try {
    for (const file of changed) {
      const target = resolveInside(outDir, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString("hex")}${temporarySuffix}`;
      journal.renames.push([path.relative(outDir, temporary), file.path]);
      await write(temporary, file.content);
    }
  } catch (error) {
    await Promise.all(journal.renames.map(([from]) => rm(path.join(outDir, from), { force: true })));
    throw writeFailure(outDir, error);
  }
  // 2. commit, 3. apply
  if (journal.renames.length + journal.removals.length > 0) {
    await mkdir(outDir, { recursive: true });
    const journalFile = path.join(outDir, journalName);
    await write(`${journalFile}${temporarySuffix}`, JSON.stringify(journal));
    await rename(`${journalFile}${temporarySuffix}`, journalFile);
    await applyJournal(outDir, journal, hooks.rename ?? rename);
    await rm(journalFile);
  }

  const stubsCreated: string[] = [];
  const stubsKept: string[] = [];
  for (const stub of stubs) {
    const target = resolveInside(stubFolder(folders), stub.path);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      if (await createExclusively(target, stub.content)) stubsCreated.push(stub.path);
      else stubsKept.push(stub.path);
    } catch (error) {
      throw writeFailure(stubFolder(folders), error);
    }
  }
  return {
    written: changed.map((f) => f.path),
    removed: comparison.extra,
    unchanged: comparison.unchanged,
    stubsCreated,
    stubsKept,
    before: comparison,
  };
}

/**
 * Finishes a run that was killed after its journal was written, and removes the
 * temporary files of one killed before. Safe to call at any time; a no-op normally.
 */
export async function recoverOutput(outDir: string): Promise<void> {
  const journalFile = path.join(outDir, journalName);
  if (existsSync(journalFile)) {
    const journal = JSON.parse(await readFile(journalFile, "utf8")) as Journal;
    await applyJournal(outDir, journal);
    await rm(journalFile);
  }
  await rm(`${journalFile}${temporarySuffix}`, { force: true });
  for (const leftover of await filesIn(outDir, (name) => name.endsWith(temporarySuffix))) {
    await rm(path.join(outDir, leftover), { force: true });
  }
}

async function applyJournal(
  outDir: string,
  journal: Journal,
  move: (from: string, to: string) => Promise<void> = rename,
): Promise<void> {
  for (const [from, to] of journal.renames) {
    const source = path.join(outDir, from);
    if (existsSync(source)) await move(source, resolveInside(outDir, to));
  }
  for (const removal of journal.removals) {
    const target = resolveInside(outDir, removal);
    await rm(target, { force: true });
    await removeEmptyParents(path.dirname(target), outDir);
  }
}

export async function writeDurably(file: string, content: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeFailure(dir: string, error: unknown): CodegenError {
  const cause = error as NodeJS.ErrnoException;
  const hints: Record<string, string> = {
    ENOSPC: "the disk is full: free some space and run again",
    EACCES: "the folder is not writable: check its permissions",
    EPERM: "the folder is not writable: check its permissions",
    EROFS: "the file system is read-only",
  };
  return new CodegenError([
    {
      code: "write_failed",
      file: cause.path ?? dir,
      message: `cannot write: ${cause.message}; nothing was changed`,
      ...(cause.code && hints[cause.code] ? { hint: hints[cause.code] } : {}),
    },
  ]);
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

/** Files under `dir` whose first line is our banner. */
async function generatedFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesIn(dir, (name) => !name.endsWith(temporarySuffix))) {
    if (await startsWithBanner(path.join(dir, file))) found.push(file);
  }
  return found;
}

/**
 * Files under `dir` whose names pass `keep`, relative with forward slashes, sorted.
 * node_modules and hidden folders are never searched: an output folder set to the
 * project root must not reach into installed packages or .git.
 */
async function filesIn(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  async function walk(current: string, prefix: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const rel = prefix + entry.name;
      if (entry.isDirectory()) await walk(path.join(current, entry.name), rel + "/");
      else if (entry.isFile() && keep(entry.name)) found.push(rel);
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

