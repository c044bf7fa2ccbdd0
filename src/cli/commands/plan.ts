/**
 * `exitkit plan block|unblock|reduce-ports|middle|exit` and `exitkit blocks`.
 *
 * A plan never touches the live configuration: it writes a folder with the diff to review
 * and the plan `exitkit apply` carries out. With `--case ID` naming a case in the ledger, the
 * plan is filed into that case (unless `--out` says otherwise).
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { casePlanDir, caseDir } from '../../case/paths.js';
import { createPlan, type PlanOutcome } from '../../plan/create.js';
import type { RemedyRequest } from '../../remedy/index.js';
import { blocksJson, listBlocks, renderBlocks } from '../../remedy/markers.js';
import { utcStamp } from '../../remedy/context.js';
import { loadRelayPolicy } from '../../relay/policy.js';
import { resolveConfigOptions } from '../config-options.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommandContext, ConfigOptions } from '../main.js';
import { UsageError } from '../usage-error.js';

/** Options shared by every `plan` subcommand. */
export interface PlanCommandOptions extends ConfigOptions {
  /** Case id (marks the torrc lines; files the plan into the case when the ledger has it). */
  case?: string;
  /** Output folder. */
  out?: string;
  /** Print the plan document as JSON. */
  json?: boolean;
  /** Why (kept in the torrc comment). */
  reason?: string;
  /** Ledger state directory. */
  stateDir?: string;
}

/** Where the plan goes: `--out`, the case's plans folder, or a new folder here. */
function destination(options: PlanCommandOptions, io: CliIO, kind: string): { out: string | undefined; caseId: string | undefined } {
  if (options.out !== undefined) return { out: resolve(io.cwd, options.out), caseId: undefined };
  if (options.case === undefined) return { out: undefined, caseId: undefined };
  const location = { stateDir: options.stateDir, env: io.env };
  let inLedger = false;
  try {
    inLedger = existsSync(join(caseDir(options.case, location), 'case.json'));
  } catch {
    // Not a valid ledger id: the remedy layer reports the id itself, with its grammar.
    inLedger = false;
  }
  if (!inLedger) return { out: undefined, caseId: undefined };
  return { out: casePlanDir(options.case, `${kind}-${utcStamp(io.now())}`, location), caseId: options.case };
}

async function plan(context: CommandContext<PlanCommandOptions>, request: RemedyRequest): Promise<ExitCodeValue> {
  const { io, options } = context;
  const config = resolveConfigOptions(options, io);
  const target = destination(options, io, request.kind);
  const outcome: PlanOutcome = await createPlan(request, {
    torrc: config.torrc,
    defaultsTorrc: config.defaultsTorrc,
    cwd: config.cwd,
    ownAddresses: config.ownAddresses,
    now: io.now(),
    caseId: options.case,
    out: target.out,
    baseDir: io.cwd,
  });
  if (target.caseId !== undefined && outcome.dir !== undefined) {
    // The ledger (and what it imports) is loaded only when a plan is filed into a case.
    const { recordPlan } = await import('../../case/ledger.js');
    await recordPlan(target.caseId, basename(outcome.dir), {
      stateDir: options.stateDir,
      env: io.env,
      now: io.now(),
    });
  }
  io.stdout(options.json ? `${JSON.stringify(outcome.document, null, 2)}\n` : outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
  return ExitCode.OK;
}

/** `exitkit plan block CIDR...`. */
export async function planBlockCommand(
  context: CommandContext<PlanCommandOptions & { ports?: string; allowHostBits?: boolean }>,
): Promise<ExitCodeValue> {
  const { options } = context;
  return plan(context, {
    kind: 'block',
    cidrs: context.args,
    ports: options.ports,
    caseId: options.case,
    reason: options.reason,
    allowHostBits: options.allowHostBits,
  });
}

/** `exitkit plan unblock CASE-ID`. */
export async function planUnblockCommand(context: CommandContext<PlanCommandOptions>): Promise<ExitCodeValue> {
  return plan(context, { kind: 'unblock', caseId: context.args[0] ?? '' });
}

/** `exitkit plan reduce-ports (--tor-reduced | --ports LIST)`. */
export async function planReducePortsCommand(
  context: CommandContext<PlanCommandOptions & { ports?: string; torReduced?: boolean }>,
): Promise<ExitCodeValue> {
  const { options } = context;
  if ((options.torReduced === true) === (options.ports !== undefined)) {
    throw new UsageError('USAGE_CONFLICT', 'reduce-ports needs exactly one of --tor-reduced and --ports', {
      hint: "e.g. exitkit plan reduce-ports --ports 80,443, or --tor-reduced for Tor's reduced exit policy",
    });
  }
  return plan(context, {
    kind: 'reduce-ports',
    torReduced: options.torReduced,
    ports: options.ports,
    caseId: options.case,
    reason: options.reason,
  });
}

/** `exitkit plan middle`. */
export async function planMiddleCommand(context: CommandContext<PlanCommandOptions>): Promise<ExitCodeValue> {
  return plan(context, { kind: 'middle', caseId: context.options.case, reason: context.options.reason });
}

/** `exitkit plan exit`. */
export async function planExitCommand(context: CommandContext<PlanCommandOptions>): Promise<ExitCodeValue> {
  return plan(context, { kind: 'exit', caseId: context.options.case, reason: context.options.reason });
}

/** `exitkit blocks`: the blocks exitkit added, and whether each rule is effective. */
export async function blocksCommand(context: CommandContext<ConfigOptions & { json?: boolean }>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const config = resolveConfigOptions(options, io);
  const relay = await loadRelayPolicy({
    torrc: config.torrc,
    defaultsTorrc: config.defaultsTorrc,
    cwd: config.cwd,
    ownAddresses: config.ownAddresses,
  });
  const blocks = listBlocks(relay);
  io.stdout(options.json ? `${JSON.stringify(blocksJson(blocks), null, 2)}\n` : renderBlocks(blocks));
  return relay.valid ? ExitCode.OK : ExitCode.INVALID_CONFIG;
}
