/**
 * Reads from a loaded configuration everything Tor uses to build the relay's exit policy
 * (`policies_parse_exit_policy_from_options` in src/core/or/policies.c), keeping where each
 * value came from.
 *
 * Option values follow Tor's rules: an empty value clears an option to 0, not to its
 * default; `TestingTorNetwork 1` changes the default of `ExitPolicyRejectPrivate` to 0
 * (src/app/config/testnet.inc). Addresses Tor discovers at run time (auto-detected public
 * address, host names, interface addresses) cannot be known offline: they are taken from
 * `machine` when given, and otherwise reported as warnings.
 */
import type { ExitkitError } from '../errors.js';
import { isInternal, parseIpLiteral } from '../net/cidr.js';
import type { ConfigLine, ConfigView, Family, SourceLocation } from '../types.js';
import { PolicyError } from './errors.js';

/** An option value and where it was set. */
export interface OptionSetting<T> {
  /** The value Tor uses. */
  readonly value: T;
  /** The line that set it; undefined when it is Tor's default. */
  readonly location: SourceLocation | undefined;
  /** `config` when a line set it, `default` for Tor's default, `testing-default` for
   * the default `TestingTorNetwork 1` substitutes. */
  readonly source: 'config' | 'default' | 'testing-default';
}

/** An address that may become a `reject ADDRESS:*` rule. */
export interface AddressInput {
  /** 4 or 6. */
  readonly family: Family;
  /** The address. */
  readonly address: bigint;
  /** Which option (or `machine`) named it, e.g. `Address`, `ORPort`, `OutboundBindAddressExit`. */
  readonly via: string;
  /** The configuration line, when there is one. */
  readonly location: SourceLocation | undefined;
}

/** Everything the effective policy depends on. */
export interface PolicyInputs {
  /** `ExitRelay` (AUTOBOOL, default auto). */
  readonly exitRelay: OptionSetting<0 | 1 | 'auto'>;
  /** The `ExitPolicy` lines, in Tor's order. */
  readonly exitPolicy: readonly ConfigLine[];
  /** `ExitPolicyRejectPrivate` (default 1; 0 under `TestingTorNetwork 1`). */
  readonly rejectPrivate: OptionSetting<boolean>;
  /** `ExitPolicyRejectLocalInterfaces` (default 0). */
  readonly rejectLocalInterfaces: OptionSetting<boolean>;
  /** `IPv6Exit` (default 0). */
  readonly ipv6Exit: OptionSetting<boolean>;
  /** `ReducedExitPolicy` (default 0). */
  readonly reducedExitPolicy: OptionSetting<boolean>;
  /** `BridgeRelay` (default 0). */
  readonly bridgeRelay: OptionSetting<boolean>;
  /** `TestingTorNetwork` (default 0). */
  readonly testingTorNetwork: OptionSetting<boolean>;
  /** The addresses the relay publishes (IPv4 first), which RejectPrivate rejects. */
  readonly publishedAddresses: readonly AddressInput[];
  /** OutboundBindAddress* addresses in Tor's order (Exit, OR, PT, any; IPv4 then IPv6). */
  readonly outboundAddresses: readonly AddressInput[];
  /** Explicit bind addresses of every *Port option, in Tor's order. */
  readonly portAddresses: readonly AddressInput[];
  /** The machine's interface addresses, or undefined when unknown. */
  readonly interfaceAddresses: readonly AddressInput[] | undefined;
  /** Values Tor would refuse (errors) and facts exitkit cannot know offline (warnings). */
  readonly diagnostics: readonly ExitkitError[];
}

/** What exitkit knows about the machine, beyond the configuration. */
export interface MachineFacts {
  /** Addresses on the machine's network interfaces (for ExitPolicyRejectLocalInterfaces). */
  interfaceAddresses?: readonly string[] | undefined;
  /** The relay's public address(es), when Tor would auto-detect them. */
  ownAddresses?: readonly string[] | undefined;
}

