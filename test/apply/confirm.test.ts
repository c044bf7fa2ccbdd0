import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { confirmPolicy, formatDestination, openRelayControl, type ControlAccess } from '../../src/apply/confirm.js';
import type { ControlSession } from '../../src/apply/environment.js';
import type { PlanProbe } from '../../src/types.js';
import { FakeRelay, loadTestConfig, testEnvironment } from './helpers/environment.js';
import { tempDir } from './helpers/temp.js';

const probes: PlanProbe[] = [
  { address: '203.0.113.7', port: 443, before: 'accept', after: 'reject' },
  { address: '198.51.100.1', port: 443, before: 'accept', after: 'accept' },
];

/** A session answering `exit-policy/full` from a list of successive answers (the last repeats). */
function scriptedSession(answers: Array<string[] | Error>): ControlSession & { asked: string[] } {
  const asked: string[] = [];
  let index = 0;
  return {
    asked,
    description: 'scripted',
    async getInfo(key) {
      asked.push(key);
      if (key !== 'exit-policy/full') return '';
      const answer = answers[Math.min(index, answers.length - 1)] as string[] | Error;
      index += 1;
      if (answer instanceof Error) throw answer;
      return answer.join('\n');
    },
    async signal() {},
    async close() {},
  };
}

const env = testEnvironment();
const settings = (connect: () => Promise<ControlAccess>, timeoutMs = 1_000) => ({
  probes,
  expect: 'after' as const,
  connect,
  timeoutMs,
  intervalMs: 10,
});

describe('apply/confirm', () => {
  describe('#confirmPolicy', () => {
    test('confirms when every probe has its expected verdict, forcing a descriptor rebuild first', async () => {
      const session = scriptedSession([['reject 203.0.113.0/24:*', 'accept *:*']]);
      const result = await confirmPolicy(settings(async () => ({ session })), env);
      expect(result).toMatchObject({ status: 'confirmed', policyLines: ['reject 203.0.113.0/24:*', 'accept *:*'] });
      expect(result.probes.map((p) => p.observed)).toEqual(['reject', 'accept']);
      expect(session.asked[0]).toBe(`extra-info/digest/${'0'.repeat(40)}`);
    });

    test('keeps asking until tor reports the new policy', async () => {
      const session = scriptedSession([['accept *:*'], ['accept *:*'], ['reject 203.0.113.0/24:*', 'accept *:*']]);
      expect(await confirmPolicy(settings(async () => ({ session })), env)).toMatchObject({ status: 'confirmed' });
    });

    test('checks the before verdicts when asked to', async () => {
      const session = scriptedSession([['accept *:*']]);
      const result = await confirmPolicy({ ...settings(async () => ({ session })), expect: 'before' }, env);
      expect(result.status).toBe('confirmed');
      expect(result.probes.map((p) => p.expected)).toEqual(['accept', 'accept']);
    });

    test('fails after the timeout with the verdicts tor gave', async () => {
      const session = scriptedSession([['accept *:*']]);
      const result = await confirmPolicy(settings(async () => ({ session }), 100), env);
      expect(result.status).toBe('failed');
      expect(result.probes).toEqual([
        { address: '203.0.113.7', port: 443, expected: 'reject', observed: 'accept' },
        { address: '198.51.100.1', port: 443, expected: 'accept', observed: 'accept' },
      ]);
      expect(result.reason).toContain('203.0.113.7:443');
    });

    test('reconnects when the connection fails (tor restarting) and when none can be made yet', async () => {
      const broken = scriptedSession([new Error('closed')]);
      const good = scriptedSession([['reject 203.0.113.0/24:*', 'accept *:*']]);
      const accesses: ControlAccess[] = [{ session: broken }, { problem: 'ECONNREFUSED' }, { session: good }];
      let calls = 0;
      const result = await confirmPolicy(settings(async () => accesses[calls++] as ControlAccess), env);
      expect(result.status).toBe('confirmed');
      expect(calls).toBe(3);
    });

    test('fails, saying why, when tor can never be reached', async () => {
      const result = await confirmPolicy(settings(async () => ({ problem: 'ECONNREFUSED' }), 50), env);
      expect(result.status).toBe('failed');
      expect(result.reason).toContain('ECONNREFUSED');
      expect(result.probes.every((p) => p.observed === undefined)).toBe(true);
    });

    test('does not check anything for a plan without probes', async () => {
      const result = await confirmPolicy({ ...settings(async () => ({ problem: 'unused' })), probes: [] }, env);
      expect(result.status).toBe('not-checked');
    });
  });

  describe('#openRelayControl', () => {
    test('opens the control session of the tor that reads this torrc, even through a symlink', async () => {
      const dir = await tempDir();
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, 'ExitRelay 1\n');
      await symlink(torrc, path.join(dir, 'link'));
      const relay = new FakeRelay(torrc);
      const access = await openRelayControl(loadTestConfig(torrc, null).view, path.join(dir, 'link'), testEnvironment({ relay }));
      expect('session' in access).toBe(true);
    });

    test('refuses a control port that belongs to another tor', async () => {
      const dir = await tempDir();
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, 'ExitRelay 1\n');
      const relay = new FakeRelay(torrc);
      relay.configFile = '/etc/tor/instances/other/torrc';
      const access = await openRelayControl(loadTestConfig(torrc, null).view, torrc, testEnvironment({ relay }));
      expect(access).toEqual({ problem: expect.stringContaining('/etc/tor/instances/other/torrc') });
    });

    test('says why when no control port is reachable', async () => {
      const dir = await tempDir();
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, 'ExitRelay 1\n');
      const access = await openRelayControl(loadTestConfig(torrc, null).view, torrc, testEnvironment());
      expect(access).toEqual({ problem: expect.stringContaining('ECONNREFUSED') });
    });
  });

  describe('#formatDestination', () => {
    test.each([
      ['203.0.113.7', 443, '203.0.113.7:443'],
      ['2001:db8::1', 80, '[2001:db8::1]:80'],
    ])('writes %s port %i as %s', (address, port, expected) => {
      expect(formatDestination(address, port)).toBe(expected);
    });
  });
});
