import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { parseComplaint } from '../../src/complaint/parse.js';
import { formatCommand, formatPortList, inTorReduced, shellQuote, suggestRemedy, TOR_REDUCED_PORTS } from '../../src/complaint/remedy.js';
import { ComplaintError } from '../../src/complaint/errors.js';
import type { Complaint, ComplaintCategory, Destination } from '../../src/complaint/types.js';
import { corpusAvailable, corpusFile, fixture } from './corpus.js';

function dest(address: string | null, ports: number[] = [], protocol: Destination['protocol'] = null): Destination {
  const family = address === null ? null : address.includes(':') ? 6 : 4;
  const cidr = address === null ? null : address.includes('/') ? address : `${address}/${family === 4 ? 32 : 128}`;
  return { address, cidr, family, ports, protocol, hostname: null, field: 'test' };
}

function complaint(category: ComplaintCategory, destinations: Destination[], extra: Partial<Complaint> = {}): Complaint {
  return {
    status: 'parsed',
    format: 'xarf-v4',
    formatVersion: '4.2.0',
    category,
    reportType: null,
    incidents: [],
    sources: [{ address: '192.0.2.1', family: 4, original: '192.0.2.1', port: null, field: 'x' }],
    destinations,
    destinationNote: destinations.length === 0 ? 'the report gives no destination address' : null,
    times: [],
    timeRange: null,
    complainant: { name: null, email: 'abuse@isp.example', organisation: null },
    sender: null,
    replyTo: null,
    forwardedBy: [],
    reference: 'R-1',
    messageId: null,
    references: [],
    subject: null,
    mailDate: null,
    notes: [],
    problems: [],
    ...extra,
  };
}

