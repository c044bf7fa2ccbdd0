/**
 * Complaint intake: read an abuse report as it arrives and suggest the remedy.
 */
import { complaintErrorToJSON, type ComplaintErrorJSON } from './errors.js';
import type { ParsedComplaint } from './types.js';

export { parseComplaint, referenceFromSubject, DEFAULT_MAX_COMPLAINT_BYTES } from './parse.js';
export { suggestRemedy, shellQuote, formatCommand, formatPortList, inTorReduced, TOR_REDUCED_PORTS } from './remedy.js';
export { ComplaintError, complaintErrorToJSON } from './errors.js';
export { parseTime, parseZone, formatUtc } from './time.js';
export { parseIp, parseNetwork, isTorPrivate } from './address.js';

export type { ParseComplaintOptions } from './parse.js';
export type { RemedyKind, RemedyOption, RemedySuggestion, SuggestRemedyOptions } from './remedy.js';
export type { ComplaintErrorCode, ComplaintErrorJSON, ComplaintErrorOptions } from './errors.js';
export type {
  Complaint,
  ComplaintCategory,
  ComplaintFormat,
  Destination,
  EventTime,
  Incident,
  Mailbox,
  ParsedComplaint,
  Party,
  Protocol,
  ReportedSource,
  TimeRole,
  ZoneBasis,
} from './types.js';
export type { IpAddress, IpNetwork } from './address.js';
export type { TimeContext, Zone } from './time.js';

/** A parsed complaint with its errors as plain objects: what `--json` prints. */
export type SerializedComplaint =
  | (Omit<Extract<ParsedComplaint, { status: 'parsed' }>, 'problems'> & { problems: ComplaintErrorJSON[] })
  | (Omit<Extract<ParsedComplaint, { status: 'unparseable' }>, 'problems' | 'reason'> & {
      reason: ComplaintErrorJSON;
      problems: ComplaintErrorJSON[];
    });

/** Converts a parsed complaint to plain data (errors included) for JSON output. */
export function serializeComplaint(complaint: ParsedComplaint): SerializedComplaint {
  if (complaint.status === 'parsed') {
    return { ...complaint, problems: complaint.problems.map(complaintErrorToJSON) };
  }
  return {
    ...complaint,
    reason: complaintErrorToJSON(complaint.reason),
    problems: complaint.problems.map(complaintErrorToJSON),
  };
}
