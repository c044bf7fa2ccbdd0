/**
 * Facts from the relay's configuration that decide which claims a letter may make.
 */
import type { ConfigLine, ConfigView } from '../types.js';
import type { ConfigFacts, LoggingFacts } from './context.js';

/** Options for `configFactsFromConfig`. */
export interface ConfigFactsOptions {
  /** Whether the effective policy rejects port 25 everywhere, computed by the policy layer. */
  smtpRejected?: boolean | undefined;
}

// Tor's severities, most verbose first; anything below `notice` may log addresses.
const VERBOSE = new Set(['debug', 'info']);
// log-value ::= 1*( [ "[" domains "]" ] severity [ "-" severity ] SP ) destination [ SP filename ]
// severity ::= "debug" | "info" | "notice" | "warn" | "err"   (case-insensitive)
const SEVERITY_RANGE = /^(?:\[[^\]]*\])?(debug|info|notice|warn|err)(?:-(debug|info|notice|warn|err))?$/i;

/** Reads the logging facts (verbose `Log` lines, `SafeLogging`) and takes the policy facts given. */
export function configFactsFromConfig(config: ConfigView, options: ConfigFactsOptions = {}): ConfigFacts {
  return {
    logging: loggingFacts(config),
    ...(options.smtpRejected !== undefined ? { smtpRejected: options.smtpRejected } : {}),
  };
}

/** The `Log` lines that record info or debug messages, and the `SafeLogging` line in force. */
export function loggingFacts(config: ConfigView): LoggingFacts {
  return {
    verboseLogs: config.lines('Log').filter(isVerboseLog),
    safeLogging: config.value('SafeLogging'),
  };
}

/** True when a `Log` line's severity ranges include info or debug for any domain. */
export function isVerboseLog(line: ConfigLine): boolean {
  return line.value
    .trim()
    .split(/\s+/)
    .some((token) => {
      const match = SEVERITY_RANGE.exec(token);
      // The lower bound of a range is its most verbose end (`debug-notice` includes debug).
      return match?.[1] !== undefined && VERBOSE.has(match[1].toLowerCase());
    });
}

/**
 * True when SafeLogging scrubs every address. Tor only does that for `1` (its default): `0`
 * and an empty value scrub nothing, and `relay` still logs client-side addresses (tor's
 * `safe_str_client` scrubs only when SafeLogging is 1), which is why tor warns about it too.
 */
export function scrubsAllAddresses(safeLogging: ConfigLine | undefined): boolean {
  return safeLogging === undefined || safeLogging.value.trim() === '1';
}
