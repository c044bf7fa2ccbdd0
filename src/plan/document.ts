/**
 * `plan.json` (a `PlanDocument`): everything `exitkit apply` needs, and the record of what
 * the plan means — the SHA-256 of every file read, the planned contents, the semantic change
 * computed from the before and after effective policies, and the probes proving it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { RemedyResult } from '../remedy/result.js';
import type { PlanDocument } from '../types.js';
import { PlanError } from './errors.js';
import type { LabelledProbe } from './probes.js';

/** SHA-256 (hex) of a text's UTF-8 bytes, as apply computes it. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A path as plan.json and torrc.diff name it: normalised (`/etc/tor/./torrc.d/a.conf` →
 * `/etc/tor/torrc.d/a.conf`). Tor opens paths as written; the normalised name is the same
 * file unless a `..` crosses a symlink, and apply refuses to write a file whose SHA-256 is
 * not the one read.
 */
export function planPath(absolute: string): string {
  const normal = path.normalize(absolute);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** Builds the plan document of a remedy result. */
export function buildPlanDocument(
  result: RemedyResult,
  details: { id: string; now: Date; probes: readonly LabelledProbe[]; summary: string },
): PlanDocument {
  const options = result.before.config.options;
  const readFiles = new Map<string, string>();
  for (const f of result.before.config.files) if (!readFiles.has(planPath(f.path))) readFiles.set(planPath(f.path), f.sha256);
  const changes = result.changes.map((c) => ({ path: planPath(c.path), beforeSha256: c.beforeSha256, afterSha256: sha256Text(c.after), after: c.after }));
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.path)) {
      throw new PlanError('PLAN_BAD_PATH', `the plan would write ${c.path} twice: the configuration reads it under two names`, {
        input: c.path,
        hint: 'include each file under one path only',
      });
    }
    seen.add(c.path);
  }
  return {
    format: 'exitkit-plan/1',
    id: details.id,
    createdAt: details.now.toISOString(),
    torrc: planPath(options.torrc),
    defaultsTorrc: options.defaultsTorrc === undefined ? null : planPath(options.defaultsTorrc),
    cwd: planPath(options.cwd),
    readFiles: [...readFiles].map(([p, sha256]) => ({ path: p, sha256 })),
    changes,
    needsRestart: result.needsRestart,
    ...(result.restartReason === undefined ? {} : { restartReason: result.restartReason }),
    probes: details.probes.map((p) => ({ address: p.address, port: p.port, before: p.before, after: p.after })),
    semanticChange: result.semanticChange,
    remedy: { ...result.request, kind: String(result.request['kind'] ?? result.kind) },
    summary: details.summary,
    notes: [...result.notes],
    warnings: [...result.warnings],
  };
}
