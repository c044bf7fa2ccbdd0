import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import { parseDestination } from '../../src/cli/commands/inspect.js';
import { source } from '../helpers/source.js';
import { SAMPLE, fakeIO as sharedFakeIO } from './helpers.js';

const fakeIO = (cwd?: string) => sharedFakeIO(cwd === undefined ? {} : { cwd });

const sample = SAMPLE;

const temp = mkdtempSync(join(tmpdir(), 'exitkit-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function torrc(name: string, text: string): string {
  const file = join(temp, name);
  writeFileSync(file, text);
  return file;
}

describe('cli/commands/inspect', () => {
  describe('#policyCommand', () => {
    test('prints each effective rule with the file:line or feature it comes from', async () => {
      const io = fakeIO();
      expect(await main(['policy', ...sample], io)).toBe(ExitCode.OK);
      const lines = io.out.split('\n');
      expect(lines[0]).toBe('Exit relay for IPv4 and IPv6 (first matching rule wins):');
      expect(lines).toContain('  reject 0.0.0.0/8:*          ExitPolicyRejectPrivate');
      expect(lines).toContain("  reject 198.51.100.23:*      the relay's own address (Address)");
      expect(lines).toContain('  reject 192.0.2.0/24:*       fixtures/sample/torrc.d/50-exit-policy.conf:3');
      expect(lines).toContain("  accept6 *:80                fixtures/sample/torrc.d/50-exit-policy.conf:6-7  (written as 'accept *:80')");
      expect(io.err).toBe('');
    });

    test('--format tor prints only the lines tor prints for GETINFO exit-policy/full', async () => {
      const io = fakeIO();
      expect(await main(['policy', ...sample, '--format', 'tor'], io)).toBe(ExitCode.OK);
      const lines = io.out.trimEnd().split('\n');
      expect(lines.slice(0, 2)).toEqual(['reject 0.0.0.0/8:*', 'reject 169.254.0.0/16:*']);
      expect(lines).toContain('reject6 [2001:db8:23::1]:*');
      expect(lines.at(-2)).toBe('reject *:*');
      expect(lines.at(-1)).toBe('reject6 *:*');
      expect(lines.every((line) => /^(accept|reject)6? \S+$/.test(line))).toBe(true);
    });

    test('--format json carries rules, provenance and diagnostics', async () => {
      const io = fakeIO();
      expect(await main(['policy', ...sample, '--format', 'json'], io)).toBe(ExitCode.OK);
      const report = JSON.parse(io.out) as { valid: boolean; exit: boolean; rules: Array<{ rule: string; origin: { kind: string; line?: number } }> };
      expect(report.valid).toBe(true);
      expect(report.exit).toBe(true);
      expect(report.rules.find((rule) => rule.rule === 'reject 192.0.2.0/24:*')?.origin).toMatchObject({ kind: 'config', line: 3 });
    });

    test('an invalid torrc exits with the invalid-config code and names file:line', async () => {
      const file = torrc('bad-policy', 'ExitRelay 1\nExitPolicy reject 10.0.0.0/33:*\n');
      const io = fakeIO(temp);
      expect(await main(['policy', '--torrc', file, '--no-defaults-torrc'], io)).toBe(ExitCode.INVALID_CONFIG);
      expect(io.err).toContain(`${file}:2`);
      expect(io.out).toBe('');
    });

    test('an unknown option is a usage error', async () => {
      const io = fakeIO();
      expect(await main(['policy', '--frobnicate'], io)).toBe(ExitCode.USAGE);
      expect(io.err).toContain('--frobnicate');
    });
  });

  describe('#checkCommand', () => {
    test('gives the verdict and the deciding rule for each destination', async () => {
      const io = fakeIO();
      expect(await main(['check', ...sample, '192.0.2.7:443', '203.0.113.5:443', '[2001:db8::5]:25'], io)).toBe(ExitCode.OK);
      expect(io.out.split('\n').slice(0, 3)).toEqual([
        '192.0.2.7:443: reject  reject 192.0.2.0/24:*  (fixtures/sample/torrc.d/50-exit-policy.conf:3)',
        '203.0.113.5:443: accept  accept *:443  (fixtures/sample/torrc.d/50-exit-policy.conf:6-7)',
        "[2001:db8::5]:25: reject  reject6 *:*  (fixtures/sample/torrc.d/50-exit-policy.conf:10  (written as 'reject *:*'))",
      ]);
    });

    test('without a port lists which ports are open to the address', async () => {
      const io = fakeIO();
      expect(await main(['check', ...sample, '203.0.113.9'], io)).toBe(ExitCode.OK);
      expect(io.out.split('\n')[0]).toBe(
        '203.0.113.9: accept on ports 22, 80, 443, 465, 587, 993, 995, 6660-6669, 6697; reject on all others',
      );
    });

    test('--json reports per-port verdicts', async () => {
      const io = fakeIO();
      expect(await main(['check', ...sample, '--json', '198.51.100.23:80'], io)).toBe(ExitCode.OK);
      const [entry] = JSON.parse(io.out) as Array<{ verdict: string; rule: { origin: { kind: string } } }>;
      expect(entry).toMatchObject({ verdict: 'reject', rule: { origin: { kind: 'own-address' } } });
    });

    test.each([['203.0.113.5:0'], ['203.0.113.5:65536'], ['300.1.1.1:80'], ['[2001:db8::1]:x'], ['example.org:80']])(
      'refuses the destination %s as a usage error',
      async (destination) => {
        const io = fakeIO();
        expect(await main(['check', ...sample, destination], io)).toBe(ExitCode.USAGE);
        expect(io.out).toBe('');
      },
    );
  });

  describe('#parseDestination', () => {
    test.each([
      ['203.0.113.7:443', '203.0.113.7', 443],
      ['203.0.113.7', '203.0.113.7', undefined],
      ['[2001:db8::1]:80', '2001:db8::1', 80],
      ['[2001:db8::1]', '2001:db8::1', undefined],
      ['2001:db8::1', '2001:db8::1', undefined],
    ])('reads %s', (input, address, port) => {
      expect(parseDestination(input)).toMatchObject({ address, port });
    });
  });

  describe('#lintCommand', () => {
    test('reports rules tor deletes and items it mis-reads, at their file:line, with exit code 5', async () => {
      const file = torrc(
        'dead-rules',
        source`
          ExitRelay 1
          ExitPolicy accept *:*
          ExitPolicy reject 1.2.3.4/16:*
        `,
      );
      const io = fakeIO(temp);
      expect(await main(['lint', '--torrc', file, '--no-defaults-torrc', '--json'], io)).toBe(ExitCode.CHECK_FAILED);
      const report = JSON.parse(io.out) as { valid: boolean; warnings: Array<{ code: string; line?: number }> };
      expect(report.valid).toBe(true);
      expect(report.warnings.some((warning) => warning.line === 3)).toBe(true);
    });

    test('a clean policy passes', async () => {
      const file = torrc('clean', 'ExitRelay 1\nExitPolicy reject 198.51.100.0/24:*\nExitPolicy accept *:443\nExitPolicy reject *:*\n');
      const io = fakeIO(temp);
      expect(await main(['lint', '--torrc', file, '--no-defaults-torrc'], io)).toBe(ExitCode.OK);
    });
  });

  test('--help lists the exit codes', async () => {
    const io = fakeIO();
    expect(await main(['--help'], io)).toBe(ExitCode.OK);
    expect(io.out).toContain('Exit codes:');
    expect(io.out).toContain('3  invalid configuration');
  });
});
