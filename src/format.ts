import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Piece } from "./emit/types.js";
import type { VersionOrigin } from "./emit/verify.js";
import { CodegenError } from "./errors.js";
import type { VersionModel } from "./model/build.js";
import { printWidth, type FileOutput } from "./output.js";
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
  return format(content, { parser, printWidth, endOfLine: "lf", plugins: [babel, estree] });
}

/** Formats the files, in `worker` when one is given. */
export async function formatFiles(files: FileOutput[], worker?: GenerationWorker): Promise<FileOutput[]> {
  return Promise.all(
    files.map(async ({ formatFrom, ...file }) => {
      const parser = parserOf(file);
      if (!parser) return file;
      const from = formatFrom ?? 0;
      const rest = file.content.slice(from);
      return { ...file, content: file.content.slice(0, from) + (await (worker ? worker.format(rest, parser) : formatText(rest, parser))) };
    }),
  );
}

/**
 * src/worker.ts in worker threads: the validators' compiler, the types' compiles and prettier
 * off the main thread. Two workers start with the run (the first warms prettier, the second
 * json-schema-to-typescript), one on a single core; `grow` adds more, up to one per core,
 * when a run has enough types to compile to pay for their start.
 */
export interface GenerationWorker {
  format(content: string, parser: string): Promise<string>;
  /** The version's validators, formatted when `format`, and checked by verifyOutput. */
  validators(model: VersionModel, header: string, format: boolean): Promise<FileOutput[]>;
  /** verifyOutput, in the worker. */
  verify(files: FileOutput[], origins: VersionOrigin[]): Promise<void>;
  /** One definition's declaration as a checked piece of types.ts (emit/types.ts's declarationPiece), in the next free worker. */
  declare(name: string, schema: string, anything: boolean, nothing: boolean, format: boolean): Promise<Piece>;
  /** One piece of types.ts laid out and checked (emit/types.ts's pieceOf), in the thread that warmed prettier. */
  piece(raw: string, format: boolean): Promise<Piece>;
  /** Starts workers until there are `count` (at most one per core). */
  grow(count: number): void;
  /** How many worker threads there are. */
  size(): number;
  /** The jobs handed to each thread and not answered yet, and those waiting for a thread. */
  backlog(): { running: number[]; queued: number };
  close(): Promise<void>;
}

/** A job without its id: the pool numbers them. */
type Request = Job extends infer J ? (J extends Job ? Omit<J, "id"> : never) : never;

/**
 * Batches a thread holds at once: the one it runs and the next, so that it never waits for
 * the main thread between two, while the rest wait in the pool for whichever thread frees first.
 */
const perThread = 2;

/**
 * The most jobs in one batch. A thread answers a batch in one message: each message wakes the
 * main thread, which then takes a core from a worker (on two cores, a small job's answer cost
 * the worker about as much again), so jobs go out in batches while many wait. A batch is a
 * share of what waits (see pump), so the last ones are single jobs, and the threads finish
 * together.
 */
const largestBatch = 32;

/** One job waiting for a thread, or handed to one; `pin`: only that thread takes it. */
interface Queued {
  job: Job;
  pin: Thread | undefined;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** One worker thread and the jobs it has not answered yet. */
class Thread {
  readonly pending = new Map<number, Queued>();
  /** The batches handed to it and not answered yet. */
  batches = 0;
  /** The error the thread stopped on, if it did. */
  failure: Error | undefined;
  private readonly worker: Worker;

  constructor(script: URL, warm: boolean, answered: () => void) {
    this.worker = new Worker(script, { workerData: { warm } });
    this.worker.on("message", (replies: Reply[]) => {
      this.batches--;
      for (const reply of replies) {
        const request = this.take(reply.id);
        if ("error" in reply) request?.reject(reply.problems ? new CodegenError(reply.problems) : new Error(reply.error));
        else request?.resolve(reply.result);
      }
      answered();
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      for (const id of [...this.pending.keys()]) this.take(id)?.reject(error);
      answered();
    });
    this.worker.unref();
  }

  /** Whether the thread takes another batch now: nothing waits behind a version's validators, which take long. */
  free(): boolean {
    return this.failure === undefined && this.batches < perThread && ![...this.pending.values()].some((queued) => queued.job.kind === "validators");
  }

  private take(id: number) {
    const request = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref(); // an idle worker does not keep the process alive
    return request;
  }

