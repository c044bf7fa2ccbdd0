import { describe, expect, test } from 'vitest';
import { source } from './source.js';

describe('helpers/source', () => {
  describe('#source', () => {
    test('removes the common indentation, the first empty line and the closing indentation', () => {
      expect(source`
        ExitPolicy reject 1.2.3.4:*
          indented
        Nickname x
      `).toBe('ExitPolicy reject 1.2.3.4:*\n  indented\nNickname x\n');
    });

    test('keeps backslashes as typed, for continuations and C escapes', () => {
      expect(source`
        ExitPolicy a, \
          b
        ContactInfo "a\x41\n"
      `).toBe('ExitPolicy a, \\\n  b\nContactInfo "a\\x41\\n"\n');
    });

    test('inserts values verbatim after dedenting', () => {
      const value = 'multi\n  line\r';
      expect(source`
        A ${value}
        B ${1}
      `).toBe('A multi\n  line\r\nB 1\n');
    });

    test('leaves blank lines out of the indentation and keeps them', () => {
      expect(source`
          a

          b
      `).toBe('a\n\nb\n');
    });

    test('unescapes backticks and dollars', () => {
      expect(source`x \` \${y}`).toBe('x ` ${y}');
    });
  });
});
