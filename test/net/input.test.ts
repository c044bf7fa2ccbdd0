import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { describe, expect, test } from 'vitest';
import { ExitkitError, formatError } from '../../src/errors.js';
import { InputError, MAX_CIDR_LENGTH, parseCidrArgument, parsePortList } from '../../src/net/input.js';
import { badCidrs, badPorts, goodCidrs, goodPorts, hostBitCidrs } from '../integ/net/catalogue.js';

function thrown(parse: () => unknown): InputError {
  try {
    parse();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but the input was accepted');
}

// An independent reading of a canonical block through ip-address, to check start and end.
function libraryRange(cidr: string): { start: bigint; end: bigint } {
  const address = cidr.includes(':') ? new Address6(cidr) : new Address4(cidr);
  return { start: address.startAddress().bigInt(), end: address.endAddress().bigInt() };
}

describe('net/input', () => {
  describe('#parseCidrArgument', () => {
    test('the catalogue holds at least 60 refused inputs', () => {
      expect(badCidrs.length).toBeGreaterThanOrEqual(60);
    });

    test.each(goodCidrs)('accepts $input as $cidr', (row) => {
      const block = parseCidrArgument(row.input);
      expect(block).toMatchObject({
        input: row.input,
        cidr: row.cidr,
        torAddress: row.torAddress,
        family: row.family,
        prefix: row.prefix,
        hostBitsSet: false,
      });
      expect({ start: block.start, end: block.end }).toEqual(libraryRange(row.cidr));
      expect(block.address).toBe(block.start);
    });

    test.each(goodCidrs)('reads its own output for $input back unchanged', (row) => {
      const block = parseCidrArgument(row.input);
      expect(parseCidrArgument(block.cidr).cidr).toBe(block.cidr);
      expect(parseCidrArgument(block.torAddress).cidr).toBe(block.cidr);
    });

    test.each(badCidrs)('refuses $input with $code', (row) => {
      const error = thrown(() => parseCidrArgument(row.input));
      expect(error).toMatchObject({ code: row.code, input: row.input });
      if (row.pos) expect(error.pos).toEqual(row.pos);
    });

    test.each(badCidrs)('points inside the input and gives a hint for $input', (row) => {
      const error = thrown(() => parseCidrArgument(row.input));
      const [start, end] = error.pos;
      expect(0 <= start && start <= end && end <= row.input.length).toBe(true);
      expect(error.hint.length).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(ExitkitError);
      expect(error.name).toBe('InputError');
      expect(formatError(error)).toContain('hint:');
    });

    test.each(hostBitCidrs)('accepts $input as $cidr only with allowHostBits', (row) => {
      expect(thrown(() => parseCidrArgument(row.input)).code).toBe('CIDR_HOST_BITS');
      const block = parseCidrArgument(row.input, { allowHostBits: true });
      expect(block).toMatchObject({ cidr: row.cidr, torAddress: row.torAddress, hostBitsSet: true });
      expect(block.address).not.toBe(block.start);
      expect(block.address >= block.start && block.address <= block.end).toBe(true);
    });

    test.each([
      ['10.0.0.1/8', '10.0.0.0/8'],
      ['2001:db8::1/32', '2001:db8::/32'],
      ['10/8', '10.0.0.0/8'],
      ['172.16/12', '172.16.0.0/12'],
      ['192.0.2.0-192.0.2.255', '192.0.2.0/24'],
      ['10.0.0.0/0.0.0.255', '/24'],
      ['192.0.2.1:443', '--ports 443'],
      ['[2001:db8::/32]', '[2001:db8::]/32'],
      ['::ffff:192.0.2.1', '192.0.2.1'],
      ['::ffff:192.0.2.0/120', '192.0.2.0/24'],
      ['fe80::1%eth0', 'fe80::1'],
    ])('suggests the corrected form for %s', (input, suggestion) => {
      expect(thrown(() => parseCidrArgument(input)).hint).toContain(suggestion);
    });

    test('keeps the allowHostBits result identical to the network written without host bits', () => {
      const loose = parseCidrArgument('198.51.100.200/26', { allowHostBits: true });
      const { input: _a, address: _b, hostBitsSet: _c, ...block } = loose;
      const { input: _d, address: _e, hostBitsSet: _f, ...exact } = parseCidrArgument('198.51.100.192/26');
      expect(block).toEqual(exact);
    });

    test('returns frozen results', () => {
      expect(Object.isFrozen(parseCidrArgument('192.0.2.0/24'))).toBe(true);
    });

    test('accepts every canonical block it can print (property)', () => {
      const block4 = fc
        .tuple(fc.integer({ min: 0, max: 32 }), fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }))
        .map(([prefix, n]) => ({ family: 4 as const, prefix, n }));
      const block6 = fc
        .tuple(fc.integer({ min: 0, max: 128 }), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }))
        .map(([prefix, n]) => ({ family: 6 as const, prefix, n }));
      fc.assert(
        fc.property(fc.oneof(block4, block6), ({ family, prefix, n }) => {
          const bits = family === 4 ? 32 : 128;
          const start = n & ~((1n << BigInt(bits - prefix)) - 1n);
          const text =
            family === 4
              ? `${Address4.fromBigInt(start).correctForm()}/${prefix}`
              : `${Address6.fromBigInt(start).correctForm()}/${prefix}`;
          // IPv4-mapped blocks are refused on purpose; hex IPv4-compatible ones are plain IPv6.
          if (family === 6 && prefix >= 96 && start >> 32n === 0xffffn) {
            expect(thrown(() => parseCidrArgument(text)).code).toBe('CIDR_IPV4_IN_IPV6');
            return;
          }
          const block = parseCidrArgument(text);
          expect(block.start).toBe(start);
          expect(block.prefix).toBe(prefix);
          expect({ start: block.start, end: block.end }).toEqual(libraryRange(block.cidr));
          expect(parseCidrArgument(block.torAddress).cidr).toBe(block.cidr);
        }),
        { numRuns: 500 },
      );
    });

    test('either refuses with an InputError or returns text safe for a torrc (property)', () => {
      const alphabet = fc.constantFrom(
        ...'0123456789abcdefABCDEF.:/[]%*-+,# \t\n\r\\"\'x'.split(''),
        '::',
        '255',
        '/24',
        '/128',
        'ffff',
        '\u0000',
        '\u00e9',
      );
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 24 }).map((parts) => parts.join('')), (text) => {
          let block;
          try {
            block = parseCidrArgument(text, { allowHostBits: true });
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
            return;
          }
          expect(text.length).toBeLessThanOrEqual(MAX_CIDR_LENGTH);
          expect(block.cidr).toMatch(/^[0-9a-f.:]+\/\d{1,3}$/);
          expect(block.torAddress).toMatch(/^(\[[0-9a-f:.]+\]|[0-9.]+)(\/\d{1,3})?$/);
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('#parsePortList', () => {
    test.each(goodPorts)('accepts $input', (row) => {
      expect(parsePortList(row.input)).toEqual(row.ranges);
    });

    test.each(badPorts)('refuses $input with $code', (row) => {
      const error = thrown(() => parsePortList(row.input));
      expect(error).toMatchObject({ code: row.code, input: row.input });
      if (row.pos) expect(error.pos).toEqual(row.pos);
      expect(error.hint.length).toBeGreaterThan(0);
    });

    test.each([
      ['*', 'omit --ports'],
      ['90-80', '80-90'],
      ['080', '80'],
      ['+443', '443'],
    ])('suggests the corrected form for %s', (input, suggestion) => {
      expect(thrown(() => parsePortList(input)).hint).toContain(suggestion);
    });

    test('reads any list of valid items as the set of ports they name (property)', () => {
      const range = fc
        .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 300 }))
        .map(([min, width]) => [min, Math.min(65535, min + width)] as const);
      fc.assert(
        fc.property(fc.array(range, { minLength: 1, maxLength: 12 }), (ranges) => {
          const text = ranges.map(([min, max]) => (min === max ? `${min}` : `${min}-${max}`)).join(',');
          const expected = new Set<number>();
          for (const [min, max] of ranges) for (let p = min; p <= max; p++) expected.add(p);
          const result = parsePortList(text);
          const got = new Set<number>();
          for (const [min, max] of result) for (let p = min; p <= max; p++) got.add(p);
          expect(got).toEqual(expected);
          for (let i = 1; i < result.length; i++) {
            expect(result[i]![0]).toBeGreaterThan(result[i - 1]![1] + 1);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
