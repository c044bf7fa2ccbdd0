import { describe, expect, test } from 'vitest';
import { TOR_OPTIONS, TOR_OPTION_ALIASES, asciiLower, findOption, lookupOption, optionsSharingStorage } from '../../src/torrc/options.js';

describe('torrc/options', () => {
  describe('TOR_OPTIONS', () => {
    test('is sorted the way config_mgr_freeze sorts it (strcasecmp)', () => {
      const names = TOR_OPTIONS.map((o) => asciiLower(o.name));
      const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(names).toEqual(sorted);
      expect(new Set(names).size).toBe(names.length);
      expect(TOR_OPTIONS.every((o, i) => o.index === i)).toBe(true);
    });

    test.each([
      ['ExitPolicy', 'LINELIST', 'list'],
      ['ExitRelay', 'AUTOBOOL', 'single'],
      ['IPv6Exit', 'BOOL', 'single'],
      ['ReducedExitPolicy', 'BOOL', 'single'],
      ['ExitPolicyRejectPrivate', 'BOOL', 'single'],
      ['Nickname', 'STRING', 'single'],
      ['DataDirectory', 'FILENAME', 'single'],
      ['RelayBandwidthRate', 'MEMUNIT', 'single'],
      ['ORPort', 'LINELIST_S', 'list'],
      ['ORPortLines', 'LINELIST_V', 'list'],
      ['ExitNodes', 'ROUTERSET', 'list'],
      ['AllowDotExit', 'OBSOLETE', 'single'],
      ['ReevaluateExitPolicy', 'BOOL', 'single'],
      ['DoSConnectionEnabled', 'AUTOBOOL', 'single'],
      ['AuthDirListBadExits', 'BOOL', 'single'],
      ['HardwareAccel', 'BOOL', 'single'],
    ])('knows %s as %s (%s)', (name, type, kind) => {
      expect(findOption(name)).toMatchObject({ name, type, kind });
    });

    test.each([
      ['ORPort', ['__ORPort', 'ORPort', 'ORPortLines']],
      ['HiddenServicePort', expect.arrayContaining(['HiddenServiceDir', 'HiddenServiceOptions', 'HiddenServicePort', 'HiddenServiceVersion'])],
      ['ExitPolicy', ['ExitPolicy']],
    ])('stores %s in one list with %j', (name, sharing) => {
      expect(optionsSharingStorage(findOption(name)!).map((o) => o.name)).toEqual(sharing);
    });

    test('marks virtual, obsolete, immutable and invisible options', () => {
      expect(findOption('SocksPortLines')).toMatchObject({ virtual: true });
      expect(findOption('AllowDotExit')).toMatchObject({ obsolete: true });
      expect(findOption('DataDirectory')).toMatchObject({ immutable: true });
      expect(findOption('___UsingTestNetworkDefaults')).toMatchObject({ invisible: true });
      expect(findOption('HTTPProxy')?.deprecated).toEqual(expect.any(String));
    });
  });

  describe('#lookupOption', () => {
    test.each([
      ['ExitPolicy', 'ExitPolicy', 'exact'],
      ['exitpolicy', 'ExitPolicy', 'exact'],
      ['EXITPOLICY', 'ExitPolicy', 'exact'],
      ['DirServer', 'DirAuthority', 'alias'],
      ['dirserver', 'DirAuthority', 'alias'],
      ['ExcludeNode', 'ExcludeNodes', 'alias'],
      ['MaxConn', 'ConnLimit', 'alias'],
      ['HashedControlPassword', 'HashedControlPassword', 'exact'],
      ['BandwidthRateBytes', 'BandwidthRate', 'alias'],
      ['TestingClientDownloadSchedule', 'TestingClientDownloadInitialDelay', 'alias'],
      // L15 and the ambiguous prefixes: the first option in table order wins.
      ['ExitPol', 'ExitPolicy', 'prefix'],
      ['ExitPolicyR', 'ExitPolicyRejectLocalInterfaces', 'prefix'],
      ['Ex', 'ExcludeExitNodes', 'prefix'],
      ['Ad', 'Address', 'prefix'],
      ['Nick', 'Nickname', 'prefix'],
      ['ORP', 'ORPort', 'prefix'],
      ['SocksPortL', 'SocksPortLines', 'prefix'],
      ['__', '___UsingTestNetworkDefaults', 'prefix'],
      // `l` is an alias for Log on the command line only; in a torrc it is a prefix.
      ['l', 'LearnCircuitBuildTimeout', 'prefix'],
    ])('reads %j as %s (%s)', (key, name, via) => {
      expect(lookupOption(key)).toMatchObject({ option: { name }, via });
    });

    test.each(['%Include', '%include', 'ExitPolicyX', 'Nicknames', 'zzz', '', '\uFEFFNickname', 'ExitPolicy\u0130'])(
      'does not know %j (L16)',
      (key) => {
        expect(lookupOption(key)).toMatchObject({ option: undefined, via: 'unknown' });
      },
    );

    test.each([
      ['MaxConn', ['ConnLimit']],
      ['ResolvConf', ['ServerDNSResolvConfFile']],
      ['DirServer', []],
    ])('lists the aliases of %s that Tor warns about', (key, warned) => {
      expect(lookupOption(key).warnedAliases.map((a) => a.option)).toEqual(warned);
    });

    test('resolves a keyword once and gives the same frozen answer again', () => {
      const first = lookupOption('exitpol');
      expect(lookupOption('exitpol')).toBe(first);
      expect(Object.isFrozen(first) && Object.isFrozen(first.warnedAliases)).toBe(true);
      expect(lookupOption('ExitPol')).not.toBe(first);
      expect(lookupOption('ExitPol')).toMatchObject({ option: { name: 'ExitPolicy' }, via: 'prefix', expanded: 'ExitPol' });
    });

    test('applies only configuration-file aliases', () => {
      const commandLine = TOR_OPTION_ALIASES.filter((a) => a.commandLineOnly).map((a) => a.alias);
      expect(commandLine).toEqual(['l', 'HashedControlPassword']);
    });
  });
});
