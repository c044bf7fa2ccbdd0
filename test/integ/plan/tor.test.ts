/**
 * Every plan proven against the real tor (loopback only, in the oracle's network namespace):
 * tor's own effective policy (`GETINFO exit-policy/full`) of the configuration before and of
 * the planned files after must equal what exitkit computed, tor must accept the planned
 * files (`--verify-config`), and every probe in plan.json must hold in tor's printed policy.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { planFrom } from '../../../src/plan/create.js';
import { loadRelayPolicy } from '../../../src/relay/policy.js';
import type { RemedyRequest } from '../../../src/remedy/index.js';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { parseIpv4, parseIpv6, parsePrintedPolicy, referenceVerdict } from '../../helpers/reference-policy.js';
import { requireTool } from '../../helpers/require-tool.js';
import { sanitiseRelayTorrc, TorOracle } from '../../helpers/tor-oracle.js';

const tor = requireTool('tor', 'the plan tests against the real tor');
const NOW = new Date('2025-01-31T12:00:00Z');

interface Scenario {
  name: string;
  /** Files of the case folder; `@DIR@` is replaced by the folder. `torrc` is the torrc. */
  files: Record<string, string>;
  defaults?: string;
  requests: RemedyRequest[];
}

const SAMPLE_POLICY = [
  '# Exit policy of the sample relay.',
  'ExitPolicy reject 192.0.2.0/24:*',
  'ExitPolicy accept *:80, accept *:443, \\',
  '           accept *:465, accept *:587, accept *:993, accept *:995',
  'ExitPolicy accept *:6660-6669, accept *:6697',
  'ExitPolicy accept *:22',
  'ExitPolicy reject *:*',
  '',
].join('\n');

