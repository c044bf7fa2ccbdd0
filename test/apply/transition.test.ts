import { spawn } from 'node:child_process';
import { lstat, mkdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ApplyEnvironment } from '../../src/apply/environment.js';
import { ApplyError } from '../../src/apply/errors.js';
import { readAppliedEffect, readJournal } from '../../src/apply/journal.js';
import { APPLY_OPERATION, REVERT_OPERATION } from '../../src/apply/operations.js';
import { runTransition, type ApplyOptions } from '../../src/apply/transition.js';
import { FAKE_SYSTEMCTL, FAKE_TOR, FakeRelay, testEnvironment } from './helpers/environment.js';
import { sha, writePlan } from './helpers/plan.js';
import { AFTER, BEFORE, PROBES, expectOnly, makeRelay, read, type TestRelay } from './helpers/relay.js';

const NOBODY = 65534;
let torLog: string;

beforeEach(async (context) => {
  torLog = path.join('/tmp', `exitkit-fake-tor-${process.pid}-${context.task.id}.log`);
  process.env.FAKE_TOR_LOG = torLog;
});
afterEach(async () => {
  delete process.env.FAKE_TOR_LOG;
  await rm(torLog, { force: true });
});

function options(environment: ApplyEnvironment, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { reload: 'none', environment, settleMs: 0, confirmTimeoutMs: 300, confirmIntervalMs: 10, lockTimeoutMs: 0, ...extra };
}
const apply = (relay: TestRelay, opts: ApplyOptions) => runTransition(relay.planDir, APPLY_OPERATION, opts, opts.environment as ApplyEnvironment);
const revert = (relay: TestRelay, opts: ApplyOptions) => runTransition(relay.planDir, REVERT_OPERATION, opts, opts.environment as ApplyEnvironment);

