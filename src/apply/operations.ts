/**
 * What apply and revert move each file from and to. Apply goes from the plan's
 * `beforeSha256` to its planned content; revert goes from the planned content back to the
 * bytes its apply backed up, found through the journal.
 */
import type { PlanDocument } from '../types.js';
import { readBackup } from './backup.js';
import { ApplyError } from './errors.js';
import { findBackup, type JournalEntry } from './journal.js';
import type { FileStep, TransitionSpec } from './transition.js';

/** Apply: every changed file from its planned-before hash to its planned content. */
export const APPLY_OPERATION: TransitionSpec = {
  operation: 'apply',
  expect: 'after',
  checkReadFiles: true,
  async steps(plan: PlanDocument): Promise<FileStep[]> {
    return plan.changes.map((change) => ({
      path: change.path,
      fromSha: change.beforeSha256,
      toSha: change.afterSha256,
      toBytes: Buffer.from(change.after, 'utf8'),
    }));
  },
};

/** Revert: every changed file from its planned content back to the backup its apply took. */
export const REVERT_OPERATION: TransitionSpec = {
  operation: 'revert',
  expect: 'before',
  // Files the plan only read may have been edited since it was applied; that does not stop
  // a revert, and tor still verifies the result before anything is replaced.
  checkReadFiles: false,
  async steps(plan: PlanDocument, history: readonly JournalEntry[]): Promise<FileStep[]> {
    if (!history.some((entry) => entry.event === 'start' && entry.operation === 'apply')) {
      throw new ApplyError('REVERT_NOT_APPLIED', `plan ${plan.id} was never applied: its journal records no apply`, {
        input: plan.id,
        hint: 'there is nothing to revert; to undo a change made another way, make a new plan',
      });
    }
    const steps: FileStep[] = [];
    for (const change of plan.changes) {
      let toBytes: Buffer | null = null;
      if (change.beforeSha256 !== null) {
        const backup = findBackup(history, change.path, change.beforeSha256);
        if (!backup?.backup) {
          throw new ApplyError(
            'REVERT_BACKUP_INVALID',
            `the journal of plan ${plan.id} records no backup of ${change.path} with SHA-256 ${change.beforeSha256}`,
            { input: change.path, hint: 'restore the file by hand (from your own backups) or make a new plan' },
          );
        }
        toBytes = await readBackup(backup.backup, change.beforeSha256);
      }
      steps.push({ path: change.path, fromSha: change.afterSha256, toSha: change.beforeSha256, toBytes });
    }
    return steps;
  },
};
