import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readJson } from '../../../src/complaint/formats/json.js';

describe('complaint/formats/json', () => {
  describe('#readJson', () => {
    test('valid JSON is read without problems', () => {
      expect(readJson('\uFEFF{"a": [1, "n/a", null]}')).toEqual({ value: { a: [1, 'n/a', null] }, problems: [] });
    });

    test('bare words are read as null, each reported with its line and column', () => {
      const r = readJson('{\n  "Port": n/a,\n  "Ok": true,\n  "Count": unknown\n}', { part: 'part 3' });
      expect(r.value).toEqual({ Port: null, Ok: true, Count: null });
      expect(r.problems.map((p) => [p.code, p.severity, p.location?.line, p.location?.column, p.input, p.part])).toEqual([
        ['COMPLAINT_BAD_JSON', 'warning', 2, 11, 'n/a', 'part 3'],
        ['COMPLAINT_BAD_JSON', 'warning', 4, 12, 'unknown', 'part 3'],
      ]);
    });

    test('a word inside a string is not touched', () => {
      expect(readJson('{"a": "n/a", "b": n/a}').value).toEqual({ a: 'n/a', b: null });
    });

    test.each([
      ['{"a": 1,}', 1, 9],
      ['{"a": 1\n "b": 2}', 2, 2],
      ['{"a"', 1, 5],
      ['{"a": n/a,}', 1, 11],
    ])('%j → error at line %i, column %i', (text, line, column) => {
      const r = readJson(text, { file: 'x.json' });
      expect(r.value).toBeUndefined();
      expect(r.problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_JSON', severity: 'error', location: { file: 'x.json', line, column } })]);
    });

    test('never throws on arbitrary text', () => {
      fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
        readJson(text);
      }));
    });
  });
});
