// Format checks that are not a single regular expression. Regular-expression formats are
// emitted inline by the validator compiler; these are the rest, with the verdicts of
// ajv-formats' "full" mode (the test suite compares the two on many strings).
// Each format is one top-level declaration, so that a module carries only those it uses.

const $formatDate = (() => {
  const shape = /^(\d{4})-(\d{2})-(\d{2})$/;
  const daysIn = (year, month) =>
    month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
      : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return (str) => {
    const m = shape.exec(str);
    if (m === null) return false;
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  };
})();

function $formatTimeChecker(zoneRequired) {
  const shape = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(z|([+-])(\d{2})(?::?(\d{2}))?)?$/i;
  return (str) => {
    const m = shape.exec(str);
    if (m === null) return false;
    const [, h, min, s, zone, sign, zh, zm] = m;
    const hour = Number(h);
    const minute = Number(min);
    const second = Number(s);
    const zoneHour = Number(zh ?? 0);
    const zoneMinute = Number(zm ?? 0);
    if (zoneHour > 23 || zoneMinute > 59) return false;
    if (zoneRequired && zone === undefined) return false;
    if (hour <= 23 && minute <= 59 && second < 60) return true;
    // A leap second is valid only at 23:59:60 UTC.
    const direction = sign === "-" ? -1 : 1;
    const utcMinute = minute - zoneMinute * direction;
    const utcHour = hour - zoneHour * direction - (utcMinute < 0 ? 1 : 0);
    return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
  };
}

// True only for the shape nearly every payload uses, 2024-01-31T10:00:00(.123)?(Z|+01:00),
// when its fields are in range; anything else (false included) is left to the full check.
// One test of a fixed pattern and the numbers read from character codes: several times
// faster than splitting and matching with captures. More than 9 fraction digits could round
// the seconds up to 60; the full check decides those.
const $commonDateTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;

function $isCommonDateTime(str) {
  if (!$commonDateTime.test(str)) return false;
  const year = $twoDigits(str, 0) * 100 + $twoDigits(str, 2);
  const month = $twoDigits(str, 5);
  const day = $twoDigits(str, 8);
  const days =
    month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
      : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const zone = str.length - 5; // +01:00 from its digits, or the Z at its end
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= days &&
    $twoDigits(str, 11) <= 23 && $twoDigits(str, 14) <= 59 && $twoDigits(str, 17) <= 59 &&
    (str.charCodeAt(zone + 4) === 90 || ($twoDigits(str, zone) <= 23 && $twoDigits(str, zone + 3) <= 59))
  );
}

// The number two ASCII digits at `at` spell (the caller has matched them as digits).
function $twoDigits(str, at) {
  return str.charCodeAt(at) * 10 + str.charCodeAt(at + 1) - 528;
}

function $formatDateTimeChecker(zoneRequired) {
  const time = $formatTimeChecker(zoneRequired);
  return (str) => {
    if ($isCommonDateTime(str)) return true;
    const parts = str.split(/t|\s/i);
    return parts.length === 2 && $formatDate(parts[0]) && time(parts[1]);
  };
}

const $formatTime = $formatTimeChecker(true);

const $formatDateTime = $formatDateTimeChecker(true);

const $formatIsoTime = $formatTimeChecker(false);

const $formatIsoDateTime = $formatDateTimeChecker(false);

