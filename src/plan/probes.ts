/**
 * Probes: destinations whose verdicts prove a plan, before and after. Every verdict is
 * computed by the engine from the before and after effective policies, never assumed.
 *
 * - Change probes: for each changed region, its first, middle and last addresses on both ends
 *   of its port ranges (the verdict flips there).
 * - Control probes: the addresses just outside a changed region, and the ports just outside
 *   its port ranges; kept only where the verdict stays the same, to show the edge holds.
 * - Target probes: for a remedy already in force, the ends of what it is about (same verdict
 *   before and after).
 */
import { canonicalCidr, formatAddress, lastAddress, maxAddress } from '../net/cidr.js';
import { firstMatch } from '../policy/evaluate.js';
import type { TargetRegion } from '../remedy/region.js';
import { parseCanonicalCidr, rulesWithin } from '../remedy/region.js';
import type { EffectivePolicy, Family, PlanProbe, PolicyChange, VerdictChange } from '../types.js';

/** A probe and what it shows. */
export interface LabelledProbe extends PlanProbe {
  /** `change`: the verdict flips; `control`: just outside, stays; `target`: inside an unchanged target. */
  readonly role: 'change' | 'control' | 'target';
}

const MAX_CHANGES = 12;
const MAX_PROBES = 64;

/** Chooses the probes of a plan. */
export function chooseProbes(
  before: EffectivePolicy,
  after: EffectivePolicy,
  change: PolicyChange,
  targets: readonly TargetRegion[],
): LabelledProbe[] {
  const out = new Map<string, LabelledProbe>();
  const regions = change.changes.slice(0, MAX_CHANGES);
  // Every probe lies in a changed region, next to one, or in a target: only the rules that
  // reach there can decide a probe's verdict.
  const area = probeArea(regions, change.changes.length === 0 ? targets.slice(0, MAX_CHANGES) : []);
  const rulesBefore = rulesWithin(before.rules, area);
  const rulesAfter = rulesWithin(after.rules, area);
  const add = (family: Family, address: bigint, port: number, role: LabelledProbe['role']): void => {
    if (out.size >= MAX_PROBES) return;
    const text = formatAddress(family, address);
    const key = `${text}|${port}`;
    if (out.has(key)) return;
    const b = firstMatch(rulesBefore, family, address, port).verdict;
    const a = firstMatch(rulesAfter, family, address, port).verdict;
    if (role === 'control' && a !== b) return;
    out.set(key, Object.freeze({ address: text, port, before: b, after: a, role }));
  };

  for (const region of regions) {
    const { family, first, middle, last } = ends(region);
    const ports = portEnds(region.ports);
    for (const address of [first, middle, last]) for (const port of ports) add(family, address, port, 'change');
  }
  for (const region of regions) {
    const { family, first, last } = ends(region);
    const port = region.ports[0]?.[0] ?? 1;
    if (first > 0n) add(family, first - 1n, port, 'control');
    if (last < maxAddress(family)) add(family, last + 1n, port, 'control');
    const lowest = region.ports[0]?.[0] ?? 1;
    const highest = region.ports.at(-1)?.[1] ?? 65535;
    if (lowest > 1) add(family, first, lowest - 1, 'control');
    if (highest < 65535) add(family, first, highest + 1, 'control');
  }
  if (change.changes.length === 0) {
    for (const target of targets.slice(0, MAX_CHANGES)) {
      const { family, first, middle, last } = ends({ family: target.family, cidrs: target.cidrs });
      for (const address of [first, middle, last]) for (const port of portEnds(target.ports)) add(family, address, port, 'target');
    }
  }
  return [...out.values()];
}

// The changed regions with the addresses just outside each, and the targets, on every port.
function probeArea(regions: readonly VerdictChange[], targets: readonly TargetRegion[]): TargetRegion[] {
  const cidrs: Record<Family, string[]> = { 4: [], 6: [] };
  for (const region of regions) {
    const { family, first, last } = ends(region);
    for (const cidr of region.cidrs) cidrs[family].push(cidr);
    const full = family === 4 ? 32 : 128;
    if (first > 0n) cidrs[family].push(canonicalCidr(family, first - 1n, full));
    if (last < maxAddress(family)) cidrs[family].push(canonicalCidr(family, last + 1n, full));
  }
  for (const target of targets) for (const cidr of target.cidrs) cidrs[target.family].push(cidr);
  return ([4, 6] as const).filter((family) => cidrs[family].length > 0).map((family) => ({ family, cidrs: cidrs[family], ports: [[1, 65535]] }));
}

function ends(region: { readonly family: Family; readonly cidrs: readonly string[] }): { family: Family; first: bigint; middle: bigint; last: bigint } {
  const cidrs = region.cidrs.map((c) => parseCanonicalCidr(c));
  const head = cidrs[0];
  const tail = cidrs.at(-1);
  const mid = cidrs[Math.floor(cidrs.length / 2)];
  if (!head || !tail || !mid) throw new RangeError('a region without addresses');
  const midLast = lastAddress(mid.family, mid.address, mid.bits);
  return {
    family: region.family,
    first: head.address,
    middle: mid.address + (midLast - mid.address) / 2n,
    last: lastAddress(tail.family, tail.address, tail.bits),
  };
}

// Both ends of each port range; for long lists, those of the first two and the last range.
function portEnds(ports: ReadonlyArray<readonly [number, number]>): number[] {
  const ranges = ports.length > 3 ? [...ports.slice(0, 2), ...ports.slice(-1)] : ports;
  return [...new Set(ranges.flatMap(([min, max]) => [min, max]))];
}
