/**
 * Loading a configuration the way tor does: the defaults file, then the torrc, each with its
 * `%include`s spliced in place, each applied with Tor's rules (`options_init_from_string` in
 * src/app/config/config.c and `config_assign` in src/lib/confmgt/confmgt.c):
 *
 * - Line lists (ExitPolicy, ORPort, ...) collect their lines in order. After each source
 *   every list becomes "fragile": the first line of that option in a later source replaces
 *   the list, unless it is written `+Key`, which appends.
 * - `/Key` clears the option wherever it appears, even in the middle of a file; any text
 *   after it is discarded.
 * - A single-value option keeps its last value. An empty value resets it to 0/empty (not to
 *   its documented default); an empty value on a list option is skipped with a warning.
 * - Keywords resolve through Tor's aliases, case-insensitive names, and prefixes (options.ts).
 *
 * Tor stops at the first problem; the loader reads on where it can, so one run reports as
 * much as possible, and `valid` says whether tor would accept the file set.
 */
import { createHash } from 'node:crypto';
import type { SourceLocation } from '../errors.js';
import type { ConfigLine, ConfigSource, ConfigView } from '../types.js';
import { entryLocation, parseTorrc, type EntryNode, type TorrcFile } from './cst.js';
import { TorrcError, quote } from './errors.js';
import { nodeFs, resolveFrom, torFileStatus, type TorrcFs } from './fs.js';
import { expandInclude, type IncludeExpansion } from './include.js';
import type { TorrcEncoding } from './lexer.js';
import { asciiLower, findOption, lookupOption, TOR_OPTION_ALIASES, TOR_OPTIONS, type OptionLookup, type TorOption } from './options.js';
import { checkFinalOptions, checkLineValue, valueBytes } from './validate.js';

/** Tor refuses to parse a file more than this many levels deep (the top file is level 1). */
export const MAX_INCLUDE_LEVEL = 31;

/** What to load. */
export interface LoadConfigOptions {
  /** The torrc (`tor -f`). Relative paths resolve against `cwd`. */
  torrc: string;
  /** The defaults file (`tor --defaults-torrc`), or undefined/null for none. */
  defaultsTorrc?: string | null | undefined;
  /** tor's working directory, against which relative `%include` paths resolve (default: this process's). */
  cwd?: string | undefined;
  /** The file system to read (default: the real one). */
  fs?: TorrcFs | undefined;
  /**
   * Files parsed already (by an earlier load, or by an edit that produced them): a file read
   * now whose path and text are those of one of these is not parsed again (`parseTorrc` gives
   * the same result for the same text). Everything else is done anew.
   */
  parsed?: Iterable<TorrcFile> | undefined;
}

/** The options a file set was loaded with, with every default filled in. */
export interface ResolvedLoadOptions {
  /** Absolute path of the torrc. */
  readonly torrc: string;
  /** Absolute path of the defaults file, or undefined for none. */
  readonly defaultsTorrc: string | undefined;
  /** tor's working directory. */
  readonly cwd: string;
  /** The file system read. */
  readonly fs: TorrcFs;
}

/** A file that was read, with what it was read as. */
export interface LoadedFile {
  /** Absolute path, as tor opens it. */
  readonly path: string;
  /** The parsed file. */
  readonly file: TorrcFile;
  /** Which source the file belongs to (included files belong to their includer's source). */
  readonly source: ConfigSource;
  /** SHA-256 (hex) of the bytes read. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /** Include depth: 1 for the torrc and the defaults file. */
  readonly level: number;
  /** The `%include` line that first read it. */
  readonly includedFrom: SourceLocation | undefined;
}

/** A `%include` line and what it expanded to. */
export interface LoadedInclude {
  /** Where the `%include` line is. */
  readonly location: SourceLocation;
  /** Which source it belongs to. */
  readonly source: ConfigSource;
  /** The expansion (files, directories listed, failure). */
  readonly expansion: IncludeExpansion;
}

/** Where tor stops reading a source, and why. */
export interface LoadStop {
  /** The error that stops it. */
  readonly error: TorrcError;
  /** The file being read, when one was opened. */
  readonly file: LoadedFile | undefined;
  /** The entry (a bad quoted value or a `%include`) where it stops, if any. */
  readonly node: EntryNode | undefined;
}

