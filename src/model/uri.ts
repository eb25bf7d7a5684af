/**
 * URI references as JSON Schema uses them (RFC 3986): `$id` and `$ref` are resolved against
 * the base URI in effect. The WHATWG `URL` class does this for hierarchical URIs (http:,
 * file:, our own catalogue: scheme) and normalises them; for a base it cannot take as one
 * (an opaque URN, say) the RFC's own algorithm (section 5.2) is used.
 */

/** Resolves `reference` against the absolute URI `base`; undefined when it cannot be. */
export function resolveUri(reference: string, base: string): string | undefined {
  try {
    return new URL(reference, base).href;
  } catch {
    return rfc3986Resolve(reference, base);
  }
}

/** The URI without its fragment, and the fragment (still percent-encoded, "" when none). */
export function splitFragment(uri: string): { resource: string; fragment: string } {
  const at = uri.indexOf("#");
  return at === -1 ? { resource: uri, fragment: "" } : { resource: uri.slice(0, at), fragment: uri.slice(at + 1) };
}

/** Whether a reference is an absolute URI (has a scheme). */
export function hasScheme(reference: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(reference);
}

/** The canonical text of an absolute URI, so that two spellings of one URI are one key. */
export function normalizeUri(uri: string): string {
  try {
    return new URL(uri).href;
  } catch {
    return uri;
  }
}

interface Parts {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

// RFC 3986 appendix B
const uriPattern = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

function parse(uri: string): Parts {
  const m = uriPattern.exec(uri)!;
  return {
    ...(m[1] !== undefined ? { scheme: m[1] } : {}),
    ...(m[2] !== undefined ? { authority: m[2] } : {}),
    path: m[3] ?? "",
    ...(m[4] !== undefined ? { query: m[4] } : {}),
    ...(m[5] !== undefined ? { fragment: m[5] } : {}),
  };
}

function recompose(p: Parts): string {
  return (
    (p.scheme !== undefined ? `${p.scheme}:` : "") +
    (p.authority !== undefined ? `//${p.authority}` : "") +
    p.path +
    (p.query !== undefined ? `?${p.query}` : "") +
    (p.fragment !== undefined ? `#${p.fragment}` : "")
  );
}

/** RFC 3986 section 5.2.4. */
function removeDotSegments(input: string): string {
  const output: string[] = [];
  let rest = input;
  while (rest.length > 0) {
    if (rest.startsWith("../")) rest = rest.slice(3);
    else if (rest.startsWith("./")) rest = rest.slice(2);
    else if (rest.startsWith("/./")) rest = rest.slice(2);
    else if (rest === "/.") rest = "/";
    else if (rest.startsWith("/../")) {
      rest = rest.slice(3);
      output.pop();
    } else if (rest === "/..") {
      rest = "/";
      output.pop();
    } else if (rest === "." || rest === "..") rest = "";
    else {
      const next = rest.indexOf("/", rest.startsWith("/") ? 1 : 0);
      const segment = next === -1 ? rest : rest.slice(0, next);
      output.push(segment);
      rest = rest.slice(segment.length);
    }
  }
  return output.join("");
}

/** RFC 3986 section 5.2.2 (strict: a reference with a scheme is taken as it is). */
function rfc3986Resolve(reference: string, base: string): string | undefined {
  const r = parse(reference);
  const b = parse(base);
  if (b.scheme === undefined) return undefined;
  let t: Parts;
  if (r.scheme !== undefined) t = { ...r, path: removeDotSegments(r.path) };
  else if (r.authority !== undefined) t = { ...r, scheme: b.scheme, path: removeDotSegments(r.path) };
  else if (r.path === "") {
    t = { ...b, ...(r.query !== undefined ? { query: r.query } : {}) };
    delete t.fragment;
    if (r.fragment !== undefined) t.fragment = r.fragment;
  } else {
    let path: string;
    if (r.path.startsWith("/")) path = removeDotSegments(r.path);
    else if (b.authority !== undefined && b.path === "") path = removeDotSegments(`/${r.path}`);
    else {
      const slash = b.path.lastIndexOf("/");
      path = removeDotSegments(slash === -1 ? r.path : b.path.slice(0, slash + 1) + r.path);
    }
    t = { scheme: b.scheme, ...(b.authority !== undefined ? { authority: b.authority } : {}), path };
    if (r.query !== undefined) t.query = r.query;
    if (r.fragment !== undefined) t.fragment = r.fragment;
  }
  return recompose(t);
}
