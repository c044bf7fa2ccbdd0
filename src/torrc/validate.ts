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
 * - after all lines are applied: `Nickname` must be 1 to 19 letters or digits, and every
 *   cross-option rule of `options_validate` that depends only on the text (cross-checks.ts):
 *   listener lines and their consistency (ports.ts), relay-only and client-only conflicts,
 *   BridgeRelay/ORPort/DirCache, bandwidth caps, minimums and rate/burst, accounting, Log
 *   lines, ContactInfo encoding, MyFamily/FamilyId, node lists, transports, Bridge lines,
 *   proxies, control password hashes, onion service sections, testing-network rules,
 *   schedulers and the range checks.
 *
 * Not checked (Tor may still refuse the configuration for these):
 * - ExitPolicy items (the policy layer parses them), and the policy items of `SocksPolicy`,
 *   `DirPolicy`, `Reachable*Addresses`, `AuthDir*` and of address entries in node lists;
 * - `DirAuthority`/`FallbackDir`/`Alternate*Authority` line syntax, `VirtualAddrNetwork*`;
 * - what depends on the machine or the command line: `User`, directories and their
 *   permissions, hostnames to resolve, files to read (see the list in cross-checks.ts);
 * - directory authority scheduling and version options;
 * - anything that needs the network or the running system (resolving the relay's address,
 *   interface addresses, file permissions, a controller).
 */
import { formatLocation, type SourceLocation } from '../errors.js';
import { checkCrossOptions, type CrossCheckInput } from './cross-checks.js';
import type { EntryNode } from './cst.js';
import { TorrcError, quote } from './errors.js';
import type { TorrcEncoding } from './lexer.js';
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
export function checkFinalOptions(view: CrossCheckInput): TorrcError[] {
  const problems: TorrcError[] = [];
  const nickname = view.value('Nickname');
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
  problems.push(...checkCrossOptions(view));
  return problems;
}

/**
 * The bytes Tor holds for an entry's value: the file's bytes for plain text (UTF-8, or one
 * byte a character for files that are not UTF-8), and the decoded bytes of escapes in a
 * quoted value; a NUL ends the value, as in C.
 */
export function valueBytes(node: Pick<EntryNode, 'raw' | 'rawKey' | 'value' | 'quoted'>, encoding: TorrcEncoding): Uint8Array {
  let bytes: number[];
  if (!node.quoted) {
    bytes = [...Buffer.from(node.value, encoding)];
  } else {
    const raw = node.raw.replace(/\r/g, '');
    let cp = raw.indexOf('"', raw.indexOf(node.rawKey) + node.rawKey.length) + 1;
    bytes = [];
    while (cp > 0 && cp < raw.length && raw[cp] !== '"') {
      const c = raw[cp] as string;
      if (c !== '\\') {
        bytes.push(...Buffer.from(c, encoding));
        cp++;
        continue;
      }
      const n = raw[cp + 1] as string;
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, '\\': 92, "'": 39 };
      if (n in simple) {
        bytes.push(simple[n] as number);
        cp += 2;
      } else if (n === 'x' || n === 'X') {
        bytes.push(Number.parseInt(raw.slice(cp + 2, cp + 4), 16));
        cp += 4;
      } else {
        let q = cp + 1;
        let value = 0;
        while (q < cp + 4 && /[0-7]/.test(raw[q] ?? '')) value = value * 8 + Number(raw[q++]);
        bytes.push(value & 0xff);
        cp = q;
      }
    }
  }
  const nul = bytes.indexOf(0);
  return Uint8Array.from(nul === -1 ? bytes : bytes.slice(0, nul));
}
