/**
 * Pure parsing and formatting of tor's control protocol (control-spec.txt §2): replies,
 * data blocks, quoted strings and key=value arguments. No I/O here; `control.ts` owns the
 * socket.
 */
import { TorControlError } from './errors.js';

/** One line of a reply. */
export interface ReplyLine {
  /** Three-digit status code (250, 552, 650, ...). */
  readonly status: number;
  /** `mid` for `NNN-`, `data` for `NNN+` (a data block follows), `end` for `NNN `. */
  readonly kind: 'mid' | 'data' | 'end';
  /** The text after the separator. */
  readonly text: string;
  /** For `data` lines: the block that followed, dot-unstuffed, lines joined with `\n`. */
  readonly data?: string;
}

/** A complete reply: zero or more mid/data lines and one end line. */
export interface ControlReply {
  /** Status of the end line, which is the reply's status. */
  readonly status: number;
  /** Every line in order, the end line last. */
  readonly lines: readonly ReplyLine[];
}

/** True for asynchronous event replies (status 6xx). */
export function isAsyncReply(reply: ControlReply): boolean {
  return reply.status >= 600 && reply.status < 700;
}

/** True for positive completion replies (status 2xx). */
export function isSuccess(reply: ControlReply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** The reply's text lines joined by `\n` (data blocks left out), for error messages. */
export function replyText(reply: ControlReply): string {
  return reply.lines.map((line) => line.text).join('\n');
}

// Reply grammar (control-spec §2.3, §2.4):
//   Reply         = *(MidReplyLine / DataReplyLine) EndReplyLine
//   MidReplyLine  = StatusCode "-" ReplyLine
//   DataReplyLine = StatusCode "+" ReplyLine CmdData
//   EndReplyLine  = StatusCode SP ReplyLine
//   ReplyLine     = [ReplyText] CRLF
//   CmdData       = *DataLine "." CRLF        ; a DataLine starting with "." gets one more "."
//   StatusCode    = 3DIGIT
const STATUS_LINE = /^(\d{3})([ +-])(.*)$/s;

/**
 * Incremental reply parser: feed it text as it arrives, get back every reply completed by
 * that text. Lines may end in CRLF or a bare LF; chunks may split lines anywhere.
 */
export class ReplyParser {
  private buffer = '';
  private lines: ReplyLine[] = [];
  private dataLine: { status: number; text: string; block: string[] } | undefined;

  /** Consumes `chunk` and returns the replies it completed, in order. Throws TOR_CONTROL_PROTOCOL. */
  push(chunk: string): ControlReply[] {
    this.buffer += chunk;
    const replies: ControlReply[] = [];
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline < 0) break;
      const raw = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const reply = this.consumeLine(line);
      if (reply) replies.push(reply);
    }
    return replies;
  }

  /** True when no partial reply is buffered. */
  isIdle(): boolean {
    return this.buffer === '' && this.lines.length === 0 && this.dataLine === undefined;
  }

  private consumeLine(line: string): ControlReply | undefined {
    if (this.dataLine) {
      if (line === '.') {
        const { status, text, block } = this.dataLine;
        this.lines.push({ status, kind: 'data', text, data: block.join('\n') });
        this.dataLine = undefined;
      } else {
        this.dataLine.block.push(line.startsWith('.') ? line.slice(1) : line);
      }
      return undefined;
    }
    const match = STATUS_LINE.exec(line);
    if (!match) {
      throw new TorControlError(
        'TOR_CONTROL_PROTOCOL',
        `tor sent '${line}', which is not a control reply line (expected three digits, then ' ', '-' or '+')`,
      );
    }
    const status = Number(match[1]);
    const separator = match[2];
    const text = match[3] ?? '';
    if (separator === '+') {
      this.dataLine = { status, text, block: [] };
      return undefined;
    }
    if (separator === '-') {
      this.lines.push({ status, kind: 'mid', text });
      return undefined;
    }
    this.lines.push({ status, kind: 'end', text });
    const reply: ControlReply = { status, lines: this.lines };
    this.lines = [];
    return reply;
  }
}

/**
 * Encodes a multi-line command body as CmdData: CRLF line ends, a "." doubled at the start of
 * a line, terminated by a line holding a single ".".
 */
export function encodeData(body: string): string {
  if (body === '') return '.\r\n';
  const text = body.endsWith('\n') ? body.slice(0, -1) : body;
  const lines = text.split('\n').map((line) => {
    const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
    return bare.startsWith('.') ? `.${bare}` : bare;
  });
  return `${lines.join('\r\n')}\r\n.\r\n`;
}

/** Quotes a string as a control-protocol QuotedString (backslash and double quote escaped). */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };

