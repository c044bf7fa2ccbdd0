import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { followUp } from '../../src/case/followup.js';
import { openCase, recordApply, recordPlan } from '../../src/case/ledger.js';
import { casePlanDir } from '../../src/case/paths.js';
import { rejectsSmtpEverywhere } from '../../src/cli/commands/letters.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { parseProfile } from '../../src/letters/profile.js';
import { LETTER_KINDS } from '../../src/letters/registry.js';
import { loadRelayPolicy } from '../../src/relay/policy.js';
import { PORTSCAN_EML, putPlanInPlace, relayFiles, writeBlockPlan, writeJournalRun } from '../case/helpers/ledger.js';
import { REPO_ROOT, SAMPLE, SAMPLE_FINGERPRINT, fakeIO, run, tempDir } from './helpers.js';
import { CASE_RELAY_TORRC } from '../helpers/case-relay.js';

const PROFILE_ARGS = ['--name', 'Alice Example', '--email', 'abuse@relay.example.org', '--signature', '+49 30 1234567'];
const CASE_FINGERPRINT = 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925';

/** A profile written by `exitkit init` into a temp folder, and the environment naming it. */
async function withProfile(): Promise<{ dir: string; profile: string; env: Record<string, string> }> {
  const dir = await tempDir();
  const profile = path.join(dir, 'etc', 'exitkit', 'profile.json');
  const env = { EXITKIT_PROFILE: profile, EXITKIT_STATE_DIR: path.join(dir, 'state') };
  expect((await run(['init', ...PROFILE_ARGS], fakeIO({ env }))).code).toBe(ExitCode.OK);
  return { dir, profile, env };
}


/** A relay in a temp folder and the options that read it. */
async function caseRelay(root: string, text = CASE_RELAY_TORRC) {
  const relay = await relayFiles(root, text);
  return { relay, args: ['--torrc', relay.torrc, '--defaults-torrc', relay.defaults, '--cwd', relay.cwd] };
}

