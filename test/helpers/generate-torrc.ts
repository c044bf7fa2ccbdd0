/**
 * Seeded, deterministic generator of torrc file sets for differential tests against the real
 * tor: a top torrc, optionally a defaults file, and included files, folders and globs.
 *
 * It covers every exit-policy feature of tor 0.4.9 (item forms, several items and lines,
 * continuations and the comment trap, comments, CRLF, keyword case and abbreviations,
 * `+`/`/` prefixes, defaults file vs torrc, ExitRelay, IPv6Exit, ReducedExitPolicy,
 * ExitPolicyRejectPrivate, ExitPolicyRejectLocalInterfaces, BridgeRelay) and makes about 10%
 * of the cases invalid on purpose. It never writes an option that could reach the network:
 * the only listener it writes is `ORPort 127.0.0.1:9001`, which the oracle overrides anyway.
 *
 * What the generator means a case to be (`intent`) is not the truth; tor decides.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Rng } from '../../bench/src/generate.js';

/**
 * The benchmark's seeded PRNG (mulberry32: the same seed always gives the same sequence),
 * with a uniform pick.
 */
export class Random extends Rng {
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }
}

/** One file of a case. `@DIR@` stands for the case folder (absolute), `@REL@` for it relative to tor's cwd. */
export interface CaseFile {
  /** Path relative to the case folder. */
  path: string;
  /** Exact bytes (as a string) to write. */
  content: string;
}

/** A generated (or hand-written) configuration to run through tor and exitkit. */
export interface TorrcCase {
  /** Unique, filesystem-safe name. */
  name: string;
  /** Seed it was generated from (or 0 for hand-written cases). */
  seed: number;
  /** Relative path of the torrc (`-f`). */
  torrc: string;
  /** Relative path of the defaults file, when the case has one. */
  defaults: string | undefined;
  /** Every file to write (folders are created as needed). */
  files: CaseFile[];
  /** What the generator aimed for; tor's verdict is the truth. */
  intent: 'valid' | 'invalid';
  /** Feature tags, for per-category counts. */
  features: string[];
  /** All files with their content, for failure messages. */
  describe(): string;
}

/** A case written to disk. */
export interface WrittenCase {
  /** Absolute case folder. */
  dir: string;
  /** Absolute torrc path. */
  torrc: string;
  /** Absolute defaults path, when there is one. */
  defaultsTorrc: string | undefined;
  /** Working directory for tor and exitkit (relative includes resolve here). */
  cwd: string;
}

/** Builds a TorrcCase from file contents (hand-written regression cases use this too). */
export function makeCase(spec: {
  name: string;
  files: CaseFile[];
  torrc?: string;
  defaults?: string | undefined;
  intent?: 'valid' | 'invalid';
  features?: string[];
  seed?: number;
}): TorrcCase {
  const torrc = spec.torrc ?? 'torrc';
  const result: TorrcCase = {
    name: spec.name,
    seed: spec.seed ?? 0,
    torrc,
    defaults: spec.defaults,
    files: spec.files,
    intent: spec.intent ?? 'valid',
    features: spec.features ?? [],
    describe: () => describeFiles(result),
  };
  return result;
}

function visible(content: string): string {
  const shown = content.replace(/\r/g, '␍').replace(/\t/g, '⇥').replace(/\uFEFF/g, '<BOM>');
  return content.endsWith('\n') || content === '' ? shown : `${shown}⏎(no final newline)\n`;
}

function describeFiles(c: TorrcCase): string {
  const header = `case ${c.name} (seed ${c.seed}, intended ${c.intent}; ${c.features.join(', ') || 'no tags'})`;
  const order = [...c.files].sort((a, b) => rank(c, a.path) - rank(c, b.path) || (a.path < b.path ? -1 : 1));
  const parts = order.map((file) => {
    const role = file.path === c.torrc ? ' (torrc)' : file.path === c.defaults ? ' (defaults)' : '';
    return `--- ${file.path}${role} ---\n${visible(file.content)}`;
  });
  return [header, ...parts].join('\n');
}

function rank(c: TorrcCase, file: string): number {
  return file === c.torrc ? 0 : file === c.defaults ? 1 : 2;
}

