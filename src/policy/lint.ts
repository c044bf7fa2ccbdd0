/**
 * Findings for `exitkit lint`: everything Tor accepts but mis-reads, ignores or deletes in
 * the exit policy, each at the configuration line responsible.
 */
import { setErrorName, formatLocation, type ExitkitError } from '../errors.js';
import type { PolicyRule, RemovedRule, RuleOrigin, SourceLocation } from '../types.js';
import { PolicyError, type PolicyLintCode } from './errors.js';
import { tryBuildEffectivePolicy, type EffectivePolicyBuild } from './effective.js';
import { formatRule } from './format.js';
import type { PolicyInputs } from './inputs.js';
import { parseExitPolicy } from './parse.js';

/** A lint finding about one rule, with the rule that made it dead. */
export class PolicyLintFinding extends PolicyError {
  /** The rule Tor deletes. */
  readonly rule: PolicyRule | undefined;
  /** The rule that makes it dead. */
  readonly by: PolicyRule | undefined;
  /** Where `by` comes from, when it is a configuration line. */
  readonly related: SourceLocation | undefined;

  constructor(
    code: PolicyLintCode,
    message: string,
    options: {
      location?: SourceLocation | undefined;
      hint?: string | undefined;
      rule?: PolicyRule | undefined;
      by?: PolicyRule | undefined;
      input?: string | undefined;
    },
  ) {
    super(code, message, { location: options.location, hint: options.hint, input: options.input, severity: 'warning' });
    this.rule = options.rule;
    this.by = options.by;
    this.related = options.by?.origin.kind === 'config' ? options.by.origin.location : undefined;
  }
}
setErrorName(PolicyLintFinding, 'PolicyLintFinding');

/** Describes where a rule comes from, for messages. */
export function describeOrigin(origin: RuleOrigin): string {
  switch (origin.kind) {
    case 'config':
      return `'${origin.item}' at ${formatLocation(origin.location)}`;
    case 'default-policy':
      return "Tor's default exit policy";
    case 'reduced-policy':
      return 'the reduced exit policy (ReducedExitPolicy 1)';
    case 'reject-private':
      return 'ExitPolicyRejectPrivate';
    case 'ipv6-exit-off':
      return 'IPv6Exit 0';
    case 'own-address':
      return `the relay's own address (${origin.via})`;
    case 'not-exit':
      return origin.reason === 'bridge' ? 'BridgeRelay 1' : origin.reason === 'exit-relay-0' ? 'ExitRelay 0' : 'the non-exit default';
  }
}

/**
 * Every lint finding for a configuration: input problems, parse errors and warnings, and
 * each configured rule Tor deletes, with why and because of which rule.
 */
export function lintPolicy(inputs: PolicyInputs, build: EffectivePolicyBuild = tryBuildEffectivePolicy(inputs)): ExitkitError[] {
  const out: ExitkitError[] = [...build.errors, ...build.warnings];
  const policyLines = inputs.exitPolicy;

  if (inputs.exitRelay.value === 0 && policyLines.length > 0) {
    out.push(new PolicyLintFinding('LINT_EXIT_POLICY_NOT_PARSED',
      `ExitRelay 0: Tor does not even parse the ${policyLines.length} ExitPolicy line${policyLines.length === 1 ? '' : 's'}; the relay rejects everything`,
      { location: inputs.exitRelay.location ?? policyLines[0]?.location,
        hint: 'set ExitRelay 1 (or remove the ExitRelay line) to use the ExitPolicy' }));
    const latent = parseExitPolicy(policyLines);
    for (const error of latent.errors) {
      out.push(new PolicyLintFinding('LINT_LATENT_POLICY_ERROR',
        `${error.message}; Tor will refuse the configuration once ExitRelay is not 0`,
        { location: error.location, input: error.input, hint: error.hint }));
    }
  }
  if (inputs.bridgeRelay.value && inputs.exitRelay.value !== 0 && policyLines.length > 0 && build.policy) {
    out.push(new PolicyLintFinding('LINT_BRIDGE_NOT_EXIT',
      'BridgeRelay 1: the ExitPolicy is kept but ends in reject *:*; a bridge does not work as an exit',
      { location: inputs.bridgeRelay.location, hint: 'remove the ExitPolicy lines, or run a public relay instead of a bridge' }));
  }

  if (build.policy) out.push(...deadRuleFindings(build.policy.rules, build.policy.removed));
  return out;
}

