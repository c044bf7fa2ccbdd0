/**
 * What a remedy returns: the planned file contents, the configuration before and after
 * (the "after" recomputed from the candidate files), the semantic change between their
 * effective policies, and what the reviewer should know.
 */
import { diffPolicies } from '../policy/diff.js';
import { policySummary } from '../policy/summary.js';
import type { RelayPolicyResult } from '../relay/policy.js';
import type { EffectivePolicy, PolicyChange } from '../types.js';
import type { FileChange, RemedyContext } from './context.js';
import { estimateDescriptor, MAX_DESCRIPTOR_BYTES, type DescriptorEstimate } from './descriptor.js';
import type { TargetRegion } from './region.js';

/** The remedies exitkit plans. */
export type RemedyKind = 'block' | 'unblock' | 'reduce-ports' | 'middle' | 'exit';

/** The port summaries clients choose exits by (`p` and `p6` lines). */
export interface PortSummaries {
  /** IPv4 summary, e.g. `accept 80,443`. */
  readonly ipv4: string;
  /** IPv6 summary. */
  readonly ipv6: string;
}

/** A planned remedy, proven against the recomputed effective policy. */
export interface RemedyResult {
  /** Which remedy. */
  readonly kind: RemedyKind;
  /** The request as normalised (recorded in plan.json). */
  readonly request: Readonly<Record<string, unknown>>;
  /** The case id the remedy is marked with, if any. */
  readonly caseId: string | undefined;
  /** The configuration now. */
  readonly before: RelayPolicyResult;
  /** The configuration with the planned files (equal to `before` when nothing changes). */
  readonly after: RelayPolicyResult;
  /** Files to write; empty when the remedy is already in force. */
  readonly changes: readonly FileChange[];
  /** diffPolicies(before, after): every address × port region whose verdict changes. */
  readonly semanticChange: PolicyChange;
  /** Why nothing needs to change, when nothing does. */
  readonly alreadyInForce: string | undefined;
  /** The regions the remedy is about, with the verdict it promises there. */
  readonly targets: ReadonlyArray<TargetRegion & { readonly verdict: 'accept' | 'reject' }>;
  /** What the reviewer should know (how lines were placed, what stays as it is). */
  readonly notes: readonly string[];
  /** What may surprise (lost Exit flag, descriptor size, default policy in force). */
  readonly warnings: readonly string[];
  /** True when a reload is not enough for tor to enforce the change. */
  readonly needsRestart: boolean;
  /** Why, when it is. */
  readonly restartReason: string | undefined;
  /** Descriptor size estimates. */
  readonly descriptor: { readonly before: DescriptorEstimate; readonly after: DescriptorEstimate };
  /** Port summaries before and after. */
  readonly portSummary: { readonly before: PortSummaries; readonly after: PortSummaries };
}

/** The parts a remedy supplies; the rest is computed. */
export interface RemedyParts {
  /** Which remedy. */
  readonly kind: RemedyKind;
  /** The request as normalised. */
  readonly request: Readonly<Record<string, unknown>>;
  /** The case id of the markers. */
  readonly caseId?: string | undefined;
  /** The recomputed configuration of the candidate files (or `before` when nothing changes). */
  readonly after: RelayPolicyResult;
  /** Files to write. */
  readonly changes: readonly FileChange[];
  /** Why nothing needs to change. */
  readonly alreadyInForce?: string | undefined;
  /** diffPolicies(before, after), when the remedy has computed it already. */
  readonly semanticChange?: PolicyChange | undefined;
  /** What the remedy promises, and where. */
  readonly targets: RemedyResult['targets'];
  /** For the reviewer. */
  readonly notes?: readonly string[] | undefined;
  /** What may surprise. */
  readonly warnings?: readonly string[] | undefined;
  /** A reload is not enough. */
  readonly needsRestart?: boolean | undefined;
  /** Why a restart is needed. */
  readonly restartReason?: string | undefined;
}

/**
 * Port summaries of a policy. Each is computed when first read: a plan prints them only for
 * some remedies, and on a large policy they cost more than the rest of a block.
 */
export function portSummaries(policy: EffectivePolicy): PortSummaries {
  const known = summaries.get(policy);
  if (known) return known;
  const lazy = (family: 4 | 6): (() => string) => {
    let text: string | undefined;
    return () => (text ??= policySummary(policy, family));
  };
  const summary: PortSummaries = Object.freeze(
    Object.defineProperties({} as PortSummaries, {
      ipv4: { get: lazy(4), enumerable: true },
      ipv6: { get: lazy(6), enumerable: true },
    }),
  );
  summaries.set(policy, summary);
  return summary;
}

const summaries = new WeakMap<EffectivePolicy, PortSummaries>();

/** Completes a remedy result: semantic change, descriptor estimates, port summaries. */
export function finishRemedy(context: RemedyContext, parts: RemedyParts): RemedyResult {
  const before = context.before;
  const beforePolicy = before.policy as EffectivePolicy;
  const afterPolicy = parts.after.policy as EffectivePolicy;
  const descriptor = { before: estimateDescriptor(before), after: estimateDescriptor(parts.after) };
  const warnings = [...(parts.warnings ?? [])];
  if (descriptor.after.overLimit) {
    warnings.push(
      `the server descriptor would be about ${descriptor.after.bytes} bytes, over the ${MAX_DESCRIPTOR_BYTES} bytes directory authorities accept: ` +
        'the relay would drop out of the consensus' +
        (descriptor.after.aggregationSavings > 0
          ? `; merging adjacent rejected ranges would save about ${descriptor.after.aggregationSavings} bytes`
          : ''),
    );
  }
  return Object.freeze({
    kind: parts.kind,
    request: parts.request,
    caseId: parts.caseId,
    before,
    after: parts.after,
    changes: Object.freeze([...parts.changes]),
    semanticChange: parts.semanticChange ?? (parts.after === before ? { changes: [] } : diffPolicies(beforePolicy, afterPolicy)),
    alreadyInForce: parts.alreadyInForce,
    targets: parts.targets,
    notes: Object.freeze([...(parts.notes ?? [])]),
    warnings: Object.freeze(warnings),
    needsRestart: parts.needsRestart ?? false,
    restartReason: parts.restartReason,
    descriptor,
    portSummary: { before: portSummaries(beforePolicy), after: portSummaries(afterPolicy) },
  });
}
