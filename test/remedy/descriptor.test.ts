import { describe, expect, test } from 'vitest';
import { DESCRIPTOR_BASE_BYTES, estimateDescriptor, MAX_DESCRIPTOR_BYTES } from '../../src/remedy/descriptor.js';
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

    test('counts the single line "reject *:*" of a relay that exits nowhere', () => {
      expect(estimateDescriptor(load({ torrc: 'ExitRelay 0\n' })).policyBytes).toBe('reject *:*\n'.length);
    });
  });
});