/** A block plan of 198.51.100.23 made on `relay`, applied (effective) or not. */
async function blockPlan(relay: { torrc: string; defaults: string; cwd: string }, dir: string, effectiveAt: string | null | undefined) {
  const plan = await writeBlockPlan({
    dir,
    id: path.basename(dir),
    caseId: 'CASE-1',
    torrc: relay.torrc,
    defaultsTorrc: relay.defaults,
    cwd: relay.cwd,
    items: ['reject 198.51.100.23/32:*'],
    remedy: { kind: 'block', cidrs: ['198.51.100.23/32'] },
  });
  if (effectiveAt !== undefined) {
    await putPlanInPlace(plan);
    await writeJournalRun(dir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:03:04.000Z', effectiveAt });
  }
  return plan;
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('cli/commands/letters', () => {
  describe('#initCommand', () => {
    test('writes a profile letters can read, mode 0644, creating its folder', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'etc', 'exitkit', 'profile.json');
      const result = await run(['init', ...PROFILE_ARGS, '--organisation', 'Example Privacy Association', '--templates', 'mine', '--profile', file], fakeIO({ cwd: dir }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toContain(file);
      expect(parseProfile(await readFile(file, 'utf8'), file)).toEqual({
        name: 'Alice Example',
        email: 'abuse@relay.example.org',
        organisation: 'Example Privacy Association',
        signature: ['+49 30 1234567'],
        templates: path.join(dir, 'mine'),
      });
      expect((await stat(file)).mode & 0o777).toBe(0o644);
    });

    test('writes where $EXITKIT_PROFILE points when --profile is not given', async () => {
      const { profile } = await withProfile();
      expect(parseProfile(await readFile(profile, 'utf8'), profile).name).toBe('Alice Example');
    });

    test('refuses to replace a profile without --force, and replaces it with it', async () => {
      const { profile, env } = await withProfile();
      const before = await readFile(profile, 'utf8');
      const refused = await run(['init', '--name', 'Bob', '--email', 'bob@relay.example.org'], fakeIO({ env }));
      expect(refused.code).toBe(ExitCode.REFUSED);
      expect(refused.err).toContain(profile);
      expect(refused.err).toContain('--force');
      expect(await readFile(profile, 'utf8')).toBe(before);

      expect((await run(['init', '--name', 'Bob', '--email', 'bob@relay.example.org', '--force'], fakeIO({ env }))).code).toBe(ExitCode.OK);
      expect(parseProfile(await readFile(profile, 'utf8'), profile)).toMatchObject({ name: 'Bob', email: 'bob@relay.example.org' });
      expect((await stat(profile)).mode & 0o777).toBe(0o644);
    });

    test.each([
      ['an address that is not one', ['--name', 'Alice', '--email', 'alice at example']],
      ['a name longer than a mail line', ['--name', 'A'.repeat(73), '--email', 'abuse@relay.example.org']],
      ['a signature line with a line break', ['--name', 'Alice', '--email', 'abuse@relay.example.org', '--signature', 'one\ntwo']],
      ['no e-mail at all', ['--name', 'Alice']],
    ])('refuses %s as a usage error and writes nothing', async (_name, argv) => {
      const dir = await tempDir();
      const file = path.join(dir, 'profile.json');
      const result = await run(['init', ...argv, '--profile', file], fakeIO({ cwd: dir }));
      expect(result.code).toBe(ExitCode.USAGE);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe('#letterCommand', () => {
    test('writes an initial reply from the typed complaint, signed with the profile, about the sample relay', async () => {
      const { env } = await withProfile();
      const result = await run(
        ['letter', 'portscan', ...SAMPLE, '--complaint-ref', 'R-77', '--complaint-date', '2025-11-19', '--relay-address', '198.51.100.23', '--to-name', 'Abuse Desk'],
        fakeIO({ env }),
      );
      expect(result.code).toBe(ExitCode.OK);
      expect(result.err).toBe('');
      expect(result.out.startsWith('Subject: Re: Abuse report R-77\n\nDear Abuse Desk,\n')).toBe(true);
      const text = flat(result.out);
      expect(text).toContain('Reference: R-77 Received: 2025-11-19 Address named: 198.51.100.23');
      expect(text).toContain('Nickname: exitkitSample');
      expect(text).toContain(`Fingerprint: ${SAMPLE_FINGERPRINT}`);
      expect(text).toContain('Addresses: 198.51.100.23 and 2001:db8:23::1');
      expect(text).toContain('https://metrics.torproject.org/exonerator.html?ip=198.51.100.23&timestamp=2025-11-19&lang=en');
      expect(text).toContain('Alice Example abuse@relay.example.org +49 30 1234567');
    });

    test('dates the complaint today (UTC) when only other details are typed', async () => {
      const { env } = await withProfile();
      const result = await run(['letter', 'generic', ...SAMPLE, '--subject', 'Abuse from 198.51.100.23'], fakeIO({ env, now: new Date('2025-11-21T23:30:00Z') }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toContain('Subject: Re: Abuse from 198.51.100.23\n');
      expect(flat(result.out)).toContain('Received: 2025-11-21');
    });

    test('tells the operator to run `exitkit init` when there is no profile', async () => {
      const dir = await tempDir();
      const result = await run(['letter', 'portscan', ...SAMPLE, '--complaint-date', '2025-11-19'], fakeIO({ env: { EXITKIT_PROFILE: path.join(dir, 'none.json') } }));
      expect(result.code).toBe(ExitCode.USAGE);
      expect(result.err).toContain(path.join(dir, 'none.json'));
      expect(result.err).toContain('exitkit init');
      expect(result.out).toBe('');
    });

    test.each([
      ['an unknown kind', ['letter', 'dcma', '--complaint-date', '2025-11-19'], 'did you mean dmca'],
      ['an audience the kind has no template for', ['letter', 'generic', '--audience', 'complainant', '--complaint-date', '2025-11-19'], 'audience "complainant"'],
      ['a reply without any complaint', ['letter', 'dmca'], '--complaint-date'],
      ['a date that does not exist', ['letter', 'dmca', '--complaint-date', '2025-13-01'], "'2025-13-01'"],
      ['a date in another notation', ['letter', 'dmca', '--complaint-date', '19.11.2025'], "'19.11.2025'"],
      ['a message without a recipient', ['letter', 'dmca', '--complaint-date', '2025-11-19', '--format', 'eml'], '--to'],
      ['a follow-up without a plan', ['letter', 'followup'], '--plan'],
    ])('refuses %s as a usage error', async (_name, argv, hint) => {
      const { env } = await withProfile();
      const result = await run([...argv, ...SAMPLE], fakeIO({ env }));
      expect(result.code).toBe(ExitCode.USAGE);
      expect(result.err).toContain(hint);
      expect(result.out).toBe('');
    });

    test.each([
      ['the sample relay, which rejects port 25', null, ExitCode.OK],
      ['a policy that accepts everything', 'ExitPolicy accept *:*', ExitCode.REFUSED],
      ['a policy that rejects port 25 over IPv4 only, with IPv6 exits', 'IPv6Exit 1\nExitPolicy reject *4:25\nExitPolicy accept *:*', ExitCode.REFUSED],
    ])('writes the spam letter, whose "no-smtp" claim the policy must support, for %s', async (_name, policy, code) => {
      const { env, dir } = await withProfile();
      const args = policy === null ? SAMPLE : (await caseRelay(dir, `Nickname SpamTest\nAddress 192.0.2.10\nORPort 443\nDataDirectory @DATA@\nExitRelay 1\n${policy}\n`)).args;
      const result = await run(['letter', 'spam', ...args, '--complaint-date', '2025-11-19'], fakeIO({ env }));
      expect(result.code).toBe(code);
      if (code === ExitCode.OK) expect(flat(result.out)).toContain('Its exit policy refuses every connection to port 25');
      else expect(result.err).toContain('port 25');
    });

    test('refuses to write a letter for a torrc tor would refuse, naming file and line', async () => {
      const { env, dir } = await withProfile();
      const { args, relay } = await caseRelay(dir, `${CASE_RELAY_TORRC}ExitPolicy reject 10.0.0.0/33:*\n`);
      const result = await run(['letter', 'generic', ...args, '--complaint-date', '2025-11-19'], fakeIO({ env }));
      expect(result.code).toBe(ExitCode.INVALID_CONFIG);
      expect(result.err).toContain(`${relay.torrc}:10`);
      expect(result.out).toBe('');
    });

    test('writes an RFC 5322 message from the profile to every --to, threaded to the complaint', async () => {
      const { env } = await withProfile();
      const result = await run(
        ['letter', 'portscan', ...SAMPLE, '--complaint-date', '2025-11-19', '--message-id', '<r-77@isp.example.net>', '--to', 'abuse@isp.example.net', '--to', 'noc@isp.example.net', '--to-name', 'Abuse Desk', '--format', 'eml'],
        fakeIO({ env }),
      );
      expect(result.code).toBe(ExitCode.OK);
      const [head = ''] = result.out.split('\r\n\r\n');
      const headers = head.split('\r\n');
      expect(headers).toContain('From: "Alice Example" <abuse@relay.example.org>');
      expect(headers).toContain('To: "Abuse Desk" <abuse@isp.example.net>, <noc@isp.example.net>');
      expect(headers).toContain('In-Reply-To: <r-77@isp.example.net>');
      expect(headers).toContain('Date: Thu, 20 Nov 2025 15:00:00 +0000');
      expect(headers).toContain('Content-Transfer-Encoding: quoted-printable');
    });

    test('writes --out instead of printing, mode 0640, and never overwrites', async () => {
      const { env, dir } = await withProfile();
      const out = path.join(dir, 'reply.txt');
      const first = await run(['letter', 'dmca', ...SAMPLE, '--complaint-date', '2025-11-19', '--out', out], fakeIO({ env }));
      expect(first.code).toBe(ExitCode.OK);
      expect(first.out).toBe('');
      expect(first.err).toContain(out);
      const written = await readFile(out, 'utf8');
      expect(written.startsWith('Subject: Re: Abuse report concerning 198.51.100.23\n\n')).toBe(true);
      expect((await stat(out)).mode & 0o777).toBe(0o640);

      const again = await run(['letter', 'generic', ...SAMPLE, '--complaint-date', '2025-11-19', '--out', out], fakeIO({ env }));
      expect(again.code).toBe(ExitCode.REFUSED);
      expect(again.err).toContain(out);
      expect(await readFile(out, 'utf8')).toBe(written);
      expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);
    });

    test('documents a plan not yet applied as a proposal, and an applied one with its time', async () => {
      const { env, dir } = await withProfile();
      const { relay, args } = await caseRelay(dir);
      const planDir = path.join(dir, 'plan');
      await blockPlan(relay, planDir, undefined);
      const proposal = await run(['letter', 'followup', '--plan', planDir, ...args], fakeIO({ env }));
      expect(proposal.code).toBe(ExitCode.OK);
      expect(proposal.err).toContain('not applied yet');
      expect(flat(proposal.out)).toContain('Connections to 198.51.100.23/32 on ports 22, 80 and 443 would be refused.');
      expect(flat(proposal.out)).toContain('Nothing has been changed yet');

      await writeJournalRun(planDir, { operation: 'apply', outcome: 'completed', at: '2025-11-20T14:03:04.000Z', effectiveAt: '2025-11-20T14:03:05.000Z' });
      const applied = await run(['letter', 'followup-block', '--plan', planDir, ...args], fakeIO({ env }));
      expect(applied.code).toBe(ExitCode.OK);
      expect(applied.err).toBe('');
      const text = flat(applied.out);
      expect(text).toContain('Since 2025-11-20 14:03:05 UTC');
      expect(text).toContain('Connections to 198.51.100.23/32 on ports 22, 80 and 443 are now refused.');
      expect(text).toContain('I will check on 2025-11-27');
      expect(text).toContain(`Fingerprint: ${CASE_FINGERPRINT}`);
    });

    test('refuses a follow-up kind that does not match the plan', async () => {
      const { env, dir } = await withProfile();
      const { relay, args } = await caseRelay(dir);
      await blockPlan(relay, path.join(dir, 'plan'), '2025-11-20T14:03:05.000Z');
      const result = await run(['letter', 'followup-middle', '--plan', path.join(dir, 'plan'), ...args], fakeIO({ env }));
      expect(result.code).toBe(ExitCode.USAGE);
      expect(result.err).toContain('followup-block');
    });

    test('answers a case: its complaint, its reply address, threaded, and filed into the case', async () => {
      const { env, dir } = await withProfile();
      const { args } = await caseRelay(dir);
      const opened = await openCase(PORTSCAN_EML, { env, now: new Date('2025-11-20T10:00:00Z') });
      const result = await run(['letter', 'portscan', '--case', opened.id, ...args, '--format', 'eml'], fakeIO({ env }));
      expect(result.code).toBe(ExitCode.OK);
      const [head = ''] = result.out.split('\r\n\r\n');
      expect(head.split('\r\n')).toEqual(
        expect.arrayContaining([
          'To: "Hosting Abuse Desk" <abuse@hoster.example>',
          'Subject: Re: [Ticket 2025112042] Port scan from your server 192.0.2.10',
          'In-Reply-To: <ticket-2025112042@hoster.example>',
        ]),
      );
      expect(result.out).toContain('VICTIM-2025-0042');
      const letters = await readdir(path.join(opened.dir, 'letters'));
      expect(letters).toEqual(['20251120T150000Z-portscan.isp.eml']);
      expect(await readFile(path.join(opened.dir, 'letters', letters[0] as string), 'utf8')).toBe(result.out);
      expect(result.err).toContain(path.join(opened.dir, 'letters', letters[0] as string));
      const record = JSON.parse(await readFile(path.join(opened.dir, 'case.json'), 'utf8')) as { letters: Array<{ kind: string; audience: string }> };
      expect(record.letters).toMatchObject([{ kind: 'portscan', audience: 'isp', format: 'eml' }]);
    });

    test("writes to the complainant's own address for the complainant audience", async () => {
      const { env, dir } = await withProfile();
      const { args } = await caseRelay(dir);
      const opened = await openCase(PORTSCAN_EML, { env, now: new Date('2025-11-20T10:00:00Z') });
      const result = await run(['letter', 'portscan', '--case', opened.id, '--audience', 'complainant', ...args, '--format', 'eml'], fakeIO({ env }));
      expect(result.code).toBe(ExitCode.OK);
      expect(result.out).toMatch(/\r\nTo: <noc@victim\.example>\r\n/);
    });

    test("takes a case's applied plan, and reports the follow-up check once it has run", async () => {
      const { env, dir } = await withProfile();
      const { relay, args } = await caseRelay(dir);
      const ledger = { env, now: new Date('2025-11-20T10:00:00Z') };
      const opened = await openCase(PORTSCAN_EML, ledger);
      await blockPlan(relay, casePlanDir(opened.id, 'p1', ledger), '2025-11-20T14:03:05.000Z');
      await recordPlan(opened.id, 'p1', ledger);
      await recordApply(opened.id, 'p1', ledger);

      const before = await run(['letter', 'followup', '--case', opened.id, ...args], fakeIO({ env }));
      expect(before.code).toBe(ExitCode.OK);
      expect(flat(before.out)).toContain('I will check on 2025-11-27 that the block is still in place');

      const check = await followUp(opened.id, { ...ledger, now: new Date('2025-11-27T15:00:00Z'), control: false });
      expect(check.status).toBe('in-force');
      const after = await run(['letter', 'followup', '--case', opened.id, ...args], fakeIO({ env, now: new Date('2025-11-28T09:00:00Z') }));
      expect(after.code).toBe(ExitCode.OK);
      const text = flat(after.out);
      expect(text).toContain('I checked on 2025-11-27 15:00:00 UTC that the block is still in place');
      expect(text).toContain('Connections to 198.51.100.23:22, as named in the complaint, are refused.');
      expect(text).not.toContain('I will check on');
    });
  });

  describe('#rejectsSmtpEverywhere', () => {
    test.each([
      ['the sample relay', true, null],
      ["Tor's default policy", true, 'ExitRelay 1'],
      ['a policy that accepts everything', false, 'ExitRelay 1\nExitPolicy accept *:*'],
      ['port 25 accepted to one public network', false, 'ExitRelay 1\nExitPolicy accept 203.0.113.0/24:25\nExitPolicy reject *:25\nExitPolicy accept *:*'],
      ['port 25 accepted only to private networks', true, 'ExitRelay 1\nExitPolicyRejectPrivate 0\nExitPolicy accept 10.0.0.0/8:25\nExitPolicy reject *:25\nExitPolicy accept *:*'],
      ['port 25 rejected over IPv4 only, with IPv6 exits', false, 'ExitRelay 1\nIPv6Exit 1\nExitPolicy reject *4:25\nExitPolicy accept *:*'],
      ['port 25 rejected over IPv4, without IPv6 exits', true, 'ExitRelay 1\nIPv6Exit 0\nExitPolicy reject *4:25\nExitPolicy accept *:*'],
      ['a relay that does not exit', true, 'ExitRelay 0\nExitPolicy accept *:*'],
    ])('%s → %s', async (_name, expected, torrc) => {
      const dir = await tempDir();
      let options: Parameters<typeof loadRelayPolicy>[0] = { torrc: 'fixtures/sample/torrc', defaultsTorrc: 'fixtures/sample/defaults-torrc', cwd: REPO_ROOT };
      if (torrc !== null) {
        await writeFile(path.join(dir, 'torrc'), `Address 192.0.2.10\nORPort 443\n${torrc}\n`);
        options = { torrc: path.join(dir, 'torrc'), cwd: dir };
      }
      const relay = await loadRelayPolicy({ ...options, torrc: path.resolve(options.cwd ?? REPO_ROOT, options.torrc), defaultsTorrc: options.defaultsTorrc == null ? null : path.resolve(REPO_ROOT, options.defaultsTorrc) });
      expect(relay.valid).toBe(true);
      expect(rejectsSmtpEverywhere(relay.policy!)).toBe(expected);
    });
  });

  describe('#templatesListCommand', () => {
    test('lists every template of the catalogue with when to use it and the claims it makes', async () => {
      const result = await run(['templates', 'list'], fakeIO({ env: { EXITKIT_PROFILE: '/nonexistent/profile.json' } }));
      expect(result.code).toBe(ExitCode.OK);
      const names = result.out.split('\n').filter((line) => /^[a-z]/.test(line) && !line.startsWith('Show'));
      expect(names).toEqual(LETTER_KINDS.flatMap((spec) => spec.audiences.map((audience) => `${spec.kind}.${audience}`)));
      expect(result.out).toMatch(/^spam\.isp\n {4}Initial reply to an ISP about spam[^\n]*\n[^\n]*\n {4}claims: no-smtp/m);
    });

    test("marks the operator's own templates, from --templates or the profile", async () => {
      const { env, dir } = await withProfile();
      const mine = path.join(dir, 'mine');
      await mkdir(mine);
      await writeFile(path.join(mine, 'dmca.isp.hbs'), '{{!--\n  Our house reply to copyright notices.\n--}}\n{{> greeting}}\n\n{{> signature}}\n');
      const listed = await run(['templates', 'list', '--templates', mine], fakeIO({ env }));
      expect(listed.code).toBe(ExitCode.OK);
      expect(listed.out).toContain(`dmca.isp  (yours: ${path.join(mine, 'dmca.isp.hbs')})\n    Our house reply to copyright notices.\n`);

      const profile = path.join(dir, 'with-templates.json');
      await run(['init', ...PROFILE_ARGS, '--templates', mine, '--profile', profile], fakeIO({ env }));
      const viaProfile = await run(['templates', 'list', '--profile', profile], fakeIO({ env }));
      expect(viaProfile.out).toContain('dmca.isp  (yours:');
    });

    test('refuses a misspelt override instead of ignoring it', async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'dcma.isp.hbs'), '{{!--\n  Typo.\n--}}\nHello\n');
      const result = await run(['templates', 'list', '--templates', dir], fakeIO({ env: { EXITKIT_PROFILE: path.join(dir, 'none.json') } }));
      expect(result.code).not.toBe(ExitCode.OK);
      expect(result.err).toContain('dcma.isp.hbs');
      expect(result.err).toContain('dmca.isp');
    });
  });

  describe('#templatesShowCommand', () => {
    test.each([
      ['spam', 'spam.isp'],
      ['law-enforcement', 'law-enforcement.complainant'],
      ['dmca.complainant', 'dmca.complainant'],
    ])('shows %s as %s: its file, the fields and claims it uses, and its exact text', async (asked, name) => {
      const result = await run(['templates', 'show', asked], fakeIO({ env: { EXITKIT_PROFILE: '/nonexistent/profile.json' } }));
      expect(result.code).toBe(ExitCode.OK);
      const file = path.join(REPO_ROOT, 'templates', `${name}.hbs`);
      expect(result.out.split('\n')[0]).toBe(`Template ${name} (built-in): ${file}`);
      expect(result.out.endsWith(`\n\n${await readFile(file, 'utf8')}`)).toBe(true);
      if (name === 'spam.isp') expect(result.out).toContain('  claims:         no-smtp: ');
    });

    test.each([['dcma'], ['generic.complainant'], ['']])('refuses %j as a usage error', async (asked) => {
      const result = await run(['templates', 'show', asked], fakeIO({ env: { EXITKIT_PROFILE: '/nonexistent/profile.json' } }));
      expect(result.code).toBe(ExitCode.USAGE);
      expect(result.out).toBe('');
    });
  });
});
