/**
 * Atomic replacement of a live file: write a temp file in the same directory, give it the
 * live file's mode and owner, fsync it, rename it over the target and fsync the directory.
 *
 * This is written out here instead of using write-file-atomic because that library names
 * its temp files `<name>.<hash>`: after a crash such a file could sit in a directory that
 * tor reads with `%include DIR` (or a glob such as `*`), and tor would load it. Every temp
 * file exitkit writes is a dotfile, which tor skips in directory includes and which `*`
 * does not match.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ApplyError } from './errors.js';
import { isCode } from './files.js';

/** Permission bits and owner to give a written file. */
export interface FileAttributes {
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Group gid. */
  gid: number;
}

/** Suffix shared by every temp file exitkit writes, so an interrupted run's leftovers can be found. */
const TEMP_SUFFIX = '.tmp';

/** The dotfile name of a temp file for `target`, e.g. `/etc/tor/.torrc.exitkit-RUN-new.tmp`. */
export function tempPathFor(target: string, tag: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.exitkit-${tag}${TEMP_SUFFIX}`);
}

/**
 * Writes `content` to a new dotfile beside `target` with the given attributes, flushed to
 * disk. Fails if that temp file already exists rather than reuse it.
 */
export async function writeTempBeside(
  target: string,
  content: string | Uint8Array,
  attributes: FileAttributes,
  tag: string,
): Promise<string> {
  const temp = tempPathFor(target, tag);
  try {
    // Created 0600 so nobody can read a half-written file; the final mode is set once the
    // content is complete. chown comes before chmod because chown clears setuid/setgid bits.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.chown(attributes.uid, attributes.gid);
      await handle.chmod(attributes.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    throw new ApplyError('APPLY_WRITE_FAILED', `cannot write the temporary file ${temp}: ${message(cause)}`, {
      input: temp,
      cause,
      hint: 'check that the directory is writable and has free space; the live file was not touched',
    });
  }
  return temp;
}

/** Renames a temp file over its target and flushes the directory entry to disk. */
export async function commitTemp(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (cause) {
    throw new ApplyError('APPLY_WRITE_FAILED', `cannot rename ${temp} to ${target}: ${message(cause)}`, {
      input: target,
      cause,
      hint: 'the live file still holds its earlier content',
    });
  }
  await syncDirectory(path.dirname(target));
}

/** Removes a file and flushes the directory entry; a file already gone is not an error. */
export async function removeFileDurably(target: string): Promise<void> {
  try {
    await unlink(target);
  } catch (cause) {
    if (!isCode(cause, 'ENOENT')) {
      throw new ApplyError('APPLY_WRITE_FAILED', `cannot remove ${target}: ${message(cause)}`, {
        input: target,
        cause,
      });
    }
  }
  await syncDirectory(path.dirname(target));
}

/** fsyncs a directory so that a rename or unlink in it survives a power loss. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Deletes temp files an interrupted run left beside `target` (`.<name>.exitkit-*.tmp`).
 * Only call while holding the relay's lock, so no running apply still needs them. Returns
 * the paths removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const directory = path.dirname(target);
  const prefix = `.${path.basename(target)}.exitkit-`;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (cause) {
    if (isCode(cause, 'ENOENT')) return [];
    throw cause;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)) {
      const stale = path.join(directory, name);
      await unlink(stale).catch(() => undefined);
      removed.push(stale);
    }
  }
  if (removed.length > 0) await syncDirectory(directory);
  return removed;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
