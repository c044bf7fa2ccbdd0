/**
 * A tiny in-memory ConfigView for policy tests: one `Key value` per line, keys already
 * canonical, the last line of a single-value option wins, `#` lines ignored.
 */
import type { ConfigLine, ConfigView } from '../../src/types.js';

/** Builds a ConfigView from `Key value` lines. */
export function configView(text: string, file = '/etc/tor/torrc'): ConfigView & { all: ConfigLine[] } {
  const all: ConfigLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) return;
    const option = m[1] as string;
    all.push({
      option,
      key: option,
      prefix: '',
      value: (m[2] as string).trim(),
      location: { file, line: i + 1 },
      source: 'torrc',
    });
  });
  return {
    all,
    lines: (option) => all.filter((l) => l.option === option),
    value: (option) => all.filter((l) => l.option === option).at(-1),
  };
}

/** A ConfigLine for `ExitPolicy value` at `file:line`. */
export function policyLine(value: string, line = 1, file = '/etc/tor/torrc'): ConfigLine {
  return { option: 'ExitPolicy', key: 'ExitPolicy', prefix: '', value, location: { file, line }, source: 'torrc' };
}
