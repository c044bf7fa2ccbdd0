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
 * `canonicalCidr` prints RFC 5952 text (ip-address's `correctForm`: lowercase, the first
 * longest run of ≥ 2 zero groups compressed, never a dotted IPv4 part) for output that other
 * tools read.
 *
 * The policy engine's hot paths work on addresses as 32-bit words (`wordCount`,
 * `writeWords`): one word for IPv4, four for IPv6, most significant first. Typed arrays of
 * words cost no allocation per address, where every bigint operation allocates.
 */
import type { Family } from '../types.js';

/** Number of address bits of a family. */
export function addressBits(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

const MAX_ADDRESS_4 = 0xffff_ffffn;
const MAX_ADDRESS_6 = (1n << 128n) - 1n;

/** The largest address of a family (all bits set). */
export function maxAddress(family: Family): bigint {
  return family === 4 ? MAX_ADDRESS_4 : MAX_ADDRESS_6;
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

/**
 * Parses IPv4 text exactly as Tor's `tor_inet_aton`: returns undefined for anything else
 * (`01.2.3.4`, `1.2.3`, `1.2.3.4 `, `256.0.0.1`).
 */
export function parseIPv4(text: string): bigint | undefined {
  const n = parseIPv4Number(text);
  return n < 0 ? undefined : BigInt(n);
}

/** `parseIPv4` as an unsigned 32-bit number, or -1 when the text is not a dotted quad. */
export function parseIPv4Number(text: string): number {
  // dotted-quad ::= part "." part "." part "." part
  // part        ::= "0" | [1-9] [0-9]? [0-9]?      (value ≤ 255)
  const len = text.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let pos = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(pos) !== 0x2e) return -1;
      pos++;
    }
    const first = text.charCodeAt(pos) - 0x30;
    if (!(first >= 0 && first <= 9)) return -1;
    let n = first;
    let digits = 1;
    pos++;
    for (;;) {
      const d = text.charCodeAt(pos) - 0x30;
      if (!(d >= 0 && d <= 9)) break;
      // tor_inet_aton refuses what some C libraries read as octal.
      if (digits === 3 || first === 0) return -1;
      n = n * 10 + d;
      digits++;
      pos++;
    }
    if (n > 255) return -1;
    value = value * 256 + n;
  }
  return pos === len ? value : -1;
}

/**
 * Parses IPv6 text exactly as Tor's `tor_inet_pton(AF_INET6)`: 1–4 hex digits a group, one
 * `::`, an optional trailing dotted IPv4 part (whose parts may have leading zeros, unlike
 * plain IPv4), no zone id, no trailing single `:`.
 */
export function parseIPv6(text: string): bigint | undefined {
  return parseIPv6Groups(text, scratchGroups) ? groupsToBigInt(scratchGroups) : undefined;
}

const scratchGroups = new Uint16Array(8);

// Value of a hex digit's char code, or -1.
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

const isDigitCode = (code: number): boolean => code >= 0x30 && code <= 0x39;

/**
 * `parseIPv6` into eight 16-bit groups (`out`, most significant first); false when the text
 * is not an IPv6 address (then `out` holds garbage). A transcription of `tor_inet_pton`.
 */
