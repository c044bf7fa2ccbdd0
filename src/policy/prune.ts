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
  const survivorAt: number[] = [];
  const covers = groups2.earliestEarlierCovers();
  for (let j = 0; j < list.length; j++) {
    const by = covers[j] as number;
    if (by >= 0) removed.push({ rule: list[j] as R, reason: 'shadowed', by: list[by] as R });
    else {
      survivors.push(list[j] as R);
      survivorAt.push(j);
    }
  }

  // Pass 3: Tor deletes only at the current position, so every rule is decided against
  // all the rules after it, independently of the other decisions. Deciding from the last
  // rule backwards lets the rules after the current one be added to the index one by one.
  // The survivors' prefixes are among pass 2's: its forests serve (prefixes left without
  // rules only add empty nodes).
  const groups3 = new PrefixGroups(survivors, { groups: groups2, at: survivorAt });
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

// Prefixes with more rules than this are swept (`sweepCovers`) rather than scanned.
const SWEEP_FROM = 32;

// A Fenwick tree of minimums over positions 1..65536, all NONE between uses.
const coverTree = new Int32Array(65537).fill(NONE);

// One family's rules grouped by exact prefix: the prefixes as a forest (`PrefixForest`,
// nodes in address order so a subtree is a run of nodes) and each node's rules in policy
// order, stored node after node ("slots"), so the rules of a subtree are a run of slots.
interface FamilyGroups {
  readonly forest: PrefixForest;
  /** The forest node of each rule, -1 for rules of the other family. */
  readonly nodeOf: Int32Array;
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

  /** Groups `rules`; with `base`, rule k is rule `base.at[k]` of the base's rules, whose forests are reused. */
  constructor(rules: readonly PolicyRule[], base?: { groups: PrefixGroups; at: readonly number[] }) {
    this.rules = rules;
    const family = (f: Family): FamilyGroups => {
      if (!base) {
        const forest = new PrefixForest(f, rules);
        return groupFamily(rules, forest, forest.nodeOf);
      }
      const from = base.groups.families[f];
      const nodeOf = new Int32Array(rules.length);
      for (let k = 0; k < rules.length; k++) nodeOf[k] = from.nodeOf[base.at[k] as number] as number;
      return groupFamily(rules, from.forest, nodeOf);
    };
    this.families = { 4: family(4), 6: family(6) };
  }

  /**
   * Per rule, the index of the earliest rule before it that covers it, or -1. Only a rule's
   * own prefix and its ancestors hold all its addresses; on a prefix with many rules (one
   * holding every address often has a rule per port) the earliest covering rule of every
   * asking rule is found in one sweep over the port ranges instead of a scan each.
   */
  earliestEarlierCovers(): Int32Array {
    const best = new Int32Array(this.rules.length).fill(NONE);
    for (const family of [4, 6] as const) {
      const { forest, nodeOf, slotAt, slotRule } = this.families[family];
      const asking = new Map<number, number[]>();
      for (let j = 0; j < this.rules.length; j++) {
        const r = this.rules[j] as PolicyRule;
        for (let node = nodeOf[j] as number; node >= 0; node = forest.parent[node] as number) {
          const start = slotAt[node] as number;
          const end = slotAt[node + 1] as number;
          if (end - start > SWEEP_FROM) {
            const list = asking.get(node);
            if (list) list.push(j);
            else asking.set(node, [j]);
            continue;
          }
          for (let s = start; s < end; s++) {
            const i = slotRule[s] as number;
            if (i >= j || i >= (best[j] as number)) break;
            const a = this.rules[i] as PolicyRule;
            if (a.portMin <= r.portMin && a.portMax >= r.portMax) {
              best[j] = i;
              break;
            }
          }
        }
      }
      for (const [node, list] of asking) {
        this.sweepCovers(slotRule.subarray(slotAt[node] as number, slotAt[node + 1] as number), list, best);
      }
    }
    // A smallest covering index that is the rule itself (own prefix) or later: nothing earlier covers it.
    for (let j = 0; j < best.length; j++) if ((best[j] as number) >= j) best[j] = -1;
    return best;
  }

  // Lowers best[j] of every rule j in `asking` to the smallest rule of `members` (one
  // prefix's rules) covering its ports: asking rules by first port, members with a first
  // port up to it are entered in a tree of minimums by last port (largest first).
  private sweepCovers(members: Int32Array, asking: number[], best: Int32Array): void {
    const rules = this.rules;
    const byMin = Array.from(members).sort((x, y) => (rules[x] as PolicyRule).portMin - (rules[y] as PolicyRule).portMin);
    asking.sort((x, y) => (rules[x] as PolicyRule).portMin - (rules[y] as PolicyRule).portMin);
    const tree = coverTree;
    const touched: number[] = [];
    let next = 0;
    for (const j of asking) {
      const r = rules[j] as PolicyRule;
      while (next < byMin.length && (rules[byMin[next] as number] as PolicyRule).portMin <= r.portMin) {
        const i = byMin[next++] as number;
        // Position 65536 - portMax: a rule reaching further comes first.
        for (let k = 65536 - (rules[i] as PolicyRule).portMax; k <= 65536; k += k & -k) {
          if (i < (tree[k] as number)) {
            tree[k] = i;
            touched.push(k);
          }
        }
      }
      // The minimum over positions up to 65536 - portMax of j: rules whose last port is at least j's.
      let m = NONE;
      for (let k = 65536 - r.portMax; k > 0; k -= k & -k) if ((tree[k] as number) < m) m = tree[k] as number;
      if (m < (best[j] as number)) best[j] = m;
    }
    for (const k of touched) tree[k] = NONE;
  }

  /**
   * For rule `i`: the first later rule that either covers it with the same action (its
   * index is returned) or intersects it with the other action (-1 is returned), as Tor's
   * scan in pass 3; -1 when neither exists. Descendant prefixes are searched among the
   * rules `add`ed so far, which must be exactly the rules after `i`.
   */
  laterCoverBeforeConflict(i: number): number {
    const r = this.rules[i] as PolicyRule;
    const { forest, nodeOf, slotAt, slotRule, added } = this.families[r.family];
    let first = NONE;
    let firstCovers = false;
    // Same prefix and ancestors: every rule there overlaps i's addresses.
    const own = nodeOf[i] as number;
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

function groupFamily(rules: readonly PolicyRule[], forest: PrefixForest, nodeOf: Int32Array): FamilyGroups {
  const slotAt = new Int32Array(forest.size + 1);
  for (let i = 0; i < rules.length; i++) {
    const node = nodeOf[i] as number;
    if (node >= 0) slotAt[node + 1] = (slotAt[node + 1] as number) + 1;
  }
  for (let k = 0; k < forest.size; k++) slotAt[k + 1] = (slotAt[k + 1] as number) + (slotAt[k] as number);
  const slots = slotAt[forest.size] as number;
  const slotRule = new Int32Array(slots);
  const slotOf = new Int32Array(rules.length).fill(-1);
  const fill = slotAt.slice(0, forest.size);
  for (let i = 0; i < rules.length; i++) {
    const node = nodeOf[i] as number;
    if (node < 0) continue;
    const s = fill[node] as number;
    slotRule[s] = i;
    slotOf[i] = s;
    fill[node] = s + 1;
  }
  return { forest, nodeOf, slotAt, slotRule, slotOf, added: { accept: new ConflictTree(slots), reject: new ConflictTree(slots) } };
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
