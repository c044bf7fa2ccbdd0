/**
 * Listener lines (`ORPort`, `DirPort`, `SocksPort`, `ControlPort`, ...) and the addresses in
 * them, read exactly as Tor 0.4.9.11 does: `port_parse_config` and `parse_ports`
 * (src/app/config/config.c), `port_parse_ports_relay` and `check_and_prune_server_ports`
 * (src/feature/relay/relay_config.c), `metrics_parse_ports` (src/feature/metrics/metrics.c),
 * and the address parsers `tor_addr_parse`, `tor_addr_port_split`, `tor_addr_port_parse`
 * (src/lib/net/address.c) and `tor_addr_port_lookup` (src/lib/net/resolve.c).
 *
 * Grammar of one line, as `port_parse_config` reads it:
 * ```
 * line     ::= WS* target [ WS+ flag { WS+ flag } ]
 * target   ::= port                       ; 0..65535, strtol syntax ("+80" is 80)
 *            | "auto"                     ; any case
 *            | address ":auto"
 *            | address ":" port            ; port 1..65535; IPv6 in brackets
 *            | "unix:" path               ; SocksPort and ControlPort only
 *            | 'unix:"' c-string '"'       ; a quoted path
 * address  ::= ipv4 | "[" ipv6 "]" | hostname   ; a hostname is resolved when tor starts
 * flag     ::= server flags (ORPort, DirPort, ExtORPort): NoAdvertise | NoListen | IPv4Only | IPv6Only
 *            | client flags (SocksPort, DNSPort, ...): isolation and traffic flags,
 *              "SessionGroup=" n, each optionally prefixed with "No"
 * ```
 * Unknown flags are only warned about. `ORPort` lines are read twice, once with the IPv4
 * default address and once with the IPv6 one, and superseded duplicates are dropped before
 * Tor checks that what is advertised is also listened on.
 *
 * Hostnames are resolved by the system when tor starts; exitkit cannot know whether that
 * works on the relay, so it accepts them with a warning (numeric forms the C library reads
 * itself, such as `127.1`, are read here).
 */
import { parseIPv4, parseIPv6, type IpAddress } from '../net/cidr.js';
import type { ConfigLine } from '../types.js';
import { TorrcError, quote } from './errors.js';
import { cString, eatWhitespace, findWhitespace, splitString } from './tor-strings.js';
import { torParseLong } from './values.js';

// --------------------------------------------------------------------------------------
// Addresses

/** `tor_addr_parse_impl`: IPv4, IPv6 (when allowed without brackets), or IPv6 in brackets. */
export function parseTorAddress(text: string, allowIPv6WithoutBrackets = true): IpAddress | undefined {
  if (text.length > 0 && text.startsWith('[') && text.endsWith(']')) {
    const v6 = parseIPv6(text.slice(1, -1));
    return v6 === undefined ? undefined : { family: 6, address: v6 };
  }
  if (allowIPv6WithoutBrackets) {
    const v6 = parseIPv6(text);
    if (v6 !== undefined) return { family: 6, address: v6 };
  }
  const v4 = parseIPv4(text);
  return v4 === undefined ? undefined : { family: 4, address: v4 };
}

/** `tor_addr_port_split`: host and port (0 when none); undefined when the port is not 1..65535. */
export function splitAddressPort(text: string): { host: string; port: number } | undefined {
  if (parseTorAddress(text)?.family === 6) return { host: text, port: 0 };
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: text, port: 0 };
  const port = torParseLong(text.slice(colon + 1), 1n, 65535n);
  return port === undefined ? undefined : { host: text.slice(0, colon), port: Number(port) };
}

/**
 * `tor_addr_port_parse`: an address literal with an optional port (brackets needed around
 * IPv6 with a port). Without a port, `defaultPort` is used, or it fails when that is negative.
 */
export function parseAddressPort(text: string, defaultPort: number): { address: IpAddress; port: number } | undefined {
  const split = splitAddressPort(text);
  if (!split) return undefined;
  const hasPort = split.port !== 0;
  if (!hasPort && defaultPort < 0) return undefined;
  const address = parseTorAddress(split.host, !hasPort);
  return address ? { address, port: hasPort ? split.port : defaultPort } : undefined;
}

/** What `tor_addr_port_lookup` makes of a text: an address, a name tor resolves at startup, or nothing. */
export type AddressLookup =
  | { readonly kind: 'address'; readonly address: IpAddress; readonly port: number }
  | { readonly kind: 'name'; readonly host: string; readonly port: number };

