// Generation at scale: synthetic catalogues of 10, 100 and 1 000 events (written under the
// bench's work folder in node_modules/.cache), each once with events sharing their definitions
// and once with every event's shapes its own; `codegen` cold and again with nothing changed,
// against json-schema-to-typescript's CLI on the same event files. A benchmark: it asserts nothing.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { against, ratio, table, timeCommands, withSpread } from "./measure.js";

const pad = (i) => String(i).padStart(4, "0");

/** An object schema of a few properties of every kind json2ts and the validators meet; `tag` makes it its own. */
function record(tag, refs) {
  return {
    type: "object",
    description: `A record (${tag}).`,
    properties: {
      [`id_${tag}`]: { type: "string", pattern: "^rec_[A-Za-z0-9]{8,}$" },
      [`created_at_${tag}`]: { type: "string", format: "date-time" },
      [`status_${tag}`]: { type: "string", enum: ["open", "closed", `other_${tag}`] },
      [`count_${tag}`]: { type: "integer", minimum: 0 },
      [`note_${tag}`]: { type: ["string", "null"], maxLength: 500 },
      [`labels_${tag}`]: { type: "array", items: { type: "string" } },
      [`owner_${tag}`]: refs?.owner ?? {
        type: "object",
        properties: { [`name_${tag}`]: { type: "string" }, [`email_${tag}`]: { type: "string", format: "email" } },
        required: [`name_${tag}`],
        additionalProperties: false,
      },
      [`items_${tag}`]: {
        type: "array",
        items: refs?.item ?? {
          type: "object",
          properties: { [`sku_${tag}`]: { type: "string" }, [`quantity_${tag}`]: { type: "integer" }, [`price_${tag}`]: { type: "number" } },
          required: [`sku_${tag}`, `quantity_${tag}`],
        },
      },
    },
    required: [`id_${tag}`, `created_at_${tag}`, `status_${tag}`],
  };
}

/**
 * A catalogue of `n` events (provider "synthetic", version "v1"): with `shared`, every event
 * refers to the same definitions file; else each event carries shapes of its own.
 */
export function writeCatalogue(dir, n, shared) {
  rmSync(dir, { recursive: true, force: true });
  const version = path.join(dir, "synthetic", "v1");
  mkdirSync(path.join(version, "shared"), { recursive: true });
  writeFileSync(
    path.join(dir, "synthetic", "provider.json"),
    JSON.stringify({ name: "synthetic", title: "Synthetic", event: { in: "body", pointer: "/event_type" }, signing: { scheme: "standard-webhooks" } }, null, 2),
  );
  if (shared) {
    const definitions = { owner: record("owner").properties.owner_owner, item: record("item").properties.items_item.items };
    definitions.record = record("shared", { owner: { $ref: "#/definitions/owner" }, item: { $ref: "#/definitions/item" } });
    writeFileSync(path.join(version, "shared", "definitions.json"), JSON.stringify({ definitions }, null, 2));
  }
  const files = [];
  for (let i = 0; i < n; i++) {
    const name = `thing${pad(i)}.updated`;
    const data = shared ? { $ref: "shared/definitions.json#/definitions/record" } : record(pad(i));
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      title: `Thing${pad(i)}Updated`,
      type: "object",
      properties: { event_type: { type: "string", const: name }, event_id: { type: "string" }, data, previous: shared ? { $ref: "shared/definitions.json#/definitions/record" } : record(`${pad(i)}_previous`) },
      required: ["event_type", "event_id", "data"],
    };
    const file = path.join(version, `${name}.schema.json`);
    writeFileSync(file, JSON.stringify(schema, null, 2));
    files.push(file);
  }
  return { catalogue: dir, version, files };
}

