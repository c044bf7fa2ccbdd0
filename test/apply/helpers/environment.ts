/**
 * A test environment for apply: the real `verifyTorConfig` running the fake tor from
 * test/fixtures/bin, the fake systemctl, real /proc and signals, and an in-process fake relay
 * whose "running" policy is re-read from the torrc only when it is reloaded. Its tiny config
 * loader reads `Key value` lines and `%include FILE` (absolute paths) — enough for apply,
 * which only needs the options it looks up, the file list and a flattened text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ApplyEnvironment, ControlSession, LiveConfig } from '../../../src/apply/environment.js';
import { liveEnvironment } from '../../../src/apply/live-environment.js';
import { evaluatePrintedPolicy } from '../../../src/apply/printed-policy.js';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import type { ConfigLine, ConfigView } from '../../../src/types.js';

/** test/fixtures/bin. */
export const FIXTURE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bin');
/** The fake tor. */
export const FAKE_TOR = path.join(FIXTURE_BIN, 'tor');
/** The fake systemctl. */
export const FAKE_SYSTEMCTL = path.join(FIXTURE_BIN, 'systemctl');

/** Reads a torrc and its `%include FILE` lines into entries, in tor's order. */
function readEntries(file: string, files: string[], overrides: ReadonlyMap<string, string>): Array<{ key: string; value: string; file: string; line: number }> {
  files.push(file);
  const text = overrides.get(file) ?? readFileSync(file, 'utf8');
  const entries: Array<{ key: string; value: string; file: string; line: number }> = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [key = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ');
    if (key === '%include') entries.push(...readEntries(value, files, overrides));
    else entries.push({ key, value, file, line: index + 1 });
  });
  return entries;
}

/** The tiny loader described above. */
export function loadTestConfig(torrc: string, defaultsTorrc: string | null): LiveConfig {
  const files: string[] = [];
  const entries = [
    ...(defaultsTorrc === null ? [] : readEntries(defaultsTorrc, files, new Map())),
    ...readEntries(torrc, files, new Map()),
  ];
  const toLine = (e: (typeof entries)[number]): ConfigLine => ({
    option: e.key,
    key: e.key,
    prefix: '',
    value: e.value,
    location: { file: e.file, line: e.line },
    source: 'torrc',
  });
  const view: ConfigView = {
    lines: (option) => entries.filter((e) => e.key === option).map(toLine),
    value: (option) => {
      const found = entries.filter((e) => e.key === option);
      const last = found[found.length - 1];
      return last === undefined ? undefined : toLine(last);
    },
  };
  return {
    view,
    files,
    flatten: (overrides, source) =>
      (source === 'torrc' ? readEntries(torrc, [], overrides) : defaultsTorrc === null ? [] : readEntries(defaultsTorrc, [], overrides))
        .map((e) => `${e.key} ${e.value}\n`)
        .join(''),
  };
}

/** The exit policy tor would print for a torrc read by the tiny loader: its items, then accept *:*. */
export function policyOf(torrc: string): string[] {
  const items = loadTestConfig(torrc, null)
    .view.lines('ExitPolicy')
    .flatMap((line) => line.value.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...items, 'accept *:*'];
}

/** The relay the test pretends is running. */
export class FakeRelay {
  /** Lines `GETINFO exit-policy/full` answers. */
  policy: string[];
  /** Reloads seen (control, HUP, systemctl). */
  reloads = 0;
  /** When true, reloads do not change the policy (a relay that does not enforce the change). */
  frozen = false;
  /** When false, connecting to the control port fails. */
  reachable = true;
  /** When true, a control reload kills the relay. */
  dieOnReload = false;
  /** Set once the relay "exited". */
  dead = false;
  /** The torrc the running tor reports (`GETINFO config-file`). */
  configFile: string;

  constructor(readonly torrc: string) {
    this.configFile = torrc;
    this.policy = policyOf(torrc);
  }

  /** Re-reads the torrc, as tor does on SIGHUP. */
  reload(): void {
    this.reloads += 1;
    if (this.dieOnReload) {
      this.dead = true;
      return;
    }
    if (!this.frozen) this.policy = policyOf(this.torrc);
  }
}

/** Settings of `testEnvironment`. */
export interface TestEnvironmentOptions {
  relay?: FakeRelay | undefined;
  /** Environment variables for the fake systemctl (FAKE_SYSTEMCTL_*). */
  systemctlEnv?: Record<string, string> | undefined;
}

/** An ApplyEnvironment for tests (see the file comment). */
export function testEnvironment(options: TestEnvironmentOptions = {}): ApplyEnvironment {
  const relay = options.relay;
  // Processes are real in these tests: look them up as exitkit does.
  const live = liveEnvironment();
  return {
    verifyConfig: (request) =>
      verifyTorConfig({ torrc: request.torrc, defaultsTorrc: request.defaultsTorrc, cwd: request.cwd, torBinary: FAKE_TOR }),
    loadConfig: async (request) => loadTestConfig(request.torrc, request.defaultsTorrc),
    async connectControl(): Promise<ControlSession> {
      if (relay === undefined || !relay.reachable) throw new Error('connect ECONNREFUSED (no ControlPort)');
      if (relay.dead) throw new Error('connect ECONNREFUSED (tor is not running)');
      const alive = (): void => {
        if (relay.dead) throw new Error('the control connection closed');
      };
      return {
        description: 'ControlSocket (fake)',
        async getInfo(key) {
          alive();
          if (key === 'config-file') return relay.configFile;
          if (key === 'exit-policy/full') return relay.policy.join('\n');
          if (key === 'version') return '0.4.9.11';
          if (key.startsWith('extra-info/digest/')) return '';
          throw new Error(`552 Unrecognized key "${key}"`);
        },
        async signal(name) {
          alive();
          if (name === 'RELOAD') relay.reload();
        },
        async close() {},
      };
    },
    evaluateTorPolicy: evaluatePrintedPolicy,
    async run(file, args) {
      const result = await execa(file, [...args], { reject: false, env: options.systemctlEnv ?? {} });
      if (result.exitCode === 0 && (args[0] === 'reload' || args[0] === 'restart')) {
        if (args[0] === 'restart' && relay) relay.dead = false;
        relay?.reload();
      }
      return {
        exitCode: result.exitCode,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
        failure: result.failed ? result.shortMessage : undefined,
      };
    },
    processName: live.processName,
    signalProcess(pid, signal) {
      process.kill(pid, signal);
      if (signal === 'SIGHUP') relay?.reload();
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
}
