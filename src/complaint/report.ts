/**
 * What each format reader returns, and the small builders they share for turning report
 * fields into sources, destinations, ports and times with the problems they raise.
 */
import { parseIp, parseNetwork } from './address.js';
import { ComplaintError } from './errors.js';
import { parseTime, type EventTime, type TimeContext, type TimeRole } from './time.js';
import type { ComplaintCategory, ComplaintFormat, Destination, Incident, Party, Protocol, ReportedSource } from './types.js';

/** One report found in a complaint, as a format reader returns it. */
export interface Report {
  /** The format. */
  readonly format: ComplaintFormat;
  /** Version the report states, or null. */
  readonly version: string | null;
  /** The report's type word, or null. */
  readonly reportType: string | null;
  /** Category the format or type implies, or null to decide from the text. */
  readonly category: ComplaintCategory | null;
  /** Incidents read. */
  readonly incidents: Incident[];
  /** Who complains, as far as the report says. */
  readonly complainant: Partial<Party>;
  /** The report's reference or case id, or null. */
  readonly reference: string | null;
  /** Why destinations are missing, or null. */
  readonly destinationNote: string | null;
  /** Inferences and caveats, in words. */
  readonly notes: string[];
  /** Problems met. */
  readonly problems: ComplaintError[];
}

/** Where a reader is working, for problem locations and time inference. */
export interface ReadContext {
  /** Label of the part or file, e.g. `part 2 "report.txt"`. */
  readonly part: string;
  /** Name of the complaint file, when known. */
  readonly file?: string | undefined;
  /** Mail date and fallback zone for times. */
  readonly time: TimeContext;
}

/** Reads a port (1-65535) from a report value; null with a problem when it is not one. */
export function readPort(value: unknown, field: string, ctx: ReadContext, problems: ComplaintError[], line?: number): number | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim().replace(/^'|'$/g, '');
  if (text === '' || /^(?:n\/?a|none|null|-|unknown)$/i.test(text)) return null;
  if (/^\d{1,5}$/.test(text)) {
    const port = Number(text);
    if (port >= 1 && port <= 65535) return port;
  }
  problems.push(
    new ComplaintError('COMPLAINT_BAD_PORT', `${field} "${text.slice(0, 40)}" is not a port number (1-65535); it is ignored`, {
      part: ctx.part,
      file: ctx.file,
      line,
      input: text.slice(0, 80),
      severity: 'warning',
    }),
  );
  return null;
}

/** Reads a protocol name (`tcp`, `TCP`, `udp`, `icmp`); other words give null. */
export function readProtocol(value: unknown): Protocol | null {
  const t = String(value ?? '').trim().toLowerCase();
  if (t === 'tcp' || t === 'udp' || t === 'icmp') return t;
  return null;
}

/** Builds a source from a report value; null (with a problem) when it is not an IP address. */
export function makeSource(
  value: unknown,
  field: string,
  ctx: ReadContext,
  problems: ComplaintError[],
  options: { port?: number | null | undefined; line?: number | undefined } = {},
): ReportedSource | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim().replace(/^'|'$/g, '').replace(/\/(?:32|128)$/, '');
  if (text === '') return null;
  const ip = parseIp(text);
  if (!ip) {
    problems.push(
      new ComplaintError('COMPLAINT_BAD_ADDRESS', `${field} "${text.slice(0, 60)}" is not an IP address`, {
        part: ctx.part,
        file: ctx.file,
        line: options.line,
        input: text.slice(0, 120),
        severity: 'warning',
      }),
    );
    return null;
  }
  return { address: ip.address, family: ip.family, original: String(value).trim(), port: options.port ?? null, field };
}

/** What a reader knows about a destination before it is checked. */
export interface DestinationInput {
  /** Address or CIDR text, if any. */
  address?: unknown;
  /** Ports (already read). */
  ports?: ReadonlyArray<number | null>;
  /** Protocol. */
  protocol?: Protocol | null;
  /** Host name. */
  hostname?: string | null;
  /** Field or place. */
  field: string;
  /** Line, for problems. */
  line?: number | undefined;
}

