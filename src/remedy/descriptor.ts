/**
 * An estimate of the server descriptor's size, because directory authorities refuse a
 * descriptor over 20,000 bytes (`MAX_DESCRIPTOR_UPLOAD_SIZE`, checked in
 * `dirserv_add_descriptor`) while the relay uploads it anyway and drops out of the consensus.
 *
 * Measured on tor 0.4.9.11 (tor-semantics §5): 2,243 bytes without policy lines for a short
 * contact line and no family. The descriptor carries only the IPv4 rules, one line each as
 * `GETINFO exit-policy/full` prints them; ContactInfo and MyFamily add their length.
 */
import { lastAddress, networkAddress, rangeToPrefixes } from '../net/cidr.js';
import { formatRule, formatTorPolicy } from '../policy/format.js';
import type { RelayPolicyResult } from '../relay/policy.js';
import type { EffectivePolicy, PolicyRule } from '../types.js';

/** What authorities accept at most. */
export const MAX_DESCRIPTOR_BYTES = 20_000;
/** Measured size of a descriptor without policy lines (short contact line, no family). */
export const DESCRIPTOR_BASE_BYTES = 2_243;

/** The estimate for one configuration. */
export interface DescriptorEstimate {
  /** Estimated descriptor size in bytes. */
  readonly bytes: number;
  /** Bytes of the IPv4 policy lines. */
  readonly policyBytes: number;
  /** Number of IPv4 policy lines. */
  readonly policyLines: number;
  /** True when the estimate exceeds what authorities accept. */
  readonly overLimit: boolean;
  /** Bytes saved if the rejected IPv4 ranges of each port range were merged into the fewest CIDR blocks (0 when nothing merges). */
  readonly aggregationSavings: number;
}

/** Estimates the descriptor size for a configuration and its effective policy. */
export function estimateDescriptor(result: RelayPolicyResult): DescriptorEstimate {
  const contact = result.config.value('ContactInfo')?.value ?? '';
  const family = result.config.lines('MyFamily').map((l) => l.value.trim()).filter((v) => v !== '');
  const extra = contact.length + (family.length > 0 ? 'family '.length + family.join(' ').length + 1 : 0);
  const lines = result.policy ? ipv4Lines(result.policy, result.torLines ?? formatTorPolicy(result.policy)) : [];
  const policyBytes = bytesOf(lines);
  const bytes = DESCRIPTOR_BASE_BYTES + extra + policyBytes;
  const policy = result.policy;
  // Only a descriptor over the limit needs the savings, so they are computed when first read.
  let savings: number | undefined;
  const aggregationSavings = (): number =>
    (savings ??= Math.max(0, policyBytes - (policy && !policy.rejectStar ? aggregatedBytes(policy.rules) : policyBytes)));
  const estimate = { bytes, policyBytes, policyLines: lines.length, overLimit: bytes > MAX_DESCRIPTOR_BYTES };
  return Object.freeze(
    Object.defineProperty(estimate, 'aggregationSavings', { get: aggregationSavings, enumerable: true }) as DescriptorEstimate,
  );
}

// The lines of the IPv4 rules (`lines` is the policy's `GETINFO exit-policy/full`: one line
// a rule, or the single IPv4 line `reject *:*`).
function ipv4Lines(policy: EffectivePolicy, lines: readonly string[]): readonly string[] {
  return policy.rejectStar ? lines : lines.filter((_, i) => policy.rules[i]?.family === 4);
}

function bytesOf(lines: readonly string[]): number {
  let sum = 0;
  for (const line of lines) sum += lineBytes(line);
  return sum;
}

// Rule lines are ASCII (keywords, address digits, brackets, ports), one byte a character.
function lineBytes(line: string): number {
  return line.length + 1;
}

// Rejects with the same ports are merged where no accept of those ports sits between them:
// merging across an accept could change a verdict, so those runs are kept apart. Only the
// size is wanted, so each merged range is measured as the fewest CIDR blocks covering it.
function aggregatedBytes(rules: readonly PolicyRule[]): number {
  let bytes = 0;
  let run: PolicyRule[] = [];
  const flush = (): void => {
    const byPorts = new Map<string, { rule: PolicyRule; spans: Array<[bigint, bigint]> }>();
    for (const r of run) {
      const key = `${r.portMin}-${r.portMax}`;
      let group = byPorts.get(key);
      if (!group) byPorts.set(key, (group = { rule: r, spans: [] }));
      group.spans.push([networkAddress(4, r.address, r.maskBits), lastAddress(4, r.address, r.maskBits)]);
    }
    for (const { rule, spans } of byPorts.values()) {
      for (const [first, last] of joinSpans(spans)) {
        for (const p of rangeToPrefixes(4, first, last)) {
          bytes += lineBytes(formatRule({ action: rule.action, family: 4, address: p.address, maskBits: p.bits, portMin: rule.portMin, portMax: rule.portMax, origin: rule.origin }));
        }
      }
    }
    run = [];
  };
  for (const r of rules) {
    if (r.family !== 4) continue;
    if (r.action === 'reject' && r.maskBits > 0) {
      run.push(r);
      continue;
    }
    flush();
    bytes += lineBytes(formatRule(r));
  }
  flush();
  return bytes;
}

// Overlapping and adjacent spans joined, in address order.
function joinSpans(spans: Array<[bigint, bigint]>): Array<[bigint, bigint]> {
  spans.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [first, last] of spans) {
    const previous = out[out.length - 1];
    if (previous && first <= previous[1] + 1n) {
      if (last > previous[1]) previous[1] = last;
    } else {
      out.push([first, last]);
    }
  }
  return out;
}
