import { availableParallelism } from "node:os";
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

/**
 * src/worker.ts in worker threads: the validators' compiler, the types' compiles and prettier
 * off the main thread. One worker starts with the run (it warms prettier); `grow` adds more,
 * up to one per core, when a run has enough types to compile to pay for their start.
 */
export interface GenerationWorker {
  format(content: string, parser: string): Promise<string>;
  /** The version's validators, formatted when `format`, and checked by verifyOutput. */
  validators(model: VersionModel, header: string, format: boolean): Promise<FileOutput[]>;
  /** verifyOutput, in the worker. */
  verify(files: FileOutput[], origins: VersionOrigin[]): Promise<void>;
  /** One definition's declaration (emit/types.ts's declarationOf), in the least busy worker. */
  declare(name: string, schema: string, anything: boolean, nothing: boolean): Promise<string>;
  /** Starts workers until there are `count` (at most one per core). */
  grow(count: number): void;
  /** How many worker threads there are. */
  size(): number;
  close(): Promise<void>;
}

/** A job without its id: the pool numbers them. */
type Request = Job extends infer J ? (J extends Job ? Omit<J, "id"> : never) : never;

/** One worker thread and the jobs it has not answered yet. */
class Thread {
  readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void; weight: number }>();
  /** The work handed out and not answered yet, in declarations (a version's validators weigh as many as it has definitions). */
  load = 0;
  private failure: Error | undefined;
  private readonly worker: Worker;

  constructor(script: URL, warm: boolean) {
    this.worker = new Worker(script, { workerData: { warm } });
    this.worker.on("message", (reply: Reply) => {
      const request = this.take(reply.id);
      if ("error" in reply) request?.reject(reply.problems ? new CodegenError(reply.problems) : new Error(reply.error));
      else request?.resolve(reply.result);
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      for (const id of [...this.pending.keys()]) this.take(id)?.reject(error);
    });
    this.worker.unref();
  }

  private take(id: number) {
    const request = this.pending.get(id);
    this.pending.delete(id);
    this.load -= request?.weight ?? 0;
    if (this.pending.size === 0) this.worker.unref(); // an idle worker does not keep the process alive
    return request;
  }

  send<T>(job: Job, weight: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(job.id, { resolve: resolve as (result: unknown) => void, reject, weight });
      this.load += weight;
      this.worker.ref();
      this.worker.postMessage(job);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * Starts the worker, or returns undefined when running from the TypeScript sources (the
 * tests): a worker runs the built JavaScript, so there the run stays in one thread.
 */
export function startWorker(): GenerationWorker | undefined {
  const script = new URL("./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js")) return undefined;
  const threads = [new Thread(script, true)];
  let next = 0;
  const on = <T>(thread: Thread, request: Request, weight = 1) => thread.send<T>({ ...request, id: next++ } as Job, weight);
  // prettier is warm in the first worker: formatting goes there; the rest to the least loaded
  const leastBusy = () => threads.reduce((best, thread) => (thread.load < best.load ? thread : best));
  const cores = availableParallelism();
  return {
    format: (content, parser) => on<string>(threads[0]!, { kind: "format", content, parser }),
    validators: (model, header, format) =>
      on<FileOutput[]>(leastBusy(), { kind: "validators", model: JSON.stringify(model), header, format }, Object.keys(model.definitions ?? {}).length + 1),
    verify: async (files, origins) => void (await on<null>(leastBusy(), { kind: "verify", files, origins })),
    declare: (name, schema, anything, nothing) => on<string>(leastBusy(), { kind: "declaration", name, schema, anything, nothing }),
    grow: (count) => {
      while (threads.length < Math.min(count, cores)) threads.push(new Thread(script, false));
    },
    size: () => threads.length,
    close: async () => void (await Promise.all(threads.map((thread) => thread.terminate()))),
  };
}
