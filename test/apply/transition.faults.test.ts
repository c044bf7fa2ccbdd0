// Crash and concurrency tests of apply/revert: each runs the engine in a child process that
// is killed with SIGKILL at a named stage (or runs beside another one), then checks that
// every live file holds exactly its old or its new bytes, that no temp file tor could read
// was left, and that running again recovers.
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readJournal } from '../../src/apply/journal.js';
import { APPLY_OPERATION, REVERT_OPERATION } from '../../src/apply/operations.js';
import { runTransition, type ApplyStage } from '../../src/apply/transition.js';
import { FakeRelay, testEnvironment } from './helpers/environment.js';
import { writePlan } from './helpers/plan.js';
import { AFTER, BEFORE, PROBES, makeRelay, read, type TestRelay } from './helpers/relay.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REGISTER = path.join(HERE, 'helpers', 'ts-register.mjs');
const CHILD = path.join(HERE, 'helpers', 'apply-child.ts');

interface ChildRun {
  /** Stages the child reached, in order. */
  stages: string[];
  /** Its final JSON line, when it was not killed. */
  result: { outcome?: string; code?: string; message?: string } | undefined;
  signal: NodeJS.Signals | null;
}

/** Runs the child; `onStage` sees each stage as it is printed. */
function runChild(
  request: Record<string, unknown>,
  env: Record<string, string> = {},
  onStage?: (stage: string) => void,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER, CHILD, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (const match of chunk.matchAll(/^stage (\S+)$/gm)) onStage?.(match[1] as string);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      const lines = out.trim().split('\n');
      const stages = lines.filter((l) => l.startsWith('stage ')).map((l) => l.slice(6));
      const last = lines.at(-1) ?? '';
      const result = last.startsWith('{') ? (JSON.parse(last) as ChildRun['result']) : undefined;
      if (result === undefined && signal !== 'SIGKILL') reject(new Error(`child failed: ${err}`));
      else resolve({ stages, result, signal });
    });
  });
}

/** Files in `dir` that tor's `%include DIR` would read, i.e. all but dotfiles. */
async function visibleFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
}

/** A relay whose plan changes two files (torrc and an included file), so a crash can fall between them. */
async function twoFileRelay(): Promise<{ relay: TestRelay; files: Array<{ path: string; before: string; after: string }> }> {
  const relay = await makeRelay();
  const dropIn = path.join(relay.etc, 'torrc.d');
  await mkdir(dropIn);
  const include = path.join(dropIn, '50-exit.conf');
  const torrcBefore = `ExitRelay 1\n%include ${include}\n`;
  const torrcAfter = `ExitRelay 1\n# exitkit: block moved into the include\n%include ${include}\n`;
  const includeBefore = 'ExitPolicy accept *:443\nExitPolicy reject *:*\n';
  const includeAfter = 'ExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:443\nExitPolicy reject *:*\n';
  await writeFile(relay.torrc, torrcBefore);
  await writeFile(include, includeBefore);
  const files = [
    { path: include, before: includeBefore, after: includeAfter },
    { path: relay.torrc, before: torrcBefore, after: torrcAfter },
  ];
  await writePlan(relay.planDir, {
    torrc: relay.torrc,
    defaultsTorrc: relay.defaults,
    changes: files,
    readOnly: [{ path: relay.defaults, content: await read(relay.defaults) }],
    probes: PROBES,
    blocked: ['203.0.113.0/24'],
  });
  return { relay, files };
}

const APPLY_STAGES: ApplyStage[] = [
  'locked',
  'checked',
  'backup-written',
  'backed-up',
  'candidate-written',
  'verified',
  'replaced',
  'written',
  'reloaded',
  'confirmed',
  'done',
];

function rerun(relay: TestRelay, operation: 'apply' | 'revert', running: FakeRelay) {
  const environment = testEnvironment({ relay: running });
  return runTransition(
    relay.planDir,
    operation === 'apply' ? APPLY_OPERATION : REVERT_OPERATION,
    { reload: 'control', environment, settleMs: 0, confirmTimeoutMs: 300, confirmIntervalMs: 10, lockTimeoutMs: 5_000 },
    environment,
  );
}

