/**
 * First-match evaluation, as Tor's `compare_tor_addr_to_addr_policy` (src/core/or/policies.c):
 * the first rule whose prefix holds the address and whose port range holds the port
 * decides; when no rule matches, the answer is accept. Families never cross (an IPv4-mapped
 * IPv6 address is IPv6).
 *
 * `PolicyIndex` answers the same question without scanning (see the class).
 */
import { parseIPv4Number, parseIPv6Groups, parseIpLiteral, prefixContains, writeWords, type IpAddress } from '../net/cidr.js';
import { lastAtOrBelow, PrefixForest } from '../net/prefix-forest.js';
import type { EffectivePolicy, Family, PolicyAction, PolicyRule } from '../types.js';
import { PolicyError } from './errors.js';

/** The verdict for a known address and port, and the rule that decided it. */
export interface Verdict {
  /** accept or reject. */
  readonly verdict: PolicyAction;
  /** The deciding rule; undefined when no rule matched (Tor then accepts). */
  readonly rule: PolicyRule | undefined;
  /** Position of the deciding rule in the policy, or -1. */
  readonly index: number;
}

/** Tor's answer when the address or the port is unknown. */
export type FuzzyVerdict = 'accepted' | 'rejected' | 'probably-accepted' | 'probably-rejected';

/** A port range with one verdict for a given address. */
export interface PortVerdict {
  /** First port. */
  readonly portMin: number;
  /** Last port. */
  readonly portMax: number;
  /** accept or reject. */
  readonly verdict: PolicyAction;
  /** The deciding rule, undefined for Tor's fallback accept. */
  readonly rule: PolicyRule | undefined;
  /** Position of the deciding rule, or -1. */
  readonly index: number;
}

type RulesLike = EffectivePolicy | readonly PolicyRule[];

function rulesOf(policy: RulesLike): readonly PolicyRule[] {
  return 'rules' in policy ? policy.rules : policy;
}

/** Parses a probe address (`192.0.2.1`, `2001:db8::1` or `[2001:db8::1]`). */
export function parseProbeAddress(text: string): IpAddress {
  const parsed = parseIpLiteral(text.trim());
  if (!parsed) {
    throw new PolicyError('POLICY_BAD_ADDRESS', `'${text}' is not an IP address`, {
      input: text,
      pos: [0, text.length],
      hint: 'write an IPv4 address such as 192.0.2.1 or an IPv6 address such as 2001:db8::1',
    });
  }
  return parsed;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PolicyError('POLICY_BAD_PORT', `port ${String(port)} is not 1 to 65535`, {
      hint: 'ports are whole numbers from 1 to 65535',
    });
  }
}

/** First match by a linear scan (the reference semantics). */
export function firstMatch(rules: readonly PolicyRule[], family: Family, address: bigint, port: number): Verdict {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as PolicyRule;
    if (
      r.family === family &&
      port >= r.portMin &&
      port <= r.portMax &&
      prefixContains(family, r.address, r.maskBits, address)
    ) {
      return { verdict: r.action, rule: r, index: i };
    }
  }
  return { verdict: 'accept', rule: undefined, index: -1 };
}

/** The verdict of a policy for `address:port` (address as text). */
export function evaluatePolicy(policy: RulesLike, address: string, port: number): Verdict {
  const a = parseProbeAddress(address);
  checkPort(port);
  return firstMatch(rulesOf(policy), a.family, a.address, port);
}

/**
 * Tor's `compare_tor_addr_to_addr_policy` with an unknown address and/or port (what a
 * client decides for an unresolved host name or a port-less question). Both unknown is
 * `rejected`, as in Tor.
 */
export function compareToPolicy(
  policy: RulesLike,
  target: { address?: IpAddress | undefined; port?: number | undefined },
): FuzzyVerdict {
  const rules = rulesOf(policy);
  const { address, port } = target;
  if (address === undefined || address.address === 0n) {
    if (port === undefined || port === 0) return 'rejected';
    return fuzzy(rules, (r) => port >= r.portMin && port <= r.portMax, (r) => r.maskBits === 0);
  }
  if (port === undefined || port === 0) {
    return fuzzy(
      rules,
      (r) => r.family === address.family && prefixContains(r.family, r.address, r.maskBits, address.address),
      (r) => r.portMin <= 1 && r.portMax >= 65535,
    );
  }
  const v = firstMatch(rules, address.family, address.address, port);
  return v.verdict === 'accept' ? 'accepted' : 'rejected';
}

