import { spawn } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { acquireLock, lockPathFor } from '../../src/apply/lock.js';
import { tempDir } from './helpers/temp.js';

const owner = { operation: 'apply', planDir: '/plans/p1', since: '2025-01-02T03:04:05.000Z' };
const REGISTER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'ts-register.mjs');
const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'lock-holder.ts');

/** Starts a child process that takes the lock and prints "locked"; resolves with it once it holds the lock. */
async function holdInChild(lockPath: string) {
  const child = spawn(process.execPath, ['--import', REGISTER, HOLDER, lockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

describe('apply/lock', () => {
  describe('#lockPathFor', () => {
    test('puts the lock beside the torrc as a dotfile', () => {
      expect(lockPathFor('/etc/tor/torrc')).toBe('/etc/tor/.torrc.exitkit-lock');
      expect(lockPathFor('/etc/tor/instances/relay2/torrc')).toBe('/etc/tor/instances/relay2/.torrc.exitkit-lock');
    });
  });

  describe('#acquireLock', () => {
    test('records the holder in the lock file and clears it on release', async () => {
      const file = path.join(await tempDir(), '.torrc.exitkit-lock');
      const lock = await acquireLock(file, owner, { timeoutMs: 0 });
      expect(lock.interrupted).toBeUndefined();
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ ...owner, pid: process.pid });
      await lock.release();
      await lock.release();
      expect(await readFile(file, 'utf8')).toBe('');
    });

    test('refuses at once with APPLY_LOCK_BUSY while another holder has it (timeout 0)', async () => {
      const file = path.join(await tempDir(), '.lock');
      const first = await acquireLock(file, owner, { timeoutMs: 0 });
      try {
        await expect(acquireLock(file, { ...owner, planDir: '/plans/p2' }, { timeoutMs: 0 })).rejects.toMatchObject({
          code: 'APPLY_LOCK_BUSY',
          input: file,
        });
      } finally {
        await first.release();
      }
    });

    test('names the holder in the refusal', async () => {
      const file = path.join(await tempDir(), '.lock');
      const first = await acquireLock(file, owner, { timeoutMs: 0 });
      try {
        const error = await acquireLock(file, owner, { timeoutMs: 200 }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'APPLY_LOCK_BUSY' });
        expect(String((error as Error).message)).toContain(String(process.pid));
      } finally {
        await first.release();
      }
    });

    test('waits for the holder to release it, up to the timeout', async () => {
      const file = path.join(await tempDir(), '.lock');
      const first = await acquireLock(file, owner, { timeoutMs: 0 });
      setTimeout(() => void first.release(), 300);
      const started = Date.now();
      const second = await acquireLock(file, owner, { timeoutMs: 10_000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(second.interrupted).toBeUndefined();
      await second.release();
    });

    test('is exclusive across processes, and a holder killed with SIGKILL leaves it free and names itself', async () => {
      const file = path.join(await tempDir(), '.lock');
      const child = await holdInChild(file);
      try {
        await expect(acquireLock(file, owner, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'APPLY_LOCK_BUSY' });
      } finally {
        child.kill('SIGKILL');
      }
      await new Promise((resolve) => child.on('close', resolve));
      const lock = await acquireLock(file, owner, { timeoutMs: 5_000 });
      expect(lock.interrupted).toMatchObject({ pid: child.pid, operation: 'apply', planDir: '/plans/child' });
      await lock.release();
    });

    test('reports an unreadable owner record left by a crash as an unknown holder', async () => {
      const file = path.join(await tempDir(), '.lock');
      await writeFile(file, '{"pid": 12');
      const lock = await acquireLock(file, owner, { timeoutMs: 0 });
      expect(lock.interrupted).toMatchObject({ operation: 'unknown' });
      await lock.release();
    });

    test.each([
      ['the lock file is a symlink', async (file: string) => void (await symlink('/etc/passwd', file)), {}],
      ['the directory does not exist', async () => undefined, {}],
      ['flock(1) is missing', async () => undefined, { flockBinary: '/nonexistent/flock' }],
    ])('refuses with APPLY_LOCK_UNAVAILABLE when %s', async (name, prepare, extra) => {
      const dir = await tempDir();
      const file = name === 'the directory does not exist' ? path.join(dir, 'missing', '.lock') : path.join(dir, '.lock');
      await prepare(file);
      await expect(acquireLock(file, owner, { timeoutMs: 0, ...extra })).rejects.toMatchObject({ code: 'APPLY_LOCK_UNAVAILABLE' });
    });
  });
});
