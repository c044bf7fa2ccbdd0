import { describe, expect, test } from 'vitest';
import { PolicyBuildError } from '../../src/policy/errors.js';
import {
  buildEffectivePolicy,
  DEFAULT_EXIT_POLICY,
  isRejectStar,
  REDUCED_EXIT_POLICY,
  tryBuildEffectivePolicy,
} from '../../src/policy/effective.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { formatTorPolicy } from '../../src/policy/format.js';
import { policyInputsFromConfig, type MachineFacts } from '../../src/policy/inputs.js';
import { configView } from './config-view.js';
import { DEFAULT4, DEFAULT_PORTS, PRIV4, PRIV6, REDUCED_PORTS } from '../helpers/observed-policies.js';

const build = (text: string, machine?: MachineFacts) => tryBuildEffectivePolicy(policyInputsFromConfig(configView(text), machine));
const torLines = (text: string, machine?: MachineFacts): string[] => {
  const b = build(text, machine);
  if (!b.policy) throw new Error(`no policy: ${b.errors.map((e) => e.code).join(', ')}`);
  return formatTorPolicy(b.policy);
};

// Pieces of GETINFO exit-policy/full as printed by tor 0.4.9.11 (observed).
const D4 = DEFAULT4;

describe('policy/effective', () => {
  describe('#tryBuildEffectivePolicy', () => {
    // §7.3 of the fact sheet: every vector observed with tor 0.4.9.11 (RejectPrivate 1,
    // IPv6Exit 0 and no public own address unless the config says otherwise).
    test.each([
      ['C1', 'ExitRelay auto', ['reject *:*']],
      ['C1 (no options at all)', '', ['reject *:*']],
      ['C2', 'ExitRelay 0\nExitPolicy accept *:*', ['reject *:*']],
      ['C3', 'ExitRelay 1', ['reject6 *:*', ...PRIV4, ...D4]],
      ['C4', 'ExitPolicy accept 5.6.0.0/16:22', ['reject6 *:*', ...PRIV4, ...D4]],
      ['C5', 'ExitPolicy reject 5.6.0.0/16:*', ['reject6 *:*', ...PRIV4, 'reject 5.6.0.0/16:*', ...D4]],
      ['C6', 'ExitPolicy accept *:80,accept *:443,reject *:*', ['reject6 *:*', ...PRIV4, 'accept *:80', 'accept *:443', 'reject *:*']],
      ['C7', 'ExitPolicy accept *:*, reject 1.2.3.4:*', ['reject6 *:*', ...PRIV4, 'accept *:*']],
      ['C8', 'ExitPolicy reject 1.2.3.0/24:*, accept 1.2.3.4:80, accept *:80, reject *:*',
        ['reject6 *:*', ...PRIV4, 'reject 1.2.3.0/24:*', 'accept *:80', 'reject *:*']],
      ['C9', 'ExitPolicy accept 5.6.0.0/16:22, reject 5.0.0.0/8:*',
        ['reject6 *:*', ...PRIV4, 'accept 5.6.0.0/16:22', 'reject 5.0.0.0/8:*', ...D4]],
      ['C10', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitPolicy reject *4:*\nExitPolicy accept6 [2001:db8::]/32:443',
        ['reject *:*', ...DEFAULT_PORTS.map((p) => `reject6 *:${p}`), 'accept6 *:*']],
      ['C11', 'IPv6Exit 1',
        [...PRIV4, ...PRIV6, ...DEFAULT_PORTS.flatMap((p) => [`reject *:${p}`, `reject6 *:${p}`]), 'accept *:*', 'accept6 *:*']],
      ['C12', 'ReducedExitPolicy 1\nExitPolicyRejectPrivate 0\nExitPolicy reject 5.6.0.0/16:*, accept *:6667',
        ['reject6 *:*', 'reject 5.6.0.0/16:*', ...REDUCED_PORTS.map((p) => `accept *:${p}`), 'reject *:*']],
      ['C13', 'ExitPolicy reject 1.2.3.4/0:*', ['reject *:*']],
      ['C14', 'BridgeRelay 1\nExitPolicy accept *:80', ['reject6 *:*', ...PRIV4, 'accept *:80', 'reject *:*']],
      ['C15', 'ExitPolicyRejectPrivate 0\nExitPolicy reject6 private:*\nExitPolicy accept *:*', ['reject6 *:*', 'accept *:*']],
      ['C16', 'ExitPolicyRejectPrivate 1\nExitPolicyRejectPrivate\nExitRelay 1', ['reject6 *:*', ...D4]],
    ])('%s: %j gives the policy tor prints', (_id, config, expected) => {
      expect(torLines(config)).toEqual(expected);
    });

    test('C17: IPv6Exit 1 + ExitPolicyRejectPrivate 0 + no ExitPolicy is refused (tor aborts)', () => {
      for (const config of ['IPv6Exit 1\nExitPolicyRejectPrivate 0', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitRelay 1']) {
        const b = build(config);
        expect(b.policy).toBeUndefined();
        expect(b.errors.map((e) => e.code)).toEqual(['POLICY_TOR_WOULD_CRASH']);
        expect(b.errors[0]?.location?.line).toBe(1);
      }
    });

    test('C17 does not apply once any ExitPolicy line exists, even one that adds no rule', () => {
      const b = build('IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitPolicy accept6 1.2.3.4:*');
      expect(b.policy).toBeDefined();
      expect(formatTorPolicy(b.policy!)).toEqual([
        ...DEFAULT_PORTS.flatMap((p) => [`reject *:${p}`, `reject6 *:${p}`]), 'accept *:*', 'accept6 *:*',
      ]);
    });

    test('C17 does not apply when a public own address is rejected first', () => {
      const b = build('IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitPolicyRejectLocalInterfaces 1', {
        interfaceAddresses: ['198.51.100.7'],
      });
      expect(b.policy && formatTorPolicy(b.policy)[0]).toBe('reject 198.51.100.7:*');
    });

    test('an invalid ExitPolicy makes the configuration invalid, with every error', () => {
      const b = build('ExitPolicy reject 1.2.3.4:0\nExitPolicy accept *:80 reject *:*');
      expect(b.policy).toBeUndefined();
      expect(b.errors.map((e) => [e.code, e.location?.line])).toEqual([
        ['POLICY_BAD_PORT', 1],
        ['POLICY_EXTRA_ARGUMENT', 2],
      ]);
    });

    test('§8.8: ExitRelay 0 never parses the ExitPolicy, so a bad one is still valid', () => {
      const b = build('ExitRelay 0\nExitPolicy bogus');
      expect(b.errors).toEqual([]);
      expect(b.parsed).toBeUndefined();
      expect(b.policy?.notExit).toBe('exit-relay-0');
      expect(formatTorPolicy(b.policy!)).toEqual(['reject *:*']);
    });

    test.each([
      ['ExitPolicy reject *:*', ['reject *:*']],
      ['ReducedExitPolicy 1', ['reject6 *:*', ...PRIV4, ...REDUCED_PORTS.map((p) => `accept *:${p}`), 'reject *:*']],
      ['ReducedExitPolicy 0', ['reject *:*']],
      ['IPv6Exit 0', ['reject *:*']],
      // The accept is pruned: the default's final accept *:* covers it (as in C4).
      ['ExitRelay AUTO\nExitPolicy accept *:443', ['reject6 *:*', ...PRIV4, ...D4]],
      ['ExitRelay', ['reject *:*']],
    ])('§3.1: ExitRelay auto counts only values: %j', (config, expected) => {
      expect(torLines(config)).toEqual(expected);
    });

    test('§8.1: a reject appended after accept *:443 does nothing for port 443', () => {
      const b = build('ExitPolicy accept *:443, reject 198.51.100.0/24:*, reject *:*');
      expect(evaluatePolicy(b.policy!, '198.51.100.7', 443).verdict).toBe('accept');
      expect(evaluatePolicy(b.policy!, '198.51.100.7', 80).verdict).toBe('reject');
      expect(formatTorPolicy(b.policy!)).toEqual(['reject6 *:*', ...PRIV4, 'accept *:443', 'reject *:*']);
    });

    test('§8.2: rules that cannot change a verdict are pruned, each with its reason', () => {
      const b = build('ExitPolicy accept 5.6.0.0/16:22, accept *:*, reject 1.2.3.4:*');
      const removed = b.policy!.removed.filter((r) => r.rule.origin.kind === 'config');
      expect(removed.map((r) => [r.rule.family, r.reason, r.by.origin.kind])).toEqual([
        // The IPv6 half of `accept *:*` goes first, after `reject *6:*`.
        [6, 'after-catch-all', 'ipv6-exit-off'],
        [4, 'after-catch-all', 'config'],
        [4, 'redundant', 'config'],
      ]);
    });

    test('§8.6: host bits are kept (and printed)', () => {
      expect(torLines('ExitPolicy reject 1.2.3.4/16:*')).toContain('reject 1.2.3.4/16:*');
    });

    test('§8.9: IPv6Exit 0 deletes every IPv6 rule', () => {
      const b = build('ExitPolicy accept6 [2001:db8::]/32:*, reject6 [2001:db8::1]:*');
      expect(b.policy!.rules.filter((r) => r.family === 6).map((r) => r.origin.kind)).toEqual(['ipv6-exit-off']);
      expect(evaluatePolicy(b.policy!, '2001:db8::5', 443).verdict).toBe('reject');
    });

    test('§8.10: the reduced policy has the Monero ports the manual page lacks', () => {
      expect(REDUCED_EXIT_POLICY).toContain('accept *:18080-18081,accept *:18089,');
      expect(DEFAULT_EXIT_POLICY.endsWith('reject *:6881-6999,accept *:*')).toBe(true);
    });

    test('rejects the relay\'s own public address right after the private networks', () => {
      expect(torLines('ExitRelay 1\nORPort 198.51.100.7:9001\nAddress 198.51.100.7')).toEqual([
        'reject6 *:*', ...PRIV4, 'reject 198.51.100.7:*', ...D4,
      ]);
    });

    // Observed with tor 0.4.9.11 in a network namespace whose loopback also carried
    // 198.51.100.7, 198.51.100.8 and 2001:db8::7.
    describe('own addresses (observed)', () => {
      const machine = { interfaceAddresses: ['127.0.0.1', '198.51.100.7', '198.51.100.8', '::1', '2001:db8::7'] };
      const base = 'TestingTorNetwork 1\nExitPolicyRejectPrivate 1\nORPort 198.51.100.7:19001\nAddress 198.51.100.7\n';
      const noPriv = (lines: string[]): string[] => lines.filter((l) => !PRIV4.includes(l) && !PRIV6.includes(l));
      const D46 = [...DEFAULT_PORTS.flatMap((p) => [`reject *:${p}`, `reject6 *:${p}`]), 'accept *:*', 'accept6 *:*'];
      test.each([
        ['ExitRelay 1', ['reject6 *:*', 'reject 198.51.100.7:*', ...D4]],
        ['ExitRelay 1\nIPv6Exit 1\nORPort [2001:db8::7]:19002\nAddress 2001:db8::7',
          ['reject 198.51.100.7:*', 'reject6 [2001:db8::7]:*', ...D46]],
        ['ExitRelay 1\nExitPolicyRejectLocalInterfaces 1', ['reject6 *:*', 'reject 198.51.100.7:*', 'reject 198.51.100.8:*', ...D4]],
        ['ExitRelay 1\nIPv6Exit 1\nExitPolicyRejectLocalInterfaces 1',
          ['reject 198.51.100.7:*', 'reject 198.51.100.8:*', 'reject6 [2001:db8::7]:*', ...D46]],
        ['ExitRelay 1\nExitPolicyRejectLocalInterfaces 1\nOutboundBindAddressExit 198.51.100.8\nOutboundBindAddress 198.51.100.9',
          ['reject6 *:*', 'reject 198.51.100.7:*', 'reject 198.51.100.8:*', 'reject 198.51.100.9:*', ...D4]],
        ['ExitRelay 1\nExitPolicyRejectPrivate 0\nExitPolicyRejectLocalInterfaces 1',
          ['reject6 *:*', 'reject 198.51.100.7:*', 'reject 198.51.100.8:*', ...D4]],
        ['ExitRelay 1\nExitPolicyRejectPrivate 0', ['reject6 *:*', ...D4]],
        ['ExitRelay 1\nExitPolicyRejectLocalInterfaces 1\nDNSPort 198.51.100.8:5353\nExitPolicyRejectPrivate 0',
          ['reject6 *:*', 'reject 198.51.100.8:*', 'reject 198.51.100.7:*', ...D4]],
        ['ExitRelay 1\nExitPolicyRejectLocalInterfaces 1\nControlPort 198.51.100.8:9999\nExitPolicyRejectPrivate 0',
          ['reject6 *:*', 'reject 198.51.100.7:*', 'reject 198.51.100.8:*', ...D4]],
        ['ExitRelay 1\nExitPolicyRejectLocalInterfaces 1\nControlPort 198.51.100.8:9999\nCookieAuthentication 1\nExitPolicyRejectPrivate 0',
          ['reject6 *:*', 'reject 198.51.100.8:*', 'reject 198.51.100.7:*', ...D4]],
        ['ExitPolicy accept 198.51.100.0/24:*, accept *:*', ['reject6 *:*', 'reject 198.51.100.7:*', 'accept *:*']],
      ])('%j', (config, expected) => {
        expect(noPriv(torLines(base + config, machine))).toEqual(expected);
      });
    });

    test('TestingTorNetwork 1 makes ExitPolicyRejectPrivate default to 0', () => {
      expect(torLines('TestingTorNetwork 1\nExitRelay 1')).toEqual(['reject6 *:*', ...D4]);
      expect(torLines('TestingTorNetwork 1\nExitPolicyRejectPrivate 1\nExitRelay 1')).toEqual(['reject6 *:*', ...PRIV4, ...D4]);
      expect(torLines('TestingTorNetwork 0\nExitRelay 1')).toEqual(['reject6 *:*', ...PRIV4, ...D4]);
    });

    test('refuses a value Tor refuses for an option the policy depends on', () => {
      const b = build('IPv6Exit true\nExitPolicy accept *:*');
      expect(b.policy).toBeUndefined();
      expect(b.errors).toMatchObject([{ code: 'POLICY_BAD_OPTION_VALUE', location: { line: 1 } }]);
    });

    test('records every rule\'s origin', () => {
      const b = build('ExitPolicy reject 198.51.100.0/24:*\nExitRelay 1\nReducedExitPolicy 1\nORPort 9001\nAddress 203.0.113.5');
      const kinds = [...new Set(b.policy!.rules.map((r) => r.origin.kind))];
      expect(kinds).toEqual(['ipv6-exit-off', 'reject-private', 'own-address', 'config', 'reduced-policy']);
      const own = b.policy!.rules.find((r) => r.origin.kind === 'own-address');
      expect(own?.origin).toMatchObject({ via: 'Address', location: { line: 5 } });
      const cfg = b.policy!.rules.find((r) => r.origin.kind === 'config');
      expect(cfg?.origin).toMatchObject({ item: 'reject 198.51.100.0/24:*', location: { line: 1 } });
    });
  });

  describe('#buildEffectivePolicy', () => {
    test('throws a typed error when Tor refuses the configuration', () => {
      const inputs = policyInputsFromConfig(configView('ExitPolicy reject 1.2.3.4:0'));
      expect(() => buildEffectivePolicy(inputs)).toThrow(PolicyBuildError);
      try {
        buildEffectivePolicy(inputs);
      } catch (error) {
        expect(error).toMatchObject({ code: 'POLICY_INVALID', location: { line: 1 } });
        expect((error as PolicyBuildError).errors.map((e) => e.code)).toEqual(['POLICY_BAD_PORT']);
      }
    });

    test('throws POLICY_TOR_WOULD_CRASH for C17', () => {
      const inputs = policyInputsFromConfig(configView('IPv6Exit 1\nExitPolicyRejectPrivate 0'));
      expect(() => buildEffectivePolicy(inputs)).toThrow(expect.objectContaining({ code: 'POLICY_TOR_WOULD_CRASH' }));
    });
  });

  describe('#isRejectStar', () => {
    test('looks at the first accept or full reject of the family; no rule means reject', () => {
      const p = buildEffectivePolicy(policyInputsFromConfig(configView('ExitPolicy accept *:80, reject *:*')));
      expect(isRejectStar(p.rules, 4)).toBe(false);
      expect(isRejectStar(p.rules, 6)).toBe(true);
      expect(isRejectStar([], 4)).toBe(true);
    });
  });
});
