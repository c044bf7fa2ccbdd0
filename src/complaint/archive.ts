/**
 * Unpacking of the compressed attachments reports use: gzip (a single file) and zip (Shadowserver
 * sends one CSV per zip). Only what reading a report needs: stored and deflated zip members,
 * no encryption, no zip64. Output size is capped so that a small archive cannot expand into
 * gigabytes.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { ComplaintError } from './errors.js';

/** One file taken out of an archive. */
export interface ArchiveMember {
  /** Name inside the archive (for gzip: the attachment name without `.gz`). */
  readonly name: string;
  /** Uncompressed content. */
  readonly content: Buffer;
}

/** Result of unpacking: the members read and the problems met. */
export interface Unpacked {
  /** Members read. */
  readonly members: readonly ArchiveMember[];
  /** Problems (unreadable, encrypted, too large). */
  readonly problems: readonly ComplaintError[];
}

/** Default cap on the bytes one archive may unpack to, all members together. */
export const DEFAULT_MAX_UNPACKED = 16 * 1024 * 1024;

/** True when the bytes start like a gzip stream (RFC 1952 ID1 ID2 CM=8). */
export function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

/** True when the bytes start like a zip file (local file header signature). */
export function isZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
}

/** Unpacks a gzip stream. */
export function gunzip(bytes: Buffer, name: string, part: string, maxBytes = DEFAULT_MAX_UNPACKED): Unpacked {
  try {
    const content = gunzipSync(bytes, { maxOutputLength: maxBytes });
    return { members: [{ name: name.replace(/\.gz$/i, ''), content }], problems: [] };
  } catch (cause) {
    return {
      members: [],
      problems: [
        new ComplaintError('COMPLAINT_BAD_ARCHIVE', `the gzip attachment "${name}" could not be unpacked (corrupt, or larger than ${maxBytes} bytes)`, {
          part,
          severity: 'warning',
          cause,
        }),
      ],
    };
  }
}

// Zip layout (APPNOTE 4.3): the end-of-central-directory record (signature 0x06054b50) points
// at the central directory, whose entries (0x02014b50) give each member's method, sizes and the
// offset of its local header (0x04034b50), after which the data follows name and extra field.
const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Unpacks the stored and deflated members of a zip file. */
export function unzip(bytes: Buffer, name: string, part: string, maxBytes = DEFAULT_MAX_UNPACKED): Unpacked {
  try {
    return unzipUnchecked(bytes, name, part, maxBytes);
  } catch (cause) {
    // A record pointing outside the buffer makes Buffer reads throw; that is a damaged file.
    return {
      members: [],
      problems: [
        new ComplaintError('COMPLAINT_BAD_ARCHIVE', `the zip attachment "${name}" could not be read: a record points outside the file`, {
          part,
          severity: 'warning',
          cause,
        }),
      ],
    };
  }
}

function unzipUnchecked(bytes: Buffer, name: string, part: string, maxBytes: number): Unpacked {
  const problems: ComplaintError[] = [];
  const members: ArchiveMember[] = [];
  const fail = (why: string, cause?: unknown): Unpacked => ({
    members,
    problems: [
      ...problems,
      new ComplaintError('COMPLAINT_BAD_ARCHIVE', `the zip attachment "${name}" could not be read: ${why}`, {
        part,
        severity: 'warning',
        cause,
      }),
    ],
  });
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return fail('no end-of-central-directory record');
  const count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL) return fail(`central directory entry ${n + 1} is damaged`);
    const flags = bytes.readUInt16LE(offset + 8);
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localOffset = bytes.readUInt32LE(offset + 42);
    const memberName = bytes.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    offset += 46 + nameLength + extraLength + commentLength;
    if (memberName.endsWith('/')) continue;
    if (flags & 0x1) {
      problems.push(
        new ComplaintError('COMPLAINT_BAD_ARCHIVE', `zip member "${memberName}" is encrypted and was not read`, { part, severity: 'warning' }),
      );
      continue;
    }
    if (localOffset + 30 > bytes.length || bytes.readUInt32LE(localOffset) !== LOCAL) return fail(`local header of "${memberName}" is damaged`);
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    try {
      if (method === 0) content = Buffer.from(data);
      else if (method === 8) content = inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes - total) });
      else {
        problems.push(
          new ComplaintError('COMPLAINT_BAD_ARCHIVE', `zip member "${memberName}" uses compression method ${method}, which exitkit does not read`, {
            part,
            severity: 'warning',
          }),
        );
        continue;
      }
    } catch (cause) {
      return fail(`member "${memberName}" is corrupt or unpacks to more than ${maxBytes} bytes`, cause);
    }
    total += content.length;
    if (total > maxBytes) return fail(`members unpack to more than ${maxBytes} bytes`);
    members.push({ name: memberName, content });
  }
  return { members, problems };
}
