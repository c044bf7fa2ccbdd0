/**
 * The case ledger: open a case from a complaint file, list, show and close cases, and file
 * plans, applies and letters into them. The layout of the state directory is described in
 * `paths.ts`, the record in `record.ts`, the write discipline in `store.ts`.
 *
 * Opening is safe against a second `case open` running at the same time: the case's folder
 * name is reserved with an exclusive `mkdir`, the case is written completely into a hidden
 * folder beside it, and that folder is then renamed over the (still empty) reservation, so a
 * case appears whole or not at all and two openers never share a folder.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { lastDone, readJournal } from '../apply/journal.js';
import { readPlanDocument } from '../apply/plan-document.js';
import { DEFAULT_MAX_COMPLAINT_BYTES, parseComplaint, serializeComplaint, suggestRemedy } from '../complaint/index.js';
import type { ParseComplaintOptions, ParsedComplaint, RemedySuggestion } from '../complaint/index.js';
import { sha256Hex } from '../apply/files.js';
import { exoneratorUrl } from '../letters/exonerator.js';
import { KIND_FOR_CATEGORY } from '../letters/registry.js';
import type { ConfigView, PlanDocument } from '../types.js';
import { CaseError } from './errors.js';
import { candidateIds } from './id.js';
import { checkOwnership, ownAddressesFromConfig, type OwnershipReport } from './ownership.js';
import { casePlanDir, casesDirectory, caseDir, checkCaseId, checkPlanId, isCaseId, type LedgerLocation } from './paths.js';
import {
  CASE_FORMAT,
  checkUtcTime,
  datesFromPlans,
  formatCaseRecord,
  isInForceOutcome,
  type CaseFollowUpLink,
  type CaseLetterLink,
  type CasePlanLink,
  type CaseRecord,
} from './record.js';
import { DIR_MODE, hasCode, makeDir, readRecord, RECORD_FILE, syncDirectory, updateRecord, writeFileAtomic, type LockOptions } from './store.js';

/** Options every ledger call takes: where the ledger is, the lock timeout, the clock. */
export interface LedgerOptions extends LedgerLocation, LockOptions {
  /** The current time (default: the system clock). */
  now?: Date | undefined;
}

/** Options of `openCase`. */
export interface OpenCaseOptions extends LedgerOptions {
  /** The case id to use instead of one derived from the complaint; refused when taken. */
  id?: string | undefined;
  /** The relay's configuration, for the "is it us?" check. */
  relay?: { config: ConfigView; interfaceAddresses?: readonly string[] | undefined } | undefined;
  /** Open a second case for a complaint that already has one (same bytes or Message-ID). */
  allowDuplicate?: boolean | undefined;
  /** Options for reading the complaint (size limit, MIME limits). */
  parse?: Omit<ParseComplaintOptions, 'fileName'> | undefined;
}

/** A newly opened case. */
export interface OpenedCase {
  /** Its id. */
  id: string;
  /** Its folder. */
  dir: string;
  /** Its record as written. */
  record: CaseRecord;
  /** What the intake read. */
  complaint: ParsedComplaint;
  /** The suggested remedy (its command carries `--case ID`). */
  suggestion: RemedySuggestion;
  /** The "is it us?" check, when the relay's configuration was given. */
  ownership: OwnershipReport | undefined;
  /** What to tell the operator. */
  lines: string[];
}

/** Where a case stands with its follow-up. */
export type FollowUpState =
  /** The latest follow-up check found a promised change missing. */
  | 'failed'
  /** A change is in force and its follow-up date has passed without a check. */
  | 'overdue'
  /** A change is in force and its follow-up date is still ahead. */
  | 'waiting'
  /** A follow-up check after the due date confirmed everything: the case can be closed. */
  | 'checked'
  /** No change of the case is in force (none planned, not applied yet, or reverted). */
  | 'no-change';

/** One line of `case list`. */
export interface CaseSummary {
  /** Case id. */
  id: string;
  /** Open or closed. */
  status: 'open' | 'closed';
  /** Where the follow-up stands. */
  followUp: FollowUpState;
  /** When the case was opened. */
  opened: string;
  /** When the latest change took effect (else was written), or null. */
  applied: string | null;
  /** When the follow-up is due, or null. */
  followUpDue: string | null;
  /** Whole days past the due date (negative: days left), or null. */
  daysOverdue: number | null;
  /** Kind of abuse. */
  category: string | null;
  /** Who complains (organisation, else e-mail, else name), or null. */
  complainant: string | null;
  /** Their reference, or null. */
  reference: string | null;
  /** The complaint's subject, or null. */
  subject: string | null;
}

