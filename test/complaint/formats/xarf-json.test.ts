import { describe, expect, test } from 'vitest';
import { isXarfJson, readXarfJson } from '../../../src/complaint/formats/xarf-json.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'xarf.json', time: {} };

describe('complaint/formats/xarf-json', () => {
  describe('#isXarfJson', () => {
    test.each([
      [{ xarf_version: '4.2.0' }, true],
      [{ Version: '3', Report: {} }, true],
      [{ Version: '3' }, false],
      [[1], false],
      [null, false],
    ])('%j → %s', (value, expected) => {
      expect(isXarfJson(value)).toBe(expected);
    });
  });

  describe('#readXarfJson v4', () => {
    test('reads source, destination with scanned ports, times in role order, reporter and id', () => {
      const r = readXarfJson(
        {
          xarf_version: '4.2.0',
          report_id: 'id-1',
          timestamp: '2025-01-11T11:26:59Z',
          reporter: { org: 'Monitor', contact: 'alerts@m.example' },
          source_identifier: '198.51.100.150',
          source_port: 54321,
          category: 'connection',
          type: 'port_scan',
          destination_ip: '203.0.113.50',
          protocol: 'tcp',
          ports_scanned: [22, 80, 22],
          first_seen: '2025-01-11T11:20:00Z',
        },
        ctx,
      );
      expect(r).toMatchObject({ format: 'xarf-v4', version: '4.2.0', reportType: 'port_scan', category: 'scan', reference: 'id-1', complainant: { organisation: 'Monitor', email: 'alerts@m.example' } });
      const [incident] = r.incidents;
      expect(incident?.source).toMatchObject({ address: '198.51.100.150', port: 54321 });
      expect(incident?.destinations).toEqual([expect.objectContaining({ address: '203.0.113.50', ports: [22, 80], protocol: 'tcp' })]);
      expect(incident?.times.map((t) => [t.role, t.utc])).toEqual([
        ['first-seen', '2025-01-11T11:20:00Z'],
        ['event', '2025-01-11T11:26:59Z'],
      ]);
    });

    test('a copyright report has no destination and says why', () => {
      const r = readXarfJson({ xarf_version: '4.2.0', category: 'copyright', type: 'p2p', source_identifier: '192.0.2.100', timestamp: '2025-01-11T13:44:41Z' }, ctx);
      expect(r.category).toBe('copyright');
      expect(r.incidents[0]?.destinations).toEqual([]);
      expect(r.destinationNote).toMatch(/carries no destination/);
    });

    test('a bad source_identifier and port are reported, not guessed', () => {
      const r = readXarfJson({ xarf_version: '4.0.0', source_identifier: 'example.org', source_port: 70000, type: 'ddos' }, ctx);
      expect(r.incidents[0]?.source).toBeNull();
      expect(r.problems.map((p) => p.code).sort()).toEqual(['COMPLAINT_BAD_ADDRESS', 'COMPLAINT_BAD_PORT']);
    });
  });

  describe('#readXarfJson v3', () => {
    test('flat Abusix layout: SourceIp, DestinationIp, ReporterInfo', () => {
      const r = readXarfJson(
        { Version: '3', ReporterInfo: { ReporterOrg: 'Org', ReporterOrgEmail: 'r@org.example' }, Report: { ReportClass: 'Activity', ReportType: 'LoginAttack', Date: '2018-02-05T14:17:10Z', SourceIp: '192.0.2.55', SourcePort: 54321, DestinationIp: '198.51.100.33', DestinationPort: 80 } },
        ctx,
      );
      expect(r).toMatchObject({ format: 'xarf-v3', category: 'brute-force', complainant: { organisation: 'Org', email: 'r@org.example' } });
      expect(r.incidents[0]).toMatchObject({ source: { address: '192.0.2.55', port: 54321 }, destinations: [expect.objectContaining({ address: '198.51.100.33', ports: [80] })] });
    });

    test('xarf-spec layout: Report.Source and AdditionalInfo', () => {
      const r = readXarfJson({ Version: '3.0.0', Report: { ReportType: 'ddos', Date: '2024-01-15T08:15:45Z', Source: { IP: '172.16.254.10', Port: 53 }, AdditionalInfo: { Protocol: 'udp', DestinationIP: '203.0.113.100', DestinationPort: 80 } } }, ctx);
      expect(r.incidents[0]).toMatchObject({ source: { address: '172.16.254.10', port: 53 }, destinations: [expect.objectContaining({ address: '203.0.113.100', ports: [80], protocol: 'udp' })] });
    });

    test('a URL source is noted, not turned into an address', () => {
      const r = readXarfJson({ Version: '3.0.0', Report: { ReportType: 'phishing', Source: { URL: 'https://x.example/', Type: 'uri' } } }, ctx);
      expect(r.incidents[0]?.source).toBeNull();
      expect(r.notes.join(' ')).toContain('https://x.example/');
      expect(r.category).toBe('fraud');
    });

    test('older versions are read with a note; "n/a" values count as missing', () => {
      const r = readXarfJson({ Version: '2', ReporterInfo: { ReporterOrg: 'n/a', ReporterOrgEmail: 'x@y.example' }, Report: { ReportType: 'PortScan', SourceIp: '192.0.2.9' } }, ctx);
      expect(r.notes.join(' ')).toMatch(/older than v3/);
      expect(r.complainant.organisation).toBeNull();
    });

    test('OnBehalfOf on a non-copyright report names the complainant without making it copyright', () => {
      const r = readXarfJson({ Version: '3', OnBehalfOf: { ComplainantOrg: 'C', ComplainantOrgEmail: 'c@c.example' }, Report: { ReportType: 'Spam', SourceIp: '192.0.2.1' } }, ctx);
      expect(r.category).toBe('spam');
      expect(r.complainant).toMatchObject({ organisation: 'C', email: 'c@c.example' });
    });
  });
});
