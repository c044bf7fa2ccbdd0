import { describe, expect, test } from 'vitest';
import { ExitkitError, formatError } from '../../src/errors.js';
import { TorCommandError, TorControlError } from '../../src/tor/errors.js';

describe('tor/errors', () => {
  describe('#TorCommandError', () => {
    test('is an ExitkitError with its own name and the process details', () => {
      const cause = new Error('spawn tor ENOENT');
      const error = new TorCommandError('TOR_NOT_FOUND', 'cannot run tor', {
        command: 'tor --verify-config -f /etc/tor/torrc',
        hint: 'apt-get install -y tor',
        cause,
      });
      expect(error).toBeInstanceOf(ExitkitError);
      expect(error).toMatchObject({
        name: 'TorCommandError',
        code: 'TOR_NOT_FOUND',
        command: 'tor --verify-config -f /etc/tor/torrc',
        exitCode: undefined,
        signal: undefined,
        stderr: '',
        cause,
      });
      expect(Object.keys(error)).not.toContain('name');
      expect(formatError(error)).toContain('hint: apt-get install -y tor');
    });
  });

  describe('#TorControlError', () => {
    test("carries tor's status code and message", () => {
      const error = new TorControlError('TOR_CONTROL_REFUSED', 'refused', {
        command: 'GETINFO x',
        status: 552,
        torMessage: 'Unrecognized key "x"',
      });
      expect(error).toBeInstanceOf(ExitkitError);
      expect(error).toMatchObject({ name: 'TorControlError', status: 552, torMessage: 'Unrecognized key "x"', command: 'GETINFO x' });
    });
  });
});
