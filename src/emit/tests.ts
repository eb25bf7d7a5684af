import type { TestRunner } from "../config.js";
import type { TestPayload } from "../load/payloads.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import type { ImportExtension } from "../project.js";
import { tsModule } from "./specifiers.js";

/**
 * <provider>/webhooks.test.ts: every sample payload of every version (and every payload of
 * the folders the config names) through the generated parser, the outcome matched against
 * a snapshot. The test file is ours and regenerated; the snapshot file beside it
 * (__snapshots__/webhooks.test.ts.snap) is the consumer's: their first test run writes it,
 * they read and commit it, and codegen never writes or removes it. When a regenerated
 * schema changes an outcome (a payload now rejected, another error), that payload's test
 * fails, titled with its file.
 */
export function emitTests(models: VersionModel[], payloads: readonly TestPayload[], runner: TestRunner, header: string, extension: ImportExtension = ".js"): FileOutput {
  const { name, title, manifest } = models[0]!.provider;
  const byHeader = manifest.event.in === "header" ? manifest.event : undefined;
  if (byHeader) return emitHeaderTests(models, payloads, runner, header, extension, byHeader);
  const cases = [
    ...models.flatMap((model) => model.samples.map((s) => [`${model.source}/examples/${s.file}`, JSON.stringify(s.json)] as const)),
    ...payloads.map((p) => [p.shown, p.text] as const),
  ];
  const lines = [
    header,
    `import { describe, expect, it } from ${JSON.stringify(runner)};`,
    `import { parse${title}Webhook } from ${JSON.stringify(tsModule("./index", extension))};`,
    "",
    "/** [file, body]: the catalogue's sample payloads, then the test payloads the config names. */",
    "const payloads: [file: string, body: string][] = [",
    ...cases.map(([file, body]) => `  [${JSON.stringify(file)}, ${JSON.stringify(body)}],`),
    "];",
    "",
    "/** What a receiver makes of a body: the event and version it accepts, or why it refuses. */",
    `function outcome(body: string) {`,
    `  const result = parse${title}Webhook(body);`,
    "  if (result.ok) return { ok: true, event: result.name, version: result.version };",
    "  const { kind, errors } = result.error;",
    "  return { ok: false, kind, errors: errors.map((error) => `${error.path || \"(root)\"}: ${error.message}`) };",
    "}",
    "",
    `describe(${JSON.stringify(`${name}: each payload as the generated parser sees it`)}, () => {`,
    "  it.each(payloads)(\"%s\", (_, body) => {",
    "    expect(outcome(body)).toMatchSnapshot();",
    "  });",
    "});",
    "",
  ];
  return { path: `${name}/webhooks.test.ts`, content: lines.join("\n"), formatted: true };
}

/**
 * The same for a provider that names events in a header: each case carries the headers its
 * parser needs (a sample's, from its event's name; a test payload's, from its
 * `<file>.headers.json`, or none, which the parser reports as the missing header).
 */
function emitHeaderTests(
  models: VersionModel[],
  payloads: readonly TestPayload[],
  runner: TestRunner,
  header: string,
  extension: ImportExtension,
  event: { name: string; refine?: string },
): FileOutput {
  const { name, title } = models[0]!.provider;
  const headerValue = (eventName: string) => (event.refine !== undefined ? eventName.split(".")[0]! : eventName);
  const cases = [
    ...models.flatMap((model) =>
      model.samples.map((s) => [`${model.source}/examples/${s.file}`, JSON.stringify(s.json), { [event.name]: headerValue(s.event) }] as const),
    ),
    ...payloads.map((p) => [p.shown, p.text, p.headers ?? {}] as const),
  ];
  const lines = [
    header,
    `import { describe, expect, it } from ${JSON.stringify(runner)};`,
    `import { parse${title}Webhook } from ${JSON.stringify(tsModule("./index", extension))};`,
    "",
    `/** [file, body, headers]: the catalogue's sample payloads, then the test payloads the config names; ${event.name} names the event. */`,
    "const payloads: [file: string, body: string, headers: Record<string, string>][] = [",
    ...cases.map(([file, body, headers]) => `  [${JSON.stringify(file)}, ${JSON.stringify(body)}, ${JSON.stringify(headers)}],`),
    "];",
    "",
    "/** What a receiver makes of a delivery: the event and version it accepts, or why it refuses. */",
    `function outcome(body: string, headers: Record<string, string>) {`,
    `  const result = parse${title}Webhook(body, headers);`,
    "  if (result.ok) return { ok: true, event: result.name, version: result.version };",
    "  const { kind, errors } = result.error;",
    "  return { ok: false, kind, errors: errors.map((error) => `${error.path || \"(root)\"}: ${error.message}`) };",
    "}",
    "",
    `describe(${JSON.stringify(`${name}: each payload as the generated parser sees it`)}, () => {`,
    "  it.each(payloads)(\"%s\", (_, body, headers) => {",
    "    expect(outcome(body, headers)).toMatchSnapshot();",
    "  });",
    "});",
    "",
  ];
  return { path: `${name}/webhooks.test.ts`, content: lines.join("\n"), formatted: true };
}
