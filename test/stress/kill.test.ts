import { spawn } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/generate.js";
import { recoverOutput, writeOutput } from "../../src/write.js";
import { projectWithCatalogue, repoRoot, snapshot, tempDir } from "../helpers.js";

/**
 * Kill a writing codegen at random moments, 50 times: after each kill, once the next run
 * has recovered (`recoverOutput`), the tree is exactly the old one or exactly the new one.
 * The child writes slowly (a pause per file) so that kills land in every step of writing.
 */
describe("a run killed while writing", () => {
  it("leaves the old tree or the new one, never a mix, 50 times", async () => {
    const project = await projectWithCatalogue();
    const out = path.join(project, "generated");
    const schemas = path.join(project, "schemas");
    await writeOutput(out, await generate({ schemas, out, cwd: project }));
    const old = await snapshot(out);
    const pristine = await tempDir();
    await cp(out, pristine, { recursive: true });

    // a new catalogue: one schema changed in each version, one event gone
    for (const file of ["plain/2026-02-27/thread.chat_sent.schema.json", "plain/2024-09-18/thread.chat_sent.schema.json", "agentmail/2026-08-03/message.sent.schema.json"]) {
      const full = path.join(schemas, file);
      await writeFile(full, (await readFile(full, "utf8")).replace('"description": "', '"description": "Changed. '));
    }
    await rm(path.join(schemas, "agentmail/2026-08-03/message.rejected.schema.json"));
    await rm(path.join(schemas, "agentmail/2026-08-03/examples/message.rejected.json"));
    const files = await generate({ schemas, out, cwd: project });
    const scratch = await tempDir();
    await cp(out, scratch, { recursive: true });
    await writeOutput(scratch, files);
    const fresh = await snapshot(scratch);
    expect(fresh).not.toEqual(old);

    const job = path.join(project, "files.json");
    await writeFile(job, JSON.stringify(files));
    const child = path.join(project, "write.mjs");
    await writeFile(
      child,
      `import { readFileSync } from "node:fs";
import { rename } from "node:fs/promises";
import { writeDurably, writeOutput } from ${JSON.stringify(path.join(repoRoot, "dist/write.js"))};
const files = JSON.parse(readFileSync(${JSON.stringify(job)}, "utf8"));
const pause = () => new Promise((r) => setTimeout(r, 3));
const slow = { writeFile: async (file, content) => { await writeDurably(file, content); await pause(); }, rename: async (from, to) => { await rename(from, to); await pause(); } };
process.stdout.write("start\\n");
await writeOutput(${JSON.stringify(out)}, files, {}, slow);
process.stdout.write("done\\n");
`,
    );

    let seed = 1234;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const outcomes = { old: 0, new: 0, finished: 0 };
    for (let round = 0; round < 50; round++) {
      const finished = await new Promise<boolean>((resolve) => {
        const proc = spawn(process.execPath, [child], { stdio: ["ignore", "pipe", "inherit"] });
        let output = "";
        proc.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.startsWith("start") && !proc.killed) {
            setTimeout(() => proc.kill("SIGKILL"), Math.floor(random() * 250));
          }
        });
        proc.on("exit", () => resolve(output.includes("done")));
      });
      await recoverOutput(out);
      const tree = await snapshot(out);
      const same = (a: Map<string, string>, b: Map<string, string>) => JSON.stringify([...a]) === JSON.stringify([...b]);
      if (same(tree, old)) outcomes.old++;
      else if (same(tree, fresh)) outcomes.new++;
      else expect.fail(`round ${round}: after a kill the tree is neither the old nor the new one`);
      if (finished) outcomes.finished++;
      // back to the old tree for the next round
      await rm(out, { recursive: true, force: true });
      await cp(pristine, out, { recursive: true });
    }
    console.log(`kill loop: ${outcomes.old} rounds left the old tree, ${outcomes.new} the new one (${outcomes.finished} runs finished before the kill)`);
  }, 600_000);
});
