import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TorControl, connectAndAuthenticate, type ControlTarget } from '../../../src/tor/control.js';
import { TorControlError } from '../../../src/tor/errors.js';
import { findExecutable, requireTool } from '../../helpers/require-tool.js';

const tor = requireTool('tor', 'the control-port tests against tor');
const PASSWORD = 'correct horse';

/**
 * A client-only tor with the network disabled (and, as root, in a private network namespace):
 * a unix control socket offering cookie, safe-cookie and password authentication.
 */
async function startControlTor(dir: string): Promise<{ child: ChildProcess; target: ControlTarget; dataDir: string }> {
  const hashed = execFileSync('tor', ['--quiet', '--hash-password', PASSWORD], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  const socket = path.join(dir, 'control');
  const empty = path.join(dir, 'empty-torrc');
  await writeFile(empty, '');
  const args = [
    '--defaults-torrc', empty, '-f', empty,
    '--DataDirectory', dataDir,
    '--DisableNetwork', '1',
    '--SocksPort', '0',
    '--ControlSocket', socket,
    '--CookieAuthentication', '1',
    '--HashedControlPassword', hashed,
    '--Log', 'warn stdout',
    '--__OwningControllerProcess', String(process.pid),
  ];
  const netns = process.getuid?.() === 0 && findExecutable('unshare') && findExecutable('ip');
  const child = netns
    ? spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', 'tor', ...args], { stdio: 'ignore' })
    : spawn('tor', args, { stdio: 'ignore' });
  const target: ControlTarget = { kind: 'unix', path: socket };
  const killOnExit = (): void => {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error('tor exited during start-up');
    try {
      const probe = await TorControl.connect(target, { connectTimeoutMs: 500 });
      probe.close();
      return { child, target, dataDir };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  killOnExit();
  throw new Error('tor did not open its control socket');
}

describe.skipIf(!tor.available)('tor/control (real tor)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let target: ControlTarget;
  let dataDir: string;
  const open: TorControl[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'exitkit-control-integ-'));
    await chmod(dir, 0o700);
    ({ child, target, dataDir } = await startControlTor(dir));
  });

  afterAll(async () => {
    for (const control of open) control.close();
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(): Promise<TorControl> {
    const control = await TorControl.connect(target);
    open.push(control);
    return control;
  }

  async function authenticated(): Promise<TorControl> {
    const control = await connectAndAuthenticate(target);
    open.push(control);
    return control;
  }

  describe('#protocolInfo', () => {
    test('lists cookie, safe-cookie and password methods, the cookie file and the version', async () => {
      const info = await (await connect()).protocolInfo();
      expect(info.authMethods).toEqual(expect.arrayContaining(['COOKIE', 'SAFECOOKIE', 'HASHEDPASSWORD']));
      expect(info.cookieFile).toBe(path.join(dataDir, 'control_auth_cookie'));
      expect(info.torVersion).toMatch(/^0\.4\.9\./);
    });
  });

  describe('#authenticate', () => {
    test('picks SAFECOOKIE with the cookie file tor names', async () => {
      const control = await connect();
      await control.authenticate();
      expect(await control.getInfoOne('version')).toMatch(/^0\.4\.9\./);
    });

    test('COOKIE with the raw cookie', async () => {
      const control = await connect();
      await control.authenticateCookie(await readFile(path.join(dataDir, 'control_auth_cookie')));
      expect(await control.getInfoOne('version')).toMatch(/^0\.4\.9\./);
    });

    test('a password, when given', async () => {
      const control = await connect();
      await control.authenticate({ password: PASSWORD });
      expect(await control.getInfoOne('version')).toMatch(/^0\.4\.9\./);
    });

    test('a wrong password is TOR_CONTROL_AUTH with tor status 515', async () => {
      const control = await connect();
      await expect(control.authenticatePassword('wrong')).rejects.toMatchObject({ code: 'TOR_CONTROL_AUTH', status: 515 });
    });

    test('a cookie tor does not know is refused before answering the challenge', async () => {
      const control = await connect();
      await expect(control.authenticateSafeCookie(Buffer.alloc(32, 1))).rejects.toMatchObject({ code: 'TOR_CONTROL_AUTH' });
    });
  });

  describe('#getInfo', () => {
    test('single-line and multi-line answers in one command', async () => {
      const control = await authenticated();
      const answers = await control.getInfo(['version', 'config-text']);
      expect(answers.get('version')).toMatch(/^0\.4\.9\./);
      expect(answers.get('config-text')).toContain('DisableNetwork 1');
      expect(answers.get('config-text')!.split('\n').length).toBeGreaterThan(3);
    });

    test('an unknown key is TOR_CONTROL_REFUSED 552', async () => {
      await expect((await authenticated()).getInfoOne('no/such/key')).rejects.toMatchObject({
        code: 'TOR_CONTROL_REFUSED',
        status: 552,
      });
    });
  });

  describe('#loadConf', () => {
    test('loads a body with a line starting with a dot (dot-stuffing) and lists from it', async () => {
      const control = await authenticated();
      await control.loadConf('ContactInfo abuse\\\n.example\nExitPolicy reject 1.2.3.4:*\nExitPolicy accept *:80\n');
      const conf = await control.getConf(['ContactInfo', 'ExitPolicy']);
      expect(conf.get('ContactInfo')).toEqual(['abuse.example']);
      expect(conf.get('ExitPolicy')).toEqual(['reject 1.2.3.4:*', 'accept *:80']);
    });

    test("a configuration tor refuses is TOR_CONTROL_REFUSED 552 with tor's reason", async () => {
      const control = await authenticated();
      const error = (await control.loadConf('Bogus 1\n').catch((e: unknown) => e)) as TorControlError;
      expect(error).toMatchObject({ code: 'TOR_CONTROL_REFUSED', status: 552 });
      expect(error.torMessage).toContain("Unknown option 'Bogus'");
    });
  });

  describe('#waitForEvent', () => {
    test('receives a multi-line CONF_CHANGED event after SETEVENTS', async () => {
      const control = await authenticated();
      await control.setEvents(['CONF_CHANGED']);
      const changed = control.waitForEvent('CONF_CHANGED', { timeoutMs: 10_000 });
      await control.request('SETCONF ContactInfo=event-test');
      const event = await changed;
      expect(event.reply.lines.map((line) => line.text)).toContain('ContactInfo=event-test');
    });
  });

  describe('#signal', () => {
    test('a known signal is accepted, an unknown one refused with 552', async () => {
      const control = await authenticated();
      await expect(control.signal('HEARTBEAT')).resolves.toBeUndefined();
      await expect(control.signal('BOGUS')).rejects.toMatchObject({ code: 'TOR_CONTROL_REFUSED', status: 552 });
    });
  });

  describe('#quit', () => {
    test('tor closes the connection', async () => {
      const control = await authenticated();
      await control.quit();
      expect(control.isClosed).toBe(true);
      await expect(control.getInfoOne('version')).rejects.toMatchObject({ code: 'TOR_CONTROL_CLOSED' });
    });
  });
});
