/**
 * Tor's parsers for typed option values, reproduced exactly enough to tell which values Tor
 * refuses while reading a torrc ("Could not parse X: ...").
 *
 * Sources: src/lib/confmgt/type_defs.c (Boolean, Boolean+auto, Integer, SignedInteger,
 * UINT64, Float, CommaList, the legacy CSV interval), src/lib/confmgt/unitparse.c (data sizes
 * and time intervals), src/lib/string/parse_int.c (bounds checks around glibc's strtol,
 * strtoull and strtod, whose rules are reproduced here: leading C whitespace, a sign,
 * decimal digits; strtoull negates "-N" modulo 2^64; strtod also reads "inf", "nan", hex
 * floats, and reports overflow and inexact subnormal results as ERANGE).
 */
import { asciiLower, type OptionType } from './options.js';
import { eatWhitespace } from './tor-strings.js';

/** C's isspace in the "C" locale. */
const isCSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const ULLONG_MAX = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;
const DBL_MIN = 2.2250738585072014e-308;

/** Result of a C integer conversion: value, where it stopped, and whether it overflowed. */
interface CIntegerScan {
  readonly value: bigint;
  readonly end: number;
  readonly erange: boolean;
}

/** glibc `strtol(s, &end, 10)` for a 64-bit long. */
export function cStrtol(s: string): CIntegerScan {
  const { negative, digits, end } = scanInteger(s);
  if (digits === '') return { value: 0n, end: 0, erange: false };
  const magnitude = BigInt(digits);
  const value = negative ? -magnitude : magnitude;
  if (value > LONG_MAX) return { value: LONG_MAX, end, erange: true };
  if (value < LONG_MIN) return { value: LONG_MIN, end, erange: true };
  return { value, end, erange: false };
}

/** glibc `strtoull(s, &end, 10)`: "-N" is 2^64 - N unless N itself overflows. */
export function cStrtoull(s: string): CIntegerScan {
  const { negative, digits, end } = scanInteger(s);
  if (digits === '') return { value: 0n, end: 0, erange: false };
  const magnitude = BigInt(digits);
  if (magnitude > ULLONG_MAX) return { value: ULLONG_MAX, end, erange: true };
  return { value: negative && magnitude !== 0n ? 2n ** 64n - magnitude : magnitude, end, erange: false };
}

function scanInteger(s: string): { negative: boolean; digits: string; end: number } {
  let p = 0;
  while (isCSpace(s[p])) p++;
  let negative = false;
  if (s[p] === '+' || s[p] === '-') {
    negative = s[p] === '-';
    p++;
  }
  const digitsStart = p;
  while (isDigit(s[p])) p++;
  return { negative, digits: s.slice(digitsStart, p), end: p };
}

/** Result of glibc `strtod`. */
interface CDoubleScan {
  readonly value: number;
  readonly end: number;
  readonly erange: boolean;
}

/** glibc `strtod(s, &end)`: decimal and hex floats, inf/infinity, nan/nan(...), ERANGE. */
export function cStrtod(s: string): CDoubleScan {
  let p = 0;
  while (isCSpace(s[p])) p++;
  let sign = 1;
  if (s[p] === '+' || s[p] === '-') {
    sign = s[p] === '-' ? -1 : 1;
    p++;
  }
  const rest = asciiLower(s.slice(p, p + 8));
  if (rest.startsWith('infinity')) return { value: sign * Infinity, end: p + 8, erange: false };
  if (rest.startsWith('inf')) return { value: sign * Infinity, end: p + 3, erange: false };
  if (rest.startsWith('nan')) {
    let end = p + 3;
    if (s[end] === '(') {
      let q = end + 1;
      while (q < s.length && /[0-9A-Za-z_]/.test(s[q] as string)) q++;
      if (s[q] === ')') end = q + 1;
    }
    return { value: Number.NaN, end, erange: false };
  }
  if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X')) {
    const hex = scanHexFloat(s, p + 2, sign);
    // "0x" without hex digits is the number 0 followed by "x...".
    if (hex) return hex;
    return { value: 0, end: p + 1, erange: false };
  }
  const start = p;
  while (isDigit(s[p])) p++;
  let mantissaDigits = s.slice(start, p);
  let fractionDigits = '';
  if (s[p] === '.') {
    const q = p + 1;
    let r = q;
    while (isDigit(s[r])) r++;
    fractionDigits = s.slice(q, r);
    if (mantissaDigits === '' && fractionDigits === '') return { value: 0, end: 0, erange: false };
    p = r;
  } else if (mantissaDigits === '') {
    return { value: 0, end: 0, erange: false };
  }
  const scanned = scanExponent(s, p, 'e');
  const exponent = scanned.exponent;
  p = scanned.end;
  const literal = `${mantissaDigits === '' ? '0' : mantissaDigits}.${fractionDigits === '' ? '0' : fractionDigits}e${exponent}`;
  const value = sign * Number(literal);
  mantissaDigits += fractionDigits;
  const nonzero = /[1-9]/.test(mantissaDigits);
  return { value, end: p, erange: nonzero && rangeError(value, BigInt(mantissaDigits), exponent - fractionDigits.length) };
}

