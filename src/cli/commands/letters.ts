/**
 * `exitkit letter KIND`, `templates list|show` and `init`: letters written from the relay's
 * configuration, the operator profile, the complaint (typed, or taken from a case) and, for
 * follow-ups, the plan that was (or would be) applied.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { excludeCidr } from 'cidr-tools';
import { lastDone, readAppliedEffect, readJournal } from '../../apply/journal.js';
import { readPlanDocument } from '../../apply/plan-document.js';
import { complaintInfo } from '../../case/followup.js';
import { recordLetter, showCase, type ShownCase } from '../../case/ledger.js';
import { casePlanDir, type LedgerLocation } from '../../case/paths.js';
import { isInForceOutcome, type CaseRecord } from '../../case/record.js';
import { shortfall } from '../../case/region.js';
import { ExitkitError, formatError, setErrorName, type ExitkitErrorOptions } from '../../errors.js';
import { CLAIMS } from '../../letters/claims.js';
import type { ComplaintInfo, FollowUpInfo, FollowUpVerification, LetterContext, OperatorProfile, Recipient } from '../../letters/context.js';
import { emlHeadersFor, formatEml, type EmlHeaders } from '../../letters/eml.js';
import { LetterError } from '../../letters/errors.js';
import { configFactsFromConfig } from '../../letters/facts.js';
import { followUpFromPlan } from '../../letters/followup.js';
import { createProfile, parseProfile, profilePath } from '../../letters/profile.js';
import {
  findTemplate,
  followUpKind,
  listTemplates,
  loadTemplates,
  showTemplate,
  type Audience,
  type TemplateSet,
} from '../../letters/registry.js';
import { relayIdentityFromConfig } from '../../letters/relay.js';
import { renderLetter, type RenderedLetter } from '../../letters/render.js';
import { utcDate } from '../../letters/view.js';
import { LETTER_WIDTH, wrapText } from '../../letters/wrap.js';
import { loadRelayPolicy, type RelayPolicyResult } from '../../relay/policy.js';
import type { EffectivePolicy, Family, VerdictChange } from '../../types.js';
import { resolveConfigOptions, type ResolvedConfigOptions } from '../config-options.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommandContext, ConfigOptions } from '../main.js';

/** Codes of `CommandError`. */
export type CommandErrorCode =
  /** No operator profile where one was looked for. */
  | 'CLI_PROFILE_MISSING'
  /** `init` would overwrite an existing profile. */
  | 'CLI_PROFILE_EXISTS'
  /** `--out` names a file that exists. */
  | 'CLI_OUTPUT_EXISTS'
  /** Writing an output file failed. */
  | 'CLI_WRITE_FAILED'
  /** An input file (complaint, profile) cannot be read. */
  | 'CLI_INPUT_UNREADABLE'
  /** A follow-up letter was asked for without a plan to document. */
  | 'CLI_NO_PLAN'
  /** The follow-up kind asked for is not the one the plan's remedy needs. */
  | 'CLI_PLAN_MISMATCH'
  /** A date typed on the command line is not `YYYY-MM-DD`. */
  | 'CLI_BAD_DATE';

/** A problem a command handler finds itself; it carries the exit code the CLI ends with. */
export class CommandError extends ExitkitError<CommandErrorCode> {
  /** The exit code of the command (`main` uses it for this error). */
  readonly exitCode: ExitCodeValue;

