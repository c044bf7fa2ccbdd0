/**
 * The torrc lexer: how Tor 0.4.9.11 cuts a file into keyword/value entries.
 *
 * Tor reads a file with `read_file_to_str` (src/lib/fs/files.c), which drops every CR byte,
 * and then treats the result as a C string, so nothing after a NUL byte exists for it. The
 * entries are then read one by one by `parse_config_line_from_str_verbose`
 * (src/lib/encoding/confline.c); quoted values are decoded by `unescape_string`
 * (src/lib/encoding/cstring.c). This module works on that prepared text (see
 * `prepareTorrcText`) and reproduces both functions step by step.
 *
 * Grammar, as the code below reads it (`SP` is space or tab, `WS` is C's isspace: space, tab,
 * newline, vertical tab, form feed, CR):
 *
 *   file        ::= ( WS | comment-line )* ( entry ( WS | comment-line )* )*
 *   comment     ::= "#" { any but newline }
 *   entry       ::= key SP* ( quoted | unquoted )
 *   key         ::= { any but WS, "#", or "\" newline }          -- may be empty
 *   quoted      ::= '"' c-string '"' SP* [ comment ] ( newline | end )
 *   c-string    ::= { char but '"', "\", newline, NUL | escape }
 *   escape      ::= "\" ( "n" | "r" | "t" | '"' | "\" | "'" | ("x"|"X") hex hex | octal{1,3} )
 *   unquoted    ::= { char | "\" newline | comment-in-continuation } ( newline | end | comment )
 *
 * Three rules make unquoted values surprising:
 * - `#` starts a comment anywhere in an unquoted value, even without a space before it.
 * - A backslash right before a newline joins the next line, keeping its leading whitespace;
 *   the value's trailing whitespace is trimmed afterwards, so a backslash followed by a blank
 *   line or the end of the file stays in the value.
 * - Once an entry is continued, a comment ends only its own line and swallows its newline,
 *   so the next line joins the entry even without a backslash; a blank line stops that.
 */

/** C's isspace in the "C" locale, as Tor's TOR_ISSPACE table defines it. */
export function isTorSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

// The scanning loops below compare character codes (`charCodeAt` is NaN past the end, which
// equals nothing), which spares a one-character string per character of a large file.
const NL = 10;
const TAB = 9;
const SPACE = 32;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;

/** `isTorSpace` of a character code: space, tab, newline, vertical tab, form feed, CR. */
function isSpaceCode(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= 13);
}

/** The text Tor actually parses, with a map back to the offsets of the original source. */
export interface PreparedText {
  /** The source up to the first NUL, with every CR removed. */
  readonly text: string;
  /**
   * `rawIndex[i]` is the offset in the source of `text[i]`; undefined when no CR was removed,
   * so that every offset is the same in both.
   */
  readonly rawIndex: readonly number[] | undefined;
  /** Offset of the first NUL in the source, or the source length when there is none. */
  readonly cutoff: number;
}

/** The offset in the source of `prepared.text[pos]`. */
export function rawOffset(prepared: PreparedText, pos: number): number {
  return prepared.rawIndex === undefined ? pos : (prepared.rawIndex[pos] as number);
}

/** Applies Tor's file reading: stop at the first NUL, drop every CR. */
export function prepareTorrcText(source: string): PreparedText {
  const nul = source.indexOf('\0');
  const cutoff = nul === -1 ? source.length : nul;
  const cr = source.indexOf('\r');
  if (cr === -1 || cr >= cutoff) return { text: source.slice(0, cutoff), rawIndex: undefined, cutoff };
  const rawIndex: number[] = [];
  let text = '';
  let runStart = 0;
  for (let i = 0; i < cutoff; i++) {
    if (source.charCodeAt(i) === 13) {
      text += source.slice(runStart, i);
      runStart = i + 1;
    } else {
      rawIndex.push(i);
    }
  }
  text += source.slice(runStart, cutoff);
  return { text, rawIndex, cutoff };
}

/** How a file's bytes map to the characters of its text. */
export type TorrcEncoding = 'utf8' | 'latin1';

/** Result of decoding a C-style quoted string. */
export type UnescapeResult =
  | { readonly ok: true; readonly value: string; readonly end: number }
  | { readonly ok: false; readonly pos: number };

