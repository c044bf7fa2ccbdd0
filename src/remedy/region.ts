/**
 * Address × port regions as policy rules, so that questions about regions are answered by
 * the same engine that computes verdicts (`diffPolicies`), never by separate range math:
 *
 * - the part of a region a policy accepts is what changes when the region's rejects are put
 *   in front of the policy;
 * - a change lies inside an allowed region when putting the change's rejects in front of
 *   "reject the allowed region, accept everything else" changes nothing.
 *
 * A question about a small region of a large policy only needs the rules that share an
 * address and a port with the region (`rulesWithin`): first match inside the region is the
 * same with or without the others, since they never match there.
 */
import { addressBits, canonicalCidr, lastAddress, networkAddress, parseIpLiteral, prefixMask } from '../net/cidr.js';
import type { PortRange } from '../net/merge.js';
import { diffPolicies } from '../policy/diff.js';
import { Rule } from '../policy/rule.js';
import type { Family, PolicyAction, PolicyChange, PolicyRule, RuleOrigin, VerdictChange } from '../types.js';

/** A region of one family: every address of `cidrs` on every port of `ports`. */
export interface TargetRegion {
  /** Address family. */
  readonly family: Family;
  /** Canonical CIDR blocks (`203.0.113.0/24`, `2001:db8::/32`). */
  readonly cidrs: readonly string[];
  /** Inclusive port ranges. */
  readonly ports: readonly PortRange[];
}

// Rules built here only ever feed the engine; they never reach a file.
const REGION_ORIGIN: RuleOrigin = Object.freeze({ kind: 'config', location: Object.freeze({ file: '<region>', line: 1 }), item: '<region>' });

/** Parses a canonical CIDR (`a.b.c.d/N`, `v6/N`) as produced by the net and policy layers. */
export function parseCanonicalCidr(text: string): { family: Family; address: bigint; bits: number } {
  const slash = text.lastIndexOf('/');
  const parsed = parseIpLiteral(slash < 0 ? text : text.slice(0, slash));
  if (!parsed) throw new RangeError(`not a canonical CIDR: ${text}`);
  const full = parsed.family === 4 ? 32 : 128;
  const bits = slash < 0 ? full : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > full) throw new RangeError(`not a canonical CIDR: ${text}`);
  return { family: parsed.family, address: parsed.address, bits };
}

/** One rule per CIDR × port range of each region. */
export function regionRules(regions: readonly TargetRegion[], action: PolicyAction): Rule[] {
  const rules: Rule[] = [];
  for (const region of regions) {
    for (const cidr of region.cidrs) {
      const { family, address, bits } = parseCanonicalCidr(cidr);
      if (family !== region.family) throw new RangeError(`${cidr} is not IPv${region.family}`);
      for (const [portMin, portMax] of region.ports) {
        rules.push(Rule.create({ action, family, address, maskBits: bits, portMin, portMax, origin: REGION_ORIGIN }));
      }
    }
  }
  return rules;
}

/** The region a rule matches: its prefix on its ports. */
export function ruleRegion(rule: PolicyRule): TargetRegion {
  return {
    family: rule.family,
    cidrs: [canonicalCidr(rule.family, networkAddress(rule.family, rule.address, rule.maskBits), rule.maskBits)],
    ports: [[rule.portMin, rule.portMax]],
  };
}

/** Every address and port of both families. */
export function everything(action: PolicyAction): Rule[] {
  return ([4, 6] as const).map((family) =>
    Rule.create({ action, family, address: 0n, maskBits: 0, portMin: 1, portMax: 65535, origin: REGION_ORIGIN }),
  );
}

/** The regions of a semantic change (optionally only those with a given before → after). */
export function changeRegions(change: PolicyChange, filter?: (c: VerdictChange) => boolean): TargetRegion[] {
  return change.changes.filter((c) => filter?.(c) ?? true).map((c) => ({ family: c.family, cidrs: c.cidrs, ports: c.ports }));
}

/**
 * The rules that share at least one address and port with one of the regions, in their
 * order. Inside the regions, first match over these gives every verdict of `rules`.
 */
export function rulesWithin(rules: readonly PolicyRule[], regions: readonly TargetRegion[]): PolicyRule[] {
  const boxes = regions.map((region) => ({ family: region.family, spans: addressSpans(region), ports: mergeRanges(region.ports) }));
  const { first, last } = ruleSpans(rules);
  const out: PolicyRule[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as PolicyRule;
    for (const box of boxes) {
      if (box.family === rule.family && portsMeet(box.ports, rule.portMin, rule.portMax) && spansMeet(box.spans, first[i] as bigint, last[i] as bigint)) {
        out.push(rule);
        break;
      }
    }
  }
  return out;
}

