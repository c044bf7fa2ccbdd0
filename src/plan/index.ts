/**
 * Plans: a remedy turned into a reviewable plan folder (torrc.diff, plan.json, summary).
 */
export { createPlan, preparePlan, planFrom } from './create.js';
export type { CreatePlanOptions, PlanOutcome } from './create.js';
export { planDiff, diffPath } from './diff.js';
export type { DiffInput } from './diff.js';
export { buildPlanDocument, sha256Text } from './document.js';
export { chooseProbes } from './probes.js';
export type { LabelledProbe } from './probes.js';
export { renderPlanSummary, summarizeRemedy, changeSentences } from './summary.js';
export type { PlanView } from './summary.js';
export { PlanError } from './errors.js';
export type { PlanErrorCode } from './errors.js';
