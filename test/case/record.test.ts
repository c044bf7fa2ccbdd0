import { describe, expect, test } from 'vitest';
import {
  CASE_FORMAT,
  checkUtcTime,
  datesFromPlans,
  followUpDueAfter,
  formatCaseRecord,
  parseCaseRecord,
  type CasePlanLink,
  type CaseRecord,
} from '../../src/case/record.js';

function record(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return {
    format: CASE_FORMAT,
    id: 'CASE-1',
    status: 'open',
    dates: { opened: '2025-11-20T09:00:00.000Z', applied: null, effective: null, followUpDue: null, followedUp: null, closed: null },
    complaint: { file: 'complaint.eml', originalName: 'x.eml', sha256: 'ab', size: 2, parsed: 'parsed.json', status: 'parsed', format: 'x-arf', problem: null },
    complainant: { name: null, email: 'noc@victim.example', organisation: null },
    replyTo: null,
    reference: 'CASE-1',
    messageId: null,
    subject: null,
    mailDate: null,
    category: 'scan',
    sources: [],
    destinations: [],
    destinationNote: null,
    eventTimes: null,
    suggestion: { kind: 'none', command: null, reasoning: 'r', letter: 'portscan', alternatives: [], notes: [] },
    ownership: null,
    plans: [],
    letters: [],
    followUps: [],
    notes: [],
    ...overrides,
  };
}

function plan(id: string, applied: CasePlanLink['applied']): CasePlanLink {
  return { id, dir: `plans/${id}`, recordedAt: '2025-11-20T10:00:00.000Z', remedy: 'block', summary: 's', applied, restores: null };
}

const parse = (value: unknown, folder = 'CASE-1') => () => parseCaseRecord(JSON.stringify(value), '/state/cases/CASE-1/case.json', folder);

describe('case/record', () => {
  describe('#parseCaseRecord', () => {
    test('reads back what formatCaseRecord writes', () => {
      const value = record({ plans: [plan('p1', null)], letters: [{ file: 'letters/20251120T100000Z-portscan.isp.txt', kind: 'portscan', audience: 'isp', format: 'txt', recordedAt: '2025-11-20T10:00:00.000Z' }] });
      expect(parseCaseRecord(formatCaseRecord(value), 'case.json', 'CASE-1')).toEqual(value);
    });

    test.each<[string, unknown, string?]>([
      ['not JSON', '{'],
      ['another format', { ...record(), format: 'exitkit-case/2' }],
      ['an id that is not the folder', record({ id: 'CASE-2' })],
      ['a bad status', { ...record(), status: 'pending' }],
      ['a bad date', record({ dates: { ...record().dates, applied: 'yesterday' } })],
      ['a complaint file outside the case', record({ complaint: { ...record().complaint, file: '../../etc/shadow' } })],
      ['a plan link outside the case', record({ plans: [{ ...plan('p1', null), dir: '../../../etc' }] })],
      ['a plan link not matching its id', record({ plans: [{ ...plan('p1', null), dir: 'plans/p2' }] })],
      ['an absolute letter link', record({ letters: [{ file: '/etc/passwd', kind: 'x', audience: 'isp', format: 'txt', recordedAt: '2025-11-20T10:00:00.000Z' }] })],
      ['a letter link climbing out', record({ letters: [{ file: 'letters/../../x', kind: 'x', audience: 'isp', format: 'txt', recordedAt: '2025-11-20T10:00:00.000Z' }] })],
      ['a follow-up link in another folder', record({ followUps: [{ file: 'plans/x.json', at: '2025-11-20T10:00:00.000Z', status: 'in-force' }] })],
      ['plans that are not a list', { ...record(), plans: {} }],
    ])('refuses a record with %s', (_what, value) => {
      const run = typeof value === 'string' ? () => parseCaseRecord(value, 'case.json', 'CASE-1') : parse(value);
      expect(run).toThrow(expect.objectContaining({ code: 'CASE_RECORD_INVALID' }));
    });
  });

  describe('#datesFromPlans', () => {
    test('takes the latest applied plan; the follow-up is due a week after it took effect', () => {
      const value = record({
        plans: [
          plan('p1', { operation: 'apply', outcome: 'completed', at: '2025-11-20T10:00:00.000Z', effectiveAt: '2025-11-20T10:00:01.000Z' }),
          plan('p2', { operation: 'apply', outcome: 'completed', at: '2025-11-22T10:00:00.000Z', effectiveAt: '2025-11-22T10:00:02.000Z' }),
          plan('p3', null),
        ],
      });
      expect(datesFromPlans(value)).toEqual({ applied: '2025-11-22T10:00:00.000Z', effective: '2025-11-22T10:00:02.000Z', followUpDue: '2025-11-29T10:00:02.000Z' });
    });

    test('counts from the time the files were written when the effective time is unknown', () => {
      const value = record({ plans: [plan('p1', { operation: 'apply', outcome: 'completed', at: '2025-11-20T10:00:00.000Z', effectiveAt: null })] });
      expect(datesFromPlans(value).followUpDue).toBe('2025-11-27T10:00:00.000Z');
    });

    test.each([
      ['reverted', { operation: 'revert' as const, outcome: 'completed', at: '2025-11-20T10:00:00.000Z', effectiveAt: null }],
      ['rolled back', { operation: 'apply' as const, outcome: 'rolled-back', at: '2025-11-20T10:00:00.000Z', effectiveAt: null }],
    ])('promises nothing for a plan %s', (_what, applied) => {
      expect(datesFromPlans(record({ plans: [plan('p1', applied)] }))).toEqual({ applied: null, effective: null, followUpDue: null });
    });
  });

  describe('#followUpDueAfter', () => {
    test('is seven days later, to the millisecond', () => {
      expect(followUpDueAfter('2025-12-28T23:30:00.000Z')).toBe('2026-01-04T23:30:00.000Z');
    });
  });

  describe('#checkUtcTime', () => {
    test.each(['2025-11-20T14:03:05Z', '2025-11-20T14:03:05.123Z'])('accepts %s', (time) => {
      expect(checkUtcTime(time, 'time')).toBe(time);
    });
    test.each(['2025-11-20', '2025-11-20T14:03:05+01:00', '2025-13-40T14:03:05Z', 'now', ''])('refuses %j', (time) => {
      expect(() => checkUtcTime(time, 'time')).toThrow(expect.objectContaining({ code: 'CASE_BAD_TIME' }));
    });
  });
});
