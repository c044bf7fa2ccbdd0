/**
 * The semantic difference between two effective policies: exactly the address × port
 * regions whose first-match verdict changes.
 *
 * 1. Rules both policies share, in the same relative order (a common subsequence: the
 *    equal head and tail, then rules that occur once in each, in increasing order), cannot
 *    change a verdict by themselves: at an address × port that no other rule matches, both
 *    policies decide by the first matching shared rule. So only the prefixes of the other
 *    rules need to be looked at.
 * 2. Inside those prefixes, the address space is cut at every boundary of both policies'
 *    prefix forests (`PolicyIndex.forest`); inside one elementary interval every address
 *    sees the same rules, so the two port functions are compared once per interval (and
 *    once per pair of innermost prefixes, which many intervals share).
 * 3. Changed port ranges are grouped by (before, after, ports), adjacent address ranges
 *    merged, and written as the fewest CIDR blocks.
 */
import { rangeToCidrs, writeWords } from '../net/cidr.js';
import { compareWords, increment, PrefixForest } from '../net/prefix-forest.js';
import type { EffectivePolicy, Family, PolicyAction, PolicyChange, PolicyRule, VerdictChange } from '../types.js';
import { PolicyIndex, VerdictList, type PortSegment } from './evaluate.js';

type RulesLike = EffectivePolicy | readonly PolicyRule[];

interface Group {
  before: PolicyAction;
  after: PolicyAction;
  ports: Array<readonly [number, number]>;
  /** The same ports as a flat list. */
  list: Ports;
  /** Offsets in the range store of each [first, last] address range, in address order. */
  ranges: number[];
}

/** Every address × port region whose verdict differs between `before` and `after`. */
export function diffPolicies(before: RulesLike, after: RulesLike): PolicyChange {
  const a = 'rules' in before ? before.rules : before;
  const b = 'rules' in after ? after.rules : after;
  const differing = unsharedRules(a, b);
  if (differing.length === 0) return { changes: [] };
  const indexA = cachedIndex(a);
  const indexB = cachedIndex(b);
  const changes: VerdictChange[] = [];
  for (const family of [4, 6] as const) {
    const regions = new PrefixForest(family, differing);
    if (regions.size === 0) continue;
    const store = new RangeStore(regions.stride);
    const groups = diffFamily(family, regions, differing, indexA, indexB, a, b, store);
    groups.sort((x, y) => {
      const c = compareWords(store.words, x.ranges[0] as number, store.words, y.ranges[0] as number, store.stride);
      if (c !== 0) return c;
      return x.before === y.before ? 0 : x.before === 'accept' ? -1 : 1;
    });
    const texts = new RangeTexts(family, store);
    for (const g of groups) {
      const cidrs: string[] = [];
      for (const at of g.ranges) texts.append(at, cidrs);
      changes.push({ family, cidrs, ports: g.ports, before: g.before, after: g.after });
    }
  }
  return { changes };
}

// Address ranges, each as two addresses (first, last) of `stride` words, in one growing
// buffer.
class RangeStore {
  words: Uint32Array;
  length = 0;
  constructor(readonly stride: 1 | 4) {
    this.words = new Uint32Array(64 * stride);
  }

  add(lo: Uint32Array, loAt: number, hi: Uint32Array, hiAt: number): number {
    const n = this.stride;
    if (this.length + 2 * n > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    const at = this.length;
    const words = this.words;
    for (let k = 0; k < n; k++) {
      words[at + k] = lo[loAt + k] as number;
      words[at + n + k] = hi[hiAt + k] as number;
    }
    this.length += 2 * n;
    return at;
  }
}

// The CIDR texts of address ranges in a `RangeStore`. Groups with different ports often
// hold the same address range; its texts are made once and shared.
class RangeTexts {
  // By a hash of the range: where it is in the store, and where its texts are.
  private readonly known = new Map<number, Array<{ at: number; list: string[]; from: number; to: number }>>();

  constructor(
    private readonly family: Family,
    private readonly store: RangeStore,
  ) {}

