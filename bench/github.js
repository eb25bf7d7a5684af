// Generation of GitHub's published webhooks document (the installed @octokit/openapi-webhooks):
// `codegen` on the shipped github manifest against json-schema-to-typescript's CLI on the same
// schemas. json2ts takes no OpenAPI, so it is given the document's components/schemas as
// definitions and a root union of the webhooks' request bodies (types only). A benchmark: it
// asserts nothing.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { spread, table, timeCommands, withSpread } from "./measure.js";

export function benchGitHub({ root, work, quick, progress }) {
  const require = createRequire(path.join(root, "package.json"));
  let documentPath;
  try {
    documentPath = require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json");
  } catch {
    return { skipped: "@octokit/openapi-webhooks is not installed (npm ci installs it): GitHub's generation is skipped", targets: [] };
  }
  const dir = path.join(work, "github");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "schemas"), { recursive: true });
  // a project folder with node_modules, where codegen keeps its cache (the package itself is found further up)
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  cpSync(path.join(root, "schemas", "github"), path.join(dir, "schemas", "github"), { recursive: true });

  const document = JSON.parse(readFileSync(documentPath, "utf8"));
  const retarget = (text) => text.replaceAll('"#/components/schemas/', '"#/definitions/');
  const bodies = Object.values(document.webhooks).map((item) => item.post.requestBody.content["application/json"].schema);
  const single = { $schema: "https://json-schema.org/draft/2020-12/schema", title: "GitHubWebhook", anyOf: bodies, definitions: document.components.schemas };
  const singlePath = path.join(dir, "github.schema.json");
  writeFileSync(singlePath, retarget(JSON.stringify(single)));

  const codegen = [[process.execPath, [path.join(root, "bin", "codegen.js"), "--provider", "github", "--out", path.join(dir, "out"), "--no-cache", "--quiet"], { cwd: dir }]];
  const noop = [[process.execPath, [path.join(root, "bin", "codegen.js"), "--provider", "github", "--out", path.join(dir, "out"), "--quiet"], { cwd: dir }]];
  const json2ts = [[process.execPath, [path.join(root, "node_modules", "json-schema-to-typescript", "dist", "src", "cli.js"), "-i", singlePath, "-o", path.join(dir, "json2ts.ts")], { cwd: dir }]];
  const times = { codegen: [], json2ts: [], noop: [] };
  timeCommands(noop); // fills the cache the no-op rows are answered from (a --no-cache run writes none)
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    progress(`GitHub's document, round ${round + 1}`);
    times.codegen.push(timeCommands(codegen));
    times.json2ts.push(timeCommands(json2ts));
    times.noop.push(timeCommands(noop));
  }
  const codegenTime = spread(times.codegen);
  const json2tsTime = spread(times.json2ts);
  const ratio = codegenTime.median / json2tsTime.median;
  return {
    title: `Generation of GitHub's webhooks (@octokit/openapi-webhooks, ${bodies.length} webhooks): wall time, one process each, ${quick ? 1 : 3} alternating rounds`,
    table: table(
      ["run", "wall time"],
      [
        ["codegen, cold (types, validators, receiver)", withSpread(codegenTime, " ms", 0)],
        ["json2ts CLI (types only, the same schemas as one document)", withSpread(json2tsTime, " ms", 0)],
        ["codegen again, nothing changed", withSpread(spread(times.noop), " ms", 0)],
      ],
    ),
    targets: [`${ratio <= 1 ? "met    " : "NOT met"}  GitHub's document: codegen cold takes ${ratio.toFixed(2)} of json2ts's CLI on the same schemas (target ≤ 1)`],
  };
}
