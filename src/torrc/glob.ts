/**
 * Glob expansion for `%include`, as Tor does it on Linux.
 *
 * Tor only globs a pattern that has an unescaped `*` or `?` (`has_glob`,
 * src/lib/fs/path.c); any other pattern is used as a plain path, backslashes included. A
 * globbed pattern goes to glibc's `glob()` without GLOB_PERIOD, GLOB_NOESCAPE, GLOB_BRACE or
 * GLOB_TILDE, so within each path component:
 * - `*` and `?` match any characters, `[...]` is a bracket expression (`!` or `^` negates,
 *   ranges, `[:class:]`), `\c` is a literal `c`;
 * - none of them matches a leading `.` (only a literal `.` does, and then `.` and `..` match
 *   too);
 * - a component without special characters is taken literally (backslashes removed).
 * Tor then keeps only directories when the pattern ends with `/` (and drops that slash from
 * each match), and sorts the matches with `strcmp`. A pattern that matches nothing is not an
 * error.
 */
import type { TorrcFs } from './fs.js';
import { resolveFrom } from './fs.js';

/** Tor's `has_glob`: an unescaped `*` or `?` anywhere in the pattern. */
export function hasTorGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if ((c === '*' || c === '?') && !(i > 0 && pattern[i - 1] === '\\')) return true;
  }
  return false;
}

/** The result of expanding a pattern: matches in Tor's order, or the error glob() reports. */
export type GlobResult = { readonly ok: true; readonly matches: readonly string[] } | { readonly ok: false; readonly code: string; readonly path: string };

/** Byte-wise comparison of the UTF-8 forms, as C's strcmp orders paths. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Expands a `%include` glob pattern relative to `cwd`, returning the paths as Tor names them. */
export function torGlob(pattern: string, cwd: string, fs: TorrcFs): GlobResult {
  const dirOnly = pattern.endsWith('/');
  const trimmed = pattern.replace(/\/+$/, '');
  const absolute = pattern.startsWith('/');
  const components = (absolute ? trimmed.slice(1) : trimmed).split('/');
  // Each candidate is the path as glob() would print it ('' = the working directory).
  let candidates: string[] = [absolute ? '/' : ''];
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as string;
    const last = i === components.length - 1;
    const next: string[] = [];
    for (const base of candidates) {
      if (!isMagic(component)) {
        const candidate = join(base, unescape(component));
        if (!last || fs.lexists(resolveFrom(cwd, candidate || '.'))) next.push(candidate);
        continue;
      }
      const listing = fs.readdir(resolveFrom(cwd, base === '' ? '.' : base));
      if (!listing.ok) {
        // glob() ignores missing folders and non-folders; any other failure aborts it.
        if (listing.code === 'ENOENT' || listing.code === 'ENOTDIR') continue;
        return { ok: false, code: listing.code, path: base === '' ? '.' : base };
      }
      for (const name of ['.', '..', ...listing.names]) {
        if (fnmatch(component, name)) next.push(join(base, name));
      }
    }
    candidates = last ? next : next.filter((c) => isDirectory(fs, resolveFrom(cwd, c)));
  }
  let matches = candidates;
  if (dirOnly) matches = matches.filter((m) => isDirectory(fs, resolveFrom(cwd, m)));
  return { ok: true, matches: [...matches].sort(compareBytes) };
}

function isDirectory(fs: TorrcFs, p: string): boolean {
  const st = fs.stat(p);
  return st.ok && (st.mode & 0o170000) === 0o040000;
}

function join(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? `${base}${name}` : `${base}/${name}`;
}

/** Whether glibc treats a component as a pattern: `*`, `?`, or `[` with a closing `]`. */
function isMagic(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const c = component[i];
    if (c === '\\') {
      i++;
    } else if (c === '*' || c === '?') {
      return true;
    } else if (c === '[' && bracketEnd(component, i) !== -1) {
      return true;
    }
  }
  return false;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/g, '$1');
}

/** Offset of the `]` closing the bracket expression opened at `open`, or -1. */
function bracketEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close !== -1) {
        i = close + 2;
        continue;
      }
    }
    if (c === '\\') i++;
    else if (c === ']') return i;
    i++;
  }
  return -1;
}

const CLASSES: Record<string, (c: string) => boolean> = {
  alnum: (c) => /[0-9A-Za-z]/.test(c),
  alpha: (c) => /[A-Za-z]/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => /[0-9]/.test(c),
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127,
  lower: (c) => /[a-z]/.test(c),
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) < 127,
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  space: (c) => /[ \t\n\v\f\r]/.test(c),
  upper: (c) => /[A-Z]/.test(c),
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
};

/** Matches one bracket expression at `open` against `c`; returns [matched, offset after it]. */
function matchBracket(pattern: string, open: number, c: string): [boolean, number] {
  const end = bracketEnd(pattern, open);
  let i = open + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let matched = false;
  // bracketEnd() already stepped over a `]` right after the opening, so it is a member here.
  while (i < end) {
    if (pattern[i] === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close !== -1 && close < end) {
        const test = CLASSES[pattern.slice(i + 2, close)];
        if (test?.(c)) matched = true;
        i = close + 2;
        continue;
      }
    }
    let low = pattern[i] as string;
    if (low === '\\' && i + 1 < end) low = pattern[++i] as string;
    i++;
    if (pattern[i] === '-' && i + 1 < end) {
      let high = pattern[i + 1] as string;
      i += 2;
      if (high === '\\' && i < end) high = pattern[i++] as string;
      if (low <= c && c <= high) matched = true;
    } else if (low === c) {
      matched = true;
    }
  }
  return [matched !== negate, end + 1];
}

/** fnmatch(pattern, name, FNM_PERIOD) for one path component. */
export function fnmatch(pattern: string, name: string): boolean {
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(pattern: string, p: number, name: string, n: number): boolean {
  while (p < pattern.length) {
    const c = pattern[p];
    const leadingDot = n === 0 && name[0] === '.';
    if (c === '*') {
      if (leadingDot) return false;
      while (pattern[p] === '*') p++;
      if (p === pattern.length) return true;
      for (let k = n; k <= name.length; k++) if (matchFrom(pattern, p, name, k)) return true;
      return false;
    }
    if (n >= name.length) return false;
    if (c === '?') {
      if (leadingDot) return false;
      p++;
      n++;
      continue;
    }
    if (c === '[' && bracketEnd(pattern, p) !== -1) {
      if (leadingDot) return false;
      const [ok, after] = matchBracket(pattern, p, name[n] as string);
      if (!ok) return false;
      p = after;
      n++;
      continue;
    }
    let literal = c as string;
    if (c === '\\' && p + 1 < pattern.length) literal = pattern[++p] as string;
    if (literal !== name[n]) return false;
    p++;
    n++;
  }
  return n === name.length;
}