  /** Appends the CIDRs of the range at `at` to `out`. */
  append(at: number, out: string[]): void {
    const words = this.store.words;
    const n = this.store.stride;
    let h = 0x811c9dc5;
    for (let k = 0; k < 2 * n; k++) h = Math.imul(h ^ (words[at + k] as number), 0x01000193) ^ (h >>> 15);
    const bucket = this.known.get(h);
    const hit = bucket?.find((e) => compareWords(words, e.at, words, at, 2 * n) === 0);
    if (hit) {
      for (let k = hit.from; k < hit.to; k++) out.push(hit.list[k] as string);
      return;
    }
    const from = out.length;
    rangeToCidrs(this.family, words, at, words, at + n, out);
    const entry = { at, list: out, from, to: out.length };
    if (bucket) bucket.push(entry);
    else this.known.set(h, [entry]);
  }
}

function diffFamily(
  family: Family,
  regions: PrefixForest,
  differing: readonly PolicyRule[],
  indexA: PolicyIndex,
  indexB: PolicyIndex,
  a: readonly PolicyRule[],
  b: readonly PolicyRule[],
  store: RangeStore,
): Group[] {
  const n = regions.stride;
  const fa = indexA.forest(family);
  const fb = indexB.forest(family);
  const fr = regions;
  const ports = new RegionPorts(regions);
  differing.forEach((r, k) => {
    const node = regions.nodeOf[k] as number;
    if (node >= 0) ports.add(node, r.portMin, r.portMax);
  });
  const comparer = new Comparer(family, indexA, a, indexB, b);
  // Groups by a hash of direction and ports; a bucket holds the rare groups sharing one.
  const groups = new Map<number, Group[]>();
  const all: Group[] = [];
  // Groups' port lists overlap heavily; equal ranges share one (read-only) pair.
  const tuples = new Map<number, readonly [number, number]>();
  // Intervals with the same innermost prefixes in both policies and among the unshared
  // rules change the same way; the intervals of one prefix of the first policy mostly see
  // one such triple, so the last comparison is kept per prefix (a hash of all triples would
  // cost more than it saves).
  const lastB = new Int32Array(fa.size + 1).fill(-2);
  const lastR = new Int32Array(fa.size + 1);
  const lastFlips = new Array<Flip[]>(fa.size + 1);
  const cur = new Uint32Array(n);
  const end = new Uint32Array(n);
  const lastPlusOne = new Uint32Array(n);
  for (let root = 0; root < fr.size; root = (fr.last[root] as number) + 1) {
    // One region: a prefix of an unshared rule inside no other (roots are disjoint, sorted).
    const rootAt = root * n;
    for (let k = 0; k < n; k++) cur[k] = fr.starts[rootAt + k] as number;
    let ia = fa.locate(cur, 0);
    let ib = fb.locate(cur, 0);
    let ir = fr.locate(cur, 0);
    for (;;) {
      // The interval runs to the next boundary of any of the three forests, or the region's end.
      for (let k = 0; k < n; k++) end[k] = fr.ends[rootAt + k] as number;
      clip(fa, ia, end, n);
      clip(fb, ib, end, n);
      clip(fr, ir, end, n);
      const nodeA = fa.owner[ia] as number;
      const nodeB = fb.owner[ib] as number;
      const nodeR = fr.owner[ir] as number;
      let changed: Flip[];
      if (lastB[nodeA + 1] === nodeB && lastR[nodeA + 1] === nodeR) {
        changed = lastFlips[nodeA + 1] as Flip[];
      } else {
        changed = comparer.flips(ports.of(nodeR), nodeA, nodeB);
        lastB[nodeA + 1] = nodeB;
        lastR[nodeA + 1] = nodeR;
        lastFlips[nodeA + 1] = changed;
      }
      for (const c of changed) {
        let g = c.group;
        if (!g) {
          const bucket = groups.get(c.hash);
          g = bucket?.find((x) => x.before === c.before && samePorts(x.list, c.list));
          if (!g) {
            g = { before: c.before, after: c.after, ports: pairs(c.list, tuples), list: c.list, ranges: [] };
            all.push(g);
            if (bucket) bucket.push(g);
            else groups.set(c.hash, [g]);
          }
          c.group = g;
        }
        const last = g.ranges[g.ranges.length - 1];
        if (
          last !== undefined &&
          increment(store.words, last + n, lastPlusOne, n) &&
          compareWords(lastPlusOne, 0, cur, 0, n) === 0
        ) {
          for (let k = 0; k < n; k++) store.words[last + n + k] = end[k] as number;
        } else {
          g.ranges.push(store.add(cur, 0, end, 0));
        }
      }
      if (compareWords(end, 0, fr.ends, rootAt, n) === 0) break;
      increment(end, 0, cur, n);
      if (ia + 1 < fa.intervals && compareWords(fa.bounds, (ia + 1) * n, cur, 0, n) === 0) ia++;
      if (ib + 1 < fb.intervals && compareWords(fb.bounds, (ib + 1) * n, cur, 0, n) === 0) ib++;
      if (ir + 1 < fr.intervals && compareWords(fr.bounds, (ir + 1) * n, cur, 0, n) === 0) ir++;
    }
  }
  return all;
}

function samePorts(x: Ports, y: Ports): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

function pairs(list: Ports, tuples: Map<number, readonly [number, number]>): Array<readonly [number, number]> {
  const out = new Array<readonly [number, number]>(list.length >> 1);
  for (let k = 0; k < list.length; k += 2) {
    const lo = list[k] as number;
    const hi = list[k + 1] as number;
    const key = lo * 65536 + hi;
    let pair = tuples.get(key);
    if (!pair) {
      pair = [lo, hi];
      tuples.set(key, pair);
    }
    out[k >> 1] = pair;
  }
  return out;
}

// The ports the unshared rules on each region node and its ancestors match: the only ports
// on which a verdict can change at the addresses of that node. Equal sets are one object
// with one id, so that work on a set of ports can be shared between nodes.
class RegionPorts {
  private readonly known: Array<PortSet | undefined>;
  private readonly own: Array<Array<[number, number]>>;
  private readonly interned = new Map<string, PortSet>();

