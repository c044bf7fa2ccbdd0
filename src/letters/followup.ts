/**
 * The follow-up part of a letter's context, taken from a plan document, the time apply
 * recorded (`readEffectiveTime` of the plan folder's journal) and, a week later, the result of
 * the follow-up check.
 */
import type { PlanDocument } from '../types.js';
import { REMEDY_KINDS } from './context.js';
import type { FollowUpInfo, FollowUpVerification, RemedyKind } from './context.js';
import { LetterError } from './errors.js';

/** What else apply recorded about the change taking effect. */
export interface FollowUpEffect {
  /** Tor closed the open connections the change refuses (journal `openConnectionsClosed`). */
  openConnectionsClosed?: boolean | undefined;
}

/**
 * The remedy, semantic change and effective time of a plan; `effectiveAt` undefined or null
 * means the change is not in force, and the letter then presents it as a proposal. A
 * `verification` (the later check that found the change in force) needs an effective time.
 */
export function followUpFromPlan(
  plan: PlanDocument,
  effectiveAt: string | null | undefined,
  verification?: FollowUpVerification | undefined,
  effect: FollowUpEffect = {},
): FollowUpInfo {
  const kind = plan.remedy.kind;
  if (!(REMEDY_KINDS as readonly string[]).includes(kind)) {
    throw new LetterError('LETTER_BAD_VALUE', `Plan ${plan.id} has a remedy "${kind}" that no letter describes`, {
      field: 'followup.remedy',
      input: kind,
      hint: `the remedies are ${REMEDY_KINDS.join(', ')}`,
    });
  }
  const appliedAt = effectiveAt ?? null;
  if (verification !== undefined && appliedAt === null) {
    throw new LetterError('LETTER_BAD_VALUE', `Plan ${plan.id} is not in force, so no check can have found it in force`, {
      field: 'followup.verification',
      input: verification.verifiedAt,
      hint: 'give the time the change took effect, or leave the verification out',
    });
  }
  return {
    remedy: kind as RemedyKind,
    change: plan.semanticChange,
    appliedAt,
    ...(appliedAt !== null && effect.openConnectionsClosed === true ? { openConnectionsClosed: true } : {}),
    ...(verification !== undefined ? { verification } : {}),
  };
}
