/**
 * Pure edits of one torrc file: insert, replace or remove entries, insert comment lines.
 *
 * Each edit changes only the lines it is about: the rest of the file stays byte-identical.
 * New lines are canonical (`Key value`, with Tor's spelling of the option name) and use the
 * file's line ending. Text is only ever placed where Tor starts reading a fresh line; at the
 * end of a file a newline (and, after a pending continuation, a blank line) is added first so
 * the new line cannot be read as part of the last entry. Every edit is checked by reading
 * the result back: the old entries must read exactly as before and the new ones as written.
 */
import { entriesOf, parseTorrc, type EntryNode, type TorrcFile, type TorrcNode } from './cst.js';
import { TorrcError, quote } from './errors.js';
import { isTorSpace } from './lexer.js';
import { findOption } from './options.js';

/** An entry to write. */
export interface NewEntry {
  /** Option name (any case; written as Tor spells it) or `%include`. */
  readonly key: string;
  /** The value; must read back unchanged as an unquoted value. Empty only with the `/` prefix. */
  readonly value: string;
  /** `+` to append to a list from an earlier source, `/` to clear the option. */
  readonly prefix?: '' | '+' | '/' | undefined;
}

/** A comment line to write (without the `#`). */
export interface NewComment {
  /** The text after `# `. */
  readonly comment: string;
}

/** Where to insert: before or after a node of the file, or at its start or end. */
export type InsertPosition = { readonly before: TorrcNode } | { readonly after: TorrcNode } | 'start' | 'end';

/**
 * The canonical text of an entry (without line ending). Throws `TORRC_EDIT_BAD_KEY` for a
 * keyword that is not exactly an option name, `TORRC_EDIT_UNSAFE_VALUE` for a value that
 * would not read back unchanged as one entry.
 */
export function formatEntry(entry: NewEntry): string {
  const prefix = entry.prefix ?? '';
  const option = entry.key === '%include' ? undefined : findOption(entry.key);
  const name = entry.key === '%include' ? '%include' : option?.name;
  if (name === undefined || option?.virtual || option?.obsolete) {
    throw new TorrcError('TORRC_EDIT_BAD_KEY', `${quote(entry.key)} is not an option name Tor reads`, {
      input: entry.key,
      hint: option
        ? `${option.name} is ${option.virtual ? 'virtual: write the options it groups' : 'obsolete: Tor ignores it'}`
        : 'use the full option name, e.g. ExitPolicy (abbreviations and aliases are not written)',
    });
  }
  const value = entry.value;
  const unsafe = unsafeValueReason(value, prefix);
  if (unsafe) {
    throw new TorrcError('TORRC_EDIT_UNSAFE_VALUE', `cannot write ${name} ${quote(value)}: ${unsafe}`, {
      input: value,
      hint: 'pass a single-line value without #, quotes at the start, control characters, surrounding spaces or a trailing backslash',
    });
  }
  const text = value === '' ? `${prefix}${name}` : `${prefix}${name} ${value}`;
  // Read it back: exactly one entry with the same keyword and value.
  const check = entriesOf(parseTorrc(`${text}\n`, '<new entry>'));
  const only = check[0];
  if (check.length !== 1 || !only || only.rawKey !== `${prefix}${name}` || only.value !== value || only.error) {
    throw new TorrcError('TORRC_EDIT_UNSAFE_VALUE', `cannot write ${name} ${quote(value)}: Tor would read it differently`, {
      input: value,
      hint: 'simplify the value',
    });
  }
  return text;
}

function unsafeValueReason(value: string, prefix: string): string | undefined {
  if (prefix === '/') return value === '' ? undefined : '/Key takes no value';
  if (value === '') return 'an empty value resets or skips the option';
  if (/[\n\r\0]/.test(value)) return 'it contains a line break or NUL';
  // Tabs are harmless inside a value; other control characters are not what an operator means.
  if (/[\x01-\x08\x0b-\x1f\x7f]/.test(value)) return 'it contains control characters';
  if (value.includes('#')) return 'a # would start a comment';
  if (value.startsWith('"')) return 'a leading quote would make Tor read a quoted string';
  if (isTorSpace(value[0]) || isTorSpace(value[value.length - 1])) return 'leading or trailing whitespace is dropped';
  if (value.endsWith('\\')) return 'a trailing backslash may continue the line';
  if (value.includes('\uFEFF')) return 'it contains a byte-order mark';
  return undefined;
}

/** The text of a comment line (without line ending). Throws `TORRC_EDIT_UNSAFE_COMMENT` for multi-line text. */
export function formatComment(comment: string): string {
  if (/[\n\r\0]/.test(comment)) {
    throw new TorrcError('TORRC_EDIT_UNSAFE_COMMENT', `cannot write the comment ${quote(comment)}: it contains a line break or NUL`, {
      input: comment,
      hint: 'write one comment line per call',
    });
  }
  return comment === '' ? '#' : `# ${comment}`;
}

/** Inserts entries and comment lines at a position; returns the new file. */
export function insertLines(file: TorrcFile, lines: ReadonlyArray<NewEntry | NewComment>, position: InsertPosition): TorrcFile {
  assertEditable(file);
  const texts = lines.map((line) => ('comment' in line ? formatComment(line.comment) : formatEntry(line)));
  const eol = file.lineEnding;
  const { offset, guard, index } = insertionPoint(file, position);
  const inserted = texts.map((t) => `${t}${eol}`).join('');
  const source = `${file.source.slice(0, offset)}${guard}${inserted}${file.source.slice(offset)}`;
  const result = parseTorrc(source, file.path, { encoding: file.encoding });
  const before = entryKeys(file.nodes.slice(0, index));
  const after = entryKeys(file.nodes.slice(index));
  const added = lines.filter((l): l is NewEntry => !('comment' in l)).map((l) => `${l.prefix ?? ''}${l.key === '%include' ? l.key : findOption(l.key)?.name}\u0000${l.value}`);
  verify(file, result, [...before, ...added, ...after]);
  return result;
}

