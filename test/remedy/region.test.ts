import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalCidr, networkAddress } from '../../src/net/cidr.js';
import { diffPolicies } from '../../src/policy/diff.js';
import { firstMatch } from '../../src/policy/evaluate.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import {
  acceptedPorts,
  acceptedWithin,
  changeOutside,
  complementRanges,
  intersectRanges,
  mergeRanges,
  parseCanonicalCidr,
  regionRules,
  ruleRegion,
  rulesWithin,
  subtractRanges,
  type TargetRegion,
} from '../../src/remedy/region.js';
import type { PolicyRule } from '../../src/types.js';
import { boundaryProbes, policyArb, probeArb, ruleArb } from '../policy/arbitraries.js';

const rules = (text: string) => parsePolicyValue(text).rules;

// Regions drawn from the same pools of networks and ports as the policies, so that they
// overlap the rules in every way (inside, around, beside).
const regionArb: fc.Arbitrary<TargetRegion> = fc
  .array(ruleArb(), { minLength: 1, maxLength: 3 })
  .map((picked) => {
    const family = (picked[0] as PolicyRule).family;
    const same = picked.filter((r) => r.family === family);
    return {
      family,
      cidrs: same.map((r) => canonicalCidr(family, networkAddress(family, r.address, r.maskBits), r.maskBits)),
      ports: same.map((r) => [r.portMin, r.portMax] as const),
    };
  });

const inRegion = (region: TargetRegion, p: { family: 4 | 6; address: bigint; port: number }): boolean =>
  region.family === p.family &&
  region.ports.some(([min, max]) => p.port >= min && p.port <= max) &&
  region.cidrs.some((cidr) => {
    const { address, bits } = parseCanonicalCidr(cidr);
    return networkAddress(p.family, p.address, bits) === address;
  });

