/**
 * Knobs of the differential suite, from the environment (defaults are what CI runs):
 * EXITKIT_DIFF_CASES (generated cases, default 1000), EXITKIT_DIFF_SEED (default 20251125),
 * EXITKIT_DIFF_PROBES (probes per valid policy, default 1000).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function numberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${text} is not a whole number`);
  return value;
}

/** Generated cases per run. */
export const CASES = numberFromEnv('EXITKIT_DIFF_CASES', 1000);
/** Seed of the generated cases (and of the probes). */
export const SEED = numberFromEnv('EXITKIT_DIFF_SEED', 20251125);
/** Probes per valid policy. */
export const PROBES = numberFromEnv('EXITKIT_DIFF_PROBES', 1000);
/** Mismatches shown (and minimised) in a failure message. */
export const SHOWN_MISMATCHES = 3;

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared torrc corpus, next to the repository. */
export const CORPUS_DIR = path.resolve(REPO_ROOT, '../shared/corpus/torrc');
