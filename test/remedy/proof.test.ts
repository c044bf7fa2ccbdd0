import { describe, expect, test } from 'vitest';
import { diffPolicies } from '../../src/policy/diff.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import { describeRegion, requireChange, requireDirection, requireValidCandidate, requireVerdicts, requireWithin } from '../../src/remedy/proof.js';
import type { VerdictChange } from '../../src/types.js';
import { load } from './helpers.js';

const rules = (text: string) => parsePolicyValue(text).rules;
const policy = (text: string) => ({ rules: rules(text), removed: [], notExit: undefined, ipv6Exit: false, rejectStar: false });
const goal = [{ family: 4 as const, cidrs: ['203.0.113.0/24'], ports: [[1, 65535] as const] }];

describe('remedy/proof', () => {
  describe('#requireVerdicts', () => {
    const expected = rules('reject 203.0.113.0/24:*, accept *:80, reject *:*');

    test('passes when the candidate gives exactly the expected verdicts', () => {
      expect(() => requireVerdicts(expected, policy('reject 203.0.113.0/25:*, reject 203.0.113.128/25:*, accept *:80, reject *:*'), 'block', 'why', goal)).not.toThrow();
    });

    test('is not effective when the goal region is still accepted somewhere', () => {
      expect(() => requireVerdicts(expected, policy('accept *:80, reject 203.0.113.0/24:*, reject *:*'), 'block', 'why', goal)).toThrow(
        expect.objectContaining({
          code: 'REMEDY_NOT_EFFECTIVE',
          regions: { changes: [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80]], before: 'reject', after: 'accept' }] },
        }),
      );
    });

    test('is an unintended change when anything outside the goal differs', () => {
      expect(() => requireVerdicts(expected, policy('reject 203.0.113.0/24:*, accept *:80, accept *:443, reject *:*'), 'block', 'why', goal)).toThrow(
        expect.objectContaining({ code: 'REMEDY_UNINTENDED_CHANGE' }),
      );
      expect(() => requireVerdicts(expected, policy('reject 203.0.113.0/23:*, accept *:80, reject *:*'), 'block', 'why', goal)).toThrow(
        expect.objectContaining({ code: 'REMEDY_UNINTENDED_CHANGE' }),
      );
    });
  });

  describe('#requireChange', () => {
    const now = rules('accept *:80, reject *:*');
    const expected = rules('reject 203.0.113.0/24:*, accept *:80, reject *:*');
    const expectedChange = diffPolicies(now, expected);

    test.each([
      ['the expected rules', 'reject 203.0.113.0/24:*, accept *:80, reject *:*'],
      ['other rules with the same verdicts', 'reject 203.0.113.0/25:80, reject 203.0.113.128/25:*, accept *:80, reject *:*'],
    ])('passes for a candidate with %s', (_, candidate) => {
      const after = policy(candidate);
      expect(() => requireChange(diffPolicies(now, after.rules), expectedChange, expected, after, 'block', 'why', goal)).not.toThrow();
    });

    test.each([
      ['REMEDY_NOT_EFFECTIVE', 'reject 203.0.113.0/25:*, accept *:80, reject *:*'],
      ['REMEDY_UNINTENDED_CHANGE', 'reject 203.0.112.0/23:*, accept *:80, reject *:*'],
      ['REMEDY_UNINTENDED_CHANGE', 'reject 203.0.113.0/24:*, accept *:80, accept *:443, reject *:*'],
    ])('refuses with %s a candidate %s', (code, candidate) => {
      const after = policy(candidate);
      expect(() => requireChange(diffPolicies(now, after.rules), expectedChange, expected, after, 'block', 'why', goal)).toThrow(
        expect.objectContaining({ code }),
      );
    });

    test('takes equal descriptions as proof, and compares the policies when they differ', () => {
      const after = policy('reject 203.0.113.0/24:*, accept *:80, reject *:*');
      // A description that only says the same in other words still passes (through the comparison).
      const reworded = { changes: [{ ...(expectedChange.changes[0] as VerdictChange), cidrs: ['203.0.113.0/25', '203.0.113.128/25'] }] };
      expect(() => requireChange(reworded, expectedChange, expected, after, 'block', 'why', goal)).not.toThrow();
      // An equal description is taken as it is, without looking at the policies.
      expect(() => requireChange(expectedChange, expectedChange, expected, policy('accept *:*'), 'block', 'why', goal)).not.toThrow();
    });
  });

  describe('#requireDirection', () => {
    const change = diffPolicies(rules('accept *:*'), rules('reject 203.0.113.0/24:*, accept *:*'));
    test('accepts only changes in the given direction', () => {
      expect(() => requireDirection(change, 'tighten', 'block')).not.toThrow();
      expect(() => requireDirection(change, 'loosen', 'unblock')).toThrow(expect.objectContaining({ code: 'REMEDY_UNINTENDED_CHANGE' }));
    });
  });

  describe('#requireWithin', () => {
    const change = diffPolicies(rules('reject 203.0.113.0/24:*, accept *:*'), rules('accept *:*'));
    test('accepts a change inside the allowed region only', () => {
      expect(() => requireWithin(change, goal, 'unblock')).not.toThrow();
      expect(() => requireWithin(change, [{ family: 4, cidrs: ['203.0.113.0/25'], ports: [[1, 65535]] }], 'unblock')).toThrow(
        expect.objectContaining({ code: 'REMEDY_UNINTENDED_CHANGE', regions: { changes: [expect.objectContaining({ family: 4, cidrs: ['203.0.113.128/25'] })] } }),
      );
    });
  });

  describe('#requireValidCandidate', () => {
    test('returns the policy of a valid candidate and refuses an invalid one with Tor\'s errors', () => {
      expect(requireValidCandidate(load({ torrc: 'ExitPolicy accept *:*\n' }), 'block').rules.length).toBeGreaterThan(0);
      expect(() => requireValidCandidate(load({ torrc: 'ExitPolicy accept *:0\n' }), 'block')).toThrow(
        expect.objectContaining({ code: 'REMEDY_CANDIDATE_INVALID', location: { file: '/etc/tor/torrc', line: 1 }, details: [expect.objectContaining({ code: 'POLICY_BAD_PORT' })] }),
      );
    });
  });

  describe('#describeRegion', () => {
    test('names addresses and ports, shortening long lists', () => {
      expect(describeRegion({ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]] })).toBe('203.0.113.0/24 on ports 80 and 443');
      const many = Array.from({ length: 10 }, (_, i) => `198.51.${i}.0/24`);
      expect(describeRegion({ family: 4, cidrs: many, ports: [[1, 65535]] })).toBe('10 IPv4 ranges (198.51.0.0/24, 198.51.1.0/24, 198.51.2.0/24, …) on all ports');
    });
  });
});
