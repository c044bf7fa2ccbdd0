/**
 * `exitkit complaint parse`, `case open|list|show|close` and `followup`: from a complaint as
 * received to a case, and a week later to the check that the promised change still holds.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { followUp, type FollowUpLetterOptions, type FollowUpOptions, type FollowUpResult } from '../../case/followup.js';
import { closeCase, eventDate, formatDestination, listCases, openCase, showCase } from '../../case/ledger.js';
import { checkOwnership, ownAddressesFromConfig, type OwnershipReport } from '../../case/ownership.js';
import {
  DEFAULT_MAX_COMPLAINT_BYTES,
  parseComplaint,
  serializeComplaint,
  suggestRemedy,
  type Complaint,
  type EventTime,
  type ParsedComplaint,
  type RemedySuggestion,
} from '../../complaint/index.js';
import type { Mailbox } from '../../complaint/types.js';
import { formatError, type ExitkitError } from '../../errors.js';
import { exoneratorUrl } from '../../letters/exonerator.js';
import { KIND_FOR_CATEGORY } from '../../letters/registry.js';
import type { ConfigLine, ConfigView } from '../../types.js';
import { DEFAULTS_TORRC_ENV, resolveConfigOptions, torrcChosen } from '../config-options.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommandContext, ConfigOptions } from '../main.js';
import { CommandError, ledgerLocation, letterText, loadLetterTemplates, loadRelay, readOperatorProfile, writeOutputFile } from './letters.js';

/** Options of `complaint parse`. */
export interface ComplaintParseOptions extends Partial<ConfigOptions> {
  /** Print JSON. */
  json?: boolean | undefined;
}

/** Options shared by the `case` commands. */
export interface CaseCommandOptions {
  /** State directory (cases live in its `cases/` folder). */
  stateDir?: string | undefined;
  /** Print JSON. */
  json?: boolean | undefined;
}

/** Options of `case open`. */
export interface CaseOpenOptions extends CaseCommandOptions, Partial<ConfigOptions> {
  /** Case id to use. */
  id?: string | undefined;
}

/** Options of `case list`. */
export interface CaseListOptions extends CaseCommandOptions {
  /** Include closed cases. */
  all?: boolean | undefined;
}

/** Options of `case close`. */
export interface CaseCloseOptions extends CaseCommandOptions {
  /** Why the case is closed. */
  note?: string | undefined;
}

/** Options of `followup ID`. */
export interface FollowUpCommandOptions extends CaseCommandOptions, Partial<ConfigOptions> {
  /** Recipient addresses (the first is used). */
  to?: string[] | undefined;
  /** The operator's template folder. */
  templates?: string | undefined;
  /** Profile file. */
  profile?: string | undefined;
  /** Letter format. */
  format?: 'txt' | 'eml' | undefined;
  /** Also write the letter to this file. */
  out?: string | undefined;
}

/** Mode of a letter written with `--out`. */
const LETTER_MODE = 0o640;

/** Reads a complaint file as received, refusing what cannot be a complaint. */
async function readComplaintFile(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new CommandError('CLI_INPUT_UNREADABLE', `${file} is not a regular file`, ExitCode.USAGE, {
        input: file,
        hint: 'pass the complaint as a file, e.g. the .eml saved from the mail client',
      });
    }
    if (info.size > DEFAULT_MAX_COMPLAINT_BYTES) {
      throw new CommandError('CLI_INPUT_UNREADABLE', `${file} has ${info.size} bytes, more than the ${DEFAULT_MAX_COMPLAINT_BYTES} a complaint may have`, ExitCode.USAGE, {
        input: file,
        hint: 'save the complaint mail itself, not a mailbox or archive',
      });
    }
    return await readFile(file);
  } catch (cause) {
    if (cause instanceof CommandError) throw cause;
    throw new CommandError('CLI_INPUT_UNREADABLE', `Cannot read the complaint ${file}: ${(cause as Error).message}`, ExitCode.FAILURE, {
      input: file,
      cause,
      hint: 'check the path and its permissions',
    });
  }
}

/**
 * The relay's configuration for "is it us?", with the addresses given by `--own-address`
 * added as `Address` lines (tor would detect them at run time), or why it cannot be read.
 */
async function relayForOwnership(options: Partial<ConfigOptions>, io: CliIO): Promise<{ config: ConfigView; torrc: string } | { problem: string; torrc: string }> {
  const { relay, resolved } = await loadRelay(options, io);
  // Only a file that cannot be read stops the check: an invalid option elsewhere does not
  // change which addresses the relay has.
  const unreadable = relay.config.errors.find((error) => /_(MISSING|UNREADABLE)$/.test(error.code));
  if (unreadable !== undefined) return { problem: formatError(unreadable).split('\n')[0] ?? unreadable.message, torrc: resolved.torrc };
  return { config: withOwnAddresses(relay.config, resolved.ownAddresses), torrc: resolved.torrc };
}