/** The result of `listCases`. */
export interface CaseList {
  /** The cases, most urgent first. */
  cases: CaseSummary[];
  /** Folders that could not be read as cases. */
  problems: CaseError[];
  /** A table for a terminal. */
  lines: string[];
}

/** The result of `showCase`. */
export interface ShownCase {
  /** Its folder. */
  dir: string;
  /** Its record. */
  record: CaseRecord;
  /** The intake's JSON (`parsed.json`), or undefined when unreadable. */
  complaint: unknown;
  /** Its summary (as `case list` shows it). */
  summary: CaseSummary;
  /** What to print. */
  lines: string[];
}

/** A letter to file into a case. */
export interface LetterToFile {
  /** Letter kind (`portscan`, `followup-block`, …). */
  kind: string;
  /** Audience (`isp`, `complainant`). */
  audience: string;
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  body: string;
}

/** Options of `recordLetter`. */
export interface RecordLetterOptions extends LedgerOptions {
  /** `txt` (subject line and body, default) or `eml` (then `eml` is the message to store). */
  format?: 'txt' | 'eml' | undefined;
  /** The RFC 5322 message, for `format: 'eml'`. */
  eml?: string | undefined;
}

/** Options of `recordApply`. */
export interface RecordApplyOptions extends LedgerOptions {
  /**
   * When the change took effect, if apply could not know it (e.g. `--reload none` and the
   * operator reloaded tor by hand); otherwise the time apply journaled is used.
   */
  effectiveAt?: string | undefined;
}

const DAY_MS = 86_400_000;
const MAX_ID_ATTEMPTS = 1000;

/** Opens a case for the complaint in `file`: stores it, reads it, suggests a remedy, checks "is it us?". */
export async function openCase(file: string, options: OpenCaseOptions = {}): Promise<OpenedCase> {
  const now = options.now ?? new Date();
  const bytes = await readComplaintFile(file, options.parse?.maxBytes ?? DEFAULT_MAX_COMPLAINT_BYTES);
  const complaint = await parseComplaint(bytes, { ...options.parse, fileName: path.basename(file) });
  const sha256 = sha256Hex(bytes);
  const root = casesDirectory(options);
  await makeDir(root);
  if (options.allowDuplicate !== true) await refuseDuplicate(root, sha256, complaint.messageId);

  const reference = complaint.status === 'parsed' ? complaint.reference : null;
  const id = await reserveId(root, options.id, reference, now);
  const dir = path.join(root, id);
  const temp = path.join(root, `.open-${id}-${randomBytes(6).toString('hex')}`);
  try {
    const suggestion = suggestRemedy(complaint, { caseId: id });
    const ownership = options.relay === undefined ? undefined : checkOwnership(sourcesOf(complaint), ownAddressesFromConfig(options.relay.config, options.relay), { date: eventDate(complaint, now) });
    const record = newRecord(id, path.basename(file), bytes, sha256, complaint, suggestion, ownership, now);
    await mkdir(temp, { mode: DIR_MODE });
    for (const sub of ['plans', 'letters', 'followups']) await mkdir(path.join(temp, sub), { mode: DIR_MODE });
    await writeFileAtomic(path.join(temp, record.complaint.file), bytes);
    await writeFileAtomic(path.join(temp, 'parsed.json'), `${JSON.stringify(serializeComplaint(complaint), null, 2)}\n`);
    await writeFileAtomic(path.join(temp, RECORD_FILE), formatCaseRecord(record));
    // rename(2) replaces an empty directory: the reservation becomes the complete case at once.
    await rename(temp, dir);
    await syncDirectory(root);
    return { id, dir, record, complaint, suggestion, ownership, lines: openLines(record, complaint, ownership, now) };
  } catch (cause) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
    if (cause instanceof CaseError) throw cause;
    throw new CaseError('CASE_WRITE_FAILED', `cannot write case ${id}: ${(cause as Error).message}`, { input: dir, cause });
  }
}

