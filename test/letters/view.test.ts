import { describe, expect, test } from 'vitest';
import type { FollowUpVerification, LetterContext } from '../../src/letters/context.js';
import { VIEW_SCHEMA, buildView, utcDate, utcTime } from '../../src/letters/view.js';
import type { FieldSpec, ViewValue } from '../../src/letters/view.js';
import { BLOCK_CHANGE, NOW, fullContext, minimalContext } from './helpers.js';

/** The week-later check of the full context's block: files and running tor, one destination. */
const VERIFIED: FollowUpVerification = { verifiedAt: '2025-11-27T15:00:00Z', runningTor: true, destinations: ['203.0.113.7:443'] };

// Every field path the schema declares, lists marked with [].
function schemaPaths(spec: FieldSpec, prefix = ''): string[] {
  if (spec.kind === 'record') {
    return Object.entries(spec.fields).flatMap(([key, field]) => schemaPaths(field, prefix === '' ? key : `${prefix}.${key}`));
  }
  if (spec.kind === 'list') return [`${prefix}[]`, ...schemaPaths(spec.item, `${prefix}[]`).filter((path) => path !== `${prefix}[]`)];
  return [prefix];
}

// Every leaf path present in a view, lists marked with [].
function viewPaths(value: ViewValue, prefix = ''): string[] {
  if (Array.isArray(value)) return [`${prefix}[]`];
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => viewPaths(inner as ViewValue, prefix === '' ? key : `${prefix}.${key}`));
  }
  return [prefix];
}

