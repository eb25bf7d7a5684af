import { parentPort, workerData } from "node:worker_threads";
import { CodegenError, type Problem } from "./errors.js";
import { originOf, verifyOutput, type VersionOrigin } from "./emit/verify.js";
import type { Piece } from "./emit/types.js";
import { formatFiles, formatText } from "./format.js";
import type { VersionModel } from "./model/build.js";
import type { FileOutput } from "./output.js";

/**
 * A generation worker (see startWorker in format.ts), one of a pool of up to one per core: it
 * compiles validators of versions and types of definitions as the main thread hands them
 * out (a type laid out and checked as a piece of its types.ts where it is compiled), and runs
 * prettier (the first worker loads and warms it as soon as it starts) on what is not laid out
 * already.
 */
export type Job = { id: number } & (
  | { kind: "format"; content: string; parser: string }
  | { kind: "validators"; model: string; header: string; format: boolean } // the model as JSON (keeps a "__proto__" key a key)
  | { kind: "verify"; files: FileOutput[]; origins: VersionOrigin[] }
  | { kind: "declaration"; name: string; schema: string; anything: boolean; nothing: boolean; format: boolean } // emit/types.ts's declarationPiece
  | { kind: "piece"; raw: string; format: boolean } // emit/types.ts's pieceOf
);
export type Reply = { id: number; result: string | FileOutput[] | Piece | null } | { id: number; error: string; problems?: readonly Problem[] };

const port = parentPort!;
// the first worker loads prettier as it starts, the others json-schema-to-typescript (each loads
// the other when it needs it)
const warm = (workerData as { warm?: boolean } | undefined)?.warm
  ? formatText("export const a: { b: number } = { b: 1 };\n", "babel-ts").catch(() => {})
  : import("./emit/types.js").then(({ loadTypeCompiler }) => void loadTypeCompiler()).catch(() => {});

/** The version's validators, formatted, and checked (verifyOutput) here, off the main thread. */
async function validators(model: string, header: string, format: boolean): Promise<FileOutput[]> {
  const parsed = JSON.parse(model) as VersionModel;
  const emitted = (await import("./emit/validators/index.js")).emitValidators(parsed, header);
  const files = format ? (await warm, await formatFiles(emitted)) : emitted;
  await verifyOutput(files, [originOf(parsed)]);
  return files;
}

/** One job, answered: its result, or its error. */
async function answer(job: Job): Promise<Reply> {
  try {
    const result =
      job.kind === "declaration"
        ? await (await import("./emit/types.js")).declarationPiece(job.name, job.schema, job.anything, job.nothing, job.format)
        : job.kind === "piece"
        ? await (await import("./emit/types.js")).pieceOf(job.raw, job.format)
        : job.kind === "format"
        ? (await warm, await formatText(job.content, job.parser))
        : job.kind === "verify"
          ? (await warm, await verifyOutput(job.files, job.origins), null) // babel-ts is warm from formatting
          : await validators(job.model, job.header, job.format);
    return { id: job.id, result };
  } catch (error) {
    const problems = error instanceof CodegenError ? { problems: error.problems } : {};
    return { id: job.id, error: error instanceof Error ? error.message : String(error), ...problems };
  }
}

// a batch's jobs one after the other (started together, a thread's compiles would interleave
// at their awaits and all finish at the end), answered in one message (each wakes the main thread)
let last = Promise.resolve();
port.on("message", (batch: Job[]) => {
  last = last.then(async () => {
    const replies: Reply[] = [];
    for (const job of batch) replies.push(await answer(job));
    try {
      port.postMessage(replies);
    } catch (error) {
      // a result that cannot be sent fails its jobs, not the thread
      const message = `could not send the result: ${error instanceof Error ? error.message : String(error)}`;
      port.postMessage(replies.map(({ id }): Reply => ({ id, error: message })));
    }
  });
});
