import { readdirSync, statSync, watch as watchFiles, type FSWatcher } from "node:fs";
import path from "node:path";
import type { CodegenConfig } from "./config.js";
import { CodegenError, type Problem } from "./errors.js";
import { generateWithModels } from "./generate.js";
import { comparisonWarnings, outputFolders, writeOutput, type WriteReport } from "./write.js";

/**
 * `codegen --watch`: generates, then again whenever a file of the catalogue changes
 * (changes that come together are taken as one, after `debounceMs` of quiet). A run that
 * fails on a broken schema is reported and the watch goes on, waiting for the fix.
 *
 * Each folder of the catalogue is watched on its own (not one recursive watch): on Linux a
 * recursive watch follows files, and loses one that an editor or `sed -i` replaces by a
 * rename; a folder's watch sees every name that comes and goes in it. The set of folders is
 * taken again after every event, so new version folders are watched too.
 */
export type WatchRun = { ok: true; report: WriteReport; warnings: Problem[] } | { ok: false; problems: readonly Problem[] };

export interface Watcher {
  /** Resolves when the run in progress, if any, has finished; then stops watching. */
  close(): Promise<void>;
}

export function watch(config: CodegenConfig, onRun: (run: WatchRun) => void, options: { debounceMs?: number } = {}): Watcher {
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let closed = false;

  const run = async () => {
    try {
      const { files, warnings } = await generateWithModels(config);
      const report = await writeOutput(config.out, files, outputFolders(config));
      onRun({ ok: true, report, warnings: [...warnings, ...comparisonWarnings(config.out, report.before, config.handlers)] });
    } catch (error) {
      if (!(error instanceof CodegenError)) throw error;
      onRun({ ok: false, problems: error.problems });
    }
  };
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // one run at a time; changes during a run cause one more run after it
      again = true;
      running = running.then(async () => {
        while (again && !closed) {
          again = false;
          await run();
        }
      });
    }, debounceMs);
  };

  const watchers = new Map<string, FSWatcher>();
  const onEvent = (_: string, file: string | Buffer | null) => {
    if (file && /(^|[/\\])\./.test(String(file))) return; // editors' and pull's hidden files
    if (closed) return;
    watchFolders();
    schedule();
  };
  const watchFolders = () => {
    const folders = new Set(catalogueFolders(config.schemas));
    for (const [folder, watcher] of watchers) {
      if (!folders.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = watchFiles(folder, onEvent);
        watcher.on("error", () => watchers.delete(folder)); // the folder went away
        watchers.set(folder, watcher);
      } catch {
        // removed between the listing and the watch: the next event lists again
      }
    }
  };
  watchFolders();
  running = running.then(run);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      await running;
    },
  };
}

/** The catalogue folder and every folder under it but hidden ones (or, for a single document, its folder). */
function catalogueFolders(root: string): string[] {
  let isFolder = true;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    // not there (yet): watch what the run reports
  }
  if (!isFolder) return [path.dirname(root)]; // one document: its folder sees it replaced
  const folders = [root];
  for (let i = 0; i < folders.length; i++) {
    let entries;
    try {
      entries = readdirSync(folders[i]!, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith(".")) folders.push(path.join(folders[i]!, entry.name));
    }
  }
  return folders;
}
