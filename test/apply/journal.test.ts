import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  findBackup,
  interruptedRun,
  Journal,
  journalPath,
  lastDone,
  readAppliedEffect,
  readEffectiveTime,
  readJournal,
  type JournalEntry,
} from '../../src/apply/journal.js';
import { tempDir } from './helpers/temp.js';

const clock = () => new Date('2025-01-02T03:04:05.000Z');
const at = '2025-01-02T03:04:05.000Z';

describe('apply/journal', () => {
  describe('#readJournal', () => {
    test('reads nothing from a folder without a journal', async () => {
      expect(await readJournal(await tempDir())).toEqual([]);
    });

    test('ignores a last line cut short by a crash', async () => {
      const dir = await tempDir();
      await writeFile(journalPath(dir), `${JSON.stringify({ run: 'r1', at, event: 'verified' })}\n{"run":"r1","at":"2025`);
      expect(await readJournal(dir)).toEqual([{ run: 'r1', at, event: 'verified' }]);
    });

    test.each([
      ['not JSON', 'garbage'],
      ['JSON without event', '{"run":"r1"}'],
      ['JSON without run', '{"event":"verified"}'],
    ])('refuses a damaged line before the last one (%s), naming its line', async (_name, line) => {
      const dir = await tempDir();
      await writeFile(journalPath(dir), `${JSON.stringify({ run: 'r0', at, event: 'verified' })}\n${line}\n${JSON.stringify({ run: 'r1', at, event: 'verified' })}\n`);
      await expect(readJournal(dir)).rejects.toMatchObject({
        code: 'APPLY_JOURNAL_CORRUPT',
        location: { file: journalPath(dir), line: 2 },
      });
    });
  });

  describe('Journal#append', () => {
    test('appends entries stamped with the run and the time, readable by the next run', async () => {
      const dir = await tempDir();
      const first = await Journal.open(dir, 'r1', clock);
      expect(first.history).toEqual([]);
      await first.append({ event: 'verified' });
      await first.append({ event: 'reloaded', method: 'hup', restarted: false });
      const second = await Journal.open(dir, 'r2', clock);
      expect(second.history).toEqual([
        { run: 'r1', at, event: 'verified' },
        { run: 'r1', at, event: 'reloaded', method: 'hup', restarted: false },
      ]);
    });

    test('drops a line cut short by a crash before appending', async () => {
      const dir = await tempDir();
      const kept = JSON.stringify({ run: 'r0', at, event: 'verified' });
      await writeFile(journalPath(dir), `${kept}\n{"run":"r0","at":"x","event":"verif`);
      await (await Journal.open(dir, 'r1', clock)).append({ event: 'verified' });
      expect(await readFile(journalPath(dir), 'utf8')).toBe(`${kept}\n${JSON.stringify({ run: 'r1', at, event: 'verified' })}\n`);
      expect(await readJournal(dir)).toHaveLength(2);
    });
  });

  const entries: JournalEntry[] = [
    { run: 'r1', at, event: 'start', operation: 'apply', pid: 1, reload: 'none', restart: false },
    { run: 'r1', at, event: 'backup', path: '/etc/tor/torrc', target: '/etc/tor/torrc', backup: '/p/b1/etc/tor/torrc', sha256: 'aa' },
    { run: 'r1', at, event: 'backup', path: '/etc/tor/new.conf', target: '/etc/tor/new.conf', backup: null, sha256: null },
    { run: 'r1', at, event: 'done', operation: 'apply', outcome: 'completed', effectiveAt: '2025-01-02T03:04:06.000Z' },
    { run: 'r2', at, event: 'start', operation: 'revert', pid: 2, reload: 'none', restart: false },
    { run: 'r2', at, event: 'backup', path: '/etc/tor/torrc', target: '/etc/tor/torrc', backup: '/p/b2/etc/tor/torrc', sha256: 'bb' },
  ];

  describe('#findBackup', () => {
    test.each([
      ['/etc/tor/torrc', 'aa', '/p/b1/etc/tor/torrc'],
      ['/etc/tor/torrc', 'bb', '/p/b2/etc/tor/torrc'],
      ['/etc/tor/torrc', 'cc', undefined],
      ['/etc/tor/other', 'aa', undefined],
    ])('finds the backup of %s with hash %s', (file, hash, expected) => {
      expect(findBackup(entries, file, hash)?.backup).toBe(expected);
    });

    test('finds the record that a file did not exist', () => {
      expect(findBackup(entries, '/etc/tor/new.conf', null)).toMatchObject({ backup: null, sha256: null });
    });
  });

  describe('#interruptedRun', () => {
    test.each([
      [entries, 'revert', 'r2'],
      [entries, 'apply', undefined],
      [entries.slice(0, 3), 'apply', 'r1'],
      [entries.slice(0, 4), 'apply', undefined],
      [[...entries, { run: 'r2', at, event: 'refused', code: 'X', message: 'm' } as JournalEntry], 'revert', undefined],
      [[], 'apply', undefined],
    ] as const)('finds the last unfinished run of an operation (case %#)', (history, operation, expected) => {
      expect(interruptedRun(history, operation)).toBe(expected);
    });
  });

  describe('#lastDone', () => {
    test('returns the last finished run', () => {
      expect(lastDone(entries)).toMatchObject({ run: 'r1', outcome: 'completed' });
      expect(lastDone([])).toBeUndefined();
    });
  });

  describe('#readEffectiveTime', () => {
    test.each([
      [{ operation: 'apply', outcome: 'completed', effectiveAt: '2025-01-02T03:04:06.000Z' }, '2025-01-02T03:04:06.000Z'],
      [{ operation: 'apply', outcome: 'completed', effectiveAt: null }, undefined],
      [{ operation: 'apply', outcome: 'rolled-back', effectiveAt: null }, undefined],
      [{ operation: 'revert', outcome: 'completed', effectiveAt: '2025-01-02T03:04:06.000Z' }, undefined],
    ])('reads when the change took effect from the last finished run (%j)', async (done, expected) => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'journal.jsonl'), `${JSON.stringify({ run: 'r1', at, event: 'done', ...done })}\n`);
      expect(await readEffectiveTime(dir)).toBe(expected);
    });
  });

  describe('#readAppliedEffect', () => {
    const AT = '2025-01-02T03:04:06.000Z';
    test.each([
      [{ operation: 'apply', outcome: 'completed', effectiveAt: AT, openConnectionsClosed: true }, { at: AT, openConnectionsClosed: true }],
      [{ operation: 'apply', outcome: 'completed', effectiveAt: AT, openConnectionsClosed: false }, { at: AT, openConnectionsClosed: false }],
      // Journals written before the field existed: open connections were not closed.
      [{ operation: 'apply', outcome: 'completed', effectiveAt: AT }, { at: AT, openConnectionsClosed: false }],
      [{ operation: 'apply', outcome: 'completed', effectiveAt: null, openConnectionsClosed: false }, undefined],
      [{ operation: 'revert', outcome: 'completed', effectiveAt: AT, openConnectionsClosed: true }, undefined],
    ])('reads when the change took effect and whether open connections were closed (%j)', async (done, expected) => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'journal.jsonl'), `${JSON.stringify({ run: 'r1', at, event: 'done', ...done })}\n`);
      expect(await readAppliedEffect(dir)).toEqual(expected);
    });
  });
});
