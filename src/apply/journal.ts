/**
 * The journal of a plan folder (`DIR/journal.jsonl`): one JSON object per line, appended and
 * fsynced before the step it records is considered done. It is the memory between runs:
 * where the backups are, whether an earlier run was interrupted, and when a change took
 * effect (quoted in the follow-up letter).
 *
 * Only the last line can be cut short (by a crash during the append); it is ignored, and the
 * next append removes it. Any other unreadable line means the journal was damaged and is
 * refused.
 */
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from './atomic.js';
import { ApplyError } from './errors.js';
import { isCode } from './files.js';

/** `apply` or `revert`. */
export type Operation = 'apply' | 'revert';

/** How a run ended. */
export type RunOutcome =
  /** The files were written (and tor reloaded/confirmed as asked). */
  | 'completed'
  /** Everything was already in place; nothing was written. */
  | 'unchanged'
  /** A failure after writing; the earlier files were restored. */
  | 'rolled-back'
  /** A failure after writing, and restoring did not complete. */
  | 'rollback-failed';

/** One line of the journal. Every entry names its run and carries an ISO-8601 UTC time. */
export type JournalEntry = { run: string; at: string } & (
  | { event: 'start'; operation: Operation; pid: number; reload: string; restart: boolean }
  | {
      event: 'backup';
      /** Live path as the plan names it. */
      path: string;
      /** The regular file behind it. */
      target: string;
      /** The backup copy, or null when the file did not exist (a rollback removes it). */
      backup: string | null;
      /** SHA-256 of the backed-up bytes, or null when the file did not exist. */
      sha256: string | null;
    }
  | { event: 'verified' }
  | { event: 'written'; path: string; target: string; sha256: string | null }
  | { event: 'reloaded'; method: string; restarted: boolean }
  | { event: 'confirmed'; probes: number }
  | { event: 'rollback'; reason: string }
  | { event: 'restored'; path: string; sha256: string | null }
  | {
      event: 'done';
      operation: Operation;
      outcome: RunOutcome;
      /** When the change took effect on the running relay, or null when it is not in force yet. */
      effectiveAt: string | null;
      /**
       * True when tor also closed connections that were open when the change took effect and
       * that it now refuses: it was restarted, or `ReevaluateExitPolicy 1` was set. Absent in
       * journals written before this was recorded, which means the same as false.
       */
      openConnectionsClosed?: boolean;
    }
  | { event: 'refused'; code: string; message: string }
);

/** An entry before `run` and `at` are filled in. */
export type JournalRecord = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'run' | 'at'>
    : never
  : never;

/** The journal file of a plan folder. */
export function journalPath(dir: string): string {
  return path.join(dir, 'journal.jsonl');
}

/** Reads every complete entry of a plan folder's journal (none when there is no journal yet). */
export async function readJournal(dir: string): Promise<JournalEntry[]> {
  const file = journalPath(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw new ApplyError('APPLY_JOURNAL_CORRUPT', `cannot read the journal ${file}`, { input: file, cause: error });
  }
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const last = index === lines.length - 1;
    try {
      const value = JSON.parse(line) as JournalEntry;
      if (typeof value.event !== 'string' || typeof value.run !== 'string') throw new Error('no event or run');
      entries.push(value);
    } catch (cause) {
      // Only an append cut short by a crash leaves a last line without its newline.
      if (last) return;
      throw new ApplyError('APPLY_JOURNAL_CORRUPT', `line ${index + 1} of ${file} is not a journal entry`, {
        location: { file, line: index + 1 },
        input: line,
        cause,
        hint: 'the journal was edited or damaged; restore it, or move it aside and check the files by hand',
      });
    }
  });
  return entries;
}

/** An open journal that one run appends to. */
export class Journal {
  private constructor(
    readonly file: string,
    /** Entries written before this run. */
    readonly history: readonly JournalEntry[],
    /** The id of this run. */
    readonly run: string,
    private readonly clock: () => Date,
  ) {}

  /** Reads the history of `dir` and prepares appends for the run `run`. */
  static async open(dir: string, run: string, clock: () => Date): Promise<Journal> {
    const history = await readJournal(dir);
    return new Journal(journalPath(dir), history, run, clock);
  }

  /** Appends one entry and flushes it to disk before returning. */
  async append(record: JournalRecord): Promise<JournalEntry> {
    const entry = { run: this.run, at: this.clock().toISOString(), ...record } as JournalEntry;
    const handle = await open(this.file, 'a+', 0o600);
    let created = false;
    try {
      const size = (await handle.stat()).size;
      created = size === 0;
      if (size > 0) {
        // An append cut short by a crash leaves a line without its newline. That entry was
        // never acknowledged (the step it records did not count as done), so it is dropped
        // rather than left in the middle of the journal.
        const text = await readFile(this.file);
        if (text[size - 1] !== 0x0a) await handle.truncate(text.lastIndexOf(0x0a) + 1);
      }
      await handle.write(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (created) await syncDirectory(path.dirname(this.file));
    return entry;
  }
}

/** The most recent backup of `livePath` whose recorded hash is `sha256` (null: "did not exist"). */
export function findBackup(
  entries: readonly JournalEntry[],
  livePath: string,
  sha256: string | null,
): Extract<JournalEntry, { event: 'backup' }> | undefined {
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (entry?.event === 'backup' && entry.path === livePath && entry.sha256 === sha256) return entry;
  }
  return undefined;
}

/** The id of the last run of `operation` that started but never recorded how it ended. */
export function interruptedRun(entries: readonly JournalEntry[], operation: Operation): string | undefined {
  const ended = new Set(entries.filter((e) => e.event === 'done' || e.event === 'refused').map((e) => e.run));
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (entry?.event === 'start') {
      return entry.operation === operation && !ended.has(entry.run) ? entry.run : undefined;
    }
  }
  return undefined;
}

/** The last finished run (`done` entry), if any. */
export function lastDone(entries: readonly JournalEntry[]): Extract<JournalEntry, { event: 'done' }> | undefined {
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (entry?.event === 'done') return entry;
  }
  return undefined;
}

/**
 * When the plan's change last took effect on the running relay (ISO-8601 UTC), for the
 * follow-up letter; undefined when it is not in force (never applied, reverted, rolled back,
 * or written without a reload).
 */
export async function readEffectiveTime(dir: string): Promise<string | undefined> {
  return (await readAppliedEffect(dir))?.at;
}

/** When an applied plan took effect, and what happened to connections open at that moment. */
export interface AppliedEffect {
  /** ISO-8601 UTC time the running relay took the change up. */
  readonly at: string;
  /** Whether tor closed the open connections the change refuses (see the journal's `done`). */
  readonly openConnectionsClosed: boolean;
}

/** `readEffectiveTime` with what happened to open connections; undefined when not in force. */
export async function readAppliedEffect(dir: string): Promise<AppliedEffect | undefined> {
  return appliedEffectOf(lastDone(await readJournal(dir)));
}

/** The effect a finished run records, when it is an apply whose change is in force. */
export function appliedEffectOf(done: Extract<JournalEntry, { event: 'done' }> | undefined): AppliedEffect | undefined {
  if (done?.operation !== 'apply' || (done.outcome !== 'completed' && done.outcome !== 'unchanged')) return undefined;
  if (done.effectiveAt === null) return undefined;
  return { at: done.effectiveAt, openConnectionsClosed: done.openConnectionsClosed === true };
}
