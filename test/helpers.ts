import { readFileSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { main } from "../src/cli.js";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const catalogueDir = path.join(repoRoot, "schemas");
export const generatedDir = path.join(repoRoot, "generated");
/**
 * The providers of the catalogue this repository generates into generated/ (codegen.config.json):
 * all but github, whose version is GitHub's document in an installed npm package
 * (test/github.test.ts generates it).
 */
export const generatedProviders: string[] = (JSON.parse(readFileSync(path.join(repoRoot, "codegen.config.json"), "utf8")) as { providers: string[] }).providers;

/** Copies the catalogue's generated providers (not github, which needs its npm package) into `target`. */
export async function copyCatalogue(target: string): Promise<void> {
  for (const provider of generatedProviders) await cp(path.join(catalogueDir, provider), path.join(target, provider), { recursive: true });
}

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary folder, removed after the test file. */
export async function tempDir(prefix = "codegen-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temporary project holding a copy of the catalogue as schemas/. */
export async function projectWithCatalogue(): Promise<string> {
  const dir = await tempDir();
  await copyCatalogue(path.join(dir, "schemas"));
  return dir;
}

/** Every file under `dir`, relative path → content. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(current: string, prefix: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full, `${prefix}${entry.name}/`);
      else files.set(`${prefix}${entry.name}`, await readFile(full, "utf8"));
    }
  }
  await walk(dir, "");
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Runs the command line in-process, as `codegen <args>` in `cwd`. */
export async function run(
  args: string[],
  cwd: string,
  env: { ci?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (text) => (stdout += text + "\n"),
    err: (text) => (stderr += text + "\n"),
    cwd,
    ...(env.ci ? { ci: true } : {}),
  });
  return { code, stdout, stderr };
}
