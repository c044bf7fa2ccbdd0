import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { parseComplaint, referenceFromSubject, htmlToText } from '../../src/complaint/parse.js';
import { formatEndpoint } from '../../src/complaint/address.js';
import type { Complaint, ComplaintFormat, Destination, ParsedComplaint, ZoneBasis } from '../../src/complaint/types.js';
import { corpusAvailable, corpusDir, corpusFile, corpusRequired, corpusSkipMessage, fixture } from './corpus.js';

/** `203.0.113.22:22/tcp`, `[2001:db8::1]:80`, `*:23,5555/tcp`, `85.25.7.16:*`. */
function show(d: Destination): string {
  const host = d.address === null ? '*' : d.address.includes('/') ? d.address : formatEndpoint(d.address, null);
  return `${host}:${d.ports.length > 0 ? d.ports.join(',') : '*'}${d.protocol ? `/${d.protocol}` : ''}`;
}

function parsed(result: ParsedComplaint): Complaint {
  if (result.status !== 'parsed') throw new Error(`expected a parsed complaint, got ${result.reason.code}: ${result.reason.message}`);
  return result;
}

/** An expected time: its UTC value, a piece of its original text, and (optionally) how its zone was known. */
type ExpectedTime = readonly [utc: string, original?: string, zone?: ZoneBasis];

interface CorpusRow {
  /** Path below the corpus folder. */
  file: string;
  /** Format exitkit must report. */
  format: ComplaintFormat;
  /** Exact set of accused addresses (canonical). */
  sources: string[];
  /** Exact set of destinations, written as by `show`. */
  destinations?: string[];
  /** For long lists: how many destinations, and some that must be among them. */
  destinationCount?: number;
  destinationsInclude?: string[];
  /** Times that must be found. */
  times: ExpectedTime[];
  /** Earliest and latest event time, when SOURCES.md gives a range. */
  range?: readonly [string, string];
  /** Other facts SOURCES.md states (ports seen on the accused address, incident counts). */
  check?: (c: Complaint) => void;
}

const AX = 'abusix__inbound-parsers__scripts__tests__data__sample_mails__';
const AIO = 'AbuseIO__AbuseIO__extra__notifier-samples__';
const SPEC = 'xarf__xarf-spec__samples__';
const PY = 'xarf__xarf-python__tests__shared__samples__valid__v4__connection__';
const ABX = 'abusix__xarf__samples__positive__3__';
const INTELMQ = 'certtools__intelmq__intelmq__tests__bots__parsers__shadowserver__testdata__';
const STALWART = 'stalwartlabs__mail-auth__resources__arf__';

const sourcePorts = (c: Complaint): Record<string, number | null> => Object.fromEntries(c.incidents.map((i) => [i.source?.address ?? '', i.source?.port ?? null]));