/** Lists cases: open ones (all with `all`), failed and overdue follow-ups first, then by due date. */
export async function listCases(options: LedgerOptions & { all?: boolean | undefined } = {}): Promise<CaseList> {
  const now = options.now ?? new Date();
  const root = casesDirectory(options);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (cause) {
    if (hasCode(cause, 'ENOENT')) names = [];
    else throw new CaseError('CASE_RECORD_INVALID', `cannot read the case folder ${root}: ${(cause as Error).message}`, { input: root, cause });
  }
  const cases: CaseSummary[] = [];
  const problems: CaseError[] = [];
  for (const name of names.sort()) {
    // Hidden entries are cases being opened, and lock or temp files.
    if (name.startsWith('.') || !isCaseId(name)) continue;
    const dir = path.join(root, name);
    try {
      if (!(await lstat(dir)).isDirectory()) continue;
      const record = await readRecord(dir);
      if (record.status === 'open' || options.all === true) cases.push(summarise(record, now));
    } catch (error) {
      // An empty folder is a case another `case open` is writing right now.
      if (error instanceof CaseError && error.code === 'CASE_NOT_FOUND' && (await readdir(dir).catch(() => ['?'])).length === 0) continue;
      problems.push(error instanceof CaseError ? error : new CaseError('CASE_RECORD_INVALID', `cannot read case ${name}: ${String(error)}`, { input: dir, cause: error }));
    }
  }
  cases.sort(compareSummaries);
  return { cases, problems, lines: listLines(cases, problems) };
}

/** Shows one case: its record, what the intake read, and its summary. */
export async function showCase(id: string, options: LedgerOptions = {}): Promise<ShownCase> {
  const dir = caseDir(id, options);
  const record = await readRecord(dir);
  let complaint: unknown;
  try {
    complaint = JSON.parse(await readFile(path.join(dir, record.complaint.parsed), 'utf8'));
  } catch {
    complaint = undefined;
  }
  const summary = summarise(record, options.now ?? new Date());
  return { dir, record, complaint, summary, lines: showLines(record, summary, dir) };
}

/** Closes a case, with an optional note; refuses a case that is already closed. */
export async function closeCase(id: string, note?: string, options: LedgerOptions = {}): Promise<{ record: CaseRecord; lines: string[] }> {
  const now = (options.now ?? new Date()).toISOString();
  const dir = caseDir(id, options);
  const { record, value } = await updateRecord(dir, (current) => {
    if (current.status === 'closed') {
      throw new CaseError('CASE_CLOSED', `case ${id} was already closed on ${current.dates.closed ?? 'an unknown date'}`, { input: id });
    }
    const lines = [`Closed case ${id}.`];
    const last = current.followUps.at(-1);
    if (current.dates.followUpDue !== null && current.dates.followedUp === null) {
      lines.push(`Note: the change was never checked by a follow-up (due ${current.dates.followUpDue}).`);
    } else if (last !== undefined && last.status !== 'in-force' && last.status !== 'nothing-promised') {
      lines.push(`Note: the last follow-up check (${last.at}) found the case ${last.status}.`);
    }
    const text = note?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    const notes = text === undefined || text === '' ? current.notes : [...current.notes, { at: now, text }];
    return { record: { ...current, status: 'closed', dates: { ...current.dates, closed: now }, notes }, value: lines };
  }, options);
  return { record, lines: value };
}

/** Files the plan in `plans/<planId>/` of the case (written there by `plan --out`). */
export async function recordPlan(
  id: string,
  planId: string,
  options: LedgerOptions & { restores?: string | undefined } = {},
): Promise<{ record: CaseRecord; plan: CasePlanLink }> {
  const dir = caseDir(id, options);
  const planDir = casePlanDir(id, planId, options);
  const document = await readPlanIn(planDir, planId);
  const now = (options.now ?? new Date()).toISOString();
  const { record, value } = await updateRecord(dir, (current) => {
    if (current.status === 'closed') throw closedError(current);
    const existing = current.plans.find((plan) => plan.id === planId);
    const link = planLink(planId, document, existing, now, {
      applied: existing?.applied ?? null,
      restores: options.restores ?? existing?.restores ?? null,
    });
    return { record: { ...current, plans: withLink(current.plans, link) }, value: link };
  }, options);
  return { record, plan: value };
}

/**
 * Records how the last apply (or revert) of a case's plan ended, from the plan folder's
 * journal, and updates the case's dates (follow-up due a week after the change took effect).
 */
