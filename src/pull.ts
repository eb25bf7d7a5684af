import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { CodegenError, Problems, type Problem } from "./errors.js";
import { isPlainObject, readJsonFile } from "./json.js";
import { jsonFilesUnder } from "./load/catalogue.js";
import type { Manifest } from "./load/manifest.js";
import { checkAgainstMeta } from "./meta.js";
import { displayPath } from "./paths.js";

/**
 * `codegen pull <provider> [--version v]`: fetches the schema document a provider
 * publishes (the manifest's publish.url, with {version} filled in) into
 * schemas/<provider>/<version>/<provider>.bundle.json. The response's ETag and
 * Last-Modified are kept beside it (.pull.json) and sent back next time, so a re-run with
 * nothing new downloads nothing. Any failure (offline, a timeout, a bad status, a body
 * that is not a JSON object) leaves the schemas on disk exactly as they were.
 *
 * The pulled document is the version's whole input: schema files that were in the version
 * folder before (written by hand, or a provider's per-event files) would otherwise claim
 * the same events as the bundle. They are replaced as a unit: the new folder (the document,
 * the cache entry, and everything that is not a schema input, such as examples/) is staged
 * beside the old one and swapped in by renames; the report lists the files replaced.
 */
export interface PullOptions {
  catalogue: string;
  provider: string;
  version?: string;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  cwd?: string;
  fetch?: typeof fetch;
}

export interface PullReport {
  provider: string;
  version: string;
  url: string;
  file: string;
  status: "downloaded" | "unchanged";
  /** For a download: whether the content differs from what was there. */
  changed?: boolean;
  /** Schema files of the version (relative to the catalogue's parent, as shown) that the document replaced. */
  replaced: string[];
}

interface CacheEntry {
  url: string;
  etag?: string;
  lastModified?: string;
  sha256: string;
}

const cacheFile = ".pull.json";