  constructor(code: CommandErrorCode, message: string, exitCode: ExitCodeValue, options: ExitkitErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}
setErrorName(CommandError, 'CommandError');

/** Options of `exitkit letter`. */
export interface LetterCommandOptions extends Partial<ConfigOptions> {
  /** Plan folder a follow-up documents. */
  plan?: string | undefined;
  /** Case to take the complaint (and plan) from, and to file the letter into. */
  case?: string | undefined;
  /** Audience. */
  audience?: Audience | undefined;
  /** Recipient addresses. */
  to?: string[] | undefined;
  /** Recipient name. */
  toName?: string | undefined;
  /** Complainant's reference. */
  complaintRef?: string | undefined;
  /** When the complaint arrived, `YYYY-MM-DD`. */
  complaintDate?: string | undefined;
  /** Message-ID of the complaint. */
  messageId?: string | undefined;
  /** Subject of the complaint. */
  subject?: string | undefined;
  /** Relay address the complaint names. */
  relayAddress?: string | undefined;
  /** The operator's template folder. */
  templates?: string | undefined;
  /** Profile file. */
  profile?: string | undefined;
  /** `txt` or `eml`. */
  format?: 'txt' | 'eml' | undefined;
  /** File to write instead of standard output. */
  out?: string | undefined;
}

/** Options of `templates list` and `templates show`. */
export interface TemplatesCommandOptions {
  /** The operator's template folder. */
  templates?: string | undefined;
  /** Profile file (its `templates` folder is used). */
  profile?: string | undefined;
}

/** Options of `exitkit init`. */
export interface InitCommandOptions {
  /** Operator name. */
  name: string;
  /** Reply address. */
  email: string;
  /** Organisation. */
  organisation?: string | undefined;
  /** Extra signature lines. */
  signature?: string[] | undefined;
  /** The operator's template folder. */
  templates?: string | undefined;
  /** Where to write the profile. */
  profile?: string | undefined;
  /** Replace an existing profile. */
  force?: boolean | undefined;
}

/** Mode of the profile file: it holds nothing secret, and tools run as other users may read it. */
const PROFILE_MODE = 0o644;
/** Mode of letters written with `--out`: they quote the complaint, so only the group may read them. */
const LETTER_MODE = 0o640;

/** The operator profile in use: `--profile`, else `$EXITKIT_PROFILE`, else the default path. */
export async function readOperatorProfile(option: string | undefined, io: CliIO): Promise<{ profile: OperatorProfile; file: string }> {
  const file = path.resolve(io.cwd, option ?? profilePath(io.env));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CommandError('CLI_PROFILE_MISSING', `There is no operator profile at ${file}`, ExitCode.USAGE, {
        input: file,
        cause,
        hint: 'create it with `exitkit init --name "Your Name" --email abuse@example.org`, or name another with --profile FILE or $EXITKIT_PROFILE',
      });
    }
    throw new CommandError('CLI_INPUT_UNREADABLE', `Cannot read the operator profile ${file}: ${(cause as Error).message}`, ExitCode.FAILURE, {
      input: file,
      cause,
      hint: 'check the file and its permissions',
    });
  }
  return { profile: parseProfile(text, file), file };
}

/** The profile when one is configured; undefined when the default one does not exist (not an error where letters are not signed). */
async function optionalProfile(option: string | undefined, io: CliIO): Promise<OperatorProfile | undefined> {
  try {
    return (await readOperatorProfile(option, io)).profile;
  } catch (error) {
    if (option === undefined && error instanceof CommandError && error.code === 'CLI_PROFILE_MISSING') return undefined;
    throw error;
  }
}

/** Loads the templates: built-ins, overridden by `--templates DIR` or else the profile's folder. */
export async function loadLetterTemplates(option: string | undefined, profile: OperatorProfile | undefined, io: CliIO): Promise<TemplateSet> {
  const userDir = option !== undefined ? path.resolve(io.cwd, option) : profile?.templates;
  return loadTemplates({ userDir });
}

/**
 * Writes `data` to `file` completely or not at all (a dotfile beside it, fsync, then link or
 * rename), with `mode`. Without `replace`, an existing file is refused, never overwritten.
 */
export async function writeOutputFile(file: string, data: string, mode: number, replace: boolean): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      // The process umask would narrow the mode given to open(); chmod sets it exactly.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (replace) await rename(temp, file);
    else {
      // link() fails when the name exists, so nothing is ever replaced, and the file appears whole.
      await link(temp, file);
      await unlink(temp);
    }
    await syncDirectory(dir);
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CommandError('CLI_OUTPUT_EXISTS', `${file} already exists; exitkit does not overwrite it`, ExitCode.REFUSED, {
        input: file,
        cause,
        hint: 'choose another file name, or move the existing file away first',
      });
    }
    throw new CommandError('CLI_WRITE_FAILED', `Cannot write ${file}: ${(cause as Error).message}`, ExitCode.FAILURE, {
      input: file,
      cause,
      hint: 'check that the folder exists and is writable',
    });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Marks a library error as the operator's to fix on the command line (an unknown letter kind,
 * a value only the command line can give), so the CLI exits with the usage code.
 */
