/**
 * A rendered letter as an RFC 5322 message (`--format eml`), ready for any mail client's
 * "open"/"send again" or for `sendmail -t`.
 *
 * - Header values never carry a line break from their input: CR, LF and every other control
 *   character become spaces before a value is placed, so no value can start a new header.
 *   Addresses and message ids are then checked and refused if malformed.
 * - Non-ASCII header text (names, subject) is written as RFC 2047 encoded-words (UTF-8, base64).
 * - The body is `text/plain; charset=utf-8` in quoted-printable. Letters are mostly ASCII, so
 *   quoted-printable keeps them readable, while guaranteeing 7-bit lines of at most 76
 *   characters: the message then passes unchanged through relays and ticket systems that do
 *   not offer 8BITMIME, and long lines (URLs) cannot hit SMTP's 998-octet line limit.
 */
import { randomBytes } from 'node:crypto';
import type { LetterContext } from './context.js';
import { LetterError } from './errors.js';
import type { RenderedLetter } from './render.js';

/** A name and address. */
export interface Mailbox {
  /** Display name, if any. */
  name?: string | undefined;
  /** The address, `local@domain`. */
  address: string;
}

/** Headers of the message. */
export interface EmlHeaders {
  /** Sender. */
  from: Mailbox;
  /** Recipients (at least one). */
  to: readonly Mailbox[];
  /** Copy recipients. */
  cc?: readonly Mailbox[] | undefined;
  /** Date of the message. */
  date: Date;
  /** Message-ID; a fresh one at the sender's domain when omitted. */
  messageId?: string | undefined;
  /** Message-ID of the complaint being answered. */
  inReplyTo?: string | undefined;
  /** The thread so far; defaults to `inReplyTo` alone. */
  references?: readonly string[] | undefined;
}

