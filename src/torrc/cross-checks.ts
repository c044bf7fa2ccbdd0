/**
 * Tor's checks across options: everything `tor --verify-config` refuses after every line has
 * been read, as far as it depends only on the text of the configuration. Each rule is Tor
 * 0.4.9.11's, in its order: `options_validate_cb` (src/app/config/config.c) and the module
 * checks it calls, `options_validate_relay_*` (src/feature/relay/relay_config.c),
 * `options_validate_server_transport` (src/feature/relay/transport_config.c),
 * `accounting_parse_options` (src/feature/hibernate/hibernate.c), `options_init_logs` and
 * `parse_log_severity_config` (src/lib/log/log.c), `hs_config_service_all`
 * (src/feature/hs/hs_config.c), `crypto_options_validate`, `dirauth_options_validate`, and
 * the parts of `options_act` that fail for `--verify-config` (duplicate outbound addresses).
 * Listener lines are read in ports.ts.
 *
 * Options are read with Tor's values: an unset option has its default (the testing-network
 * defaults when `TestingTorNetwork 1`), an option set to an empty value is 0/empty.
 *
 * Deliberately not modelled (they depend on the machine, or on the command line, or belong
 * to another layer):
 * - hostnames in listener, proxy and transport lines, and in `Address` (resolved by the
 *   system when tor starts; reported as warnings);
 * - `User` (the account must exist), `DataDirectory`/`KeyDirectory`/`CacheDirectory`
 *   permissions and length, `HiddenServiceDir` permissions, `ClientOnionAuthDir`,
 *   `HiddenServiceOnionBalanceInstance` (reads a file), `GeoIPFile`, `V3BandwidthsFile`,
 *   `GuardfractionFile`, `DisableAllSwap` and `Sandbox` support;
 * - directory authority mode beyond its basic requirements: the address Tor guesses for
 *   itself, the voting schedule (`V3Auth*`, `TestingV3AuthInitial*`),
 *   `MinimalAcceptedServerVersion`, `RecommendedVersions`;
 * - `DirAuthority`, `AlternateDirAuthority`, `AlternateBridgeAuthority` and `FallbackDir`
 *   line syntax (only whether they are set counts here);
 * - address-policy items in `SocksPolicy`, `DirPolicy`, `Reachable*Addresses`,
 *   `AuthDir*` and in node-list entries that contain `.`, `:` or `*` (the policy layer's
 *   parser reads that grammar), and `VirtualAddrNetworkIPv4`/`IPv6`;
 * - `__OwningControllerProcess` and other hidden controller options.
 */
import type { ConfigLine } from '../types.js';
import { TorrcError, quote, type TorrcErrorCode } from './errors.js';
import { TOR_OPTIONS, type OptionType } from './options.js';
import { extractPortTarget, lookupAddressPort, parseAddressPort, parseListeners, parseTorAddress, type Listeners } from './ports.js';
import { base16Decode, base64DecodedLength, cString, eatWhitespace, findWhitespace, isCIdentifier, isKeyValue, isStrictUtf8, splitString } from './tor-strings.js';
import { checkTypedValue, cStrtol, isLegalNickname, parseUnits, torParseDouble, torParseLong } from './values.js';

/** What the checks read: Tor's view of the options after every line, and the bytes of a value. */
export interface CrossCheckInput {
  /** The lines of a list option (`ORPortLines`, `HiddenServiceOptions` give the whole shared list). */
  lines(option: string): readonly ConfigLine[];
  /** The line that sets a single-value option (the last one), or undefined when unset. */
  value(option: string): ConfigLine | undefined;
  /** The bytes Tor holds for a line's value (default: its UTF-8 encoding). */
  bytes?(line: ConfigLine): Uint8Array;
}

/** Defaults (`option_vars_` and the module tables) of every option these checks read; null is NULL. */
const DEFAULTS: Readonly<Record<string, string | null>> = {
  AccelDir: null,
  AccelName: null,
  AccountingMax: '0',
  AccountingRule: 'max',
  AccountingStart: null,
  AssumeReachable: '0',
  AssumeReachableIPv6: 'auto',
  AuthDirVoteGuardBwThresholdFraction: '0.75',
  AuthoritativeDirectory: '0',
  BandwidthBurst: '1 GB',
  BandwidthRate: '1 GB',
  BridgeAuthoritativeDir: '0',
  BridgeDistribution: null,
  BridgeRelay: '0',
  CircuitPadding: '1',
  CircuitsAvailableTimeout: '0',
  ClientBootstrapConsensusMaxInProgressTries: '3',
  ClientDNSRejectInternalAddresses: '1',
  ClientOnly: '0',
  ClientUseIPv4: '1',
  ConfluxClientUX: 'throughput',
  ConnectionPadding: 'auto',
  ConnLimit: '1000',
  ConstrainedSockets: '0',
  ConstrainedSockSize: '8192',
  ContactInfo: null,
  ControlSocketsGroupWritable: '0',
  DirCache: '1',
  DisableNetwork: '0',
  DormantClientTimeout: '24 hours',
  ExitRelay: 'auto',
  FascistFirewall: '0',
  FetchDirInfoEarly: '0',
  FetchDirInfoExtraEarly: '0',
  FirewallPorts: '',
  HiddenServiceNonAnonymousMode: '0',
  HiddenServiceSingleHopMode: '0',
  HTTPProxy: null,
  HTTPProxyAuthenticator: null,
  HTTPSProxy: null,
  HTTPSProxyAuthenticator: null,
  IPv6Exit: '0',
  KeepalivePeriod: '5 minutes',
  KISTSchedRunInterval: '0 msec',
  KISTSockBufSizeFactor: '1.0',
  LogTimeGranularity: '1 second',
  LongLivedPorts: '21,22,706,1863,5050,5190,5222,5223,6523,6667,6697,8300',
  MaxAdvertisedBandwidth: '1 GB',
  MaxClientCircuitsPending: '32',
  NoExec: '0',
  NumEntryGuards: '0',
  NumPrimaryGuards: '0',
  PathBiasExtremeRate: '-1',
  PathBiasExtremeUseRate: '-1',
  PathBiasNoticeRate: '-1',
  PathBiasNoticeUseRate: '-1',
  PathBiasWarnRate: '-1',
  PerConnBWBurst: '0',
  PerConnBWRate: '0',
  PublishServerDescriptor: '1',
  ReducedCircuitPadding: '0',
  ReducedConnectionPadding: '0',
  ReducedExitPolicy: '0',
  RejectPlaintextPorts: '',
  RelayBandwidthBurst: '0',
  RelayBandwidthRate: '0',
  RunAsDaemon: '0',
  SafeLogging: '1',
  Sandbox: '0',
  Schedulers: 'KIST,KISTLite,Vanilla',
  SigningKeyLifetime: '30 days',
  Socks4Proxy: null,
  Socks5Proxy: null,
  Socks5ProxyPassword: null,
  Socks5ProxyUsername: null,
  TCPProxy: null,
  TestingAuthDirTimeToLearnReachability: '30 minutes',
  TestingAuthKeyLifetime: '2 days',
  TestingAuthKeySlop: '3 hours',
  TestingBridgeBootstrapDownloadInitialDelay: '0',
  TestingBridgeDownloadInitialDelay: '10800',
  TestingClientConsensusDownloadInitialDelay: '0',
  TestingClientDownloadInitialDelay: '0',
  TestingClientMaxIntervalWithoutRequest: '10 minutes',
  TestingDirConnectionMaxStall: '5 minutes',
  TestingEnableCellStatsEvent: '0',
  TestingEnableConnBwEvent: '0',
  TestingLinkCertLifetime: '2 days',
  TestingLinkKeySlop: '3 hours',
  TestingMinTimeToReportBandwidth: '1 day',
  TestingServerConsensusDownloadInitialDelay: '0',
  TestingServerDownloadInitialDelay: '0',
  TestingSigningKeySlop: '1 day',
  TestingTorNetwork: '0',
  TestingV3AuthInitialDistDelay: '5 minutes',
  TestingV3AuthInitialVoteDelay: '5 minutes',
  TestingV3AuthInitialVotingInterval: '30 minutes',
  TestingV3AuthVotingStartOffset: '0',
  TokenBucketRefillInterval: '100 msec',
  TransProxyType: 'default',
  UseBridges: '0',
  UseEntryGuards: '1',
  V3AuthoritativeDirectory: '0',
  WarnPlaintextPorts: '23,109,110,143',
  ___UsingTestNetworkDefaults: '0',
};

