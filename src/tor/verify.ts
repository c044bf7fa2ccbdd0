/**
 * `tor --verify-config`: asks the installed tor whether it would start with a configuration.
 *
 * An invalid configuration is a normal outcome (`valid: false` with tor's messages); only a
 * tor that cannot run to a verdict (missing binary, killed, timed out) is an error.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { INSTALL_TOR_HINT, TorCommandError } from './errors.js';

/** What to verify and how to run tor. */
export interface VerifyOptions {
  /** The torrc tor is started with (`-f`). */
  torrc: string;
  /**
   * The defaults file (`--defaults-torrc`). `undefined` or `null` means none: tor is then
   * given an empty one, so that its compiled-in default path is never read by accident.
   */
  defaultsTorrc?: string | null | undefined;
  /** Working directory of tor, against which it resolves relative `%include` paths. */
  cwd?: string | undefined;
  /** The tor binary (default `tor` from PATH). */
  torBinary?: string | undefined;
  /**
   * DataDirectory given to tor on its command line. By default a path inside a fresh
   * temporary folder that does not exist (see `verifyTorConfig`).
   */
  dataDirectory?: string | undefined;
  /** Extra command-line options appended after the file arguments (e.g. `['--RunAsDaemon', '0']`). */
  extraArgs?: readonly string[] | undefined;
  /** How long tor may take before it is stopped (default 30 s). */
  timeoutMs?: number | undefined;
}

/** Tor's verdict on a configuration. */
export interface VerifyResult {
  /** True when tor printed "Configuration was valid" and exited 0. */
  valid: boolean;
  /** Tor's exit code, or undefined when it died from a signal. */
  exitCode: number | undefined;
  /** Signal tor died from (e.g. `SIGABRT` for an assertion failure), or undefined. */
  signal: string | undefined;
  /** Tor's `[warn]` and `[err]` log lines, without the timestamp, e.g. `[warn] Failed to parse…`. */
  messages: string[];
  /** Everything tor wrote (stdout and stderr interleaved). */
  output: string;
  /** The argument vector tor was run with. */
  argv: string[];
}

// Signals a process raises against itself when it crashes: tor aborting on an assertion is
// tor refusing the configuration (it cannot start with it), not an outside interruption.
const CRASH_SIGNALS = new Set(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP']);

const LOG_LINE = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3} )?(\[(?:warn|err)\] .*)$/;

/** Extracts tor's `[warn]`/`[err]` lines (timestamps removed) from its log output. */
export function torProblemMessages(output: string): string[] {
  const messages: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = LOG_LINE.exec(line);
    if (match?.[1] !== undefined) messages.push(match[1]);
  }
  return messages;
}

/**
 * Runs `tor --verify-config` on a torrc (and defaults file) and reports tor's verdict.
 *
 * Tor aborting on a configuration (SIGABRT: tor 0.4.9.11 asserts on IPv6Exit 1 +
 * ExitPolicyRejectPrivate 0 without any ExitPolicy) is a verdict, since tor cannot start with
 * it: `valid: false` with `signal` set. A tor that is missing, killed from outside or too slow
 * is a `TorCommandError`.
 *
 * DataDirectory: `--verify-config` never creates or writes files, but when the DataDirectory
 * exists it checks its owner against `User` and silently chmods it to 0700 if group/other
 * bits are set. A path that does not exist is not checked at all. So by default tor is given
 * a DataDirectory path that does not exist: the live one is never touched, and the verdict
 * does not depend on who owns it or on whether this runs on the relay. The DataDirectory
 * cannot change on a reload anyway, so the check adds nothing when verifying before a HUP;
 * pass `dataDirectory` to reproduce the service's start-up check (Debian's ExecStartPre)
 * exactly.
 */
export async function verifyTorConfig(options: VerifyOptions): Promise<VerifyResult> {
  const binary = options.torBinary ?? 'tor';
  const scratch = await mkdtemp(path.join(tmpdir(), 'exitkit-verify-'));
  try {
    // With `User` set, tor looks at the DataDirectory as that user: it must be able to
    // traverse the scratch folder to see that the path does not exist.
    await chmod(scratch, 0o711);
    const defaults = options.defaultsTorrc ?? path.join(scratch, 'empty-defaults-torrc');
    if (options.defaultsTorrc == null) await writeFile(defaults, '');
    const dataDirectory = options.dataDirectory ?? path.join(scratch, 'data-not-created');
    const argv = [
      '--verify-config',
      '--defaults-torrc',
      defaults,
      '-f',
      options.torrc,
      '--DataDirectory',
      dataDirectory,
      ...(options.extraArgs ?? []),
    ];
    const command = [binary, ...argv].join(' ');
    const result = await execa(binary, argv, {
      reject: false,
      all: true,
      stdin: 'ignore',
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      timeout: options.timeoutMs ?? 30_000,
      env: { LC_ALL: 'C' },
    });
    const output = result.all ?? '';
    const stderr = result.stderr ?? '';

    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      const spawnCode = (result as { code?: string }).code;
      const missing = spawnCode === 'ENOENT' || spawnCode === 'EACCES';
      throw new TorCommandError(
        missing ? 'TOR_NOT_FOUND' : 'TOR_SPAWN_FAILED',
        missing
          ? `cannot run '${binary}': no such executable (${spawnCode})`
          : `cannot start '${binary}': ${result.shortMessage}`,
        { command, stderr, hint: INSTALL_TOR_HINT, cause: result },
      );
    }
    if (result.timedOut) {
      throw new TorCommandError(
        'TOR_TIMED_OUT',
        `'${command}' did not finish within ${options.timeoutMs ?? 30_000} ms and was stopped`,
        { command, stderr, signal: result.signal, cause: result },
      );
    }
    if (result.signal !== undefined && !CRASH_SIGNALS.has(result.signal)) {
      throw new TorCommandError('TOR_KILLED', `'${command}' was killed by ${result.signal}`, {
        command,
        stderr,
        signal: result.signal,
        cause: result,
      });
    }
    const valid =
      result.exitCode === 0 && result.signal === undefined && /^Configuration was valid$/m.test(output);
    return {
      valid,
      exitCode: result.exitCode,
      signal: result.signal,
      messages: torProblemMessages(output),
      output,
      argv,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
