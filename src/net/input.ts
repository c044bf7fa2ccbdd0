/**
 * Validation of the CIDR blocks and port lists an operator types on the command line.
 *
 * Everything typed is checked before anything is planned, and refused with an `InputError`
 * that names the problem (`code`), points at it (`pos`, `[start, end)` offsets into `input`)
 * and says what would be right (`hint`). What comes out is rebuilt from numbers, never copied
 * from the input, so no typed text can reach a torrc: a newline, `,`, `#`, quote or backslash
 * (which would start a new directive or ExitPolicy item, a comment, or a quoted or continued
 * value) is refused up front, and the canonical text contains none of them anyway.
 *
 * Deliberate choices, stricter than Tor where Tor is lenient:
 * - Brackets are allowed only around an IPv6 address, as `[v6]` or `[v6]/N` (Tor's own forms);
 *   an IPv6 address may also be given bare, with or without `/N`.
 * - A contiguous dotted IPv4 mask (`10.0.0.0/255.0.0.0`) is accepted and rewritten as `/N`,
 *   as Tor reads it; a non-contiguous one is refused (with the `/N` when it is an inverse mask).
 * - Leading zeros are refused in octets and prefixes (Tor reads `/08` as 8, other tools read
 *   `010` as octal 8).
 * - IPv4-mapped addresses (`::ffff:a.b.c.d`, also in hex) and IPv4-compatible ones written
 *   with a dotted tail (`::a.b.c.d`) are refused: an exit reaches IPv4 destinations over IPv4,
 *   so such a rule would not block what the operator means. Other embedded forms
 *   (`64:ff9b::1.2.3.4`) are accepted and written in hex.
 * - `*`, `*4`, `*6` and `private` are refused with what to use instead, and so is a `:port`
 *   suffix (ports are a separate argument), a zone id, a host name and an `a-b` address range.
 * - A block with host bits set (`10.0.0.1/8`) is refused unless `allowHostBits` is given; then
 *   the block is the network (`10.0.0.0/8`) and `address` keeps what was typed.
 * - In port lists, repeated, overlapping and adjacent items are merged (`80,80,81` → `80-81`):
 *   the result is the set of ports, sorted.
 */
import { Address4, Address6 } from 'ip-address';
import { ExitkitError, setErrorName } from '../errors.js';
import type { Family } from '../types.js';
import {
  ADDRESS_BITS,
  cidrBlock,
  canonicalAddress,
  mergePortRanges,
  type CidrBlock,
  type PortRange,
} from './merge.js';

/** Why an operator-typed CIDR block or port list was refused. */
export type InputErrorCode =
  // Shared by CIDR blocks and port lists.
  | 'INPUT_EMPTY'
  | 'INPUT_LINE_BREAK'
  | 'INPUT_CONTROL_CHAR'
  | 'INPUT_WHITESPACE'
  | 'INPUT_NON_ASCII'
  | 'INPUT_COMMENT'
  | 'INPUT_QUOTE'
  | 'INPUT_BACKSLASH'
  | 'INPUT_TOO_LONG'
  // CIDR blocks.
  | 'CIDR_LIST'
  | 'CIDR_WILDCARD'
  | 'CIDR_PRIVATE'
  | 'CIDR_HOSTNAME'
  | 'CIDR_ADDRESS_RANGE'
  | 'CIDR_ADDRESS_MISSING'
  | 'CIDR_PORT_SUFFIX'
  | 'CIDR_ZONE_ID'
  | 'CIDR_BRACKETS'
  | 'CIDR_BAD_CHAR'
  | 'CIDR_IPV4_OCTET_COUNT'
  | 'CIDR_IPV4_EMPTY_OCTET'
  | 'CIDR_IPV4_LEADING_ZERO'
  | 'CIDR_IPV4_OCTET_RANGE'
  | 'CIDR_IPV6_GROUP'
  | 'CIDR_IPV6_GROUP_COUNT'
  | 'CIDR_IPV6_MALFORMED'
  | 'CIDR_IPV4_IN_IPV6'
  | 'CIDR_PREFIX_MISSING'
  | 'CIDR_PREFIX_NOT_NUMBER'
  | 'CIDR_PREFIX_NEGATIVE'
  | 'CIDR_PREFIX_LEADING_ZERO'
  | 'CIDR_PREFIX_RANGE'
  | 'CIDR_MASK_NOT_CONTIGUOUS'
  | 'CIDR_MASK_IPV6'
  | 'CIDR_HOST_BITS'
  // Port lists.
  | 'PORTS_WILDCARD'
  | 'PORTS_EMPTY_ITEM'
  | 'PORT_NOT_NUMBER'
  | 'PORT_SIGN'
  | 'PORT_LEADING_ZERO'
  | 'PORT_ZERO'
  | 'PORT_TOO_LARGE'
  | 'PORT_RANGE_OPEN'
  | 'PORT_RANGE_EXTRA'
  | 'PORT_RANGE_REVERSED';