describe('letters/view', () => {
  describe('#buildView', () => {
    test('fills every field of the schema from a full context checked a week later, and nothing else', () => {
      const context = fullContext();
      context.followup = { ...context.followup!, verification: VERIFIED };
      const view = buildView(context, NOW);
      expect(viewPaths(view).sort()).toEqual(schemaPaths(VIEW_SCHEMA).sort());
    });

    test.each<[string, FollowUpVerification, Record<string, ViewValue>]>([
      ['the configuration, the running tor and a destination', VERIFIED, { verified: true, verifiedAt: '2025-11-27 15:00:00 UTC', verifiedRunning: true, verifiedDestinations: '203.0.113.7:443' }],
      ['the configuration alone, with no destination named', { verifiedAt: '2025-11-20T14:03:05Z', runningTor: false, destinations: [] }, { verified: true, verifiedAt: '2025-11-20 14:03:05 UTC', verifiedRunning: false }],
      ['two destinations', { ...VERIFIED, destinations: ['203.0.113.7:443', '[2001:db8::7]:80'] }, { verifiedDestinations: '203.0.113.7:443 and [2001:db8::7]:80' }],
    ])('reports a check of %s', (_name, verification, expected) => {
      const context = fullContext();
      context.followup = { ...context.followup!, verification };
      const view = buildView(context, NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['followup']).toMatchObject({ applied: true, checkDate: '2025-11-27', ...expected });
      if (!('verifiedDestinations' in expected)) expect(view['followup']).not.toHaveProperty('verifiedDestinations');
    });

    test('formats times in UTC and dates the follow-up a week after the change took effect', () => {
      const view = buildView(fullContext(), NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['letter']).toEqual({ date: '2025-11-20', followUpBy: '2025-11-27' });
      expect(view['complaint']).toMatchObject({ receivedDate: '2025-11-19', eventTime: '2025-11-18 21:14:05 UTC', eventDate: '2025-11-18' });
      expect(view['followup']).toEqual({
        remedy: 'block',
        applied: true,
        proposal: false,
        appliedAt: '2025-11-20 14:03:05 UTC',
        openConnectionsClosed: false,
        checkDate: '2025-11-27',
        changes: ['Connections to 203.0.113.0/24 on ports 80 and 443 are now refused.'],
        noChange: false,
      });
    });

    test('says open connections were closed only when the applied change closed them', () => {
      const context = fullContext();
      context.followup = { ...context.followup!, openConnectionsClosed: true };
      expect((buildView(context, NOW) as Record<string, Record<string, ViewValue>>)['followup']?.['openConnectionsClosed']).toBe(true);
      context.followup = { ...context.followup, appliedAt: null };
      expect((buildView(context, NOW) as Record<string, Record<string, ViewValue>>)['followup']?.['openConnectionsClosed']).toBe(false);
    });

    test('converts event times given with an offset to UTC', () => {
      const context = fullContext();
      context.complaint = { receivedAt: '2025-11-19', complainant: {}, eventTime: '2025-11-19T01:30:00+02:00' };
      const view = buildView(context, NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['complaint']).toMatchObject({ receivedDate: '2025-11-19', eventTime: '2025-11-18 23:30:00 UTC', eventDate: '2025-11-18' });
    });

    test('presents a change that is not applied yet as a proposal without dates', () => {
      const context = fullContext();
      context.followup = { remedy: 'block', change: BLOCK_CHANGE, appliedAt: null };
      const view = buildView(context, NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['followup']).toEqual({
        remedy: 'block',
        applied: false,
        proposal: true,
        openConnectionsClosed: false,
        changes: ['Connections to 203.0.113.0/24 on ports 80 and 443 would be refused.'],
        noChange: false,
      });
    });

    test('crosses month and year ends when dating the follow-up', () => {
      const context = fullContext();
      context.followup = { remedy: 'middle', change: { changes: [] }, appliedAt: '2025-12-28T23:59:59Z' };
      const view = buildView(context, new Date('2025-12-29T00:00:00Z')) as Record<string, Record<string, ViewValue>>;
      expect(view['followup']).toMatchObject({ checkDate: '2026-01-04', noChange: true, changes: [] });
      expect(view['letter']).toEqual({ date: '2025-12-29', followUpBy: '2026-01-05' });
    });

    test('links ExoneraTor for the address named in the complaint on the day of the event', () => {
      const view = buildView(fullContext(), NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['links']).toEqual({
        exonerator: 'https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-18&lang=en',
      });
    });

    test("falls back to the relay's first address and the day the complaint arrived", () => {
      const context = minimalContext();
      context.complaint = { receivedAt: '2025-11-19T23:30:00-05:00', complainant: {} };
      const view = buildView(context, NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['links']).toEqual({
        exonerator: 'https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-20&lang=en',
      });
    });

    test('leaves optional parts out but keeps every record present, so templates can test fields', () => {
      const view = buildView(minimalContext(), NOW);
      expect(view).toEqual({
        letter: { date: '2025-11-20', followUpBy: '2025-11-27' },
        operator: { name: 'Alice Example', email: 'abuse@relay.example.org', signature: [] },
        recipient: {},
        relay: {
          nickname: 'ExampleExit01',
          fingerprint: 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925',
          addresses: ['192.0.2.10'],
          addressList: '192.0.2.10',
          multipleAddresses: false,
          relaySearchUrl: 'https://metrics.torproject.org/rs.html#details/F4D08C507CB528A62DEDC4E67E8682FF82CB5925',
        },
        complaint: { complainant: {} },
        links: {},
        followup: {},
      });
    });

    test('turns line breaks and other control characters in values into single spaces', () => {
      const context = fullContext();
      context.complaint = { ...context.complaint!, subject: 'Abuse\r\nBcc: victim@example.com', reference: '\tCASE\u0000 7 ' };
      const view = buildView(context, NOW) as Record<string, Record<string, ViewValue>>;
      expect(view['complaint']).toMatchObject({ subject: 'Abuse Bcc: victim@example.com', reference: 'CASE 7' });
    });

    test.each<[string, (context: LetterContext) => void, string]>([
      ['a lowercase fingerprint', (c) => { c.relay = { ...c.relay, fingerprint: c.relay.fingerprint.toLowerCase() }; }, 'relay.fingerprint'],
      ['a fingerprint with spaces', (c) => { c.relay = { ...c.relay, fingerprint: 'F4D0 8C50 7CB5 28A6 2DED C4E6 7E86 82FF 82CB 5925' }; }, 'relay.fingerprint'],
      ['an applied time without a zone', (c) => { c.followup = { ...c.followup!, appliedAt: '2025-11-20T14:03:05' }; }, 'followup.appliedAt'],
      ['an applied time with an offset instead of UTC', (c) => { c.followup = { ...c.followup!, appliedAt: '2025-11-20T14:03:05+01:00' }; }, 'followup.appliedAt'],
      ['an applied time that is not a time', (c) => { c.followup = { ...c.followup!, appliedAt: 'yesterday' }; }, 'followup.appliedAt'],
      ['an event time in another format', (c) => { c.complaint = { ...c.complaint!, eventTime: 'Nov 18 21:14:05' }; }, 'complaint.eventTime'],
      ['a received date that does not exist', (c) => { c.complaint = { ...c.complaint!, receivedAt: '2025-13-01' }; }, 'complaint.receivedAt'],
      ['braces in a value', (c) => { c.complaint = { ...c.complaint!, subject: 'hello {{relay.nickname}}' }; }, 'complaint.subject'],
      ['braces in a signature line', (c) => { c.operator = { ...c.operator, signature: ['}} x'] }; }, 'operator.signature[0]'],
      ['a relay address ExoneraTor cannot look up', (c) => { c.complaint = { ...c.complaint!, relayAddress: 'relay.example.org' }; }, 'complaint.relayAddress'],
      ['a check time with an offset instead of UTC', (c) => { c.followup = { ...c.followup!, verification: { ...VERIFIED, verifiedAt: '2025-11-27T15:00:00+01:00' } }; }, 'followup.verification.verifiedAt'],
      ['a check before the change took effect', (c) => { c.followup = { ...c.followup!, verification: { ...VERIFIED, verifiedAt: '2025-11-20T14:03:04Z' } }; }, 'followup.verification.verifiedAt'],
      ['a check of a change that is not applied', (c) => { c.followup = { ...c.followup!, appliedAt: null, verification: VERIFIED }; }, 'followup.verification.verifiedAt'],
      ['braces in a checked destination', (c) => { c.followup = { ...c.followup!, verification: { ...VERIFIED, destinations: ['{{x}}'] } }; }, 'followup.verification.destinations[0]'],
    ])('refuses %s', (_name, change, field) => {
      const context = fullContext();
      change(context);
      expect(() => buildView(context, NOW)).toThrow(expect.objectContaining({ code: 'LETTER_BAD_VALUE', field }));
    });
  });

  describe('#utcDate / #utcTime', () => {
    test('print UTC whatever the local zone', () => {
      const time = new Date('2025-03-30T01:59:59.900Z');
      expect(utcDate(time)).toBe('2025-03-30');
      expect(utcTime(time)).toBe('2025-03-30 01:59:59 UTC');
    });
  });
});
