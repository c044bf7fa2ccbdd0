import { describe, expect, test } from 'vitest';
import { buildEffectivePolicy } from '../../src/policy/effective.js';
import { defaultPolicyInputs, type OptionSetting } from '../../src/policy/inputs.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import { isGeneralExit, policySummary } from '../../src/policy/summary.js';
import type { EffectivePolicy } from '../../src/types.js';
import { policyLine } from './config-view.js';

const set = <T>(value: T): OptionSetting<T> => ({ value, location: undefined, source: 'config' });

// Like tor's test_policy_summary_helper(): the same summary under every combination of
// IPv6Exit, ExitPolicyRejectPrivate and the appended suffix (default, reduced, none).
function variants(value: string, ipv6: boolean): EffectivePolicy[] {
  const out: EffectivePolicy[] = [];
  for (const rejectPrivate of [false, true]) {
    for (const suffix of ['default', 'reduced', 'none'] as const) {
      out.push(
        buildEffectivePolicy(
          defaultPolicyInputs({
            exitRelay: set<0 | 1 | 'auto'>(1),
            exitPolicy: [policyLine(value)],
            ipv6Exit: set(ipv6),
            rejectPrivate: set(rejectPrivate),
            reducedExitPolicy: set(suffix === 'reduced'),
            bridgeRelay: set(suffix === 'none'),
          }),
        ),
      );
    }
  }
  return out;
}

function expectSummary(value: string, ipv4: string, ipv6: string = ipv4): void {
  for (const p of [...variants(value, false), ...variants(value, true)]) expect(policySummary(p, 4)).toBe(ipv4);
  for (const p of variants(value, true)) expect(policySummary(p, 6)).toBe(ipv6);
}

const DEFAULT_SUMMARY = 'reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999';

