import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { gunzip, isGzip, isZip, unzip } from '../../src/complaint/archive.js';

/** Builds a zip file (stored or deflated members) the way zip tools lay it out. */
function zip(members: Array<{ name: string; content: Buffer; method?: 0 | 8; flags?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 8;
    const data = method === 8 ? deflateRawSync(m.content) : m.content;
    const name = Buffer.from(m.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(m.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(m.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(m.content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

describe('complaint/archive', () => {
  describe('#isGzip and #isZip', () => {
    test.each([
      [gzipSync(Buffer.from('x')), true, false],
      [zip([{ name: 'a.csv', content: Buffer.from('x') }]), false, true],
      [Buffer.from('plain text'), false, false],
      [Buffer.alloc(0), false, false],
    ])('%#', (bytes, gz, zp) => {
      expect([isGzip(bytes), isZip(bytes)]).toEqual([gz, zp]);
    });
  });

  describe('#gunzip', () => {
    test('unpacks and names the member after the attachment without .gz', () => {
      const r = gunzip(gzipSync(Buffer.from('log line\n')), 'iptables.log.gz', 'part 5');
      expect(r.members).toEqual([{ name: 'iptables.log', content: Buffer.from('log line\n') }]);
      expect(r.problems).toEqual([]);
    });

    test.each([
      ['corrupt data', Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3]), 1_000_000],
      ['more output than the cap', gzipSync(Buffer.alloc(10_000)), 1000],
    ])('%s → COMPLAINT_BAD_ARCHIVE', (_name, bytes, cap) => {
      const r = gunzip(bytes, 'x.gz', 'part 2', cap);
      expect(r.members).toEqual([]);
      expect(r.problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_ARCHIVE', part: 'part 2' })]);
    });
  });

  describe('#unzip', () => {
    test('reads stored and deflated members, skips directories', () => {
      const r = unzip(
        zip([
          { name: 'dir/', content: Buffer.alloc(0), method: 0 },
          { name: 'a.csv', content: Buffer.from('"timestamp","src_ip"\n') },
          { name: 'b.txt', content: Buffer.from('stored'), method: 0 },
        ]),
        'report.zip',
        'part 2',
      );
      expect(r.members.map((m) => [m.name, m.content.toString()])).toEqual([
        ['a.csv', '"timestamp","src_ip"\n'],
        ['b.txt', 'stored'],
      ]);
      expect(r.problems).toEqual([]);
    });

    test('an encrypted member is reported and skipped', () => {
      const r = unzip(zip([{ name: 'secret.csv', content: Buffer.from('x'), flags: 1 }]), 'r.zip', 'part 2');
      expect(r.members).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_ARCHIVE']);
    });

    test.each([
      ['no end record', Buffer.from('PK\u0003\u0004 but nothing else')],
      ['truncated', zip([{ name: 'a.csv', content: Buffer.from('hello world') }]).subarray(0, 40)],
      ['offset outside the file', (() => {
        const z = zip([{ name: 'a.csv', content: Buffer.from('hello') }]);
        z.writeUInt32LE(0xfffffff0, z.length - 6);
        return z;
      })()],
    ])('%s → COMPLAINT_BAD_ARCHIVE, no throw', (_name, bytes) => {
      const r = unzip(bytes, 'r.zip', 'part 2');
      expect(r.problems.map((p) => p.code)).toContain('COMPLAINT_BAD_ARCHIVE');
    });

    test('members that unpack beyond the cap are refused', () => {
      const r = unzip(zip([{ name: 'big.csv', content: Buffer.alloc(50_000) }]), 'r.zip', 'part 2', 1000);
      expect(r.members).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_ARCHIVE']);
    });
  });
});
