import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { firstMatch } from '../../src/policy/evaluate.js';
import { parsePolicyValue } from '../../src/policy/parse.js';
import { removeRedundancies } from '../../src/policy/prune.js';
import { Rule, ruleCovers, rulesIntersect } from '../../src/policy/rule.js';
import type { PolicyRule } from '../../src/types.js';
import { boundaryProbes, policyArb, probeArb, ruleArb } from './arbitraries.js';
import { formatRule } from '../../src/policy/format.js';

const rules = (value: string): Rule[] => [...parsePolicyValue(value).rules];

// A literal transcription of Tor's exit_policy_remove_redundancies() loops (deleting in
// place), as the reference for the indexed implementation.
function torLoops(input: readonly PolicyRule[]): PolicyRule[] {
  const dest = [...input];
  let killV4 = false;
  let killV6 = false;
  for (let i = 0; i < dest.length; ++i) {
    const ap = dest[i]!;
    if ((ap.family === 4 && killV4) || (ap.family === 6 && killV6)) {
      dest.splice(i--, 1);
      continue;
    }
    if (ap.maskBits === 0 && ap.portMin <= 1 && ap.portMax >= 65535) {
      if (ap.family === 4) killV4 = true;
      else killV6 = true;
    }
  }
  for (let i = 0; i < dest.length - 1; ++i) {
    const ap = dest[i]!;
    for (let j = i + 1; j < dest.length; ++j) {
      if (ruleCovers(ap, dest[j]!)) dest.splice(j--, 1);
    }
  }
  for (let i = 0; i < dest.length - 1; ++i) {
    const ap = dest[i]!;
    for (let j = i + 1; j < dest.length; ++j) {
      const tmp = dest[j]!;
      if (ap.action !== tmp.action) {
        if (rulesIntersect(ap, tmp)) break;
      } else if (ruleCovers(tmp, ap)) {
        dest.splice(i--, 1);
        break;
      }
    }
  }
  return dest;
}

