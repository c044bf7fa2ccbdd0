/**
 * Errors in what the operator typed that no library layer owns (a destination's port, a
 * missing option combination).
 */
import { ExitkitError, setErrorName } from '../errors.js';

/** Codes of `UsageError`. */
export type UsageErrorCode = 'USAGE_BAD_PORT' | 'USAGE_BAD_ADDRESS' | 'USAGE_CONFLICT' | 'USAGE_MISSING';

/** A command-line mistake; the CLI exits with the usage code. */
export class UsageError extends ExitkitError<UsageErrorCode> {}
setErrorName(UsageError, 'UsageError');
