import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import {
  closeCase,
  listCases,
  openCase,
  recordApply,
  recordLetter,
  recordPlan,
  showCase,
} from '../../src/case/ledger.js';
import { caseDir, casePlanDir, isCaseId } from '../../src/case/paths.js';
import { formatCaseRecord, parseCaseRecord, type CaseRecord } from '../../src/case/record.js';
import { loadConfigSync, memoryFs } from '../../src/torrc/index.js';
import { PORTSCAN_EML, REPO_ROOT, relayFiles, sha, tempDir, writeBlockPlan, writeJournalRun } from './helpers/ledger.js';

const run = promisify(execFile);
const NOW = new Date('2025-11-20T10:00:00.000Z');
const CHILD = path.join(REPO_ROOT, 'test/case/helpers/ledger-child.ts');
const TS_REGISTER = path.join(REPO_ROOT, 'test/apply/helpers/ts-register.mjs');

async function state() {
  return { stateDir: await tempDir(), now: NOW };
}

async function readRecordFile(stateDir: string, id: string): Promise<CaseRecord> {
  const dir = caseDir(id, { stateDir });
  return parseCaseRecord(await readFile(path.join(dir, 'case.json'), 'utf8'), 'case.json', id);
}

async function child(request: object): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', TS_REGISTER, CHILD, JSON.stringify(request)], { cwd: REPO_ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

/** A case with a block plan filed, its files prepared in a relay folder. */
async function caseWithPlan() {
  const options = await state();
  const opened = await openCase(PORTSCAN_EML, options);
  const relay = await relayFiles(await tempDir(), 'ExitPolicy accept *:*\n');
  const planDir = casePlanDir(opened.id, 'p1', options);
  await writeBlockPlan({ dir: planDir, id: 'p1', caseId: opened.id, torrc: relay.torrc, defaultsTorrc: relay.defaults, cwd: relay.cwd, items: ['reject 198.51.100.23/32:*'], remedy: { kind: 'block', cidrs: ['198.51.100.23/32'] } });
  return { options, opened, relay, planDir };
}

// Every complaint of the shared corpus (../shared/corpus/complaints), found by walking it.
const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/complaints');
const corpusFiles = existsSync(CORPUS)
  ? readdirSync(CORPUS, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'SOURCES.md').map((e) => path.join(e.parentPath, e.name)).sort()
  : [];
if (corpusFiles.length === 0) {
  if (process.env['CI'] === 'true') throw new Error(`the complaint corpus is missing at ${CORPUS}; under CI=true that is a failure`);
  console.warn(`SKIPPED: complaint corpus not found at ${CORPUS}; the corpus cases of case/ledger do not run`);
}

