import type { ImportExtension } from "../project.js";
import type { FileOutput } from "../output.js";

/**
 * Every relative import the emitters write goes through here, so that the consumer's
 * `importExtension` holds everywhere.
 *
 * `tsModule("./index")`: a TypeScript file codegen writes (index.ts, types.ts, runtime.ts,
 * a handler stub), imported as "./index.js" (Node's ESM resolution, which TypeScript maps
 * back to the .ts), "./index.ts" (Deno, allowImportingTsExtensions) or "./index" (bundlers).
 */
export function tsModule(specifier: string, extension: ImportExtension = ".js"): string {
  return extension === "none" ? specifier : `${specifier}${extension}`;
}

/**
 * `jsModule("./validators")`: a JavaScript file with its .d.ts beside it (validators.js).
 * The file is .js whatever the setting, so ".ts" imports it as ".js" (Deno and TypeScript
 * take the types from the .d.ts; see typesOfValidators); "none" leaves the extension off.
 */
export function jsModule(specifier: string, extension: ImportExtension = ".js"): string {
  return extension === "none" ? specifier : `${specifier}.js`;
}

/**
 * The validators' files, as assembled by the validators emitter (which writes them for
 * ".js"), adapted to the setting: the .d.ts imports its types from "./types.js", which
 * becomes tsModule("./types"); with ".ts", validators.js says where its types are
 * (`@ts-self-types`, which Deno reads: without it, Deno would type the module from its
 * JavaScript). A final transform of the text, so the emitter stays free of the setting.
 */
export function adaptValidatorFiles(files: FileOutput[], extension: ImportExtension): FileOutput[] {
  if (extension === ".js") return files;
  return files.map((file) => {
    if (file.path.endsWith("/validators.d.ts")) {
      const content = file.content.replace(/ from "\.\/types\.js";/g, ` from ${JSON.stringify(tsModule("./types", extension))};`);
      return { ...file, content };
    }
    if (file.path.endsWith("/validators.js") && extension === ".ts") {
      // after the banner's comment lines, before the code
      const lines = file.content.split("\n");
      const at = lines.findIndex((line) => !line.startsWith("//"));
      lines.splice(at === -1 ? lines.length : at, 0, '// @ts-self-types="./validators.d.ts"');
      return { ...file, content: lines.join("\n") };
    }
    return file;
  });
}
