import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { OptionType } from '../../../src/torrc/options.js';
import { quoteValue } from '../../../src/torrc/flatten.js';
import { checkTypedValue } from '../../../src/torrc/values.js';
import { Scratch, makeCase, pool, tor, verify } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

/** One option per type; tor's "Could not parse <option>" tells a parse failure from later checks. */
const OPTION_OF: Partial<Record<OptionType, string>> = {
  BOOL: 'IPv6Exit',
  AUTOBOOL: 'ExitRelay',
  INT: 'PathBiasCircThreshold',
  POSINT: 'NumEntryGuards',
  UINT64: '__OwningControllerFD',
  DOUBLE: 'PathBiasNoticeRate',
  MEMUNIT: 'BandwidthRate',
  INTERVAL: 'CircuitBuildTimeout',
  MSEC_INTERVAL: 'KISTSchedRunInterval',
  CSV_INTERVAL: 'TestingClientDownloadInitialDelay',
};

const curated = [
  '0', '1', '-1', '+5', ' 5', '5 ', 'auto', 'AUTO', 'true', '01', '2147483647', '2147483648', '-2147483649',
  '18446744073709551615', '18446744073709551616', '9223372036854775807', '10 KB', '10KB', '1.5 MB', '.5 MB', '5. MB',
  '1e3', 'nan', 'nan KB', 'inf', '-0', '-0.5 KB', '0x10', '8388608 TB', '8388607 TB', '1 week', '2 months', '100 msec',
  '24855 days', '24856 days', '1,2', 'foo,60', 'RELAY_BANDWIDTH_RATE', '5 # c', '5\tKB', '1e-310', '1e308', '1e309', '0x1p3',
];
const atoms = ['0', '7', '12', '2147483647', '99999999999999999999', '-', '+', '.', 'e', 'x', ' ', 'kb', 'MB', 'gbits', 'minutes', 'days', 'msec', 'nan', 'inf', ','];
const random = fc.sample(fc.array(fc.constantFrom(...atoms), { minLength: 1, maxLength: 4 }).map((a) => a.join('')), { seed: 77, numRuns: 20 });

describe.skipIf(!tor.available)('torrc/values against tor 0.4.9.11', () => {
  const cases = Object.entries(OPTION_OF).flatMap(([type, option]) => [...curated, ...random].map((value) => ({ type: type as OptionType, option: option as string, value })));

  test(`parses ${cases.length} typed values like tor`, async () => {
    const answers = await pool(cases, 2, async (c) => ({ c, answer: await verify(makeCase(scratch, `${c.option} ${quoteValue(c.value)}\n`)) }));
    for (const { c, answer } of answers) {
      const torRefuses = answer.message.includes(`Could not parse ${c.option}`);
      expect({ ...c, refused: checkTypedValue(c.type, c.value) !== undefined }).toEqual({ ...c, refused: torRefuses });
    }
  }, 180_000);
});