/** Reads the policy inputs from a configuration. */
export function policyInputsFromConfig(config: ConfigView, machine: MachineFacts = {}): PolicyInputs {
  const diagnostics: ExitkitError[] = [];
  const testing = boolOption(config, 'TestingTorNetwork', false, diagnostics);
  const rejectPrivateDefault = !testing.value;
  const rejectPrivate = boolOption(config, 'ExitPolicyRejectPrivate', rejectPrivateDefault, diagnostics);
  const rejectPrivateSetting: OptionSetting<boolean> =
    rejectPrivate.source === 'default' && testing.value
      ? { ...rejectPrivate, source: 'testing-default' }
      : rejectPrivate;
  const ipv6Exit = boolOption(config, 'IPv6Exit', false, diagnostics);
  const addressDisableIPv6 = boolOption(config, 'AddressDisableIPv6', false, diagnostics);
  const clientOnly = boolOption(config, 'ClientOnly', false, diagnostics);

  const ports = collectPorts(config, clientOnly.value, diagnostics);
  const published = publishedAddresses(config, ports, addressDisableIPv6.value, machine, {
    careAboutV6: ipv6Exit.value,
    warn: rejectPrivateSetting.value,
  }, diagnostics);

  const rejectLocalInterfaces = boolOption(config, 'ExitPolicyRejectLocalInterfaces', false, diagnostics);
  let interfaceAddresses: AddressInput[] | undefined;
  if (machine.interfaceAddresses) {
    interfaceAddresses = [];
    for (const text of machine.interfaceAddresses) {
      const parsed = parseIpLiteral(text);
      if (parsed) interfaceAddresses.push({ ...parsed, via: 'interface', location: undefined });
    }
  } else if (rejectLocalInterfaces.value) {
    diagnostics.push(
      new PolicyError('POLICY_INTERFACES_UNKNOWN',
        'ExitPolicyRejectLocalInterfaces rejects the public addresses of every network interface, which exitkit was not given',
        { location: rejectLocalInterfaces.location, severity: 'warning',
          hint: 'pass the machine\'s interface addresses so their reject rules can be shown' }),
    );
  }

  return Object.freeze({
    exitRelay: exitRelayOption(config, diagnostics),
    exitPolicy: Object.freeze(config.lines('ExitPolicy').filter((l) => l.value !== '')),
    rejectPrivate: rejectPrivateSetting,
    rejectLocalInterfaces,
    ipv6Exit,
    reducedExitPolicy: boolOption(config, 'ReducedExitPolicy', false, diagnostics),
    bridgeRelay: boolOption(config, 'BridgeRelay', false, diagnostics),
    testingTorNetwork: testing,
    publishedAddresses: Object.freeze(published),
    outboundAddresses: Object.freeze(outboundAddresses(config, diagnostics)),
    portAddresses: Object.freeze(ports.flatMap((p) => (p.explicit ? [p.explicit] : []))),
    interfaceAddresses: interfaceAddresses && Object.freeze(interfaceAddresses),
    diagnostics: Object.freeze(diagnostics),
  });
}

/** Inputs for a configuration with no options set (Tor's defaults), with overrides. */
export function defaultPolicyInputs(overrides: Partial<PolicyInputs> = {}): PolicyInputs {
  const setting = <T>(value: T): OptionSetting<T> => ({ value, location: undefined, source: 'default' });
  return Object.freeze({
    exitRelay: setting<0 | 1 | 'auto'>('auto'),
    exitPolicy: [],
    rejectPrivate: setting(true),
    rejectLocalInterfaces: setting(false),
    ipv6Exit: setting(false),
    reducedExitPolicy: setting(false),
    bridgeRelay: setting(false),
    testingTorNetwork: setting(false),
    publishedAddresses: [],
    outboundAddresses: [],
    portAddresses: [],
    interfaceAddresses: [],
    diagnostics: [],
    ...overrides,
  });
}

function badValue(line: ConfigLine, allowed: string): PolicyError {
  return new PolicyError('POLICY_BAD_OPTION_VALUE',
    `${line.option} '${line.value}' is not a value Tor accepts`,
    { location: line.location, input: line.value, hint: `allowed values are ${allowed}` });
}

// BOOL options: "0" or "1"; an empty value clears the option to 0.
function boolOption(
  config: ConfigView,
  option: string,
  fallback: boolean,
  diagnostics: ExitkitError[],
): OptionSetting<boolean> {
  const line = config.value(option);
  if (!line) return { value: fallback, location: undefined, source: 'default' };
  if (line.value === '' || line.value === '0') return { value: false, location: line.location, source: 'config' };
  if (line.value === '1') return { value: true, location: line.location, source: 'config' };
  diagnostics.push(badValue(line, '0 and 1'));
  return { value: fallback, location: line.location, source: 'config' };
}

// AUTOBOOL: "0", "1" or "auto" (any case); an empty value clears it to 0.
function exitRelayOption(config: ConfigView, diagnostics: ExitkitError[]): OptionSetting<0 | 1 | 'auto'> {
  const line = config.value('ExitRelay');
  if (!line) return { value: 'auto', location: undefined, source: 'default' };
  const v = line.value.toLowerCase();
  if (v === '' || v === '0') return { value: 0, location: line.location, source: 'config' };
  if (v === '1') return { value: 1, location: line.location, source: 'config' };
  if (v === 'auto') return { value: 'auto', location: line.location, source: 'config' };
  diagnostics.push(badValue(line, '0, 1 and auto'));
  return { value: 'auto', location: line.location, source: 'config' };
}

