import { describe, expect, test } from 'vitest';
import { configFactsFromConfig, isVerboseLog, loggingFacts, scrubsAllAddresses } from '../../src/letters/facts.js';
import { configLine, configView } from './helpers.js';

describe('letters/facts', () => {
  describe('#isVerboseLog', () => {
    test.each([
      ['info file /var/log/tor/info.log', true],
      ['INFO stdout', true],
      ['debug-err stdout', true],
      ['info-notice syslog', true],
      ['[handshake]debug [*]notice stdout', true],
      ['[~net,~mm]info notice stdout', true],
      ['[net]Debug stderr', true],
      ['notice syslog', false],
      ['notice file /var/log/tor/info.log', false],
      ['notice-err file /var/log/tor/debug', false],
      ['warn stderr', false],
      ['err file /var/log/tor/err.log', false],
      ['[*]notice stdout', false],
    ])('"Log %s" is verbose: %s', (value, expected) => {
      expect(isVerboseLog(configLine('Log', value))).toBe(expected);
    });
  });

  describe('#scrubsAllAddresses', () => {
    test.each([
      [undefined, true],
      ['1', true],
      [' 1 ', true],
      ['0', false],
      ['', false],
      ['relay', false],
      ['RELAY', false],
    ])('SafeLogging %j scrubs every address: %s', (value, expected) => {
      expect(scrubsAllAddresses(value === undefined ? undefined : configLine('SafeLogging', value))).toBe(expected);
    });
  });

  describe('#loggingFacts', () => {
    test('collects every verbose Log line with its location and the SafeLogging line in force', () => {
      const config = configView([
        ['Log', 'notice syslog'],
        ['Log', 'info file /var/log/tor/info.log'],
        ['SafeLogging', '1'],
        ['Log', 'debug stderr'],
        ['SafeLogging', '0'],
      ]);
      const facts = loggingFacts(config);
      expect(facts.verboseLogs.map((line) => line.location.line)).toEqual([2, 4]);
      expect(facts.safeLogging).toMatchObject({ value: '0', location: { line: 5 } });
    });

    test('reports nothing for a relay that logs at notice with default SafeLogging', () => {
      expect(loggingFacts(configView([['Log', 'notice syslog']]))).toEqual({ verboseLogs: [], safeLogging: undefined });
    });
  });

  describe('#configFactsFromConfig', () => {
    test('passes on the policy fact when given and leaves it out when not', () => {
      const config = configView([]);
      expect(configFactsFromConfig(config, { smtpRejected: false }).smtpRejected).toBe(false);
      expect(configFactsFromConfig(config)).not.toHaveProperty('smtpRejected');
    });
  });
});
