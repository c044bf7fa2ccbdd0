import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { entriesOf, entryAt, nodeAt, parseTorrc, printTorrc, type EntryNode } from '../../src/torrc/cst.js';
import { decodeTorrcBytes } from '../../src/torrc/config.js';
import { isCi } from '../helpers/require-tool.js';
import { source } from '../helpers/source.js';
import { torrcText } from './arbitraries.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const corpusDir = path.resolve(repoRoot, '../shared/corpus/torrc');

function corpusFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? corpusFiles(full) : [full];
    });
}

const corpusPresent = existsSync(corpusDir);
if (!corpusPresent && isCi()) throw new Error(`the shared torrc corpus is missing at ${corpusDir}; CI=true needs it`);
if (!corpusPresent) console.warn(`SKIPPED: corpus round trip, ${corpusDir} is missing`);
const corpus = corpusPresent ? corpusFiles(corpusDir) : [];

/**
 * An independent transliteration of Tor's reading loop (config_get_lines_aux calling
 * parse_config_line_from_str_verbose), on text already stripped of CRs and cut at NUL:
 * the pairs Tor gets, up to its first error.
 */
function torReadingLoop(text: string): { pairs: Array<[string, string]>; failed: boolean } {
  const space = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);
  const pairs: Array<[string, string]> = [];
  let s = 0;
  const n = text.length;
  do {
    while (true) {
      while (space(text[s])) s++;
      if (text[s] === '#') while (s < n && text[s] !== '\n') s++;
      else break;
    }
    if (s >= n) break;
    const key = s;
    while (s < n && !space(text[s]) && text[s] !== '#' && !(text[s] === '\\' && text[s + 1] === '\n')) s++;
    const k = text.slice(key, s);
    while (text[s] === ' ' || text[s] === '\t') s++;
    const val = s;
    let v: string;
    if (text[s] === '"') {
      // JSON.parse is a different C-string decoder; keep to the escapes both share.
      let q = s + 1;
      let out = '';
      for (;;) {
        const c = text[q];
        if (c === undefined || c === '\n') return { pairs, failed: true };
        if (c === '"') break;
        if (c === '\\') {
          const e = text[q + 1];
          const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', "'": "'" };
          if (e !== undefined && e in simple) {
            out += simple[e];
            q += 2;
          } else if (e === 'x' || e === 'X') {
            const h = text.slice(q + 2, q + 4);
            if (!/^[0-9a-fA-F]{2}$/.test(h)) return { pairs, failed: true };
            out += String.fromCharCode(Number.parseInt(h, 16));
            q += 4;
          } else if (e !== undefined && /[0-7]/.test(e)) {
            const m = /^[0-7]{1,3}/.exec(text.slice(q + 1)) as RegExpExecArray;
            const value = Number.parseInt(m[0], 8);
            if (value > 255) return { pairs, failed: true };
            out += String.fromCharCode(value);
            q += 1 + m[0].length;
          } else {
            return { pairs, failed: true };
          }
        } else {
          out += c;
          q++;
        }
      }
      s = q + 1;
      while (text[s] === ' ' || text[s] === '\t') s++;
      if (s < n && text[s] !== '#' && text[s] !== '\n') return { pairs, failed: true };
      v = out;
    } else {
      let cont = false;
      while (s < n && text[s] !== '\n' && (text[s] !== '#' || cont)) {
        if (text[s] === '\\' && text[s + 1] === '\n') {
          cont = true;
          s += 2;
        } else if (text[s] === '#') {
          do s++;
          while (s < n && text[s] !== '\n');
          if (text[s] === '\n') s++;
        } else s++;
      }
      let cp = s;
      if (text[s] === '\n') s++;
      while (cp > val && space(text[cp - 1])) cp--;
      v = text.slice(val, cp);
      if (cont) v = v.replace(/#[^\n]*\n?/g, '').replace(/\\\n/g, '');
    }
    if (text[s] === '#') while (s < n && text[s] !== '\n') s++;
    while (space(text[s])) s++;
    pairs.push([k, k.startsWith('/') ? '' : v]);
  } while (s < n);
  return { pairs, failed: false };
}