/** One entry in Tor's reading order, with where it came from and what it is applied to. */
export interface LoadedEntry {
  /** The file holding the entry. */
  readonly file: LoadedFile;
  /** The entry node (usable with the edit functions on `file.file`). */
  readonly node: EntryNode;
  /** The source it belongs to. */
  readonly source: ConfigSource;
  /** file:line of the entry. */
  readonly location: SourceLocation;
  /** How its keyword resolved. */
  readonly lookup: OptionLookup;
  /** The option it sets, or undefined for an unknown keyword. */
  readonly option: TorOption | undefined;
  /** The line as consumers see it; undefined for an unknown keyword. */
  readonly line: ConfigLine | undefined;
}

/** A loaded file set: every file read, every entry in order, diagnostics, and Tor's view of the options. */
export interface LoadedConfig extends ConfigView {
  /** The torrc path (absolute). */
  readonly torrc: string;
  /** The defaults file path (absolute), or undefined when none was given. */
  readonly defaultsTorrc: string | undefined;
  /** The working directory relative includes were resolved against. */
  readonly cwd: string;
  /** Every file read, in the order first read. */
  readonly files: readonly LoadedFile[];
  /** Every `%include` line met, in order. */
  readonly includes: readonly LoadedInclude[];
  /** Every entry read, defaults file first, with includes spliced in place. */
  readonly entries: readonly LoadedEntry[];
  /** Errors and warnings, in the order found. */
  readonly diagnostics: readonly TorrcError[];
  /** The errors among `diagnostics`. */
  readonly errors: readonly TorrcError[];
  /** The warnings among `diagnostics`. */
  readonly warnings: readonly TorrcError[];
  /** True when no error was found: tor would accept the file set as far as exitkit checks (see validate.ts). */
  readonly valid: boolean;
  /** The options this file set was loaded with, paths made absolute (to load it again, e.g. with overrides). */
  readonly options: ResolvedLoadOptions;
  /** The entries of one source, in order. */
  sourceEntries(source: ConfigSource): readonly LoadedEntry[];
  /** Where tor stops reading a source (a reading or include error), if it does. */
  stoppedAt(source: ConfigSource): LoadStop | undefined;
  /** The file read at a path, if any. */
  file(path: string): LoadedFile | undefined;
  /** The entry that holds a line of this configuration (undefined for a line from elsewhere). */
  entryOf(line: ConfigLine): LoadedEntry | undefined;
}

/** Loads a file set (async form of `loadConfigSync`; the reads themselves are synchronous). */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  return loadConfigSync(options);
}

/** Reads and applies a torrc and its defaults file the way tor does. Never throws for bad input. */
export function loadConfigSync(options: LoadConfigOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const fs = options.fs ?? nodeFs;
  const loader = new Loader(cwd, fs, options.parsed);
  const torrc = resolveFrom(cwd, options.torrc);
  const defaultsTorrc =
    options.defaultsTorrc === undefined || options.defaultsTorrc === null ? undefined : resolveFrom(cwd, options.defaultsTorrc);
  if (defaultsTorrc !== undefined) loader.readSource(defaultsTorrc, 'defaults');
  loader.readSource(torrc, 'torrc');
  return loader.finish({ torrc, defaultsTorrc, cwd, fs });
}

type ReadResult = { ok: true; file: LoadedFile } | { ok: false; code: string };

class Loader {
  private readonly files = new Map<string, LoadedFile>();
  private readonly includes: LoadedInclude[] = [];
  private readonly entries: LoadedEntry[] = [];
  private readonly diagnostics: TorrcError[] = [];
  private readonly lists = new Map<string, ConfigLine[]>();
  private readonly fragile = new Set<string>();
  private readonly singles = new Map<string, ConfigLine>();
  private readonly stops = new Map<ConfigSource, LoadStop>();
  private readonly parsed = new Map<string, TorrcFile[]>();

  constructor(
    private readonly cwd: string,
    private readonly fs: TorrcFs,
    parsed: Iterable<TorrcFile> = [],
  ) {
    for (const file of parsed) {
      const list = this.parsed.get(file.path);
      if (list) list.push(file);
      else this.parsed.set(file.path, [file]);
    }
  }

