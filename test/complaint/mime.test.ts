import { describe, expect, test } from 'vitest';
import { decodeCharset, decodeQuotedPrintable, decodeTransfer, leaves, partText, readMimeTree, splitHeaderBody, splitMultipart, unflow } from '../../src/complaint/mime.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'));

describe('complaint/mime', () => {
  describe('#splitHeaderBody', () => {
    test.each([
      ['Subject: a\n\nbody', 'Subject: a', 'body'],
      ['Subject: a\r\n\r\nbody\r\n', 'Subject: a', 'body\r\n'],
      ['From x@y Mon Jan  1 00:00:00 2024\nSubject: a\n\nbody', 'Subject: a', 'body'],
      ['no header here\n\nbody', '', 'no header here\n\nbody'],
      ['Subject: only headers', 'Subject: only headers', ''],
    ])('%j', (raw, header, body) => {
      const parts = splitHeaderBody(Buffer.from(raw));
      expect([parts.header.toString(), parts.body.toString()]).toEqual([header, body]);
    });
  });

  describe('#splitMultipart', () => {
    test('splits at delimiters that start a line, ignoring preamble, epilogue and padding', () => {
      const body = Buffer.from('preamble\n--b \nA\n--b\r\nB\r\n--bx not a delimiter\n--b--\nepilogue');
      const { parts, closed } = splitMultipart(body, 'b');
      expect(parts.map((p) => p.toString())).toEqual(['A', 'B\r\n--bx not a delimiter']);
      expect(closed).toBe(true);
    });

    test('a missing close delimiter ends the last part at the end of the input', () => {
      const { parts, closed } = splitMultipart(Buffer.from('--b\nA\n--b\nB\n'), 'b');
      expect(parts.map((p) => p.toString())).toEqual(['A', 'B\n']);
      expect(closed).toBe(false);
    });

    test('a boundary in the middle of a line is not a delimiter', () => {
      expect(splitMultipart(Buffer.from('x--b\n--b--'), 'b').parts).toEqual([]);
    });
  });

  describe('#decodeQuotedPrintable', () => {
    test.each([
      ['a=3Db', 'a=b'],
      ['soft=\r\nbreak', 'softbreak'],
      ['soft= \nbreak', 'softbreak'],
      ['=E2=80=99', '\u2019'],
      ['bad =ZZ escape', 'bad =ZZ escape'],
      ['trailing =', 'trailing '],
    ])('%j → %j', (qp, text) => {
      expect(decodeQuotedPrintable(Buffer.from(qp)).toString('utf8')).toBe(text);
    });
  });

  describe('#decodeTransfer', () => {
    test.each([
      ['base64', 'aGVs\r\nbG8=', 'hello'],
      ['base64', 'aGVs bG8*!', 'hello'],
      ['quoted-printable', 'h=C3=A9', 'hé'],
      ['7bit', 'as is', 'as is'],
      ['7-bit', 'as is', 'as is'],
    ])('%s %j → %j', (encoding, body, text) => {
      expect(decodeTransfer(Buffer.from(body), encoding).toString('utf8')).toBe(text);
    });
  });

  describe('#decodeCharset', () => {
    test.each([
      [Buffer.from([0x50, 0x6f, 0x72, 0x74, 0x75, 0x67, 0x75, 0xea, 0x73]), 'iso-8859-1', 'Português'],
      [Buffer.from('hé'), 'utf8', 'hé'],
      [Buffer.from('hé'), '"UTF-8"', 'hé'],
      [Buffer.from('hé'), 'x-unknown-charset', 'hé'],
      [Buffer.from('plain'), undefined, 'plain'],
    ])('%j as %s', (bytes, charset, text) => {
      expect(decodeCharset(bytes, charset)).toBe(text);
    });
  });

  describe('#unflow', () => {
    test.each([
      ['a soft \nbreak', false, 'a soft break'],
      ['a soft \nbreak', true, 'a softbreak'],
      [' >stuffed\nline', false, '>stuffed\nline'],
      ['-- \nsig', false, '-- \nsig'],
    ])('%j (delsp %s)', (text, delSp, out) => {
      expect(unflow(text, delSp)).toBe(out);
    });
  });

  describe('#readMimeTree', () => {
    test('reads nested multiparts and attached messages, with ids and envelopes', async () => {
      const raw = crlf(
        [
          'From: Outer <outer@example.org>',
          'Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9?=',
          'Message-ID: <m1@example.org>',
          'References: <r0@example.org> <r1@example.org>',
          'Date: Mon, 01 Jan 2024 10:00:00 +0100',
          'Content-Type: multipart/mixed; boundary="outer"',
          '',
          '--outer',
          'Content-Type: multipart/alternative; boundary="alt"',
          '',
          '--alt',
          'Content-Type: text/plain; charset=iso-8859-1',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'caf=E9',
          '--alt',
          'Content-Type: text/html',
          '',
          '<p>cafe</p>',
          '--alt--',
          '--outer',
          'Content-Type: message/rfc822',
          '',
          'From: Inner <inner@example.org>',
          'Subject: inner',
          '',
          'inner body',
          '--outer',
          "Content-Type: text/plain; name*=utf-8''r%C3%A9port.txt",
          'Content-Transfer-Encoding: base64',
          '',
          'aGVsbG8=',
          '--outer--',
          '',
        ].join('\n'),
      );
      const { root, problems } = await readMimeTree(raw);
      expect(problems).toEqual([]);
      expect(root.envelope).toMatchObject({
        subject: 'Résumé',
        from: { name: 'Outer', address: 'outer@example.org' },
        messageId: '<m1@example.org>',
        references: ['<r0@example.org>', '<r1@example.org>'],
        dateText: 'Mon, 01 Jan 2024 10:00:00 +0100',
      });
      const all = leaves(root);
      expect(all.map((p) => [p.id, p.contentType, p.filename])).toEqual([
        ['1.1', 'text/plain', null],
        ['1.2', 'text/html', null],
        ['2.1', 'text/plain', null],
        ['3', 'text/plain', 'réport.txt'],
      ]);
      expect(all.map((p) => partText(p))).toEqual(['café', '<p>cafe</p>', 'inner body', 'hello']);
      expect(root.children[1]?.children[0]?.envelope).toMatchObject({ subject: 'inner', from: { address: 'inner@example.org' } });
    });

    test('a multipart without boundary parameter is read as one leaf', async () => {
      const { root } = await readMimeTree(Buffer.from('Content-Type: multipart/report\n\n{"a":1}'));
      expect(leaves(root).map((p) => partText(p))).toEqual(['{"a":1}']);
    });

    test('nesting beyond the limit is reported and not followed', async () => {
      let raw = 'Subject: x\n\nend';
      for (let i = 0; i < 5; i++) raw = `Content-Type: message/rfc822\n\n${raw}`;
      const { problems } = await readMimeTree(Buffer.from(raw), { limits: { maxDepth: 3, maxParts: 100 } });
      expect(problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_MIME']);
    });

    test('more parts than the limit are reported and the rest skipped', async () => {
      const parts = Array.from({ length: 10 }, (_, i) => `--b\n\np${i}\n`).join('');
      const { root, problems } = await readMimeTree(Buffer.from(`Content-Type: multipart/mixed; boundary=b\n\n${parts}--b--\n`), { limits: { maxDepth: 5, maxParts: 4 } });
      expect(leaves(root)).toHaveLength(3);
      expect(problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_MIME']);
    });

    test('a missing closing boundary is a warning naming the part', async () => {
      const { problems } = await readMimeTree(Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b\n\ntext\n'));
      expect(problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_MIME', severity: 'warning', part: 'part 0' })]);
    });
  });
});