  constructor(private readonly forest: PrefixForest) {
    this.known = new Array<PortSet | undefined>(forest.size);
    this.own = Array.from({ length: forest.size }, () => []);
  }

  /** Registers the port range of an unshared rule on `node`. */
  add(node: number, portMin: number, portMax: number): void {
    (this.own[node] as Array<[number, number]>).push([portMin, portMax]);
  }

  /** The ports of `node`. */
  of(node: number): PortSet {
    const known = this.known[node];
    if (known) return known;
    const all: Array<[number, number]> = [];
    for (let k = node; k >= 0; k = this.forest.parent[k] as number) all.push(...(this.own[k] as Array<[number, number]>));
    all.sort((x, y) => x[0] - y[0]);
    const ports: number[] = [];
    for (const [lo, hi] of all) {
      const last = ports.length - 1;
      if (ports.length > 0 && (ports[last] as number) + 1 >= lo) ports[last] = Math.max(ports[last] as number, hi);
      else ports.push(lo, hi);
    }
    const text = ports.join(',');
    let set = this.interned.get(text);
    if (!set) {
      set = { id: this.interned.size, ports, text };
      this.interned.set(text, set);
    }
    this.known[node] = set;
    return set;
  }
}

interface PortSet {
  /** Distinct for distinct sets. */
  readonly id: number;
  /** The ports. */
  readonly ports: Ports;
  /** The ports as text (distinct for distinct sets across diffs). */
  readonly text: string;
}

// Lowers `end` to the last address before the interval after `i`, when that comes first.
function clip(forest: PrefixForest, i: number, end: Uint32Array, n: number): void {
  if (i + 1 < forest.intervals && compareWords(forest.bounds, (i + 1) * n, end, 0, n) <= 0) {
    decrement(forest.bounds, (i + 1) * n, end, n);
  }
}

// Writes `words[at] - 1` (never called on address 0) to `out`.
function decrement(words: Uint32Array, at: number, out: Uint32Array, n: number): void {
  let borrow = 1;
  for (let k = n - 1; k >= 0; k--) {
    const w = (words[at + k] as number) - borrow;
    out[k] = w >>> 0;
    borrow = w < 0 ? 1 : 0;
  }
}

// Rules outside a common subsequence of the two policies (rules are equal when they match
// the same addresses and ports with the same action).
function unsharedRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): PolicyRule[] {
  let head = 0;
  while (head < a.length && head < b.length && sameRule(a[head] as PolicyRule, b[head] as PolicyRule)) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    sameRule(a[a.length - 1 - tail] as PolicyRule, b[b.length - 1 - tail] as PolicyRule)
  ) {
    tail++;
  }
  const endA = a.length - tail;
  const endB = b.length - tail;
  // Flags with room for the positions just past each middle part.
  const sharedA = new Uint8Array(a.length + 1);
  const sharedB = new Uint8Array(b.length + 1);
  // Rules occurring once in each middle part are anchors; the longest chain of anchors in
  // increasing order in both is shared, then equal neighbours of shared rules are too.
  const seen = new Map<number, Seen[]>();
  const entries: Seen[] = [];
  const entry = (r: PolicyRule): Seen | undefined => seen.get(ruleHash(r))?.find((e) => sameRule(e.rule, r));
  for (let i = head; i < endA; i++) {
    const r = a[i] as PolicyRule;
    const e = entry(r);
    if (e) e.countA++;
    else {
      const h = ruleHash(r);
      const bucket = seen.get(h);
      const fresh: Seen = { rule: r, a: i, b: -1, countA: 1, countB: 0 };
      entries.push(fresh);
      if (bucket) bucket.push(fresh);
      else seen.set(h, [fresh]);
    }
  }
  for (let j = head; j < endB; j++) {
    const e = entry(b[j] as PolicyRule);
    if (e) {
      e.countB++;
      e.b = j;
    }
  }
  const anchors: Array<[number, number]> = [];
  // Entries are in order of their position in `a`.
  for (const e of entries) if (e.countA === 1 && e.countB === 1) anchors.push([e.a, e.b]);
  const pairs: Array<[number, number]> = [[head - 1, head - 1], ...longestIncreasing(anchors), [endA, endB]];
  // Between two consecutive shared pairs, equal rules next to either one are shared too.
  for (let k = 0; k + 1 < pairs.length; k++) {
    let [i, j] = pairs[k] as [number, number];
    let [i2, j2] = pairs[k + 1] as [number, number];
    sharedA[i2] = 1;
    sharedB[j2] = 1;
    while (i + 1 < i2 && j + 1 < j2 && sameRule(a[i + 1] as PolicyRule, b[j + 1] as PolicyRule)) {
      sharedA[++i] = 1;
      sharedB[++j] = 1;
    }
    while (i2 - 1 > i && j2 - 1 > j && sameRule(a[i2 - 1] as PolicyRule, b[j2 - 1] as PolicyRule)) {
      sharedA[--i2] = 1;
      sharedB[--j2] = 1;
    }
  }
  const out: PolicyRule[] = [];
  for (let i = head; i < endA; i++) if (!sharedA[i]) out.push(a[i] as PolicyRule);
  for (let k = head; k < endB; k++) if (!sharedB[k]) out.push(b[k] as PolicyRule);
  return out;
}

