import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lastAddress, networkAddress, parseIPv4, parseIPv6, readWords, wordCount, writeWords } from '../../src/net/cidr.js';
import { compareWords, increment, PrefixForest, type PrefixLike } from '../../src/net/prefix-forest.js';
import type { Family } from '../../src/types.js';

const MAX: Record<Family, bigint> = { 4: 0xffff_ffffn, 6: (1n << 128n) - 1n };

const p4 = (text: string): PrefixLike => {
  const [address, bits] = text.split('/') as [string, string];
  return { family: 4, address: parseIPv4(address) as bigint, maskBits: Number(bits) };
};
const p6 = (text: string): PrefixLike => {
  const [address, bits] = text.split('/') as [string, string];
  return { family: 6, address: parseIPv6(address) as bigint, maskBits: Number(bits) };
};

const range = (p: PrefixLike): [bigint, bigint] => [
  networkAddress(p.family, p.address, p.maskBits),
  lastAddress(p.family, p.address, p.maskBits),
];

function words(family: Family, address: bigint): Uint32Array {
  const out = new Uint32Array(wordCount(family));
  writeWords(family, address, out, 0);
  return out;
}

function nodeRange(forest: PrefixForest, k: number): [bigint, bigint] {
  const n = forest.stride;
  return [readWords(forest.family, forest.starts, k * n), readWords(forest.family, forest.ends, k * n)];
}

// Brute force: the innermost node holding `address`, or -1.
function innermostByScan(forest: PrefixForest, address: bigint): number {
  let best = -1;
  for (let k = 0; k < forest.size; k++) {
    const [lo, hi] = nodeRange(forest, k);
    if (lo <= address && address <= hi && (best < 0 || (forest.bits[k] as number) > (forest.bits[best] as number))) best = k;
  }
  return best;
}

// Prefixes over a few bases so that nesting, equal networks and neighbours occur.
const prefixArb = (family: Family): fc.Arbitrary<PrefixLike> => {
  const total = family === 4 ? 32 : 128;
  const bases = family === 4
    ? [0n, 0x0a000000n, 0x0a000080n, 0xc6336400n, 0xc6336480n, 0xffffffffn]
    : [0n, 0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 64n), 0xfe80n << 112n, MAX[6]];
  return fc
    .record({ base: fc.constantFrom(...bases), bits: fc.integer({ min: 0, max: total }), noise: fc.bigInt({ min: 0n, max: MAX[family] }) })
    .map(({ base, bits, noise }) => ({ family, address: (base ^ (noise & ((1n << BigInt(Math.max(0, total - bits - 2))) - 1n))) & MAX[family], maskBits: bits }));
};

const forestArb = fc.oneof(
  fc.array(prefixArb(4), { maxLength: 40 }).map((items) => ({ family: 4 as Family, items })),
  fc.array(prefixArb(6), { maxLength: 40 }).map((items) => ({ family: 6 as Family, items })),
);

