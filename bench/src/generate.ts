/**
 * Seeded generator of the benchmark's inputs: a torrc file set with exactly N ExitPolicy
 * items (IPv4 and IPv6, prefixes of every length, dotted masks, port ranges, wildcards,
 * several items a line, continuation lines, comments and blank lines, spread over the torrc,
 * an included folder and an included file), a variant of it with a few rules changed, and
 * probes (address and port) aimed both inside the rules' prefixes and anywhere.
 *
 * Pure: it returns file contents; `bench/src/main.ts` writes them. The same seed always gives
 * the same bytes, so runs on different machines measure the same policies.
 */

/** Address ranges the generated rules never touch, so a `plan block` of them always has work to do. */
export const BLOCK_TARGETS: readonly string[] = ['198.51.100.0/24', '203.0.113.0/24', '2001:db8:beef::/48'];

/** A small seeded PRNG (mulberry32). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniformly random bigint of `bits` bits. */
  bits(bits: number): bigint {
    let value = 0n;
    for (let done = 0; done < bits; done += 16) value = (value << 16n) | BigInt(this.int(0, 0xffff));
    return value & ((1n << BigInt(bits)) - 1n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items`, by weight. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }
}

/** One generated ExitPolicy item and the prefix it names (for probes). */
export interface GeneratedItem {
  /** The item as written in the torrc, e.g. `reject6 [2001:db8::]/32:80-88`. */
  readonly text: string;
  /** Address family; undefined for a wildcard item such as `reject *:25`. */
  readonly family: 4 | 6 | undefined;
  /** Network address of the item's prefix. */
  readonly address: bigint;
  /** Prefix length. */
  readonly bits: number;
  /** First port. */
  readonly portMin: number;
  /** Last port. */
  readonly portMax: number;
}

/** A torrc file set: paths relative to its folder, and their contents. */
export interface GeneratedTorrc {
  /** The number of ExitPolicy items written (the "rule count" the benchmark reports). */
  readonly rules: number;
  /** Every file, the top torrc first (`torrc`). */
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  /** The items, in Tor's reading order. */
  readonly items: readonly GeneratedItem[];
}

/** A probe: an address as text (no brackets) and a port. */
export interface Probe {
  /** IPv4 dotted quad or IPv6 text. */
  readonly address: string;
  /** 1..65535. */
  readonly port: number;
}

interface Cidr {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

function parseTarget(text: string): Cidr {
  const [addr = '', bitsText = ''] = text.split('/');
  const bits = Number(bitsText);
  if (addr.includes(':')) {
    const value = expandIPv6(addr);
    const host = (1n << BigInt(128 - bits)) - 1n;
    return { family: 6, first: value, last: value | host };
  }
  const value = addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const host = (1n << BigInt(32 - bits)) - 1n;
  return { family: 4, first: value, last: value | host };
}

// Only what the targets above need: `::` and hex groups.
function expandIPv6(text: string): bigint {
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

const TARGETS = BLOCK_TARGETS.map(parseTarget);

function touchesTarget(family: 4 | 6, first: bigint, last: bigint): boolean {
  return TARGETS.some((t) => t.family === family && first <= t.last && t.first <= last);
}

/** Dotted quad of a 32-bit value. */
export function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** Compressed IPv6 text (longest run of two or more zero groups as `::`). */
export function formatV6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

function dottedMask(bits: number): string {
  const mask = bits === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - bits)) - 1n);
  return formatV4(mask);
}

// Public-looking first octets: no 0, 10, 100 (CGNAT), 127, 169, 172, 192, or 224 and up.
const FIRST_OCTETS = Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => ![10, 100, 127, 169, 172, 192].includes(o));

function randomPorts(rng: Rng): [number, number] {
  return rng.weighted<() => [number, number]>([
    [() => [1, 65535], 45],
    [
      () => {
        const p = rng.weighted<number>([
          [rng.int(1, 1023), 3],
          [rng.int(1024, 65535), 2],
        ]);
        return [p, p];
      },
      30,
    ],
    [
      () => {
        const lo = rng.int(1, 65000);
        return [lo, Math.min(65535, lo + rng.int(1, 2000))];
      },
      25,
    ],
  ])();
}

function portText(portMin: number, portMax: number): string {
  if (portMin === 1 && portMax === 65535) return '*';
  return portMin === portMax ? String(portMin) : `${portMin}-${portMax}`;
}

function randomItem(rng: Rng): GeneratedItem {
  const action = rng.chance(0.75) ? 'reject' : 'accept';
  const [portMin, portMax] = randomPorts(rng);
  const ports = portText(portMin, portMax);
  const kind = rng.weighted<'v4' | 'v6' | 'wild'>([
    ['v4', 62],
    ['v6', 36],
    ['wild', 2],
  ]);
  if (kind === 'wild') {
    // Never all ports: a catch-all would make every later rule dead.
    const port = rng.int(1, 65535);
    const star = rng.weighted<string>([
      ['*', 2],
      ['*4', 1],
      ['*6', 1],
    ]);
    const keyword = star === '*6' && rng.chance(0.5) ? `${action}6` : action;
    return { text: `${keyword} ${star}:${port}`, family: undefined, address: 0n, bits: 0, portMin: port, portMax: port };
  }
  for (;;) {
    if (kind === 'v4') {
      const bits = rng.weighted<number>([
        [rng.int(8, 16), 8],
        [rng.int(17, 24), 40],
        [rng.int(25, 31), 15],
        [32, 37],
      ]);
      const raw = (BigInt(FIRST_OCTETS[rng.int(0, FIRST_OCTETS.length - 1)] as number) << 24n) | rng.bits(24);
      const host = (1n << BigInt(32 - bits)) - 1n;
      const address = raw & ~host;
      if (touchesTarget(4, address, address | host)) continue;
      let spec = formatV4(address);
      if (bits < 32) spec += rng.chance(0.05) ? `/${dottedMask(bits)}` : `/${bits}`;
      return { text: `${action} ${spec}:${ports}`, family: 4, address, bits, portMin, portMax };
    }
    const bits = rng.weighted<number>([
      [rng.int(16, 32), 10],
      [rng.int(33, 48), 30],
      [rng.int(49, 64), 30],
      [rng.int(65, 127), 15],
      [128, 15],
    ]);
    // Global unicast, 2000::/3.
    const raw = (1n << 125n) | rng.bits(125);
    const host = (1n << BigInt(128 - bits)) - 1n;
    const address = raw & ~host;
    if (touchesTarget(6, address, address | host)) continue;
    const keyword = rng.chance(0.85) ? `${action}6` : action;
    const spec = `[${formatV6(address)}]${bits < 128 ? `/${bits}` : ''}`;
    return { text: `${keyword} ${spec}:${ports}`, family: 6, address, bits, portMin, portMax };
  }
}

/** `count` random items. */
export function generateItems(count: number, seed: number): GeneratedItem[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => randomItem(rng));
}

/**
 * A variant of `items` with about 1% of them changed: some deleted, some new ones inserted,
 * some with the opposite action (the "before" and "after" of a semantic change).
 */
export function mutateItems(items: readonly GeneratedItem[], seed: number): GeneratedItem[] {
  const rng = new Rng(seed);
  const out: GeneratedItem[] = [];
  for (const item of items) {
    const roll = rng.next();
    if (roll < 0.004) continue;
    if (roll < 0.008) out.push(randomItem(rng));
    if (roll >= 0.008 && roll < 0.012) {
      const flipped = item.text.replace(/^(accept|reject)/, (word) => (word === 'accept' ? 'reject' : 'accept'));
      out.push({ ...item, text: flipped });
      continue;
    }
    out.push(item);
  }
  return out;
}

/**
 * Writes `items` as a file set: a top `torrc` holding about half of them, with
 * `%include policy.d` (four files, read in sorted order) and `%include extra.conf` between
 * its ExitPolicy lines. Relative include paths: tor must run with the folder as its cwd.
 */
export function torrcFiles(items: readonly GeneratedItem[], seed: number): GeneratedTorrc {
  const rng = new Rng(seed ^ 0x5eed);
  const n = items.length;
  const cut = (fraction: number): number => Math.floor(n * fraction);
  const parts = {
    head: items.slice(0, cut(0.3)),
    dir: [items.slice(cut(0.3), cut(0.4)), items.slice(cut(0.4), cut(0.5)), items.slice(cut(0.5), cut(0.6)), items.slice(cut(0.6), cut(0.7))],
    middle: items.slice(cut(0.7), cut(0.8)),
    extra: items.slice(cut(0.8), cut(0.9)),
    tail: items.slice(cut(0.9)),
  };
  const top = [
    `# Benchmark relay: ${n} ExitPolicy items in this file and its includes.`,
    'ExitRelay 1',
    'IPv6Exit 1',
    'SocksPort 0',
    '',
    ...policyLines(parts.head, rng),
    '',
    '# Blocks maintained per upstream list, one file each.',
    '%include policy.d',
    ...policyLines(parts.middle, rng),
    '%include extra.conf',
    ...policyLines(parts.tail, rng),
    '',
  ];
  const files = [
    { path: 'torrc', content: top.join('\n') },
    ...parts.dir.map((list, k) => ({ path: `policy.d/${10 * (k + 1)}-list.conf`, content: [`# list ${k + 1}`, ...policyLines(list, rng), ''].join('\n') })),
    { path: 'extra.conf', content: ['# extra blocks', ...policyLines(parts.extra, rng), ''].join('\n') },
  ];
  return { rules: n, files, items };
}

