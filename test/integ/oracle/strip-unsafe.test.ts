import { describe, expect, test } from 'vitest';
import { isUnsafeOption, lexEntries, sanitiseRelayTorrc, stripUnsafeOptions } from '../../helpers/tor-oracle.js';

describe('helpers/tor-oracle (stripping)', () => {
  describe('#isUnsafeOption', () => {
    test.each([
      'ORPort', 'orport', '+ORPort', '/ORPort', 'SocksPort', 'ControlPort', 'DirPort', 'DNSPort', 'MetricsPort',
      'ExtORPort', 'Address', 'OutboundBindAddress', 'OutboundBindAddressExit', 'ServerTransportListenAddr',
      'SocksListenAddress', 'Bridge', 'UseBridges', 'ClientTransportPlugin', 'ServerTransportPlugin',
      'HiddenServiceDir', 'HiddenServicePort', 'HTTPSProxy', 'Socks5Proxy', 'DirAuthority', 'DirServer',
      'FallbackDir', 'AlternateBridgeAuthority', 'DataDirectory', 'CacheDirectory', 'KeyDirectory', 'Log',
      'PidFile', 'RunAsDaemon', 'User', 'Sandbox', 'ControlSocket', 'CookieAuthFile', 'HashedControlPassword',
      'TestingTorNetwork', 'ClientOnly', 'DisableNetwork', 'ServerDNSResolvConfFile', 'GeoIPFile',
      'PublishServerDescriptor', '__OwningControllerProcess',
    ])('%s is unsafe', (key) => {
      expect(isUnsafeOption(key)).toBe(true);
    });

    test.each([
      'ExitPolicy', 'exitpolicy', '+ExitPolicy', 'ExitRelay', 'IPv6Exit', 'ReducedExitPolicy', 'ExitPolicyRejectPrivate',
      'ExitPolicyRejectLocalInterfaces', 'BridgeRelay', 'Nickname', 'ContactInfo', 'MyFamily', 'RelayBandwidthRate',
      'AccountingMax', '%include', 'ExitPol',
    ])('%s is kept', (key) => {
      expect(isUnsafeOption(key)).toBe(false);
    });
  });

  describe('#lexEntries', () => {
    const keysOf = (text: string): string[] => lexEntries(text).map((e) => e.key);

    test.each([
      ['plain lines, comments and blank lines', 'A 1\n# c\n\n  B 2\n', ['A', 'B']],
      ['a key glued to a comment', 'k4#a\nB 1\n', ['k4', 'B']],
      ['a continuation keeps one entry', 'A 1, \\\n  2\nB 3\n', ['A', 'B']],
      ['a comment line inside a continuation', 'A 1, \\\n# c\n  2\nB 3\n', ['A', 'B']],
      ['the comment trap swallows the next line', 'A 1, \\\n  2 # c\nB 3\nC 4\n', ['A', 'C']],
      ['a blank line ends the swallowing', 'A 1, \\\n  2 # c\n\nB 3\n', ['A', 'B']],
      ['a backslash at the end of a comment is no continuation', 'A 1 # c \\\nB 3\n', ['A', 'B']],
      ['a key continued onto the next line', 'A\\\n1\nB 2\n', ['A', 'B']],
      ['a quoted value ends with its line', 'A "x \\\\"\nB 2\n', ['A', 'B']],
      ['no final newline', 'A 1\nB 2', ['A', 'B']],
      ['CRLF', 'A 1\r\nB 2\r\n', ['A', 'B']],
    ])('%s', (_name, text, keys) => {
      expect(keysOf(text)).toEqual(keys);
    });

    test('entries cover their physical lines exactly', () => {
      const text = 'A 1, \\\n  2\nB 3';
      expect(lexEntries(text).map((e) => text.slice(e.start, e.end))).toEqual(['A 1, \\\n  2\n', 'B 3']);
    });
  });

  describe('#stripUnsafeOptions', () => {
    test('removes whole unsafe entries, continuations included, and keeps the rest byte for byte', () => {
      const text = 'Nickname relay\nORPort 9001 \\\n  NoListen\nExitPolicy accept *:80\nSocksPort 0 # none\n%include /etc/tor/torrc.d\nLog notice file /var/log/tor/notices.log\n';
      const { text: stripped, removed } = stripUnsafeOptions(text);
      expect(removed).toEqual(['ORPort', 'SocksPort', 'Log']);
      expect(stripped).toBe(
        'Nickname relay\n# removed by the test harness: ORPort\nExitPolicy accept *:80\n# removed by the test harness: SocksPort\n%include /etc/tor/torrc.d\n# removed by the test harness: Log\n',
      );
    });

    test('leaves a file without unsafe options untouched', () => {
      const text = 'ExitPolicy reject 1.2.3.4:*\r\nExitRelay 1';
      expect(stripUnsafeOptions(text)).toEqual({ text, removed: [] });
    });
  });
});

describe('helpers/tor-oracle (relay files)', () => {
  describe('#sanitiseRelayTorrc', () => {
    test('keeps one loopback ORPort in place of the first and removes the others', () => {
      const { text, removed } = sanitiseRelayTorrc('ORPort 9001\nORPort [2001:db8::1]:9001\nBridgeRelay 1\nSocksPort 0\n');
      expect(text).toBe(
        'ORPort 127.0.0.1:9001\n# removed by the test harness: ORPort\nBridgeRelay 1\n# removed by the test harness: SocksPort\n',
      );
      expect(removed).toEqual(['ORPort', 'ORPort', 'SocksPort']);
    });

    test('adds no ORPort to a file without one', () => {
      expect(sanitiseRelayTorrc('ExitRelay 0\n').text).toBe('ExitRelay 0\n');
    });
  });
});
