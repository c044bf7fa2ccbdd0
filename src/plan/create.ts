/**
 * `exitkit plan …`: load the relay's configuration, plan the remedy (proven on the
 * recomputed effective policy), and write a reviewable plan folder:
 *
 *     DIR/torrc.diff    unified diff, paths relative to / (cd / && patch -p0 < torrc.diff)
 *     DIR/plan.json     the PlanDocument exitkit apply reads
 *     DIR/summary.txt   what the CLI printed
 *
 * DIR is `--out`, or a new folder under the current directory named by the case id or the
 * UTC time. Nothing is ever overwritten: an existing `--out` must be an empty folder, and a
 * default name that exists gets a `-2`, `-3`, … suffix.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRelayPolicy, type RelayPolicyResult } from '../relay/policy.js';
import { remedyContext, utcStamp, type MachineFacts } from '../remedy/context.js';
import { planRemedy, type RemedyRequest } from '../remedy/index.js';
import type { RemedyResult } from '../remedy/result.js';
import type { TorrcFs } from '../torrc/index.js';
import type { EffectivePolicy, PlanDocument } from '../types.js';
import { planDiff } from './diff.js';
import { buildPlanDocument } from './document.js';
import { PlanError } from './errors.js';
import { chooseProbes, type LabelledProbe } from './probes.js';
import { renderPlanSummary, summarizeRemedy } from './summary.js';

/** Where the configuration is and where the plan goes. */
export interface CreatePlanOptions extends MachineFacts {
  /** The torrc tor is started with (`-f`). */
  readonly torrc: string;
  /** The defaults file (`--defaults-torrc`), or undefined/null for none. */
  readonly defaultsTorrc?: string | null | undefined;
  /** tor's working directory (relative `%include` paths resolve against it). */
  readonly cwd?: string | undefined;
  /** The time the plan is made. */
  readonly now: Date;
  /** Case id: names the plan and marks the lines written (unless the request names one). */
  readonly caseId?: string | undefined;
  /** Output folder; default: a new folder named by the plan id under `baseDir`. */
  readonly out?: string | undefined;
  /** Where default output folders go (default: this process's working directory). */
  readonly baseDir?: string | undefined;
  /** The file system to read the configuration from (default: the real one). */
  readonly fs?: TorrcFs | undefined;
}

/** A plan, made and (by `createPlan`) written. */
export interface PlanOutcome {
  /** The folder written; undefined for `preparePlan`. */
  readonly dir: string | undefined;
  /** plan.json. */
  readonly document: PlanDocument;
  /** torrc.diff (empty when nothing changes). */
  readonly diff: string;
  /** The text for the terminal. */
  readonly text: string;
  /** The probes, with their roles. */
  readonly probes: readonly LabelledProbe[];
  /** The remedy result. */
  readonly result: RemedyResult;
}

/** Plans a remedy without writing anything. */
export async function preparePlan(request: RemedyRequest, options: CreatePlanOptions): Promise<PlanOutcome> {
  const { result, probes } = await remedyFor(request, options);
  const parts = assembleParts(result, probes, options.now, planId(result, options.now));
  return withText(parts, undefined);
}

/** Plans a remedy on an already loaded configuration (pure). */
export function planFrom(
  before: RelayPolicyResult,
  request: RemedyRequest,
  options: Pick<CreatePlanOptions, 'now' | 'caseId' | 'interfaceAddresses' | 'ownAddresses'>,
): PlanOutcome {
  const { result, probes } = remedyFrom(before, request, options);
  return withText(assembleParts(result, probes, options.now, planId(result, options.now)), undefined);
}

async function remedyFor(request: RemedyRequest, options: CreatePlanOptions): Promise<{ result: RemedyResult; probes: LabelledProbe[] }> {
  const before = await loadRelayPolicy({
    torrc: options.torrc,
    defaultsTorrc: options.defaultsTorrc,
    cwd: options.cwd,
    interfaceAddresses: options.interfaceAddresses,
    ownAddresses: options.ownAddresses,
    fs: options.fs,
  });
  return remedyFrom(before, request, options);
}

function remedyFrom(
  before: RelayPolicyResult,
  request: RemedyRequest,
  options: Pick<CreatePlanOptions, 'now' | 'caseId' | 'interfaceAddresses' | 'ownAddresses'>,
): { result: RemedyResult; probes: LabelledProbe[] } {
  const context = remedyContext(before, { machine: { interfaceAddresses: options.interfaceAddresses, ownAddresses: options.ownAddresses }, now: options.now });
  const withCase = request.kind !== 'unblock' && request.caseId === undefined && options.caseId !== undefined ? { ...request, caseId: options.caseId } : request;
  const result = planRemedy(context, withCase);
  const probes = chooseProbes(before.policy as EffectivePolicy, result.after.policy as EffectivePolicy, result.semanticChange, result.targets);
  return { result, probes };
}

