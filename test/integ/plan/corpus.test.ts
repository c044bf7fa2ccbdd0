/**
 * Every remedy on every real-world torrc of the shared corpus that tor itself accepts. Each
 * plan's goal is checked on the planned files read back independently (sampled verdicts),
 * tor must accept the planned files, and tor's own effective policy of them must equal the
 * one exitkit computed. Refusals are allowed only where they are the right answer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { planFrom } from '../../../src/plan/create.js';
import { loadRelayPolicy, loadRelayPolicySync, type RelayPolicyResult } from '../../../src/relay/policy.js';
import { RemedyRefusal, type RemedyRequest } from '../../../src/remedy/index.js';
import { nodeFs, overlayFs } from '../../../src/torrc/index.js';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { Random } from '../../helpers/generate-torrc.js';
import { isCi, requireTool } from '../../helpers/require-tool.js';
import { lexEntries, sanitiseRelayTorrc, TorOracle } from '../../helpers/tor-oracle.js';

const tor = requireTool('tor', 'the corpus plan tests');
const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/corpus/torrc');
const present = existsSync(CORPUS);
if (!present) {
  const message = `the torrc corpus is missing at ${CORPUS} (it lives in ../shared/corpus next to the repository)`;
  if (isCi()) throw new Error(`${message}; CI=true: a missing corpus is a failure, not a skip`);
  console.warn(`SKIPPED: ${message}`);
}
const NOW = new Date('2025-01-31T12:00:00Z');

const REQUESTS: RemedyRequest[] = [
  { kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8::/32'], caseId: 'C-1', reason: 'corpus' },
  { kind: 'block', cidrs: ['198.51.100.0/24'], ports: '80,443', caseId: 'C-2' },
  { kind: 'reduce-ports', torReduced: true },
  { kind: 'reduce-ports', ports: '80,443' },
  { kind: 'middle' },
  { kind: 'exit' },
];

// The refusals that are right answers: no listed port open; an exit switch on a policy that
// rejects everything, with latent errors Tor does not parse under ExitRelay 0, or on a bridge.
const ALLOWED_REFUSALS: Record<string, readonly string[]> = {
  block: [],
  'reduce-ports': ['REMEDY_NOT_POSSIBLE'],
  middle: [],
  exit: ['REMEDY_NOT_EFFECTIVE', 'REMEDY_CANDIDATE_INVALID', 'REMEDY_NOT_POSSIBLE'],
};

const REDUCED = new Set<number>();
for (const p of '20-23 43 53 79-81 88 110 143 194 220 389 443 464 465 531 543-544 554 563 587 636 706 749 873 902-904 981 989-995 1194 1220 1293 1500 1533 1677 1723 1755 1863 2082-2083 2086-2087 2095-2096 2102-2104 3128 3389 3690 4321 4643 5050 5190 5222-5223 5228 5900 6660-6669 6679 6697 8000 8008 8074 8080 8082 8087-8088 8232-8233 8332-8333 8443 8888 9418 9999 10000 11371 18080-18081 18089 19294 19638 50002 64738'.split(' ')) {
  const [a, b = a] = p.split('-').map(Number) as [number, number?];
  for (let port = a; port <= (b as number); port++) REDUCED.add(port);
}

function inBlock(address: string, cidrs: readonly [string, number, number][]): boolean {
  return cidrs.some(([prefix, len, family]) => (family === 6) === address.includes(':') && address.startsWith(prefix) && len > 0);
}

function sample(rng: Random): { address: string; port: number } {
  const port = rng.pick([rng.int(1, 65535), 22, 25, 80, 443, 563, 6667, 8080, 18081]);
  const roll = rng.int(0, 5);
  if (roll === 0) return { address: `203.0.113.${rng.int(0, 255)}`, port };
  if (roll === 1) return { address: `198.51.100.${rng.int(0, 255)}`, port };
  if (roll === 2) return { address: `2001:db8:${rng.int(0, 0xffff).toString(16)}::${rng.int(1, 0xffff).toString(16)}`, port };
  if (roll === 3) return { address: `2a00:${rng.int(0, 0xffff).toString(16)}::1`, port };
  return { address: `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`, port };
}

const verdict = (relay: RelayPolicyResult, address: string, port: number) => evaluatePolicy(relay.policy!, address, port).verdict;

/** Checks the remedy's goal on sampled destinations; returns a problem or undefined. */
function goalProblem(request: RemedyRequest, before: RelayPolicyResult, after: RelayPolicyResult, rng: Random): string | undefined {
  if (!after.valid || !after.policy) return 'the planned files are invalid';
  if (request.kind === 'middle') return after.policy.notExit === 'exit-relay-0' ? undefined : 'not ExitRelay 0 after middle';
  if (request.kind === 'exit') return after.policy.notExit === undefined && !after.policy.rejectStar ? undefined : 'not an exit after exit';
  for (let i = 0; i < 300; i++) {
    const { address, port } = sample(rng);
    const b = verdict(before, address, port);
    const a = verdict(after, address, port);
    let expected: string = b;
    if (request.kind === 'block') {
      const ports = request.ports === undefined ? undefined : [80, 443];
      const blocks: [string, number, number][] = request.cidrs.includes('203.0.113.0/24') ? [['203.0.113.', 24, 4], ['2001:db8:', 32, 6]] : [['198.51.100.', 24, 4]];
      if (inBlock(address, blocks) && (ports === undefined || ports.includes(port))) expected = 'reject';
    } else if (request.kind === 'reduce-ports') {
      const listed = request.torReduced ? REDUCED.has(port) : port === 80 || port === 443;
      if (!listed) expected = 'reject';
    }
    if (a !== expected) return `${address}:${port} is ${a} after the plan (before: ${b}, expected ${expected})`;
  }
  return undefined;
}

