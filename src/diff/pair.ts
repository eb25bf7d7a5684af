import { compare } from "../order.js";
import { isGeneratedName } from "./describe.js";
import { describeTypes, propertyNames, tagValue, typesOf, type Branch, type Definitions } from "./normalize.js";

/**
 * Matches the alternatives of an old and a new union so that each old variant is compared
 * with its own new version: by type first (a string with a string); among several objects,
 * by the tag they pin (`actorType: "USER"`), then by the definition they come from, then by
 * the properties they share. What is left over was added or removed.
 */
export interface Pair {
  old: Branch;
  new: Branch;
  /** Names the variant in the path when a type alone does not: `[actorType=USER]`. */
  qualifier: string;
}

export interface Pairing {
  pairs: Pair[];
  added: Variant[];
  removed: Variant[];
}

/** An alternative without a counterpart, with the tag that names it when there is one. */
export interface Variant {
  branch: Branch;
  tag?: string;
}

export function pairBranches(olds: Branch[], news: Branch[], oldDefinitions: Definitions, newDefinitions: Definitions): Pairing {
  if (olds.length === 1 && news.length === 1) return { pairs: [{ old: olds[0]!, new: news[0]!, qualifier: "" }], added: [], removed: [] };
  const result: Pairing = { pairs: [], added: [], removed: [] };
  // equal alternatives are the same alternative, wherever the union lists them
  const equalPairs = pairEqual(olds, news, oldDefinitions, newDefinitions);
  result.pairs.push(...equalPairs);
  const left = remaining({ olds, news }, equalPairs);
  olds = left.olds;
  news = left.news;
  const keys = [...new Set([...olds, ...news].map(typeKey))].sort(compare);
  for (const key of keys) {
    const group = pairGroup(
      olds.filter((b) => typeKey(b) === key),
      news.filter((b) => typeKey(b) === key),
      oldDefinitions,
      newDefinitions,
      equalPairs.length > 0,
    );
    result.pairs.push(...group.pairs);
    result.added.push(...group.added);
    result.removed.push(...group.removed);
  }
  return result;
}

/** Alternatives whose schemas are equal (as canonical JSON), paired in order; named by their tag when the union has one. */
function pairEqual(olds: Branch[], news: Branch[], oldDefinitions: Definitions, newDefinitions: Definitions): Pair[] {
  const pairs: Pair[] = [];
  const objects = (branches: Branch[]) => branches.filter((b) => typeKey(b) === "object");
  const tag = tagProperty(objects(olds), objects(news), oldDefinitions, newDefinitions);
  const used = new Set<Branch>();
  for (const branch of news) {
    const key = canonical(branch.schema);
    const match = olds.find((b) => !used.has(b) && canonical(b.schema) === key);
    if (match === undefined) continue;
    used.add(match);
    const value = tag === undefined ? undefined : tagValue(branch, tag, newDefinitions);
    pairs.push({ old: match, new: branch, qualifier: value === undefined ? qualifierOf(branch) : `[${tag}=${value}]` });
  }
  return pairs;
}

/** JSON with object keys sorted: equal schemas give equal text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * How a path names an alternative that no tag names: by the definition when the provider
 * named it, else by the properties it requires (`[{id}]`), else by its type.
 */
function qualifierOf(branch: Branch): string {
  if (branch.named !== undefined && !isGeneratedName(branch.named)) return `[${branch.named}]`;
  const required = branch.schema["required"];
  const names = Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : propertyNames(branch.schema);
  if (names.length > 0) return `[{${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}}]`;
  return `[${describeTypes(typesOf(branch.schema))}]`;
}

function typeKey(branch: Branch): string {
  return describeTypes(typesOf(branch.schema));
}

