import { describe, expect, test } from 'vitest';
import { isTorSpace, lexTorrc, prepareTorrcText, rawOffset, unescapeTorString, type LexEntry } from '../../src/torrc/lexer.js';
import { source } from '../helpers/source.js';

/** Key/value pairs Tor reads from a file's text (after its CR/NUL handling). */
function read(text: string): Array<[string, string]> {
  return entries(text).map((e) => [e.rawKey, e.value]);
}

function entries(text: string): LexEntry[] {
  return lexTorrc(prepareTorrcText(text).text).filter((n): n is LexEntry => n.kind === 'entry');
}

function failure(text: string): string | undefined {
  return entries(text).find((e) => e.failure)?.failure?.code;
}

describe('torrc/lexer', () => {
  describe('#lexTorrc', () => {
    // Fact sheet §7.1 (L1–L14; L15 and L16 are keyword lookups, see options and config tests).
    test.each([
      ['L1 trims trailing whitespace', 'key    value with spaces   \n', [['key', 'value with spaces']]],
      ['L2 reads a key without value', 'k2\n', [['k2', '']]],
      ['L3 ends the key at #', 'k4#a\n', [['k4', '']]],
      ['L4 ends the value at a comment', 'k6 val #with comment\n', [['k6', 'val']]],
      ['L5 ends the value at # without a space', 'k3 /home/user/myTorNetwork#2\n', [['k3', '/home/user/myTorNetwork']]],
      ['L6 decodes a quoted value', 'kseven   "a quoted \'string"\n', [['kseven', "a quoted 'string"]]],
      ['L7 decodes C escapes', 'k8 "a \\x71uoted\\n\\"str\\\\ing\\t\\001\\01\\1\\""\n', [['k8', 'a quoted\n"str\\ing\t\x01\x01\x01"']]],
      ['L8 joins a continuation', 'k9 a line that\\\n spans two lines.\n', [['k9', 'a line that spans two lines.']]],
      ['L9 drops a comment line inside a continuation', 'k12 line with a\\\n#comment\n embedded\n', [['k12', 'line with a embedded']]],
      [
        'L10 does not continue after a backslash in a comment',
        'k14 a line that has a comment and # ends with a slash \\\nk15 this should be the next new line\n',
        [['k14', 'a line that has a comment and'], ['k15', 'this should be the next new line']],
      ],
      ['L13 reads CRLF lines', 'Hello world\r\nHello "nice big world"\r\n', [['Hello', 'world'], ['Hello', 'nice big world']]],
      ['L14 swallows the next line after a comment in a continuation', 'ExitPolicy a, \\\n  b # c\nNickname x\n', [['ExitPolicy', 'a,   b Nickname x']]],
    ])('%s', (_name, text, expected) => {
      expect(read(text)).toEqual(expected);
    });

    // src/test/test_util.c, test_util_config_line: one file, every entry in order.
    test('reads the test_util_config_line file of Tor', () => {
      const text =
        'k v\n key    value with spaces   \nkeykey val\nk2\nk3 \n\n   \n#comment\nk4#a\nk5#abc\nk6 val #with comment\n' +
        'kseven   "a quoted \'string"\nk8 "a \\x71uoted\\n\\"str\\\\ing\\t\\001\\01\\1\\""\n' +
        'k9 a line that\\\n spans two lines.\n\nk10 more than\\\n one contin\\\nuation\nk11  \\\ncontinuation at the start\n' +
        'k12 line with a\\\n#comment\n embedded\nk13\\\ncontinuation at the very start\n' +
        'k14 a line that has a comment and # ends with a slash \\\nk15 this should be the next new line\n' +
        'k16 a line that has a comment and # ends without a slash \nk17 this should be the next new line\n';
      expect(read(text)).toEqual([
        ['k', 'v'], ['key', 'value with spaces'], ['keykey', 'val'], ['k2', ''], ['k3', ''], ['k4', ''], ['k5', ''],
        ['k6', 'val'], ['kseven', "a quoted 'string"], ['k8', 'a quoted\n"str\\ing\t\x01\x01\x01"'],
        ['k9', 'a line that spans two lines.'], ['k10', 'more than one continuation'], ['k11', 'continuation at the start'],
        ['k12', 'line with a embedded'], ['k13', 'continuation at the very start'], ['k14', 'a line that has a comment and'],
        ['k15', 'this should be the next new line'], ['k16', 'a line that has a comment and'], ['k17', 'this should be the next new line'],
      ]);
    });

    // test_util_config_line_escaped_content and _comment_character.
    test.each([
      ['HexadecimalLower "\\x2a"', '*'],
      ['HexadecimalUpper "\\x2A"', '*'],
      ['HexadecimalUpperX "\\X2A"', '*'],
      ['Octal "\\52"', '*'],
      ['Newline "\\n"', '\n'],
      ['Tab "\\t"', '\t'],
      ['CarriageReturn "\\r"', '\r'],
      ['DoubleQuote "\\""', '"'],
      ['SimpleQuote "\\\'"', "'"],
      ['Backslash "\\\\"', '\\'],
      ['Mix "This is a \\"star\\":\\t\\\'\\x2a\\\'\\nAnd second line"', 'This is a "star":\t\'*\'\nAnd second line'],
      ['k1 "# in quotes"', '# in quotes'],
      ['k2 some value    # some comment', 'some value'],
      ['kTrailingSpace "quoted value"   ', 'quoted value'],
      ['k "octal \\101\\0012"', 'octal A\x012'],
      ['k "quoted" # comment', 'quoted'],
      ['k ""', ''],
      ['k\t\ttabbed value\t', 'tabbed value'],
      ['k\vvertical', '\vvertical'],
      ['k a\\b\\c', 'a\\b\\c'],
    ])('reads %j', (line, value) => {
      expect(read(`${line}\n`)[0]?.[1]).toBe(value);
    });

    test.each([
      ['kTrailingGarbage "quoted value"trailing garbage', 'TORRC_EXCESS_AFTER_QUOTE'],
      ['kTrailingSpaceAndGarbage "quoted value" trailing space+g', 'TORRC_EXCESS_AFTER_QUOTE'],
      ['Foo "hello" world', 'TORRC_EXCESS_AFTER_QUOTE'],
      ['Foo "hello"\\', 'TORRC_EXCESS_AFTER_QUOTE'],
      ['Foo "hello"\v', 'TORRC_EXCESS_AFTER_QUOTE'],
      ['kMultilineTrailingSpace "mline\\ \nvalue w/ trailing sp"', 'TORRC_BAD_QUOTED_STRING'],
      ['kMultilineNoTrailingBackslash "naked multiline\nvalue"', 'TORRC_BAD_QUOTED_STRING'],
      ['BrokenEscapedContent "\\a"', 'TORRC_BAD_QUOTED_STRING'],
      ['BrokenEscapedContent "\\x"', 'TORRC_BAD_QUOTED_STRING'],
      ['BrokenOctal "\\8"', 'TORRC_BAD_QUOTED_STRING'],
      ['BrokenHex "\\xg4"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "\\x9g"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "\\xf"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "\\q"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "\\?"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "\\400"', 'TORRC_BAD_QUOTED_STRING'],
      ['Foo "hello', 'TORRC_BAD_QUOTED_STRING'],
      ['BrokenEscape "\\', 'TORRC_BAD_QUOTED_STRING'],
    ])('refuses %j with %s (L11, L12)', (line, code) => {
      expect(failure(line)).toBe(code);
      expect(failure(`${line}\n`)).toBe(code);
    });

    test.each([
      ['a continuation between key and value', 'Hello\\\nWorld\n', [['Hello', 'World']]],
      ['a continuation right after the key', 'Hel\\\nlo World\n', [['Hel', 'lo World']]],
      ['a blank line ending a continuation (the backslash stays)', 'k a\\\n\nNickname x\n', [['k', 'a\\'], ['Nickname', 'x']]],
      ['a continuation at the end of the file', 'k a\\\n', [['k', 'a\\']]],
      ['a whitespace-only line ending the swallowing (the space before the comment stays)', 'k a\\\n  b # c\n   \nNickname x\n', [['k', 'a  b '], ['Nickname', 'x']]],
      ['comment lines swallowed inside a continuation', 'k a\\\n# one\n# two\nb\nc d\n', [['k', 'ab'], ['c', 'd']]],
      ['an indented key', '   \t Nickname  x\n', [['Nickname', 'x']]],
      ['a key made of the backslash-newline only', '\\\nfoo\n', [['', 'foo']]],
      ['a quote after a continuation as plain text', 'k\\\n"a b"\n', [['k', '"a b"']]],
      ['CRs anywhere (Tor drops every CR when reading a file)', 'Nick\rname a\rb\r\n', [['Nickname', 'ab']]],
      ['a CRLF continuation', 'k a\\\r\n  b\r\n', [['k', 'a  b']]],
      ['nothing after a NUL byte', 'Nickname ab\0cd\nContactInfo x\n', [['Nickname', 'ab']]],
      ['a byte-order mark as part of the first key', '\uFEFFNickname x\n', [['\uFEFFNickname', 'x']]],
      ['a byte-order mark before a comment as an empty key', '\uFEFF# c\nNickname x\n', [['\uFEFF', ''], ['Nickname', 'x']]],
      ['the last line without newline', 'a 1\nb 2', [['a', '1'], ['b', '2']]],
      ['form feed and vertical tab as blank space', '\f\v\n\tk v\n', [['k', 'v']]],
    ])('reads %s', (_name, text, expected) => {
      expect(read(text)).toEqual(expected);
    });

    test('covers the text with contiguous nodes', () => {
      const text = source`
        # comment
        ExitPolicy a, \
          b
           
        Nickname x # note
      `;
      const nodes = lexTorrc(text);
      expect(nodes.map((n) => n.kind)).toEqual(['comment', 'entry', 'blank', 'entry']);
      let pos = 0;
      for (const node of nodes) {
        expect(node.start).toBe(pos);
        pos = node.end;
      }
      expect(pos).toBe(text.length);
    });

    test.each([
      ['a line that was swallowed', 'k a\\\n b # c\nNickname x\n', [3]],
      ['lines swallowed after comment lines', 'k a\\\n# one\nb\n', [3]],
      ['nothing after a blank line', 'k a\\\n b # c\n\nNickname x\n', []],
      ['nothing for a plain continuation', 'k a\\\n b\nc d\n', []],
    ])('records %s', (_name, text, lines) => {
      const entry = entries(text)[0] as LexEntry;
      const lineOf = (pos: number): number => text.slice(0, pos).split('\n').length;
      expect(entry.joined.map(lineOf)).toEqual(lines);
    });

    test.each([
      ['Nickname x\n', 'newline'],
      ['Nickname x', 'eof'],
      ['Nickname x # c \\', 'eof'],
      ['Nickname "x"', 'eof'],
      ['k a \\', 'eof-backslash'],
      ['k a\\\n b # c', 'eof-backslash'],
      ['k a\\\n', 'eof-open'],
      ['k a\\\n b # c\n', 'eof-open'],
      ['k a\\\n b', 'eof'],
    ])('says how text appended after %j would be read: %s', (text, state) => {
      expect(entries(text).at(-1)?.endState).toBe(state);
    });
  });

  describe('#prepareTorrcText', () => {
    test('drops CRs and stops at the first NUL, keeping a map to the source', () => {
      const prepared = prepareTorrcText('a\r\nb\r\0c\r\n');
      expect(prepared.text).toBe('a\nb');
      expect(prepared.cutoff).toBe(5);
      expect(prepared.rawIndex).toEqual([0, 2, 3]);
      expect([0, 1, 2].map((i) => rawOffset(prepared, i))).toEqual([0, 2, 3]);
    });

    test('needs no map when there is no CR before the cutoff', () => {
      const prepared = prepareTorrcText('a\nb\0c\r\n');
      expect(prepared).toEqual({ text: 'a\nb', rawIndex: undefined, cutoff: 3 });
      expect(rawOffset(prepared, 2)).toBe(2);
    });
  });

  describe('#unescapeTorString', () => {
    test.each([
      ['"plain"', 'plain', 7],
      ['"\\x41\\x42" tail', 'AB', 10],
      ['"\\0"', '\0', 4],
      ['"\\377"', '\xff', 6],
      ['"\\1234"', 'S4', 7],
    ])('decodes %j', (text, value, end) => {
      expect(unescapeTorString(text, 0)).toEqual({ ok: true, value, end });
    });

    test('rebuilds escaped UTF-8 bytes into characters', () => {
      expect(unescapeTorString('"caf\\xc3\\xa9 \\303\\251"', 0)).toMatchObject({ ok: true, value: 'café é' });
    });

    test.each([
      ['"abc', 4],
      ['"a\\qb"', 2],
      ['"\\x4"', 1],
      ['"a\nb"', 2],
      ['"\\777"', 1],
      ['abc', 0],
    ])('points at the first character Tor refuses in %j', (text, pos) => {
      expect(unescapeTorString(text, 0)).toEqual({ ok: false, pos });
    });
  });

  describe('#isTorSpace', () => {
    test.each([' ', '\t', '\n', '\v', '\f', '\r'])('counts %j as space', (c) => expect(isTorSpace(c)).toBe(true));
    test.each(['a', '\u00a0', '\uFEFF', '#', undefined])('does not count %j', (c) => expect(isTorSpace(c)).toBe(false));
  });
});
