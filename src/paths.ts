import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The package's own folder (works from src/ under vitest and from dist/ when installed). */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url));

export const toolName = "webhook-codegen";

export const toolVersion: string = (
  JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }
).version;

export function readPackageFile(relative: string): string {
  return readFileSync(path.join(packageRoot, relative), "utf8");
}

/** A path as shown to users and written into banners: relative to `from`, with forward slashes. */
export function displayPath(file: string, from: string = process.cwd()): string {
  const relative = path.relative(from, file);
  const shown = relative === "" ? "." : relative.startsWith("..") ? file : relative;
  return shown.split(path.sep).join("/");
}
