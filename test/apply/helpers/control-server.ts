/**
 * A minimal fake tor control port on a unix socket, speaking just enough of the protocol for
 * apply: PROTOCOLINFO (NULL or COOKIE auth), AUTHENTICATE, GETINFO of a few keys, SIGNAL.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';

/** What the fake control port answers, and what it was asked. */
export interface FakeControlState {
  /** Lines of `GETINFO exit-policy/full`. */
  policy: string[];
  /** `GETINFO config-file`. */
  configFile: string;
  /** Cookie file offered; when set, NULL auth is not offered and the cookie must match. */
  cookieFile?: string | undefined;
  /** Every command line received. */
  received: string[];
}

/** Starts the fake control port at `socketPath`; returns a function that stops it. */
export async function startControlServer(socketPath: string, state: FakeControlState): Promise<() => Promise<void>> {
  const server = net.createServer((socket) => {
    let buffer = '';
    let authenticated = false;
    socket.setEncoding('utf8');
    socket.on('data', async (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        state.received.push(line);
        const [command = '', ...args] = line.split(' ');
        if (command === 'PROTOCOLINFO') {
          const auth = state.cookieFile
            ? `250-AUTH METHODS=COOKIE COOKIEFILE="${state.cookieFile}"`
            : '250-AUTH METHODS=NULL';
          socket.write(`250-PROTOCOLINFO 1\r\n${auth}\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n`);
        } else if (command === 'AUTHENTICATE') {
          const expected = state.cookieFile ? (await readFile(state.cookieFile)).toString('hex') : '';
          authenticated = (args[0] ?? '') === expected;
          socket.write(authenticated ? '250 OK\r\n' : '515 Authentication failed\r\n');
        } else if (!authenticated) {
          socket.write('514 Authentication required.\r\n');
        } else if (command === 'GETINFO') {
          const key = args[0] ?? '';
          if (key === 'exit-policy/full') socket.write(`250+exit-policy/full=\r\n${state.policy.join('\r\n')}\r\n.\r\n250 OK\r\n`);
          else if (key === 'config-file') socket.write(`250-config-file=${state.configFile}\r\n250 OK\r\n`);
          else if (key === 'version') socket.write('250-version=0.4.9.11\r\n250 OK\r\n');
          else socket.write(`552 Unrecognized key "${key}"\r\n`);
        } else if (command === 'SIGNAL') {
          socket.write('250 OK\r\n');
        } else {
          socket.write(`510 Unrecognized command "${command}"\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return () => new Promise((resolve) => server.close(() => resolve()));
}
