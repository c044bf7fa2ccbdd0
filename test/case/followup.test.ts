import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { followUp, type RunningPolicyReader } from '../../src/case/followup.js';
import type { RestorePlanner } from '../../src/case/restore.js';
import { openCase, recordApply, recordPlan } from '../../src/case/ledger.js';
import { casePlanDir } from '../../src/case/paths.js';
import { readRecord } from '../../src/case/store.js';
import { loadTemplates } from '../../src/letters/registry.js';
import { createPlan } from '../../src/plan/create.js';
import { formatTorPolicy } from '../../src/policy/format.js';
import { loadRelayPolicy } from '../../src/relay/policy.js';
import type { PlanDocument } from '../../src/types.js';
import { PORTSCAN_EML, putPlanInPlace, relayFiles, tempDir, writeBlockPlan, writeJournalRun } from './helpers/ledger.js';
import { CASE_RELAY_TORRC } from '../helpers/case-relay.js';

const OPENED = new Date('2025-11-20T10:00:00.000Z');
const EFFECTIVE = '2025-11-20T14:03:05.000Z';
const CHECK = new Date('2025-11-27T15:00:00.000Z');
const FINGERPRINT = 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925';
const OPERATOR = { name: 'Alice Example', email: 'abuse@relay.example.org', signature: [] };

const BLOCK = ['reject 198.51.100.23/32:*'];

/** A case whose block of 198.51.100.23 was applied (files written, journal as apply leaves it). */
async function appliedCase(options: { effectiveAt?: string | null; items?: string[]; torrc?: string } = {}) {
  const ledger = { stateDir: await tempDir(), now: OPENED };
  const opened = await openCase(PORTSCAN_EML, ledger);
  const relay = await relayFiles(await tempDir(), options.torrc ?? CASE_RELAY_TORRC);
  const plan = await addPlan(opened.id, 'p1', relay, ledger, options.items ?? BLOCK, '2025-11-20T14:03:04.000Z', options.effectiveAt === undefined ? EFFECTIVE : options.effectiveAt);
  return { ledger, id: opened.id, relay, plan, check: { ...ledger, now: CHECK, control: false as const } };
}

async function addPlan(
  caseId: string,
  planId: string,
  relay: { torrc: string; defaults: string; cwd: string },
  ledger: { stateDir: string },
  items: string[],
  at: string | undefined,
  effectiveAt: string | null,
): Promise<PlanDocument> {
  const dir = casePlanDir(caseId, planId, ledger);
  // The remedy as `plan block` records it: the ranges as typed, no port list (all ports).
  const cidrs = items.map((item) => item.split(' ')[1]?.split(':')[0] as string);
  const plan = await writeBlockPlan({ dir, id: planId, caseId, torrc: relay.torrc, defaultsTorrc: relay.defaults, cwd: relay.cwd, items, remedy: { kind: 'block', cidrs, caseId, reason: 'port scan' } });
  await recordPlan(caseId, planId, ledger);
  if (at !== undefined) {
    await putPlanInPlace(plan);
    await writeJournalRun(dir, { operation: 'apply', outcome: 'completed', at, effectiveAt });
    await recordApply(caseId, planId, ledger);
  }
  return plan;
}

/** A reader standing for the running tor: it reports the policy of `torrc` as tor prints it. */
function runningTor(torrcText: () => Promise<string>, paths: { torrc: string; defaults: string; cwd: string }): RunningPolicyReader & { asked: string[] } {
  const asked: string[] = [];
  const reader = async (_config: unknown, torrc: string) => {
    asked.push(torrc);
    const scratch = await mkdtemp(path.join(path.dirname(paths.torrc), '.running-'));
    const file = path.join(scratch, 'torrc');
    await writeFile(file, await torrcText());
    const relay = await loadRelayPolicy({ torrc: file, defaultsTorrc: paths.defaults, cwd: paths.cwd });
    return { lines: formatTorPolicy(relay.policy ?? []), source: 'test reader' };
  };
  return Object.assign(reader, { asked });
}

