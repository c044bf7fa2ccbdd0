import { describe, expect, test } from 'vitest';
import type { ComplaintError } from '../../src/complaint/errors.js';
import { makeDestination, makeIncident, makeSource, makeTime, partyFromText, readPort, readProtocol, type ReadContext } from '../../src/complaint/report.js';

const ctx: ReadContext = { part: 'part 2', time: {} };

describe('complaint/report', () => {
  describe('#readPort', () => {
    test.each([
      [22, 22],
      ['443', 443],
      ["'80'", 80],
      ['65535', 65535],
      [null, null],
      [undefined, null],
      ['n/a', null],
      ['', null],
    ])('%j → %j without problems', (value, port) => {
      const problems: ComplaintError[] = [];
      expect(readPort(value, 'Port', ctx, problems)).toBe(port);
      expect(problems).toEqual([]);
    });

    test.each([0, 65536, 76907, '22/tcp', '-1', 'ssh', '1e3'])('%j → null with COMPLAINT_BAD_PORT', (value) => {
      const problems: ComplaintError[] = [];
      expect(readPort(value, 'Port', ctx, problems, 7)).toBeNull();
      expect(problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_PORT', part: 'part 2', location: expect.objectContaining({ line: 7 }) })]);
    });
  });

  describe('#readProtocol', () => {
    test.each([['TCP', 'tcp'], ['udp', 'udp'], ['icmp', 'icmp'], ['smtp', null], [undefined, null]])('%j → %j', (value, protocol) => {
      expect(readProtocol(value)).toBe(protocol);
    });
  });

  describe('#makeSource', () => {
    test('canonicalises and keeps the text as written', () => {
      expect(makeSource(' 2001:0DB8::0001 ', 'Source', ctx, [], { port: 5 })).toEqual({ address: '2001:db8::1', family: 6, original: '2001:0DB8::0001', port: 5, field: 'Source' });
      expect(makeSource('37.209.92.66/32', 'Source', ctx, [])?.address).toBe('37.209.92.66');
    });

    test.each(['#HOSTIP#', 'example.org', '1.2.3.0/24', 'http://x/'])('%j → null with COMPLAINT_BAD_ADDRESS', (value) => {
      const problems: ComplaintError[] = [];
      expect(makeSource(value, 'Source', ctx, problems)).toBeNull();
      expect(problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_ADDRESS']);
    });
  });

  describe('#makeDestination', () => {
    test.each([
      [{ address: '203.0.113.5', ports: [22, 22, null], field: 'f' }, { address: '203.0.113.5', cidr: '203.0.113.5/32', family: 4, ports: [22] }],
      [{ address: '172.16.30.9/24', ports: [80], field: 'f' }, { address: '172.16.30.0/24', cidr: '172.16.30.0/24', family: 4, ports: [80] }],
      [{ address: '2001:db8::1/128', field: 'f' }, { address: '2001:db8::1', cidr: '2001:db8::1/128', family: 6, ports: [] }],
      [{ address: 'n/a', ports: [443, 80], field: 'f' }, { address: null, cidr: null, family: null, ports: [80, 443] }],
    ])('%j', (input, expected) => {
      expect(makeDestination(input, ctx, [])).toMatchObject(expected);
    });

    test('an address field holding a placeholder keeps the ports and reports the placeholder', () => {
      const problems: ComplaintError[] = [];
      expect(makeDestination({ address: '#HOSTIP#', ports: [9090], field: 'DestinationIp' }, ctx, problems)).toMatchObject({ address: null, ports: [9090] });
      expect(problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_ADDRESS', input: '#HOSTIP#' })]);
    });

    test('nothing known → null', () => {
      expect(makeDestination({ field: 'f' }, ctx, [])).toBeNull();
    });
  });

  describe('#makeTime', () => {
    test('an unplaceable time is kept with a COMPLAINT_BAD_TIME warning; empty values give null', () => {
      const problems: ComplaintError[] = [];
      expect(makeTime('yesterday', 'event', 'Date', ctx, problems)).toMatchObject({ original: 'yesterday', utc: null });
      expect(problems.map((p) => [p.code, p.severity])).toEqual([['COMPLAINT_BAD_TIME', 'warning']]);
      expect(makeTime('', 'event', 'Date', ctx, problems)).toBeNull();
      expect(makeTime('n/a', 'event', 'Date', ctx, problems)).toBeNull();
    });
  });

  describe('#makeIncident', () => {
    test('drops missing destinations and times', () => {
      expect(makeIncident(null, [null], [null], 'x', 'part 1', 'r1')).toEqual({ source: null, destinations: [], times: [], reportType: 'x', evidence: 'part 1', reference: 'r1' });
    });
  });

  describe('#partyFromText', () => {
    test.each([
      ['"Campus Security" <security@campus.example>', { name: 'Campus Security', email: 'security@campus.example' }],
      ['<a@b.example>', { email: 'a@b.example' }],
      ['a@b.example', { email: 'a@b.example' }],
      ['Just A Name', { name: 'Just A Name' }],
      [null, {}],
    ])('%j → %j', (text, party) => {
      expect(partyFromText(text)).toEqual(party);
    });
  });
});