export function asUsageError<E extends ExitkitError>(error: E): E {
  Object.defineProperty(error, 'exitCode', { value: ExitCode.USAGE, enumerable: false, configurable: true });
  return error;
}

/** Loads the relay's configuration and policy as the command's options name them. */
export async function loadRelay(options: Partial<ConfigOptions>, io: CliIO): Promise<{ relay: RelayPolicyResult; resolved: ResolvedConfigOptions }> {
  const resolved = resolveConfigOptions(options, io);
  const relay = await loadRelayPolicy({
    torrc: resolved.torrc,
    defaultsTorrc: resolved.defaultsTorrc,
    cwd: resolved.cwd,
    ownAddresses: resolved.ownAddresses,
  });
  return { relay, resolved };
}

// Tor's `tor_addr_is_public_for_reject` says no to these (unspecified, internal, multicast),
// and neither does it exit to them in the sense a complaint means; both families, IPv4-mapped
// internal ranges included.
const NOT_PUBLIC: Readonly<Record<Family, readonly string[]>> = {
  4: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/8'],
  6: [
    '::/127', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
    '::ffff:0.0.0.0/104', '::ffff:10.0.0.0/104', '::ffff:100.64.0.0/106', '::ffff:127.0.0.0/104',
    '::ffff:169.254.0.0/112', '::ffff:172.16.0.0/108', '::ffff:192.168.0.0/112',
  ],
};

function publicCidrs(family: Family): string[] {
  const all = family === 4 ? '0.0.0.0/0' : '::/0';
  return excludeCidr([all], [...NOT_PUBLIC[family]]).map((cidr) => (cidr.includes('/') ? cidr : `${cidr}/${family === 4 ? 32 : 128}`));
}

/**
 * Whether the effective policy refuses port 25 to every public address of both families
 * (IPv6 only counts when the relay exits over it): the fact behind the "no-smtp" claim.
 * Checked exactly, region by region, not by sampling addresses.
 */
export function rejectsSmtpEverywhere(policy: EffectivePolicy): boolean {
  if (policy.notExit !== undefined) return true;
  const families: Family[] = policy.ipv6Exit ? [4, 6] : [4];
  const regions: VerdictChange[] = families.map((family) => ({ family, cidrs: publicCidrs(family), ports: [[25, 25]], before: 'accept', after: 'reject' }));
  return shortfall(policy.rules, regions).length === 0;
}

/** Prints the configuration's errors; true when tor would accept it and its policy was built. */
export function reportConfigErrors(relay: RelayPolicyResult, io: CliIO): boolean {
  for (const diagnostic of relay.diagnostics) {
    if (diagnostic.severity === 'error') io.stderr(`${formatError(diagnostic)}\n`);
  }
  return relay.valid && relay.policy !== undefined;
}

/** The ledger location for the commands that read cases: `--state-dir` (against the working directory) or the environment. */
export function ledgerLocation(stateDir: string | undefined, io: CliIO): LedgerLocation {
  return { ...(stateDir !== undefined ? { stateDir: path.resolve(io.cwd, stateDir) } : {}), env: io.env };
}

/** The letter as text: `Subject:` line, blank line, body (what `--format txt` prints and files). */
export function letterText(letter: Pick<RenderedLetter, 'subject' | 'body'>): string {
  return `Subject: ${letter.subject.replace(/[\r\n]+/g, ' ')}\n\n${letter.body}`;
}

