import { describe, expect, test } from 'vitest';
import { planExit, planMiddle } from '../../src/remedy/exit-relay.js';
import { source } from '../helpers/source.js';
import { applied, contextOf, load, planned, verdict, type Tree } from './helpers.js';

const EXIT: Tree = {
  torrc: source`
    Nickname Relay
    ExitRelay 1
    ExitPolicy accept *:80, accept *:443, reject *:*
  `,
};

describe('remedy/exit-relay', () => {
  describe('#planMiddle', () => {
    test('sets the effective ExitRelay line to 0 and marks it, keeping the ExitPolicy', () => {
      const result = planMiddle(contextOf(EXIT), { caseId: 'T-1' });
      expect(planned(result)).toBe(source`
        Nickname Relay
        # exitkit middle T-1 2025-01-31 UTC: was "ExitRelay 1"; the ExitPolicy stays for exitkit plan exit
        ExitRelay 0
        ExitPolicy accept *:80, accept *:443, reject *:*
      `);
    });

    test('makes every exit connection rejected, says the port summary becomes reject 1-65535 and the Exit flag is lost', () => {
      const result = planMiddle(contextOf(EXIT));
      const after = applied(EXIT, result);
      expect(after.policy?.notExit).toBe('exit-relay-0');
      expect(verdict(after, '8.8.8.8', 443)).toBe('reject');
      expect(result.portSummary.before.ipv4).toBe('accept 80,443');
      expect(result.portSummary.after.ipv4).toBe('reject 1-65535');
      expect(result.warnings.join(' ')).toMatch(/loses the Exit flag/);
      expect(result.semanticChange.changes.every((c) => c.before === 'accept' && c.after === 'reject')).toBe(true);
    });

    test('adds ExitRelay 0 at the end of the main torrc when the ExitRelay line is in the defaults file', () => {
      const tree: Tree = { defaults: 'ExitRelay 1\n', torrc: 'ExitPolicy accept *:443\n%include /etc/tor/more.conf\n', files: { '/etc/tor/more.conf': 'Nickname Relay\n' } };
      const result = planMiddle(contextOf(tree));
      expect(result.changes.map((c) => c.path)).toEqual(['/etc/tor/torrc']);
      expect(planned(result)).toMatch(/%include \/etc\/tor\/more.conf\n# exitkit middle 2025-01-31 UTC: was "ExitRelay 1"; .*\nExitRelay 0\n$/);
      expect(applied(tree, result).policy?.notExit).toBe('exit-relay-0');
    });

    test('adds ExitRelay 0 at the end of the main torrc when ExitRelay is not set', () => {
      const tree = { torrc: 'ExitPolicy accept *:443' };
      const result = planMiddle(contextOf(tree));
      expect(planned(result)).toBe('ExitPolicy accept *:443\n# exitkit middle 2025-01-31 UTC: ExitRelay was not set; the ExitPolicy stays for exitkit plan exit\nExitRelay 0\n');
    });

    test('replaces only the last of several ExitRelay lines, the one Tor uses', () => {
      const tree = { torrc: 'ExitRelay 0\nExitRelay 1\nExitPolicy accept *:*\n' };
      const result = planMiddle(contextOf(tree));
      expect(planned(result)).toMatch(/^ExitRelay 0\n# exitkit middle .*\nExitRelay 0\nExitPolicy accept \*:\*\n$/);
    });

    test.each([
      ['ExitRelay is 0', { torrc: 'ExitRelay 0\nExitPolicy accept *:*\n' }],
      ['the relay is not configured as an exit', { torrc: 'Nickname Relay\n' }],
      ['the relay is a bridge', { torrc: 'BridgeRelay 1\nORPort 9001\n' }],
    ])('plans no change when %s', (_name, tree) => {
      const result = planMiddle(contextOf(tree));
      expect(result.changes).toEqual([]);
      expect(result.alreadyInForce).toBeDefined();
    });
  });

  describe('#planExit', () => {
    test('switches a middle relay made by planMiddle back, giving the original file', () => {
      const middle = { torrc: planned(planMiddle(contextOf(EXIT))) as string };
      const result = planExit(contextOf(middle));
      expect(planned(result)).toBe(EXIT.torrc);
      expect(verdict(applied(middle, result), '8.8.8.8', 443)).toBe('accept');
      expect(result.semanticChange.changes.every((c) => c.before === 'reject' && c.after === 'accept')).toBe(true);
    });

    test('warns when the default policy comes into force', () => {
      const tree = { torrc: 'ExitRelay 0\n' };
      const result = planExit(contextOf(tree));
      expect(planned(result)).toBe('ExitRelay 1\n');
      expect(result.warnings.join(' ')).toMatch(/default exit policy/);
      expect(verdict(applied(tree, result), '8.8.8.8', 25)).toBe('reject');
    });

    test('warns when the policy will not earn the Exit flag', () => {
      const tree = { torrc: 'ExitRelay 0\nExitPolicy accept *:22, reject *:*\n' };
      const result = planExit(contextOf(tree));
      expect(result.warnings.join(' ')).toMatch(/Exit flag/);
    });

    test('refuses when the ExitPolicy Tor did not parse under ExitRelay 0 is invalid', () => {
      const tree = { torrc: 'ExitRelay 0\nExitPolicy reject 1.2.3.4/33:*\n' };
      expect(load(tree).valid).toBe(true);
      expect(() => planExit(contextOf(tree))).toThrow(
        expect.objectContaining({ code: 'REMEDY_CANDIDATE_INVALID', details: [expect.objectContaining({ code: 'POLICY_BAD_MASK' })] }),
      );
    });

    test('refuses a switch that would make tor 0.4.9.11 crash (IPv6Exit 1, ExitPolicyRejectPrivate 0, no ExitPolicy)', () => {
      const tree = { torrc: 'ExitRelay 0\nIPv6Exit 1\nExitPolicyRejectPrivate 0\n' };
      expect(() => planExit(contextOf(tree))).toThrow(
        expect.objectContaining({ code: 'REMEDY_CANDIDATE_INVALID', details: [expect.objectContaining({ code: 'POLICY_TOR_WOULD_CRASH' })] }),
      );
    });

    test('refuses a switch after which the relay still exits nowhere', () => {
      expect(() => planExit(contextOf({ torrc: 'ExitRelay 0\nExitPolicy reject *:*\n' }))).toThrow(expect.objectContaining({ code: 'REMEDY_NOT_EFFECTIVE' }));
    });

    test('refuses a bridge', () => {
      expect(() => planExit(contextOf({ torrc: 'BridgeRelay 1\nORPort 9001\n' }))).toThrow(expect.objectContaining({ code: 'REMEDY_NOT_POSSIBLE' }));
    });

    test('plans no change for an exit', () => {
      expect(planExit(contextOf(EXIT)).changes).toEqual([]);
    });
  });
});