/** A refused CIDR block or port list: always carries the input, the offending span and a hint. */
export class InputError extends ExitkitError<InputErrorCode> {
  declare readonly pos: readonly [number, number];
  declare readonly input: string;
  declare readonly hint: string;

  constructor(
    code: InputErrorCode,
    message: string,
    details: { input: string; pos: readonly [number, number]; hint: string },
  ) {
    super(code, message, details);
  }
}
setErrorName(InputError, 'InputError');

/** A validated CIDR block as the operator typed it. */
export interface CidrInput extends CidrBlock {
  /** The argument exactly as typed. */
  readonly input: string;
  /** The address as typed, host bits kept (equals `start` unless `hostBitsSet`). */
  readonly address: bigint;
  /** True when the typed address had host bits set (only possible with `allowHostBits`). */
  readonly hostBitsSet: boolean;
}

/** Options for `parseCidrArgument`. */
export interface CidrArgumentOptions {
  /** Accept `10.0.0.1/8` as `10.0.0.0/8` instead of refusing it. */
  allowHostBits?: boolean | undefined;
}

/** Longest CIDR argument considered (a bracketed IPv6 with an embedded IPv4 and /128 is 51). */
export const MAX_CIDR_LENGTH = 64;

type Span = readonly [number, number];

function quote(text: string): string {
  return JSON.stringify(text);
}

class Ctx {
  constructor(readonly input: string) {}

  fail(code: InputErrorCode, pos: Span, what: string, hint: string): never {
    throw new InputError(code, `${quote(this.input)}: ${what}`, { input: this.input, pos, hint });
  }
}

// Characters refused anywhere, checked before any parsing. Line breaks and other control
// characters come first whatever their position, because they are what could inject a new
// torrc directive; the rest is reported left to right.
function checkCharacters(ctx: Ctx, kind: 'cidr' | 'ports'): void {
  const text = ctx.input;
  const lineBreak = /[\n\r\v\f\u0085\u2028\u2029]/.exec(text);
  if (lineBreak) {
    ctx.fail(
      'INPUT_LINE_BREAK',
      [lineBreak.index, lineBreak.index + 1],
      'contains a line break, which would start a new torrc line',
      'give the value on one line, without newline or carriage return',
    );
  }
  const control = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/.exec(text);
  if (control) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0');
    ctx.fail(
      'INPUT_CONTROL_CHAR',
      [control.index, control.index + 1],
      `contains the control character U+${code.toUpperCase()}`,
      'retype the value; it must contain only printable ASCII',
    );
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (/\s/u.test(ch)) {
      let end = i + 1;
      while (end < text.length && /\s/u.test(text.charAt(end))) end++;
      const where = i === 0 || end === text.length ? 'around' : 'inside';
      ctx.fail(
        'INPUT_WHITESPACE',
        [i, end],
        `contains whitespace ${where} the value`,
        where === 'around'
          ? `remove the surrounding spaces: ${quote(text.trim())}`
          : kind === 'cidr'
            ? 'write the block without spaces, and give several blocks as separate arguments'
            : 'write the list without spaces, e.g. 80,443,6660-6669',
      );
    }
    if (ch === ',' && kind === 'cidr') {
      ctx.fail(
        'CIDR_LIST',
        [i, i + 1],
        'contains a comma, which would add a second ExitPolicy item',
        'give one block per argument: exitkit plan block 192.0.2.0/24 198.51.100.0/24',
      );
    }
    if (ch === '#') {
      ctx.fail(
        'INPUT_COMMENT',
        [i, i + 1],
        "contains '#', which starts a comment in a torrc",
        kind === 'cidr' ? 'give only the block, e.g. 192.0.2.0/24' : 'give only the ports, e.g. 80,443',
      );
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      ctx.fail(
        'INPUT_QUOTE',
        [i, i + 1],
        `contains the quote ${ch}, which changes how a torrc value is read`,
        'remove the quotes (the shell removes its own quoting already)',
      );
    }
    if (ch === '\\') {
      ctx.fail(
        'INPUT_BACKSLASH',
        [i, i + 1],
        'contains a backslash, which escapes or continues a torrc value',
        'remove the backslash',
      );
    }
    if (ch.charCodeAt(0) > 0x7e) {
      const end = /[\ud800-\udbff]/.test(ch) ? i + 2 : i + 1;
      ctx.fail(
        'INPUT_NON_ASCII',
        [i, end],
        `contains the non-ASCII character ${quote(text.slice(i, end))}`,
        'type the value in plain ASCII digits, letters, dots, colons and slashes',
      );
    }
  }
}