  /** Reads one source (with its includes) and applies its entries. */
  readSource(filePath: string, source: ConfigSource): void {
    const status = torFileStatus(this.fs, filePath);
    if (status !== 'file' && status !== 'empty') {
      if (source === 'defaults') {
        // find_torrc_filename() sets ignore_missing_torrc for the defaults file: tor goes on without it.
        this.report(
          new TorrcError('TORRC_DEFAULTS_MISSING', `the defaults file ${filePath} cannot be read (${status}); tor runs without it`, {
            location: { file: filePath, line: 1 },
            hint: 'pass the defaults file tor is started with (Debian: /usr/share/tor/tor-service-defaults-torrc), or none',
            severity: 'warning',
          }),
        );
      } else {
        const error = new TorrcError('TORRC_FILE_MISSING', `tor cannot open the configuration file ${filePath} (${status})`, {
          location: { file: filePath, line: 1 },
          hint: 'pass the torrc tor is started with (-f), e.g. /etc/tor/torrc',
        });
        this.report(error);
        this.stops.set(source, { error, file: undefined, node: undefined });
      }
      return;
    }
    const read = this.read(filePath, source, 1, undefined);
    if (!read.ok) {
      const error = new TorrcError(source === 'torrc' ? 'TORRC_FILE_MISSING' : 'TORRC_DEFAULTS_MISSING', `cannot read ${filePath} (${read.code})`, {
        location: { file: filePath, line: 1 },
        hint: read.code === 'EINVAL' ? 'exitkit does not read FIFOs or devices; pass a regular file' : 'check the path and its permissions',
        severity: source === 'torrc' ? 'error' : 'warning',
      });
      this.report(error);
      if (source === 'torrc') this.stops.set(source, { error, file: undefined, node: undefined });
      return;
    }
    const collected: LoadedEntry[] = [];
    this.collect(read.file, 1, collected, source);
    this.assign(collected);
  }

  private read(filePath: string, source: ConfigSource, level: number, includedFrom: SourceLocation | undefined): ReadResult {
    const known = this.files.get(filePath);
    if (known) return { ok: true, file: known };
    let bytes: Uint8Array;
    try {
      bytes = this.fs.readFile(filePath);
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'EIO';
      return { ok: false, code };
    }
    const { text, encoding } = decodeTorrcBytes(bytes);
    const file =
      this.parsed.get(filePath)?.find((known) => known.encoding === encoding && known.source === text) ??
      parseTorrc(text, filePath, { encoding });
    const loaded: LoadedFile = Object.freeze({
      path: filePath,
      file,
      source,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      level,
      includedFrom,
    });
    this.files.set(filePath, loaded);
    if (encoding === 'latin1') {
      this.report(
        new TorrcError('TORRC_NOT_UTF8', `${filePath} is not valid UTF-8; exitkit reads it byte by byte`, {
          location: { file: filePath, line: 1 },
          hint: 'save the file as UTF-8',
          severity: 'warning',
        }),
      );
    }
    // Reading errors tied to an entry are reported where Tor stops; the rest right away.
    for (const problem of file.errors) if (!isEntryError(file, problem)) this.report(problem);
    for (const warning of file.warnings) this.report(warning);
    return { ok: true, file: loaded };
  }

  /** Collects a file's entries in Tor's order, splicing includes. Returns false where Tor stops. */
  private collect(loaded: LoadedFile, level: number, out: LoadedEntry[], source: ConfigSource): boolean {
    for (const node of loaded.file.nodes) {
      if (node.kind !== 'entry') continue;
      if (node.error) {
        this.stop(source, loaded, node, node.error);
        return false;
      }
      const location = entryLocation(loaded.file, node);
      if (node.isInclude) {
        if (!this.include(node, location, loaded, level, out, source)) return false;
        continue;
      }
      const lookup = lookupOption(node.key);
      const option = lookup.option;
      const line: ConfigLine | undefined = option
        ? Object.freeze({ option: option.name, key: node.key, prefix: node.prefix, value: node.value, location, source })
        : undefined;
      out.push(Object.freeze({ file: loaded, node, source, location, lookup, option, line }));
    }
    return true;
  }