const HEX = /^[0-9a-fA-F]$/;
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

/**
 * Decodes the quoted string starting at `text[start]` (which must be `"`) exactly as Tor's
 * `unescape_string`: returns the value and the offset after the closing quote, or the offset
 * of the first character Tor refuses.
 */
export function unescapeTorString(text: string, start: number, encoding: TorrcEncoding = 'utf8'): UnescapeResult {
  if (text[start] !== '"') return { ok: false, pos: start };
  // First pass: find the closing quote and check every escape (Tor does the same before
  // decoding anything).
  let cp = start + 1;
  for (;;) {
    const c = text[cp];
    if (c === undefined || c === '\n') return { ok: false, pos: cp };
    if (c === '"') break;
    if (c === '\\') {
      const n = text[cp + 1];
      if (n === 'x' || n === 'X') {
        if (!(HEX.test(text[cp + 2] ?? '') && HEX.test(text[cp + 3] ?? ''))) return { ok: false, pos: cp };
        cp += 4;
      } else if (isOctal(n)) {
        cp += 2;
        if (isOctal(text[cp])) cp++;
        if (isOctal(text[cp])) cp++;
      } else if (n === 'n' || n === 'r' || n === 't' || n === '"' || n === '\\' || n === "'") {
        cp += 2;
      } else {
        return { ok: false, pos: cp };
      }
    } else {
      cp++;
    }
  }
  // Second pass: decode. Escapes produce bytes; plain text keeps its characters.
  const parts: Array<string | number> = [];
  let plainStart = start + 1;
  cp = start + 1;
  let highByte = false;
  const flush = (to: number): void => {
    if (to > plainStart) parts.push(text.slice(plainStart, to));
  };
  while (text[cp] !== '"') {
    if (text[cp] !== '\\') {
      cp++;
      continue;
    }
    flush(cp);
    const n = text[cp + 1] as string;
    let byte: number;
    if (n === 'n') byte = 10;
    else if (n === 'r') byte = 13;
    else if (n === 't') byte = 9;
    else if (n === 'x' || n === 'X') byte = Number.parseInt(text.slice(cp + 2, cp + 4), 16);
    else if (isOctal(n)) {
      let value = n.charCodeAt(0) - 48;
      let q = cp + 2;
      if (isOctal(text[q])) value = value * 8 + (text.charCodeAt(q++) - 48);
      if (isOctal(text[q])) value = value * 8 + (text.charCodeAt(q++) - 48);
      // Only the decoding pass checks the range, so `"\400"` fails like a bad escape.
      if (value > 255) return { ok: false, pos: cp };
      byte = value;
      parts.push(byte);
      highByte ||= byte > 127;
      cp = q;
      plainStart = cp;
      continue;
    } else byte = n.charCodeAt(0);
    parts.push(byte);
    highByte ||= byte > 127;
    cp += n === 'x' || n === 'X' ? 4 : 2;
    plainStart = cp;
  }
  flush(cp);
  return { ok: true, value: joinParts(parts, highByte, encoding), end: cp + 1 };
}

// Escaped bytes above 127 are raw bytes for Tor; they only make sense together with their
// neighbours, so such a value is rebuilt as bytes and decoded like the file was.
function joinParts(parts: ReadonlyArray<string | number>, highByte: boolean, encoding: TorrcEncoding): string {
  if (!highByte) return parts.map((p) => (typeof p === 'number' ? String.fromCharCode(p) : p)).join('');
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') bytes.push(p);
    else for (const b of Buffer.from(p, encoding)) bytes.push(b);
  }
  const buffer = Buffer.from(bytes);
  if (encoding === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
    } catch {
      return buffer.toString('latin1');
    }
  }
  return buffer.toString('latin1');
}

/** How the text after an entry would join it if more text were appended right there. */
export type EntryEnd =
  /** The entry ended with its newline; anything appended starts a new line. */
  | 'newline'
  /** The text ends inside the entry's last line; a newline is needed first. */
  | 'eof'
  /** The text ends with a backslash, or inside a comment of a continued entry: two newlines are needed. */
  | 'eof-backslash'
  /** The text ends right after a continuation: a blank line is needed to stop it. */
  | 'eof-open';