describe('case/followup', () => {
  describe('#followUp', () => {
    test('confirms a block still in force in the files, and says what was checked and when', async () => {
      const { id, check, ledger } = await appliedCase();
      const result = await followUp(id, check);
      expect(result).toMatchObject({ caseId: id, checkedAt: CHECK.toISOString(), status: 'in-force', ok: true });
      expect(result.plans).toHaveLength(1);
      expect(result.plans[0]).toMatchObject({
        planId: 'p1',
        state: 'applied',
        effectiveAt: EFFECTIVE,
        files: { status: 'in-force', shortfall: [] },
        running: { status: 'not-checked' },
        editedSince: [],
        restore: null,
      });
      expect(result.plans[0]?.files.probes.every((p) => p.found === p.expected)).toBe(true);
      expect(result.destinations).toEqual([{ destination: '198.51.100.23:22', files: 'rejected', running: 'not-checked', acceptedOn: null }]);
      expect(result.lines[0]).toBe(`Follow-up of case ${id} at 2025-11-27 15:00:00 UTC: every promised change is in force.`);
      expect(result.lines).toContain('  torrc files as of 2025-11-27 15:00:00 UTC: in force: every promised region has its verdict, and all 2 probes hold');

      // Filed in the case.
      const record = await readRecord(path.join(ledger.stateDir, 'cases', id));
      expect(record.followUps).toEqual([{ file: 'followups/20251127T150000Z.json', at: CHECK.toISOString(), status: 'in-force' }]);
      expect(record.dates.followedUp).toBe(CHECK.toISOString());
      expect(JSON.parse(await readFile(result.file as string, 'utf8'))).toMatchObject({ status: 'in-force', caseId: id });
    });

    test('says loudly that a block removed from the torrc is gone, and offers the command that restores it', async () => {
      const { id, check, relay } = await appliedCase();
      const now = await readFile(relay.torrc, 'utf8');
      await writeFile(relay.torrc, now.replace('ExitPolicy reject 198.51.100.23/32:*\n', ''));
      const result = await followUp(id, { ...check, restorePlanner: false });
      expect(result).toMatchObject({ status: 'broken', ok: false });
      const plan = result.plans[0];
      expect(plan?.files).toMatchObject({
        status: 'broken',
        shortfall: [{ family: 4, cidrs: ['198.51.100.23/32'], ports: [[22, 22], [80, 80], [443, 443]], before: 'accept', after: 'reject' }],
      });
      expect(plan?.files.probes.some((p) => p.found !== p.expected)).toBe(true);
      expect(plan?.editedSince).toEqual([expect.objectContaining({ path: relay.torrc })]);
      expect(plan?.restore?.commands).toEqual([`exitkit plan block 198.51.100.23/32 --case ${id} --reason 'port scan'`]);
      expect(plan?.restore?.plan).toBeNull();
      expect(result.destinations[0]).toMatchObject({ files: 'accepted', acceptedOn: '198.51.100.23/32 on port 22' });
      expect(result.lines[0]).toMatch(/^PROMISED CHANGE MISSING/);
      expect(result.lines.some((line) => line.includes('NOT IN FORCE — 198.51.100.23/32 on ports 22, 80 and 443 is accepted'))).toBe(true);
    });

    test('finds a block that is still written but moved behind an accept', async () => {
      const { id, check, relay } = await appliedCase();
      const now = await readFile(relay.torrc, 'utf8');
      await writeFile(relay.torrc, now.replace('ExitPolicy reject 198.51.100.23/32:*\n', '').replace('ExitPolicy accept *:443\n', 'ExitPolicy accept *:443\nExitPolicy reject 198.51.100.23/32:*\n'));
      const result = await followUp(id, check);
      expect(result.status).toBe('broken');
      expect(result.plans[0]?.files.shortfall).toEqual([{ family: 4, cidrs: ['198.51.100.23/32'], ports: [[22, 22], [80, 80], [443, 443]], before: 'accept', after: 'reject' }]);
    });

    test('accepts an edited torrc that still keeps the promise, and says it was edited', async () => {
      const { id, check, relay } = await appliedCase();
      await writeFile(relay.torrc, `${await readFile(relay.torrc, 'utf8')}# a comment added later\nExitPolicy reject 192.0.2.0/24:*\n`);
      const result = await followUp(id, check);
      expect(result.status).toBe('in-force');
      expect(result.plans[0]?.editedSince).toHaveLength(1);
      expect(result.lines.some((line) => line.includes(`${relay.torrc} was edited since the plan was applied`))).toBe(true);
    });

    test('checks the running tor too, and tells a stale tor from lost files', async () => {
      const { id, check, relay } = await appliedCase();
      const applied = await readFile(relay.torrc, 'utf8');
      const reader = runningTor(async () => applied, relay);
      const fine = await followUp(id, { ...check, control: reader });
      expect(fine.status).toBe('in-force');
      expect(fine.plans[0]?.running.status).toBe('in-force');
      expect(fine.destinations[0]).toMatchObject({ files: 'rejected', running: 'rejected' });
      expect(reader.asked).toEqual([relay.torrc]);

      // The running tor still has the old configuration (never reloaded).
      const stale = await followUp(id, { ...check, control: runningTor(async () => CASE_RELAY_TORRC.replaceAll('@DATA@', relay.dataDir), relay) });
      expect(stale.status).toBe('broken');
      expect(stale.plans[0]).toMatchObject({ files: { status: 'in-force' }, running: { status: 'broken' }, restore: null });
      expect(stale.lines.some((line) => line.includes('Reload tor'))).toBe(true);
    });

    test('says why the running tor was not checked', async () => {
      const { id, check } = await appliedCase();
      const result = await followUp(id, { ...check, control: async () => ({ problem: 'the configuration has no ControlPort or ControlSocket' }) });
      expect(result.status).toBe('in-force');
      expect(result.plans[0]?.running).toMatchObject({ status: 'not-checked', reason: 'the configuration has no ControlPort or ControlSocket' });
      expect(result.configs[0]?.running).toBe('not checked: the configuration has no ControlPort or ControlSocket');
    });

    test('makes (never applies) the restoring plan when a planner is given, and files it in the case', async () => {
      const { id, check, relay, ledger } = await appliedCase();
      const without = (await readFile(relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', '');
      await writeFile(relay.torrc, without);
      const requests: string[] = [];
      const result = await followUp(id, {
        ...check,
        restorePlanner: async (request) => {
          requests.push(request.planId);
          expect(request).toMatchObject({ caseId: id, torrc: relay.torrc, remedy: { kind: 'block' } });
          await writeBlockPlan({ dir: request.out, id: request.planId, caseId: id, torrc: request.torrc, defaultsTorrc: request.defaultsTorrc, cwd: request.cwd, items: BLOCK, remedy: request.remedy });
        },
      });
      expect(requests).toEqual(['restore-20251127T150000Z-p1']);
      expect(result.plans[0]?.restore?.plan).toEqual({ id: 'restore-20251127T150000Z-p1', dir: casePlanDir(id, 'restore-20251127T150000Z-p1', ledger) });
      expect(await readFile(relay.torrc, 'utf8')).toBe(without);
      const record = await readRecord(path.join(ledger.stateDir, 'cases', id));
      expect(record.plans.map((p) => [p.id, p.restores, p.applied])).toEqual([
        ['p1', null, expect.objectContaining({ operation: 'apply' })],
        ['restore-20251127T150000Z-p1', 'p1', null],
      ]);
    });

    test('plans the restoration with the plan layer by default, from the files as they are now', async () => {
      const { id, check, relay, ledger } = await appliedCase();
      const without = (await readFile(relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', '');
      await writeFile(relay.torrc, without);
      const result = await followUp(id, check);
      const restore = result.plans[0]?.restore;
      expect(restore?.problem).toBeNull();
      const planned = JSON.parse(await readFile(path.join(restore?.plan?.dir as string, 'plan.json'), 'utf8')) as PlanDocument;
      expect(planned.remedy).toMatchObject({ kind: 'block', cidrs: ['198.51.100.23/32'], caseId: id });
      expect(planned.changes.map((c) => c.path)).toEqual([relay.torrc]);
      // The restoring plan puts back exactly what the follow-up found missing.
      expect(planned.semanticChange).toEqual({ changes: result.plans[0]?.files.shortfall });
      expect(await readFile(relay.torrc, 'utf8')).toBe(without);
      expect((await readRecord(path.join(ledger.stateDir, 'cases', id))).plans.at(-1)?.restores).toBe('p1');
    });

    test('offers the same restoring plan again while it is pending, and a new one once the files moved on', async () => {
      const { id, check, relay, ledger } = await appliedCase();
      const without = (await readFile(relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', '');
      await writeFile(relay.torrc, without);
      let made = 0;
      const planner: RestorePlanner = async (request) => {
        made += 1;
        await writeBlockPlan({ dir: request.out, id: request.planId, caseId: id, torrc: request.torrc, defaultsTorrc: request.defaultsTorrc, cwd: request.cwd, items: BLOCK, remedy: request.remedy });
      };
      const first = await followUp(id, { ...check, restorePlanner: planner });
      const second = await followUp(id, { ...check, now: new Date(CHECK.getTime() + 3_600_000), restorePlanner: planner });
      expect(made).toBe(1);
      expect(second.plans[0]?.restore?.plan).toEqual(first.plans[0]?.restore?.plan);

      await writeFile(relay.torrc, `${without}# edited again\n`);
      const third = await followUp(id, { ...check, now: new Date(CHECK.getTime() + 7_200_000), restorePlanner: planner });
      expect(made).toBe(2);
      expect(third.plans[0]?.restore?.plan?.id).not.toBe(first.plans[0]?.restore?.plan?.id);
      expect((await readRecord(path.join(ledger.stateDir, 'cases', id))).plans.filter((p) => p.restores === 'p1')).toHaveLength(2);
    });

    test('reports a planner that fails, still offering the command', async () => {
      const { id, check, relay } = await appliedCase();
      await writeFile(relay.torrc, (await readFile(relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', ''));
      const result = await followUp(id, { ...check, restorePlanner: async () => { throw new Error('planner refused'); } });
      expect(result.plans[0]?.restore).toMatchObject({ plan: null, problem: 'Error: planner refused' });
      expect(result.plans[0]?.restore?.commands).toHaveLength(1);
    });

    test('lets a later plan of the case override an earlier one where they overlap', async () => {
      const { id, check, relay, ledger } = await appliedCase({ items: ['reject 198.51.100.0/24:*'] });
      await addPlan(id, 'p2', relay, ledger, ['accept 198.51.100.23/32:443'], '2025-11-21T09:00:00.000Z', '2025-11-21T09:00:01.000Z');
      const result = await followUp(id, check);
      expect(result.status).toBe('in-force');
      expect(result.plans.map((p) => [p.planId, p.files.status])).toEqual([['p1', 'in-force'], ['p2', 'in-force']]);
      expect(result.destinations[0]).toMatchObject({ files: 'rejected' });
    });

    test('checks a switch to middle relay the same way, and offers to plan it again', async () => {
      const ledger = { stateDir: await tempDir(), now: OPENED };
      const opened = await openCase(PORTSCAN_EML, ledger);
      const relay = await relayFiles(await tempDir(), CASE_RELAY_TORRC);
      const dir = casePlanDir(opened.id, 'middle', ledger);
      const planned = await createPlan({ kind: 'middle', caseId: opened.id }, { torrc: relay.torrc, defaultsTorrc: relay.defaults, cwd: relay.cwd, now: OPENED, caseId: opened.id, out: dir });
      await recordPlan(opened.id, 'middle', ledger);
      await putPlanInPlace(planned.document);
      await writeJournalRun(dir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:00:00.000Z', effectiveAt: '2025-11-20T14:00:01.000Z' });
      const check = { ...ledger, now: CHECK, control: false as const, restorePlanner: false as const };
      expect((await followUp(opened.id, check)).status).toBe('in-force');

      await writeFile(relay.torrc, (await readFile(relay.torrc, 'utf8')).replace(/^ExitRelay 0$/m, 'ExitRelay 1'));
      const result = await followUp(opened.id, check);
      expect(result.status).toBe('broken');
      expect(result.plans[0]?.files.shortfall).toEqual([{ family: 4, cidrs: expect.any(Array), ports: [[22, 22], [80, 80], [443, 443]], before: 'accept', after: 'reject' }]);
      expect(result.plans[0]?.restore?.commands).toEqual([`exitkit plan middle --case ${opened.id}`]);
    });

    test('renders and files the follow-up letter when everything holds', async () => {
      const { id, check, ledger } = await appliedCase();
      const result = await followUp(id, { ...check, letter: { templates: await loadTemplates(), operator: OPERATOR } });
      expect(result.letterProblem).toBeNull();
      expect(result.letter).toMatchObject({ name: 'followup-block.isp', format: 'txt', subject: 'Re: [Ticket 2025112042] Port scan from your server 192.0.2.10' });
      const flat = result.letter?.body.replace(/\s+/g, ' ') ?? '';
      expect(flat).toContain('Since 2025-11-20 14:03:05 UTC');
      expect(flat).toContain('198.51.100.23');
      expect(flat).toContain(FINGERPRINT);
      expect(flat).toContain('Reference: VICTIM-2025-0042');
      // The check has run: the letter reports it, with what it could see, instead of announcing it.
      expect(flat).toContain('I checked on 2025-11-27 15:00:00 UTC that the block is still in place');
      expect(flat).toContain('Connections to 198.51.100.23:22, as named in the complaint, are refused.');
      expect(flat).not.toContain('Tor process running');
      expect(flat).not.toContain('I will check on');
      const letters = await readdir(path.join(ledger.stateDir, 'cases', id, 'letters'));
      expect(letters).toEqual(['20251127T150000Z-followup-block.isp.txt']);
      expect(result.letter?.file).toBe(path.join(ledger.stateDir, 'cases', id, 'letters', letters[0] as string));
    });

    test('says in the letter that the running tor enforces the change when the check could ask it', async () => {
      const { id, check, relay } = await appliedCase();
      const applied = await readFile(relay.torrc, 'utf8');
      const result = await followUp(id, { ...check, control: runningTor(async () => applied, relay), letter: { templates: await loadTemplates(), operator: OPERATOR } });
      expect(result.status).toBe('in-force');
      expect(result.letter?.body.replace(/\s+/g, ' ')).toContain('and the Tor process running on the server enforces it.');
    });

    test('writes the letter as a message threaded to the complaint when asked for eml', async () => {
      const { id, check } = await appliedCase();
      const result = await followUp(id, { ...check, letter: { templates: await loadTemplates(), operator: OPERATOR, format: 'eml' } });
      const eml = await readFile(result.letter?.file as string, 'utf8');
      expect(eml).toMatch(/^From: .*<abuse@relay\.example\.org>\r\n/);
      expect(eml).toMatch(/\r\nTo: .*<abuse@hoster\.example>\r\n/);
      expect(eml).toContain('\r\nIn-Reply-To: <ticket-2025112042@hoster.example>\r\n');
    });

    test('renders no letter when the change is missing, or when it is not known when it took effect', async () => {
      const broken = await appliedCase();
      await writeFile(broken.relay.torrc, (await readFile(broken.relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', ''));
      const options = { letter: { templates: await loadTemplates(), operator: OPERATOR } };
      expect((await followUp(broken.id, { ...broken.check, ...options })).letter).toBeNull();

      const unknown = await appliedCase({ effectiveAt: null });
      const result = await followUp(unknown.id, { ...unknown.check, ...options });
      expect(result.status).toBe('in-force');
      expect(result.letter).toBeNull();
      expect(result.letterProblem).toMatch(/^when plan p1 took effect is not known/);
    });

    test('files nothing when recording is turned off', async () => {
      const { id, check, ledger } = await appliedCase();
      const result = await followUp(id, { ...check, record: false, letter: { templates: await loadTemplates(), operator: OPERATOR } });
      expect(result.file).toBeNull();
      expect(result.letter?.file).toBeNull();
      expect(await readdir(path.join(ledger.stateDir, 'cases', id, 'followups'))).toEqual([]);
      expect(await readdir(path.join(ledger.stateDir, 'cases', id, 'letters'))).toEqual([]);
    });

    test.each([
      ['never applied', 'not-applied', 'not-applied'],
      ['reverted', 'reverted', 'not-applied'],
    ])('reports a plan %s as a promise not in force', async (what, state, status) => {
      const ledger = { stateDir: await tempDir(), now: OPENED };
      const opened = await openCase(PORTSCAN_EML, ledger);
      const relay = await relayFiles(await tempDir(), CASE_RELAY_TORRC);
      await addPlan(opened.id, 'p1', relay, ledger, BLOCK, what === 'reverted' ? '2025-11-20T14:03:04.000Z' : undefined, EFFECTIVE);
      if (what === 'reverted') await writeJournalRun(casePlanDir(opened.id, 'p1', ledger), { operation: 'revert', outcome: 'completed', at: '2025-11-21T00:00:00.000Z', effectiveAt: '2025-11-21T00:00:00.000Z' });
      const result = await followUp(opened.id, { ...ledger, now: CHECK, control: false });
      expect(result).toMatchObject({ status, ok: false, plans: [{ state }] });
      expect(result.lines[0]).toMatch(/^NOT IN FORCE/);
    });

    test('has nothing to verify for a case without a plan, but still checks the destinations', async () => {
      const ledger = { stateDir: await tempDir(), now: OPENED };
      const opened = await openCase(PORTSCAN_EML, ledger);
      const relay = await relayFiles(await tempDir(), CASE_RELAY_TORRC);
      const result = await followUp(opened.id, { ...ledger, now: CHECK, control: false, torrc: relay.torrc, defaultsTorrc: relay.defaults });
      expect(result).toMatchObject({ status: 'nothing-promised', ok: true, plans: [] });
      expect(result.destinations).toEqual([{ destination: '198.51.100.23:22', files: 'accepted', running: 'not-checked', acceptedOn: '198.51.100.23/32 on port 22' }]);
    });

    test('does not pretend to verify a torrc tor would refuse', async () => {
      const { id, check, relay } = await appliedCase();
      await writeFile(relay.torrc, `${await readFile(relay.torrc, 'utf8')}ExitPolicy reject 198.51.100.0/33:*\n`);
      const result = await followUp(id, check);
      expect(result).toMatchObject({ status: 'unverified', ok: false });
      expect(result.configs[0]).toMatchObject({ valid: false });
      expect(result.configs[0]?.problems.length).toBeGreaterThan(0);
      expect(result.plans[0]?.files.status).toBe('not-checked');
    });

    test('does not call a case verified when a plan of it cannot be read', async () => {
      const { id, check, ledger } = await appliedCase();
      await writeFile(path.join(casePlanDir(id, 'p1', ledger), 'plan.json'), '{ "format": "exitkit-plan/1" ');
      const result = await followUp(id, check);
      expect(result).toMatchObject({ status: 'unverified', ok: false, plans: [{ state: 'unreadable', files: { status: 'not-checked' } }] });
    });

    test('refuses an unknown case', async () => {
      await expect(followUp('nope', { stateDir: await tempDir(), control: false })).rejects.toMatchObject({ code: 'CASE_NOT_FOUND' });
    });
  });
});
