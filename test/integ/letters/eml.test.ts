/**
 * `.eml` output read back by an independent parser: Python's standard `email` package.
 * Under CI=true a missing python3 fails the suite; elsewhere it is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { emlHeadersFor, formatEml } from '../../../src/letters/eml.js';
import type { EmlHeaders } from '../../../src/letters/eml.js';
import { renderLetter } from '../../../src/letters/render.js';
import { requireTool } from '../../helpers/require-tool.js';
import { MIDDLE_CHANGE, NOW, builtinTemplates, fullContext } from '../../letters/helpers.js';

const python = requireTool('python3', 'the .eml parse-back tests');
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'parse-eml.py');

interface PythonView {
  headers: Array<[string, string]>;
  from: Array<[string, string]> | null;
  to: Array<[string, string]> | null;
  bcc: Array<[string, string]> | null;
  contentType: string;
  charset: string;
  transferEncoding: string;
  body: string;
  defects: string[];
}

function readWithPython(eml: string): PythonView {
  const run = spawnSync(python.path as string, [SCRIPT], { input: Buffer.from(eml, 'utf8'), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PythonView;
}

describe.skipIf(!python.available)('integ/letters/eml', () => {
  test('python reads back the same headers and body as were written', async () => {
    const context = fullContext();
    context.operator = { ...context.operator, name: 'Zoë Ångström', signature: ['Grüße aus Berlin', 'PGP: 0123 4567 89AB CDEF'] };
    context.recipient = { name: 'Équipe abus, Example Networks', email: 'abuse@isp.example.net' };
    context.complaint = { ...context.complaint!, subject: 'Beschwerde über 192.0.2.10 — bitte prüfen' };
    context.followup = { remedy: 'middle', change: MIDDLE_CHANGE, appliedAt: '2025-11-20T14:03:05Z' };
    const letter = renderLetter('followup-middle', context, { templates: await builtinTemplates(), now: NOW });
    const headers: EmlHeaders = { ...emlHeadersFor(context, NOW), messageId: '<followup-1@relay.example.org>' };
    const seen = readWithPython(formatEml(letter, headers));

    expect(seen.defects).toEqual([]);
    expect(seen.headers).toEqual([
      ['From', 'Zoë Ångström <abuse@relay.example.org>'],
      ['To', '"Équipe abus, Example Networks" <abuse@isp.example.net>'],
      ['Subject', 'Re: Beschwerde über 192.0.2.10 — bitte prüfen'],
      ['Date', 'Thu, 20 Nov 2025 15:00:00 +0000'],
      ['Message-ID', '<followup-1@relay.example.org>'],
      ['In-Reply-To', '<report-42@hosting.example.com>'],
      ['References', '<report-42@hosting.example.com>'],
      ['MIME-Version', '1.0'],
      ['Content-Type', 'text/plain; charset="utf-8"'],
      ['Content-Transfer-Encoding', 'quoted-printable'],
    ]);
    expect(seen.from).toEqual([['Zoë Ångström', 'abuse@relay.example.org']]);
    expect(seen.to).toEqual([['Équipe abus, Example Networks', 'abuse@isp.example.net']]);
    expect(seen.headers.find(([name]) => name === 'Subject')?.[1]).toBe(letter.subject);
    expect([seen.contentType, seen.charset, seen.transferEncoding]).toEqual(['text/plain', 'utf-8', 'quoted-printable']);
    // E-mail lines end in CRLF; the text is otherwise exactly the letter.
    expect(seen.body.replace(/\r\n/g, '\n')).toBe(letter.body);
  });

  test.each([
    ['the subject', { subject: 'Re: Abuse\r\nBcc: victim@example.com' }, {}],
    ['the sender name', {}, { from: { name: 'Alice\r\nBcc: victim@example.com', address: 'abuse@relay.example.org' } }],
    ['the recipient name', {}, { to: [{ name: 'Team\r\nBcc: victim@example.com\r\n\r\nInjected body', address: 'abuse@isp.example.net' }] }],
  ])('an injected "\\r\\nBcc:" in %s adds no header for python either', async (_name, letterOverride, headerOverride) => {
    const letter = { subject: 'Re: Abuse report', body: 'Hello.\n', ...letterOverride };
    const headers: EmlHeaders = {
      from: { name: 'Alice Example', address: 'abuse@relay.example.org' },
      to: [{ name: 'Abuse Team', address: 'abuse@isp.example.net' }],
      date: NOW,
      messageId: '<x@relay.example.org>',
      ...headerOverride,
    };
    const seen = readWithPython(formatEml(letter, headers));
    expect(seen.bcc).toBeNull();
    expect(seen.headers.map(([name]) => name)).toEqual([
      'From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding',
    ]);
    expect(seen.body.replace(/\r\n/g, '\n')).toBe('Hello.\n');
    expect(seen.defects).toEqual([]);
  });
});
