import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lastAddress, networkAddress, rangeToPrefixes } from '../../src/net/cidr.js';
import { formatRule } from '../../src/policy/format.js';
import { DESCRIPTOR_BASE_BYTES, estimateDescriptor, MAX_DESCRIPTOR_BYTES } from '../../src/remedy/descriptor.js';
import type { PolicyRule } from '../../src/types.js';
import { load } from './helpers.js';

// Each rule line as the descriptor prints it, plus its newline.
const bytes = (lines: string[]): number => lines.reduce((n, l) => n + l.length + 1, 0);

describe('remedy/descriptor', () => {
  describe('#estimateDescriptor', () => {
    test('adds the IPv4 policy lines to the measured base', () => {
      const estimate = estimateDescriptor(load({ torrc: 'ExitPolicy accept *:80, reject *:*\n' }));
      const ipv4 = ['reject 0.0.0.0/8:*', 'reject 169.254.0.0/16:*', 'reject 127.0.0.0/8:*', 'reject 192.168.0.0/16:*', 'reject 10.0.0.0/8:*', 'reject 172.16.0.0/12:*', 'accept *:80', 'reject *:*'];
      expect(estimate.policyLines).toBe(ipv4.length);
      expect(estimate.policyBytes).toBe(bytes(ipv4));
      expect(estimate.bytes).toBe(DESCRIPTOR_BASE_BYTES + bytes(ipv4));
      expect(estimate.overLimit).toBe(false);
    });

    test('counts ContactInfo and MyFamily', () => {
      const plain = estimateDescriptor(load({ torrc: 'ExitPolicy reject *:*\n' }));
      const withContact = estimateDescriptor(load({ torrc: 'ExitPolicy reject *:*\nContactInfo abuse@example.org\nMyFamily $AAAA\n' }));
      expect(withContact.bytes - plain.bytes).toBe('abuse@example.org'.length + 'family $AAAA\n'.length);
    });

    test('is over the limit with a thousand /32 rejects, and says what merging would save', () => {
      const hosts = Array.from({ length: 1024 }, (_, i) => `reject 100.${64 + (i >> 8)}.${i & 255}.1:*`);
      const adjacent = Array.from({ length: 1024 }, (_, i) => `reject 11.0.${i >> 2}.${(i & 3) * 64}/26:*`);
      const scattered = estimateDescriptor(load({ torrc: `ExitPolicy ${hosts.join(', ')}, accept *:*\n` }));
      const mergeable = estimateDescriptor(load({ torrc: `ExitPolicy ${adjacent.join(', ')}, accept *:*\n` }));
      expect(scattered.bytes).toBeGreaterThan(MAX_DESCRIPTOR_BYTES);
      expect(scattered.overLimit).toBe(true);
      expect(scattered.aggregationSavings).toBe(0);
      // 1024 adjacent /26 blocks are one /16.
      expect(mergeable.aggregationSavings).toBe(mergeable.policyBytes - bytes(['reject 11.0.0.0/16:*', 'accept *:*']) - bytes(['reject 0.0.0.0/8:*', 'reject 169.254.0.0/16:*', 'reject 127.0.0.0/8:*', 'reject 192.168.0.0/16:*', 'reject 10.0.0.0/8:*', 'reject 172.16.0.0/12:*']));
    });

    test('measures merged ranges as the lines formatRule prints for their fewest CIDR blocks', () => {
      const item = fc
        .record({
          accept: fc.boolean(),
          address: fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0x0b00_0000, max: 0x0b00_ffff })),
          bits: fc.oneof(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 20, max: 32 })),
          ports: fc.constantFrom('*', '80', '443', '1-1024', '6660-6669', '65535'),
        })
        .map(({ accept, address, bits, ports }) => `${accept ? 'accept' : 'reject'} ${dotted(address)}/${bits}:${ports}`);
      fc.assert(
        fc.property(fc.array(item, { minLength: 1, maxLength: 40 }), (items) => {
          const relay = load({ torrc: `ExitPolicy ${items.join(', ')}\n` });
          const policy = relay.policy;
          if (!policy) throw new Error('the generated policy does not build');
          const estimate = estimateDescriptor(relay);
          expect(estimate.aggregationSavings).toBe(Math.max(0, estimate.policyBytes - (policy.rejectStar ? estimate.policyBytes : mergedBytes(policy.rules))));
        }),
        { numRuns: 200 },
      );
    });

    test('counts the bytes of the lines formatRule prints for the IPv4 rules (property)', () => {
      const item = fc
        .record({
          accept: fc.boolean(),
          address: fc.integer({ min: 0, max: 0xffff_ffff }),
          bits: fc.integer({ min: 0, max: 32 }),
          ports: fc.constantFrom('*', '1', '80', '443', '1-1024', '10000-65535', '65535', '2-65535'),
        })
        .map(({ accept, address, bits, ports }) => `${accept ? 'accept' : 'reject'} ${dotted(address)}/${bits}:${ports}`);
      fc.assert(
        fc.property(fc.array(item, { minLength: 1, maxLength: 20 }), (items) => {
          const relay = load({ torrc: `ExitPolicy ${items.join(', ')}\n` });
          const ipv4 = (relay.policy?.rules ?? []).filter((r) => r.family === 4).map(formatRule);
          const estimate = estimateDescriptor(relay);
          if (relay.policy?.rejectStar) return;
          expect(estimate.policyLines).toBe(ipv4.length);
          expect(estimate.policyBytes).toBe(bytes(ipv4));
        }),
        { numRuns: 300 },
      );
    });

    test('counts the single line "reject *:*" of a relay that exits nowhere', () => {
      expect(estimateDescriptor(load({ torrc: 'ExitRelay 0\n' })).policyBytes).toBe('reject *:*\n'.length);
    });
  });
});

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

// The savings' reference: runs of IPv4 rejects (mask > 0) between other IPv4 rules, grouped by
// ports, joined where they overlap or touch, each joined range printed as its fewest blocks.
function mergedBytes(rules: readonly PolicyRule[]): number {
  let total = 0;
  let run: PolicyRule[] = [];
  const flush = (): void => {
    const groups = new Map<string, PolicyRule[]>();
    for (const r of run) groups.set(`${r.portMin}-${r.portMax}`, [...(groups.get(`${r.portMin}-${r.portMax}`) ?? []), r]);
    for (const group of groups.values()) {
      const spans = group
        .map((r) => [networkAddress(4, r.address, r.maskBits), lastAddress(4, r.address, r.maskBits)] as [bigint, bigint])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const joined: Array<[bigint, bigint]> = [];
      for (const [a, b] of spans) {
        const top = joined[joined.length - 1];
        if (top && a <= top[1] + 1n) top[1] = b > top[1] ? b : top[1];
        else joined.push([a, b]);
      }
      const first = group[0] as PolicyRule;
      for (const [a, b] of joined) {
        for (const p of rangeToPrefixes(4, a, b)) total += formatRule({ ...first, address: p.address, maskBits: p.bits }).length + 1;
      }
    }
    run = [];
  };
  for (const r of rules) {
    if (r.family !== 4) continue;
    if (r.action === 'reject' && r.maskBits > 0) {
      run.push(r);
    } else {
      flush();
      total += formatRule(r).length + 1;
    }
  }
  flush();
  return total;
}
