// Deep equality of JSON values, as JSON Schema compares const, enum and uniqueItems.
function $equal(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return a !== a && b !== b; // NaN equals NaN
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!$equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || a.constructor !== b.constructor) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !$equal(a[key], b[key])) return false;
  }
  return true;
}
