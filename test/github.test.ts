// GitHub end to end from GitHub's published definitions (issue 13): the shipped manifest reads
// the OpenAPI 3.1 document of the installed @octokit/openapi-webhooks; every example of
// @octokit/webhooks-examples goes through the generated validators and through Ajv2020 on the
// same document; strict tsc over the generated types; a delivery signed as GitHub signs it
// reaches the typed handlers over node:http on 127.0.0.1.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "./helpers.js";

const documentPackage = path.join(repoRoot, "node_modules", "@octokit", "openapi-webhooks");
const examplesFile = path.join(repoRoot, "node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json");
const installed = existsSync(path.join(documentPackage, "package.json")) && existsSync(examplesFile);
const secret = "It's a Secret to Everybody";

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

/** GitHub's signature: HMAC-SHA256 of the raw body with the secret, hex, after "sha256=". */
const hubSignature = (body: string, key: string): string => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;

describe("the github manifest without @octokit/openapi-webhooks installed", () => {
  it("is a problem that names the package to install, and nothing is written", async () => {
    const dir = await tempDir("codegen-github-missing-");
    const init = await run(["init", "--provider", "github"], dir);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('Next: npm install --save-dev @octokit/openapi-webhooks (the schemas a manifest\'s "sources" reads), then npx codegen');
    const result = await run(["--out", "generated"], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('version "api.github.com" is read from the npm package @octokit/openapi-webhooks, which is not installed here');
    expect(result.stderr).toContain("npm install --save-dev @octokit/openapi-webhooks");
    expect(result.stderr).not.toContain("no version folders");
    expect(existsSync(path.join(dir, "generated"))).toBe(false);
  });

  it("a version both a folder and a source is a problem", async () => {
    const dir = await tempDir("codegen-github-twice-");
    expect((await run(["init", "--provider", "github"], dir)).code).toBe(0);
    await mkdir(path.join(dir, "schemas", "github", "api.github.com"), { recursive: true });
    const result = await run(["--out", "generated"], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('schemas/github/provider.json#/sources/api.github.com: version "api.github.com" is both a folder of schemas/github and a published source');
  });

  it("a file the package does not hold is named with where it was looked for", async () => {
    const dir = await tempDir("codegen-github-nofile-");
    await mkdir(path.join(dir, "schemas", "hub"), { recursive: true });
    await mkdir(path.join(dir, "node_modules", "@acme", "hooks"), { recursive: true });
    await writeFile(path.join(dir, "node_modules", "@acme", "hooks", "package.json"), JSON.stringify({ name: "@acme/hooks" }));
    const manifest = {
      name: "hub",
      title: "Hub",
      event: { in: "header", name: "X-Hub-Event" },
      signing: { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" },
      sources: { v1: { npm: "@acme/hooks", file: "openapi.json" } },
    };
    await writeFile(path.join(dir, "schemas", "hub", "provider.json"), JSON.stringify(manifest));
    const result = await run(["--out", "generated"], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("schemas/hub/provider.json#/sources/v1/file: @acme/hooks has no file openapi.json (looked for node_modules/@acme/hooks/openapi.json)");
  });
});

describe("a header-named provider's OpenAPI webhooks", () => {
  const hook = (header: Record<string, unknown> | undefined, action: string[] | undefined) => ({
    post: {
      ...(header ? { parameters: [{ name: "X-Hub-Event", in: "header", required: true, schema: header }] } : {}),
      requestBody: {
        content: {
          "application/json": {
            schema: { type: "object", required: ["id"], properties: { id: { type: "integer" }, ...(action ? { action: { type: "string", enum: action } } : {}) } },
          },
        },
      },
    },
  });
  async function generateHub(webhooks: Record<string, unknown>): Promise<{ dir: string; code: number; stderr: string }> {
    const dir = await tempDir("codegen-hub-openapi-");
    await mkdir(path.join(dir, "schemas", "hub", "v1"), { recursive: true });
    const manifest = {
      name: "hub",
      title: "Hub",
      event: { in: "header", name: "X-Hub-Event", refine: "/action" },
      signing: { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" },
    };
    await writeFile(path.join(dir, "schemas", "hub", "provider.json"), JSON.stringify(manifest));
    await writeFile(path.join(dir, "schemas", "hub", "v1", "hub.openapi.json"), JSON.stringify({ openapi: "3.1.0", info: { title: "hub", version: "1" }, webhooks }));
    const result = await run(["--out", "generated"], dir);
    return { dir, code: result.code, stderr: result.stderr };
  }

  it("are named by the header parameter's pinned value, refined by the one action the body pins", async () => {
    const { dir, code, stderr } = await generateHub({
      "order-created": hook({ type: "string", const: "order" }, ["created"]),
      ping: hook({ type: "string", enum: ["ping"] }, undefined),
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const validators = await import(pathToFileURL(path.join(dir, "generated", "hub", "v1", "validators.js")).href);
    expect([...validators.eventNames]).toEqual(["order.created", "ping"]);
  });

  it("a header value read from the operation (event.operation) is spelt as the manifest's event.spelling says", async () => {
    const dir = await tempDir("codegen-hub-spelling-");
    await mkdir(path.join(dir, "schemas", "hub", "v1"), { recursive: true });
    const manifest = {
      name: "hub",
      title: "Hub",
      event: { in: "header", name: "X-Hub-Event", refine: "/action", operation: "/x-hub/topic", spelling: { "-": "_" } },
      signing: { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" },
    };
    await writeFile(path.join(dir, "schemas", "hub", "provider.json"), JSON.stringify(manifest));
    const webhooks = { "order-items-added": { post: { ...hook(undefined, ["added"]).post, "x-hub": { topic: "order-items" } } } };
    await writeFile(path.join(dir, "schemas", "hub", "v1", "hub.openapi.json"), JSON.stringify({ openapi: "3.1.0", info: { title: "hub", version: "1" }, webhooks }));
    const result = await run(["--out", "generated"], dir);
    expect(result.stderr).toBe("");
    const validators = await import(pathToFileURL(path.join(dir, "generated", "hub", "v1", "validators.js")).href);
    expect([...validators.eventNames]).toEqual(["order_items.added"]);
  });

  it("a webhook that does not say its header value, or pins several actions, is a problem naming it", async () => {
    const { code, stderr } = await generateHub({ "order-created": hook({ type: "string" }, ["created"]), "order-any": hook({ type: "string", const: "order" }, ["a", "b"]) });
    expect(code).not.toBe(0);
    expect(stderr).toContain('the webhook "order-created" does not say which X-Hub-Event value it is sent with');
    expect(stderr).toContain('the request body of "order-any" pins /action to 2 values (a, b): it is not one event');
  });
});

describe.skipIf(!installed)(
  installed ? "GitHub from @octokit/openapi-webhooks, end to end" : "GitHub end to end: SKIPPED, @octokit/openapi-webhooks or @octokit/webhooks-examples is not installed (npm ci)",
  async () => {
    // a user's project: init --provider github, the package installed (linked here), npx codegen
    const dir = await tempDir("codegen-github-");
    expect((await run(["init", "--provider", "github"], dir)).code).toBe(0);
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "github-receiver", private: true, type: "module" }));
    await writeFile(path.join(dir, "codegen.config.json"), JSON.stringify({ schemas: "schemas", out: "generated" }));
    await mkdir(path.join(dir, "node_modules", "@octokit"), { recursive: true });
    await symlink(documentPackage, path.join(dir, "node_modules", "@octokit", "openapi-webhooks"), "dir");
    const started = process.hrtime.bigint();
    const generation = await run(["--no-cache"], dir);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const github = await import(pathToFileURL(path.join(dir, "generated", "github", "index.ts")).href);
    const groups = JSON.parse(await readFile(examplesFile, "utf8")) as ExampleGroup[];
    const document = JSON.parse(await readFile(path.join(documentPackage, "generated", "api.github.com.json"), "utf8")) as OpenApi;

    it("generates GitHub's version from the installed package, without a problem or a warning", () => {
      expect(generation.stderr).toBe("");
      expect(generation.code).toBe(0);
      expect(generation.stdout).toContain("github/api.github.com/validators.js");
      console.log(`GitHub's document (${Object.keys(document.webhooks).length} webhooks) generated in ${seconds.toFixed(1)} s`);
    });

    it("generates byte for byte the same output twice", async () => {
      const first = await readFile(path.join(dir, "generated", "github", "api.github.com", "types.ts"), "utf8");
      const again = await tempDir("codegen-github-again-");
      await mkdir(path.join(again, "schemas", "github"), { recursive: true });
      await writeFile(path.join(again, "schemas", "github", "provider.json"), await readFile(path.join(dir, "schemas", "github", "provider.json")));
      await mkdir(path.join(again, "node_modules", "@octokit"), { recursive: true });
      await symlink(documentPackage, path.join(again, "node_modules", "@octokit", "openapi-webhooks"), "dir");
      expect((await run(["--no-cache", "--out", "generated"], again)).code).toBe(0);
      expect(await readFile(path.join(again, "generated", "github", "api.github.com", "types.ts"), "utf8")).toBe(first);
    }, 120_000);

    it("names each webhook X-GitHub-Event.action as GitHub delivers it, and the header alone where there is no action", async () => {
      const validators = await import(pathToFileURL(path.join(dir, "generated", "github", "api.github.com", "validators.js")).href);
      expect([...validators.eventNames].sort()).toEqual(Object.keys(eventNamesOf(document)).sort());
      expect(validators.eventNames).toContain("pull_request.opened");
      expect(validators.eventNames).toContain("push");
    });

    it("judges every example of @octokit/webhooks-examples as Ajv2020 (strict off, ajv-formats) judges it on the same document", () => {
      const ajv = new Ajv2020({ strict: false, allErrors: false });
      (addFormatsModule as unknown as { default: (a: Ajv2020) => void }).default(ajv);
      ajv.addSchema({ ...document, $id: "https://github.invalid/openapi.json" });
      const byName = eventNamesOf(document);
      const compiled = new Map<string, ValidateFunction>();
      const ajvVerdict = (event: string, payload: Record<string, unknown>): string => {
        const action = typeof payload["action"] === "string" ? `${event}.${payload["action"]}` : undefined;
        const name = action !== undefined && byName[action] ? action : byName[event] ? event : undefined;
        if (name === undefined) return "unknown_event";
        let validate = compiled.get(name);
        if (!validate) {
          validate = ajv.compile({ $ref: `https://github.invalid/openapi.json#${byName[name]}` });
          compiled.set(name, validate);
        }
        return validate(payload) ? `ok ${name}` : "invalid_payload";
      };
      let total = 0;
      let accepted = 0;
      const rejected: Record<string, number> = {};
      const unknown: string[] = [];
      const differing: string[] = [];
      const reasons = new Map<string, number>();
      for (const group of groups) {
        for (const [index, payload] of group.examples.entries()) {
          total++;
          const result = github.parseGitHubWebhook(JSON.stringify(payload), { "X-GitHub-Event": group.name });
          const ours = result.ok ? `ok ${result.name}` : result.error.kind;
          const theirs = ajvVerdict(group.name, payload);
          if (ours !== theirs) differing.push(`${group.name}[${index}]: ours ${ours}, Ajv ${theirs}`);
          if (result.ok) accepted++;
          else if (result.error.kind === "unknown_event") unknown.push(`${group.name}.${String(payload["action"])}`);
          else {
            rejected[group.name] = (rejected[group.name] ?? 0) + 1;
            for (const error of result.error.errors as { keyword?: string; message: string }[]) {
              const reason = error.keyword ?? error.message;
              reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            }
          }
        }
      }
      const rejectedCount = Object.values(rejected).reduce((a, b) => a + b, 0);
      console.log(
        `GitHub examples: ${total}; accepted ${accepted}, rejected by the schemas ${rejectedCount} (${((100 * rejectedCount) / total).toFixed(1)}%), unknown event ${unknown.length}; verdicts equal to Ajv2020's: ${total - differing.length}\n` +
          `rejected by event: ${JSON.stringify(rejected)}\nfirst errors by keyword: ${JSON.stringify(Object.fromEntries(reasons))}\nunknown: ${unknown.join(", ")}`,
      );
      expect(differing).toEqual([]);
      expect(total).toBe(groups.reduce((n, g) => n + g.examples.length, 0));
      expect(accepted).toBeGreaterThan(total / 2);
    }, 300_000);

    it("a delivery signed as GitHub signs it reaches the typed pull_request.opened handler over node:http on 127.0.0.1", async () => {
      const { createServer } = await import("node:http");
      // the first pull_request.opened example that GitHub's schema accepts (some lack fields it requires)
      const opened = groups
        .find((g) => g.name === "pull_request")!
        .examples.find((e) => e["action"] === "opened" && github.parseGitHubWebhook(JSON.stringify(e), { "X-GitHub-Event": "pull_request" }).ok)!;
      expect(opened).toBeDefined();
      const seen: { name: string; number: unknown }[] = [];
      const handler = github.createGitHubWebhookHandler({
        secret,
        on: { "pull_request.opened": (event: { number: number }, context: { name: string }) => void seen.push({ name: context.name, number: event.number }) },
      });
      const server = createServer(github.toNodeListener(handler));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as { port: number };
        const body = JSON.stringify(opened);
        const headers = {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/044aadd",
          "x-github-event": "pull_request",
          "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
          "x-hub-signature-256": hubSignature(body, secret),
        };
        const response = await fetch(`http://127.0.0.1:${port}/github`, { method: "POST", headers, body });
        expect(response.status, await response.clone().text()).toBe(200);
        expect(seen).toEqual([{ name: "pull_request.opened", number: opened["number"] }]);
        const forged = await fetch(`http://127.0.0.1:${port}/github`, { method: "POST", headers: { ...headers, "x-hub-signature-256": hubSignature(body, "another secret") }, body });
        expect(forged.status).toBe(401);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("spells X-GitHub-Event as GitHub sends it where the document's subcategory is a docs anchor with '-' (sub_issues, not sub-issues)", async () => {
      const validators = await import(pathToFileURL(path.join(dir, "generated", "github", "api.github.com", "validators.js")).href);
      const names = [...validators.eventNames] as string[];
      expect(names).toEqual(expect.arrayContaining(["sub_issues.parent_issue_added", "issue_dependencies.blocked_by_added", "custom_property_values.updated"]));
      expect(names.filter((name) => name.split(".")[0]!.includes("-"))).toEqual([]);
      const { createServer } = await import("node:http");
      const seen: string[] = [];
      // the examples have no sub_issues delivery: a payload of the schema's shape, routed whatever its verdict
      const handler = github.createGitHubWebhookHandler({ secret, onInvalidPayload: "accept", on: { sub_issues: (_: unknown, context: { name: string }) => void seen.push(context.name) } });
      const server = createServer(github.toNodeListener(handler));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as { port: number };
        const body = JSON.stringify({ action: "parent_issue_added", parent_issue_id: 1, sub_issue_id: 2 });
        const headers = { "content-type": "application/json", "x-github-event": "sub_issues", "x-github-delivery": "sub-issues-1", "x-hub-signature-256": hubSignature(body, secret) };
        const response = await fetch(`http://127.0.0.1:${port}/github`, { method: "POST", headers, body });
        expect(response.status, await response.clone().text()).toBe(200);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(seen).toEqual(["sub_issues.parent_issue_added"]);
    });

    it("verifies GitHub's documented vector (the docs' secret, Hello, World!)", async () => {
      const body = "Hello, World!";
      const header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
      expect(hubSignature(body, secret)).toBe(header);
      const verdict = await github.verifyGitHubWebhook({ headers: { "X-Hub-Signature-256": header, "X-GitHub-Event": "ping" }, body }, secret);
      expect(verdict.ok).toBe(true);
      const signed = await github.signGitHubWebhook(body, { secret, event: "ping" });
      expect(signed.headers["x-hub-signature-256"]).toBe(header);
    });

    it("the pull_request handler receives every action of the examples, each by its exact name", async () => {
      const { createServer } = await import("node:http");
      const examples = groups.find((g) => g.name === "pull_request")!.examples;
      const seen = new Set<string>();
      // the examples the schemas reject reach the handler too, with their errors in context.validation
      const handler = github.createGitHubWebhookHandler({ secret, onInvalidPayload: "accept", on: { pull_request: (_: unknown, context: { name: string }) => void seen.add(context.name) } });
      const server = createServer(github.toNodeListener(handler));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as { port: number };
        for (const [index, example] of examples.entries()) {
          const body = JSON.stringify(example);
          const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": `delivery-${index}`, "x-hub-signature-256": hubSignature(body, secret) };
          const response = await fetch(`http://127.0.0.1:${port}/github`, { method: "POST", headers, body });
          expect(response.status, `${index}: ${await response.clone().text()}`).toBe(200);
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect([...seen].sort()).toEqual([...new Set(examples.map((e) => `pull_request.${String(e["action"])}`))].sort());
    });

    it("types a free-form object (client_payload) as an index signature of unknown values, and strict tsc is clean over the generated types", async () => {
      const types = await readFile(path.join(dir, "generated", "github", "api.github.com", "types.ts"), "utf8");
      expect(types).toMatch(/ client_payload: \{\n\s+\[k: string\]: unknown \| undefined;\n\s+\} \| null;/);
      await writeFile(
        path.join(dir, "usage.ts"),
        [
          'import type { GitHubEventMap, GitHubHandlers } from "./generated/github/index.js";',
          'type Dispatch = GitHubEventMap["repository_dispatch"];',
          "export function read(event: Dispatch): unknown {",
          "  // with client_payload typed {}, indexing it is an error under noImplicitAny",
          '  return event.client_payload?.["anything"];',
          "}",
          "export const handlers: GitHubHandlers = {",
          '  "pull_request.opened": (event) => {',
          '    const action: "opened" = event.action;',
          "    const n: number = event.number;",
          "    return void [action, n];",
          "  },",
          "  pull_request: (event) => {",
          "    // @ts-expect-error the whole event's handler gets every action, not only opened",
          '    const action: "opened" = event.action;',
          "    return void action;",
          "  },",
          "};",
          "",
        ].join("\n"),
      );
      const tsconfig = JSON.parse(await readFile(path.join(repoRoot, "tsconfig.generated.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
      await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, include: ["generated/**/*.ts", "usage.ts"] }));
      const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
      const result = await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).then(
        () => ({ code: 0, output: "" }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    }, 300_000);
  },
);

interface OpenApi {
  webhooks: Record<string, { post: { "x-github": { subcategory: string }; requestBody: { content: { "application/json": { schema: { $ref: string } } } } } }>;
  components: { schemas: Record<string, Schema> };
}

interface Schema {
  $ref?: string;
  properties?: { action?: { enum?: string[]; const?: string } };
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

/**
 * Each webhook's event name as GitHub delivers it, worked out here from the document alone:
 * the operation's x-github subcategory (what X-GitHub-Event says, with "_" where the docs anchor
 * says "-": GitHub's event names are snake_case, as in every list of events in the document and
 * in @octokit/webhooks-types), then "." and the one action the payload's schema allows, if it
 * names one; the value is the pointer of the payload's schema.
 */
function eventNamesOf(document: OpenApi): Record<string, string> {
  const names: Record<string, string> = {};
  for (const hook of Object.values(document.webhooks)) {
    const ref = hook.post.requestBody.content["application/json"].schema.$ref;
    const actions = [...new Set(actionsOf(document, { $ref: ref }, 0))];
    const header = hook.post["x-github"].subcategory.replaceAll("-", "_");
    names[actions.length === 1 ? `${header}.${actions[0]}` : header] = ref.slice(1);
  }
  return names;
}

/** The values a payload schema allows at /action: through $ref, allOf, and anyOf/oneOf whose every branch pins one. */
function actionsOf(document: OpenApi, schema: Schema, depth: number): string[] {
  if (depth > 8) return [];
  if (schema.$ref) return actionsOf(document, document.components.schemas[schema.$ref.slice("#/components/schemas/".length)]!, depth + 1);
  const action = schema.properties?.action;
  if (action?.const !== undefined) return [action.const];
  if (action?.enum) return action.enum;
  for (const branch of schema.allOf ?? []) {
    const found = actionsOf(document, branch, depth + 1);
    if (found.length > 0) return found;
  }
  const branches = schema.oneOf ?? schema.anyOf ?? [];
  const each = branches.map((branch) => actionsOf(document, branch, depth + 1));
  return each.length > 0 && each.every((values) => values.length > 0) ? each.flat() : [];
}
