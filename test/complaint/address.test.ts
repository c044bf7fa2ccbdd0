import { describe, expect, test } from 'vitest';
import { findIps, formatEndpoint, isTorPrivate, networkOf, parseIp, parseNetwork } from '../../src/complaint/address.js';

describe('complaint/address', () => {
  describe('#parseIp', () => {
    test.each([
      ['192.0.2.1', '192.0.2.1', 4, false],
      [' 198.51.100.7 ', '198.51.100.7', 4, false],
      ['0.0.0.0', '0.0.0.0', 4, false],
      ['255.255.255.255', '255.255.255.255', 4, false],
      ['fdf1:cb9d:f59e:19b0:0:0:33:4f', 'fdf1:cb9d:f59e:19b0::33:4f', 6, false],
      ['[2001:DB8::1]', '2001:db8::1', 6, false],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', 6, false],
      ['::ffff:114.44.62.177', '114.44.62.177', 4, true],
      ['::ffff:7262:3eb1', '114.98.62.177', 4, true],
      ['2001:db8::', '2001:db8::', 6, false],
    ])('%j → %s (IPv%i, mapped %s)', (text, address, family, mapped) => {
      expect(parseIp(text)).toEqual({ address, family, original: text, mapped });
    });

    test.each([
      '',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3.4/32',
      '1.2.3.4:80',
      'fe80::1%eth0',
      '2001:db8::/32',
      '2001:db8:::1',
      '12:13:09',
      'example.org',
      '#HOSTIP#',
      '[1.2.3.4',
      'gggg::1',
    ])('refuses %j', (text) => {
      expect(parseIp(text)).toBeNull();
    });
  });

  describe('#parseNetwork', () => {
    test.each([
      ['172.16.30.0/24', '172.16.30.0/24', 24],
      ['172.16.30.9/24', '172.16.30.0/24', 24],
      ['10.0.0.1/8', '10.0.0.0/8', 8],
      ['0.0.0.0/0', '0.0.0.0/0', 0],
      ['2001:db8::/32', '2001:db8::/32', 32],
      ['[2001:db8::]/32', '2001:db8::/32', 32],
      ['2001:db8::1/128', '2001:db8::1/128', 128],
    ])('%j → %s', (text, cidr, prefix) => {
      expect(parseNetwork(text)).toMatchObject({ cidr, prefix });
    });

    test.each(['1.2.3.0/33', '2001:db8::/129', '1.2.3.0/08', '1.2.3.0', '1.2.3.0/', '/24', '::ffff:1.2.3.4/120', 'x/24'])('refuses %j', (text) => {
      expect(parseNetwork(text)).toBeNull();
    });
  });

  describe('#networkOf', () => {
    test.each([
      ['198.51.100.77', 24, '198.51.100.0/24'],
      ['198.51.100.77', 32, '198.51.100.77/32'],
      ['198.51.100.77', 0, '0.0.0.0/0'],
      ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
      ['2001:db8:1:2:3:4:5:6', 128, '2001:db8:1:2:3:4:5:6/128'],
    ])('%s in /%i is %s', (address, prefix, cidr) => {
      const ip = parseIp(address);
      if (!ip) throw new Error('test address invalid');
      expect(networkOf(ip, prefix).cidr).toBe(cidr);
    });
  });

  describe('#isTorPrivate', () => {
    test.each([
      ['10.10.10.154', true],
      ['172.16.0.1', true],
      ['172.32.0.1', false],
      ['192.168.1.100', true],
      ['127.0.0.1', true],
      ['169.254.3.4', true],
      ['0.1.2.3', true],
      ['100.64.0.1', false],
      ['192.0.2.1', false],
      ['fdf1:cb9d:f59e:19b0::33:4f', true],
      ['fe80::1', true],
      ['ff02::1', true],
      ['2001:db8::1', false],
    ])('%s → %s', (address, expected) => {
      const ip = parseIp(address);
      if (!ip) throw new Error('test address invalid');
      expect(isTorPrivate(ip)).toBe(expected);
    });
  });

  describe('#findIps', () => {
    test.each([
      ['from 1.2.3.4 port 22', ['1.2.3.4']],
      ['(IP: 85.25.7.16).', ['85.25.7.16']],
      ['IPv4: 138.201.27.25 / IPv6: 2a01:4f8:262:47c1::2', ['138.201.27.25', '2a01:4f8:262:47c1::2']],
      ['[2001:470:1:332::fe]:80', ['2001:470:1:332::fe']],
      ['version 1.2.3.4.5 and 10.0.0.1', ['10.0.0.1']],
      ['at 12:13:09 on Jul  5', []],
      ['host 94.189.128.164.static.example', []],
      ['mac aa:bb:cc:dd:ee:ff', []],
      ['999.1.1.1 and 01.2.3.4', []],
    ])('%j → %j', (text, addresses) => {
      expect(findIps(text).map((f) => f.ip.address)).toEqual(addresses);
    });
  });

  describe('#formatEndpoint', () => {
    test.each([
      ['192.0.2.1', 80, '192.0.2.1:80'],
      ['2001:db8::1', 443, '[2001:db8::1]:443'],
      ['2001:db8::1', null, '[2001:db8::1]'],
    ])('%s %s → %s', (address, port, text) => {
      expect(formatEndpoint(address, port)).toBe(text);
    });
  });
});
