/**
 * An estimate of the server descriptor's size, because directory authorities refuse a
 * descriptor over 20,000 bytes (`MAX_DESCRIPTOR_UPLOAD_SIZE`, checked in
 * `dirserv_add_descriptor`) while the relay uploads it anyway and drops out of the consensus.
 *
 * Measured on tor 0.4.9.11 (tor-semantics §5): 2,243 bytes without policy lines for a short
 * contact line and no family. The descriptor carries only the IPv4 rules, one line each as
 * `GETINFO exit-policy/full` prints them; ContactInfo and MyFamily add their length.
 */
import { mergeCidrs, cidrBlock, type CidrBlock } from '../net/merge.js';
import { networkAddress } from '../net/cidr.js';
import { formatRule, formatTorPolicy } from '../policy/format.js';
import type { RelayPolicyResult } from '../relay/policy.js';
import type { PolicyRule } from '../types.js';

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
  const lines = result.policy ? ipv4Lines(formatTorPolicy(result.policy)) : [];
  const policyBytes = bytesOf(lines);
  const bytes = DESCRIPTOR_BASE_BYTES + extra + policyBytes;
  const aggregated = result.policy && !result.policy.rejectStar ? aggregatedBytes(result.policy.rules) : policyBytes;
  return Object.freeze({
    bytes,
    policyBytes,
    policyLines: lines.length,
    overLimit: bytes > MAX_DESCRIPTOR_BYTES,
    aggregationSavings: Math.max(0, policyBytes - aggregated),
  });
}

function ipv4Lines(lines: readonly string[]): string[] {
  return lines.filter((l) => !l.startsWith('accept6') && !l.startsWith('reject6'));
}

function bytesOf(lines: readonly string[]): number {
  return lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
}

// Rejects with the same ports are merged where no accept of those ports sits between them:
// merging across an accept could change a verdict, so those runs are kept apart.
function aggregatedBytes(rules: readonly PolicyRule[]): number {
  const out: string[] = [];
  let run: PolicyRule[] = [];
  const flush = (): void => {
    const byPorts = new Map<string, { rule: PolicyRule; blocks: CidrBlock[] }>();
    for (const r of run) {
      const key = `${r.portMin}-${r.portMax}`;
      const group = byPorts.get(key) ?? { rule: r, blocks: [] };
      group.blocks.push(cidrBlock(4, networkAddress(4, r.address, r.maskBits), r.maskBits));
      byPorts.set(key, group);
    }
    for (const { rule, blocks } of byPorts.values()) {
      for (const b of mergeCidrs(blocks)) out.push(formatRule({ ...rule, address: b.start, maskBits: b.prefix }));
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
    out.push(formatRule(r));
  }
  flush();
  return bytesOf(out);
}
