/**
 * `parseComplaint`: from the bytes of a complaint (a raw mail, an XARF JSON file or a CSV file)
 * to a `ParsedComplaint`.
 *
 * Steps: sniff the input kind; for a mail, read the MIME tree and unpack archives; run the
 * structured readers (XARF JSON, X-ARF YAML, ACNS, MarkMonitor, IODEF, ARF, event CSV) over the
 * parts; fall back to the prose reader when none applies, or use it to complete a structured
 * report that names no destination; then work out who complains (through forwards), the
 * reference, the category, and the distinct sources, destinations and times.
 *
 * Never throws. A defect inside exitkit becomes an unparseable result with code
 * COMPLAINT_READ_FAILED and the cause attached.
 */
import { parseAddressHeader } from 'mailparser';
import { isGzip, isZip, gunzip, unzip } from './archive.js';
import { categoryFromText } from './category.js';
import { ComplaintError } from './errors.js';
import { readAcns, findAcnsBlocks, hasAcns } from './formats/acns.js';
import { readArf, readFeedbackFields } from './formats/arf.js';
import { hasIodef, readIodef } from './formats/iodef.js';
import { readJson } from './formats/json.js';
import { hasMarkMonitor, readMarkMonitor } from './formats/markmonitor.js';
import { innermostForward, readProse, type ForwardedHeader, type ProseBlock } from './formats/prose.js';
import { isEventCsvHeader, readEventCsv } from './formats/shadowserver.js';
import { readXarfYaml } from './formats/x-arf.js';
import { isXarfJson, readXarfJson } from './formats/xarf-json.js';
import { DEFAULT_MIME_LIMITS, decodeCharset, partBytes, partLabel, partText, readMimeTree, type Envelope, type Mailbox, type MimeLimits, type MimePart } from './mime.js';
import { partyFromText, type ReadContext, type Report } from './report.js';
import { explicitZone, formatUtc, timeMs, type TimeContext } from './time.js';
import type { Complaint, ComplaintCategory, Destination, Incident, ParsedComplaint, Party, ReportedSource, UnparseableComplaint } from './types.js';
import { looksLikeReportYaml } from './yaml.js';

/** Options of `parseComplaint`. */
export interface ParseComplaintOptions {
  /** Name of the complaint file, used in problem locations. */
  readonly fileName?: string | undefined;
  /** Inputs larger than this many bytes are refused. Default 25 MiB. */
  readonly maxBytes?: number | undefined;
  /** MIME nesting and part-count limits. */
  readonly limits?: MimeLimits | undefined;
}

/** Default input size limit. */
export const DEFAULT_MAX_COMPLAINT_BYTES = 25 * 1024 * 1024;

/** A part (or archive member) ready for the readers. */
interface Doc {
  /** Label for messages and evidence. */
  readonly label: string;
  /** Media type (lower case). */
  readonly contentType: string;
  /** File name, if any. */
  readonly filename: string | null;
  /** Decoded text, or null for binary content. */
  readonly text: string | null;
  /** Envelopes of the messages enclosing it, outermost first. */
  readonly chain: readonly Envelope[];
  /** Set when a structured reader used it. */
  consumed: boolean;
}

