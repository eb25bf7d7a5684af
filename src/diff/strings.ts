/**
 * Candidate strings for telling two regular expressions apart: strings built from each
 * pattern (a small generator over the common regex syntax), then each of them changed a
 * little (a character dropped, doubled or replaced), plus a few plain strings. Everything
 * is deterministic: the same patterns give the same candidates in the same order.
 */

type Node =
  | { t: "chars"; set: string[] }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; options: Node[] }
  | { t: "repeat"; node: Node; min: number; max: number };

const digits = "0123456789".split("");
const lower = "abcdefghijklmnopqrstuvwxyz".split("");
const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const word = [...lower, ...upper, ...digits, "_"];
const space = [" ", "\t", "\n"];
const printable = [...word, "-", ".", " ", "/", ":", "@", "+", "#", "!", "é"];

/** Parses the subset of regex syntax the generator understands; undefined when the pattern uses more. */
function parse(pattern: string): Node | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Error("unsupported");
  };
  function alternation(): Node {
    const options = [sequence()];
    while (pattern[i] === "|") {
      i++;
      options.push(sequence());
    }
    return options.length === 1 ? options[0]! : { t: "alt", options };
  }
  function sequence(): Node {
    const items: Node[] = [];
    while (i < pattern.length && pattern[i] !== "|" && pattern[i] !== ")") {
      const atom = atomAt();
      if (atom === undefined) continue;
      items.push(quantified(atom));
    }
    return { t: "seq", items };
  }
  function quantified(atom: Node): Node {
    const c = pattern[i];
    let min = 1;
    let max = 1;
    if (c === "*") [min, max, i] = [0, 3, i + 1];
    else if (c === "+") [min, max, i] = [1, 3, i + 1];
    else if (c === "?") [min, max, i] = [0, 1, i + 1];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? min + 3 : Number(m[3]);
      i += m[0].length;
    } else return atom;
    if (pattern[i] === "?") i++;
    return { t: "repeat", node: atom, min, max: Math.min(max, min + 40) };
  }
  function atomAt(): Node | undefined {
    const c = pattern[i++]!;
    if (c === "^" || c === "$") return undefined;
    if (c === "(") {
      if (pattern[i] === "?") {
        if (pattern[i + 1] === ":") i += 2;
        else if (pattern[i + 1] === "<" && pattern[i + 2] !== "=" && pattern[i + 2] !== "!") i = pattern.indexOf(">", i) + 1;
        else fail();
      }
      const inner = alternation();
      if (pattern[i++] !== ")") fail();
      return inner;
    }
    if (c === "[") return charClass();
    if (c === ".") return { t: "chars", set: printable };
    if (c === "\\") return { t: "chars", set: escapeSet(pattern[i++] ?? fail()) };
    return { t: "chars", set: [c] };
  }
  function escapeSet(c: string): string[] {
    if (c === "d") return digits;
    if (c === "w") return word;
    if (c === "s") return space;
    if (c === "D") return [...lower, "-"];
    if (c === "W") return ["-", " ", "."];
    if (c === "S") return word;
    if (c === "b" || c === "B") fail();
    if (c === "n") return ["\n"];
    if (c === "t") return ["\t"];
    if (c === "u" && /^\{?[0-9a-fA-F]{4}/.test(pattern.slice(i))) {
      const m = /^\{?([0-9a-fA-F]{4,5})\}?/.exec(pattern.slice(i))!;
      i += m[0].length;
      return [String.fromCodePoint(parseInt(m[1]!, 16))];
    }
    if (/[0-9]/.test(c)) fail();
    return [c];
  }
  function charClass(): Node {
    const negate = pattern[i] === "^";
    if (negate) i++;
    const set: string[] = [];
    let first = true;
    while (i < pattern.length && (pattern[i] !== "]" || first)) {
      first = false;
      let c = pattern[i++]!;
      let members: string[];
      if (c === "\\") {
        members = escapeSet(pattern[i++] ?? fail());
        c = members.length === 1 ? members[0]! : "";
      } else members = [c];
      if (c !== "" && pattern[i] === "-" && pattern[i + 1] !== "]" && i + 1 < pattern.length) {
        i++;
        let end = pattern[i++]!;
        if (end === "\\") end = escapeSet(pattern[i++] ?? fail())[0]!;
        const [a, b] = [c.codePointAt(0)!, end.codePointAt(0)!];
        members = [];
        for (let code = a; code <= b && members.length < 64; code++) members.push(String.fromCodePoint(code));
        if (b > a + 63) members.push(String.fromCodePoint(b));
      }
      set.push(...members);
    }
    if (pattern[i++] !== "]") fail();
    return { t: "chars", set: negate ? printable.filter((p) => !set.includes(p)) : set };
  }
  try {
    const node = alternation();
    return i === pattern.length ? node : undefined;
  } catch {
    return undefined;
  }
}

