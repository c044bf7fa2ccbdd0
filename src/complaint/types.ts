/**
 * What reading a complaint produces. These are the contract with the case ledger, the letters
 * and the CLI: plain, JSON-friendly data (errors aside, see `serializeComplaint`).
 */
import type { ComplaintError } from './errors.js';
import type { Mailbox } from './mime.js';
import type { EventTime } from './time.js';

export type { EventTime, TimeRole, ZoneBasis } from './time.js';
export type { Mailbox } from './mime.js';

/** The report formats exitkit recognises. */
export type ComplaintFormat =
  /** X-ARF 0.1/0.2: a mail with a flat YAML `report.txt` part (blocklist.de, CEDO, fail2ban add-ons). */
  | 'x-arf'
  /** XARF v3 JSON (`"Version": "3"`; older Abusix `"Version": "1"`/`"2"` JSON is read the same way). */
  | 'xarf-v3'
  /** XARF v4 JSON (`"xarf_version": "4.x"`). */
  | 'xarf-v4'
  /** ARF, RFC 5965 (`multipart/report; report-type=feedback-report`): mail feedback loops. */
  | 'arf'
  /** ACNS XML copyright notice (`<Infringement xmlns="http://www.acns.net/ACNS">`). */
  | 'acns'
  /** Shadowserver-style CSV (a CSV file, or zipped CSV attached to a mail). */
  | 'shadowserver'
  /** fail2ban / blocklist-style text: "abuse from IP", log excerpt, local time zone note. */
  | 'fail2ban'
  /** IODEF XML (RFC 5070) incident documents, as upstream providers forward them. */
  | 'iodef'
  /** MarkMonitor `<InvestigationInfo>` XML copyright notice. */
  | 'markmonitor'
  /** Plain prose, read by cues ("IP of the attacker:", flow lines, tables). */
  | 'plain';

/** Kind of abuse, mapped to the letter kinds. */
export type ComplaintCategory = 'copyright' | 'scan' | 'brute-force' | 'spam' | 'dos' | 'fraud' | 'other';

/** Transport protocol of a destination. */
export type Protocol = 'tcp' | 'udp' | 'icmp';

/** The address a report accuses (normally one of the relay's own). */
export interface ReportedSource {
  /** Canonical address: dotted quad, or compressed lower-case IPv6. IPv4-mapped IPv6 is given as IPv4. */
  readonly address: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** As the report wrote it. */
  readonly original: string;
  /** Source port, when the report gives one. */
  readonly port: number | null;
  /** Field or place it came from. */
  readonly field: string;
}

/** Where the reported traffic went: what an exit operator could block. */
export interface Destination {
  /** Canonical address, or a canonical CIDR when the report names a range; null when only ports are known. */
  readonly address: string | null;
  /** Canonical CIDR covering `address` (`/32`, `/128`, or the named range); null when `address` is. */
  readonly cidr: string | null;
  /** 4 or 6, or null when no address is known. */
  readonly family: 4 | 6 | null;
  /** Destination ports (sorted, distinct); empty when the report does not give them. */
  readonly ports: readonly number[];
  /** Protocol, when the report says. */
  readonly protocol: Protocol | null;
  /** Host name the report gives for the destination, when it does. */
  readonly hostname: string | null;
  /** Field or place it came from. */
  readonly field: string;
}

/** One reported event: a source, what it reached, and when. */
export interface Incident {
  /** The accused address, or null when the report names none (e.g. only a URL). */
  readonly source: ReportedSource | null;
  /** What the source reached, when the report says. */
  readonly destinations: readonly Destination[];
  /** When it happened (and when it was reported). */
  readonly times: readonly EventTime[];
  /** The report's own type word, e.g. `login-attack`, `PortScan`, `ssh-brute-force`. */
  readonly reportType: string | null;
  /** The MIME part, archive member or file the incident came from. */
  readonly evidence: string;
  /** The report's own id for this incident (X-ARF Report-ID, IODEF IncidentID, ACNS case), or null. */
  readonly reference: string | null;
}

/** Who complains. */
export interface Party {
  /** Person or role name. */
  readonly name: string | null;
  /** E-mail address. */
  readonly email: string | null;
  /** Organisation. */
  readonly organisation: string | null;
}

/** A complaint read successfully (possibly with warnings in `problems`). */
export interface Complaint {
  /** Discriminant. */
  readonly status: 'parsed';
  /** The format the incidents were read from. */
  readonly format: ComplaintFormat;
  /** The format's version as the report states it (`0.2`, `3`, `4.2.0`), or null. */
  readonly formatVersion: string | null;
  /** Kind of abuse. */
  readonly category: ComplaintCategory;
  /** The report's own type word (first incident's), or null. */
  readonly reportType: string | null;
  /** Every incident, in report order. */
  readonly incidents: readonly Incident[];
  /** Distinct accused addresses over all incidents. */
  readonly sources: readonly ReportedSource[];
  /** Distinct destinations over all incidents. */
  readonly destinations: readonly Destination[];
  /** Why `destinations` is empty or partial (e.g. "this format carries no destination"), or null. */
  readonly destinationNote: string | null;
  /** Distinct times over all incidents, in report order. */
  readonly times: readonly EventTime[];
  /** Earliest and latest event time in UTC, or null when no event time could be placed. */
  readonly timeRange: { readonly first: string; readonly last: string } | null;
  /** Who complains (the original reporter, not the ISP that forwarded it). */
  readonly complainant: Party;
  /** Who sent this mail (From), or null for a bare report file. */
  readonly sender: Mailbox | null;
  /** Who the answer should go to: Reply-To, else From; null for a bare report file. */
  readonly replyTo: Mailbox | null;
  /** Forwarders between the complainant and us, outermost first. */
  readonly forwardedBy: readonly Mailbox[];
  /** The complainant's reference or case id, or null. */
  readonly reference: string | null;
  /** Message-ID to reply to (with angle brackets), or null. */
  readonly messageId: string | null;
  /** The thread's earlier Message-IDs (References, In-Reply-To), oldest first. */
  readonly references: readonly string[];
  /** Subject, or null. */
  readonly subject: string | null;
  /** The mail's Date in UTC, or null. */
  readonly mailDate: string | null;
  /** Things the reader inferred or could not use, in words. */
  readonly notes: readonly string[];
  /** Warnings about the input. */
  readonly problems: readonly ComplaintError[];
}

/** A complaint that could not be read: the reason, and whatever envelope could be recovered. */
export interface UnparseableComplaint {
  /** Discriminant. */
  readonly status: 'unparseable';
  /** Why it could not be read. */
  readonly reason: ComplaintError;
  /** Other problems met on the way. */
  readonly problems: readonly ComplaintError[];
  /** Subject, or null. */
  readonly subject: string | null;
  /** Message-ID, or null. */
  readonly messageId: string | null;
  /** Who sent it, or null. */
  readonly sender: Mailbox | null;
  /** The mail's Date in UTC, or null. */
  readonly mailDate: string | null;
}

/** Result of `parseComplaint`. */
export type ParsedComplaint = Complaint | UnparseableComplaint;
