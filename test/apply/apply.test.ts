// The public entry points with the real environment (torrc loader, control client, execa),
// the fake tor and systemctl from test/fixtures/bin put first on PATH.
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { applyPlan, revertPlan } from '../../src/apply/apply.js';
import { readEffectiveTime } from '../../src/apply/journal.js';
import { FIXTURE_BIN } from './helpers/environment.js';
import { AFTER, BEFORE, expectOnly, makeRelay, read } from './helpers/relay.js';

beforeAll(() => {
  process.env.PATH = `${FIXTURE_BIN}${path.delimiter}${process.env.PATH ?? ''}`;
});

describe('apply/apply', () => {
  describe('#applyPlan', () => {
    test('applies a plan with the real environment, tor and systemctl found on PATH', async () => {
      const relay = await makeRelay();
      const result = await applyPlan(relay.planDir, { reload: 'systemd', settleMs: 0, lockTimeoutMs: 0 });
      expect(result).toMatchObject({ outcome: 'completed', reload: { status: 'done', description: 'systemctl reload tor@default' } });
      expect(result.confirmation).toMatchObject({ status: 'not-checked' });
      expect(await read(relay.torrc)).toBe(AFTER);
      expect(await readEffectiveTime(relay.planDir)).toBe(result.effectiveAt);
      await expectOnly(relay.etc, ['torrc']);
    });

    test('refuses a candidate the (fake) tor rejects', async () => {
      const relay = await makeRelay({ after: `${AFTER}FakeTorReject Unknown option 'Exitpolicy'. Failing.\n` });
      await expect(applyPlan(relay.planDir, { reload: 'none', lockTimeoutMs: 0 })).rejects.toMatchObject({ code: 'APPLY_TOR_REJECTED' });
      expect(await read(relay.torrc)).toBe(BEFORE);
    });
  });

  describe('#revertPlan', () => {
    test('reverts an applied plan', async () => {
      const relay = await makeRelay();
      await applyPlan(relay.planDir, { reload: 'none', lockTimeoutMs: 0 });
      const result = await revertPlan(relay.planDir, { reload: 'none', lockTimeoutMs: 0 });
      expect(result).toMatchObject({ operation: 'revert', outcome: 'completed' });
      expect(await read(relay.torrc)).toBe(BEFORE);
    });

    test('refuses a plan that was never applied', async () => {
      const relay = await makeRelay();
      await expect(revertPlan(relay.planDir, { reload: 'none', lockTimeoutMs: 0 })).rejects.toMatchObject({ code: 'REVERT_NOT_APPLIED' });
    });
  });
});