// An optional exponent after the mantissa: `marker` (either case), a sign, digits. Without
// digits after it, the marker is not part of the number (strtod stops before it).
function scanExponent(s: string, start: number, marker: 'e' | 'p'): { exponent: number; end: number } {
  if (s[start]?.toLowerCase() !== marker) return { exponent: 0, end: start };
  let q = start + 1;
  let sign = 1;
  if (s[q] === '+' || s[q] === '-') {
    sign = s[q] === '-' ? -1 : 1;
    q++;
  }
  if (!isDigit(s[q])) return { exponent: 0, end: start };
  const digitsStart = q;
  while (isDigit(s[q])) q++;
  // Exponents beyond any double's reach saturate; keep them finite for BigInt math.
  return { exponent: sign * Math.min(Number(s.slice(digitsStart, q)), 100000), end: q };
}

// glibc reports ERANGE for overflow to infinity and for results below DBL_MIN that are not
// exact (digits × 10^exp10 is the decimal value read).
function rangeError(value: number, digits: bigint, exp10: number): boolean {
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return true;
  if (magnitude >= DBL_MIN) return false;
  if (magnitude === 0) return true;
  // value = k × 2^-1074 exactly; compare digits × 10^exp10 with it.
  const k = BigInt(magnitude * 2 ** 537 * 2 ** 537);
  const left = exp10 >= 0 ? digits * 10n ** BigInt(exp10) * 2n ** 1074n : digits * 2n ** 1074n;
  const right = exp10 >= 0 ? k : k * 10n ** BigInt(-exp10);
  return left !== right;
}

function scanHexFloat(s: string, start: number, sign: number): CDoubleScan | undefined {
  let p = start;
  let digits = '';
  while (isHexDigit(s[p])) digits += s[p++];
  let fraction = '';
  if (s[p] === '.') {
    let q = p + 1;
    while (isHexDigit(s[q])) fraction += s[q++];
    if (digits === '' && fraction === '') return undefined;
    p = q;
  } else if (digits === '') {
    return undefined;
  }
  const scanned = scanExponent(s, p, 'p');
  const exponent = scanned.exponent;
  p = scanned.end;
  let mantissa = BigInt(`0x${digits + fraction || '0'}`);
  let exp2 = exponent - 4 * fraction.length;
  if (mantissa === 0n) return { value: sign * 0, end: p, erange: false };
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exp2++;
  }
  const bits = mantissa.toString(2).length;
  const top = exp2 + bits; // value lies in [2^(top-1), 2^top)
  if (top > 1024) return { value: sign * Infinity, end: p, erange: true };
  let value = Number(mantissa);
  let e = exp2;
  while (e > 0) {
    const step = Math.min(e, 512);
    value *= 2 ** step;
    e -= step;
  }
  while (e < 0) {
    const step = Math.max(e, -512);
    value *= 2 ** step;
    e -= step;
  }
  // Exact when the significant bits fit in what the double can hold at that magnitude.
  const lowestBit = Math.max(top - 53, -1074);
  const exact = exp2 >= lowestBit;
  const erange = Math.abs(value) === Infinity || (Math.abs(value) < DBL_MIN && !exact);
  return { value: sign * value, end: p, erange };
}

/** `tor_parse_long(s, 10, min, max, &ok, NULL)`: the whole string must be a number in range. */
export function torParseLong(s: string, min: bigint, max: bigint): bigint | undefined {
  const scan = cStrtol(s);
  if (scan.erange || scan.end === 0 || scan.end !== s.length) return undefined;
  return scan.value < min || scan.value > max ? undefined : scan.value;
}

/** `tor_parse_uint64(s, 10, 0, UINT64_MAX, &ok, NULL)`. */
export function torParseUint64(s: string): bigint | undefined {
  const scan = cStrtoull(s);
  if (scan.erange || scan.end === 0 || scan.end !== s.length) return undefined;
  return scan.value;
}

/** Tor's Float type: `strtod` must read the whole string without ERANGE. */
export function torParseDouble(s: string): number | undefined {
  const scan = cStrtod(s);
  if (scan.end === 0 || scan.end !== s.length || scan.erange) return undefined;
  return scan.value;
}