describe('net/prefix-forest', () => {
  describe('PrefixForest', () => {
    test('nests prefixes, numbers them in address order and cuts the space where the innermost prefix changes', () => {
      const items = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/16', '10.1.2.0/24', '192.0.2.0/24', '10.0.0.0/8'].map(p4);
      const forest = new PrefixForest(4, items);
      const nodes = Array.from({ length: forest.size }, (_, k) => [nodeRange(forest, k).map((a) => a.toString(16)), forest.bits[k], forest.parent[k], forest.last[k]]);
      expect(nodes).toEqual([
        [['a000000', 'affffff'], 8, -1, 2],
        [['a010000', 'a01ffff'], 16, 0, 2],
        [['a010200', 'a0102ff'], 24, 1, 2],
        [['c0000200', 'c00002ff'], 24, -1, 3],
      ]);
      expect(Array.from(forest.nodeOf)).toEqual([0, 1, 1, 2, 3, 0]);
      const intervals = Array.from({ length: forest.intervals }, (_, i) => [(forest.bounds[i] as number).toString(16), forest.owner[i]]);
      expect(intervals).toEqual([
        ['0', -1],
        ['a000000', 0],
        ['a010000', 1],
        ['a010200', 2],
        ['a010300', 1],
        ['a020000', 0],
        ['b000000', -1],
        ['c0000200', 3],
        ['c0000300', -1],
      ]);
    });

    test.each([
      ['no prefix', 1, []],
      ['the whole space', 1, ['0.0.0.0/0']],
      ['the last address', 2, ['255.255.255.255/32']],
      ['the first address', 2, ['0.0.0.0/32']],
      ['two neighbours', 4, ['10.0.0.0/25', '10.0.0.128/25']],
    ])('%s: %i intervals, the first at address 0', (_name, count, prefixes) => {
      const forest = new PrefixForest(4, prefixes.map(p4));
      expect(forest.intervals).toBe(count);
      expect(forest.bounds[0]).toBe(0);
    });

    test('keeps the families apart', () => {
      const items = [p4('10.0.0.0/8'), p6('2001:db8::/32'), p4('10.0.0.0/8')];
      const v6 = new PrefixForest(6, items);
      expect(v6.size).toBe(1);
      expect(Array.from(v6.nodeOf)).toEqual([-1, 0, -1]);
      expect(v6.innermost(words(6, parseIPv6('2001:db8::1') as bigint), 0)).toBe(0);
      expect(v6.innermost(words(6, parseIPv6('2001:db9::') as bigint), 0)).toBe(-1);
    });

    test('has the structure a scan of the prefixes gives (property)', () => {
      fc.assert(
        fc.property(forestArb, ({ family, items }) => {
          const forest = new PrefixForest(family, items);
          const n = forest.stride;
          // Nodes: one per distinct (network, length), sorted, each item mapped to its own.
          const distinct = new Set(items.map((p) => `${range(p)[0]}/${p.maskBits}`));
          expect(forest.size).toBe(distinct.size);
          items.forEach((p, i) => {
            const k = forest.nodeOf[i] as number;
            expect(nodeRange(forest, k)).toEqual(range(p));
            expect(forest.bits[k]).toBe(p.maskBits);
          });
          for (let k = 1; k < forest.size; k++) {
            const c = compareWords(forest.starts, (k - 1) * n, forest.starts, k * n, n);
            expect(c < 0 || (c === 0 && (forest.bits[k - 1] as number) < (forest.bits[k] as number))).toBe(true);
          }
          for (let k = 0; k < forest.size; k++) {
            const [lo, hi] = nodeRange(forest, k);
            // Parent: the innermost other node holding this one.
            let parent = -1;
            for (let q = 0; q < forest.size; q++) {
              const [qlo, qhi] = nodeRange(forest, q);
              if (q !== k && qlo <= lo && hi <= qhi && (parent < 0 || (forest.bits[q] as number) > (forest.bits[parent] as number))) parent = q;
            }
            expect(forest.parent[k]).toBe(parent);
            // Subtree: exactly the nodes inside this one, as a run.
            const inside = Array.from({ length: forest.size }, (_, q) => q).filter((q) => {
              const [qlo, qhi] = nodeRange(forest, q);
              return lo <= qlo && qhi <= hi;
            });
            expect([inside[0], inside.at(-1), inside.length]).toEqual([k, forest.last[k], (forest.last[k] as number) - k + 1]);
          }
          // Intervals: strictly increasing, neighbours differ in owner, owner is the innermost node.
          expect(forest.bounds[0]).toBe(0);
          for (let i = 0; i < forest.intervals; i++) {
            const lo = readWords(family, forest.bounds, i * n);
            const hi = i + 1 < forest.intervals ? readWords(family, forest.bounds, (i + 1) * n) - 1n : MAX[family];
            expect(lo <= hi).toBe(true);
            for (const a of [lo, hi]) expect(forest.owner[i]).toBe(innermostByScan(forest, a));
            if (i > 0) expect(forest.owner[i]).not.toBe(forest.owner[i - 1]);
          }
        }),
        { numRuns: 400 },
      );
    });

    test('locates every address at and around each prefix boundary (property)', () => {
      fc.assert(
        fc.property(forestArb, fc.array(fc.bigInt({ min: 0n, max: MAX[6] }), { maxLength: 10 }), ({ family, items }, random) => {
          const forest = new PrefixForest(family, items);
          const probes = random.map((r) => r & MAX[family]);
          for (const p of items) {
            const [lo, hi] = range(p);
            for (const a of [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]) if (a >= 0n && a <= MAX[family]) probes.push(a);
          }
          for (const a of probes) {
            const w = words(family, a);
            expect(forest.innermost(w, 0)).toBe(innermostByScan(forest, a));
            if (family === 4) expect(forest.owner[forest.locateIPv4(Number(a))]).toBe(innermostByScan(forest, a));
          }
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('#compareWords / #increment', () => {
    test.each([
      [6, '::', '::1', -1],
      [6, '::1:0:0', '::ffff:ffff', 1],
      [6, 'ffff::', 'ffff::', 0],
      [4, '0.0.0.1', '255.0.0.0', -1],
    ] as const)('IPv%d %s vs %s: %d', (family, x, y, sign) => {
      const parse = family === 4 ? parseIPv4 : parseIPv6;
      expect(Math.sign(compareWords(words(family, parse(x) as bigint), 0, words(family, parse(y) as bigint), 0, wordCount(family)))).toBe(sign);
    });

    test.each([
      [6, 0xffff_ffffn, 0x1_0000_0000n, true],
      [6, (1n << 96n) - 1n, 1n << 96n, true],
      [6, MAX[6], 0n, false],
      [4, 0xffn, 0x100n, true],
      [4, MAX[4], 0n, false],
    ] as const)('IPv%d %s + 1 carries into %s (in range: %s)', (family, value, next, ok) => {
      const out = new Uint32Array(wordCount(family));
      expect(increment(words(family, value), 0, out, wordCount(family))).toBe(ok);
      expect(readWords(family, out, 0)).toBe(next);
    });
  });
});
