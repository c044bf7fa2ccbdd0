/**
 * Asking the installed tor how it reads a configuration, without letting it touch the
 * network: only `--verify-config` and `--dump-config`, which parse and validate but open no
 * socket, always with a throw-away DataDirectory and an explicit defaults file. Configs
 * given to these helpers hold no listeners, users, logs or paths outside the temp folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExecutable, requireTool } from '../../helpers/require-tool.js';

/** The tor binary, or a skip (fails under CI=true). */
export const tor = requireTool('tor', 'the torrc differential tests against tor 0.4.9.11');

// Real-world files run (as root) in a private network namespace with only loopback up, so
// even a name lookup during validation cannot leave the machine. Generated configs hold
// only options that tor merely stores, and skip that cost.
const unshare = process.getuid?.() === 0 ? findExecutable('unshare') : undefined;
const ip = findExecutable('ip');

function command(args: readonly string[], isolate: boolean): [string, string[]] {
  const binary = tor.path ?? 'tor';
  if (!isolate || unshare === undefined || ip === undefined) return [binary, [...args]];
  return [unshare, ['--net', '--', 'sh', '-c', `"${ip}" link set lo up 2>/dev/null; exec "$0" "$@"`, binary, ...args]];
}

/** What tor answered. */
export interface TorAnswer {
  /** Exit status (null when killed). */
  code: number | null;
  /** Everything printed on stdout (tor logs there too). */
  stdout: string;
}

/** A scratch folder for one test file: config files and DataDirectories live here. */
export class Scratch {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'exitkit-torrc-'));
  private counter = 0;

  /** Writes a file under the scratch folder (creating folders) and returns its absolute path. */
  write(relative: string, content: string | Uint8Array): string {
    const full = path.join(this.dir, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  }

  /** A fresh case folder. */
  caseDir(): string {
    const dir = path.join(this.dir, `case-${++this.counter}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes everything. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs tor with arguments; kills it (by its PID, through execFile) after 30 s. */
export function runTor(args: readonly string[], cwd: string, isolate = false): Promise<TorAnswer> {
  return new Promise((resolve) => {
    const [file, argv] = command(args, isolate);
    execFile(file, argv, { cwd, timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout });
    });
  });
}

/** The files of one tor run. */
export interface TorCase {
  /** Absolute path of the torrc. */
  torrc: string;
  /** Absolute path of the defaults file. */
  defaults: string;
  /** Working directory for tor. */
  cwd: string;
  /** A fresh DataDirectory. */
  dataDirectory: string;
  /** Run tor in a private network namespace (for files not written by the tests). */
  isolate?: boolean;
}

/** Creates a case folder with a torrc, a defaults file and a DataDirectory. */
export function makeCase(scratch: Scratch, torrc: string | Uint8Array, defaults: string | Uint8Array = ''): TorCase {
  const dir = scratch.caseDir();
  const dataDirectory = path.join(dir, 'data');
  mkdirSync(dataDirectory, { mode: 0o700 });
  const torrcPath = path.join(dir, 'torrc');
  const defaultsPath = path.join(dir, 'defaults');
  writeFileSync(torrcPath, torrc);
  writeFileSync(defaultsPath, defaults);
  return { torrc: torrcPath, defaults: defaultsPath, cwd: dir, dataDirectory };
}

function baseArgs(c: TorCase): string[] {
  return ['--defaults-torrc', c.defaults, '-f', c.torrc, '--DataDirectory', c.dataDirectory];
}

/** `tor --verify-config`: valid or not, and tor's error message when not. */
export async function verify(c: TorCase): Promise<{ valid: boolean; message: string }> {
  const answer = await runTor([...baseArgs(c), '--verify-config'], c.cwd, c.isolate ?? false);
  const lines = answer.stdout.split('\n').filter((l) => /\[(warn|err)\]/.test(l));
  const message = lines.map((l) => l.replace(/^.*?\[(warn|err)\] /, '')).join('\n');
  return { valid: answer.code === 0 && /Configuration was valid/.test(answer.stdout), message };
}

/** `tor --dump-config short|full`: the options as tor holds them, or undefined when tor refuses the config. */
export async function dump(c: TorCase, how: 'short' | 'full'): Promise<Array<[string, string]> | undefined> {
  const answer = await runTor([...baseArgs(c), '--dump-config', how, '--quiet'], c.cwd, c.isolate ?? false);
  if (answer.code !== 0) return undefined;
  return answer.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      if (space === -1) return [line, ''];
      const value = line.slice(space + 1);
      return [line.slice(0, space), value.startsWith('"') ? decodeEscaped(value) : value];
    });
}

/** Decodes the quoting of tor's `esc_for_log` (written independently of the lexer under test). */
export function decodeEscaped(quoted: string): string {
  const body = quoted.slice(1, -1);
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[i + 1] as string;
    if (next in simple) {
      bytes.push((simple[next] as string).charCodeAt(0));
      i++;
    } else {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    }
  }
  const buffer = Buffer.from(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return buffer.toString('latin1');
  }
}

/** Runs jobs with at most `limit` at a time, keeping results in order. */
export async function pool<T, R>(items: readonly T[], limit: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
