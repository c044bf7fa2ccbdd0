/**
 * Where cases live, and the names allowed inside the ledger.
 *
 * State directory: the `stateDir` option, else `$EXITKIT_STATE_DIR`, else `/var/lib/exitkit`.
 * Cases are the folders of `STATE/cases/`, one per case, named by the case id:
 *
 *   /var/lib/exitkit/cases/
 *     CASE-2025-0042/
 *       case.json              status, dates, complainant, destinations, links (exitkit-case/1)
 *       complaint.eml          the complaint exactly as received, byte for byte
 *       parsed.json            what the intake read from it
 *       plans/<plan-id>/       plan folders (plan.json, torrc.diff, journal, backups)
 *       letters/               letters written for the case
 *       followups/             the record of every follow-up check
 *
 * Case and plan ids are folder names and appear in torrc comments and shell commands, so
 * they are restricted to a grammar that can never name another folder:
 *
 *   id = ALNUM *63( ALNUM / "." / "_" / "-" )      ; 1 to 64 characters
 *
 * No slash, no leading dot (so never `.` or `..`), no space, no shell metacharacter, and
 * never a leading `-` that a command line would read as an option.
 */
import path from 'node:path';
import { CaseError } from './errors.js';

/** Default state directory. */
export const DEFAULT_STATE_DIR = '/var/lib/exitkit';
/** Environment variable overriding the state directory. */
export const STATE_DIR_ENV = 'EXITKIT_STATE_DIR';
/** Folder of the state directory holding the cases. */
export const CASES_FOLDER = 'cases';
/** Longest case or plan id. */
export const MAX_ID_LENGTH = 64;
/** The id grammar, as a regular expression. */
export const CASE_ID_GRAMMAR = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where the ledger is: shared by every ledger function. */
export interface LedgerLocation {
  /** State directory (cases are in its `cases/` folder); overrides the environment. */
  stateDir?: string | undefined;
  /** Environment to read `EXITKIT_STATE_DIR` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The state directory in use, absolute. */
export function stateDirectory(location: LedgerLocation = {}): string {
  if (location.stateDir !== undefined) {
    if (location.stateDir.trim() === '') {
      throw new CaseError('CASE_BAD_STATE_DIR', 'The state directory given is empty', {
        hint: `name a directory, e.g. ${DEFAULT_STATE_DIR}`,
      });
    }
    return path.resolve(location.stateDir);
  }
  const fromEnv = (location.env ?? process.env)[STATE_DIR_ENV];
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_STATE_DIR;
  // A relative directory in the environment would follow whatever directory root runs
  // exitkit from, scattering cases; it is refused rather than resolved.
  if (!path.isAbsolute(fromEnv)) {
    throw new CaseError('CASE_BAD_STATE_DIR', `${STATE_DIR_ENV}="${fromEnv}" is not an absolute path`, {
      input: fromEnv,
      hint: `set it to an absolute directory, e.g. ${DEFAULT_STATE_DIR}`,
    });
  }
  return path.normalize(fromEnv);
}

/** The folder holding every case. */
export function casesDirectory(location: LedgerLocation = {}): string {
  return path.join(stateDirectory(location), CASES_FOLDER);
}

/** True when `id` is a valid case or plan id. */
export function isCaseId(id: string): boolean {
  return CASE_ID_GRAMMAR.test(id);
}

/** Returns `id` when it is a valid case id; throws CASE_BAD_ID otherwise. */
export function checkCaseId(id: string): string {
  if (!isCaseId(id)) {
    throw new CaseError('CASE_BAD_ID', `"${id}" is not a case id`, {
      input: id,
      pos: badPosition(id),
      hint: 'a case id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. CASE-2025-0042',
    });
  }
  return id;
}

/** Returns `id` when it is a valid plan id; throws CASE_BAD_PLAN_ID otherwise. */
export function checkPlanId(id: string): string {
  if (!isCaseId(id)) {
    throw new CaseError('CASE_BAD_PLAN_ID', `"${id}" is not a plan id that can name a folder of the case`, {
      input: id,
      pos: badPosition(id),
      hint: 'a plan id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    });
  }
  return id;
}

/** The folder of case `id`. */
export function caseDir(id: string, location: LedgerLocation = {}): string {
  return path.join(casesDirectory(location), checkCaseId(id));
}

/** The folder a plan of case `id` is written to (`plans/<planId>/`). */
export function casePlanDir(id: string, planId: string, location: LedgerLocation = {}): string {
  return path.join(caseDir(id, location), 'plans', checkPlanId(planId));
}

/** The folder the letters of case `id` are written to. */
export function caseLettersDir(id: string, location: LedgerLocation = {}): string {
  return path.join(caseDir(id, location), 'letters');
}

// The offending part: the first character outside the grammar, or the excess beyond 64.
function badPosition(id: string): readonly [number, number] {
  if (id.length === 0) return [0, 0];
  if (!/[A-Za-z0-9]/.test(id[0] ?? '')) return [0, 1];
  const bad = id.search(/[^A-Za-z0-9._-]/);
  if (bad >= 0) return [bad, bad + 1];
  return [MAX_ID_LENGTH, id.length];
}
