import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CaseError } from '../../src/case/errors.js';
import {
  caseDir,
  caseLettersDir,
  casePlanDir,
  casesDirectory,
  checkCaseId,
  checkPlanId,
  DEFAULT_STATE_DIR,
  isCaseId,
  stateDirectory,
} from '../../src/case/paths.js';

const VALID = ['CASE-2025-0042', 'a', '7', '2025-11-20-1', 'ticket_4711.b', 'A'.repeat(64), 'x..y'];
// [id, start of the offending part]
const INVALID: Array<[string, number]> = [
  ['', 0],
  ['..', 0],
  ['.', 0],
  ['.hidden', 0],
  ['-rf', 0],
  ['_x', 0],
  ['../etc', 0],
  ['a/b', 1],
  ['a/../../etc', 1],
  ['/etc/passwd', 0],
  ['a b', 1],
  ['a\nb', 1],
  ['a\u0000b', 1],
  ['caf\u00e9', 3],
  ['x;rm', 1],
  ['$(id)', 0],
  ['a\\b', 1],
  ['A'.repeat(65), 64],
];

describe('case/paths', () => {
  describe('#checkCaseId', () => {
    test.each(VALID)('accepts %j', (id) => {
      expect(checkCaseId(id)).toBe(id);
      expect(isCaseId(id)).toBe(true);
    });

    test.each(INVALID)('refuses %j, pointing at the first bad character', (id, start) => {
      expect(isCaseId(id)).toBe(false);
      expect(() => checkCaseId(id)).toThrow(CaseError);
      try {
        checkCaseId(id);
      } catch (error) {
        expect(error).toMatchObject({ code: 'CASE_BAD_ID', input: id });
        expect((error as CaseError).pos?.[0]).toBe(start);
      }
    });
  });

  describe('#checkPlanId', () => {
    test.each(INVALID)('refuses %j with its own code', (id) => {
      expect(() => checkPlanId(id)).toThrow(expect.objectContaining({ code: 'CASE_BAD_PLAN_ID' }));
    });
  });

  describe('#stateDirectory', () => {
    test('is the default when neither the option nor the environment says otherwise', () => {
      expect(stateDirectory({ env: {} })).toBe(DEFAULT_STATE_DIR);
      expect(casesDirectory({ env: {} })).toBe('/var/lib/exitkit/cases');
      expect(stateDirectory({ env: { EXITKIT_STATE_DIR: '' } })).toBe(DEFAULT_STATE_DIR);
    });

    test('takes EXITKIT_STATE_DIR, and the option over both', () => {
      expect(stateDirectory({ env: { EXITKIT_STATE_DIR: '/srv/exitkit/' } })).toBe('/srv/exitkit/');
      expect(casesDirectory({ env: { EXITKIT_STATE_DIR: '/srv/exitkit' } })).toBe('/srv/exitkit/cases');
      expect(stateDirectory({ stateDir: '/tmp/state', env: { EXITKIT_STATE_DIR: '/srv/exitkit' } })).toBe('/tmp/state');
    });

    test('resolves a relative option against the working directory', () => {
      expect(stateDirectory({ stateDir: 'state' })).toBe(path.resolve('state'));
    });

    test.each([
      [{ env: { EXITKIT_STATE_DIR: 'relative/dir' } }],
      [{ stateDir: '  ' }],
    ])('refuses an unusable setting %j', (location) => {
      expect(() => stateDirectory(location)).toThrow(expect.objectContaining({ code: 'CASE_BAD_STATE_DIR' }));
    });
  });

  describe('#caseDir', () => {
    test('names folders inside the cases directory only', () => {
      const location = { stateDir: '/state' };
      expect(caseDir('CASE-1', location)).toBe('/state/cases/CASE-1');
      expect(casePlanDir('CASE-1', 'plan-2', location)).toBe('/state/cases/CASE-1/plans/plan-2');
      expect(caseLettersDir('CASE-1', location)).toBe('/state/cases/CASE-1/letters');
    });

    test.each(INVALID.map(([id]) => id))('never builds a path from %j', (id) => {
      const location = { stateDir: '/state' };
      expect(() => caseDir(id, location)).toThrow(CaseError);
      expect(() => casePlanDir('CASE-1', id, location)).toThrow(CaseError);
    });
  });
});