function listCorpus(): string[] {
  if (!present) return [];
  return readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(CORPUS, e.name)).sort();
}

describe.skipIf(!tor.available || !present)('plan: every remedy on the real-world torrc corpus', () => {
  let oracle: TorOracle;
  const outcome = { files: 0, rejectedByTor: 0, unresolved: 0, planned: 0, unchanged: 0, refused: new Map<string, number>() };

  beforeAll(async () => {
    oracle = await TorOracle.start();
  });

  afterAll(async () => {
    await oracle?.stop();
    console.log('%s', `corpus plans: ${outcome.files} files tor accepts (${outcome.rejectedByTor} rejected by tor, ${outcome.unresolved} with unresolved %include skipped); ` +
      `${outcome.planned} plans with changes proven by tor, ${outcome.unchanged} already in force, refusals ${JSON.stringify(Object.fromEntries(outcome.refused))}`);
  });

  test('the corpus has files', async () => {
    expect(listCorpus().length).toBeGreaterThan(50);
  });

  test.each(listCorpus().map((f) => [path.basename(f), f] as const))('%s', async (name, file) => {
    const { text } = sanitiseRelayTorrc(await readFile(file, 'utf8'));
    const includes = lexEntries(text).filter((e) => e.key === '%include');
    if (includes.length > 0) {
      outcome.unresolved++;
      return;
    }
    const dir = path.join(oracle.casesDir, name.replace(/[^A-Za-z0-9]+/g, '-'));
    await mkdir(dir, { recursive: true });
    const torrc = path.join(dir, 'torrc');
    await writeFile(torrc, text);
    const original = await verifyTorConfig({ torrc, cwd: oracle.casesDir, torBinary: oracle.torCommand });
    if (!original.valid) {
      outcome.rejectedByTor++;
      return;
    }
    outcome.files++;
    const before = await loadRelayPolicy({ torrc, cwd: oracle.casesDir, interfaceAddresses: oracle.interfaceAddresses, ownAddresses: oracle.ownAddresses });
    expect(before.valid, before.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    const rng = new Random(name.length * 7919);

    for (const request of REQUESTS) {
      const label = `${name}: ${JSON.stringify(request)}`;
      let plan;
      try {
        plan = planFrom(before, request, { now: NOW, interfaceAddresses: oracle.interfaceAddresses, ownAddresses: oracle.ownAddresses });
      } catch (error) {
        expect(error, label).toBeInstanceOf(RemedyRefusal);
        const code = (error as RemedyRefusal).code;
        expect(ALLOWED_REFUSALS[request.kind], `${label}: ${(error as Error).message}`).toContain(code);
        outcome.refused.set(`${request.kind}:${code}`, (outcome.refused.get(`${request.kind}:${code}`) ?? 0) + 1);
        continue;
      }
      const changes = plan.document.changes;
      if (changes.length === 0) {
        outcome.unchanged++;
        continue;
      }
      const overrides = new Map(changes.map((c) => [c.path, c.after]));
      const after = loadRelayPolicySync({ torrc, cwd: oracle.casesDir, interfaceAddresses: oracle.interfaceAddresses, ownAddresses: oracle.ownAddresses, fs: overlayFs(nodeFs, overrides) });
      expect(goalProblem(request, before, after, rng), label).toBeUndefined();
      expect(changes.every((c) => c.path.startsWith(`${dir}/`)), label).toBe(true);

      for (const c of changes) await writeFile(c.path, c.after);
      try {
        const verified = await verifyTorConfig({ torrc, cwd: oracle.casesDir, torBinary: oracle.torCommand });
        expect(verified.valid, `${label}\n${verified.messages.join('\n')}`).toBe(true);
        const answer = await oracle.evaluate({ torrc });
        expect(answer.outcome, `${label}\n${answer.message ?? ''}`).toBe('policy');
        expect(after.torLines, label).toEqual(answer.lines);
      } finally {
        await writeFile(torrc, text);
      }
      outcome.planned++;
    }
  });
});