export function parseIPv6Groups(text: string, out: Uint16Array): boolean {
  const len = text.length;
  const COLON = 0x3a;
  if (len > 2 && text.charCodeAt(len - 1) === COLON && text.charCodeAt(len - 2) !== COLON) return false;
  out.fill(0);
  let gapPos = -1;
  let setWords = 0;
  const dot = text.indexOf('.');
  let eow: number;
  if (dot === 0) return false;
  if (dot < 0) {
    eow = len;
  } else {
    eow = dot - 1;
    while (eow > 0 && isDigitCode(text.charCodeAt(eow))) eow--;
    if (text.charCodeAt(eow) !== COLON) return false;
    eow++;
    // The dotted part: four parts of 1–3 digits, each ≤ 255, leading zeros allowed.
    const bytes = [0, 0, 0, 0];
    let pos = eow;
    for (let part = 0; part < 4; part++) {
      if (part > 0) {
        if (text.charCodeAt(pos) !== 0x2e) return false;
        pos++;
      }
      let n = 0;
      let digits = 0;
      while (digits < 4 && isDigitCode(text.charCodeAt(pos))) {
        n = n * 10 + text.charCodeAt(pos) - 0x30;
        digits++;
        pos++;
      }
      if (digits === 0 || digits > 3 || n > 255) return false;
      bytes[part] = n;
    }
    if (pos !== len) return false;
    out[6] = ((bytes[0] as number) << 8) | (bytes[1] as number);
    out[7] = ((bytes[2] as number) << 8) | (bytes[3] as number);
    setWords += 2;
  }
  let i = 0;
  let src = 0;
  while (src < eow) {
    if (i > 7) return false;
    const c = text.charCodeAt(src);
    if (hexValue(c) >= 0) {
      // strtol(src, &next, 16): a "0x" prefix is consumed when a hex digit follows it.
      let next = src;
      const x = text.charCodeAt(src + 1) | 0x20;
      if (c === 0x30 && x === 0x78 && hexValue(text.charCodeAt(src + 2)) >= 0) next = src + 2;
      let value = 0;
      for (let h = hexValue(text.charCodeAt(next)); h >= 0; h = hexValue(text.charCodeAt(next))) {
        // Only the group length matters past four digits; keep the number small.
        value = (value * 16 + h) & 0xfffff;
        next++;
      }
      const groupLen = next - src;
      if (groupLen > 4) return false;
      if (groupLen > 1 && hexValue(text.charCodeAt(src + 1)) < 0) return false;
      out[i++] = value;
      setWords++;
      src = next;
      if (text.charCodeAt(src) !== COLON && src !== eow) return false;
      src++;
    } else if (c === COLON && i > 0 && gapPos === -1) {
      gapPos = i;
      src++;
    } else if (c === COLON && i === 0 && src + 1 < eow && text.charCodeAt(src + 1) === COLON && gapPos === -1) {
      gapPos = i;
      src += 2;
    } else {
      return false;
    }
  }
  if (setWords > 8 || (setWords === 8 && gapPos !== -1) || (setWords < 8 && gapPos === -1)) {
    return false;
  }
  if (gapPos >= 0) {
    const nToMove = setWords - (dot >= 0 ? 2 : 0) - gapPos;
    const gapLen = 8 - setWords;
    out.copyWithin(gapPos + gapLen, gapPos, gapPos + nToMove);
    out.fill(0, gapPos, gapPos + gapLen);
  }
  return true;
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
  // IPv6 text always has a colon and IPv4 text never does, so one parser decides.
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    return v6 === undefined ? undefined : { family: 6, address: v6 };
  }
  const v4 = parseIPv4Number(text);
  return v4 < 0 ? undefined : { family: 4, address: BigInt(v4) };
}

/** Dotted-quad text of an IPv4 address. */
export function formatIPv4(address: bigint): string {
  return dottedQuad(Number(address & 0xffff_ffffn));
}

function dottedQuad(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** IPv6 text exactly as Tor's `tor_inet_ntop` prints it. */
export function formatIPv6(address: bigint): string {
  const g = scratchGroups;
  writeWords(6, address, scratchWords, 0);
  wordsToGroups(scratchWords, 0, g);
  if (
    g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 &&
    ((g[5] === 0 && g[6] !== 0 && g[7] !== 0) || g[5] === 0xffff)
  ) {
    const v4 = dottedQuad(scratchWords[3] as number);
    return g[5] === 0 ? `::${v4}` : `::ffff:${v4}`;
  }
  return groupsText(g);
}

// Hex groups with the first longest run of two or more zero groups written as `::`: what
// both tor_inet_ntop (outside its dotted forms) and RFC 5952 print.
function groupsText(g: Uint16Array): string {
  zeroRun(g);
  const gapPos = runPos;
  const gapLen = runLen;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === gapPos) {
      out += i === 0 ? '::' : ':';
      i += gapLen - 1;
    } else {
      out += (g[i] as number).toString(16);
      if (i !== 7) out += ':';
    }
  }
  return out;
}

// The first longest run of two or more zero groups, left in `runPos` and `runLen` (-1 and 0
// when none): no array per address printed.
let runPos = -1;
let runLen = 0;

function zeroRun(g: Uint16Array): void {
  let gapLen = 0;
  let gapPos = -1;
  for (let i = 0; i < 8; ) {
    if (g[i] === 0) {
      const start = i;
      while (i < 8 && g[i] === 0) i++;
      if (i - start > gapLen) {
        gapLen = i - start;
        gapPos = start;
      }
    } else {
      i++;
    }
  }
  runPos = gapLen <= 1 ? -1 : gapPos;
  runLen = gapLen <= 1 ? 0 : gapLen;
}

function wordsToGroups(words: Uint32Array, at: number, out: Uint16Array): void {
  for (let k = 0; k < 4; k++) {
    const w = words[at + k] as number;
    out[2 * k] = w >>> 16;
    out[2 * k + 1] = w & 0xffff;
  }
}

