/**
 * Everything apply needs from outside its own files: tor (verify-config, the control
 * port), the configuration loader, the policy evaluator, other programs (systemctl), other
 * processes and the clock. `liveEnvironment()` wires the real ones; tests replace parts.
 */
import type { ConfigView, PolicyAction } from '../types.js';

/** What `tor --verify-config` said about a configuration. */
export interface VerifyOutcome {
  /** True when tor accepted the configuration. */
  valid: boolean;
  /** tor's exit code, when it exited. */
  exitCode: number | undefined;
  /** The signal that ended tor, when one did (e.g. an assertion abort). */
  signal: string | undefined;
  /** tor's warning and error lines. */
  messages: readonly string[];
  /** Everything tor printed. */
  output: string;
}

/** The configuration a running tor reads, loaded from the live files. */
export interface LiveConfig {
  /** Options after Tor's merging rules (defaults file, then torrc). */
  view: ConfigView;
  /** Absolute path of every file read (torrc, defaults file, every included file). */
  files: readonly string[];
  /**
   * One text that tor reads exactly like one source of this configuration (the torrc and
   * what it includes, or the defaults file and what it includes), with the files named in
   * `overrides` replaced by the given content (an empty string stands for a file that no
   * longer exists).
   */
  flatten(overrides: ReadonlyMap<string, string>, source: 'torrc' | 'defaults'): string;
}

/** An authenticated control connection to the running tor. */
export interface ControlSession {
  /** How it was reached, e.g. `ControlSocket /run/tor/control`. */
  readonly description: string;
  /** `GETINFO key`; the value (multi-line values joined with `\n`). */
  getInfo(key: string): Promise<string>;
  /** `SIGNAL name`. */
  signal(name: string): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Result of running another program. */
export interface ProgramResult {
  /** Exit code, undefined when the program could not run or was killed. */
  exitCode: number | undefined;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** One-line description of a failure (e.g. "Command failed with ENOENT: systemctl"). */
  failure: string | undefined;
}

/** The outside world as apply sees it. */
export interface ApplyEnvironment {
  /** Runs `tor --verify-config` on a configuration. */
  verifyConfig(request: { torrc: string; defaultsTorrc: string | null; cwd: string }): Promise<VerifyOutcome>;
  /** Loads the live configuration (torrc, defaults file, includes). */
  loadConfig(request: { torrc: string; defaultsTorrc: string | null; cwd: string }): Promise<LiveConfig>;
  /**
   * Connects to the control port or socket the configuration names and authenticates
   * (cookie or null auth). Rejects with an error saying why when none is reachable.
   */
  connectControl(config: ConfigView): Promise<ControlSession>;
  /** First-match verdict of tor's printed policy lines (`GETINFO exit-policy/full`). */
  evaluateTorPolicy(lines: readonly string[], address: string, port: number): PolicyAction;
  /** Runs a program (no shell) and returns how it ended; never throws for a failed exit. */
  run(file: string, args: readonly string[]): Promise<ProgramResult>;
  /** The name of process `pid` as the kernel reports it (`/proc/PID/comm`), undefined if none. */
  processName(pid: number): Promise<string | undefined>;
  /** Sends a signal to a process. */
  signalProcess(pid: number, signal: NodeJS.Signals): void;
  /** Waits. */
  sleep(ms: number): Promise<void>;
  /** The current time. */
  now(): Date;
}
