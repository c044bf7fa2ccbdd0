/**
 * Typed errors of the letters layer: template loading, context validation, claim checks,
 * relay identity and profile reading, and e-mail formatting.
 */
import { ExitkitError, setErrorName } from '../errors.js';
import type { ExitkitErrorOptions } from '../errors.js';

/** Every problem the letters layer reports, by stable code. */
export type LetterErrorCode =
  // Template files
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_NO_HEADER'
  | 'TEMPLATE_UNKNOWN_NAME'
  | 'TEMPLATE_UNKNOWN_FIELD'
  | 'TEMPLATE_UNKNOWN_HELPER'
  | 'TEMPLATE_UNKNOWN_PARTIAL'
  | 'TEMPLATE_UNKNOWN_CLAIM'
  | 'TEMPLATE_MISUSED_FIELD'
  | 'TEMPLATE_UNSUPPORTED'
  | 'TEMPLATE_LITERAL_BRACES'
  | 'TEMPLATE_UNREADABLE'
  // Choosing and rendering a letter
  | 'LETTER_UNKNOWN_KIND'
  | 'LETTER_NO_AUDIENCE'
  | 'LETTER_MISSING_FIELD'
  | 'LETTER_EMPTY_FIELD'
  | 'LETTER_BAD_VALUE'
  | 'LETTER_UNRENDERED'
  | 'LETTER_CLAIM_CONTRADICTED'
  | 'LETTER_CLAIM_UNVERIFIED'
  | 'LETTER_NO_FOLLOWUP_TEMPLATE'
  // Relay identity
  | 'RELAY_NO_DATA_DIRECTORY'
  | 'RELAY_FINGERPRINT_UNREADABLE'
  | 'RELAY_FINGERPRINT_MALFORMED'
  | 'RELAY_BAD_NICKNAME'
  // Operator profile
  | 'PROFILE_SYNTAX'
  | 'PROFILE_NOT_OBJECT'
  | 'PROFILE_MISSING_FIELD'
  | 'PROFILE_UNKNOWN_FIELD'
  | 'PROFILE_BAD_FIELD'
  // E-mail output
  | 'EML_BAD_ADDRESS'
  | 'EML_BAD_MESSAGE_ID';

/** A problem with a template, a letter's context, or the message built from it. */
export class LetterError extends ExitkitError<LetterErrorCode> {
  /** The template concerned (`dmca.isp`, `partials/signature`), when there is one. */
  readonly template: string | undefined;
  /** The context field concerned (`complaint.reference`), when there is one. */
  readonly field: string | undefined;

  constructor(
    code: LetterErrorCode,
    message: string,
    options: ExitkitErrorOptions & { template?: string | undefined; field?: string | undefined } = {},
  ) {
    super(code, message, options);
    this.template = options.template;
    this.field = options.field;
  }
}

setErrorName(LetterError, 'LetterError');
