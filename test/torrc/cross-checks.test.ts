import { describe, expect, test } from 'vitest';
import { loadConfigSync, type LoadedConfig } from '../../src/torrc/config.js';
import {
  accountingStartProblem,
  badNodeListEntry,
  bridgeLineProblem,
  checkCrossOptions,
  isHashedPassword,
  isLegalHexDigest,
  logLineProblem,
  readHiddenServicePort,
  transportPluginProblem,
} from '../../src/torrc/cross-checks.js';
import { memoryFs } from '../../src/torrc/fs.js';
import type { ConfigLine } from '../../src/types.js';
import { source } from '../helpers/source.js';

const FP = '0123456789ABCDEF0123456789ABCDEF01234567';

function load(torrc: string | Uint8Array, defaults?: string): LoadedConfig {
  const tree: Record<string, string | Uint8Array> = { '/etc/tor/torrc': torrc };
  if (defaults !== undefined) tree['/defaults'] = defaults;
  return loadConfigSync({ torrc: '/etc/tor/torrc', defaultsTorrc: defaults === undefined ? undefined : '/defaults', cwd: '/etc/tor', fs: memoryFs(tree) });
}

const errors = (config: LoadedConfig): Array<[string, number | undefined]> => config.errors.map((e) => [e.code, e.location?.line]);

