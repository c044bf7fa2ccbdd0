/**
 * Address and prefix arithmetic, and Tor's own address text forms.
 *
 * Addresses are `bigint`s tagged with a family (4 or 6). Parsing and printing follow Tor
 * 0.4.9.11 byte for byte, because exitkit must read and print exactly what Tor reads and
 * prints:
 * - IPv4 text is `tor_inet_aton` (src/lib/net/inaddr.c): four dot-separated decimal parts of
 *   1–3 digits, each ≤ 255, no leading zeros, nothing else.
 * - IPv6 text is Tor's own `tor_inet_pton(AF_INET6)`, not the C library's.
 * - IPv6 output is Tor's `tor_inet_ntop`: lowercase, the first longest run of ≥ 2 zero
 *   words compressed, `::a.b.c.d` / `::ffff:a.b.c.d` for IPv4-compatible and mapped forms.
 * `canonicalCidr` is the one place that prints RFC 5952 text (through ip-address), for
 * output that other tools read.
 */
import { Address6 } from 'ip-address';
import type { Family } from '../types.js';

/** Number of address bits of a family. */
export function addressBits(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/** The largest address of a family (all bits set). */
export function maxAddress(family: Family): bigint {
  return family === 4 ? 0xffff_ffffn : (1n << 128n) - 1n;
}

/** Netmask with the first `bits` bits set, e.g. 0xffff0000n for IPv4 /16. */
export function prefixMask(family: Family, bits: number): bigint {
  const total = addressBits(family);
  if (bits <= 0) return 0n;
  if (bits >= total) return maxAddress(family);
  return maxAddress(family) ^ ((1n << BigInt(total - bits)) - 1n);
}

/** First address of the prefix `address/bits` (host bits cleared). */
export function networkAddress(family: Family, address: bigint, bits: number): bigint {
  return address & prefixMask(family, bits);
}

/** Last address of the prefix `address/bits` (host bits set). */
export function lastAddress(family: Family, address: bigint, bits: number): bigint {
  return networkAddress(family, address, bits) | (maxAddress(family) ^ prefixMask(family, bits));
}

/** True when `probe` lies in `address/bits` (Tor's `tor_addr_compare_masked`, same family). */
export function prefixContains(family: Family, address: bigint, bits: number, probe: bigint): boolean {
  const mask = prefixMask(family, bits);
  return (address & mask) === (probe & mask);
}

/** True when `address/bits` has bits set after the prefix (Tor keeps and prints them). */
export function hasHostBits(family: Family, address: bigint, bits: number): boolean {
  return networkAddress(family, address, bits) !== address;
}

const IPV4_TEXT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses IPv4 text exactly as Tor's `tor_inet_aton`: returns undefined for anything else
 * (`01.2.3.4`, `1.2.3`, `1.2.3.4 `, `256.0.0.1`).
 */
export function parseIPv4(text: string): bigint | undefined {
  const m = IPV4_TEXT.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    // tor_inet_aton refuses what some C libraries read as octal.
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined): boolean =>
  c !== undefined && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));

/**
 * Parses IPv6 text exactly as Tor's `tor_inet_pton(AF_INET6)`: 1–4 hex digits a group, one
 * `::`, an optional trailing dotted IPv4 part (whose parts may have leading zeros, unlike
 * plain IPv4), no zone id, no trailing single `:`.
 */