// Expected values read from ../shared/corpus/complaints/SOURCES.md, times converted to UTC by
// hand from the offset or zone the sample states.
const CORPUS: CorpusRow[] = [
  // xarf-v4
  { file: `xarf-v4/${SPEC}v4__connection-login-attack.json`, format: 'xarf-v4', sources: ['198.51.100.77'], destinations: ['203.0.113.22:22/tcp'], times: [['2025-01-11T06:17:20Z', '2025-01-11T06:17:20Z'], ['2025-01-11T12:17:20Z']], check: (c) => expect(sourcePorts(c)['198.51.100.77']).toBe(45621) },
  { file: `xarf-v4/${SPEC}v4__connection-ddos.json`, format: 'xarf-v4', sources: ['192.0.2.155'], destinations: ['203.0.113.100:80/tcp'], times: [['2025-01-11T08:45:00Z'], ['2025-01-11T09:21:23Z']] },
  { file: `xarf-v4/${SPEC}v4__connection-port-scan.json`, format: 'xarf-v4', sources: ['198.51.100.150'], destinations: ['203.0.113.50:21,22,23,25,53,80,110,143,443,993,995/tcp'], times: [['2025-01-11T11:20:00Z'], ['2025-01-11T11:26:59Z']] },
  { file: `xarf-v4/${SPEC}v4__connection-reconnaissance.json`, format: 'xarf-v4', sources: ['192.0.2.99'], destinations: ['198.51.100.75:443/tcp'], times: [['2025-01-20T16:30:00Z'], ['2025-01-20T16:44:00Z'], ['2025-01-20T16:45:00Z']] },
  { file: `xarf-v4/${SPEC}v4__connection-scraping.json`, format: 'xarf-v4', sources: ['192.0.2.150'], destinations: ['198.51.100.25:443/tcp'], times: [['2025-01-20T10:00:00Z'], ['2025-01-20T13:45:00Z'], ['2025-01-20T14:00:00Z']] },
  { file: `xarf-v4/${SPEC}v4__connection-sql-injection.json`, format: 'xarf-v4', sources: ['192.0.2.45'], destinations: ['198.51.100.10:443/tcp'], times: [['2025-01-20T11:45:00Z'], ['2025-01-20T12:00:00Z']] },
  { file: `xarf-v4/${SPEC}v4__connection-vulnerability-scan.json`, format: 'xarf-v4', sources: ['203.0.113.77'], destinations: ['198.51.100.50:80,443,8080,8443/tcp'], times: [['2025-01-20T09:15:00Z'], ['2025-01-20T09:28:00Z'], ['2025-01-20T09:30:00Z']] },
  { file: `xarf-v4/${SPEC}v4__copyright-p2p.json`, format: 'xarf-v4', sources: ['192.0.2.100'], destinations: [], times: [['2025-01-11T13:44:41Z']] },
  { file: `xarf-v4/${SPEC}v4__messaging-spam.json`, format: 'xarf-v4', sources: ['192.168.1.100'], destinations: [], times: [['2025-01-11T10:59:45Z']], check: (c) => expect(sourcePorts(c)['192.168.1.100']).toBe(25) },
  { file: `xarf-v4/${SPEC}v4__infrastructure-botnet.json`, format: 'xarf-v4', sources: ['198.51.100.25'], destinations: [], times: [['2024-01-14T18:45:00Z'], ['2025-01-11T12:16:22Z'], ['2025-01-11T15:00:52Z']] },
  { file: `xarf-v4/${PY}auth_failure_sample.json`, format: 'xarf-v4', sources: ['172.16.0.99'], destinations: ['192.0.2.44:3389/tcp'], times: [['2024-01-15T14:15:30Z']] },
  { file: `xarf-v4/${PY}ip_spoof_sample.json`, format: 'xarf-v4', sources: ['203.0.113.66'], destinations: ['198.51.100.200:53/udp'], times: [['2024-01-15T11:22:18Z']] },
  { file: `xarf-v4/${PY}ddos_certin_sample.json`, format: 'xarf-v4', sources: ['172.16.254.10'], destinations: ['203.0.113.100:80/udp'], times: [['2024-01-15T08:15:45Z']] },
  // xarf-v3
  { file: `xarf-v3/${SPEC}v3__botnet_v3_sample.json`, format: 'xarf-v3', sources: ['198.51.100.25'], destinations: [], times: [['2024-01-15T11:30:15Z'], ['2024-01-14T18:45:00Z'], ['2024-01-15T11:25:00Z']] },
  { file: `xarf-v3/${SPEC}v3__ddos_v3_sample.json`, format: 'xarf-v3', sources: ['172.16.254.10'], destinations: ['203.0.113.100:80/udp'], times: [['2024-01-15T08:15:45Z']], check: (c) => expect(sourcePorts(c)['172.16.254.10']).toBe(53) },
  { file: `xarf-v3/${SPEC}v3__phishing_v3_sample.json`, format: 'xarf-v3', sources: [], destinations: [], times: [['2024-01-15T16:45:30Z']] },
  { file: `xarf-v3/${SPEC}v3__spam_v3_sample.json`, format: 'xarf-v3', sources: ['192.168.1.100'], destinations: [], times: [['2024-01-15T14:30:25Z']] },
  { file: `xarf-v3/${ABX}loginattack_sample.json`, format: 'xarf-v3', sources: ['192.0.2.55'], destinations: ['198.51.100.33:80'], times: [['2018-02-05T14:17:10Z']] },
  { file: `xarf-v3/${ABX}portscan_sample.json`, format: 'xarf-v3', sources: ['192.0.2.55'], destinations: ['198.51.100.33:80'], times: [['2018-02-05T14:17:10Z']] },
  { file: `xarf-v3/${ABX}copyright_sample.json`, format: 'xarf-v3', sources: ['192.0.2.55'], destinations: [], times: [['2018-02-05T14:17:10Z'], ['2018-02-05T18:17:10Z']] },
  { file: `xarf-v3/${ABX}spam_sample.json`, format: 'xarf-v3', sources: ['192.0.2.55'], destinations: ['198.51.100.33:25'], times: [['2018-02-05T14:17:10Z']] },
  { file: `xarf-v3/${AX}xarf2event.01_marf.xarf_version3_test.eml`, format: 'xarf-v3', sources: ['141.95.129.72'], destinations: [], times: [['2023-07-31T14:34:10Z']] },
  // xarf-0.2
  { file: `xarf-0.2/${AX}02_xarf.eml`, format: 'x-arf', sources: ['37.209.92.66'], destinations: ['*:22'], times: [['2016-09-09T21:20:09Z', 'Fri, 09 Sep 2016 23:20:09 +0200']] },
  { file: `xarf-0.2/${AX}02_xarf.eml_6`, format: 'x-arf', sources: ['37.24.158.163'], destinations: ['*:143'], times: [['2014-02-14T19:57:25Z', 'Fri, 14 Feb 2014 20:57:25 +0100']] },
  { file: `xarf-0.2/${AX}02_xarf.eml_9`, format: 'x-arf', sources: ['45.55.86.19'], destinations: ['*:22'], times: [['2021-12-30T00:47:45Z', 'Thu, 30 Dec 2021 01:47:45 +0100']] },
  { file: `xarf-0.2/${AX}02_xarf.eml_3`, format: 'x-arf', sources: ['88.208.145.138'], destinations: ['*:137'], times: [['2014-02-16T05:23:55Z', '2014-02-16T05:23:55Z']] },
  { file: `xarf-0.2/${AX}02_xarf.eml_bad_evidence_part`, format: 'x-arf', sources: ['85.165.128.90'], destinations: ['*:22'], times: [['2018-01-17T08:50:02Z', 'Wed, 17 Jan 2018 09:50:02 +0100']] },
  { file: `xarf-0.2/${AX}02_xarf.login_attack.0.eml`, format: 'x-arf', sources: ['164.128.189.94'], destinations: ['138.201.27.25:25', '[2a01:4f8:262:47c1::2]:25'], times: [['2024-11-02T19:13:45Z', 'Sat, 02 Nov 2024 20:13:45 +0100']] },
  { file: `xarf-0.2/${AX}02_xarf.quoted-content-type.eml`, format: 'x-arf', sources: ['78.43.2.183'], destinations: ['*:25'], times: [['2022-11-05T22:22:48Z', 'Sat, 05 Nov 2022 23:22:48 +0100']] },
  { file: `xarf-0.2/${AX}02_xarf.eml_1`, format: 'x-arf', sources: ['83.216.255.106'], destinations: ['*:25'], times: [['2014-02-13T18:28:15Z', 'Thu Feb 13 18:28:15 2014 +00:00 GMT']] },
  { file: `xarf-0.2/${AIO}blocklistde__Blocklistde_Example_2.eml`, format: 'x-arf', sources: ['fdf1:cb9d:f59e:19b0::33:4f'], destinations: ['*:80'], times: [['2014-01-31T06:19:02Z', 'Fri, 31 Jan 2014 07:19:02 +0100']], check: (c) => expect(c.sources[0]?.original).toBe('fdf1:cb9d:f59e:19b0:0:0:33:4f') },
  // arf
  { file: `arf/${STALWART}001.eml`, format: 'arf', sources: ['192.0.2.1'], destinations: [], times: [['2005-03-08T18:00:00Z', 'Thu, 8 Mar 2005 14:00:00 EDT']] },
  { file: `arf/${STALWART}002.eml`, format: 'arf', sources: ['192.0.2.1'], destinations: [], times: [['2005-03-08T18:00:00Z', 'Thu, 8 Mar 2005 14:00:00 EDT']] },
  { file: `arf/${STALWART}003.eml`, format: 'arf', sources: ['192.0.2.1'], destinations: [], times: [['2010-04-14T19:15:31Z', 'Wed, 14 Apr 2010 12:15:31 -0700']] },
  { file: `arf/${AX}01_marf.eml_ipv4as6`, format: 'arf', sources: ['114.44.62.177'], destinations: [], times: [['2016-11-17T14:07:20Z', 'Thu, 17 Nov 2016 14:07:20 +0000']], check: (c) => expect(c.sources[0]?.original).toBe('::ffff:114.44.62.177') },
  { file: `arf/${AX}marf.from_names_uk.malicious.0.eml`, format: 'arf', sources: ['195.231.66.50'], destinations: [], times: [['2024-01-10T09:27:54Z', 'Wed, 10 Jan 2024 09:27:54 +0000']] },
  { file: `arf/${AX}01_marf.old.1.eml`, format: 'arf', sources: ['193.169.180.48'], destinations: [], times: [['2014-02-14T16:57:45Z', 'Fri, 14 Feb 2014 08:57:45 -0800']] },
  { file: `arf/${AIO}feedback-loop__AOL_example_1.eml`, format: 'arf', sources: ['10.17.18.1'], destinations: [], times: [['2016-01-19T19:32:40Z', 'Tue, 19 Jan 2016 14:32:40 -0500']] },
  // acns
  { file: `acns/${AIO}ip-echelon__ip-echelon_sample1.eml`, format: 'acns', sources: ['192.168.2.200'], destinations: [], times: [['2015-11-13T20:35:03Z', '2015-11-13T20:35:03Z']], check: (c) => expect(sourcePorts(c)['192.168.2.200']).toBe(35657) },
  { file: `acns/${AIO}copyrightcompliance__Copyrightcompliance_Example_1.eml`, format: 'acns', sources: ['10.0.2.100'], destinations: [], times: [['2015-09-04T13:19:53Z', '2015-09-04T13:19:53.000Z']], check: (c) => expect(sourcePorts(c)['10.0.2.100']).toBe(34890) },
  { file: `acns/${AX}acns.eml`, format: 'acns', sources: ['216.167.231.1'], destinations: [], times: [['2016-09-26T11:43:31Z']], check: (c) => expect(sourcePorts(c)['216.167.231.1']).toBe(56204) },
  { file: `acns/${AX}acns.from_copyright_ipvanish.eml`, format: 'acns', sources: ['173.245.203.52'], destinations: [], times: [['2022-11-03T03:02:13Z']], check: (c) => expect(sourcePorts(c)['173.245.203.52']).toBe(49743) },
  { file: `acns/${AX}acns.from_telecentras.0.eml`, format: 'acns', sources: ['89.117.109.113'], destinations: [], times: [['2021-12-20T21:43:56Z']], check: (c) => expect(sourcePorts(c)['89.117.109.113']).toBe(52293) },
  { file: `acns/${AX}acns.1.eml`, format: 'acns', sources: [], destinations: [], times: [['2018-08-30T06:33:42.275Z', '2018-08-30T06:33:42.275Z']] },
  // shadowserver
  {
    file: `shadowserver/${INTELMQ}event4_honeypot_brute_force.csv`,
    format: 'shadowserver',
    sources: ['141.98.1.2', '5.188.3.4', '45.14.5.6', '5.188.6.7', '45.14.7.8', '5.188.9.10'],
    destinations: ['162.250.1.2:22/tcp', '162.250.3.4:22/tcp', '82.118.5.6:23/tcp', '102.16.6.7:22/tcp', '82.118.7.8:23/tcp', '60.234.9.10:22/tcp'],
    times: [['2021-03-27T00:00:00Z', '2021-03-27 00:00:00', 'declared']],
  },
  { file: `shadowserver/${INTELMQ}event4_honeypot_http_scan.csv`, format: 'shadowserver', sources: ['191.23.45.67', '45.67.89.123'], destinations: ['109.87.65.43:80/tcp', '82.41.20.10:8080/tcp'], times: [['2021-08-01T00:24:08Z'], ['2021-08-01T05:21:59Z']] },
  {
    file: `shadowserver/${INTELMQ}event6_sinkhole_http.csv`,
    format: 'shadowserver',
    sources: ['2001:448a:1082:4d9b:7491:bf9e:3d5f:a634', '2603:8080:b20a:dc00:f06e:8304:71f6:27e2'],
    destinations: ['[2001:470:1:332::fe]:80/tcp', '[2001:470:1:332::ef]:80/tcp'],
    times: [['2022-03-02T09:14:19Z'], ['2022-03-02T09:15:10Z'], ['2022-03-02T14:15:10Z']],
  },
  {
    file: `shadowserver/${INTELMQ}event4_honeypot_darknet.csv`,
    format: 'shadowserver',
    sources: ['61.3.1.2', '211.218.3.4', '45.225.5.6', '125.122.7.8', '219.77.9.10', '24.137.11.12', '119.182.13.14', '27.198.15.16'],
    destinations: ['*:23,5555/tcp'],
    times: [['2021-03-07T00:00:00Z']],
  },
  { file: `shadowserver/${INTELMQ}test_telnet.csv`, format: 'shadowserver', sources: ['198.123.245.145'], destinations: [], times: [['2019-09-04T12:27:34Z'], ['2019-09-04T12:27:40Z']], check: (c) => expect(sourcePorts(c)['198.123.245.145']).toBe(5678) },
  {
    file: `shadowserver/${AX}shadowserver.trap.0.eml`,
    format: 'shadowserver',
    sources: ['167.172.138.88'],
    destinationCount: 16,
    destinationsInclude: ['89.44.194.11:500/udp', '129.227.117.148:500/udp'],
    times: [['2024-05-01T20:55:02Z'], ['2024-05-01T22:52:53Z']],
    range: ['2024-05-01T20:55:02Z', '2024-05-01T22:52:53Z'],
    check: (c) => expect(c.destinations.every((d) => d.ports.join() === '500' && d.protocol === 'udp')).toBe(true),
  },
  { file: `shadowserver/${AX}shadowserver.sinkhole.eml`, format: 'shadowserver', sources: ['84.80.32.175'], destinations: ['178.162.203.211:80/tcp'], times: [['2022-02-24T23:01:38Z']] },
  // fail2ban
  { file: `fail2ban/${AX}fail2ban.0.eml`, format: 'fail2ban', sources: ['138.197.111.58'], destinations: [], times: [['2017-08-22T06:34:39Z', 'Tue Aug 22 12:34:39 ALMT 2017']] },
  { file: `fail2ban/${AX}fail2ban.login_attack.0.eml`, format: 'fail2ban', sources: ['85.90.245.217'], destinations: [], times: [['2019-01-15T13:19:35Z', 'Jan 15 14:19:35', 'declared'], ['2019-01-15T13:19:36Z', 'Jan 15 14:19:36', 'declared']] },
  { file: `fail2ban/${AX}fail2ban.ddos.0.eml`, format: 'fail2ban', sources: ['161.35.101.70'], destinations: ['51.81.107.141:22/tcp'], times: [['2021-08-20T07:06:37Z', '2021-08-20T03:06:37-04:00']] },
  { file: `fail2ban/${AX}fail2ban.spam.0.eml`, format: 'fail2ban', sources: ['5.146.248.2'], destinations: [], times: [['2019-01-30T04:07:17Z', 'Jan 30 05:07:17', 'assumed'], ['2019-01-30T04:07:23Z', 'Jan 30 05:07:23', 'assumed']] },
  { file: `fail2ban/${AX}fail2ban.login_attack.5.eml`, format: 'fail2ban', sources: ['104.131.37.34'], destinations: [], times: [['2019-07-05T12:09:09Z', 'Jul  5 12:09:09'], ['2019-07-05T12:13:09Z', 'Jul  5 12:13:09']], range: ['2019-07-05T12:09:09Z', '2019-07-05T12:13:09Z'] },
  { file: `fail2ban/${AX}m247.loginattack.0.eml`, format: 'fail2ban', sources: ['185.245.84.22'], destinations: ['62.141.54.25:*'], times: [['2020-09-21T23:20:17Z', 'Sep 22 01:20:17', 'declared'], ['2020-09-21T23:22:17Z', 'Sep 22 01:22:17', 'declared']] },
  // plain
  { file: `plain/${AX}spamcop.0.eml`, format: 'plain', sources: ['178.200.164.219'], destinations: [], times: [['2016-09-12T13:55:12Z', 'Mon, 12 Sep 2016 08:55:12 -0500']] },
  {
    file: `plain/${AX}netcraft.web_hack_0.eml`,
    format: 'plain',
    sources: ['143.198.136.88'],
    destinations: ['194.72.238.105:*/tcp', '194.72.238.22:*/tcp', '194.72.238.112:*/tcp'],
    times: [['2021-11-24T22:26:38Z'], ['2021-11-23T20:37:40Z'], ['2021-11-21T03:27:20Z']],
  },
  {
    file: `plain/${AX}hetzner.portscan.0.eml`,
    format: 'plain',
    sources: ['107.170.229.46'],
    destinationCount: 600,
    destinationsInclude: ['37.27.128.19:28015/tcp'],
    times: [['2024-04-12T06:22:16Z', '2024-04-12 06:22:16', 'declared'], ['2024-04-12T06:22:24Z', '2024-04-12 06:22:24', 'declared']],
    range: ['2024-04-12T06:22:16Z', '2024-04-12T06:22:24Z'],
    check: (c) => expect(c.destinations.every((d) => d.address?.startsWith('37.27.') && d.ports.join() === '28015')).toBe(true),
  },
  { file: `plain/${AX}m247.portscan.1.eml`, format: 'plain', sources: ['185.245.84.22'], destinations: ['10.10.10.154:5060'], times: [['2019-01-12T12:30:40Z', '01/12/2019 06:30:40 America/Chicago']], check: (c) => expect(sourcePorts(c)['185.245.84.22']).toBe(5148) },
  {
    file: `plain/${AX}bsi.ssh_brute_force.0.eml`,
    format: 'plain',
    sources: ['206.81.22.109'],
    destinations: ['*:62223'],
    times: [['2021-03-12T19:49:25.314Z', '2021-03-12T19:49:25.314000', 'declared'], ['2021-03-13T15:41:28.350Z', '2021-03-13T15:41:28.350000', 'declared']],
    range: ['2021-03-12T19:49:25.314Z', '2021-03-13T15:41:28.350Z'],
    check: (c) => expect(c.incidents).toHaveLength(256),
  },
  {
    file: `plain/${AX}ddos_google.0.eml`,
    format: 'plain',
    sources: ['93.107.46.196', '93.107.106.179', '93.107.107.102', '93.107.158.136', '93.107.165.82', '109.77.17.219'],
    destinations: [],
    times: [['2021-11-04T10:00:00Z', '2021-11-04 10:00', 'declared'], ['2021-11-04T09:59:00Z'], ['2021-11-03T11:18:00Z']],
  },
  { file: `plain/${AX}darklist.port.0.eml`, format: 'plain', sources: ['138.197.196.221'], destinations: ['85.25.7.16:*'], times: [['2020-06-04T02:03:31Z', '04.06.2020 04:03:31', 'declared']] },
  {
    file: `plain/${AX}xarf.acedatacenter.1.eml`,
    format: 'plain',
    sources: ['50.114.252.87'],
    // SOURCES.md lists no port, but the X-ARF record quoted at the end of the forwarded body
    // says "Ports: 80, 443"; the addresses are the ones SOURCES.md gives.
    destinations: ['138.201.27.25:80,443', '[2a01:4f8:171:2e98::2]:80,443'],
    times: [['2022-01-22T22:42:44Z', 'Sat, 22 Jan 2022 23:42:44 +0100']],
  },
  { file: `plain/${AIO}webiron__Webiron_Example_2.eml`, format: 'plain', sources: ['172.16.10.13'], destinations: ['172.16.30.0/24:80'], times: [['2015-09-26T05:14:33Z', '2015-09-25 22:14:33-07:00']] },
  // other
  { file: `other/${AX}xarf2event.kinghost.0.eml`, format: 'xarf-v3', sources: ['192.241.158.38'], destinations: ['191.6.220.100:*'], times: [['2022-10-07T07:26:54Z']] },
  {
    file: `other/${AX}fbi_ipv6home.0.eml`,
    format: 'xarf-v3',
    sources: ['137.184.226.118'],
    times: [['2024-06-17T11:04:36Z']],
    check: (c) => {
      // "#HOSTIP#" is not an address: no destination address, but the iptables log's ports.
      expect(c.destinations.every((d) => d.address === null)).toBe(true);
      const ports = c.destinations.flatMap((d) => d.ports);
      for (const p of [9090, 2222, 443, 6000, 22222]) expect(ports).toContain(p);
      expect(c.problems).toContainEqual(expect.objectContaining({ code: 'COMPLAINT_BAD_ADDRESS', input: '#HOSTIP#' }));
    },
  },
  { file: `other/${AX}torrent_markmonitor.0.eml`, format: 'markmonitor', sources: ['109.79.76.4'], destinations: [], times: [['2020-02-03T05:01:22Z', '03/02/2020 00:01:22', 'assumed'], ['2020-02-03T05:01:38Z', '03/02/2020 00:01:38', 'assumed']], check: (c) => expect(sourcePorts(c)['109.79.76.4']).toBe(51841) },
  { file: `other/${AX}cogent.login_attack.0.eml`, format: 'iodef', sources: ['191.96.168.227', '191.96.168.216'], destinations: [], times: [['2021-11-29T20:34:00Z', '2021-11-29T20:34:00+00:00'], ['2021-11-29T20:41:17Z', '2021-11-29T20:41:17+00:00']], check: (c) => expect(c.incidents).toHaveLength(2) },
  { file: `other/${AIO}webiron__Webiron_Example_1.eml`, format: 'x-arf', sources: ['172.16.31.20'], destinations: ['172.16.30.0/24:80'], times: [['2015-05-16T00:03:11Z', '2015-05-15 17:03:11-07:00']], check: (c) => expect(c.incidents).toHaveLength(2) },
];

