import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseIPv4, parseIPv6, prefixContains } from '../../src/net/cidr.js';
import { diffPolicies } from '../../src/policy/diff.js';
import { buildEffectivePolicy } from '../../src/policy/effective.js';
import { firstMatch } from '../../src/policy/evaluate.js';
import { policyInputsFromConfig } from '../../src/policy/inputs.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import type { EffectivePolicy, Family, PolicyChange, PolicyRule, VerdictChange } from '../../src/types.js';
import { boundaryProbes, policyArb, probeArb, type Probe } from './arbitraries.js';
import { configView } from './config-view.js';

const effective = (text: string): EffectivePolicy => buildEffectivePolicy(policyInputsFromConfig(configView(text)));
const rules = (value: string) => parsePolicyValue(value).rules;

// Ports the default policy leaves open.
const DEFAULT_OPEN: Array<readonly [number, number]> = [
  [1, 24], [26, 118], [120, 134], [140, 444], [446, 562], [564, 1213], [1215, 4660],
  [4667, 6345], [6430, 6698], [6700, 6880], [7000, 65535],
];

function inCidr(family: Family, cidr: string, address: bigint): boolean {
  const [text, bits] = cidr.split('/') as [string, string];
  const network = family === 4 ? parseIPv4(text) : parseIPv6(text);
  if (network === undefined) throw new Error(`bad cidr ${cidr}`);
  return prefixContains(family, network, Number(bits), address);
}

function regionsAt(change: PolicyChange, p: Probe): VerdictChange[] {
  return change.changes.filter(
    (c) =>
      c.family === p.family &&
      c.ports.some(([lo, hi]) => p.port >= lo && p.port <= hi) &&
      c.cidrs.some((cidr) => inCidr(p.family, cidr, p.address)),
  );
}

function checkAgainstProbes(a: readonly PolicyRule[], b: readonly PolicyRule[], probes: readonly Probe[]): void {
  const change = diffPolicies(a, b);
  for (const p of probes) {
    const before = firstMatch(a, p.family, p.address, p.port).verdict;
    const after = firstMatch(b, p.family, p.address, p.port).verdict;
    const hits = regionsAt(change, p);
    if (before === after) {
      expect(hits).toEqual([]);
    } else {
      expect(hits).toHaveLength(1);
      expect([hits[0]?.before, hits[0]?.after]).toEqual([before, after]);
    }
  }
}

