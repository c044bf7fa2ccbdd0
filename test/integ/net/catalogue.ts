/**
 * The catalogue of operator-typed CIDR blocks and port lists: inputs exitkit accepts, with the
 * canonical forms worked out by hand, and inputs it refuses, with the error code and the
 * `[start, end)` span it must report. The unit tests (test/net/input.test.ts) check the parser
 * against it; the integration tests (test/integ/net/input.test.ts) write every accepted entry
 * into a torrc and ask the real tor whether it reads it.
 */
import type { InputErrorCode } from '../../../src/net/input.js';

/** An accepted CIDR argument and what it must become. */
export interface GoodCidr {
  input: string;
  /** Canonical `network/prefix`. */
  cidr: string;
  /** The ExitPolicy address form. */
  torAddress: string;
  family: 4 | 6;
  prefix: number;
}

/** A refused argument (CIDR or port list), the code and, where meaningful, the span. */
export interface Bad {
  input: string;
  code: InputErrorCode;
  pos?: readonly [number, number];
}

/** An accepted port list and its sorted, merged ranges. */
export interface GoodPorts {
  input: string;
  ranges: Array<readonly [number, number]>;
}

export const goodCidrs: GoodCidr[] = [
  { input: '192.0.2.0/24', cidr: '192.0.2.0/24', torAddress: '192.0.2.0/24', family: 4, prefix: 24 },
  { input: '10.0.0.0/8', cidr: '10.0.0.0/8', torAddress: '10.0.0.0/8', family: 4, prefix: 8 },
  { input: '192.0.2.1', cidr: '192.0.2.1/32', torAddress: '192.0.2.1', family: 4, prefix: 32 },
  { input: '192.0.2.1/32', cidr: '192.0.2.1/32', torAddress: '192.0.2.1', family: 4, prefix: 32 },
  { input: '0.0.0.0/0', cidr: '0.0.0.0/0', torAddress: '0.0.0.0/0', family: 4, prefix: 0 },
  { input: '0.0.0.0', cidr: '0.0.0.0/32', torAddress: '0.0.0.0', family: 4, prefix: 32 },
  { input: '255.255.255.255', cidr: '255.255.255.255/32', torAddress: '255.255.255.255', family: 4, prefix: 32 },
  { input: '203.0.113.128/25', cidr: '203.0.113.128/25', torAddress: '203.0.113.128/25', family: 4, prefix: 25 },
  { input: '10.0.0.0/255.0.0.0', cidr: '10.0.0.0/8', torAddress: '10.0.0.0/8', family: 4, prefix: 8 },
  { input: '198.51.100.0/255.255.255.128', cidr: '198.51.100.0/25', torAddress: '198.51.100.0/25', family: 4, prefix: 25 },
  { input: '0.0.0.0/0.0.0.0', cidr: '0.0.0.0/0', torAddress: '0.0.0.0/0', family: 4, prefix: 0 },
  { input: '192.0.2.7/255.255.255.255', cidr: '192.0.2.7/32', torAddress: '192.0.2.7', family: 4, prefix: 32 },
  { input: '2001:db8::/32', cidr: '2001:db8::/32', torAddress: '[2001:db8::]/32', family: 6, prefix: 32 },
  { input: '2001:DB8::/32', cidr: '2001:db8::/32', torAddress: '[2001:db8::]/32', family: 6, prefix: 32 },
  { input: '[2001:db8::]/32', cidr: '2001:db8::/32', torAddress: '[2001:db8::]/32', family: 6, prefix: 32 },
  {
    input: '2001:0db8:0000:0000:0000:0000:0000:0000/32',
    cidr: '2001:db8::/32',
    torAddress: '[2001:db8::]/32',
    family: 6,
    prefix: 32,
  },
  { input: '2001:db8::1', cidr: '2001:db8::1/128', torAddress: '[2001:db8::1]', family: 6, prefix: 128 },
  { input: '[2001:db8::1]', cidr: '2001:db8::1/128', torAddress: '[2001:db8::1]', family: 6, prefix: 128 },
  { input: '[2001:db8::1]/128', cidr: '2001:db8::1/128', torAddress: '[2001:db8::1]', family: 6, prefix: 128 },
  { input: '2001:db8:0:1::/64', cidr: '2001:db8:0:1::/64', torAddress: '[2001:db8:0:1::]/64', family: 6, prefix: 64 },
  { input: '2001:db8:0:0:1:0:0:1', cidr: '2001:db8::1:0:0:1/128', torAddress: '[2001:db8::1:0:0:1]', family: 6, prefix: 128 },
  { input: '1:0:0:2:0:0:0:3', cidr: '1:0:0:2::3/128', torAddress: '[1:0:0:2::3]', family: 6, prefix: 128 },
  { input: '1:2:3:4:5:6:7::', cidr: '1:2:3:4:5:6:7:0/128', torAddress: '[1:2:3:4:5:6:7:0]', family: 6, prefix: 128 },
  { input: '::1', cidr: '::1/128', torAddress: '[::1]', family: 6, prefix: 128 },
  { input: '::', cidr: '::/128', torAddress: '[::]', family: 6, prefix: 128 },
  { input: '::/0', cidr: '::/0', torAddress: '[::]/0', family: 6, prefix: 0 },
  { input: '[::]/0', cidr: '::/0', torAddress: '[::]/0', family: 6, prefix: 0 },
  { input: 'fe80::/10', cidr: 'fe80::/10', torAddress: '[fe80::]/10', family: 6, prefix: 10 },
  { input: '64:ff9b::192.0.2.33', cidr: '64:ff9b::c000:221/128', torAddress: '[64:ff9b::c000:221]', family: 6, prefix: 128 },
  { input: '::/96', cidr: '::/96', torAddress: '[::]/96', family: 6, prefix: 96 },
  {
    input: 'FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF',
    cidr: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
    torAddress: '[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]',
    family: 6,
    prefix: 128,
  },
];

