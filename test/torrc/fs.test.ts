import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { memoryFs, nodeFs, overlayFs, resolveFrom, torFileStatus, type TorrcFs } from '../../src/torrc/fs.js';

const statFs = (mode: number, size = 1): TorrcFs => ({
  stat: () => ({ ok: true, mode, size }),
  lexists: () => true,
  readdir: () => ({ ok: false, code: 'ENOTDIR' }),
  readFile: () => new Uint8Array(),
});

const dir = mkdtempSync(path.join(tmpdir(), 'exitkit-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('torrc/fs', () => {
  describe('#torFileStatus', () => {
    test.each([
      [0o100644, 10, 'file'],
      [0o100644, 0, 'empty'],
      [0o040755, 4096, 'dir'],
      // Tor tests the mode bits one by one: sockets and block devices have the directory bit.
      [0o140755, 0, 'dir'],
      [0o060660, 0, 'dir'],
      [0o010644, 0, 'fifo'],
      [0o020666, 0, 'error'],
    ])('classifies mode %o (size %i) as %s', (mode, size, expected) => {
      expect(torFileStatus(statFs(mode, size), '/x')).toBe(expected);
    });

    test('calls an empty path an error and a missing one missing', () => {
      expect(torFileStatus(memoryFs({}), '')).toBe('error');
      expect(torFileStatus(memoryFs({}), '/nope')).toBe('missing');
    });
  });

  describe('nodeFs', () => {
    test('reads files, lists folders, and sees dangling symlinks only with lexists', () => {
      writeFileSync(path.join(dir, 'a.conf'), 'Nickname a\n');
      mkdirSync(path.join(dir, 'sub'));
      symlinkSync('/nonexistent/target', path.join(dir, 'dangling'));
      expect(Buffer.from(nodeFs.readFile(path.join(dir, 'a.conf'))).toString()).toBe('Nickname a\n');
      expect(nodeFs.readdir(dir)).toMatchObject({ ok: true, names: expect.arrayContaining(['a.conf', 'sub', 'dangling']) });
      expect(torFileStatus(nodeFs, path.join(dir, 'dangling'))).toBe('missing');
      expect(nodeFs.lexists(path.join(dir, 'dangling'))).toBe(true);
      expect(torFileStatus(nodeFs, path.join(dir, 'sub'))).toBe('dir');
    });

    test('refuses to read a FIFO instead of waiting for a writer', () => {
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      expect(torFileStatus(nodeFs, fifo)).toBe('fifo');
      expect(() => nodeFs.readFile(fifo)).toThrow();
    });
  });

  describe('#memoryFs', () => {
    test('implies folders from file paths', () => {
      const fs = memoryFs({ '/etc/tor/torrc': 'x\n', '/etc/tor/torrc.d/a.conf': 'y\n', '/empty': null });
      expect(fs.readdir('/etc/tor')).toEqual({ ok: true, names: ['torrc', 'torrc.d'] });
      expect(torFileStatus(fs, '/empty')).toBe('dir');
      expect(torFileStatus(fs, '/etc/tor/torrc')).toBe('file');
    });
  });

  describe('#overlayFs', () => {
    test('replaces and adds files, including in folder listings', () => {
      const base = memoryFs({ '/etc/tor/torrc.d/a.conf': 'old\n' });
      const fs = overlayFs(base, new Map([['/etc/tor/torrc.d/a.conf', 'new\n'], ['/etc/tor/torrc.d/b.conf', '']]));
      expect(Buffer.from(fs.readFile('/etc/tor/torrc.d/a.conf')).toString()).toBe('new\n');
      expect(fs.readdir('/etc/tor/torrc.d')).toEqual({ ok: true, names: ['a.conf', 'b.conf'] });
      expect(torFileStatus(fs, '/etc/tor/torrc.d/b.conf')).toBe('empty');
    });
  });

  describe('#resolveFrom', () => {
    test.each([
      ['/etc/tor', 'a.conf', '/etc/tor/a.conf'],
      ['/etc/tor/', 'a.conf', '/etc/tor/a.conf'],
      ['/etc/tor', '/abs', '/abs'],
      ['/', 'x', '/x'],
    ])('resolves %s + %s', (cwd, p, expected) => {
      expect(resolveFrom(cwd, p)).toBe(expected);
    });
  });
});