/** Unit tables of unitparse.c: unit name (lower case) → multiplier. */
const MEMORY_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['', 1n], ['b', 1n], ['byte', 1n], ['bytes', 1n],
  ['kb', 1n << 10n], ['kbyte', 1n << 10n], ['kbytes', 1n << 10n], ['kilobyte', 1n << 10n], ['kilobytes', 1n << 10n],
  ['kilobits', 1n << 7n], ['kilobit', 1n << 7n], ['kbits', 1n << 7n], ['kbit', 1n << 7n],
  ['m', 1n << 20n], ['mb', 1n << 20n], ['mbyte', 1n << 20n], ['mbytes', 1n << 20n], ['megabyte', 1n << 20n], ['megabytes', 1n << 20n],
  ['megabits', 1n << 17n], ['megabit', 1n << 17n], ['mbits', 1n << 17n], ['mbit', 1n << 17n],
  ['gb', 1n << 30n], ['gbyte', 1n << 30n], ['gbytes', 1n << 30n], ['gigabyte', 1n << 30n], ['gigabytes', 1n << 30n],
  ['gigabits', 1n << 27n], ['gigabit', 1n << 27n], ['gbits', 1n << 27n], ['gbit', 1n << 27n],
  ['tb', 1n << 40n], ['tbyte', 1n << 40n], ['tbytes', 1n << 40n], ['terabyte', 1n << 40n], ['terabytes', 1n << 40n],
  ['terabits', 1n << 37n], ['terabit', 1n << 37n], ['tbits', 1n << 37n], ['tbit', 1n << 37n],
];
const TIME_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['', 1n], ['second', 1n], ['seconds', 1n], ['minute', 60n], ['minutes', 60n], ['hour', 3600n], ['hours', 3600n],
  ['day', 86400n], ['days', 86400n], ['week', 604800n], ['weeks', 604800n], ['month', 2629728n], ['months', 2629728n],
];
const TIME_MSEC_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['', 1n], ['msec', 1n], ['millisecond', 1n], ['milliseconds', 1n], ['second', 1000n], ['seconds', 1000n],
  ['minute', 60000n], ['minutes', 60000n], ['hour', 3600000n], ['hours', 3600000n],
  ['day', 86400000n], ['days', 86400000n], ['week', 604800000n], ['weeks', 604800000n],
];

/** A value Tor refuses, and why. */
export interface ValueProblem {
  /** Why, in a few words. */
  readonly reason: string;
}

/** Which unit table a value with units is read with. */
export type UnitKind = 'memory' | 'seconds' | 'milliseconds';

const UNIT_TABLES: Record<UnitKind, ReadonlyArray<readonly [string, bigint]>> = {
  memory: MEMORY_UNITS,
  seconds: TIME_UNITS,
  milliseconds: TIME_MSEC_UNITS,
};

/** Unit names Tor accepts for a kind of value (for hints). */
export function unitNames(kind: UnitKind): string[] {
  return UNIT_TABLES[kind].map(([name]) => name).filter((name) => name !== '');
}


/** `config_parse_units`: a number (integer or decimal), optional whitespace, a unit. */
export function parseUnits(value: string, kind: UnitKind): bigint | ValueProblem {
  let integer: bigint | undefined;
  let float: number | undefined;
  let end: number;
  const asInteger = cStrtoull(value);
  if (asInteger.erange || asInteger.end === 0 || value[asInteger.end] === '.') {
    const asFloat = cStrtod(value);
    // tor_parse_double(val, 0, UINT64_MAX): NaN passes both bounds checks.
    if (asFloat.erange || asFloat.end === 0 || asFloat.value < 0 || asFloat.value > 18446744073709551616) {
      return { reason: `cannot read ${JSON.stringify(value)} as a number` };
    }
    float = asFloat.value;
    end = asFloat.end;
  } else {
    integer = asInteger.value;
    end = asInteger.end;
  }
  const unitText = asciiLower(value.slice(eatWhitespace(value, end)));
  const unit = UNIT_TABLES[kind].find(([name]) => name === unitText);
  if (!unit) return { reason: `unknown unit in ${JSON.stringify(value)}` };
  const multiplier = unit[1];
  if (integer !== undefined) {
    const product = integer !== 0n && ULLONG_MAX / integer < multiplier ? ULLONG_MAX : integer * multiplier;
    return product > INT64_MAX ? { reason: `${JSON.stringify(value)} overflows` } : product;
  }
  const scaled = Number(multiplier) * (float as number);
  if (scaled >= 2 ** 63) return { reason: `${JSON.stringify(value)} overflows` };
  // A NaN passes every check; x86-64 converts it to 2^63, which intervals then refuse as too large.
  return Number.isNaN(scaled) ? 2n ** 63n : BigInt(Math.trunc(scaled));
}