// complaint-date ::= YYYY "-" MM "-" DD   (a calendar date)
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(text: string): string {
  const parsed = new Date(`${text}T00:00:00Z`);
  if (!DATE.test(text) || Number.isNaN(parsed.getTime()) || !parsed.toISOString().startsWith(text)) {
    throw new CommandError('CLI_BAD_DATE', `--complaint-date '${text}' is not a calendar date written YYYY-MM-DD`, ExitCode.USAGE, {
      input: text,
      pos: [0, text.length],
      hint: 'e.g. --complaint-date 2025-11-19',
    });
  }
  return text;
}

/** The complaint the letter answers: the case's (if any), with what was typed on top. */
function complaintFor(base: ComplaintInfo | undefined, options: LetterCommandOptions, now: Date): ComplaintInfo | undefined {
  const typed = [options.complaintRef, options.complaintDate, options.messageId, options.subject, options.relayAddress].some((value) => value !== undefined);
  if (base === undefined && !typed) return undefined;
  // A reply is normally written the day the complaint arrives, so an unstated date is today's.
  const complaint: ComplaintInfo = base ?? { receivedAt: utcDate(now), complainant: {} };
  return {
    ...complaint,
    ...(options.complaintDate !== undefined ? { receivedAt: checkDate(options.complaintDate) } : {}),
    ...(options.complaintRef !== undefined ? { reference: options.complaintRef } : {}),
    ...(options.messageId !== undefined ? { messageId: options.messageId } : {}),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    ...(options.relayAddress !== undefined ? { relayAddress: options.relayAddress } : {}),
  };
}

/** Who the letter goes to: `--to`/`--to-name`, else from the case (the ISP's reply address, or the complainant). */
function recipientFor(options: LetterCommandOptions, record: CaseRecord | undefined, audience: Audience): Recipient | undefined {
  const name = options.toName;
  const first = options.to?.[0];
  if (first !== undefined) return { email: first, ...(name !== undefined ? { name } : {}) };
  if (record !== undefined) {
    const complainantName = record.complainant.organisation ?? record.complainant.name ?? undefined;
    const fromCase: Recipient =
      audience === 'complainant'
        ? { name: complainantName, email: record.complainant.email ?? undefined }
        : record.replyTo !== null
          ? { name: record.replyTo.name || undefined, email: record.replyTo.address }
          : { name: complainantName, email: record.complainant.email ?? undefined };
    return { ...fromCase, ...(name !== undefined ? { name } : {}) };
  }
  return name !== undefined ? { name } : undefined;
}

/** The plan a case's follow-up documents: the latest one in force (not `exit`), else the latest not reverted. */
async function casePlan(id: string, record: CaseRecord, location: LedgerLocation): Promise<string | undefined> {
  let proposal: string | undefined;
  for (const link of [...record.plans].reverse()) {
    if (link.remedy === 'exit') continue;
    const dir = casePlanDir(id, link.id, location);
    const done = lastDone(await readJournal(dir).catch(() => []));
    if (done?.operation === 'apply' && isInForceOutcome(done.outcome)) return dir;
    if (proposal === undefined && !(done?.operation === 'revert' && isInForceOutcome(done.outcome))) proposal = dir;
  }
  return proposal;
}

/** What the latest follow-up check of the case, made after the change took effect, confirmed about the plan. */
async function verificationFromCase(shown: ShownCase, planId: string, effectiveAt: string): Promise<FollowUpVerification | undefined> {
  const checks = shown.record.followUps.filter((check) => check.status === 'in-force' && Date.parse(check.at) >= Date.parse(effectiveAt));
  const last = checks.at(-1);
  if (last === undefined) return undefined;
  try {
    const result = JSON.parse(await readFile(path.join(shown.dir, last.file), 'utf8')) as {
      plans?: Array<{ planId?: unknown; state?: unknown; files?: { status?: unknown }; running?: { status?: unknown } }>;
      destinations?: Array<{ destination?: unknown; files?: unknown; running?: unknown }>;
    };
    const plan = result.plans?.find((entry) => entry.planId === planId);
    if (plan?.state !== 'applied' || plan.files?.status !== 'in-force') return undefined;
    const destinations = (result.destinations ?? [])
      .filter((d) => d.files === 'rejected' && d.running !== 'accepted' && typeof d.destination === 'string')
      .map((d) => d.destination as string);
    return { verifiedAt: last.at, runningTor: plan.running?.status === 'in-force', destinations };
  } catch {
    // An unreadable record of the check is no evidence of it: the letter announces the check instead.
    return undefined;
  }
}

