import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readPlanDocument } from '../../src/apply/plan-document.js';
import { createPlan, preparePlan } from '../../src/plan/create.js';

const NOW = new Date('2025-01-31T12:00:00Z');
let dir: string;
let torrc: string;
const TEXT = 'Nickname A\nExitPolicy accept *:80, accept *:443, reject *:*\n';

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'exitkit-plan-'));
  await mkdir(path.join(dir, 'etc'));
  torrc = path.join(dir, 'etc', 'torrc');
  await writeFile(torrc, TEXT);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ torrc, cwd: dir, now: NOW, baseDir: path.join(dir, 'plans') });

describe('plan/create', () => {
  describe('#createPlan', () => {
    test('writes torrc.diff, plan.json and summary.txt into a new folder named by the case id', async () => {
      const plan = await createPlan({ kind: 'block', cidrs: ['203.0.113.0/24'] }, { ...options(), caseId: 'T-1' });
      expect(plan.dir).toBe(path.join(dir, 'plans', 'T-1'));
      expect((await readdir(plan.dir!)).sort()).toEqual(['plan.json', 'summary.txt', 'torrc.diff']);
      expect(await readFile(path.join(plan.dir!, 'torrc.diff'), 'utf8')).toBe(plan.diff);
      expect(await readFile(path.join(plan.dir!, 'summary.txt'), 'utf8')).toBe(plan.text);
      const doc = await readPlanDocument(plan.dir!);
      expect(doc.id).toBe('T-1');
      expect(doc.changes[0]?.after).toContain('# exitkit block T-1 2025-01-31 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\n');
      expect((await stat(plan.dir!)).mode & 0o777).toBe(0o700);
      expect(await readFile(torrc, 'utf8')).toBe(TEXT);
    });

    test('names the folder by UTC time without a case id, and never reuses one', async () => {
      const first = await createPlan({ kind: 'middle' }, options());
      const second = await createPlan({ kind: 'middle' }, options());
      expect(path.basename(first.dir!)).toBe('20250131T120000Z');
      expect(path.basename(second.dir!)).toBe('20250131T120000Z-2');
      expect(second.document.id).toBe('20250131T120000Z-2');
    });

    test('writes into an empty --out folder and refuses a non-empty one', async () => {
      const out = path.join(dir, 'out');
      await mkdir(out);
      const plan = await createPlan({ kind: 'middle' }, { ...options(), out });
      expect(plan.dir).toBe(out);
      await expect(createPlan({ kind: 'middle' }, { ...options(), out })).rejects.toMatchObject({ code: 'PLAN_OUT_EXISTS' });
    });

    test('writes nothing when the remedy is refused', async () => {
      await expect(createPlan({ kind: 'reduce-ports', ports: '8080' }, options())).rejects.toMatchObject({ code: 'REMEDY_NOT_POSSIBLE' });
      await expect(readdir(path.join(dir, 'plans'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('gives the case id to the remedy when the request has none', async () => {
      const plan = await createPlan({ kind: 'block', cidrs: ['203.0.113.0/24'] }, { ...options(), caseId: 'T-7' });
      expect(plan.result.caseId).toBe('T-7');
    });
  });

  describe('#preparePlan', () => {
    test('plans without writing', async () => {
      const plan = await preparePlan({ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-1' }, options());
      expect(plan.dir).toBeUndefined();
      await expect(readdir(path.join(dir, 'plans'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('refuses an invalid configuration', async () => {
      await writeFile(torrc, 'ExitPolicy accept *:0\n');
      await expect(preparePlan({ kind: 'middle' }, options())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });
  });
});

describe('plan/create on the bundled sample relay (fixtures/sample)', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const sample = { torrc: 'fixtures/sample/torrc', defaultsTorrc: 'fixtures/sample/defaults-torrc', cwd: root, now: NOW };
  const policyFile = path.join(root, 'fixtures/sample/torrc.d/50-exit-policy.conf');

  test('blocks a range in the included policy file, ahead of its accepts', async () => {
    const plan = await preparePlan({ kind: 'block', cidrs: ['203.0.113.0/24', '2001:db8:99::/48'], caseId: 'T-1', reason: 'scan' }, sample);
    expect(plan.document.changes.map((c) => c.path)).toEqual([policyFile]);
    expect(plan.document.summary).toMatch(/^Traffic to 203\.0\.113\.0\/24 and 2001:db8:99::\/48 on all ports is now rejected; before, ports 22, 80, 443,/);
    expect(plan.diff).toContain('+# exitkit block T-1 2025-01-31 UTC: scan\n+ExitPolicy reject 203.0.113.0/24:*\n+ExitPolicy reject6 [2001:db8:99::]/48:*\n+# exitkit end T-1\n');
  });

  test('plans no block for the range the earlier complaint already blocked', async () => {
    const plan = await preparePlan({ kind: 'block', cidrs: ['192.0.2.0/24'], caseId: 'T-2' }, sample);
    expect(plan.document.changes).toEqual([]);
  });

  test("finds Tor's reduced policy in force already, and reduces to 80 and 443 by closing the rest", async () => {
    expect((await preparePlan({ kind: 'reduce-ports', torReduced: true }, sample)).document.changes).toEqual([]);
    const plan = await preparePlan({ kind: 'reduce-ports', ports: '80,443' }, sample);
    expect(plan.document.semanticChange.changes.every((c) => c.before === 'accept' && c.after === 'reject')).toBe(true);
    expect(plan.result.portSummary.after.ipv4).toBe('accept 80,443');
  });

  test('switches to middle in the main torrc and back to exit', async () => {
    const plan = await preparePlan({ kind: 'middle' }, sample);
    expect(plan.document.changes.map((c) => c.path)).toEqual([path.join(root, 'fixtures/sample/torrc')]);
    expect(plan.result.portSummary.after).toEqual({ ipv4: 'reject 1-65535', ipv6: 'reject 1-65535' });
    expect((await preparePlan({ kind: 'exit' }, sample)).document.changes).toEqual([]);
  });
});
