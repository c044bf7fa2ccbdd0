/**
 * The follow-up check (`exitkit followup ID`): is every change the case promised still in
 * force, a week after it was made?
 *
 * The promise of a case is the semantic change of each plan it applied (and did not revert):
 * regions of address × port space and the verdict each must have. The check looks in three
 * places, and says for each what it found and when it looked:
 *   1. the torrc files now: the effective policy is computed again from the current files
 *      (someone may have edited them since), and every promised region must still have its
 *      verdict, exactly (`region.ts`), and every probe of the plan its `after` verdict;
 *   2. the running tor, when its control port or socket is reachable: the same check on the
 *      policy it reports (`GETINFO exit-policy/full`);
 *   3. the destinations the complaint names: their verdict now, in the files and in tor.
 * A plan applied later in the same case takes precedence over an earlier one where their
 * regions overlap.
 *
 * Outcomes (`status`): `in-force` (everything holds), `broken` (a promised change is gone, in
 * the files or in the running tor), `unverified` (the files cannot be read as tor would, so
 * nothing could be checked), `not-applied` (the case planned a change that is not in force:
 * never applied, rolled back or reverted), `nothing-promised` (the case planned no change).
 * Only `in-force` and `nothing-promised` are `ok`; the CLI exits with its check-failed code
 * otherwise. For a change lost from the files, the command (and, with a planner, the plan)
 * that restores it is offered, never applied. When all is in force, the follow-up letter is
 * rendered and filed; it reports this check (when it ran, whether the running tor kept the
 * change, which destinations of the complaint are refused) rather than announcing one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openRelayControl } from '../apply/confirm.js';
import { sha256Hex } from '../apply/files.js';
import { lastDone, readJournal, type JournalEntry } from '../apply/journal.js';
import { liveEnvironment, type LiveEnvironmentOptions } from '../apply/live-environment.js';
import { readPlanDocument } from '../apply/plan-document.js';
import { formatError, ExitkitError } from '../errors.js';
import type { Audience, TemplateSet } from '../letters/registry.js';
import { followUpKind } from '../letters/registry.js';
import type { ComplaintInfo, FollowUpVerification, LetterContext, OperatorProfile, Recipient, RelayIdentity } from '../letters/context.js';
import { describeAddresses, describePorts } from '../letters/describe.js';
import { emlHeadersFor, formatEml } from '../letters/eml.js';
import { configFactsFromConfig } from '../letters/facts.js';
import { followUpFromPlan, type FollowUpEffect } from '../letters/followup.js';
import { relayIdentityFromConfig } from '../letters/relay.js';
import { renderLetter, type RenderedLetter } from '../letters/render.js';
import { firstMatch } from '../policy/evaluate.js';
import { parseIpLiteral } from '../net/cidr.js';
import { loadRelayPolicy } from '../relay/policy.js';
import type { LoadedConfig } from '../torrc/index.js';
import type { PlanDocument, PolicyAction, PolicyRule, VerdictChange } from '../types.js';
import { CaseError } from './errors.js';
import { recordFollowUp, recordLetter, recordPlan, type LedgerOptions } from './ledger.js';
import { caseDir, casePlanDir } from './paths.js';
import { isInForceOutcome, type CaseRecord } from './record.js';
import { regionRules, rulesFromTorLines, shortfall } from './region.js';
import { planRestorer, restoreCommands, type RestorePlanner } from './restore.js';
import { readRecord } from './store.js';

/** Overall outcome of a follow-up check. */
export type FollowUpStatus = 'in-force' | 'broken' | 'unverified' | 'not-applied' | 'nothing-promised';

/** What a running tor reported, or why it could not be asked. */
export type RunningPolicy = { lines: string[]; source: string } | { problem: string };

/** Reads the policy of the running tor that reads `torrc` (its control port or socket from `config`). */
export type RunningPolicyReader = (config: LoadedConfig, torrc: string) => Promise<RunningPolicy>;