/** Inputs accepted only with `allowHostBits`, and the network they stand for. */
export const hostBitCidrs: Array<{ input: string; cidr: string; torAddress: string }> = [
  { input: '10.0.0.1/8', cidr: '10.0.0.0/8', torAddress: '10.0.0.0/8' },
  { input: '192.0.2.77/255.255.255.0', cidr: '192.0.2.0/24', torAddress: '192.0.2.0/24' },
  { input: '2001:db8::1/32', cidr: '2001:db8::/32', torAddress: '[2001:db8::]/32' },
  { input: '[2001:db8:1:2:3:4:5:6]/64', cidr: '2001:db8:1:2::/64', torAddress: '[2001:db8:1:2::]/64' },
  { input: '255.255.255.255/0', cidr: '0.0.0.0/0', torAddress: '0.0.0.0/0' },
];

export const badCidrs: Bad[] = [
  // Empty, line breaks, control characters and whitespace.
  { input: '', code: 'INPUT_EMPTY', pos: [0, 0] },
  { input: '10.0.0.0/8\n', code: 'INPUT_LINE_BREAK', pos: [10, 11] },
  { input: '10.0.0.0/8\r', code: 'INPUT_LINE_BREAK', pos: [10, 11] },
  { input: '10.0.0.0/8\nExitRelay 0', code: 'INPUT_LINE_BREAK', pos: [10, 11] },
  { input: '10.0.0.0/8 \r\nExitPolicy accept *:*', code: 'INPUT_LINE_BREAK', pos: [11, 12] },
  { input: '10.0.0.0/8\u2028', code: 'INPUT_LINE_BREAK', pos: [10, 11] },
  { input: '10.0.0.0\u0000/8', code: 'INPUT_CONTROL_CHAR', pos: [8, 9] },
  { input: '10.0.0.0/8\u001b[2J', code: 'INPUT_CONTROL_CHAR', pos: [10, 11] },
  { input: '10.0.0.0/8\t', code: 'INPUT_WHITESPACE', pos: [10, 11] },
  { input: ' 10.0.0.0/8', code: 'INPUT_WHITESPACE', pos: [0, 1] },
  { input: '10.0.0.0 /8', code: 'INPUT_WHITESPACE', pos: [8, 9] },
  { input: '10.0.0.0/8  192.0.2.0/24', code: 'INPUT_WHITESPACE', pos: [10, 12] },
  { input: '10.0.0.0/\u00a08', code: 'INPUT_WHITESPACE', pos: [9, 10] },
  { input: '\uff11\uff10.0.0.0/8', code: 'INPUT_NON_ASCII', pos: [0, 1] },
  { input: '10.0.0.0/8\u200b', code: 'INPUT_NON_ASCII', pos: [10, 11] },
  { input: '192.0.2.1\u{1f600}', code: 'INPUT_NON_ASCII', pos: [9, 11] },
  // Text that would add an item, a comment or quoting to a torrc line.
  { input: '10.0.0.0/8,192.0.2.0/24', code: 'CIDR_LIST', pos: [10, 11] },
  { input: '10.0.0.0/8,accept *:*', code: 'CIDR_LIST', pos: [10, 11] },
  { input: '10.0.0.0/8#blocked', code: 'INPUT_COMMENT', pos: [10, 11] },
  { input: '"10.0.0.0/8"', code: 'INPUT_QUOTE', pos: [0, 1] },
  { input: "10.0.0.0/8'", code: 'INPUT_QUOTE', pos: [10, 11] },
  { input: '10.0.0.0/8\\', code: 'INPUT_BACKSLASH', pos: [10, 11] },
  { input: `${'1'.repeat(70)}`, code: 'INPUT_TOO_LONG', pos: [64, 70] },
  // Wildcards, keywords and things that are not addresses.
  { input: '*', code: 'CIDR_WILDCARD', pos: [0, 1] },
  { input: '*4', code: 'CIDR_WILDCARD', pos: [0, 2] },
  { input: '*6', code: 'CIDR_WILDCARD', pos: [0, 2] },
  { input: '*:*', code: 'CIDR_WILDCARD', pos: [0, 1] },
  { input: '*/8', code: 'CIDR_WILDCARD', pos: [0, 1] },
  { input: 'private', code: 'CIDR_PRIVATE', pos: [0, 7] },
  { input: 'private:*', code: 'CIDR_PRIVATE', pos: [0, 7] },
  { input: 'example.com', code: 'CIDR_HOSTNAME', pos: [0, 11] },
  { input: 'localhost', code: 'CIDR_HOSTNAME', pos: [0, 9] },
  { input: '192.0.2.0-192.0.2.255', code: 'CIDR_ADDRESS_RANGE', pos: [0, 21] },
  { input: '192.0.2.1-192.0.2.5', code: 'CIDR_ADDRESS_RANGE', pos: [0, 19] },
  { input: '2001:db8::-2001:db8::ff', code: 'CIDR_ADDRESS_RANGE', pos: [0, 23] },
  { input: '/24', code: 'CIDR_ADDRESS_MISSING', pos: [0, 0] },
  // Ports where an address belongs.
  { input: '192.0.2.1:80', code: 'CIDR_PORT_SUFFIX', pos: [9, 12] },
  { input: '192.0.2.1:*', code: 'CIDR_PORT_SUFFIX', pos: [9, 11] },
  { input: '192.0.2.0/24:443', code: 'CIDR_PORT_SUFFIX', pos: [12, 16] },
  { input: '192.0.2.1:80/24', code: 'CIDR_PORT_SUFFIX', pos: [9, 12] },
  { input: '[2001:db8::1]:443', code: 'CIDR_PORT_SUFFIX', pos: [13, 17] },
  { input: '[2001:db8::]/32:80-90', code: 'CIDR_PORT_SUFFIX', pos: [15, 21] },
  { input: '2001:db8::/32:80', code: 'CIDR_PORT_SUFFIX', pos: [13, 16] },
  // Zone ids and brackets.
  { input: 'fe80::1%eth0', code: 'CIDR_ZONE_ID', pos: [7, 12] },
  { input: '[fe80::1%eth0]', code: 'CIDR_ZONE_ID', pos: [8, 13] },
  { input: 'fe80::1%eth0/64', code: 'CIDR_ZONE_ID', pos: [7, 12] },
  { input: '[192.0.2.1]', code: 'CIDR_BRACKETS', pos: [0, 11] },
  { input: '[2001:db8::1', code: 'CIDR_BRACKETS', pos: [0, 1] },
  { input: '2001:db8::1]', code: 'CIDR_BRACKETS', pos: [11, 12] },
  { input: '[2001:db8::/32]', code: 'CIDR_BRACKETS', pos: [0, 15] },
  { input: '[[2001:db8::1]]', code: 'CIDR_BRACKETS', pos: [1, 2] },
  { input: '[2001:db8::1]]', code: 'CIDR_BRACKETS', pos: [13, 14] },
  { input: '[]', code: 'CIDR_BRACKETS', pos: [0, 2] },
  { input: '[2001:db8::1]x', code: 'CIDR_BRACKETS', pos: [13, 14] },
  { input: 'x[2001:db8::1]', code: 'CIDR_BRACKETS', pos: [1, 2] },
  // IPv4 addresses.
  { input: '192.0.2', code: 'CIDR_IPV4_OCTET_COUNT', pos: [0, 7] },
  { input: '10/8', code: 'CIDR_IPV4_OCTET_COUNT', pos: [0, 2] },
  { input: '192.0.2.1.5', code: 'CIDR_IPV4_OCTET_COUNT', pos: [0, 11] },
  { input: '192..2.1', code: 'CIDR_IPV4_EMPTY_OCTET', pos: [3, 5] },
  { input: '192.0.2.', code: 'CIDR_IPV4_EMPTY_OCTET', pos: [7, 8] },
  { input: '.192.0.2.1', code: 'CIDR_IPV4_EMPTY_OCTET', pos: [0, 1] },
  { input: '010.0.0.1', code: 'CIDR_IPV4_LEADING_ZERO', pos: [0, 3] },
  { input: '10.0.0.01', code: 'CIDR_IPV4_LEADING_ZERO', pos: [7, 9] },
  { input: '10.00.0.0/16', code: 'CIDR_IPV4_LEADING_ZERO', pos: [3, 5] },
  { input: '256.0.0.0', code: 'CIDR_IPV4_OCTET_RANGE', pos: [0, 3] },
  { input: '192.0.2.1000', code: 'CIDR_IPV4_OCTET_RANGE', pos: [8, 12] },
  { input: '1.2.3.4x', code: 'CIDR_BAD_CHAR', pos: [7, 8] },
  { input: '0x7f.0.0.1', code: 'CIDR_BAD_CHAR', pos: [1, 2] },
  { input: '192.0.2.1;reboot', code: 'CIDR_BAD_CHAR', pos: [9, 10] },
  { input: '-1.0.0.0', code: 'CIDR_BAD_CHAR', pos: [0, 1] },
  { input: '10.0.0.*', code: 'CIDR_BAD_CHAR', pos: [7, 8] },
  // IPv6 addresses.
  { input: '2001:db8::g', code: 'CIDR_BAD_CHAR', pos: [10, 11] },
  { input: '2001:db8:::1', code: 'CIDR_IPV6_MALFORMED', pos: [8, 11] },
  { input: '2001::db8::1', code: 'CIDR_IPV6_MALFORMED', pos: [9, 11] },
  { input: ':2001:db8::1', code: 'CIDR_IPV6_MALFORMED', pos: [0, 1] },
  { input: '2001:db8::1:', code: 'CIDR_IPV6_MALFORMED', pos: [11, 12] },
  { input: '1.2.3.4::', code: 'CIDR_IPV6_MALFORMED', pos: [0, 7] },
  { input: '12345::1', code: 'CIDR_IPV6_GROUP', pos: [0, 5] },
  { input: '2001:db8:1:2:3:4:5', code: 'CIDR_IPV6_GROUP_COUNT', pos: [0, 18] },
  { input: '1:2:3:4:5:6:7:8:9', code: 'CIDR_IPV6_GROUP_COUNT', pos: [0, 17] },
  { input: '1:2:3:4::5:6:7:8', code: 'CIDR_IPV6_GROUP_COUNT', pos: [0, 16] },
  { input: '::ffff:192.0.2.1', code: 'CIDR_IPV4_IN_IPV6', pos: [0, 16] },
  { input: '::ffff:c000:201', code: 'CIDR_IPV4_IN_IPV6', pos: [0, 15] },
  { input: '[::ffff:192.0.2.0]/120', code: 'CIDR_IPV4_IN_IPV6', pos: [1, 17] },
  { input: '::192.0.2.1', code: 'CIDR_IPV4_IN_IPV6', pos: [0, 11] },
  { input: '::ffff:0:0/96', code: 'CIDR_IPV4_IN_IPV6', pos: [0, 10] },
  { input: '64:ff9b::192.0.2.033', code: 'CIDR_IPV4_LEADING_ZERO', pos: [17, 20] },
  // Prefix lengths and masks.
  { input: '10.0.0.0/', code: 'CIDR_PREFIX_MISSING', pos: [8, 9] },
  { input: '10.0.0.0/abc', code: 'CIDR_PREFIX_NOT_NUMBER', pos: [9, 12] },
  { input: '10.0.0.0/+8', code: 'CIDR_PREFIX_NOT_NUMBER', pos: [9, 11] },
  { input: '10.0.0.0/8/8', code: 'CIDR_PREFIX_NOT_NUMBER', pos: [10, 12] },
  { input: '10.0.0.0/0x8', code: 'CIDR_PREFIX_NOT_NUMBER', pos: [10, 12] },
  { input: '10.0.0.0/-1', code: 'CIDR_PREFIX_NEGATIVE', pos: [9, 11] },
  { input: '10.0.0.0/08', code: 'CIDR_PREFIX_LEADING_ZERO', pos: [9, 11] },
  { input: '2001:db8::/032', code: 'CIDR_PREFIX_LEADING_ZERO', pos: [11, 14] },
  { input: '10.0.0.0/33', code: 'CIDR_PREFIX_RANGE', pos: [9, 11] },
  { input: '2001:db8::/129', code: 'CIDR_PREFIX_RANGE', pos: [11, 14] },
  { input: '10.0.0.0/99999999999999999999', code: 'CIDR_PREFIX_RANGE', pos: [9, 29] },
  { input: '10.0.0.0/255.0.255.0', code: 'CIDR_MASK_NOT_CONTIGUOUS', pos: [9, 20] },
  { input: '10.0.0.0/0.0.0.255', code: 'CIDR_MASK_NOT_CONTIGUOUS', pos: [9, 18] },
  { input: '10.0.0.0/255.255.255.00', code: 'CIDR_IPV4_LEADING_ZERO', pos: [21, 23] },
  { input: '10.0.0.0/255.255.256.0', code: 'CIDR_IPV4_OCTET_RANGE', pos: [17, 20] },
  { input: '2001:db8::/255.255.0.0', code: 'CIDR_MASK_IPV6', pos: [11, 22] },
  // Host bits.
  { input: '10.0.0.1/8', code: 'CIDR_HOST_BITS', pos: [0, 8] },
  { input: '192.0.2.77/255.255.255.0', code: 'CIDR_HOST_BITS', pos: [0, 10] },
  { input: '2001:db8::1/32', code: 'CIDR_HOST_BITS', pos: [0, 11] },
  { input: '[2001:db8::1]/64', code: 'CIDR_HOST_BITS', pos: [1, 12] },
];

