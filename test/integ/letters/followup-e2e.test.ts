/**
 * End to end, against the real tor (loopback only, in its own network namespace): a block of
 * 203.0.113.0/24 on ports 80 and 443 is applied to a running relay, and the follow-up letter
 * names exactly that range and those ports, the UTC time apply recorded, and the fingerprint
 * tor wrote into the relay's DataDirectory.
 * The plan is made by the planner itself (`createPlan`, as `exitkit plan block` does).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { applyPlan } from '../../../src/apply/apply.js';
import { readEffectiveTime } from '../../../src/apply/journal.js';
import { readPlanDocument } from '../../../src/apply/plan-document.js';
import { evaluatePrintedPolicy } from '../../../src/apply/printed-policy.js';
import { configFactsFromConfig } from '../../../src/letters/facts.js';
import { followUpFromPlan } from '../../../src/letters/followup.js';
import { followUpKind } from '../../../src/letters/registry.js';
import { relayIdentityFromConfig } from '../../../src/letters/relay.js';
import { renderLetter } from '../../../src/letters/render.js';
import { loadConfig } from '../../../src/torrc/config.js';
import { createPlan } from '../../../src/plan/create.js';
import { requireTool } from '../../helpers/require-tool.js';
import { exitPolicy, relayTorrc, startRelay, stopRelay, type RunningRelay } from '../apply/running-relay.js';
import { builtinTemplates, fullContext } from '../../letters/helpers.js';

const tools = ['tor', 'unshare', 'ip', 'flock'].map((name) => requireTool(name, 'the follow-up letter end-to-end test'));
const available = tools.every((tool) => tool.available);

const BEFORE_POLICY = 'ExitPolicy accept *:80\nExitPolicy accept *:443\nExitPolicy reject *:*';

let relay: RunningRelay | undefined;
afterEach(async () => {
  if (relay) await stopRelay(relay);
  relay = undefined;
});

describe.skipIf(!available)('integ/letters/followup-e2e', () => {
  test('block → apply on a running relay → follow-up naming the range, ports, UTC time and real fingerprint', async () => {
    relay = await startRelay((root) => relayTorrc(root, BEFORE_POLICY));
    const planDir = path.join(relay.root, 'plans', 'CASE-2025-0042');
    const planned = await createPlan(
      { kind: 'block', cidrs: ['203.0.113.0/24'], ports: '80,443', caseId: 'CASE-2025-0042', reason: 'port scan from our exit' },
      { torrc: relay.torrc, defaultsTorrc: relay.defaults, cwd: relay.root, now: new Date(), out: planDir },
    );
    expect(planned.document.semanticChange.changes).toEqual([
      { family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]], before: 'accept', after: 'reject' },
    ]);
    const probes = planned.document.probes;
    expect(probes.some((probe) => probe.before !== probe.after)).toBe(true);

    const applied = await applyPlan(planDir, { reload: 'control', settleMs: 500, confirmTimeoutMs: 30_000 });
    expect(applied.confirmation.status).toBe('confirmed');

    // The relay really enforces what the letter will say.
    const enforced = await exitPolicy(relay);
    for (const probe of probes) expect(evaluatePrintedPolicy(enforced, probe.address, probe.port)).toBe(probe.after);

    // Gather the letter's context the way `exitkit letter followup --plan DIR` does.
    const effectiveAt = await readEffectiveTime(planDir);
    expect(effectiveAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const config = await loadConfig({ torrc: relay.torrc, defaultsTorrc: relay.defaults, cwd: relay.root });
    expect(config.valid).toBe(true);
    const identity = await relayIdentityFromConfig(config, (file) => readFile(file, 'utf8'));
    const followup = followUpFromPlan(await readPlanDocument(planDir), effectiveAt);
    const context = { ...fullContext(), relay: identity, followup, facts: configFactsFromConfig(config) };
    const letter = renderLetter(followUpKind(followup.remedy), context, { templates: await builtinTemplates(), now: new Date() });

    const fingerprintFile = await readFile(path.join(relay.root, 'data', 'fingerprint'), 'utf8');
    const fingerprint = fingerprintFile.trim().split(' ')[1] as string;
    expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const at = effectiveAt as string;
    const when = `${at.slice(0, 10)} ${at.slice(11, 19)} UTC`;
    const checkDate = new Date(Date.parse(at) + 7 * 86_400_000).toISOString().slice(0, 10);
    const flat = letter.body.replace(/\s+/g, ' ');

    expect(letter.name).toBe('followup-block.isp');
    expect(flat).toContain(`Since ${when}, the relay's exit policy has this effect:`);
    expect(flat).toContain('Connections to 203.0.113.0/24 on ports 80 and 443 are now refused.');
    expect(flat).toContain(`I will check on ${checkDate} that the block is still in place`);
    expect(letter.body).toContain(`Fingerprint:  ${fingerprint}`);
    expect(letter.body).toContain(`https://metrics.torproject.org/rs.html#details/${fingerprint}`);
    expect(letter.body).toContain('Address:      127.0.0.1');
    expect(letter.body).not.toContain('{{');
  });
});