describe('policy/summary', () => {
  describe('#policySummary', () => {
    // §7.5 of the fact sheet; S1–S13 are tor's test_policy.c vectors.
    test.each([
      ['S1', 'reject 192.168.0.0/16:*, reject 0.0.0.0/8:*, reject 10.0.0.0/8:*, accept *:10-30, accept *:90, reject *:*', 'accept 10-30,90'],
      ['S2', 'reject 11.0.0.0/9:80, reject 12.0.0.0/9:80, reject 13.0.0.0/9:80, reject 14.0.0.0/9:80, accept *:*', 'accept 1-65535'],
      ['S3', 'reject 11.0.0.0/9:80, reject 12.0.0.0/9:80, reject 13.0.0.0/9:80, reject 14.0.0.0/9:80, reject 15.0.0.0:81, accept *:*', 'accept 1-65535'],
      ['S5', 'accept 11.0.0.0/9:80, reject *:*', 'reject 1-65535'],
      ['S6', 'accept *:80, accept *:81, accept *:100-110, accept *:111, reject *:*', 'accept 80-81,100-111'],
      ['S7', 'accept *:1, accept *:3, accept *:65535, reject *:*', 'accept 1,3,65535'],
      ['S7 (holes)', 'accept *:1, accept *:3, accept *:5, accept *:7, reject *:*', 'accept 1,3,5,7'],
      ['S8', 'reject *:1, reject *:3, reject *:5, reject *:7, accept *:*', 'reject 1,3,5,7'],
      ['S9', 'reject 149.56.0.0/16, reject6 2607:5300::/32, reject6 2608:5300::/64, reject6 2609:5300::/96, accept *:80, accept *:443, reject *:*', 'accept 80,443'],
      ['S9 (host rules)', 'reject 149.56.1.1:*, reject [2607:5300:1:1::1:0]:*, accept *:80, accept *:443, reject *:*', 'accept 80,443'],
      ['S10', 'reject 148.0.0.0/7, reject6 2600::/16, accept *:80, accept *:443, reject *:*', 'accept 80,443'],
      ['S11', 'reject 148.0.0.0/6, reject6 2600::/15, accept *:80, accept *:443, reject *:*', 'reject 1-65535'],
      ['S11 (huge)', 'reject 128.0.0.0/1, reject6 8000::/1, accept *:80, accept *:443, reject *:*', 'reject 1-65535'],
      ['S12', 'reject 0.0.0.0/0, reject6 ::/0, accept *:80, accept *:443, reject *:*', 'reject 1-65535'],
      ['S12 (repeated)', 'reject 0.0.0.0/0, reject 0.0.0.0/0, reject6 ::/0, reject6 ::/0, accept *:80, accept *:443, reject *:*', 'reject 1-65535'],
    ])('%s: %j', (_id, value, summary) => {
      expectSummary(value, summary);
    });

    test('S4: a fifth /9 on port 80 flips the IPv4 summary only', () => {
      expectSummary(
        'reject 11.0.0.0/9:80, reject 12.0.0.0/9:80, reject 13.0.0.0/9:80, reject 14.0.0.0/9:80, reject 15.0.0.0:80, accept *:*',
        'reject 80',
        'accept 1-65535',
      );
    });

    test('S13: a list longer than 993 characters is cut at a comma', () => {
      const odd = Array.from({ length: 1000 }, (_, k) => `reject *:${2 * k + 1}`).join(',');
      const even = Array.from({ length: 261 }, (_, k) => 2 * (k + 1)).join(',');
      expect(even.endsWith(',520,522')).toBe(true);
      expectSummary(`${odd},accept *:*`, `accept ${even}`);
    });

    test('S14: the default policy', () => {
      const p = buildEffectivePolicy(defaultPolicyInputs({ exitRelay: set<0 | 1 | 'auto'>(1), ipv6Exit: set(true) }));
      expect(policySummary(p, 4)).toBe(DEFAULT_SUMMARY);
      expect(policySummary(p, 6)).toBe(DEFAULT_SUMMARY);
    });

    test('S15: the reduced policy', () => {
      const p = buildEffectivePolicy(defaultPolicyInputs({ reducedExitPolicy: set(true) }));
      expect(policySummary(p, 4)).toBe(
        'accept 20-23,43,53,79-81,88,110,143,194,220,389,443,464-465,531,543-544,554,563,587,636,706,749,873,' +
          '902-904,981,989-995,1194,1220,1293,1500,1533,1677,1723,1755,1863,2082-2083,2086-2087,2095-2096,' +
          '2102-2104,3128,3389,3690,4321,4643,5050,5190,5222-5223,5228,5900,6660-6669,6679,6697,8000,8008,8074,' +
          '8080,8082,8087-8088,8232-8233,8332-8333,8443,8888,9418,9999-10000,11371,18080-18081,18089,19294,' +
          '19638,50002,64738',
      );
      // IPv6Exit 0: nothing is accepted for IPv6.
      expect(policySummary(p, 6)).toBe('reject 1-65535');
    });

    test('S16: blocking a range is invisible in the summary', () => {
      const p = buildEffectivePolicy(
        defaultPolicyInputs({ exitRelay: set<0 | 1 | 'auto'>(1), exitPolicy: [policyLine('reject 5.6.0.0/16:*')] }),
      );
      expect(policySummary(p, 4)).toBe(DEFAULT_SUMMARY);
    });

    test('takes a plain rule list too', () => {
      expect(policySummary(parsePolicyValue('accept *:443, reject *:*').rules, 4)).toBe('accept 443');
      expect(policySummary([], 4)).toBe('reject 1-65535');
    });
  });

  describe('#isGeneralExit', () => {
    const rules = (value: string) => parsePolicyValue(value).rules;
    const full = (ipv6: boolean) =>
      buildEffectivePolicy(defaultPolicyInputs({ exitRelay: set<0 | 1 | 'auto'>(1), ipv6Exit: set(ipv6) }));
    // tor's test_policies_general vectors.
    test.each([
      ['reject 192.168.0.0/16:*', false],
      ['reject *:*, accept *:*', false],
      ['accept *:443, accept *:443', false],
      ['reject 0.0.0.0/8:*, reject 169.254.0.0/16:*, reject 127.0.0.0/8:*, reject 192.168.0.0/16:*, reject 10.0.0.0/8:*, reject 172.16.0.0/12:*, reject 80.190.250.90:*, reject *:1-65534, reject *:65535, accept *:1-65535', false],
      ['accept 43.3.0.0/9:*', false],
      ['accept 0.0.0.0/8:*', false],
      ['accept6 *:*', false],
      ['reject6 *:*', false],
      ['accept 11.0.0.0/8:80, accept 11.0.0.0/8:443', true],
      ['accept 11.0.0.0/8:80', false],
      ['reject 11.0.0.0/9:80, accept 11.0.0.0/8:80, accept *:443', false],
      ['reject 11.0.0.0/9:80, accept *:80, accept *:443', true],
    ])('%j: %s', (value, expected) => {
      expect(isGeneralExit(rules(value))).toBe(expected);
    });

    test('the default policy is a general exit, with or without IPv6', () => {
      expect(isGeneralExit(full(true))).toBe(true);
      expect(isGeneralExit(full(false))).toBe(true);
    });

    test('private /8s count only with DirAllowPrivateAddresses (as under TestingTorNetwork)', () => {
      const value = rules('accept 10.0.0.0/8:80, accept 10.0.0.0/8:443');
      expect(isGeneralExit(value)).toBe(false);
      expect(isGeneralExit(value, { dirAllowPrivateAddresses: true })).toBe(true);
    });
  });
});