// ExitPolicy lines of one to four items, with comments, blank lines and continuations.
function policyLines(items: readonly GeneratedItem[], rng: Rng): string[] {
  const lines: string[] = [];
  let i = 0;
  let sinceComment = 0;
  while (i < items.length) {
    if (sinceComment > 20 && rng.chance(0.1)) {
      lines.push('', `# section ${i}: ${rng.chance(0.5) ? 'complaints' : 'upstream block list'}`);
      sinceComment = 0;
    }
    const take = Math.min(items.length - i, rng.weighted<number>([[1, 60], [2, 20], [3, 12], [4, 8]]));
    const group = items.slice(i, i + take).map((item) => item.text);
    i += take;
    sinceComment++;
    if (take > 1 && rng.chance(0.15)) {
      // A continued entry: every physical line but the last ends in a backslash.
      lines.push(`ExitPolicy ${group[0]}, \\`);
      for (let k = 1; k < group.length - 1; k++) lines.push(`  ${group[k]}, \\`);
      lines.push(`  ${group[group.length - 1]}`);
    } else {
      lines.push(`ExitPolicy ${group.join(',')}`);
    }
  }
  return lines;
}

function randomInside(rng: Rng, family: 4 | 6, address: bigint, bits: number): bigint {
  const width = (family === 4 ? 32 : 128) - bits;
  return width === 0 ? address : address | rng.bits(width);
}

