/**
 * A real tor relay for apply tests, loopback-only: it runs in its own network namespace
 * (`unshare --net`, only `lo` up), is reached through a ControlSocket in its temp folder with
 * cookie authentication, and is always stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectAndAuthenticate } from '../../../src/tor/control.js';
import { tempDir } from '../../apply/helpers/temp.js';

/** The running relay's files. */
export interface RunningRelay {
  /** Temp folder holding everything. */
  root: string;
  /** The torrc tor was started with (`-f`). */
  torrc: string;
  /** The (empty) defaults file tor was started with. */
  defaults: string;
  /** ControlSocket path. */
  controlSocket: string;
  /** Cookie file. */
  cookieFile: string;
  /** tor's PidFile. */
  pidFile: string;
  /** The tor process. */
  process: ChildProcess;
  /** Everything tor printed. */
  output(): string;
}

const running = new Set<ChildProcess>();

// A test that fails or times out must not leave tor behind.
process.on('exit', () => {
  for (const child of running) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
});

/** The relay's torrc: everything that keeps it off the network, then `policy`. */
export function relayTorrc(root: string, policy: string): string {
  return [
    // TestingTorNetwork turns ExitPolicyRejectPrivate off by default; production has it on.
    'ExitPolicyRejectPrivate 1',
    'TestingTorNetwork 1',
    `DirAuthority test orport=19999 no-v2 v3ident=${'0'.repeat(40)} 127.0.0.1:19998 ${'0'.repeat(40)}`,
    'ORPort 127.0.0.1:9001',
    'Address 127.0.0.1',
    'AssumeReachable 1',
    'PublishServerDescriptor 0',
    'SocksPort 0',
    `ControlSocket ${root}/run/control`,
    'CookieAuthentication 1',
    `CookieAuthFile ${root}/run/control_auth_cookie`,
    `DataDirectory ${root}/data`,
    `PidFile ${root}/run/tor.pid`,
    'ServerDNSDetectHijacking 0',
    `ServerDNSResolvConfFile ${root}/resolv.conf`,
    'ExitRelay 1',
    policy,
  ].join('\n');
}

/** Starts tor on `torrcText` (written to ROOT/etc/torrc) and waits until it reports an exit policy. */
export async function startRelay(torrcFor: (root: string) => string): Promise<RunningRelay> {
  const root = await tempDir('exitkit-tor-');
  for (const dir of ['run', 'data', 'etc']) await mkdir(path.join(root, dir), { mode: 0o700 });
  await chmod(root, 0o700);
  await writeFile(path.join(root, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const torrc = path.join(root, 'etc', 'torrc');
  const defaults = path.join(root, 'etc', 'defaults-torrc');
  await writeFile(torrc, torrcFor(root));
  await writeFile(defaults, '');
  let output = '';
  // unshare and sh exec into tor, so the child's PID is tor's PID.
  const child = spawn(
    'unshare',
    ['--net', 'sh', '-c', 'ip link set lo up && exec tor --defaults-torrc "$1" -f "$2"', 'sh', defaults, torrc],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const relay: RunningRelay = {
    root,
    torrc,
    defaults,
    controlSocket: path.join(root, 'run', 'control'),
    cookieFile: path.join(root, 'run', 'control_auth_cookie'),
    pidFile: path.join(root, 'run', 'tor.pid'),
    process: child,
    output: () => output,
  };
  const deadline = Date.now() + 60_000;
  let problem = 'not started';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tor exited with ${child.exitCode}:\n${output}`);
    try {
      const lines = await exitPolicy(relay);
      if (lines.length > 0) return relay;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopRelay(relay);
  throw new Error(`tor did not report an exit policy within 60 s (${problem}):\n${output}`);
}

/** Stops tor by its PID and waits for it to exit. */
export async function stopRelay(relay: RunningRelay): Promise<void> {
  const child = relay.process;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    running.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGKILL');
  await exited;
  running.delete(child);
}

/** The policy the running tor reports (`GETINFO exit-policy/full`), one rule a line. */
export async function exitPolicy(relay: RunningRelay): Promise<string[]> {
  const control = await connectAndAuthenticate(
    { kind: 'unix', path: relay.controlSocket },
    { cookieFile: relay.cookieFile },
    { connectTimeoutMs: 2_000, commandTimeoutMs: 5_000 },
  );
  try {
    return (await control.getInfoOne('exit-policy/full')).split('\n').filter((line) => line !== '');
  } finally {
    control.close();
  }
}