// ipv4   ::= octet "." octet "." octet "." octet
// octet  ::= "0" | [1-9] [0-9]*              -- value 0..255, no leading zeros
function parseIPv4(ctx: Ctx, start: number, end: number, shorthandPrefix?: string): bigint {
  const text = ctx.input.slice(start, end);
  const bad = /[^0-9.]/.exec(text);
  if (bad) {
    ctx.fail(
      'CIDR_BAD_CHAR',
      [start + bad.index, start + bad.index + 1],
      `${quote(bad[0])} cannot appear in an IPv4 address`,
      'an IPv4 address is four decimal numbers 0-255 separated by dots, e.g. 192.0.2.1',
    );
  }
  const parts: Array<{ text: string; at: number }> = [];
  let at = start;
  for (const part of text.split('.')) {
    parts.push({ text: part, at });
    at += part.length + 1;
  }
  for (const part of parts) {
    if (part.text === '') {
      ctx.fail(
        'CIDR_IPV4_EMPTY_OCTET',
        [Math.max(start, part.at - 1), Math.min(end, part.at + 1)],
        `the IPv4 address ${quote(text)} has an empty octet`,
        'write four numbers separated by single dots, e.g. 192.0.2.1',
      );
    }
  }
  if (parts.length !== 4) {
    const shorthand =
      parts.length < 4 && shorthandPrefix !== undefined
        ? [...parts.map((p) => p.text), '0', '0', '0'].slice(0, 4).join('.')
        : undefined;
    ctx.fail(
      'CIDR_IPV4_OCTET_COUNT',
      [start, end],
      `the IPv4 address ${quote(text)} has ${parts.length} ${parts.length === 1 ? 'octet' : 'octets'}, not 4`,
      shorthand !== undefined
        ? `write all four octets: did you mean ${shorthand}/${shorthandPrefix}?`
        : parts.length < 4
          ? 'write all four octets, e.g. 192.0.2.0 (shortened forms are read differently by different tools)'
          : 'an IPv4 address has exactly four octets, e.g. 192.0.2.1',
    );
  }
  let value = 0n;
  for (const part of parts) {
    const span: Span = [part.at, part.at + part.text.length];
    if (part.text.length > 1 && part.text.startsWith('0')) {
      const fixed = parts.map((p) => p.text.replace(/^0+(?=\d)/, '')).join('.');
      ctx.fail(
        'CIDR_IPV4_LEADING_ZERO',
        span,
        `the octet ${quote(part.text)} has a leading zero`,
        `write ${fixed} if decimal was meant (some tools read a leading 0 as octal)`,
      );
    }
    const octet = Number(part.text);
    if (octet > 255) {
      ctx.fail(
        'CIDR_IPV4_OCTET_RANGE',
        span,
        `the octet ${part.text} is greater than 255`,
        'each octet of an IPv4 address is a number from 0 to 255',
      );
    }
    value = (value << 8n) | BigInt(octet);
  }
  const library = new Address4(text).bigInt();
  if (library !== value) {
    throw new Error(`IPv4 parsers disagree on ${quote(text)}: ${value} vs ${library}`);
  }
  return value;
}

