import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { planPath, readPlanDocument, validatePlanDocument } from '../../src/apply/plan-document.js';
import type { PlanDocument } from '../../src/types.js';
import { sha, writePlan } from './helpers/plan.js';
import { tempDir } from './helpers/temp.js';

const before = 'ExitRelay 1\nExitPolicy accept *:443\n';
const after = 'ExitRelay 1\nExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:443\n';

function validPlan(): PlanDocument {
  return {
    format: 'exitkit-plan/1',
    id: 'case-1',
    createdAt: '2025-01-02T03:04:05.000Z',
    torrc: '/etc/tor/torrc',
    defaultsTorrc: '/usr/share/tor/tor-service-defaults-torrc',
    cwd: '/',
    readFiles: [
      { path: '/etc/tor/torrc', sha256: sha(before) },
      { path: '/usr/share/tor/tor-service-defaults-torrc', sha256: sha('') },
    ],
    changes: [{ path: '/etc/tor/torrc', beforeSha256: sha(before), afterSha256: sha(after), after }],
    needsRestart: false,
    probes: [{ address: '203.0.113.7', port: 443, before: 'accept', after: 'reject' }],
    semanticChange: { changes: [] },
    remedy: { kind: 'block' },
    summary: 'Traffic to 203.0.113.0/24 is now rejected.',
  };
}

/** Applies `edit` to a copy of the valid plan. */
function edited(edit: (doc: Record<string, any>) => void): unknown {
  const doc = structuredClone(validPlan()) as Record<string, any>;
  edit(doc);
  return doc;
}

describe('apply/plan-document', () => {
  describe('#validatePlanDocument', () => {
    test('accepts a complete plan and returns its fields', () => {
      expect(validatePlanDocument(validPlan(), 'plan.json')).toEqual(validPlan());
    });

    test('accepts a plan that creates a file and one without a defaults file', () => {
      const doc = edited((d) => {
        d.defaultsTorrc = null;
        d.changes.push({ path: '/etc/tor/torrc.d/50-exit.conf', beforeSha256: null, afterSha256: sha('x\n'), after: 'x\n' });
      });
      expect(validatePlanDocument(doc, 'plan.json').changes[1]).toMatchObject({ beforeSha256: null });
    });

    test.each<[string, (d: Record<string, any>) => void, string]>([
      ['not an object', () => undefined, 'the document'],
      ['another format', (d) => (d.format = 'exitkit-plan/2'), 'format'],
      ['no id', (d) => delete d.id, 'id'],
      ['a relative torrc', (d) => (d.torrc = 'etc/tor/torrc'), 'torrc'],
      ['a torrc with ..', (d) => (d.torrc = '/etc/tor/../tor/torrc'), 'torrc'],
      ['a relative defaults file', (d) => (d.defaultsTorrc = 'defaults'), 'defaultsTorrc'],
      ['a relative cwd', (d) => (d.cwd = '.'), 'cwd'],
      ['needsRestart not boolean', (d) => (d.needsRestart = 'no'), 'needsRestart'],
      ['restartReason not a string', (d) => (d.restartReason = 1), 'restartReason'],
      ['readFiles not an array', (d) => (d.readFiles = {}), 'readFiles'],
      ['a readFiles hash in upper case', (d) => (d.readFiles[0].sha256 = sha(before).toUpperCase()), 'readFiles[0].sha256'],
      ['changes not an array', (d) => (d.changes = null), 'changes'],
      ['a change with a relative path', (d) => (d.changes[0].path = 'torrc'), 'changes[0].path'],
      ['the same path changed twice', (d) => d.changes.push({ ...d.changes[0] }), 'changes[1].path'],
      ['a short hash', (d) => (d.changes[0].beforeSha256 = 'abc'), 'changes[0].beforeSha256'],
      ['content not a string', (d) => (d.changes[0].after = 42), 'changes[0].after'],
      ['content edited after planning', (d) => (d.changes[0].after += 'ExitPolicy accept *:*\n'), 'changes[0].after'],
      ['a before hash that disagrees with readFiles', (d) => (d.changes[0].beforeSha256 = sha('other')), 'changes[0].beforeSha256'],
      ['probes not an array', (d) => (d.probes = 'x'), 'probes'],
      ['a probe without address', (d) => (d.probes[0].address = ''), 'probes[0].address'],
      ['a probe on port 0', (d) => (d.probes[0].port = 0), 'probes[0].port'],
      ['a probe on port 65536', (d) => (d.probes[0].port = 65536), 'probes[0].port'],
      ['a probe on port 80.5', (d) => (d.probes[0].port = 80.5), 'probes[0].port'],
      ['a probe verdict "drop"', (d) => (d.probes[0].after = 'drop'), 'probes[0].after'],
      ['no semantic change', (d) => delete d.semanticChange, 'semanticChange'],
      ['a remedy without kind', (d) => (d.remedy = {}), 'remedy'],
      ['no summary', (d) => (d.summary = null), 'summary'],
    ])('refuses a plan with %s (APPLY_PLAN_INVALID naming the field)', (name, edit, field) => {
      const doc = name === 'not an object' ? [] : edited(edit);
      expect(() => validatePlanDocument(doc, 'plan.json')).toThrow(expect.objectContaining({ code: 'APPLY_PLAN_INVALID', input: field }));
    });
  });

  describe('#readPlanDocument', () => {
    test('reads DIR/plan.json', async () => {
      const dir = await tempDir();
      const doc = await writePlan(dir, { torrc: '/etc/tor/torrc', changes: [{ path: '/etc/tor/torrc', before, after }] });
      expect(planPath(dir)).toBe(path.join(dir, 'plan.json'));
      expect(await readPlanDocument(dir)).toEqual(doc);
    });

    test.each([
      ['a folder without plan.json', async () => undefined],
      ['a plan.json that is not JSON', async (dir: string) => writeFile(path.join(dir, 'plan.json'), '{"format":')],
      ['a plan.json that is a directory', async (dir: string) => mkdir(path.join(dir, 'plan.json'))],
    ])('refuses %s with APPLY_PLAN_UNREADABLE', async (_name, prepare) => {
      const dir = await tempDir();
      await prepare(dir);
      await expect(readPlanDocument(dir)).rejects.toMatchObject({ code: 'APPLY_PLAN_UNREADABLE' });
    });
  });
});
