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
// Reads character codes instead of splitting and matching, several times faster.
function $isCommonDateTime(str) {
  const n = str.length;
  if (n < 20 || str.charCodeAt(4) !== 45 || str.charCodeAt(7) !== 45 || str.charCodeAt(10) !== 84 /* T */) return false;
  if (str.charCodeAt(13) !== 58 || str.charCodeAt(16) !== 58) return false;
  const year = $digitsAt(str, 0, 4);
  const month = $digitsAt(str, 5, 2);
  const day = $digitsAt(str, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const days =
    month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
      : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const hour = $digitsAt(str, 11, 2);
  const minute = $digitsAt(str, 14, 2);
  const second = $digitsAt(str, 17, 2);
  if (day > days || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let i = 19;
  if (str.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    while (i < n && $digitsAt(str, i, 1) >= 0) i++;
    // more digits could round the seconds up to 60; the full check decides those
    if (i === start || i - start > 9) return false;
  }
  if (i === n - 1) return str.charCodeAt(i) === 90 /* Z */;
  if (i !== n - 6 || str.charCodeAt(i + 3) !== 58) return false;
  const sign = str.charCodeAt(i);
  const zoneHour = $digitsAt(str, i + 1, 2);
  const zoneMinute = $digitsAt(str, i + 4, 2);
  return (sign === 43 || sign === 45) && zoneHour >= 0 && zoneHour <= 23 && zoneMinute >= 0 && zoneMinute <= 59;
}

// The number the `count` ASCII digits at `at` spell, or -1.
function $digitsAt(str, at, count) {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = str.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
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
  return (str) => /\/|:/.test(str) && uri.test(str);
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
  byte: $formatByte,
  regex: $formatRegex,
  int32: $formatInt32,
  int64: $formatInt64,
  float: $formatFloat,
  double: $formatDouble,
};