/**
 * `count` probes: three in five aim inside a rule's prefix (on a port the rule names half
 * of the time), the rest anywhere public; about 40% IPv6.
 */
export function generateProbes(items: readonly GeneratedItem[], count: number, seed: number): Probe[] {
  const rng = new Rng(seed);
  const named = items.filter((item) => item.family !== undefined);
  const probes: Probe[] = [];
  for (let k = 0; k < count; k++) {
    const six = rng.chance(0.4);
    const family: 4 | 6 = six ? 6 : 4;
    const pool = named.filter((item) => item.family === family);
    let value: bigint;
    let port = rng.chance(0.5) ? rng.int(1, 65535) : rng.weighted<number>([[80, 3], [443, 3], [22, 1], [25, 1], [6667, 1]]);
    if (pool.length > 0 && rng.chance(0.6)) {
      const item = pool[rng.int(0, pool.length - 1)] as GeneratedItem;
      value = randomInside(rng, family, item.address, item.bits);
      if (rng.chance(0.5)) port = rng.int(item.portMin, item.portMax);
    } else if (six) {
      value = (1n << 125n) | rng.bits(125);
    } else {
      value = (BigInt(FIRST_OCTETS[rng.int(0, FIRST_OCTETS.length - 1)] as number) << 24n) | rng.bits(24);
    }
    probes.push({ address: six ? formatV6(value) : formatV4(value), port });
  }
  return probes;
}
