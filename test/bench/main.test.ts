// The benchmark is kept out of the test suite; this only checks that it still runs end to
// end (`--smoke`: 100 rules, one run) on the compiled library, and that what it reports holds.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BenchResults, Sample, Skipped } from '../../bench/src/report.js';
import { requireTool } from '../helpers/require-tool.js';

const repo = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'exitkit-bench-smoke-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tor = requireTool('tor', "the benchmark's tor column");

let results: BenchResults;
let stdout: string;

beforeAll(async () => {
  if (!existsSync(path.join(repo, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: the benchmark measures the compiled library, run `npm run build` first');
  }
  await execa('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: repo });
  const out = path.join(scratch, 'results.json');
  const run = await execa(process.execPath, ['bench/build/main.js', '--smoke', '--out', out], { cwd: repo, reject: false });
  if (run.exitCode !== 0) throw new Error(`the smoke run failed (${String(run.exitCode)}):\n${run.stderr}`);
  stdout = run.stdout;
  results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
}, 240_000);

function isSample(value: Sample | Skipped): value is Sample {
  return 'medianMs' in value;
}

describe('bench/main', () => {
  describe('--smoke', () => {
    test('measures exitkit policy, plan block and start-up on 100 rules', () => {
      expect(results.settings).toMatchObject({ sizes: [100], runs: 1, smoke: true });
      expect(results.inputs).toEqual([expect.objectContaining({ rules: 100 })]);
      const [row] = results.commands;
      for (const value of [row?.policy, row?.plan, results.startup.node, results.startup.help]) {
        expect(value !== undefined && isSample(value) && value.medianMs > 0 && value.maxRssKb > 0).toBe(true);
      }
    });

    test('times tor on the same file when tor is installed, and says why not otherwise', () => {
      const value = results.commands[0]?.tor;
      if (tor.available) expect(value !== undefined && isSample(value) && value.medianMs > 0).toBe(true);
      else expect(value).toMatchObject({ skipped: expect.stringContaining('apt-get install -y tor') });
    });

    test('gets the same verdicts from the index, a linear scan and stem (when installed)', () => {
      const v = results.verdicts;
      expect(v.text.perSecond).toBeGreaterThan(0);
      expect(v.scanChecked).toBeGreaterThan(0);
      expect(v.scanMismatches).toBe(0);
      if ('skipped' in v.stem) expect(v.stem.skipped).toContain('python3-stem');
      else expect(v.stemMismatches).toBe(0);
    });

    test('computes a semantic change that every check probe agrees with', () => {
      const [d] = results.semanticChange;
      expect(d?.probesChecked).toBeGreaterThan(0);
      expect(d?.probeMismatches).toBe(0);
      expect(d?.sample.medianMs).toBeGreaterThan(0);
    });

    test('judges the five targets and prints them in the table', () => {
      expect(results.targets).toHaveLength(5);
      expect(stdout).toContain('| Measurement |');
      expect(stdout).toContain('`exitkit plan block`');
    });
  });
});
