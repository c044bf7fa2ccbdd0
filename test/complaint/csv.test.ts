import { describe, expect, test } from 'vitest';
import { looksLikeCsv, readCsv } from '../../src/complaint/csv.js';

describe('complaint/csv', () => {
  describe('#readCsv', () => {
    test('reads quoted and plain fields, doubled quotes, quoted line breaks, CRLF, a BOM', () => {
      const { header, rows, problems } = readCsv('\uFEFF"timestamp","Src_IP",note\r\n"2021-01-01 00:00:00",192.0.2.1,"a ""b"", c\nd"\r\n\r\n2021-01-02,192.0.2.2,\n');
      expect(problems).toEqual([]);
      expect(header).toEqual(['timestamp', 'Src_IP', 'note']);
      expect(rows).toEqual([
        { cells: { timestamp: '2021-01-01 00:00:00', src_ip: '192.0.2.1', note: 'a "b", c\nd' }, line: 2 },
        { cells: { timestamp: '2021-01-02', src_ip: '192.0.2.2', note: '' }, line: 5 },
      ]);
    });

    test('a row of the wrong width is read by position with a warning naming its line', () => {
      const { rows, problems } = readCsv('a,b\n1\n2,3,4\n');
      expect(rows.map((r) => r.cells)).toEqual([{ a: '1', b: '' }, { a: '2', b: '3' }]);
      expect(problems.map((p) => [p.code, p.location?.line])).toEqual([
        ['COMPLAINT_BAD_CSV', 2],
        ['COMPLAINT_BAD_CSV', 3],
      ]);
    });

    test('an unterminated quote stops reading and names the line it started on', () => {
      const { rows, problems } = readCsv('a,b\n1,2\n3,"open\n4,5\n');
      expect(rows.map((r) => r.cells)).toEqual([{ a: '1', b: '2' }]);
      expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['COMPLAINT_BAD_CSV', 3]]);
    });

    test('an empty text has no header and no rows', () => {
      expect(readCsv('')).toEqual({ header: [], rows: [], problems: [] });
    });
  });

  describe('#looksLikeCsv', () => {
    test.each([
      ['"timestamp","src_ip"\n', [/^timestamp$/, /ip$/], true],
      ['timestamp,ip\n', [/^timestamp$/, /ip$/], true],
      ['timestamp;ip\n', [/^timestamp$/], false],
      ['Hello, world\n', [/^timestamp$/], false],
    ])('%j', (text, required, expected) => {
      expect(looksLikeCsv(text, required)).toBe(expected);
    });
  });
});
