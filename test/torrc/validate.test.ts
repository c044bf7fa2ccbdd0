import { describe, expect, test } from 'vitest';
import type { ConfigLine } from '../../src/types.js';
import { findOption } from '../../src/torrc/options.js';
import { checkFinalOptions, checkLineValue, valueBytes } from '../../src/torrc/validate.js';

const at = { file: '/etc/tor/torrc', line: 7 };

function line(option: string, value: string): ConfigLine {
  return { option, key: option, prefix: '', value, location: at, source: 'torrc' };
}

/** A view holding only the given single-value lines. */
function view(...set: ConfigLine[]) {
  return { value: (name: string) => set.find((l) => l.option === name), lines: (name: string) => set.filter((l) => l.option === name) };
}

describe('torrc/validate', () => {
  describe('#checkLineValue', () => {
    test.each([
      ['IPv6Exit', 'true', 'TORRC_BAD_BOOL'],
      ['ExitRelay', 'yes', 'TORRC_BAD_AUTOBOOL'],
      ['NumCPUs', '-2', 'TORRC_BAD_INTEGER'],
      ['PathsNeededToBuildCircuits', 'half', 'TORRC_BAD_DOUBLE'],
      ['RelayBandwidthRate', 'RELAY_BANDWIDTH_RATE', 'TORRC_BAD_DATA_SIZE'],
      ['MaxCircuitDirtiness', '10 minutez', 'TORRC_BAD_INTERVAL'],
    ])('refuses %s %j with %s, pointing at the value', (name, value, code) => {
      const error = checkLineValue(findOption(name)!, value, at);
      expect(error).toMatchObject({ code, location: at, input: value, pos: [0, value.length], severity: 'error' });
      expect(error?.hint).toEqual(expect.any(String));
    });

    test.each([
      ['IPv6Exit', '1'],
      ['ExitRelay', 'auto'],
      ['RelayBandwidthRate', '10 MBytes'],
      ['ExitPolicy', 'not checked here'],
      ['IPv6Exit', ''],
    ])('accepts %s %j', (name, value) => {
      expect(checkLineValue(findOption(name)!, value, at)).toBeUndefined();
    });
  });

  describe('#checkFinalOptions', () => {
    test.each(['Relay', 'A1b2C3', 'abcdefghijklmnopqrs', ''])('accepts Nickname %j', (value) => {
      expect(checkFinalOptions(view(line('Nickname', value))).filter((p) => p.severity === 'error')).toEqual([]);
    });

    test.each(['SomeoneDidntLookAtTheConfig', '{NodeName}', 'my relay', 'relé'])('refuses Nickname %j at its line', (value) => {
      expect(checkFinalOptions(view(line('Nickname', value)))).toMatchObject([{ code: 'TORRC_BAD_NICKNAME', location: at, input: value }]);
    });

    test('accepts an unset Nickname', () => {
      expect(checkFinalOptions(view())).toEqual([]);
    });

    test('adds the cross-option checks', () => {
      expect(checkFinalOptions(view(line('BridgeRelay', '1')))).toMatchObject([{ code: 'TORRC_OPTIONS_CONFLICT', location: at }]);
    });
  });

  describe('#valueBytes', () => {
    const node = (raw: string, value: string, quoted: boolean) => ({ raw, rawKey: 'ContactInfo', value, quoted });
    test.each([
      ['plain UTF-8 text', node('ContactInfo café\n', 'café', false), 'utf8', [0x63, 0x61, 0x66, 0xc3, 0xa9]],
      ['plain text of a file read byte by byte', node('ContactInfo caf\u00e9\n', 'caf\u00e9', false), 'latin1', [0x63, 0x61, 0x66, 0xe9]],
      ['hex escapes as raw bytes', node('ContactInfo "a\\xe9"\n', 'a\u00e9', true), 'utf8', [0x61, 0xe9]],
      ['octal and simple escapes', node('  ContactInfo "\\101\\t\\"" # c\r\n', 'A\t"', true), 'utf8', [0x41, 0x09, 0x22]],
      ['a NUL ends the value', node('ContactInfo "a\\0b"\n', 'a\0b', true), 'utf8', [0x61]],
    ] as const)('gives the bytes tor holds for %s', (_name, entry, encoding, bytes) => {
      expect([...valueBytes(entry, encoding)]).toEqual(bytes);
    });
  });
});
