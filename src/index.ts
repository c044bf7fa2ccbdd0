/**
 * exitkit's library API: what the command line is built from, for scripts and other tools.
 * Each layer keeps its internals to itself; this list is the curated public surface.
 */

// Errors shared by every layer.
export { ExitkitError, formatError, formatLocation } from './errors.js';

// Reading a relay: torrc file set → effective exit policy.
export { loadRelayPolicy, loadRelayPolicySync, relayPolicyFromConfig } from './relay/policy.js';
export { loadConfig, loadConfigSync, parseTorrc, printTorrc, flattenConfig, TorrcError } from './torrc/index.js';

// The exit-policy engine.
export {
  buildEffectivePolicy,
  tryBuildEffectivePolicy,
  policyInputsFromConfig,
  evaluatePolicy,
  indexPolicy,
  portVerdicts,
  formatTorPolicy,
  formatRule,
  parseTorPolicyLines,
  parsePolicyValue,
  lintPolicy,
  policySummary,
  isGeneralExit,
  diffPolicies,
  DEFAULT_EXIT_POLICY,
  REDUCED_EXIT_POLICY,
  PolicyError,
  PolicyBuildError,
} from './policy/index.js';

// Operator input.
export { parseCidrArgument, parsePortList, InputError } from './net/input.js';

// Remedies, plans, apply.
export { planRemedy, listBlocks, RemedyRefusal, RemedyInputError, InvalidConfigError } from './remedy/index.js';
export { createPlan, preparePlan, renderPlanSummary, PlanError } from './plan/index.js';
export { applyPlan, revertPlan } from './apply/apply.js';
export { ApplyError } from './apply/errors.js';

// Tor itself.
export { verifyTorConfig } from './tor/verify.js';
export { TorControl, connectAndAuthenticate, controlTargetsFromConfig } from './tor/control.js';
export { TorCommandError, TorControlError } from './tor/errors.js';

// Letters, complaints, cases.
export { loadTemplates, listTemplates } from './letters/registry.js';
export { renderLetter } from './letters/render.js';
export { formatEml } from './letters/eml.js';
export { describeChange } from './letters/describe.js';
export { relayIdentityFromConfig } from './letters/relay.js';
export { parseComplaint, suggestRemedy } from './complaint/index.js';
export { openCase, listCases, showCase, closeCase, followUp } from './case/index.js';

// The command line, as a function.
export { main } from './cli/main.js';
export { ExitCode } from './cli/exit-codes.js';

export type { SourceLocation, Severity } from './errors.js';
export type {
  ConfigLine,
  ConfigView,
  EffectivePolicy,
  PlanDocument,
  PlanProbe,
  PolicyAction,
  PolicyChange,
  PolicyRule,
  RuleOrigin,
  VerdictChange,
} from './types.js';
export type { RelayPolicyOptions, RelayPolicyResult } from './relay/policy.js';
export type { LoadedConfig, TorrcFile } from './torrc/index.js';
export type { RemedyRequest, RemedyResult } from './remedy/index.js';
export type { PlanOutcome, CreatePlanOptions } from './plan/index.js';
export type { ApplyOptions, ApplyResult } from './apply/apply.js';
export type { CliIO } from './cli/io.js';
