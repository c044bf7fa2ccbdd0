import path from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfigSync } from '../../../src/torrc/config.js';
import { Scratch, dump, makeCase, pool, tor, type TorCase } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

interface Reading {
  valid: boolean;
  exitPolicy: string[];
  contactInfo: string[];
}

async function torReading(c: TorCase): Promise<Reading> {
  const options = await dump(c, 'full');
  if (!options) return { valid: false, exitPolicy: [], contactInfo: [] };
  const values = (key: string): string[] => options.filter(([k]) => k === key).map(([, v]) => v);
  return { valid: true, exitPolicy: values('ExitPolicy'), contactInfo: values('ContactInfo') };
}

function ourReading(c: TorCase): Reading {
  const config = loadConfigSync({ torrc: c.torrc, defaultsTorrc: c.defaults, cwd: c.cwd });
  if (!config.valid) return { valid: false, exitPolicy: [], contactInfo: [] };
  const contact = config.value('ContactInfo')?.value;
  return { valid: true, exitPolicy: config.lines('ExitPolicy').map((l) => l.value), contactInfo: contact ? [contact] : [] };
}

// Lines whose combination rules differ: list, append, clear, empty, single value.
const mergeLine = fc.oneof(
  fc.nat(99).map((n) => `ExitPolicy reject 10.0.0.${n}:*`),
  fc.nat(99).map((n) => `+ExitPolicy reject 10.1.0.${n}:*`),
  fc.constantFrom('/ExitPolicy', 'ExitPolicy', '/ExitPolicy text', 'ContactInfo', '/ContactInfo', 'exitpol reject 10.9.9.9:*'),
  fc.nat(99).map((n) => `ContactInfo c${n}`),
  fc.nat(99).map((n) => `+ContactInfo p${n}`),
);
const mergeCases = fc.sample(fc.tuple(fc.array(mergeLine, { maxLength: 5 }), fc.array(mergeLine, { maxLength: 5 })), { seed: 4242, numRuns: 150 });

describe.skipIf(!tor.available)('torrc/config against tor 0.4.9.11', () => {
  test('combines 150 generated defaults files and torrcs like tor (fragile lists, +Key, /Key, empty values)', async () => {
    const results = await pool(mergeCases, 2, async ([defaults, torrc]) => {
      const c = makeCase(scratch, `${torrc.join('\n')}\n`, `ExitRelay 0\n${defaults.join('\n')}\n`);
      return { defaults, torrc, c, tor: await torReading(c) };
    });
    for (const r of results) {
      expect({ defaults: r.defaults, torrc: r.torrc, reading: ourReading(r.c) }).toEqual({ defaults: r.defaults, torrc: r.torrc, reading: r.tor });
    }
  }, 120_000);

  describe('%include', () => {
    // One tree for all include cases; each included file adds an ExitPolicy line naming itself.
    const root = scratch.caseDir();
    const put = (relative: string, content?: string): void => {
      const full = path.join(root, relative);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content ?? `ExitPolicy ${relative}\n`);
    };
    for (const f of ['d/10.conf', 'd/9.conf', 'd/Z.conf', 'd/a.conf', 'd/b.conf', 'd/.hidden', 'd/sub/c.conf', 'g/c.conf', 'g/.dot.conf', 'g/d/a.conf', 'g/d2/b.conf', 'g/e*/f.conf', 'g/x/y.conf', 'g/[c].conf']) put(f);
    put('d/empty.conf', '');
    put('nl.conf', 'ExitPolicy no-final-newline, \\\n  continued # trap');
    put('after.conf', 'ExitPolicy after\n');
    symlinkSync('/nonexistent/exitkit', path.join(root, 'g/d2/dangling.conf'));
    // A chain of nested includes: chain/1 includes chain/2 ... the last sets ExitPolicy.
    for (let i = 1; i <= 32; i++) put(`chain/${i}`, i < 32 ? `%include ${root}/chain/${i + 1}\n` : 'ExitPolicy deepest\n');
    put('chain31/31', 'ExitPolicy level-31\n');
    for (let i = 2; i <= 30; i++) put(`chain31/${i}`, `%include ${root}/chain31/${i + 1}\n`);

    test.each([
      ['a directory (strcmp order, no dotfiles, no subfolders, no empty files)', `%include ${root}/d`, '/'],
      ['a directory with a trailing slash', `%include ${root}/d/`, '/'],
      ['a relative directory, against the working directory', '%include d', root],
      ['a relative path when the working directory is elsewhere', '%include d', '/'],
      ['a glob of files and folders', `%include ${root}/g/*`, '/'],
      ['a glob of folders only', `%include ${root}/g/d*/`, '/'],
      ['a glob in a folder component', `%include ${root}/g/d*/*.conf`, '/'],
      ['an escaped star in a glob', `%include ${root}/g/e\\*/*`, '/'],
      ['an escaped star without a glob (a literal backslash)', `%include ${root}/g/e\\*`, '/'],
      ['brackets without a star (a literal path)', `%include ${root}/g/[c].conf`, '/'],
      ['brackets with a star', `%include ${root}/g/[c]*`, '/'],
      ['.* matching . and ..', `%include ${root}/g/x/.*`, '/'],
      ['a glob matching nothing', `%include ${root}/nothing/*.conf`, '/'],
      ['a missing file', `%include ${root}/missing.conf`, '/'],
      ['a dangling symlink matched by a glob', `%include ${root}/g/d2/*`, '/'],
      ['a folder holding a dangling symlink', `%include ${root}/g/d2`, '/'],
      ['no path', '%include', '/'],
      ['~ (never expanded)', '%include ~/exitkit-nowhere.conf', '/'],
      ['%Include (case matters)', `%Include ${root}/d`, '/'],
      ['+%include', `+%include ${root}/d`, '/'],
      ['a file ending inside the comment trap', `%include ${root}/nl.conf\n%include ${root}/after.conf`, '/'],
      ['31 nested levels', `%include ${root}/chain31/2`, '/'],
      ['32 nested levels', `%include ${root}/chain/2`, '/'],
    ])('reads %s like tor', async (_name, torrc, cwd) => {
      const c = makeCase(scratch, `ExitPolicy first\n${torrc}\nExitPolicy last\n`, 'ExitRelay 0\n');
      const workDir = cwd === '/' ? c.cwd : cwd;
      const withCwd = { ...c, cwd: workDir };
      const expected = await torReading(withCwd);
      expect(ourReading(withCwd)).toEqual(expected);
    }, 30_000);

    test('reads a file that includes itself like tor (refused at the depth limit)', async () => {
      const c = makeCase(scratch, '', 'ExitRelay 0\n');
      writeFileSync(c.torrc, `ExitPolicy x\n%include ${c.torrc}\n`);
      expect(ourReading(c)).toEqual(await torReading(c));
      expect(ourReading(c).valid).toBe(false);
    });
  });

  test.each([
    ['a missing defaults file (tor ignores it)', true],
    ['a missing torrc', false],
  ])('treats %s like tor', async (name, defaultsMissing) => {
    const c = makeCase(scratch, 'ContactInfo a\n', 'ExitRelay 0\n');
    const broken = defaultsMissing ? { ...c, defaults: `${c.defaults}.missing` } : { ...c, torrc: `${c.torrc}.missing` };
    const ours = ourReading(broken);
    const theirs = await torReading(broken);
    expect(ours, name).toEqual(theirs);
    expect(ours.valid).toBe(defaultsMissing);
  });
});