function readPairs(text: string): { pairs: Array<[string, string]>; failed: boolean } {
  const file = parseTorrc(text, '/t');
  const pairs: Array<[string, string]> = [];
  for (const entry of entriesOf(file)) {
    if (entry.error) return { pairs, failed: true };
    pairs.push([entry.rawKey, entry.value]);
  }
  return { pairs, failed: false };
}

function preparedForTor(text: string): string {
  const nul = text.indexOf('\0');
  return (nul === -1 ? text : text.slice(0, nul)).replace(/\r/g, '');
}

describe('torrc/cst', () => {
  describe('#parseTorrc', () => {
    test.each(corpus.map((file) => [path.relative(corpusDir, file), file]))('prints the corpus file %s back byte for byte', (_name, file) => {
      const bytes = readFileSync(file);
      const { text } = decodeTorrcBytes(bytes);
      const parsed = parseTorrc(text, file);
      expect(printTorrc(parsed)).toBe(text);
      expect(Buffer.from(printTorrc(parsed), 'utf8').equals(bytes)).toBe(true);
    });

    test('prints any generated torrc-like text back unchanged (10,000 cases)', () => {
      fc.assert(
        fc.property(torrcText(), (text) => {
          const file = parseTorrc(text, '/t');
          expect(printTorrc(file)).toBe(text);
          let offset = 0;
          for (const node of file.nodes) {
            expect(node.offset).toBe(offset);
            expect(node.raw.length).toBeGreaterThan(0);
            expect(text.slice(0, offset).split('\n').length).toBe(node.firstLine);
            offset += node.raw.length;
          }
          expect(offset).toBe(text.length);
        }),
        { numRuns: 10_000 },
      );
    }, 60_000);

    test('reads generated text as Tor reading loop does (10,000 cases)', () => {
      fc.assert(
        fc.property(torrcText(), (text) => {
          expect(readPairs(text)).toEqual(torReadingLoop(preparedForTor(text)));
        }),
        { numRuns: 10_000 },
      );
    }, 60_000);

    test('splits a file into blank, comment and entry nodes with their line spans', () => {
      const text = source`
        # a torrc
        
        ExitPolicy reject 1.2.3.4:*, \
            reject 5.6.7.8:*
          # indented comment
        Nickname Relay1 # trailing
      `;
      const file = parseTorrc(text, '/etc/tor/torrc');
      expect(file.nodes.map((n) => [n.kind, n.firstLine, n.lastLine])).toEqual([
        ['comment', 1, 1],
        ['blank', 2, 2],
        ['entry', 3, 4],
        ['comment', 5, 5],
        ['entry', 6, 6],
      ]);
      const [policy, nickname] = entriesOf(file) as [EntryNode, EntryNode];
      expect(policy).toMatchObject({ key: 'ExitPolicy', value: 'reject 1.2.3.4:*,     reject 5.6.7.8:*', continued: true, keyColumn: 1 });
      expect(nickname).toMatchObject({ key: 'Nickname', value: 'Relay1', raw: 'Nickname Relay1 # trailing\n' });
    });

    test.each([
      ['+ExitPolicy accept *:80', '+', 'ExitPolicy', 'accept *:80'],
      ['/ExitPolicy', '/', 'ExitPolicy', ''],
      ['/ExitPolicy text that Tor discards', '/', 'ExitPolicy', ''],
      ['ExitPolicy reject *:25', '', 'ExitPolicy', 'reject *:25'],
      ['+%include /etc/tor/torrc.d', '+', '%include', '/etc/tor/torrc.d'],
    ])('reads the prefix of %j', (line, prefix, key, value) => {
      expect(entriesOf(parseTorrc(`${line}\n`, '/t'))[0]).toMatchObject({ prefix, key, value });
    });

    test.each([
      ['%include /etc/tor/torrc.d', true],
      ['+%include x', true],
      ['/%include x', true],
      ['%Include /x', false],
      ['%INCLUDE /x', false],
    ])('recognises %j as an include: %s', (line, isInclude) => {
      expect(entriesOf(parseTorrc(`${line}\n`, '/t'))[0]?.isInclude).toBe(isInclude);
    });

    test('keeps CRLF line endings inside nodes and reports the file as CRLF', () => {
      const text = 'Nickname a\r\n\r\nExitPolicy a,\\\r\n b\r\n';
      const file = parseTorrc(text, '/t');
      expect(file.nodes.map((n) => n.raw)).toEqual(['Nickname a\r\n', '\r\n', 'ExitPolicy a,\\\r\n b\r\n']);
      expect(file.lineEnding).toBe('\r\n');
      expect(entriesOf(file).map((e) => e.value)).toEqual(['a', 'a, b']);
    });

    test('reports a byte-order mark as an error, since Tor reads it as part of the keyword', () => {
      const file = parseTorrc('\uFEFFNickname x\n', '/t');
      expect(file.bom).toBe(true);
      expect(file.errors).toMatchObject([{ code: 'TORRC_BOM', location: { file: '/t', line: 1 } }]);
      expect(entriesOf(file)[0]?.key).toBe('\uFEFFNickname');
    });

    test('keeps text after a NUL byte as an ignored node and warns', () => {
      const text = 'Nickname ab\0cd\nContactInfo x\n';
      const file = parseTorrc(text, '/t');
      expect(file.nodes.map((n) => [n.kind, n.raw])).toEqual([
        ['entry', 'Nickname ab'],
        ['ignored', '\0cd\nContactInfo x\n'],
      ]);
      expect(file.warnings).toMatchObject([{ code: 'TORRC_NUL_BYTE', location: { line: 1 } }]);
    });

    test.each([
      ['ExitPolicy a, \\\n  b # c\nNickname x\n', 'TORRC_COMMENT_JOINS_NEXT_LINE', 3],
      ['Nickname x # note \\\nContactInfo y\n', 'TORRC_BACKSLASH_IN_COMMENT', 1],
      ['ContactInfo a\\\n\nNickname x\n', 'TORRC_DANGLING_CONTINUATION', 1],
    ])('warns about %j with %s at line %i', (text, code, line) => {
      const file = parseTorrc(text, '/t');
      expect(file.errors).toEqual([]);
      expect(file.warnings).toMatchObject([{ code, location: { line } }]);
    });

    test.each([
      ['Nickname "x" y\n', 'TORRC_EXCESS_AFTER_QUOTE', 1, 14],
      ['# c\n  ContactInfo "a\\qb"\n', 'TORRC_BAD_QUOTED_STRING', 2, 17],
    ])('locates the reading error in %j', (text, code, line, column) => {
      const file = parseTorrc(text, '/t');
      expect(file.errors).toMatchObject([{ code, location: { file: '/t', line, column } }]);
      expect(entriesOf(file).find((e) => e.error)?.error?.code).toBe(code);
    });

    test('goes on reading after an error, so the whole file is covered', () => {
      const file = parseTorrc('A "x" y\nB 2\n', '/t');
      expect(entriesOf(file).map((e) => [e.key, Boolean(e.error)])).toEqual([
        ['A', true],
        ['B', false],
      ]);
      expect(printTorrc(file)).toBe('A "x" y\nB 2\n');
    });

    test.each([
      ['', []],
      ['\r\r', ['blank']],
      ['\n\n', ['blank', 'blank']],
      ['   ', ['blank']],
      ['#', ['comment']],
    ])('covers the edge case %j', (text, kinds) => {
      const file = parseTorrc(text, '/t');
      expect(file.nodes.map((n) => n.kind)).toEqual(kinds);
      expect(printTorrc(file)).toBe(text);
    });
  });

  describe('#entryAt', () => {
    const file = parseTorrc('# c\nExitPolicy a,\\\n b\n\nNickname x', '/t');
    test.each([
      [1, undefined],
      [2, 'ExitPolicy'],
      [3, 'ExitPolicy'],
      [4, undefined],
      [5, 'Nickname'],
      [6, undefined],
    ])('finds the entry covering line %i', (line, key) => {
      expect(entryAt(file, line)?.key).toBe(key);
    });

    test('finds trivia with nodeAt', () => {
      expect(nodeAt(file, 1)?.kind).toBe('comment');
      expect(nodeAt(file, 4)?.kind).toBe('blank');
    });
  });
});