  send(batch: Queued[]): void {
    for (const queued of batch) this.pending.set(queued.job.id, queued);
    this.batches++;
    this.worker.ref();
    this.worker.postMessage(batch.map((queued) => queued.job));
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * Starts the worker, or returns undefined when running from the TypeScript sources (the
 * tests): a worker runs the built JavaScript, so there the run stays in one thread.
 *
 * Jobs are handed out as threads free up (formatting and checks first, then in the order they
 * were asked for), not shared out when asked: a thread busy with a large version's validators
 * would otherwise be given its share of the types too, and the other threads would finish
 * long before it.
 */
export function startWorker(): GenerationWorker | undefined {
  const script = new URL("./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js")) return undefined;
  // formatting and checking what is made come before making more: they finish what the main
  // thread waits for, where a compile queued earlier would hold them back to the end of the run
  const first: Queued[] = [];
  const then: Queued[] = [];
  const pump = () => {
    // one batch at a time to the free thread holding the fewest: a batch waits in a thread
    // behind another only when every thread has one
    const takes = (thread: Thread, job: Queued) => job.pin === undefined || job.pin === thread;
    for (let sent = true; sent; ) {
      sent = false;
      for (const thread of threads.filter((t) => t.free()).sort((a, b) => a.batches - b.batches)) {
        const queue = [first, then].find((q) => q.some((job) => takes(thread, job)));
        if (!queue) continue;
        thread.send(batchFrom(queue, (job) => takes(thread, job), Math.ceil(queue.length / (2 * perThread * threads.length))));
        sent = true;
        break;
      }
    }
    // a job that no thread can take any more fails as its thread did (a sweep of every job
    // waiting, so only once a thread has failed)
    if (!threads.some((thread) => thread.failure)) return;
    for (const queue of [first, then]) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const takers = queue[i]!.pin ? [queue[i]!.pin!] : threads;
        if (takers.every((thread) => thread.failure)) queue.splice(i, 1)[0]!.reject(takers[0]!.failure!);
      }
    }
  };
  const cores = availableParallelism();
  // two threads from the start where there are two cores (a run has types and validators to
  // make): the second loads json-schema-to-typescript while this thread loads the catalogue
  const threads = [new Thread(script, true, pump), ...(cores >= 2 ? [new Thread(script, false, pump)] : [])];
  let next = 0;
  const on = <T>(request: Request, pin?: Thread) =>
    new Promise<T>((resolve, reject) => {
      const queue = request.kind === "format" || request.kind === "verify" || request.kind === "piece" ? first : then;
      queue.push({ job: { ...request, id: next++ } as Job, pin, resolve: resolve as (result: unknown) => void, reject });
      pump();
    });
  return {
    // prettier is warm in the first worker: formatting goes there; the rest to the next free thread
    format: (content, parser) => on<string>({ kind: "format", content, parser }, threads[0]),
    validators: (model, header, format) => on<FileOutput[]>({ kind: "validators", model: JSON.stringify(model), header, format }),
    verify: async (files, origins) => void (await on<null>({ kind: "verify", files, origins })),
    declare: (name, schema, anything, nothing, format) => on<Piece>({ kind: "declaration", name, schema, anything, nothing, format }),
    // a piece not compiled in a worker (types.ts's banner, union and map) is laid out where prettier is warm
    piece: (raw, format) => on<Piece>({ kind: "piece", raw, format }, threads[0]),
    grow: (count) => {
      while (threads.length < Math.min(count, cores)) threads.push(new Thread(script, false, pump));
      pump();
    },
    size: () => threads.length,
    backlog: () => ({ running: threads.map((thread) => thread.pending.size), queued: first.length + then.length }),
    close: async () => void (await Promise.all(threads.map((thread) => thread.terminate()))),
  };
}

/**
 * The next batch for a thread, taken out of `queue`: the first job it takes, and after it, up
 * to `share` (at most largestBatch) in all, the next ones it takes, in order, up to a
 * version's validators (always a batch of its own: they take long).
 */
function batchFrom(queue: Queued[], takes: (job: Queued) => boolean, share: number): Queued[] {
  const size = Math.min(largestBatch, Math.max(1, share));
  const batch: Queued[] = [];
  for (let i = 0; i < queue.length && batch.length < size; ) {
    const queued = queue[i]!;
    if (!takes(queued)) i++;
    else if (queued.job.kind === "validators" && batch.length > 0) break;
    else {
      batch.push(...queue.splice(i, 1));
      if (queued.job.kind === "validators") break;
    }
  }
  return batch;
}
