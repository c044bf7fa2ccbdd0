/**
 * Every block and port list exitkit accepts must be read by the real tor: each accepted entry
 * of the catalogue is written into a torrc as `ExitPolicy reject ADDRESS:*` and with ports,
 * and `tor --verify-config` must exit 0 without a warning. One tor run per entry, so a failure
 * names its entry; `--verify-config` opens no sockets, and as root it also runs in an empty
 * network namespace.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCidrArgument, parsePortList } from '../../../src/net/input.js';
import { cidrBlock, type CidrBlock, type PortRange } from '../../../src/net/merge.js';
import { goodCidrs, goodPorts, hostBitCidrs } from './catalogue.js';

const INSTALL_HINT = 'install it with `apt-get install tor` (Debian) and make sure `tor` is on PATH';

async function torVersion(): Promise<string | undefined> {
  const result = await execa('tor', ['--version'], { reject: false, timeout: 30_000 });
  return result.exitCode === 0 ? result.stdout.split('\n')[0] : undefined;
}

async function canUnshare(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const result = await execa('unshare', ['--net', 'true'], { reject: false, timeout: 30_000 });
  return result.exitCode === 0;
}

const version = await torVersion();
const isolate = version !== undefined && (await canUnshare());

let workDir = '';
let runs = 0;

interface Verdict {
  exitCode: number | undefined;
  output: string;
  /** `[warn]` lines other than the one about running as root. */
  warnings: string[];
}

async function verifyConfig(torrc: string): Promise<Verdict> {
  const dir = path.join(workDir, `run-${++runs}`);
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'torrc');
  await writeFile(file, torrc);
  const args = ['--verify-config', '--defaults-torrc', '/dev/null', '-f', file, '--DataDirectory', dataDir];
  const [command, commandArgs] = isolate ? ['unshare', ['--net', 'tor', ...args]] : ['tor', args];
  const result = await execa(command, commandArgs, {
    cwd: dir,
    reject: false,
    timeout: 60_000,
    forceKillAfterDelay: 2_000,
    all: true,
  });
  const output = result.all ?? '';
  const warnings = output
    .split('\n')
    .filter((line) => line.includes('[warn]') && !line.includes('running Tor as root'));
  return { exitCode: result.exitCode, output, warnings };
}

function portText([min, max]: PortRange): string {
  return min === max ? `${min}` : `${min}-${max}`;
}

const samplePorts = parsePortList('1,80,443,6660-6669,65535');

function torrcFor(blocks: readonly CidrBlock[], ports: readonly PortRange[]): string {
  const lines = ['ExitRelay 1', 'IPv6Exit 1'];
  for (const block of blocks) {
    lines.push(`ExitPolicy reject ${block.torAddress}:*`);
    for (const range of ports) lines.push(`ExitPolicy reject ${block.torAddress}:${portText(range)}`);
  }
  lines.push('ExitPolicy accept *:*');
  return `${lines.join('\n')}\n`;
}

function expectValid(verdict: Verdict): void {
  expect(verdict.exitCode, verdict.output).toBe(0);
  expect(verdict.output).toContain('Configuration was valid');
  expect(verdict.warnings, verdict.output).toEqual([]);
}

if (version === undefined && process.env.CI === 'true') {
  test('tor is installed (required under CI)', () => {
    throw new Error(`tor was not found; ${INSTALL_HINT}`);
  });
}
if (version === undefined && process.env.CI !== 'true') {
  console.log(`integ/net/input: tor not found, skipping; ${INSTALL_HINT}`);
}

describe.skipIf(version === undefined)(`integ/net/input (${version ?? `skipped: tor not found; ${INSTALL_HINT}`})`, () => {
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'exitkit-net-'));
  });
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  describe('the oracle', () => {
    test('rejects a malformed policy item (so a pass below means something)', async () => {
      const verdict = await verifyConfig('ExitRelay 1\nExitPolicy reject 10.0.0.0/33:*\n');
      expect(verdict.exitCode).not.toBe(0);
    });

    test('reports an item it ignores as a warning', async () => {
      const verdict = await verifyConfig('ExitRelay 1\nExitPolicy accept6 192.0.2.1:*\n');
      expect(verdict.exitCode).toBe(0);
      expect(verdict.warnings.length).toBeGreaterThan(0);
    });
  });

  describe('#parseCidrArgument', () => {
    test.each(goodCidrs)('tor reads the accepted $input as written ($torAddress)', async (row) => {
      const block = parseCidrArgument(row.input);
      expectValid(await verifyConfig(torrcFor([block], samplePorts)));
    });

    test.each(hostBitCidrs)('tor reads $input, accepted with allowHostBits, as written', async (row) => {
      const block = parseCidrArgument(row.input, { allowHostBits: true });
      expectValid(await verifyConfig(torrcFor([block], samplePorts)));
    });

    test('tor reads 300 random canonical blocks in one torrc', async () => {
      const arb = fc.oneof(
        fc.tuple(fc.constant(4 as const), fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.integer({ min: 0, max: 32 })),
        fc.tuple(fc.constant(6 as const), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 0, max: 128 })),
      );
      const blocks = fc.sample(arb, { numRuns: 300, seed: 20_251_125 }).flatMap(([family, value, prefix]) => {
        const bits = family === 4 ? 32 : 128;
        const start = value & ~((1n << BigInt(bits - prefix)) - 1n);
        // Only what the parser accepts: its canonical text read back must give the same block.
        try {
          return [parseCidrArgument(cidrBlock(family, start, prefix).cidr)];
        } catch {
          return [];
        }
      });
      expect(blocks.length).toBeGreaterThan(250);
      expectValid(await verifyConfig(torrcFor(blocks, [[443, 443]])));
    });
  });

  describe('#parsePortList', () => {
    const blocks = [parseCidrArgument('192.0.2.0/24'), parseCidrArgument('2001:db8::/32')];

    test.each(goodPorts)('tor reads the ranges of the accepted $input', async (row) => {
      expectValid(await verifyConfig(torrcFor(blocks, parsePortList(row.input))));
    });
  });
});
