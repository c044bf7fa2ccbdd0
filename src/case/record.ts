/**
 * `case.json`: the small, reviewable record of one case (format `exitkit-case/1`).
 *
 * Everything else in the case folder is linked from here by a path relative to the folder;
 * links are checked on every read so that a hand-edited record can never point outside it.
 * Times are ISO 8601 UTC. The follow-up is due one week after the change took effect (or,
 * when the time it took effect is unknown, one week after it was written).
 */
import type { ComplaintCategory, ComplaintFormat } from '../complaint/types.js';
import type { Family } from '../types.js';
import { CaseError } from './errors.js';
import { isCaseId } from './paths.js';

/** Format tag of `case.json`. */
export const CASE_FORMAT = 'exitkit-case/1';
/** Days between a change taking effect and its follow-up check. */
export const FOLLOW_UP_DAYS = 7;

const DAY_MS = 86_400_000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
// link ::= "plans/" id | ( "letters/" | "followups/" ) name ; name = id grammar
const PLAN_LINK = /^plans\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FILE_LINK = /^(?:letters|followups)\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const COMPLAINT_FILE = /^complaint(?:\.[a-z0-9]{1,8})?$/;

/** Open or closed. */
export type CaseStatus = 'open' | 'closed';

/** The dates of a case. */
export interface CaseDates {
  /** When the case was opened. */
  opened: string;
  /** When the latest change of the case was written to the relay's files (apply), or null. */
  applied: string | null;
  /** When the latest change took effect on the running relay (apply's reload), or null when unknown. */
  effective: string | null;
  /** When the follow-up check is due: a week after `effective` (else `applied`), or null. */
  followUpDue: string | null;
  /** When the last follow-up check ran, or null. */
  followedUp: string | null;
  /** When the case was closed, or null. */
  closed: string | null;
}

/** The complaint file and what the intake made of it. */
export interface CaseComplaintFile {
  /** The complaint's bytes as received, relative to the case folder (`complaint.eml`). */
  file: string;
  /** Name of the file it was opened from (no directory). */
  originalName: string;
  /** SHA-256 of the bytes. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** The intake's result as JSON, relative to the case folder (`parsed.json`). */
  parsed: string;
  /** Whether the intake could read it. */
  status: 'parsed' | 'unparseable';
  /** The format read, or null. */
  format: ComplaintFormat | null;
  /** Why it could not be read (error code and message), or null. */
  problem: string | null;
}

/** A destination of the complaint, as the follow-up checks it. */
export interface CaseDestination {
  /** Address or CIDR as the intake canonicalised it, or null when only ports are known. */
  address: string | null;
  /** Canonical CIDR covering `address`, or null. */
  cidr: string | null;
  /** 4 or 6, or null. */
  family: Family | null;
  /** Destination ports (empty: not given). */
  ports: number[];
  /** `tcp`, `udp`, `icmp` or null when not said. */
  protocol: string | null;
}

/** The suggested remedy, as printed at intake. */
export interface CaseSuggestion {
  /** `block`, `reduce-ports`, `middle` or `none`. */
  kind: string;
  /** The exact command (shell-quoted), or null for no change. */
  command: string | null;
  /** Why, in one line. */
  reasoning: string;
  /** The letter kind to answer with (`portscan`, `dmca`, …). */
  letter: string;
  /** Other commands worth considering. */
  alternatives: Array<{ kind: string; command: string | null; reasoning: string }>;
  /** Caveats. */
  notes: string[];
}

/** A plan filed in the case. */
export interface CasePlanLink {
  /** Plan id (also its folder name). */
  id: string;
  /** `plans/<id>`, relative to the case folder. */
  dir: string;
  /** When it was filed. */
  recordedAt: string;
  /** Remedy kind (`block`, `reduce-ports`, `middle`, `exit`, …). */
  remedy: string;
  /** The plan's one-paragraph summary. */
  summary: string;
  /** How its last apply or revert ended, or null when never run. */
  applied: {
    /** `apply` or `revert`. */
    operation: 'apply' | 'revert';
    /** `completed`, `unchanged`, `rolled-back`, `rollback-failed`. */
    outcome: string;
    /** When the run finished (files written). */
    at: string;
    /** When the change took effect on the running relay, or null when unknown. */
    effectiveAt: string | null;
  } | null;
  /** Id of the plan whose lost change this plan restores, when it was offered by a follow-up. */
  restores: string | null;
}

