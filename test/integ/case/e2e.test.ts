/**
 * From complaint to follow-up, end to end, with the real tor: a forwarded port-scan report is
 * opened as a case, the suggested block is planned and applied (tor --verify-config checks
 * the candidate), the reply letter is filed, the follow-up check passes; then the torrc is
 * edited behind exitkit's back, and the follow-up fails, says why, and offers the plan that
 * restores the block. The second test does the same against a running relay (loopback only,
 * its own network namespace), where the follow-up also reads the policy tor enforces.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { applyPlan } from '../../../src/apply/apply.js';
import { followUp, complaintInfo } from '../../../src/case/followup.js';
import { openCase, recordApply, recordLetter, recordPlan, showCase } from '../../../src/case/ledger.js';
import { casePlanDir } from '../../../src/case/paths.js';
import { configFactsFromConfig } from '../../../src/letters/facts.js';
import { KIND_FOR_CATEGORY, loadTemplates } from '../../../src/letters/registry.js';
import { relayIdentityFromConfig } from '../../../src/letters/relay.js';
import { renderLetter } from '../../../src/letters/render.js';
import { createPlan } from '../../../src/plan/create.js';
import type { RemedyRequest } from '../../../src/remedy/index.js';
import { connectAndAuthenticate } from '../../../src/tor/control.js';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { loadConfig } from '../../../src/torrc/index.js';
import type { OperatorProfile } from '../../../src/letters/context.js';
import { PORTSCAN_EML, relayFiles, tempDir } from '../../case/helpers/ledger.js';
import { requireTool } from '../../helpers/require-tool.js';
import { source } from '../../helpers/source.js';
import { exitPolicy, relayTorrc, startRelay, stopRelay, type RunningRelay } from '../apply/running-relay.js';

const offline = ['tor', 'flock'].map((name) => requireTool(name, 'the case end-to-end test'));
const loopback = ['tor', 'flock', 'unshare', 'ip'].map((name) => requireTool(name, 'the case end-to-end test with a running relay'));

const OPERATOR: OperatorProfile = { name: 'Alice Example', email: 'abuse@relay.example.org', signature: [] };
const WEEK_MS = 7 * 86_400_000;
const POLICY = source`
  ExitPolicy accept *:22
  ExitPolicy accept *:80
  ExitPolicy accept *:443
  ExitPolicy reject *:*
`;
const RELAY = source`
  Nickname CaseTestExit
  Address 192.0.2.10
  ORPort 443
  SocksPort 0
  DataDirectory @DATA@
  ExitRelay 1
` + POLICY;

let relay: RunningRelay | undefined;
afterEach(async () => {
  if (relay) await stopRelay(relay);
  relay = undefined;
});

/** The remedy request behind the suggested command (`exitkit plan block CIDR... --case ID --reason TEXT`). */
function requestFromArgv(argv: readonly string[]): RemedyRequest {
  expect(argv.slice(0, 2)).toEqual(['plan', 'block']);
  const cidrs: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 2; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) flags.set(arg, argv[++i] as string);
    else cidrs.push(arg);
  }
  return { kind: 'block', cidrs, ports: flags.get('--ports'), caseId: flags.get('--case'), reason: flags.get('--reason') };
}

