import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectModuleSettings, stripJsonComments } from "../src/project.js";
import { projectWithCatalogue, run, tempDir } from "./helpers.js";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("codegen-project-");
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** Every relative import specifier in a generated file. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/ from "(\.{1,2}\/[^"]*)"/g)].map((m) => m[1]!);
}

describe("the consumer's module settings", () => {
  it("are detected from tsconfig.json, deno.json and package.json, saying from what", async () => {
    const nodenext = await project({ "tsconfig.json": '{ "compilerOptions": { "module": "NodeNext", } // comment\n}', "package.json": '{ "type": "module" }' });
    expect(detectModuleSettings(nodenext)).toEqual({
      importExtension: { value: ".js", from: "tsconfig.json: moduleResolution nodenext" },
      moduleFormat: { value: "esm", from: 'package.json: "type": "module"' },
    });
    // create-next-app: bundler resolution, and a package.json without "type" (the bundler reads ESM)
    const next = await project({ "tsconfig.json": '{ "compilerOptions": { /* x */ "moduleResolution": "bundler" } }', "package.json": "{}" });
    expect(detectModuleSettings(next).importExtension.value).toBe("none");
    expect(detectModuleSettings(next).moduleFormat.value).toBe("esm");
    // bun init: allowImportingTsExtensions
    const bun = await project({ "tsconfig.json": '{ "compilerOptions": { "moduleResolution": "bundler", "allowImportingTsExtensions": true } }' });
    expect(detectModuleSettings(bun).importExtension).toEqual({ value: ".ts", from: "tsconfig.json: allowImportingTsExtensions" });
    const deno = await project({ "deno.json": "{}" });
    expect(detectModuleSettings(deno).importExtension.value).toBe(".ts");
    // npm init -y: no "type" → CommonJS under Node's rules
    const cjs = await project({ "package.json": '{ "name": "x", "type": "commonjs" }', "tsconfig.json": '{ "compilerOptions": { "module": "nodenext" } }' });
    expect(detectModuleSettings(cjs).moduleFormat).toEqual({ value: "cjs", from: 'package.json: no "type": "module"' });
    // extends is followed
    const extended = await project({ "base.json": '{ "compilerOptions": { "moduleResolution": "Bundler" } }', "tsconfig.json": '{ "extends": "./base.json" }' });
    expect(detectModuleSettings(extended).importExtension.value).toBe("none");
    expect(stripJsonComments('{ "a": "//not a comment", }')).toBe('{ "a": "//not a comment" }');
  });

  it.each([
    [".js", "../runtime.js", "./2024-09-18/validators.js", "./2024-09-18/types.js", "./types.js"],
    [".ts", "../runtime.ts", "./2024-09-18/validators.js", "./2024-09-18/types.ts", "./types.ts"],
    ["none", "../runtime", "./2024-09-18/validators", "./2024-09-18/types", "./types"],
  ])("importExtension %s is followed by every relative import codegen writes", async (extension, runtime, validators, types, dtsTypes) => {
    const dir = await projectWithCatalogue();
    await writeFile(path.join(dir, "codegen.config.json"), JSON.stringify({ importExtension: extension, handlers: "handlers", fixtures: true, tests: "vitest" }));
    const result = await run(["--no-cache", "--provider", "plain", "--json"], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).module.importExtension).toEqual({ value: extension, from: "codegen.config.json: importExtension" });
    const read = (file: string) => readFile(path.join(dir, file), "utf8");
    const index = specifiers(await read("generated/plain/index.ts"));
    expect(index).toContain(runtime);
    expect(index).toContain(validators);
    expect(index).toContain(types);
    expect(specifiers(await read("generated/plain/2024-09-18/validators.d.ts"))).toEqual([dtsTypes]);
    expect(specifiers(await read("generated/plain/2024-09-18/fixtures.ts"))).toEqual([dtsTypes]);
    expect(specifiers(await read("generated/plain/webhooks.test.ts"))).toEqual([extension === "none" ? "./index" : `./index${extension}`]);
    const handlers = specifiers(await read("generated/plain/handlers.ts"));
    expect(handlers[0]).toBe(extension === "none" ? "./index" : `./index${extension}`);
    expect(handlers[1]).toMatch(extension === "none" ? /^\.\.\/\.\.\/handlers\/plain\/[^.]+\.[^.]+$/ : new RegExp(`^\\.\\./\\.\\./handlers/plain/.+\\${extension}$`));
    const stub = await readdir(path.join(dir, "handlers/plain"));
    expect(specifiers(await read(`handlers/plain/${stub[0]!}`))).toEqual([extension === "none" ? "../../generated/plain/index" : `../../generated/plain/index${extension}`]);
    // Deno takes validators.js's types from the .d.ts only when the module says where they are
    expect((await read("generated/plain/2024-09-18/validators.js")).includes('// @ts-self-types="./validators.d.ts"')).toBe(extension === ".ts");
  });

  it("a CommonJS project is told why codegen stops and what to do, and nothing is written", async () => {
    const dir = await projectWithCatalogue();
    await writeFile(path.join(dir, "package.json"), '{ "name": "x", "version": "1.0.0" }');
    await writeFile(path.join(dir, "tsconfig.json"), '{ "compilerOptions": { "module": "nodenext", "verbatimModuleSyntax": true } }');
    const refused = await run(["--no-cache"], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('this project is CommonJS (package.json: no "type": "module")');
    expect(refused.stderr).toContain('add "type": "module" to package.json');
    await expect(readdir(path.join(dir, "generated"))).rejects.toThrow();
    // the way out for a project a bundler compiles
    const forced = await run(["--no-cache", "--module-format", "esm", "--json"], dir);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).module.moduleFormat).toEqual({ value: "esm", from: "--module-format" });
    // --check reports the settings too, and the summary line says them
    expect(JSON.parse((await run(["--check", "--module-format", "esm", "--json"], dir)).stdout).module.importExtension).toEqual({ value: ".js", from: "tsconfig.json: moduleResolution nodenext" });
    expect((await run(["--no-cache", "--module-format", "esm"], dir)).stdout).toContain('imports: "./index.js" (tsconfig.json: moduleResolution nodenext); ES modules (--module-format).');
  });
});
