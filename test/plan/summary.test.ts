import { describe, expect, test } from 'vitest';
import { planBlock, planUnblock } from '../../src/remedy/block.js';
import { planExit, planMiddle } from '../../src/remedy/exit-relay.js';
import { planReducePorts } from '../../src/remedy/reduce-ports.js';
import { changeSentences, renderPlanSummary, summarizeRemedy } from '../../src/plan/summary.js';
import { planFrom } from '../../src/plan/create.js';
import { contextOf, load, NOW, planned } from '../remedy/helpers.js';

const WEB = { torrc: 'ExitPolicy accept *:80, accept *:443, reject *:*\n' };

describe('plan/summary', () => {
  describe('#summarizeRemedy', () => {
    test('says what a block rejects now and what was accepted before', () => {
      const result = planBlock(contextOf(WEB), { cidrs: ['203.0.113.0/24'], caseId: 'T-1' });
      expect(summarizeRemedy(result)).toBe(
        'Traffic to 203.0.113.0/24 on all ports is now rejected; before, ports 80 and 443 were accepted. Nothing else changes.',
      );
    });

    test('names the addresses that were accepted when only part of the range was', () => {
      const tree = { torrc: 'ExitPolicy reject 203.0.113.0/25:*, accept *:443, reject *:*\n' };
      const result = planBlock(contextOf(tree), { cidrs: ['203.0.113.0/24'], caseId: 'T-2' });
      expect(summarizeRemedy(result)).toBe(
        'Traffic to 203.0.113.0/24 on all ports is now rejected; before, traffic to 203.0.113.128/25 on port 443 was accepted. Nothing else changes.',
      );
    });

    test('says when no change is needed, and why', () => {
      const result = planBlock(contextOf(WEB), { cidrs: ['10.0.0.0/8'], caseId: 'T-3' });
      expect(summarizeRemedy(result)).toBe('No change is needed: Tor already rejects every address and port asked for; no line is needed.');
    });

    test('tells an unblock as traffic accepted again', () => {
      const blocked = { torrc: planned(planBlock(contextOf(WEB), { cidrs: ['203.0.113.0/24'], caseId: 'T-4' })) as string };
      expect(summarizeRemedy(planUnblock(contextOf(blocked), { caseId: 'T-4' }))).toBe(
        'The block for case T-4 is removed: traffic to 203.0.113.0/24 on ports 80 and 443 is accepted again; before, it was rejected. Nothing else changes.',
      );
    });

    test('tells a port reduction by the ports that close', () => {
      const tree = { torrc: 'ExitPolicy accept *:22, accept *:80, accept *:443, reject *:*\n' };
      expect(summarizeRemedy(planReducePorts(contextOf(tree), { ports: '80,443' }))).toBe(
        'The relay now exits only to the listed ports: traffic on port 22 is now rejected; before, it was accepted (to the addresses the policy allowed). Nothing else changes.',
      );
    });

    test('tells a switch to middle with the port summary', () => {
      const text = summarizeRemedy(planMiddle(contextOf({ torrc: 'ExitRelay 1\nExitPolicy accept *:80, accept *:443, reject *:*\n' })));
      expect(text).toBe(
        'The relay stops exiting (ExitRelay 0): traffic to every destination is now rejected; before, ports 80 and 443 were accepted. ' +
          'The relay loses the Exit flag, and its port summary becomes "reject 1-65535" (was "accept 80,443"). The exit policy stays in the torrc for a later switch back.',
      );
    });

    test('tells a switch back to exit', () => {
      const text = summarizeRemedy(planExit(contextOf({ torrc: 'ExitRelay 0\nExitPolicy accept *:443, reject *:*\n' })));
      expect(text).toBe(
        'The relay exits again (ExitRelay 1): traffic on port 443 is now accepted (to the addresses the policy allowed); before, every destination was rejected. Its port summary becomes "accept 443".',
      );
    });
  });

  describe('#renderPlanSummary', () => {
    test('shows the summary, the files, the proof, notes and what to do next', () => {
      const plan = planFrom(load(WEB), { kind: 'block', cidrs: ['203.0.113.0/24'], caseId: 'T-5' }, { now: NOW });
      const text = renderPlanSummary({ document: plan.document, dir: '/root/T-5', probes: plan.probes, result: plan.result });
      expect(text).toContain('Plan T-5: block, written to /root/T-5\n\nTraffic to 203.0.113.0/24 on all ports is now rejected;');
      expect(text).toContain('  /etc/tor/torrc: 3 lines added, 0 removed');
      expect(text).toMatch(/ {2}203\.0\.113\.0:80 +accept → reject\n/);
      expect(text).toMatch(/203\.0\.112\.255:80 +accept → accept {3}\(control: must not change\)/);
      expect(text).toContain('Review /root/T-5/torrc.diff, then apply it: exitkit apply /root/T-5');
    });
  });

  describe('#changeSentences', () => {
    test('tells each region with its verdicts', () => {
      expect(changeSentences({ changes: [{ family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80]], before: 'accept', after: 'reject' }] })).toEqual([
        'Traffic to 203.0.113.0/24 on port 80: accept → reject.',
      ]);
    });
  });
});
