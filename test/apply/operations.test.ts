import { describe, expect, test } from 'vitest';
import type { JournalEntry } from '../../src/apply/journal.js';
import { APPLY_OPERATION, REVERT_OPERATION } from '../../src/apply/operations.js';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PlanDocument } from '../../src/types.js';
import { sha } from './helpers/plan.js';
import { tempDir } from './helpers/temp.js';

const at = '2025-01-02T03:04:05.000Z';

function plan(changes: PlanDocument['changes']): PlanDocument {
  return {
    format: 'exitkit-plan/1',
    id: 'p1',
    createdAt: at,
    torrc: '/etc/tor/torrc',
    defaultsTorrc: null,
    cwd: '/',
    readFiles: [],
    changes,
    needsRestart: false,
    probes: [],
    semanticChange: { changes: [] },
    remedy: { kind: 'block' },
    summary: '',
  };
}

const changes: PlanDocument['changes'] = [
  { path: '/etc/tor/torrc', beforeSha256: sha('old\n'), afterSha256: sha('new\n'), after: 'new\n' },
  { path: '/etc/tor/torrc.d/50.conf', beforeSha256: null, afterSha256: sha('x\n'), after: 'x\n' },
];
const start: JournalEntry = { run: 'r1', at, event: 'start', operation: 'apply', pid: 1, reload: 'none', restart: false };

describe('apply/operations', () => {
  describe('APPLY_OPERATION#steps', () => {
    test('moves every file from its planned-before hash to the planned content', async () => {
      expect(await APPLY_OPERATION.steps(plan(changes), [])).toEqual([
        { path: '/etc/tor/torrc', fromSha: sha('old\n'), toSha: sha('new\n'), toBytes: Buffer.from('new\n') },
        { path: '/etc/tor/torrc.d/50.conf', fromSha: null, toSha: sha('x\n'), toBytes: Buffer.from('x\n') },
      ]);
      expect(APPLY_OPERATION).toMatchObject({ operation: 'apply', expect: 'after', checkReadFiles: true });
    });
  });

  describe('REVERT_OPERATION#steps', () => {
    test('moves every file back to the bytes its apply backed up, removing files the apply created', async () => {
      const dir = await tempDir();
      const backup = path.join(dir, 'backups/T/etc/tor/torrc');
      await mkdir(path.dirname(backup), { recursive: true });
      await writeFile(backup, 'old\n');
      const history: JournalEntry[] = [
        start,
        { run: 'r1', at, event: 'backup', path: '/etc/tor/torrc', target: '/etc/tor/torrc', backup, sha256: sha('old\n') },
        { run: 'r1', at, event: 'backup', path: '/etc/tor/torrc.d/50.conf', target: '/etc/tor/torrc.d/50.conf', backup: null, sha256: null },
      ];
      expect(await REVERT_OPERATION.steps(plan(changes), history)).toEqual([
        { path: '/etc/tor/torrc', fromSha: sha('new\n'), toSha: sha('old\n'), toBytes: Buffer.from('old\n') },
        { path: '/etc/tor/torrc.d/50.conf', fromSha: sha('x\n'), toSha: null, toBytes: null },
      ]);
      expect(REVERT_OPERATION).toMatchObject({ operation: 'revert', expect: 'before', checkReadFiles: false });
    });

    test.each<[string, JournalEntry[], string]>([
      ['no apply was ever started', [], 'REVERT_NOT_APPLIED'],
      ['only a revert was started', [{ ...start, operation: 'revert' }], 'REVERT_NOT_APPLIED'],
      ['the journal has no backup of the torrc', [start], 'REVERT_BACKUP_INVALID'],
      [
        'the backup on record has another hash',
        [start, { run: 'r1', at, event: 'backup', path: '/etc/tor/torrc', target: '/etc/tor/torrc', backup: '/b', sha256: sha('other') }],
        'REVERT_BACKUP_INVALID',
      ],
      [
        'the backup file is gone',
        [start, { run: 'r1', at, event: 'backup', path: '/etc/tor/torrc', target: '/etc/tor/torrc', backup: '/nonexistent/b', sha256: sha('old\n') }],
        'REVERT_BACKUP_INVALID',
      ],
    ])('refuses when %s', async (_name, history, code) => {
      await expect(REVERT_OPERATION.steps(plan(changes), history)).rejects.toMatchObject({ code });
    });
  });
});