interface IPv6Parse {
  value: bigint;
  /** True when the address ends in an embedded dotted IPv4 address. */
  dotted: boolean;
}

// ipv6   ::= RFC 4291 section 2.2 text form:
//            8 groups, or fewer with exactly one "::" standing for one or more zero groups
// group  ::= 1*4 HEXDIG
//            the last two groups may instead be written as an embedded ipv4
function parseIPv6(ctx: Ctx, start: number, end: number): IPv6Parse {
  const text = ctx.input.slice(start, end);
  const bad = /[^0-9a-fA-F:.]/.exec(text);
  if (bad) {
    ctx.fail(
      'CIDR_BAD_CHAR',
      [start + bad.index, start + bad.index + 1],
      `${quote(bad[0])} cannot appear in an IPv6 address`,
      'an IPv6 address is groups of up to four hex digits separated by colons, e.g. 2001:db8::1',
    );
  }
  const malformed = (pos: Span, what: string): never =>
    ctx.fail(
      'CIDR_IPV6_MALFORMED',
      pos,
      `the IPv6 address ${quote(text)} ${what}`,
      'write groups of hex digits separated by single colons, with at most one ::, e.g. 2001:db8::1',
    );
  const triple = text.indexOf(':::');
  if (triple !== -1) malformed([start + triple, start + triple + 3], 'contains ":::"');
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) {
    const second = text.indexOf('::', gap + 1);
    malformed([start + second, start + second + 2], 'contains "::" more than once');
  }

  interface Group {
    text: string;
    at: number;
  }
  const split = (from: number, to: number): Group[] => {
    if (from === to) return [];
    const groups: Group[] = [];
    let at = from;
    for (const group of ctx.input.slice(from, to).split(':')) {
      if (group === '') {
        const colon = Math.min(at, to - 1);
        malformed([colon, colon + 1], 'has a stray colon');
      }
      groups.push({ text: group, at });
      at += group.length + 1;
    }
    return groups;
  };
  const head = gap === -1 ? split(start, end) : split(start, start + gap);
  const tail = gap === -1 ? [] : split(start + gap + 2, end);
  const all = [...head, ...tail];
  const last = all.at(-1);

  let dotted: bigint | undefined;
  for (const group of all) {
    if (group.text.includes('.')) {
      if (group !== last || (gap !== -1 && tail.length === 0)) {
        malformed(
          [group.at, group.at + group.text.length],
          'has an embedded IPv4 address that is not at its end',
        );
      }
      dotted = parseIPv4(ctx, group.at, group.at + group.text.length);
    } else if (group.text.length > 4) {
      ctx.fail(
        'CIDR_IPV6_GROUP',
        [group.at, group.at + group.text.length],
        `the group ${quote(group.text)} has more than four hex digits`,
        'each group of an IPv6 address has one to four hex digits',
      );
    }
  }
  const count = all.length + (dotted === undefined ? 0 : 1);
  if ((gap === -1 && count !== 8) || (gap !== -1 && count > 7)) {
    ctx.fail(
      'CIDR_IPV6_GROUP_COUNT',
      [start, end],
      gap === -1
        ? `the IPv6 address ${quote(text)} has ${count} groups, not 8`
        : `the IPv6 address ${quote(text)} has ${count} groups besides "::", at most 7 fit`,
      gap === -1
        ? 'write all eight groups, or shorten a run of zero groups with ::, e.g. 2001:db8::1'
        : 'an IPv6 address has eight groups in all, e.g. 2001:db8:0:0:0:0:0:1 or 2001:db8::1',
    );
  }

  const words = (groups: Group[]): bigint[] =>
    groups.filter((g) => !g.text.includes('.')).map((g) => BigInt(`0x${g.text}`));
  const headWords = words(head);
  const tailWords = [...words(tail)];
  if (gap === -1 && dotted !== undefined) headWords.push(dotted >> 16n, dotted & 0xffffn);
  if (gap !== -1 && dotted !== undefined) tailWords.push(dotted >> 16n, dotted & 0xffffn);
  const fill = Array<bigint>(8 - headWords.length - tailWords.length).fill(0n);
  let value = 0n;
  for (const word of [...headWords, ...fill, ...tailWords]) value = (value << 16n) | word;

  let library: bigint | undefined;
  try {
    library = new Address6(text).bigInt();
  } catch {
    library = undefined;
  }
  if (library !== value) {
    // Both parsers must agree before an address is trusted; a disagreement means an odd form.
    malformed([start, end], 'is not read the same way by every parser');
  }
  return { value, dotted: dotted !== undefined };
}

