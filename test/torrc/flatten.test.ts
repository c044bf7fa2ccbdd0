import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { entriesOf, parseTorrc } from '../../src/torrc/cst.js';
import { loadConfigSync, type LoadedConfig } from '../../src/torrc/config.js';
import { flatEntry, flattenConfig, quoteValue } from '../../src/torrc/flatten.js';
import { memoryFs, type MemoryTree } from '../../src/torrc/fs.js';
import { source } from '../helpers/source.js';
import { torrcText } from './arbitraries.js';

function load(tree: MemoryTree, defaults = false): LoadedConfig {
  return loadConfigSync({ torrc: '/etc/tor/torrc', defaultsTorrc: defaults ? '/defaults' : undefined, cwd: '/etc/tor', fs: memoryFs(tree) });
}

/** What Tor gets from one source: keyword and value of each entry, in order, and the verdict. */
function reading(config: LoadedConfig, source: 'torrc' | 'defaults' = 'torrc'): { entries: Array<[string, string]>; valid: boolean } {
  // An empty keyword is always refused; its value cannot always be carried (see flatEntry).
  const entries = config.sourceEntries(source).map((e): [string, string] => [e.node.rawKey, e.node.key === '' ? '*' : e.node.value]);
  return { entries, valid: config.valid };
}

function readFlat(text: string): { entries: Array<[string, string]>; valid: boolean } {
  return reading(load({ '/etc/tor/torrc': text }));
}

describe('torrc/flatten', () => {
  describe('#flattenConfig', () => {
    const tree: MemoryTree = {
      '/etc/tor/torrc': source`
        Nickname Relay
        %include torrc.d
        ExitPolicy reject *:*
      `,
      '/etc/tor/torrc.d/10-policy.conf': 'ExitPolicy reject 192.0.2.0/24:*, \\\n  accept *:443',
      '/etc/tor/torrc.d/20-contact.conf': 'ContactInfo "abuse # at example.org"\n',
    };

    test('splices includes and guards file boundaries', () => {
      const flat = flattenConfig(load(tree));
      expect(flat).toBe(source`
        # exitkit: flattened from /etc/tor/torrc
        Nickname Relay
        ExitPolicy reject 192.0.2.0/24:*,   accept *:443
        ContactInfo "abuse # at example.org"
        ExitPolicy reject *:*
      `);
      expect(readFlat(flat)).toEqual(reading(load(tree)));
    });

    test('reads overrides instead of the files on disk, including new files', () => {
      const loaded = load(tree);
      const flat = flattenConfig(
        loaded,
        new Map([
          ['/etc/tor/torrc.d/10-policy.conf', 'ExitPolicy reject 198.51.100.0/24:*\n'],
          ['/etc/tor/torrc.d/15-new.conf', 'ExitPolicy reject 203.0.113.0/24:*\n'],
        ]),
      );
      expect(readFlat(flat).entries.map(([, v]) => v)).toEqual(['Relay', 'reject 198.51.100.0/24:*', 'reject 203.0.113.0/24:*', 'abuse # at example.org', 'reject *:*']);
    });

    test('flattens the defaults source on request', () => {
      const loaded = load({ '/etc/tor/torrc': 'Nickname a\n', '/defaults': 'DataDirectory /var/lib/tor\n' }, true);
      expect(flattenConfig(loaded, new Map(), { source: 'defaults' })).toBe('# exitkit: flattened from /defaults\nDataDirectory /var/lib/tor\n');
    });

    test('copies the line where tor stops reading, so the flattened text fails the same way', () => {
      const loaded = load({ '/etc/tor/torrc': 'Nickname a\n%include bad.conf\nContactInfo b\n', '/etc/tor/bad.conf': 'ContactInfo "x" y\r\n' });
      const flat = flattenConfig(loaded);
      expect(flat).toBe('# exitkit: flattened from /etc/tor/torrc\nNickname a\nContactInfo "x" y\n');
      expect(loadConfigSync({ torrc: '/f', fs: memoryFs({ '/f': flat }) }).errors.map((e) => e.code)).toEqual(['TORRC_EXCESS_AFTER_QUOTE']);
    });

    test.each([
      ['%include missing.conf\n', 'TORRC_FLATTEN_UNREADABLE'],
      ['%include torrc\n', 'TORRC_FLATTEN_UNREADABLE'],
    ])('refuses %j with %s', (torrc, code) => {
      expect(() => flattenConfig(load({ '/etc/tor/torrc': torrc }))).toThrow(expect.objectContaining({ code }));
    });

    test('reads like the file set for generated file sets with includes (1,000 cases)', () => {
      fc.assert(
        fc.property(torrcText(), torrcText(), torrcText(), fc.nat(3), (top, a, b, where) => {
          const lines = top.split('\n');
          lines.splice(where % (lines.length + 1), 0, '%include inc');
          const set: MemoryTree = { '/etc/tor/torrc': lines.join('\n'), '/etc/tor/inc/a.conf': a, '/etc/tor/inc/b.conf': b };
          const loaded = load(set);
          const stop = loaded.stoppedAt('torrc');
          fc.pre(!stop || !stop.error.code.startsWith('TORRC_INCLUDE'));
          expect(readFlat(flattenConfig(loaded))).toEqual(reading(loaded));
        }),
        { numRuns: 1_000 },
      );
    }, 60_000);
  });

  describe('#flatEntry', () => {
    test.each([
      ['ContactInfo plain value\n', 'ContactInfo plain value'],
      ['ContactInfo "has # hash"\n', 'ContactInfo "has # hash"'],
      ['ContactInfo "  padded  "\n', 'ContactInfo "  padded  "'],
      ['ContactInfo "two\\nlines"\n', 'ContactInfo "two\\nlines"'],
      ['ContactInfo "ends in \\\\"\n', 'ContactInfo "ends in \\\\"'],
      ['ContactInfo "\\"starts with a quote"\n', 'ContactInfo "\\"starts with a quote"'],
      ['ContactInfo "cr\\r"\n', 'ContactInfo "cr\\r"'],
      ['/ExitPolicy ignored\n', '/ExitPolicy'],
      ['k\\ ""\n', 'k\\ ""'],
      ['\\\nfoo\n', '\\\nfoo'],
    ])('writes %j as %j', (text, expected) => {
      const entry = entriesOf(parseTorrc(text, '/t'))[0];
      expect(entry && flatEntry(entry)).toBe(expected);
      const reread = entriesOf(parseTorrc(`${expected}\n`, '/t'))[0];
      expect([reread?.rawKey, reread?.value]).toEqual([entry?.rawKey, entry?.value]);
    });
  });

  describe('#quoteValue', () => {
    test('escapes bytes of a file read byte by byte', () => {
      expect(quoteValue('caf\u00e9\u0001', 'latin1')).toBe('"caf\\xe9\\x01"');
      expect(quoteValue('caf\u00e9', 'utf8')).toBe('"caf\u00e9"');
    });
  });
});