function groupsToBigInt(g: Uint16Array): bigint {
  for (let k = 0; k < 4; k++) scratchWords[k] = (((g[2 * k] as number) << 16) | (g[2 * k + 1] as number)) >>> 0;
  return readWords(6, scratchWords, 0);
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
  writeWords(family, networkAddress(family, address, bits), scratchWords, 0);
  return cidrText(family, scratchWords, 0, bits);
}

/** `canonicalCidr` of a network given as words (host bits already cleared). */
export function cidrText(family: Family, words: Uint32Array, at: number, bits: number): string {
  // Written as bytes and made into one flat string by one call: diffs can print hundreds of
  // thousands of blocks, concatenated pieces would each stay a separate object, and
  // `String.fromCharCode.apply` copies its arguments into a temporary array first.
  const out = textCodes;
  let len = 0;
  if (family === 4) {
    const w = words[at] as number;
    len = writeDecimal(out, len, w >>> 24);
    out[len++] = 0x2e;
    len = writeDecimal(out, len, (w >>> 16) & 0xff);
    out[len++] = 0x2e;
    len = writeDecimal(out, len, (w >>> 8) & 0xff);
    out[len++] = 0x2e;
    len = writeDecimal(out, len, w & 0xff);
  } else {
    const g = scratchGroups;
    wordsToGroups(words, at, g);
    zeroRun(g);
    const gapPos = runPos;
    const gapLen = runLen;
    for (let i = 0; i < 8; i++) {
      if (i === gapPos) {
        out[len++] = 0x3a;
        if (i === 0) out[len++] = 0x3a;
        i += gapLen - 1;
        continue;
      }
      len = writeHex(out, len, g[i] as number);
      if (i !== 7) out[len++] = 0x3a;
    }
  }
  out[len++] = 0x2f;
  len = writeDecimal(out, len, bits);
  return out.toString('latin1', 0, len);
}

const textCodes = Buffer.alloc(48);
const HEX = '0123456789abcdef';

function writeDecimal(out: Uint8Array, at: number, n: number): number {
  if (n >= 100) out[at++] = 0x30 + Math.floor(n / 100);
  if (n >= 10) out[at++] = 0x30 + (Math.floor(n / 10) % 10);
  out[at++] = 0x30 + (n % 10);
  return at;
}

function writeHex(out: Uint8Array, at: number, n: number): number {
  for (let shift = n >= 0x1000 ? 12 : n >= 0x100 ? 8 : n >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
    out[at++] = HEX.charCodeAt((n >>> shift) & 0xf);
  }
  return at;
}

/** 32-bit words per address: 1 for IPv4, 4 for IPv6. */
export function wordCount(family: Family): 1 | 4 {
  return family === 4 ? 1 : 4;
}

