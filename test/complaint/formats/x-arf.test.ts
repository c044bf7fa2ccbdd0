import { describe, expect, test } from 'vitest';
import { readXarfYaml } from '../../../src/complaint/formats/x-arf.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'part 2 "report.txt"', time: {} };
const base = 'Reported-From: r@example.org\nCategory: abuse\nReport-Type: login-attack\nDate: Fri, 14 Feb 2014 20:57:25 +0100\nSource-Type: ip-address\nSource: 37.24.158.163\n';

describe('complaint/formats/x-arf', () => {
  describe('#readXarfYaml', () => {
    test('reads source, attacked port, time, id and reporter', () => {
      const r = readXarfYaml(`${base}Port: 143\nReport-ID: 460402397@blocklist.de\nVersion: 0.2\n`, ctx);
      expect(r).toMatchObject({ format: 'x-arf', version: '0.2', reportType: 'login-attack', category: 'brute-force', reference: '460402397@blocklist.de', complainant: { email: 'r@example.org' } });
      expect(r.incidents).toEqual([
        expect.objectContaining({
          source: expect.objectContaining({ address: '37.24.158.163' }),
          destinations: [expect.objectContaining({ address: null, ports: [143] })],
          times: [expect.objectContaining({ utc: '2014-02-14T19:57:25Z' })],
          reference: '460402397@blocklist.de',
        }),
      ]);
      expect(r.destinationNote).toMatch(/port but not the attacked address/);
    });

    test.each([
      ['Destination: 203.0.113.9\nPort: 22\n', { address: '203.0.113.9', ports: [22] }],
      ['Targeted-Range: 172.16.30.0/24\nPort: \'80\'\n', { address: '172.16.30.0/24', ports: [80] }],
      ['Ports: 80, 443\n', { address: null, ports: [80, 443] }],
    ])('destination from %j', (extra, destination) => {
      const r = readXarfYaml(base + extra, ctx);
      expect(r.incidents[0]?.destinations).toEqual([expect.objectContaining(destination)]);
    });

    test('a URL source is noted, no address invented', () => {
      const r = readXarfYaml('Report-Type: phishing\nSource-Type: uri\nSource: http://x.example/\nCategory: fraud\n', ctx);
      expect(r.incidents[0]?.source).toBeNull();
      expect(r.category).toBe('fraud');
      expect(r.notes.join(' ')).toContain('http://x.example/');
    });

    test('an unusual version is read and noted', () => {
      expect(readXarfYaml(`${base}Version: 1.3\n`, ctx).notes.join(' ')).toMatch(/Version: 1.3/);
    });

    test('a bad port and a bad source are reported with their lines', () => {
      const r = readXarfYaml('Report-Type: x\nSource: not-an-ip\nPort: 99999\n', ctx);
      expect(r.problems.map((p) => [p.code, p.location?.line])).toEqual([
        ['COMPLAINT_BAD_ADDRESS', 2],
        ['COMPLAINT_BAD_PORT', 3],
      ]);
    });
  });
});
