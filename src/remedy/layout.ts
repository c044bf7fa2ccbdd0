/**
 * Where the ExitPolicy lines Tor keeps come from, and where new lines must go for Tor to
 * read them where they are meant to be.
 *
 * Tor reads the defaults file, then the torrc, each with its `%include`s spliced in place.
 * A list option's first line in the torrc replaces the defaults file's list unless it is
 * written `+ExitPolicy`; `/ExitPolicy` clears the list wherever it appears (tor-semantics
 * §1.5). So the kept list is: the defaults file's lines (D), then the torrc's (T), where D is
 * empty as soon as T starts with a plain line or the torrc clears the list.
 */
import type { LoadedConfig, LoadedEntry, LoadedFile } from '../torrc/index.js';
import type { ConfigLine } from '../types.js';
import type { Spot } from './edits.js';

/** The ExitPolicy lines Tor keeps, split by source, and the fallback spot for new lines. */
export interface PolicyLayout {
  /** Every kept line, in Tor's order. */
  readonly kept: readonly LoadedEntry[];
  /** The kept lines that come from the defaults file (they come first). */
  readonly defaults: readonly LoadedEntry[];
  /** The kept lines that come from the torrc and its includes. */
  readonly torrc: readonly LoadedEntry[];
  /**
   * Where lines go when the torrc keeps no ExitPolicy line: after the effective ExitRelay
   * line of the torrc (if no `/ExitPolicy` follows it), else after the torrc's last
   * `/ExitPolicy`, else at the end of the main torrc.
   */
  readonly spot: Spot;
}

/** The entry that holds a configuration line. */
export function entryOf(config: LoadedConfig, line: ConfigLine): LoadedEntry {
  const entry = config.entryOf(line);
  if (!entry) throw new Error(`no entry holds ${line.location.file}:${line.location.line}`);
  return entry;
}

/** The layout of a configuration's ExitPolicy lines. */
export function policyLayout(config: LoadedConfig, exitPolicy: readonly ConfigLine[]): PolicyLayout {
  const kept = exitPolicy.map((line) => entryOf(config, line));
  return Object.freeze({
    kept,
    defaults: kept.filter((e) => e.source === 'defaults'),
    torrc: kept.filter((e) => e.source === 'torrc'),
    spot: fallbackSpot(config),
  });
}

/** The main torrc as loaded. */
export function mainTorrc(config: LoadedConfig): LoadedFile {
  const file = config.file(config.torrc);
  if (!file) throw new Error(`${config.torrc} was not read`);
  return file;
}

function fallbackSpot(config: LoadedConfig): Spot {
  const entries = config.entries;
  let lastClear = -1;
  entries.forEach((e, i) => {
    if (e.source === 'torrc' && e.option?.name === 'ExitPolicy' && e.node.prefix === '/') lastClear = i;
  });
  const exitRelayLine = config.value('ExitRelay');
  const exitRelayEntry = exitRelayLine ? config.entryOf(exitRelayLine) : undefined;
  const exitRelay = exitRelayEntry ? entries.indexOf(exitRelayEntry) : -1;
  if (exitRelayEntry && exitRelayEntry.source === 'torrc' && exitRelay > lastClear) {
    return { file: exitRelayEntry.file, node: exitRelayEntry.node, where: 'after' };
  }
  const clear = entries[lastClear];
  if (clear) return { file: clear.file, node: clear.node, where: 'after' };
  return { file: mainTorrc(config), where: 'end' };
}
