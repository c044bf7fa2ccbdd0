import { describe, expect, test } from 'vitest';
import { restoreCommands, restoreRequest } from '../../src/case/restore.js';
import type { PlanDocument, VerdictChange } from '../../src/types.js';

const plan = (remedy: PlanDocument['remedy']) => ({ id: 'p1', remedy }) as PlanDocument;
const lost = (ports: Array<readonly [number, number]>, cidrs = ['198.51.100.0/24']): VerdictChange => ({ family: 4, cidrs, ports, before: 'accept', after: 'reject' });

describe('case/restore', () => {
  describe('#restoreCommands', () => {
    test.each<[string, PlanDocument['remedy'], VerdictChange[], string[]]>([
      ['a block with its inputs', { kind: 'block', cidrs: ['198.51.100.0/24'], ports: '80,443', caseId: 'old', reason: 'scan; see ticket' }, [lost([[80, 80]])], [
        "exitkit plan block 198.51.100.0/24 --ports 80,443 --case C-1 --reason 'scan; see ticket'",
      ]],
      ['a block without recorded inputs, on all ports', { kind: 'block' }, [lost([[1, 65535]])], ["exitkit plan block 198.51.100.0/24 --case C-1 --reason 'restore the change of plan p1'"]],
      ['a block without recorded inputs, grouped by ports', { kind: 'block' }, [lost([[80, 80]]), lost([[80, 80]], ['203.0.113.0/24']), lost([[22, 25]], ['192.0.2.0/24'])], [
        "exitkit plan block 198.51.100.0/24 203.0.113.0/24 --ports 80 --case C-1 --reason 'restore the change of plan p1'",
        "exitkit plan block 192.0.2.0/24 --ports 22-25 --case C-1 --reason 'restore the change of plan p1'",
      ]],
      ['a middle switch', { kind: 'middle' }, [lost([[1, 65535]])], ['exitkit plan middle --case C-1']],
      ["a reduction to tor's list", { kind: 'reduce-ports', torReduced: true }, [], ['exitkit plan reduce-ports --tor-reduced --case C-1']],
      ['a reduction to a list', { kind: 'reduce-ports', ports: '80,443' }, [], ['exitkit plan reduce-ports --ports 80,443 --case C-1']],
      ['a reduction whose inputs are unknown', { kind: 'reduce-ports' }, [], []],
      ['a block with malformed inputs and nothing lost', { kind: 'block', cidrs: [7] }, [], []],
      ['a remedy exitkit does not know', { kind: 'mystery' }, [], []],
    ])('plans %s again', (_what, remedy, parts, expected) => {
      expect(restoreCommands('C-1', plan(remedy), parts)).toEqual(expected);
    });
  });

  describe('#restoreRequest', () => {
    test('plans the lost block again with its own inputs, marked with the case', () => {
      expect(restoreRequest('C-1', plan({ kind: 'block', cidrs: ['2001:db8::/32'], ports: '443', caseId: 'C-0', allowHostBits: true }))).toEqual({
        kind: 'block',
        cidrs: ['2001:db8::/32'],
        ports: '443',
        caseId: 'C-1',
        reason: 'restore the change of plan p1',
        allowHostBits: true,
      });
    });
  });
});
