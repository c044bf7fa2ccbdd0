/**
 * The engine shared by apply and revert: move a set of live files from one known content
 * ("from", checked by SHA-256) to another ("to"), in named stages:
 *
 *   lock → check → back up → write candidates → tor --verify-config → replace atomically →
 *   reload → confirm on the running relay → (on failure: restore, reload, confirm) → report
 *
 * Safety properties, each kept by one stage:
 * - nothing is written unless every file has the expected bytes (or already the wanted ones,
 *   left by an interrupted run), so an edit made since the plan is never overwritten;
 * - each live file is replaced by one rename of a complete, fsynced dotfile in the same
 *   directory, so it always holds either its old or its new bytes;
 * - tor verifies the exact bytes that will be renamed into place before anything is renamed;
 * - every step is journaled (fsynced) in the plan folder, so a rerun after a crash knows where
 *   the backups are and completes the run.
 */
import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { PlanDocument } from '../types.js';
import { commitTemp, removeFileDurably, removeStaleTemps, writeTempBeside, type FileAttributes } from './atomic.js';
import { createBackupFolder, readBackup, writeBackup, compactUtc } from './backup.js';
import { confirmPolicy, openRelayControl, type Confirmation, type ControlAccess } from './confirm.js';
import type { ApplyEnvironment, LiveConfig } from './environment.js';
import { ApplyError } from './errors.js';
import { liveSha256, readLiveFile, type LiveFile } from './files.js';
import { findBackup, interruptedRun, Journal, lastDone, type JournalEntry, type Operation, type RunOutcome } from './journal.js';
import { acquireLock, lockPathFor, type HeldLock } from './lock.js';
import { readPlanDocument } from './plan-document.js';
import { performReload, prepareReload, RELOAD_METHODS, type ReloadMethod, type ReloadTarget } from './reload.js';
import { describeResult, type ApplyResult, type FileReport, type ReloadReport, type RollbackReport } from './report.js';

/** Named points of a run, passed to `ApplyOptions.checkpoint` (used to inject faults in tests). */
export type ApplyStage =
  /** The lock is held. */
  | 'locked'
  /** Every check passed; nothing written yet. */
  | 'checked'
  /** One backup file is written (before its journal entry). */
  | 'backup-written'
  /** Every backup is written and journaled. */
  | 'backed-up'
  /** The candidate files are written beside the live ones. */
  | 'candidate-written'
  /** tor accepted the candidate. */
  | 'verified'
  /** One live file was replaced (before its journal entry). */
  | 'replaced'
  /** Every live file was replaced. */
  | 'written'
  /** tor was reloaded. */
  | 'reloaded'
  /** The running relay enforces the change. */
  | 'confirmed'
  /** A rollback restored one file. */
  | 'rollback-replaced'
  /** The run is journaled as finished; the lock is about to be released. */
  | 'done';

/** Options of `applyPlan` and `revertPlan`. */
export interface ApplyOptions {
  /** How to make tor read the new files. */
  reload: ReloadMethod;
  /** Restart tor instead of reloading it (systemd only); needed for plans with `needsRestart`. */
  restart?: boolean | undefined;
  /** systemd unit of the relay (default `tor@default`). */
  unit?: string | undefined;
  /** The systemctl program (default `systemctl` on PATH). */
  systemctl?: string | undefined;
  /** The flock program (default `flock` on PATH). */
  flock?: string | undefined;
  /** Lock file (default `.<torrc name>.exitkit-lock` beside the real torrc). */
  lockPath?: string | undefined;
  /** How long to wait for another apply to finish (default 30 s). */
  lockTimeoutMs?: number | undefined;
  /** Pause after a reload before checking that tor still runs (default 1.5 s). */
  settleMs?: number | undefined;
  /** How long to wait for the running relay to show the change (default 30 s; 120 s after a restart). */
  confirmTimeoutMs?: number | undefined;
  /** Pause between confirmation attempts (default 500 ms). */
  confirmIntervalMs?: number | undefined;
  /** The outside world (default: the real one: tor, systemctl, the control port). */
  environment?: ApplyEnvironment | undefined;
  /** Called at each named stage; a test hook, e.g. to kill the process there. */
  checkpoint?: ((stage: ApplyStage) => void | Promise<void>) | undefined;
}

