/**
 * The real tor as a test oracle for effective exit policies, loopback-only.
 *
 * One long-lived tor per test file (per worker): each case is loaded with `+LOADCONF` (or,
 * when the case has a defaults file, by rewriting the files tor was started with and sending
 * RELOAD), the descriptor is rebuilt on demand (`GETINFO extra-info/digest/<zeros>`), and
 * `GETINFO exit-policy/full` is read once `650 DESCCHANGED` confirms the rebuild.
 *
 * Safety: tor runs in a private network namespace (`unshare --net`, entered with `nsenter`;
 * we are root here and in CI) holding only loopback and one extra interface with
 * documentation addresses and no route; it listens only there and on a unix control socket,
 * and every listener, address and directory that could reach further is pinned on its
 * command line, where no case configuration can override it. Without root it falls back to
 * binding 127.0.0.1 only, and says so. Tor also exits by itself when this process or its
 * control connection goes away (`__OwningControllerProcess`, TAKEOWNERSHIP), the namespace
 * holder watches this process too, and every process started here is killed by PID on stop()
 * and on process exit.
 *
 * Validity: LOADCONF's verdict equals `tor --verify-config`'s except where the options pinned
 * on tor's command line change it (a bridge without ORPort is accepted; options a relay may
 * not set are refused; the case's Nickname is overridden) and one nesting level for
 * `%include` depth (the case torrc is itself included). So tests take validity from
 * verify-config, run through `torCommand` in the same namespace as tor, so that both see the
 * same machine (interface addresses decide some verdicts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { TorControl, connectAndAuthenticate } from '../../src/tor/control.js';
import { TorControlError } from '../../src/tor/errors.js';
import { isSuccess, replyText } from '../../src/tor/reply.js';
import { verifyTorConfig } from '../../src/tor/verify.js';
import { findExecutable } from './require-tool.js';

const ZEROS = '0'.repeat(40);

/** How tor is kept off the network. */
export type Isolation = 'netns' | 'loopback';

/** Options for starting the oracle. */
export interface OracleOptions {
  /** The tor binary (default `tor` from PATH). */
  torBinary?: string | undefined;
  /** `auto` (default): a private network namespace when possible, else loopback binding only. */
  isolation?: 'auto' | Isolation | undefined;
  /** Time allowed for tor to start and open its control socket (default 60 s). */
  startTimeoutMs?: number | undefined;
  /** Time allowed for one case (default 20 s). */
  caseTimeoutMs?: number | undefined;
  /**
   * The address the relay advertises: `loopback` (127.0.0.1, never public, so no own-address
   * rule; the fact sheet's setup) or `public` (the namespace's documentation addresses, IPv4
   * and IPv6, which tor then rejects as its own; needs the network namespace).
   */
  advertise?: 'loopback' | 'public' | undefined;
}

/** The files of one case, as absolute paths (already stripped of unsafe options). */
export interface OracleInput {
  /** The torrc (`-f`). */
  torrc: string;
  /** The defaults file (`--defaults-torrc`), when the case has one. */
  defaultsTorrc?: string | undefined;
}

/** Options of one evaluation. */
export interface EvaluateOptions {
  /**
   * The caller has checked with `tor --verify-config` that the case is valid; a case with a
   * defaults file is then reloaded without checking again (an invalid one would make tor
   * exit, which is reported as `crashed` and costs a restart).
   */
  knownValid?: boolean | undefined;
}

/** What tor made of one case. */
export interface OracleAnswer {
  /**
   * `policy`: tor took the configuration and printed its policy; `refused`: tor refused the
   * configuration (LOADCONF error, or verify-config failure before a reload); `crashed`: tor
   * died on it (it is restarted for the next case); `error`: no answer (timeout, protocol).
   */
  outcome: 'policy' | 'refused' | 'crashed' | 'error';
  /** `exit-policy/full`, one rule per line, when outcome is `policy`. */
  lines?: string[] | undefined;
  /** Tor's message for refused/crashed/error outcomes. */
  message?: string | undefined;
  /** Control status code of a refusal (552, 553, ...). */
  status?: number | undefined;
  /** How the configuration reached tor. */
  via: 'loadconf' | 'reload';
  /** Wall time of the case in milliseconds. */
  ms: number;
}

