/**
 * Shared pieces of the CLI tests: an in-memory CliIO that records what a command prints,
 * the sample relay's options, and temp folders removed after each test.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ExitCodeValue } from '../../src/cli/exit-codes.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** Repository root (the sample relay's paths are relative to it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Options that read the sample relay in fixtures/sample, from the repository root. */
export const SAMPLE = ['--torrc', 'fixtures/sample/torrc', '--defaults-torrc', 'fixtures/sample/defaults-torrc'];

/** The sample relay's fingerprint (fixtures/sample/data/fingerprint). */
export const SAMPLE_FINGERPRINT = '3E4F5A1B2C3D4E5F60718293A4B5C6D7E8F90A1B';

/** A CliIO that records output instead of printing it. */
export interface FakeIO extends CliIO {
  /** Everything written to standard output. */
  out: string;
  /** Everything written to standard error. */
  err: string;
}

/** A fake CliIO: working directory, environment and clock as given (the repository root, none, and a fixed time by default). */
export function fakeIO(options: { cwd?: string; env?: Record<string, string | undefined>; now?: Date } = {}): FakeIO {
  const io: FakeIO = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
    now: () => options.now ?? new Date('2025-11-20T15:00:00Z'),
  };
  return io;
}

/** Runs `exitkit ARGV` and returns the exit code with what it printed. */
export async function run(argv: readonly string[], io: FakeIO = fakeIO()): Promise<{ code: ExitCodeValue; out: string; err: string }> {
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh folder (its real path), removed after the current test. */
export async function tempDir(prefix = 'exitkit-cli-'): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}
