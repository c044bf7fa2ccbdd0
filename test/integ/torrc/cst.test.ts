import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfigSync } from '../../../src/torrc/config.js';
import { Scratch, dump, makeCase, pool, tor } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

// Keywords whose values tor only stores (ExitPolicy is not parsed with ExitRelay 0, set in
// the defaults file), plus odd spellings, typed options and unknown keywords.
const keys = [
  'ContactInfo', 'contactinfo', 'CONTACTINFO', 'ContactI', '/ContactInfo', '+ContactInfo',
  'ExitPolicy', 'exitpolicy', 'ExitPol', '+ExitPolicy', '/ExitPolicy', 'Nickname', 'nick', 'IPv6Exit', 'Foo', '%Include', '',
];
const values = [
  'reject 1.2.3.4:*', 'abuse at example dot org', 'Relay1', 'bad-name', '0', '1', 'true', '', 'a#b', '/home/user/net#2',
  'caf\u00e9', 'a\\b', "it's", 'x\ty', 'tail   ',
];
const quotedValues = ['"q v"', '"a\\x41\\n\\t\\101\\"\\\\"', '"\\q"', '"open', '"a" b', '"a" # c', '""', '"#x"', '"\\303\\251"'];
const endings = ['\n', '\r\n', ' # note\n', '\\\n', ' \\\n', '', '\n\n', ' # c \\\n'];

const line = fc
  .tuple(fc.constantFrom(...keys), fc.constantFrom(' ', '\t', '  '), fc.oneof(fc.constantFrom(...values), fc.constantFrom(...quotedValues)), fc.constantFrom(...endings))
  .map(([k, sep, v, end]) => `${k}${k === '' ? '\\\n' : sep}${v}${end}`);
const extra = fc.constantFrom('# comment\n', '\n', '   \n', '#\\\n', '  indented # x\n', '\v\n', 'continued \\\n', '\0tail\n');
const file = fc
  .tuple(fc.boolean(), fc.array(fc.oneof({ weight: 4, arbitrary: line }, { weight: 1, arbitrary: extra }), { minLength: 1, maxLength: 6 }))
  .map(([bom, parts]) => `${bom && parts.length === 6 ? '\uFEFF' : ''}${parts.join('')}`);

const cases = fc.sample(file, { seed: 20250519, numRuns: 300 });

describe.skipIf(!tor.available)('torrc/cst against tor 0.4.9.11', () => {
  test.each([
    ['a byte-order mark before a keyword', '\uFEFFContactInfo a\n'],
    ['a byte-order mark before a comment', '\uFEFF# comment\nContactInfo a\n'],
    ['a NUL byte (tor stops reading there)', 'ContactInfo ab\0cd\nNickname bad-name\n'],
    ['CRs inside values (tor drops every CR)', 'ContactInfo a\rb c\r\n'],
    ['a CRLF continuation', 'ContactInfo a\\\r\n  b\r\n'],
    ['the comment trap (L14)', 'ContactInfo a, \\\n  b # c\nNickname x\n'],
    ['a blank line ending a continuation', 'ContactInfo a\\\n\nNickname x\n'],
    ['a comment line inside a continuation (L9)', 'ContactInfo line with a\\\n#comment\n embedded\n'],
    ['a backslash ending a comment (L10)', 'ContactInfo a # ends with a slash \\\nNickname x\n'],
    ['a continuation before the value', 'ContactInfo\\\nvalue\n'],
    ['a vertical tab after the keyword', 'ContactInfo\va b\n'],
    ['escaped UTF-8 bytes', 'ContactInfo "caf\\303\\251"\n'],
    ['excess data after a quote (L11)', 'ContactInfo "a" b\n'],
    ['a bad escape (L12)', 'ContactInfo "\\q"\n'],
  ])('reads %s like tor', async (_name, text) => {
    const c = makeCase(scratch, text, 'ExitRelay 0\n');
    const torOptions = await dump(c, 'short');
    const ours = loadConfigSync({ torrc: c.torrc, defaultsTorrc: c.defaults, cwd: c.cwd });
    expect(ours.valid).toBe(torOptions !== undefined);
    const contact = ours.value('ContactInfo')?.value;
    if (torOptions) expect(contact ? [contact] : []).toEqual(torOptions.filter(([k]) => k === 'ContactInfo').map(([, v]) => v));
    if (torOptions) expect(ours.value('Nickname')?.value ?? '').toBe(torOptions.find(([k]) => k === 'Nickname')?.[1] ?? '');
  });

  test('reads 300 generated files like tor: same verdict, same ContactInfo, Nickname, IPv6Exit and ExitPolicy lines', async () => {
    const results = await pool(cases, 2, async (text) => {
      const c = makeCase(scratch, text, 'ExitRelay 0\n');
      return { text, c, torOptions: await dump(c, 'short') };
    });
    let valid = 0;
    for (const { text, c, torOptions } of results) {
      const ours = loadConfigSync({ torrc: c.torrc, defaultsTorrc: c.defaults, cwd: c.cwd });
      expect({ text, valid: ours.valid }).toEqual({ text, valid: torOptions !== undefined });
      if (!torOptions) continue;
      valid++;
      const torValues = (key: string): string[] => torOptions.filter(([k]) => k === key).map(([, v]) => v);
      const single = (key: string): string[] => {
        const v = ours.value(key)?.value;
        return v === undefined || v === '' ? [] : [v];
      };
      expect({ text, ContactInfo: single('ContactInfo') }).toEqual({ text, ContactInfo: torValues('ContactInfo') });
      expect({ text, Nickname: single('Nickname') }).toEqual({ text, Nickname: torValues('Nickname') });
      expect({ text, IPv6Exit: ours.value('IPv6Exit')?.value === '1' }).toEqual({ text, IPv6Exit: torValues('IPv6Exit').includes('1') });
      expect({ text, ExitPolicy: ours.lines('ExitPolicy').map((l) => l.value) }).toEqual({ text, ExitPolicy: torValues('ExitPolicy') });
    }
    // Both outcomes must be well represented for the comparison to mean something.
    expect(valid).toBeGreaterThan(40);
    expect(cases.length - valid).toBeGreaterThan(40);
  }, 120_000);
});
