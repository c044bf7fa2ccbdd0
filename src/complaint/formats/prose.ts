/**
 * Complaints written as text: fail2ban and blocklist-style reports, abuse desks' own letters,
 * and ISPs' forwards of them. There is no schema, so everything here is a named cue: a phrase
 * or line shape that says what an address or time is. An address no cue explains is not used;
 * in particular an address is never taken as a destination unless the text says it was the
 * target.
 *
 * Cues, in the order they are tried:
 *   quoting      leading ">" markers are removed; forwarded header blocks ("From:", "Date:",
 *                "Subject:" runs) are recorded and their lines skipped
 *   zones        "Local timezone is +0100", "(timezone is UTC+0200)", "times ... are in UTC",
 *                "... in Amsterdam timezone", a table header "TIME (UTC)"
 *   flows        one event per line: "SRC:port DST:port", "SRC port -> DST port",
 *                iptables "SRC=a DST=b ... DPT=p", dovecot "rip=a, lip=b"
 *   tables       "| 93.107.46.196 | 2021-11-04 10:00 |" under a header naming the columns
 *   CSV blocks   a comma-separated header with an address and a timestamp column, then rows
 *   HTTP         evidence parts holding a request: its Host header is the destination
 *   key lines    "Source IP: a", "Targeted Range: n", "Port: p", "Time: t", "Date:/Time:/Time Zone:"
 *   phrases      "abuse from the IP address ( a )", "monitored systems (IP: b)", "IPv4: b / IPv6: c",
 *                "generated at t", "Email from a / t", "timespan: t1 - t2"
 *   log lines    syslog-stamped lines naming an accused address give event times
 */
import { findIps, parseIp, parseNetwork } from '../address.js';
import { categoryFromText } from '../category.js';
import { emptyReport, makeDestination, makeIncident, makeSource, makeTime, readPort, readProtocol, type ReadContext, type Report } from '../report.js';
import { explicitZone, parseTime, parseZone, type EventTime, type TimeContext, type Zone } from '../time.js';
import type { ComplaintCategory, Destination, Incident, ReportedSource } from '../types.js';
import { readEventCsv, isEventCsvHeader } from './shadowserver.js';

/** A text to read, with where it came from. */
export interface ProseBlock {
  /** Label of the part or file. */
  readonly label: string;
  /** Decoded text. */
  readonly text: string;
  /** File name of the part, when it has one. */
  readonly filename: string | null;
}

/** A forwarded message's header block found inside the text. */
export interface ForwardedHeader {
  /** The From line's value. */
  readonly from: string | null;
  /** The Date (or Sent) line's value. */
  readonly date: string | null;
  /** The Subject line's value. */
  readonly subject: string | null;
  /** How many `>` levels deep it was quoted. */
  readonly depth: number;
  /** Block it was found in. */
  readonly label: string;
}

/** What the prose reader found. */
export interface ProseResult {
  /** The report (`fail2ban` or `plain`). */
  readonly report: Report;
  /** Forwarded header blocks, in text order. */
  readonly forwarded: readonly ForwardedHeader[];
  /** Whether the text looked like a fail2ban / blocklist report. */
  readonly fail2ban: boolean;
}

const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IPV6 = String.raw`\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?\]?`;
const IP = `(?:${IPV4}|${IPV6})`;
// An address token ends where a host name or longer number would continue it.
const END = String.raw`(?![\w-]|\.\w)`;

/** One line of a block, quote markers removed. */
interface Line {
  readonly text: string;
  readonly depth: number;
  readonly index: number;
}

function unquote(text: string): Line[] {
  return text.split('\n').map((raw, index) => {
    const m = /^((?:[ \t]*>)+)[ \t]?/.exec(raw);
    const depth = m ? (m[1]?.match(/>/g)?.length ?? 0) : 0;
    return { text: (m ? raw.slice(m[0].length) : raw).replace(/\r$/, '').replace(/^\uFEFF/, ''), depth, index };
  });
}

// header-block ::= 2*header-line with one of From/Subject among them
const MAIL_HEADER = /^(From|To|Cc|Subject|Date|Sent|Reply-To|Message-ID|Received|Return-Path|MIME-Version|Content-Type|X-[A-Za-z-]+)\s*:/i;