/** A follow-up's plan, resolved and read, with the letter kind its remedy needs. */
async function followUpFor(
  kind: string,
  options: LetterCommandOptions,
  shown: ShownCase | undefined,
  location: LedgerLocation,
  io: CliIO,
): Promise<{ info: FollowUpInfo; kind: string; planDir: string }> {
  const caseId = options.case;
  const planDir =
    options.plan !== undefined
      ? path.resolve(io.cwd, options.plan)
      : shown !== undefined && caseId !== undefined
        ? await casePlan(caseId, shown.record, location)
        : undefined;
  if (planDir === undefined) {
    throw new CommandError('CLI_NO_PLAN', `The ${kind} letter documents a plan, and ${shown === undefined ? 'none was given' : `case ${caseId ?? ''} has none`}`, ExitCode.USAGE, {
      input: kind,
      hint: shown === undefined ? 'name the plan folder with --plan DIR, or the case with --case ID' : 'make a plan for the case first (exitkit plan … --case ID), or name one with --plan DIR',
    });
  }
  const document = await readPlanDocument(planDir);
  const effect = await readAppliedEffect(planDir);
  const effectiveAt = effect?.at;
  // A case's checks name its plans by folder, which is the plan's id within the case.
  const verification = shown !== undefined && effectiveAt !== undefined ? await verificationFromCase(shown, path.basename(planDir), effectiveAt) : undefined;
  const info = followUpFromPlan(document, effectiveAt ?? null, verification, { openConnectionsClosed: effect?.openConnectionsClosed });
  const needed = followUpKind(info.remedy);
  if (kind !== 'followup' && kind !== needed) {
    throw new CommandError('CLI_PLAN_MISMATCH', `The plan in ${planDir} is a ${info.remedy} plan, which the ${needed} letter documents, not ${kind}`, ExitCode.USAGE, {
      input: kind,
      hint: `ask for \`exitkit letter followup\` (or ${needed}) with this plan`,
    });
  }
  return { info, kind: needed, planDir };
}

// Fields a template may need that the command line supplies, and the option that does.
const OPTION_FOR_FIELD: Readonly<Record<string, string>> = {
  'complaint.receivedDate': '--complaint-date YYYY-MM-DD',
  'complaint.reference': '--complaint-ref REF',
  'complaint.subject': '--subject TEXT',
  'complaint.relayAddress': '--relay-address ADDR',
  'complaint.eventTime': '--case ID (the complaint names the time of the event)',
  'complaint.eventDate': '--case ID (the complaint names the time of the event)',
  'recipient.name': '--to-name NAME',
  'recipient.email': '--to ADDRESS',
};

/** Renders, and turns "field not set" into what to type. */
function render(kind: string, context: LetterContext, templates: TemplateSet, audience: Audience | undefined, now: Date): RenderedLetter {
  try {
    return renderLetter(kind, context, { templates, audience, now });
  } catch (error) {
    if (error instanceof LetterError && (error.code === 'LETTER_MISSING_FIELD' || error.code === 'LETTER_EMPTY_FIELD') && error.field !== undefined) {
      const option = OPTION_FOR_FIELD[error.field] ?? (error.field.startsWith('complaint.') ? '--case ID' : undefined);
      if (option !== undefined) {
        throw asUsageError(
          new LetterError(error.code, error.message, {
            template: error.template,
            field: error.field,
            location: error.location,
            cause: error,
            hint: `give ${option}${error.field.startsWith('complaint.') && !option.startsWith('--case') ? ', or take the complaint from its case with --case ID' : ''}`,
          }),
        );
      }
    }
    throw error;
  }
}

