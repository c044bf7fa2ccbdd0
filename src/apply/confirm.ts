/**
 * Confirming on the running relay that a change is enforced: read the policy tor itself
 * reports (`GETINFO exit-policy/full`) and check every probe of the plan against it.
 */
import { realpath } from 'node:fs/promises';
import type { ConfigView, PlanProbe, PolicyAction } from '../types.js';
import type { ApplyEnvironment, ControlSession } from './environment.js';

/** One probe as checked on the running relay. */
export interface ProbeCheck {
  /** Destination address. */
  address: string;
  /** Destination port. */
  port: number;
  /** The verdict the change should produce. */
  expected: PolicyAction;
  /** The verdict of the policy tor reported, when it could be read. */
  observed: PolicyAction | undefined;
}

/** Whether the running relay enforces the expected verdicts. */
export interface Confirmation {
  /** `confirmed`: every probe holds; `failed`: one does not, or tor could not be asked; `not-checked`: no control access or nothing to check. */
  status: 'confirmed' | 'failed' | 'not-checked';
  /** Why it failed or was not checked. */
  reason?: string | undefined;
  /** Each probe with the verdict observed. */
  probes: ProbeCheck[];
  /** The policy lines tor reported last. */
  policyLines: string[];
}

/** A control session, or why none could be opened. */
export type ControlAccess = { session: ControlSession } | { problem: string };

/**
 * Opens the control port or socket of the relay and makes sure it is the tor that reads
 * `torrc` (`GETINFO config-file`), so a reload or a confirmation never goes to another
 * instance on the same machine.
 */
export async function openRelayControl(config: ConfigView, torrc: string, env: ApplyEnvironment): Promise<ControlAccess> {
  let session: ControlSession;
  try {
    session = await env.connectControl(config);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  try {
    const running = (await session.getInfo('config-file')).trim();
    const [a, b] = await Promise.all([realpath(running).catch(() => running), realpath(torrc).catch(() => torrc)]);
    if (a !== b) {
      await session.close().catch(() => undefined);
      return { problem: `${session.description} belongs to a tor started with -f ${running}, not ${torrc}` };
    }
  } catch (error) {
    await session.close().catch(() => undefined);
    return { problem: `GETINFO config-file failed on ${session.description}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { session };
}

/** Settings of `confirmPolicy`. */
export interface ConfirmSettings {
  /** Probes to check. */
  probes: readonly PlanProbe[];
  /** Which verdict of each probe must hold. */
  expect: 'before' | 'after';
  /** Gives a control session (reconnecting when the previous one died, e.g. after a restart). */
  connect(): Promise<ControlAccess>;
  /** How long to keep asking before giving up, in milliseconds. */
  timeoutMs: number;
  /** Pause between attempts, in milliseconds. */
  intervalMs: number;
}

/** The GETINFO key that makes tor rebuild a dirty descriptor now (the digest itself is irrelevant). */
const FORCE_REBUILD_KEY = `extra-info/digest/${'0'.repeat(40)}`;

/**
 * Asks the running tor for its policy until every probe has its expected verdict or the
 * timeout passes. tor rebuilds the policy it reports shortly after a reload, and after a
 * restart it reports none until its first descriptor exists, so one reading is not enough.
 */
export async function confirmPolicy(settings: ConfirmSettings, env: ApplyEnvironment): Promise<Confirmation> {
  const checks = (observed: (probe: PlanProbe) => PolicyAction | undefined): ProbeCheck[] =>
    settings.probes.map((probe) => ({
      address: probe.address,
      port: probe.port,
      expected: probe[settings.expect],
      observed: observed(probe),
    }));
  if (settings.probes.length === 0) {
    return { status: 'not-checked', reason: 'the plan has no probes to check', probes: [], policyLines: [] };
  }
  const deadline = env.now().getTime() + settings.timeoutMs;
  let session: ControlSession | undefined;
  let problem = 'no attempt was made';
  let last: { probes: ProbeCheck[]; lines: string[] } | undefined;
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) {
        if (env.now().getTime() >= deadline) break;
        await env.sleep(settings.intervalMs);
      }
      if (session === undefined) {
        const access = await settings.connect();
        if ('problem' in access) {
          problem = access.problem;
          continue;
        }
        session = access.session;
      }
      let lines: string[];
      try {
        await session.getInfo(FORCE_REBUILD_KEY).catch(() => undefined);
        lines = (await session.getInfo('exit-policy/full'))
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '');
      } catch (error) {
        problem = `GETINFO exit-policy/full failed: ${error instanceof Error ? error.message : String(error)}`;
        await session.close().catch(() => undefined);
        session = undefined;
        continue;
      }
      const probes = checks((probe) => env.evaluateTorPolicy(lines, probe.address, probe.port));
      last = { probes, lines };
      if (probes.every((p) => p.observed === p.expected)) {
        return { status: 'confirmed', probes, policyLines: lines };
      }
      const wrong = probes.filter((p) => p.observed !== p.expected);
      problem = `the running relay still gives ${wrong
        .map((p) => `${formatDestination(p.address, p.port)} ${p.observed}, expected ${p.expected}`)
        .join('; ')}`;
    }
  } finally {
    await session?.close().catch(() => undefined);
  }
  return {
    status: 'failed',
    reason: `${problem} (gave up after ${settings.timeoutMs} ms)`,
    probes: last?.probes ?? checks(() => undefined),
    policyLines: last?.lines ?? [],
  };
}

/** `203.0.113.7:443` or `[2001:db8::1]:443`. */
export function formatDestination(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
