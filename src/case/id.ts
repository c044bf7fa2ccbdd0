/**
 * Choosing a new case's id: human-friendly, safe as a folder name, unique in the ledger.
 *
 * The complainant's own reference is the best name, because it is what both sides quote:
 *   1. a reference that already fits the id grammar (`paths.ts`) and is at most 48
 *      characters is used as it is (`CASE-2025-0042`);
 *   2. otherwise every run of characters outside the grammar becomes one `-` and leading
 *      punctuation goes (`Ticket #4711/B` → `Ticket-4711-B`), if at least three letters or
 *      digits are left;
 *   3. otherwise (no reference, or nothing usable in it) the id is the UTC date the case
 *      is opened and a counter (`2025-11-20-1`).
 * A name already taken gets `-2`, `-3`, … (the counter of a date-based id goes up instead).
 * Uniqueness is settled by the ledger creating the folder, which fails for a taken name.
 */
import { isCaseId } from './paths.js';

/** Longest base taken from a reference, leaving room for a `-N` suffix. */
export const MAX_REFERENCE_ID = 48;

/** The base name for a case: from the reference when usable, else undefined. */
export function idFromReference(reference: string | null | undefined): string | undefined {
  if (reference === null || reference === undefined) return undefined;
  const trimmed = reference.trim();
  if (trimmed.length <= MAX_REFERENCE_ID && isCaseId(trimmed)) return trimmed;
  const cleaned = trimmed
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_REFERENCE_ID)
    .replace(/[._-]+$/, '');
  const alnum = cleaned.replace(/[^A-Za-z0-9]/g, '').length;
  return alnum >= 3 && isCaseId(cleaned) ? cleaned : undefined;
}

/**
 * Candidate ids in the order to try them: from the reference when usable (then with `-2`,
 * `-3`, …), else `YYYY-MM-DD-1`, `YYYY-MM-DD-2`, … for the UTC day of `now`.
 */
export function* candidateIds(reference: string | null | undefined, now: Date): Generator<string> {
  const base = idFromReference(reference);
  if (base !== undefined) {
    yield base;
    for (let n = 2; ; n += 1) yield `${base}-${n}`;
  }
  const day = now.toISOString().slice(0, 10);
  for (let n = 1; ; n += 1) yield `${day}-${n}`;
}