  private include(node: EntryNode, location: SourceLocation, parent: LoadedFile, level: number, out: LoadedEntry[], source: ConfigSource): boolean {
    const expansion = expandInclude(node.value, this.cwd, this.fs);
    this.includes.push(Object.freeze({ location, source, expansion }));
    if (expansion.failure) {
      const { code, path: failedPath, reason } = expansion.failure;
      this.stop(
        source,
        parent,
        node,
        new TorrcError(code, `tor cannot read ${quote(node.value)} included at ${parent.path}:${node.firstLine}: ${failedPath}: ${reason}`, {
          location,
          input: node.value,
          hint:
            code === 'TORRC_INCLUDE_EMPTY'
              ? 'give %include a file, directory or glob pattern'
              : code === 'TORRC_INCLUDE_MISSING'
                ? `create it or fix the path; relative paths resolve against tor's working directory (${this.cwd}), not the file's folder, and ~ is not expanded`
                : 'make it a readable regular file or directory',
        }),
      );
      return false;
    }
    if (expansion.glob && expansion.matches.length === 0) {
      this.report(
        new TorrcError('TORRC_INCLUDE_NO_MATCH', `the pattern ${quote(node.value)} matches nothing, so nothing is included`, {
          location,
          input: node.value,
          hint: `check the pattern; relative paths resolve against ${this.cwd}`,
          severity: 'warning',
        }),
      );
    }
    for (const childPath of expansion.files) {
      if (level + 1 > MAX_INCLUDE_LEVEL) {
        this.stop(
          source,
          parent,
          node,
          new TorrcError('TORRC_INCLUDE_TOO_DEEP', `including ${childPath} would nest files more than ${MAX_INCLUDE_LEVEL} levels deep (does a file include itself?)`, {
            location,
            input: node.value,
            hint: 'remove the include cycle or flatten the nesting',
          }),
        );
        return false;
      }
      const child = this.read(childPath, source, level + 1, location);
      if (!child.ok) {
        this.stop(
          source,
          parent,
          node,
          new TorrcError('TORRC_INCLUDE_UNREADABLE', `cannot read ${childPath}, included by ${quote(node.value)} (${child.code})`, {
            location,
            input: node.value,
            hint: child.code === 'EINVAL' ? 'exitkit does not read FIFOs or devices; include regular files' : 'check the file permissions',
          }),
        );
        return false;
      }
      if (!this.collect(child.file, level + 1, out, source)) return false;
    }
    return true;
  }

  /** Applies one source's entries (config_assign), then marks every list fragile. */
  private assign(entries: readonly LoadedEntry[]): void {
    const seen = new Set<string>();
    for (const entry of entries) {
      this.entries.push(entry);
      const { node, option, line, location, lookup } = entry;
      if (!option || !line) {
        // A byte-order mark at the start of a file is reported once, as such.
        if (!(entry.file.file.bom && node.offset === 0)) {
          this.report(
            new TorrcError('TORRC_UNKNOWN_OPTION', `Tor does not know the option ${quote(node.key)} and refuses the configuration`, {
              location,
              input: node.rawKey,
              pos: [0, node.rawKey.length],
              hint: suggestOption(node.key),
            }),
          );
        }
        continue;
      }
      for (const alias of lookup.warnedAliases) {
        this.report(
          new TorrcError('TORRC_DEPRECATED_ALIAS', `${quote(node.key)} is a deprecated name for ${alias.option}`, {
            location, input: node.rawKey, hint: `write ${alias.option} instead`, severity: 'warning',
          }),
        );
      }
      if (lookup.via === 'prefix') {
        this.report(
          new TorrcError('TORRC_ABBREVIATION', `${quote(node.key)} is read as ${option.name}: Tor accepts the start of an option name but warns that this is deprecated`, {
            location, input: node.rawKey, hint: `write ${option.name} in full`, severity: 'warning',
          }),
        );
      }
      if (option.deprecated !== undefined) {
        this.report(
          new TorrcError('TORRC_DEPRECATED_OPTION', `${option.name} is deprecated`, {
            location, input: node.rawKey, hint: option.deprecated, severity: 'warning',
          }),
        );
      }
      if (node.prefix === '/' && node.value === '' && /\S/.test(rawValueText(node))) {
        this.report(
          new TorrcError('TORRC_CLEAR_DISCARDS_VALUE', `/${option.name} clears the option; the text after it is ignored`, {
            location, input: node.rawKey, hint: `put the value on a separate ${option.name} line after the /${option.name} line`, severity: 'warning',
          }),
        );
      }
      if (line.value === '') {
        this.reset(option, line, node);
        continue;
      }
      if (option.kind === 'single') {
        if (seen.has(option.name)) {
          this.report(
            new TorrcError('TORRC_REPEATED_OPTION', `${option.name} is set more than once; only the last value counts`, {
              location, input: node.rawKey, hint: `keep one ${option.name} line`, severity: 'warning',
            }),
          );
        }
        seen.add(option.name);
      }
      if (option.obsolete) {
        this.report(
          new TorrcError('TORRC_OBSOLETE_OPTION', `${option.name} is obsolete; Tor ignores it`, {
            location, input: node.rawKey, hint: `remove the ${option.name} line`, severity: 'warning',
          }),
        );
        continue;
      }
      if (option.virtual) {
        this.report(
          new TorrcError('TORRC_VIRTUAL_OPTION', `Tor refuses a value for ${option.name}, which only groups other options`, {
            location, input: node.rawKey, hint: `set ${option.name.replace(/Lines$/, '')} lines instead`,
          }),
        );
        continue;
      }
      const problem = checkLineValue(option, line.value, location);
      if (problem) {
        this.report(problem);
        continue;
      }
      if (option.kind === 'list') this.append(option, line);
      else this.singles.set(option.name, line);
    }
    for (const [storage, lines] of this.lists) if (lines.length > 0) this.fragile.add(storage);
  }