// Lines that introduce a forwarded message in the clients and languages seen in complaints.
const FORWARD_MARKER = /^\s*(?:-{2,}\s*(?:Original Message|Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Ursprüngliche Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato)\s*-{2,}|Begin forwarded message:?|Anfang der weitergeleiteten Nachricht:?|-{3,}\s*Forwarded by .*|-{5,}\s*$)/i;

/**
 * Finds mail header blocks in the text and returns the line indexes they cover. A block counts
 * as a forwarded message (`forwarded`) only when a forward marker ("Begin forwarded message:",
 * "-----Original Message-----") stands just above it; other header blocks (a spam sample quoted
 * in a report) are skipped by the other cues but say nothing about who complains.
 */
function headerBlocks(lines: readonly Line[], label: string): { blocks: ForwardedHeader[]; covered: Set<number> } {
  const blocks: ForwardedHeader[] = [];
  const covered = new Set<number>();
  let i = 0;
  while (i < lines.length) {
    if (!MAIL_HEADER.test(lines[i]?.text ?? '')) {
      i++;
      continue;
    }
    let j = i;
    const fields = new Map<string, string>();
    while (j < lines.length) {
      const line = lines[j]?.text ?? '';
      const m = MAIL_HEADER.exec(line);
      if (m) {
        const key = (m[1] ?? '').toLowerCase();
        if (!fields.has(key)) fields.set(key, line.slice(m[0].length).trim());
        j++;
      } else if (/^[ \t]+\S/.test(line) && j > i) {
        j++; // folded continuation
      } else break;
    }
    if (j - i >= 2 && (fields.has('from') || fields.has('subject'))) {
      for (let k = i; k < j; k++) covered.add(k);
      const above = lines.slice(Math.max(0, i - 3), i).filter((l) => l.text.trim() !== '');
      if (above.some((l) => FORWARD_MARKER.test(l.text))) blocks.push({
        from: fields.get('from') ?? null,
        date: fields.get('date') ?? fields.get('sent') ?? null,
        subject: fields.get('subject') ?? null,
        depth: lines[i]?.depth ?? 0,
        label,
      });
    }
    i = Math.max(j, i + 1);
  }
  return { blocks, covered };
}

/** Finds a statement of the time zone in a text. */
export function declaredZone(text: string): { zone: Zone; why: string } | null {
  const flat = text.replace(/\s+/g, ' ');
  let m = /Local timezone is ([+-]\d{2}:?\d{2})/i.exec(flat);
  if (m) {
    const zone = parseZone(m[1] ?? '');
    if (zone) return { zone, why: `the report says "${m[0]}"` };
  }
  m = /time ?zone is ((?:UTC|GMT)\s*[+-]?\s*\d{0,4}|[+-]\d{2}:?\d{2}|[A-Z]{2,5})\b/i.exec(flat);
  if (m) {
    const zone = parseZone((m[1] ?? '').replace(/\s+/g, ''));
    if (zone) return { zone, why: `the report says "${m[0]}"` };
  }
  m = /\b(?:times?|timestamps?|dates and times)\b[^.()]{0,60}?\bin (UTC|GMT)\b/i.exec(flat);
  if (m) return { zone: { offsetMinutes: 0 }, why: `the report says "${m[0]}"` };
  m = /\b(?:times?|timestamps?|dates and times)\b[^.]{0,60}?\bin ([A-Z][a-z]+(?: [A-Z][a-z]+)?) ?time ?zone\b/.exec(flat);
  const city = m?.[1] ?? /\b(?:times?|timestamps?)\b[^.]{0,60}?\bin [A-Za-z ]*Time \(([A-Z][a-z]+)\)/.exec(flat)?.[1];
  if (city) {
    for (const area of ['Europe', 'America', 'Asia', 'Africa', 'Australia']) {
      const zone = parseZone(`${area}/${city.replace(/ /g, '_')}`);
      if (zone) return { zone, why: `the report says its times are in ${city} time` };
    }
  }
  return null;
}

