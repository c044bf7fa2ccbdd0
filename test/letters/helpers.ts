/**
 * Shared fixtures for the letters tests: a context with every field set, small config views,
 * and loaded built-in templates.
 */
import { dirname, resolve } from 'node:path';
import { excludeCidr } from 'cidr-tools';
import { fileURLToPath } from 'node:url';
import type { LetterContext } from '../../src/letters/context.js';
import { loadTemplates } from '../../src/letters/registry.js';
import type { TemplateSet } from '../../src/letters/registry.js';
import type { ConfigLine, ConfigView, PolicyChange } from '../../src/types.js';

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built-in templates directory. */
export const BUILTIN_DIR = resolve(REPO_ROOT, 'templates');
/** Fixture files of these tests. */
export const FIXTURES = resolve(REPO_ROOT, 'test/letters/fixtures');

/** The date every fixture letter is written on. */
export const NOW = new Date('2025-11-20T15:00:00Z');

/** A block of 203.0.113.0/24 on ports 80 and 443. */
export const BLOCK_CHANGE: PolicyChange = {
  changes: [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]], before: 'accept', after: 'reject' }],
};

/** Tor's private IPv4 networks (`private_nets[]`), which ExitPolicyRejectPrivate rejects. */
const PRIVATE_V4 = ['0.0.0.0/8', '169.254.0.0/16', '127.0.0.0/8', '192.168.0.0/16', '10.0.0.0/8', '172.16.0.0/12'];

/** Public IPv4 space as a relay at 192.0.2.10 with ExitPolicyRejectPrivate 1 sees it. */
export const PUBLIC_V4: string[] = excludeCidr(['0.0.0.0/0'], [...PRIVATE_V4, '192.0.2.10/32']).map((cidr) =>
  cidr.includes('/') ? cidr : `${cidr}/32`,
);

type Ranges = Array<readonly [number, number]>;

/** Ports Tor's default exit policy rejects. */
const DEFAULT_REJECTED: Ranges = [
  [25, 25], [119, 119], [135, 139], [445, 445], [563, 563], [1214, 1214],
  [4661, 4666], [6346, 6429], [6699, 6699], [6881, 6999],
];

/** Ports Tor's reduced exit policy accepts (tor 0.4.9.11, policies.c). */
const REDUCED_ACCEPTED: Ranges = [
  [20, 23], [43, 43], [53, 53], [79, 81], [88, 88], [110, 110], [143, 143], [194, 194], [220, 220],
  [389, 389], [443, 443], [464, 465], [531, 531], [543, 544], [554, 554], [563, 563], [587, 587],
  [636, 636], [706, 706], [749, 749], [873, 873], [902, 904], [981, 981], [989, 995], [1194, 1194],
  [1220, 1220], [1293, 1293], [1500, 1500], [1533, 1533], [1677, 1677], [1723, 1723], [1755, 1755],
  [1863, 1863], [2082, 2083], [2086, 2087], [2095, 2096], [2102, 2104], [3128, 3128], [3389, 3389],
  [3690, 3690], [4321, 4321], [4643, 4643], [5050, 5050], [5190, 5190], [5222, 5223], [5228, 5228],
  [5900, 5900], [6660, 6669], [6679, 6679], [6697, 6697], [8000, 8000], [8008, 8008], [8074, 8074],
  [8080, 8080], [8082, 8082], [8087, 8088], [8232, 8233], [8332, 8333], [8443, 8443], [8888, 8888],
  [9418, 9418], [9999, 10000], [11371, 11371], [18080, 18081], [18089, 18089], [19294, 19294],
  [19638, 19638], [50002, 50002], [64738, 64738],
];