/** What `TestingTorNetwork 1` changes in the defaults (src/app/config/testnet.inc), for the options read here. */
const TESTING_DEFAULTS: Readonly<Record<string, string>> = {
  ClientDNSRejectInternalAddresses: '0',
  TestingV3AuthInitialVotingInterval: '150 seconds',
  TestingV3AuthInitialVoteDelay: '20 seconds',
  TestingV3AuthInitialDistDelay: '20 seconds',
  TestingAuthDirTimeToLearnReachability: '0 minutes',
  TestingMinTimeToReportBandwidth: '0 seconds',
  TestingServerDownloadInitialDelay: '0',
  TestingClientDownloadInitialDelay: '0',
  TestingServerConsensusDownloadInitialDelay: '0',
  TestingClientConsensusDownloadInitialDelay: '0',
  TestingBridgeDownloadInitialDelay: '10',
  TestingBridgeBootstrapDownloadInitialDelay: '0',
  TestingClientMaxIntervalWithoutRequest: '5 seconds',
  TestingDirConnectionMaxStall: '30 seconds',
  TestingEnableConnBwEvent: '1',
  TestingEnableCellStatsEvent: '1',
  ___UsingTestNetworkDefaults: '1',
};

/** Options that may only differ from their default in a testing network (`CHECK_DEFAULT`). */
const TESTING_ONLY = [
  'TestingV3AuthInitialVotingInterval',
  'TestingV3AuthInitialVoteDelay',
  'TestingV3AuthInitialDistDelay',
  'TestingV3AuthVotingStartOffset',
  'TestingAuthDirTimeToLearnReachability',
  'TestingServerDownloadInitialDelay',
  'TestingClientDownloadInitialDelay',
  'TestingServerConsensusDownloadInitialDelay',
  'TestingClientConsensusDownloadInitialDelay',
  'TestingBridgeDownloadInitialDelay',
  'TestingBridgeBootstrapDownloadInitialDelay',
  'TestingClientMaxIntervalWithoutRequest',
  'TestingDirConnectionMaxStall',
  'TestingAuthKeyLifetime',
  'TestingLinkCertLifetime',
  'TestingSigningKeySlop',
  'TestingAuthKeySlop',
  'TestingLinkKeySlop',
  'TestingMinTimeToReportBandwidth',
] as const;

const RELAY_REQUIRED_MIN_BANDWIDTH = 75n * 1024n;
const BRIDGE_REQUIRED_MIN_BANDWIDTH = 50n * 1024n;
const ROUTER_MAX_DECLARED_BANDWIDTH = 2147483647n;

/** Tor's values of the options, with defaults; reading a value records nothing. */
class Options {
  constructor(
    private readonly input: CrossCheckInput,
    private readonly testing: boolean,
  ) {}

  /** The line that set the option, if any. */
  line(name: string): ConfigLine | undefined {
    return this.input.value(name);
  }

  /** The value as a C string, or null for NULL (unset with no default, or set to empty). */
  text(name: string): string | null {
    const line = this.input.value(name);
    if (line) return line.value === '' ? null : line.value;
    if (this.testing && name in TESTING_DEFAULTS) return TESTING_DEFAULTS[name] as string;
    if (!(name in DEFAULTS)) throw new Error(`no default recorded for ${name}`);
    return DEFAULTS[name] as string | null;
  }

  bool(name: string): boolean {
    return this.text(name) === '1';
  }

  /** Boolean+auto: -1 for auto. */
  autobool(name: string): -1 | 0 | 1 {
    const text = this.text(name)?.toLowerCase();
    return text === 'auto' ? -1 : text === '1' ? 1 : 0;
  }

  int(name: string): number {
    const text = this.text(name);
    return text === null ? 0 : Number(torParseLong(text, -2147483648n, 2147483647n) ?? 0n);
  }

  double(name: string): number {
    const text = this.text(name);
    return text === null ? 0 : (torParseDouble(text) ?? 0);
  }

  /** A data size in bytes. */
  dataSize(name: string): bigint {
    const text = this.text(name);
    if (text === null) return 0n;
    const parsed = parseUnits(text, 'memory');
    return typeof parsed === 'bigint' ? parsed : 0n;
  }

  /** A time interval in seconds (the legacy comma list keeps its first element). */
  seconds(name: string): number {
    const text = this.text(name);
    if (text === null) return 0;
    const parsed = parseUnits(text.split(',', 1)[0] ?? '', 'seconds');
    return typeof parsed === 'bigint' ? Number(parsed) : 0;
  }

  milliseconds(name: string): number {
    const text = this.text(name);
    if (text === null) return 0;
    const parsed = parseUnits(text, 'milliseconds');
    return typeof parsed === 'bigint' ? Number(parsed) : 0;
  }

  /** A comma list (CSV type), or null. */
  csv(name: string): string[] | null {
    const text = this.text(name);
    return text === null ? null : splitString(text, ',', { skipSpace: true, ignoreBlank: true });
  }

  lines(name: string): readonly ConfigLine[] {
    return this.input.lines(name);
  }
}

interface Report {
  error(code: TorrcErrorCode, message: string, line: ConfigLine | undefined, hint: string): void;
  warning(code: TorrcErrorCode, message: string, line: ConfigLine | undefined, hint: string): void;
}

/** Runs every cross-option check; returns errors (Tor refuses the configuration) and warnings. */
export function checkCrossOptions(input: CrossCheckInput): TorrcError[] {
  const problems: TorrcError[] = [];
  const make = (severity: 'error' | 'warning') => (code: TorrcErrorCode, message: string, line: ConfigLine | undefined, hint: string) => {
    problems.push(
      new TorrcError(code, message, {
        location: line?.location,
        input: line?.value,
        pos: line ? [0, line.value.length] : undefined,
        hint,
        severity,
      }),
    );
  };
  const report: Report = { error: make('error'), warning: make('warning') };
  const testingLine = input.value('TestingTorNetwork');
  const o = new Options(input, testingLine?.value === '1');

  const listeners = parseListeners({
    lines: (name) => input.lines(name),
    clientOnly: o.bool('ClientOnly'),
    bridgeRelay: o.bool('BridgeRelay'),
  });
  problems.push(...listeners.errors, ...listeners.warnings);
  const serverMode = !o.bool('ClientOnly') && listeners.set.OR;
  const publicServer = serverMode && !o.bool('BridgeRelay');
  const state = { useEntryGuards: o.bool('UseEntryGuards'), dirPortSet: listeners.set.Dir };

  if (o.bool('ControlSocketsGroupWritable') && o.lines('ControlSocket').length === 0) {
    report.error('TORRC_OPTIONS_CONFLICT', 'ControlSocketsGroupWritable is set but there is no ControlSocket', o.line('ControlSocketsGroupWritable'), 'add a ControlSocket line or remove ControlSocketsGroupWritable');
  }
  checkOutboundAddresses(o, report);
  checkRelativePaths(o, report);
  checkRelayInfo(o, input, report);
  checkLogs(o, report);
  checkAddressLines(o, report);
  checkTransProxy(o, listeners, report);
  if (o.milliseconds('TokenBucketRefillInterval') <= 0 || o.milliseconds('TokenBucketRefillInterval') > 1000) {
    report.error('TORRC_OUT_OF_RANGE', 'TokenBucketRefillInterval must be between 1 and 1000 milliseconds', o.line('TokenBucketRefillInterval'), 'use e.g. TokenBucketRefillInterval 100 msec');
  }
  if (o.bool('AssumeReachable') && o.autobool('AssumeReachableIPv6') === 0) {
    report.error('TORRC_OPTIONS_CONFLICT', 'AssumeReachable 1 cannot be combined with AssumeReachableIPv6 0', o.line('AssumeReachableIPv6') ?? o.line('AssumeReachable'), 'set AssumeReachableIPv6 to 1 or auto, or AssumeReachable to 0');
  }
  checkNodeLists(o, report);
  if (o.bool('AuthoritativeDirectory')) checkAuthorityMode(o, listeners, state, report);
  if (o.bool('FetchDirInfoExtraEarly') && !o.bool('FetchDirInfoEarly')) {
    report.error('TORRC_OPTIONS_CONFLICT', 'FetchDirInfoExtraEarly needs FetchDirInfoEarly', o.line('FetchDirInfoExtraEarly'), 'add FetchDirInfoEarly 1');
  }
  if (o.int('ConnLimit') <= 0) report.error('TORRC_OUT_OF_RANGE', 'ConnLimit must be greater than 0', o.line('ConnLimit'), 'remove the line (the default is 1000)');
  const pending = o.int('MaxClientCircuitsPending');
  if (pending <= 0 || pending > 1024) {
    report.error('TORRC_OUT_OF_RANGE', `MaxClientCircuitsPending must be between 1 and 1024, not ${pending}`, o.line('MaxClientCircuitsPending'), 'remove the line (the default is 32)');
  }
  for (const name of ['FirewallPorts', 'LongLivedPorts', 'RejectPlaintextPorts', 'WarnPlaintextPorts']) {
    const bad = (o.csv(name) ?? []).find((item) => {
      const port = atoi(item);
      return port < 1 || port > 65535;
    });
    if (bad !== undefined) report.error('TORRC_OUT_OF_RANGE', `${name} lists ${quote(bad)}, which is not a port from 1 to 65535`, o.line(name), 'list ports separated by commas, e.g. 80,443');
  }
  checkClientServerConflicts(o, serverMode, state, report);
  checkChoices(o, report);
  checkPublishServer(o, report);
  if (serverMode) checkRelayPadding(o, report);
  checkSingleOnion(o, listeners, state, report);
  if (o.seconds('CircuitsAvailableTimeout') > 24 * 60 * 60) {
    report.error('TORRC_OUT_OF_RANGE', 'CircuitsAvailableTimeout is above 24 hours', o.line('CircuitsAvailableTimeout'), 'use at most 24 hours');
  }
  checkGuards(o, state, report);
  if (o.seconds('DormantClientTimeout') < 600 && !o.bool('TestingTorNetwork')) {
    report.error('TORRC_OUT_OF_RANGE', 'DormantClientTimeout must be at least 10 minutes', o.line('DormantClientTimeout'), 'use at least 10 minutes (the default is 24 hours)');
  }
  for (const name of ['PathBiasNoticeRate', 'PathBiasWarnRate', 'PathBiasExtremeRate', 'PathBiasNoticeUseRate', 'PathBiasExtremeUseRate']) {
    if (o.double(name) > 1.0) report.error('TORRC_OUT_OF_RANGE', `${name} must be between 0 and 1.0`, o.line(name), 'use a fraction such as 0.5');
  }
  if (o.seconds('KeepalivePeriod') < 1) report.error('TORRC_OUT_OF_RANGE', 'KeepalivePeriod must be positive', o.line('KeepalivePeriod'), 'remove the line (the default is 5 minutes)');
  checkBandwidth(o, serverMode, publicServer, report);
  checkAccounting(o, report);
  checkRelayMode(o, listeners, state, report);
  checkProxies(o, report);
  checkControlPasswords(o, report);
  checkBridges(o, report);
  checkTransports(o, serverMode, report);
  if (o.bool('ConstrainedSockets')) {
    const size = o.dataSize('ConstrainedSockSize');
    if (size < 2048n || size > 262144n || size % 1024n !== 0n) {
      report.error('TORRC_OUT_OF_RANGE', 'ConstrainedSockSize must be between 2048 and 262144 bytes, in steps of 1024', o.line('ConstrainedSockSize') ?? o.line('ConstrainedSockets'), 'use e.g. ConstrainedSockSize 8 KB');
    }
  }
  checkHiddenServices(o, report);
  checkTesting(o, report);
  checkSchedulers(o, report);
  if (o.text('AccelDir') !== null && o.text('AccelName') === null) {
    report.error('TORRC_OPTIONS_CONFLICT', 'AccelDir is set without AccelName', o.line('AccelDir'), 'add AccelName (the OpenSSL engine) or remove AccelDir');
  }
  const fraction = o.double('AuthDirVoteGuardBwThresholdFraction');
  if (fraction > 1.0 || fraction < 0.0) {
    report.error('TORRC_OUT_OF_RANGE', 'AuthDirVoteGuardBwThresholdFraction must be between 0 and 1', o.line('AuthDirVoteGuardBwThresholdFraction'), 'use a fraction such as 0.75');
  }
  if (o.bool('BridgeRelay') && !(o.autobool('ExitRelay') === 0 || usingDefaultExitOptions(o))) {
    report.warning('TORRC_INEFFECTIVE_OPTION', 'a bridge never works as an exit, whatever ExitRelay and ExitPolicy say', o.line('BridgeRelay'), 'set ExitRelay 0 on a bridge');
  }
  return problems;
}

