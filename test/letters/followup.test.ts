import { describe, expect, test } from 'vitest';
import { followUpFromPlan } from '../../src/letters/followup.js';
import type { PlanDocument } from '../../src/types.js';
import { BLOCK_CHANGE } from './helpers.js';

const plan = (kind: string): PlanDocument => ({
  format: 'exitkit-plan/1',
  id: 'case-7',
  createdAt: '2025-11-20T13:00:00.000Z',
  torrc: '/etc/tor/torrc',
  defaultsTorrc: null,
  cwd: '/',
  readFiles: [],
  changes: [],
  needsRestart: false,
  probes: [],
  semanticChange: BLOCK_CHANGE,
  remedy: { kind, cidrs: ['203.0.113.0/24'] },
  summary: 'Blocks 203.0.113.0/24 on ports 80 and 443.',
});

describe('letters/followup', () => {
  describe('#followUpFromPlan', () => {
    test('takes the remedy and the semantic change from the plan and the time apply recorded', () => {
      expect(followUpFromPlan(plan('block'), '2025-11-20T14:03:05Z')).toEqual({
        remedy: 'block',
        change: BLOCK_CHANGE,
        appliedAt: '2025-11-20T14:03:05Z',
      });
    });

    test.each([undefined, null])('treats a plan not in force (%s) as a proposal', (effectiveAt) => {
      expect(followUpFromPlan(plan('middle'), effectiveAt).appliedAt).toBeNull();
    });

    test('carries the week-later check of a change in force', () => {
      const verification = { verifiedAt: '2025-11-27T15:00:00Z', runningTor: true, destinations: ['203.0.113.7:443'] };
      expect(followUpFromPlan(plan('block'), '2025-11-20T14:03:05Z', verification)).toEqual({
        remedy: 'block',
        change: BLOCK_CHANGE,
        appliedAt: '2025-11-20T14:03:05Z',
        verification,
      });
    });

    test('says tor closed the open connections only for a change in force', () => {
      const closed = { openConnectionsClosed: true };
      expect(followUpFromPlan(plan('block'), '2025-11-20T14:03:05Z', undefined, closed).openConnectionsClosed).toBe(true);
      expect(followUpFromPlan(plan('block'), '2025-11-20T14:03:05Z', undefined, { openConnectionsClosed: false }).openConnectionsClosed).toBeUndefined();
      expect(followUpFromPlan(plan('block'), null, undefined, closed).openConnectionsClosed).toBeUndefined();
    });

    test.each([undefined, null])('refuses a check of a plan not in force (%s)', (effectiveAt) => {
      const verification = { verifiedAt: '2025-11-27T15:00:00Z', runningTor: false, destinations: [] };
      expect(() => followUpFromPlan(plan('block'), effectiveAt, verification)).toThrow(
        expect.objectContaining({ code: 'LETTER_BAD_VALUE', field: 'followup.verification' }),
      );
    });

    test.each(['unblock', '', 'Block'])('refuses a remedy no letter describes: %j', (kind) => {
      expect(() => followUpFromPlan(plan(kind), null)).toThrow(expect.objectContaining({ code: 'LETTER_BAD_VALUE', field: 'followup.remedy' }));
    });
  });
});
