import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FollowUpInfo, LetterContext } from '../../src/letters/context.js';
import { findTemplate, listTemplates, loadTemplates } from '../../src/letters/registry.js';
import type { LetterKind, TemplateSet } from '../../src/letters/registry.js';
import { renderLetter, subjectFor } from '../../src/letters/render.js';
import { parseTemplate } from '../../src/letters/template.js';
import { buildView } from '../../src/letters/view.js';
import type { ViewValue } from '../../src/letters/view.js';
import { columns } from '../../src/letters/wrap.js';
import {
  BLOCK_CHANGE,
  BUILTIN_DIR,
  FIXTURES,
  MIDDLE_CHANGE,
  NOW,
  REDUCE_CHANGE,
  builtinTemplates,
  configLine,
  fullContext,
  minimalContext,
} from './helpers.js';

const TEMPLATES = await builtinTemplates();
const APPLIED = '2025-11-20T14:03:05Z';
/** When the follow-up check of the fixture letters runs, a week after the change. */
const CHECKED = new Date('2025-11-27T15:00:00Z');
const FOLLOW_UPS: Partial<Record<LetterKind, FollowUpInfo>> = {
  'followup-block': { remedy: 'block', change: BLOCK_CHANGE, appliedAt: APPLIED },
  'followup-reduce-ports': { remedy: 'reduce-ports', change: REDUCE_CHANGE, appliedAt: APPLIED },
  'followup-middle': { remedy: 'middle', change: MIDDLE_CHANGE, appliedAt: APPLIED },
};

function contextFor(kind: LetterKind, appliedAt: string | null = APPLIED): LetterContext {
  const context = fullContext();
  const followup = FOLLOW_UPS[kind];
  if (followup !== undefined) context.followup = { ...followup, appliedAt };
  return context;
}

function lookup(view: ViewValue, path: string): ViewValue | undefined {
  let value: ViewValue | undefined = view;
  for (const part of path.split('.')) {
    value = value !== undefined && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, ViewValue>)[part] : undefined;
  }
  return value;
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

// The shape every letter must have, whatever the template.
function expectWellFormed(body: string): void {
  expect(body).not.toContain('{{');
  expect(body).not.toContain('}}');
  expect(body).not.toMatch(/[\uE000\uE001]/);
  expect(body.endsWith('\n') && !body.endsWith('\n\n')).toBe(true);
  expect(body).not.toMatch(/\n\n\n/);
  for (const line of body.split('\n')) {
    expect(line).toBe(line.trimEnd());
    // Only a lone word (a URL) may be longer than an e-mail line.
    if (columns(line) > 72) expect(line.trim()).not.toContain(' ');
  }
}