/** One live file a run moves from one content to another. */
export interface FileStep {
  /** Live path as the plan names it. */
  path: string;
  /** SHA-256 expected there now, null for "absent". */
  fromSha: string | null;
  /** SHA-256 wanted there, null for "absent" (the file is removed). */
  toSha: string | null;
  /** The wanted bytes, null when the file is removed. */
  toBytes: Buffer | null;
}

/** What distinguishes apply from revert. */
export interface TransitionSpec {
  /** `apply` or `revert`. */
  operation: Operation;
  /** The file steps, computed under the lock from the plan and the journal's history. */
  steps(plan: PlanDocument, history: readonly JournalEntry[]): Promise<FileStep[]>;
  /** Which verdict of each probe must hold once the run completes. */
  expect: 'before' | 'after';
  /** Whether files read by the plan but not changed must still have their planned hashes. */
  checkReadFiles: boolean;
}

const DEFAULTS = {
  unit: 'tor@default',
  systemctl: 'systemctl',
  lockTimeoutMs: 30_000,
  settleMs: 1_500,
  confirmTimeoutMs: 30_000,
  restartConfirmTimeoutMs: 120_000,
  confirmIntervalMs: 500,
};

/** Runs one apply or revert of the plan in `dir`, talking to the world through `env`. */
export async function runTransition(
  dir: string,
  spec: TransitionSpec,
  options: ApplyOptions,
  env: ApplyEnvironment,
): Promise<ApplyResult> {
  const checkpoint = async (stage: ApplyStage): Promise<void> => {
    await options.checkpoint?.(stage);
  };
  const restart = options.restart ?? false;
  if (!RELOAD_METHODS.includes(options.reload)) {
    throw new ApplyError('APPLY_RELOAD_UNAVAILABLE', `unknown reload method ${JSON.stringify(options.reload)}`, {
      input: String(options.reload),
      hint: `use one of ${RELOAD_METHODS.join(', ')}`,
    });
  }
  if (restart && options.reload !== 'systemd') {
    throw new ApplyError(
      'APPLY_RESTART_UNSUPPORTED',
      `--restart works only with --reload systemd, not with --reload ${options.reload}`,
      {
        hint:
          options.reload === 'none'
            ? 'drop --restart to only write the files, or use --reload systemd --restart'
            : 'exitkit restarts tor only through systemd, which starts it again with the same arguments; use --reload systemd --restart',
      },
    );
  }
  const plan = await readPlanDocument(dir);
  if (plan.needsRestart && !restart && options.reload !== 'none') {
    throw new ApplyError(
      'APPLY_NEEDS_RESTART',
      `plan ${plan.id} needs a restart of tor: ${plan.restartReason ?? 'a reload does not put this change in force'}; a reload alone would leave the old policy running`,
      { hint: 'use --reload systemd --restart, or --reload none to only write the files and restart tor yourself' },
    );
  }

  const started = env.now();
  const run = `${compactUtc(started)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const torrcReal = await realpath(plan.torrc).catch((cause: unknown) => {
    throw new ApplyError('APPLY_CONFIG_UNREADABLE', `the plan's torrc ${plan.torrc} cannot be found`, {
      input: plan.torrc,
      cause,
      hint: 'the plan was made on another machine or the torrc moved; make the plan again',
    });
  });
  const lock: HeldLock = await acquireLock(
    options.lockPath ?? lockPathFor(torrcReal),
    { operation: spec.operation, planDir: dir, since: started.toISOString() },
    { timeoutMs: options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs, flockBinary: options.flock },
  );
  const sessions: ControlAccess[] = [];
  try {
    await checkpoint('locked');
    const journal = await Journal.open(dir, run, () => env.now());
    return await new Run(dir, plan, spec, options, env, checkpoint, run, lock, sessions, journal).execute();
  } finally {
    for (const access of sessions) if ('session' in access) await access.session.close().catch(() => undefined);
    await lock.release();
  }
}

type StepState = 'from' | 'to';

