/**
 * `suggestRemedy`: from a parsed complaint to the exact exitkit command an operator could run,
 * with the reasoning in one line. Nothing is applied; the command only plans a change.
 *
 * The ladder, narrowest first:
 *   1. copyright, or no usable destination → no policy change, answer with the letter;
 *   2. the destinations fit in a few networks → `plan block CIDR...` (a single host → /32 or
 *      /128; several hosts in one /24 or /64 → that network), on the attacked ports when a login
 *      attack names them, on all ports for scans and floods;
 *   3. the destinations are spread over many networks on ports outside the web → reduce the exit
 *      ports: `--tor-reduced` when Tor's reduced policy already excludes them, otherwise an
 *      explicit list (the reduced list without the attacked ports — port 22, for instance, IS in
 *      Tor's reduced policy, so `--tor-reduced` alone would not stop SSH brute force).
 * Destinations Tor could never have reached are left out and said so: UDP and ICMP (Tor exits
 * carry TCP streams only) and Tor's private networks (rejected by ExitPolicyRejectPrivate).
 */
import { mergeCidr } from 'cidr-tools';
import { isTorPrivate, networkOf, parseIp, parseNetwork, type IpAddress } from './address.js';
import type { ComplaintCategory, Destination, ParsedComplaint } from './types.js';

/** What kind of change a suggestion plans. */
export type RemedyKind = 'block' | 'reduce-ports' | 'middle' | 'none';

/** One command with its reasoning. */
export interface RemedyOption {
  /** Kind of change. */
  readonly kind: RemedyKind;
  /** The command line, shell-quoted (`exitkit plan block 198.51.100.0/24 --case 7`), or null for no change. */
  readonly command: string | null;
  /** The arguments after `exitkit`, unquoted, or null for no change. */
  readonly argv: readonly string[] | null;
  /** Why, in one line. */
  readonly reasoning: string;
}

/** A suggested remedy: the main option, alternatives, and the letter to answer with. */
export interface RemedySuggestion extends RemedyOption {
  /** The letter category to answer with. */
  readonly letter: ComplaintCategory;
  /** Other commands worth considering, narrowest first. */
  readonly alternatives: readonly RemedyOption[];
  /** Destinations left out and other caveats, in words. */
  readonly notes: readonly string[];
}

/** Options of `suggestRemedy`. */
export interface SuggestRemedyOptions {
  /** Case id for `--case`; omitted when not given. */
  readonly caseId?: string | undefined;
  /** Most networks a block may name before a port reduction is suggested instead. Default 4. */
  readonly maxNetworks?: number | undefined;
  /** Most ports a block may list with `--ports` before it covers all ports. Default 8. */
  readonly maxPorts?: number | undefined;
}

/** Tor's reduced exit policy (`REDUCED_EXIT_POLICY`, tor 0.4.9.11), as accepted port ranges. */
export const TOR_REDUCED_PORTS: ReadonlyArray<readonly [number, number]> = [
  [20, 23], [43, 43], [53, 53], [79, 81], [88, 88], [110, 110], [143, 143], [194, 194], [220, 220], [389, 389],
  [443, 443], [464, 465], [531, 531], [543, 544], [554, 554], [563, 563], [587, 587], [636, 636], [706, 706],
  [749, 749], [873, 873], [902, 904], [981, 981], [989, 995], [1194, 1194], [1220, 1220], [1293, 1293],
  [1500, 1500], [1533, 1533], [1677, 1677], [1723, 1723], [1755, 1755], [1863, 1863], [2082, 2083], [2086, 2087],
  [2095, 2096], [2102, 2104], [3128, 3128], [3389, 3389], [3690, 3690], [4321, 4321], [4643, 4643], [5050, 5050],
  [5190, 5190], [5222, 5223], [5228, 5228], [5900, 5900], [6660, 6669], [6679, 6679], [6697, 6697], [8000, 8000],
  [8008, 8008], [8074, 8074], [8080, 8080], [8082, 8082], [8087, 8088], [8232, 8233], [8332, 8333], [8443, 8443],
  [8888, 8888], [9418, 9418], [9999, 10000], [11371, 11371], [18080, 18081], [18089, 18089], [19294, 19294],
  [19638, 19638], [50002, 50002], [64738, 64738],
];

