import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CASE_FORMAT, type CaseRecord } from '../../src/case/record.js';
import { LOCK_FILE, readRecord, updateRecord, withCaseLock, writeFileAtomic, writeRecord } from '../../src/case/store.js';
import { tempDir } from './helpers/ledger.js';

function minimalRecord(id: string): CaseRecord {
  return {
    format: CASE_FORMAT,
    id,
    status: 'open',
    dates: { opened: '2025-11-20T09:00:00.000Z', applied: null, effective: null, followUpDue: null, followedUp: null, closed: null },
    complaint: { file: 'complaint.eml', originalName: 'x.eml', sha256: 'ab', size: 2, parsed: 'parsed.json', status: 'parsed', format: null, problem: null },
    complainant: { name: null, email: null, organisation: null },
    replyTo: null,
    reference: null,
    messageId: null,
    subject: null,
    mailDate: null,
    category: null,
    sources: [],
    destinations: [],
    destinationNote: null,
    eventTimes: null,
    suggestion: { kind: 'none', command: null, reasoning: 'r', letter: 'generic', alternatives: [], notes: [] },
    ownership: null,
    plans: [],
    letters: [],
    followUps: [],
    notes: [],
  };
}

describe('case/store', () => {
  describe('#writeFileAtomic', () => {
    test('writes the content, leaves no temp file, and is not world-readable', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'case.json');
      await writeFileAtomic(file, 'one');
      await writeFileAtomic(file, 'two');
      expect(await readFile(file, 'utf8')).toBe('two');
      expect(await readdir(dir)).toEqual(['case.json']);
      expect((await stat(file)).mode & 0o007).toBe(0);
    });

    test('never replaces an existing file when exclusive', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'letter.txt');
      await writeFileAtomic(file, 'first', true);
      await expect(writeFileAtomic(file, 'second', true)).rejects.toMatchObject({ code: 'CASE_WRITE_FAILED' });
      expect(await readFile(file, 'utf8')).toBe('first');
      expect(await readdir(dir)).toEqual(['letter.txt']);
    });
  });

  describe('#updateRecord', () => {
    test('loses no update when many run at once', async () => {
      const dir = path.join(await tempDir(), 'CASE-1');
      await mkdir(dir);
      await writeRecord(dir, minimalRecord('CASE-1'));
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          updateRecord(dir, (record) => ({ record: { ...record, notes: [...record.notes, { at: '2025-11-20T09:00:00.000Z', text: `note ${i}` }] }, value: undefined })),
        ),
      );
      const notes = (await readRecord(dir)).notes.map((n) => n.text).sort();
      expect(notes).toEqual(Array.from({ length: 25 }, (_, i) => `note ${i}`).sort());
      expect(await readdir(dir)).toEqual(['case.json']);
    });

    test('reports a missing case as CASE_NOT_FOUND', async () => {
      const dir = path.join(await tempDir(), 'CASE-404');
      await expect(readRecord(dir)).rejects.toMatchObject({ code: 'CASE_NOT_FOUND' });
      await expect(updateRecord(dir, (record) => ({ record, value: 1 }))).rejects.toMatchObject({ code: 'CASE_NOT_FOUND' });
    });
  });

  describe('#withCaseLock', () => {
    test('takes over a lock left by a process that is gone', async () => {
      const dir = await tempDir();
      const child = spawn(process.execPath, ['-e', '0']);
      const pid = child.pid as number;
      await new Promise((resolve) => child.once('exit', resolve));
      await writeFile(path.join(dir, LOCK_FILE), `${pid} deadbeef\n`);
      await expect(withCaseLock(dir, async () => 'ran', { lockTimeoutMs: 2_000 })).resolves.toBe('ran');
      expect(await readdir(dir)).toEqual([]);
    });

    test('waits for a live holder, then refuses with CASE_LOCKED', async () => {
      const dir = await tempDir();
      // This process is alive, so its lock is not stale.
      await writeFile(path.join(dir, LOCK_FILE), `${process.pid} cafe\n`);
      const started = Date.now();
      await expect(withCaseLock(dir, async () => 'ran', { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'CASE_LOCKED' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(await readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid} cafe\n`);
    });

    test('releases the lock when the work fails', async () => {
      const dir = await tempDir();
      await expect(withCaseLock(dir, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
