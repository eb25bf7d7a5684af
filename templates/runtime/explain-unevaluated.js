// The second pass's unevaluatedProperties and unevaluatedItems: what the other keywords and the in-place
// subschemas that pass evaluated (as the first pass collects it), then Ajv's errors for the rest.

/** A plan's definition when it is only a $ref, else the plan. */
const $target = (plan) => (plan.only !== undefined ? $definition(plan.only) : plan);

/**
 * Calls `merge` with each in-place subschema whose annotations count for this value: allOf
 * and $ref always, anyOf, oneOf, dependentSchemas and the if/then/else clause taken when they pass.
 */
function $inPlace(plan, data, merge) {
  const valid = (sub) => $valid(sub, data);
  const subs = [...(plan.allOf ?? [])];
  if (plan.ref !== undefined && plan.only === undefined) subs.push($definition(plan.ref));
  for (const sub of [...(plan.anyOf ?? []), ...(plan.oneOf ?? [])]) if (valid(sub)) subs.push(sub);
  for (const [, schemas] of Object.values(plan.dependencies)) {
    for (const [key, sub] of schemas) if ($is("object", data) && $own(data, key) !== undefined && valid(sub)) subs.push(sub);
  }
  if (plan.if !== undefined) {
    if (valid(plan.if)) subs.push(plan.if, ...(plan.then !== undefined && valid(plan.then) ? [plan.then] : []));
    else if (plan.else !== undefined && valid(plan.else)) subs.push(plan.else);
  }
  for (const sub of subs) if (merge(sub)) return true;
  return false;
}

/** Adds to `seen` the property names a plan evaluates on an object; true when it evaluates them all. */
function $evaluatedProperties(plan, data, seen, depth = 0) {
  if (typeof plan == "boolean" || depth > 64) return false;
  plan = $target(plan);
  // (the unevaluatedProperties being checked is the top one's own, depth 0)
  if (plan.additionalProperties !== undefined || (depth > 0 && plan.unevaluatedProperties !== undefined)) return true;
  for (const key of Object.keys(plan.known)) seen.add(key);
  for (const { pattern } of plan.patternProperties) for (const key in data) if (pattern.test(key)) seen.add(key);
  return $inPlace(plan, data, (sub) => $evaluatedProperties(sub, data, seen, depth + 1));
}

/** Adds to `seen` the indices of the items a plan evaluates through contains; returns how many leading items it evaluates. */
function $evaluatedItems(plan, data, seen, depth = 0) {
  if (typeof plan == "boolean" || depth > 64) return 0;
  plan = $target(plan);
  if ((depth > 0 && plan.unevaluatedItems !== undefined) || (plan.items !== undefined && !Array.isArray(plan.items))) return Infinity;
  let n = plan.prefixItems?.length ?? 0;
  if (plan.contains !== undefined) for (let i = 0; i < data.length; i++) if ($valid(plan.contains, data[i])) seen.add(i);
  $inPlace(plan, data, (sub) => {
    n = Math.max(n, $evaluatedItems(sub, data, seen, depth + 1));
    return n === Infinity;
  });
  return n;
}

function $unevaluatedProperties(plan, data, path, at, errors) {
  if ($alwaysValid(plan.unevaluatedProperties)) return;
  const seen = new Set();
  if ($evaluatedProperties(plan, data, seen)) return;
  const sub = plan.unevaluatedProperties;
  for (const key in data) {
    if (seen.has(key)) continue;
    if (sub === false) $fail(errors, path, at, "unevaluatedProperties", { unevaluatedProperty: key }, "must NOT have unevaluated properties");
    else if (!$passes(sub, data[key])) $walk(sub, data[key], path + "/" + $pointer(key), at + "/unevaluatedProperties", errors);
  }
}

function $unevaluatedItems(plan, data, path, at, errors) {
  if ($alwaysValid(plan.unevaluatedItems)) return;
  const seen = new Set();
  const n = $evaluatedItems(plan, data, seen);
  const sub = plan.unevaluatedItems;
  for (let i = n; i < data.length; i++) {
    if (seen.has(i)) continue;
    if (sub === false) return $fail(errors, path, at, "unevaluatedItems", { limit: n }, "must NOT have more than " + n + " items");
    if (!$passes(sub, data[i])) $walk(sub, data[i], path + "/" + i, at + "/unevaluatedItems", errors);
  }
}

const $x_unevaluatedItems = $unevaluatedItems;

const $x_unevaluatedProperties = $unevaluatedProperties;

// Each keyword's part of a plan (see $plan).

function $p_unevaluatedProperties(schema, plan) {
  plan.unevaluatedProperties = $plan(schema.unevaluatedProperties);
}

function $p_unevaluatedItems(schema, plan) {
  plan.unevaluatedItems = $plan(schema.unevaluatedItems);
}
