/**
 * A relay's files in a temp folder, shaped like a Debian host: DIR/etc/tor/torrc, a defaults
 * file, and a plan folder — plus the checks every apply test makes on them afterwards.
 */
import { chown, chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { PlanDocument, PlanProbe } from '../../../src/types.js';
import { writePlan, type PlanSpec } from './plan.js';
import { tempDir } from './temp.js';

/** The torrc a relay starts from in these tests. */
export const BEFORE = 'ExitRelay 1\nExitPolicy accept *:443\nExitPolicy reject *:*\n';
/** The same torrc with 203.0.113.0/24 blocked ahead of the accept. */
export const AFTER = 'ExitRelay 1\n# exitkit: case-1 2025-01-02 abuse\nExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:443\nExitPolicy reject *:*\n';
/** Probes proving the block. */
export const PROBES: PlanProbe[] = [
  { address: '203.0.113.7', port: 443, before: 'accept', after: 'reject' },
  { address: '198.51.100.1', port: 443, before: 'accept', after: 'accept' },
  { address: '198.51.100.1', port: 80, before: 'reject', after: 'reject' },
];

/** Paths of a test relay. */
export interface TestRelay {
  root: string;
  etc: string;
  torrc: string;
  defaults: string;
  planDir: string;
  plan: PlanDocument;
}

/** Options of `makeRelay`. */
export interface MakeRelayOptions {
  before?: string;
  after?: string;
  defaults?: string;
  /** Extra plan fields (changes default to torrc BEFORE → AFTER). */
  plan?: Partial<PlanSpec>;
  /** Owner uid/gid and mode given to the torrc. */
  owner?: { uid: number; gid: number; mode: number };
}

/** Creates the relay's files and its plan folder. */
export async function makeRelay(options: MakeRelayOptions = {}): Promise<TestRelay> {
  const root = await tempDir();
  const etc = path.join(root, 'etc', 'tor');
  await mkdir(etc, { recursive: true });
  await mkdir(path.join(root, 'usr/share/tor'), { recursive: true });
  const torrc = path.join(etc, 'torrc');
  const defaults = path.join(root, 'usr/share/tor/tor-service-defaults-torrc');
  const before = options.before ?? BEFORE;
  const defaultsText = options.defaults ?? `DataDirectory ${root}/var/lib/tor\n`;
  await writeFile(torrc, before);
  await writeFile(defaults, defaultsText);
  if (options.owner) {
    await chown(torrc, options.owner.uid, options.owner.gid);
    await chmod(torrc, options.owner.mode);
  }
  const planDir = path.join(root, 'plans', 'case-1');
  const plan = await writePlan(planDir, {
    torrc,
    defaultsTorrc: defaults,
    cwd: '/',
    changes: [{ path: torrc, before, after: options.after ?? AFTER }],
    readOnly: [{ path: defaults, content: defaultsText }],
    probes: PROBES,
    blocked: ['203.0.113.0/24'],
    ...options.plan,
  });
  return { root, etc, torrc, defaults, planDir, plan };
}

/** Asserts that a directory holds exactly `names` plus, optionally, exitkit's lock dotfile: no temp file. */
export async function expectOnly(dir: string, names: string[]): Promise<void> {
  const present = (await readdir(dir)).filter((name) => !name.endsWith('.exitkit-lock'));
  expect(present.sort()).toEqual([...names].sort());
}

/** The content of a file. */
export function read(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