describe('torrc/cross-checks', () => {
  describe('#checkCrossOptions', () => {
    // Each rule with a configuration tor refuses and the line exitkit must point at.
    test.each([
      ['a bridge without ORPort', 'BridgeRelay 1\n', 'TORRC_OPTIONS_CONFLICT', 1],
      ['a relay setting ReducedCircuitPadding through an abbreviation', 'ORPort 127.0.0.1:9001\nReduced 1\n', 'TORRC_NOT_FOR_RELAYS', 2],
      ['a relay clearing ConnectionPadding', 'ORPort 9001\nConnectionPadding\n', 'TORRC_NOT_FOR_RELAYS', 2],
      ['a relay with FascistFirewall', 'ORPort 9001\nFascistFirewall 1\n', 'TORRC_NOT_FOR_RELAYS', 2],
      ['RelayBandwidthRate above RelayBandwidthBurst', 'RelayBandwidthRate 2 MB\nRelayBandwidthBurst 1 MB\n', 'TORRC_BAD_BANDWIDTH', 2],
      ['a relay below 75 KBytes/s', 'ORPort 9001\nRelayBandwidthRate 60 KB\n', 'TORRC_BAD_BANDWIDTH', 2],
      ['BandwidthRate above the default burst', 'BandwidthRate 2 GB\n', 'TORRC_BAD_BANDWIDTH', 1],
      ['BandwidthRate above 2 GB', 'BandwidthRate 3 GB\nBandwidthBurst 3 GB\n', 'TORRC_BAD_BANDWIDTH', 1],
      ['a DirPort without DirCache', 'ORPort 9001\nDirPort 9030\nDirCache 0\n', 'TORRC_OPTIONS_CONFLICT', 3],
      ['a bridge publishing to v3', 'BridgeRelay 1\nORPort 9001\nPublishServerDescriptor v3\n', 'TORRC_OPTIONS_CONFLICT', 3],
      ['an unreadable Log line', 'Log notice android\n', 'TORRC_BAD_LOG', 1],
      ['a bad AccountingStart', 'AccountingStart month 31 00:00\n', 'TORRC_BAD_ACCOUNTING_START', 1],
      ['a bad MyFamily entry', `MyFamily $${FP.slice(1)}\n`, 'TORRC_BAD_FAMILY', 1],
      ['a bad node list entry', 'ExcludeNodes foo-bar\n', 'TORRC_BAD_NODE_LIST', 1],
      ['a bad password hash', 'HashedControlPassword secret\n', 'TORRC_BAD_PASSWORD_HASH', 1],
      ['a bad transport line', 'ServerTransportPlugin obfs4 exec\n', 'TORRC_BAD_TRANSPORT', 1],
      ['a bad Bridge line', 'Bridge example.com:443\n', 'TORRC_BAD_BRIDGE_LINE', 1],
      ['a second outbound address of a family', 'OutboundBindAddress 192.0.2.1\nOutboundBindAddress 192.0.2.2\n', 'TORRC_BAD_ADDRESS', 2],
      ['a relative path with RunAsDaemon', 'RunAsDaemon 1\nPidFile tor.pid\n', 'TORRC_RELATIVE_PATH', 2],
      ['an onion service without ports', 'HiddenServiceDir /var/lib/tor/hs\n', 'TORRC_BAD_HIDDEN_SERVICE', 1],
      ['a testing option outside a testing network', 'TestingAuthKeySlop 1 hour\n', 'TORRC_TESTING_ONLY', 1],
      ['TestingTorNetwork without authorities', 'TestingTorNetwork 1\n', 'TORRC_OPTIONS_CONFLICT', 1],
      ['two proxy types', 'HTTPSProxy 127.0.0.1:3128\nSocks5Proxy 127.0.0.1:1080\n', 'TORRC_OPTIONS_CONFLICT', 2],
      ['an unknown scheduler', 'Schedulers KIST,Magic\n', 'TORRC_BAD_CHOICE', 1],
      ['ConnLimit 0', 'ConnLimit 0\n', 'TORRC_OUT_OF_RANGE', 1],
    ])('refuses %s', (_name, torrc, code, line) => {
      expect(errors(load(torrc))).toContainEqual([code, line]);
    });

    test.each([
      ['a plain exit relay', source`
        ORPort 9001
        Nickname exit01
        ContactInfo abuse@example.org
        ExitRelay 1
        RelayBandwidthRate 10 MB
        RelayBandwidthBurst 20 MB
        AccountingMax 1 TB
        AccountingStart month 1 00:00
        Log notice file /var/log/tor/notices.log
        SocksPort 0
        ControlPort 127.0.0.1:9051
        CookieAuthentication 1
        MyFamily $${FP}
      `],
      ['a bridge with a transport', source`
        BridgeRelay 1
        ORPort 9001
        ExtORPort auto
        ServerTransportPlugin obfs4 exec /usr/bin/obfs4proxy
        ServerTransportListenAddr obfs4 0.0.0.0:443
        ServerTransportOptions obfs4 iat-mode=0
        BridgeDistribution any
      `],
      ['a client with an onion service', source`
        HiddenServiceDir /var/lib/tor/hs
        HiddenServicePort 80 127.0.0.1:8080
        HiddenServiceVersion 3
      `],
      ['ReducedCircuitPadding on a client', 'Reduced 1\n'],
      ['RelayBandwidthRate 2 GB, which raises BandwidthRate and BandwidthBurst', 'RelayBandwidthRate 2 GB\n'],
      ['a testing network with its authority and testing options', `TestingTorNetwork 1\nDirAuthority test orport=1 no-v2 v3ident=${'0'.repeat(40)} 127.0.0.1:2 ${'0'.repeat(40)}\nTestingAuthKeySlop 1 hour\nClientDNSRejectInternalAddresses 0\n`],
    ])('accepts %s', (_name, torrc) => {
      expect(errors(load(torrc))).toEqual([]);
    });

    test('reads an option from the defaults file when the torrc does not set it', () => {
      expect(errors(load('ORPort 9001\n', 'CircuitPadding 0\n'))).toEqual([['TORRC_NOT_FOR_RELAYS', 1]]);
      expect(errors(load('ORPort 9001\nCircuitPadding 1\n', 'CircuitPadding 0\n'))).toEqual([]);
    });

    test.each([
      ['a UTF-8 file', Buffer.from('ContactInfo café\n', 'utf8'), true],
      ['UTF-8 escapes', Buffer.from('ContactInfo "caf\\xc3\\xa9"\n'), true],
      ['a Latin-1 file', Buffer.from('ContactInfo caf\xe9\n', 'latin1'), false],
      ['a Latin-1 escape in a UTF-8 file', Buffer.from('ContactInfo "caf\\xe9"\n'), false],
      ['bytes after an escaped NUL', Buffer.from('ContactInfo "ok\\0\\xff"\n'), true],
    ])('checks ContactInfo as bytes: %s', (_name, bytes, valid) => {
      const config = load(bytes);
      expect(config.errors.filter((e) => e.code === 'TORRC_BAD_CONTACT_INFO').length === 0).toBe(valid);
    });

    test('uses the UTF-8 encoding of a value when no bytes are given', () => {
      const contact: ConfigLine = { option: 'ContactInfo', key: 'ContactInfo', prefix: '', value: 'café', location: { file: '/t', line: 4 }, source: 'torrc' };
      const input = { value: (name: string) => (name === 'ContactInfo' ? contact : undefined), lines: () => [] };
      expect(checkCrossOptions(input).filter((p) => p.severity === 'error')).toEqual([]);
      const latin = { ...input, bytes: () => Buffer.from('caf\xe9', 'latin1') };
      expect(checkCrossOptions(latin)).toContainEqual(expect.objectContaining({ code: 'TORRC_BAD_CONTACT_INFO', location: { file: '/t', line: 4 } }));
    });

    test.each([
      ['two Address lines of a family', 'ORPort 9001\nAddress 192.0.2.1\nAddress 192.0.2.2\n', 'TORRC_ADDRESS_AT_STARTUP', 3],
      ['an Address hostname', 'ORPort 9001\nAddress relay.example.org\n', 'TORRC_ADDRESS_AT_STARTUP', 2],
      ['a relative path without RunAsDaemon', 'PidFile tor.pid\n', 'TORRC_RELATIVE_PATH', 1],
      ['a bridge configured as an exit', 'BridgeRelay 1\nORPort 9001\nExitRelay 1\n', 'TORRC_INEFFECTIVE_OPTION', 1],
      ['a bridge DirPort', 'BridgeRelay 1\nORPort 9001\nDirPort 9030\n', 'TORRC_INEFFECTIVE_OPTION', 3],
      ['an onion service target tor must resolve', 'HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80 web:80\n', 'TORRC_RESOLVES_AT_STARTUP', 2],
    ])('only warns about %s', (_name, torrc, code, line) => {
      const config = load(torrc);
      expect(config.errors).toEqual([]);
      expect(config.warnings.map((w) => [w.code, w.location?.line])).toContainEqual([code, line]);
    });
  });

  describe('#logLineProblem', () => {
    test.each([
      'notice stdout',
      'notice',
      'notice-err syslog',
      'NOTICE STDERR',
      '[handshake]debug [*]notice stderr',
      '[net,~dir]info file /var/log/tor/info.log',
      'notice file /path with spaces/x.log',
      'err-debug stdout',
    ])('accepts %j', (value) => expect(logLineProblem(value)).toBeUndefined());
    test.each([
      'notice android',
      'notise stdout',
      'notice file',
      'notice stdout extra',
      '[nosuch]info stdout',
      'info notice stdout',
      'notice syslogx',
      '[net info stdout',
      '[]notice stdout',
      'notice-',
      'stdout',
      '',
    ])('refuses %j', (value) => expect(logLineProblem(value)).toEqual(expect.any(String)));
  });

  describe('#accountingStartProblem', () => {
    test.each(['month 1 00:00', 'month 28 23:59', 'Week 7 12:00', 'day 00:00', 'day 7:05', 'month +1 +1:+1'])('accepts %j', (value) => {
      expect(accountingStartProblem(value)).toBeUndefined();
    });
    test.each(['month 29 00:00', 'week 0 00:00', 'week 8 00:00', 'day 1 00:00', 'day 24:00', 'day 12:60', 'day 12:30x', 'day 12', 'month 1', 'year 1 00:00', 'day'])(
      'refuses %j',
      (value) => expect(accountingStartProblem(value)).toEqual(expect.any(String)),
    );
  });

  describe('#isHashedPassword', () => {
    test.each(['16:2407FC93A5623752601CBABEE8ED2DB7737129B4D1F95DFFCB7DDBB9FF', 'JAf8k6VjI3UmAcq+vo7S23NxKbTR+V3/y325uf8='])('accepts %j', (value) => {
      expect(isHashedPassword(value)).toBe(true);
    });
    test.each(['16:2407FC93A5623752601CBABEE8ED2DB7737129B4D1F95DFFCB7DDBB9F', '16:zz07FC93A5623752601CBABEE8ED2DB7737129B4D1F95DFFCB7DDBB9FF', 'secret', ''])(
      'refuses %j',
      (value) => expect(isHashedPassword(value)).toBe(false),
    );
  });

  describe('#isLegalHexDigest', () => {
    test.each([FP, `$${FP}`, `$${FP}=nick`, `$${FP}~nick`, FP.toLowerCase()])('accepts %j', (value) => expect(isLegalHexDigest(value)).toBe(true));
    test.each([FP.slice(1), `$${FP}=`, `$${FP}x`, `$${FP}=bad-nick`, 'nickname'])('refuses %j', (value) => expect(isLegalHexDigest(value)).toBe(false));
  });

  describe('#badNodeListEntry', () => {
    test.each(['{us},{ru}', '{us}x', `$${FP}`, 'relay1, relay2', '1.2.3.0/24', '*', ','])('accepts %j', (value) => expect(badNodeListEntry(value)).toBeUndefined());
    test.each([
      ['foo-bar', 'foo-bar'],
      ['a b', 'a b'],
      ['{us},x_y', 'x_y'],
      ['$abc', '$abc'],
      ['{usa}', '{usa}'],
    ])('refuses %j at %j', (value, entry) => expect(badNodeListEntry(value)).toBe(entry));
  });

  describe('#bridgeLineProblem', () => {
    test.each(['1.2.3.4', '1.2.3.4:443', '[2001:db8::1]:443', `obfs4 1.2.3.4:443 ${FP} cert=x iat-mode=0`, 'obfs4 1.2.3.4:443 cert=x', `1.2.3.4:443 ${FP.match(/.{4}/g)?.join(' ')}`])(
      'accepts %j',
      (value) => expect(bridgeLineProblem(value)).toBeUndefined(),
    );
    test.each(['', 'obfs4', 'example.com:443', '1.2.3.4:443 1234', 'obfs4 1.2.3.4:443 cert', `obfs4 1.2.3.4:443 ${FP} iat-mode`, `obfs4 1.2.3.4:443 a=${'x'.repeat(520)}`])(
      'refuses %j',
      (value) => expect(bridgeLineProblem(value)).toEqual(expect.any(String)),
    );
  });

  describe('#transportPluginProblem', () => {
    const plain = { sandbox: false, otherProxy: false };
    test.each([
      ['obfs4 exec /usr/bin/obfs4proxy', true],
      ['obfs4,meek exec /usr/bin/x --flag', true],
      ['obfs4 proxy 127.0.0.1:5000', true],
      ['obfs4 socks5 127.0.0.1:1080', false],
      ['obfs4 socks4 127.0.0.1:1080', false],
    ])('accepts %j', (value, server) => expect(transportPluginProblem(value, server, plain).problem).toBeUndefined());
    test.each([
      ['obfs4 exec', true, plain],
      ['obfs-4 exec /x', true, plain],
      ['obfs4 socks5 127.0.0.1:1', true, plain],
      ['obfs4 proxy 127.0.0.1:1', false, plain],
      ['obfs4,meek proxy 127.0.0.1:1', true, plain],
      ['obfs4 proxy 127.0.0.1', true, plain],
      ['obfs4 exec /x', true, { sandbox: true, otherProxy: false }],
      ['obfs4 socks5 127.0.0.1:1080', false, { sandbox: false, otherProxy: true }],
    ])('refuses %j', (value, server, context) => expect(transportPluginProblem(value, server, context).problem).toEqual(expect.any(String)));
  });

  describe('#readHiddenServicePort', () => {
    test.each([
      ['80', {}],
      ['80 8080', {}],
      ['80 127.0.0.1:8080', {}],
      ['80 [::1]:8080', {}],
      ['80 unix:/run/www.sock', {}],
      ['80 web.internal:8080', { host: 'web.internal' }],
    ])('reads %j', (value, expected) => expect(readHiddenServicePort(value)).toEqual(expected));
    test.each(['0', 'x', '80 0', '80 127.0.0.1:8080 extra', '80 1.2.3.4:0', '80 unix:"/x'])('refuses %j', (value) => {
      expect(readHiddenServicePort(value).problem).toEqual(expect.any(String));
    });
  });
});
