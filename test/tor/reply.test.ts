import { describe, expect, test } from 'vitest';
import {
  ReplyParser,
  encodeData,
  isAsyncReply,
  parseArguments,
  parseGetInfoReply,
  parseProtocolInfo,
  quoteString,
  readQuotedString,
  type ControlReply,
} from '../../src/tor/reply.js';

function parseAll(text: string): ControlReply[] {
  return new ReplyParser().push(text);
}

describe('tor/reply', () => {
  describe('#ReplyParser', () => {
    test('reads a one-line reply', () => {
      expect(parseAll('250 OK\r\n')).toEqual([{ status: 250, lines: [{ status: 250, kind: 'end', text: 'OK' }] }]);
    });

    test('collects mid lines until the end line', () => {
      const [reply] = parseAll('250-version=0.4.9.11\r\n250-fingerprint=ABC\r\n250 OK\r\n');
      expect(reply?.lines.map((l) => [l.kind, l.text])).toEqual([
        ['mid', 'version=0.4.9.11'],
        ['mid', 'fingerprint=ABC'],
        ['end', 'OK'],
      ]);
    });

    test('reads a data block and removes dot-stuffing', () => {
      const [reply] = parseAll('250+exit-policy/full=\r\nreject *:25\r\n..hidden\r\n.\r\n250 OK\r\n');
      expect(reply?.lines[0]).toEqual({
        status: 250,
        kind: 'data',
        text: 'exit-policy/full=',
        data: 'reject *:25\n.hidden',
      });
    });

    test('an empty data block is an empty string', () => {
      const [reply] = parseAll('250+config-text=\r\n.\r\n250 OK\r\n');
      expect(reply?.lines[0]?.data).toBe('');
    });

    test('a line that looks like an end line inside a data block is data', () => {
      const [reply] = parseAll('250+x=\r\n250 OK\r\n.\r\n250 OK\r\n');
      expect(reply?.lines[0]?.data).toBe('250 OK');
      expect(reply?.lines).toHaveLength(2);
    });

    test('accepts bare LF line ends', () => {
      expect(parseAll('250-a=1\n250 OK\n')[0]?.lines).toHaveLength(2);
    });

    test('returns replies in order, events (6xx) among them', () => {
      const replies = parseAll('250 OK\r\n650 DESCCHANGED\r\n552 Unrecognized key "x"\r\n');
      expect(replies.map((r) => [r.status, isAsyncReply(r)])).toEqual([
        [250, false],
        [650, true],
        [552, false],
      ]);
    });

    test('any split of the input gives the same replies', () => {
      const text = '250-a=1\r\n250+b=\r\nline\r\n..x\r\n.\r\n250 OK\r\n650-CONF_CHANGED\r\n650-Nickname=x\r\n650 OK\r\n';
      const whole = parseAll(text);
      for (let cut = 1; cut < text.length; cut += 1) {
        const parser = new ReplyParser();
        const replies = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
        expect(replies).toEqual(whole);
      }
      const byteByByte = new ReplyParser();
      expect([...text].flatMap((c) => byteByByte.push(c))).toEqual(whole);
      expect(byteByByte.isIdle()).toBe(true);
    });

    test('keeps a partial reply until it is complete', () => {
      const parser = new ReplyParser();
      expect(parser.push('250-a=1\r\n250 O')).toEqual([]);
      expect(parser.isIdle()).toBe(false);
      expect(parser.push('K\r\n')).toHaveLength(1);
    });

    test.each([
      ['no status code', 'hello\r\n'],
      ['two digits', '25 OK\r\n'],
      ['bad separator', '250_OK\r\n'],
      ['no separator', '250\r\n'],
    ])('rejects a line with %s', (_name, text) => {
      expect(() => parseAll(text)).toThrow(expect.objectContaining({ code: 'TOR_CONTROL_PROTOCOL' }));
    });
  });

  describe('#encodeData', () => {
    test.each([
      ['plain lines', 'a\nb\n', 'a\r\nb\r\n.\r\n'],
      ['no final newline', 'a\nb', 'a\r\nb\r\n.\r\n'],
      ['CRLF input', 'a\r\nb\r\n', 'a\r\nb\r\n.\r\n'],
      ['a line starting with a dot', '.x\n..y\nz.\n', '..x\r\n...y\r\nz.\r\n.\r\n'],
      ['a lone dot', '.\n', '..\r\n.\r\n'],
      ['empty body', '', '.\r\n'],
      ['blank lines kept', 'a\n\nb\n', 'a\r\n\r\nb\r\n.\r\n'],
    ])('%s', (_name, body, encoded) => {
      expect(encodeData(body)).toBe(encoded);
    });

    test('what the parser reads back is the original body', () => {
      const body = 'ExitPolicy accept *:80\n.hidden\n..two\n\nlast';
      const [reply] = new ReplyParser().push(`250+x=\r\n${encodeData(body)}250 OK\r\n`);
      expect(reply?.lines[0]?.data).toBe(body);
    });
  });

  describe('#quoteString', () => {
    test.each([
      ['plain', 'secret', '"secret"'],
      ['quote and backslash', 'a"b\\c', '"a\\"b\\\\c"'],
      ['newline', 'a\nb', '"a\\nb"'],
    ])('%s', (_name, value, quoted) => {
      expect(quoteString(value)).toBe(quoted);
      expect(readQuotedString(quoted, 0)).toEqual({ value, end: quoted.length });
    });
  });

  describe('#readQuotedString', () => {
    test.each([
      ['simple escapes', '"a\\tb\\r\\n\\\'"', "a\tb\r\n'"],
      ['hex escape', '"\\x41\\X42"', 'AB'],
      ['octal escapes', '"\\101\\60\\0"', 'A0\0'],
      ['path', '"/run/tor/control.authcookie"', '/run/tor/control.authcookie'],
    ])('decodes %s', (_name, text, value) => {
      expect(readQuotedString(text, 0).value).toBe(value);
    });

    test.each([
      ['no opening quote', 'abc'],
      ['unterminated', '"abc'],
      ['bad escape', '"\\q"'],
      ['short hex escape', '"\\x4"'],
    ])('rejects %s', (_name, text) => {
      expect(() => readQuotedString(text, 0)).toThrow(expect.objectContaining({ code: 'TOR_CONTROL_PROTOCOL' }));
    });
  });

  describe('#parseArguments', () => {
    test('splits words and KEY=VALUE pairs, decoding quoted values', () => {
      const { words, keywords } = parseArguments('AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/var/lib/tor/control auth"');
      expect(words).toEqual(['AUTH']);
      expect([...keywords]).toEqual([
        ['METHODS', 'COOKIE,SAFECOOKIE'],
        ['COOKIEFILE', '/var/lib/tor/control auth'],
      ]);
    });

    test('tolerates repeated spaces', () => {
      expect(parseArguments('  A   B=1  ').words).toEqual(['A']);
    });
  });

  describe('#parseGetInfoReply', () => {
    test('reads single-line and multi-line answers', () => {
      const [reply] = parseAll('250-version=0.4.9.11\r\n250+exit-policy/full=\r\nreject *:25\r\naccept *:*\r\n.\r\n250 OK\r\n');
      expect([...parseGetInfoReply(reply!)]).toEqual([
        ['version', '0.4.9.11'],
        ['exit-policy/full', 'reject *:25\naccept *:*'],
      ]);
    });

    test('an answer may hold "=" itself', () => {
      const [reply] = parseAll('250-config/names=a=b\r\n250 OK\r\n');
      expect(parseGetInfoReply(reply!).get('config/names')).toBe('a=b');
    });

    test('a line without "=" is a protocol error', () => {
      const [reply] = parseAll('250-garbage\r\n250 OK\r\n');
      expect(() => parseGetInfoReply(reply!)).toThrow(expect.objectContaining({ code: 'TOR_CONTROL_PROTOCOL' }));
    });
  });

  describe('#parseProtocolInfo', () => {
    test.each([
      [
        'cookie methods with a quoted file',
        '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/run/tor/control.authcookie"\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n',
        { protocolVersion: 1, authMethods: ['COOKIE', 'SAFECOOKIE'], cookieFile: '/run/tor/control.authcookie', torVersion: '0.4.9.11' },
      ],
      [
        'no authentication',
        '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n',
        { protocolVersion: 1, authMethods: ['NULL'], cookieFile: undefined, torVersion: '0.4.9.11' },
      ],
      [
        'password only, lower-case method names',
        '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=hashedpassword\r\n250 OK\r\n',
        { protocolVersion: 1, authMethods: ['HASHEDPASSWORD'], cookieFile: undefined, torVersion: undefined },
      ],
    ])('%s', (_name, text, info) => {
      expect(parseProtocolInfo(parseAll(text)[0]!)).toEqual(info);
    });
  });
});
