/**
 * What makes `tor --verify-config` fail that exitkit can know without running tor.
 *
 * Checked (each exactly as Tor 0.4.9.11 does it):
 * - reading: bad quoted strings, text after a closing quote, a byte-order mark (cst.ts);
 * - `%include`: missing or unreadable paths, no value, more than 31 nested levels
 *   (config.ts, include.ts);
 * - keywords: unknown options (after Tor's aliases and prefix matching), values for virtual
 *   options such as `ORPortLines` (options.ts, config.ts);
 * - typed values, line by line, as `config_assign` parses them (values.ts): Boolean (0/1),
 *   Boolean+auto (0/1/auto, any case), Integer and SignedInteger (range-checked), UINT64,
 *   Float, data sizes (`MEMUNIT`), time intervals in seconds or milliseconds, and the legacy
 *   comma-list intervals; an empty value is never a parse error (it resets the option);
 * - after all lines are applied: `Nickname` must be 1 to 19 letters or digits.
 *
 * Not checked (Tor may still refuse the configuration for these):
 * - ExitPolicy items (the policy layer parses them);
 * - routerset values (`ExitNodes`, `ExcludeNodes`, ...: nicknames, fingerprints, country
 *   codes, address patterns);
 * - every `*Port` line (addresses, flags, Unix sockets), `Address`, `OutboundBindAddress*`,
 *   `DirAuthority`/`FallbackDir`/`Bridge` lines, transports, `HiddenService*` lines;
 * - `Log` lines, `User`, `DataDirectory` and other paths (they depend on the machine);
 * - `MyFamily`, `ContactInfo` encoding, `ConnLimit`, bandwidth minimums and ratios, accounting;
 * - the many cross-option rules of `options_validate` (e.g. `BridgeRelay 1` without
 *   `ORPort`, TestingTorNetwork requirements, minimums for MaxMemInQueues or intervals);
 * - anything that needs the network or the running system (resolving the relay's address,
 *   interface addresses, file permissions, a controller).
 */
import { formatLocation, type SourceLocation } from '../errors.js';
import type { ConfigLine } from '../types.js';
import { TorrcError, quote } from './errors.js';
import type { TorOption } from './options.js';
import { checkTypedValue, isLegalNickname } from './values.js';

/** Checks a non-empty value of one line against its option's type; undefined when Tor accepts it. */
export function checkLineValue(option: TorOption, value: string, location: SourceLocation): TorrcError | undefined {
  if (value === '') return undefined;
  const problem = checkTypedValue(option.type, value);
  if (!problem) return undefined;
  return new TorrcError(problem.code, `Tor cannot parse ${option.name} ${quote(value)}: ${problem.reason}`, {
    location,
    input: value,
    pos: [0, value.length],
    hint: problem.hint,
  });
}

/** Checks applied after every line is in (Tor's `options_validate`), for the options exitkit covers. */
export function checkFinalOptions(value: (option: string) => ConfigLine | undefined): TorrcError[] {
  const problems: TorrcError[] = [];
  const nickname = value('Nickname');
  if (nickname && nickname.value !== '' && !isLegalNickname(nickname.value)) {
    problems.push(
      new TorrcError('TORRC_BAD_NICKNAME', `Nickname ${quote(nickname.value)} is not 1 to 19 letters and digits (at ${formatLocation(nickname.location)})`, {
        location: nickname.location,
        input: nickname.value,
        pos: [0, nickname.value.length],
        hint: 'use 1 to 19 characters from A-Z, a-z and 0-9, e.g. "MyExitRelay01"',
      }),
    );
  }
  return problems;
}
