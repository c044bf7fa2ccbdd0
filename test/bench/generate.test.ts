import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  BLOCK_TARGETS,
  formatV6,
  generateItems,
  generateProbes,
  mutateItems,
  torrcFiles,
  type GeneratedTorrc,
} from '../../bench/src/generate.js';
import { lastAddress, networkAddress, parseIpLiteral, parseIPv6 } from '../../src/net/cidr.js';
import { loadRelayPolicySync, type RelayPolicyResult } from '../../src/relay/policy.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'exitkit-bench-generate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function load(generated: GeneratedTorrc, name: string): RelayPolicyResult {
  const dir = path.join(scratch, name);
  for (const file of generated.files) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  return loadRelayPolicySync({ torrc: path.join(dir, 'torrc'), defaultsTorrc: undefined, cwd: dir });
}

function cidrRange(text: string): { family: 4 | 6; first: bigint; last: bigint } {
  const [address = '', bits = ''] = text.split('/');
  const parsed = parseIpLiteral(address);
  if (!parsed) throw new Error(`bad target ${text}`);
  return { family: parsed.family, first: networkAddress(parsed.family, parsed.address, Number(bits)), last: lastAddress(parsed.family, parsed.address, Number(bits)) };
}

describe('bench/generate', () => {
  describe('#torrcFiles', () => {
    test.each([1, 7, 100, 1000])('writes exactly %i ExitPolicy items that exitkit reads without an error', (count) => {
      const generated = torrcFiles(generateItems(count, 42 + count), 42);
      const result = load(generated, `count-${count}`);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.build.parsed?.items.map((item) => item.text)).toEqual(generated.items.map((item) => item.text));
    });

    test('spreads the items over the torrc, an included folder and an included file', () => {
      const generated = torrcFiles(generateItems(1000, 3), 3);
      const result = load(generated, 'spread');
      const files = new Set(result.build.parsed?.items.map((item) => path.basename(item.location?.file ?? '')));
      expect([...files].sort()).toEqual(['10-list.conf', '20-list.conf', '30-list.conf', '40-list.conf', 'extra.conf', 'torrc']);
    });

    test('is deterministic for a seed', () => {
      expect(torrcFiles(generateItems(300, 9), 9)).toEqual(torrcFiles(generateItems(300, 9), 9));
      expect(torrcFiles(generateItems(300, 9), 9)).not.toEqual(torrcFiles(generateItems(300, 10), 9));
    });
  });

  describe('#generateItems', () => {
    test('never names a prefix that overlaps a range the benchmark blocks', () => {
      const targets = BLOCK_TARGETS.map(cidrRange);
      const overlapping = generateItems(5000, 5).filter((item) => {
        if (item.family === undefined) return false;
        const first = item.address;
        const last = lastAddress(item.family, item.address, item.bits);
        return targets.some((t) => t.family === item.family && first <= t.last && t.first <= last);
      });
      expect(overlapping).toEqual([]);
    });
  });

  describe('#mutateItems', () => {
    test('changes about one item in a hundred', () => {
      const before = generateItems(10_000, 11);
      const after = mutateItems(before, 12);
      const old = new Set(before.map((item) => item.text));
      const added = after.filter((item) => !old.has(item.text)).length;
      expect(added).toBeGreaterThan(20);
      expect(added).toBeLessThan(200);
    });
  });

  describe('#generateProbes', () => {
    test('gives addresses exitkit parses and ports from 1 to 65535', () => {
      const probes = generateProbes(generateItems(500, 13), 2000, 14);
      expect(probes).toHaveLength(2000);
      for (const probe of probes) {
        expect(parseIpLiteral(probe.address)).toBeDefined();
        expect(probe.port).toBeGreaterThanOrEqual(1);
        expect(probe.port).toBeLessThanOrEqual(65535);
      }
      const six = probes.filter((probe) => probe.address.includes(':')).length;
      expect(six).toBeGreaterThan(600);
      expect(six).toBeLessThan(1000);
    });
  });

  describe('#formatV6', () => {
    test.each([
      '2001:db8::',
      '2001:db8::1',
      '2001:0:0:1::1',
      '2001:db8:1:2:3:4:5:6',
      '::',
    ])('prints %s so that it parses back to the same value', (text) => {
      const value = parseIPv6(text);
      expect(value).toBeDefined();
      expect(parseIPv6(formatV6(value as bigint))).toBe(value);
    });
  });
});