describe('policy/prune', () => {
  describe('#removeRedundancies', () => {
    test.each([
      // step 1
      ['accept *:*, reject 1.2.3.4:*', ['accept *:*', 'accept6 *:*'], [['reject 1.2.3.4:*', 'after-catch-all', 'accept *:*']]],
      ['reject *4:*, accept6 *:80', ['reject *:*', 'accept6 *:80'], []],
      // step 2
      ['reject 1.2.3.0/24:*, accept 1.2.3.4:80', ['reject 1.2.3.0/24:*'], [['accept 1.2.3.4:80', 'shadowed', 'reject 1.2.3.0/24:*']]],
      ['reject *4:80, reject *4:80', ['reject *:80'], [['reject *:80', 'shadowed', 'reject *:80']]],
      // step 3
      ['accept 5.6.0.0/16:22, accept *4:*', ['accept *:*'], [['accept 5.6.0.0/16:22', 'redundant', 'accept *:*']]],
      ['accept 5.6.0.0/16:22, reject 5.0.0.0/8:*, accept *4:*', ['accept 5.6.0.0/16:22', 'reject 5.0.0.0/8:*', 'accept *:*'], []],
      ['reject 1.2.3.4:80, reject *4:25, reject *4:*', ['reject *:*'], [
        ['reject 1.2.3.4:80', 'redundant', 'reject *:*'],
        ['reject *:25', 'redundant', 'reject *:*'],
      ]],
    ])('%j keeps %j', (value, kept, removed) => {
      const result = removeRedundancies(rules(value));
      expect(result.kept.map(formatRule)).toEqual(kept);
      expect(result.removed.map((r) => [formatRule(r.rule), r.reason, formatRule(r.by)])).toEqual(removed);
    });

    test('keeps exactly what Tor\'s in-place loops keep (property)', () => {
      fc.assert(
        fc.property(policyArb(30), (policy) => {
          const ours = removeRedundancies(policy);
          expect(ours.kept).toEqual(torLoops(policy));
          expect(ours.kept.length + ours.removed.length).toBe(policy.length);
        }),
        { numRuns: 3000 },
      );
    });

    test('keeps exactly what Tor\'s in-place loops keep on longer policies with many ports (property)', () => {
      const many = fc.array(fc.tuple(ruleArb(), fc.constantFrom(1, 20, 22, 25, 80, 443, 1000, 6000, 65535), fc.constantFrom(0, 1, 5, 100, 70000)), { maxLength: 120 })
        .map((items) => items.map(([r, port, span]) => (r.portMin === 1 && r.portMax === 65535 && span < 70000
          ? Rule.create({ ...r, portMin: port, portMax: Math.min(65535, port + span) })
          : r)));
      fc.assert(
        fc.property(many, (policy) => {
          expect(removeRedundancies(policy).kept).toEqual(torLoops(policy));
        }),
        { numRuns: 500 },
      );
    });

    test('keeps exactly what Tor\'s in-place loops keep when one prefix holds a hundred port rules (property)', () => {
      // Rules for every address, one to a few ports each, mixed with ordinary ones: more
      // rules on one prefix than the indexed scan handles one by one.
      const wide = fc.record({
        accept: fc.boolean(),
        family: fc.constantFrom(4 as const, 6 as const),
        port: fc.integer({ min: 1, max: 40 }),
        span: fc.constantFrom(0, 0, 1, 3, 65535),
      }).map(({ accept, family, port, span }) => Rule.create({
        action: accept ? 'accept' : 'reject',
        family,
        address: 0n,
        maskBits: 0,
        portMin: port,
        portMax: Math.min(65535, port + span),
        origin: { kind: 'default-policy' },
      }));
      const policyOf = fc.array(fc.oneof(wide, wide, wide, ruleArb()), { minLength: 60, maxLength: 160 });
      fc.assert(
        fc.property(policyOf, (policy) => {
          const wanted = torLoops(policy);
          expect(removeRedundancies(policy).kept).toEqual(wanted);
        }),
        { numRuns: 300 },
      );
    });

    test('never changes a verdict (property)', () => {
      fc.assert(
        fc.property(policyArb(30), fc.array(probeArb, { maxLength: 50 }), (policy, random) => {
          const { kept } = removeRedundancies(policy);
          for (const p of boundaryProbes(policy, random)) {
            expect(firstMatch(kept, p.family, p.address, p.port).verdict).toBe(
              firstMatch(policy, p.family, p.address, p.port).verdict,
            );
          }
        }),
        { numRuns: 1000 },
      );
    });

    test('each removal names a rule that really makes it dead', () => {
      fc.assert(
        fc.property(policyArb(30), (policy) => {
          for (const r of removeRedundancies(policy).removed) {
            if (r.reason === 'after-catch-all') {
              expect(r.by.maskBits === 0 && r.by.portMin === 1 && r.by.portMax === 65535).toBe(true);
              expect(policy.indexOf(r.by as Rule)).toBeLessThan(policy.indexOf(r.rule as Rule));
            } else {
              expect(ruleCovers(r.by, r.rule)).toBe(true);
              const before = policy.indexOf(r.by as Rule) < policy.indexOf(r.rule as Rule);
              expect(before).toBe(r.reason === 'shadowed');
              if (r.reason === 'redundant') expect(r.by.action).toBe(r.rule.action);
            }
          }
        }),
        { numRuns: 1000 },
      );
    });

    test('handles 10,000 rules quickly', () => {
      const many = Array.from({ length: 10_000 }, (_, k) => `reject ${10 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}.0/24:*`);
      const policy = rules(`${many.join(',')},reject *:25,accept *:*`);
      const start = performance.now();
      const { kept } = removeRedundancies(policy);
      const ms = performance.now() - start;
      // Nothing is dead: 10,000 blocks, then both halves of reject *:25 and accept *:*.
      expect(kept).toHaveLength(10_000 + 4);
      expect(ms).toBeLessThan(5000);
      // Building 10,000-rule policies is slow on a loaded machine; only the measured part
      // has a time budget, hence the generous test timeout.
    }, 60_000);

    test('handles 50,000 rules with port rules for every address among them quickly', () => {
      // Each `*:port` rule has every other prefix of its family below it.
      const many = Array.from({ length: 50_000 }, (_, k) =>
        k % 250 === 0
          ? `${k % 500 === 0 ? 'accept' : 'reject'} *:${1 + (k % 1000)}`
          : k % 2 === 0
            ? `${k % 4 === 0 ? 'reject' : 'accept'} ${10 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}.0/24:${k % 3 === 0 ? '*' : String(1 + (k % 999))}`
            : `reject6 [2001:db8:${(k & 0xffff).toString(16)}::]/48:*`,
      );
      const policy = rules(`${many.join(',')},accept *:*`);
      const start = performance.now();
      const { kept, removed } = removeRedundancies(policy);
      const ms = performance.now() - start;
      expect(kept.length + removed.length).toBe(policy.length);
      expect(ms).toBeLessThan(3000);
      // The result itself is checked against Tor's loops on a slice small enough for them.
      const head = policy.slice(0, 3000);
      expect(removeRedundancies(head).kept).toEqual(torLoops(head));
    }, 120_000);
  });
});