// mask   ::= prefix | ipv4                   -- a dotted mask only for IPv4, contiguous
// prefix ::= "0" | [1-9] [0-9]*              -- 0..32 for IPv4, 0..128 for IPv6
function parseMask(ctx: Ctx, start: number, end: number, family: Family): number {
  const text = ctx.input.slice(start, end);
  const bits = ADDRESS_BITS[family];
  const rangeHint = `IPv${family} prefixes run from /0 to /${bits}`;
  if (text === '') {
    ctx.fail(
      'CIDR_PREFIX_MISSING',
      [start - 1, start],
      'has "/" without a prefix length',
      `${rangeHint}, e.g. /24`,
    );
  }
  if (text.includes('.')) {
    if (family === 6) {
      ctx.fail(
        'CIDR_MASK_IPV6',
        [start, end],
        `an IPv6 block cannot take the dotted mask ${quote(text)}`,
        `give a prefix length; ${rangeHint}`,
      );
    }
    const mask = parseIPv4(ctx, start, end);
    const inverse = ~mask & 0xffffffffn;
    const ones = (n: bigint): number => n.toString(2).replaceAll('0', '').length;
    if ((inverse & (inverse + 1n)) !== 0n) {
      const isInverseMask = (mask & (mask + 1n)) === 0n;
      ctx.fail(
        'CIDR_MASK_NOT_CONTIGUOUS',
        [start, end],
        `the mask ${text} is not a prefix (its one bits are not all at the left)`,
        isInverseMask
          ? `${text} looks like an inverse (wildcard) mask; the same block is /${32 - ones(mask)}`
          : 'a netmask is ones followed by zeros, e.g. 255.255.255.0 (= /24)',
      );
    }
    return 32 - ones(inverse);
  }
  if (text.startsWith('-')) {
    ctx.fail('CIDR_PREFIX_NEGATIVE', [start, end], `the prefix length ${text} is negative`, rangeHint);
  }
  const nonDigit = /[^0-9]/.exec(text);
  if (nonDigit) {
    ctx.fail(
      'CIDR_PREFIX_NOT_NUMBER',
      [start + nonDigit.index, end],
      `the prefix length ${quote(text)} is not a decimal number`,
      `${rangeHint}, written as a plain number, e.g. /24`,
    );
  }
  const value = Number(text);
  if (text.length > 1 && text.startsWith('0')) {
    ctx.fail(
      'CIDR_PREFIX_LEADING_ZERO',
      [start, end],
      `the prefix length ${quote(text)} has a leading zero`,
      value <= bits ? `write /${value}` : rangeHint,
    );
  }
  if (value > bits) {
    ctx.fail('CIDR_PREFIX_RANGE', [start, end], `/${text} is too long for an IPv${family} block`, rangeHint);
  }
  return value;
}

function portSuffixHint(portText: string): string {
  if (portText === '*' || portText === '') return 'ports go in --ports; omit --ports to cover every port';
  const ports = tryParse(() => parsePortList(portText));
  return ports ? `ports go in --ports: --ports ${portText}` : 'ports go in --ports, e.g. --ports 80,443';
}

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

const HOSTNAME = /^([a-z0-9-]+\.)*[a-z][a-z0-9-]*\.?$/i;

/**
 * Parses one operator-typed CIDR block (IPv4 or IPv6; a bare address is a /32 or /128).
 * Throws an `InputError` saying what is wrong and what would be right.
 */