function withOwnAddresses(config: ConfigView, addresses: readonly string[]): ConfigView {
  if (addresses.length === 0) return config;
  const extra: ConfigLine[] = addresses.map((address, index) => ({
    option: 'Address',
    key: 'Address',
    prefix: '',
    value: address,
    location: { file: '--own-address', line: index + 1 },
    source: 'torrc',
  }));
  return {
    lines: (option) => (option === 'Address' ? [...config.lines(option), ...extra] : config.lines(option)),
    value: (option) => config.value(option),
  };
}

function mailbox(box: Mailbox | null): string | undefined {
  if (box === null) return undefined;
  return box.name ? `${box.name} <${box.address}>` : box.address;
}

function timeLine(time: EventTime): string {
  const utc = time.utc === null ? 'not placed in UTC' : `${time.utc.slice(0, 19).replace('T', ' ')} UTC`;
  const notes = time.notes.length > 0 ? `; ${time.notes.join('; ')}` : '';
  return `${utc}  (${time.role}, written "${time.original}" in ${time.field}, zone ${time.zone}${notes})`;
}

/** What the intake read, one labelled line per fact. */
function complaintLines(complaint: Complaint): string[] {
  const lines: string[] = [];
  const label = (name: string, value: string) => lines.push(`  ${`${name}:`.padEnd(15)}${value}`);
  label('Format', `${complaint.format}${complaint.formatVersion !== null ? ` ${complaint.formatVersion}` : ''}${complaint.reportType !== null ? ` (report type ${complaint.reportType})` : ''}`);
  label('Category', `${complaint.category} (answer with the "${KIND_FOR_CATEGORY[complaint.category]}" letter)`);
  const who = [complaint.complainant.organisation, complaint.complainant.name, complaint.complainant.email].filter((x): x is string => x !== null);
  label('Complainant', who.length > 0 ? who.join(', ') : 'unknown');
  for (const forwarder of complaint.forwardedBy) label('Forwarded by', mailbox(forwarder) ?? '');
  const replyTo = mailbox(complaint.replyTo);
  if (replyTo !== undefined) label('Reply to', replyTo);
  label('Reference', complaint.reference ?? 'none given');
  label('Message-ID', complaint.messageId ?? 'none');
  if (complaint.subject !== null) label('Subject', complaint.subject);
  if (complaint.mailDate !== null) label('Mail date', complaint.mailDate);
  if (complaint.sources.length === 0) label('Source', 'none named');
  for (const source of complaint.sources) {
    label('Source', `${source.address}${source.port !== null ? ` port ${source.port}` : ''}${source.original !== source.address ? ` (written "${source.original}")` : ''} from ${source.field}`);
  }
  if (complaint.destinations.length === 0) {
    label('Destinations', `none: ${complaint.destinationNote ?? 'the report names no destination'}`);
  } else {
    for (const destination of complaint.destinations) {
      label('Destination', `${formatDestination({ ...destination, ports: [...destination.ports] })}${destination.hostname !== null ? ` (${destination.hostname})` : ''}`);
    }
    if (complaint.destinationNote !== null) label('', complaint.destinationNote);
  }
  if (complaint.times.length === 0) label('Times', 'none given');
  for (const time of complaint.times) label('Time', timeLine(time));
  if (complaint.timeRange !== null && complaint.timeRange.first !== complaint.timeRange.last) {
    label('Time range', `${complaint.timeRange.first} to ${complaint.timeRange.last}`);
  }
  for (const note of complaint.notes) lines.push(`  note: ${note}`);
  return lines;
}

function suggestionLines(suggestion: RemedySuggestion): string[] {
  const lines = [`Suggested: ${suggestion.command ?? 'no policy change'}`, `  why: ${suggestion.reasoning}`];
  for (const alternative of suggestion.alternatives) lines.push(`  or:  ${alternative.command ?? 'no change'} (${alternative.reasoning})`);
  for (const note of suggestion.notes) lines.push(`  note: ${note}`);
  lines.push(`  answer with: exitkit letter ${KIND_FOR_CATEGORY[suggestion.letter]}`);
  return lines;
}

function exoneratorLinks(complaint: ParsedComplaint, now: Date): Array<{ address: string; date: string; url: string }> {
  if (complaint.status !== 'parsed') return [];
  const date = eventDate(complaint, now);
  return complaint.sources.map((source) => ({ address: source.address, date, url: exoneratorUrl(source.address, date) }));
}

