import { watch as watchFiles, type FSWatcher } from "node:fs";
import type { CodegenConfig } from "./config.js";
import { CodegenError, type Problem } from "./errors.js";
import { generateWithModels } from "./generate.js";
import { comparisonWarnings, writeOutput, type WriteReport } from "./write.js";

/**
 * `codegen --watch`: generates, then again whenever a file of the catalogue changes
 * (changes that come together are taken as one, after `debounceMs` of quiet). A run that
 * fails on a broken schema is reported and the watch goes on, waiting for the fix.
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
      const folders = { schemas: config.schemas, ...(config.cwd ? { cwd: config.cwd } : {}), ...(config.handlers ? { handlers: config.handlers } : {}) };
      const report = await writeOutput(config.out, files, folders);
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

  const watcher: FSWatcher = watchFiles(config.schemas, { recursive: true }, (_, file) => {
    if (file && /(^|[/\\])\./.test(String(file))) return; // editors' and pull's hidden files
    schedule();
  });
  running = running.then(run);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await running;
    },
  };
}
