/**
 * What a `%include` line reads, following Tor's `config_get_file_list`
 * (src/lib/fs/conffile.c):
 *
 * - The value is globbed when it has an unescaped `*` or `?` (see glob.ts); otherwise it is
 *   one path, taken literally (no `~` expansion, backslashes kept).
 * - Each path: a non-empty regular file is read; an empty file is skipped; a directory
 *   contributes its non-empty regular files (names sorted with `strcmp`, names starting with
 *   `.` skipped, subdirectories and anything else skipped, no recursion); anything else —
 *   missing, a dangling symlink, unreadable, no value at all — is fatal.
 * - Relative paths are resolved against tor's working directory, which the caller passes
 *   as `cwd`; Tor does not use the including file's folder.
 */
import { torFileStatus, resolveFrom, type TorrcFs } from './fs.js';
import { compareBytes, hasTorGlob, torGlob } from './glob.js';

/** Why an include cannot be read. */
export interface IncludeFailure {
  /** `TORRC_INCLUDE_EMPTY`, `TORRC_INCLUDE_MISSING` or `TORRC_INCLUDE_UNREADABLE`. */
  readonly code: 'TORRC_INCLUDE_EMPTY' | 'TORRC_INCLUDE_MISSING' | 'TORRC_INCLUDE_UNREADABLE';
  /** The path that failed (absolute). */
  readonly path: string;
  /** What went wrong, in a few words. */
  readonly reason: string;
}

/** What a `%include` value expands to. */
export interface IncludeExpansion {
  /** The value of the `%include` line. */
  readonly pattern: string;
  /** The value was globbed. */
  readonly glob: boolean;
  /** The paths the pattern named (glob matches in `strcmp` order, or the one path), as Tor names them. */
  readonly matches: readonly string[];
  /** The files to read, in Tor's order (absolute). */
  readonly files: readonly string[];
  /** Directories whose listing was used (absolute). */
  readonly directories: readonly string[];
  /** Set when Tor fails on this include. */
  readonly failure: IncludeFailure | undefined;
}

/** Expands the value of a `%include` line the way Tor does. */
export function expandInclude(pattern: string, cwd: string, fs: TorrcFs): IncludeExpansion {
  const glob = hasTorGlob(pattern);
  const files: string[] = [];
  const directories: string[] = [];
  const done = (matches: readonly string[], failure?: IncludeFailure): IncludeExpansion =>
    Object.freeze({ pattern, glob, matches: Object.freeze([...matches]), files: Object.freeze(files), directories: Object.freeze(directories), failure });

  if (pattern === '') {
    return done([], { code: 'TORRC_INCLUDE_EMPTY', path: cwd, reason: '%include has no path' });
  }
  let matches: readonly string[] = [pattern];
  if (glob) {
    const result = torGlob(pattern, cwd, fs);
    if (!result.ok) {
      return done([], { code: 'TORRC_INCLUDE_UNREADABLE', path: resolveFrom(cwd, result.path), reason: `cannot list ${result.path} (${result.code})` });
    }
    matches = result.matches;
  }
  for (const match of matches) {
    const absolute = resolveFrom(cwd, match);
    const status = torFileStatus(fs, absolute);
    if (status === 'file') {
      files.push(absolute);
    } else if (status === 'dir') {
      const listing = fs.readdir(absolute);
      if (!listing.ok) {
        return done(matches, { code: 'TORRC_INCLUDE_UNREADABLE', path: absolute, reason: `cannot list the directory (${listing.code})` });
      }
      directories.push(absolute);
      for (const name of [...listing.names].sort(compareBytes)) {
        if (name.startsWith('.')) continue;
        const child = `${absolute}/${name}`;
        const childStatus = torFileStatus(fs, child);
        if (childStatus === 'fifo') {
          return done(matches, { code: 'TORRC_INCLUDE_UNREADABLE', path: child, reason: 'it is a FIFO, which tor would block reading' });
        }
        if (childStatus === 'file') files.push(child);
      }
    } else if (status === 'empty') {
      continue;
    } else if (status === 'missing') {
      return done(matches, { code: 'TORRC_INCLUDE_MISSING', path: absolute, reason: 'no such file or directory' });
    } else if (status === 'fifo') {
      return done(matches, { code: 'TORRC_INCLUDE_UNREADABLE', path: absolute, reason: 'it is a FIFO, which tor would block reading' });
    } else {
      return done(matches, { code: 'TORRC_INCLUDE_UNREADABLE', path: absolute, reason: 'it is neither a regular file nor a directory, or cannot be examined' });
    }
  }
  return done(matches);
}
