/**
 * The programs the benchmark compares against (Debian's tor and python3-stem), how to get
 * them, and the network namespace tor runs in.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** A program the benchmark runs. */
export interface Tool {
  /** What it is called in reports. */
  readonly name: string;
  /** Absolute path, or undefined when missing. */
  readonly path: string | undefined;
  /** Version text, when found. */
  readonly version: string | undefined;
  /** The Debian package that provides it. */
  readonly apt: string;
}

/** Every external program the benchmark uses. */
export interface Tools {
  /** Debian's tor. */
  readonly tor: Tool;
  /** A python3 with stem importable (Debian's /usr/bin/python3 first: apt installs stem there). */
  readonly stem: Tool;
  /** A python3 for the timing runner (stdlib only). */
  readonly python: Tool;
  /** util-linux's unshare, for tor's network namespace. */
  readonly unshare: Tool;
}

/** Finds an executable on PATH or in the sbin folders (tor is in /usr/sbin on Debian). */
export function findExecutable(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function output(program: string, args: readonly string[]): string | undefined {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim();
}

function pythons(): string[] {
  // Debian's interpreter first: python3-stem installs into it, not into a pyenv or venv python.
  const candidates = ['/usr/bin/python3', findExecutable('python3')];
  return [...new Set(candidates.filter((p): p is string => p !== undefined && existsSync(p)))];
}

/** Looks for every tool (installs nothing). */
export function findTools(): Tools {
  const torPath = findExecutable('tor');
  const torVersion = torPath ? output(torPath, ['--version'])?.split('\n')[0]?.replace(/\.$/, '') : undefined;
  const interpreters = pythons();
  const python = interpreters[0];
  const stemPython = interpreters.find((p) => output(p, ['-c', 'import stem']) !== undefined);
  const stemVersion = stemPython ? output(stemPython, ['-c', 'import stem; print(stem.__version__)']) : undefined;
  const unshare = findExecutable('unshare');
  return {
    tor: { name: 'tor', path: torPath, version: torVersion, apt: 'tor' },
    stem: { name: 'stem', path: stemPython, version: stemVersion === undefined ? undefined : `stem ${stemVersion}`, apt: 'python3-stem' },
    python: { name: 'python3', path: python, version: python ? output(python, ['--version']) : undefined, apt: 'python3' },
    unshare: { name: 'unshare', path: unshare, version: undefined, apt: 'util-linux' },
  };
}

/** The tools that are missing. */
export function missingTools(tools: Tools): Tool[] {
  return [tools.tor, tools.stem, tools.python, tools.unshare].filter((tool) => tool.path === undefined);
}

/** The exact command that installs `missing`. */
export function installCommand(missing: readonly Tool[]): string {
  const packages = [...new Set(missing.map((tool) => tool.apt))].join(' ');
  return `apt-get update && apt-get install -y ${packages}`;
}

/**
 * Installs the missing tools with apt-get when this process is root on a machine that has
 * it; returns why not otherwise. apt's output goes to stderr, keeping stdout for the table.
 */
export function installTools(missing: readonly Tool[]): { installed: boolean; reason: string | undefined } {
  if (missing.length === 0) return { installed: true, reason: undefined };
  const apt = findExecutable('apt-get');
  if (apt === undefined) return { installed: false, reason: 'apt-get is not available on this machine' };
  if (process.getuid?.() !== 0) return { installed: false, reason: 'installing needs root' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = ['ignore', process.stderr, process.stderr] as const;
  const packages = [...new Set(missing.map((tool) => tool.apt))];
  process.stderr.write(`Installing ${packages.join(', ')} with apt-get…\n`);
  const update = spawnSync(apt, ['update'], { env, stdio: [...stdio] });
  const install = update.status === 0 ? spawnSync(apt, ['install', '-y', ...packages], { env, stdio: [...stdio] }) : update;
  return install.status === 0 ? { installed: true, reason: undefined } : { installed: false, reason: `apt-get exited with ${String(install.status)}` };
}

/**
 * The command prefix that puts a process in a new network namespace with no interface up
 * (`unshare --net`, or with `--map-root-user` when not root), or why none works here.
 * `tor --verify-config` opens no socket; the namespace makes sure it cannot.
 */
export function networkIsolation(tools: Tools): { prefix: string[] | undefined; reason: string | undefined } {
  const unshare = tools.unshare.path;
  if (unshare === undefined) return { prefix: undefined, reason: `unshare is missing (${installCommand([tools.unshare])})` };
  const attempts = [
    [unshare, '--net'],
    [unshare, '--net', '--map-root-user'],
  ];
  let last = '';
  for (const prefix of attempts) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { encoding: 'utf8' });
    if (probe.status === 0) return { prefix, reason: undefined };
    last = probe.stderr.trim();
  }
  return { prefix: undefined, reason: `cannot create a network namespace (${last}); run as root or allow unprivileged user namespaces` };
}
