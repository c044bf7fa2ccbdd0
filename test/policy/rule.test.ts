import { describe, expect, test } from 'vitest';
import { parsePolicyItem } from '../../src/policy/parse.js';
import { isPrivateNet, PRIVATE_NETS, Rule, ruleCovers, rulesIntersect } from '../../src/policy/rule.js';

const one = (item: string): Rule => {
  const [rule] = parsePolicyItem(item).rules;
  if (!rule) throw new Error(item);
  return rule;
};

describe('policy/rule', () => {
  describe('Rule.create', () => {
    const base = { action: 'reject', family: 4, address: 0n, maskBits: 0, portMin: 1, portMax: 65535, origin: { kind: 'default-policy' } } as const;
    test.each([
      { maskBits: 33 },
      { maskBits: -1 },
      { address: 1n << 32n },
      { address: -1n },
      { portMin: 0 },
      { portMax: 65536 },
      { portMin: 10, portMax: 5 },
    ])('refuses %o', (change) => {
      expect(() => Rule.create({ ...base, ...change })).toThrow(RangeError);
    });

    test('makes frozen values', () => {
      const r = Rule.create(base);
      expect(Object.isFrozen(r)).toBe(true);
      expect(r.with({ portMin: 80, portMax: 80 }).portMin).toBe(80);
      expect(r.portMin).toBe(1);
    });
  });

  describe('predicates', () => {
    test.each([
      ['accept *4:*', { wildcardAddress: true, wildcardPorts: true, catchAll: true, host: false }],
      ['reject 1.2.3.4:80', { wildcardAddress: false, wildcardPorts: false, catchAll: false, host: true }],
      ['reject 1.2.3.0/24:*', { wildcardAddress: false, wildcardPorts: true, catchAll: false, host: false }],
      ['reject *6:1-65535', { wildcardAddress: true, wildcardPorts: true, catchAll: true, host: false }],
      ['reject *4:2-65535', { wildcardAddress: true, wildcardPorts: false, catchAll: false, host: false }],
    ])('%j', (item, expected) => {
      const r = one(item);
      expect({
        wildcardAddress: r.isAddressWildcard(),
        wildcardPorts: r.isPortWildcard(),
        catchAll: r.isCatchAll(),
        host: r.isHost(),
      }).toEqual(expected);
    });

    test('network and last address ignore host bits', () => {
      const r = one('reject 1.2.3.4/16:*');
      expect(r.network()).toBe(0x01020000n);
      expect(r.last()).toBe(0x0102ffffn);
      expect(r.matches(4, 0x0102c8c8n, 80)).toBe(true);
      expect(r.matches(4, 0x01030000n, 80)).toBe(false);
      expect(r.matches(6, 0x0102c8c8n, 80)).toBe(false);
    });

    test('isPrivateNet is exact: same address and mask', () => {
      expect(PRIVATE_NETS).toHaveLength(12);
      expect(one('reject 10.0.0.0/8:*').isPrivateNet()).toBe(true);
      expect(isPrivateNet(one('reject 10.0.0.0/9:*'))).toBe(false);
      expect(isPrivateNet(one('reject 10.0.0.1/8:*'))).toBe(false);
      expect(isPrivateNet(one('reject [::]/127:*'))).toBe(true);
    });
  });

  describe('#ruleCovers / #rulesIntersect', () => {
    test.each([
      ['reject 1.2.3.0/24:*', 'accept 1.2.3.4:80', true, true],
      ['accept 1.2.3.4:80', 'reject 1.2.3.0/24:*', false, true],
      ['reject *4:80', 'reject *4:80', true, true],
      ['reject *4:80', 'reject *4:81', false, false],
      ['reject *4:*', 'reject *6:*', false, false],
      ['reject 1.2.3.4/16:*', 'reject 1.2.200.1:443', true, true],
      ['reject 1.2.0.0/16:1-100', 'reject 1.2.3.0/24:50-200', false, true],
      ['reject 1.2.0.0/16:*', 'reject 1.3.0.0/16:*', false, false],
    ])('%j vs %j: covers %s, intersects %s', (a, b, covers, intersects) => {
      expect(ruleCovers(one(a), one(b))).toBe(covers);
      expect(one(a).covers(one(b))).toBe(covers);
      expect(rulesIntersect(one(a), one(b))).toBe(intersects);
      expect(one(b).intersects(one(a))).toBe(intersects);
    });
  });
});
