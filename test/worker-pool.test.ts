import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { declarationPiece } from "../src/emit/types.js";
import { repoRoot } from "./helpers.js";

// The pool hands jobs out as threads free up: each thread holds two batches (the one it runs
// and the next), the rest wait in the pool, so a thread held up by a large job is not also
// given its share of what comes after it. A batch is a share of what waits: one job when few do.
describe("the generation worker pool (built)", () => {
  it("keeps two jobs a thread, queues the rest, and answers every one", async () => {
    const { startWorker } = (await import(pathToFileURL(path.join(repoRoot, "dist", "format.js")).href)) as typeof import("../src/format.js");
    const worker = startWorker()!;
    try {
      const threads = worker.size();
      expect(threads).toBeGreaterThanOrEqual(1);
      const schema = (i: number) => JSON.stringify({ type: "object", properties: { [`field${i}`]: { type: "string" } }, required: [`field${i}`] });
      // formatting goes to the first thread (prettier is warm there); the declarations to any
      const formats = Array.from({ length: 5 }, (_, i) => worker.format(`const a${i} = {b:${i}}`, "babel"));
      const declarations = Array.from({ length: 6 }, (_, i) => worker.declare(`Thing${i}`, schema(i), false, false, true));
      const handed = Array.from({ length: threads }, () => 2);
      expect(worker.backlog()).toEqual({ running: handed, queued: 11 - handed.reduce((a, b) => a + b, 0) });
      expect(await Promise.all(formats)).toEqual(Array.from({ length: 5 }, (_, i) => `const a${i} = { b: ${i} };\n`));
      for (const [i, declaration] of declarations.entries()) expect(await declaration).toEqual(await declarationPiece(`Thing${i}`, schema(i), false, false, true));
      expect(worker.backlog()).toEqual({ running: handed.map(() => 0), queued: 0 });
    } finally {
      await worker.close();
    }
  });

  it("hands many jobs out in batches, each a share of what waits, and answers every one", async () => {
    const { startWorker } = (await import(pathToFileURL(path.join(repoRoot, "dist", "format.js")).href)) as typeof import("../src/format.js");
    const worker = startWorker()!;
    try {
      const threads = worker.size();
      const schema = (i: number) => JSON.stringify({ type: "object", properties: { [`field${i}`]: { type: "integer" } } });
      const declarations = Array.from({ length: 200 }, (_, i) => worker.declare(`Thing${i}`, schema(i), false, false, true));
      // asked one by one, the first jobs go out alone; the thread that answers first is handed a
      // share of the rest, and most wait for a thread still
      const handed = worker.backlog().running;
      expect(handed.every((jobs) => jobs <= 2)).toBe(true);
      await Promise.race(declarations);
      const { running, queued } = worker.backlog();
      expect(Math.max(...running)).toBeGreaterThan(2);
      expect(queued).toBeGreaterThan(100);
      for (const [i, declaration] of declarations.entries()) expect(await declaration).toEqual(await declarationPiece(`Thing${i}`, schema(i), false, false, true));
      expect(worker.backlog()).toEqual({ running: running.map(() => 0), queued: 0 });
    } finally {
      await worker.close();
    }
  });

  it("gives a thread compiling a version's validators nothing to wait behind them", async () => {
    const { startWorker } = (await import(pathToFileURL(path.join(repoRoot, "dist", "format.js")).href)) as typeof import("../src/format.js");
    const worker = startWorker()!;
    try {
      const threads = worker.size();
      const schema = JSON.stringify({ type: "string" });
      // a model without definitions: the compiler fails on it, but only once the thread runs it
      const validators = worker.validators({} as never, "// header", true);
      const declarations = Array.from({ length: 4 }, (_, i) => worker.declare(`Thing${i}`, schema, false, false, true));
      // the validators alone in the first thread; two declarations in each other one
      const running = [1, ...Array.from({ length: threads - 1 }, () => 2)];
      expect(worker.backlog()).toEqual({ running, queued: 5 - running.reduce((a, b) => a + b, 0) });
      await expect(validators).rejects.toThrow();
      expect(await Promise.all(declarations)).toHaveLength(4);
    } finally {
      await worker.close();
    }
  });
});
