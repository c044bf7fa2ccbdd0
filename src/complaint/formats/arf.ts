/**
 * ARF, RFC 5965: `multipart/report; report-type=feedback-report` with a human part, a
 * `message/feedback-report` part and the reported message (or its headers).
 *
 *   feedback-report ::= *(field CRLF)
 *   field           ::= name ":" value *(CRLF WSP value)       ; folded like mail headers
 *
 * Fields used: Feedback-Type, Version, User-Agent, Source-IP, Arrival-Date (or the older
 * Received-Date), Reporting-MTA, Original-Mail-From, Original-Rcpt-To, Reported-Domain. Some
 * senders put every field on one line; those are split at the known field names.
 */
import { findIps } from '../address.js';
import { emptyReport, makeIncident, makeSource, makeTime, type ReadContext, type Report } from '../report.js';
import type { ComplaintCategory } from '../types.js';

// RFC 5965 §3.5 and §3.6 fields plus extensions seen from real senders.
const KNOWN_FIELDS = [
  'Feedback-Type', 'User-Agent', 'Version', 'Original-Envelope-Id', 'Original-Mail-From', 'Original-Rcpt-To',
  'Arrival-Date', 'Received-Date', 'Reporting-MTA', 'Source-IP', 'Source-Ip', 'Incidents', 'Authentication-Results',
  'Reported-Domain', 'Reported-URI', 'Reported-Uri', 'Removal-Recipient', 'Abuse-Type', 'Source', 'Auth-Failure',
  'DKIM-Domain', 'Redacted-Address', 'Delivery-Result',
];

/** Reads the fields of a `message/feedback-report` body (names lower-case, first value kept). */
export function readFeedbackFields(text: string): Map<string, string> {
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  let lines = unfolded.split(/\r?\n/).filter((l) => l.trim() !== '');
  // Every field on one line: split before each known field name.
  if (lines.length === 1 && (lines[0]?.match(/\b[A-Za-z-]+: /g)?.length ?? 0) > 1) {
    const pattern = new RegExp(`\\s+(?=(?:${KNOWN_FIELDS.map((f) => f.replace(/-/g, '\\-')).join('|')}): )`, 'i');
    lines = (lines[0] ?? '').split(pattern);
  }
  const fields = new Map<string, string>();
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    if (!fields.has(key)) fields.set(key, (m[2] ?? '').trim());
  }
  return fields;
}

function categoryOf(feedbackType: string): ComplaintCategory | null {
  switch (feedbackType.toLowerCase()) {
    case 'abuse':
    case 'auth-failure':
      return 'spam';
    case 'fraud':
      return 'fraud';
    default:
      return null;
  }
}

// "... received from IP [address] 192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT."
const HUMAN_SOURCE = /from IP(?: address)?\s+(\S+?)\s+on\s+([^\n]+?)(?:\.\s|\.$|$)/im;

/**
 * Reads an ARF report from its feedback part, with the human-readable part as a fallback for
 * the source address and time (RFC 5965 makes Source-IP optional).
 */
export function readArf(feedbackText: string, humanText: string, ctx: ReadContext): Report {
  const report = emptyReport('arf');
  const fields = readFeedbackFields(feedbackText);
  const human = HUMAN_SOURCE.exec(humanText.replace(/\s+/g, ' '));
  let source = null;
  const sourceIp = fields.get('source-ip');
  if (sourceIp !== undefined) {
    source = makeSource(sourceIp, 'Source-IP', ctx, report.problems);
  } else if (human && findIps(human[1] ?? '').length === 1) {
    source = makeSource(human[1], 'the report text ("received from IP ...")', ctx, report.problems);
    report.notes.push('the feedback report has no Source-IP; the address was taken from its text part');
  } else {
    report.notes.push('the feedback report names no source address');
  }
  const arrival = fields.get('arrival-date') ?? fields.get('received-date');
  const time =
    arrival !== undefined
      ? makeTime(arrival, 'event', fields.has('arrival-date') ? 'Arrival-Date' : 'Received-Date', ctx, report.problems)
      : human
        ? makeTime(human[2], 'event', 'the report text ("... on DATE")', ctx, report.problems)
        : null;
  const feedbackType = fields.get('feedback-type') ?? '';
  report.incidents.push(makeIncident(source, [], [time], feedbackType || null, ctx.part));
  const mta = fields.get('reporting-mta');
  if (mta) report.notes.push(`reporting mail server: ${mta.replace(/^dns;\s*/i, '')}`);
  return {
    ...report,
    version: fields.get('version') ?? null,
    reportType: feedbackType || null,
    category: categoryOf(feedbackType),
    destinationNote: 'this format carries no destination: a feedback report names the mail, not an address the exit connected to',
  };
}