describe('remedy/region', () => {
  describe('#parseCanonicalCidr', () => {
    test.each([
      ['203.0.113.0/24', { family: 4, address: 0xcb007100n, bits: 24 }],
      ['2001:db8::/32', { family: 6, address: 0x20010db8n << 96n, bits: 32 }],
      ['198.51.100.7', { family: 4, address: 0xc6336407n, bits: 32 }],
    ])('reads %s', (text, expected) => {
      expect(parseCanonicalCidr(text)).toEqual(expected);
    });

    test.each(['203.0.113.0/33', 'nope/8', '2001:db8::/129'])('throws on %s', (text) => {
      expect(() => parseCanonicalCidr(text)).toThrow(RangeError);
    });
  });

  describe('#regionRules', () => {
    test('makes one rule per block and port range', () => {
      const made = regionRules([{ family: 4, cidrs: ['203.0.113.0/24', '198.51.100.0/24'], ports: [[80, 80], [443, 443]] }], 'reject');
      expect(made.map((r) => [r.maskBits, r.portMin, r.portMax])).toEqual([[24, 80, 80], [24, 443, 443], [24, 80, 80], [24, 443, 443]]);
    });
  });

  describe('#rulesWithin', () => {
    const policy = rules('reject 203.0.113.0/25:*, accept 198.51.100.0/24:80, reject 203.0.112.0/20:443, accept *:80, reject6 [2001:db8::]/32:*, reject *:*');

    test.each([
      ['a /24 on every port', { family: 4, cidrs: ['203.0.113.0/24'], ports: [[1, 65535]] }, ['reject 203.0.113.0/25:*', 'reject 203.0.112.0/20:443', 'accept *:80', 'reject *:*']],
      ['a /24 on port 80', { family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80]] }, ['reject 203.0.113.0/25:*', 'accept *:80', 'reject *:*']],
      ['a host beside every prefix', { family: 4, cidrs: ['192.0.2.7/32'], ports: [[1, 65535]] }, ['accept *:80', 'reject *:*']],
      ['IPv6 (`*` is both families)', { family: 6, cidrs: ['2001:db8:1::/48'], ports: [[1, 65535]] }, ['accept *:80', 'reject6 [2001:db8::]/32:*', 'reject *:*']],
    ] as const)('keeps the rules that reach %s, in order', (_, region, kept) => {
      expect(rulesWithin(policy, [region]).map((r) => r.origin.kind === 'config' && r.origin.item)).toEqual(kept);
    });

    test('keeps nothing for no region, and everything of a family for its /0', () => {
      expect(rulesWithin(policy, [])).toEqual([]);
      expect(rulesWithin(policy, [{ family: 4, cidrs: ['0.0.0.0/0'], ports: [[1, 65535]] }])).toEqual(policy.filter((r) => r.family === 4));
    });

    test('throws on a block of the other family', () => {
      expect(() => rulesWithin(policy, [{ family: 4, cidrs: ['2001:db8::/32'], ports: [[1, 65535]] }])).toThrow(RangeError);
    });

    test('decides every address and port of the regions as the whole policy does', () => {
      fc.assert(
        fc.property(policyArb(), fc.array(regionArb, { minLength: 1, maxLength: 2 }), fc.array(probeArb, { maxLength: 20 }), (all, regions, random) => {
          const within = rulesWithin(all, regions);
          for (const p of boundaryProbes([...all, ...regions.flatMap((r) => regionRules([r], 'reject'))], random)) {
            if (!regions.some((r) => inRegion(r, p))) continue;
            expect(firstMatch(within, p.family, p.address, p.port).verdict).toBe(firstMatch(all, p.family, p.address, p.port).verdict);
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('#ruleRegion', () => {
    test('is the network of the rule (host bits cleared) on its ports', () => {
      const [rule] = rules('reject 203.0.113.77/24:80-81');
      expect(ruleRegion(rule as PolicyRule)).toEqual({ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 81]] });
    });
  });

  describe('#acceptedWithin', () => {
    test('is the change made by putting the regions\' rejects in front of the whole policy', () => {
      fc.assert(
        fc.property(policyArb(), fc.array(regionArb, { minLength: 1, maxLength: 2 }), (all, regions) => {
          expect(acceptedWithin(all, regions)).toEqual(diffPolicies(all, [...regionRules(regions, 'reject'), ...all]));
        }),
        { numRuns: 300 },
      );
    });

    test('is the part of a region a policy accepts', () => {
      const change = acceptedWithin(rules('reject 203.0.113.0/25:*, accept *:80, reject *:*'), [
        { family: 4, cidrs: ['203.0.113.0/24'], ports: [[1, 65535]] },
      ]);
      expect(change.changes).toEqual([{ family: 4, cidrs: ['203.0.113.128/25'], ports: [[80, 80]], before: 'accept', after: 'reject' }]);
    });
  });

  describe('#changeOutside', () => {
    test('is empty when the change is inside the allowed region', () => {
      const change = { changes: [{ family: 4 as const, cidrs: ['203.0.113.128/25'], ports: [[80, 80] as const], before: 'accept' as const, after: 'reject' as const }] };
      expect(changeOutside(change, [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[1, 65535]] }]).changes).toEqual([]);
      expect(changeOutside(change, [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[443, 443]] }]).changes).toHaveLength(1);
      expect(changeOutside(change, [{ family: 6, cidrs: ['::/0'], ports: [[1, 65535]] }]).changes).toHaveLength(1);
    });
  });

  describe('#acceptedPorts', () => {
    test('lists the ports some address is accepted on', () => {
      expect(acceptedPorts(rules('accept 1.2.3.4:22, accept *:80, reject *:*'), 4)).toEqual([[22, 22], [80, 80]]);
      expect(acceptedPorts(rules('accept *:80, reject *:*'), 6)).toEqual([[80, 80]]);
      expect(acceptedPorts(rules('reject *:*'), 4)).toEqual([]);
    });
  });

  describe('port range sets', () => {
    test.each([
      [[[80, 80], [81, 90], [1, 10]], [[1, 10], [80, 90]]],
      [[[5, 10], [1, 6]], [[1, 10]]],
    ] as const)('mergeRanges(%j) is %j', (input, output) => {
      expect(mergeRanges(input)).toEqual(output);
    });

    test('intersect, complement and subtract', () => {
      expect(intersectRanges([[1, 100]], [[50, 60], [90, 200]])).toEqual([[50, 60], [90, 100]]);
      expect(complementRanges([[1, 10], [65535, 65535]])).toEqual([[11, 65534]]);
      expect(complementRanges([])).toEqual([[1, 65535]]);
      expect(subtractRanges([[20, 30]], [[25, 25]])).toEqual([[20, 24], [26, 30]]);
    });
  });
});
