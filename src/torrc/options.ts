/**
 * Tor's option names and how a keyword in a torrc becomes one of them.
 *
 * `config_assign` (src/lib/confmgt/confmgt.c) first rewrites each keyword through the alias
 * table (`config_expand_abbrev`, case-insensitive, aliases marked command-line-only skipped),
 * then looks the result up with `config_mgr_find_var`: an exact case-insensitive match, else
 * the first option in table order whose name starts with the keyword (Tor warns that such
 * abbreviations are deprecated), else "Unknown option". `%include` never reaches this: the
 * lexer handles it, case-sensitively.
 */
import { ABBREVIATION_ROWS, DEPRECATION_ROWS, OPTION_ROWS } from './option-table.js';

/** The value types of Tor's option table (`CONFIG_TYPE_*`, plus the routerset type). */
export type OptionType =
  | 'STRING'
  | 'FILENAME'
  | 'INT'
  | 'POSINT'
  | 'UINT64'
  | 'MEMUNIT'
  | 'INTERVAL'
  | 'MSEC_INTERVAL'
  | 'DOUBLE'
  | 'BOOL'
  | 'AUTOBOOL'
  | 'CSV'
  | 'CSV_INTERVAL'
  | 'LINELIST'
  | 'LINELIST_S'
  | 'LINELIST_V'
  | 'ROUTERSET'
  | 'OBSOLETE';

/** Flags of a row of the option table. */
export type OptionFlag = 'immutable' | 'invisible';

/** One row of the generated option table: [name, type, flags, shared list]. */
export type OptionRow =
  | readonly [string, OptionType]
  | readonly [string, OptionType, readonly OptionFlag[]]
  | readonly [string, OptionType, readonly OptionFlag[], string];

/** One row of the alias table: [alias, option, command line only, warns]. */
export type OptionAbbreviationRow = readonly [string, string, boolean, boolean];

/** One option Tor knows. */
export interface TorOption {
  /** Canonical name, as Tor spells it. */
  readonly name: string;
  /** Value type. */
  readonly type: OptionType;
  /** Position in Tor's lookup order (names sorted case-insensitively). */
  readonly index: number;
  /**
   * `list`: lines accumulate (LINELIST, LINELIST_S/V, ROUTERSET: types Tor marks
   * "no replace"); `single`: the last line wins.
   */
  readonly kind: 'list' | 'single';
  /**
   * Name of the list this option's lines are stored in: the virtual option for
   * `ORPort`/`__ORPort`/`ORPortLines` and the `HiddenService*` family, else its own name.
   */
  readonly storage: string;
  /** A virtual option (`ORPortLines`, `HiddenServiceOptions`): Tor refuses values for it. */
  readonly virtual: boolean;
  /** Tor ignores the option (and warns). */
  readonly obsolete: boolean;
  /** Tor cannot change the option while running (a restart is needed). */
  readonly immutable: boolean;
  /** Not listed by `tor --list-torrc-options`, but still read from a torrc. */
  readonly invisible: boolean;
  /** Tor warns that the option is deprecated; what to do instead. */
  readonly deprecated: string | undefined;
}

/** An alias from Tor's table (`DirServer` → `DirAuthority`, plurals, ...). */
export interface OptionAlias {
  /** The alias, as Tor lists it. */
  readonly alias: string;
  /** The option it stands for. */
  readonly option: string;
  /** Only valid on the command line, so ignored in a torrc. */
  readonly commandLineOnly: boolean;
  /** Tor warns when the alias is used. */
  readonly warns: boolean;
}

