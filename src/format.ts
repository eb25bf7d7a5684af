import { Worker } from "node:worker_threads";
import type { VersionOrigin } from "./emit/verify.js";
import { CodegenError } from "./errors.js";
import type { VersionModel } from "./model/build.js";
import type { FileOutput } from "./output.js";
import type { Job, Reply } from "./worker.js";

/**
 * Stage 4, format: prettier, in memory and with fixed options (never the user's
 * .prettierrc), so that the same input gives the same bytes on every machine and
 * `--check` compares formatted text with formatted text. Files an emitter marks
 * `formatted` (already laid out) are left as they are.
 */
const parsers: [suffix: string, parser: string][] = [
  [".ts", "babel-ts"], // prints as the typescript parser does, and is many times faster on large files
  [".js", "babel"],
  [".json", "json"],
];

const parserOf = (file: FileOutput): string | undefined =>
  file.formatted ? undefined : parsers.find(([suffix]) => file.path.endsWith(suffix))?.[1];

/**
 * One text through prettier (loaded on first use: it takes a while). Its standalone build
 * with the two plugins our files need loads in a fraction of the time of the whole of it,
 * and prints the same: the printers are the same code.
 */
export async function formatText(content: string, parser: string): Promise<string> {
  const [{ format }, babel, estree] = await Promise.all([import("prettier/standalone"), import("prettier/plugins/babel"), import("prettier/plugins/estree")]);
  return format(content, { parser, printWidth: 100, endOfLine: "lf", plugins: [babel, estree] });
}

/** Formats the files, in `worker` when one is given. */
export async function formatFiles(files: FileOutput[], worker?: GenerationWorker): Promise<FileOutput[]> {
  return Promise.all(
    files.map(async (file) => {
      const parser = parserOf(file);
      if (!parser) return file;
      return { ...file, content: await (worker ? worker.format(file.content, parser) : formatText(file.content, parser)) };
    }),
  );
}

/** src/worker.ts in a worker thread: the validators' compiler and prettier off the main thread. */
export interface GenerationWorker {
  format(content: string, parser: string): Promise<string>;
  /** The version's validators, formatted when `format`, and checked by verifyOutput. */
  validators(model: VersionModel, header: string, format: boolean): Promise<FileOutput[]>;
  /** verifyOutput, in the worker. */
  verify(files: FileOutput[], origins: VersionOrigin[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the worker, or returns undefined when running from the TypeScript sources (the
 * tests): a worker runs the built JavaScript, so there the run stays in one thread.
 */
export function startWorker(): GenerationWorker | undefined {
  const script = new URL("./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js")) return undefined;
  const worker = new Worker(script);
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const take = (id: number) => {
    const request = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref(); // an idle worker does not keep the process alive
    return request;
  };
  worker.on("message", (reply: Reply) => {
    const request = take(reply.id);
    if ("error" in reply) request?.reject(reply.problems ? new CodegenError(reply.problems) : new Error(reply.error));
    else request?.resolve(reply.result);
  });
  worker.on("error", (error) => {
    failure = error;
    for (const id of [...pending.keys()]) take(id)?.reject(error);
  });
  worker.unref();
  const send = <T>(job: Job) =>
    failure
      ? Promise.reject(failure)
      : new Promise<T>((resolve, reject) => {
          pending.set(job.id, { resolve: resolve as (result: unknown) => void, reject });
          worker.ref();
          worker.postMessage(job);
        });
  return {
    format: (content, parser) => send<string>({ id: next++, kind: "format", content, parser }),
    validators: (model, header, format) => send<FileOutput[]>({ id: next++, kind: "validators", model: JSON.stringify(model), header, format }),
    verify: async (files, origins) => void (await send<null>({ id: next++, kind: "verify", files, origins })),
    close: async () => void (await worker.terminate()),
  };
}