/** A letter filed in the case. */
export interface CaseLetterLink {
  /** `letters/<name>`, relative to the case folder. */
  file: string;
  /** Letter kind (`portscan`, `followup-block`, …). */
  kind: string;
  /** Audience (`isp`, `complainant`). */
  audience: string;
  /** `txt` or `eml`. */
  format: 'txt' | 'eml';
  /** When it was filed. */
  recordedAt: string;
}

/** A follow-up check filed in the case. */
export interface CaseFollowUpLink {
  /** `followups/<name>.json`, relative to the case folder. */
  file: string;
  /** When the check ran. */
  at: string;
  /** Its overall status. */
  status: string;
}

/** `case.json`. */
export interface CaseRecord {
  /** Format tag. */
  format: typeof CASE_FORMAT;
  /** Case id (also the folder name). */
  id: string;
  /** Open or closed. */
  status: CaseStatus;
  /** Dates. */
  dates: CaseDates;
  /** The complaint file. */
  complaint: CaseComplaintFile;
  /** Who complains. */
  complainant: { name: string | null; email: string | null; organisation: string | null };
  /** Where an answer goes (Reply-To, else From), or null. */
  replyTo: { name: string; address: string } | null;
  /** The complainant's reference, or null. */
  reference: string | null;
  /** The complaint's Message-ID (answers thread to it), or null. */
  messageId: string | null;
  /** The complaint's subject, or null. */
  subject: string | null;
  /** The complaint mail's Date in UTC, or null. */
  mailDate: string | null;
  /** Kind of abuse, or null when the complaint could not be read. */
  category: ComplaintCategory | null;
  /** The accused addresses (normally the relay's own). */
  sources: Array<{ address: string; family: Family }>;
  /** Where the reported traffic went. */
  destinations: CaseDestination[];
  /** Why destinations are missing or partial, or null. */
  destinationNote: string | null;
  /** First and last event time in UTC, or null. */
  eventTimes: { first: string; last: string } | null;
  /** The suggested remedy. */
  suggestion: CaseSuggestion;
  /** The "is it us?" check at intake, as lines, or null when no relay configuration was given. */
  ownership: { checkedAt: string; allOurs: boolean; lines: string[] } | null;
  /** Plans filed in the case, in the order filed. */
  plans: CasePlanLink[];
  /** Letters filed in the case, in the order filed. */
  letters: CaseLetterLink[];
  /** Follow-up checks, oldest first. */
  followUps: CaseFollowUpLink[];
  /** Notes (closing note included), oldest first. */
  notes: Array<{ at: string; text: string }>;
}

/** True when `text` is an ISO 8601 UTC time. */
export function isUtcTime(text: string): boolean {
  return ISO_UTC.test(text) && !Number.isNaN(Date.parse(text));
}

/** Throws CASE_BAD_TIME unless `text` is an ISO 8601 UTC time. */
export function checkUtcTime(text: string, what: string): string {
  if (!isUtcTime(text)) {
    throw new CaseError('CASE_BAD_TIME', `${what} "${text}" is not an ISO 8601 UTC time`, {
      input: text,
      hint: 'e.g. 2025-11-20T14:03:05Z',
    });
  }
  return text;
}

/** `time` plus the follow-up interval, as ISO 8601 UTC. */
export function followUpDueAfter(time: string): string {
  return new Date(Date.parse(time) + FOLLOW_UP_DAYS * DAY_MS).toISOString();
}

/**
 * The case's applied/effective/due dates from its plans: the latest plan whose last run
 * applied it counts (a reverted plan promises nothing).
 */
export function datesFromPlans(record: CaseRecord): Pick<CaseDates, 'applied' | 'effective' | 'followUpDue'> {
  let latest: CasePlanLink['applied'] = null;
  for (const plan of record.plans) {
    const run = plan.applied;
    if (run === null || run.operation !== 'apply' || !isInForceOutcome(run.outcome)) continue;
    if (latest === null || Date.parse(run.at) >= Date.parse(latest.at)) latest = run;
  }
  if (latest === null) return { applied: null, effective: null, followUpDue: null };
  return {
    applied: latest.at,
    effective: latest.effectiveAt,
    followUpDue: followUpDueAfter(latest.effectiveAt ?? latest.at),
  };
}

