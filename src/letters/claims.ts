/**
 * Claims a letter may make about the relay, and the check that the configuration supports
 * each one. A template marks the text that makes a claim with `{{#claim "NAME"}}…{{/claim}}`;
 * the letter is refused when the facts contradict the claim or are not known.
 */
import type { ConfigFacts } from './context.js';
import { LetterError } from './errors.js';
import { scrubsAllAddresses } from './facts.js';

/** The claims templates can make. */
export type ClaimName = 'no-connection-logs' | 'no-smtp';

/** What each claim asserts, for `templates show`. */
export const CLAIMS: Readonly<Record<ClaimName, string>> = {
  'no-connection-logs': 'the relay keeps no logs of connections or of the addresses it connects to',
  'no-smtp': 'the relay does not connect to mail servers on port 25',
};

/** True for the names in `CLAIMS`. */
export function isClaimName(name: string): name is ClaimName {
  return Object.hasOwn(CLAIMS, name);
}

/** Throws a `LetterError` unless `facts` support the claim `name` made by `template`. */
export function assertClaim(name: ClaimName, facts: ConfigFacts | undefined, template: string): void {
  if (facts === undefined) {
    throw new LetterError(
      'LETTER_CLAIM_UNVERIFIED',
      `Template ${template} states that ${CLAIMS[name]}, and no configuration facts were given to check it`,
      { template, input: name, hint: "read the relay's configuration so the claim can be checked" },
    );
  }
  if (name === 'no-connection-logs') {
    const verbose = facts.logging.verboseLogs[0];
    if (verbose !== undefined) {
      throw new LetterError(
        'LETTER_CLAIM_CONTRADICTED',
        `Template ${template} states that ${CLAIMS[name]}, but "Log ${verbose.value}" records ` +
          'info or debug messages, which can include the addresses of connections',
        {
          template,
          location: verbose.location,
          input: `Log ${verbose.value}`,
          hint: 'log at notice level (e.g. "Log notice syslog"), or answer with a template that makes no such claim',
        },
      );
    }
    const safeLogging = facts.logging.safeLogging;
    if (!scrubsAllAddresses(safeLogging) && safeLogging !== undefined) {
      throw new LetterError(
        'LETTER_CLAIM_CONTRADICTED',
        `Template ${template} states that ${CLAIMS[name]}, but "SafeLogging ${safeLogging.value}" ` +
          'lets tor write addresses into its logs unscrubbed',
        {
          template,
          location: safeLogging.location,
          input: `SafeLogging ${safeLogging.value}`,
          hint: 'remove the SafeLogging line (tor then scrubs every address), or answer with a template that makes no such claim',
        },
      );
    }
    return;
  }
  if (facts.smtpRejected === undefined) {
    throw new LetterError(
      'LETTER_CLAIM_UNVERIFIED',
      `Template ${template} states that ${CLAIMS[name]}, and whether the exit policy rejects port 25 was not computed`,
      { template, input: name, hint: 'compute the effective policy so the claim can be checked' },
    );
  }
  if (!facts.smtpRejected) {
    throw new LetterError(
      'LETTER_CLAIM_CONTRADICTED',
      `Template ${template} states that ${CLAIMS[name]}, but the effective exit policy accepts port 25 for some addresses`,
      { template, input: name, hint: 'reject port 25 in the exit policy, or answer with a template that makes no such claim' },
    );
  }
}
