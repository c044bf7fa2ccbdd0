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
 * ancestors (a chain in the prefix forest) and on its descendants (a run of the forest's
 * nodes, searched with a segment tree); policies with tens of thousands of rules stay fast.
 */
import { PrefixForest } from '../net/prefix-forest.js';
import type { Family, PolicyAction, PolicyRule, RemovalReason } from '../types.js';

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
  // all the rules after it, independently of the other decisions. Deciding from the last
  // rule backwards lets the rules after the current one be added to the index one by one.
  const groups3 = new PrefixGroups(survivors);
  const coveredBy = new Int32Array(survivors.length);
  for (let i = survivors.length - 1; i >= 0; i--) {
    coveredBy[i] = groups3.laterCoverBeforeConflict(i);
    groups3.add(i);
  }
  const kept: R[] = [];
  for (let i = 0; i < survivors.length; i++) {
    const by = coveredBy[i] as number;
    if (by >= 0) removed.push({ rule: survivors[i] as R, reason: 'redundant', by: survivors[by] as R });
    else kept.push(survivors[i] as R);
  }
  return { kept, removed };
}

const NONE = 0x7fffffff;

// One family's rules grouped by exact prefix: the prefixes as a forest (`PrefixForest`,
// nodes in address order so a subtree is a run of nodes) and each node's rules in policy
// order, stored node after node ("slots"), so the rules of a subtree are a run of slots.
interface FamilyGroups {
  readonly forest: PrefixForest;
  /** Slots of node k: `slotAt[k]..slotAt[k + 1]`. */
  readonly slotAt: Int32Array;
  /** Rule index in each slot. */
  readonly slotRule: Int32Array;
  /** Slot of each rule of the family. */
  readonly slotOf: Int32Array;
  /** Rules added so far (pass 3), per action, by slot. */
  readonly added: Record<PolicyAction, ConflictTree>;
}

class PrefixGroups {
  private readonly rules: readonly PolicyRule[];
  private readonly families: Record<Family, FamilyGroups>;

  constructor(rules: readonly PolicyRule[]) {
    this.rules = rules;
    this.families = { 4: groupFamily(rules, 4), 6: groupFamily(rules, 6) };
  }

  /** Index of the earliest rule before `j` that covers it, or -1. */
  earliestEarlierCover(j: number): number {
    const r = this.rules[j] as PolicyRule;
    const { forest, slotAt, slotRule } = this.families[r.family];
    let best = NONE;
    // Only the rule's own prefix and its ancestors hold all its addresses.
    for (let node = forest.nodeOf[j] as number; node >= 0; node = forest.parent[node] as number) {
      const end = slotAt[node + 1] as number;
      for (let s = slotAt[node] as number; s < end; s++) {
        const i = slotRule[s] as number;
        if (i >= j || i >= best) break;
        const a = this.rules[i] as PolicyRule;
        if (a.portMin <= r.portMin && a.portMax >= r.portMax) {
          best = i;
          break;
        }
      }
    }
    return best === NONE ? -1 : best;
  }

  /**
   * For rule `i`: the first later rule that either covers it with the same action (its
   * index is returned) or intersects it with the other action (-1 is returned), as Tor's
   * scan in pass 3; -1 when neither exists. Descendant prefixes are searched among the
   * rules `add`ed so far, which must be exactly the rules after `i`.
   */
  laterCoverBeforeConflict(i: number): number {
    const r = this.rules[i] as PolicyRule;
    const { forest, slotAt, slotRule, added } = this.families[r.family];
    let first = NONE;
    let firstCovers = false;
    // Same prefix and ancestors: every rule there overlaps i's addresses.
    const own = forest.nodeOf[i] as number;
    for (let node = own; node >= 0; node = forest.parent[node] as number) {
      const end = slotAt[node + 1] as number;
      for (let s = upperBound(slotRule, slotAt[node] as number, end, i); s < end; s++) {
        const j = slotRule[s] as number;
        if (j >= first) break;
        const b = this.rules[j] as PolicyRule;
        if (b.action !== r.action) {
          if (b.portMin <= r.portMax && r.portMin <= b.portMax) {
            first = j;
            firstCovers = false;
            break;
          }
        } else if (b.portMin <= r.portMin && b.portMax >= r.portMax) {
          first = j;
          firstCovers = true;
          break;
        }
      }
    }
    // Descendants can only conflict (they never cover i): the earliest later rule of the
    // other action on a strictly smaller prefix inside i's, with ports meeting i's.
    const other: PolicyAction = r.action === 'accept' ? 'reject' : 'accept';
    const conflict = added[other].earliest(
      slotAt[own + 1] as number,
      slotAt[(forest.last[own] as number) + 1] as number,
      r.portMin,
      r.portMax,
      first,
    );
    if (conflict < first) return -1;
    return firstCovers ? first : -1;
  }

