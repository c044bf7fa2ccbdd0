import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseCidrArgument } from '../../src/net/input.js';
import {
  cidrBlock,
  containsCidrs,
  excludeCidrs,
  canonicalAddress,
  intersectCidrs,
  mergeCidrs,
  mergePortRanges,
  overlapsCidrs,
  type CidrBlock,
  type PortRange,
} from '../../src/net/merge.js';
import type { Family } from '../../src/types.js';

const blocks = (...cidrs: string[]): CidrBlock[] => cidrs.map((cidr) => parseCidrArgument(cidr));
const texts = (result: readonly CidrBlock[]): string[] => result.map((block) => block.cidr);

// ---------------------------------------------------------------------------------------------
// Reference model: a set of addresses as sorted, disjoint, non-adjacent BigInt intervals per
// family. Written independently of the code under test, for the property tests.
type Interval = readonly [bigint, bigint];
type AddressSet = Record<Family, Interval[]>;

function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else {
      out.push([start, end]);
    }
  }
  return out;
}

function setOf(list: readonly CidrBlock[]): AddressSet {
  const of = (family: Family): Interval[] =>
    normalize(list.filter((b) => b.family === family).map((b) => [b.start, b.end] as const));
  return { 4: of(4), 6: of(6) };
}

function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  let rest: Interval[] = [...a];
  for (const [bs, be] of b) {
    rest = rest.flatMap(([s, e]): Interval[] => {
      if (be < s || bs > e) return [[s, e]];
      const parts: Interval[] = [];
      if (bs > s) parts.push([s, bs - 1n]);
      if (be < e) parts.push([be + 1n, e]);
      return parts;
    });
  }
  return normalize(rest);
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [as, ae] of a) {
    for (const [bs, be] of b) {
      const s = as > bs ? as : bs;
      const e = ae < be ? ae : be;
      if (s <= e) out.push([s, e]);
    }
  }
  return normalize(out);
}

function covered(set: readonly Interval[], start: bigint, end: bigint): boolean {
  return set.some(([s, e]) => s <= start && end <= e);
}

// Every result must be valid blocks, IPv4 first then by address, disjoint, and the fewest
// possible: no block's parent (one bit shorter) lies entirely inside the result.
function expectWellFormed(result: readonly CidrBlock[]): void {
  const set = setOf(result);
  for (const [i, block] of result.entries()) {
    expect(block).toEqual(cidrBlock(block.family, block.start, block.prefix));
    const previous = result[i - 1];
    if (previous) {
      expect(previous.family < block.family || previous.end < block.start).toBe(true);
    }
    if (block.prefix > 0) {
      const bits = block.family === 4 ? 32 : 128;
      const size = 1n << BigInt(bits - block.prefix + 1);
      const parentStart = block.start & ~(size - 1n);
      expect(covered(set[block.family], parentStart, parentStart + size - 1n)).toBe(false);
    }
  }
}

// Blocks clustered in a few small windows (so that they overlap and touch often), near the
// ends of each address space, plus the occasional very large block.
const windows: Record<Family, bigint[]> = {
  4: [0n, 0x0a000000n, 0xc0000200n, 2n ** 32n - 2n ** 12n],
  6: [0n, 0x20010db8n << 96n, 0xffffn << 32n, 2n ** 128n - 2n ** 12n],
};

function arbBlock(family: Family): fc.Arbitrary<CidrBlock> {
  const bits = family === 4 ? 32 : 128;
  const toBlock = (value: bigint, prefix: number): CidrBlock =>
    cidrBlock(family, value & ~((1n << BigInt(bits - prefix)) - 1n), prefix);
  const near = fc
    .tuple(fc.constantFrom(...windows[family]), fc.bigInt({ min: 0n, max: 2n ** 12n - 1n }), fc.integer({ min: bits - 12, max: bits }))
    .map(([base, offset, prefix]) => toBlock(base + offset, prefix));
  const wide = fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n }), fc.integer({ min: 0, max: Math.min(bits, 24) }))
    .map(([value, prefix]) => toBlock(value, prefix));
  return fc.oneof({ arbitrary: near, weight: 9 }, { arbitrary: wide, weight: 1 });
}

