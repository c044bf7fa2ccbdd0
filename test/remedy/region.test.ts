import { describe, expect, test } from 'vitest';
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
  subtractRanges,
} from '../../src/remedy/region.js';

const rules = (text: string) => parsePolicyValue(text).rules;

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

  describe('#acceptedWithin', () => {
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