function problemJson(error: ExitkitError): Record<string, unknown> {
  return { code: error.code, severity: error.severity, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}) };
}

/** `exitkit complaint parse FILE`: what the complaint says, whether it is about this relay, and the suggested remedy. */
export async function complaintParseCommand(context: CommandContext<ComplaintParseOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const now = io.now();
  const file = path.resolve(io.cwd, context.args[0] ?? '');
  const complaint = await parseComplaint(await readComplaintFile(file), { fileName: path.basename(file) });
  const suggestion = suggestRemedy(complaint);
  const links = exoneratorLinks(complaint, now);
  const relay = await relayForOwnership(options, io);
  let ownership: OwnershipReport | undefined;
  if ('config' in relay && complaint.status === 'parsed') {
    ownership = checkOwnership(complaint.sources.map((s) => s.address), ownAddressesFromConfig(relay.config), { date: eventDate(complaint, now) });
  }

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          file,
          complaint: serializeComplaint(complaint),
          suggestion,
          ownership:
            ownership !== undefined
              ? { checked: true, torrc: relay.torrc, allOurs: ownership.allOurs, sources: ownership.sources, lines: ownership.lines }
              : { checked: false, torrc: relay.torrc, reason: 'problem' in relay ? relay.problem : 'the complaint could not be read' },
          exonerator: links,
        },
        null,
        2,
      )}\n`,
    );
    return complaint.status === 'parsed' ? ExitCode.OK : ExitCode.CHECK_FAILED;
  }

  const lines = [`Complaint ${file}`];
  if (complaint.status === 'unparseable') {
    lines.push(
      `  WARNING: it could not be read (${complaint.reason.code}): ${complaint.reason.message}`,
      ...(complaint.reason.hint !== undefined ? [`  hint: ${complaint.reason.hint}`] : []),
      `  Subject:       ${complaint.subject ?? 'none'}`,
      `  From:          ${mailbox(complaint.sender) ?? 'unknown'}`,
      `  Message-ID:    ${complaint.messageId ?? 'none'}`,
      'Read it yourself before changing anything.',
    );
  } else {
    lines.push(...complaintLines(complaint));
    const problems = complaint.problems;
    if (problems.length > 0) {
      lines.push('Problems reading it:');
      for (const problem of problems) lines.push(`  ${problem.severity}: ${problem.message}${problem.part !== undefined ? ` (${problem.part})` : ''}`);
    }
    if (ownership !== undefined) {
      lines.push(`Is it us? (checked against ${relay.torrc})`, ...ownership.lines.map((line) => `  ${line}`));
    } else {
      lines.push(`Is it us? Not checked: ${'problem' in relay ? relay.problem : 'no relay configuration'}`);
      for (const link of links) lines.push(`  ${link.address}: ExoneraTor (was it a Tor relay on ${link.date}?): ${link.url}`);
    }
  }
  lines.push(...suggestionLines(suggestion));
  io.stdout(`${lines.join('\n')}\n`);
  return complaint.status === 'parsed' ? ExitCode.OK : ExitCode.CHECK_FAILED;
}

/** `exitkit case open FILE`: stores and reads the complaint, checks "is it us?", suggests a remedy. */
export async function caseOpenCommand(context: CommandContext<CaseOpenOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const file = path.resolve(io.cwd, context.args[0] ?? '');
  const relay = await relayForOwnership(options, io);
  const opened = await openCase(file, {
    ...ledgerLocation(options.stateDir, io),
    now: io.now(),
    id: options.id,
    relay: 'config' in relay ? { config: relay.config } : undefined,
  });
  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          id: opened.id,
          dir: opened.dir,
          record: opened.record,
          complaint: serializeComplaint(opened.complaint),
          suggestion: opened.suggestion,
          ownership: opened.ownership ?? null,
          ...('problem' in relay ? { ownershipNotChecked: relay.problem } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return ExitCode.OK;
  }
  const lines = [...opened.lines];
  if ('problem' in relay) {
    const at = lines.findIndex((line) => line.startsWith('Is it us? (not checked'));
    const why = `Is it us? (not checked: ${relay.problem})`;
    if (at >= 0) lines[at] = why;
    else lines.push(why);
  }
  lines.push(`Case folder: ${opened.dir}`);
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}

/** `exitkit case list`: open cases (all with `--all`), failed and overdue follow-ups first. */
export async function caseListCommand(context: CommandContext<CaseListOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const list = await listCases({ ...ledgerLocation(options.stateDir, io), now: io.now(), all: options.all === true });
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ cases: list.cases, problems: list.problems.map(problemJson) }, null, 2)}\n`);
  } else {
    io.stdout(`${list.lines.join('\n')}\n`);
  }
  return ExitCode.OK;
}

