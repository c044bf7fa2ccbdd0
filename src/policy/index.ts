/**
 * The exit-policy engine: Tor 0.4.9.11's ExitPolicy grammar, effective-policy assembly,
 * first-match evaluation, printing, summaries, lint findings and semantic diffs.
 */
export { diffPolicies } from './diff.js';
export {
  buildEffectivePolicy,
  DEFAULT_EXIT_POLICY,
  isRejectStar,
  REDUCED_EXIT_POLICY,
  tryBuildEffectivePolicy,
} from './effective.js';
export { PolicyBuildError, PolicyError } from './errors.js';
export {
  compareToPolicy,
  evaluatePolicy,
  firstMatch,
  indexPolicy,
  parseProbeAddress,
  PolicyIndex,
  portVerdicts,
} from './evaluate.js';
export { formatPolicyItem, formatRule, formatTorPolicy } from './format.js';
export { defaultPolicyInputs, policyInputsFromConfig } from './inputs.js';
export { describeOrigin, lintPolicy, PolicyLintFinding } from './lint.js';
export {
  parseExitPolicy,
  parsePolicyItem,
  parsePolicyValue,
  parseTorPolicyLines,
  splitPolicyValue,
} from './parse.js';
export { removeRedundancies } from './prune.js';
export { isPrivateNet, PRIVATE_NETS, Rule, ruleCovers, ruleMatches, rulesIntersect } from './rule.js';
export { isGeneralExit, policySummary } from './summary.js';

export type { EffectivePolicyBuild } from './effective.js';
export type {
  PolicyBuildErrorCode,
  PolicyErrorCode,
  PolicyInputWarningCode,
  PolicyItemErrorCode,
  PolicyItemWarningCode,
  PolicyLintCode,
} from './errors.js';
export type { FuzzyVerdict, PortSegment, PortVerdict, Verdict } from './evaluate.js';
export type { AddressInput, MachineFacts, OptionSetting, PolicyInputs } from './inputs.js';
export type { ItemText, ParsedExitPolicy, ParseItemOptions, PolicyItem, PolicyKeyword } from './parse.js';
export type { PruneResult, Removal } from './prune.js';
export type { RuleFields } from './rule.js';
export type { GeneralExitOptions } from './summary.js';
