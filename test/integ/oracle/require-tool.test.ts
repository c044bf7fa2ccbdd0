import { afterEach, describe, expect, test, vi } from 'vitest';
import { findExecutable, isCi, requireTool } from '../../helpers/require-tool.js';

const savedCi = process.env['CI'];

afterEach(() => {
  if (savedCi === undefined) delete process.env['CI'];
  else process.env['CI'] = savedCi;
  vi.restoreAllMocks();
});

describe('helpers/require-tool', () => {
  describe('#isCi', () => {
    test.each([
      ['true', true],
      ['1', true],
      ['TRUE', true],
      ['false', false],
      ['0', false],
      ['', false],
      [undefined, false],
    ])('CI=%j → %s', (value, expected) => {
      if (value === undefined) delete process.env['CI'];
      else process.env['CI'] = value;
      expect(isCi()).toBe(expected);
    });
  });

  describe('#findExecutable', () => {
    test('finds a program on PATH, and not a missing one', () => {
      expect(findExecutable('sh')).toMatch(/\/sh$/);
      expect(findExecutable('exitkit-no-such-program')).toBeUndefined();
    });
  });

  describe('#requireTool', () => {
    test('an installed program is available', () => {
      expect(requireTool('sh')).toMatchObject({ name: 'sh', available: true, reason: undefined });
    });

    test('outside CI a missing program skips the suite, saying how to install it', () => {
      delete process.env['CI'];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const check = requireTool('exitkit-missing-a');
      expect(check).toMatchObject({ available: false, path: undefined });
      expect(check.reason).toContain('not installed');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPED'));
    });

    test('under CI=true a missing program fails, with the install command', () => {
      process.env['CI'] = 'true';
      expect(() => requireTool('exitkit-missing-b')).toThrow(/CI=true/);
      expect(() => requireTool('/nonexistent/tor')).toThrow(/apt-get install -y tor/);
    });
  });
});
