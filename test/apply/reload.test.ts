import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { performReload, prepareReload, type ReloadSettings, type ReloadTarget } from '../../src/apply/reload.js';
import type { ControlSession } from '../../src/apply/environment.js';
import { FAKE_SYSTEMCTL, FAKE_TOR, FakeRelay, loadTestConfig, testEnvironment } from './helpers/environment.js';
import { tempDir } from './helpers/temp.js';

const daemons: ChildProcess[] = [];
afterEach(() => {
  for (const child of daemons.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the fake tor daemon (a process named "tor"); resolves once its pid file is written. */
async function startFakeTor(dir: string, env: Record<string, string> = {}) {
  const pidFile = path.join(dir, 'tor.pid');
  const log = path.join(dir, 'hup.log');
  const child = spawn(FAKE_TOR, ['--fake-daemon', pidFile, log], { stdio: 'ignore', env: { ...process.env, ...env } });
  daemons.push(child);
  for (let i = 0; i < 100; i += 1) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    if (text.trim() === String(child.pid)) return { child, pidFile, log };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('fake tor did not start');
}

async function relayDir(extra = '') {
  const dir = await tempDir();
  const torrc = path.join(dir, 'torrc');
  await writeFile(torrc, `ExitRelay 1\n${extra}`);
  return { dir, torrc, config: loadTestConfig(torrc, null) };
}

function settings(overrides: Partial<ReloadSettings> & { dir: string }): ReloadSettings {
  return { method: 'none', restart: false, unit: 'tor@default', systemctl: FAKE_SYSTEMCTL, cwd: overrides.dir, ...overrides };
}

const noControl = { problem: 'no ControlPort' };

describe('apply/reload', () => {
  describe('#prepareReload', () => {
    test('needs nothing for --reload none', async () => {
      const { dir, config } = await relayDir();
      expect(await prepareReload(settings({ dir }), config.view, noControl, testEnvironment())).toEqual({ method: 'none' });
    });

    test('accepts an active systemd unit', async () => {
      const { dir, config } = await relayDir();
      const target = await prepareReload(settings({ dir, method: 'systemd', unit: 'tor@relay2' }), config.view, noControl, testEnvironment());
      expect(target).toEqual({ method: 'systemd', unit: 'tor@relay2', restart: false, systemctl: FAKE_SYSTEMCTL });
    });

    test('refuses to reload a unit that is not active, but lets a restart start it', async () => {
      const { dir, config } = await relayDir();
      const state = path.join(dir, 'state');
      await writeFile(state, 'inactive\n');
      const env = testEnvironment({ systemctlEnv: { FAKE_SYSTEMCTL_STATE: state } });
      await expect(prepareReload(settings({ dir, method: 'systemd' }), config.view, noControl, env)).rejects.toMatchObject({
        code: 'APPLY_RELOAD_UNAVAILABLE',
      });
      expect(await prepareReload(settings({ dir, method: 'systemd', restart: true }), config.view, noControl, env)).toMatchObject({ restart: true });
    });

    test('refuses systemd when systemctl cannot run', async () => {
      const { dir, config } = await relayDir();
      await expect(
        prepareReload(settings({ dir, method: 'systemd', systemctl: '/nonexistent/systemctl' }), config.view, noControl, testEnvironment()),
      ).rejects.toMatchObject({ code: 'APPLY_RELOAD_UNAVAILABLE' });
    });

    test('finds the pid of tor through the PidFile, resolved against tor\'s working directory', async () => {
      const { dir } = await relayDir();
      const tor = await startFakeTor(dir);
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, 'ExitRelay 1\nPidFile tor.pid\n');
      const target = await prepareReload(settings({ dir, method: 'hup' }), loadTestConfig(torrc, null).view, noControl, testEnvironment());
      expect(target).toEqual({ method: 'hup', pid: tor.child.pid, pidFile: tor.pidFile });
    });

    test.each<[string, (dir: string) => Promise<string>]>([
      ['no PidFile is configured', async () => ''],
      ['the PidFile is missing', async (dir) => `PidFile ${dir}/missing.pid\n`],
      ['the PidFile holds no pid', async (dir) => (await writeFile(path.join(dir, 'p'), 'tor\n'), `PidFile ${dir}/p\n`)],
      ['the PidFile names pid 1', async (dir) => (await writeFile(path.join(dir, 'p'), '1\n'), `PidFile ${dir}/p\n`)],
      ['the PidFile names a process that is not tor', async (dir) => (await writeFile(path.join(dir, 'p'), `${process.pid}\n`), `PidFile ${dir}/p\n`)],
      ['the PidFile names a process that is gone', async (dir) => (await writeFile(path.join(dir, 'p'), '4194000\n'), `PidFile ${dir}/p\n`)],
    ])('refuses --reload hup when %s', async (_name, line) => {
      const dir = await tempDir();
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, `ExitRelay 1\n${await line(dir)}`);
      await expect(
        prepareReload(settings({ dir, method: 'hup' }), loadTestConfig(torrc, null).view, noControl, testEnvironment()),
      ).rejects.toMatchObject({ code: 'APPLY_RELOAD_UNAVAILABLE' });
    });

    test('uses the control session for --reload control, and refuses without one', async () => {
      const { dir, config } = await relayDir();
      const session = { description: 'fake' } as ControlSession;
      expect(await prepareReload(settings({ dir, method: 'control' }), config.view, { session }, testEnvironment())).toEqual({
        method: 'control',
        session,
      });
      await expect(prepareReload(settings({ dir, method: 'control' }), config.view, noControl, testEnvironment())).rejects.toMatchObject({
        code: 'APPLY_RELOAD_UNAVAILABLE',
      });
    });
  });

  describe('#performReload', () => {
    test('runs systemctl reload UNIT and checks the unit is still active', async () => {
      const dir = await tempDir();
      const log = path.join(dir, 'systemctl.log');
      const env = testEnvironment({ systemctlEnv: { FAKE_SYSTEMCTL_LOG: log } });
      const outcome = await performReload({ method: 'systemd', unit: 'tor@default', restart: false, systemctl: FAKE_SYSTEMCTL }, env, 0);
      expect(outcome).toMatchObject({ ok: true, description: 'systemctl reload tor@default' });
      expect(outcome.at).toMatch(/Z$/);
      expect(await readFile(log, 'utf8')).toBe('reload tor@default\nis-active tor@default\n');
    });

    test('runs systemctl restart UNIT for a restart', async () => {
      const dir = await tempDir();
      const log = path.join(dir, 'systemctl.log');
      const env = testEnvironment({ systemctlEnv: { FAKE_SYSTEMCTL_LOG: log } });
      const outcome = await performReload({ method: 'systemd', unit: 'tor@x', restart: true, systemctl: FAKE_SYSTEMCTL }, env, 0);
      expect(outcome.ok).toBe(true);
      expect((await readFile(log, 'utf8')).split('\n')[0]).toBe('restart tor@x');
    });

    test.each<[string, Record<string, string>]>([
      ['systemctl fails', { FAKE_SYSTEMCTL_EXIT: '1', FAKE_SYSTEMCTL_STDERR: 'Job for tor@default.service failed.' }],
      ['tor exits after the reload', { FAKE_SYSTEMCTL_RELOAD_KILLS: '1' }],
    ])('reports a failed systemd reload when %s', async (_name, extra) => {
      const dir = await tempDir();
      const env = testEnvironment({ systemctlEnv: { FAKE_SYSTEMCTL_STATE: path.join(dir, 'state'), ...extra } });
      const outcome = await performReload({ method: 'systemd', unit: 'tor@default', restart: false, systemctl: FAKE_SYSTEMCTL }, env, 0);
      expect(outcome.ok).toBe(false);
      expect(outcome.problem).toBeTruthy();
    });

    test('sends SIGHUP to tor and checks that it survived', async () => {
      const dir = await tempDir();
      const tor = await startFakeTor(dir);
      const target: ReloadTarget = { method: 'hup', pid: tor.child.pid as number, pidFile: tor.pidFile };
      const outcome = await performReload(target, testEnvironment(), 300);
      expect(outcome.ok).toBe(true);
      expect(await readFile(tor.log, 'utf8')).toBe('HUP\n');
    });

    test('reports a failed reload when tor exits on SIGHUP, as tor does when a reload fails', async () => {
      const dir = await tempDir();
      const tor = await startFakeTor(dir, { FAKE_TOR_DIE_ON_HUP: '1' });
      const outcome = await performReload({ method: 'hup', pid: tor.child.pid as number, pidFile: tor.pidFile }, testEnvironment(), 500);
      expect(outcome).toMatchObject({ ok: false });
      expect(outcome.problem).toContain(String(tor.child.pid));
    });

    test('sends SIGNAL RELOAD over the control connection', async () => {
      const { dir } = await relayDir();
      const relay = new FakeRelay(path.join(dir, 'torrc'));
      const session = await testEnvironment({ relay }).connectControl(loadTestConfig(relay.torrc, null).view);
      const outcome = await performReload({ method: 'control', session }, testEnvironment({ relay }), 0);
      expect(outcome).toMatchObject({ ok: true });
      expect(relay.reloads).toBe(1);
    });

    test('reports a failed reload when tor stops answering after SIGNAL RELOAD', async () => {
      const { dir } = await relayDir();
      const relay = new FakeRelay(path.join(dir, 'torrc'));
      relay.dieOnReload = true;
      const session = await testEnvironment({ relay }).connectControl(loadTestConfig(relay.torrc, null).view);
      expect(await performReload({ method: 'control', session }, testEnvironment({ relay }), 0)).toMatchObject({ ok: false });
    });

    test('does nothing for --reload none', async () => {
      expect(await performReload({ method: 'none' }, testEnvironment(), 0)).toMatchObject({ ok: true, at: null });
    });
  });
});
