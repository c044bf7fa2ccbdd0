import { describe, expect, test } from 'vitest';
import { candidateIds, idFromReference } from '../../src/case/id.js';
import { isCaseId } from '../../src/case/paths.js';

const NOW = new Date('2025-11-20T23:59:59Z');

function take(iterator: Iterator<string>, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(iterator.next().value as string);
  return out;
}

describe('case/id', () => {
  describe('#idFromReference', () => {
    test.each([
      ['CASE-2025-0042', 'CASE-2025-0042'],
      ['  VICTIM-2025-0042 ', 'VICTIM-2025-0042'],
      ['Ticket #4711/B', 'Ticket-4711-B'],
      ['../../etc/passwd', 'etc-passwd'],
      ['[Ticket 2025112042]', 'Ticket-2025112042'],
      ['-rf /', undefined],
      ['#1', undefined],
      ['..', undefined],
      ['', undefined],
      ['\u00e9\u00e9\u00e9', undefined],
      [null, undefined],
      [undefined, undefined],
    ])('%j → %j', (reference, expected) => {
      const id = idFromReference(reference);
      expect(id).toBe(expected);
      if (id !== undefined) expect(isCaseId(id)).toBe(true);
    });

    test('shortens a long reference to 48 characters, never ending in punctuation', () => {
      const id = idFromReference(`${'A'.repeat(47)}-${'B'.repeat(20)}`);
      expect(id).toBe('A'.repeat(47));
      expect(idFromReference('x'.repeat(200))?.length).toBe(48);
    });
  });

  describe('#candidateIds', () => {
    test('tries the reference, then numbered variants of it', () => {
      expect(take(candidateIds('CASE-7', NOW), 3)).toEqual(['CASE-7', 'CASE-7-2', 'CASE-7-3']);
    });

    test('falls back to the UTC day and a counter when the reference is unusable', () => {
      expect(take(candidateIds(null, NOW), 3)).toEqual(['2025-11-20-1', '2025-11-20-2', '2025-11-20-3']);
      expect(take(candidateIds('#', new Date('2025-11-21T00:30:00+02:00')), 1)).toEqual(['2025-11-20-1']);
    });
  });
});
