import { describe, expect, test } from 'vitest';
import { describeAddresses, describeChange, describePorts, englishList } from '../../src/letters/describe.js';
import type { PolicyChange, VerdictChange } from '../../src/types.js';
import { MIDDLE_CHANGE, PUBLIC_V4 } from './helpers.js';

const region = (overrides: Partial<VerdictChange>): VerdictChange => ({
  family: 4,
  cidrs: ['203.0.113.0/24'],
  ports: [[1, 65535]],
  before: 'accept',
  after: 'reject',
  ...overrides,
});

describe('letters/describe', () => {
  describe('#describeChange', () => {
    test.each<[string, PolicyChange, string[]]>([
      ['nothing changed', { changes: [] }, []],
      [
        'a block on two ports',
        { changes: [region({ ports: [[80, 80], [443, 443]] })] },
        ['Connections to 203.0.113.0/24 on ports 80 and 443 are now refused.'],
      ],
      [
        'a block on all ports of two ranges',
        { changes: [region({ cidrs: ['198.51.100.0/24', '203.0.113.0/24'] })] },
        ['Connections to 198.51.100.0/24 and 203.0.113.0/24 on all ports are now refused.'],
      ],
      [
        'an IPv4 and an IPv6 region, told apart',
        {
          changes: [
            region({ ports: [[22, 22]] }),
            region({ family: 6, cidrs: ['2001:db8:1234::/48'], ports: [[22, 22]] }),
          ],
        },
        [
          'Connections to 203.0.113.0/24 on port 22 are now refused.',
          'Connections to 2001:db8:1234::/48 on port 22 are now refused.',
        ],
      ],
      [
        'whole families with the same ports, told as one',
        {
          changes: [
            region({ cidrs: ['0.0.0.0/0'], ports: [[6660, 6669], [6697, 6697]] }),
            region({ family: 6, cidrs: ['::/0'], ports: [[6660, 6669], [6697, 6697]] }),
          ],
        },
        ['Connections to any address on ports 6660-6669 and 6697 are now refused.'],
      ],
      [
        'a port opening',
        { changes: [region({ cidrs: ['0.0.0.0/0'], ports: [[563, 563]], before: 'reject', after: 'accept' })] },
        ['Connections to any IPv4 address on port 563 are now allowed.'],
      ],
    ])('describes %s', (_name, change, expected) => {
      expect(describeChange(change)).toEqual(expected);
    });

    test('words the same change as a proposal when asked', () => {
      const change = { changes: [region({ ports: [[80, 80], [443, 443]] }), region({ after: 'accept', before: 'reject', ports: [[25, 25]] })] };
      expect(describeChange(change, { proposal: true })).toEqual([
        'Connections to 203.0.113.0/24 on ports 80 and 443 would be refused.',
        'Connections to 203.0.113.0/24 on port 25 would be allowed.',
      ]);
    });

    test('does not merge whole families whose ports differ', () => {
      const change = {
        changes: [region({ cidrs: ['0.0.0.0/0'], ports: [[22, 22]] }), region({ family: 6, cidrs: ['::/0'], ports: [[23, 23]] })],
      };
      expect(describeChange(change)).toEqual([
        'Connections to any IPv4 address on port 22 are now refused.',
        'Connections to any IPv6 address on port 23 are now refused.',
      ]);
    });

    test('names the few excluded ranges of a change covering all public addresses', () => {
      const [sentence] = describeChange(MIDDLE_CHANGE);
      expect(sentence).toBe(
        'Connections to every IPv4 address except 0.0.0.0/8, 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, ' +
          '172.16.0.0/12, 192.0.2.10/32 and 192.168.0.0/16 on every port except 25, 119, 135-139, 445, 563, ' +
          '1214, 4661-4666, 6346-6429, 6699 and 6881-6999 are now refused.',
      );
    });
  });

  describe('#describeAddresses', () => {
    test.each<[4 | 6, string[], string]>([
      [4, ['0.0.0.0/0'], 'any IPv4 address'],
      [6, ['::/0'], 'any IPv6 address'],
      [4, ['0.0.0.0/1', '128.0.0.0/1'], 'any IPv4 address'],
      [4, ['192.0.2.7/32'], '192.0.2.7/32'],
      [4, ['192.0.2.0/25', '192.0.2.128/25'], '192.0.2.0/25 and 192.0.2.128/25'],
      [6, ['2001:db8::/33', '2001:db8:8000::/33'], '2001:db8::/33 and 2001:db8:8000::/33'],
      [6, ['::/1', '8000::/2', 'c000::/3', 'e000::/4', 'f000::/5', 'f800::/6', 'fc00::/7', 'ff00::/8'], 'every IPv6 address except fe00::/8'],
      [4, [], 'no IPv4 address'],
    ])('IPv%s %j reads "%s"', (family, cidrs, expected) => {
      expect(describeAddresses(family, cidrs)).toBe(expected);
    });

    test('describes public IPv4 space by what it leaves out', () => {
      expect(describeAddresses(4, PUBLIC_V4)).toBe(
        'every IPv4 address except 0.0.0.0/8, 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.2.10/32 and 192.168.0.0/16',
      );
    });
  });

  describe('#describePorts', () => {
    test.each<[Array<[number, number]>, string]>([
      [[[1, 65535]], 'all ports'],
      [[[22, 22]], 'port 22'],
      [[[80, 80], [443, 443]], 'ports 80 and 443'],
      [[[6660, 6669]], 'ports 6660-6669'],
      [[[20, 23], [43, 43], [53, 53]], 'ports 20-23, 43 and 53'],
      [[[1, 24], [26, 65535]], 'every port except 25'],
      [[[1, 118], [120, 134], [140, 65535]], 'every port except 119 and 135-139'],
      [[[2, 65535]], 'every port except 1'],
      [[[1, 65534]], 'every port except 65535'],
      [[[1, 1], [65535, 65535]], 'ports 1 and 65535'],
    ])('%j reads "%s"', (ports, expected) => {
      expect(describePorts(ports)).toBe(expected);
    });
  });

  describe('#englishList', () => {
    test.each<[string[], string]>([
      [[], ''],
      [['a'], 'a'],
      [['a', 'b'], 'a and b'],
      [['a', 'b', 'c'], 'a, b and c'],
    ])('%j reads "%s"', (items, expected) => {
      expect(englishList(items)).toBe(expected);
    });
  });
});
