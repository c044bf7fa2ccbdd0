import { afterAll, describe, expect, test } from 'vitest';
import { TOR_OPTIONS, lookupOption } from '../../../src/torrc/options.js';
import { Scratch, makeCase, pool, runTor, tor, verify } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

describe.skipIf(!tor.available)('torrc/options against tor 0.4.9.11', () => {
  test('lists the settable options in the same order as tor --list-torrc-options', async () => {
    const answer = await runTor(['--list-torrc-options'], scratch.dir);
    const listed = answer.stdout.split('\n').filter((line) => line !== '');
    const settable = TOR_OPTIONS.filter((o) => !o.obsolete && !o.virtual && !o.invisible).map((o) => o.name);
    expect(settable).toEqual(listed);
  });

  test('knows every obsolete, virtual and hidden option the way tor treats it', async () => {
    const special = TOR_OPTIONS.filter((o) => o.obsolete || o.virtual || o.invisible);
    const answers = await pool(special, 2, async (option) => ({ option, answer: await verify(makeCase(scratch, `${option.name} 1\n`)) }));
    for (const { option, answer } of answers) {
      if (option.obsolete) expect(answer.valid, option.name).toBe(true);
      if (option.virtual) expect(answer.message, option.name).toContain('Cannot assign directly to virtual option');
      if (option.invisible) expect(answer, option.name).toMatchObject({ valid: true });
    }
  }, 120_000);

  test('resolves abbreviations to the same option as tor, including ambiguous prefixes', async () => {
    const prefixes = new Set(['ExitPol', 'Ex', 'Ad', 'l', 'ORP', 'ExitPolicyR', 'SocksPortL', 'Nick', 'Contact', '__']);
    for (const option of TOR_OPTIONS) for (const length of [1, 2, 3]) if (option.name.length > length) prefixes.add(option.name.slice(0, length));
    const cases = [...prefixes].filter((p) => lookupOption(p).via !== 'exact' && lookupOption(p).via !== 'alias').sort();
    const answers = await pool(cases, 2, async (key) => ({ key, answer: await verify(makeCase(scratch, `${key} 1\n`)) }));
    let compared = 0;
    for (const { key, answer } of answers) {
      const expected = lookupOption(key);
      const warned = /The abbreviation '([^']*)' is deprecated\. Please use '([^']*)' instead/.exec(answer.message)?.[2];
      if (expected.option) expect(warned, key).toBe(expected.option.name);
      else expect(answer.message, key).toContain('Unknown option');
      compared++;
    }
    expect(compared).toBeGreaterThan(200);
  }, 120_000);
});
