/**
 * IODEF (RFC 5070) incident documents, as upstream providers (AbuseIO, Cogent) attach them.
 * One `<Incident>` per reported event:
 *
 *   Incident/IncidentID                                   reference
 *   Incident/EventData/Flow/System[@category=source]/Node/Address   the accused address
 *   Incident/EventData/Flow/System[@category=target]/Node/Address   the destination
 *   .../System/Service/Port (or Portlist), Service/@ip_protocol     destination port, protocol
 *   Incident/EventData/(DetectTime|StartTime|EndTime|Record/RecordData/DateTime)
 *   Incident/ReportTime                                   when it was reported
 *   Incident/Assessment/Impact/@type, @ext-type           kind of abuse
 */
import { categoryFromText, categoryFromType } from '../category.js';
import { emptyReport, makeDestination, makeIncident, makeSource, makeTime, readPort, type ReadContext, type Report } from '../report.js';
import type { Destination, ReportedSource } from '../types.js';
import type { EventTime } from '../time.js';
import { child, childrenNamed, descendants, readXml, textAt, type XmlElement } from '../xml.js';

/** True when the text holds an IODEF document. */
export function hasIodef(text: string): boolean {
  return /<(?:[A-Za-z0-9_-]+:)?IODEF-Document[\s>]/.test(text);
}

const IANA_PROTOCOLS: Readonly<Record<string, 'tcp' | 'udp' | 'icmp'>> = { '6': 'tcp', '17': 'udp', '1': 'icmp' };

function portsOf(system: XmlElement, ctx: ReadContext, report: Report): Array<number | null> {
  const ports: Array<number | null> = [];
  for (const service of childrenNamed(system, 'Service')) {
    const port = textAt(service, 'Port');
    if (port !== null) ports.push(readPort(port, 'Service/Port', ctx, report.problems));
    const list = textAt(service, 'Portlist');
    if (list !== null) {
      for (const item of list.split(',').slice(0, 1024)) {
        const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(item);
        if (!range) {
          ports.push(readPort(item, 'Service/Portlist', ctx, report.problems));
          continue;
        }
        const low = readPort(range[1], 'Service/Portlist', ctx, report.problems);
        const high = readPort(range[2], 'Service/Portlist', ctx, report.problems);
        if (low === null || high === null || high < low) continue;
        for (let p = low; p <= Math.min(high, low + 1023); p++) ports.push(p);
      }
    }
  }
  return ports;
}

/** Reads the incidents of an IODEF document. */
export function readIodef(text: string, ctx: ReadContext): Report {
  const report = emptyReport('iodef');
  const start = text.search(/<(?:\?xml|(?:[A-Za-z0-9_-]+:)?IODEF-Document)/);
  const { root, problems } = readXml(start > 0 ? text.slice(start) : text, { part: ctx.part, file: ctx.file });
  report.problems.push(...problems);
  if (!root) return report;
  let reference: string | null = null;
  let type: string | null = null;
  const texts: string[] = [];
  for (const incident of childrenNamed(root, 'Incident')) {
    reference ??= textAt(incident, 'IncidentID');
    const impact = descendants(incident, 'Impact')[0];
    type ??= impact ? (impact.attributes['ext-type'] ?? impact.attributes['type'] ?? null) : null;
    let source: ReportedSource | null = null;
    const destinations: Array<Destination | null> = [];
    for (const flow of descendants(incident, 'Flow')) {
      for (const system of childrenNamed(flow, 'System')) {
        const role = (system.attributes['category'] ?? '').toLowerCase();
        const addresses = descendants(system, 'Address').map((a) => a.text.trim()).filter(Boolean);
        if (role === 'source') {
          source ??= makeSource(addresses[0], 'System[source]/Node/Address', ctx, report.problems);
        } else if (role === 'target') {
          const service = child(system, 'Service');
          const protocol = IANA_PROTOCOLS[service?.attributes['ip_protocol'] ?? ''] ?? null;
          const ports = portsOf(system, ctx, report);
          for (const address of addresses.length > 0 ? addresses : [undefined]) {
            destinations.push(makeDestination({ address, ports, protocol, field: 'System[target]/Node/Address' }, ctx, report.problems));
          }
        }
      }
    }
    const times: Array<EventTime | null> = [];
    for (const [name, role] of [['StartTime', 'first-seen'], ['EndTime', 'last-seen'], ['DetectTime', 'event']] as const) {
      const t = descendants(incident, name)[0];
      if (t) times.push(makeTime(t.text, role, name, ctx, report.problems));
    }
    for (const dt of descendants(incident, 'DateTime')) times.push(makeTime(dt.text, 'event', 'RecordData/DateTime', ctx, report.problems));
    if (times.length === 0) times.push(makeTime(textAt(incident, 'ReportTime'), 'report', 'ReportTime', ctx, report.problems));
    for (const item of descendants(incident, 'RecordItem')) texts.push(item.text);
    report.incidents.push(makeIncident(source, destinations, times, type, ctx.part, textAt(incident, 'IncidentID')));
  }
  const destinationFound = report.incidents.some((i) => i.destinations.some((d) => d.address !== null));
  return {
    ...report,
    version: root.attributes['version'] ?? null,
    reportType: type,
    category: categoryFromType(type) ?? categoryFromText(texts.join('\n')),
    reference,
    destinationNote: destinationFound ? null : 'the IODEF incidents name no target system',
  };
}
