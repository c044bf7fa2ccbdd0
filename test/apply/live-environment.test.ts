import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { liveEnvironment } from '../../src/apply/live-environment.js';
import { startControlServer, type FakeControlState } from './helpers/control-server.js';
import { FAKE_TOR } from './helpers/environment.js';
import { tempDir } from './helpers/temp.js';

const env = liveEnvironment({ torBinary: FAKE_TOR, controlTimeoutMs: 1_000 });

describe('apply/live-environment', () => {
  describe('#liveEnvironment', () => {
    test('verifies with tor, passing the defaults file and the working directory', async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'torrc'), 'ExitRelay 1\n');
      await writeFile(path.join(dir, 'bad'), 'FakeTorReject Unknown option FakeTorReject. Failing.\n');
      expect(await env.verifyConfig({ torrc: path.join(dir, 'torrc'), defaultsTorrc: null, cwd: dir })).toMatchObject({ valid: true });
      const rejected = await env.verifyConfig({ torrc: path.join(dir, 'bad'), defaultsTorrc: path.join(dir, 'torrc'), cwd: dir });
      expect(rejected).toMatchObject({ valid: false, exitCode: 1 });
      expect(rejected.messages.join('\n')).toContain('Unknown option FakeTorReject');
    });

    test('loads the configuration with every file it reads, and flattens either source with overrides', async () => {
      const dir = await tempDir();
      await mkdir(path.join(dir, 'torrc.d'));
      const torrc = path.join(dir, 'torrc');
      const defaults = path.join(dir, 'defaults');
      const include = path.join(dir, 'torrc.d', '50-exit.conf');
      await writeFile(torrc, `ExitRelay 1\n%include ${dir}/torrc.d\n`);
      await writeFile(defaults, 'PidFile /run/tor/tor.pid\n');
      await writeFile(include, 'ExitPolicy accept *:443\n');
      const config = await env.loadConfig({ torrc, defaultsTorrc: defaults, cwd: dir });
      expect([...config.files].sort()).toEqual([defaults, include, torrc].sort());
      expect(config.view.value('PidFile')?.value).toBe('/run/tor/tor.pid');
      const created = path.join(dir, 'torrc.d', '40-block.conf');
      const flat = config.flatten(new Map([[created, 'ExitPolicy reject 203.0.113.0/24:*\n']]), 'torrc');
      expect(flat.indexOf('reject 203.0.113.0/24:*')).toBeGreaterThan(0);
      expect(flat.indexOf('reject 203.0.113.0/24:*')).toBeLessThan(flat.indexOf('accept *:443'));
      expect(config.flatten(new Map(), 'defaults')).toContain('PidFile /run/tor/tor.pid');
    });

    test('connects to the ControlSocket with cookie authentication and reads GETINFO values', async () => {
      const dir = await tempDir();
      const cookie = path.join(dir, 'control_auth_cookie');
      await writeFile(cookie, randomBytes(32));
      const state: FakeControlState = { policy: ['reject 1.2.3.0/24:*', 'accept *:*'], configFile: '/etc/tor/torrc', cookieFile: cookie, received: [] };
      const socket = path.join(dir, 'control');
      const stop = await startControlServer(socket, state);
      try {
        const torrc = path.join(dir, 'torrc');
        await writeFile(torrc, `ControlSocket ${socket}\nCookieAuthentication 1\nCookieAuthFile ${cookie}\n`);
        const config = await env.loadConfig({ torrc, defaultsTorrc: null, cwd: dir });
        const session = await env.connectControl(config.view);
        expect(session.description).toBe(`ControlSocket ${socket}`);
        expect(await session.getInfo('exit-policy/full')).toBe('reject 1.2.3.0/24:*\naccept *:*');
        expect(await session.getInfo('config-file')).toBe('/etc/tor/torrc');
        await session.signal('RELOAD');
        await session.close();
        expect(state.received).toContain('SIGNAL RELOAD');
        expect(state.received.some((line) => line.startsWith('AUTHENTICATE '))).toBe(true);
      } finally {
        await stop();
      }
    });

    test.each([
      ['no control listener is configured', 'ExitRelay 1\n'],
      ['the ControlSocket does not exist', 'ControlSocket /nonexistent/exitkit/control\n'],
      ['the listener cannot be located offline', 'ControlPort auto\n'],
    ])('rejects with the reason when %s', async (_name, text) => {
      const dir = await tempDir();
      const torrc = path.join(dir, 'torrc');
      await writeFile(torrc, text);
      const config = await env.loadConfig({ torrc, defaultsTorrc: null, cwd: dir });
      await expect(env.connectControl(config.view)).rejects.toThrow(/./);
    });

    test('evaluates tor\'s printed policy lines', () => {
      expect(env.evaluateTorPolicy(['reject 203.0.113.0/24:*', 'accept *:*'], '203.0.113.9', 443)).toBe('reject');
    });

    test('runs programs without throwing on failure', async () => {
      expect(await env.run('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toEqual({
        exitCode: 3,
        stdout: 'out',
        stderr: 'err',
        failure: expect.stringContaining('exit code 3'),
      });
      expect((await env.run('/nonexistent/program', [])).failure).toContain('ENOENT');
    });

    test('names processes from /proc, and nothing for a process that is gone', async () => {
      expect(await env.processName(process.pid)).toBe('node');
      expect(await env.processName(4_194_000)).toBeUndefined();
    });
  });
});
