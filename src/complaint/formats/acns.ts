/**
 * ACNS copyright notices (schema ACNS2v1_2): an `<Infringement>` element, inline in the
 * notice text and often attached again as a file.
 *
 *   Infringement/Case/ID                        the notice's case id
 *   Infringement/Complainant/{Entity,Contact,Email}
 *   Infringement/Source/{TimeStamp,IP_Address,Port,Type}
 *                                               the accused address and the peer port seen on it
 *
 * There is no destination in this format: the port is the one seen on the accused address.
 * Forwarding quirks handled: `>` quote prefixes, undecoded quoted-printable (`=3D`), `<br>`
 * tags inside the XML, and bare `&` (a warning).
 */
import { decodeQuotedPrintable } from '../mime.js';
import { emptyReport, makeIncident, makeSource, makeTime, readPort, type ReadContext, type Report } from '../report.js';
import { child, readXml, textAt } from '../xml.js';

/** Finds the `<Infringement>...</Infringement>` blocks in a text, cleaned of forwarding damage. */
export function findAcnsBlocks(text: string): string[] {
  if (!text.includes('</Infringement')) return [];
  const unquoted = text.replace(/^(?:[ \t]*>[ \t]?)+/gm, '');
  const blocks: string[] = [];
  const re = /<Infringement[\s>][\s\S]*?<\/Infringement\s*>/g;
  for (let m = re.exec(unquoted); m !== null; m = re.exec(unquoted)) {
    let block = m[0].replace(/<br\s*\/?>/gi, '');
    if (/=3D"/.test(block)) block = decodeQuotedPrintable(Buffer.from(block, 'latin1')).toString('utf8');
    blocks.push(block);
  }
  return blocks;
}

/** True when the text holds an ACNS notice. */
export function hasAcns(text: string): boolean {
  return /<Infringement[\s>]/.test(text);
}

/** Reads the ACNS notices in a text (duplicates, such as the inline and attached copy, once). */
export function readAcns(blocks: readonly string[], ctx: ReadContext): Report {
  const report = emptyReport('acns');
  const seen = new Set<string>();
  let reference: string | null = null;
  let version: string | null = null;
  let complainant = {};
  for (const block of blocks) {
    const key = block.replace(/\s+/g, '');
    if (seen.has(key)) continue;
    seen.add(key);
    const { root, problems } = readXml(block, { part: ctx.part, file: ctx.file });
    report.problems.push(...problems);
    if (!root) continue;
    const schema = Object.entries(root.attributes).find(([name]) => /schemaLocation$/.test(name))?.[1] ?? '';
    version ??= /\/v(\d+\.\d+)\//.exec(schema)?.[1] ?? null;
    const source = child(root, 'Source');
    const port = readPort(textAt(source, 'Port'), 'Source/Port', ctx, report.problems);
    const ip = textAt(source, 'IP_Address');
    const accused = ip === null ? null : makeSource(ip, 'Source/IP_Address', ctx, report.problems, { port });
    if (ip === null) {
      const url = textAt(root, 'Content', 'Item', 'URL');
      report.notes.push(
        `the notice names no IP address${url ? ` (its source is ${textAt(source, 'Type') ?? 'a'} URL ${url})` : ''}`,
      );
    }
    const time = makeTime(textAt(source, 'TimeStamp'), 'event', 'Source/TimeStamp', ctx, report.problems);
    report.incidents.push(makeIncident(accused, [], [time], textAt(source, 'Type') ?? 'copyright', ctx.part, textAt(root, 'Case', 'ID')));
    reference ??= textAt(root, 'Case', 'ID');
    const c = child(root, 'Complainant');
    if (c && Object.keys(complainant).length === 0) {
      complainant = {
        organisation: textAt(c, 'Entity'),
        name: textAt(c, 'Contact'),
        email: textAt(c, 'Email'),
      };
    }
  }
  return {
    ...report,
    version,
    reportType: 'copyright',
    category: 'copyright',
    complainant,
    reference,
    destinationNote: 'this format carries no destination: an ACNS notice names only the accused address and the port seen on it',
  };
}