export async function recordApply(id: string, planId: string, options: RecordApplyOptions = {}): Promise<{ record: CaseRecord; plan: CasePlanLink; lines: string[] }> {
  const dir = caseDir(id, options);
  const planDir = casePlanDir(id, planId, options);
  const document = await readPlanIn(planDir, planId);
  const override = options.effectiveAt === undefined ? undefined : checkUtcTime(options.effectiveAt, 'the time the change took effect');
  const done = lastDone(await readJournal(planDir));
  if (done === undefined) {
    throw new CaseError('CASE_PLAN_INVALID', `plan ${planId} of case ${id} has no finished apply in its journal`, {
      input: planDir,
      hint: `apply it first: exitkit apply ${planDir}`,
    });
  }
  const now = (options.now ?? new Date()).toISOString();
  const { record, value } = await updateRecord(dir, (current) => {
    const existing = current.plans.find((plan) => plan.id === planId);
    const inForce = done.operation === 'apply' && isInForceOutcome(done.outcome);
    const link = planLink(planId, document, existing, now, {
      applied: { operation: done.operation, outcome: done.outcome, at: done.at, effectiveAt: inForce ? (override ?? done.effectiveAt) : null },
      restores: existing?.restores ?? null,
    });
    const next: CaseRecord = { ...current, plans: withLink(current.plans, link) };
    next.dates = { ...current.dates, ...datesFromPlans(next) };
    return { record: next, value: link };
  }, options);
  const lines = [applyLine(value)];
  if (record.dates.followUpDue !== null) lines.push(`Follow-up of case ${id} due on ${record.dates.followUpDue.slice(0, 10)}.`);
  return { record, plan: value, lines };
}

// A case's link to one of its plans, keeping when it was first filed.
function planLink(
  planId: string,
  document: PlanDocument,
  existing: CasePlanLink | undefined,
  now: string,
  state: Pick<CasePlanLink, 'applied' | 'restores'>,
): CasePlanLink {
  return {
    id: planId,
    dir: `plans/${planId}`,
    recordedAt: existing?.recordedAt ?? now,
    remedy: document.remedy.kind,
    summary: document.summary,
    ...state,
  };
}

// The plan links with `link` replacing the one of the same id, or added after them.
function withLink(plans: readonly CasePlanLink[], link: CasePlanLink): CasePlanLink[] {
  return plans.some((plan) => plan.id === link.id) ? plans.map((plan) => (plan.id === link.id ? link : plan)) : [...plans, link];
}

/** Files a letter into `letters/` of the case; returns the file written. */
export async function recordLetter(id: string, letter: LetterToFile, options: RecordLetterOptions = {}): Promise<{ record: CaseRecord; file: string; link: CaseLetterLink }> {
  const format = options.format ?? 'txt';
  for (const [what, value] of [['kind', letter.kind], ['audience', letter.audience]] as const) {
    if (!isCaseId(value)) throw new CaseError('CASE_BAD_LETTER', `letter ${what} "${value}" cannot name a file`, { input: value, hint: 'e.g. portscan, followup-block, isp' });
  }
  const content = format === 'eml' ? options.eml : `Subject: ${letter.subject.replace(/[\r\n]+/g, ' ')}\n\n${letter.body}`;
  if (content === undefined || content.trim() === '' || letter.body.trim() === '') {
    throw new CaseError('CASE_BAD_LETTER', `the ${letter.kind}.${letter.audience} letter to file is empty`, { hint: format === 'eml' ? 'pass the message text as `eml`' : 'render the letter first' });
  }
  const nowDate = options.now ?? new Date();
  const dir = caseDir(id, options);
  const { record, value } = await updateRecord(dir, async (current) => {
    if (current.status === 'closed') throw closedError(current);
    const base = `${compactUtc(nowDate)}-${letter.kind}.${letter.audience}`;
    for (let n = 1; ; n += 1) {
      const name = `${base}${n === 1 ? '' : `-${n}`}.${format}`;
      const file = path.join(dir, 'letters', name);
      try {
        await makeDir(path.dirname(file));
        await writeFileAtomic(file, content, true);
      } catch (error) {
        if (error instanceof CaseError && error.code === 'CASE_WRITE_FAILED' && hasCode(error.cause, 'EEXIST') && n < 100) continue;
        throw error;
      }
      const link: CaseLetterLink = { file: `letters/${name}`, kind: letter.kind, audience: letter.audience, format, recordedAt: nowDate.toISOString() };
      return { record: { ...current, letters: [...current.letters, link] }, value: { file, link } };
    }
  }, options);
  return { record, file: value.file, link: value.link };
}

