/**
 * `exitkit apply DIR` and `exitkit revert DIR` as library calls: put a reviewed plan in
 * force on the relay, or take it back, without ever leaving a half-written configuration.
 * The stages and their guarantees are described in `transition.ts`.
 */
import { liveEnvironment } from './live-environment.js';
import { APPLY_OPERATION, REVERT_OPERATION } from './operations.js';
import type { ApplyResult } from './report.js';
import { runTransition, type ApplyOptions } from './transition.js';

export type { ApplyOptions, ApplyStage } from './transition.js';
export type { ApplyResult } from './report.js';

/**
 * Applies the plan in `dir`: lock, check hashes, back up, verify with tor, replace
 * atomically, reload, confirm on the running relay, and roll back if tor does not enforce
 * it. Throws `ApplyError` for every refusal; a rollback throws `APPLY_ROLLED_BACK` with the
 * report attached.
 */
export async function applyPlan(dir: string, options: ApplyOptions): Promise<ApplyResult> {
  return runTransition(dir, APPLY_OPERATION, options, options.environment ?? liveEnvironment());
}

/**
 * Reverts an applied plan: restores the backups its apply took, with the same checks
 * (every file must still hold the plan's content), verification, atomic replacement,
 * reload and confirmation.
 */
export async function revertPlan(dir: string, options: ApplyOptions): Promise<ApplyResult> {
  return runTransition(dir, REVERT_OPERATION, options, options.environment ?? liveEnvironment());
}
