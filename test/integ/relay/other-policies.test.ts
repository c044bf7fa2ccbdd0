/**
 * Tor validates every address policy option, not only ExitPolicy (validate_addr_policies):
 * exitkit's verdict on each must equal tor --verify-config's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadRelayPolicy } from '../../../src/relay/policy.js';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { requireTool } from '../../helpers/require-tool.js';

const tor = requireTool('tor', 'the address-policy validation checks');

const CASES: readonly string[] = [
  'SocksPolicy accept 1.2.3.4/33',
  'SocksPolicy accept 192.168.0.0/16, reject *',
  'SocksPolicy 1.2.3.4',
  'SocksPolicy reject6 1.2.3.4',
  'DirPolicy accept *:80x',
  'DirPolicy reject *:80-90xyz',
  'ReachableAddresses 1.2.3.0/24:80',
  'ReachableAddresses *:443',
  'ReachableAddresses accept6 [::1]/129',
  'ReachableORAddresses [2001:db8::]/32:443',
  'AuthDirReject 1.2.3.4:0',
  'AuthDirBadExit 1.2.3.0/24',
  'ExitRelay 0\nSocksPolicy accept 1.2.3.4/33',
];

describe.skipIf(!tor.available)('relay/policy: other address policies against tor', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'exitkit-policies-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each(CASES.map((text, index) => [text, index] as const))('%s', async (text, index) => {
    const torrc = path.join(dir, `torrc-${index}`);
    await writeFile(torrc, `${text}\n`);
    const tors = await verifyTorConfig({ torrc, defaultsTorrc: '/dev/null', cwd: dir });
    const ours = await loadRelayPolicy({ torrc, cwd: dir });
    expect(ours.valid).toBe(tors.valid);
  });
});
