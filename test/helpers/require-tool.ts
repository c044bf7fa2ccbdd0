/**
 * External programs that integration tests need. Under CI=true a missing program fails the
 * suite (with an install hint); elsewhere the suite is skipped with a visible message.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Install commands for the programs the integration tests use (Debian package names). */
const INSTALL_HINTS: Record<string, string> = {
  tor: 'apt-get install -y tor',
  unshare: 'apt-get install -y util-linux',
  ip: 'apt-get install -y iproute2',
  patch: 'apt-get install -y patch',
  python3: 'apt-get install -y python3',
  flock: 'apt-get install -y util-linux',
  nsenter: 'apt-get install -y util-linux',
  git: 'apt-get install -y git',
};

/** Whether a program is there, and what to tell the reader when it is not. */
export interface ToolCheck {
  /** The program name asked for. */
  name: string;
  /** True when the program was found on PATH (or at the absolute path given). */
  available: boolean;
  /** Absolute path of the program, when found. */
  path: string | undefined;
  /** The skip message, when it is missing. */
  reason: string | undefined;
}

/** True when running under CI (CI=true or CI=1). */
export function isCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Finds an executable on PATH (or checks an absolute path). */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : (process.env['PATH'] ?? '')
        .split(path.delimiter)
        .concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  return undefined;
}

const warned = new Set<string>();

/**
 * Checks for a program the calling suite needs. Missing under CI=true: throws, so the suite
 * fails with the install command. Missing elsewhere: prints why the suite is skipped (once per
 * program) and returns `available: false` for `describe.skipIf(!tool.available)`.
 */
export function requireTool(name: string, purpose = 'these tests'): ToolCheck {
  const found = findExecutable(name);
  if (found !== undefined) return { name, available: true, path: found, reason: undefined };
  const install = INSTALL_HINTS[path.basename(name)] ?? `install ${name}`;
  const reason = `${name} is not installed, so ${purpose} cannot run (install it: ${install})`;
  if (isCi()) {
    throw new Error(`${reason}. CI=true: a missing ${name} is a failure, not a skip.`);
  }
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`SKIPPED: ${reason}`);
  }
  return { name, available: false, path: undefined, reason };
}
