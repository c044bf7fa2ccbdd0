/**
 * A small client for tor's control port (TCP or unix socket): PROTOCOLINFO, AUTHENTICATE
 * (null, cookie, safe cookie, password), GETINFO, GETCONF, SIGNAL, SETEVENTS with waiting for
 * asynchronous events, +LOADCONF and QUIT. Every command has a timeout; every failure is a
 * `TorControlError` carrying tor's status code and message.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { ConfigView } from '../types.js';
import { TorControlError } from './errors.js';
import {
  type ControlReply,
  type ProtocolInfo,
  ReplyParser,
  encodeData,
  isAsyncReply,
  isSuccess,
  parseArguments,
  parseGetInfoReply,
  parseProtocolInfo,
  quoteString,
  readQuotedString,
  replyText,
} from './reply.js';

export type { ControlReply, ProtocolInfo, ReplyLine } from './reply.js';

/** Where a control port listens. */
export type ControlTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** An asynchronous event (a 650 reply). */
export interface ControlEvent {
  /** Event name: the first word of the first line, e.g. `DESCCHANGED`. */
  readonly type: string;
  /** Text of the first line. */
  readonly text: string;
  /** The whole reply. */
  readonly reply: ControlReply;
  /** How many command replies had arrived before this event (orders events against replies). */
  readonly afterReplies: number;
}

/** Options of `waitForEvent`. */
export interface WaitOptions {
  /** Time allowed (default: the connection's command timeout). */
  timeoutMs?: number | undefined;
  /** Stops waiting early; the promise then rejects with TOR_CONTROL_TIMEOUT. */
  signal?: AbortSignal | undefined;
}

/** Connection options. */
export interface ConnectOptions {
  /** Time allowed to open the socket (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Default time allowed for each command's reply (default 30 s). */
  commandTimeoutMs?: number | undefined;
}

/** Credentials for `authenticate`; the method is chosen from what PROTOCOLINFO offers. */
export interface Credentials {
  /** Password for HASHEDPASSWORD authentication. */
  password?: string | undefined;
  /** Cookie file to read instead of the one PROTOCOLINFO names. */
  cookieFile?: string | undefined;
}

interface Pending {
  command: string;
  resolve: (reply: ControlReply) => void;
  reject: (error: TorControlError) => void;
  timer: NodeJS.Timeout;
}

interface EventWaiter {
  accept: (event: ControlEvent) => boolean;
  resolve: (event: ControlEvent) => void;
  reject: (error: TorControlError) => void;
  timer: NodeJS.Timeout;
}

const SERVER_TO_CONTROLLER = 'Tor safe cookie authentication server-to-controller hash';
const CONTROLLER_TO_SERVER = 'Tor safe cookie authentication controller-to-server hash';
const COOKIE_LENGTH = 32;

