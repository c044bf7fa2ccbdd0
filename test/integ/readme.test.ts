/**
 * Runs every example of README.md exactly as written: each `$ exitkit …` line of a `console`
 * block runs in a scratch copy of the repository's fixtures, and its standard output must
 * match the lines shown (`…` on a line of its own stands for any number of lines, inside a
 * line for any text). `$ export` lines set the environment of the commands that follow.
 * The example letter must be what `exitkit letter followup` wrote in the walk-through.
 */
import { cp, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { requireTool } from '../helpers/require-tool.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FAKE_BIN = path.join(REPO, 'test/fixtures/bin');
// The walk-through's clock: plans and letters are dated by it (apply records real time).
const NOW = new Date('2026-11-25T12:00:00Z');

/** One `$` line of a console block and the output shown under it. */
interface Example {
  command: string;
  expected: string[];
}

/** The console blocks of the README, in order. */
function examples(readme: string): Example[] {
  const found: Example[] = [];
  for (const block of readme.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: Example | undefined;
    for (const line of (block[1] ?? '').replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) {
        current = { command: line.slice(2), expected: [] };
        found.push(current);
      } else if (current) {
        current.expected.push(line);
      }
    }
  }
  return found;
}

/** Splits a command line as sh would for the forms the README uses: quotes, $VAR, trailing `*`. */
async function words(command: string, env: Record<string, string>, cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const match of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    if (match[2] !== undefined) {
      out.push(match[2]);
      continue;
    }
    const raw = (match[1] ?? match[3] ?? '').replace(/\$(\w+)/g, (_, name: string) => env[name] ?? '');
    if (match[3] !== undefined && raw.endsWith('/*')) {
      const dir = raw.slice(0, -2);
      const names = (await readdir(path.resolve(cwd, dir))).filter((name) => !name.startsWith('.')).sort();
      out.push(...names.map((name) => `${dir}/${name}`));
    } else {
      out.push(raw);
    }
  }
  return out;
}

/** Matches output lines against shown lines with `…` wildcards. */
function matches(actual: string[], expected: string[]): boolean {
  const line = (text: string, pattern: string): boolean => {
    const parts = pattern.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('.*')}$`).test(text);
  };
  const walk = (a: number, e: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (expected[e] === '…') {
      for (let skip = a; skip <= actual.length; skip++) if (walk(skip, e + 1)) return true;
      return false;
    }
    return a < actual.length && line(actual[a] as string, expected[e] as string) && walk(a + 1, e + 1);
  };
  return walk(0, 0);
}

/** Dates that depend on when the test runs (apply records the real time) are masked. */
function maskRunDates(letter: string): string {
  return letter
    .replace(/Since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/g, 'Since <applied> UTC')
    .replace(/check on \d{4}-\d\d-\d\d/g, 'check on <applied + 7 days>');
}

const tor = requireTool('tor', 'the README walk-through (apply runs tor --verify-config)');

describe.skipIf(!tor.available)('README.md', () => {
  let scratch: string;
  let readme: string;
  const savedPath = process.env['PATH'];

  beforeAll(async () => {
    readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'exitkit-readme-')));
    await cp(path.join(REPO, 'fixtures'), path.join(scratch, 'fixtures'), { recursive: true });
    // `exitkit apply` reloads through systemctl; there is no systemd here, so a stand-in
    // answers (the relay under test is the scratch copy, not a running tor).
    process.env['PATH'] = `${FAKE_BIN}${path.delimiter}${savedPath ?? ''}`;
  });

  afterAll(async () => {
    process.env['PATH'] = savedPath;
    await rm(scratch, { recursive: true, force: true });
  });

  test('the two set-up commands are the ones .ci/run and the sample use', async () => {
    const ci = await readFile(path.join(REPO, '.ci/run'), 'utf8');
    const commands = [...readme.matchAll(/```sh\n(.*)\n```/g)].map((m) => m[1] ?? '');
    expect(commands).toHaveLength(2);
    expect(ci.trimEnd().split('\n').at(-1)).toBe(commands[1]);
    expect(commands[0]).toContain('fixtures/sample/torrc');
  });

  test('every console example prints what the README shows', async () => {
    const env: Record<string, string> = { PWD: scratch };
    const list = examples(readme);
    expect(list.length).toBeGreaterThan(10);
    for (const example of list) {
      const argv = await words(example.command, env, scratch);
      if (argv[0] === 'export') {
        for (const assignment of argv.slice(1)) {
          const [name, ...value] = assignment.split('=');
          env[name as string] = value.join('=');
        }
        continue;
      }
      expect(argv[0], example.command).toBe('exitkit');
      let out = '';
      let err = '';
      const io: CliIO = {
        stdout: (text) => void (out += text),
        stderr: (text) => void (err += text),
        cwd: scratch,
        env: { ...env },
        now: () => NOW,
      };
      const code = await main(argv.slice(1), io);
      expect({ command: example.command, code, err: code === 0 ? '' : err }).toEqual({ command: example.command, code: 0, err: '' });
      const actual = out.replace(/\n$/, '').split('\n');
      expect(matches(actual, example.expected), `${example.command}\n--- shown:\n${example.expected.join('\n')}\n--- printed:\n${out}`).toBe(true);
    }
    const letter = await readFile(path.join(scratch, 'demo-followup.txt'), 'utf8');
    const shown = /### An example letter[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(maskRunDates(letter)).toBe(maskRunDates(shown as string));
  });
});