/** A lexing failure: Tor stops reading the whole configuration here. */
export interface LexFailure {
  /** Which rule was broken. */
  readonly code: 'TORRC_BAD_QUOTED_STRING' | 'TORRC_EXCESS_AFTER_QUOTE';
  /** Offset (in the prepared text) of the offending character. */
  readonly pos: number;
}

/** One keyword/value entry as Tor reads it, with offsets into the prepared text. */
export interface LexEntry {
  readonly kind: 'entry';
  /** Start of the physical line holding the key. */
  readonly start: number;
  /** Offset after the entry's last newline (or the end of the text). */
  readonly end: number;
  /** Offset of the key. */
  readonly keyStart: number;
  /** The key exactly as written, including a `+` or `/` prefix. */
  readonly rawKey: string;
  /** Offset where the value starts (after the separator). */
  readonly valueStart: number;
  /** The value as Tor decodes it (before `/Key` discards it). */
  readonly value: string;
  /** The value was a quoted string. */
  readonly quoted: boolean;
  /** The entry used at least one backslash continuation. */
  readonly continued: boolean;
  /** Start offsets of lines joined without a backslash because the line before ended in a comment. */
  readonly joined: readonly number[];
  /** Offset of a comment ending in a backslash that does not continue the entry. */
  readonly backslashComment: number | undefined;
  /** How text appended right after `end` would be read. */
  readonly endState: EntryEnd;
  /** Why Tor stops reading here, if it does. */
  readonly failure: LexFailure | undefined;
}

/** A line Tor skips: blank (only whitespace) or a comment. */
export interface LexTrivia {
  readonly kind: 'blank' | 'comment';
  /** Start of the line. */
  readonly start: number;
  /** Offset after its newline (or the end of the text). */
  readonly end: number;
}

/** A node of the prepared text. Nodes cover the text without gaps, in order. */
export type LexNode = LexEntry | LexTrivia;

function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

/** Kind of the physical line starting at `pos`: blank, comment, or the start of an entry. */
function lineKind(text: string, pos: number): 'blank' | 'comment' | 'entry' {
  let p = pos;
  let c = text.charCodeAt(p);
  while (p < text.length && c !== NL && isSpaceCode(c)) c = text.charCodeAt(++p);
  if (p >= text.length || c === NL) return 'blank';
  return c === HASH ? 'comment' : 'entry';
}

/**
 * Cuts prepared text into trivia lines and entries. Reading goes on after a failed entry
 * (Tor stops there), so the whole file is covered.
 */
export function lexTorrc(text: string, encoding: TorrcEncoding = 'utf8'): LexNode[] {
  const nodes: LexNode[] = [];
  let pos = 0;
  while (pos < text.length) {
    const kind = lineKind(text, pos);
    if (kind === 'entry') {
      const entry = lexEntry(text, pos, encoding);
      nodes.push(entry);
      pos = entry.end;
    } else {
      const end = lineEnd(text, pos);
      nodes.push({ kind, start: pos, end });
      pos = end;
    }
  }
  return nodes;
}

const NO_JOINED: readonly number[] = Object.freeze([]);

