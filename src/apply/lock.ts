/**
 * The relay-wide exclusive lock that serialises applies and reverts.
 *
 * It is a kernel `flock` on a dotfile beside the live torrc, taken with util-linux's
 * `flock(1)` on a file descriptor this process opened and keeps open: the lock belongs to
 * that open file, so it lasts until this process closes it or dies, and the kernel drops it
 * the moment the process is killed. A lock left by a killed run therefore never blocks
 * anyone, and taking it over involves no race. (A pid file cannot be taken over safely: two
 * waiters can both see a dead owner and both "take over".) The file itself only carries
 * who holds the lock, for messages and to report that a previous run was interrupted.
 *
 * A second apply waits up to `timeoutMs` for the first to finish, then refuses with
 * `APPLY_LOCK_BUSY` naming the holder.
 */
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ApplyError } from './errors.js';

/** Who holds (or held) the lock. */
export interface LockOwner {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** `apply` or `revert`. */
  operation: string;
  /** Plan folder the holder works on. */
  planDir: string;
  /** ISO-8601 UTC time the holder took the lock. */
  since: string;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Path of the lock file. */
  readonly path: string;
  /** The owner recorded by a run that was killed while holding the lock, if any. */
  readonly interrupted: LockOwner | undefined;
  /** Clears the owner record and releases the lock. Safe to call twice. */
  release(): Promise<void>;
}

/** Options of `acquireLock`. */
export interface AcquireLockOptions {
  /** How long to wait for another holder, in milliseconds (0 = refuse at once). */
  timeoutMs: number;
  /** The `flock` program (default: `flock` on PATH). */
  flockBinary?: string | undefined;
}

/** Exit code `flock(1)` is told to use when the lock stays busy. */
const BUSY_EXIT = 75;

/** The lock file for a relay whose torrc is at `torrcRealPath`: `.<name>.exitkit-lock` beside it. */
export function lockPathFor(torrcRealPath: string): string {
  return path.join(path.dirname(torrcRealPath), `.${path.basename(torrcRealPath)}.exitkit-lock`);
}

/**
 * Takes the exclusive lock at `lockPath`, waiting up to `timeoutMs` for a current holder.
 * Refuses with `APPLY_LOCK_BUSY` (naming the holder) when it stays busy.
 */
export async function acquireLock(
  lockPath: string,
  owner: Pick<LockOwner, 'operation' | 'planDir' | 'since'>,
  options: AcquireLockOptions,
): Promise<HeldLock> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the lock file must not be a symlink planted to make root write elsewhere.
    handle = await open(lockPath, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (cause) {
    throw new ApplyError('APPLY_LOCK_UNAVAILABLE', `cannot open the lock file ${lockPath}`, {
      input: lockPath,
      cause,
      hint: 'run as the user that owns the torrc directory (root), and make sure the lock file is not a symlink',
    });
  }
  try {
    const waitArgs =
      options.timeoutMs <= 0 ? ['--nonblock'] : ['--wait', (options.timeoutMs / 1000).toFixed(3)];
    const result = await runFlock(options.flockBinary ?? 'flock', [
      '--exclusive',
      ...waitArgs,
      '--conflict-exit-code',
      String(BUSY_EXIT),
      '3',
    ], handle.fd);
    if (result.exitCode === BUSY_EXIT) {
      const holder = parseOwner(await readFile(lockPath, 'utf8').catch(() => ''));
      const who = holder
        ? `${holder.operation} of ${holder.planDir} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
        : 'another exitkit process';
      throw new ApplyError(
        'APPLY_LOCK_BUSY',
        `${who} holds the lock ${lockPath}; waited ${options.timeoutMs} ms`,
        { input: lockPath, hint: 'wait for it to finish and run the command again' },
      );
    }
    if (result.exitCode !== 0) {
      throw new ApplyError(
        'APPLY_LOCK_UNAVAILABLE',
        `cannot lock ${lockPath}: ${result.problem}`,
        { input: lockPath, hint: 'exitkit needs flock(1) from util-linux (apt-get install util-linux)' },
      );
    }
    const interrupted = parseOwner((await handle.readFile('utf8')).toString());
    const record: LockOwner = { pid: process.pid, host: hostname(), ...owner };
    await handle.truncate(0);
    await handle.write(`${JSON.stringify(record)}\n`, 0, 'utf8');
    let released = false;
    return {
      path: lockPath,
      interrupted,
      async release() {
        if (released) return;
        released = true;
        // An empty file on the next run means this one finished; the close drops the lock.
        await handle.truncate(0).catch(() => undefined);
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Runs flock(1) on our open lock file, passed as its fd 3. node:child_process is used
 * rather than execa because execa's types do not allow passing a plain descriptor.
 */
function runFlock(binary: string, args: string[], fd: number): Promise<{ exitCode: number | null; problem: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => resolve({ exitCode: null, problem: error.message }));
    child.on('close', (code, signal) =>
      resolve({ exitCode: code, problem: stderr.trim() || (signal ? `flock was killed by ${signal}` : `flock exited with ${code}`) }),
    );
  });
}

function parseOwner(text: string): LockOwner | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.since === 'string') {
      return {
        pid: value.pid,
        host: String(value.host ?? ''),
        operation: String(value.operation ?? ''),
        planDir: String(value.planDir ?? ''),
        since: value.since,
      };
    }
  } catch {
    // A record cut short by a crash still means the lock was held by someone.
  }
  return { pid: 0, host: '', operation: 'unknown', planDir: '', since: '' };
}
