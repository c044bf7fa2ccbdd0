import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { backupPathFor, compactUtc, createBackupFolder, readBackup, writeBackup } from '../../src/apply/backup.js';
import { sha } from './helpers/plan.js';
import { tempDir } from './helpers/temp.js';

const time = new Date('2025-01-02T03:04:05.678Z');

describe('apply/backup', () => {
  describe('#compactUtc', () => {
    test('writes the UTC time without separators that are awkward in file names', () => {
      expect(compactUtc(time)).toBe('20250102T030405.678Z');
    });
  });

  describe('#createBackupFolder', () => {
    test('creates DIR/backups/<UTC time>, and a new name when that one exists', async () => {
      const dir = await tempDir();
      const first = await createBackupFolder(dir, time);
      const second = await createBackupFolder(dir, time);
      const third = await createBackupFolder(dir, time);
      expect([first, second, third]).toEqual([
        path.join(dir, 'backups', '20250102T030405.678Z'),
        path.join(dir, 'backups', '20250102T030405.678Z-2'),
        path.join(dir, 'backups', '20250102T030405.678Z-3'),
      ]);
      expect((await stat(first)).mode & 0o777).toBe(0o700);
    });
  });

  describe('#backupPathFor', () => {
    test.each([
      ['/etc/tor/torrc', 'etc/tor/torrc'],
      ['/etc/tor/torrc.d/50-exit.conf', 'etc/tor/torrc.d/50-exit.conf'],
    ])('keeps the absolute path %s below the backup folder', (live, below) => {
      expect(backupPathFor('/plans/p1/backups/T', live)).toBe(path.join('/plans/p1/backups/T', below));
    });
  });

  describe('#writeBackup', () => {
    test('writes the bytes, readable only by the owner', async () => {
      const folder = await createBackupFolder(await tempDir(), time);
      const backup = await writeBackup(folder, '/etc/tor/torrc', Buffer.from('ExitRelay 1\n'));
      expect(backup).toBe(path.join(folder, 'etc/tor/torrc'));
      expect(await readFile(backup, 'utf8')).toBe('ExitRelay 1\n');
      expect((await stat(backup)).mode & 0o777).toBe(0o600);
    });

    test('never overwrites an earlier backup', async () => {
      const folder = await createBackupFolder(await tempDir(), time);
      await writeBackup(folder, '/etc/tor/torrc', Buffer.from('first\n'));
      await expect(writeBackup(folder, '/etc/tor/torrc', Buffer.from('second\n'))).rejects.toMatchObject({
        code: 'APPLY_BACKUP_FAILED',
      });
      expect(await readFile(path.join(folder, 'etc/tor/torrc'), 'utf8')).toBe('first\n');
      expect(await readdir(path.join(folder, 'etc/tor'))).toEqual(['torrc']);
    });
  });

  describe('#readBackup', () => {
    test('returns the bytes when they still have the recorded hash', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'b');
      await writeFile(file, 'content\n');
      expect((await readBackup(file, sha('content\n'))).toString()).toBe('content\n');
    });

    test.each([
      ['modified', async (file: string) => writeFile(file, 'changed\n')],
      ['missing', async () => undefined],
    ])('refuses a %s backup with REVERT_BACKUP_INVALID', async (name, prepare) => {
      const dir = await tempDir();
      const file = path.join(dir, 'b');
      if (name === 'modified') await prepare(file);
      await expect(readBackup(file, sha('content\n'))).rejects.toMatchObject({ code: 'REVERT_BACKUP_INVALID', input: file });
    });
  });
});
