import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfigSync } from '../../../src/torrc/config.js';
import type { TorrcErrorCode } from '../../../src/torrc/errors.js';
import { Random } from '../../helpers/generate-torrc.js';
import { Scratch, pool, runTor, tor } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

/**
 * One small configuration, what tor 0.4.9.11 does with it (read from its source, confirmed
 * here by the real tor), and for refused ones the code exitkit must report and the line it
 * must point at. `@S@` stands for the case's scratch folder (for paths tor only looks at).
 */
interface Case {
  readonly rule: string;
  readonly torrc: string | Uint8Array;
  readonly valid: boolean;
  readonly code?: TorrcErrorCode;
  readonly line?: number;
}

const ok = (rule: string, torrc: string): Case => ({ rule, torrc, valid: true });
const bad = (rule: string, torrc: string, code: TorrcErrorCode, line?: number): Case => ({ rule, torrc, valid: false, code, ...(line === undefined ? {} : { line }) });

const FP = '0123456789ABCDEF0123456789ABCDEF01234567';
const FP2 = 'FEDCBA9876543210FEDCBA9876543210FEDCBA98';
const HASH = '16:2407FC93A5623752601CBABEE8ED2DB7737129B4D1F95DFFCB7DDBB9FF';
const AUTHORITY = `DirAuthority test orport=19999 no-v2 v3ident=${'0'.repeat(40)} 127.0.0.1:19998 ${'0'.repeat(40)}`;
const HS = 'HiddenServiceDir @S@/hs\nHiddenServicePort 80 127.0.0.1:8080\n';