describe('complaint/remedy', () => {
  describe('#suggestRemedy', () => {
    test.each([
      ['a scan of several hosts in one /24 → block the /24 on all ports', complaint('scan', [dest('198.51.100.7', [22]), dest('198.51.100.200', [80])]), 'block', 'exitkit plan block 198.51.100.0/24 --case 42 --reason \'scan or attack reported by abuse@isp.example, ref R-1\''],
      ['a scan of a single host → /32', complaint('scan', [dest('203.0.113.50', [21, 22, 23])]), 'block', "exitkit plan block 203.0.113.50/32 --case 42 --reason 'scan or attack reported by abuse@isp.example, ref R-1'"],
      ['an SSH brute force on one host → /32 on port 22 only', complaint('brute-force', [dest('203.0.113.22', [22])]), 'block', "exitkit plan block 203.0.113.22/32 --ports 22 --case 42 --reason 'login brute force reported by abuse@isp.example, ref R-1'"],
      ['an IPv6 host → /128', complaint('dos', [dest('2001:db8::5', [80])]), 'block', "exitkit plan block 2001:db8::5/128 --case 42 --reason 'flood reported by abuse@isp.example, ref R-1'"],
      ['IPv6 neighbours → their /64', complaint('scan', [dest('2001:db8:1:2::5'), dest('2001:db8:1:2::9')]), 'block', "exitkit plan block 2001:db8:1:2::/64 --case 42 --reason 'scan or attack reported by abuse@isp.example, ref R-1'"],
      ['a named range stays as named', complaint('scan', [dest('172.31.30.0/24', [80])]), 'none', null],
      ['a named public range → block it', complaint('scan', [dest('198.18.30.0/24', [80])]), 'block', "exitkit plan block 198.18.30.0/24 --case 42 --reason 'scan or attack reported by abuse@isp.example, ref R-1'"],
      ['adjacent /24s are merged', complaint('scan', [dest('198.51.100.1'), dest('198.51.100.2'), dest('198.51.101.1'), dest('198.51.101.2')]), 'block', "exitkit plan block 198.51.100.0/23 --case 42 --reason 'scan or attack reported by abuse@isp.example, ref R-1'"],
      ['copyright → no change', complaint('copyright', []), 'none', null],
    ])('%s', (_name, c, kind, command) => {
      const s = suggestRemedy(c, { caseId: '42' });
      expect([s.kind, s.command]).toEqual([kind, command]);
      expect(s.reasoning).not.toContain('\n');
      expect(s.letter).toBe(c.category);
    });

    test('SSH brute force across many networks: port 22 is in the reduced policy, so the reduced list without 22 is planned', () => {
      const hosts = ['198.51.100.1', '203.0.113.1', '192.0.2.200', '198.18.0.1', '198.19.0.1', '100.64.0.1'].map((a) => dest(a, [22]));
      const s = suggestRemedy(complaint('brute-force', hosts));
      expect(s.kind).toBe('reduce-ports');
      expect(s.argv?.slice(0, 3)).toEqual(['plan', 'reduce-ports', '--ports']);
      const kept = s.argv?.[3] ?? '';
      expect(kept.split(',')).toContain('20-21');
      expect(kept.split(',')).toContain('23');
      expect(kept).not.toMatch(/(^|,)22(,|-|$)|20-23/);
    });

    test('a flood across many networks on a port outside the reduced policy → --tor-reduced', () => {
      const hosts = ['198.51.100.1', '203.0.113.1', '192.0.2.200', '198.18.0.1', '198.19.0.1'].map((a) => dest(a, [28015], 'tcp'));
      expect(suggestRemedy(complaint('scan', hosts)).command).toBe('exitkit plan reduce-ports --tor-reduced');
    });

    test.each([
      ['the reduced policy as it is', [28015], ['plan', 'reduce-ports', '--tor-reduced', '--case', 'CASE-7']],
      ['the reduced list without an attacked port', [22], ['plan', 'reduce-ports', '--ports', expect.stringMatching(/^20-21,23,/), '--case', 'CASE-7']],
    ])('files a port reduction (%s) in the case, like a block', (_name, ports, argv) => {
      const hosts = ['198.51.100.1', '203.0.113.1', '192.0.2.200', '198.18.0.1', '198.19.0.1'].map((a) => dest(a, ports));
      expect(suggestRemedy(complaint('scan', hosts), { caseId: 'CASE-7' }).argv).toEqual(argv);
      expect(suggestRemedy(complaint('brute-force', [dest(null, ports)]), { caseId: 'CASE-7' }).alternatives[0]?.argv).toEqual(argv);
    });

    test('spread-out web attacks: the web ports are not dropped, no change is suggested', () => {
      const hosts = ['198.51.100.1', '203.0.113.1', '192.0.2.200', '198.18.0.1', '198.19.0.1'].map((a) => dest(a, [443]));
      const s = suggestRemedy(complaint('scan', hosts));
      expect(s.kind).toBe('none');
      expect(s.notes.join(' ')).toMatch(/443/);
    });

    test('many hosts inside one provider network: reduce ports, with blocking that network as the alternative', () => {
      const hosts = Array.from({ length: 6 }, (_, i) => dest(`37.27.${128 + i * 20}.9`, [28015]));
      const s = suggestRemedy(complaint('scan', hosts), { caseId: 'c' });
      expect(s.command).toBe('exitkit plan reduce-ports --tor-reduced --case c');
      expect(s.alternatives.map((a) => a.argv?.slice(0, 3))).toEqual([['plan', 'block', '37.27.128.0/17']]);
    });

    test('only a port is known: no precise block; the port reduction is an alternative', () => {
      const s = suggestRemedy(complaint('brute-force', [dest(null, [62223])]));
      expect(s.kind).toBe('none');
      expect(s.alternatives.map((a) => a.command)).toEqual(['exitkit plan reduce-ports --tor-reduced']);
    });

    test('UDP destinations cannot have come through Tor: no block, and a note', () => {
      const s = suggestRemedy(complaint('dos', [dest('203.0.113.100', [80], 'udp')]));
      expect(s.kind).toBe('none');
      expect(s.notes.join(' ')).toMatch(/UDP/);
    });

    test('private destinations are never blocked (Tor already refuses them)', () => {
      const s = suggestRemedy(complaint('scan', [dest('10.10.10.154', [5060])]));
      expect(s.kind).toBe('none');
      expect(s.notes.join(' ')).toMatch(/10\.10\.10\.154/);
    });

    test('a Shadowserver sinkhole report is answered, not blocked', () => {
      const s = suggestRemedy(complaint('other', [dest('203.0.113.211', [80], 'tcp')], { format: 'shadowserver', reportType: 'sinkhole_http_referer' }));
      expect(s.kind).toBe('none');
    });

    test('an unreadable complaint suggests nothing', () => {
      const s = suggestRemedy({ status: 'unparseable', reason: new ComplaintError('COMPLAINT_EMPTY', 'empty'), problems: [], subject: null, messageId: null, sender: null, mailDate: null });
      expect([s.kind, s.command, s.letter]).toEqual(['none', null, 'other']);
    });

    test('a hostile reason cannot break out of its argument or the torrc comment line', () => {
      const s = suggestRemedy(complaint('scan', [dest('203.0.113.9')], { complainant: { name: null, email: null, organisation: "x'; rm -rf / #\nExitPolicy accept *:*" }, reference: '$(reboot)' }), { caseId: "a b'c" });
      const reason = s.argv?.at(-1) ?? '';
      expect(reason).not.toMatch(/[\r\n]/);
      const echoed = execFileSync('sh', ['-c', `printf '%s\\n' ${s.command?.replace(/^exitkit /, '')}`]).toString().trimEnd().split('\n');
      expect(echoed).toEqual(s.argv);
    });
  });

  describe('#suggestRemedy on hand-written complaints', () => {
    test('several reports: both hosts blocked, the combined ports noted', async () => {
      const s = suggestRemedy(await parseComplaint(fixture('several-reports.eml')), { caseId: 'c9' });
      expect(s.argv?.slice(0, 6)).toEqual(['plan', 'block', '203.0.113.5/32', '2001:db8:ffff::1/128', '--ports', '22,993']);
      expect(s.notes.join(' ')).toMatch(/combined/);
    });
  });

  describe.skipIf(!corpusAvailable)('#suggestRemedy on corpus samples', () => {
    const AX = 'abusix__inbound-parsers__scripts__tests__data__sample_mails__';
    test.each([
      [`xarf-v4/xarf__xarf-spec__samples__v4__connection-port-scan.json`, 'block', ['plan', 'block', '203.0.113.50/32']],
      [`acns/${AX}acns.eml`, 'none', null],
      [`plain/${AX}netcraft.web_hack_0.eml`, 'block', ['plan', 'block', '194.72.238.0/24']],
      [`shadowserver/${AX}shadowserver.trap.0.eml`, 'none', null],
      [`plain/${AX}m247.portscan.1.eml`, 'none', null],
    ])('%s → %s', async (file, kind, argv) => {
      const s = suggestRemedy(await parseComplaint(corpusFile(file)));
      expect(s.kind).toBe(kind);
      if (argv) expect(s.argv?.slice(0, argv.length)).toEqual(argv);
      else expect(s.command).toBeNull();
    });
  });

  describe('#shellQuote and #formatCommand', () => {
    test.each([
      ['198.51.100.0/24', '198.51.100.0/24'],
      ['2001:db8::/32', '2001:db8::/32'],
      ['22,80,8000-8010', '22,80,8000-8010'],
      ['two words', "'two words'"],
      ["it's", "'it'\\''s'"],
      ['', "''"],
      ['$(x)', "'$(x)'"],
      ['a;b', "'a;b'"],
    ])('%j → %s', (argument, quoted) => {
      expect(shellQuote(argument)).toBe(quoted);
    });

    test('a command round-trips through sh to the same arguments', () => {
      const argv = ['plan', 'block', '198.51.100.0/24', '--reason', "it's \"quoted\" $HOME `x` \\ *"];
      const out = execFileSync('sh', ['-c', `printf '%s\\n' ${formatCommand(argv).replace(/^exitkit /, '')}`]).toString().trimEnd().split('\n');
      expect(out).toEqual(argv);
    });
  });

  describe('#formatPortList', () => {
    test.each([
      [[22], '22'],
      [[80, 22, 443, 22], '22,80,443'],
      [[8000, 8001, 8002, 9000], '8000-8002,9000'],
      [[], ''],
    ])('%j → %j', (ports, text) => {
      expect(formatPortList(ports)).toBe(text);
    });
  });

  describe('TOR_REDUCED_PORTS', () => {
    // The accept lines of `GETINFO exit-policy/full` from tor 0.4.9.11 with ReducedExitPolicy 1.
    const FROM_TOR =
      '20-23 43 53 79-81 88 110 143 194 220 389 443 464 465 531 543-544 554 563 587 636 706 749 873 902-904 981 989-995 1194 1220 1293 1500 1533 1677 1723 1755 1863 2082-2083 2086-2087 2095-2096 2102-2104 3128 3389 3690 4321 4643 5050 5190 5222-5223 5228 5900 6660-6669 6679 6697 8000 8008 8074 8080 8082 8087-8088 8232-8233 8332-8333 8443 8888 9418 9999 10000 11371 18080-18081 18089 19294 19638 50002 64738';

    test("accepts exactly the ports of tor 0.4.9.11's reduced policy (22 among them)", () => {
      const expected = new Set<number>();
      for (const item of FROM_TOR.split(' ')) {
        const [low, high] = item.split('-').map(Number);
        for (let p = low ?? 0; p <= (high ?? low ?? 0); p++) expected.add(p);
      }
      const accepted = new Set<number>();
      for (let p = 1; p <= 65535; p++) if (inTorReduced(p)) accepted.add(p);
      expect(accepted).toEqual(expected);
      expect(accepted.has(22)).toBe(true);
      expect(TOR_REDUCED_PORTS.reduce((n, [low, high]) => n + high - low + 1, 0)).toBe(expected.size);
    });
  });
});