function fuzzy(
  rules: readonly PolicyRule[],
  applies: (r: PolicyRule) => boolean,
  definite: (r: PolicyRule) => boolean,
): FuzzyVerdict {
  let maybeAccept = false;
  let maybeReject = false;
  for (const r of rules) {
    if (!applies(r)) continue;
    if (definite(r)) {
      if (r.action === 'accept') return maybeReject ? 'probably-accepted' : 'accepted';
      return maybeAccept ? 'probably-rejected' : 'rejected';
    }
    if (r.action === 'reject') maybeReject = true;
    else maybeAccept = true;
  }
  return maybeReject ? 'probably-accepted' : 'accepted';
}

/** Which ports are open to `address`: the whole port space as ranges, each with its deciding rule. */
export function portVerdicts(policy: RulesLike, address: string | IpAddress): PortVerdict[] {
  const a = typeof address === 'string' ? parseProbeAddress(address) : address;
  return new PolicyIndex(rulesOf(policy)).portVerdicts(a.family, a.address);
}

/** One port range of an address's port function: the deciding rule index, or -1. */
export interface PortSegment {
  /** First port. */
  readonly portMin: number;
  /** Last port. */
  readonly portMax: number;
  /** Index of the deciding rule, or -1 (Tor's fallback accept). */
  readonly index: number;
}

/** A reusable list of numbers: `data[0..length)` (grows as needed). */
export class VerdictList {
  /** The numbers. */
  data = new Int32Array(64);
  /** How many are in use. */
  length = 0;

  /** Appends two numbers. */
  push(x: number, y: number): void {
    if (this.length + 2 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = x;
    this.data[this.length + 1] = y;
    this.length += 2;
  }
}

// "No rule" inside the index, larger than any rule index so that minimums need no test.
const NONE = 0x7fffffff;

// One family of a policy: its prefix forest, and per prefix node the ports its own rules
// decide (the earliest of its rules per port), as ranges stored back to back.
interface FamilyTable {
  readonly forest: PrefixForest;
  /** Ranges of node k: `paintAt[k]..paintAt[k + 1]`. */
  readonly paintAt: Int32Array;
  /** First port of each range. */
  readonly paintStart: Int32Array;
  /** Earliest rule of the node on each range, or NONE. */
  readonly paintRule: Int32Array;
  /** Smallest rule index on node k and its ancestors: the best the chain above k can give. */
  readonly chainMin: Int32Array;
  /** Smallest rule index on node k itself. */
  readonly firstRule: Int32Array;
  /** Port functions computed so far, per node. */
  readonly functions: Array<readonly PortSegment[] | undefined>;
  /** `nodeOwnPorts` computed so far, per node. */
  readonly ownPorts: Array<Int32Array | undefined>;
}

const NO_RULE: readonly PortSegment[] = Object.freeze([Object.freeze({ portMin: 1, portMax: 65535, index: -1 })]);
const FALLBACK: Verdict = Object.freeze({ verdict: 'accept', rule: undefined, index: -1 });
const probeGroups = new Uint16Array(8);
const probeWords = new Uint32Array(4);

/**
 * An index over a policy answering first-match questions without scanning every rule.
 *
 * Per family the rules' prefixes form a forest (`PrefixForest`): a probe's address is
 * found in a flat table of elementary intervals by binary search, which gives the innermost
 * prefix holding it; the deciding rule is the smallest rule index at the port among that
 * prefix and its ancestors, and the walk up stops as soon as no ancestor can beat it.
 */
export class PolicyIndex {
  private readonly rules: readonly PolicyRule[];
  private readonly v4: FamilyTable;
  private readonly v6: FamilyTable;
  private readonly verdicts: Array<Verdict | undefined>;
  private readonly accepts: Uint8Array;
  // Scratch for `nodeVerdicts`: a chain of prefixes is at most 129 deep.
  private readonly chainScratch = new Int32Array(129);
  private readonly cursorScratch = new Int32Array(129);

