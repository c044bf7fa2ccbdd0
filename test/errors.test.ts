import { describe, expect, test } from 'vitest';
import { ExitkitError, formatError, formatLocation } from '../src/errors.js';

describe('errors', () => {
  describe('#formatLocation', () => {
    test.each([
      [{ file: '/etc/tor/torrc', line: 3 }, '/etc/tor/torrc:3'],
      [{ file: '/etc/tor/torrc', line: 3, endLine: 5 }, '/etc/tor/torrc:3-5'],
      [{ file: '/etc/tor/torrc', line: 3, endLine: 3 }, '/etc/tor/torrc:3'],
      [{ file: 't', line: 2, column: 7 }, 't:2:7'],
    ])('renders %o as %s', (location, expected) => {
      expect(formatLocation(location)).toBe(expected);
    });
  });

  describe('#formatError', () => {
    test('puts the location first and the hint last', () => {
      const error = new ExitkitError('X', 'bad thing', {
        location: { file: 'torrc', line: 4 },
        hint: 'do the right thing',
      });
      expect(formatError(error)).toBe('torrc:4: error: bad thing\n  hint: do the right thing');
    });

    test('marks the offending part of the input with carets', () => {
      const error = new ExitkitError('X', 'bad prefix', { input: '10.0.0.0/33', pos: [9, 11] });
      expect(formatError(error).split('\n').slice(1)).toEqual(['  10.0.0.0/33', '           ^^']);
    });

    test('escapes control characters so the caret stays under the offending text', () => {
      const error = new ExitkitError('X', 'newline', { input: 'a\nb#c', pos: [3, 4] });
      expect(formatError(error).split('\n').slice(1)).toEqual(['  a\\nb#c', '      ^']);
    });

    test('labels warnings as warnings', () => {
      const warning = new ExitkitError('W', 'host bits', { severity: 'warning' });
      expect(formatError(warning)).toBe('warning: host bits');
    });
  });

  test('keeps the cause and a prototype name', () => {
    const cause = new Error('inner');
    const error = new ExitkitError('X', 'outer', { cause });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ExitkitError');
    expect(Object.keys(error)).not.toContain('name');
  });
});
