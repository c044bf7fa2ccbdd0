import { describe, expect, test } from 'vitest';
import { explicitZone, formatUtc, parseTime, parseZone, timeMs, type TimeContext } from '../../src/complaint/time.js';

const mailDate = (iso: string): TimeContext => ({ reference: new Date(iso) });

describe('complaint/time', () => {
  describe('#parseTime with the zone in the text', () => {
    test.each([
      ['2025-01-11T06:17:20Z', '2025-01-11T06:17:20Z'],
      ['2018-08-30T06:33:42.275Z', '2018-08-30T06:33:42.275Z'],
      ['2021-08-20T03:06:37-04:00', '2021-08-20T07:06:37Z'],
      ['2015-05-15 17:03:11-07:00', '2015-05-16T00:03:11Z'],
      ['2021-11-29T20:34:00+00:00', '2021-11-29T20:34:00Z'],
      ["'2014-02-16T05:23:55Z'", '2014-02-16T05:23:55Z'],
      ['2022-10-07T07:26:54Z GMT 0', '2022-10-07T07:26:54Z'],
      ['2024-03-14 08:00:00 UTC', '2024-03-14T08:00:00Z'],
      ['Fri, 14 Feb 2014 20:57:25 +0100', '2014-02-14T19:57:25Z'],
      ['Fri,  9 Sep 2016 23:20:10 +0200 (CEST)', '2016-09-09T21:20:10Z'],
      ['Thu, 8 Mar 2005 14:00:00 EDT', '2005-03-08T18:00:00Z'],
      ['Wed, 14 Apr 2010 12:15:31 -0700 (PDT)', '2010-04-14T19:15:31Z'],
      ['30 Aug 2018 06:48:33 GMT', '2018-08-30T06:48:33Z'],
      ['Thu, 8 Mar 05 14:00:00 +0000', '2005-03-08T14:00:00Z'],
      ['Thu Feb 13 18:28:15 2014 +00:00 GMT', '2014-02-13T18:28:15Z'],
      ['Tue Aug 22 12:34:39 ALMT 2017', '2017-08-22T06:34:39Z'],
      ['Fri Jul  5 12:13:09 UTC 2019', '2019-07-05T12:13:09Z'],
      ['January 22, 2022 at 3:42:56 PM MST', '2022-01-22T22:42:56Z'],
      ['07/01/2019 06:30:40 America/Chicago', '2019-07-01T11:30:40Z'],
      ['13/02/2020 10:00 UTC', '2020-02-13T10:00:00Z'],
    ])('%j → %s (explicit)', (text, utc) => {
      const t = parseTime(text, 'event', 'test', mailDate('2019-07-02T00:00:00Z'));
      expect(t).toMatchObject({ utc, zone: 'explicit', original: text.trim() });
    });

    test('an ambiguous month/day date is read the way that fits the mail date', () => {
      const t = parseTime('01/12/2019 06:30:40 America/Chicago', 'event', 'test', mailDate('2019-01-12T12:56:03Z'));
      expect(t).toMatchObject({ utc: '2019-01-12T12:30:40Z', zone: 'explicit' });
    });
  });

  describe('#parseTime without a zone in the text', () => {
    test('takes the declared zone, and the year from the mail date', () => {
      const t = parseTime('Jan 15 14:19:35', 'event', 'log line', {
        reference: new Date('2019-01-15T13:19:42Z'),
        defaultZone: { zone: { offsetMinutes: 60 }, basis: 'declared', why: 'Local timezone is +0100' },
      });
      expect(t).toMatchObject({ utc: '2019-01-15T13:19:35Z', zone: 'declared' });
      expect(t.notes).toHaveLength(2);
    });

    test('a syslog stamp late in the year before a January mail belongs to the previous year', () => {
      const t = parseTime('Dec 31 23:59:00', 'event', 'log', { reference: new Date('2020-01-01T01:00:00Z'), defaultZone: { zone: { offsetMinutes: 0 }, basis: 'declared', why: 'UTC' } });
      expect(t.utc).toBe('2019-12-31T23:59:00Z');
    });

    test('an assumed zone is marked as an assumption', () => {
      const t = parseTime('2021-11-04 10:00', 'event', 'x', { defaultZone: { zone: { offsetMinutes: -300 }, basis: 'assumed', why: 'mail zone' } });
      expect(t).toMatchObject({ utc: '2021-11-04T15:00:00Z', zone: 'assumed', notes: ['mail zone'] });
    });

    test('an IANA zone follows daylight saving time', () => {
      const summer = parseTime('2021-07-01 12:00:00', 'event', 'x', { defaultZone: { zone: { iana: 'Europe/Berlin' }, basis: 'declared', why: 'Berlin' } });
      const winter = parseTime('2021-01-01 12:00:00', 'event', 'x', { defaultZone: { zone: { iana: 'Europe/Berlin' }, basis: 'declared', why: 'Berlin' } });
      expect([summer.utc, winter.utc]).toEqual(['2021-07-01T10:00:00Z', '2021-01-01T11:00:00Z']);
    });

    test('day/month order is decided by the mail date: the reading not after it and closest wins', () => {
      const t = parseTime('03/02/2020 00:01:22', 'first-seen', 'Initiated', { reference: new Date('2020-02-04T08:05:04Z'), defaultZone: { zone: { offsetMinutes: 0 }, basis: 'assumed', why: 'x' } });
      expect(t.utc).toBe('2020-02-03T00:01:22Z');
    });
  });

  describe('#parseTime that cannot be placed', () => {
    test.each([
      ['garbage', {}],
      ['2021-11-04 10:00', {}],
      ['Jan 15 14:19:35', {}],
      ['03/02/2020 00:01:22', { defaultZone: { zone: { offsetMinutes: 0 }, basis: 'declared', why: 'x' } }],
      ['31/02/2020 10:00 UTC', {}],
      ['2021-02-30T10:00:00Z', {}],
      ['2021-01-01T25:00:00Z', {}],
      ['Fri, 09 Sep 2016 23:20:09 XYZ', {}],
      ['Fri, 09 Sep 2016 23:20:09 IST', {}],
    ] as Array<[string, TimeContext]>)('%j → utc null, zone unknown, with a note', (text, context) => {
      const t = parseTime(text, 'event', 'x', context);
      expect(t).toMatchObject({ utc: null, zone: 'unknown', original: text });
      expect(t.notes.length).toBeGreaterThan(0);
    });

    test('words after a time are not a zone', () => {
      expect(parseTime('Fri, 09 Sep 2016 23:20:09 and more', 'event', 'x').zone).toBe('unknown');
    });
  });

  describe('#parseZone', () => {
    test.each([
      ['+0100', { offsetMinutes: 60 }],
      ['-04:00', { offsetMinutes: -240 }],
      ['UTC+0200', { offsetMinutes: 120 }],
      ['UTC+1', { offsetMinutes: 60 }],
      ['UTC+0', { offsetMinutes: 0 }],
      ['GMT', { offsetMinutes: 0 }],
      ['(CEST)', { offsetMinutes: 120 }],
      ['America/Chicago', { iana: 'America/Chicago' }],
    ])('%j → %j', (text, zone) => {
      expect(parseZone(text)).toEqual(zone);
    });

    test.each(['+2500', 'IST', 'Mars/Olympus', '', 'hello', '+01:75'])('refuses %j', (text) => {
      expect(parseZone(text)).toBeNull();
    });
  });

  describe('#explicitZone', () => {
    test.each([
      ['Fri, 01 Feb 2019 10:45:28 +0100', { offsetMinutes: 60 }],
      ['Fri Jul  5 12:13:09 UTC 2019', { offsetMinutes: 0 }],
      ['2019-01-01 10:00:00', null],
    ])('%j → %j', (text, zone) => {
      expect(explicitZone(text)).toEqual(zone);
    });
  });

  describe('#formatUtc and #timeMs', () => {
    test('milliseconds are written only when present, and read back', () => {
      expect(formatUtc(Date.UTC(2020, 0, 1))).toBe('2020-01-01T00:00:00Z');
      expect(formatUtc(Date.UTC(2020, 0, 1, 0, 0, 0, 5))).toBe('2020-01-01T00:00:00.005Z');
      expect(timeMs(parseTime('2020-01-01T00:00:00Z', 'event', 'x'))).toBe(Date.UTC(2020, 0, 1));
      expect(timeMs(parseTime('nope', 'event', 'x'))).toBeNull();
    });
  });
});