  constructor(policy: RulesLike) {
    this.rules = rulesOf(policy);
    this.accepts = Uint8Array.from(this.rules, (r) => (r.action === 'accept' ? 1 : 0));
    this.v4 = buildTable(this.rules, 4);
    this.v6 = buildTable(this.rules, 6);
    this.verdicts = new Array<Verdict | undefined>(this.rules.length);
  }

  /** The verdict for an address and port. */
  verdict(family: Family, address: bigint, port: number): Verdict {
    if (family === 4) return this.result(this.decide(this.v4, this.v4.forest.locateIPv4(Number(address & 0xffff_ffffn)), port));
    writeWords(6, address, probeWords, 0);
    return this.result(this.decide(this.v6, this.v6.forest.locate(probeWords, 0), port));
  }

  /** The verdict for an IPv4 address given as an unsigned 32-bit number (fast path). */
  verdictIPv4(address: number, port: number): PolicyAction {
    const best = this.decide(this.v4, this.v4.forest.locateIPv4(address >>> 0), port);
    return best === NONE ? 'accept' : (this.rules[best] as PolicyRule).action;
  }

  /** The verdict for `address:port`, address as text. */
  evaluate(address: string, port: number): Verdict {
    // Plain dotted quads and bare IPv6 text are read straight into numbers; anything else
    // (brackets, surrounding blanks, errors) takes the general path.
    const v4 = parseIPv4Number(address);
    if (v4 >= 0) {
      checkPort(port);
      return this.result(this.decide(this.v4, this.v4.forest.locateIPv4(v4), port));
    }
    if (address.charCodeAt(0) !== 0x5b && parseIPv6Groups(address, probeGroups)) {
      checkPort(port);
      for (let k = 0; k < 4; k++) {
        probeWords[k] = (((probeGroups[2 * k] as number) << 16) | (probeGroups[2 * k + 1] as number)) >>> 0;
      }
      return this.result(this.decide(this.v6, this.v6.forest.locate(probeWords, 0), port));
    }
    const a = parseProbeAddress(address);
    checkPort(port);
    return this.verdict(a.family, a.address, port);
  }

  /** The port ranges of an address with their verdicts (adjacent ranges of one rule merged). */
  portVerdicts(family: Family, address: bigint): PortVerdict[] {
    const out: PortVerdict[] = [];
    for (const seg of this.portFunction(family, address)) {
      const rule = seg.index < 0 ? undefined : this.rules[seg.index];
      const verdict: PolicyAction = rule ? rule.action : 'accept';
      const last = out[out.length - 1];
      if (last && last.index === seg.index) {
        out[out.length - 1] = { ...last, portMax: seg.portMax };
      } else {
        out.push({ portMin: seg.portMin, portMax: seg.portMax, verdict, rule, index: seg.index });
      }
    }
    return out;
  }

  /**
   * For one address, the deciding rule index (or -1) of every port, as sorted ranges that
   * cover 1..65535. Addresses that see the same prefixes share one (frozen) result.
   */
  portFunction(family: Family, address: bigint): readonly PortSegment[] {
    if (family === 4) return this.portFunctionIPv4(Number(address & 0xffff_ffffn));
    writeWords(6, address, probeWords, 0);
    return this.nodePortFunction(6, this.v6.forest.innermost(probeWords, 0));
  }

  /** `portFunction` for an IPv4 address given as an unsigned 32-bit number. */
  portFunctionIPv4(address: number): readonly PortSegment[] {
    const forest = this.v4.forest;
    return this.nodePortFunction(4, forest.owner[forest.locateIPv4(address >>> 0)] as number);
  }

  /** The prefix forest of one family's rules (node numbers as `nodePortFunction` takes them). */
  forest(family: Family): PrefixForest {
    return family === 4 ? this.v4.forest : this.v6.forest;
  }

  /** `portFunction` of the addresses whose innermost prefix is `node` (-1: no prefix). */
  nodePortFunction(family: Family, node: number): readonly PortSegment[] {
    if (node < 0) return NO_RULE;
    const table = family === 4 ? this.v4 : this.v6;
    const known = table.functions[node];
    if (known) return known;
    const result = Object.freeze(this.nodePortSegments(family, node, 1, 65535).map((seg) => Object.freeze(seg)));
    table.functions[node] = result;
    return result;
  }

