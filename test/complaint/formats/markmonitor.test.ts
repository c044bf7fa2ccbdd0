import { describe, expect, test } from 'vitest';
import { hasMarkMonitor, readMarkMonitor } from '../../../src/complaint/formats/markmonitor.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = {
  part: 'part 1',
  time: { reference: new Date('2020-02-04T08:05:04Z'), defaultZone: { zone: { offsetMinutes: -300 }, basis: 'assumed', why: 'mail zone' } },
};

describe('complaint/formats/markmonitor', () => {
  test.each([['<InvestigationInfo>', true], ['<Investigation>', false]])('hasMarkMonitor(%j) → %s', (text, expected) => {
    expect(hasMarkMonitor(text)).toBe(expected);
  });

  describe('#readMarkMonitor', () => {
    test('reads each case: peer address and port, start and end; decodes leftover quoted-printable', () => {
      const text = `Case-ID: 1\n<?xml version=3D"1.0"?>\n<InvestigationInfo><Customer>ISP</Customer><CaseList><Case><CaseId>36239329</CaseId><Initiated>03/02/2020 00:01:22</Initiated><Completed>03/02/2020 00:01:38</Completed><PeerIP>109.79.76.4</PeerIP><PeerPort>51841</PeerPort><InfringementType>Breach Of Copyright</InfringementType></Case></CaseList></InvestigationInfo>`;
      const r = readMarkMonitor(text, ctx);
      expect(r).toMatchObject({ format: 'markmonitor', category: 'copyright', reference: '36239329' });
      expect(r.incidents).toEqual([
        expect.objectContaining({
          source: expect.objectContaining({ address: '109.79.76.4', port: 51841 }),
          destinations: [],
          times: [expect.objectContaining({ role: 'first-seen', utc: '2020-02-03T05:01:22Z', zone: 'assumed' }), expect.objectContaining({ role: 'last-seen', utc: '2020-02-03T05:01:38Z' })],
        }),
      ]);
      expect(r.notes).toEqual(['notice addressed to ISP']);
    });

    test('no notice in the text → an empty report', () => {
      expect(readMarkMonitor('nothing', ctx).incidents).toEqual([]);
    });
  });
});