export function parseIPv6(text: string): bigint | undefined {
  const len = text.length;
  if (len > 2 && text[len - 1] === ':' && text[len - 2] !== ':') return undefined;
  const words: number[] = new Array<number>(8).fill(0);
  let gapPos = -1;
  let setWords = 0;
  const dot = text.indexOf('.');
  let eow: number;
  if (dot === 0) return undefined;
  if (dot < 0) {
    eow = len;
  } else {
    eow = dot - 1;
    while (eow > 0 && isDigit(text[eow])) eow--;
    if (text[eow] !== ':') return undefined;
    eow++;
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.slice(eow));
    if (!v4) return undefined;
    const bytes = v4.slice(1, 5).map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    words[6] = ((bytes[0] as number) << 8) | (bytes[1] as number);
    words[7] = ((bytes[2] as number) << 8) | (bytes[3] as number);
    setWords += 2;
  }
  let i = 0;
  let src = 0;
  while (src < eow) {
    if (i > 7) return undefined;
    const c = text[src];
    if (isHexDigit(c)) {
      // strtol(src, &next, 16): a "0x" prefix is consumed when a hex digit follows it.
      let next = src;
      if (c === '0' && (text[src + 1] === 'x' || text[src + 1] === 'X') && isHexDigit(text[src + 2])) {
        next = src + 2;
      }
      let value = 0;
      while (isHexDigit(text[next])) {
        value = value * 16 + parseInt(text[next] as string, 16);
        next++;
      }
      const groupLen = next - src;
      if (groupLen > 4) return undefined;
      if (groupLen > 1 && !isHexDigit(text[src + 1])) return undefined;
      words[i++] = value;
      setWords++;
      src = next;
      if (text[src] !== ':' && src !== eow) return undefined;
      src++;
    } else if (c === ':' && i > 0 && gapPos === -1) {
      gapPos = i;
      src++;
    } else if (c === ':' && i === 0 && src + 1 < eow && text[src + 1] === ':' && gapPos === -1) {
      gapPos = i;
      src += 2;
    } else {
      return undefined;
    }
  }
  if (setWords > 8 || (setWords === 8 && gapPos !== -1) || (setWords < 8 && gapPos === -1)) {
    return undefined;
  }
  if (gapPos >= 0) {
    const nToMove = setWords - (dot >= 0 ? 2 : 0) - gapPos;
    const gapLen = 8 - setWords;
    const moved = words.slice(gapPos, gapPos + nToMove);
    for (let k = 0; k < nToMove; k++) words[gapPos + gapLen + k] = moved[k] as number;
    for (let k = 0; k < gapLen; k++) words[gapPos + k] = 0;
  }
  let value = 0n;
  for (const w of words) value = (value << 16n) | BigInt(w);
  return value;
}

/** An address with its family. */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: Family;
  /** The address as an unsigned integer. */
  readonly address: bigint;
}

/**
 * Parses an address literal as Tor's `tor_addr_parse` (used for `Address`,
 * `OutboundBindAddress`, ...): IPv4, IPv6, or IPv6 in brackets. Returns undefined otherwise.
 */
export function parseIpLiteral(text: string): IpAddress | undefined {
  if (text.length > 0 && text.startsWith('[') && text.endsWith(']')) {
    const v6 = parseIPv6(text.slice(1, -1));
    return v6 === undefined ? undefined : { family: 6, address: v6 };
  }
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, address: v6 };
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, address: v4 };
  return undefined;
}

/** Dotted-quad text of an IPv4 address. */
export function formatIPv4(address: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
}

/** IPv6 text exactly as Tor's `tor_inet_ntop` prints it. */
export function formatIPv6(address: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((address >> BigInt(i * 16)) & 0xffffn));
  const w = (k: number): number => words[k] as number;
  if (
    w(0) === 0 && w(1) === 0 && w(2) === 0 && w(3) === 0 && w(4) === 0 &&
    ((w(5) === 0 && w(6) !== 0 && w(7) !== 0) || w(5) === 0xffff)
  ) {
    const v4 = formatIPv4(address & 0xffff_ffffn);
    return w(5) === 0 ? `::${v4}` : `::${w(5).toString(16)}:${v4}`;
  }
  let longestGapLen = 0;
  let longestGapPos = -1;
  for (let i = 0; i < 8; ) {
    if (w(i) === 0) {
      const start = i;
      while (i < 8 && w(i) === 0) i++;
      if (i - start > longestGapLen) {
        longestGapLen = i - start;
        longestGapPos = start;
      }
    } else {
      i++;
    }
  }
  if (longestGapLen <= 1) longestGapPos = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (w(i) === 0 && longestGapPos === i) {
      if (i === 0) out += ':';
      out += ':';
      while (i < 8 && w(i) === 0) i++;
      i--;
    } else {
      out += w(i).toString(16);
      if (i !== 7) out += ':';
    }
  }
  return out;
}