function planId(result: RemedyResult, now: Date): string {
  return result.caseId ?? utcStamp(now);
}

type PlanParts = Omit<PlanOutcome, 'dir' | 'text'>;

// Everything but the terminal text, which names the folder: the folder is claimed only once
// these are known to build (nothing is written for a plan that fails).
function assembleParts(result: RemedyResult, probes: readonly LabelledProbe[], now: Date, id: string): PlanParts {
  const summary = summarizeRemedy(result);
  const document = buildPlanDocument(result, { id, now, probes, summary });
  const diff = planDiff(document.changes.map((c, i) => ({ path: c.path, before: result.changes[i]?.before ?? '', after: c.after })));
  return { document, diff, probes, result };
}

function withText(parts: PlanParts, dir: string | undefined): PlanOutcome {
  const { document, diff, probes, result } = parts;
  const text = renderPlanSummary({ document, dir, probes, result });
  return Object.freeze({ dir, document, diff, text, probes, result });
}

/** Plans a remedy and writes the plan folder. Nothing is written when the remedy is refused. */
export async function createPlan(request: RemedyRequest, options: CreatePlanOptions): Promise<PlanOutcome> {
  const { result, probes } = await remedyFor(request, options);
  const id = planId(result, options.now);
  const parts = assembleParts(result, probes, options.now, id);
  const base = path.resolve(options.baseDir ?? process.cwd());
  const dir = options.out !== undefined ? await claimExplicit(path.resolve(base, options.out)) : await claimDefault(base, id);
  const finalId = options.out === undefined ? path.basename(dir) : id;
  // The document differs only in its id when the folder got another name.
  const document = finalId === id ? parts.document : { ...parts.document, id: finalId };
  const plan = withText({ ...parts, document }, dir);
  await writePlanFiles(dir, plan);
  return plan;
}

async function writePlanFiles(dir: string, plan: PlanOutcome): Promise<void> {
  const files: Array<[string, string]> = [
    ['torrc.diff', plan.diff],
    ['plan.json', `${JSON.stringify(plan.document, null, 2)}\n`],
    ['summary.txt', plan.text],
  ];
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    try {
      await writeFile(file, content, { flag: 'wx', mode: 0o600 });
    } catch (cause) {
      throw new PlanError('PLAN_WRITE_FAILED', `cannot write ${file}`, { input: file, cause, hint: 'check the folder and its permissions' });
    }
  }
}

// Creates a private folder; false when something already has that name.
async function createFolder(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: 0o700 });
    return true;
  } catch (cause) {
    if (codeOf(cause) === 'EEXIST') return false;
    throw new PlanError('PLAN_WRITE_FAILED', `cannot create ${dir}`, { input: dir, cause, hint: 'check the path and its permissions' });
  }
}

async function claimExplicit(dir: string): Promise<string> {
  await mkdir(path.dirname(dir), { recursive: true }).catch((cause: unknown) => {
    throw new PlanError('PLAN_WRITE_FAILED', `cannot create ${path.dirname(dir)}`, { input: dir, cause, hint: 'check the path and its permissions' });
  });
  if (await createFolder(dir)) return dir;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new PlanError('PLAN_OUT_EXISTS', `${dir} exists and is not a folder exitkit can write a plan into`, { input: dir, cause, hint: 'pass a new folder with --out' });
  }
  if (names.length > 0) {
    throw new PlanError('PLAN_OUT_EXISTS', `${dir} is not empty; a plan never overwrites anything`, { input: dir, hint: 'pass a new or empty folder with --out' });
  }
  return dir;
}

async function claimDefault(base: string, id: string): Promise<string> {
  await mkdir(base, { recursive: true }).catch((cause: unknown) => {
    throw new PlanError('PLAN_WRITE_FAILED', `cannot create ${base}`, { input: base, cause, hint: 'check the path and its permissions' });
  });
  for (let n = 1; n < 1000; n++) {
    const dir = path.join(base, n === 1 ? id : `${id}-${n}`);
    if (await createFolder(dir)) return dir;
  }
  throw new PlanError('PLAN_OUT_EXISTS', `${path.join(base, id)} and 998 numbered variants exist`, { input: base, hint: 'pass a folder with --out' });
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