// OUTBOUND_ADDR_EXIT, _OR, _PT, _ANY; in each, the IPv4 then the IPv6 address.
const OUTBOUND_OPTIONS = [
  'OutboundBindAddressExit',
  'OutboundBindAddressOR',
  'OutboundBindAddressPT',
  'OutboundBindAddress',
] as const;

function outboundAddresses(config: ConfigView, diagnostics: ExitkitError[]): AddressInput[] {
  const out: AddressInput[] = [];
  for (const option of OUTBOUND_OPTIONS) {
    const byFamily = new Map<Family, AddressInput>();
    for (const line of config.lines(option)) {
      const parsed = parseIpLiteral(line.value);
      if (!parsed) {
        diagnostics.push(badValue(line, 'one IPv4 or IPv6 address'));
        continue;
      }
      if (byFamily.has(parsed.family) && byFamily.get(parsed.family)?.address !== 0n) {
        diagnostics.push(new PolicyError('POLICY_BAD_OPTION_VALUE',
          `${option} names more than one IPv${parsed.family} address`,
          { location: line.location, input: line.value, hint: 'Tor accepts one address per family' }));
        continue;
      }
      byFamily.set(parsed.family, { ...parsed, via: option, location: line.location });
    }
    for (const family of [4, 6] as const) {
      const a = byFamily.get(family);
      if (a && a.address !== 0n) out.push(a);
    }
  }
  return out;
}

interface PortEntry {
  option: string;
  line: ConfigLine;
  /** Families the port listens on. */
  families: Family[];
  /** The explicit IP address, if the line names one. */
  explicit: AddressInput | undefined;
  /** The port is advertised in the descriptor (ORPort without NoAdvertise). */
  advertised: boolean;
}

// parse_ports(): client ports, metrics, control, then the relay's OR, ExtOR and Dir ports.
const CLIENT_PORT_OPTIONS = ['SocksPort', 'DNSPort', 'TransPort', 'NATDPort', 'HTTPTunnelPort', 'MetricsPort', 'ControlPort'];
const RELAY_PORT_OPTIONS = ['ORPort', 'ExtORPort', 'DirPort'];

function collectPorts(config: ConfigView, clientOnly: boolean, diagnostics: ExitkitError[]): PortEntry[] {
  const out: PortEntry[] = [];
  const options = clientOnly ? CLIENT_PORT_OPTIONS : [...CLIENT_PORT_OPTIONS, ...RELAY_PORT_OPTIONS];
  // warn_nonlocal_controller_ports(): without any authentication Tor closes every
  // non-loopback ControlPort (and a loopback one never gets a rule).
  // (A password that a controlling process passes on tor's command line is not
  // part of a torrc.)
  const controlAuth =
    config.lines('HashedControlPassword').length > 0 ||
    config.value('CookieAuthentication')?.value === '1';
  for (const option of options) {
    if (option === 'ControlPort' && !controlAuth) continue;
    const entries: PortEntry[] = [];
    for (const line of config.lines(option)) {
      const entry = parsePortLine(option, line, diagnostics);
      if (entry) entries.push(entry);
    }
    if (option === 'ORPort') {
      // Tor parses ORPort twice, with IPv4 then IPv6 default addresses.
      entries.sort((a, b) => (a.explicit?.family ?? 4) - (b.explicit?.family ?? 4));
    }
    out.push(...entries);
  }
  return out;
}

// "[Address:]Port|auto [flags]" as port_parse_config() reads it, as far as addresses go.
function parsePortLine(option: string, line: ConfigLine, diagnostics: ExitkitError[]): PortEntry | undefined {
  const words = line.value.trim().split(/\s+/);
  const addrport = words[0] ?? '';
  const flags = words.slice(1).map((w) => w.toLowerCase());
  if (addrport === '' || addrport.toLowerCase().startsWith('unix:')) return undefined;
  const ipv4Only = flags.includes('ipv4only');
  const ipv6Only = flags.includes('ipv6only');
  const advertised = option === 'ORPort' && !flags.includes('noadvertise');
  const implicitFamilies: Family[] = option === 'ORPort'
    ? ipv4Only ? [4] : ipv6Only ? [6] : [4, 6]
    : [4];
  if (addrport.toLowerCase() === 'auto') {
    return { option, line, families: implicitFamilies, explicit: undefined, advertised };
  }
  if (/^[+-]?\d+$/.test(addrport)) {
    if (Number(addrport) === 0) return undefined;
    return { option, line, families: implicitFamilies, explicit: undefined, advertised };
  }
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(addrport);
  if (bracketed) {
    host = `[${bracketed[1] as string}]`;
    port = bracketed[2] as string;
  } else {
    const colon = addrport.lastIndexOf(':');
    if (colon < 0) return undefined;
    host = addrport.slice(0, colon);
    port = addrport.slice(colon + 1);
  }
  if (port === '0') return undefined;
  const parsed = parseIpLiteral(host);
  if (!parsed) {
    diagnostics.push(new PolicyError('POLICY_ADDRESS_NEEDS_DNS',
      `${option} names '${host}', which Tor resolves when it starts`,
      { location: line.location, input: line.value, severity: 'warning',
        hint: 'exitkit cannot resolve names offline; write the IP address to see its reject rule' }));
    return { option, line, families: [], explicit: undefined, advertised: false };
  }
  return {
    option,
    line,
    families: [parsed.family],
    explicit: { ...parsed, via: option, location: line.location },
    advertised,
  };
}

