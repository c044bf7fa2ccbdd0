/**
 * The prefixes of one address family as a forest: prefixes are either nested or disjoint,
 * so each one has at most one innermost enclosing prefix (its parent).
 *
 * Nodes are the distinct prefixes (network, length), numbered in address order (network
 * ascending, shorter first), so every subtree is a contiguous run of node numbers. The
 * address space is also cut into elementary intervals, each with its innermost prefix
 * (`owner`): the addresses of one interval lie in exactly the same prefixes. Finding the
 * interval of an address is a binary search over a flat table, and its prefixes are the
 * owner's ancestor chain. Addresses are held as 32-bit words (`writeWords` in cidr.ts).
 */
import type { Family } from '../types.js';
import { wordCount, writeWords } from './cidr.js';

/** A prefix as the engine's rules carry it (host bits may be set). */
export interface PrefixLike {
  /** Address family. */
  readonly family: Family;
  /** Address, host bits allowed. */
  readonly address: bigint;
  /** Prefix length. */
  readonly maskBits: number;
}

/** The nested prefixes of one family, and the elementary intervals they cut. */
export class PrefixForest {
  /** Address family. */
  readonly family: Family;
  /** Words per address (1 or 4). */
  readonly stride: 1 | 4;
  /** Number of distinct prefixes. */
  readonly size: number;
  /** Network address of node k at `k * stride`. */
  readonly starts: Uint32Array;
  /** Last address of node k at `k * stride`. */
  readonly ends: Uint32Array;
  /** Prefix length of node k. */
  readonly bits: Uint8Array;
  /** Innermost enclosing node of node k, or -1. */
  readonly parent: Int32Array;
  /** Last node of node k's subtree (k itself for a leaf): the subtree is `k..last[k]`. */
  readonly last: Int32Array;
  /** The node of each input item, -1 for items of the other family. */
  readonly nodeOf: Int32Array;
  /** Number of elementary intervals (≥ 1; the first starts at address 0). */
  readonly intervals: number;
  /** First address of interval i at `i * stride`; intervals run to the next one's start. */
  readonly bounds: Uint32Array;
  /** Innermost node holding interval i, or -1. */
  readonly owner: Int32Array;
  private buckets: Int32Array | undefined;

  /** Builds the forest of the `family` prefixes among `items`. */
  constructor(family: Family, items: readonly PrefixLike[]) {
    this.family = family;
    const n = wordCount(family);
    this.stride = n;
    this.nodeOf = new Int32Array(items.length).fill(-1);

    // Network and last address of every item of the family.
    const members: number[] = [];
    for (let k = 0; k < items.length; k++) if ((items[k] as PrefixLike).family === family) members.push(k);
    const m = members.length;
    const itemStart = new Uint32Array(m * n);
    const itemEnd = new Uint32Array(m * n);
    const itemBits = new Uint8Array(m);
    for (let x = 0; x < m; x++) {
      const item = items[members[x] as number] as PrefixLike;
      writeWords(family, item.address, itemStart, x * n);
      itemBits[x] = item.maskBits;
      maskWords(itemStart, itemEnd, x * n, n, item.maskBits);
    }
    // Distinct prefixes in address order (network, then length).
    const starts = new Uint32Array(m * n);
    const ends = new Uint32Array(m * n);
    const bits = new Uint8Array(m);
    let size = 0;
    if (n === 1) {
      // IPv4: network × 64 + length is exact in a double, so a numeric sort orders them.
      const keys = new Float64Array(m);
      for (let x = 0; x < m; x++) keys[x] = (itemStart[x] as number) * 64 + (itemBits[x] as number);
      const sorted = keys.slice().sort();
      for (let x = 0; x < m; x++) {
        const key = sorted[x] as number;
        if (size > 0 && sorted[x - 1] === key) continue;
        const len = key % 64;
        starts[size] = (key - len) / 64;
        bits[size] = len;
        maskWords(starts, ends, size, 1, len);
        sorted[size++] = key;
      }
      for (let x = 0; x < m; x++) this.nodeOf[members[x] as number] = search(sorted, size, keys[x] as number);
    } else {
      // IPv6: ordered by the first 53 bits as a double, ties by the whole address.
      const lead = new Float64Array(m);
      for (let x = 0; x < m; x++) lead[x] = (itemStart[x * 4] as number) * 0x200000 + ((itemStart[x * 4 + 1] as number) >>> 11);
      const order = Array.from({ length: m }, (_, x) => x);
      order.sort(
        (x, y) =>
          (lead[x] as number) - (lead[y] as number) ||
          compareWords(itemStart, x * 4, itemStart, y * 4, 4) ||
          (itemBits[x] as number) - (itemBits[y] as number),
      );
      for (const x of order) {
        const same =
          size > 0 &&
          bits[size - 1] === itemBits[x] &&
          compareWords(starts, (size - 1) * 4, itemStart, x * 4, 4) === 0;
        if (!same) {
          starts.set(itemStart.subarray(x * 4, x * 4 + 4), size * 4);
          ends.set(itemEnd.subarray(x * 4, x * 4 + 4), size * 4);
          bits[size] = itemBits[x] as number;
          size++;
        }
        this.nodeOf[members[x] as number] = size - 1;
      }
    }
    this.size = size;
    this.starts = starts.slice(0, size * n);
    this.ends = ends.slice(0, size * n);
    this.bits = bits.slice(0, size);

    // One sweep with the stack of open prefixes gives parents, subtrees and intervals.
    this.parent = new Int32Array(size);
    this.last = new Int32Array(size);
    const bounds = new Uint32Array((2 * size + 1) * n);
    const owner = new Int32Array(2 * size + 1);
    let count = 0;
    const next = new Uint32Array(n);
    const emit = (src: Uint32Array, at: number, node: number): void => {
      if (count > 0 && compareWords(bounds, (count - 1) * n, src, at, n) === 0) {
        // A later, inner prefix starting at the same address owns the interval.
        count--;
      }
      if (count > 0 && owner[count - 1] === node) return;
      bounds.set(src.subarray(at, at + n), count * n);
      owner[count++] = node;
    };
    emit(new Uint32Array(n), 0, -1);
    const stack: number[] = [];
    const close = (k: number): void => {
      const t = stack.pop() as number;
      this.last[t] = k - 1;
      if (increment(this.ends, t * n, next, n)) emit(next, 0, stack.length > 0 ? (stack[stack.length - 1] as number) : -1);
    };
    for (let k = 0; k < size; k++) {
      while (stack.length > 0 && compareWords(this.ends, (stack[stack.length - 1] as number) * n, this.starts, k * n, n) < 0) close(k);
      this.parent[k] = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
      stack.push(k);
      emit(this.starts, k * n, k);
    }
    while (stack.length > 0) close(size);
    this.intervals = count;
    this.bounds = bounds.slice(0, count * n);
    this.owner = owner.slice(0, count);
  }

