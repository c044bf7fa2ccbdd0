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
  parseIPv4Number,
  parseIPv6,
  parseIPv6Groups,
  parseIpLiteral,
  prefixContains,
  prefixMask,
  rangeToCidrs,
  rangeToPrefixes,
  readWords,
  wordCount,
  writeWords,
} from '../../src/net/cidr.js';
import type { Family } from '../../src/types.js';

const v6 = (text: string): bigint => BigInt(new Address6(text).bigInt().toString());
const v4 = (text: string): bigint => BigInt(new Address4(text).bigInt().toString());
const MAX6 = (1n << 128n) - 1n;

// tor_inet_pton(AF_INET6) (src/lib/net/inaddr.c) transcribed loop for loop, with C strings
// read as JS strings: the reference for the optimised parser.
function torInetPton6(src: string): bigint | undefined {
  const at = (k: number): string => src[k] ?? '\0';
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';
  const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
  const len = src.length;
  if (len > 2 && at(len - 1) === ':' && at(len - 2) !== ':') return undefined;
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  let gapPos = -1;
  let setWords = 0;
  const dot = src.indexOf('.');
  let eow: number;
  if (dot === 0) return undefined;
  if (dot < 0) eow = len;
  else {
    eow = dot - 1;
    while (eow > 0 && isDigit(at(eow))) eow--;
    if (at(eow) !== ':') return undefined;
    eow++;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(src.slice(eow));
    if (!m) return undefined;
    const b = m.slice(1, 5).map(Number) as [number, number, number, number];
    if (b.some((x) => x > 255)) return undefined;
    words[6] = (b[0] << 8) | b[1];
    words[7] = (b[2] << 8) | b[3];
    setWords += 2;
  }
  let i = 0;
  let s = 0;
  while (s < eow) {
    if (i > 7) return undefined;
    const c = at(s);
    if (isHex(c)) {
      let next = s;
      if (c === '0' && (at(s + 1) === 'x' || at(s + 1) === 'X') && isHex(at(s + 2))) next = s + 2;
      let r = 0;
      while (isHex(at(next))) r = r * 16 + parseInt(at(next++), 16);
      if (next - s > 4) return undefined;
      if (next - s > 1 && !isHex(at(s + 1))) return undefined;
      words[i++] = r;
      setWords++;
      s = next;
      if (at(s) !== ':' && s !== eow) return undefined;
      s++;
    } else if (c === ':' && i > 0 && gapPos === -1) {
      gapPos = i;
      s++;
    } else if (c === ':' && i === 0 && s + 1 < eow && at(s + 1) === ':' && gapPos === -1) {
      gapPos = i;
      s += 2;
    } else return undefined;
  }
  if (setWords > 8 || (setWords === 8 && gapPos !== -1) || (setWords < 8 && gapPos === -1)) return undefined;
  if (gapPos >= 0) {
    const nToMove = setWords - (dot >= 0 ? 2 : 0) - gapPos;
    const gapLen = 8 - setWords;
    const moved = words.slice(gapPos, gapPos + nToMove);
    moved.forEach((w, k) => (words[gapPos + gapLen + k] = w));
    for (let k = 0; k < gapLen; k++) words[gapPos + k] = 0;
  }
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

// Strings over the characters IPv6 text is made of, and real addresses with one character
// changed, so that near-misses are common.
const addressLikeText = fc.oneof(
  fc
    .array(fc.constantFrom('0', '1', '9', 'a', 'F', 'x', ':', ':', ':', '.', '00', 'ffff', '255', '256', '1.2.3.4', ' ', '%'), { maxLength: 14 })
    .map((parts) => parts.join('')),
  fc
    .tuple(
      fc.array(fc.constantFrom(0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 }),
      fc.constantFrom('correct', 'canonical', 'v4'),
      fc.nat(),
      fc.constantFrom('', '', ':', '.', '0', 'x', 'g', '1.2.3.4'),
      fc.boolean(),
    )
    .map(([groups, form, at, insert, remove]) => {
      const x = groups.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
      const a = Address6.fromBigInt(x);
      const text = form === 'correct' ? a.correctForm() : form === 'canonical' ? a.canonicalForm() : a.to4in6();
      const k = at % (text.length + 1);
      return text.slice(0, k) + insert + text.slice(remove ? k + 1 : k);
    }),
);

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

  describe('#parseIPv4Number', () => {
    test.each([
      ['1.2.3.4', 0x01020304],
      ['0.0.0.0', 0],
      ['255.255.255.255', 0xffffffff],
      ['192.168.100.200', 0xc0a864c8],
      ['01.2.3.4', -1],
      ['1.2.3.1234', -1],
      ['1.2.3.4 ', -1],
      ['1.2.3', -1],
      ['256.1.1.1', -1],
      ['1.2.3.4.5', -1],
      ['1..3.4', -1],
      ['', -1],
    ])('reads %j as %i', (text, value) => {
      expect(parseIPv4Number(text)).toBe(value);
    });

    test('agrees with a plain reading of tor_inet_aton on address-like text (property)', () => {
      const reference = (text: string): number => {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
        if (!m) return -1;
        const parts = m.slice(1, 5);
        if (parts.some((p) => (p.length > 1 && p.startsWith('0')) || Number(p) > 255)) return -1;
        return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
      };
      const dotted = fc
        .array(fc.constantFrom('0', '1', '2', '5', '9', '00', '25', '255', '256', '999', '1000', '.', '.', '.', ' ', 'a'), { maxLength: 9 })
        .map((parts) => parts.join(''));
      fc.assert(
        fc.property(dotted, (text) => {
          expect(parseIPv4Number(text)).toBe(reference(text));
        }),
        { numRuns: 5000 },
      );
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

    test('agrees with a transcription of tor_inet_pton on address-like text (property)', () => {
      fc.assert(
        fc.property(addressLikeText, (text) => {
          expect(parseIPv6(text)).toBe(torInetPton6(text));
        }),
        { numRuns: 10000 },
      );
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

  describe('#parseIPv6Groups', () => {
    test('fills the eight groups, most significant first', () => {
      const groups = new Uint16Array(8);
      expect(parseIPv6Groups('2001:db8::ffff:1.2.3.4', groups)).toBe(true);
      expect(Array.from(groups)).toEqual([0x2001, 0xdb8, 0, 0, 0, 0xffff, 0x102, 0x304]);
      expect(parseIPv6Groups('2001:db8::1::', groups)).toBe(false);
    });
  });

  describe('#writeWords / #readWords', () => {
    test.each([
      [4, 0xc0000201n, [0xc0000201]],
      [6, 0x20010db8_00000000_00000001_ffff0000n, [0x20010db8, 0, 1, 0xffff0000]],
    ] as const)('IPv%d %s as words', (family, value, expected) => {
      const out = new Uint32Array(wordCount(family) + 1);
      writeWords(family, value, out, 1);
      expect(Array.from(out.subarray(1))).toEqual(expected);
      expect(readWords(family, out, 1)).toBe(value);
    });

    test('round-trips every IPv6 address (property)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: MAX6 }), (x) => {
          const out = new Uint32Array(4);
          writeWords(6, x, out, 0);
          expect(readWords(6, out, 0)).toBe(x);
        }),
        { numRuns: 2000 },
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
      expect(canonicalCidr(6, v6('::ffff:1.2.3.4'), 128)).toBe('::ffff:102:304/128');
      expect(canonicalCidr(6, v6('1:0:0:2::'), 16)).toBe('1::/16');
    });

    test('prints what ip-address prints (property)', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.bigInt({ min: 0n, max: MAX6 }),
            fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 })
              .map((ws) => ws.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n)),
          ),
          fc.integer({ min: 0, max: 128 }),
          (x, bits) => {
            const network = networkAddress(6, x, bits);
            expect(canonicalCidr(6, x, bits)).toBe(`${Address6.fromBigInt(network).correctForm()}/${bits}`);
          },
        ),
        { numRuns: 3000 },
      );
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.integer({ min: 0, max: 32 }), (x, bits) => {
          expect(canonicalCidr(4, x, bits)).toBe(`${Address4.fromBigInt(networkAddress(4, x, bits)).correctForm()}/${bits}`);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('#rangeToPrefixes', () => {
    test.each([
      [4, '0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
      [4, '10.0.0.0', '10.0.0.255', ['10.0.0.0/24']],
      [4, '10.0.0.1', '10.0.0.6', ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']],
      [4, '255.255.255.255', '255.255.255.255', ['255.255.255.255/32']],
      [6, '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['::/0']],
      [6, 'fe80::', 'fe80::1:0:0:2', ['fe80::/80', 'fe80::1:0:0:0/127', 'fe80::1:0:0:2/128']],
      [6, '2001:db8::', '2001:db8::ffff:ffff', ['2001:db8::/96']],
      [6, '2001:db8::ffff:ffff', '2001:db8::1:0:0', ['2001:db8::ffff:ffff/128', '2001:db8::1:0:0/128']],
    ] as const)('IPv%d %s-%s', (family, lo, hi, expected) => {
      const parse = family === 4 ? v4 : v6;
      const got = rangeToPrefixes(family, parse(lo), parse(hi)).map((p) => canonicalCidr(family, p.address, p.bits));
      expect(got).toEqual(expected);
    });

    // Values with long runs of equal bits, where the block sizes change most.
    const bitRuns = (family: Family): fc.Arbitrary<bigint> => {
      const total = family === 4 ? 32 : 128;
      return fc.oneof(
        fc.bigInt({ min: 0n, max: (1n << BigInt(total)) - 1n }),
        fc.tuple(fc.integer({ min: 0, max: total }), fc.integer({ min: 0, max: total }), fc.bigInt({ min: 0n, max: 3n }))
          .map(([a, b, noise]) => (((1n << BigInt(Math.max(a, b))) - (1n << BigInt(Math.min(a, b)))) ^ noise) & ((1n << BigInt(total)) - 1n)),
      );
    };

    test.each([4, 6] as const)('covers exactly an IPv%d range with aligned blocks, none mergeable (property)', (family) => {
      fc.assert(
        fc.property(bitRuns(family), bitRuns(family), (x, y) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const blocks = rangeToPrefixes(family, lo, hi);
          let next = lo;
          for (const b of blocks) {
            expect(networkAddress(family, b.address, b.bits)).toBe(b.address);
            expect(b.address).toBe(next);
            next = lastAddress(family, b.address, b.bits) + 1n;
          }
          expect(next).toBe(hi + 1n);
          // Minimal: two neighbours of equal size never form an aligned bigger block.
          for (let k = 1; k < blocks.length; k++) {
            const a = blocks[k - 1]!;
            const b = blocks[k]!;
            if (a.bits === b.bits) expect(networkAddress(family, a.address, a.bits - 1)).not.toBe(networkAddress(family, b.address, b.bits - 1));
          }
        }),
        { numRuns: family === 4 ? 2000 : 300 },
      );
    });
  });

  describe('#rangeToCidrs', () => {
    test('appends the canonical text of the blocks rangeToPrefixes finds', () => {
      const lo = new Uint32Array(4);
      const hi = new Uint32Array(4);
      writeWords(6, v6('2001:db8::1'), lo, 0);
      writeWords(6, v6('2001:db8::6'), hi, 0);
      const out = ['kept'];
      rangeToCidrs(6, lo, 0, hi, 0, out);
      expect(out).toEqual(['kept', '2001:db8::1/128', '2001:db8::2/127', '2001:db8::4/127', '2001:db8::6/128']);
      const one = new Uint32Array([0x0a000000, 0x0a0000ff]);
      rangeToCidrs(4, one, 0, one, 1, out);
      expect(out.at(-1)).toBe('10.0.0.0/24');
    });
  });
});