// relay_find_addr_to_publish() / find_my_address(): Address, then the ORPort address, then
// the first public interface address, then the host name, for each family that has an
// advertised ORPort.
function publishedAddresses(
  config: ConfigView,
  ports: readonly PortEntry[],
  addressDisableIPv6: boolean,
  machine: MachineFacts,
  want: { careAboutV6: boolean; warn: boolean },
  diagnostics: ExitkitError[],
): AddressInput[] {
  const out: AddressInput[] = [];
  const fromText = (via: string) => (text: string): AddressInput[] => {
    const parsed = parseIpLiteral(text);
    return parsed ? [{ ...parsed, via, location: undefined }] : [];
  };
  const machineOwn = (machine.ownAddresses ?? []).flatMap(fromText('machine'));
  const interfaces = (machine.interfaceAddresses ?? []).flatMap(fromText('interface'));
  const addressLines = config.lines('Address');
  const customAuthorities =
    config.lines('DirAuthority').length > 0 || config.lines('AlternateDirAuthority').length > 0;
  const publishes = config.value('PublishServerDescriptor')?.value.trim() !== '0';
  const assumeReachable = config.value('AssumeReachable')?.value === '1';
  // AUTOBOOL, default auto, which counts as true here.
  const reachable6 = config.value('AssumeReachableIPv6')?.value;
  const assumeReachable6 = reachable6 === undefined || (reachable6 !== '' && reachable6 !== '0');

  for (const family of [4, 6] as const) {
    if (family === 6 && addressDisableIPv6) continue;
    const orPorts = ports.filter((p) => p.option === 'ORPort' && p.advertised && p.families.includes(family));
    if (orPorts.length === 0) continue;
    // address_can_be_used(): an internal address only with PublishServerDescriptor 0 and
    // AssumeReachable, or with custom directory authorities.
    const internalAllowed =
      (!publishes && (assumeReachable || (family === 6 && assumeReachable6))) || customAuthorities;

    const literals: AddressInput[] = [];
    const names: ConfigLine[] = [];
    for (const line of addressLines) {
      const parsed = parseIpLiteral(line.value);
      if (parsed?.family === family) literals.push({ ...parsed, via: 'Address', location: line.location });
      else if (!parsed) names.push(line);
    }
    const autodetect = (why: string, location: SourceLocation | undefined): void => {
      const own = machineOwn.find((a) => a.family === family);
      if (own) {
        out.push(own);
        return;
      }
      const iface = interfaces.find((a) => a.family === family && !isInternal(a.family, a.address));
      if (iface) {
        out.push(iface);
        return;
      }
      if (want.warn && (family === 4 || want.careAboutV6)) {
        diagnostics.push(new PolicyError('POLICY_OWN_ADDRESS_UNKNOWN',
          `Tor rejects the relay's own IPv${family} address, which it ${why}; exitkit cannot add that rule offline`,
          { location, severity: 'warning', hint: "pass the relay's public address to include its reject rule" }));
      }
    };
    if (names.length > 0) {
      // Tor resolves the name; a literal of the same family may also count.
      const own = machineOwn.find((a) => a.family === family);
      if (own) out.push(own);
      else if (want.warn && (family === 4 || want.careAboutV6)) {
        diagnostics.push(new PolicyError('POLICY_ADDRESS_NEEDS_DNS',
          `Address '${names[0]?.value ?? ''}' is a host name Tor resolves at start-up; exitkit cannot add the reject rule for the relay's own IPv${family} address offline`,
          { location: names[0]?.location, severity: 'warning', hint: 'write the IP address, or pass it to exitkit' }));
      }
      continue;
    }
    if (literals.length === 1) {
      out.push(literals[0] as AddressInput);
      continue;
    }
    // Two literals of one family: Tor finds no address to publish.
    if (literals.length > 1) continue;
    const explicit = orPorts.find((p) => p.explicit)?.explicit;
    if (explicit && (!isInternal(explicit.family, explicit.address) || internalAllowed)) {
      out.push(explicit);
      continue;
    }
    autodetect('detects automatically', orPorts[0]?.line.location);
  }
  return out;
}