/** True for the outcomes after which a plan's files are in place. */
export function isInForceOutcome(outcome: string): boolean {
  return outcome === 'completed' || outcome === 'unchanged';
}

/** Parses and checks `case.json` text; `file` names it in errors, `folderId` is the folder name. */
export function parseCaseRecord(text: string, file: string, folderId: string): CaseRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw invalid(file, 'it is not JSON', undefined, cause);
  }
  const r = asObject(data, file, 'the record');
  if (r['format'] !== CASE_FORMAT) throw invalid(file, `"format" is ${JSON.stringify(r['format'])}`, `"${CASE_FORMAT}"`);
  const id = str(r, 'id', file);
  if (!isCaseId(id) || id !== folderId) throw invalid(file, `"id" is "${id}" but the folder is "${folderId}"`, `"${folderId}"`);
  const status = r['status'];
  if (status !== 'open' && status !== 'closed') throw invalid(file, `"status" is ${JSON.stringify(status)}`, '"open" or "closed"');
  const dates = asObject(r['dates'], file, '"dates"');
  for (const key of ['applied', 'effective', 'followUpDue', 'followedUp', 'closed'] as const) {
    const value = dates[key];
    if (value !== null && !(typeof value === 'string' && isUtcTime(value))) throw invalid(file, `"dates.${key}" is ${JSON.stringify(value)}`, 'an ISO 8601 UTC time or null');
  }
  if (typeof dates['opened'] !== 'string' || !isUtcTime(dates['opened'])) throw invalid(file, `"dates.opened" is ${JSON.stringify(dates['opened'])}`, 'an ISO 8601 UTC time');
  const complaint = asObject(r['complaint'], file, '"complaint"');
  if (typeof complaint['file'] !== 'string' || !COMPLAINT_FILE.test(complaint['file'])) throw invalid(file, `"complaint.file" is ${JSON.stringify(complaint['file'])}`, '"complaint.eml" or another "complaint.EXT"');
  if (complaint['parsed'] !== 'parsed.json') throw invalid(file, `"complaint.parsed" is ${JSON.stringify(complaint['parsed'])}`, '"parsed.json"');
  for (const [key, pattern] of [['plans', 'dir'], ['letters', 'file'], ['followUps', 'file']] as const) {
    const list = r[key];
    if (!Array.isArray(list)) throw invalid(file, `"${key}" is not a list`, 'a list');
    list.forEach((item: unknown, index) => {
      const entry = asObject(item, file, `"${key}[${index}]"`);
      const link = entry[pattern];
      const ok = typeof link === 'string' && (key === 'plans' ? PLAN_LINK.test(link) && link === `plans/${String(entry['id'])}` : FILE_LINK.test(link));
      // A link is the only way the record names a path; one that could leave the case folder is refused.
      if (!ok) throw invalid(file, `"${key}[${index}].${pattern}" is ${JSON.stringify(link)}`, key === 'plans' ? '"plans/<plan id>"' : `"${key === 'letters' ? 'letters' : 'followups'}/<file name>"`);
    });
  }
  for (const key of ['sources', 'destinations', 'notes'] as const) {
    if (!Array.isArray(r[key])) throw invalid(file, `"${key}" is not a list`, 'a list');
  }
  return data as CaseRecord;
}

/** `case.json` text for a record (two-space indent, final newline). */
export function formatCaseRecord(record: CaseRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

function asObject(value: unknown, file: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(file, `${what} is not a JSON object`, 'an object');
  return value as Record<string, unknown>;
}

function str(record: Record<string, unknown>, key: string, file: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw invalid(file, `"${key}" is ${JSON.stringify(value)}`, 'a string');
  return value;
}

function invalid(file: string, what: string, expected: string | undefined, cause?: unknown): CaseError {
  return new CaseError('CASE_RECORD_INVALID', `${file} does not describe a case: ${what}`, {
    location: { file, line: 1 },
    ...(expected === undefined ? {} : { hint: `expected ${expected}; restore the file from a backup or fix it by hand` }),
    cause,
  });
}