// A bigint's two 64-bit halves are stored with one shift, then read as 32-bit words.
const scratch64 = new BigUint64Array(2);
const scratch32 = new Uint32Array(scratch64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;
const scratchWords = new Uint32Array(4);

/** Writes an address as `wordCount(family)` words, most significant first, at `out[at]`. */
export function writeWords(family: Family, address: bigint, out: Uint32Array, at: number): void {
  if (family === 4) {
    out[at] = Number(address & 0xffff_ffffn);
    return;
  }
  scratch64[0] = address >> 64n;
  // Storing into a BigUint64Array keeps the low 64 bits.
  scratch64[1] = address;
  out[at] = scratch32[HIGH] as number;
  out[at + 1] = scratch32[LOW] as number;
  out[at + 2] = scratch32[2 + HIGH] as number;
  out[at + 3] = scratch32[2 + LOW] as number;
}

/** The address held by `wordCount(family)` words at `words[at]`. */
export function readWords(family: Family, words: Uint32Array, at: number): bigint {
  if (family === 4) return BigInt(words[at] as number);
  scratch32[HIGH] = words[at] as number;
  scratch32[LOW] = words[at + 1] as number;
  scratch32[2 + HIGH] = words[at + 2] as number;
  scratch32[2 + LOW] = words[at + 3] as number;
  return ((scratch64[0] as bigint) << 64n) | (scratch64[1] as bigint);
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
  const n = wordCount(family);
  const bounds = new Uint32Array(2 * n);
  writeWords(family, first, bounds, 0);
  writeWords(family, last, bounds, n);
  const out: Prefix[] = [];
  rangeBlocks(family, bounds, 0, bounds, n, {
    block: (words, at, bits) => out.push({ address: readWords(family, words, at), bits }),
  });
  return out;
}

/** `canonicalCidr` of each of the fewest prefixes covering `lo..hi` (words), appended to `out`. */
export function rangeToCidrs(family: Family, lo: Uint32Array, loAt: number, hi: Uint32Array, hiAt: number, out: string[]): void {
  cidrSink.family = family;
  cidrSink.out = out;
  rangeBlocks(family, lo, loAt, hi, hiAt, cidrSink);
}

interface BlockSink {
  block(words: Uint32Array, at: number, bits: number): void;
}

const cidrSink = {
  family: 4 as Family,
  out: [] as string[],
  block(words: Uint32Array, at: number, bits: number): void {
    this.out.push(cidrText(this.family, words, at, bits));
  },
};

const blockWords = new Uint32Array(4);

/**
 * Gives `sink` each prefix of the fewest covering the inclusive range `lo..hi` (words,
 * lo ≤ hi), in address order, the network in a scratch buffer it must not keep.
 *
 * IPv4 takes the largest aligned block at each step, in plain numbers. For IPv6, let d be
 * the highest bit where lo and hi differ: the left half `lo .. lo|(2^d − 1)` is lo's own
 * block (its trailing zero bits), then one block per zero bit of lo from there up to d; the
 * right half `hi&~(2^d − 1) .. hi` mirrors it with the one bits of hi, largest first, ending
 * in hi's block of trailing one bits. That is what the largest aligned block at each step
 * gives, without arithmetic on 128-bit addresses.
 */
function rangeBlocks(family: Family, lo: Uint32Array, loAt: number, hi: Uint32Array, hiAt: number, sink: BlockSink): void {
  if (family === 4) {
    let first = lo[loAt] as number;
    const last = hi[hiAt] as number;
    for (;;) {
      // Trailing zeros of `first`, and the largest power of two not past `last`.
      const aligned = first === 0 ? 32 : 31 - Math.clz32(first & -first);
      const span = last - first + 1;
      const fits = span >= 0x1_0000_0000 ? 32 : 31 - Math.clz32(span);
      const size = Math.min(aligned, fits);
      blockWords[0] = first;
      sink.block(blockWords, 0, 32 - size);
      first += 2 ** size;
      if (first > last) return;
    }
  }
  // d: highest differing bit, or -1 when lo = hi.
  let d = -1;
  for (let k = 0; k < 4; k++) {
    const x = ((lo[loAt + k] as number) ^ (hi[hiAt + k] as number)) >>> 0;
    if (x !== 0) {
      d = 32 * (3 - k) + 31 - Math.clz32(x);
      break;
    }
  }
  if (d < 0) {
    block6(lo, loAt, 0, -1, sink);
    return;
  }
  // Trailing zeros of lo and trailing ones of hi, each counted up to d.
  let t = 0;
  while (t < d && bit6(lo, loAt, t) === 0) t++;
  let u = 0;
  while (u < d && bit6(hi, hiAt, u) === 1) u++;
  if (t === d && u === d) {
    block6(lo, loAt, d + 1, -1, sink);
    return;
  }
  if (t === d) {
    block6(lo, loAt, d, -1, sink);
  } else {
    block6(lo, loAt, t, -1, sink);
    for (let b = t + 1; b < d; b++) if (bit6(lo, loAt, b) === 0) block6(lo, loAt, b, 1, sink);
  }
  if (u === d) {
    block6(hi, hiAt, d, -1, sink);
  } else {
    for (let b = d - 1; b > u; b--) if (bit6(hi, hiAt, b) === 1) block6(hi, hiAt, b, 0, sink);
    block6(hi, hiAt, u, -1, sink);
  }
}

// Bit b (0 = least significant) of the IPv6 address at words[at].
function bit6(words: Uint32Array, at: number, b: number): number {
  return ((words[at + 3 - (b >>> 5)] as number) >>> (b & 31)) & 1;
}

// Gives `sink` the block of 2^b IPv6 addresses: `from` with the bits below b cleared and bit
// b set to `set` (kept when `set` is -1).
function block6(from: Uint32Array, at: number, b: number, set: number, sink: BlockSink): void {
  for (let k = 0; k < 4; k++) {
    const low = 32 * (3 - k);
    let w = from[at + k] as number;
    if (b >= low + 32) w = 0;
    else if (b > low) w = (w & (-1 << (b - low))) >>> 0;
    if (set >= 0 && b < 128 && b >= low && b < low + 32) {
      const bit = 1 << (b - low);
      w = set === 1 ? (w | bit) >>> 0 : (w & ~bit) >>> 0;
    }
    blockWords[k] = w;
  }
  sink.block(blockWords, 0, 128 - b);
}