/** Tor's text for an address; IPv6 in brackets when `brackets` is set (policy format). */
export function formatAddress(family: Family, address: bigint, brackets = false): string {
  if (family === 4) return formatIPv4(address);
  const text = formatIPv6(address);
  return brackets ? `[${text}]` : text;
}

/**
 * Canonical CIDR text for output other tools read: network address (host bits cleared),
 * IPv6 in RFC 5952 form without brackets, always with `/bits`.
 */
export function canonicalCidr(family: Family, address: bigint, bits: number): string {
  const network = networkAddress(family, address, bits);
  const text = family === 4 ? formatIPv4(network) : Address6.fromBigInt(network).correctForm();
  return `${text}/${bits}`;
}

/** True for an IPv6 address of the form `::ffff:a.b.c.d` (Tor's `tor_addr_is_v4`). */
export function isV4Mapped(family: Family, address: bigint): boolean {
  return family === 6 && address >> 32n === 0xffffn;
}

/**
 * Tor's `tor_addr_is_internal(addr, 0)`: IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16,
 * 172.16/12, 192.168/16 (also inside `::ffff:0:0/96`); IPv6 fc00::/7, fe80::/10, fec0::/10
 * and ::/127.
 */
export function isInternal(family: Family, address: bigint): boolean {
  let v4: number | undefined;
  if (family === 4) v4 = Number(address);
  else if (isV4Mapped(family, address)) v4 = Number(address & 0xffff_ffffn);
  if (v4 !== undefined) {
    const a = v4 >>> 0;
    return (
      (a & 0xff000000) >>> 0 === 0x0a000000 ||
      (a & 0xff000000) >>> 0 === 0x00000000 ||
      (a & 0xff000000) >>> 0 === 0x7f000000 ||
      (a & 0xffc00000) >>> 0 === 0x64400000 ||
      (a & 0xffff0000) >>> 0 === 0xa9fe0000 ||
      (a & 0xfff00000) >>> 0 === 0xac100000 ||
      (a & 0xffff0000) >>> 0 === 0xc0a80000
    );
  }
  const top = Number(address >> 96n);
  if ((top & 0xfe000000) >>> 0 === 0xfc000000) return true;
  if ((top & 0xffc00000) >>> 0 === 0xfe800000) return true;
  if ((top & 0xffc00000) >>> 0 === 0xfec00000) return true;
  return address >> 1n === 0n;
}

/** Tor's `tor_addr_is_multicast`: IPv4 224.0.0.0/8 (only that /8), IPv6 ff00::/8. */
export function isMulticast(family: Family, address: bigint): boolean {
  return family === 4 ? address >> 24n === 0xe0n : address >> 120n === 0xffn;
}

/**
 * Tor's `tor_addr_is_public_for_reject`: not all-zero, not internal, not multicast. Only
 * such own addresses get a `reject ADDR:*` rule.
 */
export function isPublicForReject(family: Family, address: bigint): boolean {
  return address !== 0n && !isInternal(family, address) && !isMulticast(family, address);
}

/** A prefix `address/bits`. */
export interface Prefix {
  /** Network address (host bits cleared). */
  readonly address: bigint;
  /** Prefix length. */
  readonly bits: number;
}

/** The fewest prefixes whose union is exactly the inclusive range `first..last`. */
export function rangeToPrefixes(family: Family, first: bigint, last: bigint): Prefix[] {
  const total = addressBits(family);
  const out: Prefix[] = [];
  let start = first;
  while (start <= last) {
    // Largest block aligned at `start` that does not run past `last`.
    let size = start === 0n ? total : trailingZeros(start, total);
    while (size > 0 && start + (1n << BigInt(size)) - 1n > last) size--;
    out.push({ address: start, bits: total - size });
    const next = start + (1n << BigInt(size));
    if (next > maxAddress(family)) break;
    start = next;
  }
  return out;
}

function trailingZeros(value: bigint, limit: number): number {
  let n = 0;
  let v = value;
  while (n < limit && (v & 1n) === 0n) {
    v >>= 1n;
    n++;
  }
  return n;
}
