/**
 * Shared pieces of the case tests: temp state directories, the e2e complaint fixture, plan
 * folders made with the policy engine (the plan layer's job, done here so the tests do not
 * depend on it), and journals as apply writes them.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { diffPolicies } from '../../../src/policy/diff.js';
import { loadRelayPolicy } from '../../../src/relay/policy.js';
import { nodeFs, overlayFs } from '../../../src/torrc/index.js';
import type { EffectivePolicy, PlanDocument, PlanProbe, PolicyChange } from '../../../src/types.js';

/** Repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The forwarded port-scan complaint used across the case tests. */
export const PORTSCAN_EML = path.join(REPO_ROOT, 'test/fixtures/complaints-e2e/portscan-forwarded.eml');

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh folder (its real path), deleted after the current test. */
export async function tempDir(prefix = 'exitkit-case-'): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** SHA-256 hex of text or bytes. */
export function sha(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A relay folder: `etc/torrc` with `text`, an empty defaults file, and a DataDirectory with a fingerprint. */
export async function relayFiles(root: string, text: string): Promise<{ torrc: string; defaults: string; cwd: string; dataDir: string }> {
  await mkdir(path.join(root, 'etc'), { recursive: true });
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'fingerprint'), 'CaseTestExit F4D08C507CB528A62DEDC4E67E8682FF82CB5925\n');
  const torrc = path.join(root, 'etc', 'torrc');
  const defaults = path.join(root, 'etc', 'defaults-torrc');
  await writeFile(torrc, text.replaceAll('@DATA@', dataDir));
  await writeFile(defaults, '');
  return { torrc, defaults, cwd: root, dataDir };
}

/** What a block plan inserts and where. */
export interface BlockSpec {
  /** Plan folder to write. */
  dir: string;
  /** Plan id. */
  id: string;
  /** Case id for the marker comment. */
  caseId: string;
  torrc: string;
  defaultsTorrc: string | null;
  cwd: string;
  /** ExitPolicy items to insert, e.g. `reject 198.51.100.23/32:*`. */
  items: string[];
  /** Remedy inputs recorded in plan.json. */
  remedy: PlanDocument['remedy'];
}

/**
 * Writes a block plan the way `exitkit plan block` does: the new torrc with the items before
 * the first ExitPolicy line, the semantic change computed by the policy engine from the
 * before and after configurations, and probes whose verdicts the engine computes.
 */
export async function writeBlockPlan(spec: BlockSpec): Promise<PlanDocument> {
  const before = await readFile(spec.torrc, 'utf8');
  const block = [`# exitkit block ${spec.caseId}`, ...spec.items.map((item) => `ExitPolicy ${item}`), `# exitkit end ${spec.caseId}`].join('\n');
  const lines = before.split('\n');
  const at = lines.findIndex((line) => /^\s*ExitPolicy\s/i.test(line));
  const after = at < 0 ? `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${block}\n` : [...lines.slice(0, at), block, ...lines.slice(at)].join('\n');
  const options = { torrc: spec.torrc, defaultsTorrc: spec.defaultsTorrc, cwd: spec.cwd };
  const old = await loadRelayPolicy(options);
  const next = await loadRelayPolicy({ ...options, fs: overlayFs(nodeFs, new Map([[spec.torrc, after]])) });
  if (!old.valid || !next.valid || old.policy === undefined || next.policy === undefined) {
    throw new Error(`test plan on an invalid configuration: ${[...old.diagnostics, ...next.diagnostics].map((d) => d.message).join('; ')}`);
  }
  const semanticChange = diffPolicies(old.policy, next.policy);
  const doc: PlanDocument = {
    format: 'exitkit-plan/1',
    id: spec.id,
    createdAt: '2025-11-20T13:00:00.000Z',
    torrc: spec.torrc,
    defaultsTorrc: spec.defaultsTorrc,
    cwd: spec.cwd,
    readFiles: [
      { path: spec.torrc, sha256: sha(before) },
      ...(spec.defaultsTorrc === null ? [] : [{ path: spec.defaultsTorrc, sha256: sha(await readFile(spec.defaultsTorrc)) }]),
    ],
    changes: [{ path: spec.torrc, beforeSha256: sha(before), afterSha256: sha(after), after }],
    needsRestart: false,
    probes: probesFor(semanticChange, old.policy, next.policy),
    semanticChange,
    remedy: spec.remedy,
    summary: `block ${spec.items.join(', ')}`,
  };
  await mkdir(spec.dir, { recursive: true });
  await writeFile(path.join(spec.dir, 'plan.json'), `${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}

// One probe at the start of each changed region, plus one control probe outside every region.
function probesFor(change: PolicyChange, before: EffectivePolicy, after: EffectivePolicy): PlanProbe[] {
  const probes: PlanProbe[] = [];
  const probe = (address: string, port: number) => {
    probes.push({ address, port, before: evaluatePolicy(before, address, port).verdict, after: evaluatePolicy(after, address, port).verdict });
  };
  for (const region of change.changes) {
    const first = region.cidrs[0]?.split('/')[0];
    const port = region.ports[0]?.[0];
    if (first !== undefined && port !== undefined) probe(first, port);
  }
  probe('203.0.113.77', 443);
  return probes;
}

/** Appends the journal entries apply writes for one finished run (start … done). */
export async function writeJournalRun(
  planDir: string,
  run: { operation: 'apply' | 'revert'; outcome: string; at: string; effectiveAt: string | null; id?: string },
): Promise<void> {
  const id = run.id ?? `run-${run.at}`;
  const entries = [
    { run: id, at: run.at, event: 'start', operation: run.operation, pid: 1, reload: run.effectiveAt === null ? 'none' : 'control', restart: false },
    { run: id, at: run.at, event: 'done', operation: run.operation, outcome: run.outcome, effectiveAt: run.effectiveAt },
  ];
  const file = path.join(planDir, 'journal.jsonl');
  const earlier = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, earlier + entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Puts a plan's new content in place, as a completed apply would (the unit tests' stand-in for apply). */
export async function putPlanInPlace(doc: PlanDocument): Promise<void> {
  for (const change of doc.changes) await writeFile(change.path, change.after);
}
