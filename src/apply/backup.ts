/**
 * Backups of live files, kept in the plan folder (`DIR/backups/<UTC time>/<absolute path>`),
 * never beside the live files: a backup in a directory that tor includes would be read as
 * configuration. Each run gets a new folder, and files are created exclusively, so an
 * earlier backup is never overwritten.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from './atomic.js';
import { ApplyError } from './errors.js';
import { isCode, sha256Hex } from './files.js';

/** `20250102T030405.678Z`: an ISO-8601 UTC time that sorts and is safe in a file name. */
export function compactUtc(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '');
}

/**
 * Creates this run's backup folder under `DIR/backups/`, named by the UTC time (with `-2`,
 * `-3`... when a folder of that name exists already). Returns its path.
 */
export async function createBackupFolder(dir: string, time: Date): Promise<string> {
  const root = path.join(dir, 'backups');
  await mkdir(root, { recursive: true, mode: 0o700 });
  const stamp = compactUtc(time);
  for (let n = 1; ; n += 1) {
    const folder = path.join(root, n === 1 ? stamp : `${stamp}-${n}`);
    try {
      await mkdir(folder, { mode: 0o700 });
      await syncDirectory(root);
      return folder;
    } catch (error) {
      if (!isCode(error, 'EEXIST')) {
        throw new ApplyError('APPLY_BACKUP_FAILED', `cannot create the backup folder ${folder}`, {
          input: folder,
          cause: error,
          hint: 'check that the plan folder is writable; nothing was changed',
        });
      }
    }
  }
}

/** Where the backup of `livePath` goes inside a backup folder: the absolute path below it. */
export function backupPathFor(folder: string, livePath: string): string {
  return path.join(folder, path.resolve('/', livePath));
}

/**
 * Writes `bytes` (the live content of `livePath`) into the backup folder, flushed to disk,
 * and returns the backup's path. Refuses to overwrite anything.
 */
export async function writeBackup(folder: string, livePath: string, bytes: Uint8Array): Promise<string> {
  const target = backupPathFor(folder, livePath);
  try {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const handle = await open(target, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(path.dirname(target));
  } catch (cause) {
    throw new ApplyError('APPLY_BACKUP_FAILED', `cannot back up ${livePath} to ${target}`, {
      input: target,
      cause,
      hint: 'check that the plan folder is writable and has free space; nothing was changed',
    });
  }
  return target;
}

/** Reads a backup and checks it still has the bytes recorded in the journal. */
export async function readBackup(backup: string, sha256: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(backup);
  } catch (cause) {
    throw new ApplyError('REVERT_BACKUP_INVALID', `the backup ${backup} cannot be read`, {
      input: backup,
      cause,
      hint: 'the backup was moved or deleted; restore it from elsewhere or edit the file by hand',
    });
  }
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    throw new ApplyError(
      'REVERT_BACKUP_INVALID',
      `the backup ${backup} has SHA-256 ${actual}, but the journal recorded ${sha256}`,
      { input: backup, hint: 'the backup was modified after it was taken; it is not used' },
    );
  }
  return bytes;
}