/** Pairs alternatives of one type. */
function pairGroup(olds: Branch[], news: Branch[], oldDefinitions: Definitions, newDefinitions: Definitions, inUnion = false): Pairing {
  if (olds.length === 1 && news.length === 1) {
    // the one left of a union whose other alternatives were equal is still named as a variant
    const tag = inUnion ? tagProperty(olds, news, oldDefinitions, newDefinitions) : undefined;
    const value = tag === undefined ? undefined : tagValue(news[0]!, tag, newDefinitions);
    const qualifier = !inUnion ? "" : value !== undefined && value === tagValue(olds[0]!, tag!, oldDefinitions) ? `[${tag}=${value}]` : qualifierOf(news[0]!);
    return { pairs: [{ old: olds[0]!, new: news[0]!, qualifier }], added: [], removed: [] };
  }
  if (olds.length === 0 || news.length === 0) return { pairs: [], added: news.map((branch) => ({ branch })), removed: olds.map((branch) => ({ branch })) };
  const pairs: Pair[] = [];
  let left = { olds, news };

  const tag = tagProperty(olds, news, oldDefinitions, newDefinitions);
  if (tag !== undefined) {
    const oldByTag = new Map(olds.map((b) => [tagValue(b, tag, oldDefinitions), b]));
    for (const branch of news) {
      const value = tagValue(branch, tag, newDefinitions)!;
      const match = oldByTag.get(value);
      if (match) pairs.push({ old: match, new: branch, qualifier: `[${tag}=${value}]` });
    }
    left = remaining(left, pairs);
  }

  // variants pinning different tags are different variants, whatever else they share
  const compatible = (old: Branch, branch: Branch) => {
    if (tag === undefined) return true;
    const [a, b] = [tagValue(old, tag, oldDefinitions), tagValue(branch, tag, newDefinitions)];
    return a === undefined || b === undefined || a === b;
  };
  for (const branch of left.news) {
    const match = left.olds.find((b) => b.named !== undefined && b.named === branch.named && compatible(b, branch));
    if (match) pairs.push({ old: match, new: branch, qualifier: `[${branch.named}]` });
  }
  left = remaining(left, pairs);

  for (const branch of left.news) {
    const match = mostAlike(branch, remaining(left, pairs).olds.filter((b) => compatible(b, branch)));
    if (match) pairs.push({ old: match, new: branch, qualifier: qualifierOf(branch) });
  }
  left = remaining(left, pairs);
  const variant = (definitions: Definitions) => (branch: Branch): Variant => {
    const value = tag === undefined ? undefined : tagValue(branch, tag, definitions);
    return value === undefined ? { branch } : { branch, tag: `${tag} ${JSON.stringify(value)}` };
  };
  return { pairs, added: left.news.map(variant(newDefinitions)), removed: left.olds.map(variant(oldDefinitions)) };
}

function remaining(left: { olds: Branch[]; news: Branch[] }, pairs: Pair[]): { olds: Branch[]; news: Branch[] } {
  const usedOld = new Set(pairs.map((p) => p.old));
  const usedNew = new Set(pairs.map((p) => p.new));
  return { olds: left.olds.filter((b) => !usedOld.has(b)), news: left.news.filter((b) => !usedNew.has(b)) };
}

/**
 * A property every variant pins to a string of its own (on both sides), the first by name:
 * `actorType` in Plain's actors, `entryType` in timeline entries.
 */
function tagProperty(olds: Branch[], news: Branch[], oldDefinitions: Definitions, newDefinitions: Definitions): string | undefined {
  const candidates = [...new Set([...olds, ...news].flatMap((b) => propertyNames(b.schema)))].sort(compare);
  const distinct = (branches: Branch[], definitions: Definitions, name: string) => {
    const values = branches.map((b) => tagValue(b, name, definitions));
    return values.every((v) => v !== undefined) && new Set(values).size === values.length;
  };
  return candidates.find((name) => distinct(olds, oldDefinitions, name) && distinct(news, newDefinitions, name));
}

/** The old variant sharing most properties with `branch`, if it shares at least half of them. */
function mostAlike(branch: Branch, olds: Branch[]): Branch | undefined {
  const mine = new Set(propertyNames(branch.schema));
  let best: Branch | undefined;
  let bestScore = 0;
  for (const candidate of olds) {
    const theirs = propertyNames(candidate.schema);
    const shared = theirs.filter((n) => mine.has(n)).length;
    const score = shared / Math.max(1, new Set([...mine, ...theirs]).size);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return bestScore >= 0.5 ? best : undefined;
}
