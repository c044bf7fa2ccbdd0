import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type ControlTarget,
  TorControl,
  connectAndAuthenticate,
  controlTargetsFromConfig,
  formatControlTarget,
} from '../../src/tor/control.js';
import type { ConfigLine, ConfigView } from '../../src/types.js';

/** A command as the fake tor received it: the line, and the decoded body of `+` commands. */
interface Received {
  line: string;
  data?: string;
}

type Handler = (command: Received, send: (text: string) => void, socket: net.Socket) => void;

/** A scripted control port on a unix socket (or TCP), speaking just enough of the protocol. */
async function fakeTor(dir: string, handler: Handler, transport: 'unix' | 'tcp' = 'unix') {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let pending: { line: string; lines: string[] } | undefined;
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const at = buffer.indexOf('\r\n');
        if (at < 0) break;
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (pending) {
          if (line === '.') {
            const command = { line: pending.line, data: pending.lines.join('\n') };
            pending = undefined;
            received.push(command);
            handler(command, (text) => socket.write(text), socket);
          } else {
            pending.lines.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        if (line.startsWith('+')) {
          pending = { line: line.slice(1), lines: [] };
          continue;
        }
        received.push({ line });
        handler({ line }, (text) => socket.write(text), socket);
      }
    });
  });
  const target: ControlTarget = await new Promise((resolve) => {
    if (transport === 'unix') {
      const socketPath = path.join(dir, 'control');
      server.listen(socketPath, () => resolve({ kind: 'unix', path: socketPath }));
    } else {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as net.AddressInfo;
        resolve({ kind: 'tcp', host: '127.0.0.1', port: address.port });
      });
    }
  });
  return {
    target,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PROTOCOLINFO_NULL = '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n';

/** A fake tor that accepts NULL authentication and answers from a table. */
function scripted(answers: Record<string, string>): Handler {
  return (command, send) => {
    if (command.line === 'PROTOCOLINFO 1') send(PROTOCOLINFO_NULL);
    else if (command.line === 'AUTHENTICATE') send('250 OK\r\n');
    else send(answers[command.line] ?? '510 Unrecognized command\r\n');
  };
}

let dir: string;
let servers: Array<{ close: () => Promise<void> }>;
let clients: TorControl[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'exitkit-control-'));
  servers = [];
  clients = [];
});