/** glibc `atoi`: strtol truncated to int. */
function atoi(text: string): number {
  const scan = cStrtol(text);
  return Number(BigInt.asIntN(32, scan.value));
}

function usingDefaultExitOptions(o: Options): boolean {
  return o.lines('ExitPolicy').length === 0 && o.autobool('ExitRelay') === -1 && !o.bool('ReducedExitPolicy') && !o.bool('IPv6Exit');
}

// parse_outbound_addresses, in validation (unreadable addresses) and again in options_act
// (a second non-null address of a family for the same purpose).
function checkOutboundAddresses(o: Options, report: Report): void {
  for (const name of ['OutboundBindAddress', 'OutboundBindAddressOR', 'OutboundBindAddressExit', 'OutboundBindAddressPT']) {
    const stored = new Set<number>();
    for (const line of o.lines(name)) {
      const address = parseTorAddress(cString(line.value));
      if (!address) {
        report.error('TORRC_BAD_ADDRESS', `${name} ${quote(line.value)} is not an IP address`, line, 'give one IPv4 or IPv6 address, without a port');
        break;
      }
      if (stored.has(address.family)) {
        report.error('TORRC_BAD_ADDRESS', `${name} is set twice for IPv${address.family}`, line, `keep one ${name} line per address family`);
        break;
      }
      if (address.address !== 0n) stored.add(address.family);
    }
  }
}

// warn_about_relative_paths: FILENAME options and HiddenServiceDir; fatal with RunAsDaemon.
function checkRelativePaths(o: Options, report: Report): void {
  const relative: ConfigLine[] = [];
  for (const option of TOR_OPTIONS) {
    if (option.type !== 'FILENAME') continue;
    const line = o.line(option.name);
    if (line && line.value !== '' && !line.value.startsWith('/')) relative.push(line);
  }
  for (const line of o.lines('HiddenServiceOptions')) {
    if (line.option === 'HiddenServiceDir' && !line.value.startsWith('/')) relative.push(line);
  }
  const daemon = o.bool('RunAsDaemon');
  for (const line of relative) {
    const message = `${line.option} ${quote(line.value)} is a relative path, resolved against tor's working directory`;
    if (daemon) report.error('TORRC_RELATIVE_PATH', `${message}, which RunAsDaemon 1 does not allow`, line, 'use an absolute path (~ counts as relative here)');
    else report.warning('TORRC_RELATIVE_PATH', message, line, 'use an absolute path');
  }
}

// options_validate_relay_info: the Nickname is checked in validate.ts; ContactInfo must be UTF-8.
function checkRelayInfo(o: Options, input: CrossCheckInput, report: Report): void {
  const contact = o.line('ContactInfo');
  if (!contact || contact.value === '') return;
  const bytes = input.bytes ? input.bytes(contact) : Buffer.from(contact.value, 'utf8');
  const nul = bytes.indexOf(0);
  if (!isStrictUtf8(nul === -1 ? bytes : bytes.subarray(0, nul))) {
    report.error('TORRC_BAD_CONTACT_INFO', 'ContactInfo is not valid UTF-8', contact, 'save the torrc as UTF-8, or write the contact in plain ASCII');
  }
}

const LOG_DOMAINS = [
  'GENERAL', 'CRYPTO', 'NET', 'CONFIG', 'FS', 'PROTOCOL', 'MM', 'HTTP', 'APP', 'CONTROL', 'CIRC', 'REND', 'BUG', 'DIR', 'DIRSERV',
  'OR', 'EDGE', 'ACCT', 'HIST', 'HANDSHAKE', 'HEARTBEAT', 'CHANNEL', 'SCHED', 'GUARD', 'CONSDIFF', 'DOS', 'PROCESS', 'PT', 'BTRACK', 'MESG',
];
const LOG_LEVELS = ['err', 'warn', 'notice', 'info', 'debug'];

/**
 * Why Tor refuses a `Log` value, or undefined. Grammar (`parse_log_severity_config`, then
 * `options_init_logs`):
 * ```
 * log      ::= ranges [ destination ]
 * ranges   ::= range | "[" domains "]" range { "[" domains "]" range }   ; one bare range at most
 * range    ::= level | level "-" level                                   ; err warn notice info debug
 * domains  ::= domain { "," domain }      ; "*", NAME or "~" NAME (GENERAL, NET, ...)
 * destination ::= "stdout" | "stderr" | "syslog" | "file" WS path   ; none means stdout
 * ```
 */
export function logLineProblem(value: string): string | undefined {
  const cfg = cString(value);
  let p = eatWhitespace(cfg, 0);
  let unqualified = 0;
  let gotAnything = false;
  const startsWith = (word: string): boolean => cfg.slice(p, p + word.length).toLowerCase() === word;
  while (p < cfg.length) {
    if (cfg[p] === '[') {
      const close = cfg.indexOf(']', p);
      if (close === -1) return 'a "[" without its "]"';
      for (const raw of splitString(cfg.slice(p + 1, close), ',', { skipSpace: true })) {
        if (raw === '*') continue;
        const domain = raw.startsWith('~') ? raw.slice(1) : raw;
        if (!LOG_DOMAINS.includes(domain.toUpperCase())) return `no such logging domain as ${quote(domain)}`;
      }
      p = eatWhitespace(cfg, close + 1);
    } else {
      unqualified++;
    }
    if (startsWith('file') || startsWith('stderr') || startsWith('stdout') || startsWith('syslog')) break;
    if (unqualified > 1) return 'more than one severity without [domains]';
    const space = findWhitespace(cfg, p);
    const dash = cfg.indexOf('-', p);
    const [low, high] = dash !== -1 && dash < space ? [cfg.slice(p, dash), cfg.slice(dash + 1, space)] : [cfg.slice(p, space), 'err'];
    if (!LOG_LEVELS.includes(low.toLowerCase())) return `${quote(low)} is not a log level`;
    if (!LOG_LEVELS.includes(high.toLowerCase())) return `${quote(high)} is not a log level`;
    gotAnything = true;
    p = eatWhitespace(cfg, space);
  }
  if (!gotAnything) return 'no log level';
  const destination = splitString(cfg.slice(p), undefined, { skipSpace: true, ignoreBlank: true }, 2);
  const first = destination[0]?.toLowerCase();
  if (destination.length === 0) return undefined;
  if (destination.length === 1 && (first === 'stdout' || first === 'stderr' || first === 'syslog' || first === 'android')) return undefined;
  if (destination.length === 2 && first === 'file') return undefined;
  return `${quote(cfg.slice(p))} is not a log destination`;
}