/** Renders a target as `host:port` or `unix:path`. */
export function formatControlTarget(target: ControlTarget): string {
  if (target.kind === 'unix') return `unix:${target.path}`;
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** An open, possibly authenticated, control connection. */
export class TorControl {
  private readonly parser = new ReplyParser();
  private readonly pending: Pending[] = [];
  private readonly waiters = new Set<EventWaiter>();
  private readonly listeners = new Set<(event: ControlEvent) => void>();
  private closedError: TorControlError | undefined;
  private protocolInfoCache: ProtocolInfo | undefined;
  private readonly closed: Promise<void>;
  private replyCount = 0;

  private constructor(
    private readonly socket: net.Socket,
    /** Where this connection goes. */
    readonly target: ControlTarget,
    private readonly commandTimeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.fail(
          new TorControlError(
            'TOR_CONTROL_CLOSED',
            `the control connection to ${formatControlTarget(target)} closed`,
          ),
        );
        resolve();
      });
    });
    socket.on('error', (cause) => {
      this.fail(
        new TorControlError(
          'TOR_CONTROL_CLOSED',
          `the control connection to ${formatControlTarget(target)} failed: ${cause.message}`,
          { cause },
        ),
      );
    });
  }

  /** Opens a connection (not yet authenticated). */
  static connect(target: ControlTarget, options: ConnectOptions = {}): Promise<TorControl> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket =
        target.kind === 'unix'
          ? net.createConnection({ path: target.path })
          : net.createConnection({ host: target.host, port: target.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new TorControlError(
            'TOR_CONTROL_TIMEOUT',
            `no control connection to ${formatControlTarget(target)} within ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
      const onError = (cause: Error): void => {
        clearTimeout(timer);
        reject(
          new TorControlError(
            'TOR_CONTROL_CONNECT',
            `cannot connect to tor's control port at ${formatControlTarget(target)}: ${cause.message}`,
            {
              cause,
              hint: 'check that tor is running and that ControlPort or ControlSocket is set in its torrc',
            },
          ),
        );
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new TorControl(socket, target, options.commandTimeoutMs ?? 30_000));
      });
    });
  }

  /** Number of command replies received so far (events not counted). */
  get repliesReceived(): number {
    return this.replyCount;
  }

  /** True once the connection has closed or failed. */
  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  /**
   * Sends one command and resolves with its reply, whatever its status. With `data`, the
   * command is sent in multi-line form (`+KEYWORD ...` followed by the dot-encoded data).
   */
  command(line: string, data?: string, timeoutMs?: number): Promise<ControlReply> {
    if (/[\r\n]/.test(line)) {
      return Promise.reject(
        new TorControlError('TOR_CONTROL_PROTOCOL', 'a command line cannot contain CR or LF', {
          command: line.split(/[\r\n]/)[0],
        }),
      );
    }
    if (this.closedError) return Promise.reject(this.closedError);
    const shown = redact(line);
    return new Promise((resolve, reject) => {
      const limit = timeoutMs ?? this.commandTimeoutMs;
      const entry: Pending = {
        command: shown,
        resolve,
        reject,
        timer: setTimeout(() => {
          // Replies come back in order; once one is missing the rest cannot be matched.
          this.fail(
            new TorControlError('TOR_CONTROL_TIMEOUT', `no reply to '${shown}' within ${limit} ms`, {
              command: shown,
            }),
          );
          this.socket.destroy();
        }, limit),
      };
      this.pending.push(entry);
      this.socket.write(data === undefined ? `${line}\r\n` : `+${line}\r\n${encodeData(data)}`);
    });
  }

  /** Sends a command and returns its reply, or throws TOR_CONTROL_REFUSED for a non-2xx status. */
  async request(line: string, data?: string, timeoutMs?: number): Promise<ControlReply> {
    const reply = await this.command(line, data, timeoutMs);
    if (!isSuccess(reply)) throw refused(redact(line), reply);
    return reply;
  }

  /** PROTOCOLINFO (sent at most once per connection, as tor allows before authentication). */
  async protocolInfo(): Promise<ProtocolInfo> {
    if (!this.protocolInfoCache) {
      this.protocolInfoCache = parseProtocolInfo(await this.request('PROTOCOLINFO 1'));
    }
    return this.protocolInfoCache;
  }

  /**
   * Authenticates with the best method tor offers: NULL, then a password (when given and
   * offered), then SAFECOOKIE, then COOKIE.
   */
  async authenticate(credentials: Credentials = {}): Promise<void> {
    const info = await this.protocolInfo();
    const methods = new Set(info.authMethods);
    if (methods.has('NULL')) {
      await this.authRequest('AUTHENTICATE');
      return;
    }
    if (credentials.password !== undefined && methods.has('HASHEDPASSWORD')) {
      await this.authenticatePassword(credentials.password);
      return;
    }
    const cookieFile = credentials.cookieFile ?? info.cookieFile;
    if ((methods.has('SAFECOOKIE') || methods.has('COOKIE')) && cookieFile !== undefined) {
      const cookie = await readCookie(cookieFile);
      if (methods.has('SAFECOOKIE')) await this.authenticateSafeCookie(cookie);
      else await this.authenticateCookie(cookie);
      return;
    }
    throw new TorControlError(
      'TOR_CONTROL_AUTH',
      `cannot authenticate to ${formatControlTarget(this.target)}: tor offers ${[...methods].join(', ') || 'no method'}`,
      {
        hint: methods.has('HASHEDPASSWORD')
          ? 'pass the control password'
          : 'enable CookieAuthentication 1 in the torrc, or run as a user that can read the cookie file',
      },
    );
  }

  /** AUTHENTICATE with a password (HashedControlPassword). */
  async authenticatePassword(password: string): Promise<void> {
    await this.authRequest(`AUTHENTICATE ${quoteString(password)}`);
  }

  /** AUTHENTICATE with the raw cookie (COOKIE method). */
  async authenticateCookie(cookie: Uint8Array): Promise<void> {
    await this.authRequest(`AUTHENTICATE ${Buffer.from(cookie).toString('hex')}`);
  }

  /** AUTHCHALLENGE + AUTHENTICATE (SAFECOOKIE method); also checks that tor knows the cookie. */
  async authenticateSafeCookie(cookie: Uint8Array): Promise<void> {
    const clientNonce = randomBytes(32);
    const challenge = await this.authRequest(`AUTHCHALLENGE SAFECOOKIE ${clientNonce.toString('hex')}`);
    const last = challenge.lines[challenge.lines.length - 1];
    const { words, keywords } = parseArguments(last?.text ?? '');
    const serverHash = keywords.get('SERVERHASH');
    const serverNonce = keywords.get('SERVERNONCE');
    if (words[0] !== 'AUTHCHALLENGE' || serverHash === undefined || serverNonce === undefined) {
      throw new TorControlError('TOR_CONTROL_PROTOCOL', `unexpected AUTHCHALLENGE reply '${replyText(challenge)}'`);
    }
    const message = Buffer.concat([Buffer.from(cookie), clientNonce, Buffer.from(serverNonce, 'hex')]);
    const expected = createHmac('sha256', SERVER_TO_CONTROLLER).update(message).digest();
    const received = Buffer.from(serverHash, 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new TorControlError(
        'TOR_CONTROL_AUTH',
        `the tor at ${formatControlTarget(this.target)} does not know the cookie that was read`,
        { hint: 'the cookie file belongs to another tor instance, or tor rewrote it since' },
      );
    }
    const answer = createHmac('sha256', CONTROLLER_TO_SERVER).update(message).digest('hex');
    await this.authRequest(`AUTHENTICATE ${answer}`);
  }

  /** GETINFO for several keys at once; answers keyed by the names asked. */
  async getInfo(keys: readonly string[]): Promise<Map<string, string>> {
    return parseGetInfoReply(await this.request(`GETINFO ${keys.join(' ')}`));
  }

  /** GETINFO for one key. */
  async getInfoOne(key: string): Promise<string> {
    const values = await this.getInfo([key]);
    const value = values.get(key);
    if (value === undefined) {
      throw new TorControlError('TOR_CONTROL_PROTOCOL', `GETINFO ${key}: the reply does not answer '${key}'`);
    }
    return value;
  }

  /** GETCONF: every value of each option (an unset option maps to an empty list). */
  async getConf(options: readonly string[]): Promise<Map<string, string[]>> {
    const reply = await this.request(`GETCONF ${options.join(' ')}`);
    const values = new Map<string, string[]>();
    for (const line of reply.lines) {
      const eq = line.text.indexOf('=');
      const key = eq < 0 ? line.text : line.text.slice(0, eq);
      const list = values.get(key) ?? [];
      if (eq >= 0) list.push(line.text.slice(eq + 1));
      values.set(key, list);
    }
    return values;
  }

  /** SIGNAL (RELOAD, NEWNYM, HEARTBEAT, ...). */
  async signal(name: string): Promise<void> {
    await this.request(`SIGNAL ${name}`);
  }

  /** SETEVENTS: replaces the set of events this connection receives. */
  async setEvents(events: readonly string[]): Promise<void> {
    await this.request(['SETEVENTS', ...events].join(' '));
  }

  /**
   * Waits for the next event of a type (or matching a predicate). The wait starts when this
   * is called, so call it before the command that triggers the event, then await it.
   */
  waitForEvent(
    match: string | ((event: ControlEvent) => boolean),
    options: WaitOptions = {},
  ): Promise<ControlEvent> {
    const accept = typeof match === 'string' ? (event: ControlEvent) => event.type === match : match;
    const label = typeof match === 'string' ? match : 'matching';
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    const promise = new Promise<ControlEvent>((resolve, reject) => {
      if (this.closedError) {
        reject(this.closedError);
        return;
      }
      const waiter: EventWaiter = {
        accept,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new TorControlError('TOR_CONTROL_TIMEOUT', `no ${label} event within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      options.signal?.addEventListener(
        'abort',
        () => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(waiter.timer);
          reject(new TorControlError('TOR_CONTROL_TIMEOUT', `stopped waiting for a ${label} event`));
        },
        { once: true },
      );
    });
    // The caller may not await yet (it sends the triggering command first); a rejection in
    // that window must not count as unhandled.
    promise.catch(() => undefined);
    return promise;
  }

  /** Calls `listener` for every event; returns a function that removes it. */
  onEvent(listener: (event: ControlEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** +LOADCONF: replaces tor's configuration (torrc source) with `text`. Throws TOR_CONTROL_REFUSED. */
  async loadConf(text: string): Promise<void> {
    await this.request('LOADCONF', text);
  }

  /** QUIT, then waits for tor to close the connection. */
  async quit(): Promise<void> {
    if (this.closedError) return;
    await this.request('QUIT').catch((error: unknown) => {
      if (!(error instanceof TorControlError && error.code === 'TOR_CONTROL_CLOSED')) throw error;
    });
    await this.closed;
  }

  /** Closes the socket at once; pending commands fail with TOR_CONTROL_CLOSED. */
  close(): void {
    this.socket.destroy();
  }

  private async authRequest(line: string): Promise<ControlReply> {
    try {
      return await this.request(line);
    } catch (error) {
      if (error instanceof TorControlError && error.code === 'TOR_CONTROL_REFUSED') {
        throw new TorControlError('TOR_CONTROL_AUTH', `tor refused authentication: ${error.torMessage ?? ''}`, {
          command: error.command,
          status: error.status,
          torMessage: error.torMessage,
          cause: error,
        });
      }
      throw error;
    }
  }

  private onData(chunk: string): void {
    let replies: ControlReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.fail(error as TorControlError);
      this.socket.destroy();
      return;
    }
    for (const reply of replies) {
      if (isAsyncReply(reply)) {
        this.dispatchEvent(reply);
        continue;
      }
      const entry = this.pending.shift();
      if (!entry) {
        this.fail(
          new TorControlError('TOR_CONTROL_PROTOCOL', `tor sent a reply nobody asked for: '${replyText(reply)}'`),
        );
        this.socket.destroy();
        return;
      }
      clearTimeout(entry.timer);
      this.replyCount += 1;
      entry.resolve(reply);
    }
  }

  private dispatchEvent(reply: ControlReply): void {
    const text = reply.lines[0]?.text ?? '';
    const event: ControlEvent = { type: text.split(' ')[0] ?? '', text, reply, afterReplies: this.replyCount };
    for (const listener of this.listeners) listener(event);
    for (const waiter of [...this.waiters]) {
      if (!waiter.accept(event)) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(event);
    }
  }

  private fail(error: TorControlError): void {
    if (!this.closedError) this.closedError = error;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

/** Connects and authenticates in one step. */
export async function connectAndAuthenticate(
  target: ControlTarget,
  credentials: Credentials = {},
  options: ConnectOptions = {},
): Promise<TorControl> {
  const control = await TorControl.connect(target, options);
  try {
    await control.authenticate(credentials);
    return control;
  } catch (error) {
    control.close();
    throw error;
  }
}

function redact(line: string): string {
  return /^AUTHENTICATE\s/i.test(line) ? 'AUTHENTICATE <credentials>' : line;
}

function refused(command: string, reply: ControlReply): TorControlError {
  const torMessage = replyText(reply);
  return new TorControlError('TOR_CONTROL_REFUSED', `tor answered '${command}' with ${reply.status} ${torMessage}`, {
    command,
    status: reply.status,
    torMessage,
  });
}

async function readCookie(file: string): Promise<Buffer> {
  let cookie: Buffer;
  try {
    cookie = await readFile(file);
  } catch (cause) {
    throw new TorControlError('TOR_CONTROL_AUTH', `cannot read tor's control cookie '${file}'`, {
      cause,
      hint: 'run as root or as a member of the group that can read the cookie (CookieAuthFileGroupReadable 1)',
    });
  }
  if (cookie.length !== COOKIE_LENGTH) {
    throw new TorControlError(
      'TOR_CONTROL_AUTH',
      `tor's control cookie '${file}' has ${cookie.length} bytes, expected ${COOKIE_LENGTH}`,
    );
  }
  return cookie;
}

/** How to reach and authenticate to a tor's control port, as its configuration says. */
export interface ControlSettings {
  /** Every control listener, unix sockets first, in configuration order. */
  targets: ControlTarget[];
  /** True when CookieAuthentication is 1. */
  cookieAuthentication: boolean;
  /** Cookie file: CookieAuthFile, else DataDirectory/control_auth_cookie, else unknown. */
  cookieFile: string | undefined;
  /** True when HashedControlPassword is set (a password is needed). */
  passwordRequired: boolean;
  /** Listeners that are configured but cannot be located offline (`ControlPort auto`). */
  unresolved: string[];
}

// Control listener values (tor's port_parse_config), one per ControlPort line:
//   value   = ("0" | "auto" | port | addr ":" port | "[" v6 "]:" port | "unix:" path) *(SP flag)
//   path    = word | QuotedString
// ControlPort's default address is 127.0.0.1. ControlSocket takes a path (optionally with
// the "unix:" prefix) or "0", then flags.

/** Reads ControlPort / ControlSocket / CookieAuthentication / CookieAuthFile / DataDirectory. */
export function controlTargetsFromConfig(config: ConfigView): ControlSettings {
  const unix: ControlTarget[] = [];
  const tcp: ControlTarget[] = [];
  const unresolved: string[] = [];

  for (const line of config.lines('ControlSocket')) {
    const first = firstWord(line.value);
    if (first === undefined || first === '0') continue;
    unix.push({ kind: 'unix', path: first.startsWith('unix:') ? unquote(first.slice(5)) : unquote(first) });
  }
  for (const line of config.lines('ControlPort')) {
    const first = firstWord(line.value);
    if (first === undefined || first === '0') continue;
    if (first.startsWith('unix:')) {
      unix.push({ kind: 'unix', path: unquote(first.slice(5)) });
      continue;
    }
    const target = parseTcpListener(first);
    if (target) tcp.push(target);
    else unresolved.push(line.value);
  }

  const cookieAuthentication = config.value('CookieAuthentication')?.value === '1';
  const cookieAuthFile = config.value('CookieAuthFile')?.value;
  const dataDirectory = config.value('DataDirectory')?.value;
  const cookieFile =
    cookieAuthFile !== undefined && cookieAuthFile !== ''
      ? cookieAuthFile
      : dataDirectory !== undefined && dataDirectory !== ''
        ? path.join(dataDirectory, 'control_auth_cookie')
        : undefined;
  const passwordRequired = config.lines('HashedControlPassword').some((line) => line.value !== '');
  return { targets: [...unix, ...tcp], cookieAuthentication, cookieFile, passwordRequired, unresolved };
}

function firstWord(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const quoteAt = trimmed.startsWith('unix:"') ? 5 : trimmed.startsWith('"') ? 0 : -1;
  if (quoteAt >= 0) {
    try {
      const { end } = readQuotedString(trimmed, quoteAt);
      return trimmed.slice(0, end);
    } catch {
      return trimmed.split(/\s+/)[0];
    }
  }
  return trimmed.split(/\s+/)[0];
}

function unquote(text: string): string {
  return text.startsWith('"') ? readQuotedString(text, 0).value : text;
}

function parseTcpListener(word: string): ControlTarget | undefined {
  if (word === 'auto') return undefined;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(word);
  if (v6?.[1] !== undefined && v6[2] !== undefined) return tcpTarget(v6[1], v6[2]);
  const hostPort = /^([^:]+):(\d+)$/.exec(word);
  if (hostPort?.[1] !== undefined && hostPort[2] !== undefined) return tcpTarget(hostPort[1], hostPort[2]);
  if (/^\d+$/.test(word)) return tcpTarget('127.0.0.1', word);
  return undefined;
}

function tcpTarget(host: string, portText: string): ControlTarget | undefined {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { kind: 'tcp', host, port };
}