export function parseCidrArgument(text: string, options: CidrArgumentOptions = {}): CidrInput {
  // argument ::= ipv4 [ "/" mask ]
  //            | ipv6 [ "/" prefix ]
  //            | "[" ipv6 "]" [ "/" prefix ]
  const ctx = new Ctx(text);
  if (text === '') {
    ctx.fail('INPUT_EMPTY', [0, 0], 'is empty', 'give a block such as 192.0.2.0/24 or 2001:db8::/32');
  }
  checkCharacters(ctx, 'cidr');
  if (text.length > MAX_CIDR_LENGTH) {
    ctx.fail(
      'INPUT_TOO_LONG',
      [MAX_CIDR_LENGTH, text.length],
      `is ${text.length} characters long; no address block needs more than ${MAX_CIDR_LENGTH}`,
      'give one block such as 192.0.2.0/24 or 2001:db8::/32',
    );
  }
  if (text.startsWith('*')) {
    const width = /[46]/.test(text.charAt(1)) ? 2 : 1;
    ctx.fail(
      'CIDR_WILDCARD',
      [0, width],
      'is a wildcard, which would block every destination',
      'to stop being an exit use `exitkit plan middle`; to block a whole family give 0.0.0.0/0 or ::/0',
    );
  }
  if (/^private(?![a-z0-9-])/i.test(text)) {
    ctx.fail(
      'CIDR_PRIVATE',
      [0, 7],
      'names the private networks, which Tor already rejects with ExitPolicyRejectPrivate 1 (the default)',
      'keep ExitPolicyRejectPrivate 1, or name one network explicitly, e.g. 10.0.0.0/8',
    );
  }

  // Locate the address, the mask and any port suffix (":..." after the address or mask).
  let addrStart = 0;
  let addrEnd: number;
  let rest: number; // index just after the address (and its closing bracket)
  let bracketed = false;
  const open = text.indexOf('[');
  const close = text.indexOf(']');
  if (open !== -1 || close !== -1) {
    const brackets = (pos: Span, what: string, hint: string): never =>
      ctx.fail('CIDR_BRACKETS', pos, what, hint);
    const form = 'write IPv6 as [2001:db8::1] or [2001:db8::]/32, or without brackets';
    if (open !== 0) {
      const at = open === -1 ? close : open;
      brackets([at, at + 1], `has ${quote(text.charAt(at))} in the wrong place`, form);
    }
    if (close === -1) brackets([0, 1], 'has "[" without a closing "]"', form);
    const extra = /[[\]]/.exec(text.slice(1));
    if (extra && extra.index + 1 !== close) {
      brackets([extra.index + 1, extra.index + 2], `has an extra ${quote(extra[0])}`, form);
    }
    const inner = text.slice(1, close);
    if (inner === '') brackets([0, close + 1], 'has empty brackets', form);
    const slash = inner.indexOf('/');
    if (slash !== -1) {
      brackets(
        [0, close + 1],
        'has the prefix length inside the brackets',
        `put the prefix after the brackets: [${inner.slice(0, slash)}]${inner.slice(slash)}`,
      );
    }
    if (!inner.includes(':') && !inner.includes('%')) {
      brackets(
        [0, close + 1],
        'has brackets around something that is not an IPv6 address',
        `write IPv4 addresses without brackets: ${inner}${text.slice(close + 1)}`,
      );
    }
    const after = text.charAt(close + 1);
    if (after !== '' && after !== '/' && after !== ':') {
      const trailing = quote(text.slice(close + 1));
      brackets([close + 1, text.length], `has ${trailing} after the closing bracket`, form);
    }
    addrStart = 1;
    addrEnd = close;
    rest = close + 1;
    bracketed = true;
  } else {
    const slash = text.indexOf('/');
    addrEnd = slash === -1 ? text.length : slash;
    rest = addrEnd;
  }

  // An IPv4 address followed by ":port" (no other colon, a dot before the colon).
  const addrText = text.slice(addrStart, addrEnd);
  let portAt = -1;
  if (!bracketed) {
    const colon = addrText.indexOf(':');
    const single = colon !== -1 && colon === addrText.lastIndexOf(':');
    if (single && addrText.slice(0, colon).includes('.')) {
      portAt = addrStart + colon;
      addrEnd = portAt;
    }
  }
  let maskStart = -1;
  let maskEnd = -1;
  if (text.charAt(rest) === '/') {
    maskStart = rest + 1;
    const colon = text.indexOf(':', maskStart);
    maskEnd = colon === -1 ? text.length : colon;
    if (colon !== -1) portAt = colon;
  } else if (text.charAt(rest) === ':') {
    portAt = rest;
  }
  const portBeforeMask = portAt !== -1 && maskStart !== -1 && portAt < maskStart;
  const portEnd = portAt === -1 ? -1 : portBeforeMask ? maskStart - 1 : text.length;

  // The address itself.
  const address = text.slice(addrStart, addrEnd);
  if (address === '') {
    ctx.fail(
      'CIDR_ADDRESS_MISSING',
      [addrStart, addrStart],
      'has no address',
      'give a block such as 192.0.2.0/24',
    );
  }
  const zone = address.indexOf('%');
  if (zone !== -1) {
    ctx.fail(
      'CIDR_ZONE_ID',
      [addrStart + zone, addrEnd],
      `has the zone id ${quote(address.slice(zone))}, which only names a link on this machine`,
      `give the address without it: ${address.slice(0, zone)}`,
    );
  }
  if (!address.includes(':') && HOSTNAME.test(address)) {
    ctx.fail(
      'CIDR_HOSTNAME',
      [addrStart, addrEnd],
      `${quote(address)} is a host name, not an address`,
      `look up its addresses (e.g. \`dig +short A ${address}\` and AAAA) and give those`,
    );
  }
  const dash = address.indexOf('-');
  if (dash > 0) {
    const family: Family = address.includes(':') ? 6 : 4;
    const parse = (from: number, to: number): bigint | undefined =>
      tryParse(() => (family === 4 ? parseIPv4(ctx, from, to) : parseIPv6(ctx, from, to).value));
    const first = parse(addrStart, addrStart + dash);
    const last = parse(addrStart + dash + 1, addrEnd);
    if (first !== undefined && last !== undefined) {
      const size = last - first + 1n;
      const exact = size > 0n && (size & (size - 1n)) === 0n && first % size === 0n;
      const sizeBits = size.toString(2).length - 1;
      ctx.fail(
        'CIDR_ADDRESS_RANGE',
        [addrStart, addrEnd],
        `${quote(address)} is an address range, not a CIDR block`,
        exact
          ? `did you mean ${cidrBlock(family, first, ADDRESS_BITS[family] - sizeBits).cidr}?`
          : 'give the range as one or more CIDR blocks, e.g. 192.0.2.0/24',
      );
    }
  }

  let family: Family;
  let value: bigint;
  let dotted = false;
  if (address.includes(':')) {
    family = 6;
    ({ value, dotted } = parseIPv6(ctx, addrStart, addrEnd));
  } else {
    if (bracketed) throw new Error('unreachable: bracketed IPv4 was refused above');
    family = 4;
    const shorthand = maskStart === -1 ? undefined : text.slice(maskStart, maskEnd);
    value = parseIPv4(ctx, addrStart, addrEnd, shorthand);
  }
  const bits = ADDRESS_BITS[family];
  const prefix = maskStart === -1 ? bits : parseMask(ctx, maskStart, maskEnd, family);

  if (portAt !== -1) {
    const portText = text.slice(portAt + 1, portEnd);
    ctx.fail(
      'CIDR_PORT_SUFFIX',
      [portAt, portEnd],
      `has a port suffix ${quote(text.slice(portAt, portEnd))}`,
      portSuffixHint(portText),
    );
  }

  if (family === 6) {
    const high = value >> 32n;
    const mapped = high === 0xffffn;
    if ((dotted && (mapped || high === 0n)) || (mapped && prefix >= 96)) {
      const v4 = canonicalAddress(4, value & 0xffffffffn);
      const v4Prefix = prefix >= 96 ? prefix - 96 : 32;
      const kind = mapped ? 'IPv4-mapped' : 'IPv4-compatible';
      ctx.fail(
        'CIDR_IPV4_IN_IPV6',
        [addrStart, addrEnd],
        `${quote(address)} is an IPv4 address written as IPv6 (${kind}); ` +
          'Tor does not match such a rule against IPv4 destinations',
        `write the IPv4 address instead: ${v4Prefix === 32 ? v4 : `${v4}/${v4Prefix}`}`,
      );
    }
  }

  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const start = value & ~hostMask;
  const block = cidrBlock(family, start, prefix);
  const hostBitsSet = start !== value;
  if (hostBitsSet && options.allowHostBits !== true) {
    const typed = canonicalAddress(family, value);
    ctx.fail(
      'CIDR_HOST_BITS',
      [addrStart, addrEnd],
      `has host bits set: the /${prefix} block containing ${typed} starts at ${canonicalAddress(family, start)}`,
      `did you mean ${block.cidr}?`,
    );
  }
  return Object.freeze({ ...block, input: text, address: value, hostBitsSet });
}