function checkLogs(o: Options, report: Report): void {
  if (o.milliseconds('LogTimeGranularity') <= 0) {
    report.error('TORRC_BAD_LOG', 'LogTimeGranularity must be positive', o.line('LogTimeGranularity'), 'use e.g. LogTimeGranularity 1 second');
    return;
  }
  for (const line of o.lines('Log')) {
    const problem = logLineProblem(line.value);
    if (problem) {
      report.error('TORRC_BAD_LOG', `Tor cannot read Log ${quote(line.value)}: ${problem}`, line, 'write e.g. "Log notice file /var/log/tor/notices.log", "Log notice syslog" or "Log [net]info-err stdout"');
      return;
    }
  }
}

// resolve_addr.c: Address lines are only read when tor starts; two of a family fail then.
function checkAddressLines(o: Options, report: Report): void {
  const seen = new Map<number, ConfigLine>();
  for (const line of o.lines('Address')) {
    const address = parseTorAddress(line.value);
    if (!address) {
      report.warning('TORRC_ADDRESS_AT_STARTUP', `Address ${quote(line.value)} is not an IP address; tor resolves it as a hostname when it starts`, line, 'prefer the relay\'s public IP address (no port)');
      continue;
    }
    if (seen.has(address.family)) {
      report.warning('TORRC_ADDRESS_AT_STARTUP', `a second Address of IPv${address.family}: tor accepts the file but will not find its address when it starts`, line, `keep one Address line per address family`);
    }
    seen.set(address.family, line);
  }
}

function checkTransProxy(o: Options, listeners: Listeners, report: Report): void {
  const type = o.text('TransProxyType');
  if (type === null) return;
  const lower = type.toLowerCase();
  const line = o.line('TransProxyType');
  if (lower === 'pf-divert' || lower === 'ipfw') {
    report.error('TORRC_BAD_CHOICE', `TransProxyType ${type} is not available on Linux`, line, 'use default or tproxy on Linux');
  } else if (lower !== 'default' && lower !== 'tproxy') {
    report.error('TORRC_BAD_CHOICE', `TransProxyType ${quote(type)} is not a transparent proxy type`, line, 'use default or tproxy');
  } else if (lower !== 'default' && !listeners.set.Trans) {
    report.error('TORRC_OPTIONS_CONFLICT', 'TransProxyType is set but no TransPort listens', line, 'add a TransPort line or remove TransProxyType');
  }
}

/** `is_legal_hexdigest`: `$`, 40 hex digits, optionally `=` or `~` and a nickname. */
export function isLegalHexDigest(text: string): boolean {
  const s = text.startsWith('$') ? text.slice(1) : text;
  if (s.length > 40) {
    if (s[40] !== '=' && s[40] !== '~') return false;
    if (!isLegalNickname(s.slice(41))) return false;
  }
  return s.length >= 40 && /^[0-9a-fA-F]{40}/.test(s);
}

function isLegalNicknameOrHexDigest(text: string): boolean {
  return text.startsWith('$') ? isLegalHexDigest(text) : isLegalNickname(text);
}

/** `routerset_parse`: the first entry Tor refuses (entries with `.`, `:` or `*` are address patterns, not checked here). */
export function badNodeListEntry(value: string): string | undefined {
  return splitString(value, ',', { skipSpace: true, ignoreBlank: true }).find(
    (entry) =>
      !isLegalHexDigest(entry) &&
      !isLegalNickname(entry) &&
      !(entry.length >= 4 && entry[0] === '{' && entry[3] === '}') &&
      !/[.:*]/.test(entry),
  );
}

function checkNodeLists(o: Options, report: Report): void {
  const names = [...TOR_OPTIONS.filter((option) => option.type === 'ROUTERSET').map((option) => option.name), 'NodeFamily'];
  for (const name of names) {
    for (const line of o.lines(name)) {
      const bad = badNodeListEntry(line.value);
      if (bad !== undefined) {
        report.error('TORRC_BAD_NODE_LIST', `${name} has the entry ${quote(bad)}, which is not a nickname, fingerprint, {country} or address`, line, 'separate entries with commas; use $FINGERPRINT, a nickname, {cc} or an address pattern');
      }
    }
  }
}

// options_validate_dirauth_mode, without the address the authority guesses for itself.
function checkAuthorityMode(o: Options, listeners: Listeners, state: { useEntryGuards: boolean }, report: Report): void {
  const line = o.line('AuthoritativeDirectory');
  state.useEntryGuards = false;
  if (o.text('ContactInfo') === null && !o.bool('TestingTorNetwork')) {
    report.error('TORRC_OPTIONS_CONFLICT', 'a directory authority must set ContactInfo', line, 'add ContactInfo');
  }
  if (!o.bool('BridgeAuthoritativeDir') && !o.bool('V3AuthoritativeDirectory')) {
    report.error('TORRC_OPTIONS_CONFLICT', 'AuthoritativeDirectory is set but neither V3AuthoritativeDirectory nor BridgeAuthoritativeDir', line, 'set V3AuthoritativeDirectory 1 or BridgeAuthoritativeDir 1');
  }
  if (!listeners.set.Dir) report.error('TORRC_OPTIONS_CONFLICT', 'a directory authority needs a DirPort', line, 'add a DirPort line');
  if (!listeners.set.OR) report.error('TORRC_OPTIONS_CONFLICT', 'a directory authority needs an ORPort', line, 'add an ORPort line');
  if (o.bool('ClientOnly')) report.error('TORRC_OPTIONS_CONFLICT', 'a directory authority cannot be ClientOnly', o.line('ClientOnly'), 'remove ClientOnly');
}

function checkClientServerConflicts(o: Options, serverMode: boolean, state: { useEntryGuards: boolean }, report: Report): void {
  // FascistFirewall is turned into Reachable*Addresses lines before this check.
  const reachable = ['ReachableAddresses', 'ReachableORAddresses', 'ReachableDirAddresses'].map((name) => o.lines(name)[0]).find((line) => line !== undefined);
  const fascist = o.bool('FascistFirewall');
  const noIPv4 = !o.bool('ClientUseIPv4');
  if (serverMode && (reachable !== undefined || fascist || noIPv4)) {
    const at = reachable ?? (fascist ? o.line('FascistFirewall') : o.line('ClientUseIPv4'));
    report.error('TORRC_NOT_FOR_RELAYS', 'a relay must reach the whole Internet: it cannot set Reachable*Addresses, FascistFirewall or ClientUseIPv4 0', at, 'remove the restriction, or run it in a separate client tor');
  }
  const useBridges = o.bool('UseBridges');
  if (useBridges && serverMode) report.error('TORRC_NOT_FOR_RELAYS', 'a relay cannot use bridges (UseBridges 1)', o.line('UseBridges'), 'remove UseBridges, or run it in a separate client tor');
  if (useBridges && o.lines('EntryNodes').length > 0) report.error('TORRC_OPTIONS_CONFLICT', 'UseBridges and EntryNodes cannot both be set', o.line('UseBridges'), 'remove EntryNodes');
  if (useBridges && !state.useEntryGuards) report.error('TORRC_OPTIONS_CONFLICT', 'UseBridges needs UseEntryGuards 1', o.line('UseEntryGuards') ?? o.line('UseBridges'), 'remove UseEntryGuards 0');
}

function checkChoices(o: Options, report: Report): void {
  const safe = o.text('SafeLogging');
  if (safe !== null && !['0', '1', 'relay'].includes(safe.toLowerCase())) {
    report.error('TORRC_BAD_CHOICE', `SafeLogging ${quote(safe)} is not 0, 1 or relay`, o.line('SafeLogging'), 'use SafeLogging 1 (scrub addresses), relay, or 0');
  }
  const ux = o.text('ConfluxClientUX');
  if (ux !== null && !['latency', 'throughput', 'latency_lowmem', 'throughput_lowmem'].includes(ux)) {
    report.error('TORRC_BAD_CHOICE', `ConfluxClientUX ${quote(ux)} is not a known mode`, o.line('ConfluxClientUX'), 'use latency, throughput, latency_lowmem or throughput_lowmem (lower case)');
  }
}