/** A zone written in a table header cell or line, e.g. "TIME (UTC)", "Last Seen (UTC)". */
function headerZone(text: string): Zone | null {
  const m = /\b(?:time|date|timestamp|seen)[^()|]{0,20}\(([^)]{1,20})\)/i.exec(text);
  return m ? parseZone(m[1] ?? '') : null;
}

// Times at the start of a log or table line: ISO, "YYYY-MM-DD HH:MM[:SS]", or syslog, optionally
// after a file name prefix such as "/var/log/mail.info:".
const LINE_TIME = /^(?:\S{1,200}\.(?:log|info|warn|err)\S{0,50}:)?\s*(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2})/;

const FLOW_COLON = new RegExp(`(${IP})[:.](\\d{1,5})${END}(?:\\s*(?:->|=>|>|→)\\s*|\\s+)(${IP})[:.](\\d{1,5})${END}`);
const FLOW_ARROW = new RegExp(`(${IP})\\s+(\\d{1,5})\\s*->\\s*(${IP})\\s+(\\d{1,5})\\b`);
const FLOW_IPTABLES = /\bSRC=(\S+)\s+DST=(\S+)(?:.*?\bPROTO=(\w+))?(?:.*?\bSPT=(\d+))?(?:.*?\bDPT=(\d+))?/;
const FLOW_DOVECOT = new RegExp(`\\brip=(${IP}),\\s*lip=(${IP})${END}`);

interface Flow {
  source: string;
  sourcePort: string | null;
  destination: string | null;
  port: string | null;
  protocol: string | null;
  kind: string;
}

function readFlow(line: string): Flow | null {
  let m = FLOW_IPTABLES.exec(line);
  if (m) return { source: m[1] ?? '', sourcePort: m[4] ?? null, destination: m[2] ?? null, port: m[5] ?? null, protocol: m[3] ?? null, kind: 'iptables log line' };
  m = FLOW_ARROW.exec(line);
  if (m) return { source: m[1] ?? '', sourcePort: m[2] ?? null, destination: m[3] ?? null, port: m[4] ?? null, protocol: /\b(TCP|UDP|ICMP)\b/i.exec(line)?.[1] ?? null, kind: 'flow line' };
  m = FLOW_COLON.exec(line);
  if (m) return { source: m[1] ?? '', sourcePort: m[2] ?? null, destination: m[3] ?? null, port: m[4] ?? null, protocol: /\b(TCP|UDP|ICMP)\b/i.exec(line)?.[1] ?? null, kind: 'flow line' };
  m = FLOW_DOVECOT.exec(line);
  if (m) return { source: m[1] ?? '', sourcePort: null, destination: m[2] ?? null, port: null, protocol: null, kind: 'log line (rip=/lip=)' };
  return null;
}

