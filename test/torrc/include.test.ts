import { describe, expect, test } from 'vitest';
import { memoryFs } from '../../src/torrc/fs.js';
import { expandInclude } from '../../src/torrc/include.js';

const fs = memoryFs({
  '/etc/tor/torrc.d/10.conf': 'a 1\n',
  '/etc/tor/torrc.d/9.conf': 'a 1\n',
  '/etc/tor/torrc.d/Z.conf': 'a 1\n',
  '/etc/tor/torrc.d/a.conf': 'a 1\n',
  '/etc/tor/torrc.d/b.conf': 'a 1\n',
  '/etc/tor/torrc.d/.hidden': 'a 1\n',
  '/etc/tor/torrc.d/empty.conf': '',
  '/etc/tor/torrc.d/sub/c.conf': 'a 1\n',
  '/etc/tor/one.conf': 'a 1\n',
  '/etc/tor/empty.conf': '',
  '/etc/tor/emptydir': null,
});

describe('torrc/include', () => {
  describe('#expandInclude', () => {
    test('reads a directory in strcmp order, skipping dotfiles, empty files and subdirectories', () => {
      expect(expandInclude('/etc/tor/torrc.d', '/', fs)).toMatchObject({
        glob: false,
        files: ['10.conf', '9.conf', 'Z.conf', 'a.conf', 'b.conf'].map((f) => `/etc/tor/torrc.d/${f}`),
        directories: ['/etc/tor/torrc.d'],
        failure: undefined,
      });
    });

    test.each([
      ['one.conf', '/etc/tor', ['/etc/tor/one.conf']],
      ['/etc/tor/one.conf', '/somewhere/else', ['/etc/tor/one.conf']],
      ['torrc.d/*.conf', '/etc/tor', ['10.conf', '9.conf', 'Z.conf', 'a.conf', 'b.conf'].map((f) => `/etc/tor/torrc.d/${f}`)],
      ['/etc/tor/*.conf', '/', ['/etc/tor/one.conf']],
      ['/etc/tor/empty.conf', '/', []],
      ['/etc/tor/emptydir', '/', []],
      ['/etc/tor/nothing*', '/', []],
    ])('expands %j from %s', (pattern, cwd, files) => {
      const expansion = expandInclude(pattern, cwd, fs);
      expect(expansion.failure).toBeUndefined();
      expect(expansion.files).toEqual(files);
    });

    test.each([
      ['', 'TORRC_INCLUDE_EMPTY'],
      ['/etc/tor/missing.conf', 'TORRC_INCLUDE_MISSING'],
      ['one.conf', 'TORRC_INCLUDE_MISSING'],
      ['~/torrc', 'TORRC_INCLUDE_MISSING'],
      ['/etc/tor/one\\*', 'TORRC_INCLUDE_MISSING'],
    ])('fails on %j with %s', (pattern, code) => {
      expect(expandInclude(pattern, '/', fs).failure?.code).toBe(code);
    });

    test('resolves relative paths against the working directory given, not the including file', () => {
      expect(expandInclude('torrc.d', '/etc/tor', fs).failure).toBeUndefined();
      expect(expandInclude('torrc.d', '/', fs).failure).toMatchObject({ code: 'TORRC_INCLUDE_MISSING', path: '/torrc.d' });
    });
  });
});
