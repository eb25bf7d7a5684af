// The second pass's format keyword: the module's own format checks ($formats).

/** Whether a value passes a format (one made for another type of value passes). */
function $formatPasses(name, data) {
  const format = $formats[name];
  if (format === undefined) return true;
  const object = typeof format == "object" && !(format instanceof RegExp);
  if ((object ? format.type || "string" : "string") !== typeof data) return true;
  const check = object ? format.validate : format;
  return typeof check == "function" ? check(data) : check.test(data);
}

function $x_format(plan, data, path, at, errors) {
  if (!$formatPasses(plan.format, data)) $fail(errors, path, at, "format", { format: plan.format }, 'must match format "' + plan.format + '"');
}

function $p_format(schema, plan) {
  plan.format = schema.format;
}