// Key lines: "Source IP: a", "- Targeted Range: n", "Port: 80", "Time: ...".
const KEY_LINE = /^[\s\-*•]*([A-Za-z][A-Za-z ()/'-]{0,40}?)\s*:\s+(\S.*)$/;
const SOURCE_KEYS = /^(?:offending(?:\/source)? ip|source ip(?: address)?|source\(s\)|sources?|ip of the attacker|attacker(?:'s)? ip|infringer'?s ip address|peer ip address|ip-(?:number|nummer)|malicious ?ip|reported ip|offending ip|abusive ip|hostname or ip|ip(?: address)?)$/i;
const DESTINATION_KEYS = /^(?:targeted[ -]range|target(?:ed)?(?: ip| host| server| range| system)?s?|destination(?: ip| address| host)?|dst(?: ip)?|victim(?: ip)?|attacked (?:ip|host|server|system)|hosts?)$/i;
const PORT_KEYS = /^(?:port|ports|destination port|dst port|target port|attacked port)$/i;
const TIME_KEYS = /^(?:time|timestamp|date|date\/time|event time|first seen|last seen|initial infringement timestamp|case initiated|attack time|incident time)$/i;

// Phrases naming the accused address in running text (whitespace collapsed).
const SOURCE_PHRASES: readonly RegExp[] = [
  new RegExp(`\\b(?:about|from|regarding|for|of) (?:the |your )?IP(?: address)?\\s*[('"*:]*\\s*(${IP})${END}`, 'gi'),
  new RegExp(`\\bthe IP(?: address)?\\s+['"*]?(${IP})${END}['"*]?,?\\s+(?:has|is|which|was)\\b`, 'gi'),
  new RegExp(`\\busing the IP:?\\s*(${IP})${END}`, 'gi'),
  new RegExp(`\\bwith an IP of,?\\s*(${IP})${END}`, 'gi'),
  new RegExp(`\\bIP(?: address)?:?\\s*\\*(${IP})\\*`, 'gi'),
  new RegExp(`\\bEmail from (${IP})${END}`, 'gi'),
  new RegExp(`\\boriginating from the following IP address(?:es)?:?\\s*(${IP})${END}`, 'gi'),
  new RegExp(`\\b(?:attacks?|scan|netscan|abuse|traffic|connections?) from (?:IP )?(${IP})${END}`, 'gi'),
  new RegExp(`\\bbanned (?:IP )?(${IP})${END}`, 'gi'),
];
// Phrases naming the target. Only explicit ones: "monitored systems (IP: b)", "our server:
// host - IPv4: b / IPv6: c".
const DESTINATION_PHRASES: readonly RegExp[] = [
  new RegExp(`\\b(?:monitored|attacked|targeted|target|victim)\\b[^()]{0,40}?\\(\\s*IP(?:v[46])?\\s*:\\s*(${IP})${END}\\s*\\)`, 'gi'),
  new RegExp(`\\b(?:attacked|abused)\\b[^]{0,60}?\\bour (?:server|system|host|machine)s?\\b[^]{0,80}?\\bIPv4:\\s*(${IPV4})${END}(?:\\s*\\/\\s*IPv6:\\s*(${IPV6}))?`, 'gi'),
];
const GENERATED_AT = /\bgenerated (?:at|on) ((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[^\n,]{10,40}?\d{4}|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)/i;
const EMAIL_FROM_TIME = new RegExp(`\\bEmail from ${IP} \\/ ([^\\n]{10,40}?[+-]\\d{4})`, 'i');
const TIMESPAN = /\btimespan:?\s*(\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}(?::\d{2})?)\s*-\s*(\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}(?::\d{2})?)/i;
const OBSERVED_AT = /\blast observed [^.]{0,80}? at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?(?: UTC)?)/i;
const HTTP_REQUEST = /^(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT) \S+ HTTP\/\d/;

// fail2ban's own templates (complain, mail-whois-lines) and blocklist-style notices.
const FAIL2BAN_MARKERS = /\bfail2ban\b|Excerpt from log for|Local timezone is [+-]\d{4}|has just been banned|\bbanned by\b|\babuse report about the IP address \S+ generated at\b|\bintrusion (?:\w+ )?attempts were detected\b/i;

/** Mutable accumulation while reading. */
interface Accumulator {
  readonly sources: Map<string, ReportedSource>;
  readonly incidents: Incident[];
  readonly destinations: Destination[];
  readonly ports: number[];
  readonly times: EventTime[];
  readonly eventTimes: EventTime[];
}

/** Reads complaint text. `subject` is the mail's (or forwarded mail's) subject. */
export function readProse(blocks: readonly ProseBlock[], subject: string | null, ctx: ReadContext): ProseResult {
  const allText = blocks.map((b) => b.text).join('\n');
  const fail2ban = FAIL2BAN_MARKERS.test(allText) || /\bfail2ban\b/i.test(subject ?? '');
  const report = emptyReport(fail2ban ? 'fail2ban' : 'plain');
  const problems = report.problems;
  const acc: Accumulator = { sources: new Map(), incidents: [], destinations: [], ports: [], times: [], eventTimes: [] };
  const forwarded: ForwardedHeader[] = [];
  const globalZone = declaredZone(allText);
  const generated = GENERATED_AT.exec(allText.replace(/[ \t]+/g, ' '));
  const generatedTime = generated ? parseTime(generated[1] ?? '', 'report', 'generated at', ctx.time) : null;
  const generatedZone = generated ? explicitZone(generated[1] ?? '') : null;
  // The report's own "generated at" date is a closer reference for a missing year than the
  // date of the mail that carried it (which may be a later forward).
  if (generatedTime?.utc) ctx = { ...ctx, time: { ...ctx.time, reference: new Date(generatedTime.utc) } };

  // The subject names the accused address in most automated reports.
  const subjectIps = findIps(subject ?? '').map((f) => f.ip);
  const addSource = (text: string, field: string, port: number | null = null): ReportedSource | null => {
    const ip = parseIp(text);
    if (!ip) return null;
    const existing = acc.sources.get(ip.address);
    if (existing) return existing;
    const source = makeSource(text, field, ctx, problems, { port });
    if (source) acc.sources.set(source.address, source);
    return source;
  };
  const destinationAddresses = new Set<string>();

  for (const block of blocks) {
    const blockCtx: ReadContext = { ...ctx, part: block.label };
    const lines = unquote(block.text);
    const { blocks: headers, covered } = headerBlocks(lines, block.label);
    forwarded.push(...headers);
    const local = declaredZone(lines.filter((l) => !covered.has(l.index)).map((l) => l.text).join('\n'));
    const zoneSource = local ?? globalZone;
    const baseTime: TimeContext = zoneSource
      ? { ...ctx.time, defaultZone: { zone: zoneSource.zone, basis: 'declared', why: zoneSource.why } }
      : generatedZone && generated
        ? { ...ctx.time, defaultZone: { zone: generatedZone, basis: 'declared', why: `the report was "generated at ${generated[1] ?? ''}" on the same host` } }
        : ctx.time;
    const text = lines.filter((l) => !covered.has(l.index)).map((l) => l.text).join('\n');
    const flat = text.replace(/\s+/g, ' ');

    // HTTP request evidence: the Host header is where the request went.
    const firstLine = lines.find((l) => l.text.trim() !== '')?.text ?? '';
    if (HTTP_REQUEST.test(firstLine)) {
      const host = /^Host:\s*(\S+)/im.exec(text)?.[1] ?? '';
      const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
      const fileTime = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:?\d{2})?)/.exec(block.filename ?? '')?.[1];
      const destination = hostPort && parseIp(hostPort[1] ?? '')
        ? makeDestination({ address: hostPort[1], ports: [hostPort[2] ? readPort(hostPort[2], 'Host header port', blockCtx, problems) : null], protocol: 'tcp', field: 'Host header of the attached request' }, blockCtx, problems)
        : null;
      const time = fileTime ? makeTime(fileTime, 'event', 'attachment name', { ...blockCtx, time: baseTime }, problems) : null;
      if (destination) destinationAddresses.add(destination.address ?? '');
      acc.incidents.push(makeIncident(null, [destination], [time], null, block.label));
      continue;
    }

    // Embedded CSV blocks (CERT-Bund style).
    const csvStart = lines.findIndex((l) => !covered.has(l.index) && l.text.includes(',') && isEventCsvHeader(l.text.split(',').map((c) => c.trim().replace(/^"|"$/g, ''))));
    if (csvStart >= 0) {
      const width = (lines[csvStart]?.text.match(/,/g) ?? []).length;
      let end = csvStart + 1;
      while (end < lines.length && (lines[end]?.text.match(/,/g) ?? []).length === width) end++;
      const csvText = lines.slice(csvStart, end).map((l) => l.text).join('\n');
      for (const l of lines.slice(csvStart, end)) covered.add(l.index);
      const csv = readEventCsv(csvText, null, false, { ...blockCtx, time: baseTime });
      problems.push(...csv.problems);
      for (const incident of csv.incidents) {
        if (incident.source) acc.sources.set(incident.source.address, incident.source);
        acc.incidents.push({ ...incident, reportType: null });
      }
    }

    // Phrases in running text, before the lines so that log lines know the accused address.
    for (const re of DESTINATION_PHRASES) {
      re.lastIndex = 0;
      for (let m = re.exec(flat); m !== null; m = re.exec(flat)) {
        for (const value of [m[1], m[2]]) {
          if (!value || !parseIp(value)) continue;
          const d = makeDestination({ address: value, field: 'the report text (named as the attacked system)' }, blockCtx, problems);
          if (d) {
            acc.destinations.push(d);
            destinationAddresses.add(d.address ?? '');
          }
        }
      }
    }
    for (const re of SOURCE_PHRASES) {
      re.lastIndex = 0;
      for (let m = re.exec(flat); m !== null; m = re.exec(flat)) {
        const ip = parseIp(m[1] ?? '');
        if (ip && !destinationAddresses.has(ip.address)) addSource(m[1] ?? '', 'the report text');
      }
    }
    // Line by line: flows, tables, key lines, log times.
    let tableZone: Zone | null = null;
    let tableHeader: string[] | null = null;
    let keyDate: string | null = null;
    let keyClock: string | null = null;
    let keyZone: string | null = null;
    for (const line of lines) {
      if (covered.has(line.index)) continue;
      const t = line.text;
      if (t.trim() === '') {
        tableZone = null;
        tableHeader = null;
        continue;
      }
      const lineZone = headerZone(t);
      if (lineZone && findIps(t).length === 0) tableZone = lineZone;
      const rowTime: TimeContext = tableZone
        ? { ...ctx.time, defaultZone: { zone: tableZone, basis: 'declared', why: 'the table header gives the zone' } }
        : baseTime;

      // Pipe tables.
      if (/^\s*\|.*\|\s*$/.test(t)) {
        const cells = t.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
        if (cells.every((c) => findIps(c).length === 0)) {
          tableHeader = cells;
          continue;
        }
        let source: ReportedSource | null = null;
        const destinations: Array<Destination | null> = [];
        const times: Array<EventTime | null> = [];
        cells.forEach((cell, k) => {
          const head = tableHeader?.[k] ?? '';
          const cellZone = headerZone(head);
          const cellCtx: ReadContext = { ...blockCtx, time: cellZone ? { ...ctx.time, defaultZone: { zone: cellZone, basis: 'declared', why: `the column header "${head}" gives the zone` } } : rowTime };
          const ip = parseIp(cell);
          if (ip) {
            if (/\b(?:dst|dest|destination|target|victim)\b/i.test(head)) {
              destinations.push(makeDestination({ address: cell, field: `table column "${head}"` }, cellCtx, problems));
              destinationAddresses.add(ip.address);
            } else source ??= addSource(cell, head ? `table column "${head}"` : 'table');
          } else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(cell)) {
            times.push(makeTime(cell, /first/i.test(head) ? 'first-seen' : /last/i.test(head) ? 'last-seen' : 'event', head ? `table column "${head}"` : 'table', cellCtx, problems));
          }
        });
        if (source) acc.incidents.push(makeIncident(source, destinations, times, null, block.label));
        continue;
      }

      const lineTimeText = LINE_TIME.exec(t)?.[1] ?? null;
      const flow = readFlow(t);
      if (flow && parseIp(flow.source)) {
        const sourcePort = flow.sourcePort ? readPort(flow.sourcePort, 'source port', blockCtx, problems) : null;
        const source = addSource(flow.source, flow.kind, null);
        const destination = makeDestination(
          {
            address: flow.destination,
            ports: [flow.port ? readPort(flow.port, 'destination port', blockCtx, problems) : null],
            protocol: readProtocol(flow.protocol),
            field: flow.kind,
          },
          blockCtx,
          problems,
        );
        if (destination?.address) destinationAddresses.add(destination.address);
        const time = lineTimeText ? makeTime(lineTimeText, 'event', flow.kind, { ...blockCtx, time: rowTime }, problems) : null;
        acc.incidents.push(makeIncident(source ? { ...source, port: sourcePort } : null, [destination], [time], null, block.label));
        continue;
      }

      // Log lines naming an accused address give event times.
      if (lineTimeText && findIps(t).some((f) => acc.sources.has(f.ip.address) || subjectIps.some((s) => s.address === f.ip.address))) {
        const time = makeTime(lineTimeText, 'event', 'log line', { ...blockCtx, time: rowTime }, problems);
        if (time) acc.eventTimes.push(time);
        continue;
      }

      const key = KEY_LINE.exec(t);
      if (key) {
        const name = (key[1] ?? '').trim();
        const value = stripMarks((key[2] ?? '').trim());
        if (SOURCE_KEYS.test(name)) {
          const ip = findIps(value)[0];
          if (ip && ip.index === 0 && !/^[\w.-]*[A-Za-z]/.test(value.slice(ip.length))) addSource(value.slice(0, ip.length), `"${name}:" line`);
        } else if (DESTINATION_KEYS.test(name)) {
          const net = parseNetwork(value.split(/\s+/)[0] ?? '');
          const ip = parseIp(value.split(/\s+/)[0] ?? '');
          if (net || ip) {
            const d = makeDestination({ address: value.split(/\s+/)[0], field: `"${name}:" line` }, blockCtx, problems);
            if (d) {
              acc.destinations.push(d);
              destinationAddresses.add(d.address ?? '');
            }
          }
        } else if (PORT_KEYS.test(name)) {
          for (const p of value.split(/[\s,]+/)) {
            const port = /^\d+$/.test(p) ? readPort(p, `"${name}:" line`, blockCtx, problems) : null;
            if (port !== null) acc.ports.push(port);
          }
        } else if (/^time ?zone$/i.test(name)) {
          keyZone = value;
        } else if (/^date$/i.test(name) && /^\d{1,2}[/.]\d{1,2}[/.]\d{4}$/.test(value)) {
          keyDate = value;
        } else if (/^time$/i.test(name) && /^\d{1,2}:\d{2}(?::\d{2})?$/.test(value)) {
          keyClock = value;
        } else if (TIME_KEYS.test(name)) {
          const time = makeTime(value, /first|initiated|initial/i.test(name) ? 'first-seen' : /last/i.test(name) ? 'last-seen' : 'event', `"${name}:" line`, { ...blockCtx, time: baseTime }, problems);
          if (time) acc.times.push(time);
        }
      }
    }
    if (keyDate !== null && keyClock !== null) {
      const composed = `${keyDate} ${keyClock}${keyZone ? ` ${keyZone}` : ''}`;
      const time = makeTime(composed, 'event', '"Date:", "Time:" and "Time Zone:" lines', { ...blockCtx, time: baseTime }, problems);
      if (time) acc.times.push(time);
    }

    const span = TIMESPAN.exec(flat);
    if (span) {
      acc.times.push(...[makeTime(span[1], 'first-seen', 'timespan', { ...blockCtx, time: baseTime }, problems), makeTime(span[2], 'last-seen', 'timespan', { ...blockCtx, time: baseTime }, problems)].filter((x): x is EventTime => x !== null));
    }
    const emailFrom = EMAIL_FROM_TIME.exec(flat);
    if (emailFrom) {
      const time = makeTime(emailFrom[1], 'event', '"Email from ... / DATE" line', { ...blockCtx, time: baseTime }, problems);
      if (time) acc.times.push(time);
    }
    const observed = OBSERVED_AT.exec(flat);
    if (observed) {
      const time = makeTime(observed[1], 'last-seen', '"last observed ... at" sentence', { ...blockCtx, time: baseTime }, problems);
      if (time) acc.times.push(time);
    }
  }

  // Subject addresses are the accused ones when the body does not contradict it.
  for (const ip of subjectIps) if (!destinationAddresses.has(ip.address)) addSource(ip.original, 'subject');
  // Log-line times only when nothing better dates the event.
  const eventTimes = acc.times.length > 0 ? acc.times : acc.eventTimes;
  if (generatedTime) eventTimes.push({ ...generatedTime, role: 'report' });

  const incidents = finish(acc, eventTimes);
  const anyAddress = incidents.some((i) => i.destinations.some((d) => d.address !== null));
  const text = `${subject ?? ''}\n${allText}`;
  return {
    report: {
      ...report,
      incidents,
      destinationNote: anyAddress ? null : 'the report text names no destination address',
      category: categoryFromText(subject ?? '') ?? (fail2ban ? fail2banCategory(withoutWhois(allText)) : categoryFromText(withoutWhois(allText))),
      reportType: fail2ban ? (/\b(sshd|postfix|dovecot|apache|nginx|exim|named)\b/i.exec(text)?.[1]?.toLowerCase() ?? null) : null,
    },
    forwarded,
    fail2ban,
  };
}

