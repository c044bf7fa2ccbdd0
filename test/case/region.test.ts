import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseRegionCidr, regionRules, rulesFromTorLines, shortfall } from '../../src/case/region.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import type { PolicyAction, PolicyRule, VerdictChange } from '../../src/types.js';

/** Rules of an ExitPolicy value, in order (no default suffix: no match means accept). */
function rules(value: string): PolicyRule[] {
  return [...parsePolicyValue(value).rules];
}

const block = (cidrs: string[], ports: Array<readonly [number, number]> = [[1, 65535]]): VerdictChange => ({ family: 4, cidrs, ports, before: 'accept', after: 'reject' });

describe('case/region', () => {
  describe('#shortfall', () => {
    test.each<[string, string, VerdictChange, VerdictChange[]]>([
      ['a block still in front of the accept', 'reject 198.51.100.0/24:*, accept *:*', block(['198.51.100.0/24']), []],
      ['a block covered by a wider reject', 'reject 198.51.0.0/16:*, accept *:*', block(['198.51.100.0/24'], [[22, 22]]), []],
      ['a block removed', 'accept *:*', block(['198.51.100.0/24']), [block(['198.51.100.0/24'])]],
      ['a block moved behind an accept of its ports', 'accept *:80, reject 198.51.100.0/24:*, accept *:*', block(['198.51.100.0/24']), [block(['198.51.100.0/24'], [[80, 80]])]],
      ['half of a block lost', 'reject 198.51.100.0/25:*, accept *:*', block(['198.51.100.0/24']), [block(['198.51.100.128/25'])]],
      ['a block of two ports with one left', 'reject 198.51.100.7:443, accept *:*', block(['198.51.100.7/32'], [[80, 80], [443, 443]]), [block(['198.51.100.7/32'], [[80, 80]])]],
      ['an IPv6 block kept by reject *6:*', 'reject6 *:*, accept *:*', { family: 6, cidrs: ['2001:db8::/32'], ports: [[1, 65535]], before: 'accept', after: 'reject' }, []],
    ])('finds exactly what is missing: %s', (_what, policy, region, expected) => {
      expect(shortfall(rules(policy), [region])).toEqual(expected);
    });

    test('leaves out what a later promise covers', () => {
      const later: VerdictChange = { family: 4, cidrs: ['198.51.100.0/25'], ports: [[1, 65535]], before: 'reject', after: 'accept' };
      expect(shortfall(rules('reject 198.51.100.128/25:*, accept *:*'), [block(['198.51.100.0/24'])], [later])).toEqual([]);
      expect(shortfall(rules('accept *:*'), [block(['198.51.100.0/24'])], [later])).toEqual([block(['198.51.100.128/25'])]);
    });

    test('checks a promised accept as exactly as a reject', () => {
      const unblock: VerdictChange = { family: 4, cidrs: ['203.0.113.0/24'], ports: [[443, 443]], before: 'reject', after: 'accept' };
      expect(shortfall(rules('accept *:443, reject *:*'), [unblock])).toEqual([]);
      expect(shortfall(rules('reject 203.0.113.0/26:*, accept *:443, reject *:*'), [unblock])).toEqual([{ ...unblock, cidrs: ['203.0.113.0/26'], before: 'reject', after: 'accept' }]);
    });

    // Every address and port of a small region, judged one by one by a naive first-match scan,
    // must be in the shortfall exactly when its verdict is not the promised one.
    test('agrees point by point with a naive first-match scan', () => {
      const item = fc.record({
        action: fc.constantFrom<PolicyAction>('accept', 'reject'),
        last: fc.integer({ min: 0, max: 15 }),
        bits: fc.integer({ min: 28, max: 32 }),
        low: fc.integer({ min: 1, max: 12 }),
        span: fc.integer({ min: 0, max: 8 }),
      });
      fc.assert(
        fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom<PolicyAction>('accept', 'reject'), fc.integer({ min: 28, max: 32 }), fc.integer({ min: 1, max: 10 }), (items, after, bits, portLow) => {
          const policy = rules(items.map((i) => `${i.action} 10.0.0.${i.last}/${i.bits}:${i.low}-${i.low + i.span}`).join(', ') || 'accept *:*');
          const region: VerdictChange = { family: 4, cidrs: [`10.0.0.0/${bits}`], ports: [[portLow, portLow + 5]], before: after === 'accept' ? 'reject' : 'accept', after };
          const missing = shortfall(policy, [region]);
          const inMissing = (address: number, port: number) =>
            missing.some((part) => part.ports.some(([a, b]) => port >= a && port <= b) && part.cidrs.some((cidr) => contains(cidr, address)));
          for (let address = 0; address < 2 ** (32 - bits); address += 1) {
            for (let port = portLow; port <= portLow + 5; port += 1) {
              expect(inMissing(address, port)).toBe(naive(policy, address, port) !== after);
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('#rulesFromTorLines', () => {
    test('reads the printed policy so that a shortfall can be found in the running tor', () => {
      const printed = ['reject 198.51.100.0/24:*', 'accept *:80', 'reject *:*'];
      expect(shortfall(rulesFromTorLines(printed), [block(['198.51.100.0/24'])])).toEqual([]);
      expect(shortfall(rulesFromTorLines(printed.slice(1)), [block(['198.51.100.0/24'])])).toEqual([block(['198.51.100.0/24'], [[80, 80]])]);
    });

    test('refuses a line tor 0.4.9 would not print', () => {
      expect(() => rulesFromTorLines(['reject 1.2.3.4/33:*'])).toThrow(expect.objectContaining({ code: 'APPLY_CONFIG_UNREADABLE' }));
    });
  });

  describe('#regionRules', () => {
    test('makes one rule per block and port range', () => {
      const made = regionRules(block(['198.51.100.0/24', '203.0.113.7/32'], [[80, 80], [443, 443]]));
      expect(made.map((r) => [r.maskBits, r.portMin, r.action])).toEqual([[24, 80, 'reject'], [24, 443, 'reject'], [32, 80, 'reject'], [32, 443, 'reject']]);
    });
  });

  describe('#parseRegionCidr', () => {
    test.each([
      [4, '198.51.100.0/24', { address: 0xc6336400n, bits: 24 }],
      [4, '198.51.100.7', { address: 0xc6336407n, bits: 32 }],
      [6, '2001:db8::/32', { address: 0x20010db8n << 96n, bits: 32 }],
      [4, '198.51.100.0/33', undefined],
      [4, '2001:db8::/32', undefined],
      [6, '2001:db8::/129', undefined],
      [4, '198.51.100.0/x', undefined],
    ] as const)('IPv%d %s', (family, text, expected) => {
      expect(parseRegionCidr(family, text)).toEqual(expected);
    });
  });
});

function naive(policy: readonly PolicyRule[], last: number, port: number): PolicyAction {
  const address = 0x0a000000n + BigInt(last);
  for (const rule of policy) {
    if (rule.family !== 4 || port < rule.portMin || port > rule.portMax) continue;
    const shift = BigInt(32 - rule.maskBits);
    if (address >> shift === rule.address >> shift) return rule.action;
  }
  return 'accept';
}

function contains(cidr: string, last: number): boolean {
  const [base = '', bitsText = '32'] = cidr.split('/');
  const octets = base.split('.').map(Number);
  const start = ((octets[0] ?? 0) * 2 ** 24 + (octets[1] ?? 0) * 2 ** 16 + (octets[2] ?? 0) * 2 ** 8 + (octets[3] ?? 0)) >>> 0;
  const size = 2 ** (32 - Number(bitsText));
  const address = 0x0a000000 + last;
  return address >= start && address < start + size;
}
