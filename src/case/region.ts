/**
 * Checking that a promised change still holds, region by region and exactly.
 *
 * A plan's semantic change is a set of regions (CIDR blocks × port ranges) and the verdict
 * each must have after the change. To find where a policy P falls short of it, exitkit puts
 * the region's rules, with the promised verdict, in front of P: the result gives the promised
 * verdict on the region and P's verdict everywhere else, so the semantic difference between
 * P and it (`diffPolicies`) is exactly the part of the region where P does not keep the
 * promise. Nothing is sampled: an empty shortfall means every address and port of the region
 * has the promised verdict.
 *
 * Regions promised later (by a plan applied after this one) take precedence: they are put in
 * front of both policies, so the part they cover never counts against the earlier plan.
 */
import { parsePrintedPolicy } from '../apply/printed-policy.js';
import { parseIPv4, parseIPv6 } from '../net/cidr.js';
import { diffPolicies } from '../policy/diff.js';
import { Rule } from '../policy/rule.js';
import type { Family, PolicyAction, PolicyRule, RuleOrigin, VerdictChange } from '../types.js';

/** Where the rules standing for promised regions come from, for provenance in diffs. */
const PROMISE_ORIGIN: RuleOrigin = { kind: 'config', location: { file: '<promised change>', line: 1 }, item: 'promised region' };

/** Parses canonical CIDR text (`203.0.113.0/24`, `2001:db8::/32`) of the given family. */
export function parseRegionCidr(family: Family, text: string): { address: bigint; bits: number } | undefined {
  const slash = text.lastIndexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? (family === 4 ? '32' : '128') : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > (family === 4 ? 32 : 128)) return undefined;
  const address = family === 4 ? parseIPv4(host) : parseIPv6(host);
  return address === undefined ? undefined : { address, bits };
}

/** The rules giving `action` on exactly the region (each CIDR × each port range). */
export function regionRules(region: VerdictChange, action: PolicyAction = region.after): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const cidr of region.cidrs) {
    const parsed = parseRegionCidr(region.family, cidr);
    if (parsed === undefined) throw new RangeError(`"${cidr}" is not an IPv${region.family} CIDR block`);
    for (const [portMin, portMax] of region.ports) {
      rules.push(Rule.create({ action, family: region.family, address: parsed.address, maskBits: parsed.bits, portMin, portMax, origin: PROMISE_ORIGIN }));
    }
  }
  return rules;
}

/**
 * The parts of `promised` (regions and their `after` verdicts) where `policy` gives another
 * verdict, leaving out what `overriding` regions cover. Each part's `before` is the verdict
 * `policy` gives there and its `after` the promised one. Empty: the promise holds in full.
 */
export function shortfall(
  policy: readonly PolicyRule[],
  promised: readonly VerdictChange[],
  overriding: readonly VerdictChange[] = [],
): VerdictChange[] {
  const front = overriding.flatMap((region) => regionRules(region));
  const expected = promised.flatMap((region) => regionRules(region));
  if (expected.length === 0) return [];
  const actual = [...front, ...policy];
  const wanted = [...front, ...expected, ...policy];
  return diffPolicies(actual, wanted).changes;
}

/** Tor's printed policy (`GETINFO exit-policy/full`) as rules for `shortfall`. */
export function rulesFromTorLines(lines: readonly string[]): PolicyRule[] {
  return parsePrintedPolicy(lines).map((rule, index) =>
    Rule.create({
      action: rule.action,
      family: rule.family,
      address: rule.address,
      maskBits: rule.bits,
      portMin: rule.portMin,
      portMax: rule.portMax,
      origin: { kind: 'config', location: { file: 'GETINFO exit-policy/full', line: index + 1 }, item: `${rule.action} (running tor)` },
    }),
  );
}