/** ASCII-only lower case, as C's tolower in the "C" locale. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

const deprecations = new Map(DEPRECATION_ROWS.map(([name, why]) => [asciiLower(name), why]));

/** Every option of Tor 0.4.9.11, in Tor's lookup order. */
export const TOR_OPTIONS: readonly TorOption[] = Object.freeze(
  OPTION_ROWS.map((row, index): TorOption => {
    const [name, type] = row;
    const flags: readonly OptionFlag[] = row[2] ?? [];
    return Object.freeze({
      name,
      type,
      index,
      kind: type === 'LINELIST' || type === 'LINELIST_S' || type === 'LINELIST_V' || type === 'ROUTERSET' ? 'list' : 'single',
      storage: row[3] ?? name,
      virtual: type === 'LINELIST_V',
      obsolete: type === 'OBSOLETE',
      immutable: flags.includes('immutable'),
      invisible: flags.includes('invisible'),
      deprecated: deprecations.get(asciiLower(name)),
    });
  }),
);

/** Tor's alias table, in Tor's order (it is applied top to bottom, chaining). */
export const TOR_OPTION_ALIASES: readonly OptionAlias[] = Object.freeze(
  ABBREVIATION_ROWS.map(([alias, option, commandLineOnly, warns]) => Object.freeze({ alias, option, commandLineOnly, warns })),
);

const byLowerName = new Map(TOR_OPTIONS.map((option) => [asciiLower(option.name), option]));
const lowerNames = TOR_OPTIONS.map((option) => asciiLower(option.name));
const lowerAliases = TOR_OPTION_ALIASES.map((alias) => asciiLower(alias.alias));

/** The option with exactly this name (case-insensitive), without aliases or prefixes. */
export function findOption(name: string): TorOption | undefined {
  return byLowerName.get(asciiLower(name));
}

/** How a torrc keyword resolved. */
export interface OptionLookup {
  /** The option Tor applies the line to; undefined when Tor fails with "Unknown option". */
  readonly option: TorOption | undefined;
  /** `exact` name, `alias` from the table, `prefix` (an abbreviation Tor warns about), or `unknown`. */
  readonly via: 'exact' | 'alias' | 'prefix' | 'unknown';
  /** The keyword after alias rewriting (what the exact and prefix lookups used). */
  readonly expanded: string;
  /** Aliases applied that Tor warns about. */
  readonly warnedAliases: readonly OptionAlias[];
}

// A torrc repeats few keywords many times (ExitPolicy on every line of a large policy), so
// each keyword is resolved once; the cache is bounded against files of distinct garbage keys.
const lookups = new Map<string, OptionLookup>();
const MAX_CACHED_LOOKUPS = 4096;

/** Resolves a torrc keyword (without its `+`/`/` prefix) the way Tor does for a torrc line. */
export function lookupOption(key: string): OptionLookup {
  let found = lookups.get(key);
  if (found === undefined) {
    found = Object.freeze(resolveKeyword(key));
    if (lookups.size < MAX_CACHED_LOOKUPS) lookups.set(key, found);
  }
  return found;
}

function resolveKeyword(key: string): OptionLookup {
  let expanded = key;
  let lowerExpanded = asciiLower(key);
  let aliased = false;
  const warnedAliases: OptionAlias[] = [];
  TOR_OPTION_ALIASES.forEach((alias, i) => {
    if (alias.commandLineOnly || lowerExpanded !== lowerAliases[i]) return;
    if (alias.warns) warnedAliases.push(alias);
    expanded = alias.option;
    lowerExpanded = asciiLower(expanded);
    aliased = true;
  });
  Object.freeze(warnedAliases);
  if (expanded.length === 0) return { option: undefined, via: 'unknown', expanded, warnedAliases };
  const exact = byLowerName.get(lowerExpanded);
  if (exact) return { option: exact, via: aliased ? 'alias' : 'exact', expanded, warnedAliases };
  const index = lowerNames.findIndex((name) => name.startsWith(lowerExpanded));
  const prefixed = index === -1 ? undefined : TOR_OPTIONS[index];
  return prefixed
    ? { option: prefixed, via: 'prefix', expanded, warnedAliases }
    : { option: undefined, via: 'unknown', expanded, warnedAliases };
}

/** Options whose lines share one list with this one (itself included), in lookup order. */
export function optionsSharingStorage(option: TorOption): TorOption[] {
  return TOR_OPTIONS.filter((other) => other.storage === option.storage);
}
