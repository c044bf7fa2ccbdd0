import { describe, expect, test } from 'vitest';
import { checkOwnership, ownAddressesFromConfig, type OwnershipReason, type OwnershipVerdict } from '../../src/case/ownership.js';
import { loadConfigSync, memoryFs } from '../../src/torrc/index.js';
import { source } from '../helpers/source.js';

function config(text: string) {
  return loadConfigSync({ torrc: '/etc/tor/torrc', cwd: '/', fs: memoryFs({ '/etc/tor/torrc': text }) });
}

const RELAY = source`
  Address 192.0.2.10
  ORPort 443
  ORPort [2001:db8:10::10]:443
  OutboundBindAddressExit 192.0.2.11
  IPv6Exit 1
  ExitRelay 1
`;

describe('case/ownership', () => {
  describe('#ownAddressesFromConfig', () => {
    test('reads Address, the ORPort addresses and every OutboundBindAddress*, with their lines', () => {
      const own = ownAddressesFromConfig(config(source`
        Address 192.0.2.10
        ORPort 198.51.100.1:9001
        ORPort [2001:DB8:0:0::10]:443 NoListen
        OutboundBindAddress 192.0.2.12
        OutboundBindAddressExit [2001:db8::11]
        OutboundBindAddressOR 192.0.2.13
        OutboundBindAddressPT 192.0.2.14
      `));
      expect(own.configured.map((a) => [a.address, a.via, a.location?.line])).toEqual([
        ['192.0.2.10', 'Address', 1],
        ['198.51.100.1', 'ORPort', 2],
        ['2001:db8::10', 'ORPort', 3],
        ['2001:db8::11', 'OutboundBindAddressExit', 5],
        ['192.0.2.12', 'OutboundBindAddress', 4],
        ['192.0.2.13', 'OutboundBindAddressOR', 6],
        ['192.0.2.14', 'OutboundBindAddressPT', 7],
      ]);
      expect(own.ipv6Exit).toBe(false);
    });

    test('notes host names and wildcards instead of guessing', () => {
      const own = ownAddressesFromConfig(config('Address relay.example.org\nORPort 0.0.0.0:443\nORPort 443\n'));
      expect(own.configured).toEqual([]);
      expect(own.notes).toEqual(['Address relay.example.org is not a literal IP address (tor resolves it at run time)']);
    });
  });

  describe('#checkOwnership', () => {
    const own = ownAddressesFromConfig(config(RELAY), { interfaceAddresses: ['192.0.2.10', '192.0.2.50', 'fe80::1'] });

    test.each<[string, OwnershipVerdict, OwnershipReason]>([
      ['192.0.2.10', 'ours', 'configured'],
      ['192.0.2.11', 'ours', 'configured'],
      ['2001:db8:10::10', 'ours', 'configured'],
      ['2001:0db8:0010:0000:0000:0000:0000:0010', 'ours', 'configured'],
      ['192.0.2.50', 'this-machine', 'other-instance'],
      ['192.0.2.99', 'not-ours', 'same-network'],
      ['2001:db8:10::99', 'not-ours', 'same-network'],
      ['203.0.113.5', 'not-ours', 'different-host'],
      ['2001:db8:99::1', 'not-ours', 'different-host'],
    ])('%s is %s (%s)', (address, verdict, reason) => {
      const report = checkOwnership([address], own, { date: '2025-11-19' });
      expect(report.sources[0]).toMatchObject({ verdict, reason });
      expect(report.allOurs).toBe(verdict === 'ours');
      expect(report.lines[0]?.startsWith('WARNING')).toBe(verdict !== 'ours');
    });

    test.each<[string, string, string, OwnershipVerdict, OwnershipReason]>([
      ['an IPv6 source for an IPv4-only relay', 'Address 192.0.2.10\n', '2001:db8::5', 'not-ours', 'wrong-family'],
      ['an IPv4 source for an IPv6-only relay', 'Address 2001:db8::1\nIPv6Exit 1\n', '192.0.2.10', 'not-ours', 'wrong-family'],
      ['a relay address that opens no IPv6 exit connections', 'Address 192.0.2.10\nORPort [2001:db8::5]:443\n', '2001:db8::5', 'not-ours', 'wrong-family'],
      ['an IPv6 neighbour of a relay that opens no IPv6 exit connections', 'ORPort [2001:db8::5]:443\n', '2001:db8::6', 'not-ours', 'wrong-family'],
      ['a relay whose address tor detects at run time', 'ORPort 443\n', '192.0.2.10', 'unknown', 'no-own-address'],
    ])('flags %s', (_what, text, address, verdict, reason) => {
      expect(checkOwnership([address], ownAddressesFromConfig(config(text))).sources[0]).toMatchObject({ verdict, reason });
    });

    test('links every source to ExoneraTor for the date, once per distinct address', () => {
      const report = checkOwnership(['192.0.2.10', '192.0.2.10', '2001:DB8:10::10', 'not-an-ip'], own, { date: '2025-11-19' });
      expect(report.sources.map((s) => s.exonerator)).toEqual([
        'https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-19&lang=en',
        'https://metrics.torproject.org/exonerator.html?ip=2001:db8:10::10&timestamp=2025-11-19&lang=en',
      ]);
      expect(report.lines.filter((line) => line.includes('exonerator.html'))).toHaveLength(2);
    });

    test('says so when the complaint names no source', () => {
      const report = checkOwnership([], own);
      expect(report).toMatchObject({ sources: [], allOurs: false });
      expect(report.lines).toHaveLength(1);
    });
  });
});