// Set algebra over port ranges, independent of the code under test.
function portSet(ranges: Ranges): Set<number> {
  const set = new Set<number>();
  for (const [min, max] of ranges) for (let port = min; port <= max; port += 1) set.add(port);
  return set;
}
function toRanges(set: Set<number>): Ranges {
  const out: Array<[number, number]> = [];
  for (let port = 1; port <= 65535; port += 1) {
    if (!set.has(port)) continue;
    const last = out.at(-1);
    if (last !== undefined && last[1] === port - 1) last[1] = port;
    else out.push([port, port]);
  }
  return out;
}
const ALL = portSet([[1, 65535]]);
const DEFAULT_ACCEPTED = new Set([...ALL].filter((port) => !portSet(DEFAULT_REJECTED).has(port)));

/** Default policy → ExitRelay 0: every public IPv4 destination on the default policy's ports. */
export const MIDDLE_CHANGE: PolicyChange = {
  changes: [{ family: 4, cidrs: PUBLIC_V4, ports: toRanges(DEFAULT_ACCEPTED), before: 'accept', after: 'reject' }],
};

/** Default policy → ReducedExitPolicy: most ports close, and 563 (rejected by default) opens. */
export const REDUCE_CHANGE: PolicyChange = {
  changes: [
    {
      family: 4,
      cidrs: PUBLIC_V4,
      ports: toRanges(new Set([...DEFAULT_ACCEPTED].filter((port) => !portSet(REDUCED_ACCEPTED).has(port)))),
      before: 'accept',
      after: 'reject',
    },
    { family: 4, cidrs: PUBLIC_V4, ports: [[563, 563]], before: 'reject', after: 'accept' },
  ],
};

/** A context in which every field is set. */
export function fullContext(): LetterContext {
  return {
    relay: {
      nickname: 'ExampleExit01',
      fingerprint: 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925',
      addresses: ['192.0.2.10', '2001:db8:10::10'],
      contactInfo: 'email:abuse[]relay.example.org url:https://relay.example.org ciissversion:2',
    },
    operator: {
      name: 'Alice Example',
      email: 'abuse@relay.example.org',
      organisation: 'Example Privacy Association',
      signature: ['+49 30 1234567', 'https://relay.example.org/'],
    },
    recipient: { name: 'Abuse Team', email: 'abuse@isp.example.net' },
    complaint: {
      reference: 'CASE-2025-0042',
      receivedAt: '2025-11-19T08:30:00Z',
      complainant: { name: 'Example Hosting GmbH', email: 'noc@hosting.example.com' },
      messageId: '<report-42@hosting.example.com>',
      subject: 'Abuse report for 192.0.2.10',
      category: 'scan',
      relayAddress: '192.0.2.10',
      eventTime: '2025-11-18T21:14:05Z',
    },
    followup: { remedy: 'block', change: BLOCK_CHANGE, appliedAt: '2025-11-20T14:03:05Z' },
    facts: { logging: { verboseLogs: [], safeLogging: undefined }, smtpRejected: true },
  };
}

/** A context with only what every letter can do without (no recipient, complaint, follow-up, facts). */
export function minimalContext(): LetterContext {
  return {
    relay: { nickname: 'ExampleExit01', fingerprint: 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925', addresses: ['192.0.2.10'] },
    operator: { name: 'Alice Example', email: 'abuse@relay.example.org', signature: [] },
  };
}

/** A config line as the torrc layer would produce it. */
export function configLine(option: string, value: string, line = 1, file = '/etc/tor/torrc'): ConfigLine {
  return { option, key: option, prefix: '', value, location: { file, line }, source: 'torrc' };
}

/** A ConfigView over lines given as [option, value] pairs, in file order. */
export function configView(entries: ReadonlyArray<readonly [string, string]>, file = '/etc/tor/torrc'): ConfigView {
  const lines = entries.map(([option, value], index) => configLine(option, value, index + 1, file));
  return {
    lines: (option) => lines.filter((line) => line.option === option),
    value: (option) => lines.filter((line) => line.option === option).at(-1),
  };
}

let builtins: Promise<TemplateSet> | undefined;

/** The built-in templates, loaded once per test file. */
export function builtinTemplates(): Promise<TemplateSet> {
  builtins ??= loadTemplates({ builtinDir: BUILTIN_DIR });
  return builtins;
}
