import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Random, generateTorrcCase, generateTorrcCases, makeCase, writeTorrcCase } from '../../helpers/generate-torrc.js';
import { isUnsafeOption, lexEntries } from '../../helpers/tor-oracle.js';

const SAMPLE = generateTorrcCases(1000, 20251125);

describe('helpers/generate-torrc', () => {
  describe('#Random', () => {
    test('the same seed gives the same sequence; another seed another one', () => {
      const a = new Random(42);
      const b = new Random(42);
      const c = new Random(43);
      const seqA = Array.from({ length: 20 }, () => a.int(0, 1_000_000));
      expect(Array.from({ length: 20 }, () => b.int(0, 1_000_000))).toEqual(seqA);
      expect(Array.from({ length: 20 }, () => c.int(0, 1_000_000))).not.toEqual(seqA);
    });

    test('int stays in its bounds and reaches both ends', () => {
      const rng = new Random(1);
      const seen = new Set(Array.from({ length: 2000 }, () => rng.int(3, 7)));
      expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    });

    test('bits stays below 2^bits', () => {
      const rng = new Random(9);
      for (let i = 0; i < 200; i += 1) expect(rng.bits(128) < 1n << 128n).toBe(true);
    });
  });

  describe('#generateTorrcCase', () => {
    test('is deterministic: the same seed and index give byte-identical files', () => {
      const again = generateTorrcCase(20251125, 17);
      expect(again.files).toEqual(SAMPLE[17]!.files);
      expect(generateTorrcCase(20251125, 18).files).not.toEqual(again.files);
    });

    test('about 10% of cases are meant to be invalid', () => {
      const invalid = SAMPLE.filter((c) => c.intent === 'invalid').length;
      expect(invalid).toBeGreaterThanOrEqual(70);
      expect(invalid).toBeLessThanOrEqual(130);
    });

    test('names are unique and usable as folder names', () => {
      expect(new Set(SAMPLE.map((c) => c.name)).size).toBe(SAMPLE.length);
      for (const c of SAMPLE) expect(c.name).toMatch(/^[A-Za-z0-9-]+$/);
    });

    test('never writes an option that could reach the network (only ORPort on 127.0.0.1)', () => {
      for (const c of SAMPLE) {
        for (const file of c.files) {
          for (const entry of lexEntries(file.content)) {
            if (!isUnsafeOption(entry.key)) continue;
            expect(entry.key, c.describe()).toBe('ORPort');
            expect(file.content.slice(entry.start, entry.end).trim()).toMatch(/^ORPort\s+127\.0\.0\.1:9001(\s*#.*)?$/);
          }
        }
      }
    });

    test.each([
      // item forms and quirks (tor-semantics §2, §7.2)
      'catch-all', 'host-bits', 'dotted-mask', 'mask-leading-zero', 'bracketed-ipv4', 'bare-ipv6', 'no-mask',
      'ipv6-uppercase', 'private', 'private6', 'ipv4-under-6', 'missing-port', 'port-leniency', 'opt',
      'empty-item', 'trailing-comma',
      // lexing (§1)
      'continued', 'comment-trap', 'comment-inside-continuation', 'trailing-comment', 'quoted', 'key-continuation',
      'crlf', 'no-final-newline', 'keyword-variant', 'abbreviated-key', 'plus-prefix', 'slash-prefix',
      // sources and includes (§1.5, §1.6)
      'defaults-file', 'includes', 'nested-include', 'glob-no-match', 'empty-include',
      // options (§3)
      'ExitRelay=0', 'ExitRelay=1', 'ExitRelay=auto', 'ExitRelay=(empty)', 'IPv6Exit=1', 'IPv6Exit=0',
      'IPv6Exit=(empty)', 'ReducedExitPolicy=1', 'ExitPolicyRejectPrivate=0', 'ExitPolicyRejectPrivate=1',
      'ExitPolicyRejectPrivate=(empty)', 'ExitPolicyRejectLocalInterfaces=1', 'BridgeRelay=1', 'orport',
      // invalid on purpose
      'invalid:bad-item', 'invalid:bad-bool', 'invalid:unknown-option', 'invalid:capital-include',
      'invalid:missing-include', 'invalid:empty-include-value', 'invalid:ipv6exit-crash',
      'invalid:exitrelay-0-hides-bad-item',
    ])('covers %s in 1000 cases', (tag) => {
      expect(SAMPLE.filter((c) => c.features.includes(tag)).length).toBeGreaterThan(0);
    });

    test.each([
      ['*4', /\*4[:,\s]/],
      ['*6', /\*6[:,\s]/],
      ['accept6', /\baccept6 /],
      ['reject6', /\breject6 /],
      ['a port range', /:\d+-\d+/],
      ['an abbreviated key', /^\s*(ExitPol|exitpolic|ExitRel|IPv6Ex|ReducedExit|ExitPolicyRejectPriv|ExitPolicyRejectLocal)\s/m],
      ['an abbreviation that means another option', /^\s*(Reduced|ExitPolicyR|BridgeR|IPv6|ExitR|ExitPo)\s/m],
      ['an upper-case key', /^\s*EXITPOLICY\s/m],
      ['a dot file in an included folder', /./],
      ['a glob include', /%include \S*[*?]/],
      ['a relative include', /%include @REL@/],
      ['a repeated single-value option', /./],
    ])('writes %s somewhere', (name, pattern) => {
      const text = SAMPLE.flatMap((c) => c.files.map((f) => `${f.path}\n${f.content}`)).join('\n');
      expect(text).toMatch(pattern);
      if (name === 'a dot file in an included folder') expect(SAMPLE.some((c) => c.files.some((f) => f.path === 'conf.d/.hidden'))).toBe(true);
      if (name === 'a repeated single-value option') {
        expect(SAMPLE.some((c) => (c.files[0]?.content.match(/^\s*ExitRelay\b/gm) ?? []).length > 1)).toBe(true);
      }
    });

    test('describe() shows every file, its role and invisible characters', () => {
      const c = makeCase({
        name: 'x',
        files: [
          { path: 'torrc', content: 'ExitPolicy accept *:80\r\n\tExitRelay 1' },
          { path: 'defaults', content: '' },
        ],
        defaults: 'defaults',
      });
      const text = c.describe();
      expect(text).toContain('--- torrc (torrc) ---');
      expect(text).toContain('--- defaults (defaults) ---');
      expect(text).toContain('␍');
      expect(text).toContain('⇥');
      expect(text).toContain('(no final newline)');
    });
  });

  describe('#writeTorrcCase', () => {
    let base: string;

    beforeAll(async () => {
      base = await mkdtemp(path.join(tmpdir(), 'exitkit-gen-'));
    });

    afterAll(async () => {
      await rm(base, { recursive: true, force: true });
    });

    test('writes every file byte for byte, with @DIR@ and @REL@ replaced', async () => {
      const c = makeCase({
        name: 'w1',
        files: [
          { path: 'torrc', content: '%include @DIR@/inc/a.conf\r\n%include @REL@/inc\n' },
          { path: 'inc/a.conf', content: 'ExitPolicy reject 1.2.3.4:*' },
        ],
      });
      const written = await writeTorrcCase(c, base);
      expect(written).toEqual({ dir: path.join(base, 'w1'), torrc: path.join(base, 'w1', 'torrc'), defaultsTorrc: undefined, cwd: base });
      expect(await readFile(written.torrc, 'utf8')).toBe(`%include ${path.join(base, 'w1')}/inc/a.conf\r\n%include w1/inc\n`);
      expect(await readFile(path.join(base, 'w1', 'inc/a.conf'), 'utf8')).toBe('ExitPolicy reject 1.2.3.4:*');
    });
  });
});
