/**
 * Seeded mutations of sample payloads, for the differential test: fields removed, types
 * swapped, constants and enums perturbed (and swapped for other constants of the schemas),
 * nulls, extra properties, deep nesting, strings near their limits, dates and ids slightly
 * wrong, arrays emptied or grown, and subtrees moved between payloads. Deterministic: the
 * same seed gives the same payloads.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** mulberry32: a small, well-mixed 32-bit generator. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Place {
  parent: Json[] | { [key: string]: Json } | undefined;
  key: string | number | undefined;
  value: Json;
}

/** Every value in a payload with where it sits (the root has no parent). */
function places(root: Json): Place[] {
  const found: Place[] = [];
  const visit = (value: Json, parent: Place["parent"], key: Place["key"]) => {
    found.push({ parent, key, value });
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, value, i));
    else if (value !== null && typeof value === "object") for (const k of Object.keys(value)) visit(value[k]!, value, k);
  };
  visit(root, undefined, undefined);
  return found;
}

export interface Mutator {
  /** One mutated copy of `payload`, with 1 to 3 changes. */
  (payload: Json): unknown;
}

/**
 * `constants`: strings the schemas name (enum values and consts), so that a perturbed tag
 * is often another valid tag; `pool`: other payloads whose subtrees may be moved in.
 */
export function mutator(seed: number, constants: string[], pool: Json[]): Mutator {
  const rng = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  /** A fresh copy of a value from a list, so that no two places share an object. */
  const fresh = (list: readonly unknown[]): unknown => structuredClone(pick(list));
  const poolPlaces = pool.flatMap((p) => places(p).map((place) => place.value));
  const others: unknown[] = [0, 1, -1, 1.5, 2 ** 31, -0, 1e21, "", "x", "0", true, false, null, [], {}, [1, "a"], { a: 1 }, { type: "x" }];

  const dateLike = (s: string): string =>
    pick([
      s.replace("T", "t"),
      s.replace("T", " "),
      s.replace(/Z$/, "+01:00"),
      s.replace(/Z$/, "+0100"),
      s.replace(/Z$/, ""),
      s.replace(/\d(?=\D*$)/, "9"),
      s.replace(/^\d{4}-\d{2}-\d{2}/, "2024-02-30"),
      s.replace(/^\d{4}-\d{2}-\d{2}/, "2024-02-29"),
      s.replace(/T\d{2}:\d{2}:\d{2}/, "T23:59:60"),
      s.replace(/T\d{2}/, "T24"),
      s.replace(/\.\d+/, ".1234567890123"),
      s.replace(/\.\d+/, ""),
      s.slice(0, 10),
    ]);

  const perturbString = (s: string): unknown =>
    pick([
      () => pick(constants.length > 0 ? constants : [s]),
      () => pick(constants.length > 0 ? constants : [s]),
      () => s.toUpperCase(),
      () => s.toLowerCase(),
      () => `${s}_`,
      () => s.slice(1),
      () => "",
      () => s.replace(/[A-Z0-9]/, "I"),
      () => s.replace(/_/, "-"),
      () => (/^\d{4}-\d{2}-\d{2}T/.test(s) ? dateLike(s) : `${s}T`),
      () => "x".repeat(pick([49, 50, 51, 255, 256, 500, 501, 1001])),
      () => "😀".repeat(pick([25, 26, 250, 251, 500, 501])),
      () => "\ud83d",
      () => "http://example.com/a b",
      () => "not-a-uuid",
      () => "a@b",
      () => "https://example.com/x",
      () => "123e4567-e89b-12d3-a456-426614174000",
      () => "#fff",
      () => "th_01HD44FHMCDSSWE38N14FSYV6K",
    ])();

  const deep = (inner: unknown, depth: number): unknown => {
    let value = inner;
    for (let i = 0; i < depth; i++) value = rng() < 0.5 ? [value] : { nested: value };
    return value;
  };

  const change = (payload: Json): void => {
    const all = places(payload);
    const place = pick(all);
    const { parent, key, value } = place;
    const set = (next: unknown) => {
      if (parent === undefined) return;
      // defined, never assigned: a key named __proto__ stays a key, as JSON.parse makes it
      Object.defineProperty(parent, key as string, { value: next, enumerable: true, writable: true, configurable: true });
    };
    const operation = pick([
      "remove", "remove", "remove", "type", "type", "null", "null", "constant", "constant", "constant",
      "string", "string", "number", "extra", "extra", "deep", "array", "move", "move", "undefined", "rename",
    ] as const);
    switch (operation) {
      case "remove":
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (parent !== undefined) delete parent[key as string];
        break;
      case "type":
        set(fresh(others));
        break;
      case "null":
        set(null);
        break;
      case "constant":
      case "string":
        if (typeof value === "string") set(perturbString(value));
        else set(pick(constants.length > 0 ? constants : ["x"]));
        break;
      case "number":
        // (fractions near a multiple, for multipleOf: 0.07 / 0.01 is not an integer in binary floating point)
        if (typeof value === "number") set(pick([value + 1, -value, value + 0.5, 0, -1, 2 ** 31, 2 ** 53 + 2, value + 0.01, value * 0.07, 1e21, 0.075]));
        else set(pick([0, 3, -3, 0.5]));
        break;
      case "extra": {
        const target = value !== null && typeof value === "object" && !Array.isArray(value) ? value : parent;
        if (target !== undefined && !Array.isArray(target)) {
          const name = pick(["extra", "extraField", "__proto__", "constructor", "toString", "a/b", "~x", "", "id", "type"]);
          Object.defineProperty(target, name, { value: fresh(others), enumerable: true, writable: true, configurable: true });
        }
        break;
      }
      case "deep":
        set(deep(fresh([value, null, "x", {}]), pick([5, 40, 200])));
        break;
      case "array":
        if (Array.isArray(value)) {
          // (duplicates and reordered items for uniqueItems, contains and the tuples)
          const op = pick(["empty", "dup", "dup", "push", "push-other", "reverse"]);
          if (op === "empty") value.length = 0;
          else if (op === "dup" && value.length > 0) value.splice(Math.floor(rng() * value.length), 0, structuredClone(pick(value)));
          else if (op === "reverse") value.reverse();
          else value.push((op === "push" ? fresh(others) : fresh(poolPlaces)) as Json);
        } else set(fresh([[], [value], [value, value]]));
        break;
      case "move":
        set(fresh(poolPlaces));
        break;
      case "undefined":
        set(undefined);
        break;
      case "rename": {
        // a property under another name (propertyNames, dependencies, unevaluatedProperties)
        if (parent === undefined || Array.isArray(parent) || typeof key !== "string") break;
        const name = pick([key.toUpperCase(), `${key}_x`, key.slice(1), "x-" + key, "a", "b", "toString"]);
        delete parent[key];
        Object.defineProperty(parent, name, { value, enumerable: true, writable: true, configurable: true });
        break;
      }
    }
  };

  return (payload) => {
    const copy = structuredClone(payload);
    const changes = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < changes; i++) change(copy);
    return copy;
  };
}

/** The strings the schemas pin (enum values and consts), sorted: candidates for perturbed tags. */
export function schemaConstants(definitions: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, key?: string): void => {
    if (key === "const" && typeof node === "string") found.add(node);
    else if (key === "enum" && Array.isArray(node)) node.forEach((v) => typeof v === "string" && found.add(v));
    else if (Array.isArray(node)) node.forEach((v) => visit(v));
    else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  visit(definitions);
  return [...found].sort();
}