function sameRule(x: PolicyRule, y: PolicyRule): boolean {
  return (
    x === y ||
    (x.action === y.action &&
      x.family === y.family &&
      x.maskBits === y.maskBits &&
      x.portMin === y.portMin &&
      x.portMax === y.portMax &&
      x.address === y.address)
  );
}

interface Seen {
  rule: PolicyRule;
  a: number;
  b: number;
  countA: number;
  countB: number;
}

const hashWords = new Uint32Array(4);

// A 30-bit hash of what `sameRule` compares.
function ruleHash(r: PolicyRule): number {
  writeWords(r.family, r.address, hashWords, 0);
  let h = Math.imul(r.family * 131 + r.maskBits, 0x9e3779b1) ^ (r.action === 'accept' ? 0x5bd1e995 : 0);
  h = Math.imul(h ^ (r.portMin * 65536 + r.portMax), 0x85ebca6b);
  for (let k = 0; k < (r.family === 4 ? 1 : 4); k++) h = Math.imul(h ^ (hashWords[k] as number), 0xc2b2ae35) ^ (h >>> 15);
  return (h ^ (h >>> 13)) & 0x3fffffff;
}

// The longest subsequence of `pairs` (sorted by the first) increasing in the second.
function longestIncreasing(pairs: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const tails: number[] = [];
  const back = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const v = (pairs[k] as [number, number])[1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pairs[tails[mid] as number] as [number, number])[1] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[k] = tails[lo - 1] as number;
    tails[lo] = k;
  }
  const out: Array<[number, number]> = [];
  for (let k = tails.length > 0 ? (tails[tails.length - 1] as number) : -1; k >= 0; k = back[k] as number) {
    out.push(pairs[k] as [number, number]);
  }
  return out.reverse();
}

