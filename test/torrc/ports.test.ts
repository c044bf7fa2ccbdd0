import { describe, expect, test } from 'vitest';
import {
  extractPortTarget,
  inetAtonAddress,
  isPlausibleHostname,
  lookupAddressPort,
  parseAddressPort,
  parseListeners,
  parseTorAddress,
  splitAddressPort,
  type ListenerContext,
} from '../../src/torrc/ports.js';
import type { ConfigLine } from '../../src/types.js';

/** A listener context from `Option value` lines (line numbers from 1), as the loader would give it. */
function context(text: string, flags: { clientOnly?: boolean; bridgeRelay?: boolean } = {}): ListenerContext {
  const lines: ConfigLine[] = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      const [option = '', ...rest] = l.split(' ');
      return { option, key: option, prefix: '', value: rest.join(' '), location: { file: '/etc/tor/torrc', line: i + 1 }, source: 'torrc' };
    });
  return {
    lines: (storage) => lines.filter((l) => `${l.option}Lines` === storage || l.option === storage),
    clientOnly: flags.clientOnly ?? false,
    bridgeRelay: flags.bridgeRelay ?? false,
  };
}

describe('torrc/ports', () => {
  describe('#parseTorAddress', () => {
    test.each([
      ['1.2.3.4', 4, 0x01020304n],
      ['::1', 6, 1n],
      ['[::1]', 6, 1n],
      ['[::ffff:1.2.3.4]', 6, 0xffff01020304n],
    ])('reads %j', (text, family, address) => {
      expect(parseTorAddress(text)).toEqual({ family, address });
    });
    test.each(['[1.2.3.4]', '01.2.3.4', '1.2.3', 'example.com', '', '[::1', '1.2.3.4:80'])('refuses %j', (text) => {
      expect(parseTorAddress(text)).toBeUndefined();
    });
    test('refuses IPv6 without brackets when asked to', () => {
      expect(parseTorAddress('::1', false)).toBeUndefined();
      expect(parseTorAddress('[::1]', false)).toEqual({ family: 6, address: 1n });
    });
  });

  describe('#splitAddressPort', () => {
    test.each([
      ['1.2.3.4:80', '1.2.3.4', 80],
      ['1.2.3.4', '1.2.3.4', 0],
      ['[::1]:443', '[::1]', 443],
      ['::1', '::1', 0],
      ['host:+80', 'host', 80],
      ['a:b:80', 'a:b', 80],
    ])('splits %j', (text, host, port) => expect(splitAddressPort(text)).toEqual({ host, port }));
    test.each(['1.2.3.4:0', '1.2.3.4:65536', '1.2.3.4:', '1.2.3.4:http'])('refuses the port of %j', (text) => {
      expect(splitAddressPort(text)).toBeUndefined();
    });
  });

  describe('#parseAddressPort', () => {
    test('uses the default port when none is written', () => {
      expect(parseAddressPort('1.2.3.4', 443)).toEqual({ address: { family: 4, address: 0x01020304n }, port: 443 });
    });
    test('fails without a port when there is no default', () => {
      expect(parseAddressPort('1.2.3.4', -1)).toBeUndefined();
    });
    test('needs brackets around IPv6 with a port', () => {
      expect(parseAddressPort('[::1]:80', -1)).toEqual({ address: { family: 6, address: 1n }, port: 80 });
      // Without brackets the whole text is one IPv6 address, so there is no port.
      expect(parseAddressPort('::1:80', -1)).toBeUndefined();
    });
    test('takes no hostnames', () => {
      expect(parseAddressPort('example.com:80', -1)).toBeUndefined();
    });
  });

  describe('#lookupAddressPort', () => {
    test.each([
      ['1.2.3.4:80', { kind: 'address', address: { family: 4, address: 0x01020304n }, port: 80 }],
      ['1.2.3.4', { kind: 'address', address: { family: 4, address: 0x01020304n }, port: 0 }],
      ['127.1:9001', { kind: 'address', address: { family: 4, address: 0x7f000001n }, port: 9001 }],
      ['example.com:80', { kind: 'name', host: 'example.com', port: 80 }],
      ['some-service:80', { kind: 'name', host: 'some-service', port: 80 }],
    ])('reads %j', (text, expected) => expect(lookupAddressPort(text)).toEqual(expected));
    test.each(['[::1]:0', '::1:80:x', '-1', '1.2.3.4.5:80', ':80', 'a b'])('refuses %j', (text) => {
      expect(lookupAddressPort(text)).toBeUndefined();
    });
  });

  describe('#inetAtonAddress', () => {
    test.each([
      ['127.1', 0x7f000001n],
      ['0x7f000001', 0x7f000001n],
      ['0177.0.0.1', 0x7f000001n],
      ['65536', 0x00010000n],
      ['10.1.2', 0x0a010002n],
    ])('reads %j as the C library does', (text, address) => expect(inetAtonAddress(text)).toEqual({ family: 4, address }));
    test.each(['08.1.1.1', '256.1.1.1', '1.2.3.4.5', '0x', '1..2', 'a.b', '4294967296'])('refuses %j', (text) => {
      expect(inetAtonAddress(text)).toBeUndefined();
    });
  });

  describe('#isPlausibleHostname', () => {
    test.each(['example.com', 'localhost', 'some_service', 'a-b.c.', 'xn--bcher-kva.example'])('accepts %j', (host) => expect(isPlausibleHostname(host)).toBe(true));
    test.each(['-1', 'a..b', '-a.com', 'a-.com', '1.2.3.4.5', 'a b', 'a/b', ''])('refuses %j', (host) => expect(isPlausibleHostname(host)).toBe(false));
  });

  describe('#extractPortTarget', () => {
    test.each([
      ['9001 NoListen', { target: '9001', unix: false, rest: 'NoListen' }],
      ['  unix:/run/tor/socks GroupWritable', { target: '/run/tor/socks', unix: true, rest: 'GroupWritable' }],
      ['unix:"/run/a b" x', { target: '/run/a b', unix: true, rest: 'x' }],
      ['unix:"/run/\\x41"', { target: '/run/A', unix: true, rest: '' }],
    ])('splits %j', (value, expected) => expect(extractPortTarget(value)).toEqual(expected));
    test.each(['unix:"/run/x', 'unix:"/run/\\q"', 'unix:"a\\0b"'])('refuses the quoted path of %j', (value) => {
      expect(extractPortTarget(value)).toBeUndefined();
    });
  });

  describe('#parseListeners', () => {
    test.each([
      ['ORPort 9001', true],
      ['ORPort 127.0.0.1:9001', true],
      ['ORPort 0', false],
      ['ORPort 443 NoListen\nORPort 127.0.0.1:9090 NoAdvertise', true],
    ])('sets ORPort_set for %j', (text, set) => {
      const result = parseListeners(context(text));
      expect(result.errors).toEqual([]);
      expect(result.set.OR).toBe(set);
    });

    test('reads ORPort twice, for IPv4 and IPv6', () => {
      const families = parseListeners(context('ORPort 9001')).ports.filter((p) => p.kind === 'OR').map((p) => p.address?.family);
      expect(families).toEqual([4, 6]);
    });

    test('does not read relay listeners with ClientOnly', () => {
      const result = parseListeners(context('ORPort bogus', { clientOnly: true }));
      expect(result).toMatchObject({ errors: [], set: { OR: false } });
    });

    test('listens on 127.0.0.1:9050 without any SocksPort line', () => {
      expect(parseListeners(context('')).set.Socks).toBe(true);
      expect(parseListeners(context('SocksPort 0')).set.Socks).toBe(false);
    });

    test.each([
      ['ORPort 1.2.3.4', 'TORRC_BAD_PORT_LINE', 1],
      ['ORPort 9001 NoListen NoAdvertise', 'TORRC_BAD_PORT_LINE', 1],
      ['ORPort 1.2.3.4:80:auto', 'TORRC_BAD_PORT_LINE', 1],
      ['ORPort unix:/x', 'TORRC_BAD_PORT_LINE', 1],
      ['SocksPort 9050\nSocksPort 9050 GroupWritable', 'TORRC_BAD_PORT_LINE', 2],
      ['SocksPort 9050 SessionGroup=1 SessionGroup=2', 'TORRC_BAD_PORT_LINE', 1],
      ['DNSPort 53 NoDNSRequest', 'TORRC_BAD_PORT_LINE', 1],
      ['ControlPort 9051 SessionGroup=1', 'TORRC_BAD_PORT_LINE', 1],
      ['MetricsPort 9035 json', 'TORRC_BAD_PORT_LINE', 1],
      ['MetricsPort auto', 'TORRC_BAD_PORT_LINE', 1],
      ['SocksPort 9050\nSocksPort 0', 'TORRC_PORT_CONFLICT', 2],
      ['ORPort 9001 NoListen', 'TORRC_PORT_CONFLICT', 1],
      ['ORPort 9001 NoAdvertise', 'TORRC_PORT_CONFLICT', 1],
      ['ORPort [::1]:9001', 'TORRC_PORT_CONFLICT', 1],
      ['ORPort 9001\nDirPort 80\nDirPort 81', 'TORRC_PORT_CONFLICT', 3],
      ['ORPort 9001\nDirPort [::1]:80', 'TORRC_PORT_CONFLICT', 2],
    ])('refuses %j with %s at line %d', (text, code, line) => {
      expect(parseListeners(context(text)).errors).toMatchObject([{ code, location: { line } }]);
    });

    test('lets a bridge listen on IPv6 only', () => {
      expect(parseListeners(context('ORPort [::1]:9001', { bridgeRelay: true })).errors).toEqual([]);
    });

    test('drops an ORPort superseded by another on the same port, with a warning', () => {
      const result = parseListeners(context('ORPort 9001 NoAdvertise\nORPort 9001 NoListen'));
      expect(result.warnings.map((w) => [w.code, w.location?.line])).toContainEqual(['TORRC_PORT_SUPERSEDED', 2]);
      expect(result.errors).toMatchObject([{ code: 'TORRC_PORT_CONFLICT' }]);
    });

    test('carries "the address was explicit" from the line before, as tor does', () => {
      // The auto line inherits the explicit flag, so IPv6Only on its IPv4 default address is an error.
      expect(parseListeners(context('ORPort 127.0.0.1:9001\nORPort auto IPv6Only')).errors).toMatchObject([{ code: 'TORRC_BAD_PORT_LINE', location: { line: 2 } }]);
      expect(parseListeners(context('ORPort 9001\nORPort auto IPv6Only')).errors).toEqual([]);
    });

    test.each([
      ['ORPort 9001 Bogus', 'TORRC_PORT_FLAG_IGNORED'],
      ['ORPort relay.example.org:9001', 'TORRC_RESOLVES_AT_STARTUP'],
      ['MetricsPort metrics.internal:9035', 'TORRC_RESOLVES_AT_STARTUP'],
    ])('only warns about %j', (text, code) => {
      const result = parseListeners(context(text));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toMatchObject([{ code, severity: 'warning' }]);
    });
  });
});
