import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "./helpers.js";

/**
 * The package as a user meets it: packed with `npm pack`, installed into a fresh project
 * from the npm cache that `npm ci` filled, run with `npx codegen`, compiled with that
 * project's own tsc, and its receiver mounted in a server that gets a signed request.
 * Nothing here reaches into this repository's files but the tarball.
 */
const exec = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd, env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" }, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

/** The package packed once for every test of this file. */
let packed: Promise<string> | undefined;
function tarball(): Promise<string> {
  packed ??= (async () => {
    const packs = await tempDir("codegen-pack-");
    await sh(npm, ["pack", "--pack-destination", packs, "--silent"], repoRoot);
    const [file] = (await readdir(packs)).filter((f) => f.endsWith(".tgz"));
    expect(file).toBeDefined();
    return path.join(packs, file!);
  })();
  return packed;
}

/** A fresh ESM project with the packed package and these packages installed from the npm cache. */
async function consumer(...packages: string[]): Promise<string> {
  const project = await tempDir("codegen-consumer-");
  await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await sh(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", await tarball(), ...packages], project);
  return project;
}

describe("the packed package in a consumer project", () => {
  it("installs, generates, type-checks with the project's tsc, and serves a signed request", async () => {
    const project = await consumer("typescript@^5.9");

    // the provider folder comes from the catalogue shipped in the package
    await mkdir(path.join(project, "schemas"), { recursive: true });
    await sh("cp", ["-r", path.join(project, "node_modules/webhook-codegen/schemas/agentmail"), path.join(project, "schemas/")], project);
    await writeFile(
      path.join(project, "codegen.config.json"),
      JSON.stringify({ $schema: "./node_modules/webhook-codegen/meta/config.schema.json", out: "src/generated", handlers: "src/handlers" }),
    );
    const generated = await sh(npm, ["exec", "--offline", "--", "codegen"], project);
    expect(generated).toContain("handler stubs created");
    expect(await sh(npm, ["exec", "--offline", "--", "codegen", "--check"], project)).toContain("up to date");

    await writeFile(
      path.join(project, "src/server.ts"),
      `import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { createAgentMailWebhookHandler, toNodeListener } from "./generated/agentmail/index.js";
import { agentmailHandlers } from "./generated/agentmail/handlers.js";

const secret = "whsec_" + Buffer.from("consumer-test-secret").toString("base64");
const received: string[] = [];
const handler = createAgentMailWebhookHandler({
  secret,
  on: { ...agentmailHandlers, "message.sent": async (event) => void received.push(event.send.message_id) },
});
const server = createServer(toNodeListener(handler));
server.listen(0, "127.0.0.1", async () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const body = JSON.stringify({
    type: "event", event_type: "message.sent", event_id: "evt_1",
    send: { inbox_id: "i", thread_id: "t", message_id: "m_42", timestamp: "2026-11-01T00:00:00Z", recipients: ["a@example.com"] },
  });
  const seconds = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", Buffer.from(secret.slice(6), "base64")).update("msg_1." + seconds + "." + body).digest("base64");
  const signed = await fetch("http://127.0.0.1:" + port, { method: "POST", body, headers: { "svix-id": "msg_1", "svix-timestamp": String(seconds), "svix-signature": "v1," + signature } });
  const unsigned = await fetch("http://127.0.0.1:" + port, { method: "POST", body });
  console.log(JSON.stringify({ signed: signed.status, unsigned: unsigned.status, received }));
  server.close();
});
`,
    );
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          outDir: "dist",
          rootDir: "src",
          skipLibCheck: true,
          // the validators are .js with .d.ts beside them: tsc copies them to outDir only with allowJs
          allowJs: true,
          types: [],
          lib: ["ES2022", "DOM"],
        },
        include: ["src"],
      }),
    );
    // node:http and node:crypto in server.ts need node's types; the generated code does not
    await sh(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "@types/node@^20.19"], project);
    const config = path.join(project, "tsconfig.json");
    await writeFile(config, (await import("node:fs")).readFileSync(config, "utf8").replace('"types":[]', '"types":["node"]'));
    await sh(path.join(project, "node_modules/.bin/tsc"), ["-p", "."], project);

    const output = await sh(process.execPath, ["dist/server.js"], project);
    expect(JSON.parse(output.trim())).toEqual({ signed: 200, unsigned: 401, received: ["m_42"] });
  }, 300_000);

  it("with fixtures and tests on: the generated tests pass, then fail naming the sample a schema change rejects; tsc over the fixtures fails on a type-breaking change", async () => {
    const vitestVersion = JSON.parse(readFileSync(path.join(repoRoot, "node_modules/vitest/package.json"), "utf8")).version as string;
    const project = await consumer("typescript@^5.9", `vitest@${vitestVersion}`);
    await mkdir(path.join(project, "schemas"), { recursive: true });
    await sh("cp", ["-r", path.join(project, "node_modules/webhook-codegen/schemas/agentmail"), path.join(project, "schemas/")], project);
    await writeFile(path.join(project, "codegen.config.json"), JSON.stringify({ out: "src/generated", fixtures: true, tests: "vitest" }));
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true, types: [] },
        include: ["src"],
      }),
    );
    const codegen = () => sh(npm, ["exec", "--offline", "--", "codegen", "--quiet"], project);
    const tsc = () => exec(path.join(project, "node_modules/.bin/tsc"), ["-p", "."], { cwd: project }).then(() => "", (e: { stdout: string }) => e.stdout || "failed");
    const test = (ci: boolean) =>
      exec(path.join(project, "node_modules/.bin/vitest"), ["run"], { cwd: project, env: { ...process.env, CI: ci ? "true" : "", NO_COLOR: "1" } }).then(
        ({ stdout }) => ({ ok: true, output: stdout }),
        (e: { stdout: string; stderr: string }) => ({ ok: false, output: e.stdout + e.stderr }),
      );
    await codegen();
    expect(await tsc()).toBe("");
    const first = await test(false); // writes the snapshots
    expect(first.ok, first.output).toBe(true);
    expect(first.output).toMatch(/12 written/);
    const second = await test(true);
    expect(second.ok, second.output).toBe(true);

    // the provider drops an enum value its own example uses
    const definitions = path.join(project, "schemas/agentmail/2026-08-03/shared/definitions.json");
    await writeFile(definitions, readFileSync(definitions, "utf8").replace('"VERIFYING", "VERIFIED"]', '"VERIFYING"]'));
    await codegen();
    const third = await test(true);
    expect(third.ok).toBe(false);
    expect(third.output).toMatch(/FAIL .*schemas\/agentmail\/2026-08-03\/examples\/domain\.verified\.json/);
    expect(await tsc()).toMatch(/fixtures\.ts.*error TS2322: Type '"VERIFIED"' is not assignable/s);
  }, 300_000);
});