  /** Makes rule `i` visible to `laterCoverBeforeConflict` of the rules before it. */
  add(i: number): void {
    const r = this.rules[i] as PolicyRule;
    const groups = this.families[r.family];
    groups.added[r.action].insert(groups.slotOf[i] as number, i, r.portMin, r.portMax);
  }
}

function groupFamily(rules: readonly PolicyRule[], family: Family): FamilyGroups {
  const forest = new PrefixForest(family, rules);
  const slotAt = new Int32Array(forest.size + 1);
  for (let i = 0; i < rules.length; i++) {
    const node = forest.nodeOf[i] as number;
    if (node >= 0) slotAt[node + 1] = (slotAt[node + 1] as number) + 1;
  }
  for (let k = 0; k < forest.size; k++) slotAt[k + 1] = (slotAt[k + 1] as number) + (slotAt[k] as number);
  const slots = slotAt[forest.size] as number;
  const slotRule = new Int32Array(slots);
  const slotOf = new Int32Array(rules.length).fill(-1);
  const fill = slotAt.slice(0, forest.size);
  for (let i = 0; i < rules.length; i++) {
    const node = forest.nodeOf[i] as number;
    if (node < 0) continue;
    const s = fill[node] as number;
    slotRule[s] = i;
    slotOf[i] = s;
    fill[node] = s + 1;
  }
  return { forest, slotAt, slotRule, slotOf, added: { accept: new ConflictTree(slots), reject: new ConflictTree(slots) } };
}

// First position in `list[from..to)` (ascending) holding a value greater than `value`.
function upperBound(list: Int32Array, from: number, to: number, value: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// A segment tree over slots holding the rules added so far, each tree node with the
// smallest rule index below it and the hull of their port ranges, to find the earliest
// rule in a run of slots whose ports meet a given range.
class ConflictTree {
  private readonly leaves: number;
  private readonly minRule: Int32Array;
  private readonly lowPort: Int32Array;
  private readonly highPort: Int32Array;
  // The current query.
  private from = 0;
  private to = 0;
  private portMin = 0;
  private portMax = 0;
  private best = NONE;

  constructor(slots: number) {
    let leaves = 1;
    while (leaves < slots) leaves *= 2;
    this.leaves = leaves;
    this.minRule = new Int32Array(2 * leaves).fill(NONE);
    this.lowPort = new Int32Array(2 * leaves).fill(65536);
    this.highPort = new Int32Array(2 * leaves);
  }

  insert(slot: number, rule: number, portMin: number, portMax: number): void {
    for (let node = this.leaves + slot; node >= 1; node >>>= 1) {
      if (rule < (this.minRule[node] as number)) this.minRule[node] = rule;
      if (portMin < (this.lowPort[node] as number)) this.lowPort[node] = portMin;
      if (portMax > (this.highPort[node] as number)) this.highPort[node] = portMax;
    }
  }

  /** The smallest rule below `bound` in slots `from..to` whose ports meet `portMin..portMax`; else `bound`. */
  earliest(from: number, to: number, portMin: number, portMax: number, bound: number): number {
    if (from >= to) return bound;
    this.from = from;
    this.to = to;
    this.portMin = portMin;
    this.portMax = portMax;
    this.best = bound;
    this.search(1, 0, this.leaves);
    return this.best;
  }

  private search(node: number, lo: number, hi: number): void {
    if (
      hi <= this.from ||
      lo >= this.to ||
      (this.minRule[node] as number) >= this.best ||
      (this.lowPort[node] as number) > this.portMax ||
      (this.highPort[node] as number) < this.portMin
    ) {
      return;
    }
    if (node >= this.leaves) {
      // A leaf holds one rule, so its hull is its own port range: it meets the query.
      this.best = this.minRule[node] as number;
      return;
    }
    const mid = (lo + hi) >>> 1;
    const left = 2 * node;
    const right = left + 1;
    if ((this.minRule[left] as number) <= (this.minRule[right] as number)) {
      this.search(left, lo, mid);
      this.search(right, mid, hi);
    } else {
      this.search(right, mid, hi);
      this.search(left, lo, mid);
    }
  }
}
