/**
 * The file system as the torrc loader sees it: a small synchronous interface with a real
 * implementation (node:fs), an in-memory one for tests, and an overlay that replaces some
 * files' content (to read a planned change before it is written).
 *
 * Paths handed to these functions are absolute. Relative paths from a torrc are made
 * absolute against the caller's working directory before they get here, the way Tor's
 * open() and stat() calls resolve them against tor's working directory.
 */
import { closeSync, fstatSync, lstatSync, openSync, readFileSync, readdirSync, statSync, constants } from 'node:fs';
import path from 'node:path';

/** What `stat()` (following symlinks) says about a path. */
export type StatResult =
  | { readonly ok: true; readonly mode: number; readonly size: number }
  | { readonly ok: false; readonly code: string };

/** A directory listing (names without `.` and `..`), or why it failed. */
export type ReaddirResult = { readonly ok: true; readonly names: readonly string[] } | { readonly ok: false; readonly code: string };

/** The file-system operations the loader needs. */
export interface TorrcFs {
  /** `stat()`: follows symlinks. */
  stat(path: string): StatResult;
  /** Whether the path itself exists (`lstat()`: a dangling symlink exists). */
  lexists(path: string): boolean;
  /** The names in a directory. */
  readdir(path: string): ReaddirResult;
  /** The file's bytes; throws (with a `code` such as `ENOENT`) when it cannot be read. */
  readFile(path: string): Uint8Array;
}

/** Tor's classification of a path (`file_status`, src/lib/fs/files.c). */
export type TorFileStatus = 'file' | 'empty' | 'dir' | 'missing' | 'error' | 'fifo';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;

/**
 * Classifies a path as Tor's `file_status` does. Tor tests mode bits one at a time, so
 * sockets and block devices count as directories; FIFOs count as files for Tor (they are
 * reported as `fifo` here because reading one can block forever).
 */
export function torFileStatus(fs: TorrcFs, filePath: string): TorFileStatus {
  if (filePath.length === 0) return 'error';
  const st = fs.stat(filePath);
  if (!st.ok) return st.code === 'ENOENT' ? 'missing' : 'error';
  if (st.mode & S_IFDIR) return 'dir';
  if (st.mode & S_IFREG) return st.size > 0 ? 'file' : 'empty';
  if ((st.mode & S_IFMT) === S_IFIFO) return 'fifo';
  return 'error';
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : 'EIO';
}

/** The real file system. Never blocks on FIFOs: reading one is refused. */
export const nodeFs: TorrcFs = Object.freeze({
  stat(filePath: string): StatResult {
    try {
      const st = statSync(filePath);
      return { ok: true, mode: st.mode, size: st.size };
    } catch (error) {
      return { ok: false, code: errorCode(error) };
    }
  },
  lexists(filePath: string): boolean {
    try {
      lstatSync(filePath);
      return true;
    } catch {
      return false;
    }
  },
  readdir(dirPath: string): ReaddirResult {
    try {
      return { ok: true, names: readdirSync(dirPath) };
    } catch (error) {
      return { ok: false, code: errorCode(error) };
    }
  },
  readFile(filePath: string): Uint8Array {
    // O_NONBLOCK keeps open() from waiting for a FIFO's writer; the fstat then refuses it.
    const fd = openSync(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${filePath} is not a regular file`), { code: 'EINVAL' });
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  },
});

/** Content of an in-memory file system: files by absolute path; `null` marks a directory. */
export type MemoryTree = Readonly<Record<string, string | Uint8Array | null>>;

/**
 * An in-memory file system for tests and previews. Directories are implied by the files in
 * them; `null` entries create empty ones.
 */
export function memoryFs(tree: MemoryTree): TorrcFs {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['/']);
  const addDirs = (p: string): void => {
    for (let d = path.posix.dirname(p); !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
  };
  for (const [name, content] of Object.entries(tree)) {
    const p = path.posix.resolve('/', name);
    if (content === null) {
      dirs.add(p);
    } else {
      files.set(p, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    }
    addDirs(p);
  }
  const norm = (p: string): string => path.posix.resolve('/', p);
  return Object.freeze({
    stat(p: string): StatResult {
      const n = norm(p);
      const file = files.get(n);
      if (file) return p.endsWith('/') ? { ok: false, code: 'ENOTDIR' } : { ok: true, mode: S_IFREG | 0o644, size: file.length };
      if (dirs.has(n)) return { ok: true, mode: S_IFDIR | 0o755, size: 4096 };
      return { ok: false, code: 'ENOENT' };
    },
    lexists(p: string): boolean {
      const n = norm(p);
      return files.has(n) || dirs.has(n);
    },
    readdir(p: string): ReaddirResult {
      const n = norm(p);
      if (!dirs.has(n)) return { ok: false, code: files.has(n) ? 'ENOTDIR' : 'ENOENT' };
      const names = new Set<string>();
      for (const key of [...files.keys(), ...dirs]) {
        if (key !== n && path.posix.dirname(key) === n) names.add(path.posix.basename(key));
      }
      return { ok: true, names: [...names] };
    },
    readFile(p: string): Uint8Array {
      const file = files.get(norm(p));
      if (!file) throw Object.assign(new Error(`ENOENT: ${p}`), { code: dirs.has(norm(p)) ? 'EISDIR' : 'ENOENT' });
      return file;
    },
  });
}

/**
 * The file system with some files' content replaced (or added). An empty string is an empty
 * file, which Tor skips when including it.
 */
export function overlayFs(base: TorrcFs, overrides: ReadonlyMap<string, string>): TorrcFs {
  const files = new Map<string, Uint8Array>();
  for (const [name, content] of overrides) files.set(path.resolve(name), Buffer.from(content, 'utf8'));
  const norm = (p: string): string => path.resolve(p);
  return Object.freeze({
    stat(p: string): StatResult {
      const file = files.get(norm(p));
      return file ? { ok: true, mode: S_IFREG | 0o644, size: file.length } : base.stat(p);
    },
    lexists(p: string): boolean {
      return files.has(norm(p)) || base.lexists(p);
    },
    readdir(p: string): ReaddirResult {
      const listed = base.readdir(p);
      const extra = [...files.keys()].filter((f) => path.dirname(f) === norm(p)).map((f) => path.basename(f));
      if (!listed.ok) return extra.length > 0 && listed.code === 'ENOENT' ? { ok: true, names: extra } : listed;
      return { ok: true, names: [...new Set([...listed.names, ...extra])] };
    },
    readFile(p: string): Uint8Array {
      return files.get(norm(p)) ?? base.readFile(p);
    },
  });
}

/** Makes a path from a torrc absolute against a working directory, without normalising it. */
export function resolveFrom(cwd: string, filePath: string): string {
  if (filePath.startsWith('/')) return filePath;
  return cwd.endsWith('/') ? `${cwd}${filePath}` : `${cwd}/${filePath}`;
}
