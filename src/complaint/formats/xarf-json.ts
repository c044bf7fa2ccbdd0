/**
 * XARF JSON reports: v4 (`xarf_version` 4.x, xarf/xarf-spec) and v3 (`"Version": "3"`), the
 * latter in both layouts seen in the wild — Abusix's flat `Report.SourceIp` /
 * `Report.DestinationIp` and xarf-spec's `Report.Source.IP` with
 * `Report.AdditionalInfo.DestinationIP`. Older Abusix JSON (`"Version": "1"` or `"2"`) uses the
 * flat v3 layout and is read the same way, with a note.
 */
import { categoryFromType } from '../category.js';
import { emptyReport, makeDestination, makeIncident, makeSource, makeTime, readPort, readProtocol, type ReadContext, type Report } from '../report.js';
import type { Party } from '../types.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  // Senders write "n/a" for fields they leave empty.
  if (typeof value === 'string') return /^\s*n\/?a\s*$/i.test(value) ? null : value.trim() || null;
  if (typeof value === 'number') return String(value);
  return null;
}

/** True when a parsed JSON value is an XARF report of any version. */
export function isXarfJson(value: unknown): boolean {
  return isObject(value) && ('xarf_version' in value || ('Version' in value && isObject(value['Report'])));
}

/** Reads an XARF JSON document (already parsed). */
export function readXarfJson(value: unknown, ctx: ReadContext): Report {
  if (isObject(value) && 'xarf_version' in value) return readV4(value, ctx);
  return readV3(isObject(value) ? value : {}, ctx);
}

function readV4(doc: Json, ctx: ReadContext): Report {
  const report = emptyReport('xarf-v4');
  const problems = report.problems;
  const version = str(doc['xarf_version']);
  const type = str(doc['type']);
  const category = str(doc['category']);
  const port = readPort(doc['source_port'], 'source_port', ctx, problems);
  const source = makeSource(doc['source_identifier'], 'source_identifier', ctx, problems, { port });
  if (doc['source_identifier'] === undefined) report.notes.push('the report has no source_identifier');
  const protocol = readProtocol(doc['protocol']);
  const ports = [readPort(doc['destination_port'], 'destination_port', ctx, problems)];
  for (const key of ['ports_scanned', 'targeted_ports']) {
    const list = doc[key];
    if (Array.isArray(list)) for (const p of list.slice(0, 65535)) ports.push(readPort(p, key, ctx, problems));
  }
  const destination = makeDestination({ address: doc['destination_ip'], ports, protocol, field: 'destination_ip' }, ctx, problems);
  const times = [
    makeTime(doc['first_seen'], 'first-seen', 'first_seen', ctx, problems),
    makeTime(doc['last_seen'], 'last-seen', 'last_seen', ctx, problems),
    makeTime(doc['timestamp'], 'event', 'timestamp', ctx, problems),
  ];
  report.incidents.push(makeIncident(source, [destination], times, type, ctx.part, str(doc['report_id'])));
  const reporter = isObject(doc['reporter']) ? doc['reporter'] : {};
  const complainant: Partial<Party> = {
    organisation: str(reporter['org']) ?? str(reporter['domain']),
    email: str(reporter['contact']),
  };
  const rightsHolder = str(doc['rights_holder']);
  return {
    ...report,
    version,
    reportType: type,
    category: category === 'copyright' ? 'copyright' : (categoryFromType(type) ?? (category === 'messaging' ? 'spam' : null)),
    complainant: rightsHolder ? { ...complainant, name: rightsHolder } : complainant,
    reference: str(doc['report_id']),
    destinationNote: destination?.address ? null : destinationNoteFor(category),
  };
}

function destinationNoteFor(category: string | null): string {
  return category === 'copyright'
    ? 'this format carries no destination: copyright reports name only the accused address'
    : 'the report gives no destination address';
}

function readV3(doc: Json, ctx: ReadContext): Report {
  const report = emptyReport('xarf-v3');
  const problems = report.problems;
  const version = str(doc['Version']);
  const r = isObject(doc['Report']) ? doc['Report'] : {};
  const extra = isObject(r['AdditionalInfo']) ? r['AdditionalInfo'] : {};
  const nested = isObject(r['Source']) ? r['Source'] : null;
  const type = str(r['ReportType']);
  const port = readPort(r['SourcePort'] ?? nested?.['Port'], 'SourcePort', ctx, problems);
  const sourceValue = r['SourceIp'] ?? nested?.['IP'];
  const source = makeSource(sourceValue, nested ? 'Report.Source.IP' : 'Report.SourceIp', ctx, problems, { port });
  if (sourceValue === undefined) {
    const url = str(nested?.['URL']) ?? str(r['SourceUrl']);
    report.notes.push(url ? `the report names a URL, not an address, as its source: ${url}` : 'the report names no source address');
  }
  const protocol = readProtocol(r['Protocol'] ?? extra['Protocol']);
  const destinationPort = readPort(r['DestinationPort'] ?? extra['DestinationPort'], 'DestinationPort', ctx, problems);
  const destination = makeDestination(
    {
      address: r['DestinationIp'] ?? extra['DestinationIP'],
      ports: [destinationPort],
      protocol,
      field: r['DestinationIp'] !== undefined ? 'Report.DestinationIp' : 'Report.AdditionalInfo.DestinationIP',
    },
    ctx,
    problems,
  );
  const times = [
    makeTime(r['FirstSeen'] ?? extra['FirstSeen'], 'first-seen', 'FirstSeen', ctx, problems),
    makeTime(extra['LastSeen'] ?? r['LastSeen'], 'last-seen', 'LastSeen', ctx, problems),
    makeTime(r['Date'], 'event', 'Report.Date', ctx, problems),
  ];
  report.incidents.push(makeIncident(source, [destination], times, type, ctx.part, str(r['ReportId']) ?? str(doc['ReportId'])));
  if (version !== null && !/^3(?:\.|$)/.test(version)) {
    report.notes.push(`XARF JSON "Version": "${version}" is older than v3; it was read with the v3 field names`);
  }
  const reporter = isObject(doc['ReporterInfo']) ? doc['ReporterInfo'] : {};
  const onBehalf = isObject(doc['OnBehalfOf']) ? doc['OnBehalfOf'] : null;
  const reportClass = str(r['ReportClass']);
  const complainant: Partial<Party> = onBehalf
    ? {
        organisation: str(onBehalf['ComplainantOrg']),
        name: str(onBehalf['ComplainantContactName']),
        email: str(onBehalf['ComplainantContactEmail']) ?? str(onBehalf['ComplainantOrgEmail']),
      }
    : {
        organisation: str(reporter['ReporterOrg']) ?? str(reporter['ReporterOrgDomain']),
        name: str(reporter['ReporterContactName']),
        email: str(reporter['ReporterContactEmail']) ?? str(reporter['ReporterOrgEmail']),
      };
  const isCopyright = /copyright|infring/i.test(type ?? '');
  return {
    ...report,
    version,
    reportType: [type, str(r['ReportSubType'])].filter(Boolean).join('/') || null,
    category: isCopyright ? 'copyright' : categoryFromType(type) ?? (reportClass === 'Messaging' ? 'spam' : null),
    complainant,
    reference: str(r['ReportId']) ?? str(doc['ReportId']),
    destinationNote: destination?.address ? null : destinationNoteFor(isCopyright ? 'copyright' : null),
  };
}
