import { describe, expect, test } from 'vitest';
import type { OptionType } from '../../src/torrc/options.js';
import { cStrtod, cStrtoull, checkTypedValue, isLegalNickname, parseUnits, torParseDouble, torParseLong } from '../../src/torrc/values.js';

describe('torrc/values', () => {
  describe('#checkTypedValue', () => {
    // Valid and invalid side by side; each row was also checked against tor 0.4.9.11
    // (see test/integ/torrc/values.test.ts, which asks the binary about these and more).
    test.each<[OptionType, string]>([
      ['BOOL', '0'], ['BOOL', '1'],
      ['AUTOBOOL', '0'], ['AUTOBOOL', '1'], ['AUTOBOOL', 'auto'], ['AUTOBOOL', 'AUTO'], ['AUTOBOOL', 'Auto'],
      ['POSINT', '0'], ['POSINT', '2147483647'], ['POSINT', '+5'], ['POSINT', ' 5'], ['POSINT', '007'],
      ['INT', '-2147483648'], ['INT', '-1'], ['INT', '42'],
      ['UINT64', '18446744073709551615'], ['UINT64', '-1'], ['UINT64', '0'],
      ['DOUBLE', '0.5'], ['DOUBLE', '3.14'], ['DOUBLE', '1e308'], ['DOUBLE', 'nan'], ['DOUBLE', 'inf'], ['DOUBLE', '0x1p3'], ['DOUBLE', '-0'],
      ['MEMUNIT', '10 KB'], ['MEMUNIT', '10KB'], ['MEMUNIT', '10 kb'], ['MEMUNIT', '10 Kilobytes'], ['MEMUNIT', '1.5 MB'],
      ['MEMUNIT', '.5 MB'], ['MEMUNIT', '5. MB'], ['MEMUNIT', '5'], ['MEMUNIT', '5 # comment'], ['MEMUNIT', '5\tKB'],
      ['MEMUNIT', '10 Mbits'], ['MEMUNIT', '1 TBits'], ['MEMUNIT', '8388607 TB'], ['MEMUNIT', '9223372036854775807'],
      ['MEMUNIT', '-0'], ['MEMUNIT', 'nan KB'], ['MEMUNIT', '1'],
      ['INTERVAL', '1 week'], ['INTERVAL', '30 days'], ['INTERVAL', '1 month'], ['INTERVAL', '1.5 hours'],
      ['INTERVAL', '2147483647'], ['INTERVAL', '24855 days'], ['INTERVAL', '596523 hours'],
      ['MSEC_INTERVAL', '100 msec'], ['MSEC_INTERVAL', '10 seconds'], ['MSEC_INTERVAL', '24 days'],
      ['CSV_INTERVAL', '60'], ['CSV_INTERVAL', '60,foo'], ['CSV_INTERVAL', '1,2'],
      ['STRING', 'anything at all'], ['LINELIST', 'reject *:*'], ['ROUTERSET', '{us}'], ['OBSOLETE', 'whatever'],
    ])('accepts %s %j', (type, value) => {
      expect(checkTypedValue(type, value)).toBeUndefined();
    });

    test.each<[OptionType, string, string]>([
      ['BOOL', 'true', 'TORRC_BAD_BOOL'], ['BOOL', '01', 'TORRC_BAD_BOOL'], ['BOOL', '2', 'TORRC_BAD_BOOL'], ['BOOL', 'auto', 'TORRC_BAD_BOOL'], ['BOOL', ' 1', 'TORRC_BAD_BOOL'],
      ['AUTOBOOL', 'yes', 'TORRC_BAD_AUTOBOOL'], ['AUTOBOOL', '00', 'TORRC_BAD_AUTOBOOL'], ['AUTOBOOL', 'automatic', 'TORRC_BAD_AUTOBOOL'],
      ['POSINT', '-1', 'TORRC_BAD_INTEGER'], ['POSINT', '2147483648', 'TORRC_BAD_INTEGER'], ['POSINT', '5 ', 'TORRC_BAD_INTEGER'],
      ['POSINT', '1e3', 'TORRC_BAD_INTEGER'], ['POSINT', '0x10', 'TORRC_BAD_INTEGER'], ['POSINT', 'abc', 'TORRC_BAD_INTEGER'],
      ['INT', '-2147483649', 'TORRC_BAD_INTEGER'], ['INT', '9223372036854775808', 'TORRC_BAD_INTEGER'],
      ['UINT64', '18446744073709551616', 'TORRC_BAD_INTEGER'], ['UINT64', '1.5', 'TORRC_BAD_INTEGER'],
      ['DOUBLE', '1e309', 'TORRC_BAD_DOUBLE'], ['DOUBLE', '1e-310', 'TORRC_BAD_DOUBLE'], ['DOUBLE', '1 e3', 'TORRC_BAD_DOUBLE'],
      ['DOUBLE', 'abc', 'TORRC_BAD_DOUBLE'], ['DOUBLE', '0.5 ', 'TORRC_BAD_DOUBLE'], ['DOUBLE', 'infx', 'TORRC_BAD_DOUBLE'],
      ['MEMUNIT', 'RELAY_BANDWIDTH_RATE', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '${RATE}', 'TORRC_BAD_DATA_SIZE'],
      ['MEMUNIT', '10 KiB', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '1e3', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '0x10', 'TORRC_BAD_DATA_SIZE'],
      ['MEMUNIT', '-1', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '-0.5 KB', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', 'inf MB', 'TORRC_BAD_DATA_SIZE'],
      ['MEMUNIT', '8388608 TB', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '9223372036854775808', 'TORRC_BAD_DATA_SIZE'],
      ['MEMUNIT', '18446744073709551616', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', '1e-400 KB', 'TORRC_BAD_DATA_SIZE'], ['MEMUNIT', ' ', 'TORRC_BAD_DATA_SIZE'],
      ['MEMUNIT', '10 MB extra', 'TORRC_BAD_DATA_SIZE'],
      ['INTERVAL', '2147483648', 'TORRC_BAD_INTERVAL'], ['INTERVAL', '24856 days', 'TORRC_BAD_INTERVAL'], ['INTERVAL', '596524 hours', 'TORRC_BAD_INTERVAL'],
      ['INTERVAL', '10 msec', 'TORRC_BAD_INTERVAL'], ['INTERVAL', 'nan', 'TORRC_BAD_INTERVAL'], ['INTERVAL', '1 fortnight', 'TORRC_BAD_INTERVAL'],
      ['MSEC_INTERVAL', '25 days', 'TORRC_BAD_INTERVAL'], ['MSEC_INTERVAL', '1 month', 'TORRC_BAD_INTERVAL'],
      ['CSV_INTERVAL', 'foo,60', 'TORRC_BAD_INTERVAL'],
    ])('refuses %s %j with %s', (type, value, code) => {
      expect(checkTypedValue(type, value)).toMatchObject({ code, hint: expect.any(String) });
    });
  });

  describe('#parseUnits', () => {
    test.each([
      ['10 KB', 'memory', 10240n],
      ['1 kbit', 'memory', 128n],
      ['1.5 MB', 'memory', 1572864n],
      ['2 weeks', 'seconds', 1209600n],
      ['1 month', 'seconds', 2629728n],
      ['1.5 seconds', 'milliseconds', 1500n],
      ['7', 'seconds', 7n],
    ] as const)('reads %j in %s as %s', (value, kind, expected) => {
      expect(parseUnits(value, kind)).toBe(expected);
    });
  });

  describe('#cStrtoull', () => {
    test.each([
      ['42', 42n, 2, false],
      ['-1', 2n ** 64n - 1n, 2, false],
      ['-0', 0n, 2, false],
      [' +7x', 7n, 3, false],
      ['18446744073709551616', 2n ** 64n - 1n, 20, true],
      ['x', 0n, 0, false],
    ] as const)('reads %j like glibc', (text, value, end, erange) => {
      expect(cStrtoull(text)).toEqual({ value, end, erange });
    });
  });

  describe('#cStrtod', () => {
    test.each([
      ['1.5', 1.5, 3, false],
      ['1e', 1, 1, false],
      ['.e1', 0, 0, false],
      ['0x', 0, 1, false],
      ['infx', Infinity, 3, false],
      ['1e-320', 1e-320, 6, true],
      ['0x1p-1074', 5e-324, 9, false],
      ['2.2250738585072014e-308', 2.2250738585072014e-308, 23, false],
      ['0e-999', 0, 6, false],
      ['1e309', Infinity, 5, true],
    ] as const)('reads %j like glibc', (text, value, end, erange) => {
      expect(cStrtod(text)).toEqual({ value, end, erange });
    });

    test('reads nan(...) as NaN', () => {
      expect(cStrtod('nan(abc)').end).toBe(8);
      expect(Number.isNaN(cStrtod('nan(abc)').value)).toBe(true);
    });
  });

  describe('#torParseLong', () => {
    test('checks the range and the whole string', () => {
      expect(torParseLong('12', 0n, 10n)).toBeUndefined();
      expect(torParseLong('10', 0n, 10n)).toBe(10n);
      expect(torParseLong('10 ', 0n, 10n)).toBeUndefined();
    });
  });

  describe('#torParseDouble', () => {
    test('refuses trailing text', () => {
      expect(torParseDouble('1.5x')).toBeUndefined();
      expect(torParseDouble('1.5')).toBe(1.5);
    });
  });

  describe('#isLegalNickname', () => {
    test.each(['a', 'Relay1', 'abcdefghijklmnopqrs'])('accepts %j', (name) => expect(isLegalNickname(name)).toBe(true));
    test.each(['', 'abcdefghijklmnopqrst', 'my-relay', 'my_relay', '${NICKNAME}', 'Relé', 'a b'])('refuses %j', (name) =>
      expect(isLegalNickname(name)).toBe(false),
    );
  });
});
