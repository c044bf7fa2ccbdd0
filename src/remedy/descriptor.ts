/**
 * An estimate of the server descriptor's size, because directory authorities refuse a
 * descriptor over 20,000 bytes (`MAX_DESCRIPTOR_UPLOAD_SIZE`, checked in
 * `dirserv_add_descriptor`) while the relay uploads it anyway and drops out of the consensus.
 *
 * Measured on tor 0.4.9.11 (tor-semantics §5): 2,243 bytes without policy lines for a short
 * contact line and no family. The descriptor carries only the IPv4 rules, one line each as
 * `GETINFO exit-policy/full` prints them; ContactInfo and MyFamily add their length.
 */
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
  const { lines: policyLines, bytes: policyBytes } = result.policy ? ipv4Lines(result.policy) : { lines: 0, bytes: 0 };
  const bytes = DESCRIPTOR_BASE_BYTES + extra + policyBytes;
  const policy = result.policy;
  // Only a descriptor over the limit needs the savings, so they are computed when first read.
  let savings: number | undefined;
  const aggregationSavings = (): number =>
    (savings ??= Math.max(0, policyBytes - (policy && !policy.rejectStar ? aggregatedBytes(policy.rules) : policyBytes)));
  const estimate = { bytes, policyBytes, policyLines, overLimit: bytes > MAX_DESCRIPTOR_BYTES };
  return Object.freeze(
    Object.defineProperty(estimate, 'aggregationSavings', { get: aggregationSavings, enumerable: true }) as DescriptorEstimate,
  );
}

// The IPv4 lines as `GETINFO exit-policy/full` prints them (one line a rule, or the single
// line `reject *:*` when both families reject everything): how many, and their bytes.
function ipv4Lines(policy: EffectivePolicy): { lines: number; bytes: number } {
  if (policy.rejectStar) return { lines: 1, bytes: lineBytes('reject *:*') };
  let lines = 0;
  let bytes = 0;
  for (const rule of policy.rules) {
    if (rule.family !== 4) continue;
    lines++;
    bytes += ruleLineBytes(rule.action, Number(rule.address), rule.maskBits, rule.portMin, rule.portMax);
  }
  return { lines, bytes };
}

// Rule lines are ASCII (keywords, address digits, brackets, ports), one byte a character.
function lineBytes(line: string): number {
  return line.length + 1;
}

// Rejects with the same ports are merged where no accept of those ports sits between them:
// merging across an accept could change a verdict, so those runs are kept apart. Only the
// size is wanted, so each merged range is measured as the fewest CIDR blocks covering it.
// IPv4 addresses fit a double exactly, so this is done in numbers.
function aggregatedBytes(rules: readonly PolicyRule[]): number {
  let bytes = 0;
  const run: PolicyRule[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    if (run.length === 1) {
      // One prefix merges with nothing: it is its own fewest blocks.
      const r = run[0] as PolicyRule;
      const size = 2 ** (32 - r.maskBits);
      const address = Number(r.address);
      bytes += ruleLineBytes(r.action, address - (address % size), r.maskBits, r.portMin, r.portMax);
      run.length = 0;
      return;
    }
    // Spans of each port range: [first, last, first, last, ...].
    const byPorts = new Map<number, { rule: PolicyRule; spans: number[] }>();
    for (const r of run) {
      const key = r.portMin * 65536 + r.portMax;
      let group = byPorts.get(key);
      if (!group) byPorts.set(key, (group = { rule: r, spans: [] }));
      const size = 2 ** (32 - r.maskBits);
      const address = Number(r.address);
      const first = address - (address % size);
      group.spans.push(first, first + size - 1);
    }
    for (const { rule, spans } of byPorts.values()) {
      forEachJoinedSpan(spans, (first, last) => {
        for (let at = first; at <= last; ) {
          let size = 1;
          let bits = 32;
          while (bits > 0 && at % (size * 2) === 0 && at + size * 2 - 1 <= last) {
            size *= 2;
            bits--;
          }
          bytes += ruleLineBytes(rule.action, at, bits, rule.portMin, rule.portMax);
          at += size;
        }
      });
    }
    run.length = 0;
  };
  for (const r of rules) {
    if (r.family !== 4) continue;
    if (r.action === 'reject' && r.maskBits > 0) {
      run.push(r);
      continue;
    }
    flush();
    bytes += ruleLineBytes(r.action, Number(r.address), r.maskBits, r.portMin, r.portMax);
  }
  flush();
  return bytes;
}

// Calls `each` for the overlapping and adjacent spans joined, in address order.
function forEachJoinedSpan(spans: number[], each: (first: number, last: number) => void): void {
  const order = Array.from({ length: spans.length / 2 }, (_, k) => 2 * k);
  order.sort((x, y) => (spans[x] as number) - (spans[y] as number));
  let first = -1;
  let last = -2;
  for (const k of order) {
    const a = spans[k] as number;
    const b = spans[k + 1] as number;
    if (first >= 0 && a <= last + 1) {
      if (b > last) last = b;
    } else {
      if (first >= 0) each(first, last);
      first = a;
      last = b;
    }
  }
  if (first >= 0) each(first, last);
}

// The bytes of an IPv4 rule's line as `formatRule` prints it, and its newline, counted without
// printing it: `reject 192.0.2.0/24:80-443`, `*` for /0, no `/32`.
function ruleLineBytes(action: string, address: number, bits: number, portMin: number, portMax: number): number {
  const addr = bits === 0 ? 1 : dottedQuadBytes(address) + (bits < 32 ? 1 + decimalBytes(bits) : 0);
  return action.length + 1 + addr + 1 + portsBytes(portMin, portMax) + 1;
}

// Length of `formatRule`'s text pieces: digits of a number, a dotted quad, a port range.
function decimalBytes(n: number): number {
  return n >= 10000 ? 5 : n >= 1000 ? 4 : n >= 100 ? 3 : n >= 10 ? 2 : 1;
}

function dottedQuadBytes(address: number): number {
  return (
    3 +
    decimalBytes(Math.floor(address / 0x100_0000)) +
    decimalBytes(Math.floor(address / 0x1_0000) % 256) +
    decimalBytes(Math.floor(address / 0x100) % 256) +
    decimalBytes(address % 256)
  );
}

function portsBytes(min: number, max: number): number {
  if (min <= 1 && max === 65535) return 1;
  if (min === max) return decimalBytes(min);
  return decimalBytes(min) + 1 + decimalBytes(max);
}
