/**
 * Why `applyPlan` or `revertPlan` refused or stopped. Every code names one safety check or
 * one failed step; the message says what was found and what would be right.
 */
import { ExitkitError, setErrorName, type ExitkitErrorOptions } from '../errors.js';
import type { ApplyResult } from './report.js';

/** Machine-readable reasons an apply or revert refused or stopped. */
export type ApplyErrorCode =
  /** plan.json is missing or not JSON. */
  | 'APPLY_PLAN_UNREADABLE'
  /** plan.json is not a valid plan (wrong format, bad field, content that does not match its hash). */
  | 'APPLY_PLAN_INVALID'
  /** Another apply or revert holds the relay's lock and did not finish in time. */
  | 'APPLY_LOCK_BUSY'
  /** The lock could not be taken at all (no `flock`, unwritable directory). */
  | 'APPLY_LOCK_UNAVAILABLE'
  /** The journal in the plan folder is damaged. */
  | 'APPLY_JOURNAL_CORRUPT'
  /** A file's bytes differ from what the plan expects (someone edited it since). */
  | 'APPLY_FILE_CHANGED'
  /** A path the plan writes is not a regular file (a directory, a device, a dangling link). */
  | 'APPLY_FILE_NOT_REGULAR'
  /** The set of files tor reads changed since the plan (a new file in an included directory). */
  | 'APPLY_INCLUDES_CHANGED'
  /** The live configuration cannot be read. */
  | 'APPLY_CONFIG_UNREADABLE'
  /** The plan needs a restart and only a reload was asked for. */
  | 'APPLY_NEEDS_RESTART'
  /** `restart` was asked for with a reload method that cannot restart tor. */
  | 'APPLY_RESTART_UNSUPPORTED'
  /** The chosen reload method cannot reach the running tor (no PidFile, not a tor process, no control port...). */
  | 'APPLY_RELOAD_UNAVAILABLE'
  /** `tor --verify-config` rejected the candidate configuration. */
  | 'APPLY_TOR_REJECTED'
  /** `tor --verify-config` could not be run. */
  | 'APPLY_VERIFY_UNAVAILABLE'
  /** A backup could not be written. */
  | 'APPLY_BACKUP_FAILED'
  /** A live file could not be replaced. */
  | 'APPLY_WRITE_FAILED'
  /** The reload failed or the relay did not enforce the change; the earlier files were restored. */
  | 'APPLY_ROLLED_BACK'
  /** Restoring the earlier files after a failure did not complete: manual action needed. */
  | 'APPLY_ROLLBACK_FAILED'
  /** `revertPlan` on a plan that was never applied (no backup of the earlier files). */
  | 'REVERT_NOT_APPLIED'
  /** A backup named in the journal is missing or its bytes do not match the recorded hash. */
  | 'REVERT_BACKUP_INVALID';

/** Options of an `ApplyError`: the common ones plus the structured report, when there is one. */
export interface ApplyErrorOptions extends ExitkitErrorOptions {
  /** What was done before the error (files written, backups, reload, rollback). */
  result?: ApplyResult | undefined;
  /** Tor's own messages, for `APPLY_TOR_REJECTED`. */
  torMessages?: readonly string[] | undefined;
}

/** A refusal or failure of `applyPlan` / `revertPlan`. */
export class ApplyError extends ExitkitError<ApplyErrorCode> {
  /** What had been done when the error was raised (present for rollbacks). */
  readonly result: ApplyResult | undefined;
  /** Tor's messages quoted in the error, for a rejected candidate. */
  readonly torMessages: readonly string[];

  constructor(code: ApplyErrorCode, message: string, options: ApplyErrorOptions = {}) {
    super(code, message, options);
    this.result = options.result;
    this.torMessages = options.torMessages ?? [];
  }
}
setErrorName(ApplyError, 'ApplyError');