  private reset(option: TorOption, line: ConfigLine, node: EntryNode): void {
    if (option.kind === 'list') {
      if (node.prefix !== '/') {
        this.report(
          new TorrcError('TORRC_EMPTY_LIST_VALUE', `${option.name} has no value; Tor skips the line`, {
            location: line.location, input: node.rawKey, hint: `give it a value, or write /${option.name} to clear the list`, severity: 'warning',
          }),
        );
        return;
      }
      this.lists.set(option.storage, []);
      this.fragile.delete(option.storage);
      return;
    }
    if (option.obsolete) return;
    if (node.prefix !== '/') {
      this.report(
        new TorrcError('TORRC_EMPTY_VALUE_RESETS', `${option.name} has no value: Tor resets it to 0/empty, not to its default`, {
          location: line.location, input: node.rawKey, hint: `give ${option.name} a value, or remove the line to get Tor's default`, severity: 'warning',
        }),
      );
    }
    this.singles.set(option.name, line);
  }

  private append(option: TorOption, line: ConfigLine): void {
    const list = this.lists.get(option.storage) ?? [];
    if (this.fragile.has(option.storage)) {
      this.fragile.delete(option.storage);
      if (line.prefix !== '+') list.length = 0;
    }
    list.push(line);
    this.lists.set(option.storage, list);
  }

  private report(problem: TorrcError): void {
    this.diagnostics.push(problem);
  }

  private stop(source: ConfigSource, file: LoadedFile, node: EntryNode, error: TorrcError): void {
    this.report(error);
    if (!this.stops.has(source)) this.stops.set(source, { error, file, node });
  }

  finish(options: ResolvedLoadOptions): LoadedConfig {
    const singles = new Map(this.singles);
    const lists = new Map([...this.lists].map(([k, v]) => [k, Object.freeze([...v])] as const));
    const value = (name: string): ConfigLine | undefined => {
      const option = resolveOptionName(name);
      if (option.kind === 'list') return listLines(option).at(-1);
      return singles.get(option.name);
    };
    const byOption = new Map<string, readonly ConfigLine[]>();
    const listLines = (option: TorOption): readonly ConfigLine[] => {
      let found = byOption.get(option.name);
      if (found === undefined) {
        const lines = lists.get(option.storage) ?? [];
        found = option.virtual ? lines : Object.freeze(lines.filter((l) => l.option === option.name));
        byOption.set(option.name, found);
      }
      return found;
    };
    // Built when first asked: few callers look lines up, and a large file set has many.
    let byLine: Map<ConfigLine, LoadedEntry> | undefined;
    const entryOf = (line: ConfigLine): LoadedEntry | undefined => {
      if (byLine === undefined) {
        byLine = new Map();
        for (const entry of this.entries) if (entry.line) byLine.set(entry.line, entry);
      }
      return byLine.get(line);
    };
    const finalView = {
      value,
      lines: (name: string): readonly ConfigLine[] => {
        const option = resolveOptionName(name);
        if (option.kind === 'list') return listLines(option);
        const line = singles.get(option.name);
        return line ? [line] : [];
      },
      bytes: (line: ConfigLine): Uint8Array => {
        const entry = entryOf(line);
        return entry ? valueBytes(entry.node, entry.file.file.encoding) : Buffer.from(line.value, 'utf8');
      },
    };
    for (const problem of checkFinalOptions(finalView)) this.report(problem);
    const diagnostics = Object.freeze([...this.diagnostics]);
    const errors = Object.freeze(diagnostics.filter((d) => d.severity === 'error'));
    const entries = Object.freeze([...this.entries]);
    const files = Object.freeze([...this.files.values()]);
    const byPath = new Map(this.files);
    const stops = new Map(this.stops);
    return Object.freeze({
      torrc: options.torrc,
      defaultsTorrc: options.defaultsTorrc,
      cwd: options.cwd,
      files,
      includes: Object.freeze([...this.includes]),
      entries,
      diagnostics,
      errors,
      warnings: Object.freeze(diagnostics.filter((d) => d.severity === 'warning')),
      valid: errors.length === 0,
      options: Object.freeze({ ...options }),
      lines: finalView.lines,
      value,
      sourceEntries(source: ConfigSource): readonly LoadedEntry[] {
        return entries.filter((e) => e.source === source);
      },
      stoppedAt: (source: ConfigSource): LoadStop | undefined => stops.get(source),
      file: (filePath: string): LoadedFile | undefined => byPath.get(filePath),
      entryOf,
    });
  }
}

