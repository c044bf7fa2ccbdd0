/**
 * First-match evaluation, as Tor's `compare_tor_addr_to_addr_policy` (src/core/or/policies.c):
 * the first rule whose prefix holds the address and whose port range holds the port
 * decides; when no rule matches, the answer is accept. Families never cross (an IPv4-mapped
 * IPv6 address is IPv6).
 *
 * `PolicyIndex` answers the same question without scanning: per family, the rules are
 * grouped by prefix (a hash map per prefix length present in the policy); each prefix holds
 * its port ranges with the first rule deciding each. A probe looks up the prefix of each
 * length along its address and takes the earliest deciding rule.
 */
import { addressBits, parseIpLiteral, prefixContains, type IpAddress } from '../net/cidr.js';
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

// One prefix of one length: its port ranges, each with the earliest rule of this prefix
// covering it (-1 where none does).
interface PrefixNode {
  id: number;
  starts: Int32Array;
  index: Int32Array;
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

interface FamilyIndex {
  lengths: number[];
  maps: Map<number, Map<number | bigint, PrefixNode>>;
  memo: Map<string, readonly PortSegment[]>;
}

// The port function of the prefixes along one address: the smallest rule index at every port.
function mergeNodes(nodes: readonly PrefixNode[]): PortSegment[] {
  if (nodes.length === 0) return [{ portMin: 1, portMax: 65535, index: -1 }];
  if (nodes.length === 1) {
    const n = nodes[0] as PrefixNode;
    return Array.from(n.starts, (start, k) => ({
      portMin: start,
      portMax: k + 1 < n.starts.length ? (n.starts[k + 1] as number) - 1 : 65535,
      index: n.index[k] as number,
    }));
  }
  const bounds: number[] = [];
  for (const n of nodes) for (const s of n.starts) bounds.push(s);
  bounds.sort((x, y) => x - y);
  const out: Array<{ portMin: number; portMax: number; index: number }> = [];
  const cursor = new Int32Array(nodes.length);
  for (let k = 0; k < bounds.length; k++) {
    const lo = bounds[k] as number;
    if (k > 0 && bounds[k - 1] === lo) continue;
    let best = -1;
    for (let m = 0; m < nodes.length; m++) {
      const n = nodes[m] as PrefixNode;
      let c = cursor[m] as number;
      while (c + 1 < n.starts.length && (n.starts[c + 1] as number) <= lo) c++;
      cursor[m] = c;
      const idx = n.index[c] as number;
      if (idx >= 0 && (best < 0 || idx < best)) best = idx;
    }
    const last = out[out.length - 1];
    if (last && last.index === best) continue;
    if (last) last.portMax = lo - 1;
    out.push({ portMin: lo, portMax: 65535, index: best });
  }
  return out;
}

/** An index over a policy answering first-match questions without scanning every rule. */
export class PolicyIndex {
  private readonly rules: readonly PolicyRule[];
  private readonly families: Record<Family, FamilyIndex>;

  constructor(policy: RulesLike) {
    this.rules = rulesOf(policy);
    this.families = { 4: buildFamily(this.rules, 4), 6: buildFamily(this.rules, 6) };
  }

  /** The verdict for an address and port. */
  verdict(family: Family, address: bigint, port: number): Verdict {
    const best = family === 4 ? this.lookup4(Number(address), port) : this.lookup6(address, port);
    return this.result(best);
  }

  /** The verdict for an IPv4 address given as an unsigned 32-bit number (fast path). */
  verdictIPv4(address: number, port: number): PolicyAction {
    const best = this.lookup4(address >>> 0, port);
    return best < 0 ? 'accept' : (this.rules[best] as PolicyRule).action;
  }

  /** The verdict for `address:port`, address as text. */
  evaluate(address: string, port: number): Verdict {
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
    return family === 4 ? this.portFunctionIPv4(Number(address)) : this.portFunctionOf(6, 0, address);
  }

  /** `portFunction` for an IPv4 address given as an unsigned 32-bit number. */
  portFunctionIPv4(address: number): readonly PortSegment[] {
    return this.portFunctionOf(4, address >>> 0, 0n);
  }