  /**
   * `nodePortFunction` on the ports portMin..portMax only (the ranges cover exactly those),
   * computed afresh: a policy with many rules for every address has long port functions,
   * and a caller interested in a few ports need not pay for all of them. With `ownOnly`, as
   * if the prefix had no ancestors.
   */
  nodePortSegments(family: Family, node: number, portMin: number, portMax: number, ownOnly = false): PortSegment[] {
    if (node < 0) return [{ portMin, portMax, index: -1 }];
    const table = family === 4 ? this.v4 : this.v6;
    const chain: number[] = [];
    for (let k = node; k >= 0; k = ownOnly ? -1 : (table.forest.parent[k] as number)) chain.push(k);
    return mergePaints(table, chain, portMin, portMax);
  }

  /**
   * `nodePortSegments` of the chain from `node` up to, not including, the outermost prefix
   * above it: what the inner prefixes decide, before the outermost one is consulted.
   */
  nodeInnerSegments(family: Family, node: number, portMin: number, portMax: number): PortSegment[] {
    const table = family === 4 ? this.v4 : this.v6;
    const parent = table.forest.parent;
    const chain: number[] = [];
    for (let k = node; k >= 0 && (parent[k] as number) >= 0; k = parent[k] as number) chain.push(k);
    if (chain.length === 0) return [{ portMin, portMax, index: -1 }];
    return mergePaints(table, chain, portMin, portMax);
  }

  /**
   * The verdicts on ports portMin..portMax at the addresses whose innermost prefix is `node`
   * (only that prefix's own rules with `ownOnly`), as `[firstPort, accept ? 1 : 0, ...]`
   * with neighbouring ports of one verdict merged, written over `out`: what a comparison of
   * verdicts needs, without an object per range or a new array per call. A `cap` (rule
   * index, -1 for none) decides as if that rule matched every port: ports where no earlier
   * rule of the chain matches take its verdict.
   */
  nodeVerdicts(
    family: Family,
    node: number,
    portMin: number,
    portMax: number,
    ownOnly: boolean,
    out: VerdictList,
    cap = -1,
  ): void {
    out.length = 0;
    if (node < 0) {
      out.push(portMin, cap < 0 ? 1 : (this.accepts[cap] as number));
      return;
    }
    const table = family === 4 ? this.v4 : this.v6;
    const { paintAt, paintStart, paintRule } = table;
    const chain = this.chainScratch;
    const cursor = this.cursorScratch;
    let depth = 0;
    for (let k = node; k >= 0; k = ownOnly ? -1 : (table.forest.parent[k] as number)) chain[depth++] = k;
    for (let m = 0; m < depth; m++) {
      const n = chain[m] as number;
      cursor[m] = lastAtOrBelow(paintStart, paintAt[n] as number, (paintAt[n + 1] as number) - 1, portMin);
    }
    const accepts = this.accepts;
    let last = -1;
    if (depth === 1) {
      // One prefix (a long port function, when it holds rules for every address): its ranges in order.
      const end = paintAt[(chain[0] as number) + 1] as number;
      const capVerdict = cap < 0 ? 1 : (accepts[cap] as number);
      for (let c = cursor[0] as number; c < end; c++) {
        const at = c === cursor[0] ? portMin : (paintStart[c] as number);
        if (at > portMax) break;
        const rule = paintRule[c] as number;
        const verdict = rule < cap || cap < 0 ? (rule === NONE ? 1 : (accepts[rule] as number)) : capVerdict;
        if (verdict !== last) {
          out.push(at, verdict);
          last = verdict;
        }
      }
      return;
    }
    let at = portMin;
    for (;;) {
      let best = cap < 0 ? NONE : cap;
      let next = 65536;
      for (let m = 0; m < depth; m++) {
        const c = cursor[m] as number;
        const rule = paintRule[c] as number;
        if (rule < best) best = rule;
        if (c + 1 < (paintAt[(chain[m] as number) + 1] as number)) {
          const start = paintStart[c + 1] as number;
          if (start < next) next = start;
        }
      }
      const verdict = best === NONE ? 1 : (accepts[best] as number);
      if (verdict !== last) {
        out.push(at, verdict);
        last = verdict;
      }
      if (next > portMax) return;
      at = next;
      for (let m = 0; m < depth; m++) {
        const end = paintAt[(chain[m] as number) + 1] as number;
        let c = cursor[m] as number;
        while (c + 1 < end && (paintStart[c + 1] as number) <= at) c++;
        cursor[m] = c;
      }
    }
  }

