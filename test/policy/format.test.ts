import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { networkAddress } from '../../src/net/cidr.js';
import { formatPolicyItem, formatRule, formatTorPolicy } from '../../src/policy/format.js';
import { parsePolicyItem, parsePolicyValue } from '../../src/policy/parse.js';
import { Rule } from '../../src/policy/rule.js';
import { ruleArb } from './arbitraries.js';

const one = (item: string): Rule => {
  const [rule] = parsePolicyItem(item).rules;
  if (!rule) throw new Error(item);
  return rule;
};

describe('policy/format', () => {
  describe('#formatRule', () => {
    // Lines as tor 0.4.9.11 prints them in GETINFO exit-policy/full (observed).
    test.each([
      ['reject 1.2.3.4/16:*', 'reject 1.2.3.4/16:*'],
      ['reject 1.2.3.4/32:80', 'reject 1.2.3.4:80'],
      ['reject 1.2.3.4/0:*', 'reject *:*'],
      ['reject 1.2.3.4:80-90', 'reject 1.2.3.4:80-90'],
      ['reject 1.2.3.4:1-65535', 'reject 1.2.3.4:*'],
      ['reject 1.2.3.4:65535-65535', 'reject 1.2.3.4:65535'],
      ['reject 1.2.3.4:1-1', 'reject 1.2.3.4:1'],
      ['accept6 *:*', 'accept6 *:*'],
      ['reject6 [2001:DB8::]/32:443', 'reject6 [2001:db8::]/32:443'],
      ['reject [2001:db8::1]/128:*', 'reject6 [2001:db8::1]:*'],
      ['reject [::ffff:1.2.3.4]/128:*', 'reject6 [::ffff:1.2.3.4]/96:*'],
      ['reject [0:0:0:0:0:ffff:102:304]:*', 'reject6 [::ffff:1.2.3.4]:*'],
      ['reject [1:0:0:2:0:0:0:3]:*', 'reject6 [1:0:0:2::3]:*'],
      ['reject [1:0:0:2:0:0:3:4]:*', 'reject6 [1::2:0:0:3:4]:*'],
      ['reject [0:1:0:0:0:0:0:0]:*', 'reject6 [0:1::]:*'],
      ['reject6 [::]/8:*', 'reject6 [::]/8:*'],
      ['accept *4:*', 'accept *:*'],
    ])('%j prints as %j', (item, line) => {
      expect(formatRule(one(item))).toBe(line);
    });
  });

  describe('#formatTorPolicy', () => {
    test('prints the single line reject *:* when both families reject everything', () => {
      expect(formatTorPolicy(parsePolicyValue('reject *:*').rules)).toEqual(['reject *:*']);
      expect(formatTorPolicy(parsePolicyValue('reject 1.2.3.4:*, reject *:*').rules)).toEqual(['reject *:*']);
      expect(formatTorPolicy([])).toEqual(['reject *:*']);
    });

    test('prints every rule otherwise, accept/reject lines being IPv4 only', () => {
      expect(formatTorPolicy(parsePolicyValue('reject *4:*, accept6 *:80').rules)).toEqual(['reject *:*', 'accept6 *:80']);
      expect(formatTorPolicy(parsePolicyValue('accept *:80, reject *:*').rules)).toEqual([
        'accept *:80',
        'accept6 *:80',
        'reject *:*',
        'reject6 *:*',
      ]);
    });
  });

  describe('#formatPolicyItem', () => {
    test.each([
      ['reject 192.0.2.0/24:*', 'reject 192.0.2.0/24:*'],
      ['reject 1.2.3.4/16:*', 'reject 1.2.0.0/16:*'],
      ['reject 192.0.2.1:80', 'reject 192.0.2.1:80'],
      ['reject *4:25', 'reject *4:25'],
      ['reject6 *:*', 'reject6 *:*'],
      ['accept [2001:db8::]/32:80-443', 'accept6 [2001:db8::]/32:80-443'],
      ['reject6 [2001:db8::1]:*', 'reject6 [2001:db8::1]:*'],
    ])('%j is written as %j', (item, text) => {
      expect(formatPolicyItem(one(item))).toBe(text);
    });

    test('reads back as the same rule, network address and all (property)', () => {
      fc.assert(
        fc.property(ruleArb([4, 6]), (rule) => {
          const text = formatPolicyItem(rule);
          const parsed = parsePolicyItem(text);
          expect(parsed.error).toBeUndefined();
          expect(parsed.warnings).toEqual([]);
          expect(parsed.rules).toHaveLength(1);
          const back = parsed.rules[0]!;
          expect([back.action, back.family, back.address, back.maskBits, back.portMin, back.portMax]).toEqual([
            rule.action,
            rule.family,
            networkAddress(rule.family, rule.address, rule.maskBits),
            rule.maskBits,
            rule.portMin,
            rule.portMax,
          ]);
        }),
        { numRuns: 3000 },
      );
    });
  });
});