// RFC 3986 URI, assembled from the grammar's parts (with ajv-formats' verdicts: a single
// "/" may also introduce an authority, and a port may be empty).
const $formatUri = (() => {
  const hex = "[0-9a-f]";
  const escaped = `%${hex}{2}`;
  const plain = "a-z0-9\\-._~!$&'()*+,;=";
  const segmentChar = `(?:[${plain}:@]|${escaped})`;
  const decOctet = "(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)";
  const ipv4 = `(?:${decOctet}\\.){3}${decOctet}`;
  const h16 = `${hex}{1,4}`;
  const ls32 = `(?:${h16}:${h16}|${ipv4})`;
  const upTo = (n) => `(?:(?:${h16}:){0,${n}}${h16})?`;
  const ipv6 =
    `(?:(?:(?:${h16}:){6}|::(?:${h16}:){5}|(?:${h16})?::(?:${h16}:){4}|${upTo(1)}::(?:${h16}:){3}` +
    `|${upTo(2)}::(?:${h16}:){2}|${upTo(3)}::${h16}:|${upTo(4)}::)${ls32}|${upTo(5)}::${h16}|${upTo(6)}::)`;
  const ipFuture = `[Vv]${hex}+\\.[${plain}:]+`;
  const host = `(?:\\[(?:${ipv6}|${ipFuture})\\]|${ipv4}|(?:[${plain}]|${escaped})*)`;
  const authority = `\\/?\\/(?:(?:[${plain}:]|${escaped})*@)?${host}(?::\\d*)?(?:\\/${segmentChar}*)*`;
  const absolute = `\\/(?:${segmentChar}+(?:\\/${segmentChar}*)*)?`;
  const rootless = `${segmentChar}+(?:\\/${segmentChar}*)*`;
  const tail = `(?:[${plain}:@/?]|${escaped})*`;
  const uri = new RegExp(
    `^(?:[a-z][a-z0-9+\\-.]*:)(?:${authority}|${absolute}|${rootless})(?:\\?${tail})?(?:#${tail})?$`,
    "i",
  );
  // the common shape, a strict subset of the grammar above (http(s)://host[:port][/path][?query],
  // unescaped), in one pass of character classes: the grammar's per-character alternatives
  // backtrack, and payloads such as GitHub's carry dozens of URLs each
  const common =
    /^https?:\/\/[A-Za-z0-9\-.]+(?::\d+)?(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?$/;
  return (str) => common.test(str) || (/\/|:/.test(str) && uri.test(str));
})();

// RFC 3987 IRIs and IRI references: the URI grammar above with the characters beyond ASCII
// RFC 3987 allows (ucschar), and in the query the private-use ones (iprivate).
function $iriPattern(reference) {
  const hex = "[0-9a-f]";
  const escaped = `%${hex}{2}`;
  const ucschar = "\\u{A0}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFEF}\\u{10000}-\\u{EFFFD}";
  const iprivate = "\\u{E000}-\\u{F8FF}\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}";
  const plain = `a-z0-9\\-._~!$&'()*+,;=${ucschar}`;
  const segmentChar = `(?:[${plain}:@]|${escaped})`;
  const decOctet = "(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)";
  const ipv4 = `(?:${decOctet}\\.){3}${decOctet}`;
  const h16 = `${hex}{1,4}`;
  const ls32 = `(?:${h16}:${h16}|${ipv4})`;
  const upTo = (n) => `(?:(?:${h16}:){0,${n}}${h16})?`;
  const ipv6 =
    `(?:(?:(?:${h16}:){6}|::(?:${h16}:){5}|(?:${h16})?::(?:${h16}:){4}|${upTo(1)}::(?:${h16}:){3}` +
    `|${upTo(2)}::(?:${h16}:){2}|${upTo(3)}::${h16}:|${upTo(4)}::)${ls32}|${upTo(5)}::${h16}|${upTo(6)}::)`;
  const ipFuture = `[Vv]${hex}+\\.[a-z0-9\\-._~!$&'()*+,;=:]+`;
  const host = `(?:\\[(?:${ipv6}|${ipFuture})\\]|${ipv4}|(?:[${plain}]|${escaped})*)`;
  const authority = `\\/?\\/(?:(?:[${plain}:]|${escaped})*@)?${host}(?::\\d*)?(?:\\/${segmentChar}*)*`;
  const absolute = `\\/(?:${segmentChar}+(?:\\/${segmentChar}*)*)?`;
  const rootless = `${segmentChar}+(?:\\/${segmentChar}*)*`;
  const query = `(?:[${plain}${iprivate}:@/?]|${escaped})*`;
  const fragment = `(?:[${plain}:@/?]|${escaped})*`;
  const scheme = `(?:[a-z][a-z0-9+\\-.]*:)${reference ? "?" : ""}`;
  const path = `(?:${authority}|${absolute}|${rootless})${reference ? "?" : ""}`;
  return new RegExp(`^${scheme}${path}(?:\\?${query})?(?:#${fragment})?$`, "iu");
}

const $formatIri = (() => {
  const iri = $iriPattern(false);
  return (str) => iri.test(str) && /\/|:/.test(str);
})();

const $formatIriReference = (() => {
  const reference = $iriPattern(true);
  return (str) => reference.test(str);
})();

// Internationalized host names (RFC 5890), checked for shape: labels of letters, marks,
// digits and hyphens (any script), separated by the dots IDNA accepts, 63 characters a
// label at most (an A-label "xn--…" is plain ASCII), no hyphen at either end of a label.
const $formatIdnHostname = (() => {
  const label = /^(?!-)[\p{L}\p{M}\p{N}-]{1,63}(?<!-)$/u;
  return (str) => {
    if (str.length === 0 || str.length > 253) return false;
    const labels = str.split(/[.\u3002\uff0e\uff61]/);
    return labels.every((part) => label.test(part) && !(/^..--/.test(part) && !/^xn--[a-z0-9-]+$/i.test(part)));
  };
})();

// Internationalized email addresses (RFC 6531): the local part of "email" with any
// character beyond ASCII as well, at an internationalized host name.
const $formatIdnEmail = (() => {
  const local = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_\x60{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_\x60{|}~-]+)*$/u;
  return (str) => {
    const at = str.lastIndexOf("@");
    return at > 0 && local.test(str.slice(0, at)) && $formatIdnHostname(str.slice(at + 1));
  };
})();

const $formatByte = (str) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/m.test(str);

const $formatRegex = (str) => {
  if (/[^\\]\\Z/.test(str)) return false;
  try {
    new RegExp(str);
    return true;
  } catch {
    return false;
  }
};

const $formatInt32 = { type: "number", validate: (n) => Number.isInteger(n) && n <= 2147483647 && n >= -2147483648 };

const $formatInt64 = { type: "number", validate: (n) => Number.isInteger(n) };

const $formatFloat = { type: "number", validate: () => true };

const $formatDouble = { type: "number", validate: () => true };

const $allFormats = {
  date: $formatDate,
  time: $formatTime,
  "date-time": $formatDateTime,
  "iso-time": $formatIsoTime,
  "iso-date-time": $formatIsoDateTime,
  uri: $formatUri,
  iri: $formatIri,
  "iri-reference": $formatIriReference,
  "idn-hostname": $formatIdnHostname,
  "idn-email": $formatIdnEmail,
  byte: $formatByte,
  regex: $formatRegex,
  int32: $formatInt32,
  int64: $formatInt64,
  float: $formatFloat,
  double: $formatDouble,
};