/**
 * Turns what was found into incidents: the line-level incidents (flows, table rows, CSV rows,
 * HTTP requests) as they are, plus one incident per accused address not already covered,
 * carrying the report-level destinations, ports and times.
 */
function finish(acc: Accumulator, times: readonly EventTime[]): Incident[] {
  const covered = new Set(acc.incidents.map((i) => i.source?.address).filter(Boolean));
  const destinations = mergeDestinations(acc.destinations, acc.ports);
  // Request evidence has no source of its own: it belongs to the accused address.
  const orphans = acc.incidents.filter((i) => i.source === null);
  const sourced = acc.incidents.filter((i) => i.source !== null);
  const sources = [...acc.sources.values()];
  if (orphans.length > 0 && sources.length === 1) {
    for (const o of orphans) sourced.push({ ...o, source: sources[0] ?? null });
    covered.add(sources[0]?.address);
  } else sourced.push(...orphans);
  for (const source of sources) {
    if (covered.has(source.address)) continue;
    sourced.push(makeIncident(source, destinations, times, null, 'the report text'));
  }
  if (sources.length === 0 && sourced.length === 0 && (destinations.length > 0 || times.length > 0)) {
    sourced.push(makeIncident(null, destinations, times, null, 'the report text'));
  }
  // Report-level destinations and times also apply to line-level incidents that lack them.
  return sourced.map((incident) => ({
    ...incident,
    destinations: incident.destinations.length > 0 ? incident.destinations : destinations,
    times: incident.times.length > 0 ? incident.times : times,
  }));
}

