import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { entriesOf, parseTorrc, printTorrc, type EntryNode, type TorrcFile } from '../../src/torrc/cst.js';
import { formatEntry, insertComment, insertEntry, insertLines, removeEntry, replaceEntry, type InsertPosition } from '../../src/torrc/edit.js';
import { source } from '../helpers/source.js';
import { torrcLines } from './arbitraries.js';

const pairs = (file: TorrcFile): Array<[string, string]> => entriesOf(file).map((e) => [e.rawKey, e.value]);

function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('torrc/edit', () => {
  const base = parseTorrc(
    source`
      # Exit policy
      ExitPolicy accept *:443   # https
      ExitPolicy reject *:*
      Nickname Relay
    `,
    '/etc/tor/torrc',
  );
  const [accept, reject] = entriesOf(base) as [EntryNode, EntryNode, EntryNode];

  describe('#insertEntry', () => {
    test('inserts a canonical line before an entry, leaving every other byte alone', () => {
      const edited = insertEntry(base, { key: 'exitpolicy', value: 'reject 198.51.100.0/24:*' }, { before: accept });
      expect(printTorrc(edited)).toBe(
        '# Exit policy\nExitPolicy reject 198.51.100.0/24:*\nExitPolicy accept *:443   # https\nExitPolicy reject *:*\nNickname Relay\n',
      );
      expect(base.source).toContain('ExitPolicy accept *:443   # https');
    });

    test('inserts after an entry', () => {
      const edited = insertEntry(base, { key: 'ExitPolicy', value: 'reject 1.2.3.4:*' }, { after: reject });
      expect(pairs(edited).map(([, v]) => v)).toEqual(['accept *:443', 'reject *:*', 'reject 1.2.3.4:*', 'Relay']);
    });

    test.each<[string, string, InsertPosition, string]>([
      ['a file without final newline', 'Nickname a', 'end', 'Nickname a\nContactInfo x\n'],
      ['an empty file', '', 'end', 'ContactInfo x\n'],
      ['a CRLF file', 'Nickname a\r\n', 'end', 'Nickname a\r\nContactInfo x\r\n'],
      ['a CRLF file without final newline', 'Nickname a\r\nNickname b', 'end', 'Nickname a\r\nNickname b\r\nContactInfo x\r\n'],
      ['a continuation left open at the end', 'ExitPolicy a,\\\n', 'end', 'ExitPolicy a,\\\n\nContactInfo x\n'],
      ['a comment inside a continuation at the end', 'ExitPolicy a,\\\n b # c', 'end', 'ExitPolicy a,\\\n b # c\n\nContactInfo x\n'],
      ['a trailing backslash without newline', 'ExitPolicy a \\', 'end', 'ExitPolicy a \\\n\nContactInfo x\n'],
      ['a comment line without newline', '# last', 'end', '# last\nContactInfo x\n'],
      ['the start of the file', 'Nickname a\n', 'start', 'ContactInfo x\nNickname a\n'],
    ])('appends safely to %s', (_name, text, position, expected) => {
      const file = parseTorrc(text, '/t');
      const edited = insertEntry(file, { key: 'ContactInfo', value: 'x' }, position);
      expect(edited.source).toBe(expected);
      expect(pairs(edited)).toEqual(position === 'start' ? [['ContactInfo', 'x'], ...pairs(file)] : [...pairs(file), ['ContactInfo', 'x']]);
    });

    test.each([
      ['', 'an empty value'],
      ['a\nb', 'a newline'],
      ['a\rb', 'a CR'],
      ['a\0b', 'a NUL'],
      ['reject 1.2.3.4:* # why', 'a comment'],
      ['#', 'a hash'],
      ['"quoted"', 'a leading quote'],
      [' reject *:*', 'leading space'],
      ['reject *:* ', 'trailing space'],
      ['reject\t', 'trailing tab'],
      ['reject *:*\\', 'a trailing backslash'],
      ['a\u000bb', 'a vertical tab'],
      ['a\u001bb', 'an escape character'],
      ['\uFEFFa', 'a byte-order mark'],
    ])('refuses the value %j (%s)', (value) => {
      expect(thrownCode(() => insertEntry(base, { key: 'ContactInfo', value }, 'end'))).toBe('TORRC_EDIT_UNSAFE_VALUE');
    });

    test.each(['ExitPol', 'MaxConn', 'Nicknam3', '', 'ORPortLines', 'AllowDotExit', '%Include', '+ExitPolicy'])('refuses the keyword %j', (key) => {
      expect(thrownCode(() => insertEntry(base, { key, value: 'x' }, 'end'))).toBe('TORRC_EDIT_BAD_KEY');
    });

    test('writes prefixes and %include', () => {
      const edited = insertLines(base, [{ key: 'ExitPolicy', value: '', prefix: '/' }, { key: '%include', value: '/etc/tor/exitkit.d' }, { key: 'ExitPolicy', value: 'reject *:25', prefix: '+' }], 'end');
      expect(edited.source.endsWith('Nickname Relay\n/ExitPolicy\n%include /etc/tor/exitkit.d\n+ExitPolicy reject *:25\n')).toBe(true);
    });

    test('refuses files Tor refuses, files with a NUL, and nodes of other files', () => {
      expect(thrownCode(() => insertEntry(parseTorrc('A "x" y\n', '/t'), { key: 'Nickname', value: 'a' }, 'end'))).toBe('TORRC_EDIT_FILE_HAS_ERRORS');
      expect(thrownCode(() => insertEntry(parseTorrc('\uFEFFNickname a\n', '/t'), { key: 'Nickname', value: 'a' }, 'end'))).toBe('TORRC_EDIT_FILE_HAS_ERRORS');
      expect(thrownCode(() => insertEntry(parseTorrc('Nickname a\0\n', '/t'), { key: 'Nickname', value: 'a' }, 'end'))).toBe('TORRC_EDIT_NUL_BYTE');
      const other = entriesOf(parseTorrc('# x\nNickname zz\n', '/u'))[0] as EntryNode;
      expect(thrownCode(() => insertEntry(base, { key: 'Nickname', value: 'a' }, { after: other }))).toBe('TORRC_EDIT_NOT_IN_FILE');
    });
  });

  describe('#insertComment', () => {
    test('writes block markers as comment lines', () => {
      const edited = insertLines(base, [{ comment: 'exitkit: begin case-42' }, { key: 'ExitPolicy', value: 'reject 192.0.2.0/24:*' }, { comment: 'exitkit: end case-42' }], { before: accept });
      expect(edited.source.split('\n').slice(1, 4)).toEqual(['# exitkit: begin case-42', 'ExitPolicy reject 192.0.2.0/24:*', '# exitkit: end case-42']);
      expect(insertComment(base, '', 'end').source.endsWith('Relay\n#\n')).toBe(true);
    });

    test('refuses multi-line comments', () => {
      expect(thrownCode(() => insertComment(base, 'a\nExitPolicy accept *:*', 'end'))).toBe('TORRC_EDIT_UNSAFE_COMMENT');
    });
  });

  describe('#replaceEntry', () => {
    test('replaces every physical line of an entry with one canonical line', () => {
      const file = parseTorrc('A 1\nExitPolicy reject 1.1.1.1:*, \\\n   reject 2.2.2.2:*\nB 2\n', '/t');
      const target = entriesOf(file)[1] as EntryNode;
      const edited = replaceEntry(file, target, { key: 'ExitPolicy', value: 'reject 3.3.3.3:*' });
      expect(edited.source).toBe('A 1\nExitPolicy reject 3.3.3.3:*\nB 2\n');
    });

    test('replaces a line swallowed by the comment trap together with its entry, as Tor reads it', () => {
      const file = parseTorrc('ExitPolicy reject 1.1.1.1:*, \\\n   reject 2.2.2.2:*  # two\nNickname Lost\n', '/t');
      const edited = replaceEntry(file, entriesOf(file)[0] as EntryNode, { key: 'ExitPolicy', value: 'reject 3.3.3.3:*' });
      expect(edited.source).toBe('ExitPolicy reject 3.3.3.3:*\n');
    });

    test('keeps a missing final newline missing and CRLF as CRLF', () => {
      const file = parseTorrc('A 1\r\nB 2', '/t');
      expect(replaceEntry(file, entriesOf(file)[1] as EntryNode, { key: 'Nickname', value: 'x' }).source).toBe('A 1\r\nNickname x');
      expect(replaceEntry(file, entriesOf(file)[0] as EntryNode, { key: 'Nickname', value: 'x' }).source).toBe('Nickname x\r\nB 2');
    });
  });

  describe('#removeEntry', () => {
    test('removes all lines of an entry and nothing else', () => {
      expect(removeEntry(base, accept).source).toBe('# Exit policy\nExitPolicy reject *:*\nNickname Relay\n');
      const last = entriesOf(base)[2] as EntryNode;
      expect(removeEntry(base, last).source).toBe('# Exit policy\nExitPolicy accept *:443   # https\nExitPolicy reject *:*\n');
    });
  });

  describe('#formatEntry', () => {
    test.each([
      [{ key: 'exitpolicy', value: 'reject *:*' }, 'ExitPolicy reject *:*'],
      [{ key: 'CONTACTINFO', value: 'abuse at example dot org' }, 'ContactInfo abuse at example dot org'],
      [{ key: 'ExitPolicy', value: 'reject\t1.2.3.4:*' }, 'ExitPolicy reject\t1.2.3.4:*'],
      [{ key: 'ExitPolicy', value: '', prefix: '/' as const }, '/ExitPolicy'],
    ])('writes %j as %j', (entry, text) => {
      expect(formatEntry(entry)).toBe(text);
    });
  });

  describe('properties', () => {
    const editable = torrcLines().filter((text) => parseTorrc(text, '/t').errors.length === 0);

    test('an insertion at any position changes no other byte and no other entry (2,000 cases)', () => {
      fc.assert(
        fc.property(editable, fc.nat(), fc.constantFrom('before', 'after', 'end', 'start'), (text, pick, where) => {
          const file = parseTorrc(text, '/t');
          const node = file.nodes.length > 0 ? file.nodes[pick % file.nodes.length] : undefined;
          const position: InsertPosition = node === undefined || where === 'end' || where === 'start' ? (where === 'start' ? 'start' : 'end') : where === 'before' ? { before: node } : { after: node };
          const edited = insertEntry(file, { key: 'ExitPolicy', value: 'reject 192.0.2.0/24:*' }, position);
          // Old text = edited text minus the inserted line (and the guard newlines at the end).
          const line = `ExitPolicy reject 192.0.2.0/24:*${file.lineEnding}`;
          const at = edited.source.indexOf(line, position === 'start' ? 0 : edited.source.length - text.length - line.length - 4);
          const without = edited.source.slice(0, at) + edited.source.slice(at + line.length);
          expect(without.replace(/(\r?\n)+$/, '')).toBe(text.replace(/(\r?\n)+$/, ''));
          expect(edited.source.startsWith(text.slice(0, Math.min(at, text.length)))).toBe(true);
          const after = pairs(edited);
          expect(after.filter(([k, v]) => !(k === 'ExitPolicy' && v === 'reject 192.0.2.0/24:*'))).toEqual(
            pairs(file).filter(([k, v]) => !(k === 'ExitPolicy' && v === 'reject 192.0.2.0/24:*')),
          );
          expect(after.length).toBe(pairs(file).length + 1);
        }),
        { numRuns: 2_000 },
      );
    }, 60_000);

    test('removing or replacing an entry leaves every other byte identical (2,000 cases)', () => {
      fc.assert(
        fc.property(editable, fc.nat(), fc.boolean(), (text, pick, replace) => {
          const file = parseTorrc(text, '/t');
          const entries = entriesOf(file);
          fc.pre(entries.length > 0);
          const target = entries[pick % entries.length] as EntryNode;
          const edited = replace ? replaceEntry(file, target, { key: 'Nickname', value: 'Edited' }) : removeEntry(file, target);
          const replacement = replace ? `Nickname Edited${target.raw.endsWith('\n') ? file.lineEnding : ''}` : '';
          expect(edited.source).toBe(text.slice(0, target.offset) + replacement + text.slice(target.offset + target.raw.length));
          const others = entries.filter((e) => e !== target).map((e) => [e.rawKey, e.value]);
          expect(pairs(edited).filter(([k, v]) => !(k === 'Nickname' && v === 'Edited'))).toEqual(others.filter(([k, v]) => !(k === 'Nickname' && v === 'Edited')));
        }),
        { numRuns: 2_000 },
      );
    }, 60_000);
  });
});
