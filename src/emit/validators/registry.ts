import type { Dialect } from "../../model/build.js";
import { applicatorKeywords } from "./applicator.js";
import { groupTypes, type Group, type SchemaObject } from "./code.js";
import { coreKeywords } from "./core.js";
import { formatKeywords } from "./format.js";
import type { Keyword } from "./keyword.js";
import { unevaluatedKeywords } from "./unevaluated.js";
import { validationKeywords } from "./validation.js";

/** Every keyword the compiler implements, by name: the families' lists. */
export const keywords: ReadonlyMap<string, Keyword> = new Map(
  [...coreKeywords, ...applicatorKeywords, ...validationKeywords, ...formatKeywords, ...unevaluatedKeywords].map((k) => [k.keyword, k]),
);

/**
 * Keywords Ajv knows that change no verdict here: a comment, and the anchors of
 * $dynamicRef/$recursiveRef (which the compiler does not take: the model resolves references).
 */
const ignored: Record<Dialect, readonly string[]> = { "draft-07": ["$comment"], "2020-12": ["$comment", "$dynamicAnchor", "$recursiveAnchor"] };
export const ignoredKeywords: ReadonlySet<string> = new Set(Object.values(ignored).flat());

/** Keywords Ajv evaluates that the compiler does not take: a schema using one is a Problem. */
const notCompiled: Record<Dialect, readonly string[]> = { "draft-07": [], "2020-12": ["$dynamicRef", "$recursiveRef"] };

/**
 * The keywords Ajv (8, with strict: false) evaluates, per dialect (the rest are annotations it
 * ignores): the registry's, by their dialects, and the two lists above.
 */
const evaluated = (dialect: Dialect): ReadonlySet<string> =>
  new Set([...ignored[dialect], ...notCompiled[dialect], ...[...keywords.values()].filter((k) => k.dialects.includes(dialect)).map((k) => k.keyword)]);
export const ajvKeywords: Record<Dialect, ReadonlySet<string>> = { "draft-07": evaluated("draft-07"), "2020-12": evaluated("2020-12") };

/** The keywords the compiler implements (with Ajv's semantics), and those it ignores as Ajv does. */
export const compiledKeywords: ReadonlySet<string> = new Set([...ignoredKeywords, ...keywords.keys()]);

const phaseGroups = (k: Keyword): readonly string[] => (typeof k.phase === "string" ? [k.phase] : k.phase);
const byOrder = (a: Keyword, b: Keyword) => a.order - b.order;

/** Keywords by phase, each in the order its code is placed: all of them (phases), or a schema's (phasesOf). */
export interface Phases {
  first: Keyword[];
  groups: Record<Group, Keyword[]>;
  last: Keyword[];
}

/** The keywords of each phase, in the order their code is placed. */
export const phases: Phases = {
  first: [...keywords.values()].filter((k) => k.phase === "first").sort(byOrder),
  groups: Object.fromEntries(groupTypes.map((g) => [g, [...keywords.values()].filter((k) => phaseGroups(k).includes(g)).sort(byOrder)])) as Record<Group, Keyword[]>,
  last: [...keywords.values()].filter((k) => k.phase === "last").sort(byOrder),
};

/** The keywords that apply to one type of value only, by type (Ajv's rule groups). */
export const groupKeywords: Record<Group, string[]> = Object.fromEntries(groupTypes.map((g) => [g, phases.groups[g].map((k) => k.keyword)])) as Record<Group, string[]>;

/** Where a keyword's code goes: its phase, and its place among all phases' keywords in their order. */
interface Placement {
  keyword: Keyword;
  phase: "first" | Group | "last";
  position: number;
}

/** Each keyword with code, by name: where it goes (a keyword of several types goes in each of their groups). */
const placements: ReadonlyMap<string, Placement[]> = (() => {
  const ordered: [Placement["phase"], Keyword[]][] = [["first", phases.first], ...groupTypes.map((g) => [g, phases.groups[g]] as [Group, Keyword[]]), ["last", phases.last]];
  const byName = new Map<string, Placement[]>();
  let position = 0;
  for (const [phase, list] of ordered) {
    for (const keyword of list) {
      position++;
      if (keyword.compile === undefined) continue;
      byName.set(keyword.keyword, [...(byName.get(keyword.keyword) ?? []), { keyword, phase, position }]);
    }
  }
  return byName;
})();

/**
 * The keywords with code a schema has, by phase: found from its own keys (a few), rather than
 * by looking each of the registry's keywords up in it (a schema is compiled for each shape).
 */
export function phasesOf(schema: SchemaObject): Phases {
  const found: Placement[] = [];
  for (const key of Object.keys(schema)) {
    const at = placements.get(key);
    if (at !== undefined && schema[key] !== undefined) found.push(...at);
  }
  found.sort((a, b) => a.position - b.position);
  const present: Phases = { first: [], groups: Object.fromEntries(groupTypes.map((g) => [g, []])) as unknown as Record<Group, Keyword[]>, last: [] };
  for (const { keyword, phase } of found) {
    if (phase === "first" || phase === "last") present[phase].push(keyword);
    else present.groups[phase].push(keyword);
  }
  return present;
}
