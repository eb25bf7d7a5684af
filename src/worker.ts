import { parentPort } from "node:worker_threads";
import { CodegenError, type Problem } from "./errors.js";
import { originOf, verifyOutput, type VersionOrigin } from "./emit/verify.js";
import { formatFiles, formatText } from "./format.js";
import type { VersionModel } from "./model/build.js";
import type { FileOutput } from "./output.js";

/**
 * The generation worker (see startWorker in format.ts), on the other core: it compiles the
 * validators of each version while the main thread compiles its types, and runs prettier
 * (which it loads and warms as soon as it starts) on what is not laid out already.
 */
export type Job = { id: number } & (
  | { kind: "format"; content: string; parser: string }
  | { kind: "validators"; model: string; header: string; format: boolean } // the model as JSON (keeps a "__proto__" key a key)
  | { kind: "verify"; files: FileOutput[]; origins: VersionOrigin[] }
);
export type Reply = { id: number; result: string | FileOutput[] | null } | { id: number; error: string; problems?: readonly Problem[] };

const port = parentPort!;
const warm = formatText("export const a: { b: number } = { b: 1 };\n", "babel-ts").catch(() => {});

/** The version's validators, formatted, and checked (verifyOutput) here, off the main thread. */
async function validators(model: string, header: string, format: boolean): Promise<FileOutput[]> {
  const parsed = JSON.parse(model) as VersionModel;
  const emitted = (await import("./emit/validators.js")).emitValidators(parsed, header);
  const files = format ? (await warm, await formatFiles(emitted)) : emitted;
  await verifyOutput(files, [originOf(parsed)]);
  return files;
}

port.on("message", async (job: Job) => {
  try {
    const result =
      job.kind === "format"
        ? (await warm, await formatText(job.content, job.parser))
        : job.kind === "verify"
          ? (await warm, await verifyOutput(job.files, job.origins), null) // babel-ts is warm from formatting
          : await validators(job.model, job.header, job.format);
    port.postMessage({ id: job.id, result } satisfies Reply);
  } catch (error) {
    const problems = error instanceof CodegenError ? { problems: error.problems } : {};
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error), ...problems } satisfies Reply);
  }
});