  /** The interval holding the address at `words[at]`. */
  locate(words: Uint32Array, at: number): number {
    const n = this.stride;
    if (n === 1) return this.locateIPv4(words[at] as number);
    const b = this.bounds;
    const w0 = words[at] as number;
    const w1 = words[at + 1] as number;
    const w2 = words[at + 2] as number;
    const w3 = words[at + 3] as number;
    // Largest i with bounds[i] ≤ address; bounds[0] is 0.
    let lo = 0;
    let hi = this.intervals - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const p = mid * 4;
      const b0 = b[p] as number;
      let le: boolean;
      if (b0 !== w0) le = b0 < w0;
      else {
        const b1 = b[p + 1] as number;
        if (b1 !== w1) le = b1 < w1;
        else {
          const b2 = b[p + 2] as number;
          le = b2 !== w2 ? b2 < w2 : (b[p + 3] as number) <= w3;
        }
      }
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The interval holding an IPv4 address given as an unsigned 32-bit number. */
  locateIPv4(address: number): number {
    const buckets = this.buckets ?? this.buildBuckets();
    const top = address >>> 16;
    return lastAtOrBelow(this.bounds, buckets[top] as number, buckets[top + 1] as number, address);
  }

  /** The innermost node holding an address (words at `words[at]`), or -1. */
  innermost(words: Uint32Array, at: number): number {
    return this.owner[this.locate(words, at)] as number;
  }

  // IPv4: the interval of each /16's first address, so a lookup searches one /16 only.
  private buildBuckets(): Int32Array {
    const buckets = new Int32Array(65537);
    let i = 0;
    for (let top = 0; top < 65536; top++) {
      const first = top * 65536;
      while (i + 1 < this.intervals && (this.bounds[i + 1] as number) <= first) i++;
      buckets[top] = i;
    }
    buckets[65536] = this.intervals - 1;
    this.buckets = buckets;
    return buckets;
  }
}

// Position of `key` in the ascending `sorted[0..size)`, where it is.
function search(sorted: Float64Array, size: number, key: number): number {
  let lo = 0;
  let hi = size - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compares two addresses of `n` words: negative, 0 or positive. */
export function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const x = a[ai + k] as number;
    const y = b[bi + k] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Writes `words[at] + 1` to `out`; false (and `out` all zero) when the address was the last one. */
export function increment(words: Uint32Array, at: number, out: Uint32Array, n: number): boolean {
  let carry = 1;
  for (let k = n - 1; k >= 0; k--) {
    const w = (words[at + k] as number) + carry;
    out[k] = w >>> 0;
    carry = w > 0xffffffff ? 1 : 0;
  }
  return carry === 0;
}

// Clears the host bits of the address at `start[at]` and writes the prefix's last address to
// `end[at]`.
function maskWords(start: Uint32Array, end: Uint32Array, at: number, n: number, bits: number): void {
  for (let k = 0; k < n; k++) {
    const keep = Math.min(32, Math.max(0, bits - 32 * k));
    const mask = keep === 0 ? 0 : (-1 << (32 - keep)) >>> 0;
    const w = ((start[at + k] as number) & mask) >>> 0;
    start[at + k] = w;
    end[at + k] = (w | ~mask) >>> 0;
  }
}

/**
 * The largest index i in `lo..hi` with `sorted[i] ≤ value`, or `lo` when there is none
 * (callers search runs whose first element is known to be ≤ value).
 */
export function lastAtOrBelow(sorted: ArrayLike<number>, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
