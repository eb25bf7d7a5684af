import path from "node:path";
import type { VersionModel } from "../model/build.js";
import { NameRegistry, pascalCase, stubFileName } from "../model/names.js";
import type { FileOutput } from "../output.js";
import type { ImportExtension } from "../project.js";
import { tsModule } from "./specifiers.js";

/**
 * Handler stubs: one file per event name in the handlers folder, exporting a typed handler
 * with a TODO. They are the user's from the moment they are written (the writer creates
 * them only when missing). Beside them in the output folder, <provider>/handlers.ts maps
 * every event name to its stub, ready for `on:`.
 */
export function emitStubs(models: VersionModel[], folders: { out: string; handlers: string }, header: string, extension: ImportExtension = ".js"): FileOutput[] {
  const { name: provider, title } = models[0]!.provider;
  const events = new Map<string, string | undefined>(); // name → description, from the latest version that has it
  for (const model of models) {
    for (const event of model.events) {
      const description = model.definitions[event.typeName]?.["description"];
      for (const name of event.names) events.set(name, typeof description === "string" ? description : undefined);
    }
  }
  const functions = new NameRegistry();
  const stubs = [...events.keys()].sort().map((name) => ({
    name,
    file: stubFileName(name),
    fn: functions.claim(`on${pascalCase(name)}`),
    description: events.get(name),
  }));

  const stubDir = path.join(folders.handlers, provider);
  const index = tsModule(importPath(stubDir, path.join(folders.out, provider, "index")), extension);
  const files: FileOutput[] = stubs.map((stub) => ({
    path: `${provider}/${stub.file}.ts`,
    stub: true,
    content: `import type { ${title}EventMap, ${title}HandlerContext } from ${JSON.stringify(index)};

/**
 * Handles ${comment(stub.name)}${stub.description ? `: ${comment(stub.description)}` : "."}
 * Written once by webhook-codegen; this file is yours to edit and is never overwritten.
 */
export async function ${stub.fn}(
  event: ${title}EventMap[${JSON.stringify(stub.name)}],
  context: ${title}HandlerContext<${JSON.stringify(stub.name)}>,
): Promise<void> {
  // TODO: handle the event (context.version is the schema version it was validated against).
  void event;
  void context;
}
`,
  }));

  const mapDir = path.join(folders.out, provider);
  files.push({
    path: `${provider}/handlers.ts`,
    content: `${header}
import type { ${title}Handlers } from ${JSON.stringify(tsModule("./index", extension))};
${stubs.map((s) => `import { ${s.fn} } from ${JSON.stringify(tsModule(importPath(mapDir, path.join(stubDir, s.file)), extension))};`).join("\n")}

/** Every ${title} event's handler, from the stubs in the handlers folder: pass it as \`on\`. */
export const ${provider.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}Handlers = {
${stubs.map((s) => `  ${propertyKey(s.name)}: ${s.fn},`).join("\n")}
} satisfies ${title}Handlers;
`,
  });
  return files;
}

export { stubFileName };

/** A key of an object literal: "__proto__" written plainly would set the object's prototype, not a key. */
function propertyKey(name: string): string {
  return name === "__proto__" ? `[${JSON.stringify(name)}]` : JSON.stringify(name);
}

function importPath(fromDir: string, target: string): string {
  const relative = path.relative(fromDir, target).split(path.sep).join("/");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

function comment(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim();
}