// Both halves of a block: sets that only cover a range jointly, which must merge back.
function arbHalves(family: Family): fc.Arbitrary<CidrBlock[]> {
  const bits = family === 4 ? 32 : 128;
  return arbBlock(family)
    .filter((block) => block.prefix < bits)
    .map((block) => {
      const half = 1n << BigInt(bits - block.prefix - 1);
      return [cidrBlock(family, block.start, block.prefix + 1), cidrBlock(family, block.start + half, block.prefix + 1)];
    });
}

const arbBlocks = fc
  .array(
    fc.oneof(
      arbBlock(4).map((block) => [block]),
      arbBlock(6).map((block) => [block]),
      arbHalves(4),
      arbHalves(6),
    ),
    { maxLength: 6 },
  )
  .map((groups) => groups.flat());
// ---------------------------------------------------------------------------------------------

describe('net/merge', () => {
  describe('#canonicalAddress', () => {
    test.each([
      [4, 0n, '0.0.0.0'],
      [4, 0xc0000201n, '192.0.2.1'],
      [4, 2n ** 32n - 1n, '255.255.255.255'],
      [6, 0n, '::'],
      [6, 1n, '::1'],
      [6, 0x20010db8000000000000000000000001n, '2001:db8::1'],
      [6, 0x00010000000000020000000000000003n, '1:0:0:2::3'],
      [6, 0x00010002000300040005000600070000n, '1:2:3:4:5:6:7:0'],
    ] as const)('writes IPv%i address %s as %s', (family, value, text) => {
      expect(canonicalAddress(family, value)).toBe(text);
    });
  });

  describe('#cidrBlock', () => {
    test.each([
      [4, 0n, 0, '0.0.0.0/0', '0.0.0.0/0', 2n ** 32n - 1n],
      [4, 0xc0000200n, 24, '192.0.2.0/24', '192.0.2.0/24', 0xc00002ffn],
      [4, 0xc0000201n, 32, '192.0.2.1/32', '192.0.2.1', 0xc0000201n],
      [6, 0n, 0, '::/0', '[::]/0', 2n ** 128n - 1n],
      [6, 1n, 128, '::1/128', '[::1]', 1n],
      [6, 0x20010db8n << 96n, 32, '2001:db8::/32', '[2001:db8::]/32', ((0x20010db8n + 1n) << 96n) - 1n],
    ] as const)('builds IPv%i %s/%i', (family, start, prefix, cidr, torAddress, end) => {
      expect(cidrBlock(family, start, prefix)).toEqual({ family, start, prefix, end, cidr, torAddress });
    });

    test.each([
      ['host bits set', 4, 1n, 24],
      ['prefix too long', 4, 0n, 33],
      ['negative prefix', 6, 0n, -1],
      ['fractional prefix', 4, 0n, 1.5],
      ['address out of range', 4, 2n ** 32n, 32],
      ['negative address', 4, -1n, 32],
      ['unknown family', 5, 0n, 0],
    ] as const)('refuses %s', (_why, family, start, prefix) => {
      expect(() => cidrBlock(family as Family, start, prefix)).toThrow(RangeError);
    });
  });

  describe('#mergeCidrs', () => {
    test.each([
      [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24']],
      [['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'], ['10.0.0.0/23', '10.0.2.0/24']],
      [['192.0.2.0/24', '192.0.2.128/25'], ['192.0.2.0/24']],
      [['192.0.2.1', '192.0.2.2'], ['192.0.2.1/32', '192.0.2.2/32']],
      [['255.255.255.255', '255.255.255.254'], ['255.255.255.254/31']],
      [['0.0.0.0/1', '128.0.0.0/1'], ['0.0.0.0/0']],
      [['2001:db8::/33', '2001:db8:8000::/33'], ['2001:db8::/32']],
      [['2001:db8::/32', '10.0.0.0/8', '2001:db8::/48'], ['10.0.0.0/8', '2001:db8::/32']],
      [['::/1', '8000::/1'], ['::/0']],
      [[], []],
    ])('merges %j into %j', (input, expected) => {
      expect(texts(mergeCidrs(blocks(...input)))).toEqual(expected);
    });

    test('rebuilds its text from the numbers, never from a caller-supplied string', () => {
      const forged = { ...parseCidrArgument('192.0.2.0/24'), cidr: '192.0.2.0/24,accept *:*' };
      expect(texts(mergeCidrs([forged]))).toEqual(['192.0.2.0/24']);
    });

    test('covers exactly the input addresses with the fewest sorted blocks (property)', () => {
      fc.assert(
        fc.property(arbBlocks, (input) => {
          const result = mergeCidrs(input);
          expect(setOf(result)).toEqual(setOf(input));
          expectWellFormed(result);
          expect(mergeCidrs(result)).toEqual(result);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('#excludeCidrs', () => {
    test.each([
      [['10.0.0.0/8'], ['10.0.0.0/9'], ['10.128.0.0/9']],
      [['192.0.2.0/24'], ['192.0.2.0/24'], []],
      [['192.0.2.0/24'], ['192.0.2.128/26'], ['192.0.2.0/25', '192.0.2.192/26']],
      [['192.0.2.0/24'], ['10.0.0.0/8'], ['192.0.2.0/24']],
      [['0.0.0.0/0'], ['2001:db8::/32'], ['0.0.0.0/0']],
      [['192.0.2.0/25', '192.0.2.128/25'], [], ['192.0.2.0/24']],
      [[], ['10.0.0.0/8'], []],
    ])('removes %j − %j = %j', (base, remove, expected) => {
      expect(texts(excludeCidrs(blocks(...base), blocks(...remove)))).toEqual(expected);
    });

    test('splits a block around a single address into one block per remaining bit', () => {
      const result = excludeCidrs(blocks('2001:db8::/32'), blocks('2001:db8::1'));
      const first = 0x20010db8n << 96n;
      expect(result).toHaveLength(96);
      expect(setOf(result)[6]).toEqual([
        [first, first],
        [first + 2n, ((0x20010db8n + 1n) << 96n) - 1n],
      ]);
    });

    test('leaves exactly the addresses of base that are not removed (property)', () => {
      fc.assert(
        fc.property(arbBlocks, arbBlocks, (base, remove) => {
          const result = excludeCidrs(base, remove);
          const a = setOf(base);
          const b = setOf(remove);
          expect(setOf(result)).toEqual({ 4: subtract(a[4], b[4]), 6: subtract(a[6], b[6]) });
          expectWellFormed(result);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('#intersectCidrs', () => {
    test.each([
      [['10.0.0.0/8'], ['10.1.0.0/16', '192.0.2.0/24'], ['10.1.0.0/16']],
      [['192.0.2.0/24'], ['192.0.2.64/26', '192.0.2.128/25'], ['192.0.2.64/26', '192.0.2.128/25']],
      [['0.0.0.0/0'], ['::/0'], []],
      [[], ['10.0.0.0/8'], []],
    ])('intersects %j ∩ %j = %j', (a, b, expected) => {
      expect(texts(intersectCidrs(blocks(...a), blocks(...b)))).toEqual(expected);
    });

    test('keeps exactly the addresses in both (property)', () => {
      fc.assert(
        fc.property(arbBlocks, arbBlocks, (a, b) => {
          const result = intersectCidrs(a, b);
          const sa = setOf(a);
          const sb = setOf(b);
          expect(setOf(result)).toEqual({ 4: intersect(sa[4], sb[4]), 6: intersect(sa[6], sb[6]) });
          expectWellFormed(result);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('#containsCidrs', () => {
    test.each([
      [['192.0.2.0/25', '192.0.2.128/25'], ['192.0.2.0/24'], true],
      [['10.0.0.0/8'], ['10.1.0.0/16', '10.2.3.4'], true],
      [['192.0.2.0/24'], ['192.0.2.0/23'], false],
      [['10.0.0.0/8'], ['10.1.0.0/16', '192.0.2.1'], false],
      [['10.0.0.0/8'], [], true],
      [[], ['10.0.0.0/8'], false],
      [['0.0.0.0/0'], ['2001:db8::/32'], false],
    ])('answers whether %j contains %j: %s', (outer, inner, expected) => {
      expect(containsCidrs(blocks(...outer), blocks(...inner))).toBe(expected);
    });

    test('agrees with the interval model, also for ranges covered only jointly (property)', () => {
      fc.assert(
        fc.property(arbBlocks, arbBlocks, fc.boolean(), (outer, other, fromOuter) => {
          // Half the time the inner set is carved out of the outer one, so "true" is common.
          const inner = fromOuter ? excludeCidrs(outer, other) : other;
          const so = setOf(outer);
          const si = setOf(inner);
          const expected = subtract(si[4], so[4]).length === 0 && subtract(si[6], so[6]).length === 0;
          expect(containsCidrs(outer, inner)).toBe(expected);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('#overlapsCidrs', () => {
    test.each([
      [['10.0.0.0/8'], ['10.255.255.255'], true],
      [['10.0.0.0/8'], ['11.0.0.0/8'], false],
      [['192.0.2.0/25'], ['192.0.2.128/25'], false],
      [['0.0.0.0/0'], ['::/0'], false],
      [[], ['10.0.0.0/8'], false],
      [['10.0.0.0/8', '2001:db8::/32'], ['2001:db8:ffff::/48'], true],
    ])('answers whether %j overlaps %j: %s', (a, b, expected) => {
      expect(overlapsCidrs(blocks(...a), blocks(...b))).toBe(expected);
    });

    test('agrees with the interval model (property)', () => {
      fc.assert(
        fc.property(arbBlocks, arbBlocks, (a, b) => {
          const sa = setOf(a);
          const sb = setOf(b);
          const expected = intersect(sa[4], sb[4]).length > 0 || intersect(sa[6], sb[6]).length > 0;
          expect(overlapsCidrs(a, b)).toBe(expected);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('#mergePortRanges', () => {
    test.each([
      [[], []],
      [[[80, 80]], [[80, 80]]],
      [[[443, 443], [80, 80]], [[80, 80], [443, 443]]],
      [[[80, 80], [81, 81]], [[80, 81]]],
      [[[80, 90], [85, 100], [1, 1]], [[1, 1], [80, 100]]],
      [[[1, 65535], [80, 80]], [[1, 65535]]],
      [[[80, 80], [82, 82]], [[80, 80], [82, 82]]],
    ] as Array<[PortRange[], PortRange[]]>)('merges %j into %j', (input, expected) => {
      expect(mergePortRanges(input)).toEqual(expected);
    });

    test.each([
      [[0, 80]],
      [[80, 65536]],
      [[90, 80]],
      [[1.5, 2]],
    ] as Array<[PortRange]>)('refuses the invalid range %j', (range) => {
      expect(() => mergePortRanges([range])).toThrow(RangeError);
    });

    test('covers exactly the input ports with sorted, separated ranges (property)', () => {
      const range = fc
        .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 2000 }))
        .map(([min, width]): PortRange => [min, Math.min(65535, min + width)]);
      fc.assert(
        fc.property(fc.array(range, { maxLength: 10 }), (ranges) => {
          const expected = new Uint8Array(65536);
          for (const [min, max] of ranges) expected.fill(1, min, max + 1);
          const result = mergePortRanges(ranges);
          const got = new Uint8Array(65536);
          for (const [min, max] of result) got.fill(1, min, max + 1);
          expect(Buffer.compare(got, expected)).toBe(0);
          for (let i = 1; i < result.length; i++) {
            expect(result[i]![0]).toBeGreaterThan(result[i - 1]![1] + 1);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
