import { describe, expect, test } from 'vitest';
import { parseComplaint, serializeComplaint, suggestRemedy } from '../../src/complaint/index.js';
import { fixture } from './corpus.js';

describe('complaint/index', () => {
  describe('#serializeComplaint', () => {
    test('a parsed complaint survives JSON with its problems as plain objects', async () => {
      const c = await parseComplaint(fixture('malformed-yaml.eml'));
      const json = JSON.parse(JSON.stringify(serializeComplaint(c))) as Record<string, unknown>;
      expect(json).toMatchObject({ status: 'parsed', format: 'x-arf', sources: [{ address: '198.51.100.99' }] });
      expect(json['problems']).toEqual([
        expect.objectContaining({ code: 'COMPLAINT_BAD_YAML', line: 6, message: expect.any(String) }),
        expect.objectContaining({ code: 'COMPLAINT_BAD_YAML', line: 7 }),
        expect.objectContaining({ code: 'COMPLAINT_BAD_YAML', line: 10 }),
      ]);
    });

    test('an unparseable complaint keeps its reason', async () => {
      const json = JSON.parse(JSON.stringify(serializeComplaint(await parseComplaint('')))) as Record<string, unknown>;
      expect(json).toEqual({ status: 'unparseable', reason: { code: 'COMPLAINT_EMPTY', severity: 'error', message: 'the complaint is empty' }, problems: [], subject: null, messageId: null, sender: null, mailDate: null });
    });
  });

  describe('public surface', () => {
    test('parse then suggest, end to end on a hand-written complaint', async () => {
      const s = suggestRemedy(await parseComplaint(fixture('forwarded-twice.eml')), { caseId: '2024-03-06-1' });
      expect(s.command).toBe("exitkit plan block 203.0.113.9/32 --case 2024-03-06-1 --reason 'scan or attack reported by security@campus.example, ref 4471'");
    });
  });
});