export const goodPorts: GoodPorts[] = [
  { input: '80', ranges: [[80, 80]] },
  { input: '1', ranges: [[1, 1]] },
  { input: '65535', ranges: [[65535, 65535]] },
  { input: '80,443', ranges: [[80, 80], [443, 443]] },
  { input: '443,80', ranges: [[80, 80], [443, 443]] },
  { input: '6660-6669', ranges: [[6660, 6669]] },
  { input: '80,443,6660-6669', ranges: [[80, 80], [443, 443], [6660, 6669]] },
  { input: '1-65535', ranges: [[1, 65535]] },
  { input: '80-80', ranges: [[80, 80]] },
  { input: '80,80', ranges: [[80, 80]] },
  { input: '80,81', ranges: [[80, 81]] },
  { input: '80-90,85-100', ranges: [[80, 100]] },
  { input: '100-200,1-50,51-99', ranges: [[1, 200]] },
  { input: '25,119,135-139,445,563', ranges: [[25, 25], [119, 119], [135, 139], [445, 445], [563, 563]] },
];

export const badPorts: Bad[] = [
  { input: '', code: 'INPUT_EMPTY', pos: [0, 0] },
  { input: '*', code: 'PORTS_WILDCARD', pos: [0, 1] },
  { input: '80,*', code: 'PORTS_WILDCARD', pos: [3, 4] },
  { input: '0', code: 'PORT_ZERO', pos: [0, 1] },
  { input: '0-80', code: 'PORT_ZERO', pos: [0, 1] },
  { input: '00', code: 'PORT_ZERO', pos: [0, 2] },
  { input: '65536', code: 'PORT_TOO_LARGE', pos: [0, 5] },
  { input: '80-65536', code: 'PORT_TOO_LARGE', pos: [3, 8] },
  { input: '99999999999999999999', code: 'PORT_TOO_LARGE', pos: [0, 20] },
  { input: '90-80', code: 'PORT_RANGE_REVERSED', pos: [0, 5] },
  { input: '443,90-80', code: 'PORT_RANGE_REVERSED', pos: [4, 9] },
  { input: ',80', code: 'PORTS_EMPTY_ITEM', pos: [0, 1] },
  { input: '80,', code: 'PORTS_EMPTY_ITEM', pos: [2, 3] },
  { input: '80,,443', code: 'PORTS_EMPTY_ITEM', pos: [3, 4] },
  { input: ',', code: 'PORTS_EMPTY_ITEM', pos: [0, 1] },
  { input: '080', code: 'PORT_LEADING_ZERO', pos: [0, 3] },
  { input: '80-090', code: 'PORT_LEADING_ZERO', pos: [3, 6] },
  { input: '+443', code: 'PORT_SIGN', pos: [0, 1] },
  { input: '80-+90', code: 'PORT_SIGN', pos: [3, 4] },
  { input: '-80', code: 'PORT_RANGE_OPEN', pos: [0, 3] },
  { input: '80-', code: 'PORT_RANGE_OPEN', pos: [0, 3] },
  { input: '-', code: 'PORT_RANGE_OPEN', pos: [0, 1] },
  { input: '80-90-100', code: 'PORT_RANGE_EXTRA', pos: [5, 9] },
  { input: 'http', code: 'PORT_NOT_NUMBER', pos: [0, 4] },
  { input: '80x', code: 'PORT_NOT_NUMBER', pos: [0, 3] },
  { input: '0x50', code: 'PORT_NOT_NUMBER', pos: [0, 4] },
  { input: '1e3', code: 'PORT_NOT_NUMBER', pos: [0, 3] },
  { input: '80.5', code: 'PORT_NOT_NUMBER', pos: [0, 4] },
  { input: '80;443', code: 'PORT_NOT_NUMBER', pos: [0, 6] },
  { input: '80/tcp', code: 'PORT_NOT_NUMBER', pos: [0, 6] },
  { input: '192.0.2.1:80', code: 'PORT_NOT_NUMBER', pos: [0, 12] },
  { input: '80 443', code: 'INPUT_WHITESPACE', pos: [2, 3] },
  { input: '80, 443', code: 'INPUT_WHITESPACE', pos: [3, 4] },
  { input: '80\n', code: 'INPUT_LINE_BREAK', pos: [2, 3] },
  { input: '80\r\nExitRelay 0', code: 'INPUT_LINE_BREAK', pos: [2, 3] },
  { input: '80#x', code: 'INPUT_COMMENT', pos: [2, 3] },
  { input: '"80"', code: 'INPUT_QUOTE', pos: [0, 1] },
  { input: '80\\', code: 'INPUT_BACKSLASH', pos: [2, 3] },
  { input: '80\u0000', code: 'INPUT_CONTROL_CHAR', pos: [2, 3] },
  { input: '\uff18\uff10', code: 'INPUT_NON_ASCII', pos: [0, 1] },
];
