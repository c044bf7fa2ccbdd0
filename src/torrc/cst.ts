/**
 * A lossless, immutable model of one torrc file.
 *
 * `parseTorrc` cuts a file into nodes that cover it without gaps: blank lines, comment
 * lines, entries (one logical Tor entry, possibly spanning several physical lines), and the
 * text after a NUL byte that Tor never sees. Every node keeps its exact source text, line
 * ending included, so `printTorrc(parseTorrc(x)) === x` for any input. Entries carry what Tor
 * reads from them (key, prefix, decoded value) next to what is written.
 */
import type { SourceLocation } from '../errors.js';
import { TorrcError, quote } from './errors.js';
import { lexTorrc, prepareTorrcText, rawOffset, type EntryEnd, type LexEntry, type LexNode, type TorrcEncoding } from './lexer.js';

/** What every node has: where it is and its exact text. */
export interface NodeBase {
  /** Offset of the node's first character in the file's source. */
  readonly offset: number;
  /** The node's exact text, including its line ending(s). */
  readonly raw: string;
  /** First physical line (1-based). */
  readonly firstLine: number;
  /** Last physical line the node's text reaches (its line ending excluded). */
  readonly lastLine: number;
}

/** A line of whitespace only (or an empty line). */
export interface BlankNode extends NodeBase {
  readonly kind: 'blank';
}

/** A line whose first non-blank character is `#`. */
export interface CommentNode extends NodeBase {
  readonly kind: 'comment';
}

/** Text after a NUL byte: Tor stops reading the file at the NUL. */
export interface IgnoredNode extends NodeBase {
  readonly kind: 'ignored';
}

/** One logical entry: a keyword and its value, as Tor reads them. */
export interface EntryNode extends NodeBase {
  readonly kind: 'entry';
  /** The keyword exactly as written, with its `+`/`/` prefix. */
  readonly rawKey: string;
  /** `+` appends to a list from an earlier source, `/` clears the option, `''` is plain. */
  readonly prefix: '' | '+' | '/';
  /** The keyword without its prefix (not resolved to an option name). */
  readonly key: string;
  /** The value as Tor reads it: comments removed, continuations joined, quotes decoded; `''` after `/`. */
  readonly value: string;
  /** The value was a quoted C string. */
  readonly quoted: boolean;
  /** The entry spans lines through backslash continuations. */
  readonly continued: boolean;
  /** Physical lines glued to the entry without a backslash (the comment-in-continuation trap). */
  readonly joinedLines: readonly number[];
  /** The entry is `%include` (case-sensitive, after the prefix). */
  readonly isInclude: boolean;
  /** 1-based column of the keyword on `firstLine`. */
  readonly keyColumn: number;
  /** Why Tor stops reading the configuration at this entry, if it does. */
  readonly error: TorrcError | undefined;
  /** How text appended right after this entry would be read (matters only at the end of the file). */
  readonly endState: EntryEnd;
}

/** Any node of a torrc file. */
export type TorrcNode = BlankNode | CommentNode | EntryNode | IgnoredNode;

/** A parsed torrc file. Immutable: edits return new files. */
export interface TorrcFile {
  /** Path of the file as exitkit opened it. */
  readonly path: string;
  /** The complete text. */
  readonly source: string;
  /** How the text was decoded from bytes (`latin1` when it is not valid UTF-8). */
  readonly encoding: TorrcEncoding;
  /** The nodes, covering `source` without gaps, in order. */
  readonly nodes: readonly TorrcNode[];
  /** Problems that make Tor refuse the file (it stops reading at the first one). */
  readonly errors: readonly TorrcError[];
  /** Things Tor reads differently from what the text suggests. */
  readonly warnings: readonly TorrcError[];
  /** The file starts with a UTF-8 byte-order mark. */
  readonly bom: boolean;
  /** The line ending new lines should use: the file's first one, LF when it has none. */
  readonly lineEnding: '\n' | '\r\n';
}

/** Options for `parseTorrc`. */
export interface ParseOptions {
  /** How the source was decoded from bytes (affects only values with escaped bytes above 127). */
  encoding?: TorrcEncoding | undefined;
}

const BOM = '\uFEFF';