/**
 * Reads a QuotedString starting at `start` (which must be a `"`), decoding the C escapes tor
 * writes (`\n \r \t \\ \" \'`, `\xHH`, octal `\NNN`). Returns the value and the index after
 * the closing quote.
 */
export function readQuotedString(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '"') {
    throw new TorControlError('TOR_CONTROL_PROTOCOL', `expected a quoted string at ${start} in '${text}'`);
  }
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i += 1;
      continue;
    }
    const next = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if ((next === 'x' || next === 'X') && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (/^[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1))?.[0] ?? next;
      value += String.fromCharCode(parseInt(octal, 8));
      i += 1 + octal.length;
    } else {
      throw new TorControlError('TOR_CONTROL_PROTOCOL', `bad escape '\\${next}' in quoted string '${text}'`);
    }
  }
  throw new TorControlError('TOR_CONTROL_PROTOCOL', `unterminated quoted string in '${text}'`);
}

/**
 * Splits `WORD KEY=VALUE KEY="quoted value" ...` into positional words and keyword arguments
 * (values of quoted arguments decoded). Keys keep their case.
 */
export function parseArguments(text: string): { words: string[]; keywords: Map<string, string> } {
  const words: string[] = [];
  const keywords = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i += 1;
    if (i >= text.length) break;
    const keyMatch = /^([^\s="]+)=/.exec(text.slice(i));
    if (keyMatch?.[1] !== undefined) {
      const key = keyMatch[1];
      i += keyMatch[0].length;
      if (text[i] === '"') {
        const { value, end } = readQuotedString(text, i);
        keywords.set(key, value);
        i = end;
      } else {
        const end = text.indexOf(' ', i);
        keywords.set(key, end < 0 ? text.slice(i) : text.slice(i, end));
        i = end < 0 ? text.length : end;
      }
      continue;
    }
    const end = text.indexOf(' ', i);
    words.push(end < 0 ? text.slice(i) : text.slice(i, end));
    i = end < 0 ? text.length : end;
  }
  return { words, keywords };
}

/**
 * Reads a GETINFO reply into key → value. Single-line answers are `key=value`; multi-line
 * answers are a data line `key=` followed by the block. The final `OK` line is skipped.
 */
export function parseGetInfoReply(reply: ControlReply): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of reply.lines) {
    if (line.kind === 'end' && line.text === 'OK') continue;
    const eq = line.text.indexOf('=');
    if (eq < 0) {
      throw new TorControlError('TOR_CONTROL_PROTOCOL', `GETINFO reply line '${line.text}' has no '='`);
    }
    const key = line.text.slice(0, eq);
    values.set(key, line.kind === 'data' ? (line.data ?? '') : line.text.slice(eq + 1));
  }
  return values;
}

/** What PROTOCOLINFO says about authentication and the tor version. */
export interface ProtocolInfo {
  /** PROTOCOLINFO version (1). */
  protocolVersion: number;
  /** Offered methods, upper case: NULL, HASHEDPASSWORD, COOKIE, SAFECOOKIE. */
  authMethods: string[];
  /** Absolute path of the cookie file, when cookie authentication is offered. */
  cookieFile: string | undefined;
  /** Tor's version string, e.g. `0.4.9.11`. */
  torVersion: string | undefined;
}

// PROTOCOLINFO reply (control-spec §3.21):
//   "250-PROTOCOLINFO" SP PIVERSION CRLF
//   "250-AUTH" SP "METHODS=" AuthMethod *("," AuthMethod) *(SP "COOKIEFILE=" AuthCookieFile) CRLF
//   "250-VERSION" SP "Tor=" TorVersion OptArguments CRLF
//   "250 OK" CRLF
/** Reads a PROTOCOLINFO reply. */
export function parseProtocolInfo(reply: ControlReply): ProtocolInfo {
  const info: ProtocolInfo = {
    protocolVersion: 0,
    authMethods: [],
    cookieFile: undefined,
    torVersion: undefined,
  };
  for (const line of reply.lines) {
    const { words, keywords } = parseArguments(line.text);
    switch (words[0]) {
      case 'PROTOCOLINFO':
        info.protocolVersion = Number(words[1] ?? 0);
        break;
      case 'AUTH':
        info.authMethods = (keywords.get('METHODS') ?? '')
          .split(',')
          .filter((m) => m !== '')
          .map((m) => m.toUpperCase());
        info.cookieFile = keywords.get('COOKIEFILE');
        break;
      case 'VERSION':
        info.torVersion = keywords.get('Tor');
        break;
      default:
        break;
    }
  }
  return info;
}