describe('policy/diff', () => {
  describe('#diffPolicies', () => {
    test('finds nothing between a policy and itself', () => {
      const p = effective('ExitPolicy reject 198.51.100.0/24:*, accept *:80, reject *:*');
      expect(diffPolicies(p, p)).toEqual({ changes: [] });
    });

    test('blocking a /24 rejects exactly the ports the default left open there', () => {
      const before = effective('ExitRelay 1');
      const after = effective('ExitRelay 1\nExitPolicy reject 198.51.100.0/24:*');
      expect(diffPolicies(before, after)).toEqual({
        changes: [{ family: 4, cidrs: ['198.51.100.0/24'], ports: DEFAULT_OPEN, before: 'accept', after: 'reject' }],
      });
      expect(diffPolicies(after, before).changes).toEqual([
        { family: 4, cidrs: ['198.51.100.0/24'], ports: DEFAULT_OPEN, before: 'reject', after: 'accept' },
      ]);
    });

    test('groups equal changes and writes the fewest CIDRs, host bits cleared', () => {
      const before = rules('accept *:*');
      const after = rules('reject 203.0.113.4/24:443, reject 198.51.100.0/25:443, reject 198.51.100.128/25:443, accept *:*');
      expect(diffPolicies(before, after).changes).toEqual([
        { family: 4, cidrs: ['198.51.100.0/24', '203.0.113.0/24'], ports: [[443, 443]], before: 'accept', after: 'reject' },
      ]);
    });

    test('splits a range that is not one block', () => {
      const after = rules('reject 10.0.0.1:*, reject 10.0.0.2/31:*, reject 10.0.0.4/31:*, reject 10.0.0.6:*, accept *:*');
      expect(diffPolicies(rules('accept *:*'), after).changes[0]?.cidrs).toEqual([
        '10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32',
      ]);
    });

    test('lists IPv4 before IPv6, each by address, with both directions', () => {
      const before = rules('reject 192.0.2.0/24:80, accept *:*');
      const after = rules('reject6 [2001:db8::]/32:*, reject 10.0.0.0/8:*, accept *:*');
      expect(diffPolicies(before, after).changes).toEqual([
        { family: 4, cidrs: ['10.0.0.0/8'], ports: [[1, 65535]], before: 'accept', after: 'reject' },
        { family: 4, cidrs: ['192.0.2.0/24'], ports: [[80, 80]], before: 'reject', after: 'accept' },
        { family: 6, cidrs: ['2001:db8::/32'], ports: [[1, 65535]], before: 'accept', after: 'reject' },
      ]);
    });

    test('turning an exit into a middle relay rejects everything the exit accepted', () => {
      const change = diffPolicies(effective('ExitPolicy accept *:443, reject *:*'), effective('ExitRelay 0'));
      expect(change.changes).toHaveLength(1);
      expect(change.changes[0]).toMatchObject({ family: 4, ports: [[443, 443]], before: 'accept', after: 'reject' });
      // Everything public: the complement of the six private IPv4 networks.
      expect(change.changes[0]?.cidrs).toContain('1.0.0.0/8');
      expect(change.changes[0]?.cidrs).not.toContain('10.0.0.0/8');
    });

    test('agrees with probing both policies at every boundary (property)', () => {
      fc.assert(
        fc.property(policyArb(15), policyArb(15), fc.array(probeArb, { maxLength: 30 }), (a, b, random) => {
          checkAgainstProbes(a, b, boundaryProbes([...a, ...b], random));
        }),
        { numRuns: 500 },
      );
    });

    test('agrees with probing when one policy is a small edit of the other (property)', () => {
      fc.assert(
        fc.property(policyArb(20), fc.nat(), policyArb(3), fc.array(probeArb, { maxLength: 30 }), (a, at, extra, random) => {
          const k = a.length === 0 ? 0 : at % (a.length + 1);
          const b = [...a.slice(0, k), ...extra, ...a.slice(k)];
          checkAgainstProbes(a, b, boundaryProbes(b, random));
        }),
        { numRuns: 500 },
      );
    });

    test('agrees with probing when rules are deleted, inserted, moved or flipped (property)', () => {
      const edit = fc.tuple(fc.constantFrom('delete', 'insert', 'move', 'flip'), fc.nat(), fc.nat());
      fc.assert(
        fc.property(policyArb(40), fc.array(edit, { maxLength: 6 }), policyArb(6), fc.array(probeArb, { maxLength: 20 }), (a, edits, extra, random) => {
          const b: PolicyRule[] = [...a];
          for (const [kind, x, y] of edits) {
            if (b.length === 0) break;
            const i = x % b.length;
            if (kind === 'delete') b.splice(i, 1);
            else if (kind === 'insert' && extra.length > 0) b.splice(i, 0, extra[y % extra.length] as PolicyRule);
            else if (kind === 'move') b.splice(y % b.length, 0, ...b.splice(i, 1));
            else if (kind === 'flip') {
              const r = b[i] as PolicyRule;
              b[i] = { ...r, action: r.action === 'accept' ? 'reject' : 'accept' };
            }
          }
          checkAgainstProbes(a, b, boundaryProbes([...a, ...b], random));
          checkAgainstProbes(b, a, boundaryProbes([...a, ...b], random));
        }),
        { numRuns: 500 },
      );
    });

    test('merges neighbouring IPv6 changes into the fewest blocks', () => {
      const after = rules('reject6 [2001:db8::]/33:443, reject6 [2001:db8:8000::]/33:443, reject6 [2001:db9::]/32:443, accept *:*');
      expect(diffPolicies(rules('accept *:*'), after).changes).toEqual([
        { family: 6, cidrs: ['2001:db8::/31'], ports: [[443, 443]], before: 'accept', after: 'reject' },
      ]);
    });

    test('reads the rules again when the same array changed between two calls', () => {
      const before = rules('accept *:*');
      const after = [...rules('reject 192.0.2.0/24:*, accept *:*')];
      expect(diffPolicies(before, after).changes).toHaveLength(1);
      after.splice(0, 1, ...rules('reject 198.51.100.0/24:*'));
      expect(diffPolicies(before, after).changes[0]?.cidrs).toEqual(['198.51.100.0/24']);
    });

    test('lists the rest of the space when a rule for every address changes, quickly', () => {
      // "everything except thousands of prefixes": the largest output a small edit can have.
      const blocks = Array.from({ length: 10_000 }, (_, k) => {
        const v6 = k % 3 === 0;
        const a = 1 + ((k * 7919) % 220);
        return v6
          ? `accept6 [2001:db8:${((k * 104729) % 65536).toString(16)}::]/${[40, 48, 56, 64][k % 4]}:*`
          : `accept ${a}.${(k * 104729) % 256}.${k % 256}.0/${[16, 20, 24, 28, 32][k % 5]}:*`;
      });
      const before = rules(`${blocks.join(',')},accept *:*`);
      const after = rules(`${blocks.slice(0, 5000).join(',')},reject *:25,${blocks.slice(5000).join(',')},accept *:*`);
      const start = performance.now();
      const change = diffPolicies(before, after);
      const ms = performance.now() - start;
      expect(change.changes.every((c) => c.before === 'accept' && c.after === 'reject' && c.ports.length === 1)).toBe(true);
      expect(change.changes.reduce((n, c) => n + c.cidrs.length, 0)).toBeGreaterThan(10_000);
      expect(ms).toBeLessThan(1000);
      checkAgainstProbes(before, after, boundaryProbes([...after.slice(4990, 5010), ...after.slice(0, 10), ...after.slice(-20)]));
    }, 60_000);

    test('compares two 10,000-rule policies in well under a second', () => {
      const block = (k: number, action: string, ports: string) =>
        `${action} ${1 + ((k * 7919) % 220)}.${(k * 104729) % 256}.${k % 256}.0/${[16, 20, 24, 28, 32][k % 5]}:${ports}`;
      const a = Array.from({ length: 10_000 }, (_, k) => block(k, 'reject', '*'));
      const b = Array.from({ length: 10_000 }, (_, k) => (k % 3 === 0 ? block(k, 'accept', '443') : block(k, 'reject', '*'))).reverse();
      const before = effective(`ExitPolicy ${a.join(',')}`);
      const after = effective(`IPv6Exit 1\nExitPolicy ${b.join(',')}`);
      expect(before.rules.length).toBeGreaterThan(9000);
      const start = performance.now();
      const change = diffPolicies(before, after);
      const ms = performance.now() - start;
      expect(change.changes.length).toBeGreaterThan(0);
      expect(ms).toBeLessThan(1000);
      // Spot-check the result on boundaries of the first rules.
      checkAgainstProbes(before.rules, after.rules, boundaryProbes([...before.rules.slice(0, 30), ...after.rules.slice(0, 30)]));
      // Building 10,000-rule policies is slow on a loaded machine; only the measured part
      // has a time budget, hence the generous test timeout.
    }, 60_000);
  });
});