  /** The earliest rule on prefix `node` itself. */
  nodeFirstRule(family: Family, node: number): number {
    return (family === 4 ? this.v4 : this.v6).firstRule[node] as number;
  }

  /** The ports the rules on prefix `node` itself match, as sorted disjoint [min, max] pairs. */
  nodeOwnPorts(family: Family, node: number): Int32Array {
    const table = family === 4 ? this.v4 : this.v6;
    const known = table.ownPorts[node];
    if (known) return known;
    const out: number[] = [];
    const end = table.paintAt[node + 1] as number;
    for (let k = table.paintAt[node] as number; k < end; k++) {
      if (table.paintRule[k] === NONE) continue;
      const max = k + 1 < end ? (table.paintStart[k + 1] as number) - 1 : 65535;
      if (out.length > 0 && out[out.length - 1] === (table.paintStart[k] as number) - 1) out[out.length - 1] = max;
      else out.push(table.paintStart[k] as number, max);
    }
    const result = Int32Array.from(out);
    table.ownPorts[node] = result;
    return result;
  }

  /** The deciding rule index (or -1) at `port` for the addresses whose innermost prefix is `node`. */
  nodeDecision(family: Family, node: number, port: number): number {
    const table = family === 4 ? this.v4 : this.v6;
    const best = this.decideAt(table, node, port);
    return best === NONE ? -1 : best;
  }

  // The smallest rule index deciding `port` in the interval, or NONE.
  private decide(table: FamilyTable, interval: number, port: number): number {
    return this.decideAt(table, table.forest.owner[interval] as number, port);
  }

  // The smallest rule index deciding `port` on `node` and its ancestors, or NONE.
  private decideAt(table: FamilyTable, innermost: number, port: number): number {
    const { paintAt, paintStart, paintRule, chainMin } = table;
    const parent = table.forest.parent;
    let best = NONE;
    for (let node = innermost; node >= 0 && (chainMin[node] as number) < best; node = parent[node] as number) {
      const lo = lastAtOrBelow(paintStart, paintAt[node] as number, (paintAt[node + 1] as number) - 1, port);
      const rule = paintRule[lo] as number;
      if (rule < best) best = rule;
    }
    return best;
  }

