/**
 * The relay's identity for letters, read the way Tor itself would find it without a running
 * tor: nickname and ContactInfo from the configuration, published addresses from `Address`
 * and `ORPort`, and the fingerprint from `DataDirectory/fingerprint`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { Address6 } from 'ip-address';
import type { ConfigLine, ConfigView } from '../types.js';
import type { RelayIdentity } from './context.js';
import { LetterError } from './errors.js';

/** Reads a text file; rejects (e.g. with an ENOENT error) when it cannot. */
export type ReadTextFile = (path: string) => Promise<string>;

/** Options for `relayIdentityFromConfig`. */
export interface RelayIdentityOptions {
  /** DataDirectory to use when neither the torrc nor the defaults file sets one. */
  dataDirectory?: string | undefined;
  /** Tor's working directory, against which a relative DataDirectory is resolved. */
  cwd?: string | undefined;
}

/** What Tor calls a relay whose `Nickname` is unset. */
export const DEFAULT_NICKNAME = 'Unnamed';

// nickname ::= 1*19 ( ALPHA / DIGIT )   (tor: is_legal_nickname)
const NICKNAME = /^[A-Za-z0-9]{1,19}$/;
// fingerprint-file ::= nickname SP 40HEXDIG-UPPER LF   (tor: router_write_fingerprint)
const FINGERPRINT_FILE = /^([A-Za-z0-9]{1,19}) ([0-9A-F]{40})\r?\n?$/;

/** Reads the relay's nickname, fingerprint, published addresses and ContactInfo. */
export async function relayIdentityFromConfig(
  config: ConfigView,
  readFile: ReadTextFile,
  options: RelayIdentityOptions = {},
): Promise<RelayIdentity> {
  const nickname = readNickname(config);
  const fingerprint = await readFingerprint(dataDirectoryOf(config, options), readFile);
  const contact = config.value('ContactInfo');
  return {
    nickname,
    fingerprint,
    addresses: publishedAddresses(config),
    ...(contact !== undefined && contact.value.trim() !== '' ? { contactInfo: contact.value } : {}),
  };
}

function readNickname(config: ConfigView): string {
  const line = config.value('Nickname');
  // An empty value clears the option, and Tor then falls back to `Unnamed` as if unset.
  if (line === undefined || line.value === '') return DEFAULT_NICKNAME;
  if (!NICKNAME.test(line.value)) {
    throw new LetterError('RELAY_BAD_NICKNAME', `Nickname "${line.value}" is not a nickname Tor accepts`, {
      location: line.location,
      input: line.value,
      hint: 'a nickname is 1 to 19 letters and digits, e.g. "MyExit01"',
    });
  }
  return line.value;
}

function dataDirectoryOf(config: ConfigView, options: RelayIdentityOptions): string {
  const line = config.value('DataDirectory');
  const configured = line !== undefined && line.value !== '' ? line.value : undefined;
  const directory = configured ?? options.dataDirectory;
  if (directory === undefined) {
    throw new LetterError('RELAY_NO_DATA_DIRECTORY', 'Neither the torrc nor the defaults file sets DataDirectory', {
      hint:
        'pass the defaults file tor runs with (Debian: /usr/share/tor/tor-service-defaults-torrc), ' +
        'or name the data directory explicitly',
    });
  }
  if (directory.startsWith('~')) {
    throw new LetterError('RELAY_NO_DATA_DIRECTORY', `DataDirectory "${directory}" depends on the home directory of the user tor runs as`, {
      ...(line !== undefined ? { location: line.location } : {}),
      input: directory,
      hint: 'name the data directory explicitly as an absolute path',
    });
  }
  if (isAbsolute(directory)) return directory;
  if (options.cwd === undefined) {
    throw new LetterError('RELAY_NO_DATA_DIRECTORY', `DataDirectory "${directory}" is relative and tor's working directory is unknown`, {
      ...(line !== undefined ? { location: line.location } : {}),
      input: directory,
      hint: "give tor's working directory, or make DataDirectory absolute",
    });
  }
  return join(options.cwd, directory);
}

async function readFingerprint(dataDirectory: string, readFile: ReadTextFile): Promise<string> {
  const file = join(dataDirectory, 'fingerprint');
  let text: string;
  try {
    text = await readFile(file);
  } catch (cause) {
    throw new LetterError('RELAY_FINGERPRINT_UNREADABLE', `Cannot read the relay fingerprint from ${file}`, {
      cause,
      input: file,
      hint: 'tor writes this file when it first starts as a relay; check DataDirectory, or start tor once',
    });
  }
  const match = FINGERPRINT_FILE.exec(text);
  if (match?.[2] === undefined) {
    const firstLine = text.split('\n')[0] ?? '';
    throw new LetterError('RELAY_FINGERPRINT_MALFORMED', `${file} does not hold "NICKNAME FINGERPRINT" as tor writes it`, {
      location: { file, line: 1 },
      input: firstLine,
      hint: 'expected one line: a nickname, a space and 40 uppercase hexadecimal characters',
    });
  }
  return match[2];
}

/**
 * The addresses the relay publishes, one per family at most: the `Address` line of that
 * family, else the first advertised `ORPort` bound to a specific address of that family.
 * Hostnames, wildcard binds and `NoAdvertise` ports are not published addresses and are left out.
 */
export function publishedAddresses(config: ConfigView): string[] {
  const fromAddress = config.lines('Address').map((line) => literalAddress(line.value.trim()));
  const fromOrPort = config.lines('ORPort').map(advertisedOrPortAddress);
  const pick = (family: 4 | 6): string | undefined =>
    [...fromAddress, ...fromOrPort].find((address) => address !== undefined && familyOf(address) === family);
  return [pick(4), pick(6)].filter((address): address is string => address !== undefined);
}

// orport ::= [ address ":" ] ( port | "auto" ) *( SP flag )
// address ::= ipv4 | "[" ipv6 "]" | hostname
function advertisedOrPortAddress(line: ConfigLine): string | undefined {
  const [spec = '', ...flags] = line.value.trim().split(/\s+/);
  if (flags.some((flag) => flag.toLowerCase() === 'noadvertise')) return undefined;
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return undefined;
  return literalAddress(spec.slice(0, colon));
}

function literalAddress(text: string): string | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return bare === '0.0.0.0' ? undefined : bare;
  if (isIPv6(bare) && !bare.includes('%')) {
    const canonical = new Address6(bare).correctForm();
    return canonical === '::' ? undefined : canonical;
  }
  return undefined;
}

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}