describe('apply/transition (crashes and concurrency)', { timeout: 60_000 }, () => {
  describe('#runTransition killed with SIGKILL', () => {
    test.each([
      ...APPLY_STAGES.map((stage) => [stage] as const),
      ['backup-written#2'] as const,
      ['replaced#2'] as const,
    ])('at %s leaves each file old or new, no readable temp file, and a rerun completes (apply)', async (fault) => {
      const { relay, files } = await twoFileRelay();
      const dropIn = path.dirname(files[0]?.path as string);
      const run = await runChild(
        { operation: 'apply', dir: relay.planDir, torrc: relay.torrc, reload: 'control' },
        { EXITKIT_FAULT: fault },
      );
      expect(run.signal).toBe('SIGKILL');
      expect(run.stages.at(-1)).toBe(fault.split('#')[0]);

      for (const file of files) expect([file.before, file.after]).toContain(await read(file.path));
      expect(await visibleFiles(dropIn)).toEqual(['50-exit.conf']);
      expect(await visibleFiles(relay.etc)).toEqual(['torrc', 'torrc.d']);

      const running = new FakeRelay(relay.torrc);
      const result = await rerun(relay, 'apply', running);
      expect(result.outcome).toBe(fault === 'done' ? 'unchanged' : 'completed');
      for (const file of files) expect(await read(file.path)).toBe(file.after);
      expect((await readdir(dropIn)).sort()).toEqual(['50-exit.conf']);
      expect((await readdir(relay.etc)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      if (fault !== 'done') expect(result.confirmation.status).toBe('confirmed');
    });

    test.each(['rollback-replaced', 'rollback-replaced#2'])(
      'at %s during a rollback leaves each file old or new, and a rerun completes or rolls back again cleanly',
      async (fault) => {
        const { relay, files } = await twoFileRelay();
        const run = await runChild(
          { operation: 'apply', dir: relay.planDir, torrc: relay.torrc, reload: 'control', frozen: true },
          { EXITKIT_FAULT: fault },
        );
        expect(run.signal).toBe('SIGKILL');
        for (const file of files) expect([file.before, file.after]).toContain(await read(file.path));

        const running = new FakeRelay(relay.torrc);
        running.frozen = true;
        const error = await rerun(relay, 'apply', running).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'APPLY_ROLLED_BACK' });
        for (const file of files) expect(await read(file.path)).toBe(file.before);
      },
    );

    test.each(APPLY_STAGES.map((stage) => [stage] as const))(
      'at %s leaves the torrc old or new, and a rerun completes (revert)',
      async (fault) => {
        const relay = await makeRelay();
        const running = new FakeRelay(relay.torrc);
        await rerun(relay, 'apply', running);
        const run = await runChild(
          { operation: 'revert', dir: relay.planDir, torrc: relay.torrc, reload: 'control' },
          { EXITKIT_FAULT: fault },
        );
        expect(run.signal).toBe('SIGKILL');
        expect([BEFORE, AFTER]).toContain(await read(relay.torrc));
        expect(await visibleFiles(relay.etc)).toEqual(['torrc']);

        const result = await rerun(relay, 'revert', new FakeRelay(relay.torrc));
        expect(result.outcome).toBe(fault === 'done' ? 'unchanged' : 'completed');
        expect(await read(relay.torrc)).toBe(BEFORE);
        expect((await readdir(relay.etc)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      },
    );
  });

  describe('#runTransition run twice at once', () => {
    test('a second apply of the same plan waits for the first, then finds it applied', async () => {
      const relay = await makeRelay();
      const release = path.join(relay.root, 'release');
      const request = { operation: 'apply', dir: relay.planDir, torrc: relay.torrc, reload: 'systemd', lockTimeoutMs: 30_000 };
      let second: Promise<ChildRun> | undefined;
      const first = runChild(request, { EXITKIT_PAUSE: `verified:${release}` }, (stage) => {
        if (stage !== 'verified') return;
        second = runChild(request);
        setTimeout(() => void writeFile(release, ''), 2_000);
      });
      expect((await first).result).toEqual({ outcome: 'completed' });
      expect((await second)?.result).toEqual({ outcome: 'unchanged' });
      expect(await read(relay.torrc)).toBe(AFTER);
      expect((await readJournal(relay.planDir)).filter((e) => e.event === 'start')).toHaveLength(1);
    });

    test('a second apply refuses with APPLY_LOCK_BUSY when it may not wait', async () => {
      const relay = await makeRelay();
      const release = path.join(relay.root, 'release');
      const request = { operation: 'apply', dir: relay.planDir, torrc: relay.torrc, reload: 'none' };
      let second: Promise<ChildRun> | undefined;
      const first = runChild(request, { EXITKIT_PAUSE: `checked:${release}` }, (stage) => {
        if (stage !== 'checked') return;
        second = runChild({ ...request, lockTimeoutMs: 0 });
        void second.finally(() => writeFile(release, ''));
      });
      expect((await first).result).toEqual({ outcome: 'completed' });
      expect((await second)?.result).toMatchObject({ code: 'APPLY_LOCK_BUSY' });
      expect(await read(relay.torrc)).toBe(AFTER);
    });

    test('of two different plans for the same torrc, the one that runs second refuses because the file changed', async () => {
      const relay = await makeRelay();
      const otherDir = path.join(relay.root, 'plans', 'case-2');
      const otherAfter = `${BEFORE}ExitPolicy reject 192.0.2.0/24:*\n`;
      await writePlan(otherDir, {
        id: 'case-2',
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [{ path: relay.torrc, before: BEFORE, after: otherAfter }],
        readOnly: [{ path: relay.defaults, content: await read(relay.defaults) }],
      });
      const runs = await Promise.all([
        runChild({ operation: 'apply', dir: relay.planDir, torrc: relay.torrc, reload: 'none', lockTimeoutMs: 20_000 }),
        runChild({ operation: 'apply', dir: otherDir, torrc: relay.torrc, reload: 'none', lockTimeoutMs: 20_000 }),
      ]);
      const outcomes = runs.map((r) => r.result?.outcome ?? r.result?.code).sort();
      expect(outcomes).toEqual(['APPLY_FILE_CHANGED', 'completed']);
      expect([AFTER, otherAfter]).toContain(await read(relay.torrc));
      expect(await visibleFiles(relay.etc)).toEqual(['torrc']);
      expect((await readdir(relay.etc)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  });
});