const passedByFolder = new Map<string, { rows: number; passed: number }>();
for (const row of CORPUS) {
  const folder = row.file.split('/')[0] ?? '';
  const entry = passedByFolder.get(folder) ?? { rows: 0, passed: 0 };
  entry.rows++;
  passedByFolder.set(folder, entry);
}

describe('complaint/parse', () => {
  describe('#parseComplaint on the shared corpus', () => {
    test('the corpus is present (required under CI=true)', () => {
      if (!corpusAvailable) {
        if (corpusRequired) throw new Error(`complaint corpus missing at ${corpusDir}`);
        console.warn(corpusSkipMessage);
      }
    });

    test.skipIf(!corpusAvailable)('every sample in the corpus has a row in the expectation table', () => {
      const files = readdirSync(corpusDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => readdirSync(resolve(corpusDir, d.name)).map((f) => `${d.name}/${f}`))
        .sort();
      expect(CORPUS.map((r) => r.file).sort()).toEqual(files);
    });

    test.skipIf(!corpusAvailable).each(CORPUS)('$file: source, destinations and times as SOURCES.md gives them', async (row) => {
      const c = parsed(await parseComplaint(corpusFile(row.file), { fileName: row.file }));
      expect(c.format).toBe(row.format);
      expect(new Set(c.sources.map((s) => s.address))).toEqual(new Set(row.sources));
      const shown = c.destinations.map(show);
      if (row.destinations) expect(new Set(shown)).toEqual(new Set(row.destinations));
      if (row.destinationCount !== undefined) expect(shown).toHaveLength(row.destinationCount);
      for (const d of row.destinationsInclude ?? []) expect(shown).toContain(d);
      if (c.destinations.length === 0) expect(c.destinationNote).toEqual(expect.any(String));
      for (const [utc, original, zone] of row.times) {
        const match = c.times.find((t) => t.utc === utc && (original === undefined || t.original.includes(original)) && (zone === undefined || t.zone === zone));
        expect(match, `time ${utc} (${original ?? ''}, ${zone ?? 'any zone'}) among ${JSON.stringify(c.times.map((t) => [t.original, t.utc, t.zone]))}`).toBeDefined();
      }
      if (row.range) expect(c.timeRange).toEqual({ first: row.range[0], last: row.range[1] });
      row.check?.(c);
      const entry = passedByFolder.get(row.file.split('/')[0] ?? '');
      if (entry) entry.passed++;
    });

    afterAll(() => {
      if (!corpusAvailable) return;
      const lines = [...passedByFolder].map(([folder, { rows, passed }]) => `  ${folder.padEnd(13)} ${passed}/${rows}`);
      console.info(`complaint corpus: samples parsed with correct source, destinations and times, per format\n${lines.join('\n')}`);
    });
  });

  describe('#parseComplaint on the corpus, envelope and reply data', () => {
    test.skipIf(!corpusAvailable)('an ISP forward names the ISP as forwarder and the notice sender as complainant', async () => {
      const c = parsed(await parseComplaint(corpusFile(`acns/${AX}acns.from_telecentras.0.eml`)));
      expect(c.forwardedBy.map((m) => m.address)).toEqual(['e.sazinas@telecentras.lt']);
      expect(c.complainant.email).toBe('p2p@viacomcbs.copyright-notice.com');
      expect(c.reference).toBe('ffd485673efb1027c88f');
      expect(c.messageId).toBe('<AM5PR0701MB2788C24FB513CD1D4CC1B34C9E7C9@AM5PR0701MB2788.eurprd07.prod.outlook.com>');
      expect(c.category).toBe('copyright');
      expect(c.destinations).toEqual([]);
      expect(c.destinationNote).toMatch(/carries no destination/);
    });

    test.skipIf(!corpusAvailable)('a Google Groups relay is seen through: X-Original-From is the complainant', async () => {
      const c = parsed(await parseComplaint(corpusFile(`plain/${AX}netcraft.web_hack_0.eml`)));
      expect(c.complainant.email).toBe('takedown-response+23558041@netcraft.com');
      expect(c.forwardedBy.map((m) => m.address)).toEqual(['abuse@digitalocean.com']);
      expect(c.reference).toBe('23558041');
    });

    test.skipIf(!corpusAvailable)('a forward from a phone keeps the original reporter from the quoted header block', async () => {
      const c = parsed(await parseComplaint(corpusFile(`plain/${AX}xarf.acedatacenter.1.eml`)));
      expect(c.complainant.email).toBe('anti-abuse@inetworker.at');
      expect(c.forwardedBy.map((m) => m.address)).toEqual(['dhandy@acedatacenter.com']);
    });

    test.skipIf(!corpusAvailable)('a spam sample quoted in a report is not taken for the complainant', async () => {
      const c = parsed(await parseComplaint(corpusFile(`plain/${AX}spamcop.0.eml`)));
      expect(c.complainant.email).toBe('6535595190@reports.spamcop.net');
      expect(c.forwardedBy).toEqual([]);
      expect(c.category).toBe('spam');
    });

    test.skipIf(!corpusAvailable).each([
      [`xarf-0.2/${AX}02_xarf.eml_6`, '460402397@blocklist.de', 'brute-force'],
      [`plain/${AX}hetzner.portscan.0.eml`, 'DD5F27:1F', 'scan'],
      [`plain/${AX}bsi.ssh_brute_force.0.eml`, 'CERT-Bund#2021031428001261', 'brute-force'],
      [`fail2ban/${AX}m247.loginattack.0.eml`, 'M247-81849933', 'brute-force'],
      [`acns/${AIO}ip-echelon__ip-echelon_sample1.eml`, '314620451', 'copyright'],
      [`other/${AX}cogent.login_attack.0.eml`, '2685722', 'brute-force'],
      [`plain/${AX}ddos_google.0.eml`, '20211104-G0O', 'dos'],
      [`xarf-v4/${SPEC}v4__connection-port-scan.json`, '5cb60abc-119f-4f7d-a81d-26f89eed942b', 'scan'],
    ])('%s: reference %s, category %s', async (file, reference, category) => {
      const c = parsed(await parseComplaint(corpusFile(file)));
      expect(c.reference).toBe(reference);
      expect(c.category).toBe(category);
    });
  });

  describe('#parseComplaint on hand-written edge cases', () => {
    test('a report forwarded twice: the innermost sender is the complainant, both forwarders are listed', async () => {
      const c = parsed(await parseComplaint(fixture('forwarded-twice.eml')));
      expect(c.complainant).toEqual({ name: 'Campus Security', email: 'security@campus.example', organisation: null });
      expect(c.forwardedBy.map((m) => m.address)).toEqual(['abuse@upstream.example', 'noc@transit.example']);
      expect(c.sources.map((s) => s.address)).toEqual(['198.51.100.7']);
      expect(c.destinations.map(show)).toEqual(['203.0.113.9:8443']);
      expect(c.times.map((t) => t.utc)).toEqual(['2024-03-05T09:11:12Z']);
      expect(c.reference).toBe('4471');
      expect(c.messageId).toBe('<fwd2-4471@upstream.example>');
      expect(c.replyTo?.address).toBe('abuse@upstream.example');
    });

    test('a report forwarded as an attached message is read inside the attachment', async () => {
      const c = parsed(await parseComplaint(fixture('forwarded-attached.eml')));
      expect(c.format).toBe('x-arf');
      expect(c.complainant.email).toBe('reports@honeypot.example');
      expect(c.forwardedBy.map((m) => m.address)).toEqual(['abuse@hoster.example']);
      expect(c.destinations.map(show)).toEqual(['203.0.113.40:22']);
      expect(c.times.map((t) => t.utc)).toEqual(['2024-03-06T20:59:01Z']);
      expect(c.reference).toBe('hp-2024-0306-0001@honeypot.example');
    });

    test('several reports in one mail become one incident each', async () => {
      const c = parsed(await parseComplaint(fixture('several-reports.eml')));
      expect(c.incidents).toHaveLength(2);
      expect(c.incidents.map((i) => [i.source?.address, i.destinations.map(show), i.times.map((t) => t.utc)])).toEqual([
        ['198.51.100.20', ['203.0.113.5:22'], ['2024-03-08T10:00:00Z']],
        ['2001:db8:4::7', ['[2001:db8:ffff::1]:993'], ['2024-03-08T11:30:00Z']],
      ]);
    });

    test('IPv6 sources and destinations are canonicalised, the original text is kept', async () => {
      const c = parsed(await parseComplaint(fixture('ipv6.eml')));
      expect(c.sources).toEqual([expect.objectContaining({ address: 'fdf1:cb9d:f59e:19b0::33:4f', family: 6, original: '[fdf1:cb9d:f59e:19b0:0:0:33:4f]' })]);
      expect(c.destinations).toEqual([expect.objectContaining({ address: '2001:db8::1:0:0:1', cidr: '2001:db8::1:0:0:1/128', family: 6, ports: [443] })]);
    });

    test('a report without destination says so instead of guessing one', async () => {
      const c = parsed(await parseComplaint(fixture('no-destination.eml')));
      expect(c.format).toBe('fail2ban');
      expect(c.destinations).toEqual([]);
      expect(c.destinationNote).toMatch(/no destination/);
      expect(c.times.map((t) => [t.utc, t.zone])).toEqual([
        ['2024-03-10T02:01:02Z', 'declared'],
        ['2024-03-10T02:01:04Z', 'declared'],
      ]);
    });

    test('malformed YAML: every bad line is reported with its line, the rest is read', async () => {
      const c = parsed(await parseComplaint(fixture('malformed-yaml.eml')));
      expect(c.sources.map((s) => s.address)).toEqual(['198.51.100.99']);
      expect(c.problems.map((p) => [p.code, p.location?.line, p.part])).toEqual([
        ['COMPLAINT_BAD_YAML', 6, 'part 2 "report.txt"'],
        ['COMPLAINT_BAD_YAML', 7, 'part 2 "report.txt"'],
        ['COMPLAINT_BAD_YAML', 10, 'part 2 "report.txt"'],
      ]);
      expect(c.destinations.map(show)).toEqual(['*:22']);
    });

    test('malformed JSON file: unparseable, with the line and column of the defect', async () => {
      const r = await parseComplaint(fixture('malformed-json.json'), { fileName: 'malformed-json.json' });
      expect(r).toMatchObject({ status: 'unparseable', reason: { code: 'COMPLAINT_BAD_JSON', location: { file: 'malformed-json.json', line: 6, column: 1 } } });
    });

    test('malformed JSON in a mail: a warning on the part, and the mail text is read instead', async () => {
      const c = parsed(await parseComplaint(fixture('malformed-json.eml')));
      expect(c.format).toBe('plain');
      expect(c.sources.map((s) => s.address)).toEqual(['192.0.2.61']);
      expect(c.problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_JSON', severity: 'warning', part: 'part 2 "xarf.json"', location: expect.objectContaining({ line: 1, column: 82 }) })]);
    });

    test('malformed XML: a warning with line and column, and the notice text is read instead', async () => {
      const c = parsed(await parseComplaint(fixture('malformed-xml.eml')));
      expect(c.problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_XML', severity: 'warning', location: expect.objectContaining({ line: 9, column: 2 }) })]);
      expect(c.sources.map((s) => s.address)).toEqual(['198.51.100.140']);
      expect(c.category).toBe('copyright');
      expect(c.reference).toBe('5550001');
    });

    test('a complaint pasted as text without mail headers is read as prose', async () => {
      const c = parsed(await parseComplaint(fixture('bare-text.txt')));
      expect(c.format).toBe('plain');
      expect(c.sources.map((s) => s.address)).toEqual(['203.0.113.201']);
      expect(c.times.map((t) => t.utc)).toEqual(['2024-03-14T08:00:00Z']);
      expect(c.messageId).toBeNull();
    });
  });

  describe('#parseComplaint on unreadable input', () => {
    test.each([
      ['empty input', '', 'COMPLAINT_EMPTY'],
      ['whitespace only', ' \r\n\t\n', 'COMPLAINT_EMPTY'],
      ['text without any address', 'Hello,\n\nplease stop.\n', 'COMPLAINT_NOT_RECOGNISED'],
      ['a mail naming no address', 'From: a@example.org\nSubject: complaint\n\nYou are bad.\n', 'COMPLAINT_NOT_RECOGNISED'],
      ['JSON that is not XARF', '{"hello": "world"}', 'COMPLAINT_NOT_RECOGNISED'],
      ['a JSON array', '[1, 2, 3]', 'COMPLAINT_NOT_RECOGNISED'],
      ['truncated JSON', '{"xarf_version": "4.2.0", "source_identifier": ', 'COMPLAINT_BAD_JSON'],
      ['binary noise', Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7]), 'COMPLAINT_NOT_RECOGNISED'],
    ])('%s → %s', async (_name, input, code) => {
      const r = await parseComplaint(input);
      expect(r.status).toBe('unparseable');
      if (r.status === 'unparseable') expect(r.reason.code).toBe(code);
    });

    test('input over the size limit is refused before it is read', async () => {
      const r = await parseComplaint('x'.repeat(100), { maxBytes: 99 });
      expect(r).toMatchObject({ status: 'unparseable', reason: { code: 'COMPLAINT_TOO_LARGE' } });
    });

    test('an unreadable mail keeps its envelope for the reply', async () => {
      const r = await parseComplaint('From: Someone <a@example.org>\nSubject: hello\nMessage-ID: <m1@example.org>\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n\nnothing here\n');
      expect(r).toMatchObject({ status: 'unparseable', subject: 'hello', messageId: '<m1@example.org>', sender: { address: 'a@example.org' }, mailDate: '2024-01-01T10:00:00Z' });
    });
  });

  describe('#parseComplaint robustness (fast-check)', () => {
    const seeds = ['forwarded-twice.eml', 'forwarded-attached.eml', 'several-reports.eml', 'malformed-xml.eml'].map((f) => fixture(f));
    const samples = corpusAvailable
      ? [`xarf-0.2/${AX}02_xarf.eml`, `acns/${AX}acns.eml`, `shadowserver/${AX}shadowserver.trap.0.eml`, `other/${AX}cogent.login_attack.0.eml`, `arf/${AX}marf.from_names_uk.malicious.0.eml`, `xarf-v4/${SPEC}v4__connection-port-scan.json`].map(corpusFile)
      : [];
    const inputs = [...seeds, ...samples];

    async function readsWithinBounds(input: Buffer): Promise<void> {
      const started = Date.now();
      const r = await parseComplaint(input);
      expect(Date.now() - started).toBeLessThan(5000);
      if (r.status === 'unparseable') expect(r.reason.code).not.toBe('COMPLAINT_READ_FAILED');
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    }

    test('random bytes never throw and never hit a defect', async () => {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => readsWithinBounds(Buffer.from(bytes))), { numRuns: 150 });
    }, 120_000);

    test('random text shaped like mail headers never throws', async () => {
      const header = fc.tuple(fc.constantFrom('From', 'Subject', 'Content-Type', 'Content-Transfer-Encoding', 'Date', 'X-XARF'), fc.string({ maxLength: 60 })).map(([k, v]) => `${k}: ${v}`);
      const mail = fc.tuple(fc.array(header, { maxLength: 8 }), fc.string({ maxLength: 800 })).map(([h, body]) => `${h.join('\r\n')}\r\n\r\n${body}`);
      await fc.assert(fc.asyncProperty(mail, async (text) => readsWithinBounds(Buffer.from(text))), { numRuns: 150 });
    }, 120_000);

    test('truncated samples never throw', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...inputs), fc.double({ min: 0, max: 1, noNaN: true }), async (input, cut) => readsWithinBounds(input.subarray(0, Math.floor(input.length * cut)))),
        { numRuns: 120 },
      );
    }, 120_000);

    test('mutated samples (bytes replaced, inserted, lines duplicated) never throw', async () => {
      const mutation = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }), mode: fc.constantFrom('replace', 'insert', 'duplicate') });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...inputs), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (input, mutations) => {
          let buf = Buffer.from(input);
          for (const m of mutations) {
            const at = Math.floor(buf.length * m.at);
            if (m.mode === 'replace') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at + m.bytes.length)]);
            else if (m.mode === 'insert') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
            else {
              const end = buf.indexOf(10, at);
              const line = buf.subarray(at, end < 0 ? buf.length : end + 1);
              buf = Buffer.concat([buf.subarray(0, at), line, line, line, buf.subarray(at + line.length)]);
            }
          }
          await readsWithinBounds(buf);
        }),
        { numRuns: 120 },
      );
    }, 180_000);

    test.each([
      ['one 2 MB line', 'x'.repeat(2_000_000)],
      ['long whitespace after an address and port', `Subject: abuse from 192.0.2.1\n\n192.0.2.1:22${' '.repeat(200_000)}!`],
      ['many unclosed notices', `Subject: x\n\n${'<Infringement '.repeat(50_000)}`],
      ['a long dotted token', `Subject: x\n\n${'a.'.repeat(300_000)}log: Jan  1 00:00:00`],
      ['a key line ending in spaces', `Subject: x\n\nTime: 1${' '.repeat(300_000)}x`],
      ['a forwarded From line full of spaces', `Subject: x\n\nBegin forwarded message:\nFrom: a${' '.repeat(300_000)}b\nSubject: y\n`],
      ['a value of quote marks', `Subject: x\n\nSource IP: ${'"'.repeat(300_000)}x`],
      ['a pipe table row of many cells', `Subject: x\n\n|${'a|'.repeat(150_000)}`],
      ['many zone words', `Subject: x\n\n${'times are '.repeat(100_000)}`],
      ['an iptables line with a long tail', `Subject: x\n\nSRC=192.0.2.1 DST=192.0.2.2 ${'X'.repeat(300_000)}`],
      ['a report-like YAML value of spaces', `Subject: x\n\nSource: 192.0.2.1\nReport-Type: a\nCategory: b${' '.repeat(300_000)}c\n`],
    ])('pathological input finishes quickly: %s', async (_name, text) => {
      const started = Date.now();
      const r = await parseComplaint(text);
      expect(Date.now() - started).toBeLessThan(4000);
      if (r.status === 'unparseable') expect(r.reason.code).not.toBe('COMPLAINT_READ_FAILED');
    });

    test('a mail nested deeper than the limit is cut off with a warning', async () => {
      let mail = 'From: x@example.org\nSubject: deep 192.0.2.1\n\nabuse from the IP address 192.0.2.1\n';
      for (let i = 0; i < 20; i++) mail = `Content-Type: message/rfc822\n\n${mail}`;
      const c = parsed(await parseComplaint(`From: outer@example.org\nSubject: nested\n${mail}`));
      expect(c.problems.some((p) => p.code === 'COMPLAINT_BAD_MIME')).toBe(true);
    });

    test('a mail with thousands of parts is read up to the part limit', async () => {
      const parts = Array.from({ length: 1000 }, (_, i) => `--b\nContent-Type: text/plain\n\npart ${i}\n`).join('');
      const c = parsed(await parseComplaint(`Subject: abuse from 198.51.100.1\nContent-Type: multipart/mixed; boundary="b"\n\n${parts}--b--\n`));
      expect(c.problems).toContainEqual(expect.objectContaining({ code: 'COMPLAINT_BAD_MIME' }));
      expect(c.sources.map((s) => s.address)).toEqual(['198.51.100.1']);
    });
  });

  describe('#referenceFromSubject', () => {
    test.each([
      ['[Ticket ID: M247-81849933]  Abuse from 185.245.84.22', 'M247-81849933'],
      ['Abuse Message [AbuseID:DD5F27:1F]: NetscanInLevel', 'DD5F27:1F'],
      ['[CERT-Bund#2021031428001261] SSH Brute Force Attacks', 'CERT-Bund#2021031428001261'],
      ['Notice of Claimed Infringement - Case ID 314620451', '314620451'],
      ['Notice of Claimed Infringement [Case No. 50588168594]', '50588168594'],
      ['abuse report about 1.2.3.4 -- service: imap (First x 1) RID: 460402397', '460402397'],
      ['Issue 23558041: IP address attacking a web application', '23558041'],
      ['[SpamCop (178.200.164.219) id:6535595190]*****SPAM*****', '6535595190'],
      ['Abuse-Message [Anfrage#109143461640]: abuse report', '109143461640'],
      ['[20211104-G0O] DDoS from your IPs to Google', '20211104-G0O'],
      ['[VI#20221106000001205484] Abuse-report 78.43.2.183', 'VI#20221106000001205484'],
      ['Re: your relay', null],
      ['', null],
    ])('%j → %j', (subject, reference) => {
      expect(referenceFromSubject(subject)).toBe(reference);
    });
  });

  describe('#htmlToText', () => {
    test.each([
      ['<p>a</p><p>b</p>', 'a\nb\n'],
      ['x<br>y<br/>z', 'x\ny\nz'],
      ['<style>p{}</style>keep &amp; &lt;this&gt; &#65;', 'keep & <this> A'],
      ['&#xD800; &#0; &#99999999;', '&#xD800; &#0; &#99999999;'],
    ])('%j → %j', (html, text) => {
      expect(htmlToText(html)).toBe(text);
    });
  });
});