/** Which parse error a type of value gets, and how to write a good one. */
const TYPE_HINTS: Partial<Record<OptionType, string>> = {
  BOOL: 'use 0 or 1',
  AUTOBOOL: 'use 0, 1 or auto',
  INT: 'use a whole number between -2147483648 and 2147483647',
  POSINT: 'use a whole number between 0 and 2147483647',
  UINT64: 'use a whole number between 0 and 18446744073709551615',
  DOUBLE: 'use a decimal number such as 0.5',
  MEMUNIT: `use a number and a unit, e.g. "10 MB" or "1 GBits" (units: ${unitNames('memory').join(', ')})`,
  INTERVAL: `use a number and a unit, e.g. "30 minutes" (units: ${unitNames('seconds').join(', ')})`,
  MSEC_INTERVAL: `use a number and a unit, e.g. "500 msec" (units: ${unitNames('milliseconds').join(', ')})`,
  CSV_INTERVAL: `use a number and a unit, e.g. "60 seconds" (units: ${unitNames('seconds').join(', ')})`,
};

/** A typed value Tor refuses while reading the configuration. */
export interface TypedValueProblem extends ValueProblem {
  /** The error code for it. */
  readonly code: 'TORRC_BAD_BOOL' | 'TORRC_BAD_AUTOBOOL' | 'TORRC_BAD_INTEGER' | 'TORRC_BAD_DOUBLE' | 'TORRC_BAD_DATA_SIZE' | 'TORRC_BAD_INTERVAL';
  /** What a good value looks like. */
  readonly hint: string;
}

/**
 * Checks a non-empty value against its option's type as Tor's parser does; undefined when
 * Tor accepts it. Types whose values Tor reads without checking here (strings, file names,
 * comma lists, line lists, routersets, obsolete options) are always accepted.
 */
export function checkTypedValue(type: OptionType, value: string): TypedValueProblem | undefined {
  const hint = TYPE_HINTS[type] ?? '';
  switch (type) {
    case 'BOOL':
      return value === '0' || value === '1' ? undefined : { code: 'TORRC_BAD_BOOL', reason: `${JSON.stringify(value)} is not 0 or 1`, hint };
    case 'AUTOBOOL': {
      const lower = asciiLower(value);
      return lower === '0' || lower === '1' || lower === 'auto'
        ? undefined
        : { code: 'TORRC_BAD_AUTOBOOL', reason: `${JSON.stringify(value)} is not 0, 1 or auto`, hint };
    }
    case 'INT':
    case 'POSINT':
      return torParseLong(value, type === 'INT' ? INT_MIN : 0n, INT_MAX) === undefined
        ? { code: 'TORRC_BAD_INTEGER', reason: `${JSON.stringify(value)} is not a whole number in range`, hint }
        : undefined;
    case 'UINT64':
      return torParseUint64(value) === undefined
        ? { code: 'TORRC_BAD_INTEGER', reason: `${JSON.stringify(value)} is not a whole number in range`, hint }
        : undefined;
    case 'DOUBLE':
      return torParseDouble(value) === undefined
        ? { code: 'TORRC_BAD_DOUBLE', reason: `${JSON.stringify(value)} is not a number Tor can read`, hint }
        : undefined;
    case 'MEMUNIT': {
      const parsed = parseUnits(value, 'memory');
      return typeof parsed === 'bigint' ? undefined : { code: 'TORRC_BAD_DATA_SIZE', reason: parsed.reason, hint };
    }
    case 'INTERVAL':
    case 'MSEC_INTERVAL':
    case 'CSV_INTERVAL': {
      // The legacy CSV interval keeps only what comes before the first comma.
      const text = type === 'CSV_INTERVAL' ? value.split(',', 1)[0] ?? '' : value;
      const parsed = parseUnits(text, type === 'MSEC_INTERVAL' ? 'milliseconds' : 'seconds');
      if (typeof parsed !== 'bigint') return { code: 'TORRC_BAD_INTERVAL', reason: parsed.reason, hint };
      return parsed > INT_MAX ? { code: 'TORRC_BAD_INTERVAL', reason: `${JSON.stringify(value)} is too large (at most 2147483647)`, hint } : undefined;
    }
    default:
      return undefined;
  }
}

/** Characters Tor allows in a nickname (`LEGAL_NICKNAME_CHARACTERS`). */
const NICKNAME = /^[A-Za-z0-9]{1,19}$/;

/** `is_legal_nickname`: 1 to 19 ASCII letters and digits. */
export function isLegalNickname(value: string): boolean {
  return NICKNAME.test(value);
}
