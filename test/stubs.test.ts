import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../src/generate.js";
import { writeDurably, writeOutput } from "../src/write.js";
import { run, tempDir } from "./helpers.js";

/**
 * Handler stubs are created whole or not at all (a temporary file, hard-linked to the stub's
 * name, which fails if anything is there); a stub that is empty or does not parse (cut short
 * by an earlier version's kill, or by anything else) is reported: `--check` fails naming it,
 * a run warns and says how to have it recreated. Stubs are never overwritten.
 */
async function acme(): Promise<string> {
  const project = await tempDir("codegen-stubs-");
  await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
  await writeFile(
    path.join(project, "schemas/acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }),
  );
  for (const name of ["ping", "pong"]) {
    await writeFile(
      path.join(project, `schemas/acme/v1/${name}.schema.json`),
      JSON.stringify({ type: "object", properties: { type: { const: name } }, required: ["type"] }),
    );
  }
  return project;
}

describe("handler stubs", () => {
  it.each([
    ["an empty (0-byte) stub", ""],
    ["a torn stub (the first half of one)", "import type { AcmeEventMap, AcmeHandlerContext } from \"../../generated/acme/index.js\";\n\nexport async function onPing(\n  event: AcmeEventMap[\"ping\"],\n"],
  ])("%s: --check exits 1 naming it, a run warns how to fix it and leaves it as it is", async (_, content) => {
    const project = await acme();
    expect((await run(["--handlers", "handlers"], project)).code).toBe(0);
    expect((await run(["--check", "--handlers", "handlers"], project)).code).toBe(0);
    const stub = path.join(project, "handlers/acme/ping.ts");
    await writeFile(stub, content);

    const check = await run(["--check", "--handlers", "handlers"], project);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("broken   handlers/acme/ping.ts (empty or does not parse: delete it to have it recreated)");
    expect(check.stderr).not.toContain("pong");

    const result = await run(["--handlers", "handlers"], project);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("handlers/acme/ping.ts: this handler stub is empty or does not parse");
    expect(result.stderr).toContain("delete it and run codegen again to have it recreated");
    expect(await readFile(stub, "utf8")).toBe(content);
  });

  it("a stub the user changed, and that parses, is fine", async () => {
    const project = await acme();
    expect((await run(["--handlers", "handlers"], project)).code).toBe(0);
    const stub = path.join(project, "handlers/acme/ping.ts");
    await writeFile(stub, (await readFile(stub, "utf8")).replace("// TODO: handle the event", "console.log(event.type);\n  // handled"));
    const check = await run(["--check", "--handlers", "handlers"], project);
    expect(check.code).toBe(0);
    expect(check.stderr).toBe("");
  });

  it("a write cut short leaves no stub, not an empty one; the next run creates it whole and removes the leftovers", async () => {
    const project = await acme();
    const out = path.join(project, "generated");
    const handlers = path.join(project, "handlers");
    const files = await generate({ schemas: path.join(project, "schemas"), out, handlers, cwd: project });
    const stub = files.find((f) => f.stub && f.path === "acme/ping.ts")!;

    // the "kill": the write of the ping stub stops half way
    const crash = async (file: string, content: string) => {
      if (path.basename(file).startsWith(".ping.ts.")) {
        await writeFile(file, content.slice(0, content.length / 2));
        throw Object.assign(new Error("killed"), { code: "EINTR" });
      }
      await writeDurably(file, content);
    };
    await expect(writeOutput(out, files, { handlers, cwd: project }, { writeFile: crash })).rejects.toThrow();
    expect(await readdir(path.join(handlers, "acme"))).not.toContain("ping.ts");

    // a kill also skips the clean-up: a temporary file stays behind until the next run
    await writeFile(path.join(handlers, "acme/.ping.ts.0123456789ab.codegen-tmp"), "half");
    const report = await writeOutput(out, files, { handlers, cwd: project });
    expect(report.stubsCreated).toContain("acme/ping.ts");
    expect(await readFile(path.join(handlers, "acme/ping.ts"), "utf8")).toBe(stub.content);
    expect((await readdir(path.join(handlers, "acme"))).sort()).toEqual(["ping.ts", "pong.ts"]);
  });
});