afterEach(async () => {
  for (const client of clients) client.close();
  for (const server of servers) await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(handler: Handler, transport: 'unix' | 'tcp' = 'unix') {
  const server = await fakeTor(dir, handler, transport);
  servers.push(server);
  return server;
}

async function open(target: ControlTarget, commandTimeoutMs = 2000): Promise<TorControl> {
  const client = await TorControl.connect(target, { commandTimeoutMs });
  clients.push(client);
  return client;
}

describe('tor/control', () => {
  describe('#connect', () => {
    test('a missing unix socket is TOR_CONTROL_CONNECT', async () => {
      await expect(TorControl.connect({ kind: 'unix', path: path.join(dir, 'nothing') })).rejects.toMatchObject({
        code: 'TOR_CONTROL_CONNECT',
      });
    });

    test('a closed TCP port is TOR_CONTROL_CONNECT', async () => {
      const probe = net.createServer();
      const port = await new Promise<number>((resolve) =>
        probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)),
      );
      await new Promise((resolve) => probe.close(resolve));
      await expect(TorControl.connect({ kind: 'tcp', host: '127.0.0.1', port })).rejects.toMatchObject({
        code: 'TOR_CONTROL_CONNECT',
      });
    });

    test('works over TCP as over a unix socket', async () => {
      const server = await start(scripted({ 'GETINFO version': '250-version=0.4.9.11\r\n250 OK\r\n' }), 'tcp');
      const control = await connectAndAuthenticate(server.target);
      clients.push(control);
      expect(await control.getInfoOne('version')).toBe('0.4.9.11');
    });
  });

  describe('#authenticate', () => {
    test('uses NULL authentication when offered', async () => {
      const server = await start(scripted({}));
      await (await open(server.target)).authenticate();
      expect(server.received.map((c) => c.line)).toEqual(['PROTOCOLINFO 1', 'AUTHENTICATE']);
    });

    test('sends PROTOCOLINFO only once per connection', async () => {
      const server = await start(scripted({}));
      const control = await open(server.target);
      await control.protocolInfo();
      await control.authenticate();
      expect(server.received.filter((c) => c.line.startsWith('PROTOCOLINFO'))).toHaveLength(1);
    });

    test('sends the cookie as hex for COOKIE', async () => {
      const cookie = Buffer.alloc(32, 7);
      const cookieFile = path.join(dir, 'cookie');
      await writeFile(cookieFile, cookie);
      const server = await start((command, send) => {
        if (command.line === 'PROTOCOLINFO 1') {
          send(`250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE COOKIEFILE="${cookieFile}"\r\n250 OK\r\n`);
        } else if (command.line === `AUTHENTICATE ${cookie.toString('hex')}`) {
          send('250 OK\r\n');
        } else {
          send('515 Authentication failed\r\n');
        }
      });
      await expect((await open(server.target)).authenticate()).resolves.toBeUndefined();
    });

    test('proves knowledge of the cookie for SAFECOOKIE, and checks tor knows it too', async () => {
      const cookie = Buffer.alloc(32, 9);
      const cookieFile = path.join(dir, 'cookie');
      await writeFile(cookieFile, cookie);
      const serverNonce = Buffer.alloc(32, 1);
      let clientNonce = Buffer.alloc(0);
      const server = await start((command, send) => {
        const [word, ...rest] = command.line.split(' ');
        if (word === 'PROTOCOLINFO') {
          send(`250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="${cookieFile}"\r\n250 OK\r\n`);
        } else if (word === 'AUTHCHALLENGE' && rest[0] === 'SAFECOOKIE') {
          clientNonce = Buffer.from(rest[1] ?? '', 'hex');
          const message = Buffer.concat([cookie, clientNonce, serverNonce]);
          const serverHash = createHmac('sha256', 'Tor safe cookie authentication server-to-controller hash')
            .update(message)
            .digest('hex')
            .toUpperCase();
          send(`250 AUTHCHALLENGE SERVERHASH=${serverHash} SERVERNONCE=${serverNonce.toString('hex').toUpperCase()}\r\n`);
        } else if (word === 'AUTHENTICATE') {
          const message = Buffer.concat([cookie, clientNonce, serverNonce]);
          const expected = createHmac('sha256', 'Tor safe cookie authentication controller-to-server hash')
            .update(message)
            .digest('hex');
          send(rest[0]?.toLowerCase() === expected ? '250 OK\r\n' : '515 Authentication failed\r\n');
        }
      });
      await (await open(server.target)).authenticate();
      expect(clientNonce).toHaveLength(32);
      expect(server.received.map((c) => c.line.split(' ')[0])).toEqual(['PROTOCOLINFO', 'AUTHCHALLENGE', 'AUTHENTICATE']);
    });

    test('refuses to answer a SAFECOOKIE challenge from a tor that does not know the cookie', async () => {
      const cookieFile = path.join(dir, 'cookie');
      await writeFile(cookieFile, Buffer.alloc(32, 3));
      const server = await start((command, send) => {
        if (command.line.startsWith('PROTOCOLINFO')) {
          send(`250-PROTOCOLINFO 1\r\n250-AUTH METHODS=SAFECOOKIE COOKIEFILE="${cookieFile}"\r\n250 OK\r\n`);
        } else if (command.line.startsWith('AUTHCHALLENGE')) {
          send(`250 AUTHCHALLENGE SERVERHASH=${'00'.repeat(32)} SERVERNONCE=${'11'.repeat(32)}\r\n`);
        } else {
          send('250 OK\r\n');
        }
      });
      await expect((await open(server.target)).authenticate()).rejects.toMatchObject({ code: 'TOR_CONTROL_AUTH' });
      expect(server.received.some((c) => c.line.startsWith('AUTHENTICATE'))).toBe(false);
    });

    test('sends a password as a quoted string', async () => {
      const server = await start((command, send) => {
        if (command.line.startsWith('PROTOCOLINFO')) send('250-PROTOCOLINFO 1\r\n250-AUTH METHODS=HASHEDPASSWORD\r\n250 OK\r\n');
        else send(command.line === 'AUTHENTICATE "pa ss\\"word"' ? '250 OK\r\n' : '515 Authentication failed\r\n');
      });
      await (await open(server.target)).authenticate({ password: 'pa ss"word' });
    });

    test('a refused password is TOR_CONTROL_AUTH with tor status, and never echoes the secret', async () => {
      const server = await start((command, send) => {
        if (command.line.startsWith('PROTOCOLINFO')) send('250-PROTOCOLINFO 1\r\n250-AUTH METHODS=HASHEDPASSWORD\r\n250 OK\r\n');
        else send('515 Authentication failed: Password did not match HashedControlPassword value from configuration\r\n');
      });
      const error = await (await open(server.target)).authenticate({ password: 'hunter2' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TOR_CONTROL_AUTH', status: 515 });
      expect(String((error as Error).message)).not.toContain('hunter2');
      expect((error as { command?: string }).command).not.toContain('hunter2');
    });

    test('no usable method is TOR_CONTROL_AUTH', async () => {
      const server = await start((command, send) => {
        if (command.line.startsWith('PROTOCOLINFO')) send('250-PROTOCOLINFO 1\r\n250-AUTH METHODS=HASHEDPASSWORD\r\n250 OK\r\n');
      });
      await expect((await open(server.target)).authenticate()).rejects.toMatchObject({ code: 'TOR_CONTROL_AUTH' });
    });

    test('an unreadable or short cookie file is TOR_CONTROL_AUTH', async () => {
      const shortCookie = path.join(dir, 'short');
      await writeFile(shortCookie, 'abc');
      for (const cookieFile of [path.join(dir, 'missing'), shortCookie]) {
        const server = await start((command, send) => {
          if (command.line.startsWith('PROTOCOLINFO')) {
            send(`250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE COOKIEFILE="${cookieFile}"\r\n250 OK\r\n`);
          }
        });
        await expect((await open(server.target)).authenticate()).rejects.toMatchObject({ code: 'TOR_CONTROL_AUTH' });
        await server.close();
      }
    });
  });

  describe('#getInfo', () => {
    test('asks several keys at once and reads single- and multi-line answers', async () => {
      const server = await start(
        scripted({
          'GETINFO version exit-policy/full':
            '250-version=0.4.9.11\r\n250+exit-policy/full=\r\nreject *:25\r\naccept *:*\r\n.\r\n250 OK\r\n',
        }),
      );
      const control = await open(server.target);
      const answers = await control.getInfo(['version', 'exit-policy/full']);
      expect(answers.get('exit-policy/full')).toBe('reject *:25\naccept *:*');
      expect(answers.get('version')).toBe('0.4.9.11');
    });

    test('an unknown key is TOR_CONTROL_REFUSED with status and tor message', async () => {
      const server = await start(scripted({ 'GETINFO nope': '552 Unrecognized key "nope"\r\n' }));
      await expect((await open(server.target)).getInfoOne('nope')).rejects.toMatchObject({
        code: 'TOR_CONTROL_REFUSED',
        status: 552,
        torMessage: 'Unrecognized key "nope"',
        command: 'GETINFO nope',
      });
    });
  });

  describe('#getConf', () => {
    test('collects every value of list options; unset options map to an empty list', async () => {
      const server = await start(
        scripted({
          'GETCONF ExitPolicy Nickname ContactInfo':
            '250-ExitPolicy=reject 1.2.3.4:*\r\n250-ExitPolicy=accept *:80\r\n250-Nickname=relay\r\n250 ContactInfo\r\n',
        }),
      );
      const values = await (await open(server.target)).getConf(['ExitPolicy', 'Nickname', 'ContactInfo']);
      expect([...values]).toEqual([
        ['ExitPolicy', ['reject 1.2.3.4:*', 'accept *:80']],
        ['Nickname', ['relay']],
        ['ContactInfo', []],
      ]);
    });
  });

  describe('#signal', () => {
    test.each([
      ['accepted', '250 OK\r\n', undefined],
      ['refused', '552 Unrecognized signal code "BOGUS"\r\n', 'TOR_CONTROL_REFUSED'],
    ])('%s', async (_name, answer, code) => {
      const server = await start(scripted({ 'SIGNAL RELOAD': answer }));
      const result = (await open(server.target)).signal('RELOAD');
      if (code) await expect(result).rejects.toMatchObject({ code, status: 552 });
      else await expect(result).resolves.toBeUndefined();
    });
  });

  describe('#waitForEvent', () => {
    test('resolves with an event that arrives before the triggering reply', async () => {
      const server = await start((command, send) => {
        if (command.line === 'SETEVENTS DESCCHANGED') send('250 OK\r\n');
        if (command.line === 'GETINFO x') send('650 DESCCHANGED\r\n552 Unrecognized key "x"\r\n');
      });
      const control = await open(server.target);
      await control.setEvents(['DESCCHANGED']);
      const changed = control.waitForEvent('DESCCHANGED');
      const reply = await control.command('GETINFO x');
      const event = await changed;
      expect(reply.status).toBe(552);
      expect(event).toMatchObject({ type: 'DESCCHANGED', text: 'DESCCHANGED', afterReplies: 1 });
    });

    test('resolves with an event that arrives later, multi-line events included', async () => {
      const server = await start((command, send) => {
        if (command.line === 'SETCONF ContactInfo=x') {
          send('250 OK\r\n');
          setTimeout(() => send('650-CONF_CHANGED\r\n650-ContactInfo=x\r\n650 OK\r\n'), 20);
        }
      });
      const control = await open(server.target);
      const changed = control.waitForEvent((event) => event.type === 'CONF_CHANGED');
      await control.request('SETCONF ContactInfo=x');
      const event = await changed;
      expect(event.reply.lines.map((l) => l.text)).toEqual(['CONF_CHANGED', 'ContactInfo=x', 'OK']);
      expect(event.afterReplies).toBe(1);
    });

    test('ignores other events and tells all listeners', async () => {
      const server = await start((command, send) => {
        if (command.line === 'GO') send('650 BW 1 2\r\n650 DESCCHANGED\r\n250 OK\r\n');
      });
      const control = await open(server.target);
      const seen: string[] = [];
      const stop = control.onEvent((event) => seen.push(event.type));
      const changed = control.waitForEvent('DESCCHANGED');
      await control.request('GO');
      expect((await changed).type).toBe('DESCCHANGED');
      stop();
      expect(seen).toEqual(['BW', 'DESCCHANGED']);
    });

    test('times out with TOR_CONTROL_TIMEOUT', async () => {
      const server = await start(() => undefined);
      const control = await open(server.target);
      await expect(control.waitForEvent('DESCCHANGED', { timeoutMs: 30 })).rejects.toMatchObject({
        code: 'TOR_CONTROL_TIMEOUT',
      });
    });

    test('stops waiting when aborted', async () => {
      const server = await start(() => undefined);
      const control = await open(server.target);
      const abort = new AbortController();
      const waiting = control.waitForEvent('DESCCHANGED', { timeoutMs: 10_000, signal: abort.signal });
      abort.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'TOR_CONTROL_TIMEOUT' });
    });

    test('fails with TOR_CONTROL_CLOSED when the connection closes', async () => {
      const server = await start((command, _send, socket) => {
        if (command.line === 'QUIT') socket.end('250 closing connection\r\n');
      });
      const control = await open(server.target);
      const waiting = control.waitForEvent('DESCCHANGED', { timeoutMs: 10_000 });
      await control.quit();
      await expect(waiting).rejects.toMatchObject({ code: 'TOR_CONTROL_CLOSED' });
    });
  });

  describe('#loadConf', () => {
    test('sends the body as +LOADCONF data (dot-stuffed on the wire) and resolves on 250', async () => {
      let seen: Received | undefined;
      const server = await start((command, send) => {
        if (command.line === 'LOADCONF') {
          seen = command;
          send('250 OK\r\n');
        }
      });
      const body = 'ExitPolicy accept *:80\n.starts with a dot\n..two dots\n\nContactInfo x';
      await (await open(server.target)).loadConf(body);
      expect(seen).toEqual({ line: 'LOADCONF', data: body });
    });

    test('a refused configuration is TOR_CONTROL_REFUSED with status 552 and tor message', async () => {
      const message = "Invalid config file: Failed to parse/validate config: Unknown option 'Bogus'.  Failing.";
      const server = await start((command, send) => {
        if (command.line === 'LOADCONF') send(`552 ${message}\r\n`);
      });
      await expect((await open(server.target)).loadConf('Bogus 1\n')).rejects.toMatchObject({
        code: 'TOR_CONTROL_REFUSED',
        status: 552,
        torMessage: message,
        command: 'LOADCONF',
      });
    });
  });

  describe('#command', () => {
    test('replies are matched to commands in order when pipelined', async () => {
      const server = await start((command, send) => send(`250 ${command.line}\r\n`));
      const control = await open(server.target);
      const replies = await Promise.all(['A', 'B', 'C'].map((c) => control.command(c)));
      expect(replies.map((r) => r.lines[0]?.text)).toEqual(['A', 'B', 'C']);
      expect(control.repliesReceived).toBe(3);
    });

    test('a command without reply times out with TOR_CONTROL_TIMEOUT and closes the connection', async () => {
      const server = await start(() => undefined);
      const control = await open(server.target, 50);
      await expect(control.command('GETINFO version')).rejects.toMatchObject({ code: 'TOR_CONTROL_TIMEOUT' });
      await expect(control.command('GETINFO version')).rejects.toMatchObject({ code: 'TOR_CONTROL_TIMEOUT' });
      expect(control.isClosed).toBe(true);
    });

    test('tor closing the connection mid-command is TOR_CONTROL_CLOSED', async () => {
      const server = await start((_command, _send, socket) => socket.destroy());
      const control = await open(server.target);
      await expect(control.command('SIGNAL HALT')).rejects.toMatchObject({ code: 'TOR_CONTROL_CLOSED' });
    });

    test('garbage from tor is TOR_CONTROL_PROTOCOL', async () => {
      const server = await start((_command, send) => send('this is not tor\r\n'));
      const control = await open(server.target);
      await expect(control.command('GETINFO version')).rejects.toMatchObject({ code: 'TOR_CONTROL_PROTOCOL' });
    });

    test('a command line with a newline is refused before sending', async () => {
      const server = await start(scripted({}));
      const control = await open(server.target);
      await expect(control.command('GETINFO a\r\nSIGNAL HALT')).rejects.toMatchObject({ code: 'TOR_CONTROL_PROTOCOL' });
      expect(server.received).toEqual([]);
    });
  });

  describe('#quit', () => {
    test('sends QUIT and waits for tor to close', async () => {
      const server = await start((command, _send, socket) => {
        if (command.line === 'QUIT') socket.end('250 closing connection\r\n');
      });
      const control = await open(server.target);
      await control.quit();
      expect(control.isClosed).toBe(true);
      expect(server.received.map((c) => c.line)).toEqual(['QUIT']);
    });
  });

  describe('#formatControlTarget', () => {
    test.each([
      [{ kind: 'unix', path: '/run/tor/control' } as const, 'unix:/run/tor/control'],
      [{ kind: 'tcp', host: '127.0.0.1', port: 9051 } as const, '127.0.0.1:9051'],
      [{ kind: 'tcp', host: '::1', port: 9051 } as const, '[::1]:9051'],
    ])('%o → %s', (target, text) => {
      expect(formatControlTarget(target)).toBe(text);
    });
  });

  describe('#controlTargetsFromConfig', () => {
    function view(lists: Record<string, string[]>, values: Record<string, string> = {}): ConfigView {
      const line = (option: string, value: string, n: number): ConfigLine => ({
        option,
        key: option,
        prefix: '',
        value,
        location: { file: '/etc/tor/torrc', line: n },
        source: 'torrc',
      });
      return {
        lines: (option) => (lists[option] ?? []).map((value, i) => line(option, value, i + 1)),
        value: (option) => (option in values ? line(option, values[option] as string, 1) : undefined),
      };
    }

    test("Debian's defaults: a control socket with flags, cookie file from CookieAuthFile", () => {
      const settings = controlTargetsFromConfig(
        view(
          { ControlSocket: ['/run/tor/control GroupWritable RelaxDirModeCheck'] },
          { CookieAuthentication: '1', CookieAuthFile: '/run/tor/control.authcookie', DataDirectory: '/var/lib/tor' },
        ),
      );
      expect(settings).toEqual({
        targets: [{ kind: 'unix', path: '/run/tor/control' }],
        cookieAuthentication: true,
        cookieFile: '/run/tor/control.authcookie',
        passwordRequired: false,
        unresolved: [],
      });
    });

    test.each([
      ['a bare port on 127.0.0.1', '9051', { kind: 'tcp', host: '127.0.0.1', port: 9051 }],
      ['an address and port', '192.0.2.5:9051', { kind: 'tcp', host: '192.0.2.5', port: 9051 }],
      ['an IPv6 address and port', '[::1]:9051 IPv6Only', { kind: 'tcp', host: '::1', port: 9051 }],
      ['a unix socket', 'unix:/var/run/tor/ctl', { kind: 'unix', path: '/var/run/tor/ctl' }],
      ['a quoted unix socket', 'unix:"/var/run/my tor/ctl" GroupWritable', { kind: 'unix', path: '/var/run/my tor/ctl' }],
    ])('ControlPort %s', (_name, value, target) => {
      expect(controlTargetsFromConfig(view({ ControlPort: [value] })).targets).toEqual([target]);
    });

    test.each([
      ['0 (disabled)', '0', []],
      ['auto (port unknown offline)', 'auto', ['auto']],
      ['an out-of-range port', '70000', ['70000']],
    ])('ControlPort %s is not a target', (_name, value, unresolved) => {
      const settings = controlTargetsFromConfig(view({ ControlPort: [value] }));
      expect(settings.targets).toEqual([]);
      expect(settings.unresolved).toEqual(unresolved);
    });

    test('unix sockets come first, then TCP listeners, each in configuration order', () => {
      const settings = controlTargetsFromConfig(
        view({ ControlPort: ['9051', 'unix:/a'], ControlSocket: ['/b', '0', 'unix:/c'] }),
      );
      expect(settings.targets.map(formatControlTarget)).toEqual(['unix:/b', 'unix:/c', 'unix:/a', '127.0.0.1:9051']);
    });

    test.each([
      ['CookieAuthFile wins', { CookieAuthFile: '/x/cookie', DataDirectory: '/d' }, '/x/cookie'],
      ['else DataDirectory/control_auth_cookie', { DataDirectory: '/var/lib/tor' }, '/var/lib/tor/control_auth_cookie'],
      ['an empty CookieAuthFile is unset', { CookieAuthFile: '', DataDirectory: '/d' }, '/d/control_auth_cookie'],
      ['unknown without either', {}, undefined],
    ])('cookie file: %s', (_name, values, cookieFile) => {
      expect(controlTargetsFromConfig(view({}, values)).cookieFile).toBe(cookieFile);
    });

    test.each([
      ['1', true],
      ['0', false],
      ['', false],
    ])('CookieAuthentication %j → %s', (value, enabled) => {
      expect(controlTargetsFromConfig(view({}, { CookieAuthentication: value })).cookieAuthentication).toBe(enabled);
    });

    test('HashedControlPassword means a password is required', () => {
      expect(controlTargetsFromConfig(view({ HashedControlPassword: ['16:ABCD'] })).passwordRequired).toBe(true);
      expect(controlTargetsFromConfig(view({})).passwordRequired).toBe(false);
    });
  });
});
