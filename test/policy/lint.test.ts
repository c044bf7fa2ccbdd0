import { describe, expect, test } from 'vitest';
import { describeOrigin, lintPolicy, PolicyLintFinding } from '../../src/policy/lint.js';
import { policyInputsFromConfig } from '../../src/policy/inputs.js';
import { configView } from './config-view.js';

const lint = (text: string) => lintPolicy(policyInputsFromConfig(configView(text)));
const summary = (text: string) =>
  lint(text).map((d) => [d.code, d.location?.line, d instanceof PolicyLintFinding ? d.related?.line : undefined]);

describe('policy/lint', () => {
  describe('#lintPolicy', () => {
    test('a reject after a catch-all never matches: both lines are named', () => {
      const findings = lint('ExitPolicy accept *:*\nExitPolicy reject 1.2.3.4:*');
      expect(summary('ExitPolicy accept *:*\nExitPolicy reject 1.2.3.4:*')).toEqual([['LINT_AFTER_CATCH_ALL', 2, 1]]);
      const f = findings[0] as PolicyLintFinding;
      expect(f.severity).toBe('warning');
      expect(f.input).toBe('reject 1.2.3.4:*');
      expect(f.by?.origin).toMatchObject({ kind: 'config', item: 'accept *:*' });
    });

    test('a rule after accept *:443 is shadowed on that port', () => {
      expect(summary('ExitPolicy accept *:443, reject 198.51.100.7:443, reject *:*')).toEqual([['LINT_SHADOWED', 1, 1]]);
    });

    test('a rule that a later same-action rule covers is redundant', () => {
      expect(summary('ExitPolicy reject 198.51.100.0/24:80\nExitPolicy reject *:*')).toEqual([['LINT_REDUNDANT', 1, 2]]);
    });

    test('a rule the default policy makes redundant is reported against the default policy', () => {
      const [f] = lint('ExitPolicy accept 5.6.0.0/16:22');
      expect(f).toMatchObject({ code: 'LINT_REDUNDANT', location: { line: 1 } });
      expect((f as PolicyLintFinding).by?.origin.kind).toBe('default-policy');
      expect((f as PolicyLintFinding).related).toBeUndefined();
      expect(f?.message).toContain("Tor's default exit policy");
    });

    test('IPv6 rules while IPv6Exit is 0 are reported once per item', () => {
      expect(summary('ExitPolicy accept6 [2001:db8::]/32:*, reject [2001:db8::1]:80, accept *:80')).toEqual([
        ['LINT_IPV6_EXIT_OFF', 1, undefined],
        ['LINT_IPV6_EXIT_OFF', 1, undefined],
        // The IPv4 half of accept *:80: the default's accept *:* gives port 80 the same verdict.
        ['LINT_REDUNDANT', 1, undefined],
      ]);
    });

    test('an item losing every rule is one finding, with the most telling reason', () => {
      // ExitPolicyRejectPrivate 1 already rejects the private networks.
      const findings = lint('ExitPolicy reject private:*, accept *:*');
      expect(findings.map((f) => f.code)).toEqual(['LINT_SHADOWED']);
      expect(findings[0]?.message).toContain("'reject private:*'");
      expect(findings[0]?.message).toContain('ExitPolicyRejectPrivate');
    });

    test('says nothing about what Tor prunes by its own design', () => {
      // The IPv6 half of `*` with IPv6Exit 0; the [::]/127 of `private`.
      expect(lint('ExitPolicy reject 198.51.100.0/24:*, reject *:6667')).toEqual([]);
      expect(lint('ExitPolicyRejectPrivate 0\nIPv6Exit 1\nExitPolicy reject private:*, reject 198.51.100.0/24:*')).toEqual([]);
      expect(lint('ExitPolicy reject 198.51.100.0/24:*')).toEqual([]);
    });

    test('two identical items on one line: the second is shadowed', () => {
      expect(summary('ExitPolicy reject *:80, reject *:80').map((s) => s[0])).toEqual(['LINT_SHADOWED']);
    });

    test('ExitRelay 0: the ExitPolicy is not even parsed, and latent errors are shown', () => {
      expect(summary('ExitRelay 0\nExitPolicy reject 1.2.3.4:*\nExitPolicy accept *:0')).toEqual([
        ['LINT_EXIT_POLICY_NOT_PARSED', 1, undefined],
        ['LINT_LATENT_POLICY_ERROR', 3, undefined],
      ]);
    });

    test('a bridge with an ExitPolicy is no exit', () => {
      expect(summary('BridgeRelay 1\nExitPolicy accept *:80').map((s) => s[0])).toEqual(['LINT_BRIDGE_NOT_EXIT']);
    });

    test('parse warnings and errors come first, with their locations', () => {
      expect(summary('ExitPolicy reject 1.2.3.4/16:*, accept6 1.2.3.4:*')).toEqual([
        ['POLICY_HOST_BITS', 1, undefined],
        ['POLICY_IPV4_UNDER_ACCEPT6', 1, undefined],
      ]);
      expect(summary('ExitPolicy reject 1.2.3.4:0').map((s) => s[0])).toEqual(['POLICY_BAD_PORT']);
    });
  });

  describe('#describeOrigin', () => {
    test.each([
      [{ kind: 'config', location: { file: '/etc/tor/torrc', line: 3 }, item: 'accept *:*' }, "'accept *:*' at /etc/tor/torrc:3"],
      [{ kind: 'default-policy' }, "Tor's default exit policy"],
      [{ kind: 'ipv6-exit-off' }, 'IPv6Exit 0'],
      [{ kind: 'own-address', via: 'ORPort' }, "the relay's own address (ORPort)"],
    ] as const)('%o', (origin, text) => {
      expect(describeOrigin(origin)).toBe(text);
    });
  });
});
