import { describe, expect, test } from 'vitest';
import { readArf, readFeedbackFields } from '../../../src/complaint/formats/arf.js';
import type { ReadContext } from '../../../src/complaint/report.js';

const ctx: ReadContext = { part: 'part 2', time: {} };

describe('complaint/formats/arf', () => {
  describe('#readFeedbackFields', () => {
    test('reads folded fields, first value wins, names lower-cased', () => {
      const f = readFeedbackFields('Feedback-Type: abuse\nAuthentication-Results: mail.example;\n    spf=fail\nReported-Uri: a\nReported-Uri: b\n');
      expect(Object.fromEntries(f)).toEqual({ 'feedback-type': 'abuse', 'authentication-results': 'mail.example; spf=fail', 'reported-uri': 'a' });
    });

    test('every field on one line is split at the known field names', () => {
      const f = readFeedbackFields('Source-Ip: 195.231.66.50 Reported-Domain: x.it Arrival-Date: Wed, 10 Jan 2024 09:27:54 +0000 Feedback-Type: abuse Version: 1');
      expect(Object.fromEntries(f)).toEqual({ 'source-ip': '195.231.66.50', 'reported-domain': 'x.it', 'arrival-date': 'Wed, 10 Jan 2024 09:27:54 +0000', 'feedback-type': 'abuse', version: '1' });
    });
  });

  describe('#readArf', () => {
    test.each([
      ['abuse', 'spam'],
      ['auth-failure', 'spam'],
      ['fraud', 'fraud'],
      ['virus', null],
    ])('Feedback-Type %s → category %j; never a destination', (type, category) => {
      const r = readArf(`Feedback-Type: ${type}\nVersion: 1\nSource-IP: 192.0.2.1\nArrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n`, '', ctx);
      expect(r).toMatchObject({ format: 'arf', category, version: '1' });
      expect(r.incidents[0]).toMatchObject({ source: { address: '192.0.2.1' }, destinations: [], times: [expect.objectContaining({ utc: '2005-03-08T18:00:00Z', field: 'Arrival-Date' })] });
      expect(r.destinationNote).toMatch(/carries no destination/);
    });

    test('without Source-IP the human part gives address and time, with a note', () => {
      const r = readArf('Feedback-Type: abuse\n', 'This is a report for mail received from IP\n192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.  More text.', ctx);
      expect(r.incidents[0]).toMatchObject({ source: { address: '192.0.2.1' }, times: [expect.objectContaining({ utc: '2005-03-08T18:00:00Z' })] });
      expect(r.notes.join(' ')).toMatch(/no Source-IP/);
    });

    test('no address anywhere: no source, and a note', () => {
      const r = readArf('Feedback-Type: abuse\n', 'nothing here', ctx);
      expect(r.incidents[0]?.source).toBeNull();
      expect(r.notes.join(' ')).toMatch(/no source address/);
    });
  });
});
