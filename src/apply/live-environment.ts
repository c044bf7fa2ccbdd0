/**
 * The real outside world for apply: the installed tor, the torrc loader, the control port,
 * systemctl, /proc and the system clock.
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { connectAndAuthenticate, controlTargetsFromConfig, formatControlTarget } from '../tor/control.js';
import { verifyTorConfig } from '../tor/verify.js';
import { flattenConfig } from '../torrc/flatten.js';
import { loadConfig } from '../torrc/config.js';
import type { ConfigView } from '../types.js';
import type { ApplyEnvironment, ControlSession, LiveConfig } from './environment.js';
import { evaluatePrintedPolicy } from './printed-policy.js';

/** Settings of the real environment. */
export interface LiveEnvironmentOptions {
  /** The tor binary (default `tor` on PATH). */
  torBinary?: string | undefined;
  /** Time allowed to connect to the control port (default 5 s). */
  controlTimeoutMs?: number | undefined;
}

/** The real environment: tor, systemctl, the control port, /proc, the clock. */
export function liveEnvironment(options: LiveEnvironmentOptions = {}): ApplyEnvironment {
  return {
    async verifyConfig(request) {
      return verifyTorConfig({
        torrc: request.torrc,
        defaultsTorrc: request.defaultsTorrc,
        cwd: request.cwd,
        torBinary: options.torBinary,
      });
    },
    async loadConfig(request): Promise<LiveConfig> {
      const loaded = await loadConfig({
        torrc: request.torrc,
        ...(request.defaultsTorrc === null ? {} : { defaultsTorrc: request.defaultsTorrc }),
        cwd: request.cwd,
      });
      return {
        view: loaded,
        files: loaded.files.map((file) => file.path),
        flatten: (overrides, source) => flattenConfig(loaded, overrides, { source }),
      };
    },
    async connectControl(config: ConfigView): Promise<ControlSession> {
      const settings = controlTargetsFromConfig(config);
      if (settings.targets.length === 0) {
        throw new Error(
          settings.unresolved.length > 0
            ? `the control listener (${settings.unresolved.join(', ')}) cannot be located from the configuration`
            : 'the configuration has no ControlPort or ControlSocket',
        );
      }
      const problems: string[] = [];
      for (const target of settings.targets) {
        try {
          const control = await connectAndAuthenticate(
            target,
            settings.cookieFile === undefined ? {} : { cookieFile: settings.cookieFile },
            { connectTimeoutMs: options.controlTimeoutMs ?? 5_000, commandTimeoutMs: 30_000 },
          );
          const where = formatControlTarget(target);
          return {
            description: target.kind === 'unix' ? `ControlSocket ${target.path}` : `ControlPort ${where}`,
            getInfo: (key) => control.getInfoOne(key),
            signal: (name) => control.signal(name),
            close: async () => control.close(),
          };
        } catch (error) {
          problems.push(`${formatControlTarget(target)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      throw new Error(problems.join('; '));
    },
    evaluateTorPolicy: evaluatePrintedPolicy,
    async run(file, args) {
      const result = await execa(file, [...args], { reject: false, stdin: 'ignore', env: { LC_ALL: 'C' }, timeout: 120_000 });
      return {
        exitCode: result.exitCode,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        failure: result.failed ? result.shortMessage : undefined,
      };
    },
    async processName(pid) {
      try {
        // A zombie (exited, not yet reaped) still has a comm but is not running.
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        if (/\) Z /.test(stat)) return undefined;
        return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
      } catch {
        return undefined;
      }
    },
    signalProcess(pid, signal) {
      process.kill(pid, signal);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
}
