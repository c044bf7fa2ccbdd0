import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isCode, liveSha256, readLiveFile, sha256Hex } from '../../src/apply/files.js';
import { sha } from './helpers/plan.js';
import { tempDir } from './helpers/temp.js';

describe('apply/files', () => {
  describe('#sha256Hex', () => {
    test.each([
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ])('hashes %j to the published SHA-256 test vector', (text, expected) => {
      expect(sha256Hex(text)).toBe(expected);
      expect(sha256Hex(Buffer.from(text))).toBe(expected);
    });
  });

  describe('#readLiveFile', () => {
    test('reads a regular file with its hash, mode and owner', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'torrc');
      await writeFile(file, 'ExitRelay 1\n');
      await chmod(file, 0o640);
      const live = await readLiveFile(file);
      expect(live).toMatchObject({ exists: true, path: file, target: file, sha256: sha('ExitRelay 1\n'), mode: 0o640 });
      expect(liveSha256(live)).toBe(sha('ExitRelay 1\n'));
    });

    test('follows a chain of symlinks to the regular file behind them', async () => {
      const dir = await tempDir();
      await mkdir(path.join(dir, 'real'));
      const target = path.join(dir, 'real', 'torrc');
      await writeFile(target, 'x\n');
      await symlink(target, path.join(dir, 'link1'));
      await symlink('link1', path.join(dir, 'torrc'));
      const live = await readLiveFile(path.join(dir, 'torrc'));
      expect(live).toMatchObject({ exists: true, path: path.join(dir, 'torrc'), target });
    });

    test('reports a missing file as absent, resolving its directory', async () => {
      const dir = await tempDir();
      await mkdir(path.join(dir, 'real'));
      await symlink(path.join(dir, 'real'), path.join(dir, 'alias'));
      const live = await readLiveFile(path.join(dir, 'alias', 'new.conf'));
      expect(live).toEqual({ exists: false, path: path.join(dir, 'alias', 'new.conf'), target: path.join(dir, 'real', 'new.conf') });
      expect(liveSha256(live)).toBeNull();
    });

    test.each([
      ['a directory', async (p: string) => mkdir(p)],
      ['a dangling symlink', async (p: string) => symlink('/nonexistent/exitkit-target', p)],
      ['a symlink loop', async (p: string) => symlink(p, p)],
      ['a symlink to a directory', async (p: string) => symlink('/', p)],
    ])('refuses %s', async (_name, make) => {
      const dir = await tempDir();
      const file = path.join(dir, 'torrc');
      await make(file);
      await expect(readLiveFile(file)).rejects.toMatchObject({ code: 'APPLY_FILE_NOT_REGULAR', input: file });
    });

    test('refuses a new file whose directory does not exist', async () => {
      const dir = await tempDir();
      await expect(readLiveFile(path.join(dir, 'missing', 'x.conf'))).rejects.toMatchObject({ code: 'APPLY_FILE_NOT_REGULAR' });
    });
  });

  describe('#isCode', () => {
    test.each([
      [{ code: 'ENOENT' }, 'ENOENT', true],
      [{ code: 'EEXIST' }, 'ENOENT', false],
      [new Error('x'), 'ENOENT', false],
      [null, 'ENOENT', false],
      ['ENOENT', 'ENOENT', false],
    ])('tells whether %j carries code %s', (error, code, expected) => {
      expect(isCode(error, code)).toBe(expected);
    });
  });
});
