import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Address6 } from 'ip-address';
import { formatAddress, parseIPv4, readWords } from '../../src/net/cidr.js';
import { tryBuildEffectivePolicy } from '../../src/policy/effective.js';
import {
  compareToPolicy,
  evaluatePolicy,
  firstMatch,
  indexPolicy,
  parseProbeAddress,
  portVerdicts,
  VerdictList,
} from '../../src/policy/evaluate.js';
import { policyInputsFromConfig } from '../../src/policy/inputs.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import { Rule } from '../../src/policy/rule.js';
import type { EffectivePolicy, Family, PolicyRule } from '../../src/types.js';
import { boundaryProbes, policyArb, probeArb } from './arbitraries.js';
import { configView } from './config-view.js';

const fragment = (value: string) => parsePolicyValue(value).rules;
const effective = (text: string): EffectivePolicy => {
  const b = tryBuildEffectivePolicy(policyInputsFromConfig(configView(text)));
  if (!b.policy) throw new Error(b.errors.map((e) => e.code).join());
  return b.policy;
};
const C5 = effective('ExitPolicy reject 5.6.0.0/16:*');
const C6 = effective('ExitPolicy accept *:80,accept *:443,reject *:*');
const C9 = effective('ExitPolicy accept 5.6.0.0/16:22, reject 5.0.0.0/8:*');
const E20 = effective('IPv6Exit 1\nExitPolicy reject 1.2.3.4/16:*');
const E23 = effective('ReducedExitPolicy 1');
const E24 = effective('ExitPolicy reject *:80, accept 1.2.3.4:80');
const NAMED: Record<string, EffectivePolicy> = { C5, C6, C9, E20, E23, E24 };

// The earliest rule among `rules[k]` with `keep(k)` holding the address and port, or -1.
function scan(rules: readonly PolicyRule[], keep: (k: number) => boolean, family: Family, address: bigint, port: number): number {
  for (let k = 0; k < rules.length; k++) {
    if (!keep(k)) continue;
    const r = rules[k] as PolicyRule;
    if (firstMatch([r], family, address, port).index === 0) return k;
  }
  return -1;
}

// Ports lo..hi where a port function of `rules` can change: rule port boundaries (±1) and the ends.
function portsToCheck(rules: readonly PolicyRule[], lo: number, hi: number, extra: readonly number[]): number[] {
  const ports = new Set<number>([lo, hi]);
  for (const r of rules) for (const p of [r.portMin - 1, r.portMin, r.portMax, r.portMax + 1]) ports.add(p);
  for (const p of extra) ports.add(p).add(p - 1);
  return [...ports].filter((p) => p >= lo && p <= hi);
}

