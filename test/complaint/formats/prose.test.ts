import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { declaredZone, innermostForward, readProse, withoutWhois, type ProseBlock } from '../../../src/complaint/formats/prose.js';
import type { ReadContext } from '../../../src/complaint/report.js';
import type { Destination } from '../../../src/complaint/types.js';

const ctx: ReadContext = {
  part: 'mail',
  time: { reference: new Date('2024-03-10T12:00:00Z'), defaultZone: { zone: { offsetMinutes: 60 }, basis: 'assumed', why: 'mail zone' } },
};
const block = (text: string, filename: string | null = null): ProseBlock => ({ label: 'part 1', text, filename });
const show = (d: Destination): string => `${d.address ?? '*'}:${d.ports.join(',') || '*'}${d.protocol ? `/${d.protocol}` : ''}`;
const read = (text: string, subject: string | null = null) => readProse([block(text)], subject, ctx);

describe('complaint/formats/prose', () => {
  describe('#declaredZone', () => {
    test.each([
      ['Note: Local timezone is +0100 (CET)', { offsetMinutes: 60 }],
      ['recognized in the timespan ... (timezone is UTC+0200).', { offsetMinutes: 120 }],
      ['(any times given in the logs are in UTC)', { offsetMinutes: 0 }],
      ['Note that all dates and times are in Amsterdam timezone', { iana: 'Europe/Amsterdam' }],
      ['All timestamps are in Central European Time (Berlin).', { iana: 'Europe/Berlin' }],
      ['the time they were most recently seen attacking in UTC.', { offsetMinutes: 0 }],
      ['Nothing about zones here.', null],
    ])('%j → %j', (text, zone) => {
      expect(declaredZone(text)?.zone ?? null).toEqual(zone);
    });
  });

  describe('#withoutWhois', () => {
    test('drops comment lines and aligned whois records, keeps prose', () => {
      expect(withoutWhois('Dear team,\n# Copyright 1997-2019, ARIN\nNetRange:       5.0.0.0 - 5.255.255.255\n% RIPE\n> # quoted comment\nbrute force from 1.2.3.4\n')).toBe('Dear team,\nbrute force from 1.2.3.4\n');
    });
  });

  describe('#readProse cues', () => {
    test('flow lines give one incident per line with source port, destination, protocol and time', () => {
      const r = read('TIME (UTC)           SRC         SRC-PORT -> DST          DST-PORT SIZE PROT\n2024-04-12 06:22:17  192.0.2.46 59547 ->    203.0.113.19 28015   64 TCP\n2024-04-12 06:22:24  192.0.2.46 36999 ->    203.0.113.84 28015   64 TCP\n', 'Netscan from 192.0.2.46');
      expect(r.report.incidents.map((i) => [i.source?.address, i.source?.port, i.destinations.map(show), i.times.map((t) => [t.utc, t.zone])])).toEqual([
        ['192.0.2.46', 59547, ['203.0.113.19:28015/tcp'], [['2024-04-12T06:22:17Z', 'declared']]],
        ['192.0.2.46', 36999, ['203.0.113.84:28015/tcp'], [['2024-04-12T06:22:24Z', 'declared']]],
      ]);
    });

    test.each([
      ['2021-08-20T03:06:37-04:00   192.0.2.70:48667     198.51.100.141:22       TCP      SYN', '198.51.100.141:22/tcp'],
      ['192.0.2.22:5148 > 198.51.100.154:5060', '198.51.100.154:5060'],
      ['Jun 16 04:33:39 fw kernel: IN: SRC=192.0.2.118 DST=#HOSTIP# LEN=60 PROTO=TCP SPT=37504 DPT=9090 WINDOW=1', '*:9090/tcp'],
      ['Sep 22 01:20:17 mx dovecot: imap-login: Disconnected: rip=192.0.2.22, lip=198.51.100.25, TLS', '198.51.100.25:*'],
    ])('flow %j → %s', (line, destination) => {
      expect(read(line).report.incidents.flatMap((i) => i.destinations).map(show)).toEqual([destination]);
    });

    test('a pipe table gives a source per row, times in the zone its header names', () => {
      const r = read('+---+---+\n| Infected Server | Last Seen (UTC)  |\n+---+---+\n| 192.0.2.196   | 2021-11-04 10:00 |\n| 192.0.2.179  | 2021-11-03 11:18 |\n+---+---+\n');
      expect(r.report.incidents.map((i) => [i.source?.address, i.times.map((t) => [t.role, t.utc, t.zone])])).toEqual([
        ['192.0.2.196', [['last-seen', '2021-11-04T10:00:00Z', 'declared']]],
        ['192.0.2.179', [['last-seen', '2021-11-03T11:18:00Z', 'declared']]],
      ]);
    });

    test('a CSV block in the text is read row by row', () => {
      const r = read('Logs:\nIP,timestamp(UTC+0),source_port,destination_port\n192.0.2.109,2021-03-12T19:49:25.314000,42306,62223\n192.0.2.109,2021-03-12T19:49:35.330000,48838,62223\n\nRegards');
      expect(r.report.incidents).toHaveLength(2);
      expect(r.report.incidents.flatMap((i) => i.destinations).map(show)).toEqual(['*:62223', '*:62223']);
    });

    test('an attached HTTP request: its Host is the destination, the file name dates it', () => {
      const r = readProse([block('An IP address attacking a web application: 192.0.2.88'), block('GET /x HTTP/1.1\nHost: 198.51.100.105\nUser-Agent: x\n', 'request-1-2021-11-24T22:26:38+00:00.txt')], 'attack from 192.0.2.88', ctx);
      expect(r.report.incidents.map((i) => [i.source?.address, i.destinations.map(show), i.times.map((t) => t.utc)])).toEqual([['192.0.2.88', ['198.51.100.105:*/tcp'], ['2021-11-24T22:26:38Z']]]);
    });

    test('key lines: source, targeted range, port, time', () => {
      const r = read('Offending/Source IP:  192.0.2.13\n       - Time:  2015-09-25 22:14:33-07:00\n       - Port: 80\n       - Targeted Range:  198.51.100.0/24\n');
      expect(r.report.incidents.map((i) => [i.source?.address, i.destinations.map(show), i.times.map((t) => t.utc)])).toEqual([['192.0.2.13', ['198.51.100.0/24:80'], ['2015-09-26T05:14:33Z']]]);
    });

    test('"Date:", "Time:" and "Time Zone:" lines are read together', () => {
      const r = readProse([block('Date: 01/12/2019\nTime: 06:30:40\nTime Zone: America/Chicago\nSource(s): 192.0.2.22\n')], null, { ...ctx, time: { reference: new Date('2019-01-12T12:56:03Z') } });
      expect(r.report.incidents.map((i) => [i.source?.address, i.times.map((t) => t.utc)])).toEqual([['192.0.2.22', ['2019-01-12T12:30:40Z']]]);
    });

    test.each([
      ['We have detected abuse from the IP address ( 192.0.2.217 ), which', '192.0.2.217'],
      ['The IP 192.0.2.2 has just been banned by Fail2Ban after', '192.0.2.2'],
      ['One of your clients using the IP: 192.0.2.87, which is', '192.0.2.87'],
      ['We have detected your system with an IP of, 192.0.2.22, scanning', '192.0.2.22'],
      ['your Server/Customer with the IP: *192.0.2.163* has attacked', '192.0.2.163'],
      ['Email from 192.0.2.219 / Mon, 12 Sep 2016 08:55:12 -0500', '192.0.2.219'],
      ['the IP address \'192.0.2.221\', which belongs to your address space', '192.0.2.221'],
    ])('source phrase %j → %s', (text, address) => {
      expect(read(text).report.incidents.map((i) => i.source?.address)).toEqual([address]);
    });

    test('an address named as the attacked system is a destination, never a source', () => {
      const r = read("the IP address '192.0.2.221' has been used for network abuse against one of our monitored systems (IP: 198.51.100.16). Attacks were recognized in the timespan: 04.06.2020 04:03:31 - 04.06.2020 04:05:00 (timezone is UTC+0200).");
      expect(r.report.incidents.map((i) => [i.source?.address, i.destinations.map(show), i.times.map((t) => [t.role, t.utc])])).toEqual([
        ['192.0.2.221', ['198.51.100.16:*'], [['first-seen', '2020-06-04T02:03:31Z'], ['last-seen', '2020-06-04T02:05:00Z']]],
      ]);
    });

    test('"our server: host - IPv4: a / IPv6: b" names both destinations', () => {
      const r = read('One of your clients using the IP: 192.0.2.94, has abused/attacked one of our server:\nhera.example - IPv4: 198.51.100.25 / IPv6: 2001:db8:262:47c1::2\n');
      expect(r.report.incidents.flatMap((i) => i.destinations).map(show)).toEqual(['198.51.100.25:*', '2001:db8:262:47c1::2:*']);
    });

    test('fail2ban: syslog lines of the accused address, dated with the stated zone and the mail year', () => {
      const r = read('We have detected abuse from the IP address ( 192.0.2.5 ).\nNote: Local timezone is +0100 (CET)\nMar 10 03:01:02 mail sshd[1]: Invalid user x from 192.0.2.5 port 4000\nMar 10 03:01:09 mail sshd[1]: unrelated line\n', 'Abuse from 192.0.2.5');
      expect(r.fail2ban).toBe(true);
      expect(r.report).toMatchObject({ format: 'fail2ban', category: 'brute-force', reportType: 'sshd' });
      expect(r.report.incidents[0]?.times.map((t) => [t.utc, t.zone])).toEqual([['2024-03-10T02:01:02Z', 'declared']]);
    });

    test('a "generated at" time with a zone dates the log lines of the same report', () => {
      const r = read('This is an automatic email abuse report about the IP address 192.0.2.34 generated at Fri Jul  5 12:13:09 UTC 2019\nJul  5 12:09:09 h sshd[1]: Invalid user a from 192.0.2.34 port 1\n');
      expect(r.report.incidents[0]?.times.map((t) => [t.role, t.utc, t.zone])).toEqual([
        ['event', '2019-07-05T12:09:09Z', 'declared'],
        ['report', '2019-07-05T12:13:09Z', 'explicit'],
      ]);
    });

    test('a subject address is the source when the text names none', () => {
      expect(read('please look into this', 'Complaint about 192.0.2.44').report.incidents.map((i) => i.source?.address)).toEqual(['192.0.2.44']);
    });

    test('forwarded header blocks are recorded only under a forward marker', () => {
      const r = read('Begin forwarded message:\n\n> From: "Reporter" <r@example.org>\n> Date: Tue, 5 Mar 2024 11:30:00 +0100\n> Subject: scan\n>\n> abuse from the IP address 192.0.2.1\n\n[ Offending message ]\nFrom: spammer@example.net\nSubject: buy\nDate: Mon, 4 Mar 2024 10:00:00 +0000\n');
      expect(r.forwarded.map((f) => f.from)).toEqual(['"Reporter" <r@example.org>']);
      expect(innermostForward(r.forwarded)?.depth).toBe(1);
      expect(r.report.incidents.flatMap((i) => i.times)).toEqual([]);
    });

    test('whois output does not decide the category', () => {
      expect(read('abuse from the IP address 192.0.2.1\n# Copyright 1997-2019, ARIN\n').report.category).toBeNull();
    });

    test('never throws on arbitrary text', () => {
      fc.assert(fc.property(fc.string({ maxLength: 600 }), fc.option(fc.string({ maxLength: 80 })), (text, subject) => {
        readProse([block(text)], subject, ctx);
      }), { numRuns: 300 });
    });
  });
});
