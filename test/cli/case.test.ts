import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { recordApply, recordPlan } from '../../src/case/ledger.js';
import { casePlanDir } from '../../src/case/paths.js';
import { followUpExitCode } from '../../src/cli/commands/case.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { corpusAvailable, corpusDir, corpusRequired, corpusSkipMessage } from '../complaint/corpus.js';
import { PORTSCAN_EML, putPlanInPlace, relayFiles, writeBlockPlan, writeJournalRun } from '../case/helpers/ledger.js';
import { REPO_ROOT, SAMPLE, fakeIO, run, tempDir } from './helpers.js';
import { CASE_RELAY_TORRC } from '../helpers/case-relay.js';

const NO_DESTINATION = path.join(REPO_ROOT, 'test/fixtures/complaints/no-destination.eml');
const OPENED = new Date('2025-11-20T10:00:00Z');
const CHECKED = new Date('2025-11-27T15:00:00Z');


/** A temp folder with the relay, a state directory, and a profile written by `exitkit init`. */
async function setting(options: { profile?: boolean } = {}) {
  const root = await tempDir();
  const relay = await relayFiles(path.join(root, 'relay'), CASE_RELAY_TORRC);
  const stateDir = path.join(root, 'state');
  const env = { EXITKIT_PROFILE: path.join(root, 'profile.json') };
  if (options.profile !== false) {
    expect((await run(['init', '--name', 'Alice Example', '--email', 'abuse@relay.example.org', '--profile', env.EXITKIT_PROFILE], fakeIO())).code).toBe(ExitCode.OK);
  }
  const relayArgs = ['--torrc', relay.torrc, '--defaults-torrc', relay.defaults, '--cwd', relay.cwd];
  return { root, relay, stateDir, env, relayArgs, state: ['--state-dir', stateDir] };
}

/** Opens the port-scan case through the CLI and returns its id. */
async function openPortscan(s: Awaited<ReturnType<typeof setting>>): Promise<string> {
  const opened = await run(['case', 'open', PORTSCAN_EML, ...s.state, ...s.relayArgs, '--json'], fakeIO({ env: s.env, now: OPENED }));
  expect(opened.code).toBe(ExitCode.OK);
  return (JSON.parse(opened.out) as { id: string }).id;
}

