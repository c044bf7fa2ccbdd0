import { describe, expect, test } from 'vitest';
import { hasIodef, readIodef } from '../../../src/complaint/formats/iodef.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'iodef.xml', time: {} };
const doc = (body: string): string => `<?xml version="1.0"?>\n<IODEF-Document xmlns="urn:ietf:params:xml:ns:iodef-1.0" version="1.00">${body}</IODEF-Document>`;

describe('complaint/formats/iodef', () => {
  test.each([['<IODEF-Document>', true], ['<iodef:IODEF-Document x="1">', true], ['<IODEF>', false]])('hasIodef(%j) → %s', (text, expected) => {
    expect(hasIodef(text)).toBe(expected);
  });

  describe('#readIodef', () => {
    test('one incident per <Incident>: source, target with port and protocol, times, id, kind', () => {
      const r = readIodef(
        doc(`
  <Incident purpose="reporting"><IncidentID name="x">T-1</IncidentID><ReportTime>2021-11-29T20:45:40+00:00</ReportTime>
    <Assessment><Impact type="ext-value" ext-type="PORTSCAN"/></Assessment>
    <EventData><DetectTime>2021-11-29T20:30:00+00:00</DetectTime><Flow>
      <System category="source"><Node><Address category="ipv4-addr">192.0.2.8</Address></Node></System>
      <System category="target"><Node><Address category="ipv4-addr">203.0.113.4</Address></Node><Service ip_protocol="6"><Portlist>22,80-82</Portlist></Service></System>
    </Flow></EventData></Incident>
  <Incident purpose="reporting"><IncidentID name="x">T-2</IncidentID><ReportTime>2021-11-29T20:45:40+00:00</ReportTime>
    <EventData><Flow><System category="source"><Node><Address>192.0.2.9</Address></Node></System></Flow></EventData></Incident>`),
        ctx,
      );
      expect(r).toMatchObject({ format: 'iodef', version: '1.00', reference: 'T-1', reportType: 'PORTSCAN', category: 'scan' });
      expect(r.incidents.map((i) => [i.reference, i.source?.address, i.destinations.map((d) => [d.address, d.ports, d.protocol]), i.times.map((t) => [t.role, t.utc])])).toEqual([
        ['T-1', '192.0.2.8', [['203.0.113.4', [22, 80, 81, 82], 'tcp']], [['event', '2021-11-29T20:30:00Z']]],
        ['T-2', '192.0.2.9', [], [['report', '2021-11-29T20:45:40Z']]],
      ]);
    });

    test('without a kind in the assessment, the record text decides the category', () => {
      const r = readIodef(doc('<Incident><EventData><Flow><System category="source"><Node><Address>192.0.2.1</Address></Node></System></Flow><Record><RecordData><RecordItem>brute force attacks against RDP</RecordItem></RecordData></Record></EventData></Incident>'), ctx);
      expect(r.category).toBe('brute-force');
      expect(r.destinationNote).toMatch(/no target/);
    });

    test('a broken document gives its XML problem and no incident', () => {
      const r = readIodef(doc('<Incident><IncidentID>1</Incident>'), ctx);
      expect(r.incidents).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_XML']);
    });
  });
});
