/**
 * The MIME structure of a complaint mail, part by part.
 *
 * mailparser reads every header block (folding, RFC 2047 words, RFC 2231 parameters, address
 * lists), but its `simpleParser` merges all inline text parts into one `text`, and a report's
 * YAML or CSV part must be read on its own. So this module splits multiparts at their
 * boundaries itself (RFC 2046 §5.1.1), hands each header block to mailparser, and decodes
 * each leaf's transfer encoding and charset. Nothing here throws: broken structure becomes a
 * `ComplaintError` and the rest is still read.
 */
import { simpleParser, type AddressObject, type HeaderValue, type Headers, type StructuredHeader } from 'mailparser';
import { ComplaintError } from './errors.js';

/** Limits that keep a hostile or broken mail from using unbounded time or memory. */
export interface MimeLimits {
  /** Deepest nesting of multiparts and attached messages. */
  readonly maxDepth: number;
  /** Most parts read from one mail, all levels together. */
  readonly maxParts: number;
}

/** Limits used when the caller gives none. */
export const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 12, maxParts: 400 };

/** The envelope of a message: the headers a reply and a case need. */
export interface Envelope {
  /** Decoded Subject, or null. */
  readonly subject: string | null;
  /** First From mailbox, or null. */
  readonly from: Mailbox | null;
  /** Reply-To mailbox, or null. */
  readonly replyTo: Mailbox | null;
  /** Message-ID with angle brackets, or null. */
  readonly messageId: string | null;
  /** Message-IDs from References (then In-Reply-To), oldest first. */
  readonly references: readonly string[];
  /** Date header as written, or null. */
  readonly dateText: string | null;
  /** Date header as an instant, or null when missing or unreadable. */
  readonly date: Date | null;
  /** Raw header lines as `Name: value` (unfolded), for format detection. */
  readonly headerLines: ReadonlyArray<{ readonly key: string; readonly line: string }>;
}

/** A mailbox: display name and address. */
export interface Mailbox {
  /** Display name, or empty. */
  readonly name: string;
  /** Address, or empty when only a name was given. */
  readonly address: string;
}

/** One MIME part. Leaves carry a body; multiparts and attached messages carry children. */
export interface MimePart {
  /** IMAP-style id: `1`, `2.1`; the root is `0`. */
  readonly id: string;
  /** Lower-case media type, e.g. `text/plain`; `text/plain` when none is declared. */
  readonly contentType: string;
  /** Content-Type parameters (names lower-case). */
  readonly params: Readonly<Record<string, string>>;
  /** `inline`, `attachment`, or null. */
  readonly disposition: string | null;
  /** File name from Content-Disposition or Content-Type `name`, or null. */
  readonly filename: string | null;
  /** Lower-case Content-Transfer-Encoding, `7bit` when none. */
  readonly transferEncoding: string;
  /** The body still transfer-encoded (empty for multiparts). */
  readonly rawBody: Buffer;
  /** Sub-parts of a multipart, or the root of an attached message. */
  readonly children: readonly MimePart[];
  /** For the root of a message (top level or attached): its envelope. */
  readonly envelope: Envelope | null;
}

/** Result of reading the structure of a mail. */
export interface MimeTree {
  /** The root part (the message itself). */
  readonly root: MimePart;
  /** Problems with the structure. */
  readonly problems: readonly ComplaintError[];
}

// header-line ::= field-name ":" ...; field-name ::= 1*(printable ASCII except ":")
const HEADER_LINE = /^[!-9;-~]+:/;

/** Splits a message into its header block and body at the first empty line. */
export function splitHeaderBody(raw: Buffer): { header: Buffer; body: Buffer } {
  const text = raw.toString('latin1');
  let start = 0;
  // An mbox "From " separator line is not a header.
  if (text.startsWith('From ')) {
    const eol = text.indexOf('\n');
    start = eol < 0 ? text.length : eol + 1;
  }
  const firstLine = text.slice(start, text.indexOf('\n', start) < 0 ? undefined : text.indexOf('\n', start));
  if (!HEADER_LINE.test(firstLine)) {
    return { header: Buffer.alloc(0), body: raw.subarray(start) };
  }
  const m = /\r?\n\r?\n/.exec(text.slice(start));
  if (!m) return { header: raw.subarray(start), body: Buffer.alloc(0) };
  const headerEnd = start + m.index;
  return { header: raw.subarray(start, headerEnd), body: raw.subarray(headerEnd + m[0].length) };
}

function asStructured(value: HeaderValue | undefined): StructuredHeader | null {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value && 'params' in value) {
    return value as StructuredHeader;
  }
  if (Array.isArray(value) && value.length > 0) return asStructured(value[0] as HeaderValue);
  return null;
}

function asString(value: HeaderValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return null;
}

function firstMailbox(value: AddressObject | AddressObject[] | undefined): Mailbox | null {
  const object = Array.isArray(value) ? value[0] : value;
  const first = object?.value[0];
  if (!first) return null;
  if (first.group && first.group.length > 0) {
    const member = first.group[0];
    return member ? { name: member.name, address: member.address ?? '' } : null;
  }
  return { name: first.name, address: first.address ?? '' };
}