/**
 * Text without the whois output reports append: `#`/`%` comment lines and `Key: value` records
 * (a whois "Copyright" notice must not make a complaint a copyright one).
 */
export function withoutWhois(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*(?:>\s*)*[#%]/.test(line) && !/^\s*(?:>\s*)*[A-Za-z][\w-]*:\s{2,}\S/.test(line))
    .join('\n');
}

/** Category of a fail2ban report: its jail's log says what was tried. */
function fail2banCategory(text: string): ComplaintCategory {
  if (/\b(?:ddos|syn flood|TCP_SYN)\b/i.test(text)) return 'dos';
  if (/Failed password|Invalid user|authentication failure|auth failed|AUTH failure|login attempt/i.test(text)) return 'brute-force';
  if (/\bspam(?:mer)?s?\b|\bRBL|blocked using|blacklisted|Relay access denied/i.test(text)) return 'spam';
  return categoryFromText(text) ?? 'brute-force';
}

/** Attaches loose ports to port-less destinations; keeps port-only entries when no address exists. */
function mergeDestinations(destinations: readonly Destination[], ports: readonly number[]): Destination[] {
  const distinctPorts = [...new Set(ports)].sort((a, b) => a - b);
  const out = destinations.map((d) => (d.ports.length === 0 && distinctPorts.length > 0 ? { ...d, ports: distinctPorts } : d));
  if (out.length === 0 && distinctPorts.length > 0) {
    out.push({ address: null, cidr: null, family: null, ports: distinctPorts, protocol: null, hostname: null, field: '"Port:" line' });
  }
  return out;
}

/** Removes emphasis and quote marks around a value (`*1.2.3.4*`, `"web"`). */
function stripMarks(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && `"*'`.includes(value[start] ?? '')) start++;
  while (end > start && `"*'`.includes(value[end - 1] ?? '')) end--;
  return value.slice(start, end);
}

/** The mail-header lines of forwarded blocks, to recover the original sender and subject. */
export function innermostForward(forwarded: readonly ForwardedHeader[]): ForwardedHeader | null {
  let best: ForwardedHeader | null = null;
  for (const f of forwarded) if (!best || f.depth >= best.depth) best = f;
  return best;
}
