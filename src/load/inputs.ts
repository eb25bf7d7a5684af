import { existsSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../paths.js";

/**
 * Where the loader looks for inputs outside the catalogue folder, shared with the cache key
 * (src/cache.ts), which reads the same places without loading the heavier loader.
 */

/** The folder of an installed npm package, looked up as Node does: node_modules/<name> from `cwd` up to the root. */
export function installedPackage(name: string, cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", ...name.split("/"));
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The catalogues a single schema document's provider manifest is taken from, first found first: ./schemas, then the package's own. */
export function manifestCatalogues(cwd: string): string[] {
  return [path.join(cwd, "schemas"), path.join(packageRoot, "schemas")];
}