function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
}

/** Header block parsed by mailparser, plus what a MIME part needs from it. */
interface ParsedHeader {
  headers: Headers;
  headerLines: ReadonlyArray<{ key: string; line: string }>;
  envelope: Envelope;
}

/** Parses one header block with mailparser. Resolves to null when mailparser gives up. */
async function parseHeaderBlock(header: Buffer): Promise<ParsedHeader | null> {
  try {
    const parsed = await simpleParser(Buffer.concat([header, Buffer.from('\r\n\r\n')]), {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
    const dateLine = parsed.headerLines.find((h) => h.key === 'date');
    const dateText = dateLine ? dateLine.line.replace(/^[^:]*:\s*/, '').replace(/\s+/g, ' ').trim() : null;
    const date = parsed.date instanceof Date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null;
    const references = [...messageIds(parsed.references), ...messageIds(parsed.inReplyTo)];
    const envelope: Envelope = {
      subject: parsed.subject ?? null,
      from: firstMailbox(parsed.from),
      replyTo: firstMailbox(parsed.replyTo),
      messageId: parsed.messageId ?? null,
      references: [...new Set(references)],
      dateText,
      date: dateText === null ? null : date,
      headerLines: parsed.headerLines.map((h) => ({ key: h.key, line: h.line.replace(/\r?\n[ \t]+/g, ' ') })),
    };
    return { headers: parsed.headers, headerLines: parsed.headerLines, envelope };
  } catch {
    return null;
  }
}

/** Mutable state of one tree read. */
interface ReadState {
  parts: number;
  readonly limits: MimeLimits;
  readonly problems: ComplaintError[];
  readonly file: string | undefined;
}

/**
 * Finds the body parts of a multipart. Grammar (RFC 2046 §5.1.1):
 *   multipart-body ::= [preamble CRLF] dash-boundary *space CRLF body-part
 *                      *(CRLF dash-boundary *space CRLF body-part)
 *                      CRLF dash-boundary "--" [epilogue]
 *   dash-boundary  ::= "--" boundary
 * Bare LF line ends are accepted too. A missing close delimiter ends the last part at the end
 * of the input (and is reported).
 */
export function splitMultipart(body: Buffer, boundary: string): { parts: Buffer[]; closed: boolean } {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const starts: Array<{ lineStart: number; contentStart: number; close: boolean }> = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf(delimiter, from);
    if (at < 0) break;
    from = at + delimiter.length;
    const atLineStart = at === 0 || text[at - 1] === '\n';
    if (!atLineStart) continue;
    const rest = text.slice(from, from + 2);
    const close = rest === '--';
    let eol = text.indexOf('\n', from);
    if (eol < 0) eol = text.length - 1;
    const tail = text.slice(from + (close ? 2 : 0), eol + 1);
    // After the boundary only transport padding may follow on the line.
    if (!/^[ \t]*\r?\n?$/.test(tail)) continue;
    starts.push({ lineStart: at, contentStart: eol + 1, close });
    if (close) break;
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < starts.length; i++) {
    const current = starts[i];
    if (!current || current.close) break;
    const next = starts[i + 1];
    let end = next ? next.lineStart : text.length;
    // The line break before a delimiter belongs to the delimiter.
    if (next) {
      if (text[end - 1] === '\n') end--;
      if (text[end - 1] === '\r') end--;
    }
    parts.push(body.subarray(Math.min(current.contentStart, end), end));
  }
  const closed = starts.some((s) => s.close);
  return { parts, closed };
}

async function readPart(raw: Buffer, id: string, depth: number, isMessageRoot: boolean, state: ReadState): Promise<MimePart> {
  state.parts++;
  const { header, body } = splitHeaderBody(raw);
  const parsed = header.length > 0 ? await parseHeaderBlock(header) : null;
  if (header.length > 0 && !parsed) {
    state.problems.push(
      new ComplaintError('COMPLAINT_BAD_MIME', `the headers of part ${id} could not be read; the part is read as plain text`, {
        part: `part ${id}`,
        severity: 'warning',
        file: state.file,
      }),
    );
  }
  const ct = asStructured(parsed?.headers.get('content-type'));
  const contentType = (ct?.value ?? 'text/plain').toLowerCase().trim() || 'text/plain';
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(ct?.params ?? {})) params[k.toLowerCase()] = String(v);
  const cd = asStructured(parsed?.headers.get('content-disposition'));
  const disposition = cd?.value ? cd.value.toLowerCase() : null;
  const filename = cd?.params['filename'] ?? params['name'] ?? null;
  const transferEncoding = (asString(parsed?.headers.get('content-transfer-encoding')) ?? '7bit').toLowerCase().trim();
  const envelope = isMessageRoot ? (parsed?.envelope ?? emptyEnvelope()) : null;

  const children: MimePart[] = [];
  const leaf = (rawBody: Buffer): MimePart => ({
    id,
    contentType,
    params,
    disposition,
    filename,
    transferEncoding,
    rawBody,
    children,
    envelope,
  });

  if (depth >= state.limits.maxDepth && (contentType.startsWith('multipart/') || contentType === 'message/rfc822')) {
    state.problems.push(
      new ComplaintError('COMPLAINT_BAD_MIME', `part ${id} is nested more than ${state.limits.maxDepth} levels deep; its content was not read`, {
        part: `part ${id}`,
        severity: 'warning',
        file: state.file,
      }),
    );
    return leaf(body);
  }

  const boundary = params['boundary'];
  if (contentType.startsWith('multipart/') && boundary) {
    const { parts, closed } = splitMultipart(body, boundary);
    if (!closed) {
      state.problems.push(
        new ComplaintError('COMPLAINT_BAD_MIME', `multipart ${id} has no closing boundary "--${boundary}--"; read up to the end of the input`, {
          part: `part ${id}`,
          severity: 'warning',
          file: state.file,
        }),
      );
    }
    let n = 0;
    for (const partRaw of parts) {
      if (state.parts >= state.limits.maxParts) {
        state.problems.push(
          new ComplaintError('COMPLAINT_BAD_MIME', `the mail has more than ${state.limits.maxParts} parts; the rest were not read`, {
            severity: 'warning',
            file: state.file,
          }),
        );
        break;
      }
      n++;
      const childId = id === '0' ? `${n}` : `${id}.${n}`;
      children.push(await readPart(partRaw, childId, depth + 1, false, state));
    }
    return leaf(Buffer.alloc(0));
  }
  if (contentType === 'message/rfc822' || contentType === 'message/global') {
    const decoded = decodeTransfer(body, transferEncoding);
    const childId = id === '0' ? '1' : `${id}.1`;
    children.push(await readPart(decoded, childId, depth + 1, true, state));
    return leaf(body);
  }
  return leaf(body);
}

