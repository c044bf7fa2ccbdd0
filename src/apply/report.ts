/**
 * The structured result of an apply or revert, and the lines a person reads.
 */
import type { Confirmation } from './confirm.js';
import type { Operation, RunOutcome } from './journal.js';
import type { LockOwner } from './lock.js';
import type { ReloadMethod } from './reload.js';

/** What happened to one live file. */
export interface FileReport {
  /** Live path as the plan names it. */
  path: string;
  /** The regular file written (the symlink target when `path` is a symlink). */
  target: string;
  /** `written` (replaced), `created`, `removed`, or `unchanged` (already in place). */
  action: 'written' | 'created' | 'removed' | 'unchanged';
  /** SHA-256 of the content now there, or null when the file was removed. */
  sha256: string | null;
  /** Backup of the earlier content, null when there was none (a new file, or none recorded). */
  backup: string | null;
}

/** How tor was reloaded. */
export interface ReloadReport {
  /** The method asked for. */
  method: ReloadMethod;
  /** True when tor was restarted rather than reloaded. */
  restarted: boolean;
  /** `done`, `skipped` (method none, or nothing written), `failed`. */
  status: 'done' | 'skipped' | 'failed';
  /** What was done, e.g. `systemctl reload tor@default`. */
  description: string;
  /** When the reload was sent (ISO-8601 UTC). */
  at: string | null;
  /** Why it failed. */
  problem?: string | undefined;
}

/** What a rollback restored after a failure. */
export interface RollbackReport {
  /** Why the change was rolled back. */
  reason: string;
  /** Files given back their earlier content (or removed again). */
  restored: Array<{ path: string; sha256: string | null }>;
  /** Files that could not be restored, with why. */
  notRestored: Array<{ path: string; problem: string }>;
  /** The reload after restoring. */
  reload: ReloadReport | undefined;
  /** Whether the relay enforces the earlier verdicts again. */
  confirmation: Confirmation | undefined;
  /** True when every file was restored and tor accepted the restored configuration. */
  complete: boolean;
}

/** The result of `applyPlan` or `revertPlan`. */
export interface ApplyResult {
  /** `apply` or `revert`. */
  operation: Operation;
  /** How the run ended. */
  outcome: RunOutcome;
  /** The plan's id. */
  planId: string;
  /** The plan folder. */
  planDir: string;
  /** This run's id (names its journal entries and temp files). */
  run: string;
  /** One entry per file the plan changes. */
  files: FileReport[];
  /** The reload or restart. */
  reload: ReloadReport;
  /** Whether the running relay was seen to enforce the change. */
  confirmation: Confirmation;
  /** When the change took effect on the relay (ISO-8601 UTC), null when it is not in force. */
  effectiveAt: string | null;
  /** What an interrupted earlier run left, and what this run did about it. */
  recovery: {
    /** Id of an earlier run of the same operation that never finished. */
    interruptedRun: string | undefined;
    /** Owner recorded in the lock by a run that was killed. */
    lockLeftBy: LockOwner | undefined;
    /** Temp files of earlier runs that were deleted. */
    staleTempsRemoved: string[];
  };
  /** Present when the change was rolled back. */
  rollback?: RollbackReport | undefined;
  /** Things the operator must know (restart needed, open connections persist...). */
  notes: string[];
  /** The report as lines for a terminal. */
  lines: string[];
}

/** Builds the human-readable lines of a result (everything but `lines` must be filled in). */
export function describeResult(result: Omit<ApplyResult, 'lines'>): string[] {
  const lines: string[] = [];
  const verb = result.operation === 'apply' ? 'Applied' : 'Reverted';
  switch (result.outcome) {
    case 'completed':
      lines.push(`${verb} plan ${result.planId} (${result.planDir}).`);
      break;
    case 'unchanged':
      lines.push(
        result.operation === 'apply'
          ? `Plan ${result.planId} is already applied: every file has its planned content. Nothing was written.`
          : `Plan ${result.planId} is not in force: every file already has its earlier content. Nothing was written.`,
      );
      break;
    case 'rolled-back':
      lines.push(`${result.operation === 'apply' ? 'Applying' : 'Reverting'} plan ${result.planId} failed and was rolled back.`);
      break;
    case 'rollback-failed':
      lines.push(`${result.operation === 'apply' ? 'Applying' : 'Reverting'} plan ${result.planId} failed and the ROLLBACK DID NOT COMPLETE.`);
      break;
  }
  if (result.recovery.lockLeftBy) {
    const left = result.recovery.lockLeftBy;
    lines.push(`An earlier ${left.operation} (pid ${left.pid}, started ${left.since}) was interrupted; its lock was taken over.`);
  }
  if (result.recovery.interruptedRun) {
    lines.push(`Recovered the interrupted run ${result.recovery.interruptedRun} of this plan.`);
  }
  for (const stale of result.recovery.staleTempsRemoved) lines.push(`Removed leftover temp file ${stale}.`);
  for (const file of result.files) {
    const where = file.target === file.path ? file.path : `${file.path} (-> ${file.target})`;
    switch (file.action) {
      case 'written':
        lines.push(`Wrote ${where} (sha256 ${file.sha256}).`);
        break;
      case 'created':
        lines.push(`Created ${where} (sha256 ${file.sha256}).`);
        break;
      case 'removed':
        lines.push(`Removed ${where}.`);
        break;
      case 'unchanged':
        lines.push(`${where} already had the wanted content.`);
        break;
    }
    if (file.backup) lines.push(`  backup: ${file.backup}`);
  }
  const reload = result.reload;
  if (reload.status === 'done') lines.push(`Reloaded tor: ${reload.description} at ${reload.at}.`);
  else if (reload.status === 'failed') lines.push(`Reload FAILED: ${reload.problem ?? reload.description}.`);
  const confirmation = result.confirmation;
  if (confirmation.status === 'confirmed') {
    lines.push(
      `Confirmed on the running relay (GETINFO exit-policy/full): ${confirmation.probes
        .map((p) => `${destination(p.address, p.port)} ${p.expected}`)
        .join(', ')}.`,
    );
  } else if (confirmation.status === 'failed') {
    lines.push(`NOT confirmed on the running relay: ${confirmation.reason ?? 'unknown reason'}.`);
  } else if (result.outcome === 'completed') {
    lines.push(`Not confirmed on the running relay: ${confirmation.reason ?? 'no control access'}.`);
  }
  if (result.rollback) {
    const rollback = result.rollback;
    lines.push(`Rolled back because: ${rollback.reason}.`);
    for (const restored of rollback.restored) {
      lines.push(restored.sha256 === null ? `Removed ${restored.path} again.` : `Restored ${restored.path} (sha256 ${restored.sha256}).`);
    }
    for (const failed of rollback.notRestored) lines.push(`COULD NOT RESTORE ${failed.path}: ${failed.problem}`);
    if (rollback.reload?.status === 'done') lines.push(`Reloaded tor again: ${rollback.reload.description}.`);
    if (rollback.reload?.status === 'failed') lines.push(`Reload after restoring FAILED: ${rollback.reload.problem}.`);
    if (rollback.confirmation?.status === 'confirmed') lines.push('The running relay enforces the earlier verdicts again.');
  }
  if (result.effectiveAt) lines.push(`In force since ${result.effectiveAt} (recorded in the journal of ${result.planDir}).`);
  for (const note of result.notes) lines.push(`Note: ${note}`);
  return lines;
}

function destination(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