export async function pullSchemas(options: PullOptions): Promise<PullReport> {
  const cwd = options.cwd ?? process.cwd();
  const providerDir = path.join(options.catalogue, options.provider);
  const manifestFile = path.join(providerDir, "provider.json");
  const shownManifest = displayPath(manifestFile, cwd);
  const fail = (problem: Omit<Problem, "file"> & { file?: string }): never => {
    throw new CodegenError([{ file: shownManifest, ...problem }]);
  };

  const problems = new Problems();
  const read = existsSync(manifestFile) ? await readJsonFile(manifestFile, shownManifest, problems) : undefined;
  problems.throwIfAny();
  if (!read) {
    return fail({ code: "manifest_missing", message: `no provider "${options.provider}" in ${displayPath(options.catalogue, cwd)}`, hint: "add schemas/<provider>/provider.json first (codegen init)" });
  }
  const invalid = checkAgainstMeta("provider", read.json, shownManifest, "manifest_invalid");
  if (invalid.length > 0) throw new CodegenError(invalid);
  const manifest = read.json as Manifest;
  const template = manifest.publish?.url;
  if (!template) {
    return fail({ code: "manifest_invalid", pointer: "/publish", message: "the manifest does not say where the provider publishes its schemas", hint: 'add "publish": { "url": "https://…/{version}.json" }' });
  }
  if (template.includes("{version}") && !options.version) {
    return fail({ code: "config_invalid", pointer: "/publish/url", message: "the URL needs a version", hint: `pass --version, e.g. codegen pull ${options.provider} --version 2026-02-27` });
  }
  const version = options.version ?? "latest";
  const url = template.replaceAll("{version}", encodeURIComponent(version));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(version)) {
    return fail({ code: "name_invalid", message: `version "${version}" cannot name a folder` });
  }

  const versionDir = path.join(providerDir, version);
  const target = path.join(versionDir, `${options.provider}.bundle.json`);
  const cachePath = path.join(versionDir, cacheFile);
  const cache = await readCache(cachePath, url, target);

  const headers: Record<string, string> = { accept: "application/json, application/schema+json" };
  if (cache?.etag) headers["if-none-match"] = cache.etag;
  if (cache?.lastModified) headers["if-modified-since"] = cache.lastModified;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    text = response.status === 304 ? "" : await response.text();
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : describeNetworkError(error);
    return fail({ code: "pull_failed", file: url, message: `cannot fetch the schemas: ${reason}; nothing was changed`, hint: "check the network (or the URL in publish.url) and run again" });
  }
  const others = existsSync(versionDir) ? (await jsonFilesUnder(versionDir, ["examples"])).filter((rel) => rel !== path.basename(target)) : [];
  const report = { provider: options.provider, version, url, file: displayPath(target, cwd), replaced: [] as string[] };
  if (response.status === 304 && cache && others.length === 0) return { ...report, status: "unchanged" };
  if (!response.ok) {
    return fail({ code: "pull_failed", file: url, message: `the server answered ${response.status} ${response.statusText}; nothing was changed` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail({ code: "pull_failed", file: url, message: `the answer is not JSON (${(error as Error).message}); nothing was changed` });
  }
  if (!isPlainObject(json)) {
    return fail({ code: "pull_failed", file: url, message: "the answer is not a JSON Schema document (not an object); nothing was changed" });
  }

  const content = response.status === 304 ? await readFile(target, "utf8") : text.endsWith("\n") ? text : `${text}\n`;
  const sha256 = hashOf(content);
  const changed = !existsSync(target) || hashOf(await readFile(target, "utf8")) !== sha256 || others.length > 0;
  const entry: CacheEntry = {
    url,
    sha256,
    ...(response.headers.get("etag") ? { etag: response.headers.get("etag")! } : cache?.etag ? { etag: cache.etag } : {}),
    ...(response.headers.get("last-modified")
      ? { lastModified: response.headers.get("last-modified")! }
      : cache?.lastModified
        ? { lastModified: cache.lastModified }
        : {}),
  };
  const cacheContent = `${JSON.stringify(entry, null, 2)}\n`;
  if (others.length > 0) {
    await replaceVersion(versionDir, others, { [path.basename(target)]: content, [cacheFile]: cacheContent });
  } else {
    await mkdir(versionDir, { recursive: true });
    if (changed) await replaceFile(target, content);
    await replaceFile(cachePath, cacheContent);
  }
  const replaced = others.map((rel) => displayPath(path.join(versionDir, rel), cwd));
  return { ...report, status: "downloaded", changed, replaced };
}

/**
 * The version folder with `inputs` (its schema files) gone and `files` written, swapped in
 * whole: staged as a hidden sibling (which the loader skips), then two renames. A failure
 * before the swap leaves the old folder as it was.
 */
async function replaceVersion(versionDir: string, inputs: string[], files: Record<string, string>): Promise<void> {
  const suffix = randomBytes(6).toString("hex");
  const staged = path.join(path.dirname(versionDir), `.${path.basename(versionDir)}.pull-${suffix}`);
  const old = path.join(path.dirname(versionDir), `.${path.basename(versionDir)}.replaced-${suffix}`);
  const dropped = new Set(inputs.map((rel) => path.join(versionDir, rel)));
  try {
    await cp(versionDir, staged, { recursive: true, filter: (source) => !dropped.has(source) });
    await removeEmptyFolders(staged);
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(staged, name), content);
    await rename(versionDir, old);
    await rename(staged, versionDir);
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
  await rm(old, { recursive: true, force: true });
}

/** The cache entry, if it is for this URL and the file it describes is still there unchanged. */
async function readCache(file: string, url: string, target: string): Promise<CacheEntry | undefined> {
  if (!existsSync(file) || !existsSync(target)) return undefined;
  try {
    const entry = JSON.parse(await readFile(file, "utf8")) as CacheEntry;
    return entry.url === url && entry.sha256 === hashOf(await readFile(target, "utf8")) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the folders under `dir` left empty (a shared/ whose schemas were replaced). */
async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dir, entry.name);
    await removeEmptyFolders(folder);
    if ((await readdir(folder)).length === 0) await rmdir(folder);
  }
}

async function replaceFile(target: string, content: string): Promise<void> {
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") return "the host cannot be found (offline?)";
  if (cause?.code === "ECONNREFUSED") return "the connection was refused";
  return cause?.message ?? (error as Error).message;
}