/**
 * `tor_addr_port_lookup`: like `parseAddressPort` with no default port, then a hostname with
 * an optional port. Names are only classified (tor resolves them with the system's resolver);
 * numeric IPv4 forms the C library reads itself (`127.1`, `0x7f000001`) become addresses.
 */
export function lookupAddressPort(text: string): AddressLookup | undefined {
  const s = text.slice(eatWhitespace(text, 0));
  const parsed = parseAddressPort(s, 0);
  if (parsed) return { kind: 'address', ...parsed };
  // An IPv6 address without brackets but with a port: refused rather than resolved.
  if (parseTorAddress(s)) return undefined;
  const split = splitAddressPort(s);
  if (!split || split.host === '') return undefined;
  const numeric = parseTorAddress(split.host) ?? inetAtonAddress(split.host);
  if (numeric) return { kind: 'address', address: numeric, port: split.port };
  // Text that cannot be a hostname fails to resolve on every machine.
  if (!isPlausibleHostname(split.host)) return undefined;
  return { kind: 'name', host: split.host, port: split.port };
}

/**
 * Whether a resolver could know the name: labels of letters, digits, `-` and `_` that do
 * not start or end with `-`, and a last label that is not all digits (such text is a
 * malformed number, not a name).
 */
export function isPlausibleHostname(host: string): boolean {
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label)) && !/^[0-9]+$/.test(labels.at(-1) ?? '');
}

/** glibc's `inet_aton` (as `getaddrinfo` uses it): 1 to 4 parts, each decimal, octal (0...) or hex (0x...). */
export function inetAtonAddress(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: bigint[] = [];
  for (const part of parts) {
    let value: bigint;
    if (/^0[xX][0-9a-fA-F]+$/.test(part)) value = BigInt(`0x${part.slice(2)}`);
    else if (/^0[0-7]*$/.test(part)) value = part.length > 1 ? BigInt(`0o${part.slice(1)}`) : 0n;
    else if (/^[1-9][0-9]*$/.test(part)) value = BigInt(part);
    else return undefined;
    if (value > 0xffffffffn) return undefined;
    values.push(value);
  }
  const last = values.pop() as bigint;
  if (values.some((v) => v > 0xffn)) return undefined;
  const lastBits = BigInt(32 - 8 * values.length);
  if (last >= 1n << lastBits) return undefined;
  let address = 0n;
  for (const v of values) address = (address << 8n) | v;
  return { family: 4, address: (address << lastBits) | last };
}

// --------------------------------------------------------------------------------------
// Listener lines

/** Tor's listener kinds (`CONN_TYPE_*_LISTENER`). */
export type ListenerKind = 'OR' | 'ExtOR' | 'Dir' | 'Socks' | 'DNS' | 'Trans' | 'NATD' | 'HTTPTunnel' | 'Control' | 'ControlSocket' | 'Metrics';

/** One listener Tor would configure from a line. */
export interface PortConfig {
  /** Which listener. */
  readonly kind: ListenerKind;
  /** The line it comes from. */
  readonly line: ConfigLine;
  /** The address (undefined for a Unix socket). */
  readonly address: IpAddress | undefined;
  /** The port; `auto` for an automatically chosen one (1 for a Unix socket, as Tor stores it). */
  readonly port: number | 'auto';
  /** The address was written on the line (Tor's `explicit_addr`). */
  readonly explicitAddress: boolean;
  /** Unix socket path, if any. */
  readonly unixPath: string | undefined;
  /** Server flag `NoAdvertise`. */
  readonly noAdvertise: boolean;
  /** Server flag `NoListen`. */
  readonly noListen: boolean;
  /** Server flag `IPv4Only`. */
  readonly ipv4Only: boolean;
  /** Server flag `IPv6Only`. */
  readonly ipv6Only: boolean;
}

/** How `port_parse_config` is called for one option. */
interface PortOptionSpec {
  readonly kind: ListenerKind;
  /** The option name Tor's messages use. */
  readonly option: string;
  readonly defaultAddress: string | undefined;
  readonly serverOptions: boolean;
  readonly noStreamOptions: boolean;
  readonly takesHostnames: boolean;
  readonly isUnixSocket: boolean;
}

const ISO_SOCKSAUTH = 1 << 2;
const ISO_DEFAULT = (1 << 4) | ISO_SOCKSAUTH | (1 << 5) | (1 << 6);
const ISOLATION: Readonly<Record<string, number>> = {
  isolatedestport: 1 << 1,
  isolatedestaddr: 1 << 0,
  isolatesocksauth: ISO_SOCKSAUTH,
  isolateclientprotocol: 1 << 3,
  isolateclientaddr: 1 << 4,
};