// One finding per configured item whose rules Tor deletes: for an item that loses every
// rule, the most telling reason; for one that keeps some, each other cause of a loss.
function deadRuleFindings(kept: readonly PolicyRule[], removed: readonly RemovedRule[]): PolicyLintFinding[] {
  // Rules of one item share one origin object.
  const keptItems = new Set<RuleOrigin>();
  for (const r of kept) if (r.origin.kind === 'config') keptItems.add(r.origin);
  const byItem = new Map<RuleOrigin, RemovedRule[]>();
  for (const removal of removed) {
    const origin = removal.rule.origin;
    if (origin.kind !== 'config') continue;
    // An item can expand into rules that cover each other (`private` has [::]/8 and
    // [::]/127); that is Tor's own doing, not the operator's.
    if (removal.by.origin === origin) continue;
    const list = byItem.get(origin);
    if (list) list.push(removal);
    else byItem.set(origin, [removal]);
  }
  const findings: PolicyLintFinding[] = [];
  for (const [origin, list] of byItem) {
    if (origin.kind !== 'config') continue;
    const ipv6Off = (r: RemovedRule): boolean => r.by.origin.kind === 'ipv6-exit-off';
    if (keptItems.has(origin)) {
      // The IPv6 half of an item that also works for IPv4 is expected to go.
      const seen = new Set<RuleOrigin>();
      for (const r of list) {
        if (ipv6Off(r) || seen.has(r.by.origin)) continue;
        seen.add(r.by.origin);
        findings.push(finding(r, formatRule(r.rule), origin));
      }
      continue;
    }
    const telling = list.find((r) => !ipv6Off(r));
    if (telling) {
      findings.push(finding(telling, `'${origin.item}'`, origin));
    } else {
      const first = list[0] as RemovedRule;
      findings.push(new PolicyLintFinding('LINT_IPV6_EXIT_OFF',
        `'${origin.item}' never matches: IPv6Exit is 0, so Tor deletes every IPv6 rule and refuses IPv6 exits`,
        { location: origin.location, rule: first.rule, by: first.by, input: origin.item,
          hint: 'set IPv6Exit 1 to exit to IPv6, or remove the rule' }));
    }
  }
  return findings;
}

function finding(removal: RemovedRule, text: string, origin: Extract<RuleOrigin, { kind: 'config' }>): PolicyLintFinding {
  const { rule, reason, by } = removal;
  const code: PolicyLintCode =
    reason === 'after-catch-all' ? 'LINT_AFTER_CATCH_ALL' : reason === 'shadowed' ? 'LINT_SHADOWED' : 'LINT_REDUNDANT';
  const byText = `${formatRule(by)} (${describeOrigin(by.origin)})`;
  const message =
    reason === 'after-catch-all'
      ? `${text} after ${byText} never matches; Tor deletes it`
      : reason === 'shadowed'
        ? `${text} never matches: ${byText} comes first and covers it; Tor deletes it`
        : `${text} changes nothing: ${byText} gives the same verdict later; Tor deletes it`;
  const hint =
    reason === 'redundant'
      ? 'remove the rule, or put a rule with the other action between them'
      : rule.action === by.action
        ? 'remove the rule'
        : `move it before ${formatRule(by)} for it to take effect`;
  return new PolicyLintFinding(code, message, { location: origin.location, rule, by, input: origin.item, hint });
}
