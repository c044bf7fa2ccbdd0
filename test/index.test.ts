import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import * as exitkit from '../src/index.js';
import { PACKAGE_VERSION } from '../src/cli/main.js';

describe('index', () => {
  test('the public API reads a relay and answers a verdict end to end', async () => {
    const relay = await exitkit.loadRelayPolicy({
      torrc: 'fixtures/sample/torrc',
      defaultsTorrc: 'fixtures/sample/defaults-torrc',
      cwd: new URL('..', import.meta.url).pathname,
    });
    expect(relay.valid).toBe(true);
    expect(exitkit.evaluatePolicy(relay.policy as exitkit.EffectivePolicy, '192.0.2.9', 443).verdict).toBe('reject');
    expect(exitkit.evaluatePolicy(relay.policy as exitkit.EffectivePolicy, '203.0.113.9', 443).verdict).toBe('accept');
  });

  test('exports no undefined names', () => {
    const missing = Object.entries(exitkit).filter(([, value]) => value === undefined).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  test('--version reports the version in package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });
});
