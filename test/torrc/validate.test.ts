import { describe, expect, test } from 'vitest';
import type { ConfigLine } from '../../src/types.js';
import { findOption } from '../../src/torrc/options.js';
import { checkFinalOptions, checkLineValue } from '../../src/torrc/validate.js';

const at = { file: '/etc/tor/torrc', line: 7 };

function nicknameLine(value: string): ConfigLine {
  return { option: 'Nickname', key: 'Nickname', prefix: '', value, location: at, source: 'torrc' };
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
      expect(checkFinalOptions((name) => (name === 'Nickname' ? nicknameLine(value) : undefined))).toEqual([]);
    });

    test.each(['SomeoneDidntLookAtTheConfig', '{NodeName}', 'my relay', 'relé'])('refuses Nickname %j at its line', (value) => {
      expect(checkFinalOptions((name) => (name === 'Nickname' ? nicknameLine(value) : undefined))).toMatchObject([
        { code: 'TORRC_BAD_NICKNAME', location: at, input: value },
      ]);
    });

    test('accepts an unset Nickname', () => {
      expect(checkFinalOptions(() => undefined)).toEqual([]);
    });
  });
});
