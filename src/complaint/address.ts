/**
 * The few address operations complaint intake needs: recognise an IP address in report text,
 * canonicalise it, and describe networks as canonical CIDRs. Everything goes through
 * ip-address; nothing here does its own address arithmetic beyond masking a BigInt.
 */
import { Address4, Address6 } from 'ip-address';
import { prefixContains } from '../net/cidr.js';
import { PRIVATE_NETS } from '../policy/rule.js';

/** An IP address as a report wrote it and in canonical form. */
export interface IpAddress {
  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6 (no brackets). */
  readonly address: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The text exactly as the report wrote it. */
  readonly original: string;
  /** True when the report wrote an IPv4 address as IPv4-mapped IPv6 (`::ffff:a.b.c.d`). */
  readonly mapped: boolean;
}

/** A network as a canonical CIDR. */
export interface IpNetwork {
  /** Canonical network text, host bits cleared: `198.51.100.0/24`, `2001:db8::/32`. */
  readonly cidr: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Prefix length. */
  readonly prefix: number;
  /** First address of the network as a BigInt. */
  readonly start: bigint;
}

// dotted-quad ::= octet "." octet "." octet "." octet ; octet ::= 0..255 without leading zeros
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Only hex digits, colons and (for an embedded IPv4 tail) dots; ip-address does the real check.
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/**
 * Reads one IP address. Accepts a dotted quad, an IPv6 address with or without brackets, and
 * IPv4-mapped IPv6 (returned as the IPv4 address, `mapped: true`). Refuses zone ids, prefixes,
 * ports, leading zeros in octets and anything else: returns null.
 */
export function parseIp(text: string): IpAddress | null {
  const original = text;
  let body = text.trim();
  if (body.startsWith('[') && body.endsWith(']')) body = body.slice(1, -1);
  if (body.length === 0 || body.length > 45) return null;
  if (IPV4.test(body)) return { address: body, family: 4, original, mapped: false };
  if (!body.includes(':') || !IPV6_CHARS.test(body)) return null;
  let v6: Address6;
  try {
    v6 = new Address6(body);
  } catch {
    return null;
  }
  if (v6.subnetMask !== 128) return null;
  if (v6.isMapped4()) {
    const v4 = v6.to4().correctForm();
    return { address: v4, family: 4, original, mapped: true };
  }
  return { address: v6.correctForm(), family: 6, original, mapped: false };
}

/** The address as a BigInt (IPv4 in 32 bits, IPv6 in 128 bits). */
export function ipToBigInt(ip: IpAddress): bigint {
  return ip.family === 4 ? new Address4(ip.address).bigInt() : new Address6(ip.address).bigInt();
}

/** Text of a BigInt address of the given family, canonical. */
function bigIntToText(value: bigint, family: 4 | 6): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

/** The network of `prefix` bits that contains `ip`, as a canonical CIDR. */
export function networkOf(ip: IpAddress, prefix: number): IpNetwork {
  const bits = ip.family === 4 ? 32 : 128;
  const p = Math.max(0, Math.min(bits, prefix));
  const hostBits = BigInt(bits - p);
  const start = (ipToBigInt(ip) >> hostBits) << hostBits;
  return { cidr: `${bigIntToText(start, ip.family)}/${p}`, family: ip.family, prefix: p, start };
}

// cidr ::= address "/" prefix ; prefix ::= "0" | [1-9][0-9]*
const CIDR = /^(\[?[0-9A-Fa-f:.]+\]?)\/(0|[1-9]\d{0,2})$/;

/**
 * Reads a CIDR (`172.16.30.0/24`, `2001:db8::/32`, `[2001:db8::]/32`) and returns its canonical
 * network, host bits cleared. Returns null for anything else, including prefixes out of range.
 */
export function parseNetwork(text: string): IpNetwork | null {
  const m = CIDR.exec(text.trim());
  if (!m) return null;
  const ip = parseIp(m[1] ?? '');
  if (!ip || ip.mapped) return null;
  const prefix = Number(m[2]);
  if (prefix > (ip.family === 4 ? 32 : 128)) return null;
  return networkOf(ip, prefix);
}

/** True when the address lies in one of the networks Tor's `private` keyword stands for. */
export function isTorPrivate(ip: IpAddress): boolean {
  // A Tor exit cannot normally have connected to these: ExitPolicyRejectPrivate rejects them.
  return PRIVATE_NETS.some(
    (net) => net.family === ip.family && prefixContains(net.family, net.address, net.maskBits, ipToBigInt(ip)),
  );
}

/** Formats `address:port` with brackets around IPv6, as reports and Tor write it. */
export function formatEndpoint(address: string, port: number | null): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === null ? host : `${host}:${port}`;
}

// Candidates for addresses inside free text. IPv4: four dot-separated numbers not glued to
// other digits or dots. IPv6: a run of hex groups with at least two colons. Each candidate is
// then checked by parseIp, so the patterns only need to be generous, not exact.
const IPV4_IN_TEXT = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\w)/g;
const IPV6_IN_TEXT = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:])/g;

/** One address found in free text, with its offset. */
export interface FoundIp {
  /** The address. */
  readonly ip: IpAddress;
  /** Offset of the match in the text. */
  readonly index: number;
  /** Length of the match. */
  readonly length: number;
}

/** Every IPv4 and IPv6 address in `text`, in order of appearance. */
export function findIps(text: string): FoundIp[] {
  const found: FoundIp[] = [];
  for (const re of [IPV4_IN_TEXT, IPV6_IN_TEXT]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const ip = parseIp(m[0]);
      // A bare "::" or a time such as "12:30:45" is not an address worth reporting.
      if (ip && (ip.family === 4 || /[0-9A-Fa-f]{2,}/.test(m[0]) || ip.mapped)) {
        found.push({ ip, index: m.index, length: m[0].length });
      }
    }
  }
  return found.sort((a, b) => a.index - b.index);
}
