import { Address4, Address6 } from 'ip-address';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  canonicalCidr,
  formatAddress,
  formatIPv4,
  formatIPv6,
  hasHostBits,
  isInternal,
  isMulticast,
  isPublicForReject,
  isV4Mapped,
  lastAddress,
  networkAddress,
  parseIPv4,
  parseIPv6,
  parseIpLiteral,
  prefixContains,
  prefixMask,
  rangeToPrefixes,
} from '../../src/net/cidr.js';

const v6 = (text: string): bigint => BigInt(new Address6(text).bigInt().toString());
const v4 = (text: string): bigint => BigInt(new Address4(text).bigInt().toString());

describe('net/cidr', () => {
  describe('#parseIPv4', () => {
    test.each(['1.2.3.4', '0.0.0.0', '255.255.255.255', '10.0.0.1', '192.168.100.200'])(
      'reads %s like any dotted quad',
      (text) => {
        expect(parseIPv4(text)).toBe(v4(text));
      },
    );

    test.each([
      ['01.2.3.4', 'a leading zero'],
      ['1.2.3.04', 'a leading zero in the last part'],
      ['1.2.3', 'three parts'],
      ['1.2.3.4.5', 'five parts'],
      ['256.1.1.1', 'a part over 255'],
      ['1.2.3.1234', 'a four-digit part'],
      ['1.2.3.4 ', 'trailing space'],
      [' 1.2.3.4', 'leading space'],
      ['1.2.3.-4', 'a sign'],
      ['1.2.3.+4', 'a plus sign'],
      ['0x1.2.3.4', 'hex'],
      ['', 'nothing'],
      ['1..3.4', 'an empty part'],
    ])('refuses %j (%s), as tor_inet_aton does', (text) => {
      expect(parseIPv4(text)).toBeUndefined();
    });
  });

  describe('#parseIPv6', () => {
    test.each([
      '::',
      '::1',
      '2001:db8::',
      '2001:db8::1',
      '2001:DB8::ABCD',
      '1:2:3:4:5:6:7:8',
      '1::8',
      '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8',
      '::ffff:1.2.3.4',
      '::1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
      'fe80::202:b3ff:fe1e:8329',
      '0000:0000:0000:0000:0000:0000:0000:0001',
    ])('reads %s', (text) => {
      expect(parseIPv6(text)).toBe(v6(text));
    });

    test('accepts leading zeros inside an embedded IPv4 part, unlike plain IPv4', () => {
      expect(parseIPv6('::ffff:01.2.3.4')).toBe(v6('::ffff:1.2.3.4'));
    });

    test.each([
      ['1:2:3:4:5:6:7:8:', 'a trailing single colon'],
      ['1:', 'a trailing single colon after one group'],
      ['12345::', 'a five-digit group'],
      ['0x12::', 'a 0x prefix'],
      ['1:::2', 'three colons'],
      ['1::2::3', 'two gaps'],
      ['1:2:3:4:5:6:7:8:9', 'nine groups'],
      ['1:2:3:4:5:6:7:8::', 'eight groups and a gap'],
      ['1:2:3:4:5:6:7', 'seven groups and no gap'],
      ['fe80::1%eth0', 'a zone id'],
      ['1.2.3.4', 'plain IPv4'],
      ['::ffff:256.1.1.1', 'an IPv4 part over 255'],
      ['::ffff:1.2.3', 'a three-part IPv4 part'],
      ['.1.2.3.4', 'a leading dot'],
      ['::g', 'a non-hex digit'],
      [':1::', 'a single leading colon'],
      ['', 'nothing'],
    ])('refuses %j (%s)', (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    });

    test('reads back whatever ip-address prints (property)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (x) => {
          const a = Address6.fromBigInt(x);
          expect(parseIPv6(a.correctForm())).toBe(x);
          expect(parseIPv6(a.canonicalForm())).toBe(x);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('#formatIPv6', () => {
    // Printed by tor 0.4.9.11 in `GETINFO exit-policy/full` (observed).
    test.each([
      ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4'],
      ['::102:304', '::1.2.3.4'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['0:1:0:0:0:0:0:0', '0:1::'],
      ['1111:2222:3333:4444:5555:6666:7777:8888', '1111:2222:3333:4444:5555:6666:7777:8888'],
      ['2001:DB8::', '2001:db8::'],
      ['::', '::'],
      ['::1', '::1'],
      ['fc00::', 'fc00::'],
    ])('prints %s as %s, as tor_inet_ntop does', (input, printed) => {
      expect(formatIPv6(v6(input))).toBe(printed);
    });

    test('prints text that reads back to the same address (property)', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
            // Sparse addresses exercise the zero-run compression.
            fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 })
              .map((ws) => ws.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n)),
          ),
          (x) => {
            expect(parseIPv6(formatIPv6(x))).toBe(x);
          },
        ),
        { numRuns: 3000 },
      );
    });
  });

  describe('#formatAddress', () => {
    test('brackets IPv6 on request and never IPv4', () => {
      expect(formatAddress(6, v6('2001:db8::1'), true)).toBe('[2001:db8::1]');
      expect(formatAddress(4, v4('192.0.2.1'), true)).toBe('192.0.2.1');
      expect(formatIPv4(0xc0000201n)).toBe('192.0.2.1');
    });
  });

  describe('#parseIpLiteral', () => {
    test.each([
      ['192.0.2.1', 4],
      ['2001:db8::1', 6],
      ['[2001:db8::1]', 6],
    ] as const)('reads %s as IPv%d', (text, family) => {
      expect(parseIpLiteral(text)?.family).toBe(family);
    });

    test.each(['[192.0.2.1]', 'example.com', '01.2.3.4', '[2001:db8::1', ''])('refuses %j', (text) => {
      expect(parseIpLiteral(text)).toBeUndefined();
    });
  });

  describe('#prefixMask', () => {
    test.each([
      [4, 0, 0n],
      [4, 8, 0xff000000n],
      [4, 32, 0xffffffffn],
      [6, 0, 0n],
      [6, 16, 0xffffn << 112n],
      [6, 128, (1n << 128n) - 1n],
    ] as const)('IPv%d /%d', (family, bits, mask) => {
      expect(prefixMask(family, bits)).toBe(mask);
    });
  });

  describe('#networkAddress / #lastAddress / #prefixContains', () => {
    test('keep the host bits out of the network and in the last address', () => {
      const a = v4('1.2.3.4');
      expect(formatIPv4(networkAddress(4, a, 16))).toBe('1.2.0.0');
      expect(formatIPv4(lastAddress(4, a, 16))).toBe('1.2.255.255');
      expect(hasHostBits(4, a, 16)).toBe(true);
      expect(hasHostBits(4, v4('1.2.0.0'), 16)).toBe(false);
      expect(prefixContains(4, a, 16, v4('1.2.200.200'))).toBe(true);
      expect(prefixContains(4, a, 16, v4('1.3.0.0'))).toBe(false);
      expect(prefixContains(4, a, 0, v4('9.9.9.9'))).toBe(true);
    });
  });

  describe('#isInternal / #isMulticast / #isPublicForReject', () => {
    test.each([
      [4, '10.1.2.3', true, false, false],
      [4, '100.64.0.1', true, false, false],
      [4, '100.128.0.1', false, false, true],
      [4, '127.0.0.1', true, false, false],
      [4, '169.254.9.9', true, false, false],
      [4, '172.16.0.1', true, false, false],
      [4, '172.32.0.1', false, false, true],
      [4, '192.168.1.1', true, false, false],
      [4, '0.0.0.0', true, false, false],
      [4, '224.0.0.1', false, true, false],
      // Tor's multicast test only looks at 224.0.0.0/8.
      [4, '239.1.1.1', false, false, true],
      [4, '198.51.100.7', false, false, true],
      [6, '::', true, false, false],
      [6, '::1', true, false, false],
      [6, '::2', false, false, true],
      [6, 'fc00::1', true, false, false],
      [6, 'fe80::1', true, false, false],
      [6, 'fec0::1', true, false, false],
      [6, 'ff02::1', false, true, false],
      [6, '::ffff:10.0.0.1', true, false, false],
      [6, '::ffff:198.51.100.7', false, false, true],
      [6, '2001:db8::1', false, false, true],
    ] as const)('IPv%d %s: internal %s, multicast %s, public %s', (family, text, internal, multicast, pub) => {
      const a = family === 4 ? v4(text) : v6(text);
      expect(isInternal(family, a)).toBe(internal);
      expect(isMulticast(family, a)).toBe(multicast);
      expect(isPublicForReject(family, a)).toBe(pub);
    });

    test('recognises IPv4-mapped IPv6', () => {
      expect(isV4Mapped(6, v6('::ffff:1.2.3.4'))).toBe(true);
      expect(isV4Mapped(6, v6('::1.2.3.4'))).toBe(false);
      expect(isV4Mapped(4, v4('1.2.3.4'))).toBe(false);
    });
  });

  describe('#canonicalCidr', () => {
    test('clears host bits and prints RFC 5952 text', () => {
      expect(canonicalCidr(4, v4('1.2.3.4'), 16)).toBe('1.2.0.0/16');
      expect(canonicalCidr(6, v6('2001:DB8:0:0:1::1'), 64)).toBe('2001:db8::/64');
      expect(canonicalCidr(4, v4('9.9.9.9'), 32)).toBe('9.9.9.9/32');
    });
  });

  describe('#rangeToPrefixes', () => {
    test.each([
      [4, '0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
      [4, '10.0.0.0', '10.0.0.255', ['10.0.0.0/24']],
      [4, '10.0.0.1', '10.0.0.6', ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']],
      [4, '255.255.255.255', '255.255.255.255', ['255.255.255.255/32']],
      [6, '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['::/0']],
    ] as const)('IPv%d %s-%s', (family, lo, hi, expected) => {
      const parse = family === 4 ? v4 : v6;
      const got = rangeToPrefixes(family, parse(lo), parse(hi)).map((p) => canonicalCidr(family, p.address, p.bits));
      expect(got).toEqual(expected);
    });

    test('covers exactly the range with aligned blocks, none mergeable (property)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 0xffffffffn }), (x, y) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const blocks = rangeToPrefixes(4, lo, hi);
          let next = lo;
          for (const b of blocks) {
            expect(networkAddress(4, b.address, b.bits)).toBe(b.address);
            expect(b.address).toBe(next);
            next = lastAddress(4, b.address, b.bits) + 1n;
          }
          expect(next).toBe(hi + 1n);
          // Minimal: two neighbours of equal size never form an aligned bigger block.
          for (let k = 1; k < blocks.length; k++) {
            const a = blocks[k - 1]!;
            const b = blocks[k]!;
            if (a.bits === b.bits) expect(networkAddress(4, a.address, a.bits - 1)).not.toBe(networkAddress(4, b.address, b.bits - 1));
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