// Indexes are reused while the same rules array is diffed again (a plan compares one policy
// with several candidates); a copy of the array guards against it having changed.
const indexes = new WeakMap<readonly PolicyRule[], { rules: readonly PolicyRule[]; index: PolicyIndex }>();

function cachedIndex(rules: readonly PolicyRule[]): PolicyIndex {
  const hit = indexes.get(rules);
  if (hit && hit.rules.length === rules.length && hit.rules.every((r, k) => r === rules[k])) return hit.index;
  const copy = rules.slice();
  const index = new PolicyIndex(copy);
  indexes.set(rules, { rules: copy, index });
  return index;
}

interface Flip {
  before: PolicyAction;
  after: PolicyAction;
  /** The ports that flip. */
  list: Ports;
  /** A hash of direction and ports, for grouping. */
  hash: number;
  /** The group of this key, once looked up. */
  group?: Group;
}

const NO_FLIPS: Flip[] = [];
const NONE = 0x7fffffff;
const UNKNOWN = -1;

// Ports as sorted, disjoint, non-adjacent ranges: [min, max, min, max, ...].
type Ports = readonly number[];

// Per direction, the ports whose verdict flips.
interface PortFlips {
  toReject: Ports;
  toAccept: Ports;
}

/**
 * Compares the two policies' port functions on the intervals of one family.
 *
 * At an interval, only the ports `ports` of the unshared rules holding it can flip. Each
 * policy decides by the rules on the interval's innermost prefix and its ancestors; on the
 * ports none of them but the outermost (`top`) matches, the verdict is the top prefix's
 * alone. A policy with many rules for every address has a long top function, so its flips
 * against the other top are computed once per pair of tops, and at each interval only the
 * ports the inner prefixes match are compared in full.
 */
class Comparer {
  private readonly tops = new Map<string, { flips: PortFlips; list: Flip[] }>();
  private readonly shapes = new Map<string, Flip[]>();
  private readonly cappedFlips = new Map<string, PortFlips>();
  private readonly listA = new VerdictList();
  private readonly listB = new VerdictList();
  private readonly sideA: Chains;
  private readonly sideB: Chains;

  constructor(
    private readonly family: Family,
    private readonly indexA: PolicyIndex,
    private readonly a: readonly PolicyRule[],
    private readonly indexB: PolicyIndex,
    private readonly b: readonly PolicyRule[],
  ) {
    this.sideA = chainsOf(family, indexA, a);
    this.sideB = chainsOf(family, indexB, b);
  }

  flips(set: PortSet, nodeA: number, nodeB: number): Flip[] {
    const topA = this.sideA.top(nodeA);
    const topB = this.sideB.top(nodeB);
    const key = `${topA},${topB},${set.id}`;
    let top = this.tops.get(key);
    if (!top) {
      const flips = this.exact(set.ports, topA, topB, true);
      top = { flips, list: toFlips(flips) };
      this.tops.set(key, top);
    }
    const inner = union(this.sideA.inner(nodeA), this.sideB.inner(nodeB));
    const compared = intersect(set.ports, inner);
    if (compared.length === 0) return top.list;
    // Where the earliest inner rule of each side matches every port, a side's verdict at a
    // port is that rule's unless a top rule before it matches the port: only the rule's
    // rank among the top's deciding rules and its action matter, and intervals alike in
    // both share one comparison.
    const rankA = this.sideA.rank(nodeA, topA, set);
    const rankB = this.sideB.rank(nodeB, topB, set);
    let shapeKey: string | undefined;
    if (rankA !== undefined && rankB !== undefined) {
      shapeKey = `${key}|${rankA}|${rankB}`;
      const known = this.shapes.get(shapeKey);
      if (known) return known;
    }
    let result: Flip[];
    if (hasRange(compared)) {
      // Port ranges would walk the tops' (possibly long) port functions at every interval;
      // the inner rules cut the ports into a few ranges instead, each decided as above.
      result = toFlips(this.piecewise(set, key, nodeA, topA, nodeB, topB));
      if (shapeKey !== undefined) this.shapes.set(shapeKey, result);
      return result;
    }
    const exact = this.exact(compared, nodeA, nodeB, false);
    if (compared === set.ports) {
      // Inner prefixes matching every port in question: the tops do not matter.
      result = toFlips(exact);
    } else {
      result = toFlips({
        toReject: union(subtract(top.flips.toReject, inner), exact.toReject),
        toAccept: union(subtract(top.flips.toAccept, inner), exact.toAccept),
      });
    }
    if (shapeKey !== undefined) this.shapes.set(shapeKey, result);
    return result;
  }

