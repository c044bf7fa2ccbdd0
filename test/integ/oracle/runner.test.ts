import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { generateTorrcCases } from '../../helpers/generate-torrc.js';
import { parsePrintedPolicy, referenceVerdict, parseIpv4, parseIpv6 } from '../../helpers/reference-policy.js';
import { requireTool } from '../../helpers/require-tool.js';
import { TorOracle } from '../../helpers/tor-oracle.js';
import { type Engine, Tally, explainOutcome, minimiseCase, runCase, runCases } from '../differential/runner.js';

const tor = requireTool('tor', 'the differential runner self-test');

/**
 * A second tor as the "engine": the runner must find full agreement between two tor
 * processes with different histories, which checks the oracle (fresh descriptor per case,
 * no state leaking between cases) and the runner's plumbing without exitkit.
 */
function torEngine(second: TorOracle): Engine {
  return {
    name: 'second tor',
    async load(input) {
      const verdict = await verifyTorConfig({ torrc: input.torrc, defaultsTorrc: input.defaultsTorrc, cwd: input.cwd, torBinary: second.torCommand });
      if (!verdict.valid) return { valid: false, lines: undefined, verdict: () => 'reject', diagnostics: verdict.messages.join('\n') };
      const answer = await second.evaluate({ torrc: input.torrc, defaultsTorrc: input.defaultsTorrc });
      const lines = answer.lines ?? [];
      const rules = parsePrintedPolicy(lines);
      return {
        valid: true,
        lines,
        verdict: (address, port) => {
          const family = address.includes(':') ? 6 : 4;
          const value = family === 6 ? parseIpv6(address) : parseIpv4(address);
          return referenceVerdict(rules, { family, address: value, port }).verdict;
        },
        diagnostics: answer.message ?? '',
      };
    },
  };
}

describe.skipIf(!tor.available)('differential/runner (tor against tor)', () => {
  let first: TorOracle;
  let second: TorOracle;

  beforeAll(async () => {
    [first, second] = await Promise.all([TorOracle.start(), TorOracle.start()]);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  test('two tor processes agree on 100 generated cases, case by case', async () => {
    // The second tor sees only the cases verify-config accepts, the first also the refused
    // ones (LOADCONF), so their histories differ.
    const cases = generateTorrcCases(100, 777);
    const engine = torEngine(second);
    const tally = new Tally();
    await runCases(first, engine, cases, { probes: 300, seed: 1, askLoadConfForInvalid: true }, (o) => tally.add(o), 2);
    console.log(tally.report('tor vs tor'));
    const mismatches = tally.mismatches;
    expect(mismatches.map(explainOutcome).slice(0, 3).join('\n\n')).toBe('');
    expect(tally.outcomes.filter((o) => o.linesCompared).length).toBeGreaterThan(70);
  });

  test('minimiseCase shrinks a case to the lines that matter', async () => {
    const [c] = generateTorrcCases(1, 5);
    const shrunk = await minimiseCase(
      { ...c!, files: [{ path: 'torrc', content: 'ContactInfo a\nExitPolicy accept *:80, reject 1.2.3.4:*, accept *:443\nExitRelay 1\n' }], defaults: undefined },
      async (candidate) => /reject 1\.2\.3\.4/.test(candidate.files.map((f) => f.content).join('')),
    );
    expect(shrunk.files.map((f) => f.content)).toEqual(['ExitPolicy reject 1.2.3.4:*\n']);
  });

  test('a disagreement is reported with both sides', async () => {
    const [c] = generateTorrcCases(1, 11);
    const liar: Engine = {
      name: 'liar',
      load: async () => ({ valid: true, lines: ['accept *:*'], verdict: () => 'accept', diagnostics: 'made up' }),
    };
    const outcome = await runCase(first, liar, { ...c!, files: [{ path: 'torrc', content: 'ExitRelay 1\n' }], defaults: undefined }, {
      probes: 50,
      seed: 2,
      askLoadConfForInvalid: false,
    });
    expect(outcome.linesAgree).toBe(false);
    expect(outcome.probesAgree).toBeLessThan(outcome.probes);
    expect(explainOutcome(outcome)).toContain(' - reject *:25');
  });
});