/** Parses a torrc file. Never throws: problems are collected in `errors` and `warnings`. */
export function parseTorrc(source: string, path: string, options: ParseOptions = {}): TorrcFile {
  const encoding = options.encoding ?? 'utf8';
  const prepared = prepareTorrcText(source);
  const lexed = lexTorrc(prepared.text, encoding);
  const errors: TorrcError[] = [];
  const warnings: TorrcError[] = [];
  const lines = new LineIndex(source);

  // Map node boundaries from the prepared text back to the source. A CR belongs to the
  // node holding the character before it; CRs at the very end go to the last node.
  const nodes: TorrcNode[] = [];
  let rawStart = 0;
  const toRaw = (cleanPos: number): number =>
    cleanPos >= prepared.text.length ? prepared.cutoff : rawOffset(prepared, cleanPos);
  lexed.forEach((node, i) => {
    const rawEnd = i === lexed.length - 1 ? prepared.cutoff : rawOffset(prepared, node.end - 1) + 1;
    const raw = source.slice(rawStart, rawEnd);
    nodes.push(buildNode(node, rawStart, raw, lines, path, toRaw, errors, warnings));
    rawStart = rawEnd;
  });
  if (lexed.length === 0 && prepared.cutoff > 0) {
    // Only CRs before the end (or the NUL): nothing Tor reads.
    nodes.push(freezeNode({ kind: 'blank', ...position(0, source.slice(0, prepared.cutoff), lines) }));
    rawStart = prepared.cutoff;
  }
  if (prepared.cutoff < source.length) {
    const raw = source.slice(prepared.cutoff);
    const node: IgnoredNode = freezeNode({ kind: 'ignored', ...position(prepared.cutoff, raw, lines) });
    nodes.push(node);
    warnings.push(
      new TorrcError('TORRC_NUL_BYTE', `Tor stops reading ${path} at the NUL byte on line ${node.firstLine}; the rest of the file is ignored`, {
        location: { file: path, line: node.firstLine, endLine: node.lastLine, column: lines.column(prepared.cutoff) },
        hint: 'remove the NUL byte (the file is probably damaged or not a text file)',
        severity: 'warning',
      }),
    );
  }

  const bom = source.startsWith(BOM);
  if (bom) {
    errors.unshift(
      new TorrcError('TORRC_BOM', `${path} starts with a UTF-8 byte-order mark, which Tor reads as part of the first keyword`, {
        location: { file: path, line: 1, column: 1 },
        hint: 'save the file without a byte-order mark (as plain UTF-8 or ASCII)',
      }),
    );
  }

  const firstBreak = source.indexOf('\n');
  const lineEnding = firstBreak > 0 && source[firstBreak - 1] === '\r' ? '\r\n' : '\n';
  return Object.freeze({
    path,
    source,
    encoding,
    nodes: Object.freeze(nodes),
    errors: Object.freeze(errors),
    warnings: Object.freeze(warnings),
    bom,
    lineEnding,
  });
}

/** Prints a file back: the concatenation of its nodes' text (always equal to `file.source`). */
export function printTorrc(file: TorrcFile): string {
  return file.nodes.map((node) => node.raw).join('');
}

/** The entry nodes of a file, in order. */
export function entriesOf(file: TorrcFile): EntryNode[] {
  return file.nodes.filter((node): node is EntryNode => node.kind === 'entry');
}

/** The node that covers a physical line (1-based), or undefined past the end of the file. */
export function nodeAt(file: TorrcFile, line: number): TorrcNode | undefined {
  return file.nodes.find((node) => node.firstLine <= line && line <= node.lastLine);
}

/** The entry covering a physical line (1-based), or undefined when the line is not part of one. */
export function entryAt(file: TorrcFile, line: number): EntryNode | undefined {
  const node = nodeAt(file, line);
  return node?.kind === 'entry' ? node : undefined;
}

/** Where an entry is, for messages and `ConfigLine.location`. */
export function entryLocation(file: TorrcFile, entry: EntryNode): SourceLocation {
  return entry.lastLine === entry.firstLine
    ? { file: file.path, line: entry.firstLine }
    : { file: file.path, line: entry.firstLine, endLine: entry.lastLine };
}

const NO_LINES: readonly number[] = Object.freeze([]);

function freezeNode<T extends TorrcNode>(node: T): T {
  return Object.freeze(node);
}

function position(offset: number, raw: string, lines: LineIndex): NodeBase {
  const firstLine = lines.lineOf(offset);
  // Newlines before the node's own line ending.
  const bodyEnd = raw.endsWith('\n') ? raw.length - 1 : raw.length;
  let lastLine = firstLine;
  for (let i = raw.indexOf('\n'); i !== -1 && i < bodyEnd; i = raw.indexOf('\n', i + 1)) lastLine++;
  return { offset, raw, firstLine, lastLine };
}

