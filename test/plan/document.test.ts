import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { validatePlanDocument } from '../../src/apply/plan-document.js';
import { planFrom } from '../../src/plan/create.js';
import { sha256Text } from '../../src/plan/document.js';
import { loadRelayPolicySync } from '../../src/relay/policy.js';
import { memoryFs } from '../../src/torrc/index.js';
import { load, NOW, TORRC } from '../remedy/helpers.js';

const TREE = { torrc: 'Nickname A\n%include /etc/tor/exit.conf\n', files: { '/etc/tor/exit.conf': 'ExitPolicy accept *:80, accept *:443, reject *:*\n' } };

describe('plan/document', () => {
  describe('#buildPlanDocument', () => {
    const plan = planFrom(load(TREE), { kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-1', reason: 'scan' }, { now: NOW });
    const doc = plan.document;

    test('is a plan document apply accepts', () => {
      expect(validatePlanDocument(JSON.parse(JSON.stringify(doc)), 'plan.json')).toMatchObject({ id: 'T-1', torrc: TORRC, defaultsTorrc: null, cwd: '/' });
    });

    test('records the SHA-256 of every file read and of every planned content', () => {
      const sha = (text: string) => createHash('sha256').update(text).digest('hex');
      expect(doc.readFiles).toEqual([
        { path: TORRC, sha256: sha(TREE.torrc) },
        { path: '/etc/tor/exit.conf', sha256: sha(TREE.files['/etc/tor/exit.conf']) },
      ]);
      expect(doc.changes).toHaveLength(1);
      const change = doc.changes[0]!;
      expect(change).toMatchObject({ path: '/etc/tor/exit.conf', beforeSha256: sha(TREE.files['/etc/tor/exit.conf']) });
      expect(change.afterSha256).toBe(sha(change.after));
    });

    test('records the semantic change from the policies and the probes proving it', () => {
      expect(doc.semanticChange).toEqual({
        changes: [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]], before: 'accept', after: 'reject' }],
      });
      expect(doc.probes).toContainEqual({ address: '203.0.113.0', port: 80, before: 'accept', after: 'reject' });
      expect(doc.probes).toContainEqual({ address: '203.0.112.255', port: 80, before: 'accept', after: 'accept' });
    });

    test('records the remedy and its inputs as given', () => {
      expect(doc.remedy).toMatchObject({ kind: 'block', cidrs: ['203.0.113.0/24'], ports: null, caseId: 'T-1', reason: 'scan', blocks: ['203.0.113.0/24'] });
      expect(doc.createdAt).toBe('2025-01-31T12:00:00.000Z');
      expect(doc.needsRestart).toBe(false);
      expect(doc.notes?.length).toBeGreaterThan(0);
    });

    test('has no changes when the remedy is in force already', () => {
      const none = planFrom(load(TREE), { kind: 'block', cidrs: ['10.0.0.0/8'], caseId: 'T-2' }, { now: NOW });
      expect(none.document.changes).toEqual([]);
      expect(none.diff).toBe('');
      expect(validatePlanDocument(JSON.parse(JSON.stringify(none.document)), 'plan.json').changes).toEqual([]);
    });
  });

  describe('#sha256Text', () => {
    test('hashes the UTF-8 bytes', () => {
      expect(sha256Text('é')).toBe(createHash('sha256').update(Buffer.from([0xc3, 0xa9])).digest('hex'));
    });
  });
});

describe('plan/document paths', () => {
  test('names files by their normalised paths, as apply requires', () => {
    const tree = { torrc: 'Nickname A\n%include ./exit.d/\n', files: { '/etc/tor/exit.d/a.conf': 'ExitPolicy accept *:*\n' } };
    const relay = loadRelayPolicySync({ torrc: '/etc/tor//torrc', cwd: '/etc/tor/', fs: memoryFs({ '/etc/tor/torrc': tree.torrc, ...tree.files }) });
    const plan = planFrom(relay, { kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-1' }, { now: NOW });
    expect(plan.document.torrc).toBe('/etc/tor/torrc');
    expect(plan.document.cwd).toBe('/etc/tor');
    expect(plan.document.readFiles.map((f) => f.path)).toEqual(['/etc/tor/torrc', '/etc/tor/exit.d/a.conf']);
    expect(plan.document.changes.map((c) => c.path)).toEqual(['/etc/tor/exit.d/a.conf']);
    expect(plan.diff.split('\n', 1)[0]).toBe('--- etc/tor/exit.d/a.conf');
    expect(() => validatePlanDocument(JSON.parse(JSON.stringify(plan.document)), 'plan.json')).not.toThrow();
  });

  test('refuses to change one file read under two names', () => {
    const files = { '/etc/tor/torrc': '%include /etc/tor/a.conf\n%include /etc/tor/./a.conf\n', '/etc/tor/a.conf': 'ExitPolicy accept *:80, accept *:443, reject *:*\n' };
    const relay = loadRelayPolicySync({ torrc: '/etc/tor/torrc', cwd: '/', fs: memoryFs(files) });
    expect(relay.config.files.map((f) => f.path)).toEqual(['/etc/tor/torrc', '/etc/tor/a.conf', '/etc/tor/./a.conf']);
    expect(() => planFrom(relay, { kind: 'reduce-ports', ports: '80' }, { now: NOW })).toThrow(
      expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE', location: { file: '/etc/tor/./a.conf', line: 1 } }),
    );
  });
});
