/**
 * `exitkit apply DIR` and `exitkit revert DIR`: put a reviewed plan in force, or take it back.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { recordApply } from '../../case/index.js';
import { applyPlan, revertPlan, type ApplyOptions, type ApplyResult } from '../../apply/apply.js';
import { ApplyError } from '../../apply/errors.js';
import type { ReloadMethod } from '../../apply/reload.js';
import { formatError } from '../../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommandContext } from '../main.js';

/** Options of `apply` and `revert`. */
export interface ApplyCommandOptions {
  /** How to make tor read the new configuration. */
  reload: ReloadMethod;
  /** Restart instead of reload (systemd). */
  restart?: boolean;
  /** Do not ask for confirmation. */
  yes?: boolean;
  /** systemd unit. */
  unit?: string;
  /** Print the result as JSON. */
  json?: boolean;
}

async function consent(io: CliIO, dir: string, verb: 'apply' | 'revert', yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  let summary = '';
  try {
    const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as { summary?: unknown };
    if (typeof plan.summary === 'string') summary = plan.summary;
  } catch {
    // An unreadable plan is reported by apply itself, with its reason.
    return true;
  }
  if (!io.confirm) {
    io.stderr(
      `exitkit: refusing to ${verb} ${dir} without confirmation: there is no terminal to ask.\n` +
        `  Review ${join(dir, 'torrc.diff')}, then run again with --yes.\n`,
    );
    return false;
  }
  if (summary) io.stderr(`${summary}\n`);
  return io.confirm(`${verb === 'apply' ? 'Apply' : 'Revert'} the plan in ${dir} to the live configuration?`);
}

async function run(
  verb: 'apply' | 'revert',
  context: CommandContext<ApplyCommandOptions>,
): Promise<ExitCodeValue> {
  const { io, options } = context;
  const dir = resolve(io.cwd, context.args[0] ?? '.');
  if (!(await consent(io, dir, verb, options.yes))) return ExitCode.REFUSED;
  const applyOptions: ApplyOptions = {
    reload: options.reload,
    restart: options.restart,
    unit: options.unit,
  };
  let result: ApplyResult;
  try {
    result = await (verb === 'apply' ? applyPlan(dir, applyOptions) : revertPlan(dir, applyOptions));
  } catch (error) {
    if (error instanceof ApplyError) {
      if (error.result) io.stdout(`${error.result.lines.join('\n')}\n`);
      io.stderr(`${formatError(error)}\n`);
      for (const message of error.torMessages ?? []) io.stderr(`  tor: ${message}\n`);
      return ExitCode.REFUSED;
    }
    throw error;
  }
  io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.lines.join('\n')}\n`);
  if (verb === 'apply') await fileIntoCase(dir, io);
  return ExitCode.OK;
}

/**
 * A plan filed in a case (`<state>/cases/<id>/plans/<plan>`) records the time it took effect
 * in the case, which starts the one-week follow-up clock.
 */
async function fileIntoCase(dir: string, io: CliIO): Promise<void> {
  const plans = dirname(dir);
  const caseFolder = dirname(plans);
  if (basename(plans) !== 'plans' || !existsSync(join(caseFolder, 'case.json'))) return;
  const stateDir = dirname(dirname(caseFolder));
  const filed = await recordApply(basename(caseFolder), basename(dir), { stateDir, now: io.now() });
  for (const line of filed.lines) io.stdout(`${line}\n`);
}

/** `exitkit apply DIR`. */
export async function applyCommand(context: CommandContext<ApplyCommandOptions>): Promise<ExitCodeValue> {
  return run('apply', context);
}

/** `exitkit revert DIR`. */
export async function revertCommand(context: CommandContext<ApplyCommandOptions>): Promise<ExitCodeValue> {
  return run('revert', context);
}
