import { Rule } from '../../src/policy/rule.js';
import { describe, expect, test } from 'vitest';
import { loadRelayPolicy, loadRelayPolicySync, relayPolicyFromConfig } from '../../src/relay/policy.js';
import { loadConfigSync, memoryFs } from '../../src/torrc/index.js';
import { DEFAULT4, PRIV4 } from '../helpers/observed-policies.js';
import { source } from '../helpers/source.js';

async function load(torrc: string, defaults?: string, extra: Record<string, string> = {}) {
  return loadRelayPolicy({
    torrc: '/etc/tor/torrc',
    defaultsTorrc: defaults === undefined ? undefined : '/etc/tor/defaults',
    fs: memoryFs({ '/etc/tor/torrc': torrc, ...(defaults === undefined ? {} : { '/etc/tor/defaults': defaults }), ...extra }),
  });
}

describe('relay/policy', () => {
  describe('#loadRelayPolicy', () => {
    test.each([
      ['ExitRelay auto with no policy is no exit (C1)', 'Nickname a\n', ['reject *:*']],
      ['ExitRelay 0 ignores the ExitPolicy (C2)', 'ExitRelay 0\nExitPolicy accept *:*\n', ['reject *:*']],
      ['ExitRelay 1 gives the default policy (C3)', 'ExitRelay 1\n', ['reject6 *:*', ...PRIV4, ...DEFAULT4]],
      ['a reject comes before the default (C5)', 'ExitPolicy reject 5.6.0.0/16:*\n', ['reject6 *:*', ...PRIV4, 'reject 5.6.0.0/16:*', ...DEFAULT4]],
      ['a catch-all cuts the default (C6)', 'ExitPolicy accept *:80,accept *:443,reject *:*\n', ['reject6 *:*', ...PRIV4, 'accept *:80', 'accept *:443', 'reject *:*']],
    ])('%s', async (_name, torrc, lines) => {
      const result = await load(torrc);
      expect(result.valid).toBe(true);
      expect(result.torLines).toEqual(lines);
    });

    test.each([
      ['a malformed item with ExitRelay 1', 'ExitRelay 1\nExitPolicy reject 1.2.3.4/33:*\n', 'POLICY_BAD_MASK'],
      ['a malformed item with ExitRelay auto', 'ExitPolicy reject *:80,443\n', 'POLICY_BAD_KEYWORD'],
      ['an unknown option', 'ExitPolicy accept *:80\nNoSuchOption 1\n', 'TORRC_UNKNOWN_OPTION'],
      ['the IPv6Exit crash combination (C17)', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\n', 'POLICY_TOR_WOULD_CRASH'],
      ['a bad boolean', 'IPv6Exit yes\nExitPolicy accept *:80\n', undefined],
    ])('is invalid with %s', async (_name, torrc, code) => {
      const result = await load(torrc);
      expect(result.valid).toBe(false);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      if (code !== undefined) expect(errors.map((e) => e.code)).toContain(code);
    });

    test('reports a bad option value once', async () => {
      const result = await load('IPv6Exit yes\nExitPolicy accept *:80\n');
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.location).toEqual({ file: '/etc/tor/torrc', line: 1 });
    });

    test('stays valid with a malformed ExitPolicy while ExitRelay is 0 (Tor does not parse it)', async () => {
      const result = await load('ExitRelay 0\nExitPolicy bogus\n');
      expect(result.valid).toBe(true);
      expect(result.policy?.notExit).toBe('exit-relay-0');
      expect(result.torLines).toEqual(['reject *:*']);
    });

    test('reads the defaults file first and lets the torrc replace its ExitPolicy list', async () => {
      const result = await load('ExitPolicy reject 3.3.3.3:*\n', 'ExitPolicy reject 1.1.1.1:*\nExitPolicy reject 2.2.2.2:*\n');
      expect(result.torLines).toEqual(['reject6 *:*', ...PRIV4, 'reject 3.3.3.3:*', ...DEFAULT4]);
      expect(result.inputs.exitPolicy.map((l) => l.location.file)).toEqual(['/etc/tor/torrc']);
    });

    test('follows %include in place', async () => {
      const result = await load(
        source`
          ExitPolicy reject 9.9.9.9:*
          %include /etc/tor/torrc.d
          ExitPolicy accept *:443
          ExitPolicy reject *:*
        `,
        undefined,
        { '/etc/tor/torrc.d/a.conf': 'ExitPolicy reject 8.8.8.0/24:*\n' },
      );
      expect(result.torLines).toEqual(['reject6 *:*', ...PRIV4, 'reject 9.9.9.9:*', 'reject 8.8.8.0/24:*', 'accept *:443', 'reject *:*']);
      expect(result.config.files.map((f) => f.path)).toEqual(['/etc/tor/torrc', '/etc/tor/torrc.d/a.conf']);
    });

    test('rejects the interface addresses it is given under ExitPolicyRejectLocalInterfaces', async () => {
      const fs = memoryFs({ '/t': 'ExitPolicyRejectLocalInterfaces 1\nExitPolicy accept *:*\n' });
      const result = await loadRelayPolicy({ torrc: '/t', fs, interfaceAddresses: ['127.0.0.1', '198.51.100.9'] });
      expect(result.torLines).toEqual(['reject6 *:*', ...PRIV4, 'reject 198.51.100.9:*', 'accept *:*']);
    });

    test('is invalid when the torrc is missing', async () => {
      const result = await loadRelayPolicy({ torrc: '/nope', fs: memoryFs({}) });
      expect(result.valid).toBe(false);
      expect(result.diagnostics.map((d) => d.code)).toContain('TORRC_FILE_MISSING');
    });
  });

  describe('#loadRelayPolicySync', () => {
    test('answers like the async form', async () => {
      const fs = memoryFs({ '/t': 'ExitPolicy reject 5.6.0.0/16:*\n' });
      const a = await loadRelayPolicy({ torrc: '/t', fs });
      const b = loadRelayPolicySync({ torrc: '/t', fs });
      expect(b.torLines).toEqual(a.torLines);
      expect(b.valid).toBe(a.valid);
    });
  });

  describe('#relayPolicyFromConfig', () => {
    test('computes the policy of an already loaded configuration', () => {
      const config = loadConfigSync({ torrc: '/t', fs: memoryFs({ '/t': 'ExitRelay 1\n' }) });
      const result = relayPolicyFromConfig(config);
      expect(result.config).toBe(config);
      expect(result.policy?.rules.at(-1)?.action).toBe('accept');
    });

    test.each([
      ['a block inserted above the policy', 'ExitPolicy reject 1.2.3.0/24:*, accept *:80\nExitPolicy reject *:*\n',
        'ExitPolicy reject 9.9.9.0/24:*\nExitPolicy reject 1.2.3.0/24:*, accept *:80\nExitPolicy reject *:*\n'],
      ['a malformed item added', 'ExitPolicy accept *:80\n', 'ExitPolicy accept *:0\nExitPolicy accept *:80\n'],
      ['an item with a warning moved', 'ExitPolicy reject 1.2.3.4/16:*\n', 'ExitPolicy accept *:25\n\nExitPolicy reject 1.2.3.4/16:*\n'],
    ])('gives the same result with the result of a similar configuration to reuse: %s', (_name, earlier, now) => {
      const load = (text: string) => loadConfigSync({ torrc: '/t', fs: memoryFs({ '/t': text }) });
      const previous = relayPolicyFromConfig(load(earlier));
      const config = load(now);
      const fresh = relayPolicyFromConfig(config);
      const reused = relayPolicyFromConfig(config, {}, previous);
      const rules = (r: typeof fresh) => r.policy?.rules.map((rule) => Rule.from(rule).fields());
      expect(reused.valid).toBe(fresh.valid);
      expect(reused.torLines).toEqual(fresh.torLines);
      expect(rules(reused)).toEqual(rules(fresh));
      expect(reused.diagnostics.map((d) => [d.code, d.location, d.message])).toEqual(fresh.diagnostics.map((d) => [d.code, d.location, d.message]));
    });
  });
});
