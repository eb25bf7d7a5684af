import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { watch, type WatchRun } from "../src/watch.js";
import { projectWithCatalogue } from "./helpers.js";

/** Runs arrive through a queue the test awaits: nothing here depends on how long a run takes. */
function runs() {
  const seen: WatchRun[] = [];
  const waiting: ((run: WatchRun) => void)[] = [];
  return {
    push(run: WatchRun) {
      const next = waiting.shift();
      if (next) next(run);
      else seen.push(run);
    },
    next(): Promise<WatchRun> {
      const ready = seen.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("codegen --watch", () => {
  it("regenerates on a change, reports a broken schema and keeps watching, then picks up the fix", async () => {
    const project = await projectWithCatalogue();
    const schemas = path.join(project, "schemas");
    const out = path.join(project, "generated");
    const queue = runs();
    const watcher = watch({ schemas, out, cwd: project }, (run) => queue.push(run), { debounceMs: 50 });
    try {
      const first = await queue.next();
      expect(first.ok && first.report.written.length).toBeGreaterThan(0);

      const schema = path.join(schemas, "agentmail/2026-08-03/message.sent.schema.json");
      const original = await readFile(schema, "utf8");
      await writeFile(schema, original.replace('"type": "object"', '"description": "Watched.", "type": "object"'));
      const second = await queue.next();
      expect(second).toMatchObject({ ok: true });
      expect(second.ok && second.report.written).toContain("agentmail/2026-08-03/types.ts");

      await writeFile(schema, "{ broken");
      const third = await queue.next();
      expect(third.ok).toBe(false);
      expect(!third.ok && third.problems[0]!.message).toMatch(/not valid JSON/);

      await writeFile(schema, original);
      const fourth = await queue.next();
      expect(fourth).toMatchObject({ ok: true });
    } finally {
      await watcher.close();
    }
  });

  it("keeps seeing a file that is replaced by a rename, as sed -i and editors save it", async () => {
    const project = await projectWithCatalogue();
    const schemas = path.join(project, "schemas");
    const queue = runs();
    const watcher = watch({ schemas, out: path.join(project, "generated"), cwd: project }, (run) => queue.push(run), { debounceMs: 50 });
    try {
      await queue.next();
      const schema = path.join(schemas, "agentmail/2026-08-03/message.sent.schema.json");
      const original = await readFile(schema, "utf8");
      for (const description of ["First.", "Second.", "Third."]) {
        // the new content is staged outside the catalogue, so only the rename itself is seen
        const staged = path.join(project, "staged.json");
        await writeFile(staged, original.replace('"type": "object"', `"description": "${description}", "type": "object"`));
        await rename(staged, schema);
        const run = await queue.next();
        expect(run.ok && run.report.written).toContain("agentmail/2026-08-03/types.ts");
        const types = await readFile(path.join(project, "generated/agentmail/2026-08-03/types.ts"), "utf8");
        expect(types).toContain(description);
      }
    } finally {
      await watcher.close();
    }
  });
});