/** `findTemplate`, with an unknown kind or audience reported as a usage error. */
function chooseTemplate(templates: TemplateSet, kind: string, audience: string | undefined): ReturnType<typeof findTemplate> {
  try {
    return findTemplate(templates, kind, audience);
  } catch (error) {
    if (error instanceof LetterError && (error.code === 'LETTER_UNKNOWN_KIND' || error.code === 'LETTER_NO_AUDIENCE')) throw asUsageError(error);
    throw error;
  }
}

/** `exitkit letter KIND`: renders a letter, prints it or writes it, and files it into the case. */
export async function letterCommand(context: CommandContext<LetterCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const requested = context.args[0] ?? '';
  const now = io.now();
  const { profile } = await readOperatorProfile(options.profile, io);
  const templates = await loadLetterTemplates(options.templates, profile, io);
  const location: LedgerLocation = { env: io.env };
  const shown = options.case !== undefined ? await showCase(options.case, { ...location, now }) : undefined;

  const { relay, resolved } = await loadRelay(options, io);
  if (!reportConfigErrors(relay, io) || relay.policy === undefined) return ExitCode.INVALID_CONFIG;
  const identity = await relayIdentityFromConfig(relay.config, (file) => readFile(file, 'utf8'), { cwd: resolved.cwd });
  const facts = configFactsFromConfig(relay.config, { smtpRejected: rejectsSmtpEverywhere(relay.policy) });

  const isFollowUp = requested === 'followup' || requested.startsWith('followup-');
  const followup = isFollowUp ? await followUpFor(requested, options, shown, location, io) : undefined;
  const kind = followup?.kind ?? requested;
  // The audience decides who the letter goes to; the kind's default applies when none is asked for.
  const audience = chooseTemplate(templates, kind, options.audience).audience;
  const letterContext: LetterContext = {
    relay: identity,
    operator: profile,
    recipient: recipientFor(options, shown?.record, audience ?? 'isp'),
    complaint: complaintFor(shown !== undefined ? complaintInfo(shown.record) : undefined, options, now),
    followup: followup?.info,
    facts,
  };
  const letter = render(kind, letterContext, templates, audience, now);

  let text: string;
  if (options.format === 'eml') {
    let headers: EmlHeaders;
    try {
      headers = { ...emlHeadersFor(letterContext, now) };
    } catch (error) {
      if (error instanceof LetterError && error.code === 'EML_BAD_ADDRESS') throw asUsageError(error);
      throw error;
    }
    const extra = (options.to ?? []).slice(1).map((address) => ({ address }));
    if (extra.length > 0) headers.to = [...headers.to, ...extra];
    const thread = referencesOf(shown);
    const messageId = letterContext.complaint?.messageId;
    if (messageId !== undefined && thread.length > 0) headers.references = [...thread.filter((id) => id !== messageId), messageId];
    try {
      text = formatEml(letter, headers);
    } catch (error) {
      // A missing or malformed recipient is the command line's to fix (--to).
      if (error instanceof LetterError && error.code === 'EML_BAD_ADDRESS') throw asUsageError(error);
      throw error;
    }
  } else {
    text = letterText(letter);
  }

  if (followup !== undefined && followup.info.appliedAt === null) {
    io.stderr(`Note: the plan in ${followup.planDir} is not applied yet, so the letter proposes the change.\n`);
  }
  if (options.out !== undefined) {
    const file = path.resolve(io.cwd, options.out);
    await writeOutputFile(file, text, LETTER_MODE, false);
    io.stderr(`Wrote the ${letter.name} letter to ${file}.\n`);
  }
  if (options.case !== undefined) {
    const filed = await recordLetter(
      options.case,
      { kind: letter.kind, audience: letter.audience, subject: letter.subject, body: letter.body },
      { ...location, now, format: options.format ?? 'txt', eml: options.format === 'eml' ? text : undefined },
    );
    io.stderr(`Filed in case ${options.case} as ${filed.file}.\n`);
  }
  if (options.out === undefined) io.stdout(text);
  return ExitCode.OK;
}

// The thread of the complaint (its References), from what the intake read.
function referencesOf(shown: ShownCase | undefined): string[] {
  const complaint = shown?.complaint as { references?: unknown } | undefined;
  const references = complaint?.references;
  return Array.isArray(references) ? references.filter((id): id is string => typeof id === 'string') : [];
}

