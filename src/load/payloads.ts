import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { CodegenConfig } from "../config.js";
import { Problems } from "../errors.js";
import { displayPath } from "../paths.js";
import { compare } from "../order.js";

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
  /** The delivery's headers, from `<file>.headers.json` beside it (a header-named provider's event is there). */
  headers?: Record<string, string>;
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
      for (const file of await jsonFiles(folder)) {
        const shown = path.relative(cwd, file).split(path.sep).join("/");
        const headers = await readHeaders(`${file}.headers.json`, `${shown}.headers.json`, problems);
        payloads.push({ shown, text: await readFile(file, "utf8"), ...(headers ? { headers } : {}) });
      }
    }
    found[provider] = payloads;
  }
  problems.throwIfAny();
  return found;
}

/** `<payload>.headers.json`, when there is one: an object of header names and string values. */
async function readHeaders(file: string, shown: string, problems: Problems): Promise<Record<string, string> | undefined> {
  if (!existsSync(file)) return undefined;
  let read: unknown;
  try {
    read = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    problems.add({ code: "config_invalid", file: shown, message: `not JSON: ${(error as Error).message}` });
    return undefined;
  }
  if (typeof read !== "object" || read === null || Array.isArray(read) || !Object.values(read).every((v) => typeof v === "string")) {
    problems.add({ code: "config_invalid", file: shown, message: "must be an object of header names and string values" });
    return undefined;
  }
  return Object.fromEntries(Object.entries(read).sort(([a], [b]) => compare(a, b))) as Record<string, string>;
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
  return files.sort(compare);
}
