import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TorrcCase, makeCase } from '../../helpers/generate-torrc.js';
import { isCi, requireTool } from '../../helpers/require-tool.js';
import { LOOPBACK_ORPORT, TorOracle, isUnsafeOption, lexEntries, sanitiseRelayTorrc } from '../../helpers/tor-oracle.js';
import { exitkitEngine } from './exitkit-engine.js';
import { describeMismatches } from './report.js';
import { type Engine, type RunOptions, Tally, runCases } from './runner.js';
import { CORPUS_DIR, PROBES, SEED, SHOWN_MISMATCHES } from './settings.js';

const tor = requireTool('tor', 'the corpus differential tests');

const corpusPresent = existsSync(CORPUS_DIR);
if (!corpusPresent) {
  const message = `the torrc corpus is missing at ${CORPUS_DIR} (it lives in ../shared/corpus next to the repository)`;
  if (isCi()) throw new Error(`${message}; CI=true: a missing corpus is a failure, not a skip`);
  console.warn(`SKIPPED: ${message}`);
}

async function listCorpus(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listCorpus(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

describe.skipIf(!tor.available || !corpusPresent)('differential: the real-world torrc corpus against tor', () => {
  const options: RunOptions = { probes: PROBES, seed: SEED, askLoadConfForInvalid: true };
  const tally = new Tally();
  const cases: TorrcCase[] = [];
  const unresolved: string[] = [];
  let oracle: TorOracle;
  let engine: Engine;

  beforeAll(async () => {
    oracle = await TorOracle.start();
    engine = exitkitEngine(oracle);
    for (const [index, file] of (await listCorpus(CORPUS_DIR)).entries()) {
      const relative = path.relative(CORPUS_DIR, file);
      // Every corpus file is valid UTF-8, so a string round trip keeps its bytes.
      const { text } = sanitiseRelayTorrc(await readFile(file, 'utf8'));
      // Only files whose %include targets exist are compared (tor-semantics §1.6: relative
      // paths resolve against tor's working directory, here the oracle's case folder).
      const includes = lexEntries(text).filter((entry) => entry.key === '%include');
      const missing = includes
        .map((entry) => text.slice(entry.start, entry.end).replace(/^%include\s*/, '').replace(/\s*(#.*)?$/s, ''))
        .filter((target) => target === '' || !existsSync(path.resolve(oracle.casesDir, target.replace(/[*?].*$/, ''))));
      if (missing.length > 0) {
        unresolved.push(`${relative} (${missing.join(', ')})`);
        continue;
      }
      const name = `corpus-${String(index).padStart(3, '0')}-${relative.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`;
      cases.push(
        makeCase({
          name,
          files: [{ path: 'torrc', content: text }],
          features: [relative.startsWith('templated') ? 'templated' : 'plain', /exitpolicy/i.test(text) ? 'has-exitpolicy' : 'no-exitpolicy'],
        }),
      );
    }
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  test('the corpus is there and every file is used', () => {
    expect(cases.length).toBeGreaterThan(50);
    console.log('%s', `corpus: ${cases.length} files compared; ${unresolved.length} skipped for unresolved %include${unresolved.length ? `: ${unresolved.join('; ')}` : ''}`);
  });

  test('no sanitised file still names an option that could reach the network (tor --dump-config)', async () => {
    for (const c of cases) {
      const file = path.join(oracle.casesDir, `${c.name}.dump-check`);
      await writeFile(file, c.files[0]!.content);
      const dataDirectory = path.join(oracle.casesDir, 'no-such-data');
      const dump = await execa(
        oracle.torCommand,
        ['--dump-config', 'short', '--defaults-torrc', '/dev/null', '-f', file, '--DataDirectory', dataDirectory],
        { reject: false, cwd: oracle.casesDir },
      );
      if (dump.exitCode !== 0) continue; // invalid: LOADCONF refuses it too
      const ours = new Set([LOOPBACK_ORPORT, `DataDirectory ${dataDirectory}`]);
      const unsafe = dump.stdout
        .split('\n')
        .filter((line) => line !== '' && isUnsafeOption(line.split(' ')[0] ?? '') && !ours.has(line));
      expect(unsafe, c.name).toEqual([]);
    }
  }, 120_000);

  test('every file runs through tor --verify-config, the tor oracle and exitkit', async () => {
    await runCases(oracle, engine, cases, options, (outcome) => tally.add(outcome));
    console.log('%s', tally.report('corpus'));
    expect(tally.outcomes).toHaveLength(cases.length);
    expect(tally.outcomes.filter((o) => o.oracleFailed).map((o) => `${o.case.name}: ${o.oracle?.message ?? ''}`)).toEqual([]);
  }, 600_000);

  test("exitkit's valid/invalid verdict equals tor --verify-config's on every file", async () => {
    const wrong = tally.outcomes.filter((o) => !o.verdictAgrees);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);

  test('on every valid file exitkit prints exactly the lines of GETINFO exit-policy/full', async () => {
    const wrong = tally.outcomes.filter((o) => o.verdictAgrees && o.linesCompared && !o.linesAgree);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);

  test(`on every valid file exitkit's verdicts agree with tor's printed policy on ≥ ${PROBES} probes`, async () => {
    const wrong = tally.outcomes.filter((o) => o.verdictAgrees && o.linesCompared && o.probesAgree !== o.probes);
    expect(await describeMismatches(oracle, engine, wrong, options, SHOWN_MISMATCHES)).toBe('');
  }, 300_000);
});
