import { format } from "prettier";
import type { FileOutput } from "./output.js";

/**
 * Stage 4, format: prettier, in memory and with fixed options (never the user's
 * .prettierrc), so that the same input gives the same bytes on every machine and
 * `--check` compares formatted text with formatted text.
 */
const parsers: [suffix: string, parser: string][] = [
  [".ts", "babel-ts"], // prints as the typescript parser does, and is many times faster on large files
  [".js", "babel"],
  [".json", "json"],
];

export async function formatFiles(files: FileOutput[]): Promise<FileOutput[]> {
  return Promise.all(
    files.map(async (file) => {
      const parser = parsers.find(([suffix]) => file.path.endsWith(suffix))?.[1];
      if (!parser || file.formatted) return file;
      return { ...file, content: await format(file.content, { parser, printWidth: 100, endOfLine: "lf" }) };
    }),
  );
}