// options_validate_publish_server and compute_publishserverdescriptor.
function checkPublishServer(o: Options, report: Report): void {
  const bridge = o.bool('BridgeRelay');
  let v3 = false;
  let bridgeDir = false;
  const line = o.line('PublishServerDescriptor');
  for (const item of o.csv('PublishServerDescriptor') ?? []) {
    const lower = item.toLowerCase();
    if (item === '1') {
      if (bridge) bridgeDir = true;
      else v3 = true;
    } else if (lower === 'v3') v3 = true;
    else if (lower === 'bridge') bridgeDir = true;
    else if (!['v1', 'v2', 'hidserv', ''].includes(lower) && item !== '0') {
      report.error('TORRC_BAD_CHOICE', `PublishServerDescriptor lists ${quote(item)}`, line, 'use 1, 0, v3 or bridge');
      return;
    }
  }
  if ((bridge || bridgeDir) && v3) {
    report.error('TORRC_OPTIONS_CONFLICT', 'a bridge must not publish its descriptor to the directory authorities (PublishServerDescriptor v3)', line ?? o.line('BridgeRelay'), 'use PublishServerDescriptor bridge or 1 on a bridge');
  }
  const distribution = o.text('BridgeDistribution');
  if (distribution !== null) {
    if (!bridge) report.error('TORRC_OPTIONS_CONFLICT', 'BridgeDistribution is set but BridgeRelay is not', o.line('BridgeDistribution'), 'add BridgeRelay 1, or remove BridgeDistribution');
    else if (!/^[A-Za-z0-9_-]*$/.test(distribution)) {
      report.error('TORRC_BAD_CHOICE', `BridgeDistribution ${quote(distribution)} has characters other than letters, digits, - and _`, o.line('BridgeDistribution'), 'use any, none, https, email or settings');
    }
  }
}

// options_validate_relay_padding (server mode only).
function checkRelayPadding(o: Options, report: Report): void {
  const rules: Array<[string, boolean, string]> = [
    ['ConnectionPadding', o.autobool('ConnectionPadding') !== -1, "relays must use ConnectionPadding auto"],
    ['ReducedConnectionPadding', o.bool('ReducedConnectionPadding'), 'relays cannot set ReducedConnectionPadding'],
    ['CircuitPadding', !o.bool('CircuitPadding'), 'relays cannot set CircuitPadding to 0'],
    ['ReducedCircuitPadding', o.bool('ReducedCircuitPadding'), 'relays cannot set ReducedCircuitPadding'],
  ];
  for (const [name, bad, why] of rules) {
    if (bad) report.error('TORRC_NOT_FOR_RELAYS', `${why} (this configuration has an ORPort)`, o.line(name), `remove the ${name} line`);
  }
}

// options_validate_single_onion.
function checkSingleOnion(o: Options, listeners: Listeners, state: { useEntryGuards: boolean }, report: Report): void {
  const singleHop = o.bool('HiddenServiceSingleHopMode');
  const nonAnonymous = o.bool('HiddenServiceNonAnonymousMode');
  if (singleHop && !nonAnonymous) {
    report.error('TORRC_OPTIONS_CONFLICT', 'HiddenServiceSingleHopMode needs HiddenServiceNonAnonymousMode 1', o.line('HiddenServiceSingleHopMode'), 'set both to 1, or neither');
  } else if (nonAnonymous && !singleHop) {
    report.error('TORRC_OPTIONS_CONFLICT', 'HiddenServiceNonAnonymousMode needs HiddenServiceSingleHopMode 1', o.line('HiddenServiceNonAnonymousMode'), 'set both to 1, or neither');
  } else if (nonAnonymous && (listeners.set.Socks || listeners.set.Trans || listeners.set.NATD || listeners.set.DNS || listeners.set.HTTPTunnel)) {
    report.error('TORRC_OPTIONS_CONFLICT', 'a non-anonymous onion service cannot also be an anonymous client', o.line('HiddenServiceNonAnonymousMode'), 'set SocksPort 0 and remove TransPort, NATDPort, DNSPort and HTTPTunnelPort');
  }
  if (singleHop && nonAnonymous) state.useEntryGuards = false;
}

function checkGuards(o: Options, state: { useEntryGuards: boolean }, report: Report): void {
  const entryNodes = o.lines('EntryNodes');
  if (entryNodes.length > 0 && !state.useEntryGuards) {
    report.error('TORRC_OPTIONS_CONFLICT', 'EntryNodes needs UseEntryGuards 1', entryNodes[0], 'remove EntryNodes or UseEntryGuards 0');
  }
  const primary = o.int('NumPrimaryGuards');
  const entry = o.int('NumEntryGuards');
  if (primary && entry && entry > primary) {
    report.error('TORRC_OUT_OF_RANGE', 'NumEntryGuards must not be greater than NumPrimaryGuards', o.line('NumEntryGuards'), 'lower NumEntryGuards or raise NumPrimaryGuards');
  }
  if (entryNodes.length > 0 && o.lines('HiddenServiceOptions').length > 0) {
    const entries = entryNodes.flatMap((line) => splitString(line.value, ',', { skipSpace: true, ignoreBlank: true }));
    const isList = entries.every((entry) => isLegalHexDigest(entry) || isLegalNickname(entry));
    if (isList && entries.length === 1) {
      report.error('TORRC_OPTIONS_CONFLICT', 'a single EntryNodes entry together with an onion service makes the service easy to locate', entryNodes[0], 'list several EntryNodes or remove EntryNodes');
    }
  }
}

/** `config_ensure_bandwidth_cap`: 2 GB is read as 2 GB - 1; anything above fails. */
function capped(o: Options, name: string, report: Report): bigint {
  let value = o.dataSize(name);
  if (value > ROUTER_MAX_DECLARED_BANDWIDTH) value--;
  if (value > ROUTER_MAX_DECLARED_BANDWIDTH) {
    report.error('TORRC_BAD_BANDWIDTH', `${name} is ${value} bytes/s; Tor allows at most ${ROUTER_MAX_DECLARED_BANDWIDTH}`, o.line(name), 'use at most 2 GBytes');
  }
  return value;
}

// The bandwidth checks of options_validate_cb and options_validate_relay_bandwidth, with the
// adjustments Tor makes between them.
function checkBandwidth(o: Options, serverMode: boolean, publicServer: boolean, report: Report): void {
  let rate = capped(o, 'BandwidthRate', report);
  let burst = capped(o, 'BandwidthBurst', report);
  const advertised = capped(o, 'MaxAdvertisedBandwidth', report);
  let relayRate = capped(o, 'RelayBandwidthRate', report);
  let relayBurst = capped(o, 'RelayBandwidthBurst', report);
  capped(o, 'PerConnBWRate', report);
  capped(o, 'PerConnBWBurst', report);
  if (relayRate && !relayBurst) relayBurst = relayRate;
  if (relayBurst && !relayRate) relayRate = relayBurst;
  if (serverMode) {
    const minimum = publicServer ? RELAY_REQUIRED_MIN_BANDWIDTH : BRIDGE_REQUIRED_MIN_BANDWIDTH;
    const kind = publicServer ? 'relay' : 'bridge';
    if (rate < minimum) {
      report.error('TORRC_BAD_BANDWIDTH', `BandwidthRate is ${rate} bytes/s; a ${kind} needs at least ${minimum}`, o.line('BandwidthRate'), `use at least ${minimum / 1024n} KBytes`);
    } else if (advertised < minimum / 2n) {
      report.error('TORRC_BAD_BANDWIDTH', `MaxAdvertisedBandwidth is ${advertised} bytes/s; a ${kind} needs at least ${minimum / 2n}`, o.line('MaxAdvertisedBandwidth'), `use at least ${minimum / 2n / 1024n} KBytes`);
    }
    if (relayRate && relayRate < minimum) {
      report.error('TORRC_BAD_BANDWIDTH', `RelayBandwidthRate is ${relayRate} bytes/s; a ${kind} needs at least ${minimum}`, o.line('RelayBandwidthRate') ?? o.line('RelayBandwidthBurst'), `use at least ${minimum / 1024n} KBytes`);
    }
  }
  if (relayRate > relayBurst) {
    report.error('TORRC_BAD_BANDWIDTH', `RelayBandwidthBurst (${relayBurst}) is below RelayBandwidthRate (${relayRate})`, o.line('RelayBandwidthBurst'), 'make RelayBandwidthBurst at least RelayBandwidthRate');
  }
  if (relayRate > rate) rate = relayRate;
  if (relayBurst > burst) burst = relayBurst;
  if (rate > burst) {
    report.error('TORRC_BAD_BANDWIDTH', `BandwidthBurst (${burst}) is below BandwidthRate (${rate})`, o.line('BandwidthBurst') ?? o.line('BandwidthRate'), 'make BandwidthBurst at least BandwidthRate');
  }
}

/**
 * Why Tor refuses an `AccountingStart` value, or undefined (`accounting_parse_options`):
 * `month DAY HH:MM` (day 1–28), `week DAY HH:MM` (day 1 = Monday … 7), or `day HH:MM`.
 */