/** Letter settings of `followUp`. */
export interface FollowUpLetterOptions {
  /** The templates (`loadTemplates`). */
  templates: TemplateSet;
  /** The operator signing. */
  operator: OperatorProfile;
  /** Audience (default: the kind's default, the ISP). */
  audience?: Audience | undefined;
  /** Recipient (default: the complaint's Reply-To, else its sender). */
  recipient?: Recipient | undefined;
  /** The relay's identity (default: read from the configuration and DataDirectory/fingerprint). */
  relay?: RelayIdentity | undefined;
  /** `txt` (default) or `eml`. */
  format?: 'txt' | 'eml' | undefined;
}

/** Options of `followUp`. */
export interface FollowUpOptions extends LedgerOptions {
  /** The torrc to check instead of the one each plan was made for. */
  torrc?: string | undefined;
  /** The defaults file to use instead of each plan's. */
  defaultsTorrc?: string | null | undefined;
  /** tor's working directory instead of each plan's. */
  cwd?: string | undefined;
  /** The machine's interface addresses (for ExitPolicyRejectLocalInterfaces). */
  interfaceAddresses?: readonly string[] | undefined;
  /** The relay's public address(es), when tor detects them at run time. */
  ownAddresses?: readonly string[] | undefined;
  /** How to ask the running tor (default: its control port/socket); `false` skips that check. */
  control?: RunningPolicyReader | false | undefined;
  /** Makes the restoring plan for a lost change (default: `createPlan` with the lost plan's inputs); `false`: only offer the command. */
  restorePlanner?: RestorePlanner | false | undefined;
  /** Render (and file) the follow-up letter when everything is in force. */
  letter?: FollowUpLetterOptions | undefined;
  /** File the result, the letter and a restoring plan into the case (default true). */
  record?: boolean | undefined;
}

/** A probe of a plan as checked. */
export interface ProbeResult {
  /** Destination address. */
  address: string;
  /** Destination port. */
  port: number;
  /** The verdict the plan promised. */
  expected: PolicyAction;
  /** The verdict found. */
  found: PolicyAction;
}

/** One place (files or running tor) checked for one plan. */
export interface PlaceCheck {
  /** `in-force`, `broken`, or `not-checked` (with the reason). */
  status: 'in-force' | 'broken' | 'not-checked';
  /** Why it was not checked, or what is broken, in words. */
  reason: string | null;
  /** The parts of the promised regions that no longer have their verdict. */
  shortfall: VerdictChange[];
  /** Every probe of the plan (those overridden by a later plan left out). */
  probes: ProbeResult[];
}

/** The check of one plan of the case. */
export interface PlanCheck {
  /** Plan id. */
  planId: string;
  /** Remedy kind. */
  remedy: string;
  /** `applied` (its change is promised), `reverted`, `not-applied` (never run, or it failed), `unreadable` (plan.json or its journal cannot be read). */
  state: 'applied' | 'reverted' | 'not-applied' | 'unreadable';
  /** When its files were written (the apply run's end), or null. */
  appliedAt: string | null;
  /** When it took effect on the running relay, or null when unknown. */
  effectiveAt: string | null;
  /** The torrc files now. */
  files: PlaceCheck;
  /** The running tor. */
  running: PlaceCheck;
  /** Files the plan wrote whose content changed since (someone edited them). */
  editedSince: Array<{ path: string; expectedSha256: string; sha256: string | null }>;
  /** For a change lost from the files: how to restore it. */
  restore: RestoreOffer | null;
}

/** How to restore a lost change: the command, and the plan when one was made. */
export interface RestoreOffer {
  /** Commands that plan the restoration (review, then apply); empty when none can be given. */
  commands: string[];
  /** The restoring plan made by the planner, in the case. */
  plan: { id: string; dir: string } | null;
  /** Why no plan was made, when none was. */
  problem: string | null;
}

/** A destination of the complaint as checked. */
export interface DestinationCheck {
  /** The destination as the complaint names it. */
  destination: string;
  /** Verdict in the files: `rejected` (everywhere), `accepted` (somewhere), or `not-checked`. */
  files: 'rejected' | 'accepted' | 'not-checked';
  /** Verdict in the running tor. */
  running: 'rejected' | 'accepted' | 'not-checked';
  /** Where it is still accepted, in words (from the files, else the running tor), or null. */
  acceptedOn: string | null;
}

