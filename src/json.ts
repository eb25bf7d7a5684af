import { readFileSync } from "node:fs";
import type { Problems } from "./errors.js";

/** Parses JSON text, reporting a syntax error with the file and the line and column. */
export function parseJson(text: string, file: string, problems: Problems): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.add({
      code: "not_json",
      file,
      message: `not valid JSON: ${describeJsonError(text, reason)}`,
      hint: "fix the syntax; the file must hold one JSON document",
    });
    return undefined;
  }
}

/**
 * A file's text, or a problem naming it when it cannot be read. Read at once: a catalogue is
 * many small files, each of which fs/promises reads in four trips through the thread pool
 * (most of a run answered from the cache was spent there).
 */
export async function readTextFile(absolute: string, shown: string, problems: Problems): Promise<string | undefined> {
  try {
    return readFileSync(absolute, "utf8");
  } catch (error) {
    problems.add({ code: "not_json", file: shown, message: `cannot read: ${(error as Error).message}` });
    return undefined;
  }
}

export async function readJsonFile(
  absolute: string,
  shown: string,
  problems: Problems,
): Promise<{ text: string; json: unknown } | undefined> {
  const text = await readTextFile(absolute, shown, problems);
  if (text === undefined) return undefined;
  const json = parseJson(text, shown, problems);
  return json === undefined ? undefined : { text, json };
}

function describeJsonError(text: string, reason: string): string {
  const position = /position (\d+)/.exec(reason);
  if (!position) return reason;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${reason.replace(/ in JSON at position \d+.*$/, "")} at line ${line}, column ${column}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
