/**
 * The semantic difference between two effective policies: exactly the address × port
 * regions whose first-match verdict changes.
 *
 * Per family, the address space is cut at every rule boundary of both policies (a sweep
 * over at most 2 × (n + m) + 1 elementary ranges); inside one elementary range every address
 * sees the same rules, so each policy's port function is computed once per range (through a
 * `PolicyIndex`) and the two are compared. Changed port ranges are grouped by
 * (before, after, ports), adjacent address ranges merged, and written as CIDR blocks.
 */
import { canonicalCidr, lastAddress, maxAddress, networkAddress, rangeToPrefixes } from '../net/cidr.js';
import type { EffectivePolicy, Family, PolicyAction, PolicyChange, PolicyRule, VerdictChange } from '../types.js';
import { PolicyIndex, type PortSegment } from './evaluate.js';

type RulesLike = EffectivePolicy | readonly PolicyRule[];

interface Group {
  family: Family;
  before: PolicyAction;
  after: PolicyAction;
  ports: Array<readonly [number, number]>;
  ranges: Array<[bigint, bigint]>;
}

/** Every address × port region whose verdict differs between `before` and `after`. */
export function diffPolicies(before: RulesLike, after: RulesLike): PolicyChange {
  const a = 'rules' in before ? before.rules : before;
  const b = 'rules' in after ? after.rules : after;
  const indexA = new PolicyIndex(a);
  const indexB = new PolicyIndex(b);
  const changes: VerdictChange[] = [];
  for (const family of [4, 6] as const) {
    const groups = diffFamily(family, a, b, indexA, indexB);
    groups.sort((x, y) => {
      const ax = (x.ranges[0] as [bigint, bigint])[0];
      const ay = (y.ranges[0] as [bigint, bigint])[0];
      if (ax !== ay) return ax < ay ? -1 : 1;
      return x.before === y.before ? 0 : x.before === 'accept' ? -1 : 1;
    });
    for (const g of groups) {
      changes.push({
        family,
        cidrs: g.ranges.flatMap(([lo, hi]) =>
          rangeToPrefixes(family, lo, hi).map((p) => canonicalCidr(family, p.address, p.bits)),
        ),
        ports: g.ports,
        before: g.before,
        after: g.after,
      });
    }
  }
  return { changes };
}

function diffFamily(
  family: Family,
  a: readonly PolicyRule[],
  b: readonly PolicyRule[],
  indexA: PolicyIndex,
  indexB: PolicyIndex,
): Group[] {
  // IPv4 bounds fit exactly in doubles, which spares the garbage of bigint arithmetic.
  const v4 = family === 4;
  const max = maxAddress(family);
  const cutSet = new Set<number | bigint>([v4 ? 0 : 0n]);
  for (const r of [...a, ...b]) {
    if (r.family !== family) continue;
    const start = networkAddress(family, r.address, r.maskBits);
    const end = lastAddress(family, r.address, r.maskBits);
    cutSet.add(v4 ? Number(start) : start);
    if (end < max) cutSet.add(v4 ? Number(end + 1n) : end + 1n);
  }
  const starts: Array<number | bigint> = v4
    ? Array.from(Float64Array.from(cutSet as Set<number>).sort())
    : [...(cutSet as Set<bigint>)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

  const groups = new Map<string, Group>();
  // Port functions are shared between addresses that see the same prefixes, so the
  // comparison of a pair is computed once.
  const compared = new Map<readonly PortSegment[], Map<readonly PortSegment[], Flip[]>>();
  for (let k = 0; k < starts.length; k++) {
    const lo = starts[k] as number | bigint;
    const fa = v4 ? indexA.portFunctionIPv4(lo as number) : indexA.portFunction(6, lo as bigint);
    const fb = v4 ? indexB.portFunctionIPv4(lo as number) : indexB.portFunction(6, lo as bigint);
    let row = compared.get(fa);
    if (!row) compared.set(fa, (row = new Map()));
    let changed = row.get(fb);
    if (!changed) {
      changed = comparePorts(verdictRanges(fa, a), verdictRanges(fb, b));
      row.set(fb, changed);
    }
    if (changed.length === 0) continue;
    const next = starts[k + 1];
    const loBig = typeof lo === 'number' ? BigInt(lo) : lo;
    const hi = next === undefined ? max : (typeof next === 'number' ? BigInt(next) : next) - 1n;
    for (const c of changed) {
      let g = groups.get(c.key);
      if (!g) {
        g = { family, before: c.before, after: c.after, ports: c.ports, ranges: [] };
        groups.set(c.key, g);
      }
      const last = g.ranges[g.ranges.length - 1];
      if (last && last[1] + 1n === loBig) last[1] = hi;
      else g.ranges.push([loBig, hi]);
    }
  }
  return [...groups.values()];
}

interface Range {
  min: number;
  max: number;
  action: PolicyAction;
}

function verdictRanges(segments: readonly PortSegment[], rules: readonly PolicyRule[]): Range[] {
  const out: Range[] = [];
  for (const seg of segments) {
    const action: PolicyAction = seg.index < 0 ? 'accept' : (rules[seg.index] as PolicyRule).action;
    const last = out[out.length - 1];
    if (last && last.action === action) last.max = seg.portMax;
    else out.push({ min: seg.portMin, max: seg.portMax, action });
  }
  return out;
}

interface Flip {
  before: PolicyAction;
  after: PolicyAction;
  ports: Array<readonly [number, number]>;
  /** Grouping key: direction and ports. */
  key: string;
}

// Both inputs cover 1..65535 in order; returns, per direction, the ports that flip.
function comparePorts(x: readonly Range[], y: readonly Range[]): Flip[] {
  const flips = { 'accept>reject': [] as Array<[number, number]>, 'reject>accept': [] as Array<[number, number]> };
  let i = 0;
  let j = 0;
  let port = 1;
  while (port <= 65535) {
    const rx = x[i] as Range;
    const ry = y[j] as Range;
    const end = Math.min(rx.max, ry.max);
    if (rx.action !== ry.action) {
      const list = rx.action === 'accept' ? flips['accept>reject'] : flips['reject>accept'];
      const last = list[list.length - 1];
      if (last && last[1] + 1 === port) last[1] = end;
      else list.push([port, end]);
    }
    port = end + 1;
    if (rx.max === end) i++;
    if (ry.max === end) j++;
  }
  const out: Flip[] = [];
  const directions = [
    ['accept', 'reject', flips['accept>reject']],
    ['reject', 'accept', flips['reject>accept']],
  ] as const;
  for (const [before, after, ports] of directions) {
    if (ports.length === 0) continue;
    out.push({ before, after, ports, key: `${before}>${after}|${ports.map((p) => `${p[0]}-${p[1]}`).join(',')}` });
  }
  return out;
}
