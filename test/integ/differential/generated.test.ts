import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateTorrcCases } from '../../helpers/generate-torrc.js';
import { requireTool } from '../../helpers/require-tool.js';
import { TorOracle } from '../../helpers/tor-oracle.js';
import { exitkitEngine } from './exitkit-engine.js';
import { describeMismatches } from './report.js';
import { type Engine, type RunOptions, Tally, runCases } from './runner.js';
import { CASES, PROBES, SEED, SHOWN_MISMATCHES } from './settings.js';

const tor = requireTool('tor', 'the differential tests against tor');

describe.skipIf(!tor.available)(`differential: ${CASES} generated torrcs (seed ${SEED}) against tor`, () => {
  const options: RunOptions = { probes: PROBES, seed: SEED, askLoadConfForInvalid: true };
  const tally = new Tally();
  let oracle: TorOracle;
  let engine: Engine;

  beforeAll(async () => {
    oracle = await TorOracle.start();
    engine = exitkitEngine(oracle);
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  test('every case runs through tor --verify-config, the tor oracle and exitkit', async () => {
    await runCases(oracle, engine, generateTorrcCases(CASES, SEED), options, (outcome) => tally.add(outcome));
    console.log('%s', tally.report(`generated (seed ${SEED})`));
    expect(tally.outcomes).toHaveLength(CASES);
    // A configuration tor accepts must get an answer from the oracle; anything else is a
    // harness failure, not a verdict.
    const unanswered = tally.outcomes.filter((o) => o.oracleFailed);
    expect(unanswered.map((o) => `${o.case.name}: ${o.oracle?.message ?? 'no answer'}`)).toEqual([]);
    // The generator aims at ~10% invalid; tor must see both kinds in numbers.
    expect(tally.outcomes.filter((o) => o.verify.valid).length).toBeGreaterThan(CASES * 0.75);
    expect(tally.outcomes.filter((o) => !o.verify.valid).length).toBeGreaterThan(CASES * 0.05);
  }, 900_000);

  test("exitkit's valid/invalid verdict equals tor --verify-config's on every case", async () => {
    const wrong = tally.outcomes.filter((o) => !o.verdictAgrees);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);

  test('on every valid case exitkit prints exactly the lines of GETINFO exit-policy/full', async () => {
    const wrong = tally.outcomes.filter((o) => o.verdictAgrees && o.linesCompared && !o.linesAgree);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);

  test(`on every valid case exitkit's verdicts agree with tor's printed policy on ≥ ${PROBES} probes`, async () => {
    const compared = tally.outcomes.filter((o) => o.verdictAgrees && o.linesCompared);
    for (const outcome of compared.filter((o) => o.verify.valid && o.probes > 0)) {
      expect(outcome.probes).toBeGreaterThanOrEqual(PROBES);
    }
    const wrong = compared.filter((o) => o.probesAgree !== o.probes);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);
});
