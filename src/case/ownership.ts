/**
 * "Is it us?": does the address a complaint accuses belong to this relay?
 *
 * The relay's own addresses come from the configuration (`Address`, the address part of
 * `ORPort`, every `OutboundBindAddress*`), plus, when given, the machine's interface
 * addresses. Each reported source is then one of:
 *   - `ours`: one of the configured addresses;
 *   - `this-machine`: on one of the machine's interfaces but in no line of this torrc, so
 *     another tor instance (or another service) on this host used it;
 *   - `not-ours`: the relay has no address of that family (or does not exit over IPv6), or the
 *     address is a neighbour in the same /24 (IPv4) or /64 (IPv6), or a different host;
 *   - `unknown`: the configuration names no address of that family at all (tor detects it at
 *     run time), so exitkit cannot tell.
 * Every source also gets the ExoneraTor link for its address and the complaint's date, which
 * answers whether the address was a Tor relay that day.
 */
import { Address6 } from 'ip-address';
import { exoneratorUrl } from '../letters/exonerator.js';
import { formatIPv4, parseIpLiteral, prefixContains } from '../net/cidr.js';
import type { ConfigLine, ConfigView, Family, SourceLocation } from '../types.js';

/** One address the relay (or its machine) owns. */
export interface OwnAddress {
  /** Canonical text (dotted quad, or RFC 5952 IPv6), no brackets. */
  address: string;
  /** 4 or 6. */
  family: Family;
  /** Which option named it (`Address`, `ORPort`, `OutboundBindAddressExit`, …) or `interface`. */
  via: string;
  /** The configuration line, when it comes from one. */
  location: SourceLocation | undefined;
}

/** The relay's own addresses and what could not be read. */
export interface OwnAddresses {
  /** Addresses named by the configuration. */
  configured: OwnAddress[];
  /** The machine's interface addresses (empty when not given). */
  interfaces: OwnAddress[];
  /** Lines naming no literal address (host names, `auto`, wildcards), in words. */
  notes: string[];
  /** `IPv6Exit`: without it the relay opens no exit connection over IPv6. */
  ipv6Exit: boolean;
}

/** How a reported source relates to the relay. */
export type OwnershipVerdict = 'ours' | 'this-machine' | 'not-ours' | 'unknown';

/** Why. */
export type OwnershipReason =
  /** A configured address. */
  | 'configured'
  /** On an interface of this machine but not in this configuration: another instance. */
  | 'other-instance'
  /** The relay has no address of this family, or opens no IPv6 exit connections. */
  | 'wrong-family'
  /** Not ours, but in the same /24 or /64 as one of ours: another host or instance nearby. */
  | 'same-network'
  /** Not ours and not near any of ours. */
  | 'different-host'
  /** The configuration names no address of this family; it cannot be told offline. */
  | 'no-own-address';

/** The check of one reported source. */
export interface SourceOwnership {
  /** The reported address, canonical. */
  address: string;
  /** 4 or 6. */
  family: Family;
  /** The verdict. */
  verdict: OwnershipVerdict;
  /** Why. */
  reason: OwnershipReason;
  /** The own addresses it matched or is near. */
  matches: OwnAddress[];
  /** The ExoneraTor link for the address and date, or null when no date is known. */
  exonerator: string | null;
  /** Human lines: the verdict (a WARNING when not ours) and the link. */
  lines: string[];
}

/** The check of every reported source. */
export interface OwnershipReport {
  /** One entry per distinct source. */
  sources: SourceOwnership[];
  /** True when every source is one of the relay's configured addresses (false when there is none). */
  allOurs: boolean;
  /** Human lines for all of them. */
  lines: string[];
}

/** Options of `checkOwnership`. */
export interface OwnershipOptions {
  /** `YYYY-MM-DD` (UTC) of the reported event, for the ExoneraTor link. */
  date?: string | undefined;
}

const OUTBOUND_OPTIONS = ['OutboundBindAddressExit', 'OutboundBindAddress', 'OutboundBindAddressOR', 'OutboundBindAddressPT'];

/** Reads the relay's own addresses from its configuration (and the machine's, when given). */
export function ownAddressesFromConfig(config: ConfigView, machine: { interfaceAddresses?: readonly string[] | undefined } = {}): OwnAddresses {
  const configured: OwnAddress[] = [];
  const notes: string[] = [];
  const add = (text: string, via: string, line: ConfigLine | undefined): boolean => {
    const parsed = parseIpLiteral(text);
    if (parsed === undefined || parsed.address === 0n) return false;
    const address = canonical(parsed.family, parsed.address);
    if (!configured.some((own) => own.address === address && own.via === via)) {
      configured.push({ address, family: parsed.family, via, location: line?.location });
    }
    return true;
  };
  for (const line of config.lines('Address')) {
    const value = line.value.trim();
    if (value !== '' && !add(value, 'Address', line)) notes.push(`Address ${value} is not a literal IP address (tor resolves it at run time)`);
  }
  for (const line of config.lines('ORPort')) {
    const spec = line.value.trim().split(/\s+/)[0] ?? '';
    // orport ::= [ address ":" ] port ; address ::= IPv4 | "[" IPv6 "]" | hostname
    const colon = spec.lastIndexOf(':');
    if (colon > 0) {
      const host = spec.slice(0, colon);
      if (!add(host, 'ORPort', line) && host !== '0.0.0.0' && host !== '[::]') notes.push(`ORPort ${spec} names no literal address`);
    }
  }
  for (const option of OUTBOUND_OPTIONS) {
    for (const line of config.lines(option)) {
      const value = line.value.trim();
      if (value !== '' && !add(value, option, line)) notes.push(`${option} ${value} is not a literal IP address`);
    }
  }
  const interfaces: OwnAddress[] = [];
  for (const text of machine.interfaceAddresses ?? []) {
    const parsed = parseIpLiteral(text.trim());
    if (parsed !== undefined) interfaces.push({ address: canonical(parsed.family, parsed.address), family: parsed.family, via: 'interface', location: undefined });
  }
  return { configured, interfaces, notes, ipv6Exit: config.value('IPv6Exit')?.value === '1' };
}

