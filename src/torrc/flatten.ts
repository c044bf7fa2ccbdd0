/**
 * One torrc text that tor reads exactly like a file set (a torrc and everything it
 * includes), optionally with some files' content replaced. Used to run the real
 * `tor --verify-config` on a planned change that touches included files, without writing
 * them first.
 *
 * Each entry becomes one line, in Tor's reading order, with `%include` already spliced:
 * the keyword exactly as written (so prefixes, abbreviations and unknown keywords read the
 * same), and the value Tor decoded, written plainly when that reads back unchanged and as a
 * quoted C string otherwise. Since every line stands alone, file boundaries (a missing final
 * newline, a pending continuation, the comment trap) cannot join lines that were apart.
 * Where tor would stop reading (a bad quoted string), the offending line is copied so the
 * flattened text fails the same way.
 */
import type { ConfigSource } from '../types.js';
import type { EntryNode } from './cst.js';
import { loadConfigSync, type LoadedConfig } from './config.js';
import { TorrcError } from './errors.js';
import { overlayFs } from './fs.js';
import { isTorSpace, type TorrcEncoding } from './lexer.js';

/** Options for `flattenConfig`. */
export interface FlattenOptions {
  /** Which source to flatten (default: the torrc). */
  source?: ConfigSource | undefined;
}

const UNREADABLE = new Set(['TORRC_INCLUDE_EMPTY', 'TORRC_INCLUDE_MISSING', 'TORRC_INCLUDE_UNREADABLE', 'TORRC_INCLUDE_TOO_DEEP', 'TORRC_FILE_MISSING']);

/**
 * Flattens one source of a loaded file set, reading `overrides` (absolute path → content)
 * instead of those files. Throws `TORRC_FLATTEN_UNREADABLE` when a file or include cannot be
 * read, since no single text reproduces that.
 */
export function flattenConfig(loaded: LoadedConfig, overrides: ReadonlyMap<string, string> = new Map(), options: FlattenOptions = {}): string {
  const source = options.source ?? 'torrc';
  const config =
    overrides.size === 0 ? loaded : loadConfigSync({ ...loaded.options, fs: overlayFs(loaded.options.fs, overrides) });
  const path = source === 'torrc' ? config.torrc : config.defaultsTorrc;
  const stop = config.stoppedAt(source);
  if (stop && UNREADABLE.has(stop.error.code)) {
    throw new TorrcError('TORRC_FLATTEN_UNREADABLE', `cannot flatten ${path ?? 'the configuration'}: ${stop.error.message}`, {
      location: stop.error.location,
      hint: stop.error.hint,
      cause: stop.error,
    });
  }
  const lines = [`# exitkit: flattened from ${path ?? '(no file)'}`];
  for (const entry of config.sourceEntries(source)) lines.push(flatEntry(entry.node, entry.file.file.encoding));
  // A bad quoted value stops tor; its line (quoted values never span lines) fails the same way.
  if (stop?.node) lines.push((stop.node.raw.split('\n', 1)[0] ?? '').replace(/\r/g, ''));
  return `${lines.join('\n')}\n`;
}

/** One self-contained line that Tor reads as the same keyword and value. */
export function flatEntry(node: EntryNode, encoding: TorrcEncoding = 'utf8'): string {
  const key = node.rawKey;
  // A keyword ending in a backslash must not be followed by the newline directly.
  const keyEnd = key.endsWith('\\') ? ' ""' : '';
  // An empty keyword only exists right before a backslash-newline, and Tor always refuses it
  // ("Unknown option ''"); the value is kept when a continuation can carry it.
  if (node.key === '') return `${key}\\\n${/^[^#\s\\](?:[^#\n\r]*[^#\s\\])?$/.test(node.value) ? node.value : 'x'}`;
  if (node.value === '') return `${key}${keyEnd}`;
  return `${key} ${plainValueReadsBack(node.value, encoding) ? node.value : quoteValue(node.value, encoding)}`;
}

function plainValueReadsBack(value: string, encoding: TorrcEncoding): boolean {
  if (isTorSpace(value[0]) || isTorSpace(value[value.length - 1])) return false;
  if (value.startsWith('"') || value.endsWith('\\') || value.includes('#')) return false;
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return false;
  return encoding === 'utf8' || !/[\x80-\xff]/.test(value);
}

/** A C string Tor's `unescape_string` decodes back to `value`. */
export function quoteValue(value: string, encoding: TorrcEncoding = 'utf8'): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (encoding === 'latin1' && code >= 0x80)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${out}"`;
}
