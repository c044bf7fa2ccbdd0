import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import { describe, expect, test } from 'vitest';
import { emlHeadersFor, formatEml, quotedPrintable, rfc5322Date } from '../../src/letters/eml.js';
import type { EmlHeaders } from '../../src/letters/eml.js';
import { renderLetter } from '../../src/letters/render.js';
import { NOW, builtinTemplates, fullContext } from './helpers.js';

const headers: EmlHeaders = {
  from: { name: 'Alice Example', address: 'abuse@relay.example.org' },
  to: [{ name: 'Abuse Team', address: 'abuse@isp.example.net' }],
  date: new Date('2025-11-20T15:00:00Z'),
  messageId: '<letter-1@relay.example.org>',
  inReplyTo: '<report-42@hosting.example.com>',
};
const letter = { subject: 'Re: Abuse report for 192.0.2.10', body: 'Hello,\n\nShort letter.\n' };

const headerLines = (eml: string) => eml.slice(0, eml.indexOf('\r\n\r\n')).split('\r\n');
const firstAddress = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value[0] : value)?.value[0];

describe('letters/eml', () => {
  describe('#formatEml', () => {
    test('writes the headers in order, a blank line and the quoted-printable body, all with CRLF', () => {
      expect(formatEml(letter, headers)).toBe(
        [
          'From: "Alice Example" <abuse@relay.example.org>',
          'To: "Abuse Team" <abuse@isp.example.net>',
          'Subject: Re: Abuse report for 192.0.2.10',
          'Date: Thu, 20 Nov 2025 15:00:00 +0000',
          'Message-ID: <letter-1@relay.example.org>',
          'In-Reply-To: <report-42@hosting.example.com>',
          'References: <report-42@hosting.example.com>',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'Hello,',
          '',
          'Short letter.',
          '',
        ].join('\r\n'),
      );
    });

    test('leaves out In-Reply-To and References when the complaint has no Message-ID', () => {
      const { inReplyTo: _omit, ...rest } = headers;
      const lines = headerLines(formatEml(letter, rest));
      expect(lines.some((line) => /^(In-Reply-To|References):/i.test(line))).toBe(false);
    });

    test('adds brackets to a bare Message-ID and lists a whole thread in References', () => {
      const lines = headerLines(formatEml(letter, { ...headers, inReplyTo: 'b@example.com', references: ['<a@example.com>', 'b@example.com'] }));
      expect(lines).toContain('In-Reply-To: <b@example.com>');
      expect(lines).toContain('References: <a@example.com> <b@example.com>');
    });

    test('makes a Message-ID at the sender domain when none is given', () => {
      const { messageId: _omit, ...rest } = headers;
      const line = headerLines(formatEml(letter, rest)).find((entry) => entry.startsWith('Message-ID:'));
      expect(line).toMatch(/^Message-ID: <[0-9a-z]+\.[0-9a-f]{18}\.exitkit@relay\.example\.org>$/);
    });

    test.each<[string, Partial<EmlHeaders>, string]>([
      ['the subject', {}, 'Re: Abuse\r\nBcc: victim@example.com'],
      ['the sender name', { from: { name: 'Alice\r\nBcc: victim@example.com', address: 'abuse@relay.example.org' } }, letter.subject],
      ['the recipient name', { to: [{ name: 'Team\nBcc: victim@example.com', address: 'abuse@isp.example.net' }] }, letter.subject],
      ['the subject, with a bare CR', {}, 'Re: Abuse\rBcc: victim@example.com'],
    ])('an injected "\\r\\nBcc:" in %s cannot add a header', async (_name, override, subject) => {
      const eml = formatEml({ ...letter, subject }, { ...headers, ...override });
      expect(headerLines(eml).filter((line) => /^bcc:/i.test(line))).toEqual([]);
      expect(headerLines(eml).every((line) => /^[A-Za-z-]+: /.test(line) || line.startsWith(' '))).toBe(true);
      const parsed = await simpleParser(eml);
      expect(parsed.headers.has('bcc')).toBe(false);
      expect(parsed.bcc).toBeUndefined();
    });

    test.each<[string, Partial<EmlHeaders>, string]>([
      ['a recipient address with a header in it', { to: [{ address: 'abuse@isp.example.net\r\nBcc: victim@example.com' }] }, 'EML_BAD_ADDRESS'],
      ['a sender address with a header in it', { from: { address: 'abuse@relay.example.org\nBcc: victim@example.com' } }, 'EML_BAD_ADDRESS'],
      ['a recipient address with a display name in it', { to: [{ address: 'Team <abuse@isp.example.net>' }] }, 'EML_BAD_ADDRESS'],
      ['no recipient at all', { to: [] }, 'EML_BAD_ADDRESS'],
      ['a Message-ID with a header in it', { inReplyTo: '<a@example.com>\r\nBcc: victim@example.com' }, 'EML_BAD_MESSAGE_ID'],
      ['a Message-ID without a domain', { inReplyTo: '<just-text>' }, 'EML_BAD_MESSAGE_ID'],
      ['a Message-ID with a space', { messageId: '<a b@example.com>' }, 'EML_BAD_MESSAGE_ID'],
    ])('refuses %s', (_name, override, code) => {
      expect(() => formatEml(letter, { ...headers, ...override })).toThrow(expect.objectContaining({ code }));
    });

    test('encodes non-ASCII names and subjects as RFC 2047 words that decode back', async () => {
      const subject = 'Re: Beschwerde über 192.0.2.10 – Missbrauch gemeldet, bitte um Prüfung und Rückmeldung 😀';
      const eml = formatEml(
        { ...letter, subject },
        { ...headers, from: { name: 'Zoë Ångström', address: 'abuse@relay.example.org' }, to: [{ name: 'Équipe "Abus"', address: 'abuse@isp.example.net' }] },
      );
      const lines = headerLines(eml);
      expect(lines.every((line) => /^[\x20-\x7e]*$/.test(line) && line.length <= 78)).toBe(true);
      const parsed = await simpleParser(eml);
      expect(parsed.subject).toBe(subject);
      expect(firstAddress(parsed.from)).toEqual({ name: 'Zoë Ångström', address: 'abuse@relay.example.org' });
      expect(firstAddress(parsed.to)).toEqual({ name: 'Équipe "Abus"', address: 'abuse@isp.example.net' });
    });

    test('quotes ASCII display names with special characters', async () => {
      const eml = formatEml(letter, { ...headers, to: [{ name: 'Example, Inc. "Abuse" \\ Desk', address: 'abuse@isp.example.net' }] });
      expect(headerLines(eml)).toContain('To: "Example, Inc. \\"Abuse\\" \\\\ Desk" <abuse@isp.example.net>');
      expect(firstAddress((await simpleParser(eml)).to)).toEqual({ name: 'Example, Inc. "Abuse" \\ Desk', address: 'abuse@isp.example.net' });
    });

    test('folds a long subject between words', () => {
      const subject = `Re: ${'word '.repeat(30).trim()}`;
      const lines = headerLines(formatEml({ ...letter, subject }, headers));
      const start = lines.findIndex((line) => line.startsWith('Subject:'));
      expect(lines[start + 1]?.startsWith(' ')).toBe(true);
      expect(lines.every((line) => line.length <= 78)).toBe(true);
    });

    test('lists several recipients', async () => {
      const eml = formatEml(letter, { ...headers, to: [{ address: 'a@example.com' }, { name: 'B', address: 'b@example.com' }], cc: [{ address: 'c@example.com' }] });
      const parsed = await simpleParser(eml);
      const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
      expect(to?.value.map((box) => box.address)).toEqual(['a@example.com', 'b@example.com']);
      expect(firstAddress(parsed.cc)?.address).toBe('c@example.com');
    });

    test('carries a rendered letter whose body an independent parser reads back unchanged', async () => {
      const context = fullContext();
      context.operator = { ...context.operator, name: 'Zoë Example', signature: ['Grüße aus Berlin', 'PGP: 0123 4567 89AB CDEF = key'] };
      const rendered = renderLetter('dmca', context, { templates: await builtinTemplates(), now: NOW });
      const eml = formatEml(rendered, emlHeadersFor(context, NOW));
      const parsed = await simpleParser(eml);
      expect(parsed.text).toBe(rendered.body);
      expect(parsed.subject).toBe(rendered.subject);
      expect(parsed.inReplyTo).toBe('<report-42@hosting.example.com>');
      expect(parsed.references).toBe('<report-42@hosting.example.com>');
      expect(eml.split('\r\n').every((line) => line.length <= 78)).toBe(true);
      expect(/^[\x00-\x7f]*$/.test(eml)).toBe(true);
    });
  });

  describe('#quotedPrintable', () => {
    test.each([
      ['plain ASCII', 'Hello, world.\n', 'Hello, world.\r\n'],
      ['an equals sign', 'a=b\n', 'a=3Db\r\n'],
      ['trailing blanks', 'end \nend\t\n', 'end=20\r\nend=09\r\n'],
      ['UTF-8 text', 'Grüße\n', 'Gr=C3=BC=C3=9Fe\r\n'],
      ['a line starting "From "', 'From here on\nFrom\n', '=46rom here on\r\nFrom\r\n'],
      ['blank lines', 'a\n\nb\n', 'a\r\n\r\nb\r\n'],
    ])('encodes %s', (_name, text, expected) => {
      expect(quotedPrintable(text)).toBe(expected);
    });

    test('breaks long lines softly at 76 characters without splitting an escape', () => {
      const text = `${'x'.repeat(74)}ü${'y'.repeat(100)}\n`;
      const encoded = quotedPrintable(text);
      const lines = encoded.split('\r\n').slice(0, -1);
      expect(lines.every((line) => line.length <= 76)).toBe(true);
      expect(lines.slice(0, -1).every((line) => line.endsWith('='))).toBe(true);
      expect(encoded.replace(/=\r\n/g, '')).toBe(`${'x'.repeat(74)}=C3=BC${'y'.repeat(100)}\r\n`);
    });
  });

  describe('#rfc5322Date', () => {
    test.each([
      ['2025-11-20T15:00:00Z', 'Thu, 20 Nov 2025 15:00:00 +0000'],
      ['2024-02-29T00:00:09Z', 'Thu, 29 Feb 2024 00:00:09 +0000'],
      ['2026-01-04T23:59:59.999Z', 'Sun, 4 Jan 2026 23:59:59 +0000'],
    ])('%s → %s', (iso, expected) => {
      expect(rfc5322Date(new Date(iso))).toBe(expected);
    });
  });

  describe('#emlHeadersFor', () => {
    test('writes from the operator to the recipient, in reply to the complaint', () => {
      expect(emlHeadersFor(fullContext(), NOW)).toEqual({
        from: { name: 'Alice Example', address: 'abuse@relay.example.org' },
        to: [{ name: 'Abuse Team', address: 'abuse@isp.example.net' }],
        date: NOW,
        inReplyTo: '<report-42@hosting.example.com>',
      });
    });

    test('falls back to the complainant when there is no recipient address', () => {
      const context = fullContext();
      context.recipient = { name: 'Ignored' };
      expect(emlHeadersFor(context, NOW).to).toEqual([{ name: 'Example Hosting GmbH', address: 'noc@hosting.example.com' }]);
    });

    test('refuses a letter with nobody to send it to', () => {
      const context = fullContext();
      context.recipient = {};
      context.complaint = { ...context.complaint!, complainant: {} };
      expect(() => emlHeadersFor(context, NOW)).toThrow(expect.objectContaining({ code: 'EML_BAD_ADDRESS', field: 'recipient.email' }));
    });
  });
});
