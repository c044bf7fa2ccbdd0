import { describe, expect, test } from 'vitest';
import { ComplaintError, complaintErrorToJSON } from '../../src/complaint/errors.js';
import { ExitkitError } from '../../src/errors.js';

describe('complaint/errors', () => {
  describe('ComplaintError', () => {
    test('is an ExitkitError with code, part and a location only when a line is known', () => {
      const located = new ComplaintError('COMPLAINT_BAD_YAML', 'm', { part: 'part 2', file: 'c.eml', line: 3, column: 4, severity: 'warning' });
      expect(located).toBeInstanceOf(ExitkitError);
      expect(located).toMatchObject({ name: 'ComplaintError', code: 'COMPLAINT_BAD_YAML', part: 'part 2', severity: 'warning', location: { file: 'c.eml', line: 3, column: 4 } });
      expect(new ComplaintError('COMPLAINT_EMPTY', 'm').location).toBeUndefined();
      expect(new ComplaintError('COMPLAINT_BAD_JSON', 'm', { line: 1 }).location).toEqual({ file: '<complaint>', line: 1 });
    });
  });

  describe('#complaintErrorToJSON', () => {
    test('keeps message and the optional fields that are set, and survives JSON.stringify', () => {
      const json = complaintErrorToJSON(new ComplaintError('COMPLAINT_BAD_XML', 'line 2, column 5: bad', { part: 'part 1', line: 2, column: 5, input: '<x>', hint: 'close it' }));
      expect(JSON.parse(JSON.stringify(json))).toEqual({ code: 'COMPLAINT_BAD_XML', severity: 'error', message: 'line 2, column 5: bad', part: 'part 1', line: 2, column: 5, input: '<x>', hint: 'close it' });
      expect(complaintErrorToJSON(new ComplaintError('COMPLAINT_EMPTY', 'empty'))).toEqual({ code: 'COMPLAINT_EMPTY', severity: 'error', message: 'empty' });
    });
  });
});