export function accountingStartProblem(value: string): string | undefined {
  const items = splitString(value, undefined, { skipSpace: true, ignoreBlank: true });
  if (items.length < 2) return 'too few fields';
  const unit = (items[0] as string).toLowerCase();
  if (unit !== 'month' && unit !== 'week' && unit !== 'day') return `${quote(items[0] as string)} is not month, week or day`;
  if (unit === 'week' && torParseLong(items[1] as string, 1n, 7n) === undefined) return 'a weekly start day must be 1 (Monday) to 7 (Sunday)';
  if (unit === 'month' && torParseLong(items[1] as string, 1n, 28n) === undefined) return 'a monthly start day must be 1 to 28';
  const index = unit === 'day' ? 1 : 2;
  if (items.length !== index + 1) return `${unit} takes ${index === 1 ? 'a time' : 'a day and a time'}`;
  const time = items[index] as string;
  const hour = cStrtol(time);
  if (hour.end === 0 || hour.erange || hour.value < 0n || hour.value > 23n) return 'the hour is not 0 to 23';
  if (time[hour.end] !== ':') return 'the time is not HH:MM';
  const rest = time.slice(hour.end + 1);
  const minute = cStrtol(rest);
  if (minute.end === 0 || minute.erange || minute.value < 0n || minute.value > 59n) return 'the minute is not 0 to 59';
  if (minute.end !== rest.length) return 'the time is not HH:MM';
  return undefined;
}

function checkAccounting(o: Options, report: Report): void {
  const start = o.text('AccountingStart');
  if (start !== null) {
    const problem = accountingStartProblem(start);
    if (problem) report.error('TORRC_BAD_ACCOUNTING_START', `Tor cannot read AccountingStart ${quote(start)}: ${problem}`, o.line('AccountingStart'), 'write e.g. "AccountingStart month 1 00:00", "week 1 00:00" or "day 00:00"');
  }
  const rule = o.text('AccountingRule');
  if (rule !== null && !['sum', 'max', 'in', 'out'].includes(rule)) {
    report.error('TORRC_BAD_CHOICE', `AccountingRule ${quote(rule)} is not sum, max, in or out`, o.line('AccountingRule'), 'use sum, max, in or out (lower case)');
  }
}

// options_validate_relay_mode.
function checkRelayMode(o: Options, listeners: Listeners, state: { dirPortSet: boolean }, report: Report): void {
  const bridge = o.bool('BridgeRelay');
  const bridgeLine = o.line('BridgeRelay');
  if (bridge && state.dirPortSet) {
    report.warning('TORRC_INEFFECTIVE_OPTION', 'a bridge has no DirPort: Tor ignores the DirPort lines', o.lines('DirPortLines')[0], 'remove DirPort from the bridge configuration');
    state.dirPortSet = false;
  }
  if (state.dirPortSet && !o.bool('DirCache')) {
    report.error('TORRC_OPTIONS_CONFLICT', 'a DirPort needs DirCache 1', o.line('DirCache'), 'remove DirCache 0, or the DirPort');
  }
  if (bridge && !o.bool('DirCache')) {
    report.error('TORRC_OPTIONS_CONFLICT', 'a bridge needs DirCache 1', o.line('DirCache'), 'remove DirCache 0');
  }
  if (bridge && !listeners.set.OR) {
    report.error('TORRC_OPTIONS_CONFLICT', 'BridgeRelay is 1 but no ORPort listens', bridgeLine, 'add an ORPort line, e.g. ORPort 9001 (or remove BridgeRelay)');
  }
  for (const line of o.lines('MyFamily')) {
    const bad = splitString(line.value, ',', { skipSpace: true, ignoreBlank: true, stripSpace: true }).find(
      (entry) => !isLegalNicknameOrHexDigest(entry) && !(entry[0] !== '$' && isLegalNicknameOrHexDigest(`$${entry}`)),
    );
    if (bad !== undefined) {
      report.error('TORRC_BAD_FAMILY', `MyFamily has the entry ${quote(bad)}, which is not a fingerprint or nickname`, line, 'list relay fingerprints ($ and 40 hex digits) separated by commas');
      break;
    }
  }
  for (const line of o.lines('FamilyId')) {
    if (line.value !== '*' && base64DecodedLength(cString(line.value), 32) !== 32) {
      report.error('TORRC_BAD_FAMILY', `FamilyId ${quote(line.value)} is not a base64 ed25519 key`, line, 'copy the family id tor printed with --keygen-family (43 base64 characters), or *');
      break;
    }
  }
}

function checkProxies(o: Options, report: Report): void {
  for (const name of ['HTTPProxy', 'HTTPSProxy', 'Socks4Proxy', 'Socks5Proxy']) {
    const text = o.text(name);
    if (text === null) continue;
    const looked = lookupAddressPort(text);
    if (!looked) report.error('TORRC_BAD_ADDRESS', `${name} ${quote(text)} is not an address with an optional port`, o.line(name), 'write e.g. 127.0.0.1:3128 or [::1]:1080');
    else if (looked.kind === 'name') report.warning('TORRC_RESOLVES_AT_STARTUP', `${name} names the host ${quote(looked.host)}, which tor must resolve`, o.line(name), 'prefer an IP address');
  }
  for (const name of ['HTTPProxyAuthenticator', 'HTTPSProxyAuthenticator']) {
    const text = o.text(name);
    if (text !== null && Buffer.byteLength(cString(text)) >= 512) report.error('TORRC_OUT_OF_RANGE', `${name} is 512 bytes or longer`, o.line(name), 'use a shorter user:password');
  }
  const tcp = o.text('TCPProxy');
  if (tcp !== null) {
    const parts = splitString(tcp, ' ', { skipSpace: true, ignoreBlank: true }, 2);
    const problem =
      parts.length < 2
        ? 'no address and port'
        : (parts[0] as string).toLowerCase() !== 'haproxy'
          ? 'the only protocol is haproxy'
          : !lookupAddressPort(parts[1] as string)
            ? `${quote(parts[1] as string)} is not an address and port`
            : undefined;
    if (problem) report.error('TORRC_BAD_ADDRESS', `TCPProxy ${quote(tcp)}: ${problem}`, o.line('TCPProxy'), 'write e.g. TCPProxy haproxy 127.0.0.1:8080');
  }
  const kinds = ['Socks4Proxy', 'Socks5Proxy', 'HTTPSProxy', 'TCPProxy'].filter((name) => o.text(name) !== null);
  if (kinds.length > 1) {
    const last = kinds.map((name) => o.line(name)).reduce((a, b) => ((b?.location.line ?? 0) > (a?.location.line ?? 0) ? b : a));
    report.error('TORRC_OPTIONS_CONFLICT', `only one proxy type may be set, not ${kinds.join(' and ')}`, last, 'keep one of Socks4Proxy, Socks5Proxy, HTTPSProxy, TCPProxy');
  }
  const user = o.text('Socks5ProxyUsername');
  const password = o.text('Socks5ProxyPassword');
  if (user !== null) {
    const userLength = Buffer.byteLength(cString(user));
    if (userLength < 1 || userLength > 255) report.error('TORRC_OUT_OF_RANGE', 'Socks5ProxyUsername must be 1 to 255 bytes', o.line('Socks5ProxyUsername'), 'shorten it');
    else if (password === null) report.error('TORRC_OPTIONS_CONFLICT', 'Socks5ProxyUsername needs Socks5ProxyPassword', o.line('Socks5ProxyUsername'), 'add Socks5ProxyPassword');
    else {
      const passwordLength = Buffer.byteLength(cString(password));
      if (passwordLength < 1 || passwordLength > 255) report.error('TORRC_OUT_OF_RANGE', 'Socks5ProxyPassword must be 1 to 255 bytes', o.line('Socks5ProxyPassword'), 'shorten it');
    }
  } else if (password !== null) {
    report.error('TORRC_OPTIONS_CONFLICT', 'Socks5ProxyPassword needs Socks5ProxyUsername', o.line('Socks5ProxyPassword'), 'add Socks5ProxyUsername');
  }
}

/** `decode_hashed_passwords`: `16:` and 58 hex digits, or base64 of the same 29 bytes. */
export function isHashedPassword(value: string): boolean {
  const s = cString(value);
  if (s.startsWith('16:')) {
    const hex = s.slice(3);
    return hex.length === 58 && base16Decode(hex, 64)?.length === 29;
  }
  return base64DecodedLength(s, 64) === 29;
}

function checkControlPasswords(o: Options, report: Report): void {
  for (const name of ['HashedControlPassword', '__HashedControlSessionPassword']) {
    const bad = o.lines(name).find((line) => !isHashedPassword(line.value));
    if (bad) report.error('TORRC_BAD_PASSWORD_HASH', `${name} ${quote(bad.value)} is not a password hash`, bad, 'paste the output of tor --hash-password (it starts with 16:)');
  }
}