/** Reads a complaint. */
export async function parseComplaint(raw: Buffer | string, options: ParseComplaintOptions = {}): Promise<ParsedComplaint> {
  try {
    return await parseUnchecked(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, options);
  } catch (cause) {
    return unparseable(
      new ComplaintError('COMPLAINT_READ_FAILED', `reading the complaint stopped on an unexpected error: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
        file: options.fileName,
      }),
      [],
      null,
    );
  }
}

function unparseable(reason: ComplaintError, problems: readonly ComplaintError[], envelope: Envelope | null): UnparseableComplaint {
  return {
    status: 'unparseable',
    reason,
    problems,
    subject: envelope?.subject ?? null,
    messageId: envelope?.messageId ?? null,
    sender: envelope?.from ?? null,
    mailDate: envelope?.date ? formatUtc(envelope.date.getTime()) : null,
  };
}

function looksTextual(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 4096);
  if (sample.includes(0)) return false;
  let control = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32)) control++;
  return control <= sample.length * 0.02;
}

/** Reduces HTML to text: block ends become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>|<\/(?:p|div|tr|li|h\d|table)\s*>/gi, '\n')
    .replace(/<[^>]{0,2000}>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d{1,6});/g, (whole, n: string) => {
      const code = Number(n);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    })
    .replace(/&amp;/g, '&');
}

async function parseUnchecked(buf: Buffer, options: ParseComplaintOptions): Promise<ParsedComplaint> {
  const file = options.fileName;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_COMPLAINT_BYTES;
  if (buf.length > maxBytes) {
    return unparseable(
      new ComplaintError('COMPLAINT_TOO_LARGE', `the complaint is ${buf.length} bytes, more than the limit of ${maxBytes}`, {
        file,
        hint: 'save only the abuse report (not a whole mailbox) and try again',
      }),
      [],
      null,
    );
  }
  const head = buf.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  if (buf.toString('latin1').trim() === '') {
    return unparseable(new ComplaintError('COMPLAINT_EMPTY', 'the complaint is empty', { file }), [], null);
  }
  const firstChar = head.trimStart()[0];
  if (firstChar === '{' || firstChar === '[') return parseJsonFile(decodeCharset(buf, 'utf-8'), file);
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.includes(',') && isEventCsvHeader(firstLine.split(',').map((c) => c.trim().replace(/^"|"$/g, '')))) {
    return parseCsvFile(decodeCharset(buf, 'utf-8'), file);
  }
  return parseMail(buf, options);
}

function fileContext(file: string | undefined): ReadContext {
  return { part: file ?? 'the file', file, time: {} };
}

function parseJsonFile(text: string, file: string | undefined): ParsedComplaint {
  const ctx = fileContext(file);
  const json = readJson(text, { file });
  if (json.value === undefined) {
    const [reason, ...rest] = json.problems;
    return unparseable(reason ?? new ComplaintError('COMPLAINT_BAD_JSON', 'the file is not valid JSON', { file }), rest, null);
  }
  if (!isXarfJson(json.value)) {
    return unparseable(
      new ComplaintError('COMPLAINT_NOT_RECOGNISED', 'the file is JSON but not an XARF report (no "xarf_version", nor "Version" with a "Report" object)', {
        file,
        hint: 'exitkit reads XARF v3 and v4 JSON; save other reports as the mail they came in',
      }),
      json.problems,
      null,
    );
  }
  const report = readXarfJson(json.value, ctx);
  report.problems.unshift(...json.problems);
  return assemble({ reports: [report], prose: null, root: null, origin: null, forwardedBy: [], extraProblems: [], extraNotes: [], subjectForCategory: '' });
}

function parseCsvFile(text: string, file: string | undefined): ParsedComplaint {
  const header = text.split(/\r?\n/, 1)[0]?.toLowerCase() ?? '';
  const shadowserver = /\b(?:src_asn|asn|geo|src_geo)\b/.test(header) || /event[46]_|scan6?_|shadowserver/i.test(file ?? '');
  const report = readEventCsv(text, file ?? null, shadowserver, fileContext(file));
  if (!shadowserver) report.notes.push('the CSV does not say which zone its times are in');
  return assemble({ reports: [report], prose: null, root: null, origin: null, forwardedBy: [], extraProblems: [], extraNotes: [], subjectForCategory: '' });
}

/** Collects the leaves of the tree with their enclosing envelopes, unpacking archives. */
function collectDocs(part: MimePart, chain: readonly Envelope[], problems: ComplaintError[], docs: Doc[]): void {
  const here = part.envelope ? [...chain, part.envelope] : chain;
  if (part.children.length > 0) {
    for (const c of part.children) collectDocs(c, here, problems, docs);
    return;
  }
  const label = partLabel(part);
  const bytes = partBytes(part);
  const name = part.filename ?? '';
  if (isGzip(bytes) || (/\.gz$/i.test(name) && !/\.tar\.gz$/i.test(name))) {
    const unpacked = gunzip(bytes, name || 'attachment.gz', label);
    problems.push(...unpacked.problems);
    for (const m of unpacked.members) docs.push(memberDoc(m.name, m.content, `${label} → ${m.name}`, here));
    return;
  }
  if (isZip(bytes) || /\.zip$/i.test(name)) {
    const unpacked = unzip(bytes, name || 'attachment.zip', label);
    problems.push(...unpacked.problems);
    for (const m of unpacked.members) docs.push(memberDoc(m.name, m.content, `${label} → ${m.name}`, here));
    return;
  }
  const textual = part.contentType.startsWith('text/') || part.contentType.startsWith('message/') || looksTextual(bytes);
  let text: string | null = null;
  if (textual) {
    text = part.contentType.startsWith('text/') ? partText(part) : decodeCharset(bytes, part.params['charset']).replace(/\r\n?/g, '\n');
  }
  docs.push({ label, contentType: part.contentType, filename: part.filename, text, chain: here, consumed: false });
}

function memberDoc(name: string, content: Buffer, label: string, chain: readonly Envelope[]): Doc {
  const text = looksTextual(content) ? decodeCharset(content, 'utf-8').replace(/\r\n?/g, '\n') : null;
  return { label, contentType: /\.csv$/i.test(name) ? 'text/csv' : 'application/octet-stream', filename: name, text, chain, consumed: false };
}

/** The same problem as a warning: the part it is about was skipped, the complaint was still read. */
function asWarning(p: ComplaintError): ComplaintError {
  if (p.severity === 'warning') return p;
  return new ComplaintError(p.code, p.message, {
    part: p.part,
    file: p.location?.file,
    line: p.location?.line,
    column: p.location?.column,
    input: p.input,
    hint: p.hint,
    severity: 'warning',
    cause: p,
  });
}

/** Time context for a mail: its date for missing years, its zone as the last-resort assumption. */
function mailTimeContext(envelope: Envelope | null): TimeContext {
  const reference = envelope?.date ?? undefined;
  const zone = envelope?.dateText ? explicitZone(envelope.dateText) : null;
  return {
    reference,
    defaultZone: zone
      ? { zone, basis: 'assumed', why: `the report gives no time zone; assumed the zone of the mail's Date header (${envelope?.dateText ?? ''})` }
      : undefined,
  };
}

// Reference or case ids in subjects, most specific first.
const SUBJECT_REFERENCES: readonly RegExp[] = [
  /\[Ticket ID:\s*([^\]]+?)\s*\]/i,
  /\[AbuseID:\s*([^\]]+?)\s*\]/i,
  /\[(CERT-[A-Za-z]+#\d+)\]/,
  /\bCase (?:ID|No\.?|Number)\s*:?\s*([A-Za-z0-9][\w-]*)/i,
  /\bRID:\s*(\d+)/,
  /\bIssue\s+(\d{4,})/i,
  /\bAnfrage#(\d+)/i,
  /\bRef\.?\s*:?\s*([A-Za-z0-9][\w-]{5,})/i,
  /\bid:(\d{6,})/,
  /\bTicket\s*#?\s*(\d{4,})/i,
  /\[([A-Z]{2,}#\d{6,})\]/,
  /\[(\d{8}-[A-Z0-9]{2,})\]/,
  /^\s*(\d{3}-\d{6,})\b/,
  /\bIRMA\s+(\d+)/,
];

/** The reference or case id a subject carries, or null. */
export function referenceFromSubject(subject: string | null): string | null {
  if (!subject) return null;
  for (const re of SUBJECT_REFERENCES) {
    const m = re.exec(subject);
    if (m?.[1]) return m[1].trim();
  }
  return null;
}

// Priority of structured formats when a mail carries more than one.
const PRIORITY: readonly string[] = ['xarf-v4', 'xarf-v3', 'x-arf', 'acns', 'markmonitor', 'iodef', 'arf', 'shadowserver'];

async function parseMail(buf: Buffer, options: ParseComplaintOptions): Promise<ParsedComplaint> {
  const file = options.fileName;
  const tree = await readMimeTree(buf, { limits: options.limits ?? DEFAULT_MIME_LIMITS, ...(file === undefined ? {} : { file }) });
  const problems: ComplaintError[] = [...tree.problems];
  const root = tree.root.envelope;
  const docs: Doc[] = [];
  collectDocs(tree.root, [], problems, docs);

  const reports: Array<{ report: Report; doc: Doc }> = [];
  const contextFor = (doc: Doc): ReadContext => ({ part: doc.label, file, time: mailTimeContext(doc.chain.at(-1) ?? root) });

  // Feedback reports: plain ARF, or the envelope of an XARF JSON report.
  const feedback = docs.filter((d) => d.contentType === 'message/feedback-report' && d.text !== null);
  let xarfEnvelope = false;
  for (const doc of feedback) {
    const fields = readFeedbackFields(doc.text ?? '');
    doc.consumed = true;
    if ((fields.get('feedback-type') ?? '').toLowerCase() === 'xarf') {
      xarfEnvelope = true;
      continue;
    }
    const human = docs.find((d) => d.contentType === 'text/plain' && d.chain.length === doc.chain.length && d.text !== null && !d.consumed);
    reports.push({ report: readArf(doc.text ?? '', human?.text ?? '', contextFor(doc)), doc });
  }

  const acnsBlocks: Array<{ blocks: string[]; doc: Doc }> = [];
  for (const doc of docs) {
    const text = doc.text;
    if (text === null || doc.consumed) continue;
    const trimmed = text.trimStart();
    const jsonLike =
      trimmed.startsWith('{') &&
      (doc.contentType.includes('json') || /\.json$/i.test(doc.filename ?? '') || /"(?:xarf_version|Version)"\s*:/.test(trimmed.slice(0, 2000)));
    if (jsonLike) {
      const json = readJson(text, { part: doc.label, file });
      if (json.value !== undefined && isXarfJson(json.value)) {
        const report = readXarfJson(json.value, contextFor(doc));
        report.problems.unshift(...json.problems);
        reports.push({ report, doc });
        doc.consumed = true;
        continue;
      }
      problems.push(...json.problems.map(asWarning));
      if (json.value === undefined) continue;
    }
    if (looksLikeReportYaml(text)) {
      reports.push({ report: readXarfYaml(text, contextFor(doc)), doc });
      doc.consumed = true;
      continue;
    }
    if (hasAcns(text)) {
      const blocks = findAcnsBlocks(text);
      if (blocks.length > 0) acnsBlocks.push({ blocks, doc });
      if (!doc.contentType.startsWith('text/plain')) doc.consumed = true;
      continue;
    }
    if (hasIodef(text)) {
      reports.push({ report: readIodef(text, contextFor(doc)), doc });
      doc.consumed = true;
      continue;
    }
    if (hasMarkMonitor(text)) {
      reports.push({ report: readMarkMonitor(text, contextFor(doc)), doc });
      continue;
    }
    const first = text.split('\n', 1)[0] ?? '';
    if ((doc.contentType === 'text/csv' || /\.csv$/i.test(doc.filename ?? '')) && isEventCsvHeader(first.split(',').map((c) => c.trim().replace(/^"|"$/g, '')))) {
      const fromShadowserver = /shadowserver/i.test(root?.from?.address ?? '') || /event[46]_|scan6?_/i.test(doc.filename ?? '');
      reports.push({ report: readEventCsv(text, doc.filename, fromShadowserver, contextFor(doc)), doc });
      doc.consumed = true;
    }
  }
  const firstAcns = acnsBlocks[0];
  if (firstAcns) {
    reports.push({ report: readAcns(acnsBlocks.flatMap((a) => a.blocks), contextFor(firstAcns.doc)), doc: firstAcns.doc });
  }
  if (xarfEnvelope && !reports.some((r) => r.report.format === 'xarf-v3' || r.report.format === 'xarf-v4')) {
    problems.push(new ComplaintError('COMPLAINT_MISSING_FIELD', 'the feedback report announces XARF (Feedback-Type: xarf) but no XARF JSON part was found', { file, severity: 'warning' }));
  }

  // A report that yielded nothing (its XML or JSON was broken) leaves its problems and gives way
  // to the next format, or to the prose reader.
  for (const empty of reports.filter((r) => r.report.incidents.length === 0)) {
    problems.push(...empty.report.problems.map(asWarning));
    empty.doc.consumed = false;
  }
  const readable = reports.filter((r) => r.report.incidents.length > 0);
  reports.length = 0;
  reports.push(...readable);
  // The primary format, and every report of it.
  reports.sort((a, b) => PRIORITY.indexOf(a.report.format) - PRIORITY.indexOf(b.report.format));
  const primaryFormat = reports[0]?.report.format;
  const primary = reports.filter((r) => r.report.format === primaryFormat);
  const extraNotes: string[] = [];
  const others = [...new Set(reports.filter((r) => r.report.format !== primaryFormat).map((r) => r.report.format))];
  if (others.length > 0) extraNotes.push(`the mail also holds ${others.join(', ')} data, which was not used`);

  // Human-readable text for prose reading. With a structured report, evidence inside attached
  // messages (the spam an ARF report carries) is not read as the complainant's words.
  const primaryDepth = primary[0]?.doc.chain.length ?? 1;
  const hasPlain = new Set(docs.filter((d) => d.contentType === 'text/plain').map((d) => d.chain.length));
  const proseBlocks: ProseBlock[] = docs
    .filter((d) => d.text !== null && !d.consumed)
    .filter((d) => primary.length === 0 || d.chain.length <= primaryDepth)
    .filter((d) => d.contentType !== 'application/pgp-signature' && !/^-----BEGIN PGP (?:SIGNATURE|MESSAGE)/.test(d.text?.trimStart() ?? ''))
    .filter((d) => d.contentType !== 'text/html' || !hasPlain.has(d.chain.length))
    .map((d) => ({ label: d.label, text: d.contentType === 'text/html' ? htmlToText(d.text ?? '') : (d.text ?? ''), filename: d.filename }));

  // The original complaint: an attached message that holds the report, else the innermost
  // forwarded header block in the text, else the mail itself.
  const reportChain = primary[0]?.doc.chain ?? [];
  const attachedOrigin = reportChain.length > 1 ? (reportChain.at(-1) ?? null) : null;
  const proseSubject = attachedOrigin?.subject ?? root?.subject ?? null;
  const proseContext: ReadContext = { part: 'the mail text', file, time: mailTimeContext(attachedOrigin ?? root) };
  const prose = proseBlocks.length > 0 ? readProse(proseBlocks, proseSubject, proseContext) : null;
  const inlineOrigin = attachedOrigin === null && prose ? innermostForward(prose.forwarded) : null;
  // A mailing list (Google Groups "'Name' via group") rewrites From; the sender is in X-Original-From.
  const listOrigin = attachedOrigin === null && inlineOrigin === null && root ? originalSender(root) : null;

  const forwardedBy: Mailbox[] = [];
  if (attachedOrigin && root?.from) forwardedBy.push(root.from);
  for (const env of reportChain.slice(1, -1)) if (env.from) forwardedBy.push(env.from);
  if (listOrigin && root?.from) forwardedBy.push(root.from);
  if (inlineOrigin && root?.from) {
    forwardedBy.push(root.from);
    for (const f of prose?.forwarded ?? []) {
      if (f === inlineOrigin || !f.from) continue;
      const p = partyFromText(f.from);
      if (p.email) forwardedBy.push({ name: p.name ?? '', address: p.email });
    }
  }

  return assemble({
    reports: primary.map((r) => r.report),
    prose,
    root,
    origin: attachedOrigin ?? (inlineOrigin ? forwardedEnvelope(inlineOrigin) : listOrigin ? { from: listOrigin, subject: root?.subject ?? null } : null),
    forwardedBy,
    extraProblems: problems,
    extraNotes,
    subjectForCategory: proseSubject ?? '',
  });
}

/** The sender a mailing list replaced in From (X-Original-From), or null. */
function originalSender(envelope: Envelope): Mailbox | null {
  if (!/\bvia\b/i.test(envelope.from?.name ?? '')) return null;
  const line = envelope.headerLines.find((h) => h.key === 'x-original-from')?.line;
  if (!line) return null;
  const mailbox = parseAddressHeader(line.replace(/^[^:]*:\s*/, '')).value[0];
  return mailbox?.address ? { name: mailbox.name, address: mailbox.address } : null;
}

/** The parts of a forwarded header block that matter, in envelope terms. */
function forwardedEnvelope(f: ForwardedHeader): { from: Mailbox | null; subject: string | null } {
  const p = partyFromText(f.from);
  return { from: p.email || p.name ? { name: p.name ?? '', address: p.email ?? '' } : null, subject: f.subject };
}

interface AssembleInput {
  reports: readonly Report[];
  prose: ReturnType<typeof readProse> | null;
  root: Envelope | null;
  origin: { from: Mailbox | null; subject: string | null } | null;
  forwardedBy: readonly Mailbox[];
  extraProblems: readonly ComplaintError[];
  extraNotes: readonly string[];
  subjectForCategory: string;
}

function incidentKey(i: Incident): string {
  return JSON.stringify([i.reference, i.source?.address ?? null, i.destinations.map(destinationKey), i.times.map((t) => [t.original, t.role])]);
}

function destinationKey(d: Destination): string {
  return `${d.address ?? '*'}|${d.ports.join(',')}|${d.protocol ?? ''}`;
}

/** Adds the prose reader's destinations to a structured report that has no destination address. */
function complete(report: Report, prose: ReturnType<typeof readProse> | null, notes: string[]): Report {
  if (!prose) return report;
  const proseDestinations = prose.report.incidents.flatMap((i) => i.destinations);
  const hasAddress = report.incidents.some((i) => i.destinations.some((d) => d.address !== null));
  const useful = proseDestinations.filter((d) => d.address !== null || !hasAddress);
  if (hasAddress || useful.length === 0 || report.category === 'copyright' || report.format === 'arf') return report;
  const reportPorts = [...new Set(report.incidents.flatMap((i) => i.destinations.flatMap((d) => d.ports)))].sort((a, b) => a - b);
  const merged = useful.map((d) => (d.ports.length === 0 && reportPorts.length > 0 && d.address !== null ? { ...d, ports: reportPorts } : d));
  const seen = new Set<string>();
  const distinct = merged.filter((d) => {
    const k = destinationKey(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  notes.push('the destination was taken from the text of the mail, not from the report data');
  return {
    ...report,
    incidents: report.incidents.map((i) => ({
      ...i,
      destinations: distinct.some((d) => d.address !== null) ? distinct : [...i.destinations, ...distinct.filter((d) => !i.destinations.some((x) => destinationKey(x) === destinationKey(d)))],
    })),
    destinationNote: distinct.some((d) => d.address !== null) ? null : report.destinationNote,
  };
}

function assemble(input: AssembleInput): ParsedComplaint {
  const { root, origin, prose } = input;
  const notes: string[] = [...input.extraNotes];
  const reports = input.reports.length > 0 ? input.reports.map((r) => complete(r, prose, notes)) : prose ? [prose.report] : [];
  const problems: ComplaintError[] = [...input.extraProblems, ...reports.flatMap((r) => r.problems)];
  for (const r of reports) notes.push(...r.notes);

  const seenIncidents = new Set<string>();
  const incidents = reports.flatMap((r) => r.incidents).filter((i) => {
    const k = incidentKey(i);
    if (seenIncidents.has(k)) return false;
    seenIncidents.add(k);
    return true;
  });
  const primary = reports[0];
  const sources = distinctBy(
    incidents.flatMap((i) => (i.source ? [i.source] : [])),
    (s) => s.address,
  ).map((s): ReportedSource => ({ ...s }));
  const destinations = mergePortOnly(distinctBy(incidents.flatMap((i) => i.destinations), destinationKey));
  const times = distinctBy(incidents.flatMap((i) => i.times), (t) => `${t.utc ?? t.original}|${t.role}`);

  if (!primary || (input.reports.length === 0 && sources.length === 0)) {
    const envelope = root ?? null;
    return unparseable(
      new ComplaintError('COMPLAINT_NOT_RECOGNISED', 'no known report format and no reported IP address were found', {
        hint: 'exitkit reads X-ARF, XARF v3/v4, ARF, ACNS, IODEF, Shadowserver CSV, fail2ban reports and prose that names the address',
      }),
      problems,
      envelope,
    );
  }
  if (sources.length === 0) {
    problems.push(new ComplaintError('COMPLAINT_NO_SOURCE', 'the report names no IP address as the source of the abuse', { severity: 'warning' }));
  }

  const eventMs = times.filter((t) => t.role !== 'report').map(timeMs).filter((ms): ms is number => ms !== null);
  const timeRange = eventMs.length > 0 ? { first: formatUtc(Math.min(...eventMs)), last: formatUtc(Math.max(...eventMs)) } : null;

  const reportParty = primary.complainant;
  const originParty = origin?.from ? { name: origin.from.name || null, email: origin.from.address || null } : null;
  const sender = root?.from ?? null;
  // One party's fields only: a name from the mail and an address from the report may belong
  // to different people.
  const fromMail = originParty ?? (sender ? { name: sender.name || null, email: sender.address || null } : null);
  const complainant: Party =
    reportParty.email || reportParty.name || reportParty.organisation
      ? {
          name: reportParty.name ?? null,
          email: reportParty.email ?? (reportParty.name ? null : (fromMail?.email ?? null)),
          organisation: reportParty.organisation ?? null,
        }
      : { name: fromMail?.name ?? null, email: fromMail?.email ?? null, organisation: null };
  const subject = root?.subject ?? null;
  const reference = primary.reference ?? referenceFromSubject(origin?.subject ?? null) ?? referenceFromSubject(subject);
  const categoryText = `${input.subjectForCategory}\n${subject ?? ''}`;
  const category: ComplaintCategory =
    primary.category ?? categoryFromText(categoryText) ?? prose?.report.category ?? 'other';
  const forwardedBy = distinctBy(
    input.forwardedBy.filter((m) => m.address && m.address.toLowerCase() !== (complainant.email ?? '').toLowerCase()),
    (m) => m.address.toLowerCase(),
  );
  const destinationNote = destinations.some((d) => d.address !== null)
    ? null
    : (primary.destinationNote ?? 'the report gives no destination address');

  const complaint: Complaint = {
    status: 'parsed',
    format: primary.format,
    formatVersion: primary.version,
    category,
    reportType: primary.reportType ?? incidents.find((i) => i.reportType)?.reportType ?? null,
    incidents,
    sources,
    destinations,
    destinationNote,
    times,
    timeRange,
    complainant,
    sender,
    replyTo: root?.replyTo ?? root?.from ?? null,
    forwardedBy,
    reference,
    messageId: root?.messageId ?? null,
    references: root?.references ?? [],
    subject,
    mailDate: root?.date ? formatUtc(root.date.getTime()) : null,
    notes: [...new Set(notes)],
    problems,
  };
  return complaint;
}

/** Merges destinations that have ports but no address into one per protocol. */
function mergePortOnly(destinations: readonly Destination[]): Destination[] {
  const out: Destination[] = [];
  const portOnly = new Map<string, Destination>();
  for (const d of destinations) {
    if (d.address !== null) {
      out.push(d);
      continue;
    }
    const key = d.protocol ?? '';
    const seen = portOnly.get(key);
    if (!seen) {
      portOnly.set(key, d);
      out.push(d);
      continue;
    }
    const merged: Destination = { ...seen, ports: [...new Set([...seen.ports, ...d.ports])].sort((a, b) => a - b) };
    portOnly.set(key, merged);
    out[out.indexOf(seen)] = merged;
  }
  return out;
}

function distinctBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}