/** Files the result of a follow-up check (`followups/<time>.json`) and updates the case's dates. */
export async function recordFollowUp(
  id: string,
  result: { checkedAt: string; status: string },
  content: unknown,
  options: LedgerOptions = {},
): Promise<{ record: CaseRecord; file: string }> {
  const dir = caseDir(id, options);
  const { record, value } = await updateRecord(dir, async (current) => {
    const base = compactUtc(new Date(result.checkedAt));
    for (let n = 1; ; n += 1) {
      const name = `${base}${n === 1 ? '' : `-${n}`}.json`;
      const file = path.join(dir, 'followups', name);
      try {
        await makeDir(path.dirname(file));
        await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`, true);
      } catch (error) {
        if (error instanceof CaseError && hasCode(error.cause, 'EEXIST') && n < 100) continue;
        throw error;
      }
      const link: CaseFollowUpLink = { file: `followups/${name}`, at: result.checkedAt, status: result.status };
      return { record: { ...current, followUps: [...current.followUps, link], dates: { ...current.dates, followedUp: result.checkedAt } }, value: file };
    }
  }, options);
  return { record, file: value };
}

/** "Is it us?" for a case's reported sources against a relay configuration (e.g. for `case show --torrc`). */
export function checkCaseOwnership(
  record: CaseRecord,
  config: ConfigView,
  machine: { interfaceAddresses?: readonly string[] | undefined } = {},
): OwnershipReport {
  const date = (record.eventTimes?.first ?? record.mailDate ?? record.dates.opened).slice(0, 10);
  return checkOwnership(record.sources.map((s) => s.address), ownAddressesFromConfig(config, machine), { date });
}

/** Where a case stands (as `case list` shows it) at `now`. */
export function summarise(record: CaseRecord, now: Date): CaseSummary {
  const due = record.dates.followUpDue;
  const last = record.followUps.at(-1);
  const sinceChange = last !== undefined && record.dates.applied !== null && Date.parse(last.at) >= Date.parse(record.dates.applied) ? last : undefined;
  let followUp: FollowUpState;
  if (due === null) followUp = 'no-change';
  else if (sinceChange !== undefined && sinceChange.status !== 'in-force') followUp = 'failed';
  else if (sinceChange !== undefined && Date.parse(sinceChange.at) >= Date.parse(due)) followUp = 'checked';
  else followUp = Date.parse(due) <= now.getTime() ? 'overdue' : 'waiting';
  const who = record.complainant.organisation ?? record.complainant.email ?? record.complainant.name;
  return {
    id: record.id,
    status: record.status,
    followUp,
    opened: record.dates.opened,
    applied: record.dates.effective ?? record.dates.applied,
    followUpDue: due,
    daysOverdue: due === null ? null : Math.floor((now.getTime() - Date.parse(due)) / DAY_MS),
    category: record.category,
    complainant: who,
    reference: record.reference,
    subject: record.subject,
  };
}

const RANK: Readonly<Record<FollowUpState, number>> = { failed: 0, overdue: 1, waiting: 2, checked: 3, 'no-change': 4 };

function compareSummaries(a: CaseSummary, b: CaseSummary): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  if (RANK[a.followUp] !== RANK[b.followUp]) return RANK[a.followUp] - RANK[b.followUp];
  const key = (s: CaseSummary) => Date.parse(s.followUpDue ?? s.opened);
  return key(a) - key(b) || a.id.localeCompare(b.id);
}

async function readComplaintFile(file: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new CaseError('CASE_COMPLAINT_UNREADABLE', `${file} is not a regular file`, { input: file, hint: 'pass the complaint as a file, e.g. the .eml saved from the mail client' });
    }
    if (info.size > maxBytes) {
      throw new CaseError('CASE_COMPLAINT_UNREADABLE', `${file} has ${info.size} bytes, more than the ${maxBytes} a complaint may have`, { input: file, hint: 'save the complaint mail itself, not a mailbox or archive' });
    }
    return await readFile(file);
  } catch (cause) {
    if (cause instanceof CaseError) throw cause;
    throw new CaseError('CASE_COMPLAINT_UNREADABLE', `cannot read the complaint ${file}: ${(cause as Error).message}`, { input: file, cause });
  }
}

async function refuseDuplicate(root: string, sha256: string, messageId: string | null): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith('.') || !isCaseId(name)) continue;
    const record = await readRecord(path.join(root, name)).catch(() => undefined);
    if (record === undefined) continue;
    const sameBytes = record.complaint.sha256 === sha256;
    const sameMessage = messageId !== null && record.messageId === messageId;
    if (sameBytes || sameMessage) {
      throw new CaseError('CASE_DUPLICATE', `this complaint already has case ${record.id} (${sameBytes ? 'same bytes' : `same Message-ID ${messageId}`})`, {
        input: record.id,
        hint: `show it with \`exitkit case show ${record.id}\`, or open a second case on purpose with --allow-duplicate`,
      });
    }
  }
}