const MAX_LINE = 78;
const QP_LINE = 76;
// Bytes of UTF-8 per encoded-word: 30 bytes make 40 base64 characters, so a word is 52
// characters and still fits on a header's first line after "Subject: ".
const WORD_BYTES = 30;
// eslint-disable-next-line no-control-regex
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
// msg-id ::= "<" id-left "@" id-right ">"   (dot-atom-text or no-fold-literal on each side)
const MESSAGE_ID = /^[!#-'*+\-/-9=?A-Z^-~.]+@(?:[!#-'*+\-/-9=?A-Z^-~.]+|\[[!-Z^-~]*\])$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The message for `letter`, with CRLF line endings. */
export function formatEml(letter: Pick<RenderedLetter, 'subject' | 'body'>, headers: EmlHeaders): string {
  if (headers.to.length === 0) {
    throw new LetterError('EML_BAD_ADDRESS', 'A message needs at least one recipient', { hint: 'give the recipient address (--to)' });
  }
  const from = mailbox(headers.from, 'From');
  const lines = [
    header('From', from),
    header('To', mailboxList(headers.to, 'To')),
    ...(headers.cc !== undefined && headers.cc.length > 0 ? [header('Cc', mailboxList(headers.cc, 'Cc'))] : []),
    header('Subject', unstructured(letter.subject)),
    header('Date', [rfc5322Date(headers.date)]),
    header('Message-ID', [messageId(headers.messageId ?? newMessageId(headers.from.address, headers.date), 'Message-ID')]),
  ];
  if (headers.inReplyTo !== undefined) {
    lines.push(header('In-Reply-To', [messageId(headers.inReplyTo, 'In-Reply-To')]));
  }
  const references = headers.references ?? (headers.inReplyTo !== undefined ? [headers.inReplyTo] : []);
  if (references.length > 0) {
    lines.push(header('References', references.map((id) => messageId(id, 'References'))));
  }
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
  return `${lines.join('\r\n')}\r\n\r\n${quotedPrintable(letter.body)}`;
}

/** Headers for a letter from the context: operator → recipient, threaded to the complaint. */
export function emlHeadersFor(context: LetterContext, date: Date): EmlHeaders {
  const to = context.recipient?.email ?? context.complaint?.complainant.email;
  if (to === undefined) {
    throw new LetterError('EML_BAD_ADDRESS', 'The letter has no recipient address', {
      field: 'recipient.email',
      hint: "give the recipient's address (--to)",
    });
  }
  const name = context.recipient?.email !== undefined ? context.recipient.name : context.complaint?.complainant.name;
  const messageId = context.complaint?.messageId;
  return {
    from: { name: context.operator.name, address: context.operator.email },
    to: [{ name, address: to }],
    date,
    ...(messageId !== undefined ? { inReplyTo: messageId } : {}),
  };
}

function header(name: string, tokens: readonly string[]): string {
  // Fold between tokens so lines stay within 78 characters where the tokens allow it.
  let line = `${name}:`;
  const out: string[] = [];
  for (const token of tokens) {
    if (columns(line) + 1 + columns(token) > MAX_LINE && line !== `${name}:`) {
      out.push(line);
      line = ` ${token}`;
    } else {
      line = `${line} ${token}`;
    }
  }
  out.push(line);
  return out.join('\r\n');
}

function singleLine(value: string): string {
  return value.replace(CONTROL_RUN, ' ').replace(/ {2,}/g, ' ').trim();
}

function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function unstructured(value: string): string[] {
  const text = singleLine(value);
  if (isPlainAscii(text)) return text === '' ? [] : text.split(' ');
  return encodedWords(text);
}

function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > WORD_BYTES) {
      words.push(encodedWord(chunk));
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(encodedWord(chunk));
  return words;
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function mailbox(box: Mailbox, field: string): string[] {
  const address = singleLine(box.address);
  if (!ADDRESS.test(address)) {
    throw new LetterError('EML_BAD_ADDRESS', `${field} address "${address}" is not a plain e-mail address`, {
      input: address,
      hint: 'e.g. abuse@isp.example.net',
    });
  }
  const name = box.name === undefined ? '' : singleLine(box.name);
  if (name === '') return [`<${address}>`];
  const phrase = isPlainAscii(name) ? [`"${name.replace(/(["\\])/g, '\\$1')}"`] : encodedWords(name);
  return [...phrase, `<${address}>`];
}

function mailboxList(boxes: readonly Mailbox[], field: string): string[] {
  return boxes.flatMap((box, index) => {
    const tokens = mailbox(box, field);
    if (index < boxes.length - 1) tokens[tokens.length - 1] = `${tokens[tokens.length - 1] as string},`;
    return tokens;
  });
}

function messageId(value: string, field: string): string {
  const text = singleLine(value);
  const bare = text.startsWith('<') && text.endsWith('>') ? text.slice(1, -1) : text;
  if (!MESSAGE_ID.test(bare)) {
    throw new LetterError('EML_BAD_MESSAGE_ID', `${field} "${text}" is not a message id`, {
      input: text,
      hint: 'a message id looks like <unique-part@domain.example>',
    });
  }
  return `<${bare}>`;
}

function newMessageId(fromAddress: string, date: Date): string {
  const domain = singleLine(fromAddress).split('@')[1] ?? 'exitkit.invalid';
  return `<${date.getTime().toString(36)}.${randomBytes(9).toString('hex')}.exitkit@${domain}>`;
}

/** RFC 5322 date-time in UTC, e.g. `Thu, 20 Nov 2025 14:03:05 +0000`. */
export function rfc5322Date(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Quoted-printable (RFC 2045 §6.7) of `text`, lines ending in CRLF, at most 76 characters each. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return `${lines.map(encodeLine).join('\r\n')}\r\n`;
}

function encodeLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const tokens: string[] = [];
  bytes.forEach((byte, index) => {
    const last = index === bytes.length - 1;
    const literal =
      (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    // "From " at the start of a line is mangled by mbox stores; an encoded F survives.
    const mbox = index === 0 && line.startsWith('From ');
    tokens.push(literal && !mbox ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  });
  const out: string[] = [];
  let current = '';
  tokens.forEach((token, index) => {
    const remaining = index === tokens.length - 1;
    // A soft break ("=" at the end) needs one column, except after the line's final token.
    const limit = remaining ? QP_LINE : QP_LINE - 1;
    if (current.length + token.length > limit) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  });
  out.push(current);
  return out.join('\r\n');
}

function columns(text: string): number {
  return text.length;
}
