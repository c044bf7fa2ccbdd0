/**
 * Shadowserver-style CSV: one row per event, named columns. Also used for the CSV blocks CERTs
 * paste into mail bodies (CERT-Bund's `IP,timestamp(UTC+0),source_port,destination_port`).
 *
 *   accused address    src_ip | ip | http_referer_ip | source_ip   (+ src_port | source_port | port)
 *   destination        dst_ip | destination_ip, dst_port | destination_port, protocol
 *   time               timestamp (UTC by Shadowserver's definition; a zone in the header wins)
 *   kind               infection | tag | type, else the report name in the file name
 *
 * Reports of the `ip`/`port` kind (open services found by scanning) describe a service on the
 * accused address, not traffic from it: they have no destination.
 */
import { categoryFromType } from '../category.js';
import { readCsv, type CsvRow } from '../csv.js';
import { emptyReport, makeDestination, makeIncident, makeSource, makeTime, readPort, readProtocol, type ReadContext, type Report } from '../report.js';
import { parseZone, type TimeContext } from '../time.js';

const SOURCE_COLUMNS = ['src_ip', 'source_ip', 'http_referer_ip', 'ip', 'src', 'source'];
const SOURCE_PORT_COLUMNS = ['src_port', 'source_port', 'http_referer_port'];
const DESTINATION_COLUMNS = ['dst_ip', 'destination_ip', 'dest_ip', 'dst'];
const DESTINATION_PORT_COLUMNS = ['dst_port', 'destination_port', 'dest_port', 'dpt'];

function first(row: CsvRow, columns: readonly string[]): { column: string; value: string } | null {
  for (const column of columns) {
    const value = row.cells[column];
    if (value !== undefined && value !== '') return { column, value };
  }
  return null;
}

/** True when a CSV header names an address column and a time column. */
export function isEventCsvHeader(columns: readonly string[]): boolean {
  const lower = columns.map((c) => c.toLowerCase().replace(/\(.*\)$/, '').trim());
  return lower.some((c) => SOURCE_COLUMNS.includes(c)) && lower.some((c) => c === 'timestamp' || c === 'time' || c === 'date');
}

/** The report's own name from a Shadowserver file name (`2024-05-01-event4_honeypot_ikev2_scan-…csv`). */
export function reportNameFromFile(name: string | null): string | null {
  if (!name) return null;
  const base = name.replace(/^.*[\\/]/, '').replace(/\.csv(?:\.zip)?$/i, '');
  const feed = /(?:^|[^a-z0-9])(?:event[46]|scan6?)_([a-z0-9_]+?)(?:-[a-z0-9_]+-(?:asn|geo|cidr))?$/i.exec(base);
  if (feed) return feed[1] ?? null;
  const last = base.split('__').at(-1) ?? base;
  return last.replace(/^\d{4}-\d{2}-\d{2}-/, '').replace(/^test_/, '') || null;
}

/**
 * Reads an event CSV. `declaredUtc` says whether the sender defines its timestamps as UTC
 * (Shadowserver does); a zone in the time column's header, e.g. `timestamp(UTC+0)`, wins.
 */
export function readEventCsv(text: string, fileName: string | null, declaredUtc: boolean, ctx: ReadContext): Report {
  const report = emptyReport('shadowserver');
  const table = readCsv(text, { part: ctx.part, file: ctx.file });
  report.problems.push(...table.problems);
  const timeColumn = table.header.find((h) => /^(?:timestamp|time|date)\b/i.test(h)) ?? null;
  const headerZone = timeColumn ? /\(([^)]*)\)/.exec(timeColumn)?.[1] : undefined;
  const zone = headerZone ? parseZone(headerZone) : null;
  const time: TimeContext = zone
    ? { ...ctx.time, defaultZone: { zone, basis: 'declared', why: `the column header "${timeColumn}" gives the zone` } }
    : declaredUtc
      ? { ...ctx.time, defaultZone: { zone: { offsetMinutes: 0 }, basis: 'declared', why: 'Shadowserver timestamps are in UTC' } }
      : ctx.time;
  const rowCtx: ReadContext = { ...ctx, time };
  const timeKey = timeColumn?.toLowerCase() ?? null;
  const reportName = reportNameFromFile(fileName);
  const hasDestinationColumns = table.header.some((h) => [...DESTINATION_COLUMNS, ...DESTINATION_PORT_COLUMNS].includes(h.toLowerCase()));
  let kind: string | null = null;
  for (const row of table.rows) {
    const src = first(row, SOURCE_COLUMNS);
    const isScanOfUs = src?.column === 'ip' && !hasDestinationColumns;
    const srcPort = first(row, isScanOfUs ? ['port', ...SOURCE_PORT_COLUMNS] : SOURCE_PORT_COLUMNS);
    const port = srcPort ? readPort(srcPort.value, srcPort.column, rowCtx, report.problems, row.line) : null;
    const source = src ? makeSource(src.value, `${src.column} column`, rowCtx, report.problems, { port, line: row.line }) : null;
    const dst = first(row, DESTINATION_COLUMNS);
    const dstPort = first(row, DESTINATION_PORT_COLUMNS);
    const destination = makeDestination(
      {
        address: dst?.value,
        ports: [dstPort ? readPort(dstPort.value, dstPort.column, rowCtx, report.problems, row.line) : null],
        protocol: readProtocol(row.cells['protocol']),
        hostname: row.cells['dst_hostname'] || null,
        field: dst ? `${dst.column} column` : `${dstPort?.column ?? 'dst_port'} column`,
        line: row.line,
      },
      rowCtx,
      report.problems,
    );
    const when = timeKey ? makeTime(row.cells[timeKey], 'event', `${timeColumn} column`, rowCtx, report.problems, row.line) : null;
    const rowType = row.cells['infection'] || row.cells['tag'] || row.cells['type'] || reportName;
    kind ??= rowType;
    report.incidents.push(makeIncident(source, [destination], [when], rowType, ctx.part));
  }
  const scanOfUs = !hasDestinationColumns && table.header.map((h) => h.toLowerCase()).includes('ip');
  if (scanOfUs) {
    report.notes.push('this is a scan report about a service reachable on the accused address, not about traffic from it');
  }
  const category = scanOfUs ? 'other' : (categoryFromType(kind) ?? categoryFromType(reportName));
  const anyAddress = report.incidents.some((i) => i.destinations.some((d) => d.address !== null));
  return {
    ...report,
    reportType: reportName ?? kind,
    category,
    destinationNote: anyAddress
      ? null
      : scanOfUs
        ? 'this report carries no destination: it lists a service found on the accused address'
        : 'the rows give no destination address',
    complainant: declaredUtc ? { organisation: 'The Shadowserver Foundation' } : {},
  };
}
