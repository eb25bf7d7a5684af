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
  // a provider that names events in a header: each case carries the headers its parser needs
  // (a sample's, from its event's name; a test payload's, from its `<file>.headers.json`, or
  // none, which the parser reports as the missing header)
  const event = manifest.event.in === "header" ? manifest.event : undefined;
  const headerValue = (eventName: string) => (event?.refine !== undefined ? eventName.split(".")[0]! : eventName);
  const cases = [
    ...models.flatMap((model) =>
      model.samples.map((s) => ({ file: `${model.source}/examples/${s.file}`, body: JSON.stringify(s.json), headers: event ? { [event.name]: headerValue(s.event) } : undefined })),
    ),
    ...payloads.map((p) => ({ file: p.shown, body: p.text, headers: event ? (p.headers ?? {}) : undefined })),
  ];
  const lines = [
    header,
    `import { describe, expect, it } from ${JSON.stringify(runner)};`,
    `import { parse${title}Webhook } from ${JSON.stringify(tsModule("./index", extension))};`,
    "",
    ...(event
      ? [
          `/** [file, body, headers]: the catalogue's sample payloads, then the test payloads the config names; ${event.name} names the event. */`,
          "const payloads: [file: string, body: string, headers: Record<string, string>][] = [",
          ...cases.map((c) => `  [${JSON.stringify(c.file)}, ${JSON.stringify(c.body)}, ${JSON.stringify(c.headers)}],`),
        ]
      : [
          "/** [file, body]: the catalogue's sample payloads, then the test payloads the config names. */",
          "const payloads: [file: string, body: string][] = [",
          ...cases.map((c) => `  [${JSON.stringify(c.file)}, ${JSON.stringify(c.body)}],`),
        ]),
    "];",
    "",
    `/** What a receiver makes of ${event ? "a delivery" : "a body"}: the event and version it accepts, or why it refuses. */`,
    `function outcome(${event ? "body: string, headers: Record<string, string>" : "body: string"}) {`,
    `  const result = parse${title}Webhook(${event ? "body, headers" : "body"});`,
    "  if (result.ok) return { ok: true, event: result.name, version: result.version };",
    "  const { kind, errors } = result.error;",
    "  return { ok: false, kind, errors: errors.map((error) => `${error.path || \"(root)\"}: ${error.message}`) };",
    "}",
    "",
    `describe(${JSON.stringify(`${name}: each payload as the generated parser sees it`)}, () => {`,
    ...(event
      ? ["  it.each(payloads)(\"%s\", (_, body, headers) => {", "    expect(outcome(body, headers)).toMatchSnapshot();"]
      : ["  it.each(payloads)(\"%s\", (_, body) => {", "    expect(outcome(body)).toMatchSnapshot();"]),
    "  });",
    "});",
    "",
  ];
  return { path: `${name}/webhooks.test.ts`, content: lines.join("\n"), formatted: true };
}
