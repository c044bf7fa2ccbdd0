/**
 * Problems the torrc layer reports. Errors are what makes Tor refuse the configuration (or
 * what exitkit refuses to do to a file); warnings are what Tor accepts but reads differently
 * from what the text suggests.
 */
import { ExitkitError, setErrorName, type ExitkitErrorOptions } from '../errors.js';

/** Codes of problems found while reading the text of one file. */
export type TorrcLexCode =
  /** A quoted value with a bad escape, an octal escape above 255, a raw newline, or no closing quote. */
  | 'TORRC_BAD_QUOTED_STRING'
  /** Text other than a comment after the closing quote of a quoted value. */
  | 'TORRC_EXCESS_AFTER_QUOTE'
  /** The file starts with a UTF-8 byte-order mark, which Tor reads as part of the first keyword. */
  | 'TORRC_BOM'
  /** A NUL byte: Tor stops reading the file there (warning). */
  | 'TORRC_NUL_BYTE'
  /** The file is not valid UTF-8; it was read byte by byte (warning). */
  | 'TORRC_NOT_UTF8'
  /** A line is glued to a continued entry because the line before it ended in a comment (warning). */
  | 'TORRC_COMMENT_JOINS_NEXT_LINE'
  /** A comment after an entry ends in a backslash, which does not continue the entry (warning). */
  | 'TORRC_BACKSLASH_IN_COMMENT'
  /** A continuation followed by a blank line or the end of the file: Tor keeps the backslash (warning). */
  | 'TORRC_DANGLING_CONTINUATION';

/** Codes of problems with `%include` and with the files named on the command line. */
export type TorrcIncludeCode =
  /** `%include` without a path. */
  | 'TORRC_INCLUDE_EMPTY'
  /** The included path does not exist (or is a dangling symlink). */
  | 'TORRC_INCLUDE_MISSING'
  /** The included path cannot be read (permissions, a device, a socket, a FIFO, an I/O error). */
  | 'TORRC_INCLUDE_UNREADABLE'
  /** More than 31 nested levels of files (the top file is level 1). */
  | 'TORRC_INCLUDE_TOO_DEEP'
  /** A glob that matches nothing: not an error for Tor, but nothing is included (warning). */
  | 'TORRC_INCLUDE_NO_MATCH'
  /** The torrc (`-f`) does not exist or cannot be read. */
  | 'TORRC_FILE_MISSING'
  /** The defaults file does not exist: Tor silently runs without it (warning). */
  | 'TORRC_DEFAULTS_MISSING';

/** Codes of problems with keywords and with how lines combine. */
export type TorrcOptionCode =
  /** A keyword that is neither an option, an alias, nor the start of an option name. */
  | 'TORRC_UNKNOWN_OPTION'
  /** A keyword Tor only accepts as the start of a longer option name (warning). */
  | 'TORRC_ABBREVIATION'
  /** A keyword Tor maps to another option and warns about, e.g. `MaxConn` (warning). */
  | 'TORRC_DEPRECATED_ALIAS'
  /** An option Tor ignores entirely (warning). */
  | 'TORRC_OBSOLETE_OPTION'
  /** An option Tor still reads but plans to remove (warning). */
  | 'TORRC_DEPRECATED_OPTION'
  /** A value for a virtual option such as `ORPortLines`, which Tor refuses. */
  | 'TORRC_VIRTUAL_OPTION'
  /** A list option with no value: Tor skips the line (warning). */
  | 'TORRC_EMPTY_LIST_VALUE'
  /** A single-value option with no value: Tor resets it to 0/empty, not to its default (warning). */
  | 'TORRC_EMPTY_VALUE_RESETS'
  /** A single-value option set more than once in one file set: only the last counts (warning). */
  | 'TORRC_REPEATED_OPTION'
  /** Text after `/Key`, which Tor discards (warning). */
  | 'TORRC_CLEAR_DISCARDS_VALUE';

/** Codes of values Tor cannot parse for the option's type. */
export type TorrcValueCode =
  /** A Boolean option with a value other than 0 or 1. */
  | 'TORRC_BAD_BOOL'
  /** A Boolean+auto option with a value other than 0, 1 or auto. */
  | 'TORRC_BAD_AUTOBOOL'
  /** An integer that is malformed or out of the option's range. */
  | 'TORRC_BAD_INTEGER'
  /** A floating-point number that is malformed or out of range. */
  | 'TORRC_BAD_DOUBLE'
  /** A data size (`10 MB`) that is malformed, has an unknown unit, or overflows. */
  | 'TORRC_BAD_DATA_SIZE'
  /** A time interval (`30 minutes`, `500 msec`) that is malformed, has an unknown unit, or is too large. */
  | 'TORRC_BAD_INTERVAL'
  /** A Nickname that is not 1 to 19 letters and digits. */
  | 'TORRC_BAD_NICKNAME';

/**
 * Codes of Tor's checks across options and of option values Tor parses during validation
 * (`options_validate` and friends; see cross-checks.ts and ports.ts).
 */
