/**
 * MarkMonitor copyright notices: an `<InvestigationInfo>` element (not ACNS) with one
 * `<Case>` per infringement.
 *
 *   InvestigationInfo/CaseList/Case/{CaseId, PeerIP, PeerPort, Initiated, Completed}
 *
 * Times are `dd/mm/yyyy hh:mm:ss` or `mm/dd/yyyy ...` without a zone; the order is decided
 * against the mail's date and the zone is only ever assumed (see time.ts).
 */
import { decodeQuotedPrintable } from '../mime.js';
import { emptyReport, makeIncident, makeSource, makeTime, readPort, type ReadContext, type Report } from '../report.js';
import { childrenNamed, descendants, readXml, textAt } from '../xml.js';

/** True when the text holds a MarkMonitor notice. */
export function hasMarkMonitor(text: string): boolean {
  return /<InvestigationInfo[\s>]/.test(text);
}

/** Reads the cases of a MarkMonitor notice. */
export function readMarkMonitor(text: string, ctx: ReadContext): Report {
  const report = emptyReport('markmonitor');
  const m = /<InvestigationInfo[\s>][\s\S]*?<\/InvestigationInfo\s*>/.exec(text.replace(/^(?:[ \t]*>[ \t]?)+/gm, ''));
  if (!m) return report;
  let block = m[0];
  if (/=3D"/.test(block)) block = decodeQuotedPrintable(Buffer.from(block, 'latin1')).toString('utf8');
  const { root, problems } = readXml(block, { part: ctx.part, file: ctx.file });
  report.problems.push(...problems);
  if (!root) return report;
  let reference: string | null = null;
  for (const c of descendants(root, 'Case')) {
    reference ??= textAt(c, 'CaseId');
    const port = readPort(textAt(c, 'PeerPort'), 'PeerPort', ctx, report.problems);
    const source = makeSource(textAt(c, 'PeerIP'), 'PeerIP', ctx, report.problems, { port });
    const times = [
      makeTime(textAt(c, 'Initiated'), 'first-seen', 'Initiated', ctx, report.problems),
      makeTime(textAt(c, 'Completed'), 'last-seen', 'Completed', ctx, report.problems),
    ];
    report.incidents.push(makeIncident(source, [], times, textAt(c, 'InfringementType') ?? 'copyright', ctx.part, textAt(c, 'CaseId')));
  }
  const customer = childrenNamed(root, 'Customer')[0]?.text.trim();
  if (customer) report.notes.push(`notice addressed to ${customer}`);
  return {
    ...report,
    reportType: 'copyright',
    category: 'copyright',
    complainant: { organisation: 'MarkMonitor' },
    reference,
    destinationNote: 'this format carries no destination: the notice names only the accused address and its peer port',
  };
}