/** Inserts one entry; returns the new file. */
export function insertEntry(file: TorrcFile, entry: NewEntry, position: InsertPosition): TorrcFile {
  return insertLines(file, [entry], position);
}

/** Inserts one comment line (e.g. a block marker `# exitkit: ...`); returns the new file. */
export function insertComment(file: TorrcFile, comment: string, position: InsertPosition): TorrcFile {
  return insertLines(file, [{ comment }], position);
}

/** Replaces an entry (all its physical lines) with one canonical line; returns the new file. */
export function replaceEntry(file: TorrcFile, node: EntryNode, entry: NewEntry): TorrcFile {
  assertEditable(file);
  const index = indexOf(file, node);
  const text = formatEntry(entry);
  const eol = node.raw.endsWith('\n') ? file.lineEnding : '';
  const source = `${file.source.slice(0, node.offset)}${text}${eol}${file.source.slice(node.offset + node.raw.length)}`;
  const result = parseTorrc(source, file.path, { encoding: file.encoding });
  const name = entry.key === '%include' ? entry.key : findOption(entry.key)?.name;
  verify(file, result, [
    ...entryKeys(file.nodes.slice(0, index)),
    `${entry.prefix ?? ''}${name}\u0000${entry.value}`,
    ...entryKeys(file.nodes.slice(index + 1)),
  ]);
  return result;
}

/** Removes an entry (all its physical lines); returns the new file. */
export function removeEntry(file: TorrcFile, node: EntryNode): TorrcFile {
  assertEditable(file);
  const index = indexOf(file, node);
  const source = `${file.source.slice(0, node.offset)}${file.source.slice(node.offset + node.raw.length)}`;
  const result = parseTorrc(source, file.path, { encoding: file.encoding });
  verify(file, result, [...entryKeys(file.nodes.slice(0, index)), ...entryKeys(file.nodes.slice(index + 1))]);
  return result;
}

function assertEditable(file: TorrcFile): void {
  if (file.errors.length > 0) {
    const first = file.errors[0] as TorrcError;
    throw new TorrcError('TORRC_EDIT_FILE_HAS_ERRORS', `${file.path} has errors Tor refuses (${first.code}); fix them before editing`, {
      location: first.location,
      hint: first.hint,
      cause: first,
    });
  }
  if (file.nodes.some((node) => node.kind === 'ignored')) {
    throw new TorrcError('TORRC_EDIT_NUL_BYTE', `${file.path} contains a NUL byte; Tor would not read anything written after it`, {
      location: { file: file.path, line: file.nodes.find((n) => n.kind === 'ignored')?.firstLine ?? 1 },
      hint: 'remove the NUL byte first',
    });
  }
}

function indexOf(file: TorrcFile, node: TorrcNode): number {
  let index = file.nodes.indexOf(node);
  if (index === -1) index = file.nodes.findIndex((n) => n.offset === node.offset && n.raw === node.raw && n.kind === node.kind);
  if (index === -1) {
    throw new TorrcError('TORRC_EDIT_NOT_IN_FILE', `the node at line ${node.firstLine} is not part of ${file.path} as given`, {
      location: { file: file.path, line: node.firstLine },
      hint: 'pass a node of the same (unchanged) file',
    });
  }
  return index;
}

/** Offset to insert at, the text needed before the new lines, and the node index there. */
function insertionPoint(file: TorrcFile, position: InsertPosition): { offset: number; guard: string; index: number } {
  if (position === 'start') return { offset: 0, guard: '', index: 0 };
  let index: number;
  if (position === 'end') index = file.nodes.length;
  else if ('before' in position) index = indexOf(file, position.before);
  else index = indexOf(file, position.after) + 1;
  if (index < file.nodes.length) return { offset: (file.nodes[index] as TorrcNode).offset, guard: '', index };
  // At the end of the file: make sure the last line is finished and nothing continues into ours.
  const last = file.nodes[file.nodes.length - 1];
  const eol = file.lineEnding;
  let guard = '';
  if (last) {
    if (last.kind === 'entry') {
      if (last.endState === 'eof') guard = eol;
      else if (last.endState === 'eof-backslash') guard = `${eol}${eol}`;
      else if (last.endState === 'eof-open') guard = eol;
    } else if (!last.raw.endsWith('\n')) {
      guard = eol;
    }
  }
  return { offset: file.source.length, guard, index };
}

function entryKeys(nodes: readonly TorrcNode[]): string[] {
  return nodes.filter((n): n is EntryNode => n.kind === 'entry').map((n) => `${n.rawKey}\u0000${n.value}`);
}

function verify(original: TorrcFile, result: TorrcFile, expected: readonly string[]): void {
  const actual = entryKeys(result.nodes);
  const same = actual.length === expected.length && actual.every((key, i) => key === expected[i]);
  if (!same || result.errors.length > 0) {
    throw new TorrcError('TORRC_EDIT_UNSAFE_VALUE', `the edit of ${original.path} would change how Tor reads other lines`, {
      location: { file: original.path, line: 1 },
      hint: 'edit the file by hand; exitkit refuses edits it cannot keep contained',
    });
  }
}