  /**
   * The flips on `set` at an interval, from the port functions of the inner rules of both
   * sides: on each range of ports where both are constant, a side's verdict is that of its
   * top capped by its inner rule (see `capped`), so the flips there are those of the two
   * capped tops, which depend only on each cap's rank and action and are computed once.
   */
  private piecewise(set: PortSet, key: string, nodeA: number, topA: number, nodeB: number, topB: number): PortFlips {
    const toReject: number[] = [];
    const toAccept: number[] = [];
    const { family, indexA, indexB } = this;
    for (let p = 0; p < set.ports.length; p += 2) {
      const lo = set.ports[p] as number;
      const hi = set.ports[p + 1] as number;
      const x = indexA.nodeInnerSegments(family, nodeA, lo, hi);
      const y = indexB.nodeInnerSegments(family, nodeB, lo, hi);
      let i = 0;
      let j = 0;
      let port = lo;
      while (port <= hi) {
        const sx = x[i] as PortSegment;
        const sy = y[j] as PortSegment;
        const end = Math.min(sx.portMax, sy.portMax);
        const capped = this.capped(set, key, topA, sx.index, topB, sy.index);
        clipInto(capped.toReject, port, end, toReject);
        clipInto(capped.toAccept, port, end, toAccept);
        port = end + 1;
        if (sx.portMax === end) i++;
        if (sy.portMax === end) j++;
      }
    }
    return { toReject, toAccept };
  }

  // The flips on `set` between the tops, each side's verdict capped by an inner rule
  // matching every port (index `capA`/`capB`, -1 for none).
  private capped(set: PortSet, key: string, topA: number, capA: number, topB: number, capB: number): PortFlips {
    const rankA = capA < 0 ? '-' : this.sideA.rankOf(topA, set, capA);
    const rankB = capB < 0 ? '-' : this.sideB.rankOf(topB, set, capB);
    const cappedKey = `${key}|${rankA}|${rankB}`;
    let known = this.cappedFlips.get(cappedKey);
    if (!known) {
      known = this.exact(set.ports, topA, topB, true, capA, capB);
      this.cappedFlips.set(cappedKey, known);
    }
    return known;
  }

  // The flips on `ports` between the chains from nodeA and nodeB (only those nodes when
  // `ownOnly`), each side capped by a rule matching every port (see `nodeVerdicts`).
  private exact(ports: Ports, nodeA: number, nodeB: number, ownOnly: boolean, capA = -1, capB = -1): PortFlips {
    const toReject: number[] = [];
    const toAccept: number[] = [];
    const flip = (before: PolicyAction, lo: number, hi: number): void => {
      const list = before === 'accept' ? toReject : toAccept;
      if (list.length > 0 && list[list.length - 1] === lo - 1) list[list.length - 1] = hi;
      else list.push(lo, hi);
    };
    const { family, indexA, indexB, a, b } = this;
    for (let p = 0; p < ports.length; p += 2) {
      const lo = ports[p] as number;
      const hi = ports[p + 1] as number;
      if (lo === hi && !ownOnly && capA < 0 && capB < 0) {
        // One port (most port rules): two lookups, nothing to merge.
        const x = actionOf(a, indexA.nodeDecision(family, nodeA, lo));
        if (x !== actionOf(b, indexB.nodeDecision(family, nodeB, lo))) flip(x, lo, lo);
        continue;
      }
      // Both lists start at lo: [firstPort, accept ? 1 : 0, ...].
      indexA.nodeVerdicts(family, nodeA, lo, hi, ownOnly, this.listA, capA);
      indexB.nodeVerdicts(family, nodeB, lo, hi, ownOnly, this.listB, capB);
      const x = this.listA.data;
      const y = this.listB.data;
      const xLength = this.listA.length;
      const yLength = this.listB.length;
      let i = 0;
      let j = 0;
      let port = lo;
      while (port <= hi) {
        const endX = i + 2 < xLength ? (x[i + 2] as number) - 1 : hi;
        const endY = j + 2 < yLength ? (y[j + 2] as number) - 1 : hi;
        const end = Math.min(endX, endY);
        if (x[i + 1] !== y[j + 1]) flip(x[i + 1] === 1 ? 'accept' : 'reject', port, end);
        port = end + 1;
        if (endX === end) i += 2;
        if (endY === end) j += 2;
      }
    }
    return { toReject, toAccept };
  }
}

