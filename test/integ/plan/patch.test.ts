/**
 * torrc.diff applied by the real GNU patch (`cd / && patch -p0 < torrc.diff`) and by
 * `git apply -p0` gives exactly the planned files, byte for byte: CRLF files, files without
 * a final newline, included files, several files at once, names that need quoting.
 */
import { execa } from 'execa';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readPlanDocument } from '../../../src/apply/plan-document.js';
import { createPlan } from '../../../src/plan/create.js';
import type { RemedyRequest } from '../../../src/remedy/index.js';
import { requireTool } from '../../helpers/require-tool.js';

const patch = requireTool('patch', 'the torrc.diff tests');
const git = requireTool('git', 'the git apply tests');
const NOW = new Date('2025-01-31T12:00:00Z');

interface Case {
  name: string;
  /** Files relative to the case folder; `@DIR@` is replaced by the folder. */
  files: Record<string, string>;
  torrc?: string;
  request: RemedyRequest;
  changed: number;
}

const CASES: Case[] = [
  { name: 'block', files: { torrc: 'Nickname A\nExitPolicy accept *:80, accept *:443, reject *:*\n' }, request: { kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-1' }, changed: 1 },
  { name: 'crlf-no-final-newline', files: { torrc: 'Nickname A\r\nExitRelay 1\r\nExitPolicy accept *:443\r\nExitPolicy reject *:*' }, request: { kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8::/32'], ports: '443', caseId: 'T-2' }, changed: 1 },
  { name: 'append-without-final-newline', files: { torrc: 'Nickname A\nExitPolicy accept *:443' }, request: { kind: 'middle' }, changed: 1 },
  {
    name: 'include-dir',
    files: { torrc: 'Nickname A\n%include @DIR@/torrc.d\n', 'torrc.d/10-a.conf': 'ContactInfo ops\n', 'torrc.d/50-exit.conf': '# policy\nExitPolicy accept *:*\n' },
    request: { kind: 'block', cidrs: ['198.51.100.0/24'], caseId: 'T-3' },
    changed: 1,
  },
  {
    name: 'two-files',
    files: {
      torrc: 'ExitPolicy reject 198.51.100.0/24:*, accept *:22\n%include @DIR@/torrc.d\n',
      'torrc.d/a.conf': 'ExitPolicy accept *:80, accept *:443\r\nExitPolicy reject *:*\r\n',
    },
    request: { kind: 'reduce-ports', ports: '443' },
    changed: 2,
  },
  { name: 'tor-reduced', files: { torrc: 'ExitRelay 1\nContactInfo ops\n' }, request: { kind: 'reduce-ports', torReduced: true }, changed: 1 },
  {
    name: 'unblock',
    files: { torrc: 'Nickname A\n# exitkit block T-4 2025-01-02 UTC: scan\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-4\nExitPolicy accept *:*' },
    request: { kind: 'unblock', caseId: 'T-4' },
    changed: 1,
  },
  { name: 'quoted name', files: { 'my torrc é': 'ExitPolicy accept *:*\n' }, torrc: 'my torrc é', request: { kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-5' }, changed: 1 },
];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'exitkit-patch-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeCase(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text.replaceAll('@DIR@', dir));
  }
}

async function planCase(c: Case, tool: string) {
  const dir = path.join(root, `${c.name}-${tool}`);
  await writeCase(dir, c.files);
  const plan = await createPlan(c.request, { torrc: path.join(dir, c.torrc ?? 'torrc'), cwd: dir, now: NOW, out: path.join(dir, 'plan') });
  return { dir, plan };
}

describe.skipIf(!patch.available)('plan torrc.diff with GNU patch', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('patch -p0 gives exactly the planned files: %s', async (_name, c) => {
    const { plan } = await planCase(c, 'patch');
    const doc = await readPlanDocument(plan.dir!);
    expect(doc.changes).toHaveLength(c.changed);
    const diff = await readFile(path.join(plan.dir!, 'torrc.diff'));
    const run = await execa(patch.path!, ['-p0', '--batch', '--forward'], { cwd: '/', input: diff, reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const change of doc.changes) {
      expect(await readFile(change.path, 'utf8')).toBe(change.after);
    }
  });
});

describe.skipIf(!git.available)('plan torrc.diff with git apply', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('git apply -p0 gives exactly the planned files: %s', async (_name, c) => {
    const { plan } = await planCase(c, 'git');
    const doc = await readPlanDocument(plan.dir!);
    const run = await execa(git.path!, ['apply', '-p0', path.join(plan.dir!, 'torrc.diff')], { cwd: '/', reject: false, env: { GIT_CEILING_DIRECTORIES: '/' } });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const change of doc.changes) {
      expect(await readFile(change.path, 'utf8')).toBe(change.after);
    }
  });
});
