import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ComplaintCategory } from '../../src/letters/context.js';
import {
  BUILTIN_TEMPLATE_DIR,
  KIND_FOR_CATEGORY,
  LETTER_KINDS,
  findTemplate,
  followUpKind,
  listTemplates,
  loadTemplates,
  showTemplate,
} from '../../src/letters/registry.js';
import { BUILTIN_DIR, builtinTemplates } from './helpers.js';

const HEADER = '{{!--\n  My own letter.\n--}}\n';

describe('letters/registry', () => {
  describe('#loadTemplates', () => {
    test("defaults to the package's templates directory", () => {
      expect(BUILTIN_TEMPLATE_DIR.replace(/\/$/, '')).toBe(BUILTIN_DIR);
    });

    test('loads one built-in template per kind and audience, each with a description', async () => {
      const names = listTemplates(await builtinTemplates()).map((info) => info.name);
      expect(names).toEqual(LETTER_KINDS.flatMap(({ kind, audiences }) => audiences.map((audience) => `${kind}.${audience}`)));
      for (const info of listTemplates(await builtinTemplates())) {
        expect(info.origin).toBe('built-in');
        expect(info.file).toBe(join(BUILTIN_DIR, `${info.name}.hbs`));
        expect(info.description.length).toBeGreaterThan(20);
      }
    });

    test('covers every complaint category in both audiences and every remedy but "exit"', () => {
      const kinds = new Set(LETTER_KINDS.map((spec) => spec.kind));
      for (const kind of ['dmca', 'portscan', 'bruteforce', 'spam', 'dos', 'fraud', 'irc', 'webservice', 'threats', 'law-enforcement'] as const) {
        expect(LETTER_KINDS.find((spec) => spec.kind === kind)?.audiences).toEqual(expect.arrayContaining(['isp', 'complainant']));
      }
      for (const remedy of ['block', 'reduce-ports', 'middle'] as const) expect(kinds.has(followUpKind(remedy))).toBe(true);
      expect(kinds.has('generic')).toBe(true);
    });

    test('records the claims each built-in makes', async () => {
      const claims = Object.fromEntries(listTemplates(await builtinTemplates()).filter((info) => info.claims.length > 0).map((info) => [info.name, info.claims]));
      expect(claims).toEqual({
        'spam.isp': ['no-smtp'],
        'fraud.isp': ['no-connection-logs'],
        'fraud.complainant': ['no-connection-logs'],
        'threats.isp': ['no-connection-logs'],
        'threats.complainant': ['no-connection-logs'],
        'law-enforcement.complainant': ['no-connection-logs'],
        'law-enforcement.isp': ['no-connection-logs'],
        'generic.isp': ['no-connection-logs'],
      });
    });

    describe('with a user directory', () => {
      let dir: string;
      beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'exitkit-templates-'));
      });
      afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      test('overrides built-ins and partials by name and ignores other files', async () => {
        await mkdir(join(dir, 'partials'));
        await writeFile(join(dir, 'dmca.isp.hbs'), `${HEADER}Hello {{relay.nickname}}\n`);
        await writeFile(join(dir, 'partials', 'signature.hbs'), `${HEADER}-- {{operator.name}}\n`);
        await writeFile(join(dir, 'README.txt'), 'notes');
        const set = await loadTemplates({ userDir: dir, builtinDir: BUILTIN_DIR });
        expect(findTemplate(set, 'dmca', 'isp')).toMatchObject({ origin: 'user', file: join(dir, 'dmca.isp.hbs'), description: 'My own letter.' });
        expect(findTemplate(set, 'dmca', 'complainant').origin).toBe('built-in');
        expect(set.partials.get('signature')).toMatchObject({ origin: 'user' });
        expect(set.partials.get('greeting')).toMatchObject({ origin: 'built-in' });
      });

      test.each([
        ['a misspelt template name', 'dcma.isp.hbs', `${HEADER}x\n`, 'TEMPLATE_UNKNOWN_NAME'],
        ['an audience the kind lacks', 'generic.complainant.hbs', `${HEADER}x\n`, 'TEMPLATE_UNKNOWN_NAME'],
        ['a misspelt partial name', 'partials/signatur.hbs', `${HEADER}x\n`, 'TEMPLATE_UNKNOWN_NAME'],
        ['an override without a header', 'dmca.isp.hbs', 'x\n', 'TEMPLATE_NO_HEADER'],
        ['an override with an unknown field', 'dmca.isp.hbs', `${HEADER}{{relay.name}}\n`, 'TEMPLATE_UNKNOWN_FIELD'],
        ['a partial override with a syntax error', 'partials/greeting.hbs', `${HEADER}{{#if recipient.name}}\n`, 'TEMPLATE_SYNTAX'],
      ])('refuses %s', async (_name, file, text, code) => {
        await mkdir(join(dir, 'partials'));
        await writeFile(join(dir, file), text);
        await expect(loadTemplates({ userDir: dir, builtinDir: BUILTIN_DIR })).rejects.toMatchObject({ code });
      });

      test('refuses a user directory that does not exist', async () => {
        await expect(loadTemplates({ userDir: join(dir, 'missing'), builtinDir: BUILTIN_DIR })).rejects.toMatchObject({ code: 'TEMPLATE_UNREADABLE' });
      });
    });
  });

  describe('#findTemplate', () => {
    test.each([
      ['dmca', undefined, 'dmca.isp'],
      ['dmca', 'complainant', 'dmca.complainant'],
      ['law-enforcement', undefined, 'law-enforcement.complainant'],
      ['generic', undefined, 'generic.isp'],
    ])('%s for %s → %s', async (kind, audience, name) => {
      expect(findTemplate(await builtinTemplates(), kind, audience).name).toBe(name);
    });

    test.each([
      ['dcma', undefined, 'LETTER_UNKNOWN_KIND'],
      ['', undefined, 'LETTER_UNKNOWN_KIND'],
      ['generic', 'complainant', 'LETTER_NO_AUDIENCE'],
      ['dmca', 'police', 'LETTER_NO_AUDIENCE'],
    ])('refuses %j for %j', async (kind, audience, code) => {
      const set = await builtinTemplates();
      expect(() => findTemplate(set, kind, audience)).toThrow(expect.objectContaining({ code }));
    });
  });

  describe('#showTemplate', () => {
    test("shows a kind's default template, or the audience named, with its full text", async () => {
      const set = await builtinTemplates();
      const shown = showTemplate(set, 'followup-block');
      expect(shown.name).toBe('followup-block.isp');
      expect(shown.text).toBe(await readFile(join(BUILTIN_DIR, 'followup-block.isp.hbs'), 'utf8'));
      expect(shown.description).toBe(
        'Follow-up to an ISP documenting a block: the relay now refuses connections to the complainant\'s address ranges (on all ports or on some).',
      );
      expect(shown.header.startsWith('Follow-up to an ISP documenting a block')).toBe(true);
      expect(shown.requires).toEqual(expect.arrayContaining(['relay.fingerprint', 'operator.name']));
      expect(shown.optional).toEqual(expect.arrayContaining(['followup.changes', 'followup.appliedAt']));
      expect(showTemplate(set, 'followup-block.complainant').audience).toBe('complainant');
    });
  });

  describe('#followUpKind', () => {
    test.each([
      ['block', 'followup-block'],
      ['reduce-ports', 'followup-reduce-ports'],
      ['middle', 'followup-middle'],
    ] as const)('%s → %s', (remedy, kind) => {
      expect(followUpKind(remedy)).toBe(kind);
    });

    test('has no follow-up for switching back to exit', () => {
      expect(() => followUpKind('exit')).toThrow(expect.objectContaining({ code: 'LETTER_NO_FOLLOWUP_TEMPLATE' }));
    });
  });

  describe('KIND_FOR_CATEGORY', () => {
    test('maps every complaint category to a kind that exists', () => {
      const categories: ComplaintCategory[] = ['copyright', 'scan', 'brute-force', 'spam', 'dos', 'fraud', 'other'];
      for (const category of categories) {
        expect(LETTER_KINDS.map((spec) => spec.kind)).toContain(KIND_FOR_CATEGORY[category]);
      }
    });
  });
});
