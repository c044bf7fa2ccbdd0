import { chown, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { commitTemp, removeFileDurably, removeStaleTemps, tempPathFor, writeTempBeside } from '../../src/apply/atomic.js';
import { tempDir } from './helpers/temp.js';

// 65534 is "nobody" on Debian; the tests run as root, as exitkit does on a relay.
const NOBODY = 65534;

describe('apply/atomic', () => {
  describe('#tempPathFor', () => {
    test.each([
      ['/etc/tor/torrc', 'r1-new', '/etc/tor/.torrc.exitkit-r1-new.tmp'],
      ['/etc/tor/torrc.d/50-exit.conf', 'r2-verify', '/etc/tor/torrc.d/.50-exit.conf.exitkit-r2-verify.tmp'],
    ])('names the temp file of %s a dotfile in the same directory', (target, tag, expected) => {
      expect(tempPathFor(target, tag)).toBe(expected);
      expect(path.basename(tempPathFor(target, tag)).startsWith('.')).toBe(true);
    });
  });

  describe('#writeTempBeside', () => {
    test('writes the content with the given mode and owner, as a dotfile beside the target', async () => {
      const dir = await tempDir();
      const target = path.join(dir, 'torrc');
      const temp = await writeTempBeside(target, 'ExitPolicy reject 1.2.3.0/24:*\n', { mode: 0o640, uid: NOBODY, gid: NOBODY }, 'run1-new');
      expect(temp).toBe(path.join(dir, '.torrc.exitkit-run1-new.tmp'));
      expect(await readFile(temp, 'utf8')).toBe('ExitPolicy reject 1.2.3.0/24:*\n');
      const info = await stat(temp);
      expect(info.mode & 0o7777).toBe(0o640);
      expect([info.uid, info.gid]).toEqual([NOBODY, NOBODY]);
    });

    test('keeps setgid bits, which chown would clear if it came after chmod', async () => {
      const dir = await tempDir();
      const temp = await writeTempBeside(path.join(dir, 'torrc'), 'x', { mode: 0o2640, uid: NOBODY, gid: NOBODY }, 'r');
      expect((await stat(temp)).mode & 0o7777).toBe(0o2640);
    });

    test('refuses to reuse an existing temp file and leaves it alone', async () => {
      const dir = await tempDir();
      const target = path.join(dir, 'torrc');
      await writeFile(tempPathFor(target, 'r'), 'earlier');
      await expect(writeTempBeside(target, 'new', { mode: 0o644, uid: 0, gid: 0 }, 'r')).rejects.toMatchObject({
        code: 'APPLY_WRITE_FAILED',
      });
    });
  });

  describe('#commitTemp', () => {
    test('replaces the target by the temp file, which disappears', async () => {
      const dir = await tempDir();
      const target = path.join(dir, 'torrc');
      await writeFile(target, 'old\n');
      await chown(target, NOBODY, NOBODY);
      await chmod(target, 0o600);
      const temp = await writeTempBeside(target, 'new\n', { mode: 0o600, uid: NOBODY, gid: NOBODY }, 'r');
      await commitTemp(temp, target);
      expect(await readFile(target, 'utf8')).toBe('new\n');
      expect(await readdir(dir)).toEqual(['torrc']);
      const info = await stat(target);
      expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o600, NOBODY, NOBODY]);
    });

    test('refuses when the temp file is gone, leaving the target as it was', async () => {
      const dir = await tempDir();
      const target = path.join(dir, 'torrc');
      await writeFile(target, 'old\n');
      await expect(commitTemp(path.join(dir, '.missing.tmp'), target)).rejects.toMatchObject({ code: 'APPLY_WRITE_FAILED' });
      expect(await readFile(target, 'utf8')).toBe('old\n');
    });
  });

  describe('#removeFileDurably', () => {
    test('removes a file, and accepts one that is already gone', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'x.conf');
      await writeFile(file, 'x');
      await removeFileDurably(file);
      await removeFileDurably(file);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe('#removeStaleTemps', () => {
    test('removes only the leftover temp files of that target', async () => {
      const dir = await tempDir();
      const names = [
        'torrc',
        '.torrc.exitkit-a-new.tmp',
        '.torrc.exitkit-b-verify.tmp',
        '.torrc.exitkit-lock',
        '.other.exitkit-a-new.tmp',
        'torrc.exitkit-a-new.tmp',
        '.torrc.swp',
      ];
      for (const name of names) await writeFile(path.join(dir, name), '');
      const removed = await removeStaleTemps(path.join(dir, 'torrc'));
      expect(removed.map((p) => path.basename(p)).sort()).toEqual(['.torrc.exitkit-a-new.tmp', '.torrc.exitkit-b-verify.tmp']);
      expect((await readdir(dir)).sort()).toEqual(
        ['torrc', '.torrc.exitkit-lock', '.other.exitkit-a-new.tmp', 'torrc.exitkit-a-new.tmp', '.torrc.swp'].sort(),
      );
    });
  });
});