/** Why Tor refuses a `Bridge` line, or undefined (`parse_bridge_line`): `[transport] IP:PORT [fingerprint] [k=v ...]`. */
export function bridgeLineProblem(value: string): string | undefined {
  const items = splitString(value, undefined, { skipSpace: true, ignoreBlank: true });
  let field = items.shift();
  if (field === undefined) return 'no address';
  let transport: string | undefined;
  if (isCIdentifier(field)) {
    transport = field;
    field = items.shift();
    if (field === undefined) return 'a transport name but no address';
  }
  if (!parseAddressPort(field, 443)) return `${quote(field)} is not an IP address with an optional port`;
  let fingerprint: string | undefined;
  let socksArgs: string[] | undefined;
  if (items.length > 0) {
    if (transport !== undefined) {
      const next = items.shift() as string;
      if (isKeyValue(next)) socksArgs = [next];
      else fingerprint = next;
    } else fingerprint = items.splice(0).join('');
  }
  if (fingerprint !== undefined && (fingerprint.length !== 40 || !/^[0-9a-fA-F]{40}$/.test(fingerprint))) return `${quote(fingerprint)} is not a 40-digit fingerprint`;
  if (transport !== undefined && items.length > 0) socksArgs = [...(socksArgs ?? []), ...items];
  if (socksArgs) {
    const bad = socksArgs.find((arg) => !isKeyValue(arg));
    if (bad !== undefined) return `${quote(bad)} is not a key=value argument`;
    const joined = socksArgs.map((arg) => arg.replace(/[;\\]/g, '\\$&')).join(';');
    if (Buffer.byteLength(joined) > 510) return 'the transport arguments are longer than 510 bytes';
  }
  return undefined;
}

function checkBridges(o: Options, report: Report): void {
  if (o.bool('UseBridges') && o.lines('Bridge').length === 0) {
    report.error('TORRC_OPTIONS_CONFLICT', 'UseBridges 1 needs at least one Bridge line', o.line('UseBridges'), 'add Bridge lines or remove UseBridges');
  }
  for (const line of o.lines('Bridge')) {
    const problem = bridgeLineProblem(line.value);
    if (problem) {
      report.error('TORRC_BAD_BRIDGE_LINE', `Tor cannot read Bridge ${quote(line.value)}: ${problem}`, line, 'write Bridge [transport] IP:PORT [FINGERPRINT] [key=value ...]');
      break;
    }
  }
}

/** Why Tor refuses a `*TransportPlugin` line, or undefined (`pt_parse_transport_line`). */
export function transportPluginProblem(value: string, server: boolean, context: { sandbox: boolean; otherProxy: boolean }): { problem: string | undefined; resolves?: string } {
  const items = splitString(value, undefined, { skipSpace: true, ignoreBlank: true });
  if (items.length < 3) return { problem: 'too few fields' };
  const names = splitString(items[0] as string, ',', { skipSpace: true, ignoreBlank: true });
  const badName = names.find((name) => !isCIdentifier(name));
  if (badName !== undefined) return { problem: `the transport name ${quote(badName)} is not letters, digits and _` };
  const type = items[1] as string;
  const managed = type === 'exec';
  if (!managed && !(server && type === 'proxy') && !(!server && (type === 'socks4' || type === 'socks5'))) {
    return { problem: `${quote(type)} is not ${server ? 'exec or proxy' : 'exec, socks4 or socks5'}` };
  }
  if (managed) return { problem: context.sandbox ? 'Sandbox 1 cannot run transport plugins (exec)' : undefined };
  if (!server && context.otherProxy) return { problem: 'an external transport proxy cannot be combined with Socks4Proxy, Socks5Proxy, HTTPSProxy or TCPProxy' };
  if (names.length !== 1) return { problem: 'an external proxy serves exactly one transport' };
  const looked = lookupAddressPort(items[2] as string);
  if (!looked) return { problem: `${quote(items[2] as string)} is not an address and port` };
  if (looked.port === 0) return { problem: `${quote(items[2] as string)} has no port` };
  return looked.kind === 'name' ? { problem: undefined, resolves: looked.host } : { problem: undefined };
}

// options_validate_server_transport, and ClientTransportPlugin from options_validate_cb.
function checkTransports(o: Options, serverMode: boolean, report: Report): void {
  const context = {
    sandbox: o.bool('Sandbox'),
    otherProxy: ['Socks4Proxy', 'Socks5Proxy', 'HTTPSProxy', 'TCPProxy'].some((name) => o.text(name) !== null),
  };
  const hint = (server: boolean): string =>
    server ? 'write e.g. ServerTransportPlugin obfs4 exec /usr/bin/obfs4proxy' : 'write e.g. ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy';
  for (const [name, server] of [['ClientTransportPlugin', false], ['ServerTransportPlugin', true]] as const) {
    for (const line of o.lines(name)) {
      const { problem, resolves } = transportPluginProblem(line.value, server, context);
      if (problem) {
        report.error('TORRC_BAD_TRANSPORT', `Tor refuses ${name} ${quote(line.value)}: ${problem}`, line, hint(server));
        break;
      }
      if (resolves !== undefined) report.warning('TORRC_RESOLVES_AT_STARTUP', `${name} names the host ${quote(resolves)}, which tor must resolve`, line, 'prefer an IP address');
    }
  }
  if (o.lines('ServerTransportPlugin').length > 0 && !serverMode) {
    report.warning('TORRC_INEFFECTIVE_OPTION', 'ServerTransportPlugin does nothing without an ORPort', o.lines('ServerTransportPlugin')[0], 'add an ORPort (a bridge needs one) or remove the line');
  }
  for (const line of o.lines('ServerTransportListenAddr')) {
    const items = splitString(line.value, undefined, { skipSpace: true, ignoreBlank: true });
    if (items.length < 2 || !parseAddressPort(items[1] as string, -1)) {
      report.error('TORRC_BAD_TRANSPORT', `Tor cannot read ServerTransportListenAddr ${quote(line.value)}`, line, 'write ServerTransportListenAddr TRANSPORT IP:PORT, e.g. obfs4 0.0.0.0:443');
      break;
    }
  }
  for (const line of o.lines('ServerTransportOptions')) {
    const items = splitString(line.value, undefined, { skipSpace: true, ignoreBlank: true });
    if (items.length < 2 || items.slice(1).some((item) => !isKeyValue(item))) {
      report.error('TORRC_BAD_TRANSPORT', `Tor cannot read ServerTransportOptions ${quote(line.value)}`, line, 'write ServerTransportOptions TRANSPORT key=value [key=value ...]');
      break;
    }
  }
}

/** Types and defaults of the options inside one onion service section (src/feature/hs/hs_options.inc). */
const HS_OPTIONS: Readonly<Record<string, readonly [OptionType, string | null]>> = {
  HiddenServiceDir: ['FILENAME', null],
  HiddenServiceDirGroupReadable: ['BOOL', '0'],
  HiddenServicePort: ['LINELIST', null],
  HiddenServiceVersion: ['INT', '-1'],
  HiddenServiceAllowUnknownPorts: ['BOOL', '0'],
  HiddenServiceMaxStreams: ['POSINT', '0'],
  HiddenServiceMaxStreamsCloseCircuit: ['BOOL', '0'],
  HiddenServiceNumIntroductionPoints: ['POSINT', '3'],
  HiddenServiceExportCircuitID: ['STRING', null],
  HiddenServiceEnableIntroDoSDefense: ['BOOL', '0'],
  HiddenServiceEnableIntroDoSRatePerSec: ['POSINT', '25'],
  HiddenServiceEnableIntroDoSBurstPerSec: ['POSINT', '200'],
  HiddenServiceOnionBalanceInstance: ['BOOL', '0'],
  HiddenServicePoWDefensesEnabled: ['BOOL', '0'],
  HiddenServicePoWQueueRate: ['POSINT', '250'],
  HiddenServicePoWQueueBurst: ['POSINT', '2500'],
};

/**
 * Reads a `HiddenServicePort` value as `hs_parse_port_config` does: `VIRTPORT [TARGET]`, the
 * target being `IP:PORT`, `PORT` or `unix:PATH`. Returns why Tor refuses it, or the hostname
 * it would have to resolve.
 */
export function readHiddenServicePort(value: string): { problem?: string; host?: string } {
  const parts = splitString(value, ' ', { skipSpace: true, ignoreBlank: true }, 2);
  if (parts.length < 1) return { problem: 'no port' };
  if (torParseLong(parts[0] as string, 1n, 65535n) === undefined) return { problem: `${quote(parts[0] as string)} is not a port from 1 to 65535` };
  if (parts[1] === undefined) return {};
  const target = extractPortTarget(parts[1]);
  if (!target) return { problem: 'the quoted unix: path does not parse' };
  if (target.rest !== '') return { problem: 'text after the target' };
  if (target.unix) return {};
  const address = target.target;
  if (address.includes(':') || address.includes('.')) {
    const looked = lookupAddressPort(address);
    if (!looked) return { problem: `${quote(address)} is not an address` };
    return looked.kind === 'name' ? { host: looked.host } : {};
  }
  return torParseLong(address, 1n, 65535n) === undefined ? { problem: `${quote(address)} is not a port from 1 to 65535` } : {};
}