/** `exitkit case show ID`: the case's record, plans, letters and follow-up checks. */
export async function caseShowCommand(context: CommandContext<CaseCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const shown = await showCase(context.args[0] ?? '', { ...ledgerLocation(options.stateDir, io), now: io.now() });
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ dir: shown.dir, record: shown.record, summary: shown.summary, complaint: shown.complaint ?? null }, null, 2)}\n`);
  } else {
    io.stdout(`${shown.lines.join('\n')}\n`);
  }
  return ExitCode.OK;
}

/** `exitkit case close ID`: closes the case, with an optional note. */
export async function caseCloseCommand(context: CommandContext<CaseCloseOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const closed = await closeCase(context.args[0] ?? '', options.note, { ...ledgerLocation(options.stateDir, io), now: io.now() });
  io.stdout(`${closed.lines.join('\n')}\n`);
  return ExitCode.OK;
}

/** The exit code of a follow-up check: 0 when every promise holds, else what went wrong. */
export function followUpExitCode(result: Pick<FollowUpResult, 'ok' | 'status' | 'configs'>): ExitCodeValue {
  if (result.ok) return ExitCode.OK;
  // Nothing could be checked because tor would not read the configuration: that is the
  // configuration's fault, as for every other command; anything else is a failed check.
  if (result.status === 'unverified' && result.configs.some((config) => !config.valid)) return ExitCode.INVALID_CONFIG;
  return ExitCode.CHECK_FAILED;
}

/**
 * `exitkit followup ID`: checks that every change the case promised is in force, and writes
 * the follow-up letter when it is. Exits 0 when every promise holds, 3 when the configuration
 * cannot be read as tor would, 5 when a change is missing or not applied.
 */
export async function followupCommand(context: CommandContext<FollowUpCommandOptions>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const id = context.args[0] ?? '';
  const now = io.now();
  const notes: string[] = [];

  let letter: FollowUpLetterOptions | undefined;
  try {
    const { profile } = await readOperatorProfile(options.profile, io);
    const to = options.to ?? [];
    if (to.length > 1) notes.push(`Only the first --to (${to[0] ?? ''}) is used; write to the others with \`exitkit letter followup --case ${id} --to …\`.`);
    letter = {
      templates: await loadLetterTemplates(options.templates, profile, io),
      operator: profile,
      format: options.format ?? 'txt',
      ...(to[0] !== undefined ? { recipient: { email: to[0] } } : {}),
    };
  } catch (error) {
    // Without a profile the check still runs: it is what the command is for; the letter waits.
    if (!(options.profile === undefined && error instanceof CommandError && error.code === 'CLI_PROFILE_MISSING')) throw error;
    notes.push(`No follow-up letter: ${error.message}; ${error.hint ?? ''}`.trimEnd());
  }

  const followUpOptions: FollowUpOptions = {
    ...ledgerLocation(options.stateDir, io),
    now,
    letter,
    ...(torrcChosen(options, io) ? { torrc: resolveConfigOptions(options, io).torrc } : {}),
    ...(typeof options.defaultsTorrc === 'string' || (options.defaultsTorrc === undefined && io.env[DEFAULTS_TORRC_ENV])
      ? { defaultsTorrc: resolveConfigOptions(options, io).defaultsTorrc ?? null }
      : {}),
    ...(options.defaultsTorrc === false ? { defaultsTorrc: null } : {}),
    ...(options.cwd !== undefined ? { cwd: path.resolve(io.cwd, options.cwd) } : {}),
    ...(options.ownAddress !== undefined ? { ownAddresses: options.ownAddress } : {}),
  };
  const result = await followUp(id, followUpOptions);

  if (options.out !== undefined) {
    const out = path.resolve(io.cwd, options.out);
    if (result.letter !== null) {
      const text = result.letter.file !== null ? await readFile(result.letter.file, 'utf8') : letterText(result.letter);
      await writeOutputFile(out, text, LETTER_MODE, false);
      notes.push(`Wrote the ${result.letter.name} letter to ${out}.`);
    } else {
      notes.push(`Nothing was written to ${out}: there is no follow-up letter.`);
    }
  }

  if (options.json === true) {
    io.stdout(`${JSON.stringify({ ...result, notes }, null, 2)}\n`);
  } else {
    io.stdout(`${[...result.lines, ...notes].join('\n')}\n`);
  }
  return followUpExitCode(result);
}