/**
 * Writes a case under `baseDir/<name>` and returns its paths. `baseDir` is also the working
 * directory (`@REL@` paths are relative to it). `transform` may rewrite each file's content
 * (e.g. to strip unsafe options from corpus files).
 */
export async function writeTorrcCase(
  c: TorrcCase,
  baseDir: string,
  transform?: (content: string, file: string) => string,
): Promise<WrittenCase> {
  const dir = path.join(baseDir, c.name);
  await mkdir(dir, { recursive: true });
  for (const file of c.files) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    const content = file.content.replaceAll('@DIR@', dir).replaceAll('@REL@', c.name);
    await writeFile(target, transform ? transform(content, file.path) : content);
  }
  return {
    dir,
    torrc: path.join(dir, c.torrc),
    defaultsTorrc: c.defaults === undefined ? undefined : path.join(dir, c.defaults),
    cwd: baseDir,
  };
}

// ---------------------------------------------------------------------------------------
// Exit policy items.

const IPV4_NETS: ReadonlyArray<readonly [string, number]> = [
  ['1.2.3.0', 24],
  ['1.2.0.0', 16],
  ['1.0.0.0', 8],
  ['5.6.0.0', 16],
  ['5.0.0.0', 8],
  ['8.8.8.8', 32],
  ['10.0.0.0', 8],
  ['10.1.0.0', 16],
  ['127.0.0.1', 32],
  ['192.168.1.0', 24],
  ['172.16.5.4', 32],
  ['0.0.0.0', 8],
  ['100.64.0.0', 10],
  ['224.0.0.0', 4],
  ['255.255.255.255', 32],
  ['83.0.0.0', 12],
  ['203.0.113.0', 28],
  ['198.51.100.0', 24],
  ['128.0.0.0', 1],
  ['0.0.0.0', 0],
];

const IPV6_NETS: ReadonlyArray<readonly [string, number]> = [
  ['2001:db8::', 32],
  ['2001:db8:1::', 48],
  ['2607:5300::', 32],
  ['fe80::', 10],
  ['fc00::', 7],
  ['::1', 128],
  ['::', 8],
  ['2001:db8::1', 128],
  ['2a00:1450:4001::', 48],
  ['ff00::', 8],
  ['::', 0],
];

const PORTS: ReadonlyArray<readonly [string, number]> = [
  ['*', 6],
  ['80', 4],
  ['443', 4],
  ['22', 2],
  ['25', 2],
  ['53', 1],
  ['119', 1],
  ['6667', 2],
  ['8080', 1],
  ['1-1024', 2],
  ['135-139', 1],
  ['6660-6669', 1],
  ['20-23', 1],
  ['1-65535', 1],
  ['65535', 1],
  ['1', 1],
  ['RANDOM', 2],
  ['RANGE', 2],
  ['', 1], // missing port: all ports
];

function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function ipv4Value(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function ipv6Text(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i -= 1) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

function ipv6Value(text: string): bigint {
  const [head = '', tail] = text.split('::');
  const parse = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g as string, 16)), 0n);
}

