/**
 * Problems writing a plan folder.
 */
import { ExitkitError, setErrorName } from '../errors.js';

/** Codes of `PlanError`. */
export type PlanErrorCode =
  /** The output folder exists and is not empty: a plan never overwrites anything. */
  | 'PLAN_OUT_EXISTS'
  /** The output folder or a file in it could not be written. */
  | 'PLAN_WRITE_FAILED'
  /** A path a unified diff cannot name. */
  | 'PLAN_BAD_PATH';

/** A plan that could not be written. */
export class PlanError extends ExitkitError<PlanErrorCode> {}
setErrorName(PlanError, 'PlanError');