// What `Chains` learns depends on one policy's index alone, so it is kept with the index
// (which `cachedIndex` keeps while the same rules are diffed again).
const chainsCache = new WeakMap<PolicyIndex, { 4?: Chains; 6?: Chains }>();

function chainsOf(family: Family, index: PolicyIndex, rules: readonly PolicyRule[]): Chains {
  let entry = chainsCache.get(index);
  if (!entry) {
    entry = {};
    chainsCache.set(index, entry);
  }
  return (entry[family] ??= new Chains(family, index, rules));
}

// Per prefix node of one policy: the outermost prefix of its chain, and the ports the rules
// on the other prefixes of the chain match.
class Chains {
  private readonly tops: Int32Array;
  private readonly inners: Array<Ports | undefined>;
  private readonly firsts: Int32Array;
  // Per port set (by text) and top node.
  private readonly deciders = new Map<string, Map<number, Int32Array>>();

  constructor(
    private readonly family: Family,
    private readonly index: PolicyIndex,
    private readonly rules: readonly PolicyRule[],
  ) {
    const size = index.forest(family).size;
    this.tops = new Int32Array(size).fill(-1);
    this.inners = new Array<Ports | undefined>(size);
    this.firsts = new Int32Array(size).fill(UNKNOWN);
  }

  top(node: number): number {
    if (node < 0) return -1;
    let top = this.tops[node] as number;
    if (top < 0) {
      const parent = this.index.forest(this.family).parent;
      for (top = node; (parent[top] as number) >= 0; top = parent[top] as number);
      this.tops[node] = top;
    }
    return top;
  }

  /**
   * When the earliest rule below the top of `node`'s chain matches every port: its action
   * and how many of the top's deciding rules on `set` come before it, as a key (`-` for a
   * chain without inner rules); undefined otherwise.
   */
  rank(node: number, top: number, set: PortSet): string | undefined {
    const first = this.innerFirst(node);
    if (first === NONE) return '-';
    const rule = this.rules[first] as PolicyRule;
    if (rule.portMin !== 1 || rule.portMax !== 65535) return undefined;
    return this.rankOf(top, set, first);
  }

  /** Rule `rule`'s action and how many of the top's deciding rules on `set` come before it, as a key. */
  rankOf(top: number, set: PortSet, rule: number): string {
    const thresholds = this.thresholds(top, set);
    let lo = 0;
    let hi = thresholds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((thresholds[mid] as number) < rule) lo = mid + 1;
      else hi = mid;
    }
    return `${(this.rules[rule] as PolicyRule).action[0]}${lo}`;
  }

  // The earliest rule on the chain from `node` below its top, or NONE.
  private innerFirst(node: number): number {
    if (node < 0) return NONE;
    let first = this.firsts[node] as number;
    if (first === UNKNOWN) {
      const parent = this.index.forest(this.family).parent[node] as number;
      first = parent < 0 ? NONE : Math.min(this.index.nodeFirstRule(this.family, node), this.innerFirst(parent));
      this.firsts[node] = first;
    }
    return first;
  }

  // The rule indexes deciding some port of `set` on prefix `top` alone, ascending.
  private thresholds(top: number, set: PortSet): Int32Array {
    let perTop = this.deciders.get(set.text);
    if (!perTop) {
      perTop = new Map();
      this.deciders.set(set.text, perTop);
    }
    let known = perTop.get(top);
    if (!known) {
      const found = new Set<number>();
      for (let p = 0; p < set.ports.length; p += 2) {
        for (const seg of this.index.nodePortSegments(this.family, top, set.ports[p] as number, set.ports[p + 1] as number, true)) {
          if (seg.index >= 0) found.add(seg.index);
        }
      }
      known = Int32Array.from(found).sort();
      perTop.set(top, known);
    }
    return known;
  }

  inner(node: number): Ports {
    if (node < 0) return [];
    let inner = this.inners[node];
    if (inner === undefined) {
      const parent = this.index.forest(this.family).parent[node] as number;
      inner = parent < 0 ? [] : union(this.index.nodeOwnPorts(this.family, node), this.inner(parent));
      this.inners[node] = inner;
    }
    return inner;
  }
}

