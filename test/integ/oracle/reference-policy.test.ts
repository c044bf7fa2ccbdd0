import { describe, expect, test } from 'vitest';
import { Random } from '../../helpers/generate-torrc.js';
import {
  type Probe,
  formatIpv4,
  formatIpv6,
  formatProbeAddress,
  parseIpv4,
  parseIpv6,
  parsePrintedPolicy,
  probesFor,
  referenceVerdict,
} from '../../helpers/reference-policy.js';
import { EFFECTIVE_POLICY_VECTORS } from '../differential/vectors.js';

function probe(text: string, port: number): Probe {
  return text.includes(':') ? { family: 6, address: parseIpv6(text), port } : { family: 4, address: parseIpv4(text), port };
}

function verdict(lines: string[], address: string, port: number): string {
  return referenceVerdict(parsePrintedPolicy(lines), probe(address, port)).verdict;
}

function vector(id: string): string[] {
  return EFFECTIVE_POLICY_VECTORS.find((v) => v.id === id)!.expected!;
}

describe('helpers/reference-policy', () => {
  describe('#parseIpv4 / #formatIpv4', () => {
    test.each(['0.0.0.0', '1.2.3.4', '255.255.255.255', '10.0.0.1'])('%s round-trips', (text) => {
      expect(formatIpv4(parseIpv4(text))).toBe(text);
    });

    test.each(['01.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4.5', '', 'a.b.c.d'])('rejects %j', (text) => {
      expect(() => parseIpv4(text)).toThrow();
    });
  });

  describe('#parseIpv6 / #formatIpv6', () => {
    test.each([
      ['::', '::'],
      ['::1', '::1'],
      ['2001:db8::', '2001:db8::'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['fe80::202:b3ff:fe1e:8329', 'fe80::202:b3ff:fe1e:8329'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
      ['::ffff:1.2.3.4', '::ffff:102:304'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ])('%s → %s', (text, canonical) => {
      expect(formatIpv6(parseIpv6(text))).toBe(canonical);
    });

    test.each(['1::2::3', '12345::', '1:2:3:4:5:6:7', 'g::1', '1:2:3:4:5:6:7:8:9'])('rejects %j', (text) => {
      expect(() => parseIpv6(text)).toThrow();
    });
  });

  describe('#parsePrintedPolicy', () => {
    test.each([
      ['reject *:*', { action: 'reject', family: 4, bits: 0, portMin: 1, portMax: 65535 }],
      ['accept 1.2.3.4/16:80-90', { action: 'accept', family: 4, address: parseIpv4('1.2.3.4'), bits: 16, portMin: 80, portMax: 90, first: parseIpv4('1.2.0.0'), last: parseIpv4('1.2.255.255') }],
      ['reject 8.8.8.8:53', { family: 4, bits: 32, portMin: 53, portMax: 53 }],
      ['accept6 *:443', { action: 'accept', family: 6, bits: 0, portMin: 443, portMax: 443 }],
      ['reject6 [fe80::]/10:*', { family: 6, bits: 10, first: parseIpv6('fe80::'), last: parseIpv6('febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff') }],
      ['reject6 [2001:db8::1]:25', { family: 6, bits: 128 }],
    ])('%s', (line, rule) => {
      expect(parsePrintedPolicy([line])[0]).toMatchObject({ ...rule, text: line });
    });

    test.each([
      'reject *4:*',
      'reject 1.2.3.4/33:*',
      'reject6 1.2.3.4:*',
      'reject [::1]:*',
      'reject6 [::1]/129:*',
      'reject 1.2.3.4:0',
      'reject 1.2.3.4:90-80',
      'reject 1.2.3.4',
      'Reject *:*',
      'reject */8:*',
      'reject  *:*',
    ])('rejects %j (not in the printed format)', (line) => {
      expect(() => parsePrintedPolicy([line])).toThrow();
    });
  });

  describe('#referenceVerdict', () => {
    // tor-semantics §7.4 (E1–E25, known address and port), on tor's printed forms.
    test.each([
      ['E1', ['reject 192.168.0.0/16:*'], '1.2.3.4', 2, 'accept'],
      ['E2', ['reject 192.168.0.0/16:*'], '192.168.1.2', 2, 'reject'],
      ['E4 match', ['reject 192.168.0.50:*'], '192.168.0.50', 80, 'reject'],
      ['E4 no match', ['reject 192.168.0.50:*'], '192.168.0.51', 80, 'accept'],
      ['E5 match', ['reject 0.0.0.0/24:*'], '0.0.0.255', 80, 'reject'],
      ['E5 no match', ['reject 0.0.0.0/24:*'], '0.0.1.0', 80, 'accept'],
      ['E6 match', ['reject6 [fe80::202:b3ff:fe1e:8329]/112:*'], 'fe80::202:b3ff:fe1e:0', 80, 'reject'],
      ['E6 no match', ['reject6 [fe80::202:b3ff:fe1e:8329]/112:*'], 'fe80::202:b3ff:fe1f:8329', 80, 'accept'],
      ['E7 low end', ['reject *:80-85'], '9.9.9.9', 80, 'reject'],
      ['E7 high end', ['reject *:80-85'], '9.9.9.9', 85, 'reject'],
      ['E7 below', ['reject *:80-85'], '9.9.9.9', 79, 'accept'],
      ['E7 above', ['reject *:80-85'], '9.9.9.9', 86, 'accept'],
      ['E8 IPv4', ['reject *:*', 'accept6 *:*'], '192.168.0.1', 80, 'reject'],
      ['E8 IPv6 not matched by an IPv4 line', ['reject *:*', 'accept6 *:*'], 'fe80::202:b3ff:fe1e:8329', 80, 'accept'],
      ['E8 IPv6 with an IPv4-only line and nothing else', ['reject *:80'], 'fe80::1', 80, 'accept'],
      ['a lone reject *:* rejects both families (C1)', vector('C1'), '2001:db8::1', 443, 'reject'],
      ['a lone reject *:* rejects IPv4', vector('C1'), '8.8.8.8', 443, 'reject'],
      ['E10 IPv6', ['accept6 *:*', 'reject *:*'], 'fe80::1', 443, 'accept'],
      ['E10 IPv4', ['accept6 *:*', 'reject *:*'], '192.168.0.1', 443, 'reject'],
      ['E11', vector('C5'), '5.6.7.8', 443, 'reject'],
      ['E12', vector('C5'), '5.7.0.1', 443, 'accept'],
      ['E13', vector('C5'), '8.8.8.8', 25, 'reject'],
      ['E14', vector('C5'), '8.8.8.8', 6667, 'accept'],
      ['E15', vector('C5'), '192.168.1.1', 80, 'reject'],
      ['E16', vector('C5'), '2001:db8::1', 443, 'reject'],
      ['E17', vector('C6'), '8.8.8.8', 80, 'accept'],
      ['E18', vector('C6'), '8.8.8.8', 22, 'reject'],
      ['E19', vector('C6'), '10.0.0.1', 80, 'reject'],
      ['E22 a', vector('C9'), '5.6.1.1', 22, 'accept'],
      ['E22 b', vector('C9'), '5.6.1.1', 80, 'reject'],
      ['E22 c', vector('C9'), '6.0.0.1', 22, 'accept'],
      ['host bits: 1.2.3.4/16 covers 1.2.200.200', ['reject 1.2.3.4/16:*', 'accept *:*'], '1.2.200.200', 80, 'reject'],
      ['host bits: not 1.3.0.0', ['reject 1.2.3.4/16:*', 'accept *:*'], '1.3.0.0', 80, 'accept'],
      ['E21 a', vector('C11'), '2001:db8::1', 443, 'accept'],
      ['E21 b', vector('C11'), '2001:db8::1', 25, 'reject'],
      ['E21 c', vector('C11'), 'fe80::1', 443, 'reject'],
      ['E24', ['reject *:80', 'accept 1.2.3.4:80'], '1.2.3.4', 80, 'reject'],
    ])('%s', (_id, lines, address, port, expected) => {
      expect(verdict(lines, address, port)).toBe(expected);
    });

    test('reports the deciding rule, or -1 when nothing matched', () => {
      const rules = parsePrintedPolicy(['reject 1.0.0.0/8:*', 'accept *:80']);
      expect(referenceVerdict(rules, probe('1.2.3.4', 80)).index).toBe(0);
      expect(referenceVerdict(rules, probe('2.2.3.4', 80)).index).toBe(1);
      expect(referenceVerdict(rules, probe('2.2.3.4', 81))).toEqual({ verdict: 'accept', index: -1 });
    });
  });

  describe('#probesFor', () => {
    const rules = parsePrintedPolicy(['reject 5.6.0.0/16:22-25', 'reject6 [2001:db8::]/32:*', 'accept *:*']);

    test('gives at least the count asked for, in both families', () => {
      const probes = probesFor(rules, new Random(3), 1000);
      expect(probes.length).toBeGreaterThanOrEqual(1000);
      expect(probes.some((p) => p.family === 4)).toBe(true);
      expect(probes.some((p) => p.family === 6)).toBe(true);
      for (const p of probes) {
        expect(p.port).toBeGreaterThanOrEqual(1);
        expect(p.port).toBeLessThanOrEqual(65535);
        expect(p.address >= 0n && p.address < 1n << (p.family === 4 ? 32n : 128n)).toBe(true);
      }
    });

    test("hits both edges of every rule's range and ports, and their outer neighbours", () => {
      const seen = new Set(probesFor(rules, new Random(3), 10).map((p) => `${formatProbeAddress(p)}:${p.port}`));
      for (const expected of ['5.6.0.0:22', '5.6.255.255:25', '5.5.255.255:22', '5.7.0.0:25', '5.6.0.0:21', '5.6.0.0:26']) {
        expect(seen).toContain(expected);
      }
      expect([...seen].some((p) => p.startsWith('2001:db8::1:'))).toBe(true);
      expect([...seen].some((p) => p.startsWith('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff:'))).toBe(true);
      expect([...seen].some((p) => p.startsWith('2001:db9:'))).toBe(true);
    });

    test('is deterministic for a seed', () => {
      expect(probesFor(rules, new Random(5), 300)).toEqual(probesFor(rules, new Random(5), 300));
    });
  });
});
