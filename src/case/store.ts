/**
 * The ledger's file I/O: atomic writes, a per-case lock, and reading/writing `case.json`.
 *
 * Every file is written to a dotfile beside its final name, fsynced, renamed into place and
 * the directory fsynced, so a reader (or a crash) only ever sees the old or the new content.
 * Updates of `case.json` are read-modify-write under the case's lock (`.lock` in the case
 * folder, created exclusively, holding the owner's pid), so two commands filing into the same
 * case at once do not lose each other's entries. A lock whose owner process is gone is taken
 * over; one held by a live process is waited for, then refused with CASE_LOCKED.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CaseError } from './errors.js';
import { formatCaseRecord, parseCaseRecord, type CaseRecord } from './record.js';

/** Name of a case's record file. */
export const RECORD_FILE = 'case.json';
/** Name of a case's lock file. */
export const LOCK_FILE = '.lock';
/** Mode of files the ledger writes: complaints carry third parties' data, so not world-readable. */
export const FILE_MODE = 0o640;
/** Mode of folders the ledger creates. */
export const DIR_MODE = 0o750;

/** Options of the case lock. */
export interface LockOptions {
  /** How long to wait for another process's lock (default 10 s). */
  lockTimeoutMs?: number | undefined;
}

/** True when `error` is a Node system error with `code`. */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Writes `data` to `file` atomically (dotfile temp in the same folder, fsync, rename, fsync
 * folder); with `exclusive`, refuses (CASE_WRITE_FAILED) when `file` exists instead of replacing it.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, exclusive = false): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (exclusive) {
      // link() fails when the name exists, so a file is never replaced, and the complete
      // content appears under its name at once.
      await link(temp, file);
      await unlink(temp);
    } else {
      await rename(temp, file);
    }
    await syncDirectory(dir);
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    if (exclusive && hasCode(cause, 'EEXIST')) {
      throw new CaseError('CASE_WRITE_FAILED', `${file} already exists and is never overwritten`, { input: file, cause });
    }
    throw new CaseError('CASE_WRITE_FAILED', `cannot write ${file}: ${(cause as Error).message}`, { input: file, cause });
  }
}

/** fsyncs a directory so that a rename in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a folder (and its parents) with the ledger's mode. */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (cause) {
    throw new CaseError('CASE_WRITE_FAILED', `cannot create ${dir}: ${(cause as Error).message}`, { input: dir, cause });
  }
}

/** Reads and checks the record of the case in `dir`. */
export async function readRecord(dir: string): Promise<CaseRecord> {
  const file = path.join(dir, RECORD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (hasCode(cause, 'ENOENT')) {
      throw new CaseError('CASE_NOT_FOUND', `there is no case ${path.basename(dir)} (no ${file})`, {
        input: path.basename(dir),
        hint: 'list the cases with `exitkit case list --all`',
        cause,
      });
    }
    throw new CaseError('CASE_RECORD_INVALID', `cannot read ${file}: ${(cause as Error).message}`, { input: file, cause });
  }
  return parseCaseRecord(text, file, path.basename(dir));
}

/** Writes the record of the case in `dir` atomically. */
export async function writeRecord(dir: string, record: CaseRecord): Promise<void> {
  await writeFileAtomic(path.join(dir, RECORD_FILE), formatCaseRecord(record));
}

/**
 * Runs `update` on the case's record under its lock and writes the result; returns what
 * `update` returned along with the new record.
 */
export async function updateRecord<T>(
  dir: string,
  update: (record: CaseRecord) => Promise<{ record: CaseRecord; value: T }> | { record: CaseRecord; value: T },
  options: LockOptions = {},
): Promise<{ record: CaseRecord; value: T }> {
  return withCaseLock(dir, async () => {
    const result = await update(await readRecord(dir));
    await writeRecord(dir, result.record);
    return result;
  }, options);
}

/** Runs `fn` holding the lock of the case folder `dir`. */
export async function withCaseLock<T>(dir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = path.join(dir, LOCK_FILE);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + (options.lockTimeoutMs ?? 10_000);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(lock, 'wx', FILE_MODE);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if (hasCode(error, 'ENOENT')) {
        throw new CaseError('CASE_NOT_FOUND', `there is no case folder ${dir}`, { input: path.basename(dir), cause: error });
      }
      if (!hasCode(error, 'EEXIST')) {
        throw new CaseError('CASE_WRITE_FAILED', `cannot create the lock ${lock}: ${(error as Error).message}`, { input: lock, cause: error });
      }
    }
    const holder = await readFile(lock, 'utf8').catch(() => '');
    const pid = Number(holder.split(' ')[0]);
    if (holder !== '' && !processAlive(pid)) {
      // The owner died holding it. Re-read before removing so a lock another process took
      // over in the meantime is left alone.
      const again = await readFile(lock, 'utf8').catch(() => '');
      if (again === holder) await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CaseError('CASE_LOCKED', `case ${path.basename(dir)} is locked by process ${Number.isFinite(pid) ? pid : 'unknown'}`, {
        input: lock,
        hint: `wait for that exitkit command to finish; if no exitkit runs, remove ${lock}`,
      });
    }
    // Random pauses keep several waiting processes from retrying in step.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * Math.min(10 * (attempt + 1), 100)));
  }
  try {
    return await fn();
  } finally {
    // Only our own lock is removed (a stale-lock takeover elsewhere may have replaced it).
    const current = await readFile(lock, 'utf8').catch(() => '');
    if (current === token) await unlink(lock).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return hasCode(error, 'EPERM');
  }
}