/** Checks each reported source address against the relay's own addresses. */
export function checkOwnership(sources: readonly string[], own: OwnAddresses, options: OwnershipOptions = {}): OwnershipReport {
  const seen = new Set<string>();
  const results: SourceOwnership[] = [];
  for (const text of sources) {
    const parsed = parseIpLiteral(text.trim());
    if (parsed === undefined) continue;
    const address = canonical(parsed.family, parsed.address);
    if (seen.has(address)) continue;
    seen.add(address);
    results.push(checkOne(address, parsed.family, parsed.address, own, options.date));
  }
  const lines = results.length === 0 ? ['The complaint names no source address, so it cannot be matched to this relay.'] : results.flatMap((r) => r.lines);
  return { sources: results, allOurs: results.length > 0 && results.every((r) => r.verdict === 'ours'), lines };
}

function checkOne(address: string, family: Family, value: bigint, own: OwnAddresses, date: string | undefined): SourceOwnership {
  const same = (candidate: OwnAddress) => candidate.address === address;
  const ofFamily = own.configured.filter((candidate) => candidate.family === family);
  const link = date === undefined ? null : exoneratorUrl(address, date);
  const result = (verdict: OwnershipVerdict, reason: OwnershipReason, matches: OwnAddress[], line: string): SourceOwnership => ({
    address,
    family,
    verdict,
    reason,
    matches,
    exonerator: link,
    lines: [line, ...(link === null ? [] : [`  ExoneraTor (was ${address} a Tor relay on ${date}?): ${link}`])],
  });

  const configured = own.configured.filter(same);
  if (configured.length > 0) {
    if (family === 6 && !own.ipv6Exit) {
      return result('not-ours', 'wrong-family', configured,
        `WARNING: ${address} is this relay's address (${vias(configured)}), but IPv6Exit is off: the relay opens no exit connections over IPv6, so it did not make the reported connection.`);
    }
    return result('ours', 'configured', configured, `${address} is this relay's address (${vias(configured)}).`);
  }
  const onMachine = own.interfaces.filter(same);
  if (onMachine.length > 0) {
    return result('this-machine', 'other-instance', onMachine,
      `WARNING: ${address} is on this machine but in no line of this torrc: another tor instance (or another service) on this host uses it. Check that instance's configuration and answer for it.`);
  }
  if (ofFamily.length === 0) {
    const other = own.configured.filter((candidate) => candidate.family !== family);
    if (other.length === 0) {
      return result('unknown', 'no-own-address', [],
        `${address}: the torrc names no address of this relay (tor detects it at run time), so exitkit cannot tell whether it is ours; compare it with the relay's public address.`);
    }
    return result('not-ours', 'wrong-family', [],
      `WARNING: ${address} is an IPv${family} address, but this relay is configured with IPv${family === 4 ? 6 : 4} only (${other.map((o) => o.address).join(', ')}): the complaint is probably about another host.`);
  }
  if (family === 6 && !own.ipv6Exit) {
    return result('not-ours', 'wrong-family', [],
      `WARNING: ${address} is not this relay's address, and IPv6Exit is off (the relay opens no exit connections over IPv6): the complaint is about another host.`);
  }
  const bits = family === 4 ? 24 : 64;
  const near = ofFamily.filter((candidate) => {
    const own6 = parseIpLiteral(candidate.address);
    return own6 !== undefined && prefixContains(family, own6.address, bits, value);
  });
  if (near.length > 0) {
    return result('not-ours', 'same-network', near,
      `WARNING: ${address} is not this relay's address but shares a /${bits} with ${near.map((n) => n.address).join(', ')}: another host or tor instance in the same network. Check which machine had ${address} at the reported time before answering.`);
  }
  return result('not-ours', 'different-host', [],
    `WARNING: ${address} is not one of this relay's addresses (${ofFamily.map((o) => o.address).join(', ')}): the complaint is probably about another host. Check before answering or changing anything.`);
}

function vias(addresses: readonly OwnAddress[]): string {
  return [...new Set(addresses.map((a) => a.via))].join(', ');
}

function canonical(family: Family, address: bigint): string {
  return family === 4 ? formatIPv4(address) : Address6.fromBigInt(address).correctForm();
}