function buildNode(
  node: LexNode,
  offset: number,
  raw: string,
  lines: LineIndex,
  path: string,
  toRaw: (cleanPos: number) => number,
  errors: TorrcError[],
  warnings: TorrcError[],
): TorrcNode {
  const base = position(offset, raw, lines);
  // Properties are written out rather than spread: spreading costs more than the lexing.
  if (node.kind !== 'entry') return freezeNode({ kind: node.kind, offset: base.offset, raw: base.raw, firstLine: base.firstLine, lastLine: base.lastLine });
  return buildEntry(node, base, lines, path, toRaw, errors, warnings);
}

function buildEntry(
  node: LexEntry,
  base: NodeBase,
  lines: LineIndex,
  path: string,
  toRaw: (cleanPos: number) => number,
  errors: TorrcError[],
  warnings: TorrcError[],
): EntryNode {
  const rawKey = node.rawKey;
  const prefix = rawKey.startsWith('+') ? '+' : rawKey.startsWith('/') ? '/' : '';
  const key = prefix === '' ? rawKey : rawKey.slice(1);
  const location = (cleanPos: number): SourceLocation => {
    const at = toRaw(cleanPos);
    return { file: path, line: lines.lineOf(at), column: lines.column(at) };
  };
  let error: TorrcError | undefined;
  if (node.failure) {
    const firstRawLine = base.raw.split('\n', 1)[0]?.replace(/\r/g, '') ?? '';
    const at = location(node.failure.pos);
    const column = (at.column ?? 1) - 1;
    const pos: [number, number] = [column, Math.min(firstRawLine.length, column + 1)];
    error =
      node.failure.code === 'TORRC_BAD_QUOTED_STRING'
        ? new TorrcError('TORRC_BAD_QUOTED_STRING', `Tor cannot read the quoted value of ${quote(key)}: invalid escape sequence, raw newline or missing closing quote`, {
            location: at,
            input: firstRawLine,
            pos,
            hint: 'inside quotes use only \\n \\r \\t \\\\ \\" \\\' \\xHH or octal \\NNN (at most \\377), and close the quote on the same line',
          })
        : new TorrcError('TORRC_EXCESS_AFTER_QUOTE', `Tor refuses text after the closing quote of ${quote(key)}`, {
            location: at,
            input: firstRawLine,
            pos: [column, firstRawLine.length],
            hint: 'only a # comment may follow a quoted value; put everything inside the quotes',
          });
    errors.push(error);
  }
  for (const joinedStart of node.joined) {
    const at = location(joinedStart);
    warnings.push(
      new TorrcError('TORRC_COMMENT_JOINS_NEXT_LINE', `line ${at.line} is read as part of the ${quote(key)} entry from line ${base.firstLine}: inside a continued entry a comment does not end the entry`, {
        location: { file: path, line: at.line },
        hint: 'end a continued entry with a line without a comment, or put a blank line after it',
        severity: 'warning',
      }),
    );
  }
  if (node.backslashComment !== undefined) {
    warnings.push(
      new TorrcError('TORRC_BACKSLASH_IN_COMMENT', `the backslash at the end of the comment on line ${base.firstLine} does not continue ${quote(key)}`, {
        location: location(node.backslashComment),
        hint: 'put the backslash before the comment, or move the comment to its own line',
        severity: 'warning',
      }),
    );
  }
  if (node.continued && node.value.endsWith('\\')) {
    warnings.push(
      new TorrcError('TORRC_DANGLING_CONTINUATION', `the value of ${quote(key)} ends with a backslash: the continuation is followed by a blank line or the end of the file`, {
        location:
          base.lastLine === base.firstLine
            ? { file: path, line: base.firstLine }
            : { file: path, line: base.firstLine, endLine: base.lastLine },
        input: node.value,
        hint: 'remove the last backslash, or continue the value on the next line',
        severity: 'warning',
      }),
    );
  }

  return freezeNode({
    kind: 'entry',
    offset: base.offset,
    raw: base.raw,
    firstLine: base.firstLine,
    lastLine: base.lastLine,
    rawKey,
    prefix,
    key,
    value: prefix === '/' ? '' : node.value,
    quoted: node.quoted,
    continued: node.continued,
    joinedLines: node.joined.length === 0 ? NO_LINES : Object.freeze(node.joined.map((p) => lines.lineOf(toRaw(p)))),
    isInclude: key === '%include',
    keyColumn: lines.column(toRaw(node.keyStart)),
    error,
    endState: node.endState,
  });
}

/** Line and column lookups by offset. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(source: string) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line holding `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of `offset` on its line. */
  column(offset: number): number {
    return offset - (this.starts[this.lineOf(offset) - 1] as number) + 1;
  }
}
