// Measuring: batches timed with performance.now(), contenders interleaved round by round,
// medians with their spread. Nothing here asserts anything about time.
import { spawnSync } from "node:child_process";

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** A ratio for a target's line: two decimals, or as many more as it takes not to print the bound it misses or meets by less. */
export function against(value, bound) {
  let digits = 2;
  while (digits < 6 && value !== bound && value.toFixed(digits) === bound.toFixed(digits)) digits++;
  return value.toFixed(digits);
}

/** The spread of a sample as "min–max" around its median, in the unit given. */
export const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/**
 * Throughput of each contender over the same payloads, in calls per second. Each round
 * runs every contender once, in an order that rotates from round to round; each run is a
 * batch of calls sized in a warm-up to take about `batchMs`, cycling through the payloads.
 */
export function throughput(contenders, payloads, { rounds = 7, batchMs = 150 } = {}) {
  const names = Object.keys(contenders);
  const sizes = {};
  for (const name of names) {
    const call = contenders[name];
    // warm up (the JIT), then size the batch
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < Math.min(batchMs, 60) || n < 2) call(payloads[n++ % payloads.length]);
    const each = (performance.now() - start) / n;
    sizes[name] = Math.max(1, Math.round(batchMs / each));
  }
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const call = contenders[name];
      const n = sizes[name];
      let sink = 0;
      const start = performance.now();
      for (let i = 0; i < n; i++) if (call(payloads[i % payloads.length])) sink++;
      const elapsed = performance.now() - start;
      results[name].push((n / elapsed) * 1000);
      if (sink < 0) console.log(sink); // keeps the calls' results alive
    }
  }
  return Object.fromEntries(names.map((name) => [name, spread(results[name])]));
}

/**
 * Fresh processes (`node <file>`), interleaved: the wall time of each, and the time the
 * script itself reports on its stdout (from its first line to its last: imports, set-up and
 * one validation, without node's own start-up), in milliseconds.
 */
export function startup(scripts, { rounds = 11 } = {}) {
  const names = Object.keys(scripts);
  const wall = Object.fromEntries(names.map((name) => [name, []]));
  const inside = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const start = performance.now();
      const child = spawnSync(process.execPath, [scripts[name]], { encoding: "utf8" });
      const elapsed = performance.now() - start;
      if (child.status !== 0) throw new Error(`${name}: ${scripts[name]} exited with ${child.status}\n${child.stderr}`);
      if (round === 0) continue; // the first round warms the file cache
      wall[name].push(elapsed);
      inside[name].push(Number(child.stdout.trim()));
    }
  }
  return Object.fromEntries(names.map((name) => [name, { wall: spread(wall[name]), inside: spread(inside[name]) }]));
}

/** Wall time of a list of commands run one after the other, in milliseconds. */
export function timeCommands(commands) {
  const start = performance.now();
  for (const [command, args, options = {}] of commands) {
    const child = spawnSync(command, args, { encoding: "utf8", ...options });
    if (child.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${child.status}\n${child.stderr}${child.stdout}`);
  }
  return performance.now() - start;
}

// Printing.

const group = (n) => {
  const [whole, fraction] = n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ") + (fraction ? `.${fraction}` : "");
};

export const number = (n) => group(n);
export const kb = (bytes) => `${group(bytes / 1000)} kB`;
export const ratio = (a, b) => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;

/** "median (min–max)" */
export const withSpread = (s, unit = "", digits) => {
  const f = (n) => (digits === undefined ? group(n) : n.toFixed(digits));
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
};

export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => String(row[i] ?? "").length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell ?? "").padEnd(widths[i]) : String(cell ?? "").padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
