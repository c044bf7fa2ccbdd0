/**
 * An independent, deliberately tiny reading of the exit policy tor *prints* (descriptor
 * format, as `GETINFO exit-policy/full` answers), with first-match evaluation. It shares no
 * code with src/: differential tests compare exitkit's verdicts with this one.
 *
 * Printed-line grammar (tor's policy_write_item, descriptor format):
 *   line   = ("accept" / "reject") SP addr4 ":" ports     ; IPv4 only: "*" means *4
 *          / ("accept6" / "reject6") SP addr6 ":" ports   ; IPv6 only
 *   addr4  = "*" / ipv4 ["/" 1*2DIGIT]                     ; no mask = /32; host bits kept
 *   addr6  = "*" / "[" ipv6 "]" ["/" 1*3DIGIT]             ; no mask = /128
 *   ports  = "*" / port / port "-" port                    ; "*" = 1-65535
 * One exception: when both families reject everything, tor prints the whole policy as the
 * single line `reject *:*` (router_dump_exit_policy_to_string), which then stands for both
 * families.
 * Evaluation: the first rule whose family matches, whose first `bits` address bits equal the
 * probe's and whose port range holds the port decides; no match means accept.
 */
import type { Random } from './generate-torrc.js';

/** One printed rule. */
export interface ReferenceRule {
  /** accept or reject. */
  action: 'accept' | 'reject';
  /** 4 or 6. */
  family: 4 | 6;
  /** The address as printed (host bits kept). */
  address: bigint;
  /** Prefix length. */
  bits: number;
  /** Lowest port. */
  portMin: number;
  /** Highest port. */
  portMax: number;
  /** The printed line. */
  text: string;
  /** First address of the matched range (host bits cleared). */
  first: bigint;
  /** Last address of the matched range. */
  last: bigint;
}

/** A destination to judge. */
export interface Probe {
  /** 4 or 6. */
  family: 4 | 6;
  /** The address as a number. */
  address: bigint;
  /** 1..65535. */
  port: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

/** Parses a strict dotted quad (no leading zeros). */
export function parseIpv4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) {
    throw new Error(`not an IPv4 address: '${text}'`);
  }
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

/** Formats a 32-bit value as a dotted quad. */
export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** Parses IPv6 text (compressed or not, optional dotted-quad tail). */
export function parseIpv6(text: string): bigint {
  let body = text;
  let tail: bigint[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined && dotted[2] !== undefined) {
    const v4 = parseIpv4(dotted[2]);
    tail = [v4 >> 16n, v4 & 0xffffn];
    body = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: '${text}'`);
  const groups = (part: string | undefined): bigint[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: '${text}'`);
          return BigInt(`0x${g}`);
        });
  const left = groups(halves[0]);
  const right = [...groups(halves[1]), ...tail];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) throw new Error(`not an IPv6 address: '${text}'`);
  const all = [...left, ...Array<bigint>(halves.length === 1 ? 0 : missing).fill(0n), ...right];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Formats a 128-bit value as compressed lowercase IPv6 (RFC 5952). */
export function formatIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7n; i >= 0n; i -= 1n) groups.push(((value >> (i * 16n)) & 0xffffn).toString(16));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

/** Formats a probe's address as exitkit takes it (no brackets). */
export function formatProbeAddress(probe: Probe): string {
  return probe.family === 4 ? formatIpv4(probe.address) : formatIpv6(probe.address);
}

const LINE = /^(accept|reject)(6?) (\*|\[[0-9a-fA-F:.]+\]|[0-9.]+)(?:\/(\d{1,3}))?:(\*|\d{1,5}(?:-\d{1,5})?)$/;

/** Parses tor's printed policy lines; throws on anything outside the grammar above. */
export function parsePrintedPolicy(lines: readonly string[]): ReferenceRule[] {
  if (lines.length === 1 && lines[0] === 'reject *:*') {
    const all = (family: 4 | 6): ReferenceRule => ({
      action: 'reject',
      family,
      address: 0n,
      bits: 0,
      portMin: 1,
      portMax: 65535,
      text: 'reject *:*',
      first: 0n,
      last: (1n << BigInt(WIDTH[family])) - 1n,
    });
    return [all(4), all(6)];
  }
  return lines.map((text) => {
    const match = LINE.exec(text);
    if (!match) throw new Error(`not a printed policy line: '${text}'`);
    const [, action, six, addr = '', mask, ports = ''] = match;
    const family = six === '6' ? 6 : 4;
    let address = 0n;
    let bits = 0;
    if (addr !== '*') {
      if (family === 6 !== addr.startsWith('[')) throw new Error(`family and address form disagree: '${text}'`);
      address = family === 6 ? parseIpv6(addr.slice(1, -1)) : parseIpv4(addr);
      bits = mask === undefined ? WIDTH[family] : Number(mask);
    } else if (mask !== undefined) {
      throw new Error(`'*' with a mask: '${text}'`);
    }
    if (bits > WIDTH[family]) throw new Error(`mask too long: '${text}'`);
    const [low, high] = ports === '*' ? [1, 65535] : ports.split('-').map(Number);
    const portMin = low ?? 1;
    const portMax = high ?? portMin;
    if (portMin < 1 || portMax > 65535 || portMin > portMax) throw new Error(`bad ports: '${text}'`);
    const { first, last } = rangeOf(family, address, bits);
    return { action: action as 'accept' | 'reject', family, address, bits, portMin, portMax, text, first, last };
  });
}