  private portFunctionOf(family: Family, v4: number, address: bigint): readonly PortSegment[] {
    const fam = this.families[family];
    const nodes: PrefixNode[] = [];
    let signature = '';
    for (const len of fam.lengths) {
      const key = family === 4 ? (len === 0 ? 0 : v4 >>> (32 - len)) : keyOf(family, address, len);
      const node = (fam.maps.get(len) as Map<number | bigint, PrefixNode>).get(key);
      if (node) {
        nodes.push(node);
        signature += `${node.id},`;
      }
    }
    const cached = fam.memo.get(signature);
    if (cached) return cached;
    const result = Object.freeze(mergeNodes(nodes));
    fam.memo.set(signature, result);
    return result;
  }

  private result(best: number): Verdict {
    if (best < 0) return { verdict: 'accept', rule: undefined, index: -1 };
    const rule = this.rules[best] as PolicyRule;
    return { verdict: rule.action, rule, index: best };
  }

  private lookup4(address: number, port: number): number {
    const fam = this.families[4];
    let best = -1;
    for (const len of fam.lengths) {
      const key = len === 0 ? 0 : address >>> (32 - len);
      const node = (fam.maps.get(len) as Map<number | bigint, PrefixNode>).get(key);
      if (node === undefined) continue;
      const idx = node.index[segmentAt(node.starts, port)] as number;
      if (idx >= 0 && (best < 0 || idx < best)) best = idx;
    }
    return best;
  }

  private lookup6(address: bigint, port: number): number {
    const fam = this.families[6];
    let best = -1;
    for (const len of fam.lengths) {
      const node = (fam.maps.get(len) as Map<number | bigint, PrefixNode>).get(keyOf(6, address, len));
      if (node === undefined) continue;
      const idx = node.index[segmentAt(node.starts, port)] as number;
      if (idx >= 0 && (best < 0 || idx < best)) best = idx;
    }
    return best;
  }
}

/** Builds a `PolicyIndex`. */
export function indexPolicy(policy: RulesLike): PolicyIndex {
  return new PolicyIndex(policy);
}

function keyOf(family: Family, address: bigint, len: number): number | bigint {
  const shift = BigInt(addressBits(family) - len);
  const key = address >> shift;
  return family === 4 ? Number(key) : key;
}

// Index of the range holding `port` (largest start ≤ port).
function segmentAt(starts: Int32Array, port: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= port) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function buildFamily(rules: readonly PolicyRule[], family: Family): FamilyIndex {
  const groups = new Map<number, Map<number | bigint, number[]>>();
  rules.forEach((r, i) => {
    if (r.family !== family) return;
    let byKey = groups.get(r.maskBits);
    if (!byKey) groups.set(r.maskBits, (byKey = new Map()));
    const key = keyOf(family, r.address, r.maskBits);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const maps = new Map<number, Map<number | bigint, PrefixNode>>();
  let id = 0;
  for (const [len, byKey] of groups) {
    const nodes = new Map<number | bigint, PrefixNode>();
    for (const [key, indexes] of byKey) nodes.set(key, { id: id++, ...paint(rules, indexes) });
    maps.set(len, nodes);
  }
  return { lengths: [...maps.keys()].sort((a, b) => a - b), maps, memo: new Map() };
}

// The earliest rule per port among `indexes` (ascending), as ranges.
function paint(rules: readonly PolicyRule[], indexes: readonly number[]): Omit<PrefixNode, 'id'> {
  const cuts = new Set<number>([1]);
  for (const i of indexes) {
    const r = rules[i] as PolicyRule;
    cuts.add(r.portMin);
    if (r.portMax < 65535) cuts.add(r.portMax + 1);
  }
  const starts = [...cuts].sort((a, b) => a - b);
  const owner = new Int32Array(starts.length).fill(-1);
  // next[k]: the first unpainted range at or after k (path-compressed).
  const next = new Int32Array(starts.length + 1);
  for (let k = 0; k <= starts.length; k++) next[k] = k;
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
    let k = find(lowerBound(starts, r.portMin));
    while (k < starts.length && (starts[k] as number) <= r.portMax) {
      owner[k] = i;
      next[k] = k + 1;
      k = find(k + 1);
    }
  }
  // Merge neighbours with the same owner.
  const s: number[] = [];
  const o: number[] = [];
  for (let k = 0; k < starts.length; k++) {
    if (o.length > 0 && o[o.length - 1] === owner[k]) continue;
    s.push(starts[k] as number);
    o.push(owner[k] as number);
  }
  return { starts: Int32Array.from(s), index: Int32Array.from(o) };
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