const SCENARIOS: Scenario[] = [
  {
    name: 'sample',
    files: {
      torrc: 'Nickname exitkitSample\nContactInfo ops@example.org\nExitRelay 1\nIPv6Exit 1\nReevaluateExitPolicy 1\n%include @DIR@/torrc.d/*.conf\n',
      'torrc.d/50-exit-policy.conf': SAMPLE_POLICY,
    },
    requests: [
      { kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8:99::/48'], caseId: 'T-1', reason: 'scan' },
      { kind: 'block', cidrs: ['198.51.100.0/24'], ports: '80,443,6660-6669', caseId: 'T-2' },
      { kind: 'reduce-ports', ports: '80,443' },
      { kind: 'reduce-ports', torReduced: true },
      { kind: 'middle' },
    ],
  },
  { name: 'default-policy', files: { torrc: 'ExitRelay 1\nContactInfo ops@example.org\n' }, requests: [{ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-3' }, { kind: 'reduce-ports', torReduced: true }, { kind: 'reduce-ports', ports: '22,25,80,443' }, { kind: 'middle' }] },
  {
    name: 'defaults-file',
    defaults: 'ExitPolicy reject 198.51.100.0/24:*\nExitPolicy accept *:*\n',
    files: { torrc: 'Nickname Relay\nExitRelay 1\n' },
    requests: [{ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-4' }, { kind: 'reduce-ports', ports: '443,80' }, { kind: 'middle' }],
  },
  { name: 'defaults-plus', defaults: 'ExitPolicy accept *:443\n', files: { torrc: '+ExitPolicy accept *:80\nExitPolicy reject *:*\n' }, requests: [{ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-5' }] },
  { name: 'crlf', files: { torrc: 'Nickname Relay\r\nExitRelay 1\r\nExitPolicy accept *:*' }, requests: [{ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-6' }, { kind: 'reduce-ports', ports: '443' }] },
  { name: 'catch-all-first', files: { torrc: 'ExitPolicy accept *:*\nExitPolicy reject 198.51.100.0/24:*\n' }, requests: [{ kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8::/32'], caseId: 'T-7' }] },
  { name: 'exception', files: { torrc: 'ExitPolicy accept 192.0.2.1:*, reject 192.0.2.0/24:*, accept *:*\n' }, requests: [{ kind: 'reduce-ports', ports: '443' }] },
  { name: 'middle', files: { torrc: 'ExitRelay 0\nExitPolicy accept *:443, reject *:*\n' }, requests: [{ kind: 'exit' }] },
  { name: 'bare-middle', files: { torrc: 'ExitRelay 0\nNickname Relay\n' }, requests: [{ kind: 'exit' }] },
  {
    name: 'blocked',
    files: { torrc: 'Nickname Relay\n# exitkit block T-8 2025-01-02 UTC: scan\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-8\nExitPolicy accept *:*\n' },
    requests: [{ kind: 'unblock', caseId: 'T-8' }],
  },
];

const probeOf = (address: string, port: number) =>
  address.includes(':') ? { family: 6 as const, address: parseIpv6(address), port } : { family: 4 as const, address: parseIpv4(address), port };

describe.skipIf(!tor.available)('plan against the real tor', () => {
  let oracle: TorOracle;

  beforeAll(async () => {
    oracle = await TorOracle.start();
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  const cases = SCENARIOS.flatMap((s) => s.requests.map((r, i) => [`${s.name} ${r.kind} #${i + 1}`, s, r] as const));

  /** Plans one remedy on the files as they are, proves it against tor, and writes the planned files. */
  async function prove(input: { torrc: string; defaultsTorrc?: string }, request: RemedyRequest): Promise<void> {
    const machine = { interfaceAddresses: oracle.interfaceAddresses, ownAddresses: oracle.ownAddresses };
    const before = await loadRelayPolicy({ ...input, cwd: oracle.casesDir, ...machine });
    const torBefore = await oracle.evaluate(input);
    expect(torBefore.outcome, torBefore.message).toBe('policy');
    expect(before.torLines).toEqual(torBefore.lines);

    const plan = planFrom(before, request, { now: NOW, ...machine });
    for (const change of plan.document.changes) await writeFile(change.path, change.after);

    const verified = await verifyTorConfig({ ...input, cwd: oracle.casesDir, torBinary: oracle.torCommand });
    expect(verified.valid, verified.messages.join('\n')).toBe(true);
    const torAfter = await oracle.evaluate(input, { knownValid: true });
    expect(torAfter.outcome, torAfter.message).toBe('policy');
    expect(plan.result.after.torLines).toEqual(torAfter.lines);

    const printedBefore = parsePrintedPolicy(torBefore.lines ?? []);
    const printedAfter = parsePrintedPolicy(torAfter.lines ?? []);
    expect(plan.document.probes.length).toBeGreaterThan(0);
    for (const p of plan.document.probes) {
      const probe = probeOf(p.address, p.port);
      expect([p.address, p.port, referenceVerdict(printedBefore, probe).verdict]).toEqual([p.address, p.port, p.before]);
      expect([p.address, p.port, referenceVerdict(printedAfter, probe).verdict]).toEqual([p.address, p.port, p.after]);
    }
  }

  test.each(cases)('%s: tor enforces exactly the planned policy', async (label, scenario, request) => {
    const dir = path.join(oracle.casesDir, label.replace(/[^a-z0-9-]+/gi, '-'));
    for (const [name, text] of Object.entries(scenario.files)) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text.replaceAll('@DIR@', dir));
    }
    const torrc = path.join(dir, 'torrc');
    const defaultsTorrc = scenario.defaults === undefined ? undefined : path.join(dir, 'defaults');
    if (defaultsTorrc) await writeFile(defaultsTorrc, scenario.defaults as string);
    await prove({ torrc, ...(defaultsTorrc ? { defaultsTorrc } : {}) }, request);
  });

  test('the bundled sample relay, one remedy after the other: block, unblock, reduce-ports, middle, exit', async () => {
    // The sample's relative %include resolves against tor's working directory, so it is
    // copied there; options that could reach the network are taken out first.
    const from = path.resolve(import.meta.dirname, '../../../fixtures/sample');
    const to = path.join(oracle.casesDir, 'fixtures/sample');
    await mkdir(path.join(to, 'torrc.d'), { recursive: true });
    for (const name of ['torrc', 'defaults-torrc', 'torrc.d/50-exit-policy.conf']) {
      await writeFile(path.join(to, name), sanitiseRelayTorrc(await readFile(path.join(from, name), 'utf8')).text);
    }
    const input = { torrc: path.join(to, 'torrc'), defaultsTorrc: path.join(to, 'defaults-torrc') };
    const steps: RemedyRequest[] = [
      { kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8:99::/48'], caseId: 'T-1', reason: 'scan' },
      { kind: 'block', cidrs: ['198.51.100.0/24'], ports: '443', caseId: 'T-2' },
      { kind: 'unblock', caseId: 'T-1' },
      { kind: 'reduce-ports', ports: '22,80,443' },
      { kind: 'middle', caseId: 'T-3' },
      { kind: 'exit' },
    ];
    for (const step of steps) await prove(input, step);
  });
});