/** Files a block of 198.51.100.23 into the case and puts it in force, as `plan` and `apply` would. */
async function applyBlock(s: Awaited<ReturnType<typeof setting>>, id: string, options: { apply?: boolean } = {}) {
  const ledger = { stateDir: s.stateDir, now: OPENED };
  const dir = casePlanDir(id, 'p1', ledger);
  const plan = await writeBlockPlan({
    dir,
    id: 'p1',
    caseId: id,
    torrc: s.relay.torrc,
    defaultsTorrc: s.relay.defaults,
    cwd: s.relay.cwd,
    items: ['reject 198.51.100.23/32:*'],
    remedy: { kind: 'block', cidrs: ['198.51.100.23/32'], caseId: id },
  });
  await recordPlan(id, 'p1', ledger);
  if (options.apply !== false) {
    await putPlanInPlace(plan);
    await writeJournalRun(dir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:03:04.000Z', effectiveAt: '2025-11-20T14:03:05.000Z' });
    await recordApply(id, 'p1', ledger);
  }
  return plan;
}

describe('cli/commands/case', () => {
  describe('#complaintParseCommand', () => {
    test('prints what the complaint says, that it is about this relay, and the suggested command', async () => {
      const s = await setting({ profile: false });
      const result = await run(['complaint', 'parse', PORTSCAN_EML, ...s.relayArgs], fakeIO({ cwd: s.root }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.err).toBe('');
      const lines = result.out.split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          '  Format:        x-arf (report type port-scan)',
          '  Category:      scan (answer with the "portscan" letter)',
          '  Complainant:   noc@victim.example',
          '  Reply to:      Hosting Abuse Desk <abuse@hoster.example>',
          '  Reference:     VICTIM-2025-0042',
          '  Message-ID:    <ticket-2025112042@hoster.example>',
          '  Destination:   198.51.100.23:22',
          `Is it us? (checked against ${s.relay.torrc})`,
          '  192.0.2.10 is this relay\'s address (Address).',
          "Suggested: exitkit plan block 198.51.100.23/32 --reason 'scan or attack reported by noc@victim.example, ref VICTIM-2025-0042'",
          '  answer with: exitkit letter portscan',
        ]),
      );
      expect(result.out).toMatch(/^ {2}Time: {10}2025-11-19 21:14:05 UTC {2}\(event, written "2025-11-19T21:14:05Z"/m);
      expect(result.out).toContain('https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en');
    });

    test('warns when the address is not the relay, and counts --own-address as the relay', async () => {
      const notOurs = await run(['complaint', 'parse', PORTSCAN_EML, ...SAMPLE]);
      expect(notOurs.code).toBe(ExitCode.OK);
      expect(notOurs.out).toMatch(/^ {2}WARNING: 192\.0\.2\.10 is not one of this relay's addresses/m);

      const ours = await run(['complaint', 'parse', PORTSCAN_EML, ...SAMPLE, '--own-address', '192.0.2.10']);
      expect(ours.out).toContain("  192.0.2.10 is this relay's address (Address).");
    });

    test('says so, and still links ExoneraTor, when the torrc cannot be read', async () => {
      const dir = await tempDir();
      const missing = path.join(dir, 'torrc');
      const result = await run(['complaint', 'parse', PORTSCAN_EML, '--torrc', missing, '--no-defaults-torrc'], fakeIO({ cwd: dir }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toMatch(/^Is it us\? Not checked: .*torrc/m);
      expect(result.out).toContain('  192.0.2.10: ExoneraTor (was it a Tor relay on 2025-11-19?): https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en');
    });

    test('says when the format carries no destination', async () => {
      const result = await run(['complaint', 'parse', NO_DESTINATION, ...SAMPLE]);
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toMatch(/^ {2}Destinations: {2}none: .+/m);
      expect(result.out).toMatch(/^ {2}Source: {8}192\.0\.2\.77/m);
      expect(result.out).toContain('Suggested: no policy change');
    });

    test('prints JSON with the complaint, the suggestion, the check and the links', async () => {
      const s = await setting({ profile: false });
      const result = await run(['complaint', 'parse', PORTSCAN_EML, ...s.relayArgs, '--json']);
      expect(result.code).toBe(ExitCode.OK);
      const json = JSON.parse(result.out) as Record<string, any>;
      expect(json['complaint']).toMatchObject({ status: 'parsed', format: 'x-arf', reference: 'VICTIM-2025-0042', messageId: '<ticket-2025112042@hoster.example>' });
      expect(json['complaint'].destinations).toMatchObject([{ address: '198.51.100.23', ports: [22] }]);
      expect(json['suggestion']).toMatchObject({ kind: 'block', argv: ['plan', 'block', '198.51.100.23/32', '--reason', expect.any(String)] });
      expect(json['ownership']).toMatchObject({ checked: true, torrc: s.relay.torrc, allOurs: true });
      expect(json['exonerator']).toEqual([{ address: '192.0.2.10', date: '2025-11-19', url: 'https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en' }]);
    });

    test('reports a complaint it cannot read with the check-failed code', async () => {
      const dir = await tempDir();
      const empty = path.join(dir, 'empty.eml');
      await writeFile(empty, '');
      const result = await run(['complaint', 'parse', empty, ...SAMPLE]);
      expect(result.code).toBe(ExitCode.CHECK_FAILED);
      expect(result.out).toContain('WARNING: it could not be read (COMPLAINT_EMPTY)');
      expect(result.out).toContain('Suggested: no policy change');
      const json = await run(['complaint', 'parse', empty, ...SAMPLE, '--json']);
      expect(json.code).toBe(ExitCode.CHECK_FAILED);
      expect(JSON.parse(json.out)).toMatchObject({ complaint: { status: 'unparseable', reason: { code: 'COMPLAINT_EMPTY' } }, ownership: { checked: false } });
    });

    test.each([
      ['a file that does not exist', 'nonexistent.eml', ExitCode.FAILURE],
      ['a folder', '.', ExitCode.USAGE],
    ])('refuses %s', async (_name, file, code) => {
      const dir = await tempDir();
      const result = await run(['complaint', 'parse', file, ...SAMPLE], fakeIO({ cwd: dir }));
      expect(result.code).toBe(code);
      expect(result.out).toBe('');
    });

    describe('on the shared corpus', async () => {
      const files = corpusAvailable
        ? (await readdir(corpusDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name !== 'SOURCES.md').map((e) => path.relative(corpusDir, path.join(e.parentPath, e.name))).sort()
        : [];
      test('is present (required under CI=true)', () => {
        if (!corpusAvailable) {
          if (corpusRequired) throw new Error(`complaint corpus missing at ${corpusDir}`);
          console.warn(corpusSkipMessage);
        }
      });
      test.skipIf(!corpusAvailable).each(files)('reads %s without failing, and suggests only plan commands', async (file) => {
        const result = await run(['complaint', 'parse', path.join(corpusDir, file), ...SAMPLE, '--json']);
        expect(result.err).toBe('');
        expect([ExitCode.OK, ExitCode.CHECK_FAILED]).toContain(result.code);
        const json = JSON.parse(result.out) as { complaint: { status: string }; suggestion: { command: string | null } };
        expect(result.code === ExitCode.OK).toBe(json.complaint.status === 'parsed');
        if (json.suggestion.command !== null) expect(json.suggestion.command).toMatch(/^exitkit plan (block|reduce-ports|middle) /);
      });
    });
  });

  describe('#caseOpenCommand', () => {
    test('opens a case in the state directory, checks the address, and suggests a remedy filed in it', async () => {
      const s = await setting({ profile: false });
      const result = await run(['case', 'open', PORTSCAN_EML, ...s.state, ...s.relayArgs], fakeIO({ now: OPENED }));
      expect(result.code).toBe(ExitCode.OK);
      const dir = path.join(s.stateDir, 'cases', 'VICTIM-2025-0042');
      expect(result.out.split('\n')).toEqual(
        expect.arrayContaining([
          'Opened case VICTIM-2025-0042.',
          "  192.0.2.10 is this relay's address (Address).",
          `Case folder: ${dir}`,
        ]),
      );
      expect(result.out).toContain("Suggested: exitkit plan block 198.51.100.23/32 --case VICTIM-2025-0042 --reason 'scan or attack");
      expect(await readFile(path.join(dir, 'complaint.eml'))).toEqual(await readFile(PORTSCAN_EML));
      const record = JSON.parse(await readFile(path.join(dir, 'case.json'), 'utf8')) as { ownership: { allOurs: boolean }; dates: { opened: string } };
      expect(record).toMatchObject({ ownership: { allOurs: true }, dates: { opened: OPENED.toISOString() } });
    });

    test('takes the id given, refuses a second case for the same complaint, and reads $EXITKIT_STATE_DIR', async () => {
      const s = await setting({ profile: false });
      const env = { EXITKIT_STATE_DIR: s.stateDir };
      const first = await run(['case', 'open', PORTSCAN_EML, '--id', 'CASE-7', ...s.relayArgs], fakeIO({ env }));
      expect(first.code).toBe(ExitCode.OK);
      expect(await readdir(path.join(s.stateDir, 'cases'))).toEqual(['CASE-7']);
      const again = await run(['case', 'open', PORTSCAN_EML, ...s.relayArgs], fakeIO({ env }));
      expect(again.code).toBe(ExitCode.REFUSED);
      expect(again.err).toContain('CASE-7');
      expect(await readdir(path.join(s.stateDir, 'cases'))).toEqual(['CASE-7']);
    });

    test.each([['../escape'], ['-rf'], ['a b']])('refuses the case id %j and creates nothing', async (id) => {
      const s = await setting({ profile: false });
      const result = await run(['case', 'open', PORTSCAN_EML, `--id=${id}`, ...s.state, ...s.relayArgs]);
      expect(result.code).not.toBe(ExitCode.OK);
      expect(await readdir(path.join(s.stateDir, 'cases')).catch(() => [])).toEqual([]);
    });

    test('opens the case and says why "is it us?" was not checked when the torrc cannot be read', async () => {
      const s = await setting({ profile: false });
      const result = await run(['case', 'open', PORTSCAN_EML, ...s.state, '--torrc', path.join(s.root, 'missing'), '--no-defaults-torrc']);
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toMatch(/^Is it us\? \(not checked: .*missing.*\)$/m);
      const json = await run(['case', 'open', NO_DESTINATION, ...s.state, '--torrc', path.join(s.root, 'missing'), '--no-defaults-torrc', '--json']);
      expect(JSON.parse(json.out)).toMatchObject({ ownership: null, ownershipNotChecked: expect.stringContaining('missing') });
    });
  });

  describe('#caseListCommand / #caseShowCommand / #caseCloseCommand', () => {
    test('lists open cases, shows one, closes it with a note, and lists it again only with --all', async () => {
      const s = await setting({ profile: false });
      const id = await openPortscan(s);
      const listed = await run(['case', 'list', ...s.state], fakeIO({ now: OPENED }));
      expect(listed.code).toBe(ExitCode.OK);
      expect(listed.out.split('\n')[1]).toMatch(new RegExp(`^${id} +open +- +no change +scan +noc@victim\\.example$`));

      const shown = await run(['case', 'show', id, ...s.state]);
      expect(shown.code).toBe(ExitCode.OK);
      expect(shown.out.split('\n')[0]).toBe(`Case ${id} (open) — ${path.join(s.stateDir, 'cases', id)}`);
      const json = JSON.parse((await run(['case', 'show', id, ...s.state, '--json'])).out) as Record<string, any>;
      expect(json['record']).toMatchObject({ id, status: 'open', reference: 'VICTIM-2025-0042' });
      expect(json['complaint']).toMatchObject({ status: 'parsed', format: 'x-arf' });

      const closed = await run(['case', 'close', id, ...s.state, '--note', 'the hoster is satisfied']);
      expect(closed.code).toBe(ExitCode.OK);
      expect(closed.out).toContain(`Closed case ${id}.`);
      expect((await run(['case', 'list', ...s.state])).out).toBe('No open cases.\n');
      const all = JSON.parse((await run(['case', 'list', ...s.state, '--all', '--json'])).out) as { cases: Array<{ id: string; status: string }> };
      expect(all.cases).toMatchObject([{ id, status: 'closed' }]);
      expect((await run(['case', 'show', id, ...s.state])).out).toContain('the hoster is satisfied');

      const twice = await run(['case', 'close', id, ...s.state]);
      expect(twice.code).toBe(ExitCode.REFUSED);
    });

    test.each([
      ['show', 'NOPE'],
      ['close', 'NOPE'],
      ['show', '../cases'],
    ])('refuses to %s case %j', async (verb, id) => {
      const s = await setting({ profile: false });
      await openPortscan(s);
      const result = await run(['case', verb, id, ...s.state]);
      expect(result.code).toBe(ExitCode.REFUSED);
      expect(result.out).toBe('');
      expect(result.err).toContain(id);
    });
  });

  describe('#followupCommand', () => {
    test('confirms a change in force, writes the letter that reports the check, and files it', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id);
      const out = path.join(s.root, 'followup.txt');
      const result = await run(['followup', id, ...s.state, '--out', out], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out.split('\n')[0]).toBe(`Follow-up of case ${id} at 2025-11-27 15:00:00 UTC: every promised change is in force.`);
      expect(result.out).toContain(`  torrc files as of 2025-11-27 15:00:00 UTC: in force`);
      expect(result.out).toContain('running tor as of 2025-11-27 15:00:00 UTC: not checked — the configuration has no ControlPort or ControlSocket');
      const letters = await readdir(path.join(s.stateDir, 'cases', id, 'letters'));
      expect(letters).toEqual(['20251127T150000Z-followup-block.isp.txt']);
      const filed = await readFile(path.join(s.stateDir, 'cases', id, 'letters', letters[0] as string), 'utf8');
      expect(await readFile(out, 'utf8')).toBe(filed);
      const text = filed.replace(/\s+/g, ' ');
      expect(text).toContain('Since 2025-11-20 14:03:05 UTC');
      expect(text).toContain('I checked on 2025-11-27 15:00:00 UTC that the block is still in place');
      expect(text).not.toContain('I will check on');
      expect(result.out).toContain(`Wrote the followup-block.isp letter to ${out}.`);
    });

    test('writes the letter as a message to --to when asked for eml', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id);
      const result = await run(['followup', id, ...s.state, '--format', 'eml', '--to', 'tickets@hoster.example', '--json'], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.OK);
      const json = JSON.parse(result.out) as { status: string; letter: { file: string; format: string } };
      expect(json).toMatchObject({ status: 'in-force', letter: { format: 'eml' } });
      const eml = await readFile(json.letter.file, 'utf8');
      expect(eml).toMatch(/\r\nTo: <tickets@hoster\.example>\r\n/);
      expect(eml).toContain('\r\nIn-Reply-To: <ticket-2025112042@hoster.example>\r\n');
    });

    test('fails the check, and writes no letter, when the promised block is gone from the torrc', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id);
      await writeFile(s.relay.torrc, (await readFile(s.relay.torrc, 'utf8')).replace('ExitPolicy reject 198.51.100.23/32:*\n', ''));
      const out = path.join(s.root, 'followup.txt');
      const result = await run(['followup', id, ...s.state, '--out', out], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.CHECK_FAILED);
      expect(result.out.split('\n')[0]).toMatch(/^PROMISED CHANGE MISSING/);
      expect(result.out).toContain(`exitkit plan block 198.51.100.23/32 --case ${id}`);
      expect(result.out).toContain(`Nothing was written to ${out}`);
      expect(await readdir(path.join(s.stateDir, 'cases', id, 'letters'))).toEqual([]);
    });

    test('fails the check when the case planned a change that was never applied', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id, { apply: false });
      const result = await run(['followup', id, ...s.state], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.CHECK_FAILED);
      expect(result.out.split('\n')[0]).toMatch(/^NOT IN FORCE/);
    });

    test('exits with the invalid-config code when tor would not read the configuration', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id);
      await writeFile(s.relay.torrc, `${await readFile(s.relay.torrc, 'utf8')}ExitPolicy reject 10.0.0.0/33:*\n`);
      const result = await run(['followup', id, ...s.state], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.INVALID_CONFIG);
      expect(result.out.split('\n')[0]).toMatch(/^NOT VERIFIED/);
      expect(result.out).toContain(`${s.relay.torrc}:`);
    });

    test('checks another torrc when one is named', async () => {
      const s = await setting();
      const id = await openPortscan(s);
      await applyBlock(s, id);
      const other = await relayFiles(path.join(s.root, 'other'), CASE_RELAY_TORRC);
      const result = await run(['followup', id, ...s.state, '--torrc', other.torrc, '--defaults-torrc', other.defaults, '--cwd', other.cwd], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.CHECK_FAILED);
      expect(result.out).toContain(`Configuration: ${other.torrc}`);
    });

    test('still checks without a profile, and says why no letter was written', async () => {
      const s = await setting({ profile: false });
      const id = await openPortscan(s);
      await applyBlock(s, id);
      const result = await run(['followup', id, ...s.state], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toContain(`No follow-up letter: There is no operator profile at ${s.env.EXITKIT_PROFILE}`);
      expect(await readdir(path.join(s.stateDir, 'cases', id, 'letters'))).toEqual([]);

      const named = await run(['followup', id, ...s.state, '--profile', s.env.EXITKIT_PROFILE], fakeIO({ now: CHECKED }));
      expect(named.code).toBe(ExitCode.USAGE);
    });

    test('refuses an unknown case', async () => {
      const s = await setting();
      const result = await run(['followup', 'NOPE', ...s.state], fakeIO({ env: s.env, now: CHECKED }));
      expect(result.code).toBe(ExitCode.REFUSED);
      expect(result.err).toContain('NOPE');
    });
  });

  describe('#followUpExitCode', () => {
    test.each([
      ['in-force', true, true, ExitCode.OK],
      ['nothing-promised', true, true, ExitCode.OK],
      ['broken', false, true, ExitCode.CHECK_FAILED],
      ['not-applied', false, true, ExitCode.CHECK_FAILED],
      ['unverified', false, false, ExitCode.INVALID_CONFIG],
      ['unverified', false, true, ExitCode.CHECK_FAILED],
    ] as const)('%s (ok %s, configuration valid %s) → %s', (status, ok, valid, code) => {
      expect(followUpExitCode({ status, ok, configs: [{ torrc: '/etc/tor/torrc', defaultsTorrc: null, cwd: '/', valid, problems: [], running: '' }] })).toBe(code);
    });
  });
});