describe('case/ledger', () => {
  describe('#openCase', () => {
    test('files the complaint byte for byte, what the intake read, and a case.json', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      expect(opened.id).toBe('VICTIM-2025-0042');
      expect(opened.dir).toBe(path.join(options.stateDir, 'cases', 'VICTIM-2025-0042'));
      expect((await readdir(opened.dir)).sort()).toEqual(['case.json', 'complaint.eml', 'followups', 'letters', 'parsed.json', 'plans']);
      const original = await readFile(PORTSCAN_EML);
      expect(await readFile(path.join(opened.dir, 'complaint.eml'))).toEqual(original);
      const parsed = JSON.parse(await readFile(path.join(opened.dir, 'parsed.json'), 'utf8')) as { status: string; reference: string };
      expect(parsed).toMatchObject({ status: 'parsed', reference: 'VICTIM-2025-0042' });

      const record = await readRecordFile(options.stateDir, opened.id);
      expect(record).toEqual(opened.record);
      expect(record).toMatchObject({
        id: 'VICTIM-2025-0042',
        status: 'open',
        dates: { opened: NOW.toISOString(), applied: null, followUpDue: null, closed: null },
        complaint: { file: 'complaint.eml', originalName: 'portscan-forwarded.eml', sha256: sha(original), size: original.length, status: 'parsed', format: 'x-arf' },
        complainant: { email: 'noc@victim.example' },
        replyTo: { address: 'abuse@hoster.example' },
        reference: 'VICTIM-2025-0042',
        messageId: '<ticket-2025112042@hoster.example>',
        category: 'scan',
        sources: [{ address: '192.0.2.10', family: 4 }],
        destinations: [{ address: '198.51.100.23', cidr: '198.51.100.23/32', family: 4, ports: [22] }],
        eventTimes: { first: '2025-11-19T21:14:05Z' },
        suggestion: { kind: 'block', letter: 'portscan' },
      });
      expect(record.suggestion.command).toMatch(/^exitkit plan block 198\.51\.100\.23\/32 --case VICTIM-2025-0042 /);
      expect(opened.lines.join('\n')).toContain('https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en');
    });

    test('checks "is it us?" when the relay configuration is given', async () => {
      const options = await state();
      const config = loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/', fs: memoryFs({ '/etc/tor/torrc': 'Address 192.0.2.99\nORPort 443\n' }) });
      const opened = await openCase(PORTSCAN_EML, { ...options, relay: { config } });
      expect(opened.ownership?.sources[0]).toMatchObject({ address: '192.0.2.10', verdict: 'not-ours', reason: 'same-network' });
      expect(opened.record.ownership).toMatchObject({ allOurs: false });
      expect(opened.lines.some((line) => line.includes('WARNING: 192.0.2.10 is not this relay'))).toBe(true);
    });

    test('refuses the same complaint twice, unless asked, and then numbers the id', async () => {
      const options = await state();
      await openCase(PORTSCAN_EML, options);
      await expect(openCase(PORTSCAN_EML, options)).rejects.toMatchObject({ code: 'CASE_DUPLICATE', input: 'VICTIM-2025-0042' });
      const second = await openCase(PORTSCAN_EML, { ...options, allowDuplicate: true });
      expect(second.id).toBe('VICTIM-2025-0042-2');
    });

    test('recognises a resent complaint by its Message-ID', async () => {
      const options = await state();
      await openCase(PORTSCAN_EML, options);
      const resent = path.join(options.stateDir, 'resent.eml');
      await writeFile(resent, (await readFile(PORTSCAN_EML, 'utf8')).replace('Date: Thu, 20 Nov 2025 09:12:44', 'Date: Thu, 20 Nov 2025 11:00:00'));
      await expect(openCase(resent, options)).rejects.toMatchObject({ code: 'CASE_DUPLICATE' });
    });

    test('takes an explicit id, and refuses one that is taken or unsafe without creating anything', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, { ...options, id: 'ticket-7' });
      expect(opened.id).toBe('ticket-7');
      await expect(openCase(PORTSCAN_EML, { ...options, id: 'ticket-7', allowDuplicate: true })).rejects.toMatchObject({ code: 'CASE_EXISTS' });
      await expect(openCase(PORTSCAN_EML, { ...options, id: '../escape', allowDuplicate: true })).rejects.toMatchObject({ code: 'CASE_BAD_ID' });
      expect(await readdir(path.join(options.stateDir, 'cases'))).toEqual(['ticket-7']);
      expect(await readdir(options.stateDir)).toEqual(['cases']);
    });

    test('keeps a complaint that is itself a JSON file apart from what the intake read', async () => {
      const options = await state();
      const file = path.join(options.stateDir, 'report.json');
      await writeFile(file, '{"Version": "3", "Report": {}}\n');
      const opened = await openCase(file, options);
      expect(opened.record.complaint).toMatchObject({ file: 'complaint.json', parsed: 'parsed.json' });
      expect(await readFile(path.join(opened.dir, 'complaint.json'), 'utf8')).toBe('{"Version": "3", "Report": {}}\n');
      expect(JSON.parse(await readFile(path.join(opened.dir, 'parsed.json'), 'utf8'))).toHaveProperty('status');
    });

    test('opens a case for a complaint that cannot be read, with a date-based id, keeping its bytes', async () => {
      const options = await state();
      const file = path.join(options.stateDir, 'garbage.bin');
      await writeFile(file, Buffer.from([0, 1, 2, 3, 255, 0, 7]));
      const opened = await openCase(file, options);
      expect(opened.id).toBe('2025-11-20-1');
      expect(opened.record).toMatchObject({ complaint: { file: 'complaint.bin', status: 'unparseable' }, category: null, suggestion: { kind: 'none' } });
      expect(opened.lines[1]).toMatch(/^WARNING: the complaint could not be read/);
      expect(await readFile(path.join(opened.dir, 'complaint.bin'))).toEqual(await readFile(file));
    });

    test.each([
      ['a missing file', (dir: string) => path.join(dir, 'missing.eml')],
      ['a directory', (dir: string) => dir],
    ])('refuses %s', async (_what, name) => {
      const options = await state();
      await expect(openCase(name(options.stateDir), options)).rejects.toMatchObject({ code: 'CASE_COMPLAINT_UNREADABLE' });
    });

    test('refuses a complaint over the size limit before reading it', async () => {
      const options = await state();
      await expect(openCase(PORTSCAN_EML, { ...options, parse: { maxBytes: 100 } })).rejects.toMatchObject({ code: 'CASE_COMPLAINT_UNREADABLE' });
    });

    test('gives concurrent `case open` processes a folder each', async () => {
      const { stateDir } = await state();
      const results = await Promise.all(Array.from({ length: 4 }, () => child({ op: 'open', file: PORTSCAN_EML, stateDir })));
      const ids = results.map((r) => r['id'] as string).sort();
      expect(ids).toEqual(['VICTIM-2025-0042', 'VICTIM-2025-0042-2', 'VICTIM-2025-0042-3', 'VICTIM-2025-0042-4']);
      for (const id of ids) expect((await readRecordFile(stateDir, id)).id).toBe(id);
      expect((await readdir(path.join(stateDir, 'cases'))).sort()).toEqual(ids);
    }, 60_000);
  });

  describe.skipIf(corpusFiles.length === 0)('#openCase on every corpus complaint', () => {
    test('opens a case for each sample, keeping its bytes, with a safe unique id', async () => {
      const options = await state();
      const ids = new Set<string>();
      for (const file of corpusFiles) {
        const opened = await openCase(file, { ...options, allowDuplicate: true });
        expect(isCaseId(opened.id)).toBe(true);
        expect(ids.has(opened.id)).toBe(false);
        ids.add(opened.id);
        expect(await readFile(path.join(opened.dir, opened.record.complaint.file))).toEqual(await readFile(file));
        expect(await readRecordFile(options.stateDir, opened.id)).toEqual(opened.record);
        if (opened.record.suggestion.kind === 'block') expect(opened.record.suggestion.command).toContain(`--case ${opened.id}`);
      }
      expect((await listCases(options)).cases).toHaveLength(corpusFiles.length);
    }, 120_000);
  });

  describe('#listCases', () => {
    test('lists open cases, failed and overdue follow-ups first, then by due date', async () => {
      const options = await state();
      const dirs = path.join(options.stateDir, 'cases');
      const write = async (id: string, change: (r: CaseRecord) => CaseRecord) => {
        const opened = await openCase(PORTSCAN_EML, { ...options, id, allowDuplicate: true });
        await writeFile(path.join(dirs, id, 'case.json'), formatCaseRecord(change(opened.record)));
      };
      const due = (r: CaseRecord, at: string): CaseRecord => ({ ...r, dates: { ...r.dates, applied: at, effective: at, followUpDue: new Date(Date.parse(at) + 7 * 86_400_000).toISOString() } });
      await write('no-plan', (r) => r);
      await write('due-later', (r) => due(r, '2025-11-18T00:00:00.000Z'));
      await write('due-soon', (r) => due(r, '2025-11-15T00:00:00.000Z'));
      await write('overdue-2', (r) => due(r, '2025-11-12T00:00:00.000Z'));
      await write('overdue-5', (r) => due(r, '2025-11-08T00:00:00.000Z'));
      await write('failed', (r) => ({ ...due(r, '2025-11-17T00:00:00.000Z'), followUps: [{ file: 'followups/x.json', at: '2025-11-19T00:00:00.000Z', status: 'broken' }] }));
      await write('checked', (r) => ({ ...due(r, '2025-11-01T00:00:00.000Z'), followUps: [{ file: 'followups/x.json', at: '2025-11-09T00:00:00.000Z', status: 'in-force' }] }));
      await write('closed', (r) => ({ ...due(r, '2025-11-01T00:00:00.000Z'), status: 'closed' }));

      const list = await listCases(options);
      expect(list.cases.map((c) => [c.id, c.followUp])).toEqual([
        ['failed', 'failed'],
        ['overdue-5', 'overdue'],
        ['overdue-2', 'overdue'],
        ['due-soon', 'waiting'],
        ['due-later', 'waiting'],
        ['checked', 'checked'],
        ['no-plan', 'no-change'],
      ]);
      expect(list.cases.find((c) => c.id === 'overdue-5')?.daysOverdue).toBe(5);
      expect(list.lines[0]).toMatch(/^ID\s+STATUS\s+DUE\s+FOLLOW-UP/);
      expect(list.lines.find((line) => line.startsWith('overdue-5'))).toContain('OVERDUE 5d');
      expect((await listCases({ ...options, all: true })).cases.at(-1)?.id).toBe('closed');
    });

    test('reports unreadable case folders without failing, and skips folders being opened', async () => {
      const options = await state();
      await openCase(PORTSCAN_EML, options);
      const cases = path.join(options.stateDir, 'cases');
      await mkdir(path.join(cases, 'broken'));
      await writeFile(path.join(cases, 'broken', 'case.json'), '{"format": "nope"}');
      await mkdir(path.join(cases, 'being-opened'));
      await mkdir(path.join(cases, '.open-x-123'));
      const list = await listCases(options);
      expect(list.cases.map((c) => c.id)).toEqual(['VICTIM-2025-0042']);
      expect(list.problems.map((p) => p.code)).toEqual(['CASE_RECORD_INVALID']);
      expect(list.lines.at(-1)).toMatch(/^WARNING: .*broken/);
    });

    test('says so when there is no case (and no state directory yet)', async () => {
      const list = await listCases({ stateDir: path.join(await tempDir(), 'never-created') });
      expect(list).toMatchObject({ cases: [], problems: [], lines: ['No open cases.'] });
    });
  });

  describe('#showCase', () => {
    test('shows the record, the intake JSON and the summary', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      const shown = await showCase(opened.id, options);
      expect(shown.record).toEqual(opened.record);
      expect(shown.complaint).toMatchObject({ status: 'parsed', format: 'x-arf' });
      expect(shown.summary).toMatchObject({ id: opened.id, followUp: 'no-change', complainant: 'noc@victim.example' });
      expect(shown.lines[0]).toBe(`Case ${opened.id} (open) — ${opened.dir}`);
    });

    test.each(['no-such-case', '../cases'])('refuses %j', async (id) => {
      const options = await state();
      await expect(showCase(id, options)).rejects.toMatchObject({ code: id.startsWith('.') ? 'CASE_BAD_ID' : 'CASE_NOT_FOUND' });
    });
  });

  describe('#closeCase', () => {
    test('closes with a note, once', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      const closed = await closeCase(opened.id, 'answered\nthe ISP', { ...options, now: new Date('2025-11-28T00:00:00.000Z') });
      expect(closed.record).toMatchObject({ status: 'closed', dates: { closed: '2025-11-28T00:00:00.000Z' }, notes: [{ text: 'answered the ISP' }] });
      expect(await readRecordFile(options.stateDir, opened.id)).toEqual(closed.record);
      await expect(closeCase(opened.id, undefined, options)).rejects.toMatchObject({ code: 'CASE_CLOSED' });
      await expect(recordLetter(opened.id, { kind: 'portscan', audience: 'isp', subject: 's', body: 'b' }, options)).rejects.toMatchObject({ code: 'CASE_CLOSED' });
    });

    test('reminds of a follow-up that never ran, or that failed, when closing', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      const dir = caseDir(opened.id, options);
      const due = { ...opened.record.dates, applied: '2025-11-20T14:00:00.000Z', followUpDue: '2025-11-27T14:00:00.000Z' };
      await writeFile(path.join(dir, 'case.json'), formatCaseRecord({ ...opened.record, dates: due }));
      expect((await closeCase(opened.id, undefined, options)).lines[1]).toBe('Note: the change was never checked by a follow-up (due 2025-11-27T14:00:00.000Z).');

      const other = await openCase(PORTSCAN_EML, { ...options, allowDuplicate: true });
      const failed = { ...other.record, dates: { ...due, followedUp: '2025-11-28T00:00:00.000Z' }, followUps: [{ file: 'followups/x.json', at: '2025-11-28T00:00:00.000Z', status: 'broken' }] };
      await writeFile(path.join(caseDir(other.id, options), 'case.json'), formatCaseRecord(failed));
      expect((await closeCase(other.id, undefined, options)).lines[1]).toBe('Note: the last follow-up check (2025-11-28T00:00:00.000Z) found the case broken.');
    });
  });

  describe('#recordPlan', () => {
    test('links a plan written into the case', async () => {
      const { options, opened } = await caseWithPlan();
      const { record, plan } = await recordPlan(opened.id, 'p1', options);
      expect(plan).toMatchObject({ id: 'p1', dir: 'plans/p1', remedy: 'block', applied: null, restores: null });
      expect(record.plans).toEqual([plan]);
      // Filing it again updates the link rather than adding a second one.
      expect((await recordPlan(opened.id, 'p1', options)).record.plans).toHaveLength(1);
    });

    test.each([
      ['a plan folder that does not exist', 'p2', 'CASE_PLAN_INVALID'],
      ['a plan id that would leave the case', '../../x', 'CASE_BAD_PLAN_ID'],
    ])('refuses %s', async (_what, planId, code) => {
      const { options, opened } = await caseWithPlan();
      await expect(recordPlan(opened.id, planId, options)).rejects.toMatchObject({ code });
    });
  });

  describe('#recordApply', () => {
    test('records the apply from the journal and sets the follow-up a week after it took effect', async () => {
      const { options, opened, planDir } = await caseWithPlan();
      await writeJournalRun(planDir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:03:04.000Z', effectiveAt: '2025-11-20T14:03:05.000Z' });
      const { record, plan, lines } = await recordApply(opened.id, 'p1', options);
      expect(plan.applied).toEqual({ operation: 'apply', outcome: 'completed', at: '2025-11-20T14:03:04.000Z', effectiveAt: '2025-11-20T14:03:05.000Z' });
      expect(record.dates).toMatchObject({ applied: '2025-11-20T14:03:04.000Z', effective: '2025-11-20T14:03:05.000Z', followUpDue: '2025-11-27T14:03:05.000Z' });
      expect(lines).toEqual(['Plan p1 applied; in force since 2025-11-20T14:03:05.000Z.', `Follow-up of case ${opened.id} due on 2025-11-27.`]);
    });

    test('takes the time tor was reloaded by hand after an apply without reload', async () => {
      const { options, opened, planDir } = await caseWithPlan();
      await writeJournalRun(planDir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:00:00.000Z', effectiveAt: null });
      const bare = await recordApply(opened.id, 'p1', options);
      expect(bare.record.dates).toMatchObject({ effective: null, followUpDue: '2025-11-27T14:00:00.000Z' });
      const told = await recordApply(opened.id, 'p1', { ...options, effectiveAt: '2025-11-20T14:10:00Z' });
      expect(told.record.dates).toMatchObject({ effective: '2025-11-20T14:10:00Z', followUpDue: '2025-11-27T14:10:00.000Z' });
      await expect(recordApply(opened.id, 'p1', { ...options, effectiveAt: '20 Nov 2025' })).rejects.toMatchObject({ code: 'CASE_BAD_TIME' });
    });

    test('clears the due date when the plan is reverted', async () => {
      const { options, opened, planDir } = await caseWithPlan();
      await writeJournalRun(planDir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:00:00.000Z', effectiveAt: '2025-11-20T14:00:00.000Z' });
      await recordApply(opened.id, 'p1', options);
      await writeJournalRun(planDir, { operation: 'revert', outcome: 'completed', at: '2025-11-21T09:00:00.000Z', effectiveAt: '2025-11-21T09:00:00.000Z' });
      const { record, lines } = await recordApply(opened.id, 'p1', options);
      expect(record.dates).toMatchObject({ applied: null, effective: null, followUpDue: null });
      expect(lines[0]).toMatch(/was reverted/);
    });

    test('refuses a plan that was never applied', async () => {
      const { options, opened } = await caseWithPlan();
      await expect(recordApply(opened.id, 'p1', options)).rejects.toMatchObject({ code: 'CASE_PLAN_INVALID' });
    });
  });

  describe('#recordLetter', () => {
    test('files letters under unique names and links them', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      const letter = { kind: 'portscan', audience: 'isp', subject: 'Re: Port scan', body: 'Dear Abuse Team,\n' };
      const first = await recordLetter(opened.id, letter, options);
      const second = await recordLetter(opened.id, letter, options);
      const eml = await recordLetter(opened.id, letter, { ...options, format: 'eml', eml: 'From: a@b.example\r\n\r\nbody' });
      expect([first.link.file, second.link.file, eml.link.file]).toEqual([
        'letters/20251120T100000Z-portscan.isp.txt',
        'letters/20251120T100000Z-portscan.isp-2.txt',
        'letters/20251120T100000Z-portscan.isp.eml',
      ]);
      expect(await readFile(first.file, 'utf8')).toBe('Subject: Re: Port scan\n\nDear Abuse Team,\n');
      expect(await readFile(eml.file, 'utf8')).toBe('From: a@b.example\r\n\r\nbody');
      expect((await readRecordFile(options.stateDir, opened.id)).letters).toHaveLength(3);
    });

    test.each([
      ['an unsafe kind', { kind: '../x', audience: 'isp', subject: 's', body: 'b' }],
      ['an empty body', { kind: 'portscan', audience: 'isp', subject: 's', body: '  ' }],
    ])('refuses %s', async (_what, letter) => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      await expect(recordLetter(opened.id, letter, options)).rejects.toMatchObject({ code: 'CASE_BAD_LETTER' });
    });

    test('loses no letter when several processes file into the same case', async () => {
      const options = await state();
      const opened = await openCase(PORTSCAN_EML, options);
      const results = await Promise.all(['a', 'b', 'c'].map((tag) => child({ op: 'letters', id: opened.id, stateDir: options.stateDir, count: 3, tag })));
      const files = results.flatMap((r) => r['files'] as string[]);
      expect(new Set(files).size).toBe(9);
      expect((await readRecordFile(options.stateDir, opened.id)).letters).toHaveLength(9);
      expect(await readdir(path.join(opened.dir, 'letters'))).toHaveLength(9);
    }, 60_000);
  });
});