interface InspectedStep {
  step: FileStep;
  live: LiveFile;
  state: StepState;
  /** Where this step's earlier content is kept (this run's backup, or an interrupted run's). */
  backup: { backup: string | null; sha256: string | null } | undefined;
  /** The temp file holding the new content, once written. */
  temp?: string | undefined;
  /** Set when this run replaced the file. */
  replaced?: boolean;
}

class Run {
  private readonly notes: string[] = [];
  private staleTempsRemoved: string[] = [];
  private interrupted: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly plan: PlanDocument,
    private readonly spec: TransitionSpec,
    private readonly options: ApplyOptions,
    private readonly env: ApplyEnvironment,
    private readonly checkpoint: (stage: ApplyStage) => Promise<void>,
    private readonly run: string,
    private readonly lock: HeldLock,
    private readonly sessions: ControlAccess[],
    private readonly journal: Journal,
  ) {}

  private get method(): ReloadMethod {
    return this.options.reload;
  }

  private get restart(): boolean {
    return this.options.restart ?? false;
  }

  async execute(): Promise<ApplyResult> {
    const history = this.journal.history;
    this.interrupted = interruptedRun(history, this.spec.operation);
    const steps = await this.spec.steps(this.plan, history);

    // Check: every file has its expected bytes, or the wanted ones.
    const inspected = await Promise.all(steps.map((step) => this.inspect(step, history)));
    for (const item of inspected) {
      this.staleTempsRemoved.push(...(await removeStaleTemps(item.live.target)));
    }
    const torrcLive = await readLiveFile(this.plan.torrc);
    this.staleTempsRemoved.push(...(await removeStaleTemps(torrcLive.target)));
    if (this.spec.checkReadFiles) await this.checkReadFiles(steps);
    const config = await this.loadConfig();
    if (this.spec.checkReadFiles) this.checkIncludeSet(config, steps);

    const pending = inspected.filter((item) => item.state === 'from');
    if (pending.length === 0 && this.interrupted === undefined && !this.putsInForce()) return this.unchanged(inspected);

    // Check that the reload can work before writing anything.
    const reloadTarget = await this.prepareReload(config);
    const confirmAccess = await this.probeControl(config, reloadTarget);
    await this.checkpoint('checked');
    await this.journal.append({
      event: 'start',
      operation: this.spec.operation,
      pid: process.pid,
      reload: this.method,
      restart: this.restart,
    });

    try {
      await this.backUp(pending);
      await this.writeCandidates(pending, torrcLive);
      await this.verifyCandidate(inspected, pending, config);
      await this.replace(pending);
    } catch (error) {
      await this.discardTemps(pending);
      if (pending.some((item) => item.replaced)) {
        const skipped: ReloadReport = { method: this.method, restarted: false, status: 'skipped', description: 'tor was not reloaded', at: null };
        return this.rollBack(inspected, skipped, this.notConfirmed('writing failed'), `writing failed: ${errorText(error)}`, config, reloadTarget, false);
      }
      if (error instanceof ApplyError) {
        await this.journal.append({ event: 'refused', code: error.code, message: error.message });
      }
      throw error;
    }

    const reload = await this.reload(reloadTarget);
    if (reload.status === 'failed') {
      return this.rollBack(inspected, reload, this.notConfirmed('the reload failed'), reload.problem ?? 'the reload failed', config, reloadTarget, true);
    }
    await this.checkpoint('reloaded');

    let confirmation: Confirmation;
    if (reload.status === 'skipped') {
      confirmation = this.notConfirmed('tor was not reloaded (--reload none)');
    } else if ('problem' in confirmAccess) {
      confirmation = this.notConfirmed(`no control access: ${confirmAccess.problem}`);
    } else {
      confirmation = await this.confirm(config, reloadTarget.method === 'control' ? confirmAccess : undefined, this.spec.expect);
    }
    if (confirmation.status === 'failed') {
      return this.rollBack(inspected, reload, confirmation, confirmation.reason ?? 'the relay does not enforce the change', config, reloadTarget, true);
    }
    if (confirmation.status === 'confirmed') {
      await this.journal.append({ event: 'confirmed', probes: confirmation.probes.length });
      await this.checkpoint('confirmed');
    }

    const effectiveAt = reload.status === 'done' ? reload.at : null;
    this.addNotes(config, reload);
    const openConnectionsClosed = effectiveAt !== null && (reload.restarted || reevaluatesOpenConnections(config));
    await this.journal.append({ event: 'done', operation: this.spec.operation, outcome: 'completed', effectiveAt, openConnectionsClosed });
    await this.checkpoint('done');
    return this.result('completed', inspected, reload, confirmation, effectiveAt);
  }

  /**
   * True when every file is in place but an earlier run only wrote them (`--reload none`)
   * and this run asks for a reload: it then reloads and confirms without writing.
   */
  private putsInForce(): boolean {
    const done = lastDone(this.journal.history);
    return (
      this.method !== 'none' &&
      done !== undefined &&
      done.operation === this.spec.operation &&
      done.outcome === 'completed' &&
      done.effectiveAt === null
    );
  }

  private async inspect(step: FileStep, history: readonly JournalEntry[]): Promise<InspectedStep> {
    const live = await readLiveFile(step.path);
    const sha = liveSha256(live);
    let state: StepState;
    if (sha === step.fromSha) state = 'from';
    else if (sha === step.toSha) state = 'to';
    else {
      throw new ApplyError(
        'APPLY_FILE_CHANGED',
        `${step.path} ${sha === null ? 'does not exist' : `has SHA-256 ${sha}`}, but the plan expects ${describeSha(step.fromSha)}` +
          ` (or ${describeSha(step.toSha)} if already ${this.spec.operation === 'apply' ? 'applied' : 'reverted'}): it was changed since`,
        {
          input: step.path,
          hint:
            this.spec.operation === 'apply'
              ? 'someone edited the file after the plan was made; make a new plan from the current files'
              : 'the file was edited after the plan was applied; revert by hand from the backups in the plan folder',
        },
      );
    }
    const recovered = state === 'to' ? findBackup(history, step.path, step.fromSha) : undefined;
    return { step, live, state, backup: recovered ? { backup: recovered.backup, sha256: recovered.sha256 } : undefined };
  }

  private async checkReadFiles(steps: readonly FileStep[]): Promise<void> {
    const changed = new Set(steps.map((s) => s.path));
    for (const file of this.plan.readFiles) {
      if (changed.has(file.path)) continue;
      const live = await readLiveFile(file.path).catch(() => undefined);
      const sha = live ? liveSha256(live) : null;
      if (sha !== file.sha256) {
        throw new ApplyError(
          'APPLY_FILE_CHANGED',
          `${file.path} ${sha === null ? 'cannot be read' : `has SHA-256 ${sha}`}, but it had ${file.sha256} when the plan was made`,
          { input: file.path, hint: 'the plan was computed from other files than tor reads now; make a new plan' },
        );
      }
    }
  }

  private async loadConfig(): Promise<LiveConfig> {
    try {
      return await this.env.loadConfig({ torrc: this.plan.torrc, defaultsTorrc: this.plan.defaultsTorrc, cwd: this.plan.cwd });
    } catch (cause) {
      throw new ApplyError('APPLY_CONFIG_UNREADABLE', `cannot read the live configuration ${this.plan.torrc}: ${errorText(cause)}`, {
        input: this.plan.torrc,
        cause,
      });
    }
  }

  private checkIncludeSet(config: LiveConfig, steps: readonly FileStep[]): void {
    const known = new Set([...this.plan.readFiles.map((f) => f.path), ...steps.map((s) => s.path)]);
    const added = config.files.filter((file) => !known.has(file));
    if (added.length > 0) {
      throw new ApplyError(
        'APPLY_INCLUDES_CHANGED',
        `tor now also reads ${added.join(', ')}, which did not exist or was not included when the plan was made`,
        { input: added[0], hint: 'a file was added to an included directory or glob; make a new plan' },
      );
    }
  }

  private async prepareReload(config: LiveConfig): Promise<ReloadTarget> {
    let control: ControlAccess = { problem: 'not needed' };
    if (this.method === 'control') {
      control = await openRelayControl(config.view, this.plan.torrc, this.env);
      this.sessions.push(control);
    }
    return prepareReload(
      {
        method: this.method,
        restart: this.restart,
        unit: this.options.unit ?? DEFAULTS.unit,
        systemctl: this.options.systemctl ?? DEFAULTS.systemctl,
        cwd: this.plan.cwd,
      },
      config.view,
      control,
      this.env,
    );
  }

  /** Whether the control port can be used to confirm; the session is not kept open. */
  private async probeControl(config: LiveConfig, target: ReloadTarget): Promise<ControlAccess> {
    if (this.method === 'none') return { problem: 'tor is not reloaded' };
    if (target.method === 'control') return { session: target.session };
    const access = await openRelayControl(config.view, this.plan.torrc, this.env);
    if ('session' in access) await access.session.close().catch(() => undefined);
    return access;
  }

  private async backUp(pending: InspectedStep[]): Promise<void> {
    let folder: string | undefined;
    for (const item of pending) {
      if (item.live.exists) {
        folder ??= await createBackupFolder(this.dir, this.env.now());
        const backup = await writeBackup(folder, item.step.path, item.live.bytes);
        await this.checkpoint('backup-written');
        item.backup = { backup, sha256: item.live.sha256 };
      } else {
        item.backup = { backup: null, sha256: null };
      }
      await this.journal.append({
        event: 'backup',
        path: item.step.path,
        target: item.live.target,
        backup: item.backup.backup,
        sha256: item.backup.sha256,
      });
    }
    await this.checkpoint('backed-up');
  }

  private async writeCandidates(pending: InspectedStep[], torrc: LiveFile): Promise<void> {
    // A new file gets the torrc's mode and owner: tor must be able to read it like the torrc.
    const template: FileAttributes = torrc.exists ? torrc : { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    for (const item of pending) {
      if (item.step.toBytes === null) continue;
      const attributes = item.live.exists ? item.live : template;
      item.temp = await writeTempBeside(item.live.target, item.step.toBytes, attributes, `${this.run}-new`);
    }
    await this.checkpoint('candidate-written');
  }

  /**
   * Runs `tor --verify-config` on the configuration as it will be. When only the torrc (or
   * only the defaults file) changes, tor reads the very temp file that will be renamed into
   * place; otherwise it reads flattened copies of both sources with the new content.
   */
  private async verifyCandidate(all: InspectedStep[], pending: InspectedStep[], config: LiveConfig): Promise<void> {
    let torrc = this.plan.torrc;
    let defaultsTorrc = this.plan.defaultsTorrc;
    const only = pending.length === 1 ? pending[0] : undefined;
    const flattened: string[] = [];
    if (only?.temp !== undefined && only.step.path === this.plan.torrc) {
      torrc = only.temp;
    } else if (only?.temp !== undefined && only.step.path === this.plan.defaultsTorrc) {
      defaultsTorrc = only.temp;
    } else if (pending.length > 0) {
      const overrides = new Map<string, string>();
      for (const item of pending) overrides.set(item.step.path, item.step.toBytes?.toString('utf8') ?? '');
      const beside = all.find((item) => item.step.path === this.plan.torrc)?.live.target ?? (await realpath(this.plan.torrc));
      const owner = { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      try {
        torrc = await writeTempBeside(beside, config.flatten(overrides, 'torrc'), owner, `${this.run}-verify`);
        flattened.push(torrc);
        if (defaultsTorrc !== null) {
          defaultsTorrc = await writeTempBeside(beside, config.flatten(overrides, 'defaults'), owner, `${this.run}-verify-defaults`);
          flattened.push(defaultsTorrc);
        }
      } catch (cause) {
        for (const file of flattened) await removeFileDurably(file).catch(() => undefined);
        if (cause instanceof ApplyError) throw cause;
        throw new ApplyError('APPLY_CONFIG_UNREADABLE', `cannot build the candidate configuration for tor to verify: ${errorText(cause)}`, {
          input: this.plan.torrc,
          cause,
          hint: 'a file the configuration includes cannot be read; fix that first, then make the plan again',
        });
      }
    }
    let outcome;
    try {
      outcome = await this.env.verifyConfig({ torrc, defaultsTorrc, cwd: this.plan.cwd });
    } catch (cause) {
      throw new ApplyError('APPLY_VERIFY_UNAVAILABLE', `cannot run tor --verify-config: ${errorText(cause)}`, {
        cause,
        hint: 'install tor (apt-get install -y tor); exitkit never writes a configuration tor has not accepted',
      });
    } finally {
      for (const file of flattened) await removeFileDurably(file).catch(() => undefined);
    }
    if (!outcome.valid) {
      const quoted = outcome.messages.length > 0 ? outcome.messages : [outcome.output.trim() || `exit code ${outcome.exitCode}`];
      throw new ApplyError(
        'APPLY_TOR_REJECTED',
        `tor --verify-config rejected the ${this.spec.operation === 'apply' ? 'planned' : 'restored'} configuration` +
          `${outcome.signal ? ` (tor was killed by ${outcome.signal})` : ''}; the live files were not touched:\n` +
          quoted.map((line) => `  ${line}`).join('\n'),
        {
          input: this.plan.torrc,
          torMessages: quoted,
          hint: 'fix the plan (or the files it builds on) so that tor accepts it, then make the plan again',
        },
      );
    }
    await this.journal.append({ event: 'verified' });
    await this.checkpoint('verified');
  }

  private async replace(pending: InspectedStep[]): Promise<void> {
    // Last look before the first rename: an editor may have saved while tor was verifying.
    for (const item of pending) {
      const now = liveSha256(await readLiveFile(item.step.path));
      if (now !== item.step.fromSha) {
        throw new ApplyError('APPLY_FILE_CHANGED', `${item.step.path} was changed while exitkit was verifying the plan`, {
          input: item.step.path,
          hint: 'someone is editing the configuration; nothing was written — make a new plan once they are done',
        });
      }
    }
    for (const item of pending) {
      if (item.temp !== undefined) {
        await commitTemp(item.temp, item.live.target);
        item.temp = undefined;
      } else {
        await removeFileDurably(item.live.target);
      }
      item.replaced = true;
      await this.checkpoint('replaced');
      await this.journal.append({ event: 'written', path: item.step.path, target: item.live.target, sha256: item.step.toSha });
    }
    await this.checkpoint('written');
  }

  private async discardTemps(pending: InspectedStep[]): Promise<void> {
    for (const item of pending) {
      if (item.temp !== undefined) await removeFileDurably(item.temp).catch(() => undefined);
      item.temp = undefined;
    }
  }

  private async reload(target: ReloadTarget): Promise<ReloadReport> {
    const outcome = await performReload(target, this.env, this.options.settleMs ?? DEFAULTS.settleMs);
    const report: ReloadReport = {
      method: this.method,
      restarted: target.method === 'systemd' && target.restart,
      status: target.method === 'none' ? 'skipped' : outcome.ok ? 'done' : 'failed',
      description: outcome.description,
      at: outcome.at,
      problem: outcome.problem,
    };
    if (report.status === 'done') {
      await this.journal.append({ event: 'reloaded', method: this.method, restarted: report.restarted });
    }
    return report;
  }

  /**
   * Confirms on the running relay. `reuse` is a session still open after the reload (the
   * control method); otherwise, and always after a restart, a new one is opened.
   */
  private async confirm(config: LiveConfig, reuse: ControlAccess | undefined, expect: 'before' | 'after'): Promise<Confirmation> {
    let initial = this.restart ? undefined : reuse;
    return confirmPolicy(
      {
        probes: this.plan.probes,
        expect,
        connect: async () => {
          if (initial !== undefined) {
            const access = initial;
            initial = undefined;
            return access;
          }
          const access = await openRelayControl(config.view, this.plan.torrc, this.env);
          this.sessions.push(access);
          return access;
        },
        timeoutMs:
          this.options.confirmTimeoutMs ?? (this.restart ? DEFAULTS.restartConfirmTimeoutMs : DEFAULTS.confirmTimeoutMs),
        intervalMs: this.options.confirmIntervalMs ?? DEFAULTS.confirmIntervalMs,
      },
      this.env,
    );
  }

  private notConfirmed(reason: string): Confirmation {
    return {
      status: 'not-checked',
      reason,
      probes: this.plan.probes.map((p) => ({ address: p.address, port: p.port, expected: p[this.spec.expect], observed: undefined })),
      policyLines: [],
    };
  }

  /**
   * Puts the earlier bytes back into every file this run (or the interrupted run it
   * recovered) replaced, makes tor read them, and reports. Throws `APPLY_ROLLED_BACK`, or
   * `APPLY_ROLLBACK_FAILED` when something could not be restored.
   */
  private async rollBack(
    inspected: InspectedStep[],
    reload: ReloadReport,
    confirmation: Confirmation,
    reason: string,
    config: LiveConfig,
    target: ReloadTarget,
    reloadAfter: boolean,
  ): Promise<never> {
    await this.journal.append({ event: 'rollback', reason });
    const rollback: RollbackReport = { reason, restored: [], notRestored: [], reload: undefined, confirmation: undefined, complete: false };
    for (const item of inspected) {
      if (!(item.replaced || item.state === 'to')) continue;
      try {
        if (item.step.fromSha === null) {
          await removeFileDurably(item.live.target);
        } else {
          if (!item.backup?.backup) throw new Error('no backup of its earlier content was recorded');
          const bytes = await readBackup(item.backup.backup, item.step.fromSha);
          const current = await readLiveFile(item.step.path);
          const attributes = current.exists ? current : item.live.exists ? item.live : { mode: 0o644, uid: 0, gid: 0 };
          const temp = await writeTempBeside(item.live.target, bytes, attributes, `${this.run}-restore`);
          await commitTemp(temp, item.live.target);
        }
        await this.checkpoint('rollback-replaced');
        await this.journal.append({ event: 'restored', path: item.step.path, sha256: item.step.fromSha });
        rollback.restored.push({ path: item.step.path, sha256: item.step.fromSha });
      } catch (error) {
        rollback.notRestored.push({ path: item.step.path, problem: errorText(error) });
      }
    }

    let torAccepts = false;
    if (rollback.notRestored.length === 0 && reloadAfter) {
      const verdict = await this.env
        .verifyConfig({ torrc: this.plan.torrc, defaultsTorrc: this.plan.defaultsTorrc, cwd: this.plan.cwd })
        .catch((error: unknown) => ({ valid: false, messages: [errorText(error)], output: '', exitCode: undefined, signal: undefined }));
      torAccepts = verdict.valid;
      if (!torAccepts) {
        rollback.notRestored.push({
          path: this.plan.torrc,
          problem: `tor --verify-config rejects the restored configuration, so tor was not reloaded: ${verdict.messages.join(' / ')}`,
        });
      }
    }
    if (torAccepts) {
      let again = target;
      if (target.method === 'control') {
        const access = await openRelayControl(config.view, this.plan.torrc, this.env);
        this.sessions.push(access);
        again = 'session' in access ? { method: 'control', session: access.session } : target;
      }
      rollback.reload = await this.reload(again);
      if (rollback.reload.status === 'done') {
        const access = await openRelayControl(config.view, this.plan.torrc, this.env);
        this.sessions.push(access);
        rollback.confirmation =
          'session' in access
            ? await this.confirm(config, access, this.spec.expect === 'after' ? 'before' : 'after')
            : this.notConfirmed(`no control access: ${access.problem}`);
      }
    }
    const problems = rollback.notRestored.map((n) => `${n.path}: ${n.problem}`);
    if (reloadAfter && rollback.reload?.status === 'failed') {
      problems.push(`the reload after restoring failed: ${rollback.reload.problem ?? rollback.reload.description}`);
      this.notes.push(
        `tor is probably not running now; start it (e.g. systemctl start ${this.options.unit ?? DEFAULTS.unit}) — the files hold the earlier configuration again`,
      );
    }
    rollback.complete = problems.length === 0;
    const outcome: RunOutcome = rollback.complete ? 'rolled-back' : 'rollback-failed';
    await this.journal.append({ event: 'done', operation: this.spec.operation, outcome, effectiveAt: null });
    const result = this.result(outcome, inspected, reload, confirmation, null, rollback);
    throw new ApplyError(
      rollback.complete ? 'APPLY_ROLLED_BACK' : 'APPLY_ROLLBACK_FAILED',
      rollback.complete
        ? `${this.spec.operation} of plan ${this.plan.id} was rolled back: ${reason}`
        : `${this.spec.operation} of plan ${this.plan.id} failed (${reason}) and the rollback did not complete: ${problems.join('; ')}`,
      {
        input: this.dir,
        result,
        hint: rollback.complete
          ? 'the earlier files are back in place; see the report for what the running tor showed'
          : `check tor now; the backups are listed in ${this.dir}/journal.jsonl`,
      },
    );
  }

  private unchanged(inspected: InspectedStep[]): ApplyResult {
    const done = lastDone(this.journal.history);
    const effectiveAt =
      done?.operation === this.spec.operation && (done.outcome === 'completed' || done.outcome === 'unchanged') ? done.effectiveAt : null;
    const reload: ReloadReport = {
      method: this.method,
      restarted: false,
      status: 'skipped',
      description: 'nothing was written, so tor was not reloaded',
      at: null,
    };
    if (this.plan.changes.length === 0) this.notes.push('the plan changes no file: its remedy was already in force when it was made');
    return this.result('unchanged', inspected, reload, this.notConfirmed('nothing was written'), effectiveAt);
  }

  private addNotes(config: LiveConfig, reload: ReloadReport): void {
    if (reload.status === 'skipped') {
      this.notes.push(
        this.plan.needsRestart
          ? `the change is NOT in force: it needs a restart of tor (${this.plan.restartReason ?? 'a reload is not enough'}), and tor was not restarted`
          : `the change is NOT in force until tor reloads its configuration (e.g. systemctl reload ${this.options.unit ?? DEFAULTS.unit})`,
      );
    }
    const blocked = this.plan.semanticChange.changes.filter((change) =>
      this.spec.operation === 'apply'
        ? change.before === 'accept' && change.after === 'reject'
        : change.after === 'accept' && change.before === 'reject',
    );
    if (blocked.length > 0 && !reload.restarted) {
      const ranges = blocked.flatMap((change) => change.cidrs).join(', ');
      this.notes.push(
        reevaluatesOpenConnections(config)
          ? `ReevaluateExitPolicy 1 is set, so tor closes connections already open to ${ranges} that the new policy rejects`
          : `connections already open to ${ranges} stay open until they close (tor issue 40676); restart tor (--reload systemd --restart) or set ReevaluateExitPolicy 1 to close them now`,
      );
    }
  }

  private result(
    outcome: RunOutcome,
    inspected: InspectedStep[],
    reload: ReloadReport,
    confirmation: Confirmation,
    effectiveAt: string | null,
    rollback?: RollbackReport,
  ): ApplyResult {
    const files: FileReport[] = inspected.map((item) => {
      const restored = rollback?.restored.some((r) => r.path === item.step.path) ?? false;
      const action: FileReport['action'] =
        !item.replaced || restored ? 'unchanged' : item.step.toSha === null ? 'removed' : item.live.exists ? 'written' : 'created';
      return {
        path: item.step.path,
        target: item.live.target,
        action,
        sha256: restored ? item.step.fromSha : item.step.toSha,
        backup: item.backup?.backup ?? null,
      };
    });
    const base = {
      operation: this.spec.operation,
      outcome,
      planId: this.plan.id,
      planDir: this.dir,
      run: this.run,
      files,
      reload,
      confirmation,
      effectiveAt,
      recovery: { interruptedRun: this.interrupted, lockLeftBy: this.lock.interrupted, staleTempsRemoved: this.staleTempsRemoved },
      ...(rollback ? { rollback } : {}),
      notes: this.notes,
    };
    return { ...base, lines: describeResult(base) };
  }
}

function describeSha(sha: string | null): string {
  return sha === null ? 'no file' : `SHA-256 ${sha}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// With ReevaluateExitPolicy 1 (tor 0.4.9), a reload closes the exit connections the new
// ExitRelay, ExitPolicy, ReducedExitPolicy or IPv6Exit no longer allow; without it they stay
// open until they end.
function reevaluatesOpenConnections(config: LiveConfig): boolean {
  return config.view.value('ReevaluateExitPolicy')?.value === '1';
}