/** The scaling table: for each size and kind, codegen cold, codegen again, json2ts's CLI; with ratios. */
export function benchScaling({ root, work, quick, progress }) {
  const sizes = quick ? [10, 100] : [10, 100, 1000];
  const codegenBin = path.join(root, "bin", "codegen.js");
  const json2ts = path.join(root, "node_modules", "json-schema-to-typescript", "dist", "src", "cli.js");
  const rows = [];
  const results = [];
  for (const n of sizes) {
    for (const shared of [true, false]) {
      const kind = shared ? "shared definitions" : "distinct definitions";
      progress(`generation at scale: ${n} events, ${kind}`);
      const dir = path.join(work, "scaling", `${n}-${shared ? "shared" : "distinct"}`);
      const { catalogue, version } = writeCatalogue(path.join(dir, "catalogue"), n, shared);
      const out = path.join(dir, "codegen-out");
      const cache = path.join(dir, "cache-home");
      // the cache lives in the working directory's node_modules/.cache: each catalogue its own
      mkdirSync(path.join(cache, "node_modules"), { recursive: true });
      const codegen = [[process.execPath, [codegenBin, "--schemas", catalogue, "--out", out, "--quiet"], { cwd: cache }]];
      const typesOnly = [[process.execPath, [json2ts, "-i", path.join(version, "*.schema.json"), "-o", `${path.join(dir, "json2ts-out")}${path.sep}`], { cwd: root }]];
      const emptyNode = [[process.execPath, ["-e", "0"], { cwd: cache }]];
      // node started and the command line loaded (every module a run answered from the cache loads), and nothing read
      const loaded = [[process.execPath, [codegenBin, "--version"], { cwd: cache }]];
      const times = { cold: [], noop: [], json2ts: [], empty: [], loaded: [] };
      // five, interleaved: on a shared machine one slow run in three moved the median by a tenth
      const rounds = quick ? 2 : 5;
      for (let round = 0; round < rounds; round++) {
        rmSync(out, { recursive: true, force: true });
        rmSync(path.join(cache, "node_modules", ".cache"), { recursive: true, force: true }); // a cold run: no output, no cache
        rmSync(path.join(dir, "json2ts-out"), { recursive: true, force: true });
        times.cold.push(timeCommands(codegen));
        times.noop.push(timeCommands(codegen));
        times.json2ts.push(timeCommands(typesOnly));
        times.empty.push(timeCommands(emptyNode)); // the part of "nothing changed" that is node starting
        times.loaded.push(timeCommands(loaded)); // … and loading the command line
      }
      const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, spreadOf(v)]));
      results.push({ n, shared, ...s });
      rows.push([`${n} events, ${kind}`, withSpread(s.cold, " ms", 0), withSpread(s.json2ts, " ms", 0), ratio(s.cold.median, s.json2ts.median), withSpread(s.noop, " ms", 0), ratio(s.noop.median, s.cold.median)]);
    }
  }
  const largest = results.filter((r) => r.n === sizes.at(-1));
  const distinct = largest.find((r) => !r.shared);
  const targets = [
    `${distinct.cold.median <= 0.5 * distinct.json2ts.median ? "met    " : "NOT met"}  ${distinct.n} distinct events: codegen cold takes ${against(distinct.cold.median / distinct.json2ts.median, 0.5)} of json2ts's CLI (target ≤ 0.5${distinct.n < 1000 ? "; the target is for 1 000 events, measured without --quick" : ""})`,
    ...largest.map((r) => `${r.noop.median <= 0.1 * r.cold.median ? "met    " : "NOT met"}  ${r.n} events, ${r.shared ? "shared" : "distinct"}: nothing changed takes ${against(r.noop.median / r.cold.median, 0.1)} of a cold run (target ≤ 0.1; an empty node takes ${(r.empty.median / r.cold.median).toFixed(2)}, \`codegen --version\` ${(r.loaded.median / r.cold.median).toFixed(2)}: the rest is reading and hashing the inputs and checking the output)`),
  ];
  return {
    title: `Generation at scale: wall time on synthetic catalogues (one version, its events sharing definitions or each with its own), ${rowsNote(quick)}`,
    table: table(["catalogue", "codegen, cold", "json2ts CLI (types only)", "cold ÷ json2ts", "codegen again, nothing changed", "again ÷ cold"], rows),
    targets,
  };
}

const rowsNote = (quick) => (quick ? "10 and 100 events (--quick; 1 000 without it)" : "10, 100 and 1 000 events");

function spreadOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted.at(-1) };
}