describe('letters/render', () => {
  describe('#renderLetter', () => {
    const all = listTemplates(TEMPLATES);

    test.each(all.map((info) => [info.name, info] as const))('renders %s from a full context, every required field filled', async (_name, info) => {
      const set = TEMPLATES;
      const context = contextFor(info.kind);
      const letter = renderLetter(info.kind, context, { templates: set, audience: info.audience, now: NOW });
      expect(letter).toMatchObject({ name: info.name, kind: info.kind, audience: info.audience, subject: 'Re: Abuse report for 192.0.2.10' });
      expectWellFormed(letter.body);
      const view = buildView(context, NOW);
      for (const field of info.requires.filter((path) => !path.includes('[') && !path.startsWith('@'))) {
        const value = lookup(view, field);
        expect(typeof value === 'string' && value.trim() !== '', `${field} is empty`).toBe(true);
        expect(flat(letter.body), `${field} is not in the letter`).toContain(flat(value as string));
      }
      expect(letter.body).toContain('F4D08C507CB528A62DEDC4E67E8682FF82CB5925');
      expect(letter.body).toContain('Alice Example');
    });

    test.each(all.filter((info) => info.kind.startsWith('followup-')).map((info) => [info.name, info] as const))(
      'presents %s as a proposal before the plan is applied',
      async (_name, info) => {
        const set = TEMPLATES;
        const letter = renderLetter(info.kind, contextFor(info.kind, null), { templates: set, audience: info.audience, now: NOW });
        expectWellFormed(letter.body);
        expect(flat(letter.body)).toContain('Nothing has been changed yet');
        expect(flat(letter.body)).toContain('would be refused.');
        expect(letter.body).not.toMatch(/are now (refused|allowed)/);
        expect(letter.body).not.toContain('14:03:05');
        expect(letter.body).not.toContain('2025-11-27');
      },
    );

    test.each(all.filter((info) => info.kind.startsWith('followup-')).map((info) => [info.name, info] as const))(
      'says in %s whether connections open at the change may carry on or were closed',
      async (_name, info) => {
        const kept = renderLetter(info.kind, contextFor(info.kind), { templates: TEMPLATES, audience: info.audience, now: NOW });
        expect(flat(kept.body)).toContain('may carry on until they close');
        expect(flat(kept.body)).not.toContain('closed as well');
        const context = contextFor(info.kind);
        context.followup = { ...context.followup!, openConnectionsClosed: true };
        const closed = renderLetter(info.kind, context, { templates: TEMPLATES, audience: info.audience, now: NOW });
        expectWellFormed(closed.body);
        expect(flat(closed.body)).toContain('were closed as well');
        expect(flat(closed.body)).not.toContain('carry on');
        const proposal = renderLetter(info.kind, contextFor(info.kind, null), { templates: TEMPLATES, audience: info.audience, now: NOW });
        expect(flat(proposal.body)).not.toMatch(/carry on|closed as well/);
      },
    );

    test.each(all.filter((info) => info.kind.startsWith('followup-')).map((info) => [info.name, info] as const))(
      'states in %s when and exactly what changed, and when it will be checked',
      async (_name, info) => {
        const set = TEMPLATES;
        const letter = renderLetter(info.kind, contextFor(info.kind), { templates: set, audience: info.audience, now: NOW });
        expect(letter.body).toContain('Since 2025-11-20 14:03:05 UTC');
        expect(letter.body).toContain('I will check on 2025-11-27');
        expect(flat(letter.body)).toMatch(/are now refused\./);
        expect(flat(letter.body)).not.toContain('Nothing has been changed yet');
      },
    );

    test.each(all.filter((info) => info.kind.startsWith('followup-')).map((info) => [info.name, info] as const))(
      'reports in %s the check a week later instead of announcing it',
      async (_name, info) => {
        const context = contextFor(info.kind);
        context.followup = { ...context.followup!, verification: { verifiedAt: '2025-11-27T15:00:00Z', runningTor: true, destinations: ['203.0.113.7:443'] } };
        const letter = renderLetter(info.kind, context, { templates: TEMPLATES, audience: info.audience, now: CHECKED });
        expectWellFormed(letter.body);
        const text = flat(letter.body);
        expect(text).toContain('Since 2025-11-20 14:03:05 UTC');
        expect(text).toContain('I checked on 2025-11-27 15:00:00 UTC that');
        expect(text).toContain('the Tor process running on the server enforces it');
        expect(text).toContain('Connections to 203.0.113.7:443, as named in the');
        expect(text).not.toMatch(/I will check|check a week later/);
      },
    );

    test('claims only the configuration when the running tor could not be asked', async () => {
      const context = contextFor('followup-block');
      context.followup = { ...context.followup!, verification: { verifiedAt: '2025-11-27T15:00:00Z', runningTor: false, destinations: [] } };
      const text = flat(renderLetter('followup-block', context, { templates: TEMPLATES, now: CHECKED }).body);
      expect(text).toContain("the relay's configuration still has exactly the effect described above.");
      expect(text).not.toContain('Tor process running');
      expect(text).not.toContain('as named in the');
    });

    test('renders every letter with only the fields it needs: initial replies need a complaint', async () => {
      const set = TEMPLATES;
      const context = minimalContext();
      context.complaint = { receivedAt: '2025-11-19', complainant: {} };
      context.facts = { logging: { verboseLogs: [], safeLogging: undefined }, smtpRejected: true };
      for (const info of all.filter((entry) => !entry.kind.startsWith('followup-'))) {
        const letter = renderLetter(info.kind, context, { templates: set, audience: info.audience, now: NOW });
        expectWellFormed(letter.body);
        expect(letter.body.startsWith('Hello,\n')).toBe(true);
      }
    });

    test('renders a follow-up without a complaint', async () => {
      const context = minimalContext();
      context.followup = { remedy: 'block', change: BLOCK_CHANGE, appliedAt: APPLIED };
      const letter = renderLetter('followup-block', context, { templates: TEMPLATES, now: NOW });
      expectWellFormed(letter.body);
      expect(letter.body).not.toContain('Reference:');
      expect(letter.subject).toBe('Re: Abuse report concerning 192.0.2.10');
    });

    test.each<[string, string, (context: LetterContext) => void, string]>([
      ['an initial reply without a complaint', 'dmca', (c) => { delete c.complaint; }, 'complaint.receivedDate'],
      ['a follow-up without its change', 'followup-block', (c) => { delete c.followup; }, 'followup.changes'],
      ['a relay without addresses', 'generic', (c) => { c.relay = { ...c.relay, addresses: [] }; delete c.complaint!.relayAddress; }, 'relay.addressList'],
    ])('refuses %s, naming the field and the template', async (_name, kind, change, field) => {
      const context = fullContext();
      change(context);
      expect(() => renderLetter(kind, context, { templates: TEMPLATES, now: NOW })).toThrow(
        expect.objectContaining({ code: 'LETTER_MISSING_FIELD', field, template: `${kind}.isp` }),
      );
    });

    test('refuses an empty required field instead of leaving a gap', async () => {
      const context = fullContext();
      context.operator = { ...context.operator, name: '  ' };
      expect(() => renderLetter('dmca', context, { templates: TEMPLATES, now: NOW })).toThrow(
        expect.objectContaining({ code: 'LETTER_EMPTY_FIELD', field: 'operator.name', template: 'dmca.isp' }),
      );
    });

    describe('refuses to claim that no connection logs are kept', () => {
      test.each<[string, LetterContext['facts'], string, number | undefined]>([
        ['when a Log line records info messages', { logging: { verboseLogs: [configLine('Log', 'info file /var/log/tor/info.log', 9)], safeLogging: undefined } }, 'LETTER_CLAIM_CONTRADICTED', 9],
        ['when SafeLogging is 0', { logging: { verboseLogs: [], safeLogging: configLine('SafeLogging', '0', 14) } }, 'LETTER_CLAIM_CONTRADICTED', 14],
        ['when the configuration was not read', undefined, 'LETTER_CLAIM_UNVERIFIED', undefined],
      ])('%s', async (_name, facts, code, line) => {
        const context = fullContext();
        context.facts = facts;
        const templates = TEMPLATES;
        for (const kind of ['generic', 'law-enforcement', 'threats', 'fraud']) {
          let error: unknown;
          try {
            renderLetter(kind, context, { templates, now: NOW });
          } catch (caught) {
            error = caught;
          }
          expect(error).toMatchObject({ code });
          if (line !== undefined) expect(error).toMatchObject({ location: { file: '/etc/tor/torrc', line } });
        }
        // Letters that make no such claim are still written.
        expect(() => renderLetter('dmca', context, { templates, now: NOW })).not.toThrow();
      });
    });

    test('refuses the spam letter to an ISP when the exit policy accepts port 25', async () => {
      const context = fullContext();
      context.facts = { logging: { verboseLogs: [], safeLogging: undefined }, smtpRejected: false };
      expect(() => renderLetter('spam', context, { templates: TEMPLATES, now: NOW })).toThrow(
        expect.objectContaining({ code: 'LETTER_CLAIM_CONTRADICTED', template: 'spam.isp' }),
      );
      expect(() => renderLetter('spam', context, { templates: TEMPLATES, audience: 'complainant', now: NOW })).not.toThrow();
    });

    test("uses the operator's template of the same name", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'exitkit-templates-'));
      try {
        await writeFile(
          join(dir, 'followup-block.isp.hbs'),
          '{{!--\n  Our house style.\n--}}\nRef {{complaint.reference}}: {{#each followup.changes}}{{this}}{{/each}}\n\n{{> signature}}\n',
        );
        const templates = await loadTemplates({ userDir: dir, builtinDir: BUILTIN_DIR });
        const letter = renderLetter('followup-block', fullContext(), { templates, now: NOW });
        expect(letter.body).toBe(
          [
            'Ref CASE-2025-0042: Connections to 203.0.113.0/24 on ports 80 and 443',
            'are now refused.',
            '',
            'Kind regards,',
            '',
            'Alice Example',
            'Example Privacy Association',
            'abuse@relay.example.org',
            '+49 30 1234567',
            'https://relay.example.org/',
            '',
          ].join('\n'),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('refuses output that still holds "{{", even if a template slipped past the checks', async () => {
      const set = TEMPLATES;
      const original = findTemplate(set, 'generic');
      const harmless = parseTemplate('generic.isp', original.file, '{{!--\n  x\n--}}\nHello\n', true);
      const sneaky = { ...original, ast: harmless.ast, source: '{{!--\n  x\n--}}\n\\{{relay.nickname}}\n' };
      const templates: TemplateSet = { templates: new Map([...set.templates, ['generic.isp', sneaky]]), partials: set.partials };
      expect(() => renderLetter('generic', fullContext(), { templates, now: NOW })).toThrow(
        expect.objectContaining({ code: 'LETTER_UNRENDERED', template: 'generic.isp' }),
      );
    });

    test('wraps to the width asked for', async () => {
      const letter = renderLetter('dmca', fullContext(), { templates: TEMPLATES, now: NOW, width: 60 });
      for (const line of letter.body.split('\n')) if (columns(line) > 60) expect(line.trim()).not.toContain(' ');
    });
  });

  describe('golden letters', () => {
    test.each([
      ['followup-block.isp', 'followup-block', 'isp', () => fullContext()],
      ['dmca.isp', 'dmca', 'isp', dmcaContext],
      ['generic.isp', 'generic', 'isp', genericContext],
      ['followup-block.isp.verified', 'followup-block', 'isp', verifiedContext],
    ] as const)('%s reads exactly as reviewed', async (name, kind, audience, context) => {
      const now = name.endsWith('.verified') ? CHECKED : NOW;
      const letter = renderLetter(kind, context(), { templates: TEMPLATES, audience, now });
      const golden = await readFile(join(FIXTURES, 'golden', `${name}.txt`), 'utf8');
      expect(`Subject: ${letter.subject}\n\n${letter.body}`).toBe(golden);
    });
  });

  test('the example letter in templates/README.md is the reviewed follow-up letter', async () => {
    const readme = await readFile(join(BUILTIN_DIR, 'README.md'), 'utf8');
    const example = readme.slice(readme.indexOf('## An example'));
    const indented = example.split('\n').filter((line) => line.startsWith('    ') || line === '');
    const text = indented.map((line) => line.slice(4)).join('\n').trim();
    const golden = await readFile(join(FIXTURES, 'golden', 'followup-block.isp.txt'), 'utf8');
    expect(text).toBe(golden.trim());
  });

  describe('#subjectFor', () => {
    test.each<[string, (context: LetterContext) => void, string]>([
      ['the complaint subject', () => undefined, 'Re: Abuse report for 192.0.2.10'],
      ['a subject that is already a reply', (c) => { c.complaint!.subject = 'RE: Abuse report'; }, 'RE: Abuse report'],
      ['a subject with a line break', (c) => { c.complaint!.subject = 'Abuse\r\nBcc: x@example.com'; }, 'Re: Abuse Bcc: x@example.com'],
      ['the reference without a subject', (c) => { delete c.complaint!.subject; }, 'Re: Abuse report CASE-2025-0042'],
      ['the address without subject or reference', (c) => { delete c.complaint!.subject; delete c.complaint!.reference; }, 'Re: Abuse report concerning 192.0.2.10'],
      ['the relay without a complaint', (c) => { delete c.complaint; c.relay = { ...c.relay, addresses: [] }; }, 'Re: Abuse report concerning Tor relay ExampleExit01'],
    ])('uses %s', (_name, change, expected) => {
      const context = fullContext();
      change(context);
      expect(subjectFor(context)).toBe(expected);
    });
  });
});


/** A copyright notice forwarded by the ISP, as in the golden DMCA letter. */
function dmcaContext(): LetterContext {
  const context = fullContext();
  delete context.followup;
  context.recipient = { name: 'Example Networks Abuse Desk', email: 'abuse@isp.example.net' };
  context.complaint = {
    reference: 'ACNS-2025-118842',
    receivedAt: '2025-11-19T08:30:00Z',
    complainant: { name: 'Example Rights Enforcement Ltd', email: 'notices@rights.example.com' },
    messageId: '<acns-118842@rights.example.com>',
    subject: '[Ticket #4471] Copyright infringement notice ACNS-2025-118842',
    category: 'copyright',
    relayAddress: '192.0.2.10',
    eventTime: '2025-11-17T03:12:44Z',
  };
  return context;
}

/** A complaint with little detail and no recipient name, as in the golden generic letter. */
function genericContext(): LetterContext {
  const context = minimalContext();
  context.recipient = { email: 'abuse@isp.example.net' };
  context.complaint = { receivedAt: '2025-11-19', complainant: {}, subject: 'Abuse from 192.0.2.10' };
  context.facts = { logging: { verboseLogs: [], safeLogging: configLine('SafeLogging', '1') } };
  return context;
}

/** The follow-up a week later, after the check found the block in force in the files and in tor. */
function verifiedContext(): LetterContext {
  const context = fullContext();
  context.followup = { ...context.followup!, verification: { verifiedAt: '2025-11-27T15:00:00Z', runningTor: true, destinations: ['203.0.113.7:443'] } };
  return context;
}