/**
 * Parses an operator-typed port list such as `80,443,6660-6669` into sorted, merged inclusive
 * ranges. Throws an `InputError` saying what is wrong and what would be right.
 */
export function parsePortList(text: string): PortRange[] {
  // port-list ::= item *( "," item )
  // item      ::= port [ "-" port ]          -- min <= max
  // port      ::= [1-9] [0-9]*               -- 1..65535, no sign, no leading zeros
  const ctx = new Ctx(text);
  if (text === '') {
    ctx.fail(
      'INPUT_EMPTY',
      [0, 0],
      'is an empty port list',
      'give ports such as 80,443,6660-6669, or omit --ports for every port',
    );
  }
  checkCharacters(ctx, 'ports');
  const star = text.indexOf('*');
  if (star !== -1) {
    ctx.fail('PORTS_WILDCARD', [star, star + 1], '"*" means every port', 'omit --ports to cover every port');
  }
  const ranges: PortRange[] = [];
  let at = 0;
  for (const item of text.split(',')) {
    if (item === '') {
      const comma = at < text.length ? at : at - 1;
      ctx.fail(
        'PORTS_EMPTY_ITEM',
        [comma, comma + 1],
        'has an empty item',
        'separate ports with single commas, e.g. 80,443',
      );
    }
    ranges.push(parsePortItem(ctx, at, at + item.length));
    at += item.length + 1;
  }
  return mergePortRanges(ranges);
}