function emptyEnvelope(): Envelope {
  return {
    subject: null,
    from: null,
    replyTo: null,
    messageId: null,
    references: [],
    dateText: null,
    date: null,
    headerLines: [],
  };
}

/** Reads the MIME structure of a raw message (or of plain text without headers). */
export async function readMimeTree(raw: Buffer, options: { limits?: MimeLimits; file?: string } = {}): Promise<MimeTree> {
  const state: ReadState = {
    parts: 0,
    limits: options.limits ?? DEFAULT_MIME_LIMITS,
    problems: [],
    file: options.file,
  };
  const root = await readPart(raw, '0', 0, true, state);
  return { root, problems: state.problems };
}

/** Decodes quoted-printable (RFC 2045 §6.7), leniently: bad escapes are kept as written. */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body.toString('latin1');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d /* = */) {
      const next = text.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(next)) {
        out.push(parseInt(next, 16));
        i += 2;
        continue;
      }
      // Soft line break: "=" then optional whitespace then the line end.
      const soft = /^[ \t]*\r?\n/.exec(text.slice(i + 1, i + 80));
      if (soft) {
        i += soft[0].length;
        continue;
      }
      if (i + 1 >= text.length) continue;
    }
    out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/** Removes the Content-Transfer-Encoding of a body (`base64`, `quoted-printable`; others as is). */
export function decodeTransfer(body: Buffer, transferEncoding: string): Buffer {
  if (transferEncoding === 'base64') {
    return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  }
  if (transferEncoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** Decodes bytes in a declared charset, falling back to UTF-8 for unknown labels. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase().replace(/^"|"$/g, '');
  try {
    return new TextDecoder(label === 'utf8' ? 'utf-8' : label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Undoes format=flowed (RFC 3676 §4): joins soft-broken lines and removes space-stuffing. */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let current: string | null = null;
  for (const rawLine of lines) {
    let line = rawLine.startsWith(' ') ? rawLine.slice(1) : rawLine;
    const soft = line.endsWith(' ') && line !== '-- ';
    if (soft && delSp) line = line.slice(0, -1);
    current = current === null ? line : current + line;
    if (!soft) {
      out.push(current);
      current = null;
    }
  }
  if (current !== null) out.push(current);
  return out.join('\n');
}

/** The decoded bytes of a leaf part. */
export function partBytes(part: MimePart): Buffer {
  return decodeTransfer(part.rawBody, part.transferEncoding);
}

/** The decoded text of a leaf part (charset and format=flowed applied, line ends as LF). */
export function partText(part: MimePart): string {
  let text = decodeCharset(partBytes(part), part.params['charset']).replace(/\r\n?/g, '\n');
  if ((part.params['format'] ?? '').toLowerCase() === 'flowed') {
    text = unflow(text, (part.params['delsp'] ?? '').toLowerCase() === 'yes');
  }
  return text;
}

/** Every leaf part in document order, attached messages included. */
export function leaves(part: MimePart): MimePart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(leaves);
}

/** A short label for a part in messages: `part 2 "report.txt"`. */
export function partLabel(part: MimePart): string {
  return part.filename ? `part ${part.id} "${part.filename}"` : `part ${part.id} (${part.contentType})`;
}
