import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireTool } from '../../helpers/require-tool.js';
import { TorOracle } from '../../helpers/tor-oracle.js';
import { exitkitEngine } from './exitkit-engine.js';
import { type Engine, type RunOptions, agrees, explainOutcome, runCase } from './runner.js';
import { PROBES, SEED } from './settings.js';
import { EFFECTIVE_POLICY_VECTORS, OWN_ADDRESS_VECTORS, TRAP_VECTORS, type Vector } from './vectors.js';

const tor = requireTool('tor', 'the regression cases against tor');

// Every vector C1–C17 and every trap of tor-semantics.md §8 (plus the lexing, layering and
// include traps of §1), each a named case: exitkit must agree with the real tor on the
// verdict, the printed policy and ≥ PROBES probes, and tor must still give the recorded answer.
describe.skipIf(!tor.available)('differential: named regression cases (tor-semantics §7.3, §8)', () => {
  const options: RunOptions = { probes: PROBES, seed: SEED, askLoadConfForInvalid: false };
  let oracle: TorOracle;
  let engine: Engine;

  beforeAll(async () => {
    oracle = await TorOracle.start();
    engine = exitkitEngine(oracle);
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  test.each(named([...EFFECTIVE_POLICY_VECTORS, ...TRAP_VECTORS]))('%s', async (_name, vector) => {
    await checkVector(oracle, engine, vector, options);
  });
});

const canAdvertisePublic = process.getuid?.() === 0;
if (tor.available && !canAdvertisePublic) {
  console.warn('SKIPPED: the own-address cases need root (a private network namespace with public test addresses)');
}

describe.skipIf(!tor.available || !canAdvertisePublic)(
  "differential: the relay's own addresses (an oracle advertising public addresses)",
  () => {
    const options: RunOptions = { probes: PROBES, seed: SEED, askLoadConfForInvalid: false };
    let oracle: TorOracle;
    let engine: Engine;

    beforeAll(async () => {
      oracle = await TorOracle.start({ advertise: 'public' });
      engine = exitkitEngine(oracle);
    });

    afterAll(async () => {
      await oracle?.stop();
    });

    test.each(named(OWN_ADDRESS_VECTORS))('%s', async (_name, vector) => {
      await checkVector(oracle, engine, vector, options);
    });
  },
);

function named(vectors: readonly Vector[]) {
  return vectors.map((v) => [`${v.id}: ${v.title}`, v] as const);
}

async function checkVector(oracle: TorOracle, engine: Engine, vector: Vector, options: RunOptions): Promise<void> {
  const outcome = await runCase(oracle, engine, vector.case, options);
  // Tor itself still says what the fact sheet recorded.
  expect(outcome.verify.valid, outcome.verify.messages.join('\n')).toBe(vector.valid);
  if (vector.crashes) expect(outcome.verify.signal).toBe('SIGABRT');
  if (vector.expected) expect(outcome.oracle?.lines).toEqual(vector.expected);
  // exitkit agrees with tor.
  expect(agrees(outcome), explainOutcome(outcome)).toBe(true);
  if (outcome.linesCompared) expect(outcome.probes).toBeGreaterThanOrEqual(PROBES);
}
