/**
 * The checks every remedy runs on its candidate before anything is planned: the candidate is
 * a configuration Tor accepts (and does not crash on), the remedy's goal holds in the
 * recomputed effective policy, and the semantic change holds nothing but what the remedy
 * intends. Each failure is a `RemedyRefusal` naming the exact regions involved.
 */
import { describeAddresses, describePorts, englishList } from '../letters/describe.js';
import { diffPolicies } from '../policy/diff.js';
import type { RelayPolicyResult } from '../relay/policy.js';
import type { EffectivePolicy, PolicyChange, PolicyRule } from '../types.js';
import { RemedyRefusal } from './errors.js';
import { changeOutside, changeRegions, everything, regionRules, type TargetRegion } from './region.js';

/** "203.0.113.0/24 on ports 80 and 443". */
export function describeRegion(region: TargetRegion): string {
  const cidrs =
    region.cidrs.length > 6
      ? `${region.cidrs.length} IPv${region.family} ranges (${region.cidrs.slice(0, 3).join(', ')}, …)`
      : describeAddresses(region.family, region.cidrs);
  return `${cidrs} on ${describePorts(region.ports)}`;
}

/** The regions of a change, with their verdicts, for messages: "A on P (accept → reject); …". */
export function describeChangeRegions(change: PolicyChange, limit = 5): string {
  const parts = change.changes.slice(0, limit).map((c) => `${describeRegion(c)} (${c.before} → ${c.after})`);
  const more = change.changes.length - limit;
  return more > 0 ? `${parts.join('; ')}; and ${more} more` : parts.join('; ');
}

/** Requires the candidate to be a configuration Tor accepts; returns its policy. */
export function requireValidCandidate(after: RelayPolicyResult, remedy: string): EffectivePolicy {
  if (after.valid && after.policy) return after.policy;
  const errors = after.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  throw new RemedyRefusal(
    'REMEDY_CANDIDATE_INVALID',
    `the ${remedy} would leave a configuration Tor refuses${first ? `: ${first.message}` : ''}`,
    {
      location: first?.location,
      hint: first?.hint ?? 'fix the configuration so that the change can be made, then plan again',
      details: errors,
      cause: first,
    },
  );
}

/**
 * Requires the candidate's verdicts to equal `expected` everywhere. Traffic the expectation
 * rejects inside `goal` but the candidate accepts means the goal does not hold
 * (`REMEDY_NOT_EFFECTIVE`); any other mismatch is a change the remedy did not ask for
 * (`REMEDY_UNINTENDED_CHANGE`).
 */
export function requireVerdicts(
  expected: readonly PolicyRule[],
  after: EffectivePolicy,
  remedy: string,
  why: string,
  goal: readonly TargetRegion[],
): void {
  const mismatch = diffPolicies(expected, after);
  if (mismatch.changes.length === 0) return;
  const stillOpen: PolicyChange = { changes: mismatch.changes.filter((c) => c.before === 'reject') };
  const openInGoal = stillOpen.changes.length > 0 && !sameRegions(changeOutside(stillOpen, goal), stillOpen);
  if (openInGoal) {
    throw new RemedyRefusal(
      'REMEDY_NOT_EFFECTIVE',
      `the ${remedy} would not be effective: Tor would still accept ${describeChangeRegions(stillOpen)}`,
      { hint: `${why}; exitkit writes no rule that would only look applied — edit the policy by hand or report this`, regions: stillOpen },
    );
  }
  throw new RemedyRefusal(
    'REMEDY_UNINTENDED_CHANGE',
    `the ${remedy} would also change verdicts it is not about (intended verdict → planned verdict): ${describeChangeRegions(mismatch)}`,
    { hint: `${why}; exitkit plans nothing beyond the remedy — edit the policy by hand if this is wanted`, regions: mismatch },
  );
}

/**
 * `requireVerdicts` for a candidate whose semantic change is known: the candidate gives the
 * verdicts of `expected` everywhere exactly when its change from the policy now (`change`) is
 * the change `expected` makes (`expectedChange`), both computed from the same policy now. Two
 * equal descriptions are the same regions, which settles it without comparing the policies
 * again; otherwise `requireVerdicts` compares them and names the regions that differ.
 */
export function requireChange(
  change: PolicyChange,
  expectedChange: PolicyChange,
  expected: readonly PolicyRule[],
  after: EffectivePolicy,
  remedy: string,
  why: string,
  goal: readonly TargetRegion[],
): void {
  if (sameDescription(change, expectedChange)) return;
  requireVerdicts(expected, after, remedy, why, goal);
}

function sameDescription(a: PolicyChange, b: PolicyChange): boolean {
  const same = <T>(x: readonly T[], y: readonly T[], eq: (p: T, q: T) => boolean): boolean =>
    x.length === y.length && x.every((item, k) => eq(item, y[k] as T));
  return same(a.changes, b.changes, (x, y) =>
    x.family === y.family &&
    x.before === y.before &&
    x.after === y.after &&
    same(x.cidrs, y.cidrs, (p, q) => p === q) &&
    same(x.ports, y.ports, (p, q) => p[0] === q[0] && p[1] === q[1]),
  );
}

function sameRegions(a: PolicyChange, b: PolicyChange): boolean {
  const rules = (c: PolicyChange): PolicyRule[] => [...regionRules(changeRegions(c), 'reject'), ...everything('accept')];
  return diffPolicies(rules(a), rules(b)).changes.length === 0;
}

/** Requires every change to go one way (`accept → reject` to tighten, the reverse to loosen). */
export function requireDirection(change: PolicyChange, direction: 'tighten' | 'loosen', remedy: string): void {
  const wrong = change.changes.filter((c) => (direction === 'tighten' ? c.before === 'reject' : c.before === 'accept'));
  if (wrong.length === 0) return;
  throw new RemedyRefusal(
    'REMEDY_UNINTENDED_CHANGE',
    `the ${remedy} would ${direction === 'tighten' ? 'open' : 'close'} ${describeChangeRegions({ changes: wrong })}, which it must never do`,
    { hint: 'exitkit plans nothing beyond the remedy — edit the policy by hand if this is wanted', regions: { changes: wrong } },
  );
}

/** Requires every changed address × port to lie inside `allowed`. */
export function requireWithin(change: PolicyChange, allowed: readonly TargetRegion[], remedy: string): void {
  const outside = changeOutside(change, allowed);
  if (outside.changes.length === 0) return;
  throw new RemedyRefusal(
    'REMEDY_UNINTENDED_CHANGE',
    `the ${remedy} would change verdicts outside ${englishList(allowed.map(describeRegion))}, at ${englishList(
      outside.changes.slice(0, 5).map(describeRegion),
    )}${outside.changes.length > 5 ? ' and more' : ''}`,
    { hint: 'exitkit plans nothing beyond the remedy — edit the policy by hand if this is wanted', regions: outside },
  );
}
