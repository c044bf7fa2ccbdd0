import { describe, expect, test } from 'vitest';
import { describeResult, type ApplyResult } from '../../src/apply/report.js';

type Draft = Omit<ApplyResult, 'lines'>;

const base: Draft = {
  operation: 'apply',
  outcome: 'completed',
  planId: 'case-7',
  planDir: '/root/plans/case-7',
  run: 'r1',
  files: [
    { path: '/etc/tor/torrc', target: '/srv/tor/torrc', action: 'written', sha256: 'ab'.repeat(32), backup: '/root/plans/case-7/backups/T/etc/tor/torrc' },
  ],
  reload: { method: 'control', restarted: false, status: 'done', description: 'SIGNAL RELOAD on ControlSocket /run/tor/control', at: '2025-01-02T03:04:05.000Z' },
  confirmation: {
    status: 'confirmed',
    probes: [{ address: '2001:db8::1', port: 443, expected: 'reject', observed: 'reject' }],
    policyLines: [],
  },
  effectiveAt: '2025-01-02T03:04:05.000Z',
  recovery: { interruptedRun: undefined, lockLeftBy: undefined, staleTempsRemoved: [] },
  notes: ['connections already open stay open'],
};

describe('apply/report', () => {
  describe('#describeResult', () => {
    test('names what was written, the backup, the reload, the confirmation and when the change took effect', () => {
      const text = describeResult(base).join('\n');
      for (const part of [
        'case-7',
        '/etc/tor/torrc',
        '/srv/tor/torrc',
        'ab'.repeat(32),
        '/root/plans/case-7/backups/T/etc/tor/torrc',
        'SIGNAL RELOAD on ControlSocket /run/tor/control',
        '[2001:db8::1]:443 reject',
        '2025-01-02T03:04:05.000Z',
        'connections already open stay open',
      ]) {
        expect(text).toContain(part);
      }
    });

    test('reports a rollback with what was restored and what could not be', () => {
      const text = describeResult({
        ...base,
        outcome: 'rollback-failed',
        effectiveAt: null,
        confirmation: { status: 'failed', reason: 'still accepts 203.0.113.7:443', probes: [], policyLines: [] },
        rollback: {
          reason: 'still accepts 203.0.113.7:443',
          restored: [{ path: '/etc/tor/torrc', sha256: 'cd'.repeat(32) }, { path: '/etc/tor/torrc.d/new.conf', sha256: null }],
          notRestored: [{ path: '/etc/tor/other.conf', problem: 'no backup' }],
          reload: { method: 'control', restarted: false, status: 'failed', description: 'x', at: null, problem: 'tor exited' },
          confirmation: undefined,
          complete: false,
        },
      }).join('\n');
      for (const part of ['ROLLBACK DID NOT COMPLETE', 'still accepts 203.0.113.7:443', 'cd'.repeat(32), '/etc/tor/torrc.d/new.conf', '/etc/tor/other.conf', 'tor exited']) {
        expect(text).toContain(part);
      }
      expect(text).not.toContain('In force since');
    });

    test('mentions an interrupted earlier run, its lock and its leftover temp files', () => {
      const text = describeResult({
        ...base,
        recovery: {
          interruptedRun: 'r0',
          lockLeftBy: { pid: 4242, host: 'relay', operation: 'apply', planDir: '/p', since: '2025-01-01T00:00:00.000Z' },
          staleTempsRemoved: ['/etc/tor/.torrc.exitkit-r0-new.tmp'],
        },
      }).join('\n');
      for (const part of ['r0', '4242', '/etc/tor/.torrc.exitkit-r0-new.tmp']) expect(text).toContain(part);
    });

    test.each<[Draft['outcome'], Draft['operation']]>([
      ['unchanged', 'apply'],
      ['unchanged', 'revert'],
      ['rolled-back', 'apply'],
      ['rollback-failed', 'revert'],
    ])('opens with a line for outcome %s of %s that names the plan', (outcome, operation) => {
      const [first] = describeResult({ ...base, outcome, operation });
      expect(first).toContain('case-7');
    });
  });
});