/** True when Tor's reduced exit policy accepts the port. */
export function inTorReduced(port: number): boolean {
  return TOR_REDUCED_PORTS.some(([low, high]) => port >= low && port <= high);
}

// Ports whose loss ends a relay's use as an exit: the Exit flag needs two of 80, 443 and 6667.
const WEB_PORTS = new Set([80, 443]);

const SAFE_ARGUMENT = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell: bare when safe, else single-quoted. */
export function shellQuote(argument: string): string {
  if (argument !== '' && SAFE_ARGUMENT.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Joins `exitkit` and the arguments into one shell-quoted command line. */
export function formatCommand(argv: readonly string[]): string {
  return ['exitkit', ...argv].map(shellQuote).join(' ');
}

/** Writes ports as Tor and exitkit lists them: `22,80,8000-8010`. */
export function formatPortList(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] ?? 0;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] ?? end;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return parts.join(',');
}

/** Tor's reduced port list without the given ports, as a port list. */
function reducedWithout(ports: readonly number[]): string {
  const drop = new Set(ports);
  const keep: number[] = [];
  for (const [low, high] of TOR_REDUCED_PORTS) for (let p = low; p <= high; p++) if (!drop.has(p)) keep.push(p);
  return formatPortList(keep);
}

const WHAT: Readonly<Record<ComplaintCategory, string>> = {
  copyright: 'copyright notice',
  scan: 'scan or attack',
  'brute-force': 'login brute force',
  spam: 'spam',
  dos: 'flood',
  fraud: 'fraud',
  other: 'abuse',
};

function reasonText(complaint: Extract<ParsedComplaint, { status: 'parsed' }>): string {
  const who = complaint.complainant.organisation ?? complaint.complainant.email ?? complaint.complainant.name;
  const text = `${WHAT[complaint.category]}${who ? ` reported by ${who}` : ''}${complaint.reference ? `, ref ${complaint.reference}` : ''}`;
  // The reason ends up in a torrc comment: one line, printable only.
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 160);
}

