import { describe, expect, test } from 'vitest';
import { evaluateCandidate, remedyContext, utcDate, utcStamp } from '../../src/remedy/context.js';
import { load, NOW, TORRC } from './helpers.js';

describe('remedy/context', () => {
  describe('#remedyContext', () => {
    test('refuses a configuration Tor refuses, with its errors', () => {
      expect(() => remedyContext(load({ torrc: 'ExitPolicy accept *:80,443\n' }), { now: NOW })).toThrow(
        expect.objectContaining({ name: 'InvalidConfigError', code: 'CONFIG_INVALID', location: { file: TORRC, line: 1 }, errors: [expect.objectContaining({ code: 'POLICY_BAD_KEYWORD' })] }),
      );
    });
  });

  describe('#evaluateCandidate', () => {
    test('reads the candidate text instead of the file, without writing', () => {
      const context = remedyContext(load({ torrc: 'ExitPolicy accept *:*\n' }), { now: NOW });
      const after = evaluateCandidate(context, new Map([[TORRC, 'ExitRelay 0\n']]));
      expect(after.policy?.notExit).toBe('exit-relay-0');
      expect(context.before.policy?.notExit).toBeUndefined();
      expect(after.config.file(TORRC)?.file.source).toBe('ExitRelay 0\n');
    });

    test('passes the machine facts on', () => {
      const context = remedyContext(load({ torrc: 'ExitPolicy accept *:*\n' }), { now: NOW, machine: { interfaceAddresses: ['198.51.100.9'] } });
      const after = evaluateCandidate(context, new Map([[TORRC, 'ExitPolicyRejectLocalInterfaces 1\nExitPolicy accept *:*\n']]));
      expect(after.policy?.rules.some((r) => r.origin.kind === 'own-address')).toBe(true);
    });
  });

  describe('#utcDate', () => {
    test('formats the UTC date and a compact stamp', () => {
      const late = new Date('2025-01-31T23:30:00-05:00');
      expect(utcDate(late)).toBe('2025-02-01');
      expect(utcStamp(late)).toBe('20250201T043000Z');
    });
  });
});