function dottedMask(bits: number): string {
  return ipv4Text(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
}

function portSpec(rng: Random): string {
  const choice = rng.weighted(PORTS);
  if (choice === 'RANDOM') return String(rng.int(1, 65535));
  if (choice === 'RANGE') {
    const low = rng.int(1, 65000);
    return `${low}-${rng.int(low, Math.min(65535, low + rng.pick([0, 1, 10, 500, 5000])))}`;
  }
  return choice;
}

/** An IPv4 address spec with a mask in one of tor's accepted forms (and often host bits set). */
function ipv4Spec(rng: Random, tags: Set<string>): string {
  const [net, netBits] = rng.chance(0.8) ? rng.pick(IPV4_NETS) : [ipv4Text(rng.int(0, 0xffffffff)), rng.int(0, 32)];
  let bits = rng.chance(0.8) ? netBits : rng.int(0, 32);
  let value = ipv4Value(net);
  if (rng.chance(0.25) && bits < 32) {
    const hostMask = bits === 0 ? 0xffffffff : (0xffffffff >>> bits) >>> 0;
    value = (value | (rng.int(0, 0xffffffff) & hostMask)) >>> 0;
    tags.add('host-bits');
  }
  const address = ipv4Text(value);
  const form = rng.weighted([
    ['bits', 6],
    ['none', bits === 32 ? 4 : 1],
    ['dotted', 1],
    ['leading-zero', 0.5],
    ['bracketed', 0.3],
  ] as const);
  switch (form) {
    case 'none':
      if (bits !== 32) tags.add('no-mask');
      bits = 32;
      return address;
    case 'dotted':
      tags.add('dotted-mask');
      return `${address}/${dottedMask(bits)}`;
    case 'leading-zero':
      tags.add('mask-leading-zero');
      return `${address}/0${bits}`;
    case 'bracketed':
      tags.add('bracketed-ipv4');
      return `[${address}]`;
    default:
      return `${address}/${bits}`;
  }
}

function ipv6Spec(rng: Random, tags: Set<string>): string {
  const [net, netBits] = rng.chance(0.8) ? rng.pick(IPV6_NETS) : [ipv6Text(rng.bits(128)), rng.int(0, 128)];
  const bits = rng.chance(0.85) ? netBits : rng.int(0, 128);
  let value = ipv6Value(net);
  if (rng.chance(0.2) && bits < 128) {
    value |= rng.bits(128) & ((1n << BigInt(128 - bits)) - 1n);
    tags.add('host-bits');
  }
  const address = ipv6Text(value);
  const form = rng.weighted([
    ['bracket-bits', 5],
    ['bracket', bits === 128 ? 3 : 0.5],
    ['bare-bits', 2],
    ['upper', 0.5],
    ['mapped', 0.1],
  ] as const);
  switch (form) {
    case 'bracket':
      return `[${address}]`;
    case 'bare-bits':
      tags.add('bare-ipv6');
      return `${address}/${bits}`;
    case 'upper':
      tags.add('ipv6-uppercase');
      return `[${address.toUpperCase()}]/${bits}`;
    case 'mapped':
      tags.add('ipv4-mapped');
      return `[::ffff:${ipv4Text(rng.int(0, 0xffffffff))}]`;
    default:
      return `[${address}]/${bits}`;
  }
}

/** A valid (tor accepts it, maybe with a warning) exit-policy item. */
function validItem(rng: Random, tags: Set<string>): string {
  const six = rng.chance(0.2);
  const action = `${rng.chance(0.5) ? 'accept' : 'reject'}${six ? '6' : ''}`;
  const kind = rng.weighted([
    ['ipv4', 10],
    ['ipv6', 4],
    ['star', 3],
    ['star4', 1],
    ['star6', 1],
    ['private', 1],
  ] as const);
  let address: string;
  switch (kind) {
    case 'ipv4':
      address = ipv4Spec(rng, tags);
      if (six) tags.add('ipv4-under-6');
      break;
    case 'ipv6':
      address = ipv6Spec(rng, tags);
      break;
    case 'star':
      address = '*';
      break;
    case 'star4':
      address = '*4';
      if (six) tags.add('ipv4-under-6');
      break;
    case 'star6':
      address = '*6';
      break;
    default:
      address = 'private';
      tags.add(six ? 'private6' : 'private');
  }
  let port = portSpec(rng);
  // `private` is the one address form that cannot leave out its port.
  if (kind === 'private' && port === '') port = '*';
  if (port !== '' && rng.chance(0.03)) {
    const lenient = rng.pick(['+', 'xyz', '-100'] as const);
    tags.add('port-leniency');
    if (lenient === '+') port = `+${port === '*' ? '443' : (port.split('-')[0] ?? '443')}`;
    else if (port.includes('-')) port = `${port}${lenient === 'xyz' ? 'xyz' : '-65000'}`;
    else if (port !== '*') port = `${port}-${port}${lenient === 'xyz' ? 'abc' : ''}`;
  }
  if (port === '') tags.add('missing-port');
  const prefix = rng.chance(0.03) ? 'opt ' : '';
  if (prefix) tags.add('opt');
  const gap = rng.chance(0.1) ? rng.pick(['  ', '\t', ' \t ']) : ' ';
  return `${prefix}${action}${gap}${address}${port === '' ? '' : `:${port}`}`;
}

/** Rules that end a family, shadow or cover later ones. */
function catchAllItem(rng: Random): string {
  return rng.pick([
    'accept *:*',
    'reject *:*',
    'reject *4:*',
    'reject *6:*',
    'accept *4:*',
    'accept6 *:*',
    'reject6 *:*',
    'accept *:443',
    'reject *:80',
    'accept *:1-65535',
    'reject 0.0.0.0/0:*',
    'accept [::]/0:*',
  ]);
}

/** Items tor refuses (each makes the whole ExitPolicy, and the configuration, invalid). */
const INVALID_ITEMS: readonly string[] = [
  'bad_token *4:*',
  'accept6 **:*',
  'accept */15:*',
  'reject */8:*',
  'reject6 */:*',
  'accept 127.0.0.1/33:*',
  'accept6 [::1]/129:*',
  'reject 8.8.8.8/-1:*',
  'reject 8.8.4.4:10-5',
  'reject 1.2.3.4:-1',
  'reject 1.2.3.4:0',
  'reject 1.2.3.4:0-80',
  'reject 1.2.3.4:65536',
  'reject 1.2.3.4:80-',
  'reject 1.2.3.4:*-80',
  'reject 1.2.3.4:80x',
  'reject 1.2.3.0/255.0.255.0:*',
  'reject 01.2.3.4:*',
  'reject 1.2.3:*',
  'reject 256.1.1.1:*',
  'reject ::1:*',
  'reject6 2001:db8::1:80',
  'reject private',
  'Reject 1.2.3.4:*',
  'REJECT 1.2.3.4:*',
  'rejekt 1.2.3.4:*',
  'accept *:80 reject *:*',
  'accept',
  'reject 1.2.3.4 :80',
  'reject 1.2.3.4/ 16:*',
  'reject 1.2.3.4: 80',
  '443',
  // Longer than the ~80 characters tor allows for the address-and-port part.
  'reject [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]/00000000000000000000000000000000000128:1-65535',
];

// ---------------------------------------------------------------------------------------
// Entries and files.

type Entry =
  | { kind: 'policy'; key: string; items: string[] }
  | { kind: 'option'; key: string; value: string }
  | { kind: 'raw'; text: string }
  | { kind: 'include'; target: string };

interface FileStyle {
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

const POLICY_KEYS: ReadonlyArray<readonly [string, number]> = [
  ['ExitPolicy', 20],
  ['exitpolicy', 2],
  ['EXITPOLICY', 1],
  ['ExitPol', 1],
  ['exitpolic', 1],
  ['ExitPo', 0.5],
  ['+ExitPolicy', 2],
];

function optionKey(rng: Random, canonical: string, abbreviations: readonly string[]): string {
  const roll = rng.next();
  if (roll < 0.8) return canonical;
  if (roll < 0.9) return canonical.toLowerCase();
  return rng.pick(abbreviations.length > 0 ? abbreviations : [canonical.toUpperCase()]);
}

class Builder {
  readonly tags = new Set<string>();
  readonly files = new Map<string, Entry[]>();
  readonly extraFiles: CaseFile[] = [];

  constructor(readonly rng: Random) {}

  policyLine(count: number, catchAllChance: number): Entry {
    const items: string[] = [];
    for (let i = 0; i < count; i += 1) {
      if (this.rng.chance(catchAllChance)) {
        items.push(catchAllItem(this.rng));
        this.tags.add('catch-all');
      } else {
        items.push(validItem(this.rng, this.tags));
      }
    }
    const key = this.rng.weighted(POLICY_KEYS);
    if (key !== 'ExitPolicy') this.tags.add(key.startsWith('+') ? 'plus-prefix' : 'keyword-variant');
    return { kind: 'policy', key, items };
  }

  option(canonical: string, values: ReadonlyArray<readonly [string, number]>, abbreviations: readonly string[] = []): Entry {
    const value = this.rng.weighted(values);
    this.tags.add(`${canonical}=${value === '' ? '(empty)' : value.toLowerCase()}`);
    const key = optionKey(this.rng, canonical, abbreviations);
    if (key.toLowerCase() !== canonical.toLowerCase()) this.tags.add('abbreviated-key');
    return { kind: 'option', key, value };
  }
}

function renderEntries(rng: Random, entries: readonly Entry[], style: FileStyle, tags: Set<string>): string {
  const lines: string[] = [];
  const eol = style.eol;
  if (rng.chance(0.3)) lines.push(rng.pick(['## generated relay configuration', '# exit policy below', '#']));
  for (const [index, entry] of entries.entries()) {
    if (rng.chance(0.15)) lines.push('');
    if (rng.chance(0.1)) lines.push(rng.pick(['# a comment', '   # indented comment', '#ExitPolicy reject 9.9.9.9:*']));
    const indent = rng.chance(0.08) ? rng.pick(['  ', '\t']) : '';
    switch (entry.kind) {
      case 'raw':
        lines.push(entry.text);
        break;
      case 'include':
        lines.push(`%include ${entry.target}`);
        break;
      case 'option': {
        const sep = rng.chance(0.1) ? rng.pick(['\t', '   ']) : ' ';
        const comment = rng.chance(0.05) ? rng.pick([' # why', '#x']) : '';
        lines.push(entry.value === '' && rng.chance(0.5) ? `${indent}${entry.key}` : `${indent}${entry.key}${sep}${entry.value}${comment}`);
        break;
      }
      case 'policy':
        lines.push(...renderPolicy(rng, entry, indent, tags, index === entries.length - 1));
        break;
    }
  }
  if (rng.chance(0.1)) lines.push('');
  let text = lines.join(eol);
  if (style.finalNewline) text += eol;
  return text;
}

function renderPolicy(rng: Random, entry: Extract<Entry, { kind: 'policy' }>, indent: string, tags: Set<string>, last: boolean): string[] {
  const items = [...entry.items];
  if (rng.chance(0.05)) {
    items.splice(rng.int(0, items.length), 0, '');
    tags.add('empty-item');
  }
  if (rng.chance(0.04)) {
    items.push('');
    tags.add('trailing-comma');
  }
  const sep = rng.chance(0.1) ? '\t' : ' ';
  const style = rng.weighted([
    ['plain', 14],
    ['continued', 3],
    ['quoted', 0.5],
    ['trailing-comment', 1],
    ['comment-inside-continuation', 0.7],
    ['comment-trap', last ? 0 : 0.4],
    ['key-continuation', 0.2],
  ] as const);
  const joiner = (): string => rng.pick([',', ', ', ' , ', ',  ']);
  if (style === 'plain' || items.length < 2) {
    return [`${indent}${entry.key}${sep}${joinItems(items, joiner)}`];
  }
  tags.add(style);
  switch (style) {
    case 'quoted':
      return [`${indent}${entry.key}${sep}"${joinItems(items, joiner)}"`];
    case 'trailing-comment':
      return [`${indent}${entry.key}${sep}${joinItems(items, joiner)}${rng.pick([' # note', '#note', '\t# x'])}`];
    case 'key-continuation':
      return [`${indent}${entry.key}\\`, `${joinItems(items, joiner)}`];
    default: {
      // Break the item list over several physical lines with backslash continuations.
      const out: string[] = [];
      let current = `${indent}${entry.key}${sep}${items[0] ?? ''}`;
      for (let i = 1; i < items.length; i += 1) {
        if (rng.chance(0.5)) {
          out.push(`${current},${rng.pick(['', ' '])}\\`);
          if (style === 'comment-inside-continuation' && rng.chance(0.6)) out.push(rng.pick(['# inside', '  # inside']));
          current = `${rng.pick(['', '  ', '\t'])}${items[i]}`;
        } else {
          current += `${joiner()}${items[i]}`;
        }
      }
      if (style === 'comment-trap' && out.length > 0) current += ' # ends here?';
      out.push(current);
      return out;
    }
  }
}

function joinItems(items: readonly string[], joiner: () => string): string {
  return items.map((item, i) => (i === 0 ? item : `${joiner()}${item}`)).join('');
}

const BOOL_VALUES: ReadonlyArray<readonly [string, number]> = [
  ['1', 5],
  ['0', 3],
  ['', 1],
];

/** Generates case number `index` of the set seeded with `seed`. */
export function generateTorrcCase(seed: number, index: number): TorrcCase {
  const caseSeed = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  const rng = new Random(caseSeed);
  const b = new Builder(rng);
  const intent = rng.chance(0.1) ? 'invalid' : 'valid';
  const layout = rng.weighted([
    ['single', 55],
    ['includes', 20],
    ['defaults', 15],
    ['defaults+includes', 10],
  ] as const);
  const withDefaults = layout.startsWith('defaults');
  const withIncludes = layout.endsWith('includes');
  if (withDefaults) b.tags.add('defaults-file');
  if (withIncludes) b.tags.add('includes');

  // Options (single-value: several occurrences exercise "last one wins").
  const torrc: Entry[] = [];
  const defaults: Entry[] = [];
  const place = (entry: Entry): void => {
    if (withDefaults && rng.chance(0.3)) defaults.push(entry);
    else torrc.push(entry);
  };
  const exitRelay = rng.weighted([
    ['absent', 40],
    ['1', 25],
    ['auto', 8],
    ['AUTO', 3],
    ['0', 10],
    ['', 4],
  ] as const);
  if (exitRelay !== 'absent') {
    place(b.option('ExitRelay', [[exitRelay, 1]], ['ExitRel', 'exitrelay', 'ExitR']));
    if (rng.chance(0.1)) place(b.option('ExitRelay', [['1', 2], ['0', 1], ['auto', 1]], []));
  }
  // Some abbreviations resolve to another option than their look suggests (tor takes the
  // first option in its table that starts with them): `Reduced` is ReducedCircuitPadding,
  // `ExitPolicyR` is ExitPolicyRejectLocalInterfaces, `BridgeR` is BridgeRecordUsageByCountry.
  if (rng.chance(0.3)) place(b.option('IPv6Exit', BOOL_VALUES, ['IPv6Ex', 'ipv6exit', 'IPv6']));
  if (rng.chance(0.15)) place(b.option('ReducedExitPolicy', BOOL_VALUES, ['ReducedExit', 'Reduced']));
  if (rng.chance(0.3)) {
    place(b.option('ExitPolicyRejectPrivate', [['1', 3], ['0', 3], ['', 1]], ['ExitPolicyRejectPriv', 'ExitPolicyR']));
    if (rng.chance(0.15)) place(b.option('ExitPolicyRejectPrivate', [['', 1], ['1', 1]], []));
  }
  if (rng.chance(0.15)) place(b.option('ExitPolicyRejectLocalInterfaces', BOOL_VALUES, ['ExitPolicyRejectLocal']));
  const bridge = rng.chance(0.05);
  if (bridge) place(b.option('BridgeRelay', [['1', 1]], ['BridgeRel', 'BridgeR']));
  // Relays cannot set ReducedCircuitPadding (what `Reduced` means): with an ORPort that is a
  // validity trap; without one, only the oracle (always a relay) would refuse it.
  const readsAsCircuitPadding = [...torrc, ...defaults].some((e) => e.kind === 'option' && /^reduced$/i.test(e.key));
  if (bridge || readsAsCircuitPadding || rng.chance(0.2)) {
    place({ kind: 'option', key: 'ORPort', value: '127.0.0.1:9001' });
    b.tags.add('orport');
  }
  if (rng.chance(0.2)) {
    place({
      kind: 'option',
      key: 'ContactInfo',
      value: rng.pick(['abuse@example.org', 'me#example.org', '"abuse # desk <abuse@example.org>"', 'operator']),
    });
  }
  if (rng.chance(0.05)) place({ kind: 'option', key: 'ReevaluateExitPolicy', value: rng.pick(['0', '1']) });

  // ExitPolicy lines.
  const lineCount = rng.weighted([
    [0, 12],
    [1, 35],
    [2, 25],
    [3, 15],
    [4, 8],
    [6, 5],
  ] as const);
  const catchAllChance = rng.pick([0, 0.05, 0.15, 0.3]);
  const policyLines: Entry[] = [];
  for (let i = 0; i < lineCount; i += 1) {
    policyLines.push(b.policyLine(rng.weighted([[1, 4], [2, 3], [3, 2], [5, 1], [8, 0.5]] as const), catchAllChance));
  }
  if (rng.chance(0.05) && policyLines.length > 1) {
    policyLines.splice(rng.int(1, policyLines.length - 1), 0, { kind: 'option', key: '/ExitPolicy', value: rng.pick(['', 'ignored text']) });
    b.tags.add('slash-prefix');
  }

  // Distribute policy lines between the defaults file, the torrc and included files.
  const included = new Map<string, Entry[]>();
  const includeFile = (name: string): Entry[] => {
    const list = included.get(name) ?? [];
    included.set(name, list);
    return list;
  };
  for (const line of policyLines) {
    const where = rng.weighted([
      ['torrc', 6],
      ['defaults', withDefaults ? 3 : 0],
      ['include', withIncludes ? 3 : 0],
    ] as const);
    if (where === 'defaults') defaults.push(line);
    else if (where === 'include') includeFile(rng.pick(['inc/one.conf', 'conf.d/10.conf', 'conf.d/9.conf', 'conf.d/a.conf', 'glob/x.conf', 'glob/y.conf'])).push(line);
    else torrc.push(line);
  }

  if (withIncludes) {
    // Folder entries tor skips: dot files and subfolders; glob non-matches.
    if (rng.chance(0.5)) includeFile('conf.d/.hidden').push({ kind: 'policy', key: 'ExitPolicy', items: ['reject 9.9.9.9:*'] });
    if (rng.chance(0.3)) includeFile('conf.d/sub/c.conf').push({ kind: 'policy', key: 'ExitPolicy', items: ['reject 9.9.9.8:*'] });
    if (rng.chance(0.3)) includeFile('glob/z.txt').push({ kind: 'policy', key: 'ExitPolicy', items: ['reject 9.9.9.7:*'] });
    if (rng.chance(0.2)) {
      includeFile('conf.d/empty.conf');
      b.tags.add('empty-include');
    }
    if (included.has('inc/one.conf') && rng.chance(0.3)) {
      includeFile('inc/one.conf').push({ kind: 'include', target: '@DIR@/inc/two.conf' });
      includeFile('inc/two.conf').push(b.policyLine(rng.int(1, 3), catchAllChance));
      b.tags.add('nested-include');
    }
    const targets: Entry[] = [];
    if (included.has('inc/one.conf')) targets.push({ kind: 'include', target: rng.chance(0.3) ? '@REL@/inc/one.conf' : '@DIR@/inc/one.conf' });
    if ([...included.keys()].some((k) => k.startsWith('conf.d/'))) targets.push({ kind: 'include', target: rng.pick(['@DIR@/conf.d', '@DIR@/conf.d/']) });
    if ([...included.keys()].some((k) => k.startsWith('glob/'))) targets.push({ kind: 'include', target: rng.pick(['@DIR@/glob/*.conf', '@DIR@/glob/?.conf', '@DIR@/glob/*']) });
    if (rng.chance(0.1)) {
      targets.push({ kind: 'include', target: '@DIR@/nothing/*.conf' });
      b.tags.add('glob-no-match');
    }
    for (const target of targets) {
      const list = withDefaults && rng.chance(0.3) ? defaults : torrc;
      list.splice(rng.int(0, list.length), 0, target);
    }
  }

  // Shuffle options among policy lines (order of single-value options matters only for
  // repeats; order of policy lines is kept).
  const shuffleInto = (list: Entry[]): Entry[] => {
    const isPolicy = (e: Entry): boolean => e.kind === 'policy' || (e.kind === 'option' && e.key === '/ExitPolicy');
    const policies = list.filter(isPolicy);
    const others = list.filter((e) => !isPolicy(e));
    const out = [...policies];
    for (const other of others) out.splice(rng.int(0, out.length), 0, other);
    return out;
  };
  const torrcEntries = shuffleInto(torrc);
  const defaultsEntries = shuffleInto(defaults);

  if (intent === 'invalid') injectInvalid(rng, b, torrcEntries, withDefaults ? defaultsEntries : undefined, included);

  const files: CaseFile[] = [];
  const render = (entries: Entry[]): string => {
    const style: FileStyle = { eol: rng.chance(0.1) ? '\r\n' : '\n', finalNewline: !rng.chance(0.1) };
    if (style.eol === '\r\n') b.tags.add('crlf');
    if (!style.finalNewline) b.tags.add('no-final-newline');
    return renderEntries(rng, entries, style, b.tags);
  };
  files.push({ path: 'torrc', content: render(torrcEntries) });
  if (withDefaults) files.push({ path: 'defaults', content: render(defaultsEntries) });
  for (const [name, entries] of included) files.push({ path: name, content: entries.length === 0 ? '' : render(entries) });

  if (b.tags.has('ipv6-uppercase') || b.tags.has('ipv4-mapped')) b.tags.add('ipv6-forms');
  return makeCase({
    name: `gen-${seed}-${String(index).padStart(5, '0')}`,
    seed: caseSeed,
    torrc: 'torrc',
    defaults: withDefaults ? 'defaults' : undefined,
    files,
    intent,
    features: [...b.tags].sort(),
  });
}

function injectInvalid(
  rng: Random,
  b: Builder,
  torrc: Entry[],
  defaults: Entry[] | undefined,
  included: Map<string, Entry[]>,
): void {
  const kind = rng.weighted([
    ['bad-item', 10],
    ['bad-bool', 2],
    ['unknown-option', 2],
    ['capital-include', 1],
    ['missing-include', 1],
    ['empty-include-value', 0.5],
    ['ipv6exit-crash', 1],
    ['bridge-without-orport', 0.5],
    ['exitrelay-0-hides-bad-item', 1],
  ] as const);
  b.tags.add(`invalid:${kind}`);
  const target = defaults !== undefined && rng.chance(0.25) ? defaults : torrc;
  const insert = (entry: Entry): void => {
    target.splice(rng.int(0, target.length), 0, entry);
  };
  switch (kind) {
    case 'bad-item':
    case 'exitrelay-0-hides-bad-item': {
      const bad = rng.pick(INVALID_ITEMS);
      const items = [validItem(rng, b.tags), bad];
      if (rng.chance(0.5)) items.reverse();
      const files = [...included.values()].filter((list) => list.length > 0);
      const into = files.length > 0 && rng.chance(0.2) ? rng.pick(files) : target;
      into.splice(rng.int(0, into.length), 0, { kind: 'policy', key: 'ExitPolicy', items });
      if (kind === 'exitrelay-0-hides-bad-item') {
        for (const list of [torrc, defaults ?? []]) {
          for (let i = list.length - 1; i >= 0; i -= 1) if (list[i]?.kind === 'option' && /^exitrel/i.test((list[i] as { key: string }).key)) list.splice(i, 1);
        }
        torrc.push({ kind: 'option', key: 'ExitRelay', value: '0' });
      }
      break;
    }
    case 'bad-bool':
      insert({
        kind: 'option',
        key: rng.pick(['IPv6Exit', 'ReducedExitPolicy', 'ExitPolicyRejectPrivate', 'ExitRelay', 'ExitPolicyRejectLocalInterfaces']),
        value: rng.pick(['true', 'yes', '2', 'on', '-1']),
      });
      break;
    case 'unknown-option':
      insert({ kind: 'option', key: rng.pick(['ExitPolicyFoo', 'Bogus', 'ExitPolicys', 'RejectPrivate']), value: '1' });
      break;
    case 'capital-include':
      insert({ kind: 'raw', text: '%Include /etc/tor/torrc.d' });
      break;
    case 'missing-include':
      insert({ kind: 'include', target: '@DIR@/does-not-exist.conf' });
      break;
    case 'empty-include-value':
      insert({ kind: 'raw', text: '%include' });
      break;
    case 'ipv6exit-crash':
      // Tor 0.4.9.11 aborts on IPv6Exit 1 + ExitPolicyRejectPrivate 0 + no ExitPolicy line.
      torrc.splice(0, torrc.length, { kind: 'option', key: 'IPv6Exit', value: '1' }, { kind: 'option', key: 'ExitPolicyRejectPrivate', value: '0' });
      if (defaults) defaults.splice(0, defaults.length);
      included.clear();
      break;
    case 'bridge-without-orport':
      for (const list of [torrc, defaults ?? []]) {
        for (let i = list.length - 1; i >= 0; i -= 1) if (list[i]?.kind === 'option' && (list[i] as { key: string }).key === 'ORPort') list.splice(i, 1);
      }
      insert({ kind: 'option', key: 'BridgeRelay', value: '1' });
      break;
  }
}

/** Generates `count` cases from `seed` (case i is always the same for the same seed). */
export function generateTorrcCases(count: number, seed: number): TorrcCase[] {
  return Array.from({ length: count }, (_, index) => generateTorrcCase(seed, index));
}
