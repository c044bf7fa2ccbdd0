/**
 * Exit codes of the `exitkit` command, documented in `--help` and the README. Scripts can
 * rely on them: each names one kind of outcome.
 */
export const ExitCode = {
  /** Success; for `check`, every destination was evaluated. */
  OK: 0,
  /** An unexpected failure (a bug, an I/O error): the message says what happened. */
  FAILURE: 1,
  /** The command line was wrong: unknown option, bad CIDR, bad port list. */
  USAGE: 2,
  /** The torrc (or a file it includes) is invalid: Tor would refuse to start or reload. */
  INVALID_CONFIG: 3,
  /** A safety check refused the action (file changed since the plan, tor rejected the candidate, …). */
  REFUSED: 4,
  /** A check found a problem: `lint` warnings, or a follow-up found a promised change missing. */
  CHECK_FAILED: 5,
} as const;

/** One of the values of `ExitCode`. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as printed at the end of `exitkit --help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected failure (I/O error, bug)
  2  usage error (unknown option, invalid CIDR or port list)
  3  invalid configuration (tor would refuse this torrc)
  4  refused by a safety check (file changed since the plan, tor rejected the candidate, ...)
  5  a check found problems (lint warnings, follow-up found a promised change missing)`;
