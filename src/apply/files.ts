/**
 * Reading the live files a plan touches: their bytes, SHA-256 and the real file behind a
 * symlink. Nothing here writes.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplyError } from './errors.js';

/** SHA-256 of bytes or of a string's UTF-8 encoding, as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What is at a live path now. */
export type LiveFile =
  | {
      /** The path exists and leads to a regular file. */
      exists: true;
      /** The path as the plan names it. */
      path: string;
      /** The regular file written in its place (the path itself, or where its symlinks lead). */
      target: string;
      /** Current bytes. */
      bytes: Buffer;
      /** SHA-256 of `bytes`. */
      sha256: string;
      /** Permission bits (including setgid/sticky) of the target. */
      mode: number;
      /** Owner of the target. */
      uid: number;
      /** Group of the target. */
      gid: number;
    }
  | {
      /** Nothing is at the path (and no symlink either). */
      exists: false;
      /** The path as the plan names it. */
      path: string;
      /** Where a new file would be created: the path with its directory's symlinks resolved. */
      target: string;
    };

/**
 * Reads a live file through any symlinks. Refuses a path that is a directory, a device, a
 * dangling symlink or a symlink loop, since none of them can be replaced safely.
 */
export async function readLiveFile(filePath: string): Promise<LiveFile> {
  let link;
  try {
    link = await lstat(filePath);
  } catch (error) {
    if (isCode(error, 'ENOENT')) {
      const directory = await realpath(path.dirname(filePath)).catch((cause: unknown) => {
        throw new ApplyError(
          'APPLY_FILE_NOT_REGULAR',
          `cannot create ${filePath}: its directory cannot be resolved`,
          { input: filePath, cause, hint: 'create the directory first, or fix the path in the plan' },
        );
      });
      return { exists: false, path: filePath, target: path.join(directory, path.basename(filePath)) };
    }
    throw notRegular(filePath, `cannot be read`, error);
  }
  let target: string;
  try {
    target = link.isSymbolicLink() ? await realpath(filePath) : filePath;
  } catch (error) {
    throw notRegular(filePath, 'is a symlink that leads nowhere (dangling or a loop)', error);
  }
  const info = link.isSymbolicLink() ? await stat(target) : link;
  if (!info.isFile()) throw notRegular(filePath, 'is not a regular file');
  const bytes = await readFile(target);
  return {
    exists: true,
    path: filePath,
    target,
    bytes,
    sha256: sha256Hex(bytes),
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
  };
}

/** The SHA-256 of what is at a path now, or null when nothing is there. */
export function liveSha256(file: LiveFile): string | null {
  return file.exists ? file.sha256 : null;
}

function notRegular(filePath: string, what: string, cause?: unknown): ApplyError {
  return new ApplyError('APPLY_FILE_NOT_REGULAR', `${filePath} ${what}`, {
    input: filePath,
    cause,
    hint: 'exitkit only replaces regular files (directly or through a symlink); fix the path and plan again',
  });
}

/** True when `error` is a Node system error with the given `code`. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
