// Locates the shared complaint corpus (../shared/corpus/complaints from the repository root)
// and the hand-written fixtures. The corpus is never copied into the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

/** Folder of the shared complaint corpus. */
export const corpusDir = resolve(repoRoot, '../shared/corpus/complaints');

/** Whether the corpus is present on this machine. */
export const corpusAvailable = existsSync(resolve(corpusDir, 'SOURCES.md'));

/** Whether the run must fail instead of skipping when the corpus is missing. */
export const corpusRequired = process.env['CI'] === 'true';

/** Message shown when corpus tests are skipped. */
export const corpusSkipMessage = `complaint corpus not found at ${corpusDir}; corpus tests skipped (they fail under CI=true)`;

/** Reads a corpus sample by its path below the corpus folder. */
export function corpusFile(path: string): Buffer {
  return readFileSync(resolve(corpusDir, path));
}

/** Reads a hand-written fixture from test/fixtures/complaints. */
export function fixture(name: string): Buffer {
  return readFileSync(resolve(repoRoot, 'test/fixtures/complaints', name));
}