/** Result of reading the lines of one listener option. */
export interface PortParse {
  /** The listeners (port 0 lines and ignored lines are not listeners). */
  readonly ports: readonly PortConfig[];
  /** The error that makes Tor refuse the option (Tor stops at the first). */
  readonly error: TorrcError | undefined;
  /** Flags and addresses Tor only warns about, and names it will have to resolve. */
  readonly warnings: readonly TorrcError[];
}

function portError(line: ConfigLine, option: string, why: string, hint: string): TorrcError {
  return new TorrcError('TORRC_BAD_PORT_LINE', `Tor refuses ${option} ${quote(line.value)}: ${why}`, {
    location: line.location,
    input: line.value,
    pos: [0, line.value.length],
    hint,
  });
}

function portWarning(line: ConfigLine, code: 'TORRC_PORT_FLAG_IGNORED' | 'TORRC_RESOLVES_AT_STARTUP', message: string, hint: string): TorrcError {
  return new TorrcError(code, message, { location: line.location, input: line.value, hint, severity: 'warning' });
}

// unescape_string for `unix:"..."`: the decoded path and the offset after the closing quote.
function unescapeQuoted(s: string, start: number): { value: string; end: number } | undefined {
  let out = '';
  let cp = start + 1;
  for (;;) {
    const c = s[cp];
    if (c === undefined || c === '\n') return undefined;
    if (c === '"') return { value: out, end: cp + 1 };
    if (c !== '\\') {
      out += c;
      cp++;
      continue;
    }
    const n = s[cp + 1];
    if (n === 'x' || n === 'X') {
      const hex = s.slice(cp + 2, cp + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      cp += 4;
    } else if (n !== undefined && n >= '0' && n <= '7') {
      let q = cp + 1;
      let value = 0;
      while (q < cp + 4 && s[q] !== undefined && (s[q] as string) >= '0' && (s[q] as string) <= '7') value = value * 8 + Number(s[q++]);
      if (value > 255) return undefined;
      out += String.fromCharCode(value);
      cp = q;
    } else if (n === 'n') (out += '\n'), (cp += 2);
    else if (n === 'r') (out += '\r'), (cp += 2);
    else if (n === 't') (out += '\t'), (cp += 2);
    else if (n === '"' || n === '\\' || n === "'") (out += n), (cp += 2);
    else return undefined;
  }
}

/** `port_cfg_line_extract_addrport`: the target, whether it is `unix:`, and the rest of the line. */
export function extractPortTarget(value: string): { target: string; unix: boolean; rest: string } | undefined {
  const s = cString(value);
  const p = eatWhitespace(s, 0);
  if (s.startsWith('unix:"', p)) {
    const decoded = unescapeQuoted(s, p + 5);
    // A path with a NUL in it is refused (its length would not match).
    if (!decoded || decoded.value.includes('\0')) return undefined;
    return { target: decoded.value, unix: true, rest: s.slice(eatWhitespace(s, decoded.end)) };
  }
  const unix = s.startsWith('unix:', p);
  const from = unix ? p + 5 : p;
  const end = findWhitespace(s, from);
  return { target: s.slice(from, end), unix, rest: s.slice(eatWhitespace(s, end)) };
}

/**
 * `port_parse_config` for one option's lines. `explicitCarry` reproduces a quirk: Tor does not
 * reset "the address was explicit" between lines, so `auto` and Unix lines inherit it from the
 * line before.
 */
function parsePortOption(lines: readonly ConfigLine[], spec: PortOptionSpec): PortParse {
  const ports: PortConfig[] = [];
  const warnings: TorrcError[] = [];
  const defaultAddress = spec.defaultAddress === undefined ? undefined : parseTorAddress(spec.defaultAddress);
  let gotZero: ConfigLine | undefined;
  let gotNonZero = false;
  let explicitCarry = false;
  const fail = (line: ConfigLine, why: string, hint: string): PortParse => ({
    ports,
    error: portError(line, spec.option, why, hint),
    warnings,
  });
  const supportsUnix = spec.kind === 'Socks' || spec.kind === 'Control' || spec.kind === 'ControlSocket';

  for (const line of lines) {
    const extracted = extractPortTarget(line.value);
    if (!extracted) return fail(line, 'the quoted unix: path does not parse', 'write unix:"/path/to/socket" with a closing quote and valid escapes');
    const { target, unix, rest } = extracted;
    if (target === '') return fail(line, 'no address or port', `give a port, e.g. ${spec.option} 9001, or 0 to disable it`);
    const flags = splitString(rest, undefined, { skipSpace: true, ignoreBlank: true });

    let unixPath: string | undefined;
    let port: number | 'auto';
    let address: IpAddress | undefined;
    if (unix) {
      if (!supportsUnix) return fail(line, 'this listener cannot be a Unix socket', `use an address and port; only SocksPort and ControlPort take unix: paths`);
      unixPath = target;
      port = 1;
    } else if (spec.isUnixSocket) {
      unixPath = target;
      port = target === '0' ? 0 : 1;
    } else if (target.toLowerCase() === 'auto') {
      port = 'auto';
      address = defaultAddress;
    } else if (target.length >= 5 && target.slice(-5).toLowerCase() === ':auto') {
      port = 'auto';
      const looked = lookupAddressPort(target.slice(0, -5));
      if (!looked || looked.port !== 0) return fail(line, `${quote(target.slice(0, -5))} is not an address`, 'write an IPv4 address or a bracketed IPv6 address before :auto, e.g. 127.0.0.1:auto');
      // A name is taken as IPv4, the family Tor's resolver prefers.
      if (looked.kind === 'name') warnings.push(resolvesWarning(line, spec.option, looked.host));
      address = looked.kind === 'name' ? { family: 4, address: 0n } : looked.address;
    } else {
      const number = torParseLong(target, 0n, 65535n);
      if (number !== undefined) {
        port = Number(number);
        address = defaultAddress;
        explicitCarry = false;
      } else {
        const looked = lookupAddressPort(target);
        if (!looked) {
          return fail(line, `cannot read ${quote(target)} as a port or address:port`, 'use a port from 0 to 65535, auto, or an address and port such as 203.0.113.5:9001 or [2001:db8::5]:9001');
        }
        if (looked.port === 0) return fail(line, `${quote(target)} has an address but no port`, `add the port, e.g. ${target.replace(/:$/, '')}:9001`);
        if (looked.kind === 'name') {
          warnings.push(resolvesWarning(line, spec.option, looked.host));
          address = { family: 4, address: 0n };
        } else address = looked.address;
        port = looked.port;
        explicitCarry = true;
      }
    }

    const cfg = {
      noAdvertise: false,
      noListen: false,
      ipv4Only: false,
      ipv6Only: false,
      ipv4Traffic: true,
      ipv6Traffic: true,
      dnsRequest: true,
      onionTraffic: true,
      keepAliveIsolateSocksAuth: false,
      isolation: ISO_DEFAULT,
      sessionGroup: -1,
    };
    let unixOnlyFlag = false;
    let ignored = false;
    if (spec.serverOptions) {
      for (const flag of flags) {
        const lower = flag.toLowerCase();
        if (lower === 'noadvertise') cfg.noAdvertise = true;
        else if (lower === 'nolisten') cfg.noListen = true;
        else if (lower === 'ipv4only') cfg.ipv4Only = true;
        else if (lower === 'ipv6only') cfg.ipv6Only = true;
        else warnings.push(flagIgnored(line, spec.option, flag, 'NoAdvertise, NoListen, IPv4Only, IPv6Only'));
      }
      if (cfg.noAdvertise && cfg.noListen) return fail(line, 'NoListen and NoAdvertise together leave nothing', 'use NoListen on the advertised line and NoAdvertise on the one tor listens on');
      if (cfg.ipv4Only && cfg.ipv6Only) return fail(line, 'IPv4Only and IPv6Only together leave nothing', 'keep one of IPv4Only or IPv6Only');
      if (cfg.ipv4Only && address?.family !== 4) {
        if (explicitCarry) return fail(line, 'IPv4Only on an address that is not IPv4', 'remove IPv4Only or give an IPv4 address');
        ignored = true;
      } else if (cfg.ipv6Only && address?.family !== 6) {
        if (explicitCarry) return fail(line, 'IPv6Only on an address that is not IPv6', 'remove IPv6Only or give a bracketed IPv6 address');
        ignored = true;
      }
    } else {
      for (const original of flags) {
        let flag = original;
        if (flag.slice(0, 13).toLowerCase() === 'sessiongroup=') {
          const group = torParseLong(flag.slice(13), 0n, 2147483647n);
          if (group === undefined || spec.noStreamOptions) return fail(line, `the option ${quote(flag)} is not valid here`, spec.noStreamOptions ? `remove ${flag}` : 'write SessionGroup=N with N a whole number');
          if (cfg.sessionGroup >= 0) return fail(line, 'more than one SessionGroup', 'keep one SessionGroup= option');
          cfg.sessionGroup = Number(group);
          continue;
        }
        let no = false;
        if (flag.slice(0, 2).toLowerCase() === 'no') {
          no = true;
          flag = flag.slice(2);
        }
        const lower = flag.toLowerCase();
        if (lower === 'groupwritable' || lower === 'worldwritable' || lower === 'relaxdirmodecheck') {
          unixOnlyFlag = true;
          continue;
        }
        if (spec.noStreamOptions) {
          warnings.push(flagIgnored(line, spec.option, original, 'GroupWritable, WorldWritable, RelaxDirModeCheck'));
          continue;
        }
        if (spec.takesHostnames) {
          if (lower === 'ipv4traffic') (cfg.ipv4Traffic = !no);
          else if (lower === 'ipv6traffic') (cfg.ipv6Traffic = !no);
          else if (lower === 'dnsrequest') (cfg.dnsRequest = !no);
          else if (lower === 'oniontraffic') (cfg.onionTraffic = !no);
          else if (lower === 'oniontrafficonly') {
            if (!no) cfg.ipv4Traffic = cfg.ipv6Traffic = cfg.dnsRequest = false;
          }
          if (['ipv4traffic', 'ipv6traffic', 'preferipv6', 'dnsrequest', 'oniontraffic', 'oniontrafficonly'].includes(lower)) continue;
        }
        if (['cacheipv4dns', 'cacheipv6dns', 'cachedns', 'useipv4cache', 'useipv6cache', 'usednscache', 'preferipv6automap', 'prefersocksnoauth', 'extendederrors'].includes(lower)) continue;
        if (lower === 'keepaliveisolatesocksauth') {
          cfg.keepAliveIsolateSocksAuth = !no;
          continue;
        }
        const singular = lower.endsWith('s') ? lower.slice(0, -1) : lower;
        const bit = ISOLATION[singular];
        if (bit === undefined) {
          warnings.push(flagIgnored(line, spec.option, original, 'the isolation and traffic flags of the tor manual'));
          continue;
        }
        cfg.isolation = no ? cfg.isolation & ~bit : cfg.isolation | bit;
      }
    }
    if (ignored) continue;

    if (port === 0) gotZero ??= line;
    else gotNonZero = true;

    if (!cfg.dnsRequest && spec.kind === 'DNS') return fail(line, 'a DNSPort with DNS requests disabled cannot work', 'remove NoDNSRequest');
    if (!cfg.ipv4Traffic && !cfg.ipv6Traffic && !cfg.onionTraffic && spec.kind !== 'DNS') {
      return fail(line, 'IPv4, IPv6 and .onion traffic are all disabled', 'allow at least one of IPv4Traffic, IPv6Traffic, OnionTraffic');
    }
    if (cfg.dnsRequest && !cfg.ipv4Traffic && !cfg.ipv6Traffic && spec.kind !== 'DNS') {
      return fail(line, 'DNS requests are enabled but IPv4 and IPv6 traffic are not', 'add NoDNSRequest (or use OnionTrafficOnly), or allow IPv4Traffic or IPv6Traffic');
    }
    if (unixOnlyFlag && unixPath === undefined) {
      return fail(line, 'GroupWritable, WorldWritable and RelaxDirModeCheck apply only to unix: sockets', 'remove the flag or use a unix: path');
    }
    if ((cfg.isolation & ISO_SOCKSAUTH) === 0 && cfg.keepAliveIsolateSocksAuth) {
      return fail(line, 'NoIsolateSOCKSAuth and KeepAliveIsolateSOCKSAuth contradict each other', 'remove one of them');
    }
    if (port !== 0) {
      ports.push(
        Object.freeze({
          kind: spec.kind,
          line,
          address: unixPath === undefined ? address : undefined,
          port,
          explicitAddress: explicitCarry,
          unixPath,
          noAdvertise: cfg.noAdvertise,
          noListen: cfg.noListen,
          ipv4Only: cfg.ipv4Only,
          ipv6Only: cfg.ipv6Only,
        }),
      );
    }
  }
  if (gotZero && gotNonZero) {
    return {
      ports,
      error: new TorrcError('TORRC_PORT_CONFLICT', `${spec.option} 0 disables the listener, but another ${spec.option} line opens one`, {
        location: gotZero.location,
        input: gotZero.value,
        hint: `remove the ${spec.option} 0 line, or every other ${spec.option} line`,
      }),
      warnings,
    };
  }
  return { ports, error: undefined, warnings };
}

function resolvesWarning(line: ConfigLine, option: string, host: string): TorrcError {
  return portWarning(
    line,
    'TORRC_RESOLVES_AT_STARTUP',
    `${option} names the host ${quote(host)}, which tor resolves when it starts; exitkit cannot check that it resolves`,
    'prefer an IP address, e.g. 203.0.113.5:9001',
  );
}

function flagIgnored(line: ConfigLine, option: string, flag: string, known: string): TorrcError {
  return portWarning(line, 'TORRC_PORT_FLAG_IGNORED', `Tor ignores the unknown ${option} flag ${quote(flag)}`, `check the spelling; known flags: ${known}`);
}

const CLIENT = { serverOptions: false, noStreamOptions: false, takesHostnames: false, isUnixSocket: false } as const;
const SERVER = { serverOptions: true, noStreamOptions: false, takesHostnames: false, isUnixSocket: false } as const;

/** What the listener checks need to know about the rest of the configuration. */
export interface ListenerContext {
  /** Lines of each listener option's list (e.g. `lines('ORPortLines')`). */
  lines(option: string): readonly ConfigLine[];
  /** `ClientOnly 1`: relay listeners are not even parsed. */
  readonly clientOnly: boolean;
  /** `BridgeRelay 1` (bridges may listen on IPv6 only). */
  readonly bridgeRelay: boolean;
}

/** Every listener Tor would configure, and what Tor refuses or warns about in them. */
export interface Listeners {
  /** Listeners after Tor dropped superseded duplicate ORPorts. */
  readonly ports: readonly PortConfig[];
  /** Errors (Tor stops at the first one; exitkit reports one per option). */
  readonly errors: readonly TorrcError[];
  /** Warnings. */
  readonly warnings: readonly TorrcError[];
  /** Tor's `*Port_set` values: a real listener of that kind exists. */
  readonly set: Readonly<Record<'OR' | 'Dir' | 'ExtOR' | 'Socks' | 'Trans' | 'NATD' | 'HTTPTunnel' | 'Control' | 'DNS' | 'Metrics', boolean>>;
}

/** `parse_ports` in validation mode: reads every listener option and checks the server ports. */
export function parseListeners(context: ListenerContext): Listeners {
  const errors: TorrcError[] = [];
  const warnings: TorrcError[] = [];
  const all: PortConfig[] = [];
  const run = (option: string, spec: Omit<PortOptionSpec, 'option'>, storage = `${option}Lines`): void => {
    const parsed = parsePortOption(context.lines(storage), { ...spec, option });
    warnings.push(...parsed.warnings);
    if (parsed.error) errors.push(parsed.error);
    else all.push(...parsed.ports);
  };
  run('SocksPort', { ...CLIENT, kind: 'Socks', defaultAddress: '127.0.0.1', takesHostnames: true });
  run('DNSPort', { ...CLIENT, kind: 'DNS', defaultAddress: '127.0.0.1', takesHostnames: true });
  run('TransPort', { ...CLIENT, kind: 'Trans', defaultAddress: '127.0.0.1' });
  run('NATDPort', { ...CLIENT, kind: 'NATD', defaultAddress: '127.0.0.1' });
  run('HTTPTunnelPort', { ...CLIENT, kind: 'HTTPTunnel', defaultAddress: '127.0.0.1', takesHostnames: true });
  const metrics = parseMetricsPort(context.lines('MetricsPortLines'));
  warnings.push(...metrics.warnings);
  if (metrics.error) errors.push(metrics.error);
  else all.push(...metrics.ports);
  run('ControlPort', { ...CLIENT, kind: 'Control', defaultAddress: '127.0.0.1', noStreamOptions: true });
  run('ControlSocket', { ...CLIENT, kind: 'ControlSocket', defaultAddress: undefined, noStreamOptions: true, isUnixSocket: true }, 'ControlSocket');
  // With no SocksPort line Tor listens on 127.0.0.1:9050.
  if (context.lines('SocksPortLines').length === 0) all.push(defaultSocksPort());

  let server: PortConfig[] = [];
  if (!context.clientOnly) {
    const orLines = context.lines('ORPortLines');
    const relay: Array<[string, Omit<PortOptionSpec, 'option'>, readonly ConfigLine[]]> = [
      ['ORPort', { ...SERVER, kind: 'OR', defaultAddress: '0.0.0.0' }, orLines],
      ['ORPort', { ...SERVER, kind: 'OR', defaultAddress: '[::]' }, orLines],
      ['ExtORPort', { ...SERVER, kind: 'ExtOR', defaultAddress: '127.0.0.1' }, context.lines('ExtORPortLines')],
      ['DirPort', { ...SERVER, kind: 'Dir', defaultAddress: '0.0.0.0' }, context.lines('DirPortLines')],
    ];
    let failed = false;
    for (const [option, spec, lines] of relay) {
      const parsed = parsePortOption(lines, { ...spec, option });
      // The second ORPort pass repeats the warnings of the first.
      if (!(option === 'ORPort' && spec.defaultAddress === '[::]')) warnings.push(...parsed.warnings);
      if (parsed.error) {
        errors.push(parsed.error);
        failed = true;
        break;
      }
      server.push(...parsed.ports);
    }
    if (!failed) {
      server = removeDuplicateORPorts(server, warnings);
      const problem = checkServerPorts(server, context.bridgeRelay);
      if (problem) errors.push(problem);
    }
  }
  const ports = [...all, ...server];
  const listening = (kind: ListenerKind, countSockets: boolean): boolean =>
    ports.some((p) => p.kind === kind && !p.noListen && (countSockets || p.unixPath === undefined));
  return {
    ports,
    errors,
    warnings,
    set: {
      OR: listening('OR', false),
      Dir: listening('Dir', false),
      ExtOR: listening('ExtOR', false),
      Socks: listening('Socks', true),
      Trans: listening('Trans', true),
      NATD: listening('NATD', true),
      HTTPTunnel: listening('HTTPTunnel', true),
      Control: listening('Control', false),
      DNS: listening('DNS', true),
      Metrics: metrics.ports.length > 0,
    },
  };
}

function defaultSocksPort(): PortConfig {
  const line: ConfigLine = Object.freeze({
    option: 'SocksPort',
    key: 'SocksPort',
    prefix: '',
    value: '9050',
    location: { file: '<tor default>', line: 0 },
    source: 'defaults',
  });
  return Object.freeze({
    kind: 'Socks',
    line,
    address: { family: 4 as const, address: 0x7f000001n },
    port: 9050,
    explicitAddress: false,
    unixPath: undefined,
    noAdvertise: false,
    noListen: false,
    ipv4Only: false,
    ipv6Only: false,
  });
}

/** `metrics_parse_ports`: only the first MetricsPort line counts: `[address:]port [prometheus]`. */
function parseMetricsPort(lines: readonly ConfigLine[]): PortParse {
  const line = lines[0];
  if (!line) return { ports: [], error: undefined, warnings: [] };
  const elements = splitString(line.value, ' ', { skipSpace: true, ignoreBlank: true }, 2);
  const fail = (why: string, hint: string): PortParse => ({ ports: [], error: portError(line, 'MetricsPort', why, hint), warnings: [] });
  const target = elements[0];
  if (target === undefined) return fail('no port', 'give a port, e.g. MetricsPort 127.0.0.1:9035');
  const format = elements[1];
  if (format !== undefined && format.toLowerCase() !== 'prometheus') return fail(`unknown format ${quote(format)}`, 'the only format is prometheus (or leave it out)');
  // "auto" is no port here; as a hostname it would not resolve anywhere.
  if (target.toLowerCase() === 'auto') return fail('MetricsPort does not choose a port automatically', 'give a port, e.g. MetricsPort 127.0.0.1:9035');
  const number = torParseLong(target, 0n, 65535n);
  const warnings: TorrcError[] = [];
  let address: IpAddress = { family: 4, address: 0x7f000001n };
  let port: number;
  if (number !== undefined) {
    port = Number(number);
  } else {
    const looked = lookupAddressPort(target);
    if (!looked) return fail(`cannot read ${quote(target)} as an address and port`, 'write it as 127.0.0.1:9035 or [::1]:9035');
    if (looked.kind === 'name') warnings.push(resolvesWarning(line, 'MetricsPort', looked.host));
    else address = looked.address;
    port = looked.port;
  }
  return {
    ports: [
      Object.freeze({ kind: 'Metrics', line, address, port, explicitAddress: number === undefined, unixPath: undefined, noAdvertise: false, noListen: false, ipv4Only: false, ipv6Only: false }),
    ],
    error: undefined,
    warnings,
  };
}

function sameAddress(a: IpAddress | undefined, b: IpAddress | undefined): boolean {
  return a?.family === b?.family && a?.address === b?.address;
}

function sameConfig(a: PortConfig, b: PortConfig): boolean {
  return (
    sameAddress(a.address, b.address) &&
    a.port === b.port &&
    a.kind === b.kind &&
    a.explicitAddress === b.explicitAddress &&
    a.noAdvertise === b.noAdvertise &&
    a.noListen === b.noListen &&
    a.ipv4Only === b.ipv4Only &&
    a.ipv6Only === b.ipv6Only
  );
}

/** `remove_duplicate_orports`: an ORPort superseded by another of the same port and family is dropped. */
function removeDuplicateORPorts(ports: readonly PortConfig[], warnings: TorrcError[]): PortConfig[] {
  const removing = ports.map(() => false);
  ports.forEach((current, i) => {
    if (removing[i] || current.kind !== 'OR') return;
    ports.forEach((next, j) => {
      if (i === j || removing[j] || next.kind !== 'OR') return;
      if (sameConfig(current, next)) {
        removing[j] = true;
        return;
      }
      if (current.address?.family !== next.address?.family) return;
      if (!sameAddress(current.address, next.address) && current.explicitAddress && next.explicitAddress) return;
      if (current.port !== next.port) return;
      if (!current.explicitAddress && next.explicitAddress) return;
      removing[j] = true;
      warnings.push(
        new TorrcError('TORRC_PORT_SUPERSEDED', `the ORPort line ${quote(next.line.value)} is superseded by ${quote(current.line.value)}; Tor drops it`, {
          location: next.line.location,
          input: next.line.value,
          hint: 'remove the line, or give the two lines different ports or explicit addresses',
          severity: 'warning',
        }),
      );
    });
  });
  return ports.filter((_, i) => !removing[i]);
}

/** `check_and_prune_server_ports`: what is advertised must be listened on, and the reverse. */
function checkServerPorts(ports: readonly PortConfig[], bridgeRelay: boolean): TorrcError | undefined {
  const or = ports.filter((p) => p.kind === 'OR');
  const dir = ports.filter((p) => p.kind === 'Dir');
  const orAdvertised = or.filter((p) => !p.noAdvertise);
  const orListeners = or.filter((p) => !p.noListen);
  const dirAdvertised = dir.filter((p) => !p.noAdvertise);
  const dirListeners = dir.filter((p) => !p.noListen);
  const bindsIPv4 = (p: PortConfig): boolean => p.address?.family === 4 || (p.address === undefined && !p.ipv6Only);
  const conflict = (at: PortConfig | undefined, why: string, hint: string): TorrcError => {
    const first = at ?? ports[0];
    return new TorrcError('TORRC_PORT_CONFLICT', `Tor refuses these server ports: ${why}`, {
      ...(first ? { location: first.line.location, input: first.line.value } : {}),
      hint,
    });
  };
  if (orAdvertised.length > 0 && orListeners.length === 0) {
    return conflict(orAdvertised[0], 'an ORPort is advertised but none is listened on', 'add an ORPort line without NoListen (often with NoAdvertise and a local address)');
  }
  if (orListeners.length > 0 && orAdvertised.length === 0) {
    return conflict(orListeners[0], 'an ORPort is listened on but none is advertised, so no descriptor can be built', 'add an ORPort line without NoAdvertise');
  }
  if (dirAdvertised.length > 0 && dirListeners.length === 0) {
    return conflict(dirAdvertised[0], 'a DirPort is advertised but none is listened on', 'add a DirPort line without NoListen, or remove DirPort');
  }
  if (dirAdvertised.length > 1) {
    return conflict(dirAdvertised[1], 'more than one DirPort is advertised', 'advertise one DirPort (mark the others NoAdvertise)');
  }
  if (orAdvertised.length > 0 && !orAdvertised.some(bindsIPv4) && !bridgeRelay) {
    return conflict(orAdvertised[0], 'a public relay must advertise an IPv4 ORPort, not only IPv6', 'add an IPv4 ORPort, e.g. ORPort 9001');
  }
  if (dirAdvertised.length > 0 && !dirListeners.some(bindsIPv4)) {
    return conflict(dirAdvertised[0], 'a DirPort must listen on IPv4', 'give the DirPort an IPv4 address, or remove it');
  }
  return undefined;
}
