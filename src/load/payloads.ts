import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { CodegenConfig } from "../config.js";
import { Problems } from "../errors.js";
import { displayPath } from "../paths.js";

/**
 * The payloads the config names for the generated tests (`testPayloads`: captured
 * deliveries and the like), read as they are: a body that is not JSON is a test case too
 * (the parser answers invalid_json). Part of the load stage: nothing later reads files.
 */
export interface TestPayload {
  /** The file as the test's title shows it: relative to the config's working directory. */
  shown: string;
  /** The body, byte for byte as a string. */
  text: string;
}

export async function loadTestPayloads(config: CodegenConfig, providers: readonly string[]): Promise<Record<string, TestPayload[]>> {
  const cwd = config.cwd ?? process.cwd();
  const problems = new Problems();
  const found: Record<string, TestPayload[]> = {};
  for (const [provider, folders] of Object.entries(config.testPayloads ?? {})) {
    if (config.providers && !config.providers.includes(provider)) continue;
    if (!providers.includes(provider)) {
      problems.add({ code: "config_invalid", file: "codegen.config.json", pointer: `/testPayloads/${provider}`, message: `no provider "${provider}" in the catalogue (it has: ${providers.join(", ") || "none"})` });
      continue;
    }
    const payloads: TestPayload[] = [];
    for (const [index, folder] of folders.entries()) {
      if (!existsSync(folder) || !(await stat(folder)).isDirectory()) {
        problems.add({ code: "config_invalid", file: "codegen.config.json", pointer: `/testPayloads/${provider}/${index}`, message: `folder ${displayPath(folder, cwd)} not found` });
        continue;
      }
      // relative even when outside the project (../captures): the title is the same on every machine
      for (const file of await jsonFiles(folder)) payloads.push({ shown: path.relative(cwd, file).split(path.sep).join("/"), text: await readFile(file, "utf8") });
    }
    found[provider] = payloads;
  }
  problems.throwIfAny();
  return found;
}

/** Every *.json file under a folder but hidden ones, in code-unit order of their paths. */
async function jsonFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await jsonFiles(full)));
    else if (entry.isFile() && entry.name.endsWith(".json") && !entry.name.endsWith(".headers.json")) files.push(full);
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
