/**
 * Tor's `exit_policy_remove_redundancies` (src/core/or/policies.c): the three passes that
 * delete rules which can never decide a verdict, keeping a record of each deletion.
 *
 * 1. After the first catch-all (mask 0, all ports) of a family, every later rule of that
 *    family is deleted ('after-catch-all').
 * 2. A rule covered by an earlier rule of the same family, whatever the actions, is
 *    deleted ('shadowed').
 * 3. A rule covered by a later rule with the same action, with no rule of the other action
 *    intersecting it in between, is deleted ('redundant').
 *
 * The result is identical to Tor's quadratic in-place loops. Because prefixes nest or are
 * disjoint, the rules a rule can cover or intersect are those on the same prefix, on its
 * ancestors (at most one per prefix length) and on its descendants; grouping rules by
 * prefix keeps policies with tens of thousands of rules fast.
 */
import { addressBits, lastAddress, networkAddress } from '../net/cidr.js';
import type { Family, PolicyRule, RemovalReason } from '../types.js';

/** A rule Tor deletes, and the rule that made it dead. */
export interface Removal<R extends PolicyRule = PolicyRule> {
  /** The deleted rule. */
  readonly rule: R;
  /** Which pass deleted it. */
  readonly reason: RemovalReason;
  /** The catch-all it follows, the earlier rule covering it, or the later rule covering it. */
  readonly by: R;
}

/** The rules Tor keeps, in order, and the ones it deletes, in deletion order. */
export interface PruneResult<R extends PolicyRule = PolicyRule> {
  /** Surviving rules. */
  readonly kept: R[];
  /** Deleted rules. */
  readonly removed: Removal<R>[];
}

/** Runs Tor's three redundancy passes on `rules`. */
export function removeRedundancies<R extends PolicyRule>(rules: readonly R[]): PruneResult<R> {
  const removed: Removal<R>[] = [];

  // Pass 1.
  const list: R[] = [];
  const catchAll = new Map<number, R>();
  for (const rule of rules) {
    const killer = catchAll.get(rule.family);
    if (killer) {
      removed.push({ rule, reason: 'after-catch-all', by: killer });
      continue;
    }
    list.push(rule);
    if (rule.maskBits === 0 && rule.portMin <= 1 && rule.portMax >= 65535) catchAll.set(rule.family, rule);
  }

  // Pass 2: a rule is deleted when any earlier rule covers it. Tor's loop attributes it to
  // the earliest such rule, which always survives (covering is transitive).
  const groups2 = new PrefixGroups(list);
  const survivors: R[] = [];
  for (let j = 0; j < list.length; j++) {
    const by = groups2.earliestEarlierCover(j);
    if (by >= 0) removed.push({ rule: list[j] as R, reason: 'shadowed', by: list[by] as R });
    else survivors.push(list[j] as R);
  }

  // Pass 3: Tor deletes only at the current position, so every rule is decided against
  // all the rules after it, independently of the other decisions.
  const groups3 = new PrefixGroups(survivors);
  const kept: R[] = [];
  for (let i = 0; i < survivors.length; i++) {
    const by = groups3.laterCoverBeforeConflict(i);
    if (by >= 0) removed.push({ rule: survivors[i] as R, reason: 'redundant', by: survivors[by] as R });
    else kept.push(survivors[i] as R);
  }
  return { kept, removed };
}

type Key = number | bigint;

// Rules grouped by exact prefix (family, length, network), with each prefix's rules in
// policy order and the prefixes of each family sorted by (network, length).
class PrefixGroups {
  private readonly rules: readonly PolicyRule[];
  private readonly lengths: Record<Family, number[]> = { 4: [], 6: [] };
  private readonly byLength: Record<Family, Map<number, Map<Key, number>>> = { 4: new Map(), 6: new Map() };
  private readonly items: number[][] = [];
  private readonly nodeEnd: bigint[] = [];
  private readonly nodeLen: number[] = [];
  private readonly sorted: Record<Family, number[]> = { 4: [], 6: [] };
  private readonly sortedPos: number[] = [];
  private readonly ruleNode: Int32Array;
  private readonly keys: Key[];

