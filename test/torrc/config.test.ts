import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decodeTorrcBytes, encodeTorrcText, loadConfigSync, type LoadedConfig } from '../../src/torrc/config.js';
import { memoryFs, type MemoryTree } from '../../src/torrc/fs.js';
import { source } from '../helpers/source.js';

/** Loads /etc/tor/torrc (and /defaults when given) from an in-memory tree, cwd /etc/tor. */
function load(torrc: string, defaults?: string, extra: MemoryTree = {}): LoadedConfig {
  const tree: Record<string, string | Uint8Array | null> = { '/etc/tor/torrc': torrc, ...extra };
  if (defaults !== undefined) tree['/defaults'] = defaults;
  return loadConfigSync({ torrc: '/etc/tor/torrc', defaultsTorrc: defaults === undefined ? undefined : '/defaults', cwd: '/etc/tor', fs: memoryFs(tree) });
}

const values = (config: LoadedConfig, option: string): string[] => config.lines(option).map((l) => l.value);
const codes = (config: LoadedConfig): string[] => config.diagnostics.map((d) => d.code);

describe('torrc/config', () => {
  describe('#loadConfigSync', () => {
    // Fact sheet §1.5: how lines of list options combine across and within sources.
    test.each([
      ['a later source replaces the list', 'ExitPolicy reject 1.1.1.1:*\nExitPolicy reject 2.2.2.2:*\n', 'ExitPolicy reject 3.3.3.3:*\n', ['reject 3.3.3.3:*']],
      [
        '+Key appends to the list of the earlier source',
        'ExitPolicy reject 1.1.1.1:*\nExitPolicy reject 2.2.2.2:*\n',
        '+ExitPolicy reject 3.3.3.3:*\nExitPolicy reject 4.4.4.4:*\n',
        ['reject 1.1.1.1:*', 'reject 2.2.2.2:*', 'reject 3.3.3.3:*', 'reject 4.4.4.4:*'],
      ],
      ['+ changes nothing within one file', '', 'ExitPolicy reject 1.1.1.1:*\n+ExitPolicy reject 2.2.2.2:*\n', ['reject 1.1.1.1:*', 'reject 2.2.2.2:*']],
      ['/Key clears in the middle of a file', '', 'ExitPolicy reject 1.1.1.1:*\n/ExitPolicy\nExitPolicy reject 2.2.2.2:*\n', ['reject 2.2.2.2:*']],
      ['/Key clears the earlier source', 'ExitPolicy reject 1.1.1.1:*\n', '/ExitPolicy\n', []],
      ['/Key discards text after it', '', 'ExitPolicy reject 1.1.1.1:*\n/ExitPolicy reject 9.9.9.9:*\n', []],
      ['an empty value of a list is skipped', 'ExitPolicy reject 1.1.1.1:*\n', 'ExitPolicy\nExitPolicy reject 2.2.2.2:*\n', ['reject 2.2.2.2:*']],
      ['a source without the option keeps the earlier list', 'ExitPolicy reject 1.1.1.1:*\n', 'Nickname x\n', ['reject 1.1.1.1:*']],
      ['keyword case and abbreviations land in the same list', '', 'exitpolicy reject 1.1.1.1:*\nExitPol reject 2.2.2.2:*\n', ['reject 1.1.1.1:*', 'reject 2.2.2.2:*']],
    ])('%s', (_name, defaults, torrc, expected) => {
      expect(values(load(torrc, defaults), 'ExitPolicy')).toEqual(expected);
    });

    // Fact sheet §1.4 and §1.5: single-value options.
    test.each([
      ['the last value wins', '', 'ExitRelay 1\nExitRelay 0\n', 'ExitRelay', '0'],
      ['the torrc wins over the defaults file', 'ExitRelay 0\n', 'ExitRelay 1\n', 'ExitRelay', '1'],
      ['an empty value resets to 0, not the default (C16)', '', 'ExitPolicyRejectPrivate 1\nExitPolicyRejectPrivate\n', 'ExitPolicyRejectPrivate', ''],
      ['/Key resets', 'ContactInfo a\n', '/ContactInfo\n', 'ContactInfo', ''],
      ['+ does nothing special', 'Nickname a\n', '+Nickname b\n', 'Nickname', 'b'],
      ['an unset option has no line', '', 'Nickname a\n', 'ContactInfo', undefined],
      ['an earlier source keeps its value', 'DataDirectory /var/lib/tor\n', 'Nickname a\n', 'DataDirectory', '/var/lib/tor'],
    ])('%s', (_name, defaults, torrc, option, expected) => {
      expect(load(torrc, defaults).value(option)?.value).toBe(expected);
    });

    test('gives every line its option, key, prefix, source and location', () => {
      const config = load(
        source`
          # relay
          exitpol reject 1.2.3.4:*, \
            reject 5.6.7.8:*
          %include torrc.d
        `,
        'ExitPolicy reject 9.9.9.9:*\n',
        { '/etc/tor/torrc.d/50.conf': '+ExitPolicy accept *:443\n' },
      );
      expect(config.lines('ExitPolicy')).toEqual([
        { option: 'ExitPolicy', key: 'exitpol', prefix: '', value: 'reject 1.2.3.4:*,   reject 5.6.7.8:*', location: { file: '/etc/tor/torrc', line: 2, endLine: 3 }, source: 'torrc' },
        { option: 'ExitPolicy', key: 'ExitPolicy', prefix: '+', value: 'accept *:443', location: { file: '/etc/tor/torrc.d/50.conf', line: 1 }, source: 'torrc' },
      ]);
    });

    test('splices includes at their position, depth first', () => {
      const config = load('ContactInfo 1\n%include a.conf\nContactInfo 4\n', undefined, {
        '/etc/tor/a.conf': 'ContactInfo 2\n%include b.conf\n',
        '/etc/tor/b.conf': 'ContactInfo 3\n',
      });
      expect(config.entries.map((e) => e.node.value)).toEqual(['1', '2', '3', '4']);
      expect(config.files.map((f) => [f.path, f.level, f.includedFrom?.line])).toEqual([
        ['/etc/tor/torrc', 1, undefined],
        ['/etc/tor/a.conf', 2, 2],
        ['/etc/tor/b.conf', 3, 2],
      ]);
      expect(config.includes.map((i) => i.expansion.files)).toEqual([['/etc/tor/a.conf'], ['/etc/tor/b.conf']]);
    });

    test('records each file read with its SHA-256', () => {
      const config = load('Nickname a\n', 'DataDirectory /var/lib/tor\n');
      expect(config.files.map((f) => [f.path, f.source, f.sha256])).toEqual([
        ['/defaults', 'defaults', createHash('sha256').update('DataDirectory /var/lib/tor\n').digest('hex')],
        ['/etc/tor/torrc', 'torrc', createHash('sha256').update('Nickname a\n').digest('hex')],
      ]);
      expect(config.sourceEntries('defaults').map((e) => e.node.key)).toEqual(['DataDirectory']);
    });

    test.each([
      [30, true],
      [31, true],
      [32, false],
    ])('reads a chain of %i nested files: %s (the limit is 31 levels)', (levels, valid) => {
      const tree: Record<string, string> = {};
      for (let i = 2; i <= levels; i++) tree[`/etc/tor/f${i}`] = i < levels ? `%include f${i + 1}\n` : 'ContactInfo deep\n';
      const config = load(levels >= 2 ? '%include f2\n' : 'ContactInfo deep\n', undefined, tree);
      expect(config.valid).toBe(valid);
      expect(config.value('ContactInfo')?.value).toBe(valid ? 'deep' : undefined);
      if (!valid) expect(codes(config)).toEqual(['TORRC_INCLUDE_TOO_DEEP']);
    });

    test('stops a file that includes itself at the depth limit', () => {
      const config = load('%include torrc\n');
      expect(config.valid).toBe(false);
      expect(codes(config)).toEqual(['TORRC_INCLUDE_TOO_DEEP']);
      expect(config.stoppedAt('torrc')?.error.code).toBe('TORRC_INCLUDE_TOO_DEEP');
    });

    test.each([
      ['an unknown option', 'Nicknam3 x\n', ['TORRC_UNKNOWN_OPTION']],
      ['%Include (L16)', '%Include /x\n', ['TORRC_UNKNOWN_OPTION']],
      ['a missing include', '%include /nope.conf\n', ['TORRC_INCLUDE_MISSING']],
      ['an include without path', '%include\n', ['TORRC_INCLUDE_EMPTY']],
      ['/%include (its path is discarded)', '/%include /etc/tor/torrc.d\n', ['TORRC_INCLUDE_EMPTY']],
      ['a bad quoted value', 'ContactInfo "a\\qb"\nNickname x\n', ['TORRC_BAD_QUOTED_STRING']],
      ['a byte-order mark', '\uFEFFNickname x\n', ['TORRC_BOM']],
      ['a value for a virtual option', 'ORPortLines 9001\n', ['TORRC_VIRTUAL_OPTION']],
      ['a Boolean that is not 0 or 1', 'IPv6Exit true\n', ['TORRC_BAD_BOOL']],
      ['an unparsable data size, even if overridden later', 'RelayBandwidthRate RELAY_BANDWIDTH_RATE\nRelayBandwidthRate 1 MB\n', ['TORRC_BAD_DATA_SIZE', 'TORRC_REPEATED_OPTION']],
      ['a bad final Nickname', 'Nickname ${NICKNAME}\n', ['TORRC_BAD_NICKNAME']],
      ['a template line', '{% if exit %}\n', ['TORRC_UNKNOWN_OPTION']],
    ])('is invalid with %s', (_name, torrc, expected) => {
      const config = load(torrc);
      expect(config.valid).toBe(false);
      expect(codes(config)).toEqual(expected);
      expect(config.errors[0]?.location?.file).toBe('/etc/tor/torrc');
    });

    test.each([
      ['an abbreviation (L15)', 'ExitPol reject 3.3.3.3:*\n', ['TORRC_ABBREVIATION']],
      ['a deprecated alias', 'MaxConn 1000\n', ['TORRC_DEPRECATED_ALIAS']],
      ['an obsolete option', 'AllowDotExit 1\n', ['TORRC_OBSOLETE_OPTION']],
      ['a deprecated option', 'ReachableDirAddresses *:80\n', ['TORRC_DEPRECATED_OPTION']],
      ['an empty list value', 'ExitPolicy\n', ['TORRC_EMPTY_LIST_VALUE']],
      ['an empty virtual option (skipped like any empty list)', 'ORPortLines\n', ['TORRC_EMPTY_LIST_VALUE']],
      ['an empty single value', 'ExitRelay\n', ['TORRC_EMPTY_VALUE_RESETS']],
      ['a repeated single value', 'Nickname a\nNickname b\n', ['TORRC_REPEATED_OPTION']],
      ['text after /Key', '/ExitPolicy reject *:*\n', ['TORRC_CLEAR_DISCARDS_VALUE']],
      ['a bad Nickname that a later line replaces', 'Nickname bad-name\nNickname good\n', ['TORRC_REPEATED_OPTION']],
      ['a glob that matches nothing', '%include /etc/tor/nothing/*.conf\n', ['TORRC_INCLUDE_NO_MATCH']],
      ['the comment trap', 'ExitPolicy a, \\\n  b # c\nNickname x\n', ['TORRC_COMMENT_JOINS_NEXT_LINE']],
      ['text after a NUL byte', 'Nickname a\0garbage\n', ['TORRC_NUL_BYTE']],
      ['AUTO as ExitRelay', 'ExitRelay AUTO\n', []],
    ])('is valid with %s, warning %j', (_name, torrc, expected) => {
      const config = load(torrc);
      expect(config.valid).toBe(true);
      expect(codes(config)).toEqual(expected);
    });

    test('gives entries of a file included from both sources the source that included them', () => {
      const config = load('%include /common.conf\n', '%include /common.conf\n', { '/common.conf': 'ExitPolicy reject 1.1.1.1:*\n' });
      expect(config.entries.map((e) => e.source)).toEqual(['defaults', 'torrc']);
      expect(config.lines('ExitPolicy').map((l) => l.source)).toEqual(['torrc']);
      expect(config.files.map((f) => f.path)).toEqual(['/defaults', '/common.conf', '/etc/tor/torrc']);
    });

    test('counts repeats per source, as Tor does', () => {
      expect(codes(load('Nickname b\n', 'Nickname a\n'))).toEqual([]);
    });

    test('reports a missing torrc as an error and a missing defaults file as a warning (tor ignores it)', () => {
      const fs = memoryFs({ '/etc/tor/torrc': 'Nickname a\n' });
      const noTorrc = loadConfigSync({ torrc: '/etc/tor/missing', cwd: '/', fs });
      expect(noTorrc).toMatchObject({ valid: false, entries: [] });
      expect(codes(noTorrc)).toEqual(['TORRC_FILE_MISSING']);
      const noDefaults = loadConfigSync({ torrc: '/etc/tor/torrc', defaultsTorrc: '/missing', cwd: '/', fs });
      expect(noDefaults.valid).toBe(true);
      expect(noDefaults.warnings.map((w) => w.code)).toEqual(['TORRC_DEFAULTS_MISSING']);
    });

    test('resolves relative includes against the working directory, not the file folder', () => {
      const fs = memoryFs({ '/etc/tor/torrc': '%include extra.conf\n', '/etc/tor/extra.conf': 'Nickname a\n' });
      expect(loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs }).valid).toBe(true);
      const fromRoot = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/', fs });
      expect(fromRoot.errors).toMatchObject([{ code: 'TORRC_INCLUDE_MISSING', location: { file: '/etc/tor/torrc', line: 1 } }]);
    });

    test('reads a file that is not UTF-8 byte by byte and warns', () => {
      const config = load('', undefined, { '/etc/tor/torrc': Buffer.from('ContactInfo caf\xe9\n', 'latin1') });
      expect(config.value('ContactInfo')?.value).toBe('caf\u00e9');
      // Tor itself refuses a ContactInfo that is not UTF-8 (options_validate_relay_info).
      expect(codes(config)).toEqual(['TORRC_NOT_UTF8', 'TORRC_BAD_CONTACT_INFO']);
      expect(config.files[0]?.file.encoding).toBe('latin1');
    });

    describe('with files parsed already', () => {
      const tree = { '/etc/tor/torrc': 'ExitPolicy reject 1.1.1.1:*\n%include /etc/tor/a.conf\n', '/etc/tor/a.conf': 'ExitPolicy accept *:80\n' };
      const first = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs: memoryFs(tree) });
      const parsed = first.files.map((f) => f.file);

      test('reuses a parsed file whose text is read again unchanged', () => {
        const again = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs: memoryFs(tree), parsed });
        expect(again.files.map((f) => f.file)).toEqual(parsed);
        expect(again.files[1]?.file).toBe(parsed[1]);
        expect(values(again, 'ExitPolicy')).toEqual(['reject 1.1.1.1:*', 'accept *:80']);
        expect(again.files.map((f) => f.sha256)).toEqual(first.files.map((f) => f.sha256));
      });

      test.each([
        ['changed text', { ...tree, '/etc/tor/a.conf': 'ExitPolicy accept *:443\n' }, ['reject 1.1.1.1:*', 'accept *:443']],
        ['the same text under another name', { ...tree, '/etc/tor/torrc': 'ExitPolicy reject 1.1.1.1:*\n%include /etc/tor/b.conf\n', '/etc/tor/b.conf': 'ExitPolicy accept *:80\n' }, ['reject 1.1.1.1:*', 'accept *:80']],
      ])('parses a file anew when it has %s', (_, changed, expected) => {
        const again = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs: memoryFs(changed), parsed });
        expect(again.files[1]?.file).not.toBe(parsed[1]);
        expect(again.files[1]?.file.path).toBe(again.files[1]?.path);
        expect(values(again, 'ExitPolicy')).toEqual(expected);
      });

      test('parses a file anew when the same text decodes differently', () => {
        const latin1 = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs: memoryFs({ '/etc/tor/torrc': Buffer.from('ContactInfo caf\xe9\n', 'latin1') }) });
        const utf8 = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/etc/tor', fs: memoryFs({ '/etc/tor/torrc': 'ContactInfo caf\u00e9\n' }), parsed: latin1.files.map((f) => f.file) });
        expect(utf8.files[0]?.file.encoding).toBe('utf8');
        expect(utf8.value('ContactInfo')?.value).toBe('caf\u00e9');
        expect(codes(utf8)).toEqual([]);
      });
    });
  });

  describe('LoadedConfig', () => {
    test('finds the entry of a line and the file of a path', () => {
      const config = load('ExitRelay 1\nExitPolicy accept *:80\n', 'ExitPolicy reject *:25\n');
      const line = config.value('ExitRelay');
      expect(line && config.entryOf(line)).toMatchObject({ location: { file: '/etc/tor/torrc', line: 1 }, source: 'torrc', option: { name: 'ExitRelay' } });
      expect(config.entryOf({ ...(line as NonNullable<typeof line>) })).toBeUndefined();
      expect(config.file('/defaults')?.source).toBe('defaults');
      expect(config.file('/etc/tor/missing')).toBeUndefined();
    });
  });

  describe('ConfigView', () => {
    test('shares one list between ORPort, __ORPort and ORPortLines', () => {
      const config = load('ORPort 9001\n__ORPort 127.0.0.1:9002\nORPort [::1]:9003\n');
      expect(values(config, 'ORPort')).toEqual(['9001', '[::1]:9003']);
      expect(values(config, '__ORPort')).toEqual(['127.0.0.1:9002']);
      expect(values(config, 'ORPortLines')).toEqual(['9001', '127.0.0.1:9002', '[::1]:9003']);
    });

    test('clears every HiddenService* line with /HiddenServicePort', () => {
      const config = load('HiddenServiceDir /a\nHiddenServicePort 80\n/HiddenServicePort\nHiddenServiceDir /b\n');
      expect(values(config, 'HiddenServiceOptions')).toEqual(['/b']);
    });

    test('replaces a shared list from the first line of any of its options in a later source', () => {
      const config = load('__ORPort 9002\n', 'ORPort 9001\n');
      expect(values(config, 'ORPortLines')).toEqual(['9002']);
    });

    test('accepts option names in any case and configuration-file aliases', () => {
      const config = load('DirAuthority x\nExitRelay 1\n');
      expect(values(config, 'dirserver')).toEqual(['x']);
      expect(config.value('exitrelay')?.value).toBe('1');
    });

    test('ignores obsolete options', () => {
      expect(load('AllowDotExit 1\n').value('AllowDotExit')).toBeUndefined();
    });

    test('throws a typed error for names that are not options', () => {
      expect(() => load('').lines('ExitPolcy')).toThrow(expect.objectContaining({ code: 'TORRC_UNKNOWN_OPTION_NAME', hint: 'did you mean ExitPolicy?' }));
    });
  });

  describe('#decodeTorrcBytes', () => {
    test('keeps a byte-order mark and round-trips both encodings', () => {
      const bom = Buffer.from('\uFEFFNickname x\n', 'utf8');
      const decoded = decodeTorrcBytes(bom);
      expect(decoded).toEqual({ text: '\uFEFFNickname x\n', encoding: 'utf8' });
      expect(encodeTorrcText({ source: decoded.text, encoding: decoded.encoding }).equals(bom)).toBe(true);
      const latin = Buffer.from([0x41, 0xe9, 0x0a]);
      const read = decodeTorrcBytes(latin);
      expect(read.encoding).toBe('latin1');
      expect(encodeTorrcText({ source: read.text, encoding: read.encoding }).equals(latin)).toBe(true);
    });
  });
});
