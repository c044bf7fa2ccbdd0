/**
 * The follow-up part of a letter's context, taken from a plan document and the time apply
 * recorded (`readEffectiveTime` of the plan folder's journal).
 */
import type { PlanDocument } from '../types.js';
import { REMEDY_KINDS } from './context.js';
import type { FollowUpInfo, RemedyKind } from './context.js';
import { LetterError } from './errors.js';

/**
 * The remedy, semantic change and effective time of a plan; `effectiveAt` undefined or null
 * means the change is not in force, and the letter then presents it as a proposal.
 */
export function followUpFromPlan(plan: PlanDocument, effectiveAt: string | null | undefined): FollowUpInfo {
  const kind = plan.remedy.kind;
  if (!(REMEDY_KINDS as readonly string[]).includes(kind)) {
    throw new LetterError('LETTER_BAD_VALUE', `Plan ${plan.id} has a remedy "${kind}" that no letter describes`, {
      field: 'followup.remedy',
      input: kind,
      hint: `the remedies are ${REMEDY_KINDS.join(', ')}`,
    });
  }
  return { remedy: kind as RemedyKind, change: plan.semanticChange, appliedAt: effectiveAt ?? null };
}