async function reserveId(root: string, wanted: string | undefined, reference: string | null, now: Date): Promise<string> {
  if (wanted !== undefined) {
    const id = checkCaseId(wanted);
    try {
      await mkdir(path.join(root, id), { mode: DIR_MODE });
      return id;
    } catch (cause) {
      if (hasCode(cause, 'EEXIST')) throw new CaseError('CASE_EXISTS', `case ${id} already exists`, { input: id, hint: 'choose another id, or let exitkit choose one' });
      throw new CaseError('CASE_WRITE_FAILED', `cannot create ${path.join(root, id)}: ${(cause as Error).message}`, { input: id, cause });
    }
  }
  let attempts = 0;
  for (const id of candidateIds(reference, now)) {
    if (++attempts > MAX_ID_ATTEMPTS) break;
    try {
      await mkdir(path.join(root, id), { mode: DIR_MODE });
      return id;
    } catch (cause) {
      if (!hasCode(cause, 'EEXIST')) throw new CaseError('CASE_WRITE_FAILED', `cannot create ${path.join(root, id)}: ${(cause as Error).message}`, { input: id, cause });
    }
  }
  throw new CaseError('CASE_EXISTS', `no free case id found after ${MAX_ID_ATTEMPTS} attempts`, { hint: 'give the id explicitly' });
}

async function readPlanIn(planDir: string, planId: string) {
  checkPlanId(planId);
  try {
    return await readPlanDocument(planDir);
  } catch (cause) {
    throw new CaseError('CASE_PLAN_INVALID', `${planDir} holds no valid plan: ${(cause as Error).message}`, {
      input: planDir,
      cause,
      hint: `write the plan into the case with \`exitkit plan … --case ID\` (its folder is ${planDir})`,
    });
  }
}

function closedError(record: CaseRecord): CaseError {
  return new CaseError('CASE_CLOSED', `case ${record.id} is closed`, { input: record.id, hint: 'open a new case for a new complaint' });
}

function sourcesOf(complaint: ParsedComplaint): string[] {
  return complaint.status === 'parsed' ? complaint.sources.map((s) => s.address) : [];
}

/** `YYYY-MM-DD` of the event (else the mail's date, else `now`), for ExoneraTor. */
export function eventDate(complaint: ParsedComplaint, now: Date): string {
  const first = complaint.status === 'parsed' ? complaint.timeRange?.first : undefined;
  return (first ?? complaint.mailDate ?? now.toISOString()).slice(0, 10);
}