function isEntryError(file: TorrcFile, problem: TorrcError): boolean {
  return file.nodes.some((node) => node.kind === 'entry' && node.error === problem);
}

// The text written after `/Key` (the lexer's value is already emptied).
function rawValueText(node: EntryNode): string {
  const firstLine = node.raw.split('\n', 1)[0] ?? '';
  const afterKey = firstLine.slice(node.keyColumn - 1 + node.rawKey.length);
  return afterKey.replace(/#.*$/, '');
}

/** Resolves an option name for `lines()`/`value()`: exact (any case) or a configuration-file alias. */
function resolveOptionName(name: string): TorOption {
  const exact = findOption(name);
  if (exact) return exact;
  const alias = TOR_OPTION_ALIASES.find((a) => !a.commandLineOnly && asciiLower(a.alias) === asciiLower(name));
  const aliased = alias ? findOption(alias.option) : undefined;
  if (aliased) return aliased;
  throw new TorrcError('TORRC_UNKNOWN_OPTION_NAME', `${quote(name)} is not an option name of tor 0.4.9.11`, {
    input: name,
    hint: suggestOption(name),
  });
}

const suggestions = new Map<string, string>();

/** A hint naming the closest option name, for unknown keywords. */
export function suggestOption(key: string): string {
  let hint = suggestions.get(key);
  if (hint === undefined) {
    hint = computeSuggestion(key);
    if (suggestions.size < 1000) suggestions.set(key, hint);
  }
  return hint;
}

function computeSuggestion(key: string): string {
  const lower = asciiLower(key.replace(/^\uFEFF/, ''));
  if (key.startsWith('\uFEFF')) return 'remove the byte-order mark at the start of the file';
  if (key === '%Include' || asciiLower(key) === '%include') return 'write %include in lower case';
  let best: { name: string; distance: number } | undefined;
  for (const row of suggestableNames()) {
    const distance = editDistance(lower, asciiLower(row));
    if (!best || distance < best.distance) best = { name: row, distance };
  }
  if (best && best.distance <= Math.max(2, Math.floor(lower.length / 4))) return `did you mean ${best.name}?`;
  return 'check the spelling against the tor manual (tor --list-torrc-options lists every option)';
}

let suggestable: readonly string[] | undefined;
// Only names an operator should write: no hidden `_` options, nothing obsolete or virtual.
function suggestableNames(): readonly string[] {
  suggestable ??= TOR_OPTIONS.filter((o) => !o.name.startsWith('_') && !o.obsolete && !o.virtual).map((o) => o.name);
  return suggestable;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** Decodes a file's bytes: UTF-8 when valid (a byte-order mark is kept), else byte by byte. */
export function decodeTorrcBytes(bytes: Uint8Array): { text: string; encoding: TorrcEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: Buffer.from(bytes).toString('latin1'), encoding: 'latin1' };
  }
}

/** Encodes a file's text back to the bytes it was read from (or will be written as). */
export function encodeTorrcText(file: Pick<TorrcFile, 'source' | 'encoding'>): Buffer {
  return Buffer.from(file.source, file.encoding);
}
