/**
 * Sets of validated CIDR blocks and port ranges: merge, subtract, intersect, compare.
 *
 * The block arithmetic is delegated to cidr-tools, which does no validation of its own (it
 * reads `1.2.3.4/33` or `[2001:db8::]/32` without complaint). It therefore only ever sees text
 * that this module formats itself from a block's family, start and prefix, never a string taken
 * from a caller, and everything it returns is checked and turned back into blocks.
 *
 * Results are sorted IPv4 first, then by address, and are the fewest CIDR blocks covering
 * exactly the resulting addresses (overlapping and adjacent blocks are joined).
 */
import { excludeCidr, mergeCidr, overlapCidr, parseCidr } from 'cidr-tools';
import { Address6 } from 'ip-address';
import type { Family } from '../types.js';

/** One CIDR block with its network address (no host bits), as exitkit passes it between layers. */
export interface CidrBlock {
  /** 4 or 6. */
  readonly family: Family;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefix: number;
  /** First address of the block (the network address). */
  readonly start: bigint;
  /** Last address of the block. */
  readonly end: bigint;
  /** Canonical text with the prefix always present: `10.0.0.0/8`, `1.2.3.4/32`, `2001:db8::/32`. */
  readonly cidr: string;
  /**
   * The block as an ExitPolicy address: hosts without a mask, IPv6 in brackets
   * (`1.2.3.4`, `10.0.0.0/8`, `[2001:db8::1]`, `[2001:db8::]/32`).
   */
  readonly torAddress: string;
}

/** An inclusive port range `[min, max]` with 1 ≤ min ≤ max ≤ 65535. */
export type PortRange = readonly [min: number, max: number];

/** Number of address bits per family. */
export const ADDRESS_BITS: Readonly<Record<Family, number>> = { 4: 32, 6: 128 };

/**
 * Text of an address as it appears in `CidrBlock.cidr`: dotted quad, or IPv6 in RFC 5952 form
 * without brackets (Tor's own print form, which differs for `::a.b.c.d`, is in `cidr.ts`).
 */
export function canonicalAddress(family: Family, address: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  }
  return Address6.fromBigInt(address).correctForm();
}

/**
 * Builds the block of `family` that starts at `start` and has `prefix` bits. Throws a
 * RangeError when the arguments do not describe a block (programming error, not user input).
 */
export function cidrBlock(family: Family, start: bigint, prefix: number): CidrBlock {
  const bits = ADDRESS_BITS[family];
  if ((family !== 4 && family !== 6) || bits === undefined) {
    throw new RangeError(`address family must be 4 or 6, not ${String(family)}`);
  }
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new RangeError(`prefix must be an integer 0..${bits} for IPv${family}, not ${prefix}`);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if (start < 0n || start >= 1n << BigInt(bits) || (start & hostMask) !== 0n) {
    throw new RangeError(`${start} is not the network address of an IPv${family} /${prefix}`);
  }
  const address = canonicalAddress(family, start);
  const cidr = `${address}/${prefix}`;
  const isHost = prefix === bits;
  const torAddress =
    family === 4
      ? isHost
        ? address
        : cidr
      : isHost
        ? `[${address}]`
        : `[${address}]/${prefix}`;
  return Object.freeze({ family, prefix, start, end: start | hostMask, cidr, torAddress });
}

// Re-derives the text from the numbers, so a caller's object literal with a wrong `cidr`
// string can never reach cidr-tools.
function libraryText(block: CidrBlock): string {
  return cidrBlock(block.family, block.start, block.prefix).cidr;
}

function toLibrary(blocks: Iterable<CidrBlock>): string[] {
  return Array.from(blocks, libraryText);
}

// cidr-tools answers with aligned blocks; each is checked and rebuilt with our canonical text.
function fromLibrary(networks: readonly string[]): CidrBlock[] {
  return networks.map((network) => {
    const parsed = parseCidr(network);
    const block = cidrBlock(parsed.version, parsed.start, Number(parsed.prefix));
    if (block.end !== parsed.end) {
      throw new Error(`cidr-tools returned an inconsistent block ${JSON.stringify(network)}`);
    }
    return block;
  });
}

/** Joins overlapping and adjacent blocks into the fewest blocks covering the same addresses. */
export function mergeCidrs(blocks: Iterable<CidrBlock>): CidrBlock[] {
  const text = toLibrary(blocks);
  return text.length === 0 ? [] : fromLibrary(mergeCidr(text));
}

/** The addresses of `base` that are in none of `remove`, as the fewest blocks. */
export function excludeCidrs(base: Iterable<CidrBlock>, remove: Iterable<CidrBlock>): CidrBlock[] {
  const baseText = toLibrary(base);
  const removeText = toLibrary(remove);
  if (baseText.length === 0) return [];
  if (removeText.length === 0) return fromLibrary(mergeCidr(baseText));
  return fromLibrary(excludeCidr(baseText, removeText));
}

/** The addresses that are both in `a` and in `b`, as the fewest blocks. */
export function intersectCidrs(a: Iterable<CidrBlock>, b: Iterable<CidrBlock>): CidrBlock[] {
  const left = [...a];
  return excludeCidrs(left, excludeCidrs(left, b));
}

/** True when every address of `inner` is in `outer` (also when it takes several outer blocks). */
export function containsCidrs(outer: Iterable<CidrBlock>, inner: Iterable<CidrBlock>): boolean {
  return excludeCidrs(inner, outer).length === 0;
}

/** True when at least one address is in both `a` and `b`. */
export function overlapsCidrs(a: Iterable<CidrBlock>, b: Iterable<CidrBlock>): boolean {
  const left = toLibrary(a);
  const right = toLibrary(b);
  return left.length > 0 && right.length > 0 && overlapCidr(left, right);
}

/**
 * Sorts port ranges and joins overlapping and adjacent ones (`80,81,443,80-90` → `80-90,443`).
 * Throws a RangeError on a range outside 1..65535 or with min > max (validate input first).
 */
export function mergePortRanges(ranges: Iterable<PortRange>): PortRange[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: Array<[number, number]> = [];
  for (const [min, max] of sorted) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`[${min}, ${max}] is not a port range within 1..65535`);
    }
    const last = merged.at(-1);
    if (last !== undefined && min <= last[1] + 1) {
      last[1] = Math.max(last[1], max);
    } else {
      merged.push([min, max]);
    }
  }
  return merged.map(([min, max]) => Object.freeze([min, max] as const));
}