/** Runs `promise` and returns the ApplyError it rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ApplyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplyError);
  return error as ApplyError;
}

describe('apply/transition', () => {
  describe('#runTransition (apply)', () => {
    test('backs up, verifies the exact candidate with tor, replaces the torrc and journals every stage', async () => {
      const relay = await makeRelay({ owner: { uid: NOBODY, gid: NOBODY, mode: 0o640 } });
      const result = await apply(relay, options(testEnvironment()));

      expect(await read(relay.torrc)).toBe(AFTER);
      const info = await stat(relay.torrc);
      expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o640, NOBODY, NOBODY]);
      await expectOnly(relay.etc, ['torrc']);

      expect(result).toMatchObject({ operation: 'apply', outcome: 'completed', effectiveAt: null, planId: 'case-1' });
      const [file] = result.files;
      expect(file).toMatchObject({ path: relay.torrc, action: 'written', sha256: sha(AFTER) });
      expect(file?.backup).toMatch(new RegExp(`^${relay.planDir}/backups/\\d{8}T\\d{6}\\.\\d{3}Z${relay.torrc}$`));
      expect(await read(file?.backup as string)).toBe(BEFORE);

      const verify = (await read(torLog)).trim().split('\n');
      expect(verify).toHaveLength(1);
      expect(verify[0]).toMatch(new RegExp(`--verify-config --defaults-torrc ${relay.defaults} -f ${relay.etc}/\\.torrc\\.exitkit-.*-new\\.tmp `));

      const events = (await readJournal(relay.planDir)).map((e) => e.event);
      expect(events).toEqual(['start', 'backup', 'verified', 'written', 'done']);
      expect(result.notes.join('\n')).toContain('NOT in force');
    });

    test('reloads through the control port, confirms every probe on the running relay and records when it took effect', async () => {
      const relay = await makeRelay();
      const running = new FakeRelay(relay.torrc);
      const result = await apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));

      expect(running.reloads).toBe(1);
      expect(result.reload).toMatchObject({ method: 'control', status: 'done' });
      expect(result.confirmation.status).toBe('confirmed');
      expect(result.confirmation.probes.map((p) => [p.expected, p.observed])).toEqual(PROBES.map((p) => [p.after, p.after]));
      expect(result.effectiveAt).toBe(result.reload.at);
      const done = (await readJournal(relay.planDir)).at(-1);
      expect(done).toMatchObject({ event: 'done', outcome: 'completed', effectiveAt: result.effectiveAt, openConnectionsClosed: false });
      expect(result.notes.some((n) => n.includes('203.0.113.0/24') && n.includes('40676'))).toBe(true);
      expect(result.lines.some((l) => l.includes(result.effectiveAt as string))).toBe(true);
    });

    test('says that tor closes open connections when ReevaluateExitPolicy 1 is set', async () => {
      const relay = await makeRelay({ before: `ReevaluateExitPolicy 1\n${BEFORE}`, after: `ReevaluateExitPolicy 1\n${AFTER}` });
      const result = await apply(relay, options(testEnvironment({ relay: new FakeRelay(relay.torrc) }), { reload: 'control' }));
      expect(result.notes.some((n) => n.includes('ReevaluateExitPolicy 1') && !n.includes('40676'))).toBe(true);
      expect(await readAppliedEffect(relay.planDir)).toEqual({ at: result.effectiveAt, openConnectionsClosed: true });
    });

    test('reloads with systemctl and confirms through the control port', async () => {
      const relay = await makeRelay();
      const log = path.join(relay.root, 'systemctl.log');
      const running = new FakeRelay(relay.torrc);
      const env = testEnvironment({ relay: running, systemctlEnv: { FAKE_SYSTEMCTL_LOG: log } });
      const result = await apply(relay, options(env, { reload: 'systemd', unit: 'tor@relay', systemctl: FAKE_SYSTEMCTL }));
      expect(await read(log)).toBe('is-active tor@relay\nreload tor@relay\nis-active tor@relay\n');
      expect(result.confirmation.status).toBe('confirmed');
    });

    test('writes through a symlinked torrc to its target and keeps the link', async () => {
      const relay = await makeRelay();
      const real = path.join(relay.root, 'srv', 'torrc');
      await mkdir(path.dirname(real));
      await writeFile(real, BEFORE);
      await writeFile(relay.torrc, '');
      await rm(relay.torrc);
      await symlink(real, relay.torrc);
      const result = await apply(relay, options(testEnvironment()));
      expect((await lstat(relay.torrc)).isSymbolicLink()).toBe(true);
      expect(await readlink(relay.torrc)).toBe(real);
      expect(await read(real)).toBe(AFTER);
      expect(result.files[0]).toMatchObject({ path: relay.torrc, target: real });
      await expectOnly(path.dirname(real), ['torrc']);
    });

    test.each([
      ['FakeTorReject Failed to parse/validate config: Unrecognized option FakeTorReject', 'Unrecognized option'],
      ['FakeTorAbort', 'Assertion failed'],
    ])('refuses a candidate tor rejects (%s), quoting tor, and never touches the live file', async (line, quoted) => {
      const relay = await makeRelay({ after: `${AFTER}${line}\n` });
      const running = new FakeRelay(relay.torrc);
      const error = await refusal(apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' })));
      expect(error.code).toBe('APPLY_TOR_REJECTED');
      expect(error.torMessages.join('\n')).toContain(quoted);
      expect(await read(relay.torrc)).toBe(BEFORE);
      await expectOnly(relay.etc, ['torrc']);
      expect(running.reloads).toBe(0);
      expect((await readJournal(relay.planDir)).at(-1)).toMatchObject({ event: 'refused', code: 'APPLY_TOR_REJECTED' });
    });

    test('refuses with APPLY_VERIFY_UNAVAILABLE when tor cannot be run, leaving the file alone', async () => {
      const relay = await makeRelay();
      const env: ApplyEnvironment = {
        ...testEnvironment(),
        verifyConfig: async () => {
          throw new Error("cannot run 'tor': no such executable (ENOENT)");
        },
      };
      expect((await refusal(apply(relay, options(env)))).code).toBe('APPLY_VERIFY_UNAVAILABLE');
      expect(await read(relay.torrc)).toBe(BEFORE);
      await expectOnly(relay.etc, ['torrc']);
    });

    test.each<[string, (relay: TestRelay) => Promise<void>, string]>([
      ['the torrc was edited since the plan', async (r) => writeFile(r.torrc, `${BEFORE}ContactInfo x\n`), 'APPLY_FILE_CHANGED'],
      ['the torrc was deleted', async (r) => rm(r.torrc), 'APPLY_CONFIG_UNREADABLE'],
      ['the defaults file was edited', async (r) => writeFile(r.defaults, 'DataDirectory /elsewhere\n'), 'APPLY_FILE_CHANGED'],
      ['the torrc became a directory', async (r) => {
        await rm(r.torrc);
        await mkdir(r.torrc);
      }, 'APPLY_FILE_NOT_REGULAR'],
    ])('refuses when %s, writing nothing', async (_name, edit, code) => {
      const relay = await makeRelay();
      await edit(relay);
      const error = await refusal(apply(relay, options(testEnvironment())));
      expect(error.code).toBe(code);
      expect(await readJournal(relay.planDir)).toEqual([]);
    });

    test('refuses when tor now reads a file that was not there when the plan was made', async () => {
      const relay = await makeRelay();
      const extra = path.join(relay.etc, 'extra.conf');
      await writeFile(extra, 'ContactInfo x\n');
      const before = `${BEFORE}%include ${extra}\n`;
      await writeFile(relay.torrc, before);
      await writePlan(relay.planDir, {
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [{ path: relay.torrc, before, after: `${before}ExitPolicy reject 1.2.3.4:*\n` }],
        readOnly: [{ path: relay.defaults, content: await read(relay.defaults) }],
      });
      const error = await refusal(apply(relay, options(testEnvironment())));
      expect(error).toMatchObject({ code: 'APPLY_INCLUDES_CHANGED', input: extra });
      expect(await read(relay.torrc)).toBe(before);
    });

    test('refuses a plan whose content was edited after planning, before taking the lock', async () => {
      const relay = await makeRelay();
      const doc = JSON.parse(await read(path.join(relay.planDir, 'plan.json')));
      doc.changes[0].after += 'ExitPolicy accept *:*\n';
      await writeFile(path.join(relay.planDir, 'plan.json'), JSON.stringify(doc));
      expect((await refusal(apply(relay, options(testEnvironment())))).code).toBe('APPLY_PLAN_INVALID');
    });

    describe('plans that need a restart', () => {
      const restartPlan = { needsRestart: true, restartReason: 'ReducedExitPolicy changed; tor applies it only at start' };

      test.each(['control', 'systemd', 'hup'] as const)('refuses a mere --reload %s, writing nothing', async (reload) => {
        const relay = await makeRelay({ plan: restartPlan });
        expect((await refusal(apply(relay, options(testEnvironment(), { reload })))).code).toBe('APPLY_NEEDS_RESTART');
        expect(await read(relay.torrc)).toBe(BEFORE);
      });

      test('writes with --reload none and says loudly that the change is not in force', async () => {
        const relay = await makeRelay({ plan: restartPlan });
        const result = await apply(relay, options(testEnvironment()));
        expect(await read(relay.torrc)).toBe(AFTER);
        expect(result.notes.some((n) => n.includes('NOT in force') && n.includes('restart'))).toBe(true);
      });

      test('restarts tor through systemd and confirms after it is back', async () => {
        const relay = await makeRelay({ plan: restartPlan });
        const log = path.join(relay.root, 'systemctl.log');
        const running = new FakeRelay(relay.torrc);
        const env = testEnvironment({ relay: running, systemctlEnv: { FAKE_SYSTEMCTL_LOG: log } });
        const result = await apply(relay, options(env, { reload: 'systemd', restart: true, systemctl: FAKE_SYSTEMCTL }));
        expect(await read(log)).toBe('restart tor@default\nis-active tor@default\n');
        expect(result.reload).toMatchObject({ restarted: true, status: 'done' });
        expect(result.confirmation.status).toBe('confirmed');
        expect(result.notes.some((n) => n.includes('40676'))).toBe(false);
        expect(await readAppliedEffect(relay.planDir)).toEqual({ at: result.effectiveAt, openConnectionsClosed: true });
      });
    });

    test.each(['hup', 'control', 'none'] as const)('refuses --restart with --reload %s', async (reload) => {
      const relay = await makeRelay();
      expect((await refusal(apply(relay, options(testEnvironment(), { reload, restart: true })))).code).toBe('APPLY_RESTART_UNSUPPORTED');
    });

    test('refuses an unknown reload method', async () => {
      const relay = await makeRelay();
      const opts = options(testEnvironment(), { reload: 'kill' as never });
      expect((await refusal(apply(relay, opts))).code).toBe('APPLY_RELOAD_UNAVAILABLE');
    });

    test('refuses --reload control when no control port is reachable, before writing', async () => {
      const relay = await makeRelay();
      const running = new FakeRelay(relay.torrc);
      running.reachable = false;
      expect((await refusal(apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' })))).code).toBe(
        'APPLY_RELOAD_UNAVAILABLE',
      );
      expect(await read(relay.torrc)).toBe(BEFORE);
    });

    test('applies with systemd but reports "not confirmed" when no control port is reachable', async () => {
      const relay = await makeRelay();
      const result = await apply(relay, options(testEnvironment(), { reload: 'systemd', systemctl: FAKE_SYSTEMCTL }));
      expect(result.outcome).toBe('completed');
      expect(result.confirmation).toMatchObject({ status: 'not-checked' });
      expect(result.effectiveAt).toBe(result.reload.at);
    });

    test('rolls back when the running relay does not enforce the change, and says so', async () => {
      const relay = await makeRelay();
      const running = new FakeRelay(relay.torrc);
      running.frozen = true;
      const error = await refusal(apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' })));
      expect(error.code).toBe('APPLY_ROLLED_BACK');
      expect(await read(relay.torrc)).toBe(BEFORE);
      await expectOnly(relay.etc, ['torrc']);
      expect(running.reloads).toBe(2);
      expect(error.result).toMatchObject({ outcome: 'rolled-back', confirmation: { status: 'failed' }, effectiveAt: null });
      expect(error.result?.rollback).toMatchObject({ complete: true, restored: [{ path: relay.torrc, sha256: sha(BEFORE) }] });
      expect(error.result?.rollback?.confirmation?.status).toBe('confirmed');
      expect(error.result?.files[0]).toMatchObject({ action: 'unchanged', sha256: sha(BEFORE) });
      const events = (await readJournal(relay.planDir)).map((e) => e.event);
      expect(events).toEqual(['start', 'backup', 'verified', 'written', 'reloaded', 'rollback', 'restored', 'reloaded', 'done']);
    });

    test('restores the files but reports APPLY_ROLLBACK_FAILED when tor died on the reload', async () => {
      const relay = await makeRelay();
      const state = path.join(relay.root, 'unit-state');
      const env = testEnvironment({ systemctlEnv: { FAKE_SYSTEMCTL_STATE: state, FAKE_SYSTEMCTL_RELOAD_KILLS: '1' } });
      const error = await refusal(apply(relay, options(env, { reload: 'systemd', systemctl: FAKE_SYSTEMCTL })));
      expect(error.code).toBe('APPLY_ROLLBACK_FAILED');
      expect(await read(relay.torrc)).toBe(BEFORE);
      expect(error.result?.reload.status).toBe('failed');
      expect(error.result?.notes.some((n) => n.includes('systemctl start tor@default'))).toBe(true);
    });

    test('restores the files already replaced when a later replacement fails, without reloading', async () => {
      const relay = await makeRelay();
      const second = path.join(relay.etc, 'exit.conf');
      await writeFile(second, 'ExitPolicy accept *:80\n');
      const before = `${BEFORE}%include ${second}\n`;
      await writeFile(relay.torrc, before);
      await writePlan(relay.planDir, {
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [
          { path: relay.torrc, before, after: `${before}# changed\n` },
          { path: second, before: 'ExitPolicy accept *:80\n', after: 'ExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:80\n' },
        ],
        readOnly: [{ path: relay.defaults, content: await read(relay.defaults) }],
      });
      let replaced = 0;
      const opts = options(testEnvironment(), {
        reload: 'systemd',
        systemctl: FAKE_SYSTEMCTL,
        checkpoint: (stage) => {
          if (stage === 'replaced' && ++replaced === 1) throw new Error('disk full');
        },
      });
      const error = await refusal(apply(relay, opts));
      expect(error.code).toBe('APPLY_ROLLED_BACK');
      expect(error.message).toContain('disk full');
      expect(await read(relay.torrc)).toBe(before);
      expect(await read(second)).toBe('ExitPolicy accept *:80\n');
      expect(error.result?.reload.status).toBe('skipped');
      await expectOnly(relay.etc, ['torrc', 'exit.conf']);
    });

    test('verifies a flattened candidate when included files change, and creates new files with the torrc\'s mode and owner', async () => {
      const relay = await makeRelay({ owner: { uid: NOBODY, gid: NOBODY, mode: 0o640 } });
      const dropIn = path.join(relay.etc, 'torrc.d');
      await mkdir(dropIn);
      const existing = path.join(dropIn, '10-exit.conf');
      const created = path.join(dropIn, '20-block.conf');
      await writeFile(existing, 'ExitPolicy accept *:443\n');
      const before = `ExitRelay 1\n%include ${existing}\nExitPolicy reject *:*\n`;
      const after = `ExitRelay 1\n%include ${created}\n%include ${existing}\nExitPolicy reject *:*\n`;
      await writeFile(relay.torrc, before);
      await writePlan(relay.planDir, {
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [
          { path: created, before: null, after: 'ExitPolicy reject 203.0.113.0/24:*\n' },
          { path: relay.torrc, before, after },
        ],
        readOnly: [
          { path: relay.defaults, content: await read(relay.defaults) },
          { path: existing, content: 'ExitPolicy accept *:443\n' },
        ],
        probes: PROBES,
      });
      const running = new FakeRelay(relay.torrc);
      const result = await apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(result.confirmation.status).toBe('confirmed');
      expect(await read(created)).toBe('ExitPolicy reject 203.0.113.0/24:*\n');
      const info = await stat(created);
      expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o640, NOBODY, NOBODY]);
      expect(result.files.map((f) => f.action)).toEqual(['created', 'written']);
      expect(result.files[0]?.backup).toBeNull();
      expect(await read(torLog)).toMatch(/-f \S+\/\.torrc\.exitkit-\S+-verify\.tmp /);
      await expectOnly(relay.etc, ['torrc', 'torrc.d']);
      await expectOnly(dropIn, ['10-exit.conf', '20-block.conf']);

      const reverted = await revert(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(reverted.files.map((f) => f.action)).toEqual(['removed', 'written']);
      expect(reverted.confirmation.status).toBe('confirmed');
      await expectOnly(dropIn, ['10-exit.conf']);
      expect(await read(relay.torrc)).toBe(before);
    });

    test('does nothing when the plan is already applied, and puts a written-only plan in force later', async () => {
      const relay = await makeRelay();
      await apply(relay, options(testEnvironment()));
      const entries = (await readJournal(relay.planDir)).length;

      const again = await apply(relay, options(testEnvironment()));
      expect(again.outcome).toBe('unchanged');
      expect((await readJournal(relay.planDir)).length).toBe(entries);

      const running = new FakeRelay(relay.torrc);
      running.policy = ['accept *:443', 'reject *:*'];
      const inForce = await apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(inForce).toMatchObject({ outcome: 'completed', confirmation: { status: 'confirmed' } });
      expect(inForce.files[0]).toMatchObject({ action: 'unchanged' });
      expect(running.reloads).toBe(1);

      const third = await apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(third).toMatchObject({ outcome: 'unchanged', effectiveAt: inForce.effectiveAt });
      expect(running.reloads).toBe(1);
    });

    test('reports a plan without changes as already in force', async () => {
      const relay = await makeRelay();
      await writePlan(relay.planDir, {
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [],
        readOnly: [
          { path: relay.torrc, content: BEFORE },
          { path: relay.defaults, content: await read(relay.defaults) },
        ],
      });
      const result = await apply(relay, options(testEnvironment()));
      expect(result.outcome).toBe('unchanged');
      expect(result.notes.join(' ')).toContain('already in force');
    });

    test('removes temp files left by an interrupted run and reports a lock it took over', async () => {
      const relay = await makeRelay();
      await writeFile(path.join(relay.etc, '.torrc.exitkit-20250101T000000.000Z-1-aaaaaa-new.tmp'), 'partial');
      await writeFile(path.join(relay.etc, '.torrc.exitkit-lock'), JSON.stringify({ pid: 4242, host: 'h', operation: 'apply', planDir: '/p', since: 'then' }));
      const result = await apply(relay, options(testEnvironment()));
      expect(result.recovery.staleTempsRemoved).toEqual([path.join(relay.etc, '.torrc.exitkit-20250101T000000.000Z-1-aaaaaa-new.tmp')]);
      expect(result.recovery.lockLeftBy).toMatchObject({ pid: 4242 });
      await expectOnly(relay.etc, ['torrc']);
    });

    test('refuses while another apply holds the lock (lock timeout 0)', async () => {
      const relay = await makeRelay();
      let release!: () => void;
      const paused = new Promise<void>((resolve) => (release = resolve));
      let reached!: () => void;
      const atCheckpoint = new Promise<void>((resolve) => (reached = resolve));
      const first = apply(
        relay,
        options(testEnvironment(), {
          checkpoint: async (stage) => {
            if (stage === 'verified') {
              reached();
              await paused;
            }
          },
        }),
      );
      await atCheckpoint;
      expect((await refusal(apply(relay, options(testEnvironment())))).code).toBe('APPLY_LOCK_BUSY');
      release();
      expect((await first).outcome).toBe('completed');
    });

    test('applies through HUP to the pid in the PidFile and confirms', async () => {
      const relay = await makeRelay({ defaults: 'PidFile /nonexistent\n' });
      const pidFile = path.join(relay.root, 'tor.pid');
      const defaults = `PidFile ${pidFile}\n`;
      await writeFile(relay.defaults, defaults);
      await writePlan(relay.planDir, {
        torrc: relay.torrc,
        defaultsTorrc: relay.defaults,
        changes: [{ path: relay.torrc, before: BEFORE, after: AFTER }],
        readOnly: [{ path: relay.defaults, content: defaults }],
        probes: PROBES,
      });
      const daemon = spawn(FAKE_TOR, ['--fake-daemon', pidFile, path.join(relay.root, 'hup.log')], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 100 && (await read(pidFile).catch(() => '')).trim() !== String(daemon.pid); i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const running = new FakeRelay(relay.torrc);
        const result = await apply(relay, options(testEnvironment({ relay: running }), { reload: 'hup', settleMs: 200 }));
        expect(result.reload).toMatchObject({ status: 'done', description: expect.stringContaining(String(daemon.pid)) });
        expect(result.confirmation.status).toBe('confirmed');
        expect(await read(path.join(relay.root, 'hup.log'))).toBe('HUP\n');
      } finally {
        daemon.kill('SIGKILL');
      }
    });
  });

  describe('#runTransition (revert)', () => {
    test('restores the backup with the same checks, reloads and confirms the earlier verdicts', async () => {
      const relay = await makeRelay({ owner: { uid: NOBODY, gid: NOBODY, mode: 0o600 } });
      const running = new FakeRelay(relay.torrc);
      await apply(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      const result = await revert(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(await read(relay.torrc)).toBe(BEFORE);
      const info = await stat(relay.torrc);
      expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o600, NOBODY, NOBODY]);
      expect(result).toMatchObject({ operation: 'revert', outcome: 'completed', confirmation: { status: 'confirmed' } });
      expect(result.confirmation.probes.map((p) => p.expected)).toEqual(PROBES.map((p) => p.before));
      expect(await read(result.files[0]?.backup as string)).toBe(AFTER);
      await expectOnly(relay.etc, ['torrc']);

      const again = await revert(relay, options(testEnvironment({ relay: running }), { reload: 'control' }));
      expect(again.outcome).toBe('unchanged');
    });

    test('refuses to revert a plan that was never applied', async () => {
      const relay = await makeRelay();
      expect((await refusal(revert(relay, options(testEnvironment())))).code).toBe('REVERT_NOT_APPLIED');
    });

    test('refuses when the file was edited after the apply', async () => {
      const relay = await makeRelay();
      await apply(relay, options(testEnvironment()));
      await writeFile(relay.torrc, `${AFTER}ContactInfo edited\n`);
      expect((await refusal(revert(relay, options(testEnvironment())))).code).toBe('APPLY_FILE_CHANGED');
      expect(await read(relay.torrc)).toBe(`${AFTER}ContactInfo edited\n`);
    });

    test('refuses when the backup was modified', async () => {
      const relay = await makeRelay();
      const applied = await apply(relay, options(testEnvironment()));
      await writeFile(applied.files[0]?.backup as string, 'ExitPolicy accept *:*\n');
      expect((await refusal(revert(relay, options(testEnvironment())))).code).toBe('REVERT_BACKUP_INVALID');
      expect(await read(relay.torrc)).toBe(AFTER);
    });

    test('refuses when tor rejects the restored configuration', async () => {
      const relay = await makeRelay();
      await apply(relay, options(testEnvironment()));
      await writeFile(relay.defaults, 'FakeTorReject Failed to parse/validate config: bad defaults\n');
      const error = await refusal(revert(relay, options(testEnvironment())));
      expect(error.code).toBe('APPLY_TOR_REJECTED');
      expect(await read(relay.torrc)).toBe(AFTER);
    });
  });
});
