import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyTorConfig } from '../../../src/tor/verify.js';
import { makeCase, writeTorrcCase } from '../../helpers/generate-torrc.js';
import { requireTool } from '../../helpers/require-tool.js';
import { TorOracle } from '../../helpers/tor-oracle.js';
import { EFFECTIVE_POLICY_VECTORS, OWN_ADDRESS_VECTORS, TRAP_VECTORS } from '../differential/vectors.js';

const tor = requireTool('tor', 'the tor oracle tests');

describe.skipIf(!tor.available)('helpers/tor-oracle', () => {
  let oracle: TorOracle;

  beforeAll(async () => {
    oracle = await TorOracle.start();
  });

  afterAll(async () => {
    await oracle?.stop();
  });

  describe('#start', () => {
    test('runs tor in a private network namespace when root', () => {
      if (process.getuid?.() === 0) expect(oracle.isolation).toBe('netns');
      expect(oracle.pid).toBeGreaterThan(0);
    });

    test('tor is alive and answers as a relay on loopback', async () => {
      const answer = await oracle.evaluate(await write(oracle, EFFECTIVE_POLICY_VECTORS[0]!));
      expect(answer.outcome).toBe('policy');
      expect(() => process.kill(oracle.pid!, 0)).not.toThrow();
    });
  });

  describe('#evaluate', () => {
    const recorded = [...EFFECTIVE_POLICY_VECTORS, ...TRAP_VECTORS].filter((v) => v.expected !== undefined);

    test.each(recorded.map((v) => [v.id, v] as const))('reproduces %s exactly', async (_id, vector) => {
      const answer = await oracle.evaluate(await write(oracle, vector));
      expect(answer.outcome, `${vector.case.describe()}\n${answer.message ?? ''}`).toBe('policy');
      expect(answer.lines).toEqual(vector.expected);
    });

    test('goes through LOADCONF without a defaults file and RELOAD with one', async () => {
      const plain = await oracle.evaluate(await write(oracle, EFFECTIVE_POLICY_VECTORS[4]!));
      const layered = TRAP_VECTORS.find((v) => v.id === 'S1.5b')!;
      const reload = await oracle.evaluate(await write(oracle, layered));
      expect(plain.via).toBe('loadconf');
      expect(reload.via).toBe('reload');
      expect(reload.lines).toEqual(layered.expected);
    });

    test('a refused configuration is reported with tor status and message, and tor keeps running', async () => {
      const bad = TRAP_VECTORS.find((v) => v.id === 'T7.1')!;
      const pid = oracle.pid;
      const answer = await oracle.evaluate(await write(oracle, bad));
      expect(answer).toMatchObject({ outcome: 'refused', status: 552 });
      expect(answer.message).toMatch(/ExitPolicy/);
      expect(oracle.pid).toBe(pid);
    });

    test('tor dying on a configuration (C17) is reported and tor is restarted for the next case', async () => {
      const crash = EFFECTIVE_POLICY_VECTORS.find((v) => v.id === 'C17')!;
      const restarts = oracle.restarts;
      const answer = await oracle.evaluate(await write(oracle, crash));
      expect(answer.outcome).toBe('crashed');
      const next = await oracle.evaluate(await write(oracle, EFFECTIVE_POLICY_VECTORS[2]!));
      expect(next.lines).toEqual(EFFECTIVE_POLICY_VECTORS[2]!.expected);
      expect(oracle.restarts).toBe(restarts + 1);
    });

    test('a nickname-only difference still yields a fresh policy (ReducedExitPolicy toggles)', async () => {
      const on = await oracle.evaluate(await writeText(oracle, 'reduced-on', 'ReducedExitPolicy 1\n'));
      const off = await oracle.evaluate(await writeText(oracle, 'reduced-off', 'ExitRelay 1\n'));
      const again = await oracle.evaluate(await writeText(oracle, 'reduced-on-2', 'ReducedExitPolicy 1\n'));
      expect(on.lines).toContain('accept *:18080-18081');
      expect(off.lines).toContain('reject *:25');
      expect(again.lines).toEqual(on.lines);
    });
  });

  describe('LOADCONF vs --verify-config', () => {
    const all = [...EFFECTIVE_POLICY_VECTORS, ...TRAP_VECTORS].filter((v) => !v.crashes);

    test.each(all.map((v) => [v.id, v] as const))('%s: tor --verify-config gives the recorded verdict', async (_id, vector) => {
      const files = await write(oracle, vector);
      const verdict = await verifyTorConfig({
        torrc: files.torrc,
        defaultsTorrc: files.defaultsTorrc,
        cwd: oracle.casesDir,
        torBinary: oracle.torCommand,
      });
      expect(verdict.valid, verdict.messages.join('\n')).toBe(vector.valid);
    });

    test.each(all.filter((v) => v.case.defaults === undefined).map((v) => [v.id, v] as const))(
      '%s: LOADCONF accepts exactly what verify-config accepts',
      async (_id, vector) => {
        const answer = await oracle.evaluate(await write(oracle, vector));
        // Where the oracle's pinned options change validity, LOADCONF must differ: that is
        // why validity is always taken from verify-config.
        expect(answer.outcome === 'policy', answer.message).toBe(vector.loadconfDiffers ? !vector.valid : vector.valid);
      },
    );
  });

  describe('advertising public addresses', () => {
    test.skipIf(process.getuid?.() !== 0).each(
      OWN_ADDRESS_VECTORS.filter((v) => v.expected !== undefined).map((v) => [v.id, v] as const),
    )('reproduces %s exactly', async (_id, vector) => {
      const publicOracle = await TorOracle.start({ advertise: 'public' });
      try {
        expect(publicOracle.ownAddresses).toEqual(['198.51.100.7', '2001:db8:7::7']);
        const answer = await publicOracle.evaluate(await write(publicOracle, vector));
        expect(answer.lines).toEqual(vector.expected);
      } finally {
        await publicOracle.stop();
      }
    });

    test('a loopback oracle advertises 127.0.0.1 and sees the namespace interfaces', () => {
      expect(oracle.ownAddresses).toEqual(['127.0.0.1']);
      if (oracle.isolation === 'netns') {
        expect(oracle.interfaceAddresses).toEqual(['127.0.0.1', '::1', '198.51.100.7', '2001:db8:7::7']);
      }
    });
  });

  describe('#stop', () => {
    test('kills tor by PID and removes its folder', async () => {
      const other = await TorOracle.start();
      const pid = other.pid!;
      await other.stop();
      expect(() => process.kill(pid, 0)).toThrow();
      expect(existsSync(other.workDir)).toBe(false);
    });
  });
});

async function write(oracle: TorOracle, vector: { case: Parameters<typeof writeTorrcCase>[0] }) {
  const written = await writeTorrcCase(vector.case, oracle.casesDir);
  return { torrc: written.torrc, defaultsTorrc: written.defaultsTorrc };
}

async function writeText(oracle: TorOracle, name: string, torrc: string) {
  return write(oracle, { case: makeCase({ name, files: [{ path: 'torrc', content: torrc }] }) });
}