const CASES: readonly Case[] = [
  // port_parse_config: targets
  ok('ORPort port', 'ORPort 9001\n'),
  ok('ORPort address:port', 'ORPort 127.0.0.1:9001\n'),
  ok('ORPort auto', 'ORPort auto\n'),
  ok('ORPort address:auto', 'ORPort 127.0.0.1:auto\n'),
  ok('ORPort 0 disables', 'ORPort 0\n'),
  ok('ORPort IPv4 shorthand the C library reads', 'ORPort 127.1:9001\n'),
  ok('ORPort +port', 'ORPort +9001\n'),
  bad('ORPort address:port:auto', 'ORPort 1.2.3.4:80:auto\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort 0 beside a port', 'ORPort 0\nORPort 9001\n', 'TORRC_PORT_CONFLICT', 1),
  bad('ORPort above 65535', 'ORPort 65536\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort address without port', 'ORPort 1.2.3.4\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort port 0 after address', 'ORPort 1.2.3.4:0\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort unbracketed IPv6 with port', 'ORPort 2001:db8::1:9001\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort unix socket', 'ORPort unix:/run/tor/or\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort unix: without a path', 'ORPort unix:\n', 'TORRC_BAD_PORT_LINE', 1),
  // port_parse_config: server flags
  ok('ORPort IPv4Only', 'ORPort 9001 IPv4Only\n'),
  ok('ORPort unknown flag is ignored', 'ORPort 9001 Bogus\n'),
  ok('ORPort NoListen + NoAdvertise pair', 'ORPort 443 NoListen\nORPort 127.0.0.1:9090 NoAdvertise\n'),
  ok('ORPort flags in any case', 'ORPort 443 nolisten\nORPort 127.0.0.1:9090 NOADVERTISE\n'),
  bad('ORPort NoListen and NoAdvertise', 'ORPort 9001 NoListen NoAdvertise\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort IPv4Only and IPv6Only', 'ORPort 9001 IPv4Only IPv6Only\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort IPv4Only on IPv6', 'ORPort [::1]:9001 IPv4Only\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('ORPort IPv6Only on IPv4', 'ORPort 127.0.0.1:9001 IPv6Only\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('auto inherits "explicit address" from the line before', 'ORPort 127.0.0.1:9001\nORPort auto IPv6Only\n', 'TORRC_BAD_PORT_LINE', 2),
  ok('auto after an implicit line', 'ORPort 9001\nORPort auto IPv6Only\n'),
  // check_and_prune_server_ports
  bad('ORPort advertised, not listened', 'ORPort 9001 NoListen\n', 'TORRC_PORT_CONFLICT'),
  bad('ORPort listened, not advertised', 'ORPort 9001 NoAdvertise\n', 'TORRC_PORT_CONFLICT'),
  bad('superseded ORPort leaves only NoAdvertise', 'ORPort 9001 NoAdvertise\nORPort 9001 NoListen\n', 'TORRC_PORT_CONFLICT'),
  bad('public relay on IPv6 only', 'ORPort [::1]:9001\n', 'TORRC_PORT_CONFLICT'),
  bad('public relay with IPv6Only', 'ORPort 9001 IPv6Only\n', 'TORRC_PORT_CONFLICT'),
  ok('bridge on IPv6 only', 'ORPort [::1]:9001\nBridgeRelay 1\n'),
  ok('IPv4 and IPv6 ORPorts', 'ORPort 9001\nORPort [2001:db8::1]:9001\n'),
  ok('DirPort', 'ORPort 9001\nDirPort 9030\n'),
  ok('DirPort NoListen + NoAdvertise pair', 'ORPort 9001\nDirPort 80 NoListen\nDirPort 127.0.0.1:9030 NoAdvertise\n'),
  bad('two advertised DirPorts', 'ORPort 9001\nDirPort 9030\nDirPort 9031\n', 'TORRC_PORT_CONFLICT'),
  bad('DirPort on IPv6', 'ORPort 9001\nDirPort [::1]:9030\n', 'TORRC_PORT_CONFLICT'),
  bad('DirPort advertised, not listened', 'ORPort 9001\nDirPort 9030 NoListen\n', 'TORRC_PORT_CONFLICT'),
  ok('ExtORPort auto', 'ORPort 9001\nExtORPort auto\n'),
  bad('ExtORPort unix socket', 'ORPort 9001\nExtORPort unix:/run/tor/ext\n', 'TORRC_BAD_PORT_LINE', 2),
  ok('ClientOnly skips relay listeners', 'ClientOnly 1\nORPort bogus\n'),
  // client listeners
  ok('SocksPort', 'SocksPort 9050\n'),
  ok('SocksPort 0', 'SocksPort 0\n'),
  ok('SocksPort unix path', 'SocksPort unix:/run/tor/socks\n'),
  ok('SocksPort quoted unix path', 'SocksPort unix:"/run/tor/so cks"\n'),
  ok('SocksPort unix flags', 'SocksPort unix:/run/tor/socks GroupWritable RelaxDirModeCheck\n'),
  ok('SocksPort isolation flags (plurals too)', 'SocksPort 9050 IsolateDestAddr IsolateDestPorts NoIsolateClientAddr\n'),
  ok('SocksPort SessionGroup', 'SocksPort 9050 SessionGroup=3\n'),
  ok('SocksPort OnionTrafficOnly', 'SocksPort 9050 OnionTrafficOnly\n'),
  ok('SocksPort unknown flag', 'SocksPort 9050 FooBar\n'),
  bad('SocksPort 0 beside a port', 'SocksPort 0\nSocksPort 9050\n', 'TORRC_PORT_CONFLICT', 1),
  bad('SocksPort unterminated quoted path', 'SocksPort unix:"/run/tor/socks\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort unix-only flag on TCP', 'SocksPort 9050 GroupWritable\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort bad SessionGroup', 'SocksPort 9050 SessionGroup=x\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort two SessionGroups', 'SocksPort 9050 SessionGroup=1 SessionGroup=2\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort DNS without IPv4/IPv6', 'SocksPort 9050 NoIPv4Traffic NoIPv6Traffic\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort no traffic at all', 'SocksPort 9050 NoIPv4Traffic NoIPv6Traffic NoOnionTraffic\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('SocksPort keep-alive without SOCKS auth isolation', 'SocksPort 9050 NoIsolateSOCKSAuth KeepAliveIsolateSOCKSAuth\n', 'TORRC_BAD_PORT_LINE', 1),
  ok('DNSPort', 'DNSPort 5353\n'),
  bad('DNSPort without DNS', 'DNSPort 5353 NoDNSRequest\n', 'TORRC_BAD_PORT_LINE', 1),
  ok('TransPort ignores hostname flags', 'TransPort 9040 IPv4Traffic\n'),
  bad('HTTPTunnelPort unix socket', 'HTTPTunnelPort unix:/run/tor/http\n', 'TORRC_BAD_PORT_LINE', 1),
  ok('ControlPort', 'ControlPort 9051\n'),
  ok('ControlPort auto', 'ControlPort auto\n'),
  ok('ControlPort non-local without auth is only closed', 'ControlPort 0.0.0.0:9051\n'),
  ok('ControlPort unix socket with flags', 'ControlPort unix:/run/tor/control GroupWritable RelaxDirModeCheck\n'),
  bad('ControlPort SessionGroup', 'ControlPort 9051 SessionGroup=1\n', 'TORRC_BAD_PORT_LINE', 1),
  ok('ControlSocket', 'ControlSocket /run/tor/control\n'),
  ok('ControlSocket 0', 'ControlSocket 0\n'),
  ok('ControlSocketsGroupWritable with a ControlSocket', 'ControlSocket /run/tor/control\nControlSocketsGroupWritable 1\n'),
  bad('ControlSocketsGroupWritable without ControlSocket', 'ControlSocketsGroupWritable 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('MetricsPort', 'MetricsPort 127.0.0.1:9035\n'),
  ok('MetricsPort prometheus', 'MetricsPort 127.0.0.1:9035 prometheus\n'),
  ok('MetricsPort IPv6', 'MetricsPort [::1]:9035\n'),
  bad('MetricsPort unknown format', 'MetricsPort 9035 json\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('MetricsPort bad port', 'MetricsPort 127.0.0.1:70000\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('MetricsPort auto', 'MetricsPort auto\n', 'TORRC_BAD_PORT_LINE', 1),
  bad('MetricsPort text that is no hostname', 'MetricsPort -1\n', 'TORRC_BAD_PORT_LINE', 1),
  // relay mode: BridgeRelay, DirCache, PublishServerDescriptor, BridgeDistribution
  bad('V1: BridgeRelay without ORPort', 'BridgeRelay 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('BridgeRelay with ClientOnly', 'ORPort 9001\nClientOnly 1\nBridgeRelay 1\n', 'TORRC_OPTIONS_CONFLICT', 3),
  ok('BridgeRelay with ORPort', 'BridgeRelay 1\nORPort 9001\n'),
  ok('a bridge drops its DirPort', 'BridgeRelay 1\nORPort 9001\nDirPort 9030\n'),
  bad('bridge without DirCache', 'BridgeRelay 1\nORPort 9001\nDirCache 0\n', 'TORRC_OPTIONS_CONFLICT', 3),
  bad('DirPort without DirCache', 'ORPort 9001\nDirPort 9030\nDirCache 0\n', 'TORRC_OPTIONS_CONFLICT', 3),
  ok('DirCache 0 without DirPort', 'ORPort 9001\nDirCache 0\n'),
  bad('bridge publishing to v3', 'BridgeRelay 1\nORPort 9001\nPublishServerDescriptor v3\n', 'TORRC_OPTIONS_CONFLICT', 3),
  bad('publishing to bridge and v3', 'ORPort 9001\nPublishServerDescriptor bridge,v3\n', 'TORRC_OPTIONS_CONFLICT', 2),
  ok('PublishServerDescriptor 0', 'ORPort 9001\nPublishServerDescriptor 0\n'),
  ok('PublishServerDescriptor v2 (only warned about)', 'PublishServerDescriptor v2\n'),
  bad('PublishServerDescriptor unknown', 'PublishServerDescriptor foo\n', 'TORRC_BAD_CHOICE', 1),
  bad('BridgeDistribution without BridgeRelay', 'BridgeDistribution any\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('BridgeDistribution', 'BridgeRelay 1\nORPort 9001\nBridgeDistribution https\n'),
  ok('BridgeDistribution unknown but well-formed', 'BridgeRelay 1\nORPort 9001\nBridgeDistribution custom_1\n'),
  bad('BridgeDistribution bad characters', 'BridgeRelay 1\nORPort 9001\nBridgeDistribution foo.bar\n', 'TORRC_BAD_CHOICE', 3),
  // relay padding
  bad('V2: Reduced is ReducedCircuitPadding', 'ORPort 127.0.0.1:9001\nReduced 1\n', 'TORRC_NOT_FOR_RELAYS', 2),
  ok('ReducedCircuitPadding on a client', 'Reduced 1\n'),
  bad('relay ConnectionPadding 1', 'ORPort 9001\nConnectionPadding 1\n', 'TORRC_NOT_FOR_RELAYS', 2),
  bad('relay ConnectionPadding emptied', 'ORPort 9001\nConnectionPadding\n', 'TORRC_NOT_FOR_RELAYS', 2),
  ok('relay ConnectionPadding auto', 'ORPort 9001\nConnectionPadding auto\n'),
  ok('client ConnectionPadding 0', 'ConnectionPadding 0\n'),
  bad('relay CircuitPadding 0', 'ORPort 9001\nCircuitPadding 0\n', 'TORRC_NOT_FOR_RELAYS', 2),
  bad('relay ReducedConnectionPadding', 'ORPort 9001\nReducedConnectionPadding 1\n', 'TORRC_NOT_FOR_RELAYS', 2),
  // client-only options on a relay
  bad('relay with ReachableAddresses', 'ORPort 9001\nReachableAddresses *:443\n', 'TORRC_NOT_FOR_RELAYS', 2),
  ok('client with ReachableAddresses', 'ReachableAddresses *:443\n'),
  bad('relay with FascistFirewall', 'ORPort 9001\nFascistFirewall 1\n', 'TORRC_NOT_FOR_RELAYS', 2),
  bad('relay with ClientUseIPv4 0', 'ORPort 9001\nClientUseIPv4 0\n', 'TORRC_NOT_FOR_RELAYS', 2),
  ok('client with ClientUseIPv4 0', 'ClientUseIPv4 0\n'),
  bad('relay using bridges', 'ORPort 9001\nUseBridges 1\nBridge 1.2.3.4:443\n', 'TORRC_NOT_FOR_RELAYS', 2),
  bad('UseBridges without Bridge', 'UseBridges 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('UseBridges with a Bridge', 'UseBridges 1\nBridge 1.2.3.4:443\n'),
  bad('UseBridges without entry guards', 'UseBridges 1\nBridge 1.2.3.4:443\nUseEntryGuards 0\n', 'TORRC_OPTIONS_CONFLICT', 3),
  bad('UseBridges with EntryNodes', 'UseBridges 1\nBridge 1.2.3.4:443\nEntryNodes relay1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  // Bridge lines
  ok('Bridge with the default port', 'Bridge 1.2.3.4\n'),
  ok('Bridge with transport and arguments', `Bridge obfs4 1.2.3.4:443 ${FP} cert=abc iat-mode=0\n`),
  ok('Bridge fingerprint in groups', 'Bridge 1.2.3.4:443 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567\n'),
  bad('Bridge short fingerprint', 'Bridge 1.2.3.4:443 1234\n', 'TORRC_BAD_BRIDGE_LINE', 1),
  bad('Bridge transport without address', 'Bridge obfs4\n', 'TORRC_BAD_BRIDGE_LINE', 1),
  bad('Bridge transport argument without =', 'Bridge obfs4 1.2.3.4:443 cert\n', 'TORRC_BAD_BRIDGE_LINE', 1),
  bad('Bridge hostname', 'Bridge example.com:443\n', 'TORRC_BAD_BRIDGE_LINE', 1),
  // bandwidth
  ok('relay bandwidth rate and burst', 'ORPort 9001\nRelayBandwidthRate 100 KB\nRelayBandwidthBurst 200 KB\n'),
  ok('RelayBandwidthBurst alone sets the rate', 'ORPort 9001\nRelayBandwidthBurst 100 KB\n'),
  ok('RelayBandwidthRate 2 GB raises BandwidthRate and Burst', 'RelayBandwidthRate 2 GB\n'),
  bad('RelayBandwidthRate above burst', 'ORPort 9001\nRelayBandwidthRate 200 KB\nRelayBandwidthBurst 100 KB\n', 'TORRC_BAD_BANDWIDTH', 3),
  bad('RelayBandwidthRate above burst on a client', 'RelayBandwidthRate 200 KB\nRelayBandwidthBurst 100 KB\n', 'TORRC_BAD_BANDWIDTH', 2),
  bad('relay below 75 KB', 'ORPort 9001\nRelayBandwidthRate 50 KB\n', 'TORRC_BAD_BANDWIDTH', 2),
  ok('bridge above 50 KB', 'ORPort 9001\nBridgeRelay 1\nRelayBandwidthRate 60 KB\n'),
  bad('relay BandwidthRate below 75 KB', 'ORPort 9001\nBandwidthRate 50 KB\n', 'TORRC_BAD_BANDWIDTH', 2),
  bad('relay BandwidthRate emptied', 'ORPort 9001\nBandwidthRate\n', 'TORRC_BAD_BANDWIDTH', 2),
  ok('client BandwidthRate 50 KB', 'BandwidthRate 50 KB\n'),
  bad('BandwidthRate 2 GB above the default burst', 'BandwidthRate 2 GB\n', 'TORRC_BAD_BANDWIDTH'),
  ok('BandwidthRate and Burst 2 GB', 'BandwidthRate 2 GB\nBandwidthBurst 2 GB\n'),
  bad('BandwidthRate above 2 GB', 'BandwidthRate 3 GB\nBandwidthBurst 3 GB\n', 'TORRC_BAD_BANDWIDTH', 1),
  bad('BandwidthBurst below rate', 'BandwidthRate 100 MB\nBandwidthBurst 50 MB\n', 'TORRC_BAD_BANDWIDTH', 2),
  bad('MaxAdvertisedBandwidth below half the minimum', 'ORPort 9001\nMaxAdvertisedBandwidth 30 KB\n', 'TORRC_BAD_BANDWIDTH', 2),
  ok('MaxAdvertisedBandwidth above half the minimum', 'ORPort 9001\nMaxAdvertisedBandwidth 40 KB\n'),
  bad('MaxAdvertisedBandwidth above 2 GB', 'MaxAdvertisedBandwidth 3 GB\n', 'TORRC_BAD_BANDWIDTH', 1),
  bad('PerConnBWRate above 2 GB', 'PerConnBWRate 3 GB\n', 'TORRC_BAD_BANDWIDTH', 1),
  // accounting
  ok('AccountingStart month', 'AccountingMax 10 GB\nAccountingStart month 1 00:00\n'),
  ok('AccountingStart day', 'AccountingStart day 00:00\n'),
  ok('AccountingStart week, any case', 'AccountingStart Week 7 23:59\n'),
  bad('AccountingStart month 29', 'AccountingStart month 29 00:00\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart week 8', 'AccountingStart week 8 00:00\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart day with a day', 'AccountingStart day 1 00:00\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart hour 24', 'AccountingStart month 1 24:00\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart minute 60', 'AccountingStart month 1 12:60\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart text after the time', 'AccountingStart month 1 12:30x\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart without time', 'AccountingStart month 1\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  bad('AccountingStart year', 'AccountingStart year 1 00:00\n', 'TORRC_BAD_ACCOUNTING_START', 1),
  ok('AccountingRule sum', 'AccountingRule sum\n'),
  bad('AccountingRule is case-sensitive', 'AccountingRule Sum\n', 'TORRC_BAD_CHOICE', 1),
  // Log
  ok('Log to a file', 'Log notice file @S@/notices.log\n'),
  ok('Log to stdout', 'Log notice stdout\n'),
  ok('Log range to syslog', 'Log notice-err syslog\n'),
  ok('Log with domains', 'Log [handshake]debug [*]notice stderr\n'),
  ok('Log with negated domains', 'Log [net,~dir]info stdout\n'),
  ok('Log without destination', 'Log notice\n'),
  bad('Log android after a level', 'Log notice android\n', 'TORRC_BAD_LOG', 1),
  bad('Log misspelt level', 'Log notise stdout\n', 'TORRC_BAD_LOG', 1),
  bad('Log file without path', 'Log notice file\n', 'TORRC_BAD_LOG', 1),
  bad('Log stdout with extra text', 'Log notice stdout extra\n', 'TORRC_BAD_LOG', 1),
  bad('Log unknown domain', 'Log [nosuch]info stdout\n', 'TORRC_BAD_LOG', 1),
  bad('Log two bare levels', 'Log info notice stdout\n', 'TORRC_BAD_LOG', 1),
  bad('Log destination prefix only', 'Log notice syslogx\n', 'TORRC_BAD_LOG', 1),
  bad('LogTimeGranularity 0', 'LogTimeGranularity 0\n', 'TORRC_BAD_LOG', 1),
  ok('LogTimeGranularity odd value', 'LogTimeGranularity 7 msec\n'),
  // ContactInfo, MyFamily, FamilyId
  ok('ContactInfo UTF-8', 'ContactInfo café <abuse@example.org>\n'),
  ok('ContactInfo UTF-8 escapes', 'ContactInfo "caf\\xc3\\xa9"\n'),
  bad('ContactInfo invalid escape bytes', 'ContactInfo "caf\\xe9"\n', 'TORRC_BAD_CONTACT_INFO', 1),
  { rule: 'ContactInfo Latin-1 bytes', torrc: Buffer.from('ContactInfo caf\xe9\n', 'latin1'), valid: false, code: 'TORRC_BAD_CONTACT_INFO', line: 1 },
  ok('MyFamily fingerprint', `MyFamily $${FP}\n`),
  ok('MyFamily fingerprint without $', `MyFamily ${FP}\n`),
  ok('MyFamily list with spaces', `MyFamily $${FP}, $${FP2}\n`),
  ok('MyFamily nicknames', 'MyFamily relay1, relay2\n'),
  ok('MyFamily fingerprint=nickname', `MyFamily $${FP}=name\n`),
  bad('MyFamily short fingerprint', 'MyFamily $0123\n', 'TORRC_BAD_FAMILY', 1),
  bad('MyFamily dash', 'MyFamily my-relay\n', 'TORRC_BAD_FAMILY', 1),
  ok('FamilyId *', 'FamilyId *\n'),
  ok('FamilyId key', `FamilyId ${'A'.repeat(43)}\n`),
  bad('FamilyId not a key', 'FamilyId abc\n', 'TORRC_BAD_FAMILY', 1),
  // node lists
  ok('ExcludeNodes countries', 'ExcludeNodes {us},{ru}\n'),
  ok('ExcludeNodes fingerprint', `ExcludeNodes $${FP}\n`),
  ok('ExcludeExitNodes address', 'ExcludeExitNodes 1.2.3.0/24\n'),
  ok('ExitNodes empty list', 'ExitNodes ,\n'),
  bad('ExcludeNodes bad entry', 'ExcludeNodes foo-bar\n', 'TORRC_BAD_NODE_LIST', 1),
  ok('NodeFamily', 'NodeFamily a,b\n'),
  bad('NodeFamily space instead of comma', 'NodeFamily a b\n', 'TORRC_BAD_NODE_LIST', 1),
  // guards
  bad('EntryNodes without entry guards', 'EntryNodes relay1\nUseEntryGuards 0\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('more entry guards than primary', 'NumEntryGuards 3\nNumPrimaryGuards 2\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('fewer entry guards than primary', 'NumEntryGuards 2\nNumPrimaryGuards 3\n'),
  bad('one EntryNodes with an onion service', `EntryNodes relay1\n${HS}`, 'TORRC_OPTIONS_CONFLICT', 1),
  ok('two EntryNodes with an onion service', `EntryNodes relay1,relay2\n${HS}`),
  // proxies
  ok('HTTPSProxy', 'HTTPSProxy 127.0.0.1:3128\n'),
  ok('Socks5Proxy bracketed IPv6 without port', 'Socks5Proxy [::1]\n'),
  bad('two proxy types', 'HTTPSProxy 127.0.0.1:3128\nSocks5Proxy 127.0.0.1:1080\n', 'TORRC_OPTIONS_CONFLICT', 2),
  bad('proxy port out of range', 'Socks5Proxy 1.2.3.4:99999\n', 'TORRC_BAD_ADDRESS', 1),
  bad('Socks5ProxyUsername without password', 'Socks5ProxyUsername u\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('Socks5 username and password', 'Socks5ProxyUsername u\nSocks5ProxyPassword p\n'),
  bad('Socks5ProxyPassword without username', 'Socks5ProxyPassword p\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('TCPProxy haproxy', 'TCPProxy haproxy 127.0.0.1:8080\n'),
  bad('TCPProxy other protocol', 'TCPProxy socks 127.0.0.1:8080\n', 'TORRC_BAD_ADDRESS', 1),
  bad('TCPProxy without address', 'TCPProxy haproxy\n', 'TORRC_BAD_ADDRESS', 1),
  bad('HTTPProxyAuthenticator too long', `HTTPProxyAuthenticator ${'a'.repeat(600)}\n`, 'TORRC_OUT_OF_RANGE', 1),
  // control passwords
  ok('HashedControlPassword', `HashedControlPassword ${HASH}\n`),
  bad('HashedControlPassword short', 'HashedControlPassword 16:ABC\n', 'TORRC_BAD_PASSWORD_HASH', 1),
  bad('HashedControlPassword clear text', 'HashedControlPassword secret\n', 'TORRC_BAD_PASSWORD_HASH', 1),
  // transports
  ok('ServerTransportPlugin exec', 'ORPort 9001\nBridgeRelay 1\nServerTransportPlugin obfs4 exec /nonexistent/obfs4proxy\nExtORPort auto\n'),
  ok('ServerTransportPlugin proxy', 'ServerTransportPlugin obfs4 proxy 127.0.0.1:5000\n'),
  bad('ServerTransportPlugin too short', 'ServerTransportPlugin obfs4 exec\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportPlugin bad name', 'ServerTransportPlugin obfs-4 exec /nonexistent/x\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportPlugin client type', 'ServerTransportPlugin obfs4 socks5 127.0.0.1:1\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportPlugin proxy for two transports', 'ServerTransportPlugin obfs4,meek proxy 127.0.0.1:5000\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportPlugin proxy without port', 'ServerTransportPlugin obfs4 proxy 127.0.0.1\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportPlugin exec under Sandbox', 'Sandbox 1\nServerTransportPlugin obfs4 exec /nonexistent/x\n', 'TORRC_BAD_TRANSPORT', 2),
  ok('ServerTransportListenAddr', 'ServerTransportListenAddr obfs4 0.0.0.0:443\n'),
  bad('ServerTransportListenAddr without port', 'ServerTransportListenAddr obfs4 0.0.0.0\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ServerTransportListenAddr without address', 'ServerTransportListenAddr obfs4\n', 'TORRC_BAD_TRANSPORT', 1),
  ok('ServerTransportOptions', 'ServerTransportOptions obfs4 iat-mode=1\n'),
  bad('ServerTransportOptions not k=v', 'ServerTransportOptions obfs4 iat-mode\n', 'TORRC_BAD_TRANSPORT', 1),
  ok('ClientTransportPlugin exec', 'ClientTransportPlugin obfs4 exec /nonexistent/x\n'),
  ok('ClientTransportPlugin socks5', 'ClientTransportPlugin obfs4 socks5 127.0.0.1:1080\n'),
  bad('ClientTransportPlugin server type', 'ClientTransportPlugin obfs4 proxy 127.0.0.1:1\n', 'TORRC_BAD_TRANSPORT', 1),
  bad('ClientTransportPlugin external with a proxy', 'ClientTransportPlugin obfs4 socks5 127.0.0.1:1080\nSocks5Proxy 127.0.0.1:9\n', 'TORRC_BAD_TRANSPORT', 1),
  // outbound addresses
  ok('OutboundBindAddress', 'OutboundBindAddress 127.0.0.1\n'),
  ok('OutboundBindAddress one per family', 'OutboundBindAddress 127.0.0.1\nOutboundBindAddress [::1]\n'),
  ok('OutboundBindAddress 0.0.0.0 is not stored', 'OutboundBindAddress 0.0.0.0\nOutboundBindAddress 127.0.0.2\n'),
  bad('OutboundBindAddress twice for IPv4', 'OutboundBindAddress 127.0.0.1\nOutboundBindAddress 127.0.0.2\n', 'TORRC_BAD_ADDRESS', 2),
  bad('OutboundBindAddress hostname', 'OutboundBindAddress example.com\n', 'TORRC_BAD_ADDRESS', 1),
  bad('OutboundBindAddressExit with port', 'OutboundBindAddressExit 1.2.3.4:80\n', 'TORRC_BAD_ADDRESS', 1),
  // relative paths
  bad('RunAsDaemon with a relative path', 'RunAsDaemon 1\nPidFile tor.pid\n', 'TORRC_RELATIVE_PATH', 2),
  ok('relative path without RunAsDaemon', 'PidFile tor.pid\n'),
  ok('RunAsDaemon with absolute paths', 'RunAsDaemon 1\nPidFile @S@/tor.pid\n'),
  // onion services
  ok('onion service', HS),
  ok('onion service version 3, local port', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80 8080\nHiddenServiceVersion 3\n'),
  ok('onion service unix target', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80 unix:/run/www.sock\n'),
  ok('onion service IPv6 target', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80 [::1]:8080\n'),
  bad('HiddenServicePort before HiddenServiceDir', 'HiddenServicePort 80\n', 'TORRC_BAD_HIDDEN_SERVICE', 1),
  bad('onion service without port', 'HiddenServiceDir @S@/hs\n', 'TORRC_BAD_HIDDEN_SERVICE', 1),
  bad('onion service version 2', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80\nHiddenServiceVersion 2\n', 'TORRC_BAD_HIDDEN_SERVICE', 3),
  bad('onion service version not a number', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80\nHiddenServiceVersion abc\n', 'TORRC_BAD_HIDDEN_SERVICE', 3),
  bad('onion service port 0', 'HiddenServiceDir @S@/hs\nHiddenServicePort 0\n', 'TORRC_BAD_HIDDEN_SERVICE', 2),
  bad('onion service text after target', 'HiddenServiceDir @S@/hs\nHiddenServicePort 80 127.0.0.1:8080 extra\n', 'TORRC_BAD_HIDDEN_SERVICE', 2),
  bad('two onion services in one directory', `${HS}${HS}`, 'TORRC_BAD_HIDDEN_SERVICE', 3),
  bad('too many introduction points', `${HS}HiddenServiceNumIntroductionPoints 21\n`, 'TORRC_BAD_HIDDEN_SERVICE', 3),
  bad('too many streams', `${HS}HiddenServiceMaxStreams 70000\n`, 'TORRC_BAD_HIDDEN_SERVICE', 3),
  bad('unknown circuit id protocol', `${HS}HiddenServiceExportCircuitID foo\n`, 'TORRC_BAD_HIDDEN_SERVICE', 3),
  ok('circuit id protocol haproxy', `${HS}HiddenServiceExportCircuitID haproxy\n`),
  // single onion services
  bad('single hop without non-anonymous', 'HiddenServiceSingleHopMode 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('non-anonymous without single hop', 'HiddenServiceNonAnonymousMode 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('single onion with the default SocksPort', 'HiddenServiceSingleHopMode 1\nHiddenServiceNonAnonymousMode 1\n', 'TORRC_OPTIONS_CONFLICT', 2),
  ok('single onion without client ports', `HiddenServiceSingleHopMode 1\nHiddenServiceNonAnonymousMode 1\nSocksPort 0\n${HS}`),
  // ranges and choices
  bad('ConnLimit 0', 'ConnLimit 0\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('ConnLimit 100', 'ConnLimit 100\n'),
  bad('MaxClientCircuitsPending 0', 'MaxClientCircuitsPending 0\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('MaxClientCircuitsPending 1025', 'MaxClientCircuitsPending 1025\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('MaxClientCircuitsPending 1024', 'MaxClientCircuitsPending 1024\n'),
  bad('TokenBucketRefillInterval 0', 'TokenBucketRefillInterval 0 msec\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('TokenBucketRefillInterval above 1 s', 'TokenBucketRefillInterval 1001 msec\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('TokenBucketRefillInterval 10 msec', 'TokenBucketRefillInterval 10 msec\n'),
  bad('KeepalivePeriod 0', 'KeepalivePeriod 0\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('DormantClientTimeout below 10 minutes', 'DormantClientTimeout 5 minutes\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('DormantClientTimeout 10 minutes', 'DormantClientTimeout 10 minutes\n'),
  bad('CircuitsAvailableTimeout above a day', 'CircuitsAvailableTimeout 25 hours\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('PathBiasWarnRate above 1', 'PathBiasWarnRate 1.5\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('PathBiasWarnRate 0.5', 'PathBiasWarnRate 0.5\n'),
  bad('LongLivedPorts with 0', 'LongLivedPorts 22,0\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('LongLivedPorts with a word', 'LongLivedPorts 22,ssh\n', 'TORRC_OUT_OF_RANGE', 1),
  ok('LongLivedPorts with spaces', 'LongLivedPorts 22, 443\n'),
  bad('WarnPlaintextPorts above 65535', 'WarnPlaintextPorts 70000\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('FetchDirInfoExtraEarly alone', 'FetchDirInfoExtraEarly 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('FetchDirInfoExtraEarly with FetchDirInfoEarly', 'FetchDirInfoExtraEarly 1\nFetchDirInfoEarly 1\n'),
  bad('AssumeReachable without IPv6', 'AssumeReachable 1\nAssumeReachableIPv6 0\n', 'TORRC_OPTIONS_CONFLICT', 2),
  bad('ConstrainedSockSize below 2 KB', 'ConstrainedSockets 1\nConstrainedSockSize 1000\n', 'TORRC_OUT_OF_RANGE', 2),
  ok('ConstrainedSockSize 8 KB', 'ConstrainedSockets 1\nConstrainedSockSize 8 KB\n'),
  ok('SafeLogging relay', 'SafeLogging relay\n'),
  bad('SafeLogging 2', 'SafeLogging 2\n', 'TORRC_BAD_CHOICE', 1),
  ok('ConfluxClientUX latency', 'ConfluxClientUX latency\n'),
  bad('ConfluxClientUX is case-sensitive', 'ConfluxClientUX Latency\n', 'TORRC_BAD_CHOICE', 1),
  ok('Schedulers subset', 'Schedulers KIST,Vanilla\n'),
  bad('Schedulers unknown', 'Schedulers KISTX\n', 'TORRC_BAD_CHOICE', 1),
  bad('Schedulers empty list', 'Schedulers ,\n', 'TORRC_BAD_CHOICE', 1),
  bad('KISTSchedRunInterval above 100 msec', 'KISTSchedRunInterval 101 msec\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('TransProxyType without TransPort', 'TransProxyType tproxy\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('TransProxyType tproxy with TransPort', 'TransProxyType tproxy\nTransPort 9040\n'),
  bad('TransProxyType ipfw on Linux', 'TransProxyType ipfw\nTransPort 9040\n', 'TORRC_BAD_CHOICE', 1),
  bad('TransProxyType unknown', 'TransProxyType foo\n', 'TORRC_BAD_CHOICE', 1),
  bad('AccelDir without AccelName', 'AccelDir /nonexistent\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('AuthDirVoteGuardBwThresholdFraction above 1', 'AuthDirVoteGuardBwThresholdFraction 1.5\n', 'TORRC_OUT_OF_RANGE', 1),
  bad('ClientBootstrapConsensusMaxInProgressTries 0', 'ClientBootstrapConsensusMaxInProgressTries 0\n', 'TORRC_OUT_OF_RANGE', 1),
  // testing networks
  bad('TestingTorNetwork without authorities', 'TestingTorNetwork 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  ok('TestingTorNetwork with an authority', `TestingTorNetwork 1\n${AUTHORITY}\n`),
  ok('testing option changed in a testing network', `TestingTorNetwork 1\n${AUTHORITY}\nTestingV3AuthInitialVotingInterval 10 minutes\n`),
  bad('testing option changed outside a testing network', 'TestingV3AuthInitialVotingInterval 10 minutes\n', 'TORRC_TESTING_ONLY', 1),
  ok('testing option at its default', 'TestingV3AuthInitialVotingInterval 30 minutes\n'),
  bad('TestingEnableConnBwEvent outside a testing network', 'TestingEnableConnBwEvent 1\n', 'TORRC_TESTING_ONLY', 1),
  bad('ClientDNSRejectInternalAddresses 0 on the public network', 'ClientDNSRejectInternalAddresses 0\n', 'TORRC_OPTIONS_CONFLICT', 1),
  bad('SigningKeyLifetime shorter than twice the slop', 'SigningKeyLifetime 1 day\n', 'TORRC_OUT_OF_RANGE', 1),
  // directory authority basics
  bad('AuthoritativeDirectory alone', 'AuthoritativeDirectory 1\n', 'TORRC_OPTIONS_CONFLICT', 1),
  // only warnings
  ok('two Address lines of a family (tor fails only when it starts)', 'ORPort 9001\nAddress 192.0.2.1\nAddress 192.0.2.2\n'),
  ok('bridge with an exit policy (warned)', 'BridgeRelay 1\nORPort 9001\nExitRelay 1\n'),
];

/** Writes a torrc into its own folder and asks tor (in a private network namespace) whether it is valid. */
async function torVerdict(dir: string, torrc: string | Uint8Array): Promise<{ tor: boolean; message: string }> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'torrc');
  writeFileSync(file, typeof torrc === 'string' ? torrc.replaceAll('@S@', dir) : torrc);
  // A DataDirectory that does not exist: verify-config must not need one.
  const args = ['--verify-config', '--defaults-torrc', '/dev/null', '-f', file, '--DataDirectory', path.join(dir, 'no-data')];
  const answer = await runTor(args, dir, true);
  const message = answer.stdout
    .split('\n')
    .filter((l) => /\[(warn|err)\]/.test(l))
    .join('\n');
  return { tor: answer.code === 0 && /Configuration was valid/.test(answer.stdout), message };
}

const SEED = Number(process.env['EXITKIT_DIFF_SEED'] ?? 20251125);
const COMBINATIONS = Number(process.env['EXITKIT_CROSS_CASES'] ?? 300);

/** Seeded combinations of 1 to 5 lines of the table, so that rules meet each other. */
function combinations(count: number, seed: number): string[] {
  const lines = [...new Set(CASES.flatMap((c) => (typeof c.torrc === 'string' ? c.torrc.split('\n') : [])).filter((l) => l !== '' && !l.includes('@S@')))];
  const random = new Random(seed);
  return Array.from({ length: count }, () => `${Array.from({ length: random.int(1, 5) }, () => random.pick(lines)).join('\n')}\n`);
}

describe.skipIf(!tor.available)('torrc/cross-checks against tor 0.4.9.11 --verify-config', () => {
  const verdicts = new Map<string, { tor: boolean; message: string }>();

  beforeAll(async () => {
    const names = new Set(CASES.map((c) => c.rule));
    expect(names.size).toBe(CASES.length);
    await pool(CASES, 2, async (c, index) => {
      verdicts.set(c.rule, await torVerdict(path.join(scratch.dir, `cross-${index}`), c.torrc));
    });
  }, 300_000);

  test.each(CASES.map((c, index) => [c.rule, c, index] as const))('%s', (_rule, c, index) => {
    const dir = path.join(scratch.dir, `cross-${index}`);
    const verdict = verdicts.get(c.rule);
    // What the table says tor does is what tor does.
    expect({ tor: verdict?.tor, message: verdict?.message }).toMatchObject({ tor: c.valid });
    const config = loadConfigSync({ torrc: path.join(dir, 'torrc'), cwd: dir });
    const errors = config.errors.map((e) => ({ code: e.code, line: e.location?.line }));
    // exitkit's verdict is tor's.
    expect({ valid: config.valid, errors }).toMatchObject({ valid: c.valid });
    if (!c.valid) {
      expect(errors).toContainEqual(c.line === undefined ? expect.objectContaining({ code: c.code }) : { code: c.code, line: c.line });
    }
  });

  test(`${COMBINATIONS} random combinations of these lines (seed ${SEED}) get tor's verdict`, async () => {
    const texts = combinations(COMBINATIONS, SEED);
    const outcomes = await pool(texts, 2, async (text, index) => {
      const dir = path.join(scratch.dir, `mix-${index}`);
      const verdict = await torVerdict(dir, text);
      return { text, tor: verdict.tor, message: verdict.message, exitkit: loadConfigSync({ torrc: path.join(dir, 'torrc'), cwd: dir }) };
    });
    const wrong = outcomes
      .filter((o) => o.tor !== o.exitkit.valid)
      .map((o) => ({ torrc: o.text, tor: o.tor, torSays: o.message, exitkit: o.exitkit.errors.map((e) => `${e.code} ${e.message}`) }));
    expect(wrong).toEqual([]);
    // Both verdicts occur in numbers, or the combinations prove little.
    expect(outcomes.filter((o) => o.tor).length).toBeGreaterThan(COMBINATIONS / 10);
    expect(outcomes.filter((o) => !o.tor).length).toBeGreaterThan(COMBINATIONS / 10);
  }, 600_000);
});