interface TorProcess {
  child: ChildProcess;
  pid: number;
  control: TorControl;
  exited: Promise<void>;
  hasExited: () => boolean;
}

const livePids = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A running loopback-only tor that answers "what is the effective policy of this torrc?". */
export class TorOracle {
  /** Private folder (0700) holding tor's data directory, control socket and slot files. */
  readonly workDir: string;
  /** Tor's working directory: put case folders under it (relative `%include` resolve here). */
  readonly casesDir: string;
  /** How tor is kept off the network. */
  readonly isolation: Isolation;
  /** How many times tor had to be started again after dying on a case. */
  restarts = 0;

  private process: TorProcess | undefined;
  private holder: NamespaceHolder | undefined;
  private readonly logLines: string[] = [];
  private nickCounter = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly torBinary: string;
  private readonly startTimeoutMs: number;
  private readonly caseTimeoutMs: number;
  private readonly advertise: 'loopback' | 'public';

  private constructor(workDir: string, isolation: Isolation, options: OracleOptions) {
    this.workDir = workDir;
    this.casesDir = path.join(workDir, 'cases');
    this.isolation = isolation;
    this.torBinary = options.torBinary ?? findExecutable('tor') ?? 'tor';
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.caseTimeoutMs = options.caseTimeoutMs ?? 20_000;
    this.advertise = options.advertise ?? 'loopback';
    if (this.advertise === 'public' && isolation !== 'netns') {
      throw new Error('advertising a public address needs the private network namespace');
    }
  }

