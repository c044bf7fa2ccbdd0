import { describe, expect, test } from 'vitest';
import { diffPolicies } from '../../src/policy/diff.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import { chooseProbes } from '../../src/plan/probes.js';
import type { EffectivePolicy } from '../../src/types.js';

const policy = (text: string): EffectivePolicy => ({ rules: parsePolicyValue(text).rules, removed: [], notExit: undefined, ipv6Exit: true, rejectStar: false });

describe('plan/probes', () => {
  describe('#chooseProbes', () => {
    const before = policy('accept *:80, accept *:443, reject *:*');
    const after = policy('reject 203.0.113.0/24:*, accept *:80, accept *:443, reject *:*');
    const probes = chooseProbes(before, after, diffPolicies(before, after), []);

    test('proves the change at the first, middle and last address on the ends of the port ranges', () => {
      const changed = probes.filter((p) => p.role === 'change');
      expect(changed.map((p) => `${p.address}:${p.port}`)).toEqual([
        '203.0.113.0:80', '203.0.113.0:443', '203.0.113.127:80', '203.0.113.127:443', '203.0.113.255:80', '203.0.113.255:443',
      ]);
      expect(changed.every((p) => p.before === 'accept' && p.after === 'reject')).toBe(true);
    });

    test('adds controls just outside the region whose verdict does not change', () => {
      const controls = probes.filter((p) => p.role === 'control');
      expect(controls.map((p) => `${p.address}:${p.port}`)).toEqual(['203.0.112.255:80', '203.0.114.0:80', '203.0.113.0:79', '203.0.113.0:444']);
      expect(controls.every((p) => p.before === p.after)).toBe(true);
    });

    test('computes every verdict from the policies', () => {
      for (const p of probes) {
        expect(p.before).toBe(evaluatePolicy(before, p.address, p.port).verdict);
        expect(p.after).toBe(evaluatePolicy(after, p.address, p.port).verdict);
      }
    });

    test('writes IPv6 addresses without brackets', () => {
      const b = policy('accept *:*');
      const a = policy('reject6 [2001:db8::]/32:443, accept *:*');
      const six = chooseProbes(b, a, diffPolicies(b, a), []);
      expect(six[0]).toMatchObject({ address: '2001:db8::', port: 443, before: 'accept', after: 'reject' });
    });

    test('probes the targets of a remedy that changes nothing', () => {
      const same = chooseProbes(before, before, { changes: [] }, [{ family: 4, cidrs: ['10.0.0.0/8'], ports: [[1, 65535]] }]);
      expect(same.every((p) => p.role === 'target' && p.before === 'reject' && p.after === 'reject')).toBe(true);
      expect(same.map((p) => p.address)).toEqual(expect.arrayContaining(['10.0.0.0', '10.255.255.255']));
    });

    test('stays within 64 probes for large changes', () => {
      const many = Array.from({ length: 40 }, (_, i) => `reject 198.${i}.0.0/16:${i + 1}`).join(', ');
      const a = policy(`${many}, accept *:*`);
      const b = policy('accept *:*');
      expect(chooseProbes(b, a, diffPolicies(b, a), []).length).toBeLessThanOrEqual(64);
    });

    test('takes a region of more blocks than a call takes arguments', () => {
      // Every other /32 of 10.0.0.0/13: 262,144 blocks in one region.
      const cidrs = Array.from({ length: 1 << 18 }, (_, i) => `10.${i >> 15}.${(i >> 7) & 255}.${(i & 127) * 2}/32`);
      const region = { family: 4 as const, cidrs, ports: [[1, 65535] as const], before: 'accept' as const, after: 'reject' as const };
      const b = policy('accept *:*');
      const a = policy('reject 10.0.0.0/13:*, accept *:*');
      const probes = chooseProbes(b, a, { changes: [region] }, []);
      expect(probes.filter((p) => p.role === 'change').map((p) => p.address)).toEqual(['10.0.0.0', '10.0.0.0', '10.4.0.0', '10.4.0.0', '10.7.255.254', '10.7.255.254']);
    });
  });
});
