import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { requireTool } from '../../helpers/require-tool.js';

const tor = requireTool('tor', 'the tor --verify-config tests');

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!tor.available)('tor/verify (real tor)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'exitkit-verify-integ-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: string): Promise<string> {
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    return target;
  }

  describe('#verifyTorConfig', () => {
    test.each([
      ['an exit policy', 'ExitRelay 1\nExitPolicy reject 5.6.0.0/16:*, accept *:*\n', true],
      ['ExitRelay 0 with a malformed policy', 'ExitRelay 0\nExitPolicy bogus\n', true],
      ['port 0', 'ExitPolicy reject 1.2.3.4:0\n', false],
      ['an unknown option', 'Bogus 1\n', false],
      ['a bad boolean', 'IPv6Exit true\n', false],
    ])('%s: valid = %s', async (name, content, valid) => {
      const result = await verifyTorConfig({ torrc: await file(`${name}.torrc`, content) });
      expect(result.valid, result.messages.join('\n')).toBe(valid);
      expect(result.exitCode).toBe(valid ? 0 : 1);
      if (!valid) expect(result.messages.some((m) => m.startsWith('[warn] Failed to parse/validate config'))).toBe(true);
    });

    test('tor aborting (IPv6Exit 1 + ExitPolicyRejectPrivate 0, no ExitPolicy) is invalid with SIGABRT', async () => {
      const result = await verifyTorConfig({ torrc: await file('crash.torrc', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\n') });
      expect(result).toMatchObject({ valid: false, signal: 'SIGABRT', exitCode: undefined });
      expect(result.messages.join('\n')).toMatch(/Assertion policy failed/);
    });

    test('the defaults file is read: a list line there combines with the torrc', async () => {
      const defaults = await file('layer/defaults', 'ExitPolicy reject 1.1.1.1:*\nBogusInDefaults 1\n');
      const result = await verifyTorConfig({ torrc: await file('layer/torrc', 'ExitRelay 1\n'), defaultsTorrc: defaults });
      expect(result.valid).toBe(false);
      expect(result.messages.join('\n')).toContain('BogusInDefaults');
    });

    test('relative %include paths resolve against the working directory given', async () => {
      await file('cwd/inc/policy.conf', 'ExitPolicy reject 1.2.3.4:0\n');
      const top = await file('cwd/torrc', '%include inc/policy.conf\n');
      const inFolder = await verifyTorConfig({ torrc: top, cwd: path.join(dir, 'cwd') });
      const elsewhere = await verifyTorConfig({ torrc: top, cwd: dir });
      expect(inFolder.valid).toBe(false);
      expect(inFolder.messages.join('\n')).toMatch(/ExitPolicy/);
      expect(elsewhere.messages.join('\n')).toMatch(/included configuration file or directory/);
    });

    test('never creates the DataDirectory it passes', async () => {
      const result = await verifyTorConfig({ torrc: await file('plain.torrc', 'ExitRelay 1\n') });
      const dataDirectory = result.argv[result.argv.indexOf('--DataDirectory') + 1]!;
      await expect(stat(dataDirectory)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test.skipIf(!userExists('debian-tor'))(
      'the live DataDirectory is not consulted by default; an existing one is checked against User',
      async () => {
        const torrc = await file('user.torrc', 'User debian-tor\nExitRelay 0\n');
        const byDefault = await verifyTorConfig({ torrc });
        const existing = path.join(dir, 'root-owned-data');
        await mkdir(existing, { mode: 0o700 });
        const withExisting = await verifyTorConfig({ torrc, dataDirectory: existing });
        expect(byDefault.valid, byDefault.messages.join('\n')).toBe(true);
        expect(withExisting.valid).toBe(false);
        expect(withExisting.messages.join('\n')).toMatch(/Couldn't access private data directory/);
      },
    );
  });
});