function newRecord(
  id: string,
  originalName: string,
  bytes: Buffer,
  sha256: string,
  complaint: ParsedComplaint,
  suggestion: RemedySuggestion,
  ownership: OwnershipReport | undefined,
  now: Date,
): CaseRecord {
  const ext = path.extname(originalName).toLowerCase();
  const parsed = complaint.status === 'parsed' ? complaint : undefined;
  return {
    format: CASE_FORMAT,
    id,
    status: 'open',
    dates: { opened: now.toISOString(), applied: null, effective: null, followUpDue: null, followedUp: null, closed: null },
    complaint: {
      file: /^\.[a-z0-9]{1,8}$/.test(ext) ? `complaint${ext}` : 'complaint',
      originalName,
      sha256,
      size: bytes.length,
      parsed: 'parsed.json',
      status: complaint.status,
      format: parsed?.format ?? null,
      problem: complaint.status === 'unparseable' ? `${complaint.reason.code}: ${complaint.reason.message}` : null,
    },
    complainant: {
      name: parsed?.complainant.name ?? null,
      email: parsed?.complainant.email ?? null,
      organisation: parsed?.complainant.organisation ?? null,
    },
    replyTo: parsed?.replyTo ? { name: parsed.replyTo.name, address: parsed.replyTo.address } : complaint.status === 'unparseable' && complaint.sender ? { ...complaint.sender } : null,
    reference: parsed?.reference ?? null,
    messageId: complaint.messageId,
    subject: complaint.subject,
    mailDate: complaint.mailDate,
    category: parsed?.category ?? null,
    sources: (parsed?.sources ?? []).map((s) => ({ address: s.address, family: s.family })),
    destinations: (parsed?.destinations ?? []).map((d) => ({ address: d.address, cidr: d.cidr, family: d.family, ports: [...d.ports], protocol: d.protocol })),
    destinationNote: parsed?.destinationNote ?? null,
    eventTimes: parsed?.timeRange ? { first: parsed.timeRange.first, last: parsed.timeRange.last } : null,
    suggestion: {
      kind: suggestion.kind,
      command: suggestion.command,
      reasoning: suggestion.reasoning,
      letter: KIND_FOR_CATEGORY[suggestion.letter],
      alternatives: suggestion.alternatives.map((a) => ({ kind: a.kind, command: a.command, reasoning: a.reasoning })),
      notes: [...suggestion.notes],
    },
    ownership: ownership === undefined ? null : { checkedAt: now.toISOString(), allOurs: ownership.allOurs, lines: ownership.lines },
    plans: [],
    letters: [],
    followUps: [],
    notes: [],
  };
}