function portsMeet(ports: readonly PortRange[], min: number, max: number): boolean {
  for (const range of ports) if (min <= range[1] && range[0] <= max) return true;
  return false;
}

interface RuleSpans {
  /** First address of each rule's prefix. */
  readonly first: readonly bigint[];
  /** Last address of each rule's prefix. */
  readonly last: readonly bigint[];
}

// The network and host masks of every prefix length, made once (networkAddress and
// lastAddress of a rule, without building its masks again for every rule).
const masks: Partial<Record<Family, { network: bigint[]; host: bigint[] }>> = {};

function masksOf(family: Family): { network: bigint[]; host: bigint[] } {
  let known = masks[family];
  if (!known) {
    const lengths = Array.from({ length: addressBits(family) + 1 }, (_, bits) => bits);
    known = {
      network: lengths.map((bits) => prefixMask(family, bits)),
      host: lengths.map((bits) => lastAddress(family, 0n, bits)),
    };
    masks[family] = known;
  }
  return known;
}

// A plan asks about the same (frozen) effective policies several times.
const spanCache = new WeakMap<readonly PolicyRule[], RuleSpans>();

function ruleSpans(rules: readonly PolicyRule[]): RuleSpans {
  const known = spanCache.get(rules);
  if (known) return known;
  const first = new Array<bigint>(rules.length);
  const last = new Array<bigint>(rules.length);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as PolicyRule;
    const { network, host } = masksOf(r.family);
    first[i] = r.address & (network[r.maskBits] as bigint);
    last[i] = (first[i] as bigint) | (host[r.maskBits] as bigint);
  }
  const spans: RuleSpans = { first, last };
  if (Object.isFrozen(rules)) spanCache.set(rules, spans);
  return spans;
}

// The region's addresses as sorted, disjoint [first, last] spans.
function addressSpans(region: TargetRegion): Array<[bigint, bigint]> {
  const spans = region.cidrs
    .map((cidr): [bigint, bigint] => {
      const { family, address, bits } = parseCanonicalCidr(cidr);
      if (family !== region.family) throw new RangeError(`${cidr} is not IPv${region.family}`);
      return [networkAddress(family, address, bits), lastAddress(family, address, bits)];
    })
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [lo, hi] of spans) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

// Whether [lo, hi] shares an address with one of the sorted, disjoint spans.
function spansMeet(spans: ReadonlyArray<readonly [bigint, bigint]>, lo: bigint, hi: bigint): boolean {
  let a = 0;
  let b = spans.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((spans[mid] as readonly [bigint, bigint])[1] < lo) a = mid + 1;
    else b = mid;
  }
  const span = spans[a];
  return span !== undefined && span[0] <= hi;
}

/** The part of `regions` that `rules` accept (as accept → reject changes). */
export function acceptedWithin(rules: readonly PolicyRule[], regions: readonly TargetRegion[]): PolicyChange {
  const within = rulesWithin(rules, regions);
  return diffPolicies(within, [...regionRules(regions, 'reject'), ...within]);
}

/** The part of a change that lies outside `allowed` (empty when the change is inside). */
export function changeOutside(change: PolicyChange, allowed: readonly TargetRegion[]): PolicyChange {
  const base = [...regionRules(allowed, 'reject'), ...everything('accept')];
  return diffPolicies(base, [...regionRules(changeRegions(change), 'reject'), ...base]);
}

/** The ports on which `rules` accept at least one address of `family`. */
export function acceptedPorts(rules: readonly PolicyRule[], family: Family): PortRange[] {
  const change = diffPolicies(rules, everything('reject'));
  const ports = change.changes.filter((c) => c.family === family && c.before === 'accept').flatMap((c) => c.ports);
  return mergeRanges(ports);
}

/** Sorted, joined port ranges. */
export function mergeRanges(ranges: Iterable<PortRange>): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [min, max] of sorted) {
    const last = out.at(-1);
    if (last && min <= last[1] + 1) last[1] = Math.max(last[1], max);
    else out.push([min, max]);
  }
  return out.map(([a, b]) => [a, b] as const);
}

/** The ports in both lists. */
export function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const [a0, a1] of a) {
    for (const [b0, b1] of b) {
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return mergeRanges(out);
}

/** The ports of 1..65535 not in the list. */
export function complementRanges(ranges: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let next = 1;
  for (const [min, max] of mergeRanges(ranges)) {
    if (min > next) out.push([next, min - 1]);
    next = Math.max(next, max + 1);
  }
  if (next <= 65535) out.push([next, 65535]);
  return out;
}

/** The ports of `a` not in `b`. */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  return intersectRanges(a, complementRanges(b));
}
