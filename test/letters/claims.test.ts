import { describe, expect, test } from 'vitest';
import { CLAIMS, assertClaim, isClaimName } from '../../src/letters/claims.js';
import type { ClaimName } from '../../src/letters/claims.js';
import type { ConfigFacts } from '../../src/letters/context.js';
import { configLine } from './helpers.js';

const quiet: ConfigFacts = { logging: { verboseLogs: [], safeLogging: undefined }, smtpRejected: true };

describe('letters/claims', () => {
  describe('#assertClaim', () => {
    test.each<[string, ClaimName, ConfigFacts]>([
      ['no logs on a notice-level relay', 'no-connection-logs', quiet],
      ['no logs with SafeLogging 1 written out', 'no-connection-logs', { ...quiet, logging: { verboseLogs: [], safeLogging: configLine('SafeLogging', '1') } }],
      ['no SMTP when port 25 is rejected', 'no-smtp', quiet],
    ])('allows %s', (_name, claim, facts) => {
      expect(() => assertClaim(claim, facts, 'generic.isp')).not.toThrow();
    });

    test.each<[string, ClaimName, ConfigFacts | undefined, string, number | undefined]>([
      ['no logs while Log is at info', 'no-connection-logs', { ...quiet, logging: { verboseLogs: [configLine('Log', 'info file /var/log/tor/info.log', 7)], safeLogging: undefined } }, 'LETTER_CLAIM_CONTRADICTED', 7],
      ['no logs with SafeLogging 0', 'no-connection-logs', { ...quiet, logging: { verboseLogs: [], safeLogging: configLine('SafeLogging', '0', 12) } }, 'LETTER_CLAIM_CONTRADICTED', 12],
      ['no logs with SafeLogging relay', 'no-connection-logs', { ...quiet, logging: { verboseLogs: [], safeLogging: configLine('SafeLogging', 'relay', 3) } }, 'LETTER_CLAIM_CONTRADICTED', 3],
      ['no logs without facts', 'no-connection-logs', undefined, 'LETTER_CLAIM_UNVERIFIED', undefined],
      ['no SMTP while port 25 is accepted', 'no-smtp', { ...quiet, smtpRejected: false }, 'LETTER_CLAIM_CONTRADICTED', undefined],
      ['no SMTP when the policy was not checked', 'no-smtp', { logging: quiet.logging }, 'LETTER_CLAIM_UNVERIFIED', undefined],
      ['no SMTP without facts', 'no-smtp', undefined, 'LETTER_CLAIM_UNVERIFIED', undefined],
    ])('refuses %s', (_name, claim, facts, code, line) => {
      let error: unknown;
      try {
        assertClaim(claim, facts, 'generic.isp');
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code, template: 'generic.isp' });
      if (line !== undefined) expect(error).toMatchObject({ location: { file: '/etc/tor/torrc', line } });
    });
  });

  describe('#isClaimName', () => {
    test('knows every claim in the catalogue and nothing else', () => {
      for (const name of Object.keys(CLAIMS)) expect(isClaimName(name)).toBe(true);
      expect(isClaimName('no-logs')).toBe(false);
      expect(isClaimName('toString')).toBe(false);
    });
  });
});