/** A seeded generator, so candidates are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function generate(node: Node, next: () => number, mode: "min" | "max" | "random"): string {
  switch (node.t) {
    case "chars":
      return node.set.length === 0 ? "" : node.set[mode === "random" ? Math.floor(next() * node.set.length) : 0]!;
    case "seq":
      return node.items.map((n) => generate(n, next, mode)).join("");
    case "alt":
      return generate(node.options[mode === "random" ? Math.floor(next() * node.options.length) : 0]!, next, mode);
    case "repeat": {
      const count = mode === "min" ? node.min : mode === "max" ? node.max : node.min + Math.floor(next() * (node.max - node.min + 1));
      let out = "";
      for (let k = 0; k < count; k++) out += generate(node.node, next, mode);
      return out;
    }
  }
}

/** Strings built to match `pattern` (most do; a regex the generator does not understand gives none). */
export function stringsFor(pattern: string, count = 40): string[] {
  const key = `${count} ${pattern}`;
  const cached = built.get(key);
  if (cached !== undefined) return cached;
  const strings = buildStrings(pattern, count);
  built.set(key, strings);
  return strings;
}

const built = new Map<string, string[]>();

function buildStrings(pattern: string, count: number): string[] {
  const node = parse(pattern);
  if (node === undefined) return [];
  const next = random(pattern.length * 7919 + 17);
  const out = new Set([generate(node, next, "min"), generate(node, next, "max")]);
  if (node.t === "alt") node.options.forEach((o) => out.add(generate(o, next, "min")));
  for (let k = 0; k < count; k++) out.add(generate(node, next, "random"));
  return [...out];
}

/** Each string, and small edits of it: the strings near the edge of a pattern. */
function edits(strings: string[]): string[] {
  const out: string[] = [];
  for (const s of strings) {
    out.push(s);
    for (let k = 0; k < Math.min(s.length, 12); k++) {
      out.push(s.slice(0, k) + s.slice(k + 1));
      out.push(s.slice(0, k) + s[k] + s.slice(k));
      for (const r of ["a", "Z", "0", "-", "_", " "]) out.push(s.slice(0, k) + r + s.slice(k + 1));
    }
    out.push(`${s}a`, `${s}0`, `a${s}`, `0${s}`);
  }
  return out;
}

const plain = ["", "a", "A", "0", "abc", "ABC", "123", "a-b", "a_b", "a.b", "a b", "x@y.z", "https://x.y/z", "2024-01-01", "2024-01-01T00:00:00Z"];

/** Candidate strings for comparing two patterns (and known values, such as samples, first). */
export function candidateStrings(patterns: string[], known: string[] = []): string[] {
  const built = patterns.flatMap((p) => stringsFor(p));
  return [...new Set([...known, ...edits([...known, ...built]), ...plain])];
}

/** The pattern as JSON Schema means it (ECMA-262, unicode); undefined when it does not compile. */
export function regexOf(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, "u");
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
}

/**
 * How `after` compares with `before`, judged by the candidates: "widened" when some string
 * matches the new pattern only, "narrowed" when some matches the old only, "changed" when
 * both, "undecided" when no candidate tells them apart. With the strings found.
 */
export function comparePatterns(before: string, after: string, known: string[] = []): { verdict: "widened" | "narrowed" | "changed" | "undecided"; onlyNew?: string; onlyOld?: string } {
  const [old, now] = [regexOf(before), regexOf(after)];
  if (old === undefined || now === undefined) return { verdict: "undecided" };
  let onlyNew: string | undefined;
  let onlyOld: string | undefined;
  for (const s of candidateStrings([before, after], known)) {
    const [a, b] = [old.test(s), now.test(s)];
    if (b && !a && onlyNew === undefined) onlyNew = s;
    if (a && !b && onlyOld === undefined) onlyOld = s;
    if (onlyNew !== undefined && onlyOld !== undefined) break;
  }
  const verdict = onlyNew !== undefined ? (onlyOld !== undefined ? "changed" : "widened") : onlyOld !== undefined ? "narrowed" : "undecided";
  return { verdict, ...(onlyNew === undefined ? {} : { onlyNew }), ...(onlyOld === undefined ? {} : { onlyOld }) };
}