function parsePortItem(ctx: Ctx, start: number, end: number): PortRange {
  const item = ctx.input.slice(start, end);
  const dash = item.indexOf('-');
  if (dash === 0 || dash === item.length - 1) {
    ctx.fail(
      'PORT_RANGE_OPEN',
      [start, end],
      `the range ${quote(item)} is missing one end`,
      dash === 0 ? `give both ends, e.g. 1${item}` : `give both ends, e.g. ${item}65535`,
    );
  }
  if (dash !== -1 && item.indexOf('-', dash + 1) !== -1) {
    const second = item.indexOf('-', dash + 1);
    ctx.fail(
      'PORT_RANGE_EXTRA',
      [start + second, end],
      `the range ${quote(item)} has more than two ends`,
      `write a range as MIN-MAX, e.g. ${item.slice(0, second)}`,
    );
  }
  if (dash === -1) {
    const port = parsePort(ctx, start, end);
    return [port, port];
  }
  const min = parsePort(ctx, start, start + dash);
  const max = parsePort(ctx, start + dash + 1, end);
  if (min > max) {
    ctx.fail(
      'PORT_RANGE_REVERSED',
      [start, end],
      `the range ${quote(item)} runs backwards`,
      `write the lower port first: ${max}-${min}`,
    );
  }
  return [min, max];
}

function parsePort(ctx: Ctx, start: number, end: number): number {
  const text = ctx.input.slice(start, end);
  if (text.startsWith('+')) {
    ctx.fail('PORT_SIGN', [start, start + 1], `the port ${quote(text)} has a sign`, `write ${text.slice(1)}`);
  }
  const nonDigit = /[^0-9]/.exec(text);
  if (nonDigit) {
    ctx.fail(
      'PORT_NOT_NUMBER',
      [start, end],
      `${quote(text)} is not a port number`,
      'ports are numbers from 1 to 65535 (names such as http are not accepted), separated by commas',
    );
  }
  const value = Number(text);
  if (value === 0) {
    ctx.fail(
      'PORT_ZERO',
      [start, end],
      'port 0 is not a port Tor accepts in a policy',
      'ports run from 1 to 65535',
    );
  }
  if (text.startsWith('0')) {
    ctx.fail(
      'PORT_LEADING_ZERO',
      [start, end],
      `the port ${quote(text)} has a leading zero`,
      `write ${value}`,
    );
  }
  if (value > 65535) {
    ctx.fail(
      'PORT_TOO_LARGE',
      [start, end],
      `the port ${text} is greater than 65535`,
      'ports run from 1 to 65535',
    );
  }
  return value;
}