export type TorrcCrossCode =
  /** A listener line (`ORPort`, `SocksPort`, ...) Tor cannot read: address, port, flags, unix: path. */
  | 'TORRC_BAD_PORT_LINE'
  /** Listener lines that contradict each other (`X 0` beside `X 9001`, advertised but not listened on, ...). */
  | 'TORRC_PORT_CONFLICT'
  /** An unknown listener flag, which Tor ignores (warning). */
  | 'TORRC_PORT_FLAG_IGNORED'
  /** An ORPort line Tor drops because another supersedes it (warning). */
  | 'TORRC_PORT_SUPERSEDED'
  /** A hostname tor resolves when it starts; whether that works depends on the machine (warning). */
  | 'TORRC_RESOLVES_AT_STARTUP'
  /** Two options Tor refuses together, or an option that needs another (e.g. `BridgeRelay 1` without an ORPort). */
  | 'TORRC_OPTIONS_CONFLICT'
  /** An option a relay (a configuration with an ORPort) may not set, e.g. `ReducedCircuitPadding 1`. */
  | 'TORRC_NOT_FOR_RELAYS'
  /** A number outside the range Tor accepts when it validates the configuration. */
  | 'TORRC_OUT_OF_RANGE'
  /** Bandwidth options Tor refuses: above the 2 GB cap, below a relay's minimum, rate above burst. */
  | 'TORRC_BAD_BANDWIDTH'
  /** A value that is not one of the words Tor accepts for the option. */
  | 'TORRC_BAD_CHOICE'
  /** An `AccountingStart` Tor cannot read. */
  | 'TORRC_BAD_ACCOUNTING_START'
  /** A `Log` line Tor cannot read (severities, domains, destination), or a bad `LogTimeGranularity`. */
  | 'TORRC_BAD_LOG'
  /** A `MyFamily` entry or `FamilyId` Tor cannot read. */
  | 'TORRC_BAD_FAMILY'
  /** `ContactInfo` that is not valid UTF-8. */
  | 'TORRC_BAD_CONTACT_INFO'
  /** A `HashedControlPassword` that is not a hash made by `tor --hash-password`. */
  | 'TORRC_BAD_PASSWORD_HASH'
  /** A `ServerTransportPlugin`, `ServerTransportListenAddr`, `ServerTransportOptions` or `ClientTransportPlugin` line Tor refuses. */
  | 'TORRC_BAD_TRANSPORT'
  /** A `Bridge` line Tor cannot read. */
  | 'TORRC_BAD_BRIDGE_LINE'
  /** An address option (`OutboundBindAddress*`, proxies) Tor cannot read, or one set twice for a family. */
  | 'TORRC_BAD_ADDRESS'
  /** A node list (`ExcludeNodes`, `NodeFamily`, ...) with an entry Tor cannot read. */
  | 'TORRC_BAD_NODE_LIST'
  /** An option that may only differ from its default when `TestingTorNetwork` is set. */
  | 'TORRC_TESTING_ONLY'
  /** `RunAsDaemon 1` with a relative path (warning without RunAsDaemon). */
  | 'TORRC_RELATIVE_PATH'
  /** `HiddenService*` lines Tor refuses (order, ports, version). */
  | 'TORRC_BAD_HIDDEN_SERVICE'
  /** `Address` lines Tor accepts now but fails on when it starts (two of a family, a name to resolve) (warning). */
  | 'TORRC_ADDRESS_AT_STARTUP'
  /** A configuration Tor accepts but that does not do what it says (warning). */
  | 'TORRC_INEFFECTIVE_OPTION';

/** Codes of edits and flattening exitkit refuses. */
export type TorrcEditCode =
  /** A keyword that is not an option name Tor knows exactly (nor `%include`). */
  | 'TORRC_EDIT_BAD_KEY'
  /** A value that would not read back as the same single entry. */
  | 'TORRC_EDIT_UNSAFE_VALUE'
  /** Comment text that would not stay a single comment line. */
  | 'TORRC_EDIT_UNSAFE_COMMENT'
  /** The node to edit beside is not a node of this file. */
  | 'TORRC_EDIT_NOT_IN_FILE'
  /** The file has reading errors, so Tor already refuses it; exitkit does not edit it. */
  | 'TORRC_EDIT_FILE_HAS_ERRORS'
  /** The file contains a NUL byte; Tor would not see text written after it. */
  | 'TORRC_EDIT_NUL_BYTE'
  /** The file set cannot be flattened because an included path cannot be read. */
  | 'TORRC_FLATTEN_UNREADABLE'
  /** `lines()`/`value()` was asked for a name that is not an option. */
  | 'TORRC_UNKNOWN_OPTION_NAME';

/** Every code the torrc layer uses. */
export type TorrcErrorCode = TorrcLexCode | TorrcIncludeCode | TorrcOptionCode | TorrcValueCode | TorrcCrossCode | TorrcEditCode;

/** A problem in a torrc file set (or an edit exitkit refuses), with its code and file:line. */
export class TorrcError extends ExitkitError<TorrcErrorCode> {
  constructor(code: TorrcErrorCode, message: string, options: ExitkitErrorOptions = {}) {
    super(code, message, options);
  }
}
setErrorName(TorrcError, 'TorrcError');

/** Quotes a piece of configuration text for a message, making control characters visible. */
export function quote(text: string, max = 80): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  // JSON escaping shows \t, \n, NUL and the byte-order mark instead of printing them raw.
  return JSON.stringify(shown).replace(/\uFEFF/g, '\\uFEFF');
}
