/**
 * Typed errors of the tor wrappers: a tor process that could not run to a verdict, and a
 * control-port conversation that failed.
 */
import { ExitkitError, setErrorName } from '../errors.js';

/** Why running the tor binary did not produce a verdict. */
export type TorCommandErrorCode =
  /** The binary does not exist or is not executable. */
  | 'TOR_NOT_FOUND'
  /** The process could not be started for another reason (permissions, resources). */
  | 'TOR_SPAWN_FAILED'
  /** The process was stopped from outside (SIGKILL, SIGTERM, ...) before it finished. */
  | 'TOR_KILLED'
  /** The process did not finish within the allowed time and was stopped. */
  | 'TOR_TIMED_OUT';

/** Options of a `TorCommandError` beyond those of every `ExitkitError`. */
export interface TorCommandErrorOptions {
  /** The command line that was run, for the message. */
  command: string;
  /** Exit code, when the process exited. */
  exitCode?: number | undefined;
  /** Signal name, when the process was killed. */
  signal?: string | undefined;
  /** Everything the process wrote to stderr (tor logs to stdout; this is usually empty). */
  stderr?: string | undefined;
  /** What would be right. */
  hint?: string | undefined;
  /** The underlying error (the execa result or the spawn error). */
  cause?: unknown;
}

/** Hint shown whenever the tor binary is missing. */
export const INSTALL_TOR_HINT = 'install tor (Debian/Ubuntu: apt-get install -y tor) or pass the path of the tor binary';

/** Running tor failed before it could say whether a configuration is valid. */
export class TorCommandError extends ExitkitError<TorCommandErrorCode> {
  /** The command line that was run. */
  readonly command: string;
  /** Exit code, when the process exited. */
  readonly exitCode: number | undefined;
  /** Signal name, when the process was killed. */
  readonly signal: string | undefined;
  /** Everything the process wrote to stderr. */
  readonly stderr: string;

  constructor(code: TorCommandErrorCode, message: string, options: TorCommandErrorOptions) {
    super(code, message, { hint: options.hint, cause: options.cause, input: options.command });
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.stderr = options.stderr ?? '';
  }
}
setErrorName(TorCommandError, 'TorCommandError');

/** What went wrong talking to tor's control port. */
export type TorControlErrorCode =
  /** The socket could not be opened (refused, missing unix socket, permissions). */
  | 'TOR_CONTROL_CONNECT'
  /** The connection closed while a reply was still expected. */
  | 'TOR_CONTROL_CLOSED'
  /** No reply (or event) arrived in time. */
  | 'TOR_CONTROL_TIMEOUT'
  /** Tor sent something that is not a control-protocol reply. */
  | 'TOR_CONTROL_PROTOCOL'
  /** Tor answered a command with an error status (4xx/5xx). */
  | 'TOR_CONTROL_REFUSED'
  /** No offered authentication method could be used, or tor refused the credentials. */
  | 'TOR_CONTROL_AUTH';

/** Options of a `TorControlError` beyond those of every `ExitkitError`. */
export interface TorControlErrorOptions {
  /** The command that was sent (passwords and cookies are never included). */
  command?: string | undefined;
  /** Tor's status code, when tor answered. */
  status?: number | undefined;
  /** Tor's own message text, when tor answered. */
  torMessage?: string | undefined;
  /** What would be right. */
  hint?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A control-port command or connection failed. */
export class TorControlError extends ExitkitError<TorControlErrorCode> {
  /** The command that was sent, when the error belongs to one. */
  readonly command: string | undefined;
  /** Tor's status code (e.g. 552), when tor answered. */
  readonly status: number | undefined;
  /** Tor's message text, when tor answered. */
  readonly torMessage: string | undefined;

  constructor(code: TorControlErrorCode, message: string, options: TorControlErrorOptions = {}) {
    super(code, message, { hint: options.hint, cause: options.cause, input: options.command });
    this.command = options.command;
    this.status = options.status;
    this.torMessage = options.torMessage;
  }
}
setErrorName(TorControlError, 'TorControlError');
