import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateItems, mutateItems, torrcFiles, type GeneratedTorrc } from '../../../bench/src/generate.js';
import { loadRelayPolicySync } from '../../../src/relay/policy.js';
import { requireTool } from '../../helpers/require-tool.js';
import { TorOracle } from '../../helpers/tor-oracle.js';

const tor = requireTool('tor', 'the differential tests against tor');

// The generated cases are small; these are the benchmark's relays (thousands of items, many
// on one prefix, nested prefixes of every length, wildcard items), where the policy engine
// takes its indexed paths. Tor must print exactly the policy exitkit computes.
const ITEMS = 10_000;
const SEED = 20250601;

describe.skipIf(!tor.available)(`differential: ${ITEMS}-item relays against tor`, () => {
  let oracle: TorOracle;

  beforeAll(async () => {
    oracle = await TorOracle.start({ caseTimeoutMs: 300_000 });
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  // tor resolves a relative %include against its working directory, which is shared by
  // every case: the includes are made absolute.
  async function write(generated: GeneratedTorrc, name: string): Promise<string> {
    const dir = path.join(oracle.casesDir, name);
    for (const file of generated.files) {
      const target = path.join(dir, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content.replace(/^%include (\S+)$/gm, (_line, included: string) => `%include ${path.join(dir, included)}`));
    }
    return path.join(dir, 'torrc');
  }

  const items = generateItems(ITEMS, SEED);
  test.each([
    ['a generated relay', () => torrcFiles(items, SEED)],
    ['the same relay with about 1% of its items changed', () => torrcFiles(mutateItems(items, SEED + 1), SEED + 1)],
  ])('exitkit computes the policy tor enforces on %s', async (name, generate) => {
    const torrc = await write(generate(), name.replace(/\W+/g, '-'));
    const answer = await oracle.evaluate({ torrc });
    expect(answer.outcome, answer.message).toBe('policy');
    const ours = loadRelayPolicySync({
      torrc,
      defaultsTorrc: undefined,
      cwd: oracle.casesDir,
      interfaceAddresses: [...oracle.interfaceAddresses],
      ownAddresses: [...oracle.ownAddresses],
    });
    expect(ours.valid).toBe(true);
    expect(ours.torLines?.length).toBeGreaterThan(ITEMS / 2);
    expect(ours.torLines).toEqual(answer.lines);
  }, 300_000);
});