  constructor(rules: readonly PolicyRule[]) {
    this.rules = rules;
    this.ruleNode = new Int32Array(rules.length);
    this.keys = new Array<Key>(rules.length);
    const starts: bigint[] = [];
    rules.forEach((r, k) => {
      const key = keyOf(r.family, r.address, r.maskBits);
      this.keys[k] = key;
      let byKey = this.byLength[r.family].get(r.maskBits);
      if (!byKey) this.byLength[r.family].set(r.maskBits, (byKey = new Map()));
      let node = byKey.get(key);
      if (node === undefined) {
        node = this.items.length;
        byKey.set(key, node);
        this.items.push([]);
        starts.push(networkAddress(r.family, r.address, r.maskBits));
        this.nodeEnd.push(lastAddress(r.family, r.address, r.maskBits));
        this.nodeLen.push(r.maskBits);
        this.sorted[r.family].push(node);
      }
      (this.items[node] as number[]).push(k);
      this.ruleNode[k] = node;
    });
    for (const family of [4, 6] as const) {
      this.lengths[family] = [...this.byLength[family].keys()].sort((a, b) => a - b);
      this.sorted[family].sort((a, b) => {
        const sa = starts[a] as bigint;
        const sb = starts[b] as bigint;
        if (sa !== sb) return sa < sb ? -1 : 1;
        return (this.nodeLen[a] as number) - (this.nodeLen[b] as number);
      });
      this.sorted[family].forEach((node, pos) => (this.sortedPos[node] = pos));
    }
    this.starts = starts;
  }

  private readonly starts: bigint[];

  // The prefixes holding rule k's prefix (itself included), shortest first.
  private ancestors(k: number): number[] {
    const r = this.rules[k] as PolicyRule;
    const out: number[] = [];
    for (const len of this.lengths[r.family]) {
      if (len > r.maskBits) break;
      const node = this.byLength[r.family].get(len)?.get(keyOf(r.family, r.address, len));
      if (node !== undefined) out.push(node);
    }
    return out;
  }

  /** Index of the earliest rule before `j` that covers it, or -1. */
  earliestEarlierCover(j: number): number {
    const r = this.rules[j] as PolicyRule;
    let best = -1;
    for (const node of this.ancestors(j)) {
      for (const i of this.items[node] as number[]) {
        if (i >= j || (best >= 0 && i >= best)) break;
        const a = this.rules[i] as PolicyRule;
        if (a.portMin <= r.portMin && a.portMax >= r.portMax) {
          best = i;
          break;
        }
      }
    }
    return best;
  }

  /**
   * For rule `i`: the first later rule that either covers it with the same action (its
   * index is returned) or intersects it with the other action (-1 is returned), as Tor's
   * scan in pass 3; -1 when neither exists.
   */
  laterCoverBeforeConflict(i: number): number {
    const r = this.rules[i] as PolicyRule;
    let first = Number.POSITIVE_INFINITY;
    let firstCovers = false;
    const consider = (j: number, covers: boolean): void => {
      if (j < first) {
        first = j;
        firstCovers = covers;
      }
    };
    // Same prefix and ancestors: every rule there overlaps i's addresses.
    for (const node of this.ancestors(i)) {
      const list = this.items[node] as number[];
      for (let k = upperBound(list, i); k < list.length; k++) {
        const j = list[k] as number;
        if (j >= first) break;
        const b = this.rules[j] as PolicyRule;
        if (b.action !== r.action) {
          if (b.portMin <= r.portMax && r.portMin <= b.portMax) {
            consider(j, false);
            break;
          }
        } else if (b.portMin <= r.portMin && b.portMax >= r.portMax) {
          consider(j, true);
          break;
        }
      }
    }
    // Descendants can only conflict (they never cover i).
    const family = r.family;
    const order = this.sorted[family];
    const end = this.nodeEnd[this.ruleNode[i] as number] as bigint;
    for (let p = (this.sortedPos[this.ruleNode[i] as number] as number) + 1; p < order.length; p++) {
      const node = order[p] as number;
      if ((this.starts[node] as bigint) > end) break;
      const list = this.items[node] as number[];
      for (let k = upperBound(list, i); k < list.length; k++) {
        const j = list[k] as number;
        if (j >= first) break;
        const b = this.rules[j] as PolicyRule;
        if (b.action !== r.action && b.portMin <= r.portMax && r.portMin <= b.portMax) {
          consider(j, false);
          break;
        }
      }
    }
    return firstCovers ? first : -1;
  }
}

function keyOf(family: Family, address: bigint, len: number): Key {
  const key = address >> BigInt(addressBits(family) - len);
  return family === 4 ? Number(key) : key;
}

// First position in the ascending list holding a value greater than `value`.
function upperBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
