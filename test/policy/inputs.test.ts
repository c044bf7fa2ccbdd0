import { describe, expect, test } from 'vitest';
import { formatAddress } from '../../src/net/cidr.js';
import { defaultPolicyInputs, policyInputsFromConfig, type AddressInput, type MachineFacts } from '../../src/policy/inputs.js';
import { findOption } from '../../src/torrc/index.js';
import type { ConfigView } from '../../src/types.js';
import { configView } from './config-view.js';

const inputs = (text: string, machine?: MachineFacts) => policyInputsFromConfig(configView(text), machine);
const addrs = (list: readonly AddressInput[] | undefined): string[] | undefined =>
  list?.map((a) => `${a.via} ${formatAddress(a.family, a.address)}`);
const codes = (text: string, machine?: MachineFacts) => inputs(text, machine).diagnostics.map((d) => [d.code, d.severity]);

describe('policy/inputs', () => {
  describe('#policyInputsFromConfig', () => {
    test('uses Tor\'s defaults for unset options', () => {
      const i = inputs('');
      expect(i.exitRelay).toEqual({ value: 'auto', location: undefined, source: 'default' });
      expect(i.rejectPrivate).toEqual({ value: true, location: undefined, source: 'default' });
      expect([i.ipv6Exit.value, i.reducedExitPolicy.value, i.bridgeRelay.value, i.rejectLocalInterfaces.value]).toEqual([false, false, false, false]);
      expect(i.exitPolicy).toEqual([]);
      expect(i.diagnostics).toEqual([]);
    });

    test.each([
      ['ExitRelay', 'exitRelay', 0],
      ['ExitPolicyRejectPrivate', 'rejectPrivate', false],
      ['IPv6Exit', 'ipv6Exit', false],
      ['ReducedExitPolicy', 'reducedExitPolicy', false],
    ] as const)('§8.4: an empty %s clears it to 0, not to its default', (option, field, value) => {
      const i = inputs(`${option} 1\n${option}`);
      expect(i[field]).toEqual({ value, location: { file: '/etc/tor/torrc', line: 2 }, source: 'config' });
    });

    test.each([
      ['ExitRelay auto', 'auto'],
      ['ExitRelay AUTO', 'auto'],
      ['ExitRelay Auto', 'auto'],
      ['ExitRelay 1', 1],
      ['ExitRelay 0', 0],
    ] as const)('reads the AUTOBOOL %j', (line, value) => {
      expect(inputs(line).exitRelay.value).toBe(value);
    });

    test.each(['IPv6Exit true', 'IPv6Exit yes', 'ExitPolicyRejectPrivate 2', 'ExitRelay maybe', 'BridgeRelay on', 'TestingTorNetwork x'])(
      'refuses %j as Tor does',
      (line) => {
        expect(inputs(line).diagnostics).toMatchObject([{ code: 'POLICY_BAD_OPTION_VALUE', severity: 'error', location: { line: 1 } }]);
      },
    );

    test('TestingTorNetwork 1 turns the default of ExitPolicyRejectPrivate to 0', () => {
      expect(inputs('TestingTorNetwork 1').rejectPrivate).toEqual({ value: false, location: undefined, source: 'testing-default' });
      expect(inputs('TestingTorNetwork 1\nExitPolicyRejectPrivate 1').rejectPrivate.value).toBe(true);
      expect(inputs('ExitPolicyRejectPrivate 1\nTestingTorNetwork 1').rejectPrivate.value).toBe(true);
      expect(inputs('TestingTorNetwork 0').rejectPrivate.value).toBe(true);
    });

    test('keeps the ExitPolicy lines with a value, in order', () => {
      const i = inputs('ExitPolicy reject 1.2.3.4:*\nExitPolicy\nExitPolicy accept *:*');
      expect(i.exitPolicy.map((l) => [l.value, l.location.line])).toEqual([['reject 1.2.3.4:*', 1], ['accept *:*', 3]]);
    });

    describe('published addresses', () => {
      test.each([
        ['ORPort 9001\nAddress 198.51.100.7', ['Address 198.51.100.7']],
        ['ORPort 198.51.100.7:9001', ['ORPort 198.51.100.7']],
        ['ORPort 198.51.100.7:9001\nAddress 203.0.113.9', ['Address 203.0.113.9']],
        ['Address 198.51.100.7', []],
        ['ORPort 9001\nAddress 198.51.100.7\nAddress 198.51.100.8', []],
        ['ORPort 9001\nAddress 198.51.100.7\nAddress 2001:db8::7', ['Address 198.51.100.7', 'Address 2001:db8::7']],
        ['ORPort 9001 IPv4Only\nAddress 198.51.100.7\nAddress 2001:db8::7', ['Address 198.51.100.7']],
        ['ORPort 9001\nAddress 198.51.100.7\nAddress [2001:db8::7]\nAddressDisableIPv6 1', ['Address 198.51.100.7']],
        ['ORPort 198.51.100.7:9001 NoAdvertise\nAddress 203.0.113.9', []],
        ['ORPort [2001:db8::7]:9001\nORPort 198.51.100.7:9001', ['ORPort 198.51.100.7', 'ORPort 2001:db8::7']],
        ['ORPort 10.0.0.5:9001\nPublishServerDescriptor 0\nAssumeReachable 1', ['ORPort 10.0.0.5']],
      ])('%j publishes %j', (config, expected) => {
        expect(addrs(inputs(config).publishedAddresses)).toEqual(expected);
      });

      test('says when Tor would find the address at run time', () => {
        expect(codes('ORPort 9001')).toEqual([['POLICY_OWN_ADDRESS_UNKNOWN', 'warning']]);
        expect(codes('ORPort 9001\nAddress relay.example.org')).toEqual([['POLICY_ADDRESS_NEEDS_DNS', 'warning']]);
        // An internal ORPort address is skipped in favour of auto-detection.
        expect(codes('ORPort 10.0.0.5:9001')).toEqual([['POLICY_OWN_ADDRESS_UNKNOWN', 'warning']]);
        // Irrelevant when the own address is not rejected.
        expect(codes('ORPort 9001\nExitPolicyRejectPrivate 0')).toEqual([]);
        expect(inputs('ORPort 9001').diagnostics[0]?.location?.line).toBe(1);
      });

      test('takes the address from the machine facts when Tor would detect it', () => {
        expect(addrs(inputs('ORPort 9001', { ownAddresses: ['198.51.100.7'] }).publishedAddresses)).toEqual(['machine 198.51.100.7']);
        expect(addrs(inputs('ORPort 9001', { interfaceAddresses: ['127.0.0.1', '10.1.1.1', '198.51.100.8'] }).publishedAddresses)).toEqual(['interface 198.51.100.8']);
        expect(codes('ORPort 9001', { ownAddresses: ['198.51.100.7'] })).toEqual([]);
      });
    });

    test('lists outbound addresses in Tor\'s order (Exit, OR, PT, any; IPv4 then IPv6)', () => {
      const i = inputs([
        'OutboundBindAddress 198.51.100.1',
        'OutboundBindAddress [2001:db8::1]',
        'OutboundBindAddressOR 198.51.100.2',
        'OutboundBindAddressExit 2001:db8::3',
        'OutboundBindAddressExit 198.51.100.3',
        'OutboundBindAddressPT 198.51.100.4',
      ].join('\n'));
      expect(addrs(i.outboundAddresses)).toEqual([
        'OutboundBindAddressExit 198.51.100.3',
        'OutboundBindAddressExit 2001:db8::3',
        'OutboundBindAddressOR 198.51.100.2',
        'OutboundBindAddressPT 198.51.100.4',
        'OutboundBindAddress 198.51.100.1',
        'OutboundBindAddress 2001:db8::1',
      ]);
      expect(codes('OutboundBindAddress 198.51.100.1\nOutboundBindAddress 198.51.100.2')).toEqual([['POLICY_BAD_OPTION_VALUE', 'error']]);
      expect(codes('OutboundBindAddress example.org')).toEqual([['POLICY_BAD_OPTION_VALUE', 'error']]);
    });

    test('lists explicit port addresses in Tor\'s order', () => {
      const i = inputs([
        'DirPort 198.51.100.9:80',
        'ORPort 198.51.100.8:9001',
        'SocksPort 198.51.100.1:9050',
        'SocksPort unix:/run/tor/socks',
        'DNSPort 198.51.100.2:53',
        'ControlPort 198.51.100.3:9051',
        'MetricsPort 198.51.100.4:9035',
        'TransPort 0',
        'HTTPTunnelPort auto',
      ].join('\n'));
      // The unauthenticated non-local ControlPort is closed by Tor.
      expect(addrs(i.portAddresses)).toEqual([
        'SocksPort 198.51.100.1',
        'DNSPort 198.51.100.2',
        'MetricsPort 198.51.100.4',
        'ORPort 198.51.100.8',
        'DirPort 198.51.100.9',
      ]);
      expect(addrs(inputs('ControlPort 198.51.100.3:9051\nCookieAuthentication 1').portAddresses)).toEqual(['ControlPort 198.51.100.3']);
      expect(codes('SocksPort localhost:9050')).toEqual([['POLICY_ADDRESS_NEEDS_DNS', 'warning']]);
    });

    test('needs the interface addresses for ExitPolicyRejectLocalInterfaces', () => {
      expect(inputs('ExitPolicyRejectLocalInterfaces 1').interfaceAddresses).toBeUndefined();
      expect(codes('ExitPolicyRejectLocalInterfaces 1')).toEqual([['POLICY_INTERFACES_UNKNOWN', 'warning']]);
      expect(addrs(inputs('', { interfaceAddresses: ['198.51.100.7', 'nonsense', '::1'] }).interfaceAddresses)).toEqual([
        'interface 198.51.100.7',
        'interface ::1',
      ]);
    });
  });

  describe('option names', () => {
    test('asks only for canonical option names of tor 0.4.9.11', () => {
      const asked = new Set<string>();
      const inner = configView('ORPort 9001\nExitPolicyRejectLocalInterfaces 1\nAddress relay.example.org');
      const recording: ConfigView = {
        lines: (option) => (asked.add(option), inner.lines(option)),
        value: (option) => (asked.add(option), inner.value(option)),
      };
      policyInputsFromConfig(recording, { interfaceAddresses: [] });
      expect(asked.size).toBeGreaterThan(25);
      for (const option of asked) expect(findOption(option)?.name, option).toBe(option);
    });
  });

  describe('#defaultPolicyInputs', () => {
    test('is the empty configuration, with overrides', () => {
      const { diagnostics, ...fromConfig } = inputs('');
      const { diagnostics: _d, interfaceAddresses: _i, ...defaults } = defaultPolicyInputs();
      const { interfaceAddresses: _j, ...rest } = fromConfig;
      expect(defaults).toEqual(rest);
      expect(diagnostics).toEqual([]);
    });
  });
});
