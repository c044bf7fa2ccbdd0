/**
 * X-ARF 0.1/0.2 (x-arf.org): a mail whose second part, usually named `report.txt`, is a flat
 * YAML record. The fields used here:
 *
 *   Source, Source-Type           the accused address (ip-address / ipv4 / ipv6 / uri)
 *   Port (or Ports)               the attacked service port (login-attack schema); a few
 *                                 parsers read it as the source port, the schema does not
 *   Destination, Destination-Type the attacked address, when given
 *   Targeted-Range                the attacked network (WebIron's variant)
 *   Date                          when it happened, free-form with offset
 *   Report-ID, Report-Type, Category, Service, Reported-From, Version
 */
import { categoryFromType } from '../category.js';
import { emptyReport, makeDestination, makeIncident, makeSource, makeTime, readPort, type ReadContext, type Report } from '../report.js';
import { readFlatYaml } from '../yaml.js';

/** Reads one X-ARF YAML report. */
export function readXarfYaml(text: string, ctx: ReadContext): Report {
  const report = emptyReport('x-arf');
  const { fields, problems } = readFlatYaml(text, { part: ctx.part, file: ctx.file });
  report.problems.push(...problems);
  const get = (key: string): string | null => {
    const v = fields.get(key)?.value;
    return v === undefined || v === '' ? null : v;
  };
  const lineOf = (key: string): number | undefined => fields.get(key)?.line;

  const sourceType = (get('source-type') ?? '').toLowerCase();
  const sourceText = get('source');
  let source = null;
  if (sourceType === 'uri' || sourceType === 'url') {
    report.notes.push(`the report names a URL, not an address, as its source: ${sourceText ?? ''}`);
  } else if (sourceText === null) {
    report.notes.push('the report has no Source field');
  } else {
    source = makeSource(sourceText, 'Source', ctx, report.problems, { line: lineOf('source') });
  }

  const portKey = fields.has('port') ? 'port' : 'ports';
  const ports = (get(portKey) ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((p) => readPort(p, fields.get(portKey)?.key ?? 'Port', ctx, report.problems, lineOf(portKey)));
  const destinationText = get('destination') ?? get('targeted-range');
  const destinationKey = get('destination') !== null ? 'destination' : 'targeted-range';
  const destination = makeDestination(
    {
      address: destinationText,
      ports,
      field: destinationText === null ? fields.get(portKey)?.key ?? 'Port' : (fields.get(destinationKey)?.key ?? 'Destination'),
      line: lineOf(destinationKey),
    },
    ctx,
    report.problems,
  );
  if (ports.some((p) => p !== null)) {
    report.notes.push('X-ARF "Port" is read as the attacked port (the login-attack schema); a few tools mean the source port by it');
  }

  const reportType = get('report-type');
  const time = makeTime(get('date'), 'event', 'Date', ctx, report.problems, lineOf('date'));
  report.incidents.push(makeIncident(source, [destination], [time], reportType, ctx.part, get('report-id')));

  const category = (get('category') ?? '').toLowerCase();
  const version = get('version');
  if (version !== null && !/^0\.[12]$/.test(version)) {
    report.notes.push(`the report says X-ARF "Version: ${version}", which is not 0.1 or 0.2; it was read as 0.2`);
  }
  return {
    ...report,
    version,
    reportType,
    category: categoryFromType(reportType) ?? categoryFromType(category === 'fraud' ? 'fraud' : null),
    complainant: { email: get('reported-from') },
    reference: get('report-id'),
    destinationNote: destination?.address
      ? null
      : destination
        ? 'the report names the attacked port but not the attacked address'
        : 'the report gives no destination',
  };
}
