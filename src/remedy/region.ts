/**
 * Address × port regions as policy rules, so that questions about regions are answered by
 * the same engine that computes verdicts (`diffPolicies`), never by separate range math:
 *
 * - the part of a region a policy accepts is what changes when the region's rejects are put
 *   in front of the policy;
 * - a change lies inside an allowed region when putting the change's rejects in front of
 *   "reject the allowed region, accept everything else" changes nothing.
 */
import { parseIpLiteral } from '../net/cidr.js';
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

/** The part of `regions` that `rules` accept (as accept → reject changes). */
export function acceptedWithin(rules: readonly PolicyRule[], regions: readonly TargetRegion[]): PolicyChange {
  return diffPolicies(rules, [...regionRules(regions, 'reject'), ...rules]);
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