function actionOf(rules: readonly PolicyRule[], index: number): PolicyAction {
  return index < 0 ? 'accept' : (rules[index] as PolicyRule).action;
}

function toFlips(flips: PortFlips): Flip[] {
  if (flips.toReject.length === 0 && flips.toAccept.length === 0) return NO_FLIPS;
  const out: Flip[] = [];
  const directions = [
    ['accept', 'reject', flips.toReject],
    ['reject', 'accept', flips.toAccept],
  ] as const;
  for (const [before, after, list] of directions) {
    if (list.length === 0) continue;
    let h = before === 'accept' ? 0x2545f491 : 0x6a09e667;
    for (let k = 0; k < list.length; k++) h = Math.imul(h ^ (list[k] as number), 0x9e3779b1) ^ (h >>> 16);
    out.push({ before, after, list, hash: h });
  }
  return out;
}

function hasRange(ports: Ports): boolean {
  for (let k = 0; k < ports.length; k += 2) if (ports[k] !== ports[k + 1]) return true;
  return false;
}

// Appends the parts of `ports` inside lo..hi to `out` (sorted, after what it holds),
// joining a range that continues the last one.
function clipInto(ports: Ports, lo: number, hi: number, out: number[]): void {
  let a = 0;
  let b = ports.length >> 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if ((ports[2 * mid + 1] as number) < lo) a = mid + 1;
    else b = mid;
  }
  for (let k = 2 * a; k < ports.length && (ports[k] as number) <= hi; k += 2) {
    const from = Math.max(ports[k] as number, lo);
    const to = Math.min(ports[k + 1] as number, hi);
    if (out.length > 0 && out[out.length - 1] === from - 1) out[out.length - 1] = to;
    else out.push(from, to);
  }
}

// The result is `x` or `y` itself when the other is empty and `x` an array.
function union(x: ArrayLike<number>, y: Ports): Ports {
  if (y.length === 0 && Array.isArray(x)) return x as Ports;
  if (x.length === 0) return y;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    let lo: number;
    let hi: number;
    if (j >= y.length || (i < x.length && (x[i] as number) <= (y[j] as number))) {
      lo = x[i] as number;
      hi = x[i + 1] as number;
      i += 2;
    } else {
      lo = y[j] as number;
      hi = y[j + 1] as number;
      j += 2;
    }
    if (out.length > 0 && (out[out.length - 1] as number) + 1 >= lo) out[out.length - 1] = Math.max(out[out.length - 1] as number, hi);
    else out.push(lo, hi);
  }
  return out;
}

// The ports in both; `x` itself when all of it is in `y`.
function intersect(x: Ports, y: Ports): Ports {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const lo = Math.max(x[i] as number, y[j] as number);
    const hi = Math.min(x[i + 1] as number, y[j + 1] as number);
    if (lo <= hi) out.push(lo, hi);
    if ((x[i + 1] as number) < (y[j + 1] as number)) i += 2;
    else j += 2;
  }
  if (out.length === x.length && out.every((v, k) => v === x[k])) return x;
  return out;
}

function subtract(x: Ports, y: Ports): Ports {
  if (x.length === 0 || y.length === 0) return x;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < x.length; i += 2) {
    let lo = x[i] as number;
    const hi = x[i + 1] as number;
    while (j < y.length && (y[j + 1] as number) < lo) j += 2;
    let k = j;
    while (k < y.length && (y[k] as number) <= hi && lo <= hi) {
      if ((y[k] as number) > lo) out.push(lo, (y[k] as number) - 1);
      lo = (y[k + 1] as number) + 1;
      k += 2;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}
