import { describe, expect, test } from 'vitest';
import { findAcnsBlocks, hasAcns, readAcns } from '../../../src/complaint/formats/acns.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'part 1', time: {} };
const notice = (ip: string, extra = ''): string =>
  `<Infringement xmlns="http://www.acns.net/ACNS" xsi:schemaLocation="http://www.acns.net/ACNS http://www.acns.net/v1.2/ACNS2v1_2.xsd">
 <Case><ID>C-1</ID></Case>
 <Complainant><Entity>Studio</Entity><Contact>Agent</Contact><Email>notices@agent.example</Email></Complainant>
 <Source><TimeStamp>2021-12-20T21:43:56Z</TimeStamp><IP_Address>${ip}</IP_Address><Port>52293</Port><Type>BitTorrent</Type></Source>${extra}
</Infringement>`;

describe('complaint/formats/acns', () => {
  describe('#findAcnsBlocks', () => {
    test('finds blocks through quote markers, undecoded quoted-printable and <br> tags', () => {
      const quoted = notice('192.0.2.1').split('\n').map((l) => `> ${l}`).join('\n');
      const qp = notice('192.0.2.2').replace(/="/g, '=3D"');
      const br = notice('192.0.2.3').replace('<Case>', '<Case><br>');
      const blocks = findAcnsBlocks(`text\n${quoted}\nmore\n${qp}\n${br}`);
      expect(blocks).toHaveLength(3);
      expect(blocks.every((b) => !b.includes('> <') && !b.includes('=3D') && !b.includes('<br>'))).toBe(true);
    });

    test.each([['<Infringement>', true], ['<InfringementX>', false], ['no notice', false]])('hasAcns(%j) → %s', (text, expected) => {
      expect(hasAcns(text)).toBe(expected);
    });
  });

  describe('#readAcns', () => {
    test('reads case, complainant, accused address and port, time; copies of one notice count once', () => {
      const r = readAcns([notice('192.0.2.1'), notice('192.0.2.1')], ctx);
      expect(r).toMatchObject({ format: 'acns', version: '1.2', category: 'copyright', reference: 'C-1', complainant: { organisation: 'Studio', name: 'Agent', email: 'notices@agent.example' } });
      expect(r.incidents).toEqual([expect.objectContaining({ source: expect.objectContaining({ address: '192.0.2.1', port: 52293 }), destinations: [], times: [expect.objectContaining({ utc: '2021-12-20T21:43:56Z' })] })]);
      expect(r.destinationNote).toMatch(/carries no destination/);
    });

    test('a notice without IP_Address names its URL in a note', () => {
      const r = readAcns([notice('').replace('<IP_Address></IP_Address>', '').replace('</Source>', '</Source><Content><Item><URL>http://cdn.example/x</URL></Item></Content>')], ctx);
      expect(r.incidents[0]?.source).toBeNull();
      expect(r.notes.join(' ')).toContain('http://cdn.example/x');
    });

    test('a broken notice yields its XML problem and no incident', () => {
      const r = readAcns([notice('192.0.2.1').replace('</Source>', '</Sauce>')], ctx);
      expect(r.incidents).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_XML']);
    });
  });
});
