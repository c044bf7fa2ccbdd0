/**
 * Why a case-ledger operation refused or failed. Every code names one check; the message
 * quotes what was found and the hint says what would be right.
 */
import { ExitkitError, setErrorName, type ExitkitErrorOptions } from '../errors.js';

/** Machine-readable reasons a case operation refused or failed. */
export type CaseErrorCode =
  /** A case id is not a safe folder name (see `CASE_ID_GRAMMAR`). */
  | 'CASE_BAD_ID'
  /** A plan id is not a safe folder name. */
  | 'CASE_BAD_PLAN_ID'
  /** The state directory setting is unusable (empty, relative in the environment). */
  | 'CASE_BAD_STATE_DIR'
  /** No case folder with this id. */
  | 'CASE_NOT_FOUND'
  /** A case with the id asked for already exists. */
  | 'CASE_EXISTS'
  /** The same complaint (same bytes or same Message-ID) already has a case. */
  | 'CASE_DUPLICATE'
  /** The complaint file cannot be read. */
  | 'CASE_COMPLAINT_UNREADABLE'
  /** `case.json` is missing, not JSON, or does not describe a case. */
  | 'CASE_RECORD_INVALID'
  /** Another process holds the case's lock and did not release it in time. */
  | 'CASE_LOCKED'
  /** The case is closed and the operation needs an open one. */
  | 'CASE_CLOSED'
  /** The plan folder is not inside the case, or holds no readable plan. */
  | 'CASE_PLAN_INVALID'
  /** The plan was never recorded in the case. */
  | 'CASE_PLAN_UNKNOWN'
  /** A time given to the ledger is not an ISO 8601 UTC time. */
  | 'CASE_BAD_TIME'
  /** A letter to file is empty or has an unusable kind/audience. */
  | 'CASE_BAD_LETTER'
  /** Writing into the state directory failed. */
  | 'CASE_WRITE_FAILED';

/** A refusal or failure of the case ledger. */
export class CaseError extends ExitkitError<CaseErrorCode> {
  constructor(code: CaseErrorCode, message: string, options: ExitkitErrorOptions = {}) {
    super(code, message, options);
  }
}
setErrorName(CaseError, 'CaseError');
