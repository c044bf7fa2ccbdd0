import { describe, expect, test } from 'vitest';
import { diffPath, planDiff } from '../../src/plan/diff.js';

describe('plan/diff', () => {
  describe('#planDiff', () => {
    test('writes a unified diff with paths relative to /', () => {
      const diff = planDiff([
        { path: '/etc/tor/torrc', before: 'Nickname A\nExitPolicy accept *:*\n', after: 'Nickname A\nExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:*\n' },
      ]);
      expect(diff).toBe(
        [
          '--- etc/tor/torrc',
          '+++ etc/tor/torrc',
          '@@ -1,2 +1,3 @@',
          ' Nickname A',
          '+ExitPolicy reject 203.0.113.0/24:*',
          ' ExitPolicy accept *:*',
          '',
        ].join('\n'),
      );
    });

    test('marks a missing final newline and keeps CRLF line endings', () => {
      const diff = planDiff([{ path: '/etc/tor/torrc', before: 'A 1\r\nB 2', after: 'A 1\r\nC 3\r\nB 2' }]);
      expect(diff).toBe('--- etc/tor/torrc\n+++ etc/tor/torrc\n@@ -1,2 +1,3 @@\n A 1\r\n+C 3\r\n B 2\n\\ No newline at end of file\n');
    });

    test('concatenates every changed file and skips unchanged ones', () => {
      const diff = planDiff([
        { path: '/etc/tor/torrc', before: 'A 1\n', after: 'A 2\n' },
        { path: '/etc/tor/same', before: 'X\n', after: 'X\n' },
        { path: '/etc/tor/torrc.d/b.conf', before: 'B 1\n', after: 'B 2\n' },
      ]);
      expect(diff.match(/^--- .*$/gm)).toEqual(['--- etc/tor/torrc', '--- etc/tor/torrc.d/b.conf']);
    });

    test('is empty when nothing changes', () => {
      expect(planDiff([])).toBe('');
    });
  });

  describe('#diffPath', () => {
    test.each([
      ['/etc/tor/torrc', 'etc/tor/torrc'],
      ['/etc/tor/torrc.d/50-exit.conf', 'etc/tor/torrc.d/50-exit.conf'],
      ['/etc/tor/my torrc', '"etc/tor/my torrc"'],
      ['/etc/tor/caf\u00e9', '"etc/tor/caf\\303\\251"'],
      ['/etc/tor/a"b\\c', '"etc/tor/a\\"b\\\\c"'],
      ['/etc/tor/a\tb', '"etc/tor/a\\tb"'],
    ])('%j is written as %s', (input, output) => {
      expect(diffPath(input)).toBe(output);
    });

    test.each(['etc/tor/torrc', '/etc/tor/../torrc', '/etc/tor/a\u0000b'])('refuses %j', (input) => {
      expect(() => diffPath(input)).toThrow(expect.objectContaining({ code: 'PLAN_BAD_PATH' }));
    });
  });
});