/** Reads one entry whose key is on the line starting at `lineStart`. */
function lexEntry(text: string, lineStart: number, encoding: TorrcEncoding): LexEntry {
  const n = text.length;
  let p = lineStart;
  while (isSpaceCode(text.charCodeAt(p))) p++;
  const keyStart = p;
  // key: up to whitespace, '#', or a backslash-newline.
  for (let c = text.charCodeAt(p); p < n && !isSpaceCode(c) && c !== HASH && !(c === BACKSLASH && text.charCodeAt(p + 1) === NL); c = text.charCodeAt(++p));
  const rawKey = text.slice(keyStart, p);
  // separator: spaces and tabs only.
  for (let c = text.charCodeAt(p); c === SPACE || c === TAB; c = text.charCodeAt(++p));
  const valueStart = p;
  // Every entry is built by this one function, so that they all share one object shape (an
  // object spread here costs more than the rest of the lexing).
  const entry = (
    end: number,
    value: string,
    quoted: boolean,
    continued: boolean,
    joined: readonly number[],
    backslashComment: number | undefined,
    endState: EntryEnd,
    failure: LexFailure | undefined,
  ): LexEntry => ({ kind: 'entry', start: lineStart, end, keyStart, rawKey, valueStart, value, quoted, continued, joined, backslashComment, endState, failure });

  if (text.charCodeAt(p) === QUOTE) {
    const failAt = (code: LexFailure['code'], pos: number): LexEntry => {
      const end = lineEnd(text, lineStart);
      return entry(end, '', true, false, NO_JOINED, undefined, end === n && text[n - 1] !== '\n' ? 'eof' : 'newline', { code, pos });
    };
    const decoded = unescapeTorString(text, p, encoding);
    if (!decoded.ok) return failAt('TORRC_BAD_QUOTED_STRING', decoded.pos);
    p = decoded.end;
    while (text[p] === ' ' || text[p] === '\t') p++;
    // Tor accepts a CRLF here; CRs never survive file reading, but the rule is kept.
    if (text[p] === '\r' && text[++p] === '\n') p++;
    if (p < n && text[p] !== '#' && text[p] !== '\n') return failAt('TORRC_EXCESS_AFTER_QUOTE', p);
    if (text[p] === '#') while (p < n && text[p] !== '\n') p++;
    const end = p < n ? p + 1 : p;
    return entry(end, decoded.value, true, false, NO_JOINED, undefined, p < n ? 'newline' : 'eof', undefined);
  }

  // Unquoted: find the end of the value.
  let continuation = false;
  let inCommentAtEnd = false;
  const joined: number[] = [];
  for (let c = text.charCodeAt(p); p < n && c !== NL && (c !== HASH || continuation); c = text.charCodeAt(p)) {
    if (c === BACKSLASH && text.charCodeAt(p + 1) === NL) {
      continuation = true;
      p += 2;
    } else if (c === HASH) {
      do p++;
      while (p < n && text.charCodeAt(p) !== NL);
      if (text.charCodeAt(p) === NL) {
        p++;
        noteJoinedLine(text, p, joined);
      } else {
        inCommentAtEnd = true;
      }
    } else {
      p++;
    }
  }
  let cp: number;
  let end: number;
  let endState: EntryEnd;
  let backslashComment: number | undefined;
  if (text.charCodeAt(p) === NL) {
    cp = p;
    end = p + 1;
    endState = 'newline';
  } else if (p >= n) {
    cp = p;
    end = p;
    if (continuation && text.charCodeAt(n - 1) === NL) endState = 'eof-open';
    else if (inCommentAtEnd || text.charCodeAt(n - 1) === BACKSLASH) endState = 'eof-backslash';
    else endState = 'eof';
  } else {
    // A comment on the entry's only line: it ends the entry, backslash or not.
    cp = p;
    while (p < n && text.charCodeAt(p) !== NL) p++;
    if (text.charCodeAt(p - 1) === BACKSLASH) backslashComment = p - 1;
    end = p < n ? p + 1 : p;
    endState = p < n ? 'newline' : 'eof';
  }
  while (cp > valueStart && isSpaceCode(text.charCodeAt(cp - 1))) cp--;
  let value = text.slice(valueStart, cp);
  if (continuation) value = decodeContinued(value);
  return entry(end, value, false, continuation, joined.length === 0 ? NO_JOINED : joined, backslashComment, endState, undefined);
}

/** Removes comments (with their newline) and backslash-newlines, as Tor does for continued values. */
function decodeContinued(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    if (raw[i] === '#') {
      do i++;
      while (i < raw.length && raw[i] !== '\n');
      if (raw[i] === '\n') i++;
    } else if (raw[i] === '\\' && raw[i + 1] === '\n') {
      i += 2;
    } else {
      out += raw[i];
      i++;
    }
  }
  return out;
}

// After a comment inside a continued entry, the next line is joined unless it is blank
// (which ends the entry). A comment line contributes nothing, so look past it.
function noteJoinedLine(text: string, lineStart: number, joined: number[]): void {
  if (lineStart >= text.length) return;
  if (lineKind(text, lineStart) === 'entry') joined.push(lineStart);
}
