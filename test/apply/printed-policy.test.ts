import { describe, expect, test } from 'vitest';
import { evaluatePrintedPolicy, parsePrintedPolicy } from '../../src/apply/printed-policy.js';

// Shapes of `GETINFO exit-policy/full` answers observed from tor 0.4.9.11 (fact sheet §7.3).
const blocked = [
  'reject6 *:*',
  'reject 0.0.0.0/8:*',
  'reject 127.0.0.0/8:*',
  'reject 203.0.113.0/24:*',
  'reject 198.51.100.7:25-26',
  'accept *:80',
  'accept *:443',
  'reject *:*',
];
const withIPv6 = ['reject 10.0.0.0/8:*', 'reject6 [2001:db8::]/32:*', 'accept6 [2001:db8:1::1]:22', 'accept *:*', 'accept6 *:443', 'reject6 *:*'];
const hostBits = ['reject 83.4.75.69/12:*', 'accept *:*'];

describe('apply/printed-policy', () => {
  describe('#evaluatePrintedPolicy', () => {
    test.each<[string[], string, number, 'accept' | 'reject']>([
      [blocked, '203.0.113.7', 443, 'reject'],
      [blocked, '203.0.112.255', 443, 'accept'],
      [blocked, '203.0.114.0', 443, 'accept'],
      [blocked, '203.0.114.0', 22, 'reject'],
      [blocked, '198.51.100.7', 25, 'reject'],
      [blocked, '198.51.100.7', 27, 'reject'],
      [blocked, '198.51.100.7', 80, 'accept'],
      [blocked, '198.51.100.8', 26, 'reject'],
      [blocked, '2001:db8::1', 443, 'reject'],
      [blocked, '127.0.0.1', 80, 'reject'],
      [withIPv6, '2001:db8::1', 443, 'reject'],
      [withIPv6, '2001:db9::1', 443, 'accept'],
      [withIPv6, '2001:db9::1', 80, 'reject'],
      [withIPv6, '2001:DB8:1::1', 22, 'reject'],
      [withIPv6, '10.255.255.255', 1, 'reject'],
      [withIPv6, '11.0.0.0', 1, 'accept'],
      [hostBits, '83.0.0.1', 1, 'reject'],
      [hostBits, '83.15.255.255', 65535, 'reject'],
      [hostBits, '83.16.0.0', 1, 'accept'],
      [['reject *:*'], '1.2.3.4', 443, 'reject'],
      [['reject *:*'], '2001:db8::1', 443, 'reject'],
      [['reject *:*', 'accept6 *:*'], '2001:db8::1', 443, 'accept'],
      [['reject 1.2.3.4:*'], '1.2.3.5', 80, 'accept'],
    ])('gives the first-match verdict (case %#: %s → %s:%i = %s)', (lines, address, port, expected) => {
      expect(evaluatePrintedPolicy(lines, address, port)).toBe(expected);
    });

    test('refuses a probe that is not an IP address', () => {
      expect(() => evaluatePrintedPolicy(['accept *:*'], 'example.org', 80)).toThrow(expect.objectContaining({ code: 'APPLY_PLAN_INVALID' }));
    });
  });

  describe('#parsePrintedPolicy', () => {
    test('reads families, prefixes and port ranges', () => {
      expect(parsePrintedPolicy(['reject 1.2.3.0/24:80-90', 'accept6 [::1]:*', 'reject *:443'])).toEqual([
        { action: 'reject', family: 4, address: 0x01020300n, bits: 24, portMin: 80, portMax: 90 },
        { action: 'accept', family: 6, address: 1n, bits: 128, portMin: 1, portMax: 65535 },
        { action: 'reject', family: 4, address: 0n, bits: 0, portMin: 443, portMax: 443 },
      ]);
    });

    test.each([
      'reject 1.2.3.4',
      'drop *:*',
      'reject 1.2.3.4/33:*',
      'reject6 [2001:db8::]/129:*',
      'reject 2001:db8:::*',
      'reject6 1.2.3.4:*',
      'reject 1.2.3.4:0',
      'reject 1.2.3.4:90-80',
      'reject 1.2.3.4:65536',
      'reject */8:*',
      'reject 01.2.3.4:*',
      'accept *:80 # comment',
    ])('refuses the line %j (APPLY_CONFIG_UNREADABLE)', (line) => {
      expect(() => parsePrintedPolicy([line])).toThrow(expect.objectContaining({ code: 'APPLY_CONFIG_UNREADABLE', input: line }));
    });
  });
});
