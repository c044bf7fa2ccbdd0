/**
 * Hand-built plan folders for apply tests: the PlanDocument that the plan layer would write,
 * made from the file contents a test chooses (hashes computed here, never copied).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanDocument, PlanProbe, VerdictChange } from '../../../src/types.js';

/** SHA-256 hex of a string's UTF-8 bytes. */
export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A file the plan changes: its content when planned (null: absent) and the new content. */
export interface PlanFileSpec {
  path: string;
  before: string | null;
  after: string;
}

/** What a test plan says. */
export interface PlanSpec {
  torrc: string;
  defaultsTorrc?: string | null;
  cwd?: string;
  changes: PlanFileSpec[];
  /** Files read but not changed (e.g. the defaults file), with their content at plan time. */
  readOnly?: Array<{ path: string; content: string }>;
  probes?: PlanProbe[];
  needsRestart?: boolean;
  restartReason?: string;
  /** Ranges the plan newly rejects (accept → reject on all ports). */
  blocked?: string[];
  id?: string;
}

/** Writes `dir/plan.json` for `spec` and returns the document. */
export async function writePlan(dir: string, spec: PlanSpec): Promise<PlanDocument> {
  const changes: VerdictChange[] = (spec.blocked ?? []).map((cidr) => ({
    family: cidr.includes(':') ? 6 : 4,
    cidrs: [cidr],
    ports: [[1, 65535] as const],
    before: 'accept',
    after: 'reject',
  }));
  const doc: PlanDocument = {
    format: 'exitkit-plan/1',
    id: spec.id ?? 'case-1',
    createdAt: '2025-01-02T03:04:05.000Z',
    torrc: spec.torrc,
    defaultsTorrc: spec.defaultsTorrc ?? null,
    cwd: spec.cwd ?? path.dirname(spec.torrc),
    readFiles: [
      ...spec.changes.filter((c) => c.before !== null).map((c) => ({ path: c.path, sha256: sha(c.before as string) })),
      ...(spec.readOnly ?? []).map((f) => ({ path: f.path, sha256: sha(f.content) })),
    ],
    changes: spec.changes.map((c) => ({
      path: c.path,
      beforeSha256: c.before === null ? null : sha(c.before),
      afterSha256: sha(c.after),
      after: c.after,
    })),
    needsRestart: spec.needsRestart ?? false,
    ...(spec.restartReason === undefined ? {} : { restartReason: spec.restartReason }),
    probes: spec.probes ?? [],
    semanticChange: { changes },
    remedy: { kind: 'block', cidrs: spec.blocked ?? [] },
    summary: 'test plan',
  };
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'plan.json'), `${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}