/** Groups destination addresses into networks: a lone host stays a host, neighbours share a /24 or /64. */
function networksFor(destinations: readonly Destination[]): { cidrs: string[]; hosts: number } {
  const ranges: string[] = [];
  const byNetwork = new Map<string, IpAddress[]>();
  let hosts = 0;
  for (const d of destinations) {
    const ip = d.address ? parseIp(d.address) : null;
    if (!ip) {
      const net = d.cidr ? parseNetwork(d.cidr) : null;
      if (net) ranges.push(net.cidr);
      continue;
    }
    hosts++;
    const key = networkOf(ip, ip.family === 4 ? 24 : 64).cidr;
    const list = byNetwork.get(key) ?? [];
    if (!list.some((x) => x.address === ip.address)) list.push(ip);
    byNetwork.set(key, list);
  }
  for (const [network, members] of byNetwork) {
    const only = members[0];
    if (members.length === 1 && only) ranges.push(networkOf(only, only.family === 4 ? 32 : 128).cidr);
    else ranges.push(network);
  }
  const merged = mergeCidr(ranges).map((c) => (c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`));
  return { cidrs: merged, hosts };
}

/** The smallest network that holds every address of one family, or null when mixed or empty. */
function coveringNetwork(destinations: readonly Destination[]): string | null {
  const ips = destinations.map((d) => (d.address ? parseIp(d.address) : null)).filter((ip): ip is IpAddress => ip !== null);
  const first = ips[0];
  if (!first || ips.some((ip) => ip.family !== first.family)) return null;
  const bits = first.family === 4 ? 32 : 128;
  for (let prefix = bits; prefix >= 0; prefix--) {
    const net = networkOf(first, prefix);
    if (ips.every((ip) => networkOf(ip, prefix).start === net.start)) return net.cidr;
  }
  return null;
}

/** The first address of a CIDR destination, for the private-network check. */
function networkStart(cidr: string): IpAddress | null {
  const net = parseNetwork(cidr);
  return net ? parseIp(cidr.replace(/\/\d+$/, '')) : null;
}

function option(kind: RemedyKind, argv: readonly string[] | null, reasoning: string): RemedyOption {
  return { kind, argv, command: argv ? formatCommand(argv) : null, reasoning };
}

/** Suggests the narrowest remedy for a complaint, as an exact exitkit command. */
export function suggestRemedy(complaint: ParsedComplaint, options: SuggestRemedyOptions = {}): RemedySuggestion {
  if (complaint.status === 'unparseable') {
    return {
      ...option('none', null, `the complaint could not be read (${complaint.reason.code}); read it yourself before changing anything`),
      letter: 'other',
      alternatives: [],
      notes: [complaint.reason.message],
    };
  }
  const letter = complaint.category;
  const notes: string[] = [];
  const caseArgs = options.caseId ? ['--case', options.caseId] : [];
  const tail = [...caseArgs, '--reason', reasonText(complaint)];
  const maxNetworks = options.maxNetworks ?? 4;
  const maxPorts = options.maxPorts ?? 8;
  const done = (main: RemedyOption, alternatives: RemedyOption[] = []): RemedySuggestion => ({ ...main, letter, alternatives, notes });

  if (complaint.category === 'copyright') {
    return done(option('none', null, 'a copyright notice names no destination and asks nothing of the exit policy: no change, answer with the copyright letter'));
  }

  const tcp = complaint.destinations.filter((d) => d.protocol === null || d.protocol === 'tcp');
  const other = complaint.destinations.filter((d) => d.protocol !== null && d.protocol !== 'tcp');
  if (other.length > 0) {
    notes.push(`${other.length} destination(s) over ${[...new Set(other.map((d) => d.protocol?.toUpperCase()))].join('/')} left out: Tor exits carry TCP only, so that traffic did not leave through Tor`);
  }
  const usable = tcp.filter((d) => {
    const ip = d.address ? (parseIp(d.address) ?? networkStart(d.address)) : null;
    if (ip && isTorPrivate(ip)) {
      notes.push(`${d.address} is in a private network Tor already refuses to exit to; the report may have anonymised it`);
      return false;
    }
    return true;
  });
  if (complaint.destinations.length > 0 && tcp.length === 0) {
    return done(option('none', null, 'every reported destination is reached over UDP or ICMP, which a Tor exit does not carry: check the host itself, and answer with the letter'));
  }

  // A sinkhole report means a machine behind the address talked to a seized malware domain; the
  // sinkhole is the reporter's sensor, and blocking it protects no one.
  if (complaint.format === 'shadowserver' && /sinkhole/i.test(complaint.reportType ?? '')) {
    return done(option('none', null, 'the destination is the reporter\'s sinkhole sensor: a Tor user\'s infected machine talked to it, and blocking the sensor protects no one; answer with the letter'));
  }
  if (complaint.format === 'shadowserver' && /honeypot/i.test(complaint.reportType ?? '')) {
    notes.push('the destinations are the reporter\'s honeypot sensors, not victims');
  }
  const addressed = usable.filter((d) => d.address !== null);
  if (addressed.length === 0 && tcp.some((d) => d.address !== null)) {
    return done(option('none', null, 'the only destinations named are in private networks Tor already refuses to exit to (probably anonymised by the reporter): nothing to block; answer with the letter'));
  }
  const ports = [...new Set(usable.flatMap((d) => d.ports))].sort((a, b) => a - b);
  const what = WHAT[complaint.category];

  if (addressed.length > 0) {
    const { cidrs, hosts } = networksFor(addressed);
    const wholeTarget = complaint.category === 'scan' || complaint.category === 'dos' || ports.length === 0 || ports.length > maxPorts;
    const portArgs = wholeTarget ? [] : ['--ports', formatPortList(ports)];
    const portWords = wholeTarget ? 'on all ports' : `on port${ports.length > 1 ? 's' : ''} ${formatPortList(ports)}`;
    const portSets = new Set(addressed.map((d) => d.ports.join(',')));
    if (!wholeTarget && portSets.size > 1) {
      notes.push('the ports of different destinations are combined: each listed port is blocked for every listed range');
    }
    if (cidrs.length <= maxNetworks) {
      const target = cidrs.length === 1 ? cidrs[0] : cidrs.join(', ');
      return done(
        option('block', ['plan', 'block', ...cidrs, ...portArgs, ...tail], `${what} against ${hosts || 'a range of'} host${hosts === 1 ? '' : 's'} in ${target}: block ${cidrs.length === 1 ? 'it' : 'them'} ${portWords}`),
      );
    }
    const alternatives: RemedyOption[] = [];
    const cover = coveringNetwork(addressed);
    const coverNet = cover ? parseNetwork(cover) : null;
    // Offer the covering network only while it stays one provider's size (/16, /48 or narrower).
    if (cover && coverNet && coverNet.prefix >= (coverNet.family === 4 ? 16 : 48)) {
      alternatives.push(option('block', ['plan', 'block', cover, ...portArgs, ...tail], `block the one network all ${hosts} targets are in (${cover}) ${portWords}`));
    }
    const reduce = reducePorts(ports, what, `${hosts} hosts in ${cidrs.length} networks`, notes, caseArgs);
    if (reduce) return done(reduce, alternatives);
    const [firstAlternative, ...rest] = alternatives;
    if (firstAlternative) return done(firstAlternative, rest);
    return done(option('none', null, `${what} against ${hosts} hosts in ${cidrs.length} networks${ports.length ? ` on ${formatPortList(ports)}` : ''}: too spread out to block and the ports cannot be dropped; answer with the letter`));
  }

  if (ports.length > 0) {
    const reduce = reducePorts(ports, what, 'an unnamed host', notes, caseArgs);
    const portWords = `port${ports.length > 1 ? 's' : ''} ${formatPortList(ports)}`;
    return done(
      option('none', null, `the report names ${portWords} but no destination address, so nothing can be blocked precisely: answer with the letter and ask for the destination`),
      reduce ? [reduce] : [],
    );
  }
  return done(option('none', null, `the report names no destination (${complaint.destinationNote ?? 'none given'}): no policy change, answer with the letter`));
}

/** A port reduction that stops the attacked ports (filed in the case when one is given), or null when it would cut the web ports. */
function reducePorts(ports: readonly number[], what: string, where: string, notes: string[], caseArgs: readonly string[]): RemedyOption | null {
  if (ports.length === 0) return null;
  const web = ports.filter((p) => WEB_PORTS.has(p));
  if (web.length > 0) {
    notes.push(`port ${formatPortList(web)} is not dropped: without 80 and 443 the relay is no longer useful as an exit`);
    return null;
  }
  const kept = ports.filter(inTorReduced);
  const list = formatPortList(ports);
  if (kept.length === 0) {
    return option('reduce-ports', ['plan', 'reduce-ports', '--tor-reduced', ...caseArgs], `${what} against ${where} on ${list}, which Tor's reduced exit policy does not allow: switch to it`);
  }
  return option(
    'reduce-ports',
    ['plan', 'reduce-ports', '--ports', reducedWithout(ports), ...caseArgs],
    `${what} against ${where} on ${list}; Tor's reduced policy still allows ${formatPortList(kept)}, so keep the reduced list without ${kept.length > 1 ? 'them' : 'it'}`,
  );
}
