/**
 * Making the running tor read the new files: `systemctl reload|restart UNIT`, SIGHUP to the
 * pid in tor's PidFile, or `SIGNAL RELOAD` on its control port.
 *
 * Everything that can be checked without touching tor is checked by `prepareReload`, before
 * any live file is written, so a reload that cannot work refuses early. After a reload,
 * `performReload` checks that tor is still running: tor does not keep its old configuration
 * when a reload fails, it exits.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigView } from '../types.js';
import type { ApplyEnvironment, ControlSession } from './environment.js';
import { ApplyError } from './errors.js';

/** How to make tor read the new files. */
export type ReloadMethod = 'systemd' | 'hup' | 'control' | 'none';

/** The reload methods, for validating options. */
export const RELOAD_METHODS: readonly ReloadMethod[] = ['systemd', 'hup', 'control', 'none'];

/** What to reload, checked and resolved before any file is written. */
export type ReloadTarget =
  | { method: 'none' }
  | { method: 'systemd'; unit: string; restart: boolean; systemctl: string }
  | { method: 'hup'; pid: number; pidFile: string }
  | { method: 'control'; session: ControlSession };

/** How a reload went. */
export interface ReloadOutcome {
  /** True when tor was told to reload (or restarted) and is still running. */
  ok: boolean;
  /** UTC time the reload was sent, null when nothing was sent. */
  at: string | null;
  /** What was done, e.g. `systemctl reload tor@default`. */
  description: string;
  /** Why it failed. */
  problem?: string | undefined;
}

/** Settings for `prepareReload`. */
export interface ReloadSettings {
  /** The method asked for. */
  method: ReloadMethod;
  /** Restart instead of reload (systemd only). */
  restart: boolean;
  /** systemd unit (default `tor@default`). */
  unit: string;
  /** The systemctl program. */
  systemctl: string;
  /** Working directory tor resolves relative paths against. */
  cwd: string;
}

/**
 * Checks that the chosen method can reach the running tor, and resolves what it acts on.
 * `control` is the authenticated control session, when one could be opened.
 */
export async function prepareReload(
  settings: ReloadSettings,
  config: ConfigView,
  control: { session: ControlSession } | { problem: string },
  env: ApplyEnvironment,
): Promise<ReloadTarget> {
  switch (settings.method) {
    case 'none':
      return { method: 'none' };
    case 'systemd': {
      if (!settings.restart) {
        const state = await env.run(settings.systemctl, ['is-active', settings.unit]);
        if (state.exitCode !== 0) {
          const shown = state.stdout.trim() || state.failure || `exit code ${state.exitCode}`;
          throw unavailable(
            `the systemd unit ${settings.unit} is not running (systemctl is-active: ${shown}), so it cannot be reloaded`,
            'start tor first, name the right unit, or use --reload none to only write the files',
          );
        }
      }
      return { method: 'systemd', unit: settings.unit, restart: settings.restart, systemctl: settings.systemctl };
    }
    case 'hup':
      return prepareHup(config, settings.cwd, env);
    case 'control':
      if ('problem' in control) {
        throw unavailable(
          `cannot reload through the control port: ${control.problem}`,
          'enable ControlPort or ControlSocket with CookieAuthentication 1, or use --reload systemd or hup',
        );
      }
      return { method: 'control', session: control.session };
  }
}

async function prepareHup(config: ConfigView, cwd: string, env: ApplyEnvironment): Promise<ReloadTarget> {
  const line = config.value('PidFile');
  if (line === undefined || line.value === '') {
    throw unavailable(
      'the configuration sets no PidFile, so the pid of tor is unknown',
      'set PidFile (Debian sets it in the defaults file), or use --reload systemd or control',
    );
  }
  const pidFile = path.resolve(cwd, line.value);
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (cause) {
    throw unavailable(`cannot read tor's PidFile ${pidFile}: is tor running?`, 'start tor first, or use --reload none', cause);
  }
  const match = /^(\d+)\r?\n?$/.exec(text);
  const pid = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    throw unavailable(
      `tor's PidFile ${pidFile} holds ${JSON.stringify(text.slice(0, 40))}, not a process id`,
      'the file is damaged; restart tor, or use --reload systemd or control',
    );
  }
  const name = await env.processName(pid);
  if (name !== 'tor') {
    throw unavailable(
      name === undefined
        ? `process ${pid} named in ${pidFile} is not running`
        : `process ${pid} named in ${pidFile} is ${JSON.stringify(name)}, not tor`,
      'the PidFile is stale; make sure tor is running, or use --reload systemd or control',
    );
  }
  return { method: 'hup', pid, pidFile };
}

/** Sends the reload (or restart) and checks that tor survived it. */
export async function performReload(target: ReloadTarget, env: ApplyEnvironment, settleMs: number): Promise<ReloadOutcome> {
  switch (target.method) {
    case 'none':
      return { ok: true, at: null, description: 'tor was not reloaded (--reload none)' };
    case 'systemd': {
      const verb = target.restart ? 'restart' : 'reload';
      const description = `systemctl ${verb} ${target.unit}`;
      const at = env.now().toISOString();
      const result = await env.run(target.systemctl, [verb, target.unit]);
      if (result.exitCode !== 0) {
        return { ok: false, at, description, problem: `${description} failed: ${programProblem(result)}` };
      }
      await env.sleep(settleMs);
      const state = await env.run(target.systemctl, ['is-active', target.unit]);
      if (state.exitCode !== 0) {
        return {
          ok: false,
          at,
          description,
          problem: `${target.unit} is ${state.stdout.trim() || 'not active'} after ${verb}: tor exits when a reload fails`,
        };
      }
      return { ok: true, at, description };
    }
    case 'hup': {
      const description = `SIGHUP to tor (pid ${target.pid} from ${target.pidFile})`;
      const at = env.now().toISOString();
      try {
        env.signalProcess(target.pid, 'SIGHUP');
      } catch (error) {
        return { ok: false, at, description, problem: `cannot signal pid ${target.pid}: ${errorText(error)}` };
      }
      await env.sleep(settleMs);
      if ((await env.processName(target.pid)) !== 'tor') {
        return { ok: false, at, description, problem: `tor (pid ${target.pid}) exited after SIGHUP: tor exits when a reload fails` };
      }
      return { ok: true, at, description };
    }
    case 'control': {
      const description = `SIGNAL RELOAD on ${target.session.description}`;
      const at = env.now().toISOString();
      try {
        await target.session.signal('RELOAD');
      } catch (error) {
        return { ok: false, at, description, problem: `SIGNAL RELOAD failed: ${errorText(error)}` };
      }
      await env.sleep(settleMs);
      try {
        await target.session.getInfo('version');
      } catch (error) {
        return {
          ok: false,
          at,
          description,
          problem: `tor stopped answering after SIGNAL RELOAD (${errorText(error)}): tor exits when a reload fails`,
        };
      }
      return { ok: true, at, description };
    }
  }
}

function programProblem(result: { exitCode: number | undefined; stderr: string; failure: string | undefined }): string {
  const stderr = result.stderr.trim();
  return stderr || result.failure || `exit code ${result.exitCode}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unavailable(message: string, hint: string, cause?: unknown): ApplyError {
  return new ApplyError('APPLY_RELOAD_UNAVAILABLE', message, { hint, cause });
}
