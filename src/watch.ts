import { watch as watchFiles, type FSWatcher } from "node:fs";
import type { CodegenConfig } from "./config.js";
import { CodegenError, type Problem } from "./errors.js";
import { generate } from "./generate.js";
import { writeOutput, type WriteReport } from "./write.js";

/**
 * `codegen --watch`: generates, then again whenever a file of the catalogue changes
 * (changes that come together are taken as one, after `debounceMs` of quiet). A run that
 * fails on a broken schema is reported and the watch goes on, waiting for the fix.
 */
export type WatchRun = { ok: true; report: WriteReport } | { ok: false; problems: readonly Problem[] };

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
      const files = await generate(config);
      const report = await writeOutput(config.out, files, config.handlers ? { handlers: config.handlers } : {});
      onRun({ ok: true, report });
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
