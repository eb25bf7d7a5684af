import { parentPort } from "node:worker_threads";
import { formatText } from "./format.js";

/**
 * The format worker (see startWorker in format.ts): prettier on another core. It loads
 * prettier and warms its TypeScript parser as soon as it starts, while the main thread
 * loads the catalogue and builds the models; then it formats what the emitters send,
 * as they send it.
 */
export type Job = { id: number; content: string; parser: string };
export type Reply = { id: number; content: string } | { id: number; error: string };

const port = parentPort!;
const warm = formatText("export const a: { b: number } = { b: 1 };\n", "babel-ts").catch(() => {});

port.on("message", async (job: Job) => {
  await warm;
  try {
    port.postMessage({ id: job.id, content: await formatText(job.content, job.parser) } satisfies Reply);
  } catch (error) {
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) } satisfies Reply);
  }
});
