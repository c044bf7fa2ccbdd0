import { describe, expect, test } from 'vitest';
import { evaluateCandidate, remedyContext, utcDate, utcStamp } from '../../src/remedy/context.js';
import { parseTorrc } from '../../src/torrc/index.js';
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

    test('takes the files the edit parsed instead of parsing them again, and checks their text', () => {
      const context = remedyContext(load({ torrc: 'ExitPolicy accept *:*\n' }), { now: NOW });
      const edited = parseTorrc('ExitPolicy reject 192.0.2.0/24:*\nExitPolicy accept *:*\n', TORRC);
      const after = evaluateCandidate(context, new Map([[TORRC, edited.source]]), [edited]);
      expect(after.config.file(TORRC)?.file).toBe(edited);
      expect(after.policy?.rules.map((r) => r.origin.kind === 'config' && r.origin.item)).toContain('reject 192.0.2.0/24:*');
      // A parsed file that is not the text read is not used.
      const other = evaluateCandidate(context, new Map([[TORRC, 'ExitRelay 0\n']]), [edited]);
      expect(other.config.file(TORRC)?.file).not.toBe(edited);
      expect(other.policy?.notExit).toBe('exit-relay-0');
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
