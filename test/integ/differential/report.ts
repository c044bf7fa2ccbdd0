/**
 * Failure messages for the differential suite: each mismatch explained, and the first few
 * shrunk to the smallest configuration that still disagrees in the same way.
 */
import type { TorOracle } from '../../helpers/tor-oracle.js';
import type { TorrcCase } from '../../helpers/generate-torrc.js';
import { type CaseOutcome, type Engine, type RunOptions, explainOutcome, minimiseCase, runCase } from './runner.js';

/** Which comparison an outcome fails. */
export function failureKind(outcome: CaseOutcome): string {
  if (!outcome.verdictAgrees) return 'verdict';
  if (outcome.oracleFailed) return 'oracle';
  if (outcome.linesCompared && !outcome.linesAgree) return 'lines';
  if (outcome.probesAgree !== outcome.probes) return 'probes';
  return 'none';
}

/** Explains up to `shown` mismatches, each with its minimised form. */
export async function describeMismatches(
  oracle: TorOracle,
  engine: Engine,
  mismatches: readonly CaseOutcome[],
  options: RunOptions,
  shown: number,
): Promise<string> {
  if (mismatches.length === 0) return '';
  const parts = [`${mismatches.length} case(s) disagree (${countKinds(mismatches)}):`];
  // One of each kind first, so that a flood of one kind does not hide another.
  const byKind = new Map<string, CaseOutcome[]>();
  for (const outcome of mismatches) byKind.set(failureKind(outcome), [...(byKind.get(failureKind(outcome)) ?? []), outcome]);
  const picked: CaseOutcome[] = [];
  for (let round = 0; picked.length < Math.min(shown, mismatches.length); round += 1) {
    for (const list of byKind.values()) if (list[round] && picked.length < shown) picked.push(list[round] as CaseOutcome);
  }
  for (const outcome of picked) {
    const kind = failureKind(outcome);
    let minimised: TorrcCase | undefined;
    try {
      minimised = await minimiseCase(
        outcome.case,
        async (candidate) => failureKind(await runCase(oracle, engine, candidate, options)) === kind,
        150,
      );
    } catch {
      minimised = undefined;
    }
    parts.push(`=== ${kind} mismatch ===\n${explainOutcome(outcome)}`);
    if (minimised && minimised !== outcome.case) {
      const again = await runCase(oracle, engine, minimised, options);
      parts.push(`--- minimised ---\n${explainOutcome(again)}`);
    }
  }
  const rest = mismatches.filter((o) => !picked.includes(o));
  if (rest.length > 0) {
    parts.push(`... and ${rest.length} more: ${rest.slice(0, 30).map((o) => `${o.case.name} (${failureKind(o)})`).join(', ')}`);
  }
  return parts.join('\n\n');
}

function countKinds(outcomes: readonly CaseOutcome[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(failureKind(outcome), (counts.get(failureKind(outcome)) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind}: ${n}`).join(', ');
}
