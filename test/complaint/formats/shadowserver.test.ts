import { describe, expect, test } from 'vitest';
import { isEventCsvHeader, readEventCsv, reportNameFromFile } from '../../../src/complaint/formats/shadowserver.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'report.csv', time: {} };

describe('complaint/formats/shadowserver', () => {
  describe('#reportNameFromFile', () => {
    test.each([
      ['2024-05-01-event4_honeypot_ikev2_scan-digital_ocean-asn.csv', 'honeypot_ikev2_scan'],
      ['2022-02-24-event4_sinkhole_http_referer-royal_dutch_telecom-asn.csv.zip', 'sinkhole_http_referer'],
      ['event6_sinkhole_http.csv', 'sinkhole_http'],
      ['some__path__event4_honeypot_darknet.csv', 'honeypot_darknet'],
      ['x__test_telnet.csv', 'telnet'],
      ['2020-01-01-scan_ssh-x-geo.csv', 'ssh'],
      [null, null],
    ])('%j → %j', (name, report) => {
      expect(reportNameFromFile(name)).toBe(report);
    });
  });

  describe('#isEventCsvHeader', () => {
    test.each([
      [['timestamp', 'src_ip'], true],
      [['IP', 'timestamp(UTC+0)', 'source_port'], true],
      [['timestamp', 'http_referer_ip'], true],
      [['ip', 'port'], false],
      [['name', 'value'], false],
    ])('%j → %s', (columns, expected) => {
      expect(isEventCsvHeader(columns)).toBe(expected);
    });
  });

  describe('#readEventCsv', () => {
    test('one incident per row, timestamps in UTC by definition', () => {
      const r = readEventCsv('"timestamp","protocol","src_ip","src_port","dst_ip","dst_port","infection"\n"2021-03-27 00:00:00","tcp","192.0.2.1",30123,"203.0.113.2",22,"ssh-brute-force"\n"2021-03-27 00:00:05","tcp","192.0.2.1",30124,"",23,"ssh-brute-force"\n', '2021-03-27-event4_honeypot_brute_force-x-asn.csv', true, ctx);
      expect(r).toMatchObject({ format: 'shadowserver', reportType: 'honeypot_brute_force', category: 'brute-force', complainant: { organisation: 'The Shadowserver Foundation' } });
      expect(r.incidents.map((i) => [i.source?.address, i.source?.port, i.destinations.map((d) => [d.address, d.ports, d.protocol]), i.times.map((t) => [t.utc, t.zone])])).toEqual([
        ['192.0.2.1', 30123, [['203.0.113.2', [22], 'tcp']], [['2021-03-27T00:00:00Z', 'declared']]],
        ['192.0.2.1', 30124, [[null, [23], 'tcp']], [['2021-03-27T00:00:05Z', 'declared']]],
      ]);
    });

    test('a zone in the time column header wins; without one and not Shadowserver, times stay unplaced', () => {
      const declared = readEventCsv('IP,timestamp(UTC+0),source_port,destination_port\n192.0.2.1,2021-03-12T19:49:25.314000,42306,62223\n', null, false, ctx);
      expect(declared.incidents[0]?.times[0]).toMatchObject({ utc: '2021-03-12T19:49:25.314Z', zone: 'declared' });
      const unknown = readEventCsv('ip,timestamp,dst_port\n192.0.2.1,2021-03-12 19:49:25,22\n', null, false, ctx);
      expect(unknown.incidents[0]?.times[0]).toMatchObject({ utc: null, zone: 'unknown' });
      expect(unknown.problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_TIME']);
    });

    test('an open-service scan report (ip, port) has no destination and is not an attack', () => {
      const r = readEventCsv('"timestamp","ip","protocol","port","tag"\n"2019-09-04 12:27:34","198.51.100.5","tcp",5678,"telnet-alt"\n', 'x__test_telnet.csv', true, ctx);
      expect(r.category).toBe('other');
      expect(r.incidents[0]).toMatchObject({ source: { address: '198.51.100.5', port: 5678 }, destinations: [] });
      expect(r.destinationNote).toMatch(/service found on the accused address/);
    });

    test('bad cells are reported with the row line', () => {
      const r = readEventCsv('timestamp,src_ip,dst_port\n2021-01-01 00:00:00,999.1.1.1,0\n', null, true, ctx);
      expect(r.problems.map((p) => [p.code, p.location?.line])).toEqual([
        ['COMPLAINT_BAD_ADDRESS', 2],
        ['COMPLAINT_BAD_PORT', 2],
      ]);
    });
  });
});
