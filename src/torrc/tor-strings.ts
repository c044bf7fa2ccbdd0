/**
 * Tor's small string helpers, reproduced for the validation rules that read option values
 * the way Tor does: `smartlist_split_string` (src/lib/smartlist_core/smartlist_split.c),
 * `eat_whitespace`/`find_whitespace`, `string_is_C_identifier` (src/lib/string/util_string.c),
 * `string_is_key_value` (src/lib/encoding/keyval.c), `string_is_utf8`, `base16_decode` and
 * `base64_decode` (src/lib/encoding/binascii.c).
 *
 * Values are JavaScript strings; every helper treats them as Tor treats C strings (a NUL ends
 * them) and only looks at ASCII, so characters above 127 behave like the bytes Tor sees.
 */

/** `TOR_ISSPACE`: C's isspace in the "C" locale (space, \t, \n, \v, \f, \r). */
export function isTorSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** `TOR_ISALPHA`. */
export function isTorAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** `TOR_ISDIGIT`. */
export function isTorDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** `TOR_ISXDIGIT`. */
export function isTorHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** The value as Tor holds it: a C string ends at the first NUL. */
export function cString(value: string): string {
  const nul = value.indexOf('\0');
  return nul === -1 ? value : value.slice(0, nul);
}

/** Flags of `smartlist_split_string`. */
export interface SplitFlags {
  /** `SPLIT_SKIP_SPACE`: trim C whitespace around each piece. */
  readonly skipSpace?: boolean;
  /** `SPLIT_IGNORE_BLANK`: drop empty pieces. */
  readonly ignoreBlank?: boolean;
  /** `SPLIT_STRIP_SPACE`: remove every space (only ' ') inside each piece. */
  readonly stripSpace?: boolean;
}

/**
 * `smartlist_split_string(sl, s, sep, flags, max)`: with `sep` undefined, pieces are separated
 * by runs of spaces and tabs; with `max > 0`, the last piece takes the rest of the string.
 */
export function splitString(value: string, sep: string | undefined, flags: SplitFlags = {}, max = 0): string[] {
  const s = cString(value);
  const out: string[] = [];
  let cp = 0;
  for (;;) {
    if (flags.skipSpace) while (isTorSpace(s[cp])) cp++;
    let end: number;
    if (max > 0 && out.length === max - 1) {
      end = s.length;
    } else if (sep !== undefined) {
      const found = s.indexOf(sep, cp);
      end = found === -1 ? s.length : found;
    } else {
      end = cp;
      while (end < s.length && s[end] !== '\t' && s[end] !== ' ') end++;
    }
    let next: number | undefined;
    if (end >= s.length) {
      next = undefined;
    } else if (sep !== undefined) {
      next = end + sep.length;
    } else {
      next = end + 1;
      while (s[next] === '\t' || s[next] === ' ') next++;
    }
    if (flags.skipSpace) while (end > cp && isTorSpace(s[end - 1])) end--;
    if (end !== cp || !flags.ignoreBlank) {
      let piece = s.slice(cp, end);
      if (flags.stripSpace) piece = piece.replace(/ /g, '');
      out.push(piece);
    }
    if (next === undefined) break;
    cp = next;
  }
  return out;
}

/** `eat_whitespace`: skips spaces, tabs, newlines, CRs and `#` comments (not \v or \f). */
export function eatWhitespace(s: string, p: number): number {
  for (;;) {
    const c = s[p];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') p++;
    else if (c === '#') {
      p++;
      while (p < s.length && s[p] !== '\n') p++;
    } else return p;
  }
}

/** `find_whitespace`: the first space, tab, CR, LF or `#` at or after `p` (or the end). */
export function findWhitespace(s: string, p: number): number {
  while (p < s.length) {
    const c = s[p];
    if (c === '#' || c === ' ' || c === '\r' || c === '\n' || c === '\t') return p;
    p++;
  }
  return p;
}

/** `string_is_C_identifier`: a letter or `_`, then letters, digits and `_`. */
export function isCIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

/** `string_is_key_value`: at least two characters and an `=` that is not the first. */
export function isKeyValue(s: string): boolean {
  return s.length >= 2 && s.indexOf('=') > 0;
}

/** `string_is_utf8`: strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
export function isStrictUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `base16_decode` into a buffer of `capacity` bytes: the bytes, or undefined when Tor fails. */
export function base16Decode(text: string, capacity: number): Uint8Array | undefined {
  if (text.length % 2 !== 0 || capacity < text.length / 2) return undefined;
  if (!/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * `base64_decode` into a buffer of `capacity` bytes: whitespace (space, \t, \n, \v, \r, but
 * not \f) is skipped, `=` ends the data, anything else outside the alphabet fails; returns the
 * number of bytes decoded, or undefined when Tor fails.
 */
export function base64DecodedLength(text: string, capacity: number): number | undefined {
  let bits = 0;
  let length = 0;
  for (const c of text) {
    if (c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\r') continue;
    if (c === '=') break;
    if (!BASE64.includes(c)) return undefined;
    bits++;
    if (bits === 4) {
      if (capacity < 3 || length > capacity - 3) return undefined;
      length += 3;
      bits = 0;
    }
  }
  if (bits === 1) return undefined;
  const extra = bits === 0 ? 0 : bits - 1;
  if (extra > 0 && (capacity < extra || length > capacity - extra)) return undefined;
  return length + extra;
}
