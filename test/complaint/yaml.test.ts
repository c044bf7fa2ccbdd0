import { describe, expect, test } from 'vitest';
import { looksLikeReportYaml, readFlatYaml } from '../../src/complaint/yaml.js';

describe('complaint/yaml', () => {
  describe('#readFlatYaml', () => {
    test.each([
      ['Source: 192.0.2.1', 'source', '192.0.2.1'],
      ["Date: '2014-02-16T05:23:55Z'", 'date', '2014-02-16T05:23:55Z'],
      ["Note: 'it''s'", 'note', "it's"],
      ['Note: "a \\"q\\" b"', 'note', 'a "q" b'],
      ["Targeted-URL: !!python/unicode 'http://x/robots.txt'", 'targeted-url', 'http://x/robots.txt'],
      ['Port: 22 # the attacked port', 'port', '22'],
      ['Empty:', 'empty', ''],
      ['Date: Thu Feb 13 18:28:15 2014 +00:00 GMT', 'date', 'Thu Feb 13 18:28:15 2014 +00:00 GMT'],
    ])('%j → %s = %j', (line, key, value) => {
      const { fields, problems } = readFlatYaml(line);
      expect(problems).toEqual([]);
      expect(fields.get(key)?.value).toBe(value);
    });

    test('a document marker, blank lines and comments are skipped; "..." and a signature end it', () => {
      const { fields } = readFlatYaml('---\n# comment\nA: 1\n\nB: 2\n-- \nFooter: not read\n');
      expect([...fields.keys()]).toEqual(['a', 'b']);
      expect(readFlatYaml('A: 1\n...\nB: 2').fields.has('b')).toBe(false);
    });

    test.each([
      ['not a pair', 1],
      ['A: 1\nKey:value', 2],
      ["A: 1\nB: 'open", 2],
      ['A: 1\nB: "open', 2],
      ['A: 1\nA: 2', 2],
      ['A: 1\n  indented: nested', 2],
      ['A: 1\n- list item', 2],
    ])('%j → COMPLAINT_BAD_YAML on line %i', (text, line) => {
      const { problems } = readFlatYaml(text, { part: 'part 2' });
      expect(problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_YAML', severity: 'warning', part: 'part 2', location: expect.objectContaining({ line }) })]);
    });
  });

  describe('#looksLikeReportYaml', () => {
    test.each([
      ['---\nReported-From: a@b\nCategory: abuse\nReport-Type: login-attack\nSource: 1.2.3.4\n', true],
      ['Attachment: none\nCategory: abuse\nSource: 1.2.3.4\n', true],
      ['inetnum: 1.2.3.0 - 1.2.3.255\nnetname: X\nsource: RIPE\n', false],
      ['Hello,\nSource: 1.2.3.4\nReport-Type: x\nCategory: y\n', false],
      ['Source: 1.2.3.4\nReport-Type: x\n', false],
      ['', false],
    ])('%j → %s', (text, expected) => {
      expect(looksLikeReportYaml(text)).toBe(expected);
    });
  });
});
