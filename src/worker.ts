import { parentPort } from "node:worker_threads";
import { CodegenError, type Problem } from "./errors.js";
import { formatText } from "./format.js";
import type { VersionModel } from "./model/build.js";
import type { FileOutput } from "./output.js";

/**
 * The generation worker (see startWorker in format.ts), on the other core: it compiles the
 * validators of each version while the main thread compiles its types, and runs prettier,
 * which it loads and warms as soon as it starts.
 */
export type Job = { id: number } & (
  | { kind: "format"; content: string; parser: string }
  | { kind: "validators"; model: string; header: string } // the model as JSON (keeps a "__proto__" key a key)
);
export type Reply = { id: number; result: string | FileOutput[] } | { id: number; error: string; problems?: readonly Problem[] };

const port = parentPort!;
const warm = formatText("export const a: { b: number } = { b: 1 };\n", "babel-ts").catch(() => {});

port.on("message", async (job: Job) => {
  try {
    const result =
      job.kind === "format"
        ? (await warm, await formatText(job.content, job.parser))
        : (await import("./emit/validators.js")).emitValidators(JSON.parse(job.model) as VersionModel, job.header);
    port.postMessage({ id: job.id, result } satisfies Reply);
  } catch (error) {
    const problems = error instanceof CodegenError ? { problems: error.problems } : {};
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error), ...problems } satisfies Reply);
  }
});