  private result(best: number): Verdict {
    if (best === NONE) return FALLBACK;
    let v = this.verdicts[best];
    if (v === undefined) {
      const rule = this.rules[best] as PolicyRule;
      v = Object.freeze({ verdict: rule.action, rule, index: best });
      this.verdicts[best] = v;
    }
    return v;
  }
}

/** Builds a `PolicyIndex`. */
export function indexPolicy(policy: RulesLike): PolicyIndex {
  return new PolicyIndex(policy);
}

function buildTable(rules: readonly PolicyRule[], family: Family): FamilyTable {
  const forest = new PrefixForest(family, rules);
  const size = forest.size;
  // Each node's rules in policy order (a counting sort on the node).
  const first = new Int32Array(size + 1);
  for (let i = 0; i < rules.length; i++) {
    const node = forest.nodeOf[i] as number;
    if (node >= 0) first[node + 1] = (first[node + 1] as number) + 1;
  }
  for (let k = 0; k < size; k++) first[k + 1] = (first[k + 1] as number) + (first[k] as number);
  const members = new Int32Array(first[size] as number);
  const fill = first.slice(0, size);
  for (let i = 0; i < rules.length; i++) {
    const node = forest.nodeOf[i] as number;
    if (node < 0) continue;
    const at = fill[node] as number;
    members[at] = i;
    fill[node] = at + 1;
  }
  const paintAt = new Int32Array(size + 1);
  const starts: number[] = [];
  const owners: number[] = [];
  const chainMin = new Int32Array(size);
  const firstRule = new Int32Array(size);
  for (let k = 0; k < size; k++) {
    paintAt[k] = starts.length;
    paint(rules, members.subarray(first[k] as number, first[k + 1] as number), starts, owners);
    const own = members[first[k] as number] as number;
    firstRule[k] = own;
    const p = forest.parent[k] as number;
    chainMin[k] = p >= 0 ? Math.min(own, chainMin[p] as number) : own;
  }
  paintAt[size] = starts.length;
  return {
    forest,
    paintAt,
    paintStart: Int32Array.from(starts),
    paintRule: Int32Array.from(owners),
    chainMin,
    firstRule,
    functions: new Array<readonly PortSegment[] | undefined>(size),
    ownPorts: new Array<Int32Array | undefined>(size),
  };
}

// Appends the earliest rule per port among `indexes` (ascending) as ranges covering
// 1..65535 (NONE where no rule of the node matches).
function paint(rules: readonly PolicyRule[], indexes: Int32Array, starts: number[], owners: number[]): void {
  if (indexes.length === 1) {
    const i = indexes[0] as number;
    const r = rules[i] as PolicyRule;
    if (r.portMin > 1) {
      starts.push(1);
      owners.push(NONE);
    }
    starts.push(r.portMin);
    owners.push(i);
    if (r.portMax < 65535) {
      starts.push(r.portMax + 1);
      owners.push(NONE);
    }
    return;
  }
  const cuts = new Set<number>([1]);
  for (const i of indexes) {
    const r = rules[i] as PolicyRule;
    cuts.add(r.portMin);
    if (r.portMax < 65535) cuts.add(r.portMax + 1);
  }
  const cut = Int32Array.from(cuts).sort();
  const owner = new Int32Array(cut.length).fill(NONE);
  // next[k]: the first unpainted range at or after k (path-compressed).
  const next = new Int32Array(cut.length + 1);
  for (let k = 0; k <= cut.length; k++) next[k] = k;
  const find = (k: number): number => {
    let root = k;
    while (next[root] !== root) root = next[root] as number;
    while (next[k] !== root) {
      const up = next[k] as number;
      next[k] = root;
      k = up;
    }
    return root;
  };
  for (const i of indexes) {
    const r = rules[i] as PolicyRule;
    let k = find(lowerBound(cut, r.portMin));
    while (k < cut.length && (cut[k] as number) <= r.portMax) {
      owner[k] = i;
      next[k] = k + 1;
      k = find(k + 1);
    }
  }
  // Neighbours with the same owner are one range.
  for (let k = 0; k < cut.length; k++) {
    if (k > 0 && owner[k - 1] === owner[k]) continue;
    starts.push(cut[k] as number);
    owners.push(owner[k] as number);
  }
}

// The port function of a chain of nodes on ports portMin..portMax: the smallest rule index
// at every port, as ranges.
function mergePaints(table: FamilyTable, chain: readonly number[], portMin: number, portMax: number): PortSegment[] {
  const { paintAt, paintStart, paintRule } = table;
  const cursor = new Int32Array(chain.length);
  const cuts: number[] = [portMin];
  for (let m = 0; m < chain.length; m++) {
    const node = chain[m] as number;
    const end = paintAt[node + 1] as number;
    // The range holding portMin, then every range starting up to portMax.
    const lo = lastAtOrBelow(paintStart, paintAt[node] as number, end - 1, portMin);
    cursor[m] = lo;
    for (let k = lo + 1; k < end && (paintStart[k] as number) <= portMax; k++) cuts.push(paintStart[k] as number);
  }
  if (chain.length > 1) cuts.sort((x, y) => x - y);
  const out: Array<{ portMin: number; portMax: number; index: number }> = [];
  for (let c = 0; c < cuts.length; c++) {
    const at = cuts[c] as number;
    if (c > 0 && cuts[c - 1] === at) continue;
    let best = NONE;
    for (let m = 0; m < chain.length; m++) {
      const end = paintAt[(chain[m] as number) + 1] as number;
      let k = cursor[m] as number;
      while (k + 1 < end && (paintStart[k + 1] as number) <= at) k++;
      cursor[m] = k;
      const rule = paintRule[k] as number;
      if (rule < best) best = rule;
    }
    const index = best === NONE ? -1 : best;
    const last = out[out.length - 1];
    if (last && last.index === index) continue;
    if (last) last.portMax = at - 1;
    out.push({ portMin: at, portMax, index });
  }
  return out;
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