function rangeOf(family: 4 | 6, address: bigint, bits: number): { first: bigint; last: bigint } {
  const width = BigInt(WIDTH[family]);
  const hostMask = (1n << (width - BigInt(bits))) - 1n;
  const first = address & ~hostMask & ((1n << width) - 1n);
  return { first, last: first | hostMask };
}

function networkOf(rule: ReferenceRule): { first: bigint; last: bigint } {
  return { first: rule.first, last: rule.last };
}

/** True when `rule` matches `probe`. */
export function ruleMatches(rule: ReferenceRule, probe: Probe): boolean {
  if (rule.family !== probe.family) return false;
  if (probe.port < rule.portMin || probe.port > rule.portMax) return false;
  return probe.address >= rule.first && probe.address <= rule.last;
}

/** First-match verdict and the index of the deciding rule (-1: nothing matched, accepted). */
export function referenceVerdict(
  rules: readonly ReferenceRule[],
  probe: Probe,
): { verdict: 'accept' | 'reject'; index: number } {
  for (let i = 0; i < rules.length; i += 1) {
    const rule = rules[i] as ReferenceRule;
    if (ruleMatches(rule, probe)) return { verdict: rule.action, index: i };
  }
  return { verdict: 'accept', index: -1 };
}

const INTERESTING_PORTS = [1, 2, 22, 24, 25, 26, 53, 79, 80, 81, 443, 444, 6667, 8080, 65534, 65535];
const SPECIAL_V4 = ['0.0.0.0', '0.255.255.255', '1.0.0.0', '10.0.0.1', '127.0.0.1', '169.254.1.1', '172.16.0.1', '172.31.255.255', '172.32.0.0', '192.168.0.1', '100.64.0.1', '8.8.8.8', '255.255.255.255', '1.2.3.4', '5.6.7.8'];
const SPECIAL_V6 = ['::', '::1', '::2', 'fe80::1', 'febf:ffff::1', 'fec0::1', 'fc00::1', 'fdff::1', 'ff02::1', '2001:db8::1', '2607:5300::1', '::ffff:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0:ff::1'];

/**
 * At least `count` probes for a policy: for every rule, its address range's first and last
 * address and their neighbours (±1) and the printed address, crossed with its port range's
 * ends and neighbours (±1); then special addresses and seeded random ones (uniform, and
 * inside rule ranges) on interesting and random ports, in both families.
 */
export function probesFor(rules: readonly ReferenceRule[], rng: Random, count: number): Probe[] {
  const probes: Probe[] = [];
  const clampPort = (port: number): number => Math.min(65535, Math.max(1, port));
  const inFamily = (family: 4 | 6, value: bigint): boolean => value >= 0n && value < 1n << BigInt(WIDTH[family]);
  for (const rule of rules) {
    const { first, last } = networkOf(rule);
    const addresses = [first - 1n, first, first + 1n, last - 1n, last, last + 1n, rule.address].filter((a) =>
      inFamily(rule.family, a),
    );
    const ports = [rule.portMin - 1, rule.portMin, rule.portMax, rule.portMax + 1].map(clampPort);
    for (const address of addresses) for (const port of ports) probes.push({ family: rule.family, address, port });
  }
  for (const text of SPECIAL_V4) probes.push({ family: 4, address: parseIpv4(text), port: rng.pick(INTERESTING_PORTS) });
  for (const text of SPECIAL_V6) probes.push({ family: 6, address: parseIpv6(text), port: rng.pick(INTERESTING_PORTS) });
  while (probes.length < count) {
    const family: 4 | 6 = rng.chance(0.6) ? 4 : 6;
    const sameFamily = rules.filter((r) => r.family === family);
    let address: bigint;
    if (sameFamily.length > 0 && rng.chance(0.5)) {
      const { first, last } = networkOf(rng.pick(sameFamily));
      const span = last - first;
      address = span === 0n ? first : first + (rng.bits(WIDTH[family]) % (span + 1n));
    } else {
      address = rng.bits(WIDTH[family]);
    }
    const port = rng.chance(0.4) ? rng.pick(INTERESTING_PORTS) : rng.int(1, 65535);
    probes.push({ family, address, port });
  }
  return probes;
}