// hs_config_service_all in validation mode, without the directory checks.
function checkHiddenServices(o: Options, report: Report): void {
  const lines = o.lines('HiddenServiceOptions');
  const first = lines[0];
  if (!first) return;
  const error = (message: string, line: ConfigLine, hint: string): void => report.error('TORRC_BAD_HIDDEN_SERVICE', message, line, hint);
  if (first.option !== 'HiddenServiceDir') {
    error(`${first.option} comes before any HiddenServiceDir`, first, 'start every onion service with its HiddenServiceDir line');
    return;
  }
  const sections: ConfigLine[][] = [];
  for (const line of lines) {
    if (line.option === 'HiddenServiceDir') sections.push([line]);
    else sections[sections.length - 1]?.push(line);
  }
  const directories = new Set<string>();
  for (const section of sections) {
    const dir = section[0] as ConfigLine;
    const single = new Map<string, ConfigLine>();
    const ports: ConfigLine[] = [];
    let bad = false;
    for (const line of section) {
      const [type] = HS_OPTIONS[line.option] ?? ['STRING', null];
      if (line.value !== '') {
        const problem = checkTypedValue(type, line.value);
        if (problem) {
          error(`Tor cannot parse ${line.option} ${quote(line.value)}: ${problem.reason}`, line, problem.hint);
          bad = true;
          break;
        }
      }
      if (line.option === 'HiddenServicePort') ports.push(line);
      else single.set(line.option, line);
    }
    if (bad) return;
    const number = (name: string): number => {
      const line = single.get(name);
      const text = line ? line.value : HS_OPTIONS[name]?.[1] ?? '0';
      return text === '' || text === null ? 0 : Number(torParseLong(text, -2147483648n, 2147483647n) ?? 0n);
    };
    const flag = (name: string): boolean => (single.get(name)?.value ?? HS_OPTIONS[name]?.[1]) === '1';
    const version = number('HiddenServiceVersion');
    if (version !== -1 && version !== 3) {
      error(version === 2 ? 'version 2 onion services are obsolete' : `HiddenServiceVersion ${version} does not exist`, single.get('HiddenServiceVersion') as ConfigLine, 'use HiddenServiceVersion 3, or remove the line');
      return;
    }
    for (const line of ports) {
      const { problem, host } = readHiddenServicePort(line.value);
      if (problem) {
        error(`Tor cannot read HiddenServicePort ${quote(line.value)}: ${problem}`, line, 'write HiddenServicePort VIRTPORT [IP:PORT | PORT | unix:PATH], e.g. 80 127.0.0.1:8080');
        return;
      }
      if (host !== undefined) {
        report.warning('TORRC_RESOLVES_AT_STARTUP', `HiddenServicePort names the host ${quote(host)}, which tor must resolve when it reads the configuration`, line, 'prefer an IP address, e.g. 127.0.0.1:8080');
      }
    }
    const outOfRange = (name: string, low: number, high: number): boolean => {
      const value = number(name);
      if (value >= low && value <= high) return false;
      error(`${name} must be between ${low} and ${high}`, single.get(name) ?? dir, `use a value from ${low} to ${high}`);
      return true;
    };
    if (outOfRange('HiddenServiceMaxStreams', 0, 65535)) return;
    if (outOfRange('HiddenServiceNumIntroductionPoints', 3, 20)) return;
    const circuitId = single.get('HiddenServiceExportCircuitID');
    if (circuitId && circuitId.value !== '' && !['haproxy', 'none'].includes(circuitId.value.toLowerCase())) {
      error('HiddenServiceExportCircuitID must be haproxy or none', circuitId, 'use haproxy or none');
      return;
    }
    if (ports.length === 0) {
      error(`the onion service in ${quote(dir.value)} has no HiddenServicePort`, dir, 'add e.g. HiddenServicePort 80 127.0.0.1:8080 after the HiddenServiceDir line');
      return;
    }
    if (flag('HiddenServiceEnableIntroDoSDefense') && number('HiddenServiceEnableIntroDoSBurstPerSec') < number('HiddenServiceEnableIntroDoSRatePerSec')) {
      error('the intro DoS burst is below its rate', single.get('HiddenServiceEnableIntroDoSBurstPerSec') ?? dir, 'make HiddenServiceEnableIntroDoSBurstPerSec at least the rate');
      return;
    }
    if (flag('HiddenServicePoWDefensesEnabled') && number('HiddenServicePoWQueueBurst') < number('HiddenServicePoWQueueRate')) {
      error('the proof-of-work queue burst is below its rate', single.get('HiddenServicePoWQueueBurst') ?? dir, 'make HiddenServicePoWQueueBurst at least HiddenServicePoWQueueRate');
      return;
    }
    if (directories.has(dir.value)) {
      error(`two onion services use the directory ${quote(dir.value)}`, dir, 'give every onion service its own HiddenServiceDir');
      return;
    }
    directories.add(dir.value);
  }
}

function checkTesting(o: Options, report: Report): void {
  const testing = o.bool('TestingTorNetwork');
  const customAuthorities = o.lines('DirAuthority').length > 0 || (o.lines('AlternateDirAuthority').length > 0 && o.lines('AlternateBridgeAuthority').length > 0);
  if (testing && !customAuthorities) {
    report.error('TORRC_OPTIONS_CONFLICT', 'TestingTorNetwork needs its own directory authorities', o.line('TestingTorNetwork'), 'add DirAuthority lines (or both AlternateDirAuthority and AlternateBridgeAuthority)');
  }
  if (!testing && !o.bool('___UsingTestNetworkDefaults')) {
    for (const name of TESTING_ONLY) {
      const line = o.line(name);
      const defaultValue = DEFAULTS[name] as string;
      const parsed = (text: string | null): number => {
        if (text === null) return 0;
        const value = parseUnits(text.split(',', 1)[0] ?? '', 'seconds');
        return typeof value === 'bigint' ? Number(value) : 0;
      };
      if (line && parsed(line.value === '' ? null : line.value) !== parsed(defaultValue)) {
        report.error('TORRC_TESTING_ONLY', `${name} may only be changed in a testing network (TestingTorNetwork 1)`, line, `remove the ${name} line`);
      }
    }
    for (const name of ['TestingEnableConnBwEvent', 'TestingEnableCellStatsEvent']) {
      if (o.bool(name)) report.error('TORRC_TESTING_ONLY', `${name} may only be set in a testing network (TestingTorNetwork 1)`, o.line(name), `remove the ${name} line`);
    }
  }
  if (!o.bool('ClientDNSRejectInternalAddresses') && !customAuthorities) {
    report.error('TORRC_OPTIONS_CONFLICT', 'ClientDNSRejectInternalAddresses 0 is only allowed with custom directory authorities', o.line('ClientDNSRejectInternalAddresses'), 'remove the line');
  }
  const pairs: Array<[string, string, string]> = [
    ['SigningKeyLifetime', 'TestingSigningKeySlop', 'SigningKeyLifetime'],
    ['TestingLinkCertLifetime', 'TestingAuthKeySlop', 'TestingLinkCertLifetime'],
    ['TestingAuthKeyLifetime', 'TestingLinkKeySlop', 'TestingAuthKeyLifetime'],
  ];
  for (const [lifetime, slop, name] of pairs) {
    if (o.seconds(lifetime) < o.seconds(slop) * 2) {
      report.error('TORRC_OUT_OF_RANGE', `${name} is shorter than twice ${slop}`, o.line(lifetime) ?? o.line(slop), `make ${lifetime} at least twice ${slop}`);
    }
  }
  if (o.seconds('TestingClientMaxIntervalWithoutRequest') < 1) {
    report.error('TORRC_OUT_OF_RANGE', 'TestingClientMaxIntervalWithoutRequest must be at least 1 second', o.line('TestingClientMaxIntervalWithoutRequest'), 'raise it');
  }
  if (o.seconds('TestingDirConnectionMaxStall') < 5) {
    report.error('TORRC_OUT_OF_RANGE', 'TestingDirConnectionMaxStall must be at least 5 seconds', o.line('TestingDirConnectionMaxStall'), 'raise it');
  }
  if (o.int('ClientBootstrapConsensusMaxInProgressTries') < 1) {
    report.error('TORRC_OUT_OF_RANGE', 'ClientBootstrapConsensusMaxInProgressTries must be at least 1', o.line('ClientBootstrapConsensusMaxInProgressTries'), 'remove the line (the default is 3)');
  }
}

function checkSchedulers(o: Options, report: Report): void {
  const schedulers = o.csv('Schedulers');
  const line = o.line('Schedulers');
  if (!schedulers || schedulers.length === 0) {
    report.error('TORRC_BAD_CHOICE', 'Schedulers is empty', line, 'remove the line, or list KIST, KISTLite, Vanilla');
  } else {
    const bad = schedulers.find((name) => !['kistlite', 'kist', 'vanilla'].includes(name.toLowerCase()));
    if (bad !== undefined) report.error('TORRC_BAD_CHOICE', `Schedulers lists ${quote(bad)}`, line, 'use KIST, KISTLite and Vanilla');
  }
  if (o.double('KISTSockBufSizeFactor') < 0) report.error('TORRC_OUT_OF_RANGE', 'KISTSockBufSizeFactor must be at least 0', o.line('KISTSockBufSizeFactor'), 'remove the line (the default is 1.0)');
  if (o.milliseconds('KISTSchedRunInterval') > 100) report.error('TORRC_OUT_OF_RANGE', 'KISTSchedRunInterval must be at most 100 msec', o.line('KISTSchedRunInterval'), 'use at most 100 msec');
}
