import { describe, expect, test } from 'vitest';
import {
  base16Decode,
  base64DecodedLength,
  cString,
  eatWhitespace,
  findWhitespace,
  isCIdentifier,
  isKeyValue,
  isStrictUtf8,
  splitString,
} from '../../src/torrc/tor-strings.js';

describe('torrc/tor-strings', () => {
  describe('#splitString', () => {
    test.each([
      ['splits on the separator and trims with SKIP_SPACE', ' a , b ,c ', ',', { skipSpace: true }, 0, ['a', 'b', 'c']],
      ['keeps blank pieces without IGNORE_BLANK', 'a,,b', ',', {}, 0, ['a', '', 'b']],
      ['drops blank pieces with IGNORE_BLANK', 'a,,b,', ',', { ignoreBlank: true }, 0, ['a', 'b']],
      ['without a separator splits on runs of spaces and tabs', 'a \t b  c', undefined, { skipSpace: true, ignoreBlank: true }, 0, ['a', 'b', 'c']],
      ['with max, the last piece takes the rest', 'a b c d', undefined, { skipSpace: true, ignoreBlank: true }, 2, ['a', 'b c d']],
      ['with max and a separator, the rest keeps its separators', '127.0.0.1:9035 prometheus extra', ' ', { skipSpace: true, ignoreBlank: true }, 2, ['127.0.0.1:9035', 'prometheus extra']],
      ['STRIP_SPACE removes spaces inside pieces', 'a b, c d', ',', { skipSpace: true, stripSpace: true }, 0, ['ab', 'cd']],
      ['an empty string is one empty piece', '', ',', {}, 0, ['']],
      ['an empty string with IGNORE_BLANK is nothing', '', ',', { ignoreBlank: true }, 0, []],
      ['a NUL ends the string', 'a,b\0,c', ',', {}, 0, ['a', 'b']],
    ] as const)('%s', (_name, text, sep, flags, max, expected) => {
      expect(splitString(text, sep, flags, max)).toEqual(expected);
    });
  });

  describe('#eatWhitespace', () => {
    test.each([
      ['  x', 0, 2],
      ['\t\r\nx', 0, 3],
      ['# comment\nx', 0, 10],
      ['\vx', 0, 0],
      ['\fx', 0, 0],
      ['x', 0, 0],
    ])('skips spaces, tabs, CR, LF and comments in %j, not \\v or \\f', (text, from, expected) => {
      expect(eatWhitespace(text, from)).toBe(expected);
    });
  });

  describe('#findWhitespace', () => {
    test.each([
      ['9001 NoListen', 4],
      ['9001#x', 4],
      ['9001\tx', 4],
      ['9001', 4],
      ['90\v01', 5],
    ])('finds the end of the first token of %j', (text, expected) => {
      expect(findWhitespace(text, 0)).toBe(expected);
    });
  });

  describe('#isCIdentifier', () => {
    test.each(['obfs4', '_x', 'meek_lite', 'A1'])('accepts %j', (text) => expect(isCIdentifier(text)).toBe(true));
    test.each(['', '4obfs', 'obfs-4', 'a b', 'é'])('refuses %j', (text) => expect(isCIdentifier(text)).toBe(false));
  });

  describe('#isKeyValue', () => {
    test.each(['a=b', 'a=', 'cert=x=y'])('accepts %j', (text) => expect(isKeyValue(text)).toBe(true));
    test.each(['', '=', 'a', '=b', 'ab'])('refuses %j', (text) => expect(isKeyValue(text)).toBe(false));
  });

  describe('#isStrictUtf8', () => {
    test.each([
      ['ASCII', [0x61]],
      ['two bytes', [0xc3, 0xa9]],
      ['four bytes', [0xf0, 0x9f, 0x98, 0x80]],
      ['nothing', []],
    ])('accepts %s', (_name, bytes) => expect(isStrictUtf8(Uint8Array.from(bytes))).toBe(true));
    test.each([
      ['a lone continuation byte', [0x80]],
      ['a Latin-1 byte', [0xe9]],
      ['an overlong slash', [0xc0, 0xaf]],
      ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
    ])('refuses %s', (_name, bytes) => expect(isStrictUtf8(Uint8Array.from(bytes))).toBe(false));
  });

  describe('#base16Decode', () => {
    test('decodes an even number of hex digits that fits', () => {
      expect(base16Decode('00ff10', 3)).toEqual(Uint8Array.from([0, 255, 16]));
    });
    test.each([
      ['an odd length', 'abc', 8],
      ['a non-hex digit', 'zz', 8],
      ['more bytes than the buffer', '0011', 1],
    ])('refuses %s', (_name, text, capacity) => expect(base16Decode(text, capacity)).toBeUndefined());
  });

  describe('#base64DecodedLength', () => {
    test.each([
      ['43 characters of a 32-byte key', 'A'.repeat(43), 32, 32],
      ['the same with padding', `${'A'.repeat(43)}=`, 32, 32],
      ['whitespace is skipped', `AAAA ${'A'.repeat(39)}`, 32, 32],
      ['data ends at =', 'AAAA=AAAA', 32, 3],
      ['two leftover characters make one byte', 'AA', 32, 1],
    ])('%s', (_name, text, capacity, expected) => {
      expect(base64DecodedLength(text, capacity)).toBe(expected);
    });
    test.each([
      ['a character outside the alphabet', 'AA*A'],
      ['one leftover character', 'AAAAA'],
      ['a form feed', 'AA\fAA'],
      ['more bytes than the buffer', 'A'.repeat(44)],
    ])('refuses %s', (_name, text) => expect(base64DecodedLength(text, 32)).toBeUndefined());
  });

  describe('#cString', () => {
    test('ends the value at the first NUL', () => {
      expect(cString('ab\0cd')).toBe('ab');
      expect(cString('abcd')).toBe('abcd');
    });
  });
});
