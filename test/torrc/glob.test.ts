import { describe, expect, test } from 'vitest';
import { memoryFs } from '../../src/torrc/fs.js';
import { compareBytes, fnmatch, hasTorGlob, torGlob } from '../../src/torrc/glob.js';

const fs = memoryFs({
  '/g/c.conf': 'ContactInfo c\n',
  '/g/.dot.conf': 'ContactInfo dot\n',
  '/g/d/a.conf': 'ContactInfo a\n',
  '/g/d2/b.conf': 'ContactInfo b\n',
  '/g/e*/f.conf': 'ContactInfo e\n',
  '/g/10.conf': 'x 1\n',
  '/g/9.conf': 'x 1\n',
  '/g/Z.conf': 'x 1\n',
});

describe('torrc/glob', () => {
  describe('#hasTorGlob', () => {
    test.each([
      ['/etc/tor/*.conf', true],
      ['/etc/tor/?.conf', true],
      ['/etc/tor/torrc.d', false],
      ['/etc/tor/[ab].conf', false],
      ['/etc/tor/a\\*b', false],
      ['/etc/tor/a\\*/*', true],
      ['', false],
    ])('%j has a glob: %s', (pattern, expected) => {
      expect(hasTorGlob(pattern)).toBe(expected);
    });
  });

  describe('#fnmatch', () => {
    test.each([
      ['*.conf', 'a.conf', true],
      ['*.conf', '.a.conf', false],
      ['.*', '.a', true],
      ['.*', '.', true],
      ['?', '.', false],
      ['[.]x', '.x', false],
      ['[ab].conf', 'b.conf', true],
      ['[!ab].conf', 'b.conf', false],
      ['[^ab].conf', 'c.conf', true],
      ['[a-c]', 'b', true],
      ['[a-c]', 'd', false],
      ['[]]', ']', true],
      ['[[:digit:]]*', '9.conf', true],
      ['[[:digit:]]*', 'Z.conf', false],
      ['a\\*', 'a*', true],
      ['a\\*', 'ab', false],
      ['a[', 'a[', true],
      ['*', '', true],
      ['a*b*c', 'aXXbYYc', true],
      ['a*b*c', 'aXXbYY', false],
    ])('matches %j against %j: %s', (pattern, name, expected) => {
      expect(fnmatch(pattern, name)).toBe(expected);
    });
  });

  describe('#torGlob', () => {
    test.each([
      ['/g/*.conf', ['/g/10.conf', '/g/9.conf', '/g/Z.conf', '/g/c.conf']],
      ['/g/*', ['/g/10.conf', '/g/9.conf', '/g/Z.conf', '/g/c.conf', '/g/d', '/g/d2', '/g/e*']],
      ['/g/d*/', ['/g/d', '/g/d2']],
      ['/g/d*/*.conf', ['/g/d/a.conf', '/g/d2/b.conf']],
      ['/g/e\\*/*', ['/g/e*/f.conf']],
      ['/g/d\\*/*', []],
      ['/g/[c]*', ['/g/c.conf']],
      ['/g/.*', ['/g/.', '/g/..', '/g/.dot.conf']],
      ['/nothing/*', []],
      ['*.conf', ['10.conf', '9.conf', 'Z.conf', 'c.conf']],
      ['d/*', ['d/a.conf']],
    ])('expands %j', (pattern, matches) => {
      expect(torGlob(pattern, '/g', fs)).toEqual({ ok: true, matches });
    });
  });

  describe('#compareBytes', () => {
    test('orders like strcmp on UTF-8 bytes', () => {
      expect(['b', 'a', 'Z', '10', '9', '\u{1F600}', '\uFFFD'].sort(compareBytes)).toEqual(['10', '9', 'Z', 'a', 'b', '\uFFFD', '\u{1F600}']);
    });
  });
});
