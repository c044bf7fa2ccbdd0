/**
 * Why a remedy is refused. Every refusal says what was asked, why exitkit will not write it,
 * and what would work instead; nothing is ever written that only looks applied.
 */
import { ExitkitError, setErrorName, type ExitkitErrorOptions } from '../errors.js';
import type { PolicyChange } from '../types.js';

/** Codes of `RemedyRefusal`. */
export type RemedyRefusalCode =
  /** The planned files would make Tor refuse the configuration or crash. */
  | 'REMEDY_CANDIDATE_INVALID'
  /** The remedy's goal does not hold in the recomputed effective policy. */
  | 'REMEDY_NOT_EFFECTIVE'
  /** The recomputed policy changes verdicts the remedy is not about. */
  | 'REMEDY_UNINTENDED_CHANGE'
  /** A file that would have to change cannot be edited safely (encoding, defaults file, odd text). */
  | 'REMEDY_FILE_NOT_EDITABLE'
  /** A block with this case id is already in the configuration. */
  | 'REMEDY_CASE_ID_IN_USE'
  /** No marked block has this case id. */
  | 'REMEDY_BLOCK_NOT_FOUND'
  /** Several marked blocks have this case id. */
  | 'REMEDY_BLOCK_AMBIGUOUS'
  /** The marked block was edited: its lines no longer match what exitkit wrote between the markers. */
  | 'REMEDY_BLOCK_EDITED'
  /** The remedy cannot apply to this relay (a bridge cannot exit; no port would stay open). */
  | 'REMEDY_NOT_POSSIBLE';

/** Codes of `RemedyInputError`. */
export type RemedyInputCode =
  /** A case id with characters that cannot go into a marker comment or a folder name. */
  | 'REMEDY_BAD_CASE_ID'
  /** reduce-ports needs exactly one of --tor-reduced and --ports; block needs a CIDR. */
  | 'REMEDY_BAD_REQUEST';

/** A remedy exitkit refuses to plan, with the reason. */
export class RemedyRefusal extends ExitkitError<RemedyRefusalCode> {
  /** Related problems (e.g. each error Tor would report for the candidate). */
  readonly details: readonly ExitkitError[];
  /** The regions at issue: still accepted (not effective) or changed beyond the remedy (intended → planned verdicts). */
  readonly regions: PolicyChange | undefined;

  constructor(
    code: RemedyRefusalCode,
    message: string,
    options: ExitkitErrorOptions & { details?: readonly ExitkitError[]; regions?: PolicyChange | undefined } = {},
  ) {
    super(code, message, options);
    this.details = options.details ?? [];
    this.regions = options.regions;
  }
}
setErrorName(RemedyRefusal, 'RemedyRefusal');

/** A mistake in the remedy request itself (the operator's input). */
export class RemedyInputError extends ExitkitError<RemedyInputCode> {}
setErrorName(RemedyInputError, 'RemedyInputError');

/** The configuration as it is now is invalid: Tor refuses it, so no remedy is planned on top of it. */
export class InvalidConfigError extends ExitkitError<'CONFIG_INVALID'> {
  /** Every error found. */
  readonly errors: readonly ExitkitError[];

  constructor(message: string, errors: readonly ExitkitError[], options: ExitkitErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
    this.errors = errors;
  }
}
setErrorName(InvalidConfigError, 'InvalidConfigError');