/** The result of `followUp`. */
export interface FollowUpResult {
  /** The case. */
  caseId: string;
  /** When the check ran (ISO 8601 UTC). */
  checkedAt: string;
  /** Overall outcome. */
  status: FollowUpStatus;
  /** True for `in-force` and `nothing-promised`. */
  ok: boolean;
  /** The configurations read (torrc, defaults file, valid, problems). */
  configs: Array<{ torrc: string; defaultsTorrc: string | null; cwd: string; valid: boolean; problems: string[]; running: string }>;
  /** One entry per plan of the case. */
  plans: PlanCheck[];
  /** The complaint's destinations. */
  destinations: DestinationCheck[];
  /** The follow-up letter, when rendered. */
  letter: { name: string; subject: string; body: string; file: string | null; format: 'txt' | 'eml' } | null;
  /** Why no letter was rendered, or null. */
  letterProblem: string | null;
  /** The filed result, when recorded. */
  file: string | null;
  /** What to print: what was verified, where and when; LOUD lines for what is missing. */
  lines: string[];
}

/** The GETINFO key that makes tor rebuild a pending descriptor first (the digest itself is irrelevant). */
const FORCE_REBUILD_KEY = `extra-info/digest/${'0'.repeat(40)}`;

/** Reads the running tor's policy over its control port or socket (cookie or null auth). */
export function controlPortReader(options: LiveEnvironmentOptions = {}): RunningPolicyReader {
  const env = liveEnvironment(options);
  return async (config, torrc) => {
    const access = await openRelayControl(config, torrc, env);
    if ('problem' in access) return { problem: access.problem };
    try {
      await access.session.getInfo(FORCE_REBUILD_KEY).catch(() => undefined);
      const text = await access.session.getInfo('exit-policy/full');
      return { lines: text.split('\n').map((line) => line.trim()).filter((line) => line !== ''), source: access.session.description };
    } catch (error) {
      return { problem: `GETINFO exit-policy/full failed on ${access.session.description}: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      await access.session.close().catch(() => undefined);
    }
  };
}

interface Loaded {
  link: CaseRecord['plans'][number];
  document: PlanDocument | undefined;
  problem: string | undefined;
  done: Extract<JournalEntry, { event: 'done' }> | undefined;
}

interface Group {
  key: string;
  torrc: string;
  defaultsTorrc: string | null;
  cwd: string;
  rules: readonly PolicyRule[] | undefined;
  config: LoadedConfig | undefined;
  problems: string[];
  running: RunningPolicy;
  runningRules: readonly PolicyRule[] | undefined;
}

/** Checks that every change case `id` promised is still in force, and says so. */
export async function followUp(id: string, options: FollowUpOptions = {}): Promise<FollowUpResult> {
  const now = options.now ?? new Date();
  const checkedAt = now.toISOString();
  const dir = caseDir(id, options);
  const record = await readRecord(dir);

  const loaded: Loaded[] = [];
  for (const link of record.plans) {
    const planDir = casePlanDir(id, link.id, options);
    try {
      const document = await readPlanDocument(planDir);
      loaded.push({ link, document, problem: undefined, done: lastDone(await readJournal(planDir)) });
    } catch (error) {
      loaded.push({ link, document: undefined, problem: error instanceof Error ? error.message : String(error), done: undefined });
    }
  }
  const promised = loaded
    .filter((p) => p.document !== undefined && p.done?.operation === 'apply' && isInForceOutcome(p.done.outcome))
    .sort((a, b) => Date.parse(a.done?.at ?? '') - Date.parse(b.done?.at ?? ''));

  const groups = new Map<string, Group>();
  const groupOf = async (document: PlanDocument | undefined): Promise<Group> => {
    const torrc = options.torrc ?? document?.torrc ?? '/etc/tor/torrc';
    const defaultsTorrc = options.defaultsTorrc !== undefined ? options.defaultsTorrc : (document?.defaultsTorrc ?? null);
    const cwd = options.cwd ?? document?.cwd ?? path.dirname(torrc);
    const key = JSON.stringify([torrc, defaultsTorrc, cwd]);
    const known = groups.get(key);
    if (known !== undefined) return known;
    const group = await loadGroup(key, torrc, defaultsTorrc, cwd, options);
    groups.set(key, group);
    return group;
  };

  const checks: PlanCheck[] = [];
  for (const plan of loaded) {
    const state: PlanCheck['state'] =
      plan.problem !== undefined ? 'unreadable'
        : plan.done === undefined || plan.document === undefined ? 'not-applied'
        : plan.done.operation === 'revert' && isInForceOutcome(plan.done.outcome) ? 'reverted'
          : plan.done.operation === 'apply' && isInForceOutcome(plan.done.outcome) ? 'applied'
            : 'not-applied';
    const run = plan.link.applied;
    const effectiveAt = state !== 'applied' ? null : (run !== null && run.at === plan.done?.at ? run.effectiveAt : null) ?? plan.done?.effectiveAt ?? null;
    const base = {
      planId: plan.link.id,
      remedy: plan.document?.remedy.kind ?? plan.link.remedy,
      state,
      appliedAt: state === 'applied' ? (plan.done?.at ?? null) : null,
      effectiveAt,
      editedSince: [] as PlanCheck['editedSince'],
      restore: null,
    };
    if (state !== 'applied' || plan.document === undefined) {
      const reason = plan.problem ?? (state === 'reverted' ? 'the plan was reverted' : 'the plan is not in force');
      checks.push({ ...base, files: notChecked(reason), running: notChecked(reason) });
      continue;
    }
    const document = plan.document;
    const group = await groupOf(document);
    const later = promised.slice(promised.indexOf(plan) + 1).filter((p) => p.document !== undefined && groupKeyOf(p.document, options) === group.key);
    const overriding = later.flatMap((p) => p.document?.semanticChange.changes ?? []);
    const files = group.rules === undefined
      ? notChecked(`the configuration cannot be read as tor would: ${group.problems[0] ?? 'unknown problem'}`)
      : checkPlace(group.rules, document, overriding);
    const running = group.runningRules === undefined
      ? notChecked('problem' in group.running ? group.running.problem : 'the running policy could not be read')
      : checkPlace(group.runningRules, document, overriding);
    checks.push({ ...base, files, running, editedSince: await editedSince(document) });
  }

  // The complaint's destinations are checked against the configuration of the latest change
  // (or the one given), whether or not a plan was made for them.
  const latest = promised.at(-1)?.document;
  const destinationGroup = latest !== undefined || options.torrc !== undefined ? await groupOf(latest) : undefined;
  const destinations = checkDestinations(record, destinationGroup);

  const status = overallStatus(record, checks);
  const result: FollowUpResult = {
    caseId: id,
    checkedAt,
    status,
    ok: status === 'in-force' || status === 'nothing-promised',
    configs: [...groups.values()].map((g) => ({
      torrc: g.torrc,
      defaultsTorrc: g.defaultsTorrc,
      cwd: g.cwd,
      valid: g.rules !== undefined,
      problems: g.problems,
      running: 'problem' in g.running ? `not checked: ${g.running.problem}` : g.running.source,
    })),
    plans: checks,
    destinations,
    letter: null,
    letterProblem: null,
    file: null,
    lines: [],
  };

  const record_ = options.record !== false;
  for (const check of checks) {
    if (check.files.status !== 'broken') continue;
    const plan = loaded.find((p) => p.link.id === check.planId);
    if (plan?.document === undefined) continue;
    check.restore = await offerRestore(id, check, plan.document, await groupOf(plan.document), record, options, now, record_);
  }

  if (status === 'in-force' && options.letter !== undefined) {
    const letterPlan = [...promised].reverse().find((p) => p.document !== undefined && p.document.remedy.kind !== 'exit');
    const check = checks.find((c) => c.planId === letterPlan?.link.id);
    if (letterPlan?.document === undefined || check === undefined) {
      result.letterProblem = 'no applied plan of the case has a follow-up letter (switching back to exit has none)';
    } else if (check.effectiveAt === null) {
      result.letterProblem = `when plan ${check.planId} took effect is not known (it was applied without a reload by exitkit); record it with the time tor was reloaded, then run the check again`;
    } else {
      const group = await groupOf(letterPlan.document);
      try {
        const verification = Date.parse(checkedAt) >= Date.parse(check.effectiveAt)
          ? {
              verifiedAt: checkedAt,
              runningTor: check.running.status === 'in-force',
              destinations: destinations.filter((d) => d.files === 'rejected' && d.running !== 'accepted').map((d) => d.destination),
            }
          : undefined;
        const effect = { openConnectionsClosed: letterPlan.done?.openConnectionsClosed === true };
        const rendered = await renderFollowUpLetter(record, letterPlan.document, check.effectiveAt, effect, verification, group, options.letter, now);
        result.letter = { ...rendered, file: null };
        if (record_) {
          const filed = await recordLetter(id, rendered.letter, { ...options, now, format: rendered.format, eml: rendered.format === 'eml' ? rendered.text : undefined });
          result.letter.file = filed.file;
        }
      } catch (error) {
        result.letterProblem = error instanceof ExitkitError ? formatError(error) : String(error);
      }
    }
  }

  result.lines = describeFollowUp(result, record);
  if (record_) {
    const { file } = await recordFollowUp(id, { checkedAt, status }, { ...result, lines: result.lines }, { ...options, now });
    result.file = file;
  }
  return result;
}

async function loadGroup(key: string, torrc: string, defaultsTorrc: string | null, cwd: string, options: FollowUpOptions): Promise<Group> {
  const relay = await loadRelayPolicy({ torrc, defaultsTorrc, cwd, interfaceAddresses: options.interfaceAddresses, ownAddresses: options.ownAddresses });
  const errors = relay.diagnostics.filter((d) => d.severity === 'error');
  const group: Group = {
    key,
    torrc: relay.config.torrc,
    defaultsTorrc,
    cwd,
    rules: relay.valid && relay.policy !== undefined ? relay.policy.rules : undefined,
    config: relay.config,
    problems: errors.map(formatError),
    running: { problem: 'the running tor was not asked' },
    runningRules: undefined,
  };
  if (options.control === false) {
    group.running = { problem: 'the check of the running tor was turned off' };
  } else {
    const reader = options.control ?? controlPortReader();
    group.running = await reader(relay.config, relay.config.torrc).catch((error: unknown) => ({ problem: error instanceof Error ? error.message : String(error) }));
    if ('lines' in group.running) {
      try {
        group.runningRules = rulesFromTorLines(group.running.lines);
      } catch (error) {
        group.running = { problem: error instanceof Error ? error.message : String(error) };
      }
    }
  }
  return group;
}

function groupKeyOf(document: PlanDocument, options: FollowUpOptions): string {
  const torrc = options.torrc ?? document.torrc;
  const defaultsTorrc = options.defaultsTorrc !== undefined ? options.defaultsTorrc : document.defaultsTorrc;
  return JSON.stringify([torrc, defaultsTorrc, options.cwd ?? document.cwd]);
}

function notChecked(reason: string): PlaceCheck {
  return { status: 'not-checked', reason, shortfall: [], probes: [] };
}

function checkPlace(rules: readonly PolicyRule[], document: PlanDocument, overriding: readonly VerdictChange[]): PlaceCheck {
  const parts = shortfall(rules, document.semanticChange.changes, overriding);
  const front = overriding.flatMap((region) => regionRules(region));
  const probes: ProbeResult[] = [];
  for (const probe of document.probes) {
    const ip = parseIpLiteral(probe.address);
    if (ip === undefined) continue;
    if (firstMatch(front, ip.family, ip.address, probe.port).index >= 0) continue;
    probes.push({ address: probe.address, port: probe.port, expected: probe.after, found: firstMatch(rules, ip.family, ip.address, probe.port).verdict });
  }
  const wrong = probes.filter((p) => p.found !== p.expected);
  if (parts.length === 0 && wrong.length === 0) return { status: 'in-force', reason: null, shortfall: [], probes };
  const reason = parts.length > 0
    ? parts.map(describeRegion).join('; ')
    : wrong.map((p) => `${destination(p.address, p.port)} is ${p.found}ed, the plan promised ${p.expected}`).join('; ');
  return { status: 'broken', reason, shortfall: parts, probes };
}

/** "203.0.113.0/24 on ports 80 and 443 is accepted again (promised: rejected)". */
export function describeRegion(part: VerdictChange): string {
  return `${describeAddresses(part.family, part.cidrs)} on ${describePorts(part.ports)} is ${part.before}ed (promised: ${part.after}ed)`;
}

async function editedSince(document: PlanDocument): Promise<PlanCheck['editedSince']> {
  const out: PlanCheck['editedSince'] = [];
  for (const change of document.changes) {
    let sha: string | null;
    try {
      sha = sha256Hex(await readFile(change.path));
    } catch {
      sha = null;
    }
    if (sha !== change.afterSha256) out.push({ path: change.path, expectedSha256: change.afterSha256, sha256: sha });
  }
  return out;
}

function overallStatus(record: CaseRecord, checks: readonly PlanCheck[]): FollowUpStatus {
  const applied = checks.filter((c) => c.state === 'applied');
  if (applied.some((c) => c.files.status === 'broken' || c.running.status === 'broken')) return 'broken';
  if (applied.some((c) => c.files.status === 'not-checked') || checks.some((c) => c.state === 'unreadable')) return 'unverified';
  if (applied.length > 0) return 'in-force';
  return record.plans.length === 0 ? 'nothing-promised' : 'not-applied';
}

function checkDestinations(record: CaseRecord, group: Group | undefined): DestinationCheck[] {
  const out: DestinationCheck[] = [];
  for (const d of record.destinations) {
    if (d.cidr === null || d.family === null) continue;
    if (d.protocol !== null && d.protocol !== 'tcp') continue;
    const ports = d.ports.length === 0 ? [[1, 65535] as const] : portRanges(d.ports);
    const region: VerdictChange = { family: d.family, cidrs: [d.cidr], ports, before: 'accept', after: 'reject' };
    const verdict = (rules: readonly PolicyRule[] | undefined) => (rules === undefined ? undefined : shortfall(rules, [region]));
    const inFiles = verdict(group?.rules);
    const inTor = verdict(group?.runningRules);
    const open = inFiles !== undefined && inFiles.length > 0 ? inFiles : inTor !== undefined && inTor.length > 0 ? inTor : undefined;
    out.push({
      destination: `${d.family === 6 && d.address !== null && !d.address.includes('/') ? `[${d.address}]` : (d.address ?? d.cidr)}${d.ports.length > 0 ? `:${compactPorts(ports)}` : ''}`,
      files: inFiles === undefined ? 'not-checked' : inFiles.length === 0 ? 'rejected' : 'accepted',
      running: inTor === undefined ? 'not-checked' : inTor.length === 0 ? 'rejected' : 'accepted',
      acceptedOn: open === undefined ? null : open.map((part) => `${describeAddresses(part.family, part.cidrs)} on ${describePorts(part.ports)}`).join('; '),
    });
  }
  return out;
}

function portRanges(ports: readonly number[]): Array<readonly [number, number]> {
  const sorted = [...new Set(ports)].filter((p) => p >= 1 && p <= 65535).sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const port of sorted) {
    const last = out.at(-1);
    if (last !== undefined && last[1] + 1 === port) last[1] = port;
    else out.push([port, port]);
  }
  return out.length === 0 ? [[1, 65535]] : out;
}

function compactPorts(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function destination(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

// A restoring plan made by an earlier check and not applied yet is offered again, as long as
// the files it was made from are unchanged (apply would refuse it otherwise).
async function pendingRestore(caseId: string, planId: string, record: CaseRecord, options: FollowUpOptions): Promise<{ id: string; dir: string } | undefined> {
  for (const link of [...record.plans].reverse()) {
    if (link.restores !== planId || link.applied !== null) continue;
    const dir = casePlanDir(caseId, link.id, options);
    try {
      const document = await readPlanDocument(dir);
      if (lastDone(await readJournal(dir)) !== undefined) continue;
      const current = await Promise.all(document.readFiles.map(async (file) => sha256Hex(await readFile(file.path)) === file.sha256));
      if (current.every(Boolean)) return { id: link.id, dir };
    } catch {
      // Unreadable or a file gone: make a new plan.
    }
  }
  return undefined;
}

async function offerRestore(
  caseId: string,
  check: PlanCheck,
  document: PlanDocument,
  group: Group,
  record: CaseRecord,
  options: FollowUpOptions,
  now: Date,
  file: boolean,
): Promise<RestoreOffer> {
  const commands = restoreCommands(caseId, document, check.files.shortfall);
  const pending = await pendingRestore(caseId, check.planId, record, options);
  if (pending !== undefined) return { commands, plan: pending, problem: null };
  if (options.restorePlanner === false) {
    return { commands, plan: null, problem: 'making the plan was turned off, so only the command is offered' };
  }
  const planner = options.restorePlanner ?? planRestorer({ interfaceAddresses: options.interfaceAddresses, ownAddresses: options.ownAddresses });
  if (!file) return { commands, plan: null, problem: 'recording was turned off, so no plan was written into the case' };
  const planId = `restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${check.planId}`.slice(0, 64).replace(/[._-]+$/, '');
  const out = casePlanDir(caseId, planId, options);
  try {
    await planner({
      caseId,
      planId,
      out,
      lost: document,
      remedy: document.remedy,
      torrc: group.torrc,
      defaultsTorrc: group.defaultsTorrc,
      cwd: group.cwd,
      now,
    });
    await recordPlan(caseId, planId, { ...options, now, restores: check.planId });
    return { commands, plan: { id: planId, dir: out }, problem: null };
  } catch (error) {
    return { commands, plan: null, problem: error instanceof ExitkitError ? formatError(error) : String(error) };
  }
}

async function renderFollowUpLetter(
  record: CaseRecord,
  document: PlanDocument,
  effectiveAt: string,
  effect: FollowUpEffect,
  verification: FollowUpVerification | undefined,
  group: Group,
  options: FollowUpLetterOptions,
  now: Date,
): Promise<{ name: string; subject: string; body: string; format: 'txt' | 'eml'; text: string; letter: RenderedLetter }> {
  if (group.config === undefined) {
    throw new CaseError('CASE_PLAN_INVALID', `the configuration ${group.torrc} could not be read`, { input: group.torrc });
  }
  const relay = options.relay ?? (await relayIdentityFromConfig(group.config, (file) => readFile(file, 'utf8'), { cwd: group.cwd }));
  const followup = followUpFromPlan(document, effectiveAt, verification, effect);
  const context: LetterContext = {
    relay,
    operator: options.operator,
    recipient: options.recipient ?? (record.replyTo !== null ? { name: record.replyTo.name || undefined, email: record.replyTo.address } : undefined),
    complaint: complaintInfo(record),
    followup,
    facts: configFactsFromConfig(group.config),
  };
  const letter = renderLetter(followUpKind(followup.remedy), context, { templates: options.templates, audience: options.audience, now });
  const format = options.format ?? 'txt';
  const text = format === 'eml' ? formatEml(letter, emlHeadersFor(context, now)) : letter.body;
  return { name: letter.name, subject: letter.subject, body: letter.body, format, text, letter };
}

/** The complaint as letters describe it, from the case record. */
export function complaintInfo(record: CaseRecord): ComplaintInfo {
  const value = (text: string | null): string | undefined => (text === null || text === '' ? undefined : text);
  return {
    reference: value(record.reference),
    receivedAt: record.mailDate ?? record.dates.opened,
    complainant: {
      name: value(record.complainant.organisation ?? record.complainant.name),
      email: value(record.complainant.email),
    },
    messageId: value(record.messageId),
    subject: value(record.subject),
    category: record.category ?? undefined,
    relayAddress: record.sources[0]?.address,
    eventTime: record.eventTimes?.first,
  };
}

function utc(time: string): string {
  return `${time.slice(0, 19).replace('T', ' ')} UTC`;
}

function describeFollowUp(result: FollowUpResult, record: CaseRecord): string[] {
  const lines: string[] = [];
  const when = utc(result.checkedAt);
  const headline: Record<FollowUpStatus, string> = {
    'in-force': `Follow-up of case ${result.caseId} at ${when}: every promised change is in force.`,
    broken: `PROMISED CHANGE MISSING — follow-up of case ${result.caseId} at ${when}: a change the case promised is no longer in force.`,
    unverified: `NOT VERIFIED — follow-up of case ${result.caseId} at ${when}: the relay's configuration or a plan of the case could not be read.`,
    'not-applied': `NOT IN FORCE — follow-up of case ${result.caseId} at ${when}: the case planned a change that is not applied.`,
    'nothing-promised': `Follow-up of case ${result.caseId} at ${when}: the case promised no change to the exit policy.`,
  };
  lines.push(headline[result.status]);
  for (const config of result.configs) {
    lines.push(`Configuration: ${config.torrc}${config.defaultsTorrc !== null ? ` (defaults ${config.defaultsTorrc})` : ''}${config.valid ? '' : ' — INVALID'}`);
    for (const problem of config.problems.slice(0, 5)) lines.push(`  ${problem.split('\n').join('\n  ')}`);
    lines.push(`  running tor: ${config.running}`);
  }
  for (const plan of result.plans) {
    lines.push(`Plan ${plan.planId} (${plan.remedy}): ${planStateWords(plan)}`);
    if (plan.state !== 'applied') continue;
    lines.push(`  torrc files as of ${when}: ${placeWords(plan.files)}`);
    lines.push(`  running tor as of ${when}: ${placeWords(plan.running)}`);
    for (const edit of plan.editedSince) {
      lines.push(`  ${edit.path} ${edit.sha256 === null ? 'is gone' : 'was edited'} since the plan was applied (sha256 ${edit.sha256 ?? 'none'}, plan wrote ${edit.expectedSha256}).`);
    }
    if (plan.files.status === 'in-force' && plan.running.status === 'broken') {
      lines.push('  The files keep the promise but the running tor does not: it runs an older configuration. Reload tor (e.g. systemctl reload tor@default) and check again.');
    }
    if (plan.restore !== null) {
      lines.push('  To restore the change, review and apply a new plan (nothing was applied):');
      for (const command of plan.restore.commands) lines.push(`    ${command}`);
      if (plan.restore.plan !== null) lines.push(`    plan written to ${plan.restore.plan.dir}; apply it with: exitkit apply ${plan.restore.plan.dir}`);
      else if (plan.restore.commands.length === 0) lines.push(`    make the plan again with the inputs of plan ${plan.planId}.`);
    }
  }
  if (result.destinations.length > 0) {
    lines.push('Destinations named in the complaint:');
    for (const d of result.destinations) {
      lines.push(`  ${d.destination}: files ${d.files}, running tor ${d.running}${d.acceptedOn !== null ? ` — still accepted: ${d.acceptedOn}` : ''}`);
    }
  } else if (record.destinations.length === 0) {
    lines.push(`The complaint names no destination${record.destinationNote !== null ? ` (${record.destinationNote})` : ''}.`);
  }
  if (result.letter !== null) lines.push(`Follow-up letter ${result.letter.name}${result.letter.file !== null ? ` filed as ${result.letter.file}` : ' rendered'}.`);
  else if (result.letterProblem !== null) lines.push(`No follow-up letter: ${result.letterProblem}`);
  return lines;
}

function planStateWords(plan: PlanCheck): string {
  switch (plan.state) {
    case 'applied':
      return plan.effectiveAt !== null ? `applied; took effect ${utc(plan.effectiveAt)}` : `applied (files written ${utc(plan.appliedAt ?? '')}; when tor took it up is not recorded)`;
    case 'reverted':
      return 'reverted; it promises nothing any more';
    case 'unreadable':
      return `CANNOT BE CHECKED (${plan.files.reason ?? 'unreadable'})`;
    default:
      return `NOT APPLIED (${plan.files.reason ?? 'never applied'})`;
  }
}

function placeWords(place: PlaceCheck): string {
  if (place.status === 'not-checked') return `not checked — ${place.reason ?? 'unknown reason'}`;
  if (place.status === 'broken') return `NOT IN FORCE — ${place.reason ?? ''}`;
  const held = place.probes.length;
  return `in force: every promised region has its verdict${held > 0 ? `, and all ${held} probe${held === 1 ? '' : 's'} hold` : ''}`;
}