/** `exitkit templates list`: every template, when to use it, and what it claims about the relay. */
export async function templatesListCommand(context: CommandContext<TemplatesCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const profile = await optionalProfile(options.profile, io);
  const templates = await loadLetterTemplates(options.templates, profile, io);
  const lines: string[] = [];
  for (const info of listTemplates(templates)) {
    lines.push(`${info.name}${info.origin === 'user' ? `  (yours: ${info.file})` : ''}`);
    lines.push(wrapText(`    ${info.description}`, LETTER_WIDTH + 6));
    if (info.claims.length > 0) lines.push(`    claims: ${info.claims.join(', ')} (refused when the configuration contradicts it)`);
  }
  lines.push('', 'Show one with `exitkit templates show KIND[.AUDIENCE]`; write one with `exitkit letter KIND`.');
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}

/** `exitkit templates show KIND[.AUDIENCE]`: a template's file, the fields and claims it uses, and its text. */
export async function templatesShowCommand(context: CommandContext<TemplatesCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const profile = await optionalProfile(options.profile, io);
  const templates = await loadLetterTemplates(options.templates, profile, io);
  let details: ReturnType<typeof showTemplate>;
  try {
    details = showTemplate(templates, context.args[0] ?? '');
  } catch (error) {
    if (error instanceof LetterError && (error.code === 'LETTER_UNKNOWN_KIND' || error.code === 'LETTER_NO_AUDIENCE')) throw asUsageError(error);
    throw error;
  }
  const lines = [
    `Template ${details.name} (${details.origin === 'user' ? 'yours' : 'built-in'}): ${details.file}`,
    `  needs:          ${details.requires.length > 0 ? details.requires.join(', ') : 'nothing beyond the relay and the profile'}`,
    `  uses when set:  ${details.optional.length > 0 ? details.optional.join(', ') : 'nothing else'}`,
  ];
  for (const claim of details.claims) lines.push(`  claims:         ${claim}: ${CLAIMS[claim]} (checked against the configuration)`);
  io.stdout(`${lines.join('\n')}\n\n${details.text.endsWith('\n') ? details.text : `${details.text}\n`}`);
  return ExitCode.OK;
}

/** `exitkit init`: writes the operator profile (mode 0644), refusing to replace one without `--force`. */
export async function initCommand(context: CommandContext<InitCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  let created: ReturnType<typeof createProfile>;
  try {
    created = createProfile({
      name: options.name,
      email: options.email,
      organisation: options.organisation,
      signature: options.signature,
      templates: options.templates === undefined ? undefined : path.resolve(io.cwd, options.templates),
    });
  } catch (error) {
    // Every value of the profile was typed on this command line.
    if (error instanceof LetterError) throw asUsageError(error);
    throw error;
  }
  const file = path.resolve(io.cwd, options.profile ?? profilePath(io.env));
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  } catch (cause) {
    throw new CommandError('CLI_WRITE_FAILED', `Cannot create the folder of ${file}: ${(cause as Error).message}`, ExitCode.FAILURE, { input: file, cause });
  }
  try {
    await writeOutputFile(file, created.text, PROFILE_MODE, options.force === true);
  } catch (error) {
    if (error instanceof CommandError && error.code === 'CLI_OUTPUT_EXISTS') {
      throw new CommandError('CLI_PROFILE_EXISTS', `An operator profile already exists at ${file}`, ExitCode.REFUSED, {
        input: file,
        cause: error,
        hint: 'run again with --force to replace it, or name another file with --profile',
      });
    }
    throw error;
  }
  io.stdout(`Wrote the operator profile to ${file}.\n`);
  if (options.profile !== undefined && path.resolve(io.cwd, profilePath(io.env)) !== file) {
    io.stdout(`Letters read ${path.resolve(io.cwd, profilePath(io.env))} unless given --profile ${file} or EXITKIT_PROFILE=${file}.\n`);
  }
  return ExitCode.OK;
}