describe('policy/evaluate', () => {
  describe('#evaluatePolicy', () => {
    // §7.4 of the fact sheet.
    test.each([
      ['E1', 'reject 192.168.0.0/16:*', '1.2.3.4', 2, 'accept'],
      ['E2', 'reject 192.168.0.0/16:*', '192.168.1.2', 2, 'reject'],
      ['E4', 'reject 192.168.0.50:*', '192.168.0.50', 80, 'reject'],
      ['E4', 'reject 192.168.0.50:*', '192.168.0.51', 80, 'accept'],
      ['E5', 'reject 0.0.0.0/24:*', '0.0.0.255', 80, 'reject'],
      ['E5', 'reject 0.0.0.0/24:*', '0.0.1.0', 80, 'accept'],
      ['E6', 'reject [FE80::202:B3FF:FE1E:8329]/112:*', 'FE80::202:B3FF:FE1E:0', 80, 'reject'],
      ['E6', 'reject [FE80::202:B3FF:FE1E:8329]/112:*', 'FE80::202:B3FF:FE1F:8329', 80, 'accept'],
      ['E7', 'reject *:80-85', '9.9.9.9', 80, 'reject'],
      ['E7', 'reject *:80-85', '9.9.9.9', 85, 'reject'],
      ['E7', 'reject *:80-85', '9.9.9.9', 79, 'accept'],
      ['E7', 'reject *:80-85', '9.9.9.9', 86, 'accept'],
      ['E8', 'reject 255.255.255.255/0:*', '192.168.0.1', 80, 'reject'],
      ['E8', 'reject 255.255.255.255/0:*', 'FE80::202:B3FF:FE1E:8329', 80, 'accept'],
      ['E9', 'reject *4:*', '192.168.0.1', 80, 'reject'],
      ['E9', 'reject *6:*', '192.168.0.1', 80, 'accept'],
      ['E10', 'accept6 *:*, reject *:*', 'FE80::1', 443, 'accept'],
      ['E10', 'accept6 *:*, reject *:*', '192.168.0.1', 443, 'reject'],
      ['E11', 'C5', '5.6.7.8', 443, 'reject'],
      ['E12', 'C5', '5.7.0.1', 443, 'accept'],
      ['E13', 'C5', '8.8.8.8', 25, 'reject'],
      ['E14', 'C5', '8.8.8.8', 6667, 'accept'],
      ['E15', 'C5', '192.168.1.1', 80, 'reject'],
      ['E16', 'C5', '2001:db8::1', 443, 'reject'],
      ['E17', 'C6', '8.8.8.8', 80, 'accept'],
      ['E18', 'C6', '8.8.8.8', 22, 'reject'],
      ['E19', 'C6', '10.0.0.1', 80, 'reject'],
      ['E20', 'E20', '1.2.200.200', 80, 'reject'],
      ['E20', 'E20', '1.3.0.0', 80, 'accept'],
      ['E21', 'E20', '2001:db8::1', 443, 'accept'],
      ['E21', 'E20', '2001:db8::1', 25, 'reject'],
      ['E21', 'E20', 'fe80::1', 443, 'reject'],
      ['E22', 'C9', '5.6.1.1', 22, 'accept'],
      ['E22', 'C9', '5.6.1.1', 80, 'reject'],
      ['E22', 'C9', '6.0.0.1', 22, 'accept'],
      ['E23', 'E23', '8.8.8.8', 443, 'accept'],
      ['E23', 'E23', '8.8.8.8', 25, 'reject'],
      ['E23', 'E23', '8.8.8.8', 18081, 'accept'],
      ['E23', 'E23', '8.8.8.8', 6667, 'accept'],
      ['E24', 'E24', '1.2.3.4', 80, 'reject'],
      ['mapped IPv6 is not IPv4', 'reject 1.2.3.4:*', '::ffff:1.2.3.4', 80, 'accept'],
    ] as const)('%s: %s, probe %s:%d', (_id, name, address, port, verdict) => {
      const policy = NAMED[name] ?? fragment(name);
      expect(evaluatePolicy(policy, address, port).verdict).toBe(verdict);
      expect(indexPolicy(policy).evaluate(address, port).verdict).toBe(verdict);
    });

    test('names the deciding rule and its position; none when falling through', () => {
      const v = evaluatePolicy(C5, '5.6.7.8', 443);
      expect(v.rule?.origin).toMatchObject({ kind: 'config', item: 'reject 5.6.0.0/16:*' });
      expect(C5.rules[v.index]).toBe(v.rule);
      expect(evaluatePolicy(fragment('reject 192.168.0.0/16:*'), '1.2.3.4', 2)).toEqual({ verdict: 'accept', rule: undefined, index: -1 });
    });

    test.each([
      ['01.2.3.4', 80, 'POLICY_BAD_ADDRESS'],
      ['example.com', 80, 'POLICY_BAD_ADDRESS'],
      ['1.2.3.4', 0, 'POLICY_BAD_PORT'],
      ['1.2.3.4', 65536, 'POLICY_BAD_PORT'],
      ['1.2.3.4', 1.5, 'POLICY_BAD_PORT'],
    ])('refuses the probe %s:%d', (address, port, code) => {
      expect(() => evaluatePolicy(C5, address, port)).toThrow(expect.objectContaining({ code }));
    });

    test('accepts a bracketed IPv6 probe', () => {
      expect(parseProbeAddress('[2001:db8::1]')).toEqual({ family: 6, address: 0x20010db8000000000000000000000001n });
    });
  });

  describe('#compareToPolicy', () => {
    test.each([
      ['E3', 'reject 192.168.0.0/16:*', undefined, 2, 'probably-accepted'],
      ['E25', 'reject 1.0.0.0/8:80, accept *:*', undefined, 80, 'probably-accepted'],
      ['unknown address, /0 reject', 'reject *:80, accept *:*', undefined, 80, 'rejected'],
      ['unknown address, accept then /0 reject', 'accept 1.2.3.0/24:80, reject *:*', undefined, 80, 'probably-rejected'],
      ['unknown port, all-ports reject', 'reject 1.2.3.0/24:*, accept *:*', '1.2.3.4', undefined, 'rejected'],
      ['unknown port, port reject first', 'reject *:25, accept *:*', '1.2.3.4', undefined, 'probably-accepted'],
      ['unknown port, port accept first', 'accept *:80, reject *:*', '1.2.3.4', undefined, 'probably-rejected'],
      ['both unknown', 'accept *:*', undefined, undefined, 'rejected'],
      ['both known', 'reject *:25, accept *:*', '1.2.3.4', 25, 'rejected'],
    ] as const)('%s', (_id, value, address, port, expected) => {
      const target = { address: address === undefined ? undefined : parseProbeAddress(address), port };
      expect(compareToPolicy(fragment(value), target)).toBe(expected);
    });
  });

  describe('#portVerdicts', () => {
    test('lists the whole port space with the deciding rules', () => {
      const ranges = portVerdicts(C6, '8.8.8.8').map((r) => [r.portMin, r.portMax, r.verdict, r.rule?.origin.kind]);
      expect(ranges).toEqual([
        [1, 79, 'reject', 'config'],
        [80, 80, 'accept', 'config'],
        [81, 442, 'reject', 'config'],
        [443, 443, 'accept', 'config'],
        [444, 65535, 'reject', 'config'],
      ]);
      expect(portVerdicts(C6, '10.0.0.1')).toMatchObject([{ portMin: 1, portMax: 65535, verdict: 'reject', rule: { origin: { kind: 'reject-private' } } }]);
    });

    test('agrees with first match at every range boundary (property)', () => {
      fc.assert(
        fc.property(policyArb(20), probeArb, (policy, probe) => {
          const ranges = portVerdicts(policy, { family: probe.family, address: probe.address });
          expect(ranges[0]?.portMin).toBe(1);
          expect(ranges.at(-1)?.portMax).toBe(65535);
          for (const r of ranges) {
            for (const port of [r.portMin, r.portMax, (r.portMin + r.portMax) >> 1]) {
              const v = firstMatch(policy, probe.family, probe.address, port);
              expect([r.verdict, r.index]).toEqual([v.verdict, v.index]);
            }
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('PolicyIndex', () => {
    test('gives the same verdict and rule as a linear scan (property)', () => {
      fc.assert(
        fc.property(policyArb(40), fc.array(probeArb, { maxLength: 40 }), (policy, random) => {
          const index = indexPolicy(policy);
          for (const p of boundaryProbes(policy, random)) {
            const expected = firstMatch(policy, p.family, p.address, p.port);
            expect(index.verdict(p.family, p.address, p.port)).toEqual(expected);
            if (p.family === 4) expect(index.verdictIPv4(Number(p.address), p.port)).toBe(expected.verdict);
          }
        }),
        { numRuns: 1500 },
      );
    });

    test('answers at least a million IPv4 verdicts a second on a 10,000-rule policy', () => {
      const blocks = Array.from({ length: 10_000 }, (_, k) => {
        const a = 1 + ((k * 7919) % 220);
        const b = (k * 104729) % 256;
        const bits = [16, 20, 24, 28, 32][k % 5];
        return `reject ${a}.${b}.${k % 256}.0/${bits}:*`;
      });
      const policy = effective(`ExitPolicy ${blocks.join(',')}`);
      const index = indexPolicy(policy);
      const probes = Array.from({ length: 200_000 }, (_, k) => [((k * 2654435761) >>> 0), 1 + ((k * 40503) % 65535)] as const);
      let accepted = 0;
      const start = performance.now();
      for (let round = 0; round < 10; round++) {
        for (const [address, port] of probes) if (index.verdictIPv4(address, port) === 'accept') accepted++;
      }
      const perSecond = (probes.length * 10) / ((performance.now() - start) / 1000);
      expect(accepted).toBeGreaterThan(0);
      // Spot-check correctness on a sample.
      for (const [address, port] of probes.slice(0, 2000)) {
        expect(index.verdictIPv4(address, port)).toBe(firstMatch(policy.rules, 4, BigInt(address), port).verdict);
      }
      expect(perSecond).toBeGreaterThan(1_000_000);
      // Building 10,000-rule policies is slow on a loaded machine; only the measured part
      // has a time budget, hence the generous test timeout.
    }, 60_000);

    test('reads IPv4 text the same way as the linear scan', () => {
      expect(parseIPv4('5.6.7.8')).toBe(0x05060708n);
      expect(indexPolicy(C5).evaluate('5.6.7.8', 443)).toEqual(evaluatePolicy(C5, '5.6.7.8', 443));
    });

    test('reads address text of every form as the linear scan does (property)', () => {
      const forms = ['tor', 'rfc5952', 'full', 'brackets', 'blanks', 'upper'] as const;
      fc.assert(
        fc.property(policyArb(30), fc.array(fc.tuple(probeArb, fc.constantFrom(...forms)), { maxLength: 30 }), (policy, probes) => {
          const index = indexPolicy(policy);
          for (const [p, form] of probes) {
            const tor = formatAddress(p.family, p.address);
            const text =
              p.family === 4 ? (form === 'blanks' ? ` ${tor}\t` : tor)
              : form === 'rfc5952' ? Address6.fromBigInt(p.address).correctForm()
              : form === 'full' ? Address6.fromBigInt(p.address).canonicalForm()
              : form === 'brackets' ? `[${tor}]`
              : form === 'blanks' ? ` ${tor} `
              : form === 'upper' ? tor.toUpperCase()
              : tor;
            expect(index.evaluate(text, p.port)).toEqual(evaluatePolicy(policy, text, p.port));
          }
        }),
        { numRuns: 300 },
      );
    });

    test.each([
      ['01.2.3.4', 80, 'POLICY_BAD_ADDRESS'],
      ['[1.2.3.4]', 80, 'POLICY_BAD_ADDRESS'],
      ['2001:db8::1::', 80, 'POLICY_BAD_ADDRESS'],
      ['[2001:db8::1', 80, 'POLICY_BAD_ADDRESS'],
      ['1.2.3.4', 0, 'POLICY_BAD_PORT'],
      ['2001:db8::1', 65536, 'POLICY_BAD_PORT'],
    ])('refuses the probe %s:%d as evaluatePolicy does', (address, port, code) => {
      expect(() => indexPolicy(C5).evaluate(address, port)).toThrow(expect.objectContaining({ code }));
    });

    test('finds the deciding rule along a chain of nested prefixes of every length (property)', () => {
      // One rule per prefix length along one address, in random order: the walk up from
      // the innermost prefix has to stop at the right ancestor.
      const chainArb = (family: Family) => {
        const total = family === 4 ? 32 : 128;
        return fc
          .tuple(
            fc.bigInt({ min: 0n, max: (1n << BigInt(total)) - 1n }),
            fc.shuffledSubarray(Array.from({ length: total + 1 }, (_, k) => k), { minLength: 1 }),
            fc.array(fc.tuple(fc.boolean(), fc.constantFrom(1, 80, 443, 1024), fc.constantFrom(80, 443, 1024, 65535)), { minLength: total + 1, maxLength: total + 1 }),
          )
          .map(([address, lengths, shapes]) => ({
            address,
            rules: lengths.map((bits, k) => {
              const [accept, a, b] = shapes[k] as [boolean, number, number];
              return Rule.create({ action: accept ? 'accept' : 'reject', family, address, maskBits: bits, portMin: Math.min(a, b), portMax: Math.max(a, b), origin: { kind: 'default-policy' } });
            }),
          }));
      };
      fc.assert(
        fc.property(fc.oneof(chainArb(4), chainArb(6)), fc.array(fc.nat(), { maxLength: 20 }), ({ address, rules }, offsets) => {
          const index = indexPolicy(rules);
          const family = (rules[0] as Rule).family;
          const max = family === 4 ? 0xffff_ffffn : (1n << 128n) - 1n;
          for (const k of offsets) {
            const probe = (address ^ (1n << BigInt(k % (family === 4 ? 32 : 128)))) & max;
            for (const port of [1, 80, 443, 1024, 65535]) {
              expect(index.verdict(family, probe, port)).toEqual(firstMatch(rules, family, probe, port));
              expect(index.verdict(family, address, port)).toEqual(firstMatch(rules, family, address, port));
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    test('gives each interval of its prefix forest the port function of its addresses (property)', () => {
      fc.assert(
        fc.property(policyArb(30), (policy) => {
          const index = indexPolicy(policy);
          for (const family of [4, 6] as const) {
            const forest = index.forest(family);
            for (let i = 0; i < forest.intervals; i++) {
              const first = readWords(family, forest.bounds, i * forest.stride);
              const fn = index.nodePortFunction(family, forest.owner[i] as number);
              expect(index.portFunction(family, first)).toBe(fn);
              for (const seg of fn) {
                for (const port of [seg.portMin, seg.portMax]) expect(seg.index).toBe(firstMatch(policy, family, first, port).index);
              }
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    test('gives each interval its verdicts capped by a rule, whole chain or own prefix, as a linear scan (property)', () => {
      fc.assert(
        fc.property(policyArb(30), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), fc.nat(), (policy, p1, p2, pick) => {
          const index = indexPolicy(policy);
          const lo = Math.min(p1, p2);
          const hi = Math.max(p1, p2);
          const cap = policy.length === 0 || pick % 3 === 0 ? -1 : pick % policy.length;
          const list = new VerdictList();
          for (const family of [4, 6] as const) {
            const forest = index.forest(family);
            for (let i = 0; i < forest.intervals; i++) {
              const address = readWords(family, forest.bounds, i * forest.stride);
              const node = forest.owner[i] as number;
              for (const ownOnly of [false, true]) {
                index.nodeVerdicts(family, node, lo, hi, ownOnly, list, cap);
                const starts = Array.from(list.data.subarray(0, list.length)).filter((_, k) => k % 2 === 0);
                expect(starts[0]).toBe(lo);
                for (const port of portsToCheck(policy, lo, hi, starts)) {
                  const own = scan(policy, (k) => !ownOnly || forest.nodeOf[k] === node, family, address, port);
                  const best = cap >= 0 && (own < 0 || cap < own) ? cap : own;
                  const expected = best < 0 || (policy[best] as PolicyRule).action === 'accept' ? 1 : 0;
                  let at = 0;
                  while (at + 2 < list.length && (list.data[at + 2] as number) <= port) at += 2;
                  expect(list.data[at + 1]).toBe(expected);
                }
              }
            }
          }
        }),
        { numRuns: 200 },
      );
    });

    test('gives each interval the port function of its prefixes below the outermost, as a linear scan (property)', () => {
      fc.assert(
        fc.property(policyArb(30), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (policy, p1, p2) => {
          const index = indexPolicy(policy);
          const lo = Math.min(p1, p2);
          const hi = Math.max(p1, p2);
          for (const family of [4, 6] as const) {
            const forest = index.forest(family);
            for (let i = 0; i < forest.intervals; i++) {
              const address = readWords(family, forest.bounds, i * forest.stride);
              let top = forest.owner[i] as number;
              while (top >= 0 && (forest.parent[top] as number) >= 0) top = forest.parent[top] as number;
              const segments = index.nodeInnerSegments(family, forest.owner[i] as number, lo, hi);
              expect(segments[0]?.portMin).toBe(lo);
              expect(segments[segments.length - 1]?.portMax).toBe(hi);
              segments.forEach((seg, k) => {
                if (k > 0) expect(seg.portMin).toBe((segments[k - 1]?.portMax as number) + 1);
              });
              const starts = segments.map((seg) => seg.portMin);
              for (const port of portsToCheck(policy, lo, hi, starts)) {
                const seg = segments.find((x) => x.portMin <= port && port <= x.portMax);
                expect(seg?.index).toBe(scan(policy, (k) => forest.nodeOf[k] !== top, family, address, port));
              }
            }
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