  /** Starts tor and waits until its control socket answers. */
  static async start(options: OracleOptions = {}): Promise<TorOracle> {
    installExitHook();
    const isolation = chooseIsolation(options.isolation ?? 'auto');
    if (isolation === 'loopback') {
      console.warn(
        'tor oracle: no private network namespace (needs root, unshare and ip); tor binds 127.0.0.1 only',
      );
    }
    const workDir = await mkdtemp(path.join(tmpdir(), 'exitkit-oracle-'));
    await chmod(workDir, 0o700);
    const oracle = new TorOracle(workDir, isolation, options);
    await mkdir(oracle.casesDir, { mode: 0o700 });
    await mkdir(path.join(workDir, 'data'), { mode: 0o700 });
    await writeFile(path.join(workDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    await oracle.writeSlots('ExitPolicyRejectPrivate 1\n', 'Nickname oracle0\n');
    try {
      if (isolation === 'netns') oracle.holder = await startNamespace();
      await writeFile(oracle.torCommand, oracle.torWrapperScript(), { mode: 0o755 });
      oracle.process = await oracle.launch();
    } catch (error) {
      await oracle.stop();
      throw error;
    }
    return oracle;
  }

  /**
   * An executable that runs tor in the oracle's network namespace: give it to
   * `verifyTorConfig` as `torBinary`, so that verify-config sees the same machine (the same
   * interfaces) as the oracle.
   */
  get torCommand(): string {
    return path.join(this.workDir, 'tor-in-oracle-namespace');
  }

  /** The addresses the relay advertises (what exitkit must take as the relay's own addresses). */
  get ownAddresses(): string[] {
    return this.advertise === 'public' ? [...NAMESPACE_PUBLIC_ADDRESSES] : ['127.0.0.1'];
  }

  /** The addresses of the machine tor sees (for exitkit's ExitPolicyRejectLocalInterfaces). */
  get interfaceAddresses(): string[] {
    if (this.isolation === 'netns') return ['127.0.0.1', '::1', ...NAMESPACE_PUBLIC_ADDRESSES];
    return Object.values(networkInterfaces()).flatMap((list) =>
      (list ?? []).map((entry) => entry.address.replace(/%.*$/, '')),
    );
  }

  private torWrapperScript(): string {
    const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;
    const run =
      this.holder === undefined
        ? `exec ${quote(this.torBinary)} "$@"`
        : `exec nsenter --net=/proc/${this.holder.pid}/ns/net -- ${quote(this.torBinary)} "$@"`;
    return `#!/bin/sh\n${run}\n`;
  }

  /** PID of the running tor (undefined between a crash and the next case). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The last lines tor logged, for failure messages. */
  recentLog(lines = 40): string {
    return this.logLines.slice(-lines).join('\n');
  }

  /**
   * Loads one case and returns tor's effective policy for it. Cases without a defaults file go
   * through `+LOADCONF`; cases with one are written into the files tor was started with and
   * loaded by RELOAD, the only way to give tor two configuration sources (LOADCONF has one).
   */
  evaluate(input: OracleInput, options: EvaluateOptions = {}): Promise<OracleAnswer> {
    // One case at a time: LOADCONF, rebuild and GETINFO of two cases must not interleave.
    const run = this.queue.then(() => this.evaluateNow(input, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(input: OracleInput, options: EvaluateOptions): Promise<OracleAnswer> {
    const started = performance.now();
    const via = input.defaultsTorrc === undefined ? 'loadconf' : 'reload';
    const finish = (answer: Omit<OracleAnswer, 'via' | 'ms'>): OracleAnswer => ({
      ...answer,
      via,
      ms: performance.now() - started,
    });
    const proc = await this.ensureRunning();
    const nickname = `x${(this.nickCounter += 1)}`;
    try {
      const result =
        via === 'loadconf'
          ? await this.viaLoadConf(proc, input, nickname)
          : await this.viaReload(proc, input, nickname, options.knownValid === true);
      return finish(result);
    } catch (error) {
      if (proc.hasExited() || (error instanceof TorControlError && error.code === 'TOR_CONTROL_CLOSED')) {
        await this.reap(proc);
        return finish({ outcome: 'crashed', message: `${errorText(error)}\n${this.recentLog(15)}` });
      }
      await this.reap(proc);
      return finish({ outcome: 'error', message: `${errorText(error)}\n${this.recentLog(15)}` });
    }
  }

  /** Stops tor (SIGTERM, then SIGKILL) and removes the work folder. */
  async stop(): Promise<void> {
    const proc = this.process;
    this.process = undefined;
    if (proc) await this.kill(proc);
    const holder = this.holder;
    this.holder = undefined;
    if (holder) await stopHolder(holder);
    await rm(this.workDir, { recursive: true, force: true });
  }

  private async viaLoadConf(
    proc: TorProcess,
    input: OracleInput,
    nickname: string,
  ): Promise<Omit<OracleAnswer, 'via' | 'ms'>> {
    const control = proc.control;
    // ExitPolicyRejectPrivate first: TestingTorNetwork turns its default off, and a value in
    // the case must still win. Nickname last: every case must change the descriptor.
    const body = `ExitPolicyRejectPrivate 1\n%include ${input.torrc}\nNickname ${nickname}\n`;
    const abort = new AbortController();
    const loadReply = control.repliesReceived + 1;
    const changed = control.waitForEvent(
      (event) => event.type === 'DESCCHANGED' && event.afterReplies >= loadReply,
      { timeoutMs: this.caseTimeoutMs, signal: abort.signal },
    );
    const reply = await control.command('LOADCONF', body, this.caseTimeoutMs);
    if (!isSuccess(reply)) {
      abort.abort();
      return { outcome: 'refused', status: reply.status, message: replyText(reply) };
    }
    return this.readPolicy(control, changed);
  }

  private async viaReload(
    proc: TorProcess,
    input: OracleInput,
    nickname: string,
    knownValid: boolean,
  ): Promise<Omit<OracleAnswer, 'via' | 'ms'>> {
    const control = proc.control;
    await this.writeSlots(
      `ExitPolicyRejectPrivate 1\n%include ${input.defaultsTorrc}\n`,
      `%include ${input.torrc}\nNickname ${nickname}\n`,
    );
    // A reload that fails makes tor exit, so only valid configurations are sent.
    if (!knownValid) {
      const verdict = await verifyTorConfig({
        torrc: this.slot('torrc'),
        defaultsTorrc: this.slot('defaults'),
        cwd: this.casesDir,
        torBinary: this.torCommand,
      });
      if (!verdict.valid) {
        return { outcome: 'refused', message: verdict.messages.join('\n') };
      }
    }
    // The reload happens after tor has answered SIGNAL; any rebuild announced after that
    // answer describes the new configuration (the previous case left the descriptor clean).
    const reloadReply = control.repliesReceived + 1;
    const changed = control.waitForEvent(
      (event) => event.type === 'DESCCHANGED' && event.afterReplies >= reloadReply,
      { timeoutMs: this.caseTimeoutMs },
    );
    await control.signal('RELOAD');
    const deadline = performance.now() + this.caseTimeoutMs;
    for (;;) {
      const nick = (await control.getConf(['Nickname'])).get('Nickname')?.[0];
      if (nick === nickname) break;
      if (performance.now() > deadline) throw new Error(`tor did not reload within ${this.caseTimeoutMs} ms`);
      await sleep(2);
    }
    return this.readPolicy(control, changed);
  }

  private async readPolicy(
    control: TorControl,
    changed: Promise<unknown>,
  ): Promise<Omit<OracleAnswer, 'via' | 'ms'>> {
    // Asking for an extra-info digest makes tor rebuild a dirty descriptor right away; the
    // key is unknown on purpose (the reply is an error), only the side effect matters.
    await control.command(`GETINFO extra-info/digest/${ZEROS}`);
    await changed;
    const full = await control.getInfoOne('exit-policy/full');
    return { outcome: 'policy', lines: full.split('\n').filter((line) => line !== '') };
  }

  private slot(name: 'torrc' | 'defaults'): string {
    return path.join(this.workDir, `slot-${name}`);
  }

  private async writeSlots(defaults: string, torrc: string): Promise<void> {
    await writeFile(this.slot('defaults'), defaults);
    await writeFile(this.slot('torrc'), torrc);
  }

  private async ensureRunning(): Promise<TorProcess> {
    if (this.process && !this.process.hasExited() && !this.process.control.isClosed) return this.process;
    if (this.process) await this.reap(this.process);
    this.restarts += 1;
    await this.writeSlots('ExitPolicyRejectPrivate 1\n', 'Nickname oracle0\n');
    this.process = await this.launch();
    return this.process;
  }

  private async reap(proc: TorProcess): Promise<void> {
    if (this.process === proc) this.process = undefined;
    await this.kill(proc);
  }

  private async kill(proc: TorProcess): Promise<void> {
    proc.control.close();
    if (!proc.hasExited()) {
      try {
        process.kill(proc.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const stopped = await Promise.race([proc.exited.then(() => true), sleep(3000).then(() => false)]);
      if (!stopped) {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await proc.exited;
      }
    }
    livePids.delete(proc.pid);
  }

  private listenerOptions(orPort: number): Array<[string, string]> {
    if (this.advertise === 'loopback') {
      return [
        ['ORPort', `127.0.0.1:${orPort}`],
        ['Address', '127.0.0.1'],
      ];
    }
    const [v4, v6] = NAMESPACE_PUBLIC_ADDRESSES;
    return [
      ['ORPort', `${v4}:${orPort}`],
      ['ORPort', `[${v6}]:${orPort}`],
      ['Address', `${v4}`],
      ['Address', `${v6}`],
    ];
  }

  private torArguments(controlSocket: string, orPort: number): string[] {
    const pinned: Array<[string, string]> = [
      ['DataDirectory', path.join(this.workDir, 'data')],
      ['TestingTorNetwork', '1'],
      ['DirAuthority', `test orport=19999 no-v2 v3ident=${ZEROS} 127.0.0.1:19998 ${ZEROS}`],
      ...this.listenerOptions(orPort),
      ['AssumeReachable', '1'],
      ['PublishServerDescriptor', '0'],
      ['ControlSocket', controlSocket],
      ['CookieAuthentication', '0'],
      ['ServerDNSDetectHijacking', '0'],
      ['ServerDNSResolvConfFile', path.join(this.workDir, 'resolv.conf')],
      ['RunAsDaemon', '0'],
      ['Log', 'notice stdout'],
      ['__OwningControllerProcess', String(process.pid)],
      ['ClientOnly', '0'],
      ['DisableNetwork', '0'],
      ['UseBridges', '0'],
    ];
    for (const port of [
      'SocksPort',
      'ControlPort',
      'DirPort',
      'DNSPort',
      'TransPort',
      'NATDPort',
      'HTTPTunnelPort',
      'ExtORPort',
    ]) {
      pinned.push([port, '0']);
    }
    return [
      '-f',
      this.slot('torrc'),
      '--defaults-torrc',
      this.slot('defaults'),
      ...pinned.flatMap(([key, value]) => [`--${key}`, value]),
    ];
  }

  private async launch(): Promise<TorProcess> {
    const controlSocket = path.join(this.workDir, 'control');
    await rm(controlSocket, { force: true });
    const orPort = this.isolation === 'netns' ? 9001 : await freePort();
    const torArgs = this.torArguments(controlSocket, orPort);
    // nsenter execs tor in place, so the PID we hold is tor's own.
    const child =
      this.holder !== undefined
        ? spawn('nsenter', [`--net=/proc/${this.holder.pid}/ns/net`, '--', this.torBinary, ...torArgs], {
            cwd: this.casesDir,
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(this.torBinary, torArgs, { cwd: this.casesDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        resolve();
      });
      child.once('error', (error) => {
        this.logLines.push(`spawn failed: ${error.message}`);
        exited = true;
        resolve();
      });
    });
    if (child.pid === undefined) {
      await exitedPromise;
      throw new Error(`could not start tor: ${this.recentLog(5)}`);
    }
    const pid = child.pid;
    livePids.add(pid);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line !== '') this.logLines.push(line);
        if (this.logLines.length > 400) this.logLines.splice(0, this.logLines.length - 300);
      });
    }
    const hasExited = (): boolean => exited;
    try {
      const control = await this.connectWhenReady(controlSocket, hasExited);
      await control.request('TAKEOWNERSHIP');
      await control.setEvents(['DESCCHANGED']);
      return { child, pid, control, exited: exitedPromise, hasExited };
    } catch (error) {
      if (!exited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exitedPromise;
      livePids.delete(pid);
      throw new Error(`tor did not start: ${errorText(error)}\n${this.recentLog(20)}`);
    }
  }

  private async connectWhenReady(socket: string, hasExited: () => boolean): Promise<TorControl> {
    const deadline = performance.now() + this.startTimeoutMs;
    for (;;) {
      if (hasExited()) throw new Error('tor exited during start-up');
      try {
        return await connectAndAuthenticate(
          { kind: 'unix', path: socket },
          {},
          { connectTimeoutMs: 2000, commandTimeoutMs: this.caseTimeoutMs },
        );
      } catch (error) {
        if (!(error instanceof TorControlError) || error.code !== 'TOR_CONTROL_CONNECT') throw error;
        if (performance.now() > deadline) throw error;
        await sleep(50);
      }
    }
  }
}

/**
 * Documentation addresses given to a dummy interface in the namespace, so that tor (and
 * exitkit) see a machine with public addresses, as on a real relay. The namespace has no
 * route anywhere; these addresses reach nothing.
 */
const NAMESPACE_PUBLIC_ADDRESSES = ['198.51.100.7', '2001:db8:7::7'];

interface NamespaceHolder {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
}

/** Starts a process that owns a fresh network namespace: loopback up, one extra interface. */
async function startNamespace(): Promise<NamespaceHolder> {
  const script = [
    'set -e',
    'ip link set lo up',
    // A dummy interface where the kernel has the module, else a veth pair kept inside.
    'if ! ip link add exitkit0 type dummy 2>/dev/null; then',
    '  ip link add exitkit0 type veth peer name exitkit1',
    '  ip link set exitkit1 up',
    'fi',
    `ip addr add ${NAMESPACE_PUBLIC_ADDRESSES[0]}/24 dev exitkit0`,
    `ip -6 addr add ${NAMESPACE_PUBLIC_ADDRESSES[1]}/64 dev exitkit0 nodad`,
    'ip link set exitkit0 up',
    'echo ready',
    // Lives as long as this test process, even if that is killed without clean-up.
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
  ].join('\n');
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('could not start unshare');
  const pid = child.pid;
  livePids.add(pid);
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  if (!ready) {
    livePids.delete(pid);
    throw new Error(`could not set up a private network namespace: ${errors.trim()}`);
  }
  return { child, pid, exited };
}

async function stopHolder(holder: NamespaceHolder): Promise<void> {
  if (holder.child.exitCode === null && holder.child.signalCode === null) {
    try {
      process.kill(holder.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await holder.exited;
  }
  livePids.delete(holder.pid);
}

function chooseIsolation(wanted: 'auto' | Isolation): Isolation {
  if (wanted === 'loopback') return 'loopback';
  const possible =
    process.getuid?.() === 0 &&
    findExecutable('unshare') !== undefined &&
    findExecutable('nsenter') !== undefined &&
    findExecutable('ip') !== undefined;
  if (wanted === 'netns' && !possible) {
    throw new Error('a private network namespace needs root, unshare and nsenter (util-linux) and ip (iproute2)');
  }
  return possible ? 'netns' : 'loopback';
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// ---------------------------------------------------------------------------------------
// Removing options that could reach the network or write outside the test folders.

const UNSAFE_PATTERNS: readonly RegExp[] = [
  /port$/i, // every listener: ORPort, DirPort, SocksPort, ControlPort, DNSPort, MetricsPort, ...
  /^__/, // hidden listener and controller options
  /addr(ess)?$/i, // Address, OutboundBindAddress*, ServerTransportListenAddr, *ListenAddress
  /^outboundbindaddress/i,
  /^(bridge|usebridges|updatebridgesfromauthority)$/i,
  /transport/i, // ClientTransportPlugin, ServerTransportPlugin, ServerTransportOptions
  /^hiddenservice/i,
  /proxy/i, // HTTPProxy, HTTPSProxy, Socks4Proxy, Socks5Proxy*, TCPProxy, *ProxyAuthenticator
  /authority$/i, // DirAuthority, AlternateDirAuthority, AlternateBridgeAuthority
  /^(dirserver|fallbackdir|usedefaultfallbackdirs)$/i,
  /directory(groupreadable)?$/i, // DataDirectory, CacheDirectory, KeyDirectory, FamilyKeyDirectory
  /^(log|truncatelogfile|syslogidentitytag)$/i,
  /^(pidfile|runasdaemon|user|sandbox|noexec|keepbindcapabilities)$/i,
  /^(controlsocket|controlsocketsgroupwritable|controlportwritetofile)$/i,
  /^(cookieauthfile|cookieauthentication|extorportcookieauthfile|hashedcontrolpassword)$/i,
  /^testing/i,
  /^(clientonly|disablenetwork)$/i,
  /^serverdns/i,
  /^(geoipfile|geoipv6file|guardfractionfile|v3bandwidthsfile|dirportfrontpage)$/i,
  /^(hardwareaccel|accelname|acceldir|disableallswap|disabledebuggerattachment)$/i,
  /^(publishserverdescriptor|assumereachable)$/i,
];

/** True when a torrc key (any case, prefix `+`/`/` removed) names an option the oracle must not see. */
export function isUnsafeOption(key: string): boolean {
  const bare = key.replace(/^[+/]/, '');
  return UNSAFE_PATTERNS.some((pattern) => pattern.test(bare));
}

/** One logical entry as tor's lexer delimits it: `[start, end)` covers its physical lines. */
export interface LexedEntry {
  /** The key as written (with `+`/`/` prefix). */
  key: string;
  /** Offset of the key. */
  start: number;
  /** Offset after the entry's last line (after its newline, or the end of the text). */
  end: number;
}

/**
 * Splits torrc text into entries the way tor's `parse_config_line_from_str_verbose` walks it
 * (only the extent of each entry; values are not decoded). Used to remove whole entries.
 */
export function lexEntries(text: string): LexedEntry[] {
  const entries: LexedEntry[] = [];
  const isSpace = (c: string | undefined): boolean =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
  let i = 0;
  for (;;) {
    // Skip whitespace and comment lines before a key.
    for (;;) {
      while (isSpace(text[i])) i += 1;
      if (text[i] === '#') {
        while (i < text.length && text[i] !== '\n') i += 1;
      } else {
        break;
      }
    }
    if (i >= text.length) return entries;
    const start = i;
    while (
      i < text.length &&
      !isSpace(text[i]) &&
      text[i] !== '#' &&
      !(text[i] === '\\' && text[i + 1] === '\n')
    ) {
      i += 1;
    }
    const key = text.slice(start, i);
    while (text[i] === ' ' || text[i] === '\t') i += 1;
    if (text[i] === '"') {
      // Quoted values never continue; the entry ends with its line.
      while (i < text.length && text[i] !== '\n') i += 1;
    } else {
      let continuation = false;
      while (i < text.length && text[i] !== '\n' && (text[i] !== '#' || continuation)) {
        if (text[i] === '\\' && text[i + 1] === '\n') {
          continuation = true;
          i += 2;
        } else if (text[i] === '#') {
          while (i < text.length && text[i] !== '\n') i += 1;
          if (text[i] === '\n') i += 1;
        } else {
          i += 1;
        }
      }
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i += 1;
    }
    if (text[i] === '\n') i += 1;
    entries.push({ key, start, end: i });
  }
}

/**
 * Removes every entry whose option could reach the network or write elsewhere, replacing it
 * with a comment line so the file stays readable. Returns the new text and the removed keys.
 */
export function stripUnsafeOptions(text: string): { text: string; removed: string[] } {
  const removed: string[] = [];
  let out = '';
  let last = 0;
  for (const entry of lexEntries(text)) {
    if (entry.key === '%include' || !isUnsafeOption(entry.key)) continue;
    removed.push(entry.key);
    out += text.slice(last, entry.start);
    out += `# removed by the test harness: ${entry.key.replace(/[^\x20-\x7e]/g, '?')}\n`;
    last = entry.end;
  }
  out += text.slice(last);
  return { text: out, removed };
}

/** The listener a sanitised relay configuration keeps (the oracle replaces it with its own). */
export const LOOPBACK_ORPORT = 'ORPort 127.0.0.1:9001';

/**
 * A real-world torrc as tor and exitkit both get it in differential tests: unsafe options
 * removed, and the first ORPort replaced by a loopback one, so that relays and bridges stay
 * relays and bridges (a bridge without ORPort is invalid).
 */
export function sanitiseRelayTorrc(text: string): { text: string; removed: string[] } {
  const { removed } = stripUnsafeOptions(text);
  let out = '';
  let last = 0;
  let orPortKept = false;
  for (const entry of lexEntries(text)) {
    if (entry.key === '%include' || !isUnsafeOption(entry.key)) continue;
    out += text.slice(last, entry.start);
    if (!orPortKept && /^[+/]?orport$/i.test(entry.key)) {
      orPortKept = true;
      out += `${LOOPBACK_ORPORT}\n`;
    } else {
      out += `# removed by the test harness: ${entry.key.replace(/[^\x20-\x7e]/g, '?')}\n`;
    }
    last = entry.end;
  }
  out += text.slice(last);
  return { text: out, removed };
}