/** The torrc without exitkit's marked block, as someone editing it by hand might leave it. */
function withoutBlock(text: string): string {
  return text.replace(/^# exitkit block [^\n]*\n(?:[^\n]*\n)*?# exitkit end [^\n]*\n/m, '');
}

describe.skipIf(!offline.every((tool) => tool.available))('integ/case/e2e (tor --verify-config)', () => {
  test('complaint → case → plan → apply → letter → follow-up passes → torrc edited → follow-up fails and offers the restoring plan', async () => {
    const stateDir = await tempDir();
    const files = await relayFiles(await tempDir(), RELAY);
    const paths = { torrc: files.torrc, defaultsTorrc: files.defaults, cwd: files.cwd };
    const ledger = { stateDir };

    // Intake: the case, "is it us?" and the suggested command.
    const config = await loadConfig(paths);
    expect(config.valid).toBe(true);
    const opened = await openCase(PORTSCAN_EML, { ...ledger, relay: { config } });
    const id = opened.id;
    expect(id).toBe('VICTIM-2025-0042');
    expect(opened.ownership?.sources).toEqual([expect.objectContaining({ address: '192.0.2.10', verdict: 'ours' })]);
    expect(opened.lines.map((line) => line.trim())).toContain('ExoneraTor (was 192.0.2.10 a Tor relay on 2025-11-19?): https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en');
    expect(opened.suggestion.argv).not.toBeNull();

    // Plan the suggested block into the case, apply it (tor verifies the candidate).
    const planDir = casePlanDir(id, id, ledger);
    const planned = await createPlan(requestFromArgv(opened.suggestion.argv as string[]), { ...paths, now: new Date(), caseId: id, out: planDir });
    expect(planned.document.semanticChange.changes).toEqual([{ family: 4, cidrs: ['198.51.100.23/32'], ports: [[22, 22], [80, 80], [443, 443]], before: 'accept', after: 'reject' }]);
    await recordPlan(id, id, ledger);
    const applied = await applyPlan(planDir, { reload: 'none' });
    expect(applied.outcome).toBe('completed');
    expect(await readFile(files.torrc, 'utf8')).toBe(planned.document.changes[0]?.after);
    const recorded = await recordApply(id, id, ledger);
    expect(recorded.record.dates.effective).toBeNull();

    // The operator reloaded tor by hand (apply ran with --reload none) and records when.
    const reloadedAt = new Date().toISOString();
    const due = (await recordApply(id, id, { ...ledger, effectiveAt: reloadedAt })).record.dates.followUpDue;
    expect(due).toBe(new Date(Date.parse(reloadedAt) + WEEK_MS).toISOString());

    // The reply to the ISP, filed in the case.
    const templates = await loadTemplates();
    const shown = await showCase(id, ledger);
    const identity = await relayIdentityFromConfig(config, (file) => readFile(file, 'utf8'));
    const reply = renderLetter(KIND_FOR_CATEGORY.scan, { relay: identity, operator: OPERATOR, complaint: complaintInfo(shown.record), facts: configFactsFromConfig(config) }, { templates });
    const filed = await recordLetter(id, reply, ledger);
    expect(await readFile(filed.file, 'utf8')).toContain(reply.body);

    // A week later: everything in force; the follow-up letter says since when.
    const weekLater = new Date(Date.parse(reloadedAt) + WEEK_MS);
    const passed = await followUp(id, { ...ledger, now: weekLater, letter: { templates, operator: OPERATOR } });
    expect(passed).toMatchObject({ status: 'in-force', ok: true });
    expect(passed.plans[0]).toMatchObject({ files: { status: 'in-force' }, running: { status: 'not-checked', reason: 'the configuration has no ControlPort or ControlSocket' } });
    expect(passed.destinations).toEqual([{ destination: '198.51.100.23:22', files: 'rejected', running: 'not-checked', acceptedOn: null }]);
    expect(passed.letter?.name).toBe('followup-block.isp');
    expect(passed.letter?.body.replace(/\s+/g, ' ')).toContain(`Since ${reloadedAt.slice(0, 10)} ${reloadedAt.slice(11, 19)} UTC`);

    // Someone removes the block by hand; tor itself would accept the result.
    const edited = withoutBlock(await readFile(files.torrc, 'utf8'));
    expect(edited).not.toContain('198.51.100.23');
    await writeFile(files.torrc, edited);
    expect((await verifyTorConfig({ torrc: files.torrc, defaultsTorrc: files.defaults, cwd: files.cwd })).valid).toBe(true);

    const failed = await followUp(id, { ...ledger, now: new Date(weekLater.getTime() + 60_000), letter: { templates, operator: OPERATOR } });
    expect(failed).toMatchObject({ status: 'broken', ok: false, letter: null });
    expect(failed.lines[0]).toMatch(/^PROMISED CHANGE MISSING/);
    expect(failed.lines.join('\n')).toContain('NOT IN FORCE — 198.51.100.23/32 on ports 22, 80 and 443 is accepted (promised: rejected)');
    const check = failed.plans[0];
    expect(check?.editedSince).toEqual([expect.objectContaining({ path: files.torrc })]);
    expect(check?.restore?.commands).toEqual([expect.stringMatching(new RegExp(`^exitkit plan block 198\\.51\\.100\\.23/32 --case ${id} --reason `))]);
    expect(check?.restore?.plan).not.toBeNull();
    expect(await readFile(files.torrc, 'utf8')).toBe(edited);

    // Offered, not applied: once the operator applies it, the follow-up passes again.
    const restoreDir = check?.restore?.plan?.dir as string;
    expect((await applyPlan(restoreDir, { reload: 'none' })).outcome).toBe('completed');
    await recordApply(id, check?.restore?.plan?.id as string, { ...ledger, effectiveAt: new Date().toISOString() });
    const again = await followUp(id, { ...ledger, now: new Date(weekLater.getTime() + 120_000) });
    expect(again.status).toBe('in-force');
    expect(again.plans.map((p) => [p.planId, p.files.status])).toEqual([
      [id, 'in-force'],
      [check?.restore?.plan?.id, 'in-force'],
    ]);
  });
});

describe.skipIf(!loopback.every((tool) => tool.available))('integ/case/e2e (running relay, loopback only)', () => {
  test('the follow-up reads the running tor: in force, then stale after a hand edit, then broken after a reload', async () => {
    relay = await startRelay((root) => relayTorrc(root, POLICY));
    const running = relay;
    const stateDir = await tempDir();
    const ledger = { stateDir };
    const paths = { torrc: running.torrc, defaultsTorrc: running.defaults, cwd: running.root };

    const config = await loadConfig(paths);
    const opened = await openCase(PORTSCAN_EML, { ...ledger, relay: { config } });
    // The test relay is 127.0.0.1, so the complaint's 192.0.2.10 is not ours: said loudly.
    expect(opened.ownership?.sources[0]).toMatchObject({ verdict: 'not-ours' });
    const id = opened.id;
    const planDir = casePlanDir(id, id, ledger);
    await createPlan(requestFromArgv(opened.suggestion.argv as string[]), { ...paths, now: new Date(), caseId: id, out: planDir });
    await recordPlan(id, id, ledger);
    const applied = await applyPlan(planDir, { reload: 'control', settleMs: 500, confirmTimeoutMs: 30_000 });
    expect(applied.confirmation.status).toBe('confirmed');
    const recorded = await recordApply(id, id, ledger);
    expect(recorded.record.dates.effective).toBe(applied.effectiveAt);

    const passed = await followUp(id, ledger);
    expect(passed.status).toBe('in-force');
    expect(passed.plans[0]).toMatchObject({ files: { status: 'in-force' }, running: { status: 'in-force' } });
    expect(passed.configs[0]?.running).toBe(`ControlSocket ${running.controlSocket}`);
    expect(passed.destinations[0]).toMatchObject({ files: 'rejected', running: 'rejected' });

    // Edited behind exitkit's back, not reloaded: tor still enforces the block, the files do not.
    await writeFile(running.torrc, withoutBlock(await readFile(running.torrc, 'utf8')));
    const stale = await followUp(id, { ...ledger, restorePlanner: false });
    expect(stale.status).toBe('broken');
    expect(stale.plans[0]).toMatchObject({ files: { status: 'broken' }, running: { status: 'in-force' } });

    // After a reload tor drops the block too.
    const control = await connectAndAuthenticate({ kind: 'unix', path: running.controlSocket }, { cookieFile: running.cookieFile });
    try {
      await control.signal('RELOAD');
    } finally {
      control.close();
    }
    const deadline = Date.now() + 30_000;
    while ((await exitPolicy(running)).some((line) => line.includes('198.51.100.23')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const broken = await followUp(id, { ...ledger, restorePlanner: false });
    expect(broken.plans[0]).toMatchObject({ files: { status: 'broken' }, running: { status: 'broken' } });
    expect(broken.plans[0]?.running.shortfall).toEqual([{ family: 4, cidrs: ['198.51.100.23/32'], ports: [[22, 22], [80, 80], [443, 443]], before: 'accept', after: 'reject' }]);
    expect(broken.destinations[0]).toMatchObject({ files: 'accepted', running: 'accepted' });
    expect(running.process.exitCode).toBeNull();
  });
});
