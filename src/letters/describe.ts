/**
 * Plain-language sentences for a semantic policy change, naming the exact address ranges and
 * ports, e.g. "Connections to 203.0.113.0/24 on ports 80 and 443 are now refused."
 */
import { excludeCidr, mergeCidr } from 'cidr-tools';
import { Address6 } from 'ip-address';
import type { Family, PolicyAction, PolicyChange, VerdictChange } from '../types.js';

/** Options for `describeChange`. */
export interface DescribeOptions {
  /** Word the sentences as a proposal ("would be refused") rather than a fact ("are now refused"). */
  proposal?: boolean | undefined;
}

const FULL: Readonly<Record<Family, string>> = { 4: '0.0.0.0/0', 6: '::/0' };
const LOWEST_PORT = 1;
const HIGHEST_PORT = 65535;

/**
 * One sentence per changed region, IPv4 before IPv6; an IPv4 and an IPv6 region that both
 * cover every address with the same ports and verdicts are told as one. Empty when nothing changed.
 */
export function describeChange(change: PolicyChange, options: DescribeOptions = {}): string[] {
  const sentences: string[] = [];
  const regions = [...change.changes];
  while (regions.length > 0) {
    const region = regions.shift() as VerdictChange;
    const twin = isWholeFamily(region) ? regions.findIndex((other) => isTwin(region, other)) : -1;
    if (twin >= 0) {
      regions.splice(twin, 1);
      sentences.push(sentence('any address', region, options));
    } else {
      sentences.push(sentence(describeAddresses(region.family, region.cidrs), region, options));
    }
  }
  return sentences;
}

function sentence(addresses: string, region: VerdictChange, options: DescribeOptions): string {
  return `Connections to ${addresses} on ${describePorts(region.ports)} ${verb(region.after, options)}.`;
}

function verb(after: PolicyAction, options: DescribeOptions): string {
  const word = after === 'reject' ? 'refused' : 'allowed';
  return options.proposal === true ? `would be ${word}` : `are now ${word}`;
}

/** "203.0.113.0/24", "any IPv4 address", or "every IPv4 address except 10.0.0.0/8 and …". */
export function describeAddresses(family: Family, cidrs: readonly string[]): string {
  const label = family === 4 ? 'IPv4' : 'IPv6';
  if (cidrs.length === 0) return `no ${label} address`;
  const merged = canonical(family, mergeCidr([...cidrs]));
  if (merged.length === 1 && merged[0] === FULL[family]) return `any ${label} address`;
  const rest = canonical(family, excludeCidr([FULL[family]], merged));
  // Naming the few ranges left out is exact too, and far shorter for "all public addresses".
  if (rest.length < merged.length) return `every ${label} address except ${englishList(rest)}`;
  return englishList(cidrs);
}

/** "port 22", "ports 80 and 443", "ports 6660-6669", "all ports", "every port except 25 and 119". */
export function describePorts(ports: ReadonlyArray<readonly [number, number]>): string {
  const ranges = [...ports].sort((a, b) => a[0] - b[0]);
  if (ranges.length === 1 && ranges[0]?.[0] === LOWEST_PORT && ranges[0][1] === HIGHEST_PORT) return 'all ports';
  const rest = complementPorts(ranges);
  // Naming the ports left out is exact too; do it when that is both fewer ranges and fewer ports.
  if (rest.length > 0 && rest.length <= ranges.length && portCount(rest) < portCount(ranges)) {
    return `every port except ${englishList(rest.map(portText))}`;
  }
  const single = ranges.length === 1 && ranges[0]?.[0] === ranges[0]?.[1];
  return `${single ? 'port' : 'ports'} ${englishList(ranges.map(portText))}`;
}

function complementPorts(ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const rest: Array<readonly [number, number]> = [];
  let next = LOWEST_PORT;
  for (const [min, max] of ranges) {
    if (min > next) rest.push([next, min - 1]);
    next = Math.max(next, max + 1);
  }
  if (next <= HIGHEST_PORT) rest.push([next, HIGHEST_PORT]);
  return rest;
}

function portCount(ranges: ReadonlyArray<readonly [number, number]>): number {
  return ranges.reduce((sum, [min, max]) => sum + max - min + 1, 0);
}

function portText([min, max]: readonly [number, number]): string {
  return min === max ? `${min}` : `${min}-${max}`;
}

/** "a", "a and b", "a, b and c". */
export function englishList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function isWholeFamily(region: VerdictChange): boolean {
  const merged = mergeCidr([...region.cidrs]);
  return merged.length === 1 && canonical(region.family, merged)[0] === FULL[region.family];
}

function isTwin(region: VerdictChange, other: VerdictChange): boolean {
  return (
    other.family !== region.family &&
    isWholeFamily(other) &&
    other.before === region.before &&
    other.after === region.after &&
    JSON.stringify(other.ports) === JSON.stringify(region.ports)
  );
}

// cidr-tools prints IPv6 without compressing every zero run; show the RFC 5952 form instead.
function canonical(family: Family, cidrs: readonly string[]): string[] {
  return cidrs.map((cidr) => {
    const [address = '', prefix = family === 4 ? '32' : '128'] = cidr.split('/');
    return family === 4 ? `${address}/${prefix}` : `${new Address6(address).correctForm()}/${prefix}`;
  });
}
