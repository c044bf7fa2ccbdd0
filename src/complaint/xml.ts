/**
 * A small XML reader for the notices embedded in complaints (ACNS `<Infringement>`, IODEF,
 * MarkMonitor `<InvestigationInfo>`). These documents are small and flat, so a full XML stack
 * is not needed; what is needed is a precise verdict on well-formedness with a line and column,
 * and tolerance for the one defect senders commonly produce (a bare `&` in text).
 *
 *   document  ::= [xml-decl] *misc element *misc
 *   misc      ::= comment | pi | whitespace | doctype
 *   element   ::= "<" name *(S attribute) [S] ("/>" | ">" content "</" name [S] ">")
 *   attribute ::= name [S] "=" [S] (DQUOTE *[^<"] DQUOTE | "'" *[^<'] "'")
 *   content   ::= *(chardata | element | reference | cdata | pi | comment)
 *   reference ::= "&" (name | "#" 1*DIGIT | "#x" 1*HEXDIG) ";"
 *
 * Namespace prefixes are kept in `qname` and dropped in `name`; namespaces are not resolved
 * (the reports put every element in one default namespace).
 */
import { ComplaintError } from './errors.js';

/** An element with its attributes, child elements and direct text. */
export interface XmlElement {
  /** Local name, without a namespace prefix. */
  readonly name: string;
  /** Name as written, prefix included. */
  readonly qname: string;
  /** Attributes by name as written. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements in order. */
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
  /** Line (1-based) of the start tag. */
  readonly line: number;
}

/** Result of reading an XML document. */
export interface XmlDocument {
  /** The root element, or null when none could be read. */
  readonly root: XmlElement | null;
  /** Well-formedness problems, each with line and column. */
  readonly problems: readonly ComplaintError[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const MAX_DEPTH = 64;
const MAX_ELEMENTS = 20_000;

/** Thrown inside the reader to stop at the first fatal error; never escapes `readXml`. */
class XmlStop extends Error {}

/** Reads an XML document. `where` names the part and file for problem locations. */
export function readXml(text: string, where: { part?: string | undefined; file?: string | undefined } = {}): XmlDocument {
  const problems: ComplaintError[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (index: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (lineStarts[lo] ?? 0) + 1 };
  };
  const problem = (index: number, message: string, severity: 'error' | 'warning' = 'error'): ComplaintError => {
    const { line, column } = position(index);
    const error = new ComplaintError('COMPLAINT_BAD_XML', `line ${line}, column ${column}: ${message}`, {
      part: where.part,
      file: where.file,
      line,
      column,
      input: text.slice(Math.max(0, index - 20), index + 40),
      severity,
    });
    problems.push(error);
    return error;
  };
  const fatal = (index: number, message: string): never => {
    problem(index, message);
    throw new XmlStop(message);
  };

  let i = 0;
  let elements = 0;

  const decode = (raw: string, start: number): string =>
    raw.replace(/&(#x[0-9A-Fa-f]+|#\d+|[A-Za-z][A-Za-z0-9]*)?(;)?/g, (whole, ref: string | undefined, semi: string | undefined, offset: number) => {
      if (ref && semi) {
        if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
        if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
        const named = ENTITIES[ref];
        if (named !== undefined) return named;
      }
      // Senders write "AT&T" in notices; keep the text and say so instead of rejecting it.
      problem(start + offset, `"&" not followed by an entity reference; read as a literal "&"`, 'warning');
      return whole;
    });

  const skipMisc = (): void => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i] ?? '')) i++;
      if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i);
        if (end < 0) fatal(i, 'processing instruction is not closed with "?>"');
        i = end + 2;
      } else if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i);
        if (end < 0) fatal(i, 'comment is not closed with "-->"');
        i = end + 3;
      } else if (text.startsWith('<!DOCTYPE', i) || text.startsWith('<!doctype', i)) {
        const end = text.indexOf('>', i);
        if (end < 0) fatal(i, 'DOCTYPE is not closed');
        i = end + 1;
      } else return;
    }
  };

  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) return fatal(i, `expected a name, found "${text.slice(i, i + 10)}"`);
    i += m[0].length;
    return m[0];
  };

  const readElement = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fatal(i, `elements nested more than ${MAX_DEPTH} deep`);
    if (++elements > MAX_ELEMENTS) fatal(i, `more than ${MAX_ELEMENTS} elements`);
    const start = i;
    i++; // "<"
    const qname = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      while (i < text.length && /\s/.test(text[i] ?? '')) i++;
      if (text.startsWith('/>', i)) {
        i += 2;
        return element(qname, attributes, [], '', position(start).line);
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      if (i >= text.length) fatal(start, `start tag <${qname}> is not closed`);
      if (i === before) fatal(i, `expected whitespace, ">" or "/>" in <${qname}>`);
      const attr = readName();
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '=') fatal(i, `attribute "${attr}" of <${qname}> has no "="`);
      i++;
      while (/\s/.test(text[i] ?? '')) i++;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fatal(i, `value of attribute "${attr}" is not quoted`);
      const end = text.indexOf(quote ?? '"', i + 1);
      if (end < 0) fatal(i, `value of attribute "${attr}" is not closed`);
      attributes[attr] = decode(text.slice(i + 1, end), i + 1);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let chardata = '';
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) fatal(start, `<${qname}> is never closed`);
      chardata += decode(text.slice(i, lt), i);
      i = lt;
      if (text.startsWith('</', i)) {
        i += 2;
        const closing = readName();
        while (/\s/.test(text[i] ?? '')) i++;
        if (text[i] !== '>') fatal(i, `end tag </${closing}> is not closed`);
        i++;
        if (closing !== qname) fatal(lt, `end tag </${closing}> does not match start tag <${qname}> on line ${position(start).line}`);
        return element(qname, attributes, children, chardata, position(start).line);
      }
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i);
        if (end < 0) fatal(i, 'comment is not closed with "-->"');
        i = end + 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i);
        if (end < 0) fatal(i, 'CDATA section is not closed with "]]>"');
        chardata += text.slice(i + 9, end);
        i = end + 3;
      } else if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i);
        if (end < 0) fatal(i, 'processing instruction is not closed with "?>"');
        i = end + 2;
      } else {
        children.push(readElement(depth + 1));
      }
    }
  };

  try {
    skipMisc();
    if (text[i] !== '<') fatal(i, 'the document has no root element');
    const root = readElement(0);
    skipMisc();
    if (i < text.length) problem(i, 'text after the root element is ignored', 'warning');
    return { root, problems };
  } catch (error) {
    if (error instanceof XmlStop) return { root: null, problems };
    throw error;
  }
}

function safeCodePoint(n: number): string | null {
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
  return String.fromCodePoint(n);
}

function element(qname: string, attributes: Record<string, string>, children: XmlElement[], text: string, line: number): XmlElement {
  const colon = qname.indexOf(':');
  return { name: colon < 0 ? qname : qname.slice(colon + 1), qname, attributes, children, text, line };
}

/** The first child element with the given local name (case-insensitive), or undefined. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const lower = name.toLowerCase();
  return el?.children.find((c) => c.name.toLowerCase() === lower);
}

/** All child elements with the given local name (case-insensitive). */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  const lower = name.toLowerCase();
  return el?.children.filter((c) => c.name.toLowerCase() === lower) ?? [];
}

/** Trimmed text of the element at `path` below `el`, or null when missing or empty. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | null {
  let current = el;
  for (const name of path) current = child(current, name);
  const t = current?.text.trim();
  return t ? t : null;
}

/** Every descendant element (depth first) with the given local name. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const lower = name.toLowerCase();
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name.toLowerCase() === lower) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