/**
 * Builds a destination. An address field holding something else (a placeholder such as
 * `#HOSTIP#`) is reported and dropped, keeping the ports. Returns null when nothing is known.
 */
export function makeDestination(input: DestinationInput, ctx: ReadContext, problems: ComplaintError[]): Destination | null {
  const ports = [...new Set(input.ports?.filter((p): p is number => p !== null) ?? [])].sort((a, b) => a - b);
  let address: string | null = null;
  let cidr: string | null = null;
  let family: 4 | 6 | null = null;
  const raw = input.address === undefined || input.address === null ? '' : String(input.address).trim().replace(/^'|'$/g, '');
  if (raw !== '' && !/^(?:n\/?a|none|null|-)$/i.test(raw)) {
    const ip = parseIp(raw);
    const net = ip ? null : parseNetwork(raw);
    if (ip) {
      address = ip.address;
      family = ip.family;
      cidr = `${ip.address}/${ip.family === 4 ? 32 : 128}`;
    } else if (net) {
      family = net.family;
      cidr = net.cidr;
      address = net.prefix === (net.family === 4 ? 32 : 128) ? net.cidr.replace(/\/\d+$/, '') : net.cidr;
    } else {
      problems.push(
        new ComplaintError('COMPLAINT_BAD_ADDRESS', `${input.field} "${raw.slice(0, 60)}" is not an IP address or network; only its port is used`, {
          part: ctx.part,
          file: ctx.file,
          line: input.line,
          input: raw.slice(0, 120),
          severity: 'warning',
        }),
      );
    }
  }
  if (address === null && ports.length === 0) return null;
  return {
    address,
    cidr,
    family,
    ports,
    protocol: input.protocol ?? null,
    hostname: input.hostname ?? null,
    field: input.field,
  };
}

/** Reads a time from a report value; null when the value is empty. */
export function makeTime(value: unknown, role: TimeRole, field: string, ctx: ReadContext, problems: ComplaintError[], line?: number): EventTime | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  if (text === '' || /^(?:n\/?a|none|null)$/i.test(text)) return null;
  const time = parseTime(text, role, field, ctx.time);
  if (time.utc === null) {
    problems.push(
      new ComplaintError('COMPLAINT_BAD_TIME', `${field} "${text.slice(0, 60)}" could not be placed in UTC: ${time.notes.at(-1) ?? 'unknown notation'}`, {
        part: ctx.part,
        file: ctx.file,
        line,
        input: text.slice(0, 120),
        severity: 'warning',
      }),
    );
  }
  return time;
}

/** Builds an incident, dropping null destinations and times. */
export function makeIncident(
  source: ReportedSource | null,
  destinations: ReadonlyArray<Destination | null>,
  times: ReadonlyArray<EventTime | null>,
  reportType: string | null,
  evidence: string,
  reference: string | null = null,
): Incident {
  return {
    source,
    destinations: destinations.filter((d): d is Destination => d !== null),
    times: times.filter((t): t is EventTime => t !== null),
    reportType,
    evidence,
    reference,
  };
}

/** An empty report of a format, to be filled by a reader. */
export function emptyReport(format: ComplaintFormat): Report {
  return {
    format,
    version: null,
    reportType: null,
    category: null,
    incidents: [],
    complainant: {},
    reference: null,
    destinationNote: null,
    notes: [],
    problems: [],
  };
}

/** Splits a `Name <address>` or bare address into a party. */
export function partyFromText(text: string | null | undefined): Partial<Party> {
  if (!text) return {};
  const t = text.trim();
  const open = t.lastIndexOf('<');
  const address = open >= 0 && t.endsWith('>') ? t.slice(open + 1, -1).trim() : '';
  if (/^[^<>\s@]+@[^<>\s]+$/.test(address)) {
    const name = t.slice(0, open).trim().replace(/^"|"$/g, '').trim();
    return { ...(name ? { name } : {}), email: address };
  }
  if (/^[^\s@]+@[^\s@]+$/.test(t)) return { email: t };
  return { name: t };
}
