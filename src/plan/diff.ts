/**
 * `torrc.diff`: one unified diff (jsdiff's hunks under `---`/`+++` file headers) of every
 * file a plan changes, with paths relative to `/`, so that `cd / && patch -p0 < torrc.diff` (or `git apply -p0`) produces exactly the
 * planned files. Line endings are kept as they are in each file (a CRLF file gets CRLF
 * lines); a missing final newline is marked the standard way.
 */
// The module itself, not the package index, which loads every jsdiff module at start-up.
import { createTwoFilesPatch, OMIT_HEADERS } from 'diff/lib/patch/create.js';
import path from 'node:path';
import { PlanError } from './errors.js';

/** A file's old and new text. */
export interface DiffInput {
  /** Absolute, normalised path. */
  readonly path: string;
  /** Text now. */
  readonly before: string;
  /** Planned text. */
  readonly after: string;
}

/**
 * The path as written in the diff: relative to `/`, and C-quoted when it holds anything but
 * printable ASCII without spaces (GNU patch and git both read `"etc/tor/my torrc"`; GNU patch
 * would cut an unquoted name at the space).
 */
export function diffPath(absolute: string): string {
  if (!path.isAbsolute(absolute) || path.normalize(absolute) !== absolute || absolute.includes('\0')) {
    throw new PlanError('PLAN_BAD_PATH', `${JSON.stringify(absolute)} is not a normalised absolute path`, { input: absolute, hint: 'pass absolute paths' });
  }
  const relative = absolute.slice(1);
  if (/^[\x21-\x7e]+$/.test(relative) && !/["\\]/.test(relative)) return relative;
  let out = '"';
  for (const byte of Buffer.from(relative, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (byte >= 0x20 && byte <= 0x7e) out += c;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** The unified diff of the changed files, in the order given (empty when nothing changes). */
export function planDiff(files: readonly DiffInput[]): string {
  return files
    .filter((f) => f.before !== f.after)
    .map((f) => {
      // The file headers are written here, not by jsdiff: it leaves a name with a space
      // unquoted, which GNU patch cuts at the space.
      const name = diffPath(f.path);
      const hunks = createTwoFilesPatch(name, name, f.before, f.after, undefined, undefined, { context: 3, headerOptions: OMIT_HEADERS });
      return `--- ${name}\n+++ ${name}\n${hunks}`;
    })
    .join('');
}
