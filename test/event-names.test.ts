import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { eventNameCollisions } from "../src/model/names.js";
import { run, snapshot, tempDir } from "./helpers.js";

/**
 * Event names become identifiers (types, stub functions) and file names (stubs). Two names
 * that become the same one are a problem naming both events, before anything is written.
 */
async function acme(versions: Record<string, string[]>): Promise<string> {
  const project = await tempDir("codegen-names-");
  await mkdir(path.join(project, "schemas/acme"), { recursive: true });
  await writeFile(
    path.join(project, "schemas/acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }),
  );
  for (const [version, names] of Object.entries(versions)) {
    await mkdir(path.join(project, "schemas/acme", version), { recursive: true });
    for (const name of names) {
      await writeFile(
        path.join(project, "schemas/acme", version, `${name}.schema.json`),
        JSON.stringify({ type: "object", properties: { type: { const: name } }, required: ["type"] }),
      );
    }
  }
  return project;
}

describe("event names that collide once sanitised", () => {
  it.each([
    ["a b / a_b: one identifier and one stub file", { v1: ["a b", "a_b"] }, [/acme\/v1\/a_b\.schema\.json: event "a_b" and event "a b" \(.*acme\/v1\/a b\.schema\.json\) would both be identifier AB/, /would both be handler stub file a_b\.ts/]],
    ["names differing only in case: one stub file on a case-insensitive file system", { v1: ["Ping", "ping"] }, [/event "ping" and event "Ping" \(.*acme\/v1\/Ping\.schema\.json\) would both be handler stub file Ping\.ts \(file names that differ only in case/]],
    ["thread.created / threadCreated, in different versions", { v1: ["thread.created"], v2: ["threadCreated"] }, [/acme\/v2\/threadCreated\.schema\.json: event "threadCreated" and event "thread\.created" \(.*acme\/v1\/thread\.created\.schema\.json\) would both be identifier ThreadCreated/]],
  ])("%s: exit 2, both events named, nothing written", async (_, versions, messages) => {
    const project = await acme(versions);
    const result = await run(["--handlers", "handlers"], project);
    expect(result.code).toBe(2);
    for (const message of messages) expect(result.stderr).toMatch(message);
    expect((await snapshot(project)).size).toBe(Object.values(versions).flat().length + 1);
  });

  it("the same name in two versions is one event, and distinct names pass", () => {
    expect(eventNameCollisions([{ name: "a", file: "v1/a" }, { name: "a", file: "v2/a" }, { name: "a.b", file: "v1/a.b" }, { name: "a_b", file: "v1/a_b" }])).toEqual([
      { a: { name: "a.b", file: "v1/a.b" }, b: { name: "a_b", file: "v1/a_b" }, as: "identifier AB" },
    ]);
    expect(eventNameCollisions([{ name: "thread.created", file: "x" }, { name: "thread.updated", file: "y" }])).toEqual([]);
  });
});

describe("an event named __proto__", () => {
  it("has its own key in handlers.ts (written plainly, the key would set the map's prototype)", async () => {
    const project = await acme({ v1: ["__proto__", "ping"] });
    const result = await run(["--handlers", "handlers"], project);
    expect(result.code, result.stderr).toBe(0);
    const output = await snapshot(path.join(project, "generated"));
    expect(output.get("acme/handlers.ts")).toContain('["__proto__"]: onProto,');
    const { acmeHandlers } = await import(pathToFileURL(path.join(project, "generated/acme/handlers.ts")).href);
    expect(Object.keys(acmeHandlers).sort()).toEqual(["__proto__", "ping"]);
    expect(Object.getPrototypeOf(acmeHandlers)).toBe(Object.prototype);
    expect(typeof Object.getOwnPropertyDescriptor(acmeHandlers, "__proto__")?.value).toBe("function");
  });
});
