// apply and revert against the real tor: a loopback-only relay whose policy changes after
// apply (reload through the control socket or SIGHUP), checked with GETINFO exit-policy/full,
// and a candidate tor rejects that never reaches the live file.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { applyPlan, revertPlan, type ApplyOptions } from '../../../src/apply/apply.js';
import { ApplyError } from '../../../src/apply/errors.js';
import { readEffectiveTime } from '../../../src/apply/journal.js';
import { writePlan } from '../../apply/helpers/plan.js';
import { requireTool } from '../../helpers/require-tool.js';
import { exitPolicy, relayTorrc, startRelay, stopRelay, type RunningRelay } from './running-relay.js';

const tools = ['tor', 'unshare', 'ip'].map((name) => requireTool(name, 'the apply tests against the real tor'));
const available = tools.every((tool) => tool.available);

const BEFORE_POLICY = 'ExitPolicy accept *:443\nExitPolicy reject *:*\n';
const AFTER_POLICY = '# exitkit: case-1\nExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:443\nExitPolicy reject *:*\n';
const PROBES = [
  { address: '203.0.113.7', port: 443, before: 'accept', after: 'reject' },
  { address: '198.51.100.1', port: 443, before: 'accept', after: 'accept' },
  { address: '198.51.100.1', port: 80, before: 'reject', after: 'reject' },
] as const;

let relay: RunningRelay | undefined;
afterEach(async () => {
  if (relay) await stopRelay(relay);
  relay = undefined;
});

/** Starts the relay and writes a plan (in ROOT/plan) that changes its policy to `afterPolicy`. */
async function relayWithPlan(afterPolicy: string) {
  relay = await startRelay((root) => relayTorrc(root, BEFORE_POLICY));
  const before = await readFile(relay.torrc, 'utf8');
  const after = before.replace(BEFORE_POLICY, afterPolicy);
  const planDir = path.join(relay.root, 'plan');
  await writePlan(planDir, {
    torrc: relay.torrc,
    defaultsTorrc: relay.defaults,
    cwd: relay.root,
    changes: [{ path: relay.torrc, before, after }],
    readOnly: [{ path: relay.defaults, content: '' }],
    probes: [...PROBES],
    blocked: ['203.0.113.0/24'],
  });
  return { relay, planDir, before, after };
}

const options = (reload: ApplyOptions['reload']): ApplyOptions => ({ reload, settleMs: 500, confirmTimeoutMs: 30_000 });

describe.skipIf(!available)('apply/apply (real tor, loopback only)', () => {
  test('--reload control: the running tor enforces the block, confirmed through GETINFO exit-policy/full', async () => {
    const { relay, planDir, after } = await relayWithPlan(AFTER_POLICY);
    const before = await exitPolicy(relay);
    expect(before).not.toContain('reject 203.0.113.0/24:*');

    const result = await applyPlan(planDir, options('control'));

    expect(await readFile(relay.torrc, 'utf8')).toBe(after);
    expect(result.reload).toMatchObject({ status: 'done', description: expect.stringContaining(relay.controlSocket) });
    expect(result.confirmation.status).toBe('confirmed');
    const policy = await exitPolicy(relay);
    expect(policy.indexOf('reject 203.0.113.0/24:*')).toBeGreaterThanOrEqual(0);
    expect(policy.indexOf('reject 203.0.113.0/24:*')).toBeLessThan(policy.indexOf('accept *:443'));
    expect(await readEffectiveTime(planDir)).toBe(result.effectiveAt);
    expect(result.notes.some((note) => note.includes('40676'))).toBe(true);
    expect(relay.process.exitCode).toBeNull();

    const reverted = await revertPlan(planDir, options('control'));
    expect(reverted.confirmation.status).toBe('confirmed');
    expect(await exitPolicy(relay)).toEqual(before);
  });

  test('--reload hup: SIGHUP to the pid in the PidFile puts the change in force', async () => {
    const { relay, planDir } = await relayWithPlan(AFTER_POLICY);
    const pid = Number((await readFile(relay.pidFile, 'utf8')).trim());
    expect(pid).toBe(relay.process.pid);

    const result = await applyPlan(planDir, options('hup'));

    expect(result.reload).toMatchObject({ status: 'done', description: expect.stringContaining(String(pid)) });
    expect(result.confirmation.status).toBe('confirmed');
    expect(await exitPolicy(relay)).toContain('reject 203.0.113.0/24:*');
    expect(relay.process.exitCode).toBeNull();
  });

  test('a candidate tor rejects never touches the live file, and the relay keeps its policy', async () => {
    const { relay, planDir, before } = await relayWithPlan('ExitPolicy reject 203.0.113.0/33:*\nExitPolicy accept *:443\nExitPolicy reject *:*\n');
    const policy = await exitPolicy(relay);
    const info = await stat(relay.torrc);

    const error = await applyPlan(planDir, options('control')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApplyError);
    expect(error).toMatchObject({ code: 'APPLY_TOR_REJECTED' });
    expect((error as ApplyError).torMessages.join('\n')).toMatch(/203\.0\.113\.0\/33|Malformed|mask/i);
    expect(await readFile(relay.torrc, 'utf8')).toBe(before);
    expect((await stat(relay.torrc)).mtimeMs).toBe(info.mtimeMs);
    expect((await readdir(path.dirname(relay.torrc))).sort()).toEqual(['.torrc.exitkit-lock', 'defaults-torrc', 'torrc']);
    expect(await exitPolicy(relay)).toEqual(policy);
    expect(relay.process.exitCode).toBeNull();
  });

  test('a relay that does not show the predicted verdicts is rolled back to its earlier policy', async () => {
    const { relay, planDir, before } = await relayWithPlan(AFTER_POLICY);
    const policy = await exitPolicy(relay);
    // A wrong prediction: the plan claims 198.51.100.1:443 becomes rejected, which the new
    // policy does not do, so the running relay can never confirm it.
    const doc = JSON.parse(await readFile(path.join(planDir, 'plan.json'), 'utf8'));
    doc.probes[1].after = 'reject';
    await writeFile(path.join(planDir, 'plan.json'), JSON.stringify(doc));

    const error = await applyPlan(planDir, { ...options('control'), confirmTimeoutMs: 3_000 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'APPLY_ROLLED_BACK' });
    const result = (error as ApplyError).result;
    expect(result?.confirmation.probes[1]).toMatchObject({ expected: 'reject', observed: 'accept' });
    expect(result?.rollback).toMatchObject({ complete: true, confirmation: { status: 'confirmed' } });
    expect(await readFile(relay.torrc, 'utf8')).toBe(before);
    expect(await exitPolicy(relay)).toEqual(policy);
    expect(await readEffectiveTime(planDir)).toBeUndefined();
    expect(relay.process.exitCode).toBeNull();
  });
});