function compactUtc(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function openLines(record: CaseRecord, complaint: ParsedComplaint, ownership: OwnershipReport | undefined, now: Date): string[] {
  const lines = [`Opened case ${record.id}.`];
  if (complaint.status === 'unparseable') {
    lines.push(`WARNING: the complaint could not be read (${complaint.reason.code}): ${complaint.reason.message}`, 'Read it yourself; it is stored unchanged in the case folder.');
  } else {
    lines.push(...describeComplaint(record));
  }
  if (ownership !== undefined) {
    lines.push('Is it us?', ...ownership.lines.map((line) => `  ${line}`));
  } else if (record.sources.length > 0) {
    const date = eventDate(complaint, now);
    lines.push('Is it us? (not checked: no relay configuration given)');
    for (const source of record.sources) {
      lines.push(`  ${source.address}: ExoneraTor (was it a Tor relay on ${date}?): ${exoneratorUrl(source.address, date)}`);
    }
  }
  lines.push(...suggestionLines(record.suggestion));
  return lines;
}

function describeComplaint(record: CaseRecord): string[] {
  const lines: string[] = [];
  const who = [record.complainant.organisation, record.complainant.name, record.complainant.email].filter((x): x is string => x !== null);
  lines.push(`  Complainant:   ${who.length > 0 ? who.join(', ') : 'unknown'}`);
  if (record.reference !== null) lines.push(`  Reference:     ${record.reference}`);
  if (record.category !== null) lines.push(`  Category:      ${record.category} (${record.complaint.format ?? 'unknown format'})`);
  if (record.sources.length > 0) lines.push(`  Source:        ${record.sources.map((s) => s.address).join(', ')}`);
  if (record.destinations.length > 0) {
    lines.push(`  Destinations:  ${record.destinations.slice(0, 8).map(formatDestination).join(', ')}${record.destinations.length > 8 ? ` and ${record.destinations.length - 8} more` : ''}`);
  } else {
    lines.push(`  Destinations:  none${record.destinationNote !== null ? ` (${record.destinationNote})` : ''}`);
  }
  if (record.eventTimes !== null) lines.push(`  Event time:    ${record.eventTimes.first === record.eventTimes.last ? record.eventTimes.first : `${record.eventTimes.first} to ${record.eventTimes.last}`}`);
  return lines;
}

function suggestionLines(suggestion: CaseRecord['suggestion']): string[] {
  const lines = [`Suggested: ${suggestion.command ?? 'no policy change'}`, `  why: ${suggestion.reasoning}`];
  for (const alternative of suggestion.alternatives) lines.push(`  or:  ${alternative.command ?? 'no change'} (${alternative.reasoning})`);
  for (const note of suggestion.notes) lines.push(`  note: ${note}`);
  lines.push(`  answer with the "${suggestion.letter}" letter`);
  return lines;
}

/** `203.0.113.7:22/tcp`, `[2001:db8::1]:443`, `198.51.100.0/24`, `ports 22`. */
export function formatDestination(destination: CaseRecord['destinations'][number]): string {
  const where = destination.address === null ? 'unknown host' : destination.family === 6 && !destination.address.includes('/') ? `[${destination.address}]` : destination.address;
  const ports = destination.ports.length === 0 ? '' : `:${destination.ports.length > 4 ? `${destination.ports.slice(0, 4).join(',')},…` : destination.ports.join(',')}`;
  return `${where}${ports}${destination.protocol !== null && destination.protocol !== 'tcp' ? `/${destination.protocol}` : ''}`;
}

function applyLine(plan: CasePlanLink): string {
  const run = plan.applied;
  if (run === null) return `Plan ${plan.id} was never applied.`;
  if (run.operation === 'revert') return `Plan ${plan.id} was reverted at ${run.at} (${run.outcome}); it no longer counts as a change of the case.`;
  if (!isInForceOutcome(run.outcome)) return `Applying plan ${plan.id} ended ${run.outcome} at ${run.at}; the change is not in force.`;
  return run.effectiveAt !== null
    ? `Plan ${plan.id} applied; in force since ${run.effectiveAt}.`
    : `Plan ${plan.id} written at ${run.at}; tor was not reloaded by exitkit, so when it took effect is not known.`;
}

const STATE_WORDS: Readonly<Record<FollowUpState, string>> = {
  failed: 'FOLLOW-UP FAILED',
  overdue: 'OVERDUE',
  waiting: 'waiting',
  checked: 'checked',
  'no-change': 'no change',
};

function listLines(cases: readonly CaseSummary[], problems: readonly CaseError[]): string[] {
  const lines: string[] = [];
  if (cases.length === 0) lines.push('No open cases.');
  else {
    const rows = cases.map((c) => [
      c.id,
      c.status,
      c.followUpDue === null ? '-' : c.followUpDue.slice(0, 10),
      c.followUp === 'overdue' && c.daysOverdue !== null ? `OVERDUE ${c.daysOverdue}d` : STATE_WORDS[c.followUp],
      c.category ?? '-',
      c.complainant ?? '-',
    ]);
    const header = ['ID', 'STATUS', 'DUE', 'FOLLOW-UP', 'CATEGORY', 'COMPLAINANT'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const row of [header, ...rows]) lines.push(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
  }
  for (const problem of problems) lines.push(`WARNING: ${problem.message}`);
  return lines;
}

function showLines(record: CaseRecord, summary: CaseSummary, dir: string): string[] {
  const lines = [`Case ${record.id} (${record.status}) — ${dir}`];
  lines.push(`  Opened:        ${record.dates.opened}`);
  lines.push(...describeComplaint(record));
  if (record.complaint.status === 'unparseable') lines.push(`  WARNING: the complaint could not be read: ${record.complaint.problem ?? 'unknown reason'}`);
  if (record.ownership !== null) lines.push('Is it us?', ...record.ownership.lines.map((line) => `  ${line}`));
  lines.push(...suggestionLines(record.suggestion));
  if (record.plans.length === 0) lines.push('Plans: none');
  for (const plan of record.plans) lines.push(`Plan ${plan.id} (${plan.remedy}${plan.restores !== null ? `, restores ${plan.restores}` : ''}): ${plan.summary}`, `  ${applyLine(plan)}`);
  for (const letter of record.letters) lines.push(`Letter ${letter.kind}.${letter.audience}: ${letter.file} (${letter.recordedAt})`);
  for (const check of record.followUps) lines.push(`Follow-up check ${check.at}: ${check.status} (${check.file})`);
  if (record.dates.followUpDue !== null) {
    lines.push(`Follow-up due ${record.dates.followUpDue.slice(0, 10)}: ${STATE_WORDS[summary.followUp]}${summary.followUp === 'overdue' && summary.daysOverdue !== null ? ` by ${summary.daysOverdue} day(s)` : ''}.`);
  }
  if (record.dates.closed !== null) lines.push(`Closed ${record.dates.closed}.`);
  for (const note of record.notes) lines.push(`Note (${note.at}): ${note.text}`);
  return lines;
}
