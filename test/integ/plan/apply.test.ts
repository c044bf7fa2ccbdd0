/**
 * From plan to live file: a plan made by `createPlan` is applied by `applyPlan` (real
 * `tor --verify-config`, no reload) and reverted by `revertPlan`; the live files hold exactly
 * the planned bytes, then exactly the original ones.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan, revertPlan } from '../../../src/apply/apply.js';
import { createPlan } from '../../../src/plan/create.js';
import { requireTool } from '../../helpers/require-tool.js';

const tor = requireTool('tor', 'the plan-to-apply tests');
const NOW = new Date('2025-01-31T12:00:00Z');

describe.skipIf(!tor.available)('plan then apply', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'exitkit-plan-apply-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('apply writes exactly the planned files and revert gives back the originals', async () => {
    const etc = path.join(root, 'etc');
    await mkdir(path.join(etc, 'torrc.d'), { recursive: true });
    const torrc = path.join(etc, 'torrc');
    const main = 'SocksPort 0\r\nNickname Relay\r\n%include ' + path.join(etc, 'torrc.d') + '\r\n';
    const policy = '# policy\nExitPolicy accept *:80, accept *:443\nExitPolicy reject *:*';
    await writeFile(torrc, main);
    await writeFile(path.join(etc, 'torrc.d', '50-exit.conf'), policy);

    const plan = await createPlan({ kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-1', reason: 'scan' }, { torrc, cwd: root, now: NOW, out: path.join(root, 'plan') });
    expect(plan.document.changes.map((c) => c.path)).toEqual([path.join(etc, 'torrc.d', '50-exit.conf')]);

    const applied = await applyPlan(plan.dir!, { reload: 'none' });
    expect(applied.outcome).toBe('completed');
    for (const change of plan.document.changes) expect(await readFile(change.path, 'utf8')).toBe(change.after);
    expect(await readFile(torrc, 'utf8')).toBe(main);

    const reverted = await revertPlan(plan.dir!, { reload: 'none' });
    expect(reverted.outcome).toBe('completed');
    expect(await readFile(path.join(etc, 'torrc.d', '50-exit.conf'), 'utf8')).toBe(policy);
  });
});
